using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>How <see cref="PipelineAnalytics.ReachedStages"/> decides that a deal reached a stage.</summary>
public enum FunnelCounting
{
    /// <summary>
    /// A deal reached a stage when, by the as-of instant, it had been in that stage or any later one of the funnel
    /// (skipped stages count as passed). The usual funnel.
    /// </summary>
    Lenient,

    /// <summary>
    /// A deal reached a stage only when it had been in that stage and in every earlier stage of the funnel, with the first
    /// entries in pipeline order (a deal that skipped a stage, or entered it only after a later one, stops counting there).
    /// </summary>
    Strict,
}

/// <summary>Choices for <see cref="PipelineAnalytics.ReachedStages"/>.</summary>
public sealed record ReachedStageFunnelOptions
{
    /// <summary>Gets how reaching a stage is decided.</summary>
    /// <value>The default value is <see cref="FunnelCounting.Lenient"/>.</value>
    public FunnelCounting Counting { get; init; } = FunnelCounting.Lenient;

    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }
}

/// <summary>
/// The reached-stage (cohort) funnel: of the deals created in a period, how many reached each stage of the funnel (the open
/// stages in pipeline order, then the won stage) by the as-of instant. A deal counts at most once per stage, however often
/// it moved back and forth. Conversion from the previous stage = reached(k) ÷ reached(k − 1); cumulative conversion =
/// reached(k) ÷ reached(first stage), which equals the product of the conversions up to k.
/// </summary>
/// <param name="Cohort">The creation period of the deals counted (start inclusive, end exclusive).</param>
/// <param name="AsOf">History after this instant is ignored.</param>
/// <param name="Counting">How reaching was decided.</param>
/// <param name="CohortSize">How many deals were created in <paramref name="Cohort"/> (by <see cref="OpportunityState.CreatedAt"/>).</param>
/// <param name="Stages">The funnel's stages in order: the open stages, then the won stage.</param>
public sealed record ReachedStageFunnel(Interval Cohort, Instant AsOf, FunnelCounting Counting, long CohortSize, IReadOnlyList<ReachedStage> Stages);

/// <summary>One stage of a <see cref="ReachedStageFunnel"/>.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Reached">How many deals of the cohort reached it. Never more than the stage before.</param>
/// <param name="ConversionFromPrevious">
/// <paramref name="Reached"/> ÷ the previous stage's reached count, in [0, 1]; <see langword="null"/> for the first stage
/// and when the previous stage was reached by no deal.
/// </param>
/// <param name="CumulativeConversion">
/// <paramref name="Reached"/> ÷ the first stage's reached count, in [0, 1]; <see langword="null"/> when no deal reached the first stage.
/// </param>
public sealed record ReachedStage(StageId Stage, long Reached, decimal? ConversionFromPrevious, decimal? CumulativeConversion);
