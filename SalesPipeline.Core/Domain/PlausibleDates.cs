using NodaTime;

namespace SalesPipeline.Domain;

/// <summary>
/// The dates a sales record can plausibly carry: the years <see cref="FirstYear"/> to <see cref="LastYear"/>, inclusive.
/// A date outside them is a typo or a placeholder (0001-01-01, 9999-12-31) rather than a fact, and near the ends of the
/// calendar adding a day or placing a date in a time zone overflows; so a deal's dates, its history, its activities and an
/// import's cells are refused outside them, and so is an instant a command runs as of.
/// </summary>
/// <remarks>Thread-safe: it holds no state.</remarks>
public static class PlausibleDates
{
    /// <summary>The first plausible year.</summary>
    public const int FirstYear = 1900;

    /// <summary>The last plausible year.</summary>
    public const int LastYear = 2200;

    /// <summary>Gets the first plausible day, 1900-01-01.</summary>
    public static LocalDate First { get; } = new(FirstYear, 1, 1);

    /// <summary>Gets the last plausible day, 2200-12-31.</summary>
    public static LocalDate Last { get; } = new(LastYear, 12, 31);

    /// <summary>Gets the range as a message says what is expected: <c>a year between 1900 and 2200</c>.</summary>
    public static string Description { get; } = $"a year between {FirstYear} and {LastYear}";

    /// <summary>Tells whether <paramref name="date"/> is plausible.</summary>
    /// <param name="date">The date.</param>
    /// <returns><see langword="true"/> when its year is between <see cref="FirstYear"/> and <see cref="LastYear"/>.</returns>
    public static bool Contains(LocalDate date) => date.Year is >= FirstYear and <= LastYear;

    /// <summary>Tells whether <paramref name="instant"/> is plausible: whether its date in UTC is.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns><see langword="true"/> when its year in UTC is between <see cref="FirstYear"/> and <see cref="LastYear"/>.</returns>
    public static bool Contains(Instant instant) => instant.InUtc().Year is >= FirstYear and <= LastYear;
}
