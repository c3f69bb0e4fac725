using SalesPipeline.Abstractions;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// The sums of one snapshot-funnel pass: open deals in cells indexed by currency × stage, closed deals in cells indexed by
/// currency. Every in-memory pass (over deal objects, or over a <see cref="DealTable"/>) adds into these cells with the same
/// arithmetic in the same deal order, and turns them into the <see cref="StageTotals"/> and <see cref="ClosedTotals"/> a store
/// computes in SQL, so that one assembly makes every funnel. The weighted value is kept as Σ value of the deals at the
/// stage's default probability plus Σ value × probability of the deals with an override, and divided by 100 once at the
/// end (exact in decimal).
/// </summary>
internal sealed class SnapshotCells
{
    private readonly StageLookup _stages;
    private readonly CurrencyTable _currencies;

    /// <summary>Creates empty cells for the currencies already in <paramref name="currencies"/> (and room for more).</summary>
    public SnapshotCells(StageLookup stages, CurrencyTable currencies)
    {
        _stages = stages;
        _currencies = currencies;
        var capacity = Math.Max(2, currencies.Count);
        Open = new OpenCell[capacity * stages.Count];
        Closed = new ClosedCell[capacity];
    }

    /// <summary>Gets the open-deal cells; index = currency × stage count + stage. Passes add into them by reference.</summary>
    public OpenCell[] Open { get; private set; }

    /// <summary>Gets the closed-deal cells, by currency.</summary>
    public ClosedCell[] Closed { get; private set; }

    /// <summary>The currency's index; a new currency (rare: the number of currencies is bounded) widens the cell arrays.</summary>
    public int CurrencyIndex(string currency)
    {
        var c = _currencies.IndexOf(currency);
        if (c >= Closed.Length)
        {
            var closed = Closed;
            var open = Open;
            Array.Resize(ref closed, Closed.Length * 2);
            Array.Resize(ref open, closed.Length * _stages.Count);
            Closed = closed;
            Open = open;
        }

        return c;
    }

    /// <summary>The open stages' rows, in pipeline order, then ordinal order of currency; empty cells left out.</summary>
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
                ref var cell = ref Open[(c * _stages.Count) + s];
                if (cell.Count > 0)
                {
                    // DealProbability's rule summed per cell: Σ value × probability, divided by 100 once.
                    var weighted = (((cell.Value - cell.OverrideValue) * _stages.DefaultProbabilities[s]) + cell.OverrideWeighted) / 100m;
                    rows.Add(new StageTotals(_stages.Ids[s], _currencies[c], cell.Count, cell.Value, weighted));
                }
            }
        }

        return rows;
    }

    /// <summary>The won and lost rows, in ordinal order of currency; currencies without closed deals left out.</summary>
    public IReadOnlyList<ClosedTotals> ClosedTotals()
    {
        var rows = new List<ClosedTotals>();
        for (var c = 0; c < _currencies.Count; c++)
        {
            ref var cell = ref Closed[c];
            if (cell.WonCount + cell.LostCount > 0)
            {
                rows.Add(new ClosedTotals(_currencies[c], cell.WonCount, cell.WonValue, cell.LostCount, cell.LostValue));
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Currency, b.Currency));
        return rows;
    }

    /// <summary>Open deals of one stage in one currency.</summary>
    internal struct OpenCell
    {
        public long Count;
        public decimal Value;
        public decimal OverrideValue;
        public decimal OverrideWeighted;
    }

    /// <summary>Deals won and lost in the period, in one currency.</summary>
    internal struct ClosedCell
    {
        public long WonCount;
        public decimal WonValue;
        public long LostCount;
        public decimal LostValue;
    }
}
