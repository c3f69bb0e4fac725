using System.Globalization;

namespace SalesPipeline.Domain;

/// <summary>
/// An exact amount of money in one ISO-4217 currency. Arithmetic across currencies is refused
/// with a <see cref="CurrencyMismatchException"/>, never summed silently.
/// </summary>
/// <remarks>Values are immutable and safe to share between threads.</remarks>
public readonly record struct Money : IComparable<Money>
{
    private Money(decimal amount, string currency)
    {
        Amount = amount;
        Currency = currency;
    }

    /// <summary>Gets the amount, in units of <see cref="Currency"/> (not minor units).</summary>
    public decimal Amount { get; }

    /// <summary>Gets the upper-case ISO-4217 currency code, for example <c>PLN</c>.</summary>
    public string Currency { get; }

    /// <summary>Creates an amount of money.</summary>
    /// <param name="amount">The amount in currency units, for example <c>120000.50m</c>.</param>
    /// <param name="currency">An ISO-4217 code such as <c>PLN</c>, <c>EUR</c> or <c>usd</c> (case-insensitive).</param>
    /// <returns>The money value.</returns>
    /// <exception cref="ArgumentException"><paramref name="currency"/> is not an active ISO-4217 code.</exception>
    public static Money Of(decimal amount, string currency) => new(amount, Currencies.Normalize(currency));

    /// <summary>Creates zero in a currency.</summary>
    /// <param name="currency">An ISO-4217 code.</param>
    /// <returns>Zero of that currency.</returns>
    /// <exception cref="ArgumentException"><paramref name="currency"/> is not an active ISO-4217 code.</exception>
    public static Money Zero(string currency) => Of(0m, currency);

    /// <summary>Gets the number of decimal places the currency uses for its minor unit (2 for PLN, 0 for JPY).</summary>
    public int MinorUnitDigits => Currencies.MinorUnitDigits(Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static Money operator +(Money left, Money right)
    {
        EnsureSameCurrency(left, right, "add");
        return new Money(left.Amount + right.Amount, left.Currency);
    }

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static Money operator -(Money left, Money right)
    {
        EnsureSameCurrency(left, right, "subtract");
        return new Money(left.Amount - right.Amount, left.Currency);
    }

    /// <summary>Multiplies an amount by a factor, keeping the currency.</summary>
    /// <param name="money">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    public static Money operator *(Money money, decimal factor) => new(money.Amount * factor, money.Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <param name="other">The amount to add.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public Money Add(Money other) => this + other;

    /// <summary>Subtracts an amount of the same currency.</summary>
    /// <param name="other">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public Money Subtract(Money other) => this - other;

    /// <summary>Multiplies by a factor.</summary>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    public Money Multiply(decimal factor) => this * factor;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="other">The other amount.</param>
    /// <returns>Less than zero, zero or more than zero as this amount is smaller, equal or larger.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public int CompareTo(Money other)
    {
        EnsureSameCurrency(this, other, "compare");
        return Amount.CompareTo(other.Amount);
    }

    /// <summary>Tells whether the left amount is smaller.</summary>
    /// <param name="left">The left amount.</param>
    /// <param name="right">The right amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Tells whether the left amount is larger.</summary>
    /// <param name="left">The left amount.</param>
    /// <param name="right">The right amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Tells whether the left amount is smaller or equal.</summary>
    /// <param name="left">The left amount.</param>
    /// <param name="right">The right amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Tells whether the left amount is larger or equal.</summary>
    /// <param name="left">The left amount.</param>
    /// <param name="right">The right amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    /// <summary>Formats the amount with its currency, culture-invariant, for example <c>120000.50 PLN</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Amount} {Currency}");

    private static void EnsureSameCurrency(Money left, Money right, string operation)
    {
        if (!string.Equals(left.Currency, right.Currency, StringComparison.Ordinal))
        {
            throw new CurrencyMismatchException(left.Currency, right.Currency, operation);
        }
    }
}

/// <summary>Thrown when amounts in different currencies are combined.</summary>
public sealed class CurrencyMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <param name="operation">What was attempted, such as <c>add</c>.</param>
    public CurrencyMismatchException(string? left, string? right, string operation)
        : base($"Cannot {operation} {Describe(left)} and {Describe(right)}: amounts in different currencies are never combined silently. Aggregate per currency or convert with an exchange-rate table first.")
    {
        LeftCurrency = left ?? string.Empty;
        RightCurrency = right ?? string.Empty;
    }

    /// <summary>Gets the first currency.</summary>
    public string LeftCurrency { get; }

    /// <summary>Gets the second currency.</summary>
    public string RightCurrency { get; }

    private static string Describe(string? currency) =>
        currency ?? "an amount with no currency (default(Money); create amounts with Money.Of)";
}
