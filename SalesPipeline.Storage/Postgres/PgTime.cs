using NodaTime;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>Instants as PostgreSQL timestamptz values (UTC <see cref="DateTime"/>, microsecond precision).</summary>
internal static class PgTime
{
    private static readonly long MinMicros = Micros.Floor(Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)));
    private static readonly long MaxMicros = Micros.Floor(Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)));

    /// <summary>A value to store: truncated to the microsecond.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant is outside the years 1–9999.</exception>
    public static DateTime Of(Instant instant)
    {
        var micros = Micros.Floor(instant);
        return micros < MinMicros || micros > MaxMicros
            ? throw new ArgumentOutOfRangeException(nameof(instant), instant, $"The instant {instant} cannot be stored: instants must fall in the years 1 to 9999.")
            : DateTime.UnixEpoch.AddTicks(micros * 10);
    }

    public static DateTime? Of(Instant? instant) => instant is { } i ? Of(i) : null;

    /// <summary>A query bound in whole microseconds, clamped to the storable range (beyond it every stored value compares the same way).</summary>
    public static DateTime Bound(long micros) => DateTime.UnixEpoch.AddTicks(Math.Clamp(micros, MinMicros, MaxMicros) * 10);

    public static Instant ToInstant(DateTime value) => Instant.FromDateTimeUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static Instant? ToInstant(DateTime? value) => value is { } v ? ToInstant(v) : null;
}
