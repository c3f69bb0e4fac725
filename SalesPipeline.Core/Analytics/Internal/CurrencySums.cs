using SalesPipeline.Domain;

namespace SalesPipeline.Analytics.Internal;

/// <summary>Count, value and weighted value of open deals in one currency, while being summed.</summary>
internal struct OpenSum
{
    public long Count;
    public decimal Value;
    public decimal Weighted;
}

/// <summary>
/// Open-deal totals keyed by currency in ordinal order. With a rate table every amount is converted on the way in, so
/// there is one key, the target currency; without one, currencies are kept apart and never summed.
/// </summary>
internal sealed class OpenSums(ExchangeRates? conversion)
{
    private readonly SortedDictionary<string, OpenSum> _sums = new(StringComparer.Ordinal);

    public long Count { get; private set; }

    public void Add(string currency, long count, decimal value, decimal weighted)
    {
        if (conversion is not null)
        {
            var rate = conversion.RateOf(currency);
            currency = conversion.TargetCurrency;
            value *= rate;
            weighted *= rate;
        }

        var sum = _sums.GetValueOrDefault(currency);
        sum.Count += count;
        sum.Value += value;
        sum.Weighted += weighted;
        _sums[currency] = sum;
        Count += count;
    }

    public void AddAll(OpenSums other)
    {
        foreach (var (currency, sum) in other._sums)
        {
            Add(currency, sum.Count, sum.Value, sum.Weighted);
        }
    }

    /// <summary>The rows, with each currency's share of <paramref name="total"/> (this set itself when null).</summary>
    public IReadOnlyList<OpenDealTotals> ToRows(OpenSums? total = null)
    {
        var rows = new OpenDealTotals[_sums.Count];
        var i = 0;
        foreach (var (currency, sum) in _sums)
        {
            var whole = total is null ? sum.Value : total._sums.GetValueOrDefault(currency).Value;
            rows[i++] = new OpenDealTotals(currency, sum.Count, sum.Value, sum.Weighted, Deals.Ratio(sum.Value, whole));
        }

        return rows;
    }
}

/// <summary>Amounts keyed by currency in ordinal order, converted on the way in when a rate table is given.</summary>
internal sealed class MoneySums(ExchangeRates? conversion)
{
    private readonly SortedDictionary<string, decimal> _sums = new(StringComparer.Ordinal);

    public void Add(string currency, decimal amount)
    {
        if (conversion is not null)
        {
            amount *= conversion.RateOf(currency);
            currency = conversion.TargetCurrency;
        }

        _sums[currency] = _sums.GetValueOrDefault(currency) + amount;
    }

    public IReadOnlyList<Money> ToList()
    {
        var list = new Money[_sums.Count];
        var i = 0;
        foreach (var (currency, amount) in _sums)
        {
            list[i++] = Money.Of(amount, currency);
        }

        return list;
    }
}

/// <summary>
/// Maps currency codes to small indexes for array-based accumulation, without hashing: codes are usually the same string
/// instances deal after deal, so a reference comparison finds them; an ordinal comparison is the fallback.
/// </summary>
internal sealed class CurrencyTable
{
    private string[] _codes = new string[4];

    public int Count { get; private set; }

    public string this[int index] => _codes[index];

    public int IndexOf(string code)
    {
        var codes = _codes;
        var count = Count;
        for (var i = 0; i < count; i++)
        {
            if (ReferenceEquals(codes[i], code))
            {
                return i;
            }
        }

        return IndexOfSlow(code);
    }

    private int IndexOfSlow(string code)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_codes[i], code, StringComparison.Ordinal))
            {
                return i;
            }
        }

        if (Count == _codes.Length)
        {
            Array.Resize(ref _codes, Count * 2);
        }

        _codes[Count] = code;
        return Count++;
    }
}

/// <summary>
/// A few values keyed by currency, for per-deal accumulation without hashing or allocation once every currency has been
/// seen: a linear search by reference, then by ordinal comparison (a pipeline has a handful of currencies).
/// </summary>
internal sealed class ByCurrency<T>
    where T : struct
{
    private string[] _codes = new string[2];
    private T[] _values = new T[2];

    public int Count { get; private set; }

    public ref T this[string currency]
    {
        get
        {
            for (var i = 0; i < Count; i++)
            {
                if (ReferenceEquals(_codes[i], currency))
                {
                    return ref _values[i];
                }
            }

            return ref Slow(currency);
        }
    }

    /// <summary>The entries in ordinal order of currency.</summary>
    public IEnumerable<(string Currency, T Value)> Ordered() =>
        Enumerable.Range(0, Count).Select(i => (_codes[i], _values[i])).OrderBy(e => e.Item1, StringComparer.Ordinal);

    private ref T Slow(string currency)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_codes[i], currency, StringComparison.Ordinal))
            {
                return ref _values[i];
            }
        }

        if (Count == _codes.Length)
        {
            Array.Resize(ref _codes, Count * 2);
            Array.Resize(ref _values, Count * 2);
        }

        _codes[Count] = currency;
        return ref _values[Count++];
    }
}
