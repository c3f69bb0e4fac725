using NodaTime;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Instants as whole microseconds since the Unix epoch. Both databases keep microseconds while NodaTime keeps
/// nanoseconds, so a store truncates every instant it writes toward the past (<see cref="Floor"/>): ordering is kept,
/// and what is read back is exactly what <see cref="Truncate(Instant)"/> gives in memory.
/// </summary>
internal static class Micros
{
    /// <summary>The largest microsecond count not after <paramref name="instant"/>.</summary>
    public static long Floor(Instant instant)
    {
        // ToUnixTimeTicks already truncates toward the start of time; divide by 10 the same way.
        var ticks = instant.ToUnixTimeTicks();
        return Math.DivRem(ticks, 10, out var rest) - (rest < 0 ? 1 : 0);
    }

    /// <summary>The smallest microsecond count not before <paramref name="instant"/>: the exact bound for
    /// "stored &gt;= instant" and "stored &lt; instant" comparisons on truncated values.</summary>
    public static long Ceiling(Instant instant)
    {
        var floor = Floor(instant);
        return ToInstant(floor) < instant ? floor + 1 : floor;
    }

    public static Instant ToInstant(long micros) => Instant.FromUnixTimeTicks(micros * 10);

    public static Instant Truncate(Instant instant) => ToInstant(Floor(instant));

    public static Instant? Truncate(Instant? instant) => instant is { } i ? Truncate(i) : null;
}
