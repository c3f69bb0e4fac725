using OpenXmlSheet = DocumentFormat.OpenXml.Spreadsheet.Sheet;
using SpreadsheetDocument = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument;
using WorkbookPart = DocumentFormat.OpenXml.Packaging.WorkbookPart;
using WorksheetPart = DocumentFormat.OpenXml.Packaging.WorksheetPart;
using ClosedXML.Excel;
using NodaTime;
using SalesPipeline.Analytics;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// Lays a <see cref="ReportModel"/> out as an Excel workbook (ClosedXML) and writes it atomically.
/// </summary>
/// <remarks>
/// <para>The layout, which tests and readers may rely on:</para>
/// <list type="bullet">
/// <item><c>Summary</c>: A1 title; then label/value rows (column A label, column B value): pipeline, period
/// from, period to, as of, generated at (Excel date-times in the model's time zone), time zone, filters
/// (one row per filter, or "none"). After a blank row the key figures: a header row with the label
/// "Key figures" in A and one currency code per column from B, then one row per figure in the order open deals,
/// open value, weighted value, won, lost, win rate (count), win rate (value), average cycle (days), sales velocity.</item>
/// <item><c>Funnel</c>: two captioned tables, never mixed on one row. Row 1 the caption "Pipeline on &lt;date&gt;", row 2
/// the header (both frozen) — Stage, Currency, Deals, Value, Weighted value, Share — then the open deals per open stage
/// (<see cref="ReportModel.Snapshot"/>). After a blank row the caption "Deals created &lt;from&gt;–&lt;to&gt;: how far they got",
/// a header — Stage, Reached, Conversion, Cumulative conversion — and one row per funnel stage (<see cref="ReportModel.Cohort"/>).
/// Data bars on Deals and Reached; below the tables, side by side, two charts (open deals and weighted value by stage; conversion by stage).</item>
/// <item><c>Win-Loss</c>: header row 1 (frozen) — Breakdown, Currency, Won, Lost, Won value, Lost value,
/// Win rate (count), Win rate (value) — then four sections (totals, by owner, by loss reason, by stage lost at),
/// each a bold title row in column A followed by its rows and a blank row; then the title "Win rate by owner (all
/// currencies)", a header — Owner, Won, Lost, Win rate (count) — one row per owner, and, right of the tables from the top, a chart of those win rates.</item>
/// <item><c>Forecast</c>: header row 1 (frozen) — Month, Currency, Deals, Value, Weighted value — then per currency (the one
/// with most deals first) an "Overdue" row for the open deals whose expected close date has passed, then one row per month;
/// then a blank row, a total row per currency, and, right of the table from the top, a chart of the first currency's rows.</item>
/// <item><c>Time in Stage</c>: row 1 caption, row 2 header — Stage, Left in period, Mean (days), Median (days), Open at the
/// end, Stale after (days), Stale at the end — one row per open stage.</item>
/// <item><c>Accounts</c>: row 1 caption, row 2 header — Account, Currency, Won in period, Won all time, Deals won, First win,
/// Last win, Margin per year, Lifetime value, and with an acquisition cost Value after acquisition cost and Worth it — one row
/// per account and currency; after a blank row the lifetime-value inputs, one label/value row each, and the formula.</item>
/// <item><c>Opportunities</c>: A1 says how many deals are shown or left off; the Excel table <c>Opportunities</c>
/// (header row 2, frozen, with filters) holds one row per deal up to <see cref="ReportModel.DetailRowLimit"/>.</item>
/// </list>
/// <para>Every sheet prints landscape, one page wide, with its header rows repeated on each page, the sheet name and the
/// period in the page header and the page number in the footer. Sheet names stay English in every culture.</para>
/// <para>Every number is a numeric cell with a number format, every date an Excel date, no cell holds a
/// formula, and undefined rates are written as "—", never as 0. Text users typed is stored as text.</para>
/// <para>Stateless and thread-safe; one call builds the whole workbook in memory (ClosedXML), so memory grows
/// with the detail rows — cap them with <see cref="ReportModel.DetailRowLimit"/>.</para>
/// </remarks>
internal sealed class WorkbookWriter
{
    public const string SummarySheet = "Summary";
    public const string FunnelSheet = "Funnel";
    public const string WinLossSheet = "Win-Loss";
    public const string ForecastSheet = "Forecast";
    public const string OpportunitiesSheet = "Opportunities";
    public const string OpportunitiesTable = "Opportunities";
    public const string TimeInStageSheet = "Time in Stage";
    public const string AccountsSheet = "Accounts";

    /// <summary>The last data row an Opportunities sheet can hold (Excel has 1,048,576 rows; two hold the note and the header).</summary>
    internal const int MaxDetailRows = 1_048_576 - OpportunitiesHeaderRow;

    private const int OpportunitiesHeaderRow = 2;

    /// <summary>Column widths come from this many detail rows; measuring all would cost time for nothing.</summary>
    private const int WidthSampleRows = 200;

    private const int CancellationCheckInterval = 1_000;

    /// <summary>
    /// A chart covers this many rows and columns. Charts sit beside their tables or side by side below them, never one
    /// below another, so the first printed page holds them whole: LibreOffice ignores manual page breaks on a sheet
    /// fitted to one page wide, and would cut a chart that crosses a page.
    /// </summary>
    private const int ChartRows = 18;
    private const int ChartColumns = 6;

    /// <summary>Builds the workbook on a pool thread (ClosedXML is synchronous) and writes it to <paramref name="path"/>.</summary>
    /// <inheritdoc cref="Write"/>
    public Task WriteAsync(ReportModel model, string path, CancellationToken cancellationToken) =>
        Task.Run(() => Write(model, path, cancellationToken), cancellationToken);

    /// <summary>Builds the workbook and replaces <paramref name="path"/> with it in one step.</summary>
    /// <param name="model">The figures to lay out. Its <see cref="ReportModel.Opportunities"/> are enumerated once.</param>
    /// <param name="path">The .xlsx file to write; its folder must exist. An existing file is replaced only on success.</param>
    /// <param name="cancellationToken">Stops the work; nothing is written then.</param>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="ArgumentException">The model's culture is neither <c>en</c> nor <c>pl</c>.</exception>
    public void Write(ReportModel model, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(model.DetailRowLimit);
        var labels = Labels.For(model.Culture);

        // Build first, so a model that fails midway never even creates the temporary file.
        var charts = new List<ChartSpec>();
        using var workbook = Build(model, labels, charts, out var detail, cancellationToken);
        AtomicFile.Write(path, stream => Save(workbook, stream, charts, detail, cancellationToken), cancellationToken);
    }

    /// <summary>Builds the workbook and copies it to <paramref name="output"/> (the charts and the deals' rows are added in a seekable buffer first).</summary>
    /// <param name="model">The figures to lay out.</param>
    /// <param name="output">A writable stream; written from its position, left open.</param>
    /// <param name="cancellationToken">Stops the work; nothing is written to <paramref name="output"/> then.</param>
    public async Task WriteAsync(ReportModel model, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(model.DetailRowLimit);
        var labels = Labels.For(model.Culture);
        using var buffer = new MemoryStream();
        await Task.Run(() =>
        {
            var charts = new List<ChartSpec>();
            using var workbook = Build(model, labels, charts, out var detail, cancellationToken);
            Save(workbook, buffer, charts, detail, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves <paramref name="workbook"/> to <paramref name="stream"/> (readable, writable and seekable), then adds what
    /// ClosedXML does not write, the charts and the deals' rows, in one opening of the saved package.
    /// </summary>
    private static void Save(XLWorkbook workbook, Stream stream, List<ChartSpec> charts, DetailRows detail, CancellationToken cancellationToken)
    {
        workbook.SaveAs(stream);
        if (charts.Count == 0 && detail.Rows.Count == 0)
        {
            return;
        }

        stream.Position = 0;
        using var document = SpreadsheetDocument.Open(stream, isEditable: true);
        var saved = document.WorkbookPart ?? throw new InvalidOperationException("The saved workbook has no workbook part.");
        ChartWriter.Add(saved, charts);
        DetailSheetWriter.Add(saved, detail, cancellationToken);
    }

    /// <summary>The part of the saved workbook's sheet <paramref name="name"/>, to which <paramref name="what"/> is added.</summary>
    /// <exception cref="InvalidOperationException">The workbook has no such sheet.</exception>
    internal static WorksheetPart SavedSheet(WorkbookPart workbook, string name, string what)
    {
        var sheet = workbook.Workbook.Sheets?.Elements<OpenXmlSheet>().FirstOrDefault(s => s.Name == name)
            ?? throw new InvalidOperationException($"The workbook has no sheet '{name}' for {what}.");
        return (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
    }

    /// <summary>Builds the workbook but the Opportunities sheet's data rows, which <paramref name="detail"/> holds for <see cref="DetailSheetWriter"/>.</summary>
    private static XLWorkbook Build(ReportModel model, Labels labels, List<ChartSpec> charts, out DetailRows detail, CancellationToken cancellationToken)
    {
        // Event tracking only serves later edits of ranges; off, it saves time and memory on big sheets.
        var workbook = new XLWorkbook(XLEventTracking.Disabled);
        try
        {
            var generatedUtc = model.GeneratedAt.ToDateTimeUtc();
            workbook.Properties.Author = "SalesPipeline";
            workbook.Properties.Title = $"{labels.ReportTitle}: {model.PipelineName}";
            workbook.Properties.Created = generatedUtc;
            workbook.Properties.Modified = generatedUtc;

            WriteSummary(workbook.AddWorksheet(SummarySheet), model, labels);
            cancellationToken.ThrowIfCancellationRequested();
            if (model.Kind.HasFlag(ReportKind.Funnel))
            {
                WriteFunnel(workbook.AddWorksheet(FunnelSheet), model, labels, charts);
            }

            if (model.Kind.HasFlag(ReportKind.WinLoss))
            {
                WriteWinLoss(workbook.AddWorksheet(WinLossSheet), model.WinLoss, labels, charts);
            }

            if (model.Kind.HasFlag(ReportKind.Forecast))
            {
                WriteForecast(workbook.AddWorksheet(ForecastSheet), model, labels, charts);
            }

            if (model.Kind.HasFlag(ReportKind.All))
            {
                WriteTimeInStage(workbook.AddWorksheet(TimeInStageSheet), model, labels);
                WriteAccounts(workbook.AddWorksheet(AccountsSheet), model, labels);
            }

            if (LeadSheet.Included(model))
            {
                LeadSheet.Write(workbook.AddWorksheet(LeadSheet.Name), model);
            }

            if (AgendaSheet.Included(model))
            {
                AgendaSheet.Write(workbook.AddWorksheet(AgendaSheet.Name), model);
            }

            cancellationToken.ThrowIfCancellationRequested();
            detail = WriteOpportunities(workbook.AddWorksheet(OpportunitiesSheet), model, labels, cancellationToken);
            var period = $"{labels.ReportTitle}, {labels.Span(model.PeriodStart, model.PeriodEnd)}";
            foreach (var sheet in workbook.Worksheets)
            {
                Print(sheet, HeaderRows(sheet.Name), period, labels);
            }

            workbook.Worksheet(SummarySheet).SetTabActive();
            return workbook;
        }
        catch
        {
            workbook.Dispose();
            throw;
        }
    }

    private static void WriteSummary(IXLWorksheet sheet, ReportModel model, Labels labels)
    {
        var w = new SheetWriter(sheet, labels);
        var title = w.Note(1, 1, labels.ReportTitle);
        title.Style.Font.Bold = true;
        title.Style.Font.FontSize = 14;

        var row = 3;
        LabelRow(w, row++, labels.Pipeline).Text(row - 1, 2, model.PipelineName);
        LabelRow(w, row++, labels.PeriodFrom).Date(row - 1, 2, model.PeriodStart);
        LabelRow(w, row++, labels.PeriodTo).Date(row - 1, 2, model.PeriodEnd);
        LabelRow(w, row++, labels.AsOf).DateTime(row - 1, 2, model.AsOf.InZone(model.TimeZone).LocalDateTime);
        LabelRow(w, row++, labels.GeneratedAt).DateTime(row - 1, 2, model.GeneratedAt.InZone(model.TimeZone).LocalDateTime);
        LabelRow(w, row++, labels.TimeZone).Text(row - 1, 2, model.TimeZone.Id);
        if (model.Filters.Count == 0)
        {
            LabelRow(w, row++, labels.Filters).Text(row - 1, 2, labels.NoFilters);
        }
        else
        {
            LabelRow(w, row++, labels.Filters);
            foreach (var (label, value) in model.Filters)
            {
                w.Text(row, 1, label).Style.Alignment.Indent = 1;
                w.Text(row++, 2, value);
            }
        }

        row++;
        var header = row++;
        w.Header(header, 1, labels.KeyFigures);
        if (model.Summary.Count == 0)
        {
            w.Note(row, 1, labels.NoDeals);
        }

        var figureLabels = new[]
        {
            labels.OpenDeals, labels.OpenValue, labels.WeightedValue, labels.Won, labels.Lost,
            labels.WinRateByCount, labels.WinRateByValue, labels.AverageCycleDays, labels.SalesVelocity,
        };
        if (model.Summary.Count > 0)
        {
            for (var i = 0; i < figureLabels.Length; i++)
            {
                w.Text(row + i, 1, figureLabels[i]);
            }
        }

        var column = 2;
        foreach (var figures in model.Summary)
        {
            var c = w.Header(header, column, figures.Currency);
            c.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Right;
            var r = row;
            w.Count(r++, column, figures.OpenDeals);
            w.Money(r++, column, figures.OpenValue, figures.Currency);
            w.Money(r++, column, figures.WeightedValue, figures.Currency);
            w.Count(r++, column, figures.Won);
            w.Count(r++, column, figures.Lost);
            w.Rate(r++, column, figures.WinRateByCount);
            w.Rate(r++, column, figures.WinRateByValue);
            w.Days(r++, column, figures.AverageCycleDays);
            w.MoneyPerDay(r, column, figures.SalesVelocityPerDay, figures.Currency, labels.PerDay);
            column++;
        }

        row += Math.Max(figureLabels.Length, 1) + 1;
        WriteComparison(w, row, model, labels);
        w.ApplyColumnWidths();
    }

    /// <summary>
    /// Per currency, this period beside the previous period of the same length and (when there was data then) the same
    /// period a year earlier, each with the change (this − that; rates in percentage points).
    /// </summary>
    private static void WriteComparison(SheetWriter w, int row, ReportModel model, Labels labels)
    {
        if (model.ThisPeriod is not { } current || model.PreviousPeriod is not { } previous)
        {
            return;
        }

        var others = model.YearEarlier is { } year ? new[] { (labels.PreviousPeriod, previous), (labels.YearEarlier, year) } : [(labels.PreviousPeriod, previous)];
        var currencies = current.Figures.Select(f => f.Currency)
            .Concat(others.SelectMany(o => o.Item2.Figures.Select(f => f.Currency)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var currency in currencies)
        {
            w.Header(row, 1, currency.Length == 0 ? labels.Comparison : $"{labels.Comparison} ({currency})");
            w.Header(row, 2, labels.ThisPeriod);
            var column = 3;
            foreach (var (name, _) in others)
            {
                w.Header(row, column++, name);
                w.Header(row, column++, labels.Change);
            }

            row++;
            w.Text(row, 2, labels.Span(current.From, current.To)).Style.Font.Italic = true;
            column = 3;
            foreach (var (_, other) in others)
            {
                w.Text(row, column, labels.Span(other.From, other.To)).Style.Font.Italic = true;
                column += 2;
            }

            row++;
            var now = Figures(current, currency);
            var lines = new (string Label, Func<PeriodFigures, decimal?> Value, Action<int, int, decimal?> Write, string ChangeFormat)[]
            {
                (labels.Won, f => f.Won, (r, c, v) => w.Count(r, c, (long)v!.Value), NumberFormats.CountChange),
                (labels.Lost, f => f.Lost, (r, c, v) => w.Count(r, c, (long)v!.Value), NumberFormats.CountChange),
                (labels.WinRateByCount, f => f.WinRate, (r, c, v) => w.Rate(r, c, v), NumberFormats.RateChange),
                (labels.AverageCycleDays, f => f.AverageCycleDays, (r, c, v) => w.Days(r, c, v), NumberFormats.DaysChange),
                (labels.NewDeals, f => f.Created, (r, c, v) => w.Count(r, c, (long)v!.Value), NumberFormats.CountChange),
                (labels.NewValue, f => f.CreatedValue, (r, c, v) => w.Money(r, c, v!.Value, currency), NumberFormats.MoneyChange(currency)),
                (labels.OpenAtEnd, f => f.OpenAtEnd, (r, c, v) => w.Count(r, c, (long)v!.Value), NumberFormats.CountChange),
                (labels.OpenValueAtEnd, f => f.OpenValueAtEnd, (r, c, v) => w.Money(r, c, v!.Value, currency), NumberFormats.MoneyChange(currency)),
                (labels.WeightedAtEnd, f => f.WeightedValueAtEnd, (r, c, v) => w.Money(r, c, v!.Value, currency), NumberFormats.MoneyChange(currency)),
            };
            foreach (var (label, value, write, changeFormat) in lines)
            {
                w.Text(row, 1, label);
                var mine = value(now);
                write(row, 2, mine);
                column = 3;
                foreach (var (_, other) in others)
                {
                    var theirs = value(Figures(other, currency));
                    write(row, column++, theirs);
                    w.Change(row, column++, mine - theirs, changeFormat);
                }

                row++;
            }

            row++;
        }
    }

    private static PeriodFigures Figures(ComparedPeriod period, string currency) =>
        period.Figures.FirstOrDefault(f => f.Currency == currency) ?? new PeriodFigures(currency, 0, 0, null, null, 0, 0m, 0, 0m, 0m);

    private static SheetWriter LabelRow(SheetWriter w, int row, string label)
    {
        w.Text(row, 1, label).Style.Font.Bold = true;
        return w;
    }

    /// <summary>
    /// A sheet's one table: the caption in row 1, the header in row 2 (frozen), and "none" in row 3 when it has no rows.
    /// Returns the row its first data row goes in.
    /// </summary>
    private static int CaptionedTable(SheetWriter w, Labels labels, string caption, bool isEmpty, params string[] headers)
    {
        Caption(w, 1, caption);
        Headers(w, 2, headers);
        w.Sheet.SheetView.FreezeRows(2);
        if (!isEmpty)
        {
            return 3;
        }

        w.Text(3, 1, labels.None).Style.Font.Italic = true;
        return 4;
    }

    private static void WriteFunnel(IXLWorksheet sheet, ReportModel model, Labels labels, List<ChartSpec> charts)
    {
        var w = new SheetWriter(sheet, labels);
        var row = CaptionedTable(w, labels, labels.PipelineCaption(model.PeriodEnd), model.Snapshot.Count == 0,
            labels.Stage, labels.Currency, labels.Deals, labels.Value, labels.WeightedValue, labels.Share);

        foreach (var stage in model.Snapshot)
        {
            w.Text(row, 1, stage.StageName);
            w.Text(row, 2, stage.Currency);
            w.Count(row, 3, stage.Deals);
            w.Money(row, 4, stage.Value, stage.Currency);
            w.Money(row, 5, stage.WeightedValue, stage.Currency);
            w.Rate(row, 6, stage.Share);
            row++;
        }

        if (model.Snapshot.Count > 0)
        {
            DataBar(sheet.Range(3, 3, row - 1, 3), model.Snapshot.Max(s => s.Deals), "#5B9BD5");
        }

        row++;
        Caption(w, row++, labels.CohortCaption(model.PeriodStart, model.PeriodEnd));
        var cohortHeader = row;
        Headers(w, row++, labels.Stage, labels.Reached, labels.Conversion, labels.CumulativeConversion);
        var cohortFirst = row;
        foreach (var stage in model.Cohort)
        {
            w.Text(row, 1, stage.StageName);
            w.Count(row, 2, stage.Reached);
            w.Rate(row, 3, stage.Conversion);
            w.Rate(row, 4, stage.CumulativeConversion);
            row++;
        }

        if (model.Cohort.Count > 0)
        {
            DataBar(sheet.Range(cohortFirst, 2, row - 1, 2), model.Cohort.Max(s => s.Reached), "#70AD47");
        }

        w.ApplyColumnWidths();

        // The first currency's rows form one block (the builder puts it first), so its series are plain cell ranges.
        row++;
        var main = model.Snapshot.TakeWhile(s => s.Currency == model.Snapshot[0].Currency).ToList();
        if (main.Count > 0)
        {
            var last = 3 + main.Count - 1;
            charts.Add(new ChartSpec(
                FunnelSheet,
                string.Format(labels.NumberCulture, labels.ChartFunnel, main[0].Currency),
                ChartKind.Column,
                ChartSpec.Range(FunnelSheet, 3, 1, last),
                [.. main.Select(s => s.StageName)],
                [
                    new ChartSeries(ChartSpec.Range(FunnelSheet, 2, 3, 2), labels.Deals, ChartSpec.Range(FunnelSheet, 3, 3, last), [.. main.Select(s => (decimal?)s.Deals)], NumberFormats.Count),
                    new ChartSeries(ChartSpec.Range(FunnelSheet, 2, 5, 2), labels.WeightedValue, ChartSpec.Range(FunnelSheet, 3, 5, last), [.. main.Select(s => (decimal?)s.WeightedValue)], NumberFormats.Money(main[0].Currency), Secondary: true),
                ],
                row - 1, 0, ChartRows, ChartColumns));
        }

        if (model.Cohort.Count > 0)
        {
            var last = cohortFirst + model.Cohort.Count - 1;
            charts.Add(new ChartSpec(
                FunnelSheet,
                labels.ChartConversion,
                ChartKind.Column,
                ChartSpec.Range(FunnelSheet, cohortFirst, 1, last),
                [.. model.Cohort.Select(s => s.StageName)],
                [
                    new ChartSeries(ChartSpec.Range(FunnelSheet, cohortHeader, 3, cohortHeader), labels.Conversion, ChartSpec.Range(FunnelSheet, cohortFirst, 3, last), [.. model.Cohort.Select(s => s.Conversion)], NumberFormats.Rate),
                    new ChartSeries(ChartSpec.Range(FunnelSheet, cohortHeader, 4, cohortHeader), labels.CumulativeConversion, ChartSpec.Range(FunnelSheet, cohortFirst, 4, last), [.. model.Cohort.Select(s => s.CumulativeConversion)], NumberFormats.Rate),
                ],
                row - 1, ChartColumns + 1, ChartRows, ChartColumns, MaxValue: 1m));
        }
    }

    /// <summary>A table's caption: bold, one line, saying what the table counts and as of when.</summary>
    private static void Caption(SheetWriter w, int row, string text)
    {
        var cell = w.Note(row, 1, text);
        cell.Style.Font.Bold = true;
        cell.Style.Font.FontSize = 12;
    }

    /// <summary>
    /// A data bar from 0 to <paramref name="max"/>. Explicit bounds, because ClosedXML 0.95.4 writes the Excel 2010
    /// part of a LowestValue/HighestValue bar as min 0 / max 0, which Excel draws as full bars everywhere.
    /// </summary>
    private static void DataBar(IXLRange range, long max, string color) =>
        range.AddConditionalFormat()
            .DataBar(XLColor.FromHtml(color), showBarOnly: false)
            .Minimum(XLCFContentType.Number, 0)
            .Maximum(XLCFContentType.Number, Math.Max(max, 1));

    private static void WriteWinLoss(IXLWorksheet sheet, WinLossSection winLoss, Labels labels, List<ChartSpec> charts)
    {
        var w = new SheetWriter(sheet, labels);
        Headers(w, 1, labels.Breakdown, labels.Currency, labels.Won, labels.Lost, labels.WonValue, labels.LostValue,
            labels.WinRateByCount, labels.WinRateByValue);
        sheet.SheetView.FreezeRows(1);

        var row = 2;
        foreach (var (title, rows) in new[]
        {
            (labels.Total, winLoss.Totals),
            (labels.ByOwner, winLoss.ByOwner),
            (labels.ByLossReason, winLoss.ByLossReason),
            (labels.ByStageLostAt, winLoss.ByStageLostAt),
        })
        {
            w.Text(row++, 1, title).Style.Font.Bold = true;
            if (rows.Count == 0)
            {
                w.Text(row++, 1, labels.None).Style.Font.Italic = true;
            }

            foreach (var r in rows)
            {
                w.Text(row, 1, r.Label).Style.Alignment.Indent = 1;
                w.Text(row, 2, r.Currency);
                w.Count(row, 3, r.Won);
                w.Count(row, 4, r.Lost);
                w.Money(row, 5, r.WonValue, r.Currency);
                w.Money(row, 6, r.LostValue, r.Currency);
                w.Rate(row, 7, r.WinRateByCount);
                w.Rate(row, 8, r.WinRateByValue);
                row++;
            }

            row++;
        }

        // Counts add up across currencies, so the owners' win rates need no currency: one row per owner, one block for the chart.
        var owners = winLoss.ByOwner
            .GroupBy(r => r.Label, StringComparer.Ordinal)
            .Select(g => (Owner: g.Key, Won: g.Sum(r => r.Won), Lost: g.Sum(r => r.Lost)))
            .ToList();
        w.Text(row++, 1, labels.WinRateByOwnerAll).Style.Font.Bold = true;
        var header = row;
        Headers(w, row++, labels.Owner, labels.Won, labels.Lost, labels.WinRateByCount);
        var first = row;
        foreach (var (owner, won, lost) in owners)
        {
            w.Text(row, 1, owner);
            w.Count(row, 2, won);
            w.Count(row, 3, lost);
            w.Rate(row, 4, won + lost == 0 ? null : (decimal)won / (won + lost));
            row++;
        }

        w.ApplyColumnWidths();
        if (owners.Count > 0)
        {
            var last = first + owners.Count - 1;
            charts.Add(new ChartSpec(
                WinLossSheet,
                labels.ChartWinRate,
                ChartKind.Bar,
                ChartSpec.Range(WinLossSheet, first, 1, last),
                [.. owners.Select(o => o.Owner)],
                [new ChartSeries(ChartSpec.Range(WinLossSheet, header, 4, header), labels.WinRateByCount, ChartSpec.Range(WinLossSheet, first, 4, last),
                    [.. owners.Select(o => o.Won + o.Lost == 0 ? (decimal?)null : (decimal)o.Won / (o.Won + o.Lost))], NumberFormats.Rate)],
                0, 9, Math.Max(ChartRows, owners.Count + 6), ChartColumns, MaxValue: 1m));
        }
    }

    private static void WriteForecast(IXLWorksheet sheet, ReportModel model, Labels labels, List<ChartSpec> charts)
    {
        var w = new SheetWriter(sheet, labels);
        Headers(w, 1, labels.Month, labels.Currency, labels.Deals, labels.Value, labels.WeightedValue);
        sheet.SheetView.FreezeRows(1);

        // One block per currency, the one with most deals first, its overdue deals on top: each block is one chart range.
        var blocks = model.ForecastOverdue.Select(o => (Row: o, Overdue: true))
            .Concat(model.Forecast.Select(m => (Row: m, Overdue: false)))
            .GroupBy(r => r.Row.Currency, StringComparer.Ordinal)
            .OrderByDescending(g => g.Sum(r => r.Row.Deals))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var row = 2;
        var firstBlockEnd = 1;
        foreach (var block in blocks)
        {
            foreach (var (month, overdue) in block)
            {
                if (overdue)
                {
                    w.Text(row, 1, labels.Overdue).Style.Font.Bold = true;
                }
                else
                {
                    w.Month(row, 1, month.Month);
                }

                w.Text(row, 2, month.Currency);
                w.Count(row, 3, month.Deals);
                w.Money(row, 4, month.Value, month.Currency);
                w.Money(row, 5, month.WeightedValue, month.Currency);
                row++;
            }

            if (firstBlockEnd == 1)
            {
                firstBlockEnd = row - 1;
            }
        }

        // Sums of the rows above, per currency (never across currencies), as values: no formula to recalculate.
        row++;
        foreach (var total in blocks)
        {
            w.Text(row, 1, labels.Total).Style.Font.Bold = true;
            w.Text(row, 2, total.Key).Style.Font.Bold = true;
            w.Count(row, 3, total.Sum(m => m.Row.Deals)).Style.Font.Bold = true;
            w.Money(row, 4, total.Sum(m => m.Row.Value), total.Key).Style.Font.Bold = true;
            w.Money(row, 5, total.Sum(m => m.Row.WeightedValue), total.Key).Style.Font.Bold = true;
            row++;
        }

        w.ApplyColumnWidths();
        if (blocks.Count > 0)
        {
            var rows = blocks[0].ToList();
            var currency = blocks[0].Key;
            var money = NumberFormats.Money(currency);
            charts.Add(new ChartSpec(
                ForecastSheet,
                string.Format(labels.NumberCulture, labels.ChartForecast, currency),
                ChartKind.Column,
                ChartSpec.Range(ForecastSheet, 2, 1, firstBlockEnd),
                [.. rows.Select(r => r.Overdue ? labels.Overdue : MonthText(r.Row.Month, labels))],
                [
                    new ChartSeries(ChartSpec.Range(ForecastSheet, 1, 4, 1), labels.Value, ChartSpec.Range(ForecastSheet, 2, 4, firstBlockEnd), [.. rows.Select(r => (decimal?)r.Row.Value)], money),
                    new ChartSeries(ChartSpec.Range(ForecastSheet, 1, 5, 1), labels.WeightedValue, ChartSpec.Range(ForecastSheet, 2, 5, firstBlockEnd), [.. rows.Select(r => (decimal?)r.Row.WeightedValue)], money),
                ],
                0, 6, ChartRows, ChartColumns, CategoryFormat: labels.MonthFormat));
        }
    }

    private static string MonthText(YearMonth month, Labels labels) =>
        month.OnDayOfMonth(1).ToString(labels.TextDatePattern.Replace("dd.", string.Empty, StringComparison.Ordinal).Replace("-dd", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteTimeInStage(IXLWorksheet sheet, ReportModel model, Labels labels)
    {
        var w = new SheetWriter(sheet, labels);
        var row = CaptionedTable(w, labels, labels.TimeInStageCaption(model.PeriodStart, model.PeriodEnd, model.PeriodEnd), isEmpty: false,
            labels.Stage, labels.LeftInPeriod, labels.MeanDays, labels.MedianDays, labels.OpenNow, labels.StaleAfterDays, labels.StaleNow);
        foreach (var stage in model.TimeInStage)
        {
            w.Text(row, 1, stage.StageName);
            w.Count(row, 2, stage.Left);
            w.Days(row, 3, stage.MeanDays);
            w.Days(row, 4, stage.MedianDays);
            w.Count(row, 5, stage.OpenNow);
            if (stage.StaleAfterDays is { } days)
            {
                w.Count(row, 6, days);
            }
            else
            {
                w.Days(row, 6, null);
            }

            w.Count(row, 7, stage.StaleNow);
            row++;
        }

        w.ApplyColumnWidths();
    }

    private static void WriteAccounts(IXLWorksheet sheet, ReportModel model, Labels labels)
    {
        var w = new SheetWriter(sheet, labels);
        var withCost = model.Ltv.AcquisitionCost is not null;
        string[] headers = [labels.Account, labels.Currency, labels.WonInPeriod, labels.WonAllTime, labels.DealsWon, labels.FirstWin, labels.LastWin, labels.MarginPerYear, labels.LifetimeValue];
        var row = CaptionedTable(w, labels, labels.AccountsCaption(model.PeriodStart, model.PeriodEnd, model.PeriodEnd), model.Accounts.Count == 0,
            withCost ? [.. headers, labels.ValueAfterAcquisition, labels.WorthIt] : headers);

        foreach (var account in model.Accounts)
        {
            w.Text(row, 1, account.Account);
            w.Text(row, 2, account.Currency);
            w.Money(row, 3, account.WonInPeriod, account.Currency);
            w.Money(row, 4, account.WonAllTime, account.Currency);
            w.Count(row, 5, account.DealsWon);
            w.Date(row, 6, account.FirstWin);
            w.Date(row, 7, account.LastWin);
            w.Money(row, 8, account.MarginPerYear, account.Currency);
            w.Money(row, 9, account.LifetimeValue, account.Currency);
            if (withCost)
            {
                w.Money(row, 10, account.ValueAfterAcquisition ?? 0m, account.Currency);
                w.Text(row, 11, account.WorthIt == true ? labels.Yes : labels.No);
            }

            row++;
        }

        row++;
        w.Text(row++, 1, labels.LtvInputsTitle).Style.Font.Bold = true;
        w.Text(row, 1, labels.LtvMargin);
        w.Rate(row++, 2, model.Ltv.Margin);
        w.Text(row, 1, labels.LtvRetention);
        w.Rate(row++, 2, model.Ltv.Retention);
        w.Text(row, 1, labels.LtvDiscountRate);
        w.Rate(row++, 2, model.Ltv.DiscountRate);
        w.Text(row, 1, labels.LtvHorizon);
        w.Count(row++, 2, model.Ltv.HorizonYears);
        w.Text(row, 1, labels.AcquisitionCost);
        if (model.Ltv.AcquisitionCost is { } cost)
        {
            w.Money(row++, 2, cost, string.Empty);
        }
        else
        {
            w.Text(row++, 2, labels.NotGiven);
        }

        w.Note(row, 1, labels.LtvFormula).Style.Font.Italic = true;
        w.ApplyColumnWidths();
    }

    /// <summary>How many rows at the top of a sheet are its header, repeated on every printed page.</summary>
    private static int HeaderRows(string sheet) => sheet switch
    {
        FunnelSheet or TimeInStageSheet or AccountsSheet or OpportunitiesSheet => 2,
        _ => 1,
    };

    /// <summary>Landscape, one page wide, header rows repeated, sheet name and period on top, page number below.</summary>
    private static void Print(IXLWorksheet sheet, int headerRows, string period, Labels labels)
    {
        var page = sheet.PageSetup;
        page.PageOrientation = XLPageOrientation.Landscape;
        page.FitToPages(1, 0);
        page.SetRowsToRepeatAtTop(1, headerRows);
        page.Header.Left.AddText(XLHFPredefinedText.SheetName, XLHFOccurrence.AllPages);
        page.Header.Right.AddText(period, XLHFOccurrence.AllPages);
        page.Footer.Center.AddText(labels.PageFooter, XLHFOccurrence.AllPages);
    }

    /// <summary>
    /// The Opportunities sheet but its data rows: the note, the header, the table over the rows to come and the column
    /// widths (from the first <see cref="WidthSampleRows"/> rows, as <see cref="SheetWriter"/> measures them); the rows are
    /// returned for <see cref="DetailSheetWriter"/>, which streams them into the saved file.
    /// </summary>
    private static DetailRows WriteOpportunities(IXLWorksheet sheet, ReportModel model, Labels labels, CancellationToken cancellationToken)
    {
        var w = new SheetWriter(sheet, labels);
        const int header = OpportunitiesHeaderRow;
        string[] names =
        [
            labels.Name, labels.Account, labels.Owner, labels.Stage, labels.Status, labels.Currency, labels.Value,
            labels.Probability, labels.WeightedValue, labels.Created, labels.ExpectedClose, labels.Closed,
            labels.LossReason, labels.Comment,
        ];
        for (var i = 0; i < names.Length; i++)
        {
            // Plain text: the table style shades the header; its names become the table's field names.
            w.Text(header, i + 1, names[i]).Style.Font.Bold = true;
            w.Track(i + 1, names[i].Length + 3);
        }

        var limit = Math.Min(model.DetailRowLimit, MaxDetailRows);
        var rows = new List<OpportunityRow>(Math.Min(limit, 10_000));
        long omitted = model.OmittedOpportunities;

        // One pass over the (possibly streamed) deals: keep up to the limit, then only count.
        foreach (var deal in model.Opportunities)
        {
            if ((rows.Count + omitted) % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (rows.Count == limit)
            {
                omitted++;
                continue;
            }

            if (rows.Count < WidthSampleRows)
            {
                TrackText(w, 1, deal.Name);
                TrackText(w, 2, deal.Account);
                TrackText(w, 3, deal.Owner);
                TrackText(w, 4, deal.StageName);
                TrackText(w, 5, deal.Status);
                TrackText(w, 6, deal.Currency);
                w.Track(7, SheetWriter.MoneyWidth(deal.Value, deal.Currency));
                w.Track(8, SheetWriter.RateWidth(deal.Probability / 100m));
                w.Track(9, SheetWriter.MoneyWidth(deal.WeightedValue, deal.Currency));
                w.Track(10, SheetWriter.DateWidth);
                w.Track(11, SheetWriter.DateWidth);
                if (deal.Closed is not null)
                {
                    w.Track(12, SheetWriter.DateWidth);
                }

                TrackText(w, 13, deal.LossReason);
                TrackText(w, 14, deal.Comment);
            }

            rows.Add(deal);
        }

        var note = w.Note(1, 1, omitted > 0 ? labels.MoreDealsNotShown(omitted, limit) : labels.AllDealsShown(rows.Count));
        note.Style.Font.Bold = omitted > 0;

        // With no deal the table still needs a data row; ClosedXML adds an empty one.
        var table = sheet.Range(header, 1, header + rows.Count, names.Length).CreateTable(OpportunitiesTable);
        table.ShowAutoFilter = true;
        table.Theme = XLTableTheme.TableStyleLight9;
        sheet.SheetView.FreezeRows(header);
        w.ApplyColumnWidths();
        return new DetailRows(OpportunitiesSheet, header + 1, rows, labels.DateFormat);

        static void TrackText(SheetWriter w, int column, string? text)
        {
            if (text is not null)
            {
                w.Track(column, SheetWriter.TextWidth(SheetWriter.FitCell(text)));
            }
        }
    }

    private static void Headers(SheetWriter w, int row, params string[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            w.Header(row, i + 1, names[i]);
        }
    }
}
