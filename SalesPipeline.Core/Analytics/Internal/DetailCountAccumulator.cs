using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Counts the deals a report's detail sheet shows (<see cref="Abstractions.HistoryFactsRequest.DetailPeriod"/>): those whose stage
/// at the as-of instant is open, and those whose stage then is closed unless they are still closed with a close instant outside
/// the period.
/// </summary>
internal sealed class DetailCountAccumulator(PipelineDefinition pipeline, Instant asOf, Interval period, UserId? owner) : IDealAccumulator<long>
{
    private readonly StageLookup _stages = new(pipeline);
    private long _count;

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, owner) || Deals.LastEntryAtOrBefore(deal.History, asOf) is var entry && entry < 0)
        {
            return;
        }

        var open = _stages.Kinds[_stages.IndexOf(deal.History[entry].To)] == StageKind.Open;
        if (open || deal.Outcome is not { } outcome || Deals.Contains(period, outcome.ClosedAt))
        {
            _count++;
        }
    }

    public long Result() => _count;
}
