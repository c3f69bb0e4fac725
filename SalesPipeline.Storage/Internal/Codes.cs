using System.Collections.Frozen;
using System.Globalization;
using NodaTime.Text;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Enum values are stored by name in lower case ("meeting", "won"), not by number, so reordering an enum cannot
/// silently change stored data and a person reading the tables understands them.
/// </summary>
internal static class Codes
{
    public static string Of<T>(T value)
        where T : struct, Enum => Cache<T>.Names.TryGetValue(value, out var name) ? name : Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    public static T Parse<T>(string code)
        where T : struct, Enum => Cache<T>.Values.TryGetValue(code, out var value)
            ? value
            : Enum.TryParse<T>(code, ignoreCase: true, out var parsed)
                ? parsed
                : throw new InvalidDataException($"The stored {typeof(T).Name} '{code}' is not known to this version of SalesPipeline.");

    private static class Cache<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => v.ToString().ToLowerInvariant());

        public static readonly FrozenDictionary<string, T> Values =
            Enum.GetValues<T>().ToFrozenDictionary(v => v.ToString().ToLowerInvariant(), v => v, StringComparer.Ordinal);
    }
}

/// <summary>Dates as ISO text (yyyy-MM-dd), which sorts as the dates do.</summary>
internal static class IsoDate
{
    public static string Format(NodaTime.LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static NodaTime.LocalDate Parse(string text) => LocalDatePattern.Iso.Parse(text).GetValueOrThrow();
}

/// <summary>Exact money in SQLite: the amount in the currency's minor units (cents for PLN, yen for JPY) as a 64-bit integer.</summary>
internal static class MinorUnits
{
    private static readonly decimal[] Scales = [1m, 10m, 100m, 1_000m, 10_000m];

    public static long From(Money money, string what)
    {
        if (money.Currency is null)
        {
            throw new ArgumentException($"The {what} has no currency: create it with Money.Of(amount, \"PLN\").", what);
        }

        var scaled = money.Amount * Scales[money.MinorUnitDigits];
        if (scaled != decimal.Truncate(scaled))
        {
            throw new ArgumentException($"The {what} {money} has more decimal places than {money.Currency} has ({money.MinorUnitDigits}); it cannot be stored exactly. Round it first.", what);
        }

        if (scaled is > long.MaxValue or < long.MinValue)
        {
            throw new ArgumentOutOfRangeException(what, money.Amount, $"The {what} {money} is too large to store: at most {long.MaxValue / Scales[money.MinorUnitDigits]:N0} {money.Currency}.");
        }

        return (long)scaled;
    }

    public static Money ToMoney(long minor, string currency)
    {
        var money = Money.Of(minor, currency);
        return Money.Of(minor / Scales[money.MinorUnitDigits], money.Currency);
    }

    public static decimal ToAmount(long minor, string currency) => minor / Scales[Money.Zero(currency).MinorUnitDigits];

    public static decimal ToAmount(decimal minor, string currency) => minor / Scales[Money.Zero(currency).MinorUnitDigits];
}
