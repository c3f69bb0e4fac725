using SalesPipeline.Domain;

namespace SalesPipeline.Analytics.Internal;

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
