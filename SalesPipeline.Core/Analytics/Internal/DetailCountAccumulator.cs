using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Counts the deals a report's detail sheet shows (<see cref="Abstractions.HistoryFactsRequest.DetailPeriod"/>): those whose stage
/// at the as-of instant is open, and those whose stage then is closed unless they are still closed with a close instant outside
/// the period (<see cref="Abstractions.PipelineAggregates.DetailStage"/>).
/// </summary>
internal sealed class DetailCountAccumulator(PipelineDefinition pipeline, Instant asOf, Interval period, UserId? owner) : IDealAccumulator<long>
{
    private long _count;

    public void Add(OpportunityState deal)
    {
        if (Deals.InScope(deal, pipeline, owner) && Abstractions.PipelineAggregates.DetailStage(deal, pipeline, asOf, period) is not null)
        {
            _count++;
        }
    }

    public long Result() => _count;
}
