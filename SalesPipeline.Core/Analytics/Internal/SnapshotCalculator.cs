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
        return Assemble(pipeline, asOf, period, pass.Cells.StageTotals(), pass.Cells.ClosedTotals(), options.Conversion);
    }

    public static SnapshotFunnel Compute(DealTable table, Instant asOf, SnapshotFunnelOptions options)
    {
        var period = ClosedPeriod(options, asOf);
        var currencies = new CurrencyTable();
        foreach (var code in table.Currencies)
        {
            _ = currencies.IndexOf(code);
        }

        var cells = new SnapshotCells(table.Stages, currencies);
        AddAll(table, asOf, period, options.Owner, cells);
        return Assemble(table.Pipeline, asOf, period, cells.StageTotals(), cells.ClosedTotals(), options.Conversion);
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
    /// One pass over a <see cref="DealTable"/>, the same as <see cref="Pass"/> over the deals it was built from: the same
    /// deals in the same order add the same amounts into the same cells. Instants compare as ticks, and the nanoseconds
    /// within a tick only on a tie (see <see cref="TickColumn"/>); an open end of the close period is a tick no instant reaches.
    /// </summary>
    private static void AddAll(DealTable table, Instant asOf, Interval closedPeriod, UserId? owner, SnapshotCells cells)
    {
        var ownerIndex = -1;
        if (owner?.Value is { } ownerId)
        {
            ownerIndex = table.OwnerIndex(ownerId);
            if (ownerIndex < 0)
            {
                return; // nobody's deals: every cell stays empty
            }
        }

        var (asOfTicks, asOfRemainder) = TickColumn.Split(asOf);
        var (startTicks, startRemainder) = closedPeriod.HasStart ? TickColumn.Split(closedPeriod.Start) : (long.MinValue, (byte)0);
        var (endTicks, endRemainder) = closedPeriod.HasEnd ? TickColumn.Split(closedPeriod.End) : (long.MaxValue, (byte)0);

        var amounts = table.Amount;
        var currencies = table.Currency;
        var flags = table.Flags;
        var overrides = table.Override;
        var owners = table.Owner;
        var closedAt = table.ClosedAt.Ticks;
        var closedRemainders = table.ClosedAt.Remainders;
        var historyStart = table.HistoryStart;
        var changeAt = table.ChangeAt.Ticks;
        var changeRemainders = table.ChangeAt.Remainders;
        var changeStage = table.ChangeStage;
        var kinds = table.Stages.Kinds;
        var stageCount = table.Stages.Count;
        var open = cells.Open;
        var closed = cells.Closed;

        for (var i = 0; i < amounts.Length; i++)
        {
            if (ownerIndex >= 0 && owners[i] != ownerIndex)
            {
                continue;
            }

            var flag = flags[i];
            if ((flag & DealTable.DealFlags.Closed) != 0)
            {
                var at = closedAt[i];
                var remainder = closedRemainders is null ? 0 : closedRemainders[i];
                if ((at > startTicks || (at == startTicks && remainder >= startRemainder))
                    && (at < endTicks || (at == endTicks && remainder < endRemainder)))
                {
                    ref var cell = ref closed[currencies[i]];
                    if ((flag & DealTable.DealFlags.Won) != 0)
                    {
                        cell.WonCount++;
                        cell.WonValue += amounts[i];
                    }
                    else
                    {
                        cell.LostCount++;
                        cell.LostValue += amounts[i];
                    }
                }
            }

            // The last history entry at or before the as-of instant, scanning from the end as over the deals.
            var entry = historyStart[i + 1] - 1;
            var first = historyStart[i];
            while (entry >= first)
            {
                var at = changeAt[entry];
                if (at < asOfTicks || (at == asOfTicks && (changeRemainders is null || changeRemainders[entry] <= asOfRemainder)))
                {
                    break;
                }

                entry--;
            }

            if (entry < first)
            {
                continue;
            }

            int stage = changeStage[entry];
            if (kinds[stage] != StageKind.Open)
            {
                continue;
            }

            ref var openCell = ref open[(currencies[i] * stageCount) + stage];
            var amount = amounts[i];
            openCell.Count++;
            openCell.Value += amount;
            if ((flag & DealTable.DealFlags.HasOverride) != 0)
            {
                openCell.OverrideValue += amount;
                openCell.OverrideWeighted += amount * overrides[i];
            }
        }
    }

    /// <summary>
    /// One pass over deal objects into <see cref="SnapshotCells"/>. Nothing is allocated per deal: the stage at the as-of
    /// instant is found by scanning the history from its end, and stages and currencies are found by reference comparison.
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
            Cells = new SnapshotCells(_stages, new CurrencyTable());
        }

        public SnapshotCells Cells { get; }

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

        private void AddAll(ReadOnlySpan<OpportunityState> deals)
        {
            foreach (var deal in deals)
            {
                Add(deal);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(OpportunityState deal)
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
            var c = Cells.CurrencyIndex(value.Currency);

            ref var cell = ref Cells.Open[(c * _stages.Count) + stage];
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

            var c = Cells.CurrencyIndex(deal.Value.Currency);

            ref var cell = ref Cells.Closed[c];
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
    }
}
