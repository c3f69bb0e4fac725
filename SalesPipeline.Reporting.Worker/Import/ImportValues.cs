using System.Globalization;
using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>
/// The checks of one value as a file or a mapping's <c>defaults</c> writes it, shared by both so a default is held to the
/// same rules as a cell. Each returns what is wrong and what to write instead, or <see langword="null"/> when the value is good.
/// </summary>
internal static class ImportValues
{
    /// <summary>The longest name, account name or reason.</summary>
    public const int MaxTextLength = 300;

    /// <summary>The longest user id.</summary>
    public const int MaxUserLength = 200;

    /// <summary>Refuses control characters other than tab and line breaks (<see cref="TypedText"/>'s rule), suggesting the mapping's encoding.</summary>
    public static string? Text(string text) =>
        TypedText.ControlCharacterFault(text) is { } fault
            ? $"{fault} If the file is in another encoding, set \"encoding\" in the mapping, such as \"windows-1250\"."
            : null;

    public static string? Amount(string text, ImportNumbers numbers, out decimal amount)
    {
        if (!numbers.TryParse(text, out amount, out var fault))
        {
            return fault;
        }

        if (amount < 0)
        {
            return "the amount must not be negative.";
        }

        return amount > Opportunity.MaxAmount
            ? $"the amount must be at most {Opportunity.MaxAmount.ToString("N0", CultureInfo.InvariantCulture)}."
            : null;
    }

    /// <summary>Refuses an amount with more decimal places than its (known) currency has, such as 10.001 PLN.</summary>
    public static string? Decimals(decimal amount, string currency)
    {
        var code = Currencies.Normalize(currency);
        var digits = Currencies.MinorUnitDigits(code);
        var rounded = decimal.Round(amount, digits);
        return rounded == amount
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"the amount has more decimal places than {code} has ({digits}); round it, such as to {rounded}.");
    }

    public static string? Currency(string text) =>
        Currencies.IsKnown(text) ? null : "not an active ISO-4217 currency code such as EUR, PLN or USD.";

    public static string? Probability(string text, CultureInfo culture, out int probability)
    {
        if (!int.TryParse(text.TrimEnd('%').TrimEnd(), NumberStyles.Integer, culture, out probability))
        {
            return "not a whole percentage; expected 0 to 100.";
        }

        return probability is < 0 or > 100 ? "a probability must be between 0 and 100." : null;
    }

    public static string? Instant(string text, ImportDates dates, out Instant instant)
    {
        if (dates.TryParseInstant(text, out instant))
        {
            return PlausibleDates.Contains(instant) ? null : Implausible;
        }

        // Not read as an instant: either not a date at all, or a date outside the plausible years (not placed in the zone).
        return dates.TryParseDate(text, out _) ? Implausible : $"not a date; expected {dates.Describe()}.";
    }

    public static string? Date(string text, ImportDates dates, out LocalDate date)
    {
        if (!dates.TryParseDate(text, out date))
        {
            return $"not a date; expected {dates.Describe()}.";
        }

        return PlausibleDates.Contains(date) ? null : Implausible;
    }

    public static string? Outcome(string text, IReadOnlyDictionary<string, ImportOutcome> mapped, out ImportOutcome outcome) =>
        mapped.TryGetValue(text, out outcome) || ImportOutcomes.TryParse(text, out outcome)
            ? null
            : "unknown outcome; expected won, lost or open" + (mapped.Count == 0 ? "." : $", or one of {string.Join(", ", mapped.Keys.Select(k => $"'{k}'"))}.");

    public static string? Length(string text, string what, int max) =>
        text.Length > max ? $"{what} is at most {max} characters long, was {text.Length}." : null;

    private static string Implausible => $"not a plausible date: expected {PlausibleDates.Description}.";
}
