using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// Time in stage (<see cref="StageExits"/>) fed with groups as a store's own query (SQL GROUP BY) returns them: stays of one
/// length that ended in the period, and the deals in a stage at the as-of instant. Finished by the same rule as the per-deal
/// pass. Create it with <see cref="DealPass.StageExitGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IStageExitGroups : IDealAccumulator<IReadOnlyList<StageExits>>
{
    /// <summary>
    /// Adds stays in <paramref name="stage"/> of one length that ended in the period, at or before the as-of instant (a
    /// history entry whose next entry falls there). A stage that is not open is not reported.
    /// </summary>
    /// <param name="stage">The stage the deals stayed in.</param>
    /// <param name="length">The time from the entry into the stage to the next entry.</param>
    /// <param name="count">How many such stays.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    void AddStays(StageId stage, Duration length, long count);

    /// <summary>
    /// Adds deals that were in <paramref name="stage"/> at the as-of instant (their last history entry at or before it leads
    /// there). A stage that is not open adds nothing.
    /// </summary>
    /// <param name="stage">The stage.</param>
    /// <param name="count">How many deals.</param>
    /// <param name="stale">Of those, how many entered it before <see cref="Process.Attention.StaleCutoff"/> of the stage's
    /// stale-after limit (0 when it has none).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="stale"/> is negative, or <paramref name="stale"/> exceeds <paramref name="count"/>.</exception>
    void AddOpen(StageId stage, long count, long stale);
}
