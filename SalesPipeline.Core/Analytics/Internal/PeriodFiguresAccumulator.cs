using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>Computes <see cref="PeriodFiguresReport"/> in one pass with constant memory (a few sums per currency).</summary>
internal sealed class PeriodFiguresAccumulator(PipelineDefinition pipeline, Interval period, UserId? owner) : IDealAccumulator<PeriodFiguresReport>
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

        _hasDeals = true;
        var currency = deal.Value.Currency;
        if (!_sums.TryGetValue(currency, out var sums))
        {
            sums = new Sums();
            _sums.Add(currency, sums);
        }

        var amount = deal.Value.Amount;
        if (Deals.Contains(period, deal.CreatedAt))
        {
            sums.Created++;
            sums.CreatedValue += amount;
        }

        if (deal.Outcome is { } outcome && Deals.Contains(period, outcome.ClosedAt))
        {
            if (outcome.Kind == OutcomeKind.Won)
            {
                sums.Won++;
                sums.CycleDays += Deals.Days(outcome.ClosedAt - deal.CreatedAt);
            }
            else
            {
                sums.Lost++;
            }
        }

        // The end of the period is exclusive: the snapshot is of the last instant inside it, as the report's as-of instant.
        if (Deals.OpenStageAt(deal, _stages, period.End) is { } stage)
        {
            var probability = DealProbability.Of(StageKind.Open, _stages.DefaultProbabilities[stage], deal.ProbabilityOverride);
            sums.Open++;
            sums.OpenValue += amount;
            sums.Weighted += DealProbability.Weighted(amount, probability);
        }
    }

    public PeriodFiguresReport Result() => new(
        period,
        _hasDeals,
        [.. _sums.Select(kv => new PeriodFigures(
            kv.Key,
            kv.Value.Won,
            kv.Value.Lost,
            Deals.Ratio(kv.Value.Won, kv.Value.Won + kv.Value.Lost),
            Deals.Mean(kv.Value.CycleDays, kv.Value.Won),
            kv.Value.Created,
            kv.Value.CreatedValue,
            kv.Value.Open,
            kv.Value.OpenValue,
            kv.Value.Weighted))]);

    private sealed class Sums
    {
        public long Won;
        public long Lost;
        public decimal CycleDays;
        public long Created;
        public decimal CreatedValue;
        public long Open;
        public decimal OpenValue;
        public decimal Weighted;
    }
}
