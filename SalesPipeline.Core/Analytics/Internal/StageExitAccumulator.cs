using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Computes <see cref="StageExits"/> for every open stage in one pass; memory holds one number per stay that ended in the
/// period. The mean is the exact sum of the stays in nanoseconds divided once, so groups of stays in any order give the same
/// figures as deals one by one.
/// </summary>
internal sealed class StageExitAccumulator(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner) : IStageExitGroups
{
    private readonly StageLookup _stages = new(pipeline);
    // Each stay's length in nanoseconds (half the memory of its decimal days), turned into days only for the median.
    private readonly List<long>[] _lengths = [.. pipeline.Stages.Select(_ => new List<long>())];
    private readonly decimal[] _nanoseconds = new decimal[pipeline.Stages.Count];
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
                AddStays(_stages.IndexOf(history[i].To), left - history[i].At, 1);
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
        if (pipeline.Stages[current].StaleAfter is { } limit && Attention.IsStale(history[last].At, limit, asOf))
        {
            _stale[current]++;
        }
    }

    public void AddStays(StageId stage, Duration length, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        AddStays(_stages.IndexOf(stage), length, count);
    }

    public void AddOpen(StageId stage, long count, long stale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(stale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stale, count);
        var s = _stages.IndexOf(stage);
        if (_stages.Kinds[s] == StageKind.Open)
        {
            _open[s] += count;
            _stale[s] += stale;
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

            var count = _lengths[s].Count;
            rows.Add(new StageExits(_stages.Ids[s], count, Deals.Mean(_nanoseconds[s] / Deals.NanosecondsPerDay, count), MedianDays(_lengths[s]), _open[s], pipeline.Stages[s].StaleAfter, _stale[s]));
        }

        return rows;
    }

    /// <summary>The median in days, as <see cref="Deals.Median"/> of the lengths' days (days grow with the length, so the middle ones are the same).</summary>
    private static decimal? MedianDays(List<long> lengths)
    {
        if (lengths.Count == 0)
        {
            return null;
        }

        lengths.Sort();
        var middle = lengths.Count / 2;
        var upper = Deals.Days(Duration.FromNanoseconds(lengths[middle]));
        return lengths.Count % 2 == 1 ? upper : (Deals.Days(Duration.FromNanoseconds(lengths[middle - 1])) + upper) / 2m;
    }

    private void AddStays(int stage, Duration length, long count)
    {
        var nanoseconds = length.ToInt64Nanoseconds();
        var list = _lengths[stage];
        for (var i = 0; i < count; i++)
        {
            list.Add(nanoseconds);
        }

        _nanoseconds[stage] += Deals.Nanoseconds(length) * count;
    }
}
