using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>The weighted forecast by expected close month, and sales velocity.</summary>
internal static class ForecastCalculator
{
    public static ForecastReport Forecast(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, ForecastOptions options) =>
        DealAccumulator.Run(new ForecastAccumulator(pipeline, asOf, options), deals);

    public static SalesVelocityReport Velocity(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, Interval period, SalesVelocityOptions options) =>
        DealAccumulator.Run(new VelocityAccumulator(pipeline, asOf, period, options), deals);

}

/// <summary>The weighted forecast: open deals by expected close month.</summary>
internal sealed class ForecastAccumulator(PipelineDefinition pipeline, Instant asOf, ForecastOptions options) : IForecastGroups
{
    private readonly StageLookup _stages = new(pipeline);
    private readonly SortedDictionary<YearMonth, OpenSums> _months = [];
    private readonly OpenSums _overdue = new(options.Conversion);

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, options.Owner) || Deals.OpenStageAt(deal, _stages, asOf) is not { } stage)
        {
            return;
        }

        Add(deal.ExpectedClose, deal.Value.Currency, stage, deal.ProbabilityOverride, 1, deal.Value.Amount);
    }

    /// <inheritdoc />
    public void AddGroup(LocalDate expectedClose, string currency, StageId stage, int? probabilityOverride, long count, decimal amount)
    {
        var index = _stages.IndexOf(stage);
        if (_stages.Kinds[index] == StageKind.Open)
        {
            Add(expectedClose, currency, index, probabilityOverride, count, amount);
        }
    }

    private void Add(LocalDate expectedClose, string currency, int stage, int? probabilityOverride, long count, decimal amount)
    {
        // Σ value × probability ÷ 100 over a group equals the group's value × probability ÷ 100 exactly (decimal, few places).
        var probability = DealProbability.Of(StageKind.Open, _stages.DefaultProbabilities[stage], probabilityOverride);
        var weighted = DealProbability.Weighted(amount, probability);
        if (options.OverdueBefore is { } due && expectedClose < due)
        {
            _overdue.Add(currency, count, amount, weighted);
            return;
        }

        var month = expectedClose.ToYearMonth();
        if (!_months.TryGetValue(month, out var sums))
        {
            sums = new OpenSums(options.Conversion);
            _months.Add(month, sums);
        }

        sums.Add(currency, count, amount, weighted);
    }

    public ForecastReport Result()
    {
        var total = new OpenSums(options.Conversion);
        total.AddAll(_overdue);
        foreach (var sums in _months.Values)
        {
            total.AddAll(sums);
        }

        var rows = _months.Select(kv => new ForecastMonth(kv.Key, kv.Value.Count, kv.Value.ToRows(total))).ToArray();
        return new ForecastReport(asOf, rows, total.ToRows()) { Overdue = _overdue.ToRows(total) };
    }
}

/// <summary>
/// Sales velocity: open deals × average won deal size × win rate ÷ average cycle length. The average cycle is the exact sum
/// of the cycles in nanoseconds divided once, as <see cref="SalesCycleAccumulator"/> takes it, so velocity assembled from a
/// store's win/loss and cycle figures (<see cref="Assemble"/>) equals this pass to the last digit.
/// </summary>
internal sealed class VelocityAccumulator(PipelineDefinition pipeline, Instant asOf, Interval period, SalesVelocityOptions options) : IDealAccumulator<SalesVelocityReport>
{
    private readonly StageLookup _stages = new(pipeline);
    private readonly OpenSums _open = new(options.Conversion);
    private readonly OpenSums _wonValues = new(options.Conversion);
    private long _won;
    private long _lost;
    private long _cycleCount;
    private decimal _cycleNanoseconds;

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, options.Owner))
        {
            return;
        }

        if (Deals.OpenStageAt(deal, _stages, asOf) is not null)
        {
            _open.Add(deal.Value.Currency, 1, 0m, 0m);
        }

        if (deal.Outcome is not { } outcome || !Deals.Contains(period, outcome.ClosedAt))
        {
            return;
        }

        var isWon = outcome.Kind == OutcomeKind.Won;
        if (isWon)
        {
            _won++;
            _wonValues.Add(deal.Value.Currency, 1, deal.Value.Amount, 0m);
        }
        else
        {
            _lost++;
        }

        if (isWon || options.CycleBasis == VelocityCycleBasis.AllClosedDeals)
        {
            _cycleCount++;
            _cycleNanoseconds += Deals.Nanoseconds(outcome.ClosedAt - deal.CreatedAt);
        }
    }

    public SalesVelocityReport Result() => Assemble(
        asOf,
        period,
        options.CycleBasis,
        [.. _open.ToRows().Select(r => (r.Currency, r.Count))],
        _won,
        _lost,
        [.. _wonValues.ToRows().Select(r => (r.Currency, r.Count, r.Value))],
        Deals.Mean(_cycleNanoseconds / Deals.NanosecondsPerDay, _cycleCount));

    /// <summary>
    /// The report from its inputs: open deals per currency, won and lost counts, won deals' count and value per currency (only
    /// currencies with a win) and the average cycle in days.
    /// </summary>
    public static SalesVelocityReport Assemble(
        Instant asOf,
        Interval period,
        VelocityCycleBasis cycleBasis,
        IReadOnlyList<(string Currency, long Count)> open,
        long won,
        long lost,
        IReadOnlyList<(string Currency, long Count, decimal Value)> wonValues,
        decimal? averageCycle)
    {
        var winRate = Deals.Ratio(won, won + lost);
        var currencies = open.Select(r => r.Currency).Union(wonValues.Select(r => r.Currency)).Order(StringComparer.Ordinal);
        var values = currencies
            .Select(currency =>
            {
                var openDeals = open.FirstOrDefault(r => r.Currency == currency).Count;
                var wonRow = wonValues.FirstOrDefault(r => r.Currency == currency);
                var averageWon = wonRow.Currency is null ? null : Deals.Mean(wonRow.Value, wonRow.Count);
                decimal? perDay = averageWon is { } size && winRate is { } rate && averageCycle is { } cycle && cycle > 0m
                    ? openDeals * size * rate / cycle
                    : null;
                return new VelocityValues(currency, openDeals, averageWon, perDay);
            })
            .ToArray();
        return new SalesVelocityReport(asOf, period, cycleBasis, open.Sum(r => r.Count), won, lost, winRate, averageCycle, values);
    }
}
