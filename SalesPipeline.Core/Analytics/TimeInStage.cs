using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>Choices for <see cref="PipelineAnalytics.TimeInStage"/>.</summary>
public sealed record TimeInStageOptions
{
    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }

    /// <summary>
    /// Gets whether the won and lost stages are reported too (the time since a deal closed, up to the as-of instant).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: only open stages are reported.</value>
    public bool IncludeClosedStages { get; init; }
}

/// <summary>
/// Time in stage from the stage history: each history entry starts an interval in its target stage that lasts until the next
/// entry, or, for the last entry at or before the as-of instant, until the as-of instant. Per stage: the deals that spent time
/// in it, the visits (intervals), the total days, and the mean and median of each deal's total days in the stage.
/// A deal's intervals, over all stages, add up to its age: as-of instant − its first history entry.
/// </summary>
/// <param name="AsOf">The instant the current stages are measured up to.</param>
/// <param name="Stages">The stages in pipeline order (open stages only, unless closed stages are included).</param>
public sealed record TimeInStageReport(Instant AsOf, IReadOnlyList<StageTime> Stages);

/// <summary>Time spent in one stage.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Deals">How many deals were in it at some point by the as-of instant.</param>
/// <param name="Visits">How many times deals entered it (a deal that came back counts twice).</param>
/// <param name="TotalDays">Σ of every interval, in days (1 day = 24 hours).</param>
/// <param name="MeanDays">TotalDays ÷ Deals: the mean time one deal spent in the stage; <see langword="null"/> when no deal was in it.</param>
/// <param name="MedianDays">The median of each deal's total days in the stage; <see langword="null"/> when no deal was in it.</param>
public sealed record StageTime(StageId Stage, long Deals, long Visits, decimal TotalDays, decimal? MeanDays, decimal? MedianDays);

/// <summary>One stay of a deal in a stage, from its history.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Start">When the deal entered it.</param>
/// <param name="End">When it left, or the as-of instant when it was still there.</param>
public sealed record StageInterval(StageId Stage, Instant Start, Instant End)
{
    /// <summary>Gets how long the stay lasted: <see cref="End"/> − <see cref="Start"/>.</summary>
    public Duration Duration => End - Start;
}
