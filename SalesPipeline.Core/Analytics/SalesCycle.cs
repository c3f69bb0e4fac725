using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>Choices for <see cref="PipelineAnalytics.SalesCycle"/>.</summary>
public sealed record SalesCycleOptions
{
    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }
}

/// <summary>
/// The sales cycle of the deals closed in a period (by <see cref="Outcome.ClosedAt"/>): for each deal, the days from
/// <see cref="OpportunityState.CreatedAt"/> to <see cref="Outcome.ClosedAt"/> (fractional, 1 day = 24 hours).
/// Mean = Σ days ÷ count; median = the middle value, or the mean of the two middle values when the count is even.
/// </summary>
/// <param name="Period">The close period (start inclusive, end exclusive).</param>
/// <param name="Won">Deals won in the period.</param>
/// <param name="Lost">Deals lost in the period.</param>
/// <param name="All">Won and lost together.</param>
public sealed record SalesCycleReport(Interval Period, CycleStatistics Won, CycleStatistics Lost, CycleStatistics All);

/// <summary>Cycle lengths of a group of closed deals.</summary>
/// <param name="Count">How many deals.</param>
/// <param name="MeanDays">The mean cycle in days; <see langword="null"/> when <paramref name="Count"/> is 0.</param>
/// <param name="MedianDays">The median cycle in days; <see langword="null"/> when <paramref name="Count"/> is 0.</param>
public sealed record CycleStatistics(long Count, decimal? MeanDays, decimal? MedianDays);
