using System.IO.Compression;
using ClosedXML.Excel;
using SalesPipeline.Reporting.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>
/// Writes hand-built report models and opens the files again with ClosedXML: sheets, values, cell types,
/// number formats, panes, the detail table and its cap, Polish labels, hostile text, and the atomic write.
/// </summary>
public sealed class WorkbookWriterTests : IDisposable
{
    private static readonly string[] SheetOrder = ["Summary", "Funnel", "Win-Loss", "Forecast", "Time in Stage", "Accounts", "Opportunities"];
    private static readonly string[] WinLossSections = ["Total", "By owner", "By loss reason", "By stage lost at"];

    private readonly TempFolder _folder = new();
    private readonly WorkbookWriter _writer = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task WriteAsync_QuarterModel_WritesTheSevenSheetsInOrder()
    {
        var path = _folder.File("report.xlsx");

        await _writer.WriteAsync(ReportModels.Quarter(), path, CancellationToken.None);

        using var workbook = new XLWorkbook(path);
        Assert.Equal(SheetOrder, workbook.Worksheets.Select(s => s.Name));
        Assert.True(workbook.Worksheet("Summary").TabActive);
    }

    [Fact]
    public void Write_QuarterModel_SummaryHasHeaderRowsAsTypedValues()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter());
        var sheet = workbook.Worksheet("Summary");

        Assert.Equal("Sales pipeline report", sheet.Cell("A1").GetString());
        AssertText(ValueOf(sheet, "Pipeline"), "B2B =default");
        AssertDate(ValueOf(sheet, "Period from"), new DateTime(2026, 1, 1), "yyyy-mm-dd");
        AssertDate(ValueOf(sheet, "Period to"), new DateTime(2026, 3, 31), "yyyy-mm-dd");
        // Instants in the model's zone: 21:59:59 UTC is 23:59:59 in Warsaw (CEST), 06:00 UTC is 08:00.
        AssertDate(ValueOf(sheet, "As of"), new DateTime(2026, 3, 31, 23, 59, 59), "yyyy-mm-dd hh:mm");
        AssertDate(ValueOf(sheet, "Generated at"), new DateTime(2026, 4, 6, 8, 0, 0), "yyyy-mm-dd hh:mm");
        AssertText(ValueOf(sheet, "Time zone"), "Europe/Warsaw");
        var filters = RowOf(sheet, "Filters");
        AssertText(sheet.Cell(filters + 1, 1), "Owner");
        AssertText(sheet.Cell(filters + 1, 2), "+48 Anna");
    }

    [Fact]
    public void Write_QuarterModel_SummaryKeyFiguresPerCurrencyWithFormats()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter());
        var sheet = workbook.Worksheet("Summary");
        var header = RowOf(sheet, "Key figures");
        AssertText(sheet.Cell(header, 2), "PLN");
        AssertText(sheet.Cell(header, 3), "EUR");

        AssertNumber(ValueOf(sheet, "Open deals"), 12, "#,##0");
        AssertNumber(ValueOf(sheet, "Open value"), 1_234_567.89, "#,##0.00 \"PLN\"");
        AssertNumber(ValueOf(sheet, "Weighted value"), 345_678.5, "#,##0.00 \"PLN\"");
        AssertNumber(ValueOf(sheet, "Won"), 3, "#,##0");
        AssertNumber(ValueOf(sheet, "Lost"), 1, "#,##0");
        AssertNumber(ValueOf(sheet, "Win rate (count)"), 0.75, "0.0%");
        AssertNumber(ValueOf(sheet, "Win rate (value)"), 0.8125, "0.0%");
        AssertNumber(ValueOf(sheet, "Average cycle (days)"), 41.5, "0.0");
        AssertNumber(ValueOf(sheet, "Sales velocity (per day)"), 1_520.25, "#,##0.00 \"PLN/day\"");

        AssertNumber(ValueOf(sheet, "Open deals", column: 3), 2, "#,##0");
        AssertNumber(ValueOf(sheet, "Open value", column: 3), 50_000, "#,##0.00 \"EUR\"");
        // No closed EUR deal: the rates are undefined, which is not 0 %.
        AssertUndefined(ValueOf(sheet, "Win rate (count)", column: 3));
        AssertUndefined(ValueOf(sheet, "Win rate (value)", column: 3));
        AssertUndefined(ValueOf(sheet, "Average cycle (days)", column: 3));
        AssertUndefined(ValueOf(sheet, "Sales velocity (per day)", column: 3));
    }

    [Fact]
    public void Write_QuarterModel_FunnelHasTwoCaptionedTablesAndNoRowMixesThem()
    {
        var model = ReportModels.Quarter();
        using var workbook = WriteAndOpen(model);
        var sheet = workbook.Worksheet("Funnel");

        AssertText(sheet.Cell("A1"), "Pipeline on 2026-03-31");
        Assert.Equal(["Stage", "Currency", "Deals", "Value", "Weighted value", "Share"], HeaderTexts(sheet, 2));
        AssertFrozenRows(sheet, 2);
        for (var i = 0; i < model.Snapshot.Count; i++)
        {
            var expected = model.Snapshot[i];
            var row = i + 3;
            AssertText(sheet.Cell(row, 1), expected.StageName);
            AssertText(sheet.Cell(row, 2), expected.Currency);
            AssertNumber(sheet.Cell(row, 3), expected.Deals, "#,##0");
            AssertNumber(sheet.Cell(row, 4), (double)expected.Value, $"#,##0.00 \"{expected.Currency}\"");
            AssertNumber(sheet.Cell(row, 5), (double)expected.WeightedValue, $"#,##0.00 \"{expected.Currency}\"");
            AssertRate(sheet.Cell(row, 6), expected.Share);
            Assert.True(sheet.Cell(row, 7).IsEmpty(), "A pipeline row carries no cohort figure.");
        }

        // Rows 3..8 the pipeline, row 9 blank, row 10 the cohort's caption, row 11 its header, rows 12..15 its stages.
        Assert.True(sheet.Row(9).IsEmpty());
        AssertText(sheet.Cell("A10"), "Deals created 2026-01-01–2026-03-31: how far they got");
        Assert.Equal(["Stage", "Reached", "Conversion", "Cumulative conversion"], HeaderTexts(sheet, 11));
        for (var i = 0; i < model.Cohort.Count; i++)
        {
            var expected = model.Cohort[i];
            var row = i + 12;
            AssertText(sheet.Cell(row, 1), expected.StageName);
            AssertNumber(sheet.Cell(row, 2), expected.Reached, "#,##0");
            AssertRate(sheet.Cell(row, 3), expected.Conversion);
            AssertRate(sheet.Cell(row, 4), expected.CumulativeConversion);
            Assert.True(sheet.Cell(row, 5).IsEmpty(), "A cohort row carries no pipeline figure.");
        }

        Assert.True(sheet.Cell(16, 1).IsEmpty());
    }

    [Fact]
    public void Write_QuarterModel_FunnelDrawsDataBarsScaledToTheLargestStage()
    {
        var path = Write(ReportModels.Quarter());

        using (var workbook = new XLWorkbook(path))
        {
            var bars = workbook.Worksheet("Funnel").ConditionalFormats.ToList();
            Assert.Equal(2, bars.Count);
            Assert.All(bars, b => Assert.Equal(XLConditionalFormatType.DataBar, b.ConditionalFormatType));
            Assert.Equal(["B12:B15", "C3:C8"], bars.Select(b => b.Range.RangeAddress.ToString()).Order());
        }

        // Both the Excel 2007 rule and its Excel 2010 extension must scale 0..max; an extension with max 0
        // (what ClosedXML writes for HighestValue) shows every bar full.
        var xml = SheetXml(path, "Funnel");
        Assert.Contains("<x:cfvo type=\"num\" val=\"5\" />", xml, StringComparison.Ordinal);
        Assert.Contains("<x:cfvo type=\"num\" val=\"16\" />", xml, StringComparison.Ordinal);
        Assert.Contains("<xm:f>5</xm:f>", xml, StringComparison.Ordinal);
        Assert.Contains("<xm:f>16</xm:f>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_QuarterModel_WinLossHasTotalsThenOwnerReasonAndStageSections()
    {
        var model = ReportModels.Quarter();
        using var workbook = WriteAndOpen(model);
        var sheet = workbook.Worksheet("Win-Loss");

        Assert.Equal(
            ["Breakdown", "Currency", "Won", "Lost", "Won value", "Lost value", "Win rate (count)", "Win rate (value)"],
            HeaderTexts(sheet, 1));
        AssertFrozenRows(sheet, 1);
        var sections = WinLossSections.Select(t => RowOf(sheet, t)).ToList();
        Assert.Equal(sections.Order(), sections);

        AssertWinLossRows(sheet, sections[0], model.WinLoss.Totals);
        AssertWinLossRows(sheet, sections[1], model.WinLoss.ByOwner);
        AssertWinLossRows(sheet, sections[2], model.WinLoss.ByLossReason);
        AssertText(sheet.Cell(sections[3] + 1, 1), "(none)");
    }

    [Fact]
    public void Write_QuarterModel_ForecastHasTheOverdueRowOnTopThenMonthsWithTotalsPerCurrency()
    {
        var model = ReportModels.Quarter();
        using var workbook = WriteAndOpen(model);
        var sheet = workbook.Worksheet("Forecast");

        Assert.Equal(["Month", "Currency", "Deals", "Value", "Weighted value"], HeaderTexts(sheet, 1));
        AssertFrozenRows(sheet, 1);

        // PLN first (14 deals against 2), its overdue deals on top; then EUR.
        AssertText(sheet.Cell(2, 1), "Overdue");
        AssertText(sheet.Cell(2, 2), "PLN");
        AssertNumber(sheet.Cell(2, 3), 2, "#,##0");
        AssertNumber(sheet.Cell(2, 4), 30_000, "#,##0.00 \"PLN\"");
        AssertNumber(sheet.Cell(2, 5), 15_000, "#,##0.00 \"PLN\"");
        (int Row, int Month, string Currency, int Deals, double Weighted)[] months = [(3, 4, "PLN", 4, 150_000), (4, 5, "PLN", 8, 195_678.5), (5, 4, "EUR", 2, 12_500)];
        foreach (var (row, month, currency, deals, weighted) in months)
        {
            AssertDate(sheet.Cell(row, 1), new DateTime(2026, month, 1), "yyyy-mm");
            AssertText(sheet.Cell(row, 2), currency);
            AssertNumber(sheet.Cell(row, 3), deals, "#,##0");
            AssertNumber(sheet.Cell(row, 5), weighted, $"#,##0.00 \"{currency}\"");
        }

        Assert.True(sheet.Row(6).IsEmpty());
        AssertText(sheet.Cell(7, 1), "Total");
        AssertText(sheet.Cell(7, 2), "PLN");
        AssertNumber(sheet.Cell(7, 3), 2 + 4 + 8, "#,##0");
        AssertNumber(sheet.Cell(7, 4), 30_000 + 400_000 + 834_567.89, "#,##0.00 \"PLN\"");
        AssertNumber(sheet.Cell(7, 5), 15_000 + 150_000 + 195_678.5, "#,##0.00 \"PLN\"");
        AssertText(sheet.Cell(8, 2), "EUR");
        AssertNumber(sheet.Cell(8, 5), 12_500, "#,##0.00 \"EUR\"");
    }

    [Fact]
    public void Write_Deals_OpportunitiesIsAFilteredTableWithTypedColumns()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: ReportModels.Deals(20)));
        var sheet = workbook.Worksheet("Opportunities");

        var table = Assert.Single(sheet.Tables);
        Assert.Equal("Opportunities", table.Name);
        Assert.Equal("A2:N22", table.RangeAddress.ToString());
        Assert.True(table.ShowAutoFilter);
        Assert.NotNull(table.AutoFilter);
        Assert.Equal(
            ["Name", "Account", "Owner", "Stage", "Status", "Currency", "Value", "Probability", "Weighted value",
             "Created", "Expected close", "Closed", "Loss reason", "Comment"],
            table.Fields.Select(f => f.Name));
        AssertFrozenRows(sheet, 2);
        AssertText(sheet.Cell("A1"), "All 20 deals shown.");

        var deal = ReportModels.Deal(19); // EUR, open, no account
        var row = 3 + 19;
        AssertText(sheet.Cell(row, 1), "Deal 19");
        Assert.True(sheet.Cell(row, 2).IsEmpty());
        AssertText(sheet.Cell(row, 3), "Piotr");
        AssertNumber(sheet.Cell(row, 7), (double)deal.Value, "#,##0.00 \"EUR\"");
        AssertNumber(sheet.Cell(row, 8), 0.5, "0%");
        AssertNumber(sheet.Cell(row, 9), (double)deal.WeightedValue, "#,##0.00 \"EUR\"");
        AssertDate(sheet.Cell(row, 10), new DateTime(2026, 1, 20), "yyyy-mm-dd");
        AssertDate(sheet.Cell(row, 11), new DateTime(2026, 4, 30), "yyyy-mm-dd");
        Assert.True(sheet.Cell(row, 12).IsEmpty());

        var lost = 3 + 17; // deal 17: lost on 2026-03-15 for "Price"
        AssertText(sheet.Cell(lost, 5), "lost");
        AssertNumber(sheet.Cell(lost, 8), 0, "0%");
        AssertDate(sheet.Cell(lost, 12), new DateTime(2026, 3, 15), "yyyy-mm-dd");
        AssertText(sheet.Cell(lost, 13), "Price");
        AssertText(sheet.Cell(lost, 14), "Chose a cheaper offer");
    }

    [Fact]
    public void Write_MoreDealsThanTheLimit_WritesTheLimitAndStatesHowManyWereLeftOff()
    {
        var deals = new OnceOnlyDeals(ReportModels.Deals(1_000));

        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: deals, detailRowLimit: 25));
        var sheet = workbook.Worksheet("Opportunities");

        Assert.Equal(1_000, deals.Taken); // walked once, to the end: the rest is counted
        AssertText(sheet.Cell("A1"), "975 more deals not shown (limit 25).");
        Assert.Equal("A2:N27", Assert.Single(sheet.Tables).RangeAddress.ToString());
        AssertText(sheet.Cell(27, 1), "Deal 24");
        Assert.True(sheet.Cell(28, 1).IsEmpty());
    }

    [Fact]
    public void Write_ManyDeals_AreStreamedNotHeldInMemory()
    {
        // While the source hands out deal 1,500, deal 100 must already be garbage: past the limit of 10 rows it is only
        // counted. A writer that copied the whole sequence into a list would still hold it, and all 10^6 of a big store.
        WeakReference? deal100 = null;
        bool? deal100Collected = null;
        IEnumerable<OpportunityRow> Source()
        {
            for (var i = 0; i < 2_000; i++)
            {
                var deal = ReportModels.Deal(i);
                if (i == 100)
                {
                    deal100 = new WeakReference(deal);
                }
                else if (i == 1_500)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    deal100Collected = !deal100!.IsAlive;
                }

                yield return deal;
            }
        }

        Write(ReportModels.Quarter(opportunities: Source(), detailRowLimit: 10));

        Assert.True(deal100Collected, "Deal 100 was still referenced while deal 1,500 was read: the writer does not stream.");
    }

    [Fact]
    public void Write_LimitZero_WritesAnEmptyTableAndCountsAllDeals()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: ReportModels.Deals(7), detailRowLimit: 0));
        var sheet = workbook.Worksheet("Opportunities");

        AssertText(sheet.Cell("A1"), "7 more deals not shown (limit 0).");
        Assert.Single(sheet.Tables);
        Assert.True(sheet.Cell(3, 1).IsEmpty());
    }

    [Fact]
    public void Write_HostileText_StaysLiteralTextEverywhere()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: ReportModels.Deals(ReportModels.HostileTexts.Length)));
        var deals = workbook.Worksheet("Opportunities");

        for (var i = 0; i < ReportModels.HostileTexts.Length; i++)
        {
            var text = ReportModels.HostileTexts[i];
            foreach (var column in new[] { 1, 3, 14 }) // name, owner, comment
            {
                var cell = deals.Cell(3 + i, column);
                Assert.False(cell.HasFormula, $"{cell.Address} became a formula: {cell.FormulaA1}");
                AssertText(cell, text);
            }
        }

        var hyperlink = deals.Cell(3, 1);
        Assert.True(hyperlink.Style.IncludeQuotePrefix, "Text starting with '=' keeps Excel's quote prefix, so an edit does not turn it into a formula.");
        Assert.False(hyperlink.HasHyperlink);
        AssertText(workbook.Worksheet("Funnel").Cell("A4"), "=Qualification");
        AssertText(workbook.Worksheet("Funnel").Cell("A13"), "=Qualification");
        AssertText(workbook.Worksheet("Time in Stage").Cell("A4"), "=Qualification");
        AssertText(workbook.Worksheet("Accounts").Cell("A3"), "=Acme");
        AssertText(workbook.Worksheet("Win-Loss").Cell(RowOf(workbook.Worksheet("Win-Loss"), "=Price"), 1), "=Price");
        AssertText(ValueOf(workbook.Worksheet("Summary"), "Pipeline"), "B2B =default");
    }

    [Fact]
    public void Write_QuarterModel_NoCellAnywhereIsAFormula()
    {
        var path = Write(ReportModels.Quarter(opportunities: ReportModels.Deals(40)));

        using (var workbook = new XLWorkbook(path))
        {
            var formulas = workbook.Worksheets.SelectMany(s => s.CellsUsed()).Where(c => c.HasFormula).Select(c => c.Address.ToString());
            Assert.Empty(formulas);
        }

        foreach (var sheet in SheetOrder)
        {
            Assert.DoesNotContain("<x:f>", SheetXml(path, sheet), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Write_PolishCulture_WritesPolishLabelsAndKeepsNumbersNumeric()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter("pl"));

        Assert.Equal(SheetOrder, workbook.Worksheets.Select(s => s.Name));
        var summary = workbook.Worksheet("Summary");
        Assert.Equal("Raport lejka sprzedaży", summary.Cell("A1").GetString());
        AssertDate(ValueOf(summary, "Okres od"), new DateTime(2026, 1, 1), "dd.mm.yyyy");
        AssertNumber(ValueOf(summary, "Otwarte transakcje"), 12, "#,##0");
        AssertNumber(ValueOf(summary, "Wartość ważona"), 345_678.5, "#,##0.00 \"PLN\"");
        AssertNumber(ValueOf(summary, "Współczynnik wygranych (liczba)"), 0.75, "0.0%");
        AssertNumber(ValueOf(summary, "Tempo sprzedaży (na dzień)"), 1_520.25, "#,##0.00 \"PLN/dzień\"");
        AssertText(workbook.Worksheet("Funnel").Cell("A1"), "Lejek na dzień 31.03.2026");
        Assert.Equal(["Etap", "Waluta", "Transakcje", "Wartość", "Wartość ważona", "Udział"], HeaderTexts(workbook.Worksheet("Funnel"), 2));
        AssertText(workbook.Worksheet("Funnel").Cell("A10"), "Transakcje utworzone 01.01.2026–31.03.2026: jak daleko doszły");
        Assert.Equal(["Etap", "Osiągnęło", "Konwersja", "Konwersja skumulowana"], HeaderTexts(workbook.Worksheet("Funnel"), 11));
        AssertText(workbook.Worksheet("Forecast").Cell("A2"), "Zaległe");
        AssertDate(workbook.Worksheet("Forecast").Cell("A3"), new DateTime(2026, 4, 1), "mm.yyyy");
        Assert.Equal(
            ["Podział", "Waluta", "Wygrane", "Przegrane", "Wartość wygranych", "Wartość przegranych",
             "Współczynnik wygranych (liczba)", "Współczynnik wygranych (wartość)"],
            HeaderTexts(workbook.Worksheet("Win-Loss"), 1));
        Assert.Equal("Miesiąc", workbook.Worksheet("Forecast").Cell("A1").GetString());
        AssertText(workbook.Worksheet("Opportunities").Cell("A1"), "Pokazano wszystkie transakcje: 3.");
        Assert.Equal("Nazwa", workbook.Worksheet("Opportunities").Cell("A2").GetString());
    }

    [Theory]
    [InlineData("Summary")]
    [InlineData("Time in Stage")]
    [InlineData("Accounts")]
    [InlineData("Funnel")]
    [InlineData("Forecast")]
    public void Write_PolishCulture_NoLabelOfTheSheetIsLeftInEnglish(string sheet)
    {
        // The same figures in both cultures: every text cell that differs between the two workbooks is a label, and every
        // label of the English workbook (a text cell that is not the model's own data) must read differently in Polish.
        using var english = WriteAndOpen(ReportModels.Quarter("en"));
        using var polish = WriteAndOpen(ReportModels.Quarter("pl"));
        var data = new HashSet<string>(StringComparer.Ordinal) { "PLN", "EUR", "=Acme", "+48 Anna", "Owner", "B2B =default", "Europe/Warsaw", "—", string.Empty };
        var en = english.Worksheet(sheet);
        var pl = polish.Worksheet(sheet);
        var labels = en.CellsUsed()
            .Where(c => c.DataType == XLDataType.Text && !data.Contains(c.GetString()) && !ReportModels.StageNames.Contains(c.GetString()))
            .ToList();

        Assert.NotEmpty(labels);
        Assert.All(labels, c => Assert.True(
            pl.Cell(c.Address.RowNumber, c.Address.ColumnNumber).GetString() != c.GetString(),
            $"{sheet}!{c.Address}: '{c.GetString()}' is English in the Polish workbook."));
    }

    [Fact]
    public void Write_PolishCultureOverTheLimit_StatesTheOmittedDealsInPolish()
    {
        using var workbook = WriteAndOpen(ReportModels.Quarter("pl-PL", ReportModels.Deals(12), detailRowLimit: 10));

        AssertText(workbook.Worksheet("Opportunities").Cell("A1"), "Nie pokazano kolejnych 2 transakcji (limit 10).");
    }

    [Fact]
    public void Write_UnsupportedCulture_ThrowsAndWritesNothing()
    {
        var path = _folder.File("report.xlsx");

        var error = Assert.Throws<ArgumentException>(() => _writer.Write(ReportModels.Quarter("de"), path, CancellationToken.None));

        Assert.Contains("'de'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void Write_EmptyModel_WritesEverySheetWithNotesInsteadOfFigures()
    {
        using var workbook = WriteAndOpen(ReportModels.Empty());

        Assert.Equal(SheetOrder, workbook.Worksheets.Select(s => s.Name));
        var summary = workbook.Worksheet("Summary");
        AssertText(ValueOf(summary, "Filters"), "none");
        Assert.Equal(RowOf(summary, "Key figures") + 1, RowOf(summary, "No deals in scope."));
        AssertText(workbook.Worksheet("Funnel").Cell("A3"), "(none)");
        Assert.Empty(workbook.Worksheet("Funnel").ConditionalFormats);
        AssertText(workbook.Worksheet("Accounts").Cell("A3"), "(none)");
        AssertText(workbook.Worksheet("Opportunities").Cell("A1"), "All 0 deals shown.");
        Assert.Single(workbook.Worksheet("Opportunities").Tables);
    }

    [Fact]
    public void Write_ColumnWidths_FollowTheContentWithinReadableBounds()
    {
        var deals = ReportModels.Deals(30).Select((d, i) => i == 20
            ? d with { Name = "A deal with a rather long name for the width", Comment = new string('c', 500) }
            : d);

        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: deals));
        var sheet = workbook.Worksheet("Opportunities");

        Assert.Equal("A deal with a rather long name for the width".Length + 2, sheet.Column(1).Width);
        Assert.Equal(60, sheet.Column(14).Width); // a long comment is cut off at a readable width
        Assert.InRange(sheet.Column(8).Width, 8, 20);
        Assert.InRange(workbook.Worksheet("Summary").Column(1).Width, "Sales velocity (per day)".Length, 40);
        Assert.All(SheetOrder, name => Assert.All(
            workbook.Worksheet(name).ColumnsUsed(),
            c => Assert.InRange(c.Width, 8, 60)));
    }

    [Fact]
    public void Write_DealTextWithControlCharactersAndEscapeLookalikes_ReadsBackAsWritten()
    {
        // XML cannot carry most control characters: a spreadsheet escapes them as _xHHHH_. Leading and trailing spaces, tabs,
        // line breaks and characters beyond the basic plane stay as they are.
        var deals = new[]
        {
            ReportModels.Deal(20) with
            {
                Name = "Bell\u0007 and form feed\u000C",
                Account = "  spaced  ",
                Comment = "tab\tand\nlines; \U0001F600; a lone \uD800 surrogate; _x12_",
                LossReason = "=1+1",
            },
        };

        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: deals));
        var sheet = workbook.Worksheet("Opportunities");

        AssertText(sheet.Cell(3, 1), deals[0].Name);
        AssertText(sheet.Cell(3, 2), deals[0].Account!);
        AssertText(sheet.Cell(3, 14), deals[0].Comment!);
        AssertText(sheet.Cell(3, 13), "=1+1");
        Assert.True(sheet.Cell(3, 13).Style.IncludeQuotePrefix);
        Assert.False(sheet.Cell(3, 1).Style.IncludeQuotePrefix);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("pl")]
    public void Write_Deals_OpportunitiesSheetAndStylesAreValidOpenXmlAsExcelReadsIt(string culture)
    {
        // The deals' rows and their cell formats are written into the saved package: Excel refuses a workbook whose sheet or
        // styles break the schema, and the SDK's validator checks the same schema.
        var deals = ReportModels.Deals(40).Select((d, i) => i == 3 ? d with { Comment = "Bell\u0007", Closed = new NodaTime.LocalDate(1899, 1, 1) } : d);
        var path = Write(ReportModels.Quarter(culture, opportunities: deals));

        using var package = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(path, isEditable: false);
        var workbook = package.WorkbookPart!;
        var sheet = workbook.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single(s => s.Name == "Opportunities");
        var validator = new DocumentFormat.OpenXml.Validation.OpenXmlValidator(DocumentFormat.OpenXml.FileFormatVersions.Office2010);
        var errors = new DocumentFormat.OpenXml.Packaging.OpenXmlPart[] { workbook.GetPartById(sheet.Id!.Value!), workbook.WorkbookStylesPart! }
            .SelectMany(part => validator.Validate(part))
            .Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}")
            .ToList();
        Assert.Empty(errors);
        using var read = new XLWorkbook(path);
        Assert.Equal("A2:N42", Assert.Single(read.Worksheet("Opportunities").Tables).RangeAddress.ToString());
        Assert.Equal(42, read.Worksheet("Opportunities").LastRowUsed()!.RowNumber());
    }

    [Fact]
    public void Write_DealTextWithLineBreaksOrEmpty_IsWrappedOrLeftOutAsBefore()
    {
        // As ClosedXML writes text: wrapped when it has a line break, and no cell at all for empty text.
        var deals = new[] { ReportModels.Deal(20) with { Comment = "first line" + Environment.NewLine + "second line", LossReason = string.Empty, Account = "one line" } };

        var path = Write(ReportModels.Quarter(opportunities: deals));
        using (var workbook = new XLWorkbook(path))
        {
            var sheet = workbook.Worksheet("Opportunities");
            AssertText(sheet.Cell(3, 14), deals[0].Comment!);
            Assert.True(sheet.Cell(3, 14).Style.Alignment.WrapText);
            Assert.False(sheet.Cell(3, 2).Style.Alignment.WrapText);
        }

        using var package = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(path, isEditable: false);
        var workbookPart = package.WorkbookPart!;
        var id = workbookPart.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single(s => s.Name == "Opportunities").Id!.Value!;
        var part = (DocumentFormat.OpenXml.Packaging.WorksheetPart)workbookPart.GetPartById(id);
        var cells = part.Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Select(c => c.CellReference!.Value).ToList();
        Assert.Contains("N3", cells);
        Assert.DoesNotContain("M3", cells);
        Assert.Equal("A1:N3", part.Worksheet.GetFirstChild<DocumentFormat.OpenXml.Spreadsheet.SheetDimension>()!.Reference!.Value);
        using var raw = part.GetStream();
        Assert.NotEqual(0xEF, raw.ReadByte()); // no byte order mark, as in the parts ClosedXML writes
    }

    [Fact]
    public async Task WriteAsync_ToAStream_HoldsTheDealsRowsAsTheFileDoes()
    {
        var model = ReportModels.Quarter(opportunities: ReportModels.Deals(20));
        using var stream = new MemoryStream();

        await _writer.WriteAsync(model, stream, CancellationToken.None);

        stream.Position = 0;
        using var workbook = new XLWorkbook(stream);
        var sheet = workbook.Worksheet("Opportunities");
        Assert.Equal("A2:N22", Assert.Single(sheet.Tables).RangeAddress.ToString());
        AssertText(sheet.Cell(3 + 19, 1), "Deal 19");
        AssertNumber(sheet.Cell(3 + 19, 7), (double)ReportModels.Deal(19).Value, "#,##0.00 \"EUR\"");
    }

    [Fact]
    public void Write_DealDatesBeforeExcelsFirstDate_AreIsoText()
    {
        var deals = new[] { ReportModels.Deal(20) with { Created = new NodaTime.LocalDate(1899, 12, 31), Closed = new NodaTime.LocalDate(1900, 3, 1) } };

        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: deals));
        var sheet = workbook.Worksheet("Opportunities");

        AssertText(sheet.Cell(3, 10), "1899-12-31");
        AssertDate(sheet.Cell(3, 12), new DateTime(1900, 3, 1), "yyyy-mm-dd");
    }

    [Fact]
    public void Write_TextLongerThanACellHolds_IsCutToTheCellLimit()
    {
        var comment = new string('x', 40_000);
        var deals = new[] { ReportModels.Deal(20) with { Comment = comment } };

        using var workbook = WriteAndOpen(ReportModels.Quarter(opportunities: deals));

        var written = workbook.Worksheet("Opportunities").Cell(3, 14).GetString();
        Assert.Equal(32_767, written.Length);
        Assert.EndsWith("x…", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ExistingTarget_IsReplacedAndNoTemporaryFileRemains()
    {
        var path = _folder.File("report.xlsx");
        File.WriteAllText(path, "last week's report");

        _writer.Write(ReportModels.Quarter(), path, CancellationToken.None);

        using (var workbook = new XLWorkbook(path))
        {
            Assert.Equal(SheetOrder.Length, workbook.Worksheets.Count);
        }

        Assert.Equal(["report.xlsx"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_DealsFailMidway_LeavesNoTargetAndNoTemporaryFile()
    {
        var path = _folder.File("report.xlsx");

        var error = Assert.Throws<InvalidOperationException>(
            () => _writer.Write(ReportModels.Quarter(opportunities: ReportModels.FailingAfter(5)), path, CancellationToken.None));

        Assert.Equal("The connection to the store was lost.", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task WriteAsync_DealsFailMidway_LeavesTheExistingTargetUnchanged()
    {
        var path = _folder.File("report.xlsx");
        await File.WriteAllTextAsync(path, "last week's report");

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => _writer.WriteAsync(ReportModels.Quarter(opportunities: ReportModels.FailingAfter(5)), path, CancellationToken.None));

        Assert.Equal("last week's report", await File.ReadAllTextAsync(path));
        Assert.Equal(["report.xlsx"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_TargetIsAFolder_ThrowsAClearErrorAndWritesNothing()
    {
        var path = _folder.File("report.xlsx");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<IOException>(() => _writer.Write(ReportModels.Quarter(), path, CancellationToken.None));

        Assert.Contains("is a folder", error.Message, StringComparison.Ordinal);
        Assert.Equal(["report.xlsx"], Directory.GetFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_FolderMissing_ThrowsAClearErrorAndCreatesNothing()
    {
        var path = Path.Combine(_folder.Path, "no-such-folder", "report.xlsx");

        var error = Assert.Throws<DirectoryNotFoundException>(() => _writer.Write(ReportModels.Quarter(), path, CancellationToken.None));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder.Path, "no-such-folder"), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task WriteAsync_CancelledWhileStreamingDeals_WritesNothing()
    {
        var path = _folder.File("report.xlsx");
        using var cancellation = new CancellationTokenSource();
        IEnumerable<OpportunityRow> CancelAfterSome()
        {
            foreach (var deal in ReportModels.Deals(5_000))
            {
                if (deal.Name == "Deal 1500")
                {
                    cancellation.Cancel();
                }

                yield return deal;
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _writer.WriteAsync(ReportModels.Quarter(opportunities: CancelAfterSome()), path, cancellation.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void Write_NegativeRowLimit_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _writer.Write(ReportModels.Quarter(detailRowLimit: -1), _folder.File("report.xlsx"), CancellationToken.None));
    }

    private string Write(ReportModel model)
    {
        var path = _folder.File($"report-{Guid.NewGuid():N}.xlsx");
        _writer.Write(model, path, CancellationToken.None);
        return path;
    }

    private XLWorkbook WriteAndOpen(ReportModel model) => new(Write(model));

    /// <summary>The raw XML of a sheet, to check what other readers see (ClosedXML's object model hides some of it).</summary>
    internal static string SheetXml(string path, string sheetName)
    {
        int index;
        using (var workbook = new XLWorkbook(path))
        {
            index = workbook.Worksheet(sheetName).Position;
        }

        using var zip = ZipFile.OpenRead(path);
        using var reader = new StreamReader(zip.GetEntry($"xl/worksheets/sheet{index}.xml")!.Open());
        return reader.ReadToEnd();
    }

    private static int RowOf(IXLWorksheet sheet, string label)
    {
        var cell = sheet.Column(1).CellsUsed().FirstOrDefault(c => c.GetString() == label);
        Assert.True(cell is not null, $"No row labelled '{label}' on {sheet.Name}.");
        return cell.Address.RowNumber;
    }

    private static IXLCell ValueOf(IXLWorksheet sheet, string label, int column = 2) => sheet.Cell(RowOf(sheet, label), column);

    private static List<string> HeaderTexts(IXLWorksheet sheet, int row) =>
        [.. sheet.Row(row).CellsUsed().Select(c => c.GetString())];

    private static void AssertFrozenRows(IXLWorksheet sheet, int rows)
    {
        Assert.Equal(rows, sheet.SheetView.SplitRow);
        Assert.Equal(0, sheet.SheetView.SplitColumn);
    }

    private static void AssertWinLossRows(IXLWorksheet sheet, int sectionRow, IReadOnlyList<WinLossRow> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = rows[i];
            var row = sectionRow + 1 + i;
            AssertText(sheet.Cell(row, 1), expected.Label);
            AssertText(sheet.Cell(row, 2), expected.Currency);
            AssertNumber(sheet.Cell(row, 3), expected.Won, "#,##0");
            AssertNumber(sheet.Cell(row, 4), expected.Lost, "#,##0");
            AssertNumber(sheet.Cell(row, 5), (double)expected.WonValue, $"#,##0.00 \"{expected.Currency}\"");
            AssertNumber(sheet.Cell(row, 6), (double)expected.LostValue, $"#,##0.00 \"{expected.Currency}\"");
            AssertRate(sheet.Cell(row, 7), expected.WinRateByCount);
            AssertRate(sheet.Cell(row, 8), expected.WinRateByValue);
        }
    }

    private static void AssertText(IXLCell cell, string expected)
    {
        Assert.False(cell.HasFormula, $"{cell.Address} holds a formula.");
        Assert.Equal(XLDataType.Text, cell.DataType);
        Assert.Equal(expected, cell.GetString());
    }

    private static void AssertNumber(IXLCell cell, double expected, string format)
    {
        Assert.False(cell.HasFormula, $"{cell.Address} holds a formula.");
        Assert.Equal(XLDataType.Number, cell.DataType);
        Assert.Equal(expected, cell.GetDouble(), 9);
        Assert.Equal(format, cell.Style.NumberFormat.Format);
    }

    private static void AssertRate(IXLCell cell, decimal? expected)
    {
        if (expected is { } rate)
        {
            AssertNumber(cell, (double)rate, "0.0%");
        }
        else
        {
            AssertUndefined(cell);
        }
    }

    private static void AssertUndefined(IXLCell cell) => AssertText(cell, "—");

    private static void AssertDate(IXLCell cell, DateTime expected, string format)
    {
        Assert.False(cell.HasFormula, $"{cell.Address} holds a formula.");
        Assert.Equal(XLDataType.DateTime, cell.DataType);
        Assert.Equal(expected, cell.GetDateTime(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(format, cell.Style.NumberFormat.Format);
    }
}
