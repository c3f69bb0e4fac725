using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ClosedXML.Excel;
using DocumentFormat.OpenXml.Packaging;
using SalesPipeline.Reporting.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>
/// The workbook's charts as a file: native chart parts whose every series names the cells that hold its numbers, with the
/// same numbers cached; and as LibreOffice prints them: each chart drawn, whole, on a page.
/// </summary>
public sealed class ChartWriterTests : IDisposable
{
    private static readonly XNamespace C = "http://schemas.openxmlformats.org/drawingml/2006/chart";
    private static readonly XNamespace A = "http://schemas.openxmlformats.org/drawingml/2006/main";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Write_QuarterModel_EachChartSeriesPointsAtTheCellsThatHoldItsNumbers()
    {
        var path = Write(ReportModels.Quarter());

        var charts = ReadCharts(path);

        // The Quarter model: PLN is the first currency block of the funnel (rows 3–5) and of the forecast (overdue row 2,
        // months rows 3–4); the cohort table's stages are rows 12–15; the owners' win rates follow the Win-Loss sections.
        Assert.Equal(
            [
                ("Funnel", "Open deals and weighted value by stage (PLN)", "'Funnel'!$A$3:$A$5", "'Funnel'!$C$3:$C$5 'Funnel'!$E$3:$E$5"),
                ("Funnel", "Conversion of the deals created in the period, by stage", "'Funnel'!$A$12:$A$15", "'Funnel'!$C$12:$C$15 'Funnel'!$D$12:$D$15"),
                ("Win-Loss", "Win rate by owner (count)", "'Win-Loss'!$A$18:$A$19", "'Win-Loss'!$D$18:$D$19"),
                ("Forecast", "Forecast by expected close month: value and weighted value (PLN)", "'Forecast'!$A$2:$A$4", "'Forecast'!$D$2:$D$4 'Forecast'!$E$2:$E$4"),
            ],
            charts.Select(c => (c.Sheet, c.Title, c.Series[0].Categories, string.Join(' ', c.Series.Select(s => s.Values)))));

        using var workbook = new XLWorkbook(path);
        foreach (var chart in charts)
        {
            foreach (var series in chart.Series)
            {
                Assert.Equal(Texts(workbook, series.NameCell), [series.Name]);
                Assert.Equal(Texts(workbook, series.Categories), series.CategoryCache);
                var cells = Cells(workbook, series.Values).ToList();
                Assert.Equal(cells.Count, series.PointCount);
                for (var i = 0; i < cells.Count; i++)
                {
                    // A cell holding "—" (an undefined rate) has no point: the chart leaves a gap, not a 0.
                    double? number = cells[i].DataType == XLDataType.Number ? cells[i].GetDouble() : null;
                    Assert.Equal(number, series.Points.TryGetValue(i, out var point) ? point : null);
                }
            }
        }

        Assert.Equal([5.0, 4, 3], charts[0].Series[0].Points.Values);
        Assert.Equal([50_000.0, 100_000, 195_678.5], charts[0].Series[1].Points.Values);
        Assert.Equal([0.6875, 0.5454, 0.5], charts[1].Series[0].Points.Values); // no conversion into the first stage
        Assert.Equal(["Overdue", "2026-04", "2026-05"], charts[3].Series[0].CategoryCache);
    }

    [Fact]
    public void Write_PolishCulture_ChartTitlesAndMonthsArePolish()
    {
        var charts = ReadCharts(Write(ReportModels.Quarter("pl")));

        Assert.Equal(
            [
                "Otwarte transakcje i wartość ważona według etapu (PLN)",
                "Konwersja transakcji utworzonych w okresie, według etapu",
                "Współczynnik wygranych według handlowca (liczba)",
                "Prognoza według miesiąca planowanego zamknięcia: wartość i wartość ważona (PLN)",
            ],
            charts.Select(c => c.Title));
        Assert.Equal(["Zaległe", "04.2026", "05.2026"], charts[3].Series[0].CategoryCache);
        Assert.Equal(["Wartość", "Wartość ważona"], charts[3].Series.Select(s => s.Name));
    }

    [Fact]
    public void LibreOffice_QuarterReport_DrawsEveryChartWholeOnAPage()
    {
        var path = Write(ReportModels.Quarter());
        var titles = ReadCharts(path).Select(c => c.Title).ToList();

        var pdf = ExternalReaders.ConvertToPdf(path, _folder.Path);
        var words = ExternalReaders.PdfWords(pdf);

        foreach (var title in titles)
        {
            // The title's words in a row: exactly once, so no page break cut the chart into two printed halves.
            var found = Find(words, title);
            var start = Assert.Single(found);
            var first = words[start];
            var last = words[start + title.Split(' ').Length - 1];
            var page = ExternalReaders.RenderPage(pdf, first.Page);

            // Under the title, where the chart's plot is: bars and lines in the series colours.
            var coloured = page.ColouredPixels(Math.Min(first.XMin, last.XMin) - 60, last.YMax, Math.Max(first.XMax, last.XMax) + 60, last.YMax + 180);
            Assert.True(coloured > 300, $"The chart '{title}' on page {first.Page} drew {coloured} coloured pixels under its title.");
        }

        // The same page region is blank in a workbook without charts: the pixels counted above are the charts'.
        var funnelTitle = words[Assert.Single(Find(words, titles[0]))];
        var bare = _folder.File("bare.xlsx");
        new WorkbookWriter().Write(ReportModels.Quarter() with { Snapshot = [], Cohort = [] }, bare, CancellationToken.None);
        var barePdf = ExternalReaders.ConvertToPdf(bare, Path.Combine(_folder.Path, "bare"));
        var barePage = ExternalReaders.RenderPage(barePdf, funnelTitle.Page);
        Assert.True(barePage.ColouredPixels(funnelTitle.XMin - 60, funnelTitle.YMax, funnelTitle.XMax + 60, funnelTitle.YMax + 180) < 50);
    }

    private static List<int> Find(IReadOnlyList<PdfWord> words, string title)
    {
        var parts = title.Split(' ');
        var found = new List<int>();
        for (var i = 0; i + parts.Length <= words.Count; i++)
        {
            if (parts.Select((p, k) => words[i + k].Text == p).All(m => m))
            {
                found.Add(i);
            }
        }

        return found;
    }

    [Theory]
    [InlineData("en")]
    [InlineData("pl")]
    public void Write_QuarterModel_ChartAndDrawingPartsAreValidOpenXmlAsExcelReadsIt(string culture)
    {
        var path = Write(ReportModels.Quarter(culture));

        // Excel refuses a workbook whose chart or drawing XML breaks the schema; the SDK's validator checks the same schema.
        using var package = SpreadsheetDocument.Open(path, isEditable: false);
        var drawings = package.WorkbookPart!.WorksheetParts.Select(w => w.DrawingsPart).OfType<DrawingsPart>().ToList();
        Assert.Equal(3, drawings.Count);
        var validator = new DocumentFormat.OpenXml.Validation.OpenXmlValidator(DocumentFormat.OpenXml.FileFormatVersions.Office2010);
        var errors = drawings
            .SelectMany(d => new OpenXmlPart[] { d }.Concat(d.ChartParts))
            .SelectMany(part => validator.Validate(part))
            .Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}")
            .ToList();
        Assert.Empty(errors);
        Assert.Equal(4, drawings.Sum(d => d.ChartParts.Count()));
    }

    private string Write(ReportModel model)
    {
        var path = _folder.File($"charts-{Guid.NewGuid():N}.xlsx");
        new WorkbookWriter().Write(model, path, CancellationToken.None);
        return path;
    }

    /// <summary>Every chart part of every sheet, read from the package with the Open XML SDK, in sheet then drawing order.</summary>
    private static List<ChartRead> ReadCharts(string path)
    {
        var charts = new List<ChartRead>();
        using var document = SpreadsheetDocument.Open(path, isEditable: false);
        var workbook = document.WorkbookPart!;
        foreach (var sheet in workbook.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>())
        {
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
            if (part.DrawingsPart is not { } drawings)
            {
                continue;
            }

            Assert.Single(part.Worksheet.Elements<DocumentFormat.OpenXml.Spreadsheet.Drawing>());
            var anchors = XDocument.Load(drawings.GetStream()).Descendants(C + "chart").Select(e => e.Attribute(XName.Get("id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"))!.Value);
            foreach (var id in anchors)
            {
                var xml = XDocument.Load(((ChartPart)drawings.GetPartById(id)).GetStream());
                var title = string.Concat(xml.Descendants(C + "title").First().Descendants(A + "t").Select(t => t.Value));
                var series = xml.Descendants(C + "ser").Select(s => new SeriesRead(
                    s.Element(C + "tx")!.Descendants(C + "f").Single().Value,
                    s.Element(C + "tx")!.Descendants(C + "v").Single().Value,
                    s.Element(C + "cat")!.Descendants(C + "f").Single().Value,
                    [.. s.Element(C + "cat")!.Descendants(C + "pt").Select(p => p.Element(C + "v")!.Value)],
                    s.Element(C + "val")!.Descendants(C + "f").Single().Value,
                    int.Parse(s.Element(C + "val")!.Descendants(C + "ptCount").Single().Attribute("val")!.Value, CultureInfo.InvariantCulture),
                    s.Element(C + "val")!.Descendants(C + "pt").ToDictionary(
                        p => int.Parse(p.Attribute("idx")!.Value, CultureInfo.InvariantCulture),
                        p => double.Parse(p.Element(C + "v")!.Value, CultureInfo.InvariantCulture)))).ToList();
                charts.Add(new ChartRead(sheet.Name!.Value!, title, series));
            }
        }

        return charts;
    }

    /// <summary>The cells of a reference such as <c>'Win-Loss'!$D$18:$D$19</c>.</summary>
    private static IEnumerable<IXLCell> Cells(XLWorkbook workbook, string reference)
    {
        var match = Regex.Match(reference, @"^'(?<sheet>(?:[^']|'')+)'!(?<range>\$[A-Z]+\$\d+(?::\$[A-Z]+\$\d+)?)$");
        Assert.True(match.Success, $"'{reference}' is not an absolute reference to one sheet's cells.");
        return workbook.Worksheet(match.Groups["sheet"].Value.Replace("''", "'", StringComparison.Ordinal)).Range(match.Groups["range"].Value.Replace("$", string.Empty, StringComparison.Ordinal)).Cells();
    }

    /// <summary>The cells' text as a chart shows categories: months as the sheet formats them (<c>yyyy-mm</c>).</summary>
    private static List<string> Texts(XLWorkbook workbook, string reference) =>
        [.. Cells(workbook, reference).Select(c => c.DataType == XLDataType.DateTime ? c.GetDateTime().ToString("yyyy-MM", CultureInfo.InvariantCulture) : c.GetString())];

    private sealed record ChartRead(string Sheet, string Title, IReadOnlyList<SeriesRead> Series);

    private sealed record SeriesRead(string NameCell, string Name, string Categories, IReadOnlyList<string> CategoryCache, string Values, int PointCount, Dictionary<int, double> Points);
}
