using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>Choices for <see cref="PipelineAnalytics.Forecast"/>.</summary>
public sealed record ForecastOptions
{
    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }

    /// <summary>Gets the rate table that converts every amount to one currency.</summary>
    /// <value>The default value is <see langword="null"/>: values are reported per currency.</value>
    public ExchangeRates? Conversion { get; init; }

    /// <summary>
    /// Gets the first date that is not overdue: open deals whose expected close date is before it are counted in
    /// <see cref="ForecastReport.Overdue"/> instead of in their (past) month.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: overdue deals stay in their past month.</value>
    public LocalDate? OverdueBefore { get; init; }
}

/// <summary>
/// The weighted forecast: the deals open at the as-of instant (as in the snapshot funnel), grouped by the month of their
/// expected close date (<see cref="OpportunityState.ExpectedClose"/>; overdue deals stay in their past month unless
/// <see cref="ForecastOptions.OverdueBefore"/> is set, which gathers them in <see cref="Overdue"/>). Per month and
/// currency: count, value, and weighted value = Σ value × probability ÷ 100; value share = month value ÷ total value.
/// </summary>
/// <param name="AsOf">The instant the open deals are taken at.</param>
/// <param name="Months">The months with at least one deal, in calendar order.</param>
/// <param name="Total">All months together (and the overdue deals), per currency.</param>
public sealed record ForecastReport(Instant AsOf, IReadOnlyList<ForecastMonth> Months, IReadOnlyList<OpenDealTotals> Total)
{
    /// <summary>
    /// Gets the open deals whose expected close date is before <see cref="ForecastOptions.OverdueBefore"/>, per currency
    /// (share of <see cref="Total"/>); empty when no date was given or no deal is overdue.
    /// </summary>
    public IReadOnlyList<OpenDealTotals> Overdue { get; init; } = [];
}

/// <summary>The open deals expected to close in one month.</summary>
/// <param name="Month">The month.</param>
/// <param name="Count">How many deals.</param>
/// <param name="Values">Count, value, weighted value and share of the total, per currency (one row when converted).</param>
public sealed record ForecastMonth(YearMonth Month, long Count, IReadOnlyList<OpenDealTotals> Values);
