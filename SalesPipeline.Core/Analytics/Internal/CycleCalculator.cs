using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>Sales cycle (created → closed) and time in stage.</summary>
internal static class CycleCalculator
{
    public static SalesCycleReport SalesCycle(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval period, SalesCycleOptions options) =>
        DealAccumulator.Run(new SalesCycleAccumulator(pipeline, period, options), deals);

    public static TimeInStageReport TimeInStage(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, TimeInStageOptions options)
    {
        var stages = new StageLookup(pipeline);
        var n = stages.Count;
        var dealCount = new long[n];
        var visits = new long[n];
        var totalNanoseconds = new decimal[n];
        var perDealDays = new List<decimal>[n];
        var spent = new Duration[n];
        var touched = new bool[n];
        for (var s = 0; s < n; s++)
        {
            perDealDays[s] = [];
        }

        foreach (var deal in deals)
        {
            if (!Deals.InScope(deal, pipeline, options.Owner))
            {
                continue;
            }

            var history = deal.History;
            for (var i = 0; i < history.Count && history[i].At <= asOf; i++)
            {
                var end = i + 1 < history.Count && history[i + 1].At <= asOf ? history[i + 1].At : asOf;
                var s = stages.IndexOf(history[i].To);
                spent[s] += end - history[i].At;
                visits[s]++;
                touched[s] = true;
            }

            for (var s = 0; s < n; s++)
            {
                if (touched[s])
                {
                    dealCount[s]++;
                    totalNanoseconds[s] += Deals.Nanoseconds(spent[s]);
                    perDealDays[s].Add(Deals.Days(spent[s]));
                    spent[s] = Duration.Zero;
                    touched[s] = false;
                }
            }
        }

        var rows = new List<StageTime>(n);
        for (var s = 0; s < n; s++)
        {
            if (!options.IncludeClosedStages && stages.Kinds[s] != StageKind.Open)
            {
                continue;
            }

            var totalDays = totalNanoseconds[s] / Deals.NanosecondsPerDay;
            rows.Add(new StageTime(stages.Ids[s], dealCount[s], visits[s], totalDays, Deals.Mean(totalDays, dealCount[s]), Deals.Median(perDealDays[s])));
        }

        return new TimeInStageReport(asOf, rows);
    }

    public static IReadOnlyList<StageInterval> Intervals(OpportunityState deal, Instant asOf)
    {
        var history = deal.History;
        var intervals = new List<StageInterval>(history.Count);
        for (var i = 0; i < history.Count && history[i].At <= asOf; i++)
        {
            var end = i + 1 < history.Count && history[i + 1].At <= asOf ? history[i + 1].At : asOf;
            intervals.Add(new StageInterval(history[i].To, history[i].At, end));
        }

        return intervals;
    }
}

/// <summary>
/// The sales cycle (created → closed) of the deals closed in a period, won and lost apart and together. The mean is the exact
/// sum of the cycles in nanoseconds divided once, so groups of deals in any order give the same figures as deals one by one.
/// </summary>
internal sealed class SalesCycleAccumulator(PipelineDefinition pipeline, Interval period, SalesCycleOptions options) : ISalesCycleGroups
{
    private readonly List<decimal> _won = [];
    private readonly List<decimal> _lost = [];
    private decimal _wonNanoseconds;
    private decimal _lostNanoseconds;

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, options.Owner) || deal.Outcome is not { } outcome || !Deals.Contains(period, outcome.ClosedAt))
        {
            return;
        }

        AddGroup(outcome.Kind, outcome.ClosedAt - deal.CreatedAt, 1);
    }

    public void AddGroup(OutcomeKind outcome, Duration cycle, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var days = Deals.Days(cycle);
        var nanoseconds = Deals.Nanoseconds(cycle) * count;
        var list = outcome == OutcomeKind.Won ? _won : _lost;
        for (var i = 0; i < count; i++)
        {
            list.Add(days);
        }

        if (outcome == OutcomeKind.Won)
        {
            _wonNanoseconds += nanoseconds;
        }
        else
        {
            _lostNanoseconds += nanoseconds;
        }
    }

    public SalesCycleReport Result()
    {
        var all = new List<decimal>(_won.Count + _lost.Count);
        all.AddRange(_won);
        all.AddRange(_lost);
        return new SalesCycleReport(
            period,
            Statistics(_won, _wonNanoseconds),
            Statistics(_lost, _lostNanoseconds),
            Statistics(all, _wonNanoseconds + _lostNanoseconds));
    }

    private static CycleStatistics Statistics(List<decimal> days, decimal nanoseconds) =>
        new(days.Count, Deals.Mean(nanoseconds / Deals.NanosecondsPerDay, days.Count), Deals.Median(days));
}
