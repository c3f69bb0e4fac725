using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// A calculator fed one deal at a time, so that several calculators share one pass over a store. Create them with
/// <see cref="DealPass"/>; feed them with <see cref="DealPass.RunAsync"/> or by calling <see cref="Add"/> yourself.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IDealAccumulator
{
    /// <summary>Takes one deal into account; deals outside the calculator's scope (pipeline, owner, period) are ignored.</summary>
    /// <param name="deal">The deal.</param>
    void Add(OpportunityState deal);

    /// <summary>
    /// Gets whether the accumulator needs no more deals: its result would not change with any deal added later (say, it keeps
    /// only the first rows of a list and has them all). A pass stops reading once every accumulator it feeds is complete
    /// (<see cref="DealPass.AreComplete"/>); a store's pass reads the deals in id order, so the deals fed before it stops are
    /// the first ones in that order.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: every deal is needed.</value>
    bool IsComplete => false;
}

/// <summary>A calculator fed one deal at a time that computes a <typeparamref name="TResult"/>.</summary>
/// <typeparam name="TResult">The report it computes.</typeparam>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IDealAccumulator<out TResult> : IDealAccumulator
{
    /// <summary>Computes the report from the deals added so far.</summary>
    /// <returns>The report: the same as the matching <see cref="PipelineAnalytics"/> calculator over the same deals.</returns>
    TResult Result();
}
