using NodaTime;
using NodaTime.Text;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>
/// Reads dates and date-times as a file writes them: each of the mapping's patterns in turn, then ISO 8601 with an offset
/// (<c>2024-03-01T09:30:00+01:00</c>, <c>…Z</c>). A date without a time means the start of that day in the mapping's zone;
/// a local date-time is placed in the zone leniently (a time skipped by a clock change moves forward).
/// </summary>
/// <remarks>
/// The mapping's reader is immutable and safe to share between threads. An import reads through its own copy
/// (<see cref="ForOneImport"/>), which remembers the value of each text it read through the patterns, up to
/// <see cref="RememberedTexts"/> texts: a file repeats the same dates on many rows, and parsing a date through the patterns
/// and placing it in the zone allocated several objects each time, about a fifth of what an import allocated.
/// </remarks>
internal sealed class ImportDates
{
    /// <summary>How many distinct texts an import's reader remembers the values of, for each of dates and instants.</summary>
    internal const int RememberedTexts = 4096;

    private readonly IReadOnlyList<LocalDateTimePattern> _patterns;

    /// <summary>The local date-times of the texts read through the patterns; null in the mapping's shared reader.</summary>
    private readonly Dictionary<string, LocalDateTime>? _locals;

    /// <summary>The instants of the texts read through the patterns; null in the mapping's shared reader.</summary>
    private readonly Dictionary<string, Instant>? _instants;

    /// <summary>Initializes a new instance of the <see cref="ImportDates"/> class that remembers nothing.</summary>
    /// <param name="patterns">The patterns a file writes dates in, tried in turn.</param>
    /// <param name="zone">The zone of the file's dates.</param>
    public ImportDates(IReadOnlyList<LocalDateTimePattern> patterns, DateTimeZone zone)
        : this(patterns, zone, remember: false)
    {
    }

    private ImportDates(IReadOnlyList<LocalDateTimePattern> patterns, DateTimeZone zone, bool remember)
    {
        _patterns = patterns;
        Zone = zone;
        if (remember)
        {
            _locals = new Dictionary<string, LocalDateTime>(StringComparer.Ordinal);
            _instants = new Dictionary<string, Instant>(StringComparer.Ordinal);
        }
    }

    public DateTimeZone Zone { get; }

    /// <summary>Gets how many texts this reader remembers the values of, dates and instants together.</summary>
    internal int Remembered => (_locals?.Count ?? 0) + (_instants?.Count ?? 0);

    /// <summary>A reader for one import: the same patterns and zone, remembering what it read. Not thread-safe.</summary>
    public ImportDates ForOneImport() => new(_patterns, Zone, remember: true);

    /// <summary>
    /// Reads an instant. A text whose date, as written, lies outside <see cref="PlausibleDates"/> is not read: near the
    /// calendar's ends (9999-12-31) placing it in the zone, or applying its offset, overflows NodaTime's range, and no such
    /// date is plausible anyway; <see cref="TryParseDate"/> still reads it, so a caller can say which of the two it was.
    /// </summary>
    /// <returns><see langword="true"/> when the text is a date or date-time with a plausible date.</returns>
    public bool TryParseInstant(string text, out Instant instant)
    {
        if (_instants is not null && _instants.TryGetValue(text, out instant))
        {
            return true;
        }

        if (TryParseLocal(text, out var local))
        {
            if (!PlausibleDates.Contains(local.Date))
            {
                instant = default;
                return false;
            }

            instant = local.TimeOfDay == LocalTime.Midnight
                ? Zone.AtStartOfDay(local.Date).ToInstant()
                : Zone.AtLeniently(local).ToInstant();
            Remember(_instants, text, instant);
            return true;
        }

        var withOffset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (withOffset.Success && PlausibleDates.Contains(withOffset.Value.Date))
        {
            instant = withOffset.Value.ToInstant();
            return true;
        }

        instant = default;
        return false;
    }

    public bool TryParseDate(string text, out LocalDate date)
    {
        if (TryParseLocal(text, out var local))
        {
            date = local.Date;
            return true;
        }

        var withOffset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (withOffset.Success)
        {
            date = withOffset.Value.Date;
            return true;
        }

        date = default;
        return false;
    }

    public string Describe() => string.Join(" or ", _patterns.Select(p => $"'{p.PatternText}'"));

    private static void Remember<T>(Dictionary<string, T>? remembered, string text, T value)
    {
        if (remembered is not null && remembered.Count < RememberedTexts)
        {
            remembered[text] = value;
        }
    }

    private bool TryParseLocal(string text, out LocalDateTime local)
    {
        if (_locals is not null && _locals.TryGetValue(text, out local))
        {
            return true;
        }

        for (var i = 0; i < _patterns.Count; i++)
        {
            var result = _patterns[i].Parse(text);
            if (result.Success)
            {
                local = result.Value;
                Remember(_locals, text, local);
                return true;
            }
        }

        local = default;
        return false;
    }
}
