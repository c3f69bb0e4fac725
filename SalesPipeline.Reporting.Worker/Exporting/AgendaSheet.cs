using ClosedXML.Excel;
using NodaTime;
using SalesPipeline.Agendas;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// The <c>Agenda</c> sheet: per owner, the follow-ups that are overdue (most overdue first), then what falls due in the coming
/// week (meetings, tasks, next contacts, expected closes, by day), then the stale deals (longest idle first), as
/// <see cref="IAgendaService"/> gives them when the report is produced.
/// </summary>
internal static class AgendaSheet
{
    public const string Name = "Agenda";

    /// <summary>The days of the "coming week", from the day the report is produced.</summary>
    public const int Days = 7;

    private static readonly string[] English = ["Owner", "Section", "Date", "Time", "What", "Subject", "Deal", "Days overdue or idle"];

    private static readonly string[] Polish = ["Właściciel", "Sekcja", "Data", "Godzina", "Co", "Temat", "Szansa", "Dni po terminie lub bez ruchu"];

    private static readonly string[] EnglishSections = ["Overdue follow-up", "Coming week", "Stale deal"];

    private static readonly string[] PolishSections = ["Zaległy kontakt", "Najbliższy tydzień", "Szansa bez ruchu"];

    private static readonly string[] EnglishKinds = ["Meeting", "Task", "Next contact", "Expected close", "Stage"];

    private static readonly string[] PolishKinds = ["Spotkanie", "Zadanie", "Następny kontakt", "Planowane zamknięcie", "Etap"];

    /// <summary>Gets the column headers in a culture (<c>en</c> or <c>pl</c>).</summary>
    public static IReadOnlyList<string> Headers(string culture) => culture == "pl" ? Polish : English;

    /// <summary>Gets the section names (overdue, coming week, stale) in a culture.</summary>
    public static IReadOnlyList<string> Sections(string culture) => culture == "pl" ? PolishSections : EnglishSections;

    /// <summary>Gets the names of the entry kinds (meeting, task, next contact, expected close, and "stage" for a stale deal) in a culture.</summary>
    public static IReadOnlyList<string> Kinds(string culture) => culture == "pl" ? PolishKinds : EnglishKinds;

    /// <summary>Whether a workbook of this model has the sheet: only when <see cref="ReportKind.Agenda"/> is asked for.</summary>
    public static bool Included(ReportModel model) => model.Kind.HasFlag(ReportKind.Agenda);

    public static void Write(IXLWorksheet sheet, ReportModel model)
    {
        var w = new SheetWriter(sheet, Labels.For(model.Culture));
        var headers = Headers(model.Culture);
        for (var i = 0; i < headers.Count; i++)
        {
            w.Header(1, i + 1, headers[i]);
        }

        sheet.SheetView.FreezeRows(1);
        var sections = Sections(model.Culture);
        var kinds = Kinds(model.Culture);
        var row = 2;
        if (model.Agenda is not { } agenda)
        {
            w.ApplyColumnWidths();
            return;
        }

        foreach (var owner in agenda.Owners)
        {
            foreach (var i in agenda.Overdue.Where(i => i.Owner == owner))
            {
                Item(w, row++, agenda, sections[0], kinds, i);
            }

            foreach (var i in agenda.Upcoming.Where(i => i.Owner == owner))
            {
                Item(w, row++, agenda, sections[1], kinds, i);
            }

            foreach (var s in agenda.Stale.Where(s => s.Owner == owner))
            {
                w.Text(row, 1, owner.Value);
                w.Text(row, 2, sections[2]);
                w.Date(row, 3, s.LastTouchedAt.InZone(agenda.Zone).Date);
                w.Text(row, 5, kinds[4]);
                w.Text(row, 6, s.Stage.Value);
                w.Text(row, 7, s.OpportunityName);
                w.Count(row, 8, (long)Math.Floor(s.Idle.TotalDays));
                row++;
            }
        }

        w.ApplyColumnWidths();
    }

    private static void Item(SheetWriter w, int row, Agenda agenda, string section, IReadOnlyList<string> kinds, AgendaItem item)
    {
        w.Text(row, 1, item.Owner.Value);
        w.Text(row, 2, section);
        w.Date(row, 3, item.Day);
        if (item.Due is { } due)
        {
            w.Text(row, 4, due.InZone(agenda.Zone).TimeOfDay.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        }

        w.Text(row, 5, kinds[(int)item.Kind]);
        w.Text(row, 6, item.Subject);
        w.Text(row, 7, item.OpportunityName);
        if (item.IsOverdue)
        {
            w.Count(row, 8, (long)Math.Floor(item.Overdue.TotalDays));
        }
    }
}
