using Cronos;
using NodaTime;
using NodaTime.TimeZones;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>
/// The occurrences of a cron expression (5 fields, or 6 with seconds first) in an IANA time zone, right across daylight
/// saving: a time inside a spring-forward gap fires once at the first valid instant after it, and a time the fall-back
/// repeats fires once. The zone's rules are NodaTime's, those the periods and the reports are read in, never the
/// operating system's, which may be older.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class CronSchedule
{
    // A yearly cron has one occurrence a year; a leap-day cron one every four years. Looking further back finds nothing new.
    private static readonly Duration LongestGap = Duration.FromDays(366 * 8 + 2);

    private static readonly DateTime CenturyStart = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression, DateTimeZone zone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
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

        return new CronSchedule(cron, expression, zone);
    }

    /// <summary>Gets the first occurrence after <paramref name="after"/>.</summary>
    /// <param name="after">The instant (excluded).</param>
    /// <returns>The occurrence, or <see langword="null"/> when there is none.</returns>
    public Instant? Next(Instant after)
    {
        // A local time the fall-back repeats is placed at its first instant, so one met again after it is passed over.
        var local = after.InZone(Zone).LocalDateTime;
        while (_expression.GetNextOccurrence(AsUtc(local), TimeZoneInfo.Utc, inclusive: false) is { } next)
        {
            local = LocalDateTime.FromDateTime(next);
            if (Place(local) is var at && at > after)
            {
                return at;
            }
        }

        return null;
    }

    /// <summary>Lists the occurrences in (<paramref name="after"/>, <paramref name="until"/>], oldest first.</summary>
    /// <param name="after">The start (excluded).</param>
    /// <param name="until">The end (included).</param>
    /// <returns>The occurrences.</returns>
    public IReadOnlyList<Instant> Between(Instant after, Instant until)
    {
        if (after >= until)
        {
            return [];
        }

        var back = TurnedBack(after, until);
        return [.. _expression.GetOccurrences(AsUtc((after - back).InZone(Zone).LocalDateTime), AsUtc((until + back).InZone(Zone).LocalDateTime), TimeZoneInfo.Utc, fromInclusive: false, toInclusive: true)
            .Select(local => Place(LocalDateTime.FromDateTime(local)))
            .Where(at => at > after && at <= until)
            .Distinct()
            .Order()];
    }

    /// <summary>
    /// How far the zone's clocks are turned back in all between the two instants. Cronos walks the local timeline as if it
    /// were UTC and NodaTime places each local time in the zone; only where clocks go back can an instant inside the
    /// window have a local time outside the window's own local ends, and by at most this much.
    /// </summary>
    private Duration TurnedBack(Instant after, Instant until)
    {
        var back = Duration.Zero;
        ZoneInterval? previous = null;
        foreach (var interval in Zone.GetZoneIntervals(after, until + Duration.Epsilon))
        {
            if (previous is not null && previous.WallOffset > interval.WallOffset)
            {
                back += Duration.FromSeconds((previous.WallOffset - interval.WallOffset).Seconds);
            }

            previous = interval;
        }

        return back;
    }

    /// <summary>The instant a local time names in the zone: the first of two, or the end of the gap it falls in.</summary>
    private Instant Place(LocalDateTime local)
    {
        var mapping = Zone.MapLocal(local);
        return mapping.Count == 0 ? mapping.LateInterval.Start : mapping.First().ToInstant();
    }

    private static DateTime AsUtc(LocalDateTime local) => DateTime.SpecifyKind(local.ToDateTimeUnspecified(), DateTimeKind.Utc);

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
