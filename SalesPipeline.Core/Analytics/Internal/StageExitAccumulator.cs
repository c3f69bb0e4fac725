using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Time in stage seen from a period: per open stage, the stays that ended in the period (a history entry whose next entry
/// is in the period), their mean and median length in days, how many deals are in the stage at the as-of instant, and how
/// many of those have been there longer than the stage's stale-after limit.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Left">Stays in the stage that ended in the period (a deal that left twice counts twice).</param>
/// <param name="MeanDays">The mean length of those stays in days (24 hours), or <see langword="null"/> when none ended.</param>
/// <param name="MedianDays">Their median length in days, or <see langword="null"/> when none ended.</param>
/// <param name="OpenNow">Deals in the stage at the as-of instant.</param>
/// <param name="StaleAfter">The stage's stale-after limit, if it has one.</param>
/// <param name="StaleNow">Of <paramref name="OpenNow"/>, those in the stage longer than <paramref name="StaleAfter"/> (0 without a limit).</param>
internal sealed record StageExits(StageId Stage, long Left, decimal? MeanDays, decimal? MedianDays, long OpenNow, Duration? StaleAfter, long StaleNow);

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
