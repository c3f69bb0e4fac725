using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>Computes <see cref="StageExits"/> for every open stage in one pass; memory holds one number per stay that ended in the period.</summary>
internal sealed class StageExitAccumulator(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner) : IDealAccumulator<IReadOnlyList<StageExits>>
{
    private readonly StageLookup _stages = new(pipeline);
    private readonly List<decimal>[] _days = [.. pipeline.Stages.Select(_ => new List<decimal>())];
    private readonly decimal[] _sums = new decimal[pipeline.Stages.Count];
    private readonly long[] _open = new long[pipeline.Stages.Count];
    private readonly long[] _stale = new long[pipeline.Stages.Count];

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, owner))
        {
            return;
        }

        var history = deal.History;
        var last = Deals.LastEntryAtOrBefore(history, asOf);
        for (var i = 0; i < last; i++)
        {
            var left = history[i + 1].At;
            if (Deals.Contains(period, left))
            {
                var s = _stages.IndexOf(history[i].To);
                var days = Deals.Days(left - history[i].At);
                _days[s].Add(days);
                _sums[s] += days;
            }
        }

        if (last < 0)
        {
            return;
        }

        var current = _stages.IndexOf(history[last].To);
        if (_stages.Kinds[current] != StageKind.Open)
        {
            return;
        }

        _open[current]++;
        if (pipeline.Stages[current].StaleAfter is { } limit && asOf - history[last].At > limit)
        {
            _stale[current]++;
        }
    }

    public IReadOnlyList<StageExits> Result()
    {
        var rows = new List<StageExits>();
        for (var s = 0; s < _stages.Count; s++)
        {
            if (_stages.Kinds[s] != StageKind.Open)
            {
                continue;
            }

            rows.Add(new StageExits(_stages.Ids[s], _days[s].Count, Deals.Mean(_sums[s], _days[s].Count), Deals.Median(_days[s]), _open[s], pipeline.Stages[s].StaleAfter, _stale[s]));
        }

        return rows;
    }
}
