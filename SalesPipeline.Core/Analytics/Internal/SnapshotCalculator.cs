using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// The snapshot funnel. The in-memory pass produces exactly what <see cref="IPipelineAggregates"/> returns
/// (<see cref="StageTotals"/> and <see cref="ClosedTotals"/>), and one assembly turns either into the funnel, so the
/// in-memory and the store's (SQL) answers cannot drift apart.
/// </summary>
internal static class SnapshotCalculator
{
    public static SnapshotFunnel Compute(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, SnapshotFunnelOptions options)
    {
        var period = ClosedPeriod(options, asOf);
        var pass = new Pass(pipeline, asOf, period, options.Owner);
        pass.AddAll(deals);
        return Assemble(pipeline, asOf, period, pass.StageTotals(), pass.ClosedTotals(), options.Conversion);
    }

    /// <summary>The period of won and lost deals: the option, or everything closed at or before <paramref name="asOf"/>.</summary>
    public static Interval ClosedPeriod(SnapshotFunnelOptions options, Instant asOf) =>
        options.ClosedPeriod ?? new Interval(null, asOf == Instant.MaxValue ? null : asOf + Duration.Epsilon);

    public static SnapshotFunnel Assemble(
        PipelineDefinition pipeline,
        Instant asOf,
        Interval closedPeriod,
        IReadOnlyList<StageTotals> stageTotals,
        IReadOnlyList<ClosedTotals> closedTotals,
        ExchangeRates? conversion)
    {
        var open = pipeline.OpenStages;
        var perStage = new OpenSums[open.Count];
        var total = new OpenSums(conversion);
        for (var s = 0; s < open.Count; s++)
        {
            perStage[s] = new OpenSums(conversion);
        }

        foreach (var row in stageTotals)
        {
            var s = IndexOf(open, row.Stage);
            if (s < 0)
            {
                _ = pipeline.Stage(row.Stage); // an unknown stage throws; a closed one has no place in the funnel
                continue;
            }

            perStage[s].Add(row.Currency, row.Count, row.Value, row.WeightedValue);
        }

        foreach (var sums in perStage)
        {
            total.AddAll(sums);
        }

        var stages = new SnapshotFunnelStage[open.Count];
        for (var s = 0; s < open.Count; s++)
        {
            stages[s] = new SnapshotFunnelStage(open[s], perStage[s].Count, Deals.Ratio(perStage[s].Count, total.Count), perStage[s].ToRows(total));
        }

        var wonValues = new MoneySums(conversion);
        var lostValues = new MoneySums(conversion);
        long won = 0, lost = 0;
        foreach (var row in closedTotals)
        {
            won += row.WonCount;
            lost += row.LostCount;
            if (row.WonCount > 0)
            {
                wonValues.Add(row.Currency, row.WonValue);
            }

            if (row.LostCount > 0)
            {
                lostValues.Add(row.Currency, row.LostValue);
            }
        }

        return new SnapshotFunnel(asOf, closedPeriod, stages, total.Count, total.ToRows(), new ClosedDeals(won, wonValues.ToList()), new ClosedDeals(lost, lostValues.ToList()));
    }

    private static int IndexOf(IReadOnlyList<StageId> stages, StageId stage)
    {
        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i] == stage)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// One pass over the deals. Nothing is allocated per deal: the stage at the as-of instant is found by scanning the
    /// history from its end, stages and currencies are found by reference comparison, and sums go into arrays of cells
    /// indexed by currency × stage. The weighted value is kept as Σ value of the deals at the stage's default probability
    /// plus Σ value × probability of the deals with an override, and divided by 100 once at the end (exact in decimal).
    /// </summary>
    internal sealed class Pass
    {
        private readonly StageLookup _stages;
        private readonly string _pipelineId;
        private readonly string? _owner;
        private readonly Instant _asOf;
        private readonly bool _closedHasStart;
        private readonly bool _closedHasEnd;
        private readonly Instant _closedStart;
        private readonly Instant _closedEnd;
        private readonly CurrencyTable _currencies = new();
        private Cell[] _cells;
        private ClosedCell[] _closed;

        public Pass(PipelineDefinition pipeline, Instant asOf, Interval closedPeriod, UserId? owner)
        {
            _stages = new StageLookup(pipeline);
            _pipelineId = pipeline.Id.Value;
            _owner = owner?.Value;
            _asOf = asOf;
            _closedHasStart = closedPeriod.HasStart;
            _closedHasEnd = closedPeriod.HasEnd;
            _closedStart = closedPeriod.HasStart ? closedPeriod.Start : default;
            _closedEnd = closedPeriod.HasEnd ? closedPeriod.End : default;
            _cells = new Cell[_stages.Count * 2];
            _closed = new ClosedCell[2];
        }

        public void AddAll(IEnumerable<OpportunityState> deals)
        {
            switch (deals)
            {
                case OpportunityState[] array:
                    AddAll(array.AsSpan());
                    break;
                case List<OpportunityState> list:
                    AddAll(CollectionsMarshal.AsSpan(list));
                    break;
                default:
                    foreach (var deal in deals)
                    {
                        Add(deal);
                    }

                    break;
            }
        }

        public IReadOnlyList<StageTotals> StageTotals()
        {
            var rows = new List<StageTotals>();
            var order = new int[_currencies.Count];
            for (var c = 0; c < order.Length; c++)
            {
                order[c] = c;
            }

            Array.Sort(order, (a, b) => string.CompareOrdinal(_currencies[a], _currencies[b]));
            for (var s = 0; s < _stages.Count; s++)
            {
                foreach (var c in order)
                {
                    ref var cell = ref _cells[(c * _stages.Count) + s];
                    if (cell.Count > 0)
                    {
                        var weighted = (((cell.Value - cell.OverrideValue) * _stages.DefaultProbabilities[s]) + cell.OverrideWeighted) / 100m;
                        rows.Add(new StageTotals(_stages.Ids[s], _currencies[c], cell.Count, cell.Value, weighted));
                    }
                }
            }

            return rows;
        }

        public IReadOnlyList<ClosedTotals> ClosedTotals()
        {
            var rows = new List<ClosedTotals>();
            for (var c = 0; c < _currencies.Count; c++)
            {
                ref var cell = ref _closed[c];
                if (cell.WonCount + cell.LostCount > 0)
                {
                    rows.Add(new ClosedTotals(_currencies[c], cell.WonCount, cell.WonValue, cell.LostCount, cell.LostValue));
                }
            }

            rows.Sort((a, b) => string.CompareOrdinal(a.Currency, b.Currency));
            return rows;
        }

        private void AddAll(ReadOnlySpan<OpportunityState> deals)
        {
            foreach (var deal in deals)
            {
                Add(deal);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Add(OpportunityState deal)
        {
            if (!Deals.SameText(deal.PipelineId.Value, _pipelineId) || (_owner is not null && !Deals.SameText(deal.Owner.Value, _owner)))
            {
                return;
            }

            if (deal.Outcome is { } outcome)
            {
                AddClosed(deal, outcome);
            }

            var history = deal.History;
            var entry = Deals.LastEntryAtOrBefore(history, _asOf);
            if (entry < 0)
            {
                return;
            }

            var stage = _stages.IndexOf(history[entry].To);
            if (_stages.Kinds[stage] != StageKind.Open)
            {
                return;
            }

            var value = deal.Value;
            var c = CurrencyIndex(value.Currency);

            ref var cell = ref _cells[(c * _stages.Count) + stage];
            cell.Count++;
            cell.Value += value.Amount;
            if (deal.ProbabilityOverride is { } probability)
            {
                cell.OverrideValue += value.Amount;
                cell.OverrideWeighted += value.Amount * probability;
            }
        }

        private void AddClosed(OpportunityState deal, Outcome outcome)
        {
            var at = outcome.ClosedAt;
            if ((_closedHasStart && at < _closedStart) || (_closedHasEnd && at >= _closedEnd))
            {
                return;
            }

            var c = CurrencyIndex(deal.Value.Currency);

            ref var cell = ref _closed[c];
            if (outcome.Kind == OutcomeKind.Won)
            {
                cell.WonCount++;
                cell.WonValue += deal.Value.Amount;
            }
            else
            {
                cell.LostCount++;
                cell.LostValue += deal.Value.Amount;
            }
        }

        /// <summary>The currency's index; a new currency (rare: the number of currencies is bounded) widens the cell arrays.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int CurrencyIndex(string currency)
        {
            var c = _currencies.IndexOf(currency);
            if (c >= _closed.Length)
            {
                Array.Resize(ref _closed, _closed.Length * 2);
                Array.Resize(ref _cells, _closed.Length * _stages.Count);
            }

            return c;
        }

        private struct Cell
        {
            public long Count;
            public decimal Value;
            public decimal OverrideValue;
            public decimal OverrideWeighted;
        }

        private struct ClosedCell
        {
            public long WonCount;
            public decimal WonValue;
            public long LostCount;
            public decimal LostValue;
        }
    }
}
