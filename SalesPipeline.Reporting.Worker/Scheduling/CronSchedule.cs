using Cronos;
using NodaTime;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>
/// The occurrences of a cron expression (5 fields, or 6 with seconds first) in an IANA time zone, right across daylight
/// saving: a time inside a spring-forward gap fires once at the first valid instant after it, and a time the fall-back
/// repeats fires once.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class CronSchedule
{
    // A yearly cron has one occurrence a year; a leap-day cron one every four years. Looking further back finds nothing new.
    private static readonly Duration LongestGap = Duration.FromDays(366 * 8 + 2);

    private static readonly DateTime CenturyStart = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(string text, CronExpression expression, DateTimeZone zone, TimeZoneInfo systemZone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
        _zone = systemZone;
    }

    /// <summary>Gets the cron expression as written.</summary>
    public string Text { get; }

    /// <summary>Gets the time zone the expression is read in.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>Reads a cron expression in a time zone.</summary>
    /// <param name="cron">Five fields (minute hour day month weekday) or six (seconds first).</param>
    /// <param name="zone">The IANA time zone.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="FormatException">The expression is not a valid 5- or 6-field cron expression.</exception>
    /// <exception cref="ArgumentException">The zone is not known to the operating system's time zone database.</exception>
    public static CronSchedule Parse(string cron, DateTimeZone zone)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        ArgumentNullException.ThrowIfNull(zone);
        // Fields are separated by any white space (a tab, several spaces), as in a crontab.
        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var normal = string.Join(' ', fields);
        CronExpression expression;
        try
        {
            expression = fields.Length switch
            {
                5 => CronExpression.Parse(normal, CronFormat.Standard),
                6 => CronExpression.Parse(normal, CronFormat.IncludeSeconds),
                _ => throw new FormatException($"'{cron}' has {fields.Length} fields; a cron expression has 5 (minute hour day month weekday) or 6 (seconds first)."),
            };
        }
        catch (CronFormatException e)
        {
            throw new FormatException($"'{cron}' is not a cron expression: {e.Message}", e);
        }

        // Every day a month has comes back on every weekday within 28 years, so an expression with no occurrence in this
        // century names a day no month has (30 February, 31 April).
        if (expression.GetNextOccurrence(CenturyStart, TimeZoneInfo.Utc) is null)
        {
            throw new FormatException($"'{cron}' never occurs: no month it names has the day it names.");
        }

        TimeZoneInfo systemZone;
        try
        {
            systemZone = TimeZoneInfo.FindSystemTimeZoneById(zone.Id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"The time zone '{zone.Id}' is not in this system's time zone database.", nameof(zone), e);
        }

        return new CronSchedule(cron, expression, zone, systemZone);
    }

    /// <summary>Gets the first occurrence after <paramref name="after"/>.</summary>
    /// <param name="after">The instant (excluded).</param>
    /// <returns>The occurrence, or <see langword="null"/> when there is none.</returns>
    public Instant? Next(Instant after) =>
        _expression.GetNextOccurrence(after.ToDateTimeUtc(), _zone, inclusive: false) is { } next ? Instant.FromDateTimeUtc(next) : null;

    /// <summary>Lists the occurrences in (<paramref name="after"/>, <paramref name="until"/>], oldest first.</summary>
    /// <param name="after">The start (excluded).</param>
    /// <param name="until">The end (included).</param>
    /// <returns>The occurrences.</returns>
    public IReadOnlyList<Instant> Between(Instant after, Instant until) =>
        after >= until
            ? []
            : [.. _expression.GetOccurrences(after.ToDateTimeUtc(), until.ToDateTimeUtc(), _zone, fromInclusive: false, toInclusive: true).Select(Instant.FromDateTimeUtc)];

    /// <summary>Gets the latest occurrence at or before <paramref name="until"/>, looking back at most eight years.</summary>
    /// <param name="until">The instant (included).</param>
    /// <returns>The occurrence, or <see langword="null"/> when there is none.</returns>
    public Instant? Latest(Instant until)
    {
        // Widen the window until it holds an occurrence, so a frequent cron is not enumerated over years.
        for (var window = Duration.FromHours(1); ; window = window * 4 < LongestGap ? window * 4 : LongestGap)
        {
            var last = Between(until - window, until) is { Count: > 0 } found ? found[^1] : (Instant?)null;
            if (last is not null || window >= LongestGap)
            {
                return last;
            }
        }
    }
}
