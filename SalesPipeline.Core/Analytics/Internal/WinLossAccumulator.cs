using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>Win/loss of the deals closed in a period, in one pass, grouped by owner, loss reason and stage lost at.</summary>
internal sealed class WinLossAccumulator : IWinLossGroups
{
    private readonly PipelineDefinition _pipeline;
    private readonly Interval _period;
    private readonly WinLossOptions _options;
    private readonly StageLookup _stages;
    private readonly Group _total = new();
    private readonly Dictionary<string, Group> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LossAccumulator> _byReason = new(StringComparer.Ordinal);
    private readonly LossAccumulator _noReason = new();
    private readonly LossAccumulator _createdLost = new();
    private readonly LossAccumulator?[] _byStage;

    public WinLossAccumulator(PipelineDefinition pipeline, Interval period, WinLossOptions options)
    {
        _pipeline = pipeline;
        _period = period;
        _options = options;
        _stages = new StageLookup(pipeline);
        _byStage = new LossAccumulator?[_stages.Count];
    }

    public static WinLossReport Compute(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval period, WinLossOptions options) =>
        DealAccumulator.Run(new WinLossAccumulator(pipeline, period, options), deals);

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, _pipeline, _options.Owner))
        {
            return;
        }

        var kind = Classify(deal, _stages, _period, _options.IncludeOpenDeals);
        if (kind == Kind.None)
        {
            return;
        }

        Add(kind, deal.Owner.Value, deal.Value.Currency, 1, deal.Value.Amount, kind == Kind.Lost ? deal.Outcome!.Reason : null, kind == Kind.Lost ? deal.StageLostAt : null);
    }

    /// <inheritdoc />
    public void AddGroup(OutcomeKind? outcome, string owner, string currency, long count, decimal amount, string? reason, StageId? lostFrom) =>
        Add(outcome switch { OutcomeKind.Won => Kind.Won, OutcomeKind.Lost => Kind.Lost, _ => Kind.Open }, owner, currency, count, amount, reason, lostFrom);

    /// <inheritdoc />
    public bool CountsAsOpen(StageId stage) => _options.IncludeOpenDeals && _stages.Kinds[_stages.IndexOf(stage)] == StageKind.Open;

    private void Add(Kind kind, string ownerId, string currency, long count, decimal amount, string? reason, StageId? lostFrom)
    {
        _total.Add(kind, currency, count, amount);
        if (!_byOwner.TryGetValue(ownerId, out var owner))
        {
            owner = new Group();
            _byOwner.Add(ownerId, owner);
        }

        owner.Add(kind, currency, count, amount);
        if (kind != Kind.Lost)
        {
            return;
        }

        LossAccumulator reasonGroup;
        if (reason is null)
        {
            reasonGroup = _noReason;
        }
        else if (!_byReason.TryGetValue(reason, out reasonGroup!))
        {
            reasonGroup = new LossAccumulator();
            _byReason.Add(reason, reasonGroup);
        }

        reasonGroup.Add(currency, count, amount);
        var stageGroup = lostFrom is { } from ? _byStage[_stages.IndexOf(from)] ??= new LossAccumulator() : _createdLost;
        stageGroup.Add(currency, count, amount);
    }

    public WinLossReport Result()
    {
        var conversion = _options.Conversion;
        var totalLost = _total.Lost;
        var reasons = _byReason
            .Select(kv => kv.Value.ToGroup(kv.Key, totalLost, conversion))
            .Append(_noReason.ToGroup(null, totalLost, conversion))
            .Where(g => g.Lost > 0)
            .OrderByDescending(g => g.Lost)
            .ThenBy(g => g.Key is null)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        var lostAt = _byStage
            .Select((g, s) => g?.ToGroup(_stages.Ids[s].Value, totalLost, conversion))
            .Append(_createdLost.ToGroup(null, totalLost, conversion))
            .OfType<LossGroup>()
            .Where(g => g.Lost > 0)
            .ToArray();
        var owners = _byOwner
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new OwnerWinLoss(new UserId(kv.Key), kv.Value.ToFigures(conversion)))
            .ToArray();
        return new WinLossReport(_period, _options.IncludeOpenDeals, _total.ToFigures(conversion), owners, reasons, lostAt);
    }

    private static Kind Classify(OpportunityState deal, StageLookup stages, Interval period, bool includeOpen)
    {
        if (deal.Outcome is { } outcome && Deals.Contains(period, outcome.ClosedAt))
        {
            return outcome.Kind == OutcomeKind.Won ? Kind.Won : Kind.Lost;
        }

        if (!includeOpen)
        {
            return Kind.None;
        }

        // Open at the end of the period: the last history entry before its end leads to an open stage.
        var history = deal.History;
        var entry = period.HasEnd ? Deals.LastEntryBefore(history, period.End) : history.Count - 1;
        return entry >= 0 && stages.Kinds[stages.IndexOf(history[entry].To)] == StageKind.Open ? Kind.Open : Kind.None;
    }

    private enum Kind
    {
        None,
        Won,
        Lost,
        Open,
    }

    private struct Cell
    {
        public long Won;
        public long Lost;
        public long Open;
        public decimal WonValue;
        public decimal LostValue;
        public decimal OpenValue;
    }

    private sealed class Group
    {
        private readonly ByCurrency<Cell> _cells = new();

        public long Won { get; private set; }

        public long Lost { get; private set; }

        public long Open { get; private set; }

        public void Add(Kind kind, string currency, long count, decimal amount)
        {
            ref var cell = ref _cells[currency];
            switch (kind)
            {
                case Kind.Won:
                    Won += count;
                    cell.Won += count;
                    cell.WonValue += amount;
                    break;
                case Kind.Lost:
                    Lost += count;
                    cell.Lost += count;
                    cell.LostValue += amount;
                    break;
                default:
                    Open += count;
                    cell.Open += count;
                    cell.OpenValue += amount;
                    break;
            }
        }

        public WinLossFigures ToFigures(ExchangeRates? conversion)
        {
            var cells = _cells.Ordered().ToList();
            if (conversion is not null)
            {
                var merged = default(Cell);
                foreach (var (currency, cell) in cells)
                {
                    var rate = conversion.RateOf(currency);
                    merged.Won += cell.Won;
                    merged.Lost += cell.Lost;
                    merged.Open += cell.Open;
                    merged.WonValue += cell.WonValue * rate;
                    merged.LostValue += cell.LostValue * rate;
                    merged.OpenValue += cell.OpenValue * rate;
                }

                cells = cells.Count > 0 ? [(conversion.TargetCurrency, merged)] : [];
            }

            var values = cells
                .Select(e => new WinLossValues(
                    e.Currency,
                    e.Value.Won,
                    e.Value.Lost,
                    e.Value.Open,
                    e.Value.WonValue,
                    e.Value.LostValue,
                    e.Value.OpenValue,
                    Deals.Ratio(e.Value.WonValue, e.Value.WonValue + e.Value.LostValue + e.Value.OpenValue),
                    Deals.Mean(e.Value.WonValue, e.Value.Won)))
                .ToArray();
            return new WinLossFigures(Won, Lost, Open, Deals.Ratio(Won, Won + Lost + Open), values);
        }
    }

    private sealed class LossAccumulator
    {
        private readonly ByCurrency<LossCell> _cells = new();
        private long _count;

        public void Add(string currency, long count, decimal amount)
        {
            _count += count;
            ref var cell = ref _cells[currency];
            cell.Lost += count;
            cell.Amount += amount;
        }

        public LossGroup ToGroup(string? key, long totalLost, ExchangeRates? conversion)
        {
            var cells = _cells.Ordered().ToList();
            LossValues[] values;
            if (conversion is null)
            {
                values = [.. cells.Select(e => new LossValues(e.Currency, e.Value.Lost, e.Value.Amount))];
            }
            else
            {
                values = cells.Count == 0
                    ? []
                    : [new LossValues(conversion.TargetCurrency, _count, cells.Sum(e => e.Value.Amount * conversion.RateOf(e.Currency)))];
            }

            return new LossGroup(key, _count, totalLost == 0 ? 0m : (decimal)_count / totalLost, values);
        }
    }

    private struct LossCell
    {
        public long Lost;
        public decimal Amount;
    }
}
