using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Computes <see cref="PeriodFiguresReport"/> in one pass with constant memory (a few sums per currency). The won deals' cycles
/// are summed exactly in nanoseconds and divided once, so groups of deals in any order give the same mean as deals one by one.
/// </summary>
internal sealed class PeriodFiguresAccumulator(PipelineDefinition pipeline, Interval period, UserId? owner) : IPeriodFiguresGroups
{
    private readonly StageLookup _stages = new(pipeline);
    private readonly SortedDictionary<string, Sums> _sums = new(StringComparer.Ordinal);
    private bool _hasDeals;

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, owner) || deal.CreatedAt > period.End)
        {
            return;
        }

        var currency = deal.Value.Currency;
        var closedInPeriod = deal.Outcome is { } outcome && Deals.Contains(period, outcome.ClosedAt) ? outcome.Kind : (OutcomeKind?)null;

        // The end of the period is exclusive: the snapshot is of the last instant inside it, as the report's as-of instant.
        var stage = Deals.OpenStageAt(deal, _stages, period.End);
        Add(SumsOf(currency), deal.ProbabilityOverride, Deals.Contains(period, deal.CreatedAt), closedInPeriod, stage, 1, deal.Value.Amount);
        if (closedInPeriod == OutcomeKind.Won)
        {
            AddWonCycles(currency, deal.Outcome!.ClosedAt - deal.CreatedAt, 1);
        }
    }

    /// <inheritdoc />
    public void AddGroup(string currency, int? probabilityOverride, bool createdInPeriod, OutcomeKind? closedInPeriod, StageId? stageAtEnd, long count, decimal amount)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int? stage = stageAtEnd is { } id && _stages.IndexOf(id) is var index && _stages.Kinds[index] == StageKind.Open ? index : null;
        Add(SumsOf(currency), probabilityOverride, createdInPeriod, closedInPeriod, stage, count, amount);
    }

    /// <inheritdoc />
    public void AddWonCycles(string currency, Duration cycle, long count)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        SumsOf(currency).CycleNanoseconds += Deals.Nanoseconds(cycle) * count;
    }

    public PeriodFiguresReport Result() => new(
        period,
        _hasDeals,
        [.. _sums.Select(kv => new PeriodFigures(
            kv.Key,
            kv.Value.Won,
            kv.Value.Lost,
            Deals.Ratio(kv.Value.Won, kv.Value.Won + kv.Value.Lost),
            Deals.Mean(kv.Value.CycleNanoseconds / Deals.NanosecondsPerDay, kv.Value.Won),
            kv.Value.Created,
            kv.Value.CreatedValue,
            kv.Value.Open,
            kv.Value.OpenValue,
            kv.Value.Weighted))]);

    private Sums SumsOf(string currency)
    {
        if (!_sums.TryGetValue(currency, out var sums))
        {
            sums = new Sums();
            _sums.Add(currency, sums);
        }

        return sums;
    }

    private void Add(Sums sums, int? probabilityOverride, bool createdInPeriod, OutcomeKind? closedInPeriod, int? openStageAtEnd, long count, decimal amount)
    {
        _hasDeals |= count > 0;
        if (createdInPeriod)
        {
            sums.Created += count;
            sums.CreatedValue += amount;
        }

        if (closedInPeriod == OutcomeKind.Won)
        {
            sums.Won += count;
        }
        else if (closedInPeriod == OutcomeKind.Lost)
        {
            sums.Lost += count;
        }

        // Σ value × probability ÷ 100 over a group equals the group's value × probability ÷ 100 exactly (decimal, few places).
        if (openStageAtEnd is { } stage)
        {
            var probability = DealProbability.Of(StageKind.Open, _stages.DefaultProbabilities[stage], probabilityOverride);
            sums.Open += count;
            sums.OpenValue += amount;
            sums.Weighted += DealProbability.Weighted(amount, probability);
        }
    }

    private sealed class Sums
    {
        public long Won;
        public long Lost;
        public decimal CycleNanoseconds;
        public long Created;
        public decimal CreatedValue;
        public long Open;
        public decimal OpenValue;
        public decimal Weighted;
    }
}
