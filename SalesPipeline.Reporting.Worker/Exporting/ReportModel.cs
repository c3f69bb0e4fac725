using NodaTime;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// Everything one workbook shows, already computed: the writer only lays it out. Money figures carry their
/// currency; deals in different currencies are never summed into one figure.
/// </summary>
/// <param name="Culture">The label language: <c>en</c> or <c>pl</c>.</param>
/// <param name="PipelineName">The pipeline reported on.</param>
/// <param name="PeriodStart">The first day of the period (closed deals count by close date within it).</param>
/// <param name="PeriodEnd">The last day of the period, inclusive.</param>
/// <param name="AsOf">The instant the snapshot figures are taken at (the end of <paramref name="PeriodEnd"/>).</param>
/// <param name="GeneratedAt">When the report was produced (from the clock).</param>
/// <param name="TimeZone">The time zone dates are shown in.</param>
/// <param name="Filters">The filters applied, as label/value pairs (for example owner).</param>
/// <param name="Summary">Key figures, one set per currency.</param>
/// <param name="Funnel">One row per stage (and currency), in pipeline order.</param>
/// <param name="WinLoss">Won/lost totals and breakdowns.</param>
/// <param name="Forecast">Weighted value of open deals by expected close month.</param>
/// <param name="Opportunities">The deals in scope, read once in order; the writer writes up to <paramref name="DetailRowLimit"/> of them and counts the rest.</param>
/// <param name="DetailRowLimit">At most this many rows on the Opportunities sheet; the rest are counted, not written.</param>
/// <param name="Kind">Which of the Funnel, Win-Loss and Forecast sheets the workbook holds (Summary and Opportunities always).</param>
/// <param name="OmittedOpportunities">Deals in scope already left out of <paramref name="Opportunities"/> for the row limit; the sheet states them with those it omits itself.</param>
internal sealed record ReportModel(
    string Culture,
    string PipelineName,
    LocalDate PeriodStart,
    LocalDate PeriodEnd,
    Instant AsOf,
    Instant GeneratedAt,
    DateTimeZone TimeZone,
    IReadOnlyList<(string Label, string Value)> Filters,
    IReadOnlyList<SummaryFigures> Summary,
    IReadOnlyList<FunnelRow> Funnel,
    WinLossSection WinLoss,
    IReadOnlyList<ForecastRow> Forecast,
    IEnumerable<OpportunityRow> Opportunities,
    int DetailRowLimit,
    ReportKind Kind = ReportKind.All,
    long OmittedOpportunities = 0,
    IReadOnlyList<SalesPipeline.Leads.LeadFigures>? Leads = null);

/// <summary>Which sheets a workbook holds besides Summary and Opportunities.</summary>
internal enum ReportKind
{
    /// <summary>Funnel, Win-Loss and Forecast.</summary>
    All,

    /// <summary>Only the Funnel sheet.</summary>
    Funnel,

    /// <summary>Only the Win-Loss sheet.</summary>
    WinLoss,

    /// <summary>Only the Forecast sheet.</summary>
    Forecast,

    /// <summary>Only the Leads sheet.</summary>
    Leads,
}

/// <summary>The key figures of one currency.</summary>
internal sealed record SummaryFigures(
    string Currency,
    long OpenDeals,
    decimal OpenValue,
    decimal WeightedValue,
    long Won,
    long Lost,
    decimal? WinRateByCount,
    decimal? WinRateByValue,
    decimal? AverageCycleDays,
    decimal? SalesVelocityPerDay);

/// <summary>One stage of the funnel. Rates are fractions (0.25 = 25 %); <see langword="null"/> when undefined.</summary>
internal sealed record FunnelRow(
    string StageName,
    string Currency,
    long Deals,
    decimal Value,
    decimal WeightedValue,
    decimal? Share,
    long Reached,
    decimal? Conversion,
    decimal? CumulativeConversion);

/// <summary>Won/lost figures of the period, with breakdowns.</summary>
internal sealed record WinLossSection(
    IReadOnlyList<WinLossRow> Totals,
    IReadOnlyList<WinLossRow> ByOwner,
    IReadOnlyList<WinLossRow> ByLossReason,
    IReadOnlyList<WinLossRow> ByStageLostAt);

/// <summary>One row of a win/loss table: a label (owner, reason, stage, or "total") and its figures.</summary>
internal sealed record WinLossRow(
    string Label,
    string Currency,
    long Won,
    long Lost,
    decimal WonValue,
    decimal LostValue,
    decimal? WinRateByCount,
    decimal? WinRateByValue);

/// <summary>Open deals expected to close in one month.</summary>
internal sealed record ForecastRow(YearMonth Month, string Currency, long Deals, decimal Value, decimal WeightedValue);

/// <summary>One deal on the detail sheet. Text fields are user-typed and must be written as text.</summary>
internal sealed record OpportunityRow(
    string Name,
    string? Account,
    string Owner,
    string StageName,
    string Status,
    string Currency,
    decimal Value,
    int Probability,
    decimal WeightedValue,
    LocalDate Created,
    LocalDate ExpectedClose,
    LocalDate? Closed,
    string? LossReason,
    string? Comment);
