using ClosedXML.Excel;
using SalesPipeline.Leads;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// The <c>Leads</c> sheet: per salesperson, active leads against their limit, leads received, converted and disqualified in
/// the period, and lead → opportunity and lead → won conversion of the leads received (figures from
/// <see cref="ILeadService.FiguresAsync"/>).
/// </summary>
internal static class LeadSheet
{
    public const string Name = "Leads";

    private static readonly string[] English =
        ["User id", "Salesperson", "Active leads", "Limit", "Load", "Received", "Converted", "Disqualified", "Lead → opportunity", "Lead → won"];

    private static readonly string[] Polish =
        ["Identyfikator", "Handlowiec", "Aktywne leady", "Limit", "Obciążenie", "Otrzymane", "Skonwertowane", "Zdyskwalifikowane", "Lead → szansa", "Lead → wygrana"];

    /// <summary>Gets the column headers in a culture (<c>en</c> or <c>pl</c>).</summary>
    public static IReadOnlyList<string> Headers(string culture) => culture == "pl" ? Polish : English;

    /// <summary>Whether a workbook of this model has the sheet: always when <see cref="ReportKind.Leads"/> is asked for alone or with other sheets, for the full report when there are figures.</summary>
    public static bool Included(ReportModel model) =>
        model.Kind.HasFlag(ReportKind.All) ? model.Leads is { Count: > 0 } : model.Kind.HasFlag(ReportKind.Leads);

    public static void Write(IXLWorksheet sheet, ReportModel model)
    {
        var w = new SheetWriter(sheet);
        var headers = Headers(model.Culture);
        for (var i = 0; i < headers.Count; i++)
        {
            w.Header(1, i + 1, headers[i]);
        }

        sheet.SheetView.FreezeRows(1);
        var row = 2;
        foreach (var f in model.Leads ?? [])
        {
            w.Text(row, 1, f.Person.Value);
            w.Text(row, 2, f.DisplayName);
            w.Count(row, 3, f.Active);
            w.Count(row, 4, f.Limit);
            w.Rate(row, 5, f.Limit == 0 ? null : (decimal)f.Active / f.Limit);
            w.Count(row, 6, f.Received);
            w.Count(row, 7, f.Converted);
            w.Count(row, 8, f.Disqualified);
            w.Rate(row, 9, f.LeadToOpportunity);
            w.Rate(row, 10, f.LeadToWon);
            row++;
        }

        w.ApplyColumnWidths();
    }
}
