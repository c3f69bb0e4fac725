using System.Text.Json;
using SalesPipeline.Reporting.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>
/// The workbook as readers nobody here wrote see it: openpyxl reads the stored values and types without
/// recalculating, LibreOffice renders the cells with their number formats. Both must show the figures and the
/// hostile deal name literally. These tests fail, never skip, when a reader is missing.
/// </summary>
public sealed class WorkbookRenderingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Openpyxl_QuarterReport_ReadsTypedFiguresAndLiteralText()
    {
        var path = Write(ReportModels.Quarter(opportunities: ReportModels.Deals(3)));

        var workbook = ExternalReaders.ReadWithOpenpyxl(path);

        Assert.Equal(["Summary", "Funnel", "Win-Loss", "Forecast", "Time in Stage", "Accounts", "Opportunities"], workbook.SheetNames);
        Assert.DoesNotContain(workbook.AllCells(), c => c.Cell.GetProperty("type").GetString() == "f");

        AssertCell(workbook.Cell("Funnel", "A1"), "Pipeline on 2026-03-31", "s");
        AssertCell(workbook.Cell("Funnel", "C3"), 5, "n", "#,##0");
        AssertCell(workbook.Cell("Funnel", "D3"), 500_000, "n", "#,##0.00 \"PLN\"");
        AssertCell(workbook.Cell("Funnel", "F3"), 0.4166, "n", "0.0%");
        AssertCell(workbook.Cell("Funnel", "A4"), "=Qualification", "s");
        AssertCell(workbook.Cell("Funnel", "B12"), 16, "n", "#,##0");
        AssertCell(workbook.Cell("Funnel", "C12"), "—", "s"); // undefined conversion: not 0

        var summary = workbook.Sheet("Summary").GetProperty("cells");
        var asOf = summary.EnumerateObject().Single(c => c.Value.GetProperty("value").ToString() == "As of").Name.Replace("A", "B", StringComparison.Ordinal);
        AssertCell(workbook.Cell("Summary", asOf), "2026-03-31T23:59:59", "d", "yyyy-mm-dd hh:mm");
        AssertCell(workbook.Cell("Forecast", "A2"), "Overdue", "s");
        AssertCell(workbook.Cell("Forecast", "A3"), "2026-04-01T00:00:00", "d", "yyyy-mm");

        AssertCell(workbook.Cell("Opportunities", "A3"), ReportModels.HostileName, "s");
        AssertCell(workbook.Cell("Opportunities", "A4"), "+1", "s");
        AssertCell(workbook.Cell("Opportunities", "C5"), "-2", "s");
        AssertCell(workbook.Cell("Opportunities", "G3"), 1_000, "n", "#,##0.00 \"PLN\"");

        Assert.Equal("A3", workbook.Sheet("Funnel").GetProperty("freeze").GetString());
        Assert.Equal("A3", workbook.Sheet("Opportunities").GetProperty("freeze").GetString());
        var table = Assert.Single(workbook.Sheet("Opportunities").GetProperty("tables").EnumerateArray());
        Assert.Equal("Opportunities", table.GetProperty("name").GetString());
        Assert.Equal("A2:N5", table.GetProperty("ref").GetString());
        Assert.True(table.GetProperty("autoFilter").GetBoolean());
        Assert.Equal(
            [("B12:B15", 16.0), ("C3:C8", 5.0)],
            workbook.Sheet("Funnel").GetProperty("dataBars").EnumerateArray()
                .Select(b => (b.GetProperty("range").GetString(), b.GetProperty("max").GetDouble())).Order());
    }

    [Fact]
    public void LibreOffice_QuarterReport_RendersFormattedFiguresAndLiteralText()
    {
        var path = Write(ReportModels.Quarter(opportunities: ReportModels.Deals(20), detailRowLimit: 15));

        var sheets = ExternalReaders.RenderWithLibreOffice(path);

        Assert.Equal(["Accounts", "Forecast", "Funnel", "Opportunities", "Summary", "Time in Stage", "Win-Loss"], sheets.Keys.Order());
        Assert.Equal("Pipeline on 2026-03-31", sheets["Funnel"][0][0]);
        Assert.Equal(["Identification", "PLN", "5", "500,000.00 PLN", "50,000.00 PLN", "41.7%"], sheets["Funnel"][2].Take(6));
        Assert.Equal("=Qualification", sheets["Funnel"][3][0]);
        Assert.Equal("Deals created 2026-01-01–2026-03-31: how far they got", sheets["Funnel"][9][0]);
        Assert.Equal(["Identification", "16", "—", "100.0%"], sheets["Funnel"][11].Take(4));

        var summary = sheets["Summary"];
        Assert.Equal(["As of", "2026-03-31 23:59"], Row(summary, "As of").Take(2));
        Assert.Equal(["Open value", "1,234,567.89 PLN", "50,000.00 EUR"], Row(summary, "Open value").Take(3));
        Assert.Equal(["Win rate (count)", "75.0%", "—"], Row(summary, "Win rate (count)").Take(3));
        Assert.Equal(["Sales velocity (per day)", "1,520.25 PLN/day", "—"], Row(summary, "Sales velocity (per day)").Take(3));

        Assert.Equal(["Overdue", "PLN", "2", "30,000.00 PLN", "15,000.00 PLN"], sheets["Forecast"][1].Take(5));
        Assert.Equal(["2026-04", "PLN", "4", "400,000.00 PLN", "150,000.00 PLN"], sheets["Forecast"][2].Take(5));

        var deals = sheets["Opportunities"];
        Assert.Equal("5 more deals not shown (limit 15).", deals[0][0]);
        Assert.Equal("Name", deals[1][0]);
        // Had the name become a formula, LibreOffice would show its result, "y".
        Assert.Equal(ReportModels.HostileName, deals[2][0]);
        Assert.Equal(["+1", "+1", "+1"], new[] { deals[3][0], deals[3][1], deals[3][2] });
        Assert.Equal(["1,000.00 PLN", "50%", "500.00 PLN", "2026-01-01", "2026-04-30"], deals[2].Skip(6).Take(5));
        Assert.Equal(2 + 15, deals.Count(r => r.Any(f => f.Length > 0)));
    }

    [Fact]
    public void Openpyxl_QuarterReport_EverySheetPrintsLandscapeOnePageWideWithHeaderRowsAndPeriod()
    {
        var path = Write(ReportModels.Quarter());

        var settings = ExternalReaders.ReadPrintSettings(path);

        var titleRows = new Dictionary<string, string>
        {
            ["Summary"] = "1:1", ["Funnel"] = "1:2", ["Win-Loss"] = "1:1", ["Forecast"] = "1:1",
            ["Time in Stage"] = "1:2", ["Accounts"] = "1:2", ["Opportunities"] = "1:2",
        };
        Assert.Equal(titleRows.Keys.Order(), settings.EnumerateObject().Select(s => s.Name).Order());
        foreach (var sheet in settings.EnumerateObject())
        {
            var page = sheet.Value;
            var read = (page.GetProperty("orientation").GetString(), page.GetProperty("fitToPage").GetBoolean(), page.GetProperty("fitToWidth").GetInt32(),
                page.GetProperty("fitToHeight").GetInt32(), page.GetProperty("titleRows").GetString(), page.GetProperty("headerLeft").GetString(),
                page.GetProperty("headerRight").GetString(), page.GetProperty("footerCenter").GetString());

            // &A is the sheet name and &P/&N the page number and count, filled in by whoever prints.
            Assert.Equal(("landscape", true, 1, 0, titleRows[sheet.Name], "&A", "Sales pipeline report, 2026-01-01 – 2026-03-31", "Page &P of &N"), read);
        }
    }

    [Fact]
    public void Openpyxl_PolishQuarterReport_PrintsThePeriodAndPagesInPolish()
    {
        var path = Write(ReportModels.Quarter("pl"));

        var funnel = ExternalReaders.ReadPrintSettings(path).GetProperty("Funnel");

        Assert.Equal("Raport lejka sprzedaży, 01.01.2026 – 31.03.2026", funnel.GetProperty("headerRight").GetString());
        Assert.Equal("Strona &P z &N", funnel.GetProperty("footerCenter").GetString());
    }

    private string Write(ReportModel model)
    {
        var path = _folder.File("quarter.xlsx");
        new WorkbookWriter().Write(model, path, CancellationToken.None);
        return path;
    }

    private static IReadOnlyList<string> Row(IReadOnlyList<IReadOnlyList<string>> rows, string label) =>
        rows.Single(r => r.Count > 0 && r[0] == label);

    private static void AssertCell(JsonElement? cell, double expected, string type, string format)
    {
        Assert.True(cell.HasValue, "openpyxl saw an empty cell.");
        Assert.Equal(type, cell.Value.GetProperty("type").GetString());
        Assert.Equal(expected, cell.Value.GetProperty("value").GetDouble(), 9);
        Assert.Equal(format, cell.Value.GetProperty("format").GetString());
    }

    private static void AssertCell(JsonElement? cell, string expected, string type, string? format = null)
    {
        Assert.True(cell.HasValue, "openpyxl saw an empty cell.");
        Assert.Equal(type, cell.Value.GetProperty("type").GetString());
        Assert.Equal(expected, cell.Value.GetProperty("value").GetString());
        if (format is not null)
        {
            Assert.Equal(format, cell.Value.GetProperty("format").GetString());
        }
    }
}
