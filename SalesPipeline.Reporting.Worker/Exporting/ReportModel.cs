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
    WinLossSection WinLoss,
    IReadOnlyList<ForecastRow> Forecast,
    IEnumerable<OpportunityRow> Opportunities,
    int DetailRowLimit,
    ReportKind Kind = ReportKind.All,
    long OmittedOpportunities = 0)
{
    /// <summary>Gets the Funnel sheet's first table: open deals per stage (and currency) at <see cref="AsOf"/>, open stages only.</summary>
    public IReadOnlyList<SnapshotStageRow> Snapshot { get; init; } = [];

    /// <summary>Gets the Funnel sheet's second table: how far the deals created in the period got, one row per funnel stage (open stages, then won).</summary>
    public IReadOnlyList<CohortStageRow> Cohort { get; init; } = [];

    /// <summary>Gets the figures of the report's period, for the comparison on the Summary sheet.</summary>
    public ComparedPeriod? ThisPeriod { get; init; }

    /// <summary>Gets the figures of the period of the same length just before, or <see langword="null"/> when not computed.</summary>
    public ComparedPeriod? PreviousPeriod { get; init; }

    /// <summary>Gets the figures of the same period a year earlier, or <see langword="null"/> when no deal in scope existed by its end.</summary>
    public ComparedPeriod? YearEarlier { get; init; }

    /// <summary>Gets the open stages' time-in-stage figures of the period, in pipeline order.</summary>
    public IReadOnlyList<TimeInStageRow> TimeInStage { get; init; } = [];

    /// <summary>Gets the accounts that have won deals by <see cref="AsOf"/>, the most revenue in the period first.</summary>
    public IReadOnlyList<AccountRow> Accounts { get; init; } = [];

    /// <summary>Gets the inputs the accounts' lifetime values were computed with.</summary>
    public LtvInputs Ltv { get; init; } = new();

    /// <summary>
    /// Gets the open deals whose expected close date is before the day after the period, per currency: the Forecast sheet's
    /// "Overdue" row (each row's <see cref="ForecastRow.Month"/> is the period's last month and is not shown).
    /// </summary>
    public IReadOnlyList<ForecastRow> ForecastOverdue { get; init; } = [];

    /// <summary>Gets the Leads sheet's figures per salesperson, or <see langword="null"/> when not computed.</summary>
    public IReadOnlyList<SalesPipeline.Leads.LeadFigures>? Leads { get; init; }

    /// <summary>Gets the Agenda sheet's agenda (everyone's in scope, for the coming week), or <see langword="null"/> when not computed.</summary>
    public SalesPipeline.Agendas.Agenda? Agenda { get; init; }
}

/// <summary>Which sheets a workbook holds besides Summary and Opportunities; combine them with <c>|</c>.</summary>
[Flags]
public enum ReportKind
{
    /// <summary>The Funnel sheet.</summary>
    Funnel = 1,

    /// <summary>The Win-Loss sheet.</summary>
    WinLoss = 2,

    /// <summary>The Forecast sheet.</summary>
    Forecast = 4,

    /// <summary>The Leads sheet.</summary>
    Leads = 8,

    /// <summary>Every period sheet: Funnel, Win-Loss, Forecast, Time in Stage, Accounts, and Leads when the store has lead figures.</summary>
    All = Funnel | WinLoss | Forecast | Leads,

    /// <summary>The Agenda sheet: per owner, overdue follow-ups, the coming week and stale deals, as of when the report is produced. Not part of <see cref="All"/>; combine it.</summary>
    Agenda = 16,
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

/// <summary>Open deals in one stage and currency at the as-of instant.</summary>
internal sealed record SnapshotStageRow(string StageName, string Currency, long Deals, decimal Value, decimal WeightedValue, decimal? Share);

/// <summary>One stage of the cohort funnel: of the deals created in the period, how many reached it.</summary>
internal sealed record CohortStageRow(string StageName, long Reached, decimal? Conversion, decimal? CumulativeConversion);

/// <summary>One period's figures per currency, for the comparison on the Summary sheet.</summary>
internal sealed record ComparedPeriod(LocalDate From, LocalDate To, IReadOnlyList<SalesPipeline.Analytics.PeriodFigures> Figures);

/// <summary>
/// One open stage on the Time in Stage sheet: stays that ended in the period with their mean and median length, the deals
/// in the stage at the as-of instant, and how many of them are past the stage's stale-after limit.
/// </summary>
internal sealed record TimeInStageRow(string StageName, long Left, decimal? MeanDays, decimal? MedianDays, long OpenNow, int? StaleAfterDays, long StaleNow);

/// <summary>
/// One account and currency on the Accounts sheet: revenue won, wins, and the lifetime value from <see cref="LtvInputs"/>.
/// </summary>
/// <param name="Account">The account's name.</param>
/// <param name="Currency">The currency of the amounts.</param>
/// <param name="WonInPeriod">Revenue won in the period.</param>
/// <param name="WonAllTime">Revenue won up to the as-of instant.</param>
/// <param name="DealsWon">Deals won up to the as-of instant.</param>
/// <param name="FirstWin">The date of the first win.</param>
/// <param name="LastWin">The date of the last win.</param>
/// <param name="MarginPerYear">The yearly margin the LTV assumes: margin × revenue won per year as a client.</param>
/// <param name="LifetimeValue">The discounted lifetime value: Σ_{t=0..horizon} margin per year × retention^t ÷ (1 + discount rate)^t.</param>
/// <param name="ValueAfterAcquisition">The lifetime value less the acquisition cost, when one is given.</param>
/// <param name="WorthIt">Whether that value is greater than 0, when an acquisition cost is given.</param>
internal sealed record AccountRow(
    string Account,
    string Currency,
    decimal WonInPeriod,
    decimal WonAllTime,
    long DealsWon,
    LocalDate FirstWin,
    LocalDate LastWin,
    decimal MarginPerYear,
    decimal LifetimeValue,
    decimal? ValueAfterAcquisition,
    bool? WorthIt);

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
