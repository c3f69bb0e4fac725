using ClosedXML.Excel;
using NodaTime;

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
/// <item><c>Funnel</c>: header row 1 (frozen) — Stage, Currency, Deals, Value, Weighted value, Share, Reached,
/// Conversion, Cumulative conversion — then one row per model row in model (pipeline) order. Data bars on Deals
/// and Reached draw the funnel.</item>
/// <item><c>Win-Loss</c>: header row 1 (frozen) — Breakdown, Currency, Won, Lost, Won value, Lost value,
/// Win rate (count), Win rate (value) — then four sections (totals, by owner, by loss reason, by stage lost at),
/// each a bold title row in column A followed by its rows and a blank row.</item>
/// <item><c>Forecast</c>: header row 1 (frozen) — Month, Currency, Deals, Value, Weighted value — one row per
/// model row, then a blank row and a total row per currency.</item>
/// <item><c>Opportunities</c>: A1 says how many deals are shown or left off; the Excel table <c>Opportunities</c>
/// (header row 2, frozen, with filters) holds one row per deal up to <see cref="ReportModel.DetailRowLimit"/>.</item>
/// </list>
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

    /// <summary>The last data row an Opportunities sheet can hold (Excel has 1,048,576 rows; two hold the note and the header).</summary>
    internal const int MaxDetailRows = 1_048_576 - OpportunitiesHeaderRow;

    private const int OpportunitiesHeaderRow = 2;

    /// <summary>Column widths come from this many detail rows; measuring all would cost time for nothing.</summary>
    private const int WidthSampleRows = 200;

    private const int CancellationCheckInterval = 1_000;

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
        using var workbook = Build(model, labels, cancellationToken);
        AtomicFile.Write(path, workbook.SaveAs, cancellationToken);
    }

    private static XLWorkbook Build(ReportModel model, Labels labels, CancellationToken cancellationToken)
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
            if (model.Kind is ReportKind.All or ReportKind.Funnel)
            {
                WriteFunnel(workbook.AddWorksheet(FunnelSheet), model.Funnel, labels);
            }

            if (model.Kind is ReportKind.All or ReportKind.WinLoss)
            {
                WriteWinLoss(workbook.AddWorksheet(WinLossSheet), model.WinLoss, labels);
            }

            if (model.Kind is ReportKind.All or ReportKind.Forecast)
            {
                WriteForecast(workbook.AddWorksheet(ForecastSheet), model.Forecast, labels);
            }

            if (LeadSheet.Included(model))
            {
                LeadSheet.Write(workbook.AddWorksheet(LeadSheet.Name), model);
            }

            cancellationToken.ThrowIfCancellationRequested();
            WriteOpportunities(workbook.AddWorksheet(OpportunitiesSheet), model, labels, cancellationToken);
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
        var w = new SheetWriter(sheet);
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

        w.ApplyColumnWidths();
    }

    private static SheetWriter LabelRow(SheetWriter w, int row, string label)
    {
        w.Text(row, 1, label).Style.Font.Bold = true;
        return w;
    }

    private static void WriteFunnel(IXLWorksheet sheet, IReadOnlyList<FunnelRow> funnel, Labels labels)
    {
        var w = new SheetWriter(sheet);
        Headers(w, 1, labels.Stage, labels.Currency, labels.Deals, labels.Value, labels.WeightedValue,
            labels.Share, labels.Reached, labels.Conversion, labels.CumulativeConversion);
        sheet.SheetView.FreezeRows(1);

        var row = 2;
        foreach (var stage in funnel)
        {
            w.Text(row, 1, stage.StageName);
            w.Text(row, 2, stage.Currency);
            w.Count(row, 3, stage.Deals);
            w.Money(row, 4, stage.Value, stage.Currency);
            w.Money(row, 5, stage.WeightedValue, stage.Currency);
            w.Rate(row, 6, stage.Share);
            w.Count(row, 7, stage.Reached);
            w.Rate(row, 8, stage.Conversion);
            w.Rate(row, 9, stage.CumulativeConversion);
            row++;
        }

        if (funnel.Count > 0)
        {
            DataBar(sheet.Range(2, 3, row - 1, 3), funnel.Max(s => s.Deals), "#5B9BD5");
            DataBar(sheet.Range(2, 7, row - 1, 7), funnel.Max(s => s.Reached), "#70AD47");
        }

        w.ApplyColumnWidths();
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

    private static void WriteWinLoss(IXLWorksheet sheet, WinLossSection winLoss, Labels labels)
    {
        var w = new SheetWriter(sheet);
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

        w.ApplyColumnWidths();
    }

    private static void WriteForecast(IXLWorksheet sheet, IReadOnlyList<ForecastRow> forecast, Labels labels)
    {
        var w = new SheetWriter(sheet);
        Headers(w, 1, labels.Month, labels.Currency, labels.Deals, labels.Value, labels.WeightedValue);
        sheet.SheetView.FreezeRows(1);

        var row = 2;
        foreach (var month in forecast)
        {
            w.Month(row, 1, month.Month);
            w.Text(row, 2, month.Currency);
            w.Count(row, 3, month.Deals);
            w.Money(row, 4, month.Value, month.Currency);
            w.Money(row, 5, month.WeightedValue, month.Currency);
            row++;
        }

        // Sums of the rows above, per currency (never across currencies), as values: no formula to recalculate.
        row++;
        foreach (var total in forecast.GroupBy(m => m.Currency, StringComparer.Ordinal))
        {
            w.Text(row, 1, labels.Total).Style.Font.Bold = true;
            w.Text(row, 2, total.Key).Style.Font.Bold = true;
            w.Count(row, 3, total.Sum(m => m.Deals)).Style.Font.Bold = true;
            w.Money(row, 4, total.Sum(m => m.Value), total.Key).Style.Font.Bold = true;
            w.Money(row, 5, total.Sum(m => m.WeightedValue), total.Key).Style.Font.Bold = true;
            row++;
        }

        w.ApplyColumnWidths();
    }

    private static void WriteOpportunities(IXLWorksheet sheet, ReportModel model, Labels labels, CancellationToken cancellationToken)
    {
        var w = new SheetWriter(sheet);
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
        long written = 0;
        var omitted = model.OmittedOpportunities;
        var row = header + 1;

        // One pass over the (possibly streamed) deals: write up to the limit, then only count.
        foreach (var deal in model.Opportunities)
        {
            if ((written + omitted) % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (written == limit)
            {
                omitted++;
                continue;
            }

            w.Text(row, 1, deal.Name);
            w.Text(row, 2, deal.Account);
            w.Text(row, 3, deal.Owner);
            w.Text(row, 4, deal.StageName);
            w.Text(row, 5, deal.Status);
            w.Text(row, 6, deal.Currency);
            w.Money(row, 7, deal.Value, deal.Currency);
            w.Rate(row, 8, deal.Probability / 100m, NumberFormats.Probability);
            w.Money(row, 9, deal.WeightedValue, deal.Currency);
            w.Date(row, 10, deal.Created);
            w.Date(row, 11, deal.ExpectedClose);
            w.Date(row, 12, deal.Closed);
            w.Text(row, 13, deal.LossReason);
            w.Text(row, 14, deal.Comment);
            row++;
            written++;
            if (written == WidthSampleRows)
            {
                w.TrackWidths = false;
            }
        }

        var note = w.Note(1, 1, omitted > 0 ? labels.MoreDealsNotShown(omitted, limit) : labels.AllDealsShown(written));
        note.Style.Font.Bold = omitted > 0;

        // With no deal the table still needs a data row; ClosedXML adds an empty one.
        var table = sheet.Range(header, 1, Math.Max(row - 1, header), names.Length).CreateTable(OpportunitiesTable);
        table.ShowAutoFilter = true;
        table.Theme = XLTableTheme.TableStyleLight9;
        sheet.SheetView.FreezeRows(header);
        w.ApplyColumnWidths();
    }

    private static void Headers(SheetWriter w, int row, params string[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            w.Header(row, i + 1, names[i]);
        }
    }
}
