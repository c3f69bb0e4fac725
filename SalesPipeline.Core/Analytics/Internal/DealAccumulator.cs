using SalesPipeline.Domain;

namespace SalesPipeline.Analytics.Internal;

/// <summary>A calculator fed one deal at a time, so that several calculators can share one pass over a store.</summary>
/// <typeparam name="TResult">The report it computes.</typeparam>
internal interface IDealAccumulator<out TResult>
{
    /// <summary>Takes one deal into account; deals outside the calculator's scope are ignored.</summary>
    /// <param name="deal">The deal.</param>
    void Add(OpportunityState deal);

    /// <summary>Computes the report from the deals added so far.</summary>
    /// <returns>The report.</returns>
    TResult Result();
}

/// <summary>Runs an accumulator over a sequence of deals.</summary>
internal static class DealAccumulator
{
    public static TResult Run<TResult>(IDealAccumulator<TResult> accumulator, IEnumerable<OpportunityState> deals)
    {
        foreach (var deal in deals)
        {
            accumulator.Add(deal);
        }

        return accumulator.Result();
    }
}
