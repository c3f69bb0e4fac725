using System.Collections.Frozen;

namespace SalesPipeline.Domain;

/// <summary>The active ISO-4217 currency codes (precious metals and testing codes excluded) and their minor units.</summary>
/// <remarks>Thread-safe: the table is immutable.</remarks>
public static class Currencies
{
    private const string TwoDigits =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF " +
        "CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD " +
        "HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT " +
        "MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR " +
        "SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU " +
        "UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

    private const string ZeroDigits = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
    private const string ThreeDigits = "BHD IQD JOD KWD LYD OMR TND";
    private const string FourDigits = "CLF UYW";

    private static readonly FrozenDictionary<string, int> Digits = Build();

    /// <summary>The code in upper case without surrounding spaces, checked against the active codes.</summary>
    /// <param name="currency">A currency code, such as <c>pln</c>.</param>
    /// <returns>The normalised code, such as <c>PLN</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="currency"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The code is not an active ISO-4217 code.</exception>
    public static string Normalize(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var code = currency.Trim().ToUpperInvariant();
        if (!Digits.ContainsKey(code))
        {
            throw new ArgumentException(
                $"'{currency}' is not an active ISO-4217 currency code; use a three-letter code such as PLN, EUR or USD.",
                nameof(currency));
        }

        return code;
    }

    /// <summary>Whether <paramref name="currency"/> (ignoring case and surrounding spaces) is an active ISO-4217 code.</summary>
    /// <param name="currency">The code.</param>
    /// <returns><see langword="true"/> for an active code.</returns>
    public static bool IsKnown(string? currency) =>
        currency is not null && Digits.ContainsKey(currency.Trim().ToUpperInvariant());

    // default(Money) has no currency; it reports the common two digits rather than throwing from a property getter.
    /// <summary>The number of decimal places of a currency's minor unit (2 for PLN, 0 for JPY, 3 for KWD).</summary>
    /// <param name="code">A normalised code.</param>
    /// <returns>The digits; 2 for an unknown code or <see langword="null"/>.</returns>
    public static int MinorUnitDigits(string? code) => code is not null && Digits.TryGetValue(code, out var digits) ? digits : 2;

    private static FrozenDictionary<string, int> Build()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string codes, int digits)
        {
            foreach (var code in codes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[code] = digits;
            }
        }

        Add(TwoDigits, 2);
        Add(ZeroDigits, 0);
        Add(ThreeDigits, 3);
        Add(FourDigits, 4);
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
