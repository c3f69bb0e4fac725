using System.Collections.Frozen;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// A rate table the caller supplies to report amounts of several currencies in one target currency.
/// Without one, every calculator aggregates per currency: amounts in different currencies are never summed silently.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads. Conversion is exact decimal multiplication
/// (<c>amount × rate</c>), not rounded to the target currency's minor unit; calculators convert per-currency
/// totals after summing them, which equals converting each deal and summing.
/// </remarks>
/// <example>
/// <code>
/// var rates = new ExchangeRates("PLN", new Dictionary&lt;string, decimal&gt; { ["EUR"] = 4.25m, ["USD"] = 3.90m });
/// var funnel = PipelineAnalytics.Snapshot(deals, pipeline, asOf, new SnapshotFunnelOptions { Conversion = rates });
/// </code>
/// </example>
public sealed class ExchangeRates
{
    private readonly FrozenDictionary<string, decimal> _rates;

    /// <summary>Creates a rate table.</summary>
    /// <param name="targetCurrency">The ISO-4217 code every amount is converted to, such as <c>PLN</c>.</param>
    /// <param name="ratesToTarget">
    /// For each source currency, how many units of <paramref name="targetCurrency"/> one unit of it is worth
    /// (for example <c>EUR → 4.25</c> when the target is PLN). The target's own rate is 1 and may be left out.
    /// </param>
    /// <exception cref="ArgumentException">A code is not an active ISO-4217 code, or a currency is listed twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate is zero or negative, or the target's own rate is not 1.</exception>
    public ExchangeRates(string targetCurrency, IEnumerable<KeyValuePair<string, decimal>> ratesToTarget)
    {
        ArgumentNullException.ThrowIfNull(ratesToTarget);
        TargetCurrency = Money.Zero(targetCurrency).Currency;
        var rates = new Dictionary<string, decimal>(StringComparer.Ordinal) { [TargetCurrency] = 1m };
        foreach (var (currency, rate) in ratesToTarget)
        {
            var code = Money.Zero(currency).Currency;
            if (rate <= 0m)
            {
                throw new ArgumentOutOfRangeException(nameof(ratesToTarget), rate, $"The rate from {code} to {TargetCurrency} must be greater than 0, was {rate}.");
            }

            if (code == TargetCurrency)
            {
                if (rate != 1m)
                {
                    throw new ArgumentOutOfRangeException(nameof(ratesToTarget), rate, $"The rate from {code} to itself must be 1, was {rate}.");
                }

                continue;
            }

            if (!rates.TryAdd(code, rate))
            {
                throw new ArgumentException($"The rate from {code} to {TargetCurrency} is given more than once.", nameof(ratesToTarget));
            }
        }

        _rates = rates.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the ISO-4217 code every amount is converted to.</summary>
    public string TargetCurrency { get; }

    /// <summary>Gets the currencies the table can convert from, the target included, in ordinal order.</summary>
    public IReadOnlyList<string> Currencies => [.. _rates.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets how many units of <see cref="TargetCurrency"/> one unit of <paramref name="currency"/> is worth.</summary>
    /// <param name="currency">An ISO-4217 code.</param>
    /// <returns>The rate; 1 for the target currency.</returns>
    /// <exception cref="MissingExchangeRateException">The table has no rate for <paramref name="currency"/>.</exception>
    public decimal RateOf(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return _rates.TryGetValue(currency, out var rate) || _rates.TryGetValue(currency.Trim().ToUpperInvariant(), out rate)
            ? rate
            : throw new MissingExchangeRateException(currency, TargetCurrency);
    }

    /// <summary>Converts an amount to <see cref="TargetCurrency"/>: <c>amount × rate</c>, exact, not rounded.</summary>
    /// <param name="money">The amount.</param>
    /// <returns>The amount in the target currency.</returns>
    /// <exception cref="MissingExchangeRateException">The table has no rate for the amount's currency.</exception>
    public Money Convert(Money money) => Money.Of(money.Amount * RateOf(money.Currency), TargetCurrency);
}

/// <summary>Thrown when amounts must be converted but the caller's <see cref="ExchangeRates"/> has no rate for a currency.</summary>
public sealed class MissingExchangeRateException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fromCurrency">The currency without a rate.</param>
    /// <param name="toCurrency">The target currency.</param>
    public MissingExchangeRateException(string fromCurrency, string toCurrency)
        : base($"There is no exchange rate from {fromCurrency} to {toCurrency}: add one to the ExchangeRates, or leave Conversion unset to report per currency.")
    {
        FromCurrency = fromCurrency;
        ToCurrency = toCurrency;
    }

    /// <summary>Gets the currency without a rate.</summary>
    public string FromCurrency { get; }

    /// <summary>Gets the target currency.</summary>
    public string ToCurrency { get; }
}
