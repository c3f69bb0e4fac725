using NodaTime;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Instants as Unix ticks (100 ns), with the nanoseconds within the tick kept apart, so that a comparison is one
/// <see langword="long"/> comparison, and exact: the remainders are read only when two ticks are equal, and are not stored
/// at all when every instant is a whole tick (as instants from databases, .NET dates and imports are).
/// </summary>
internal sealed class TickColumn
{
    public TickColumn(List<Instant> instants)
    {
        Ticks = new long[instants.Count];
        byte[]? remainders = null;
        for (var i = 0; i < instants.Count; i++)
        {
            var (ticks, remainder) = Split(instants[i]);
            Ticks[i] = ticks;
            if (remainder != 0)
            {
                remainders ??= new byte[instants.Count];
                remainders[i] = remainder;
            }
        }

        Remainders = remainders;
    }

    /// <summary>Gets the whole ticks since the Unix epoch, rounded towards the start of time.</summary>
    public long[] Ticks { get; }

    /// <summary>Gets the nanoseconds after the tick (0–99), or <see langword="null"/> when they are all 0.</summary>
    public byte[]? Remainders { get; }

    public static (long Ticks, byte Remainder) Split(Instant instant)
    {
        var ticks = instant.ToUnixTimeTicks();
        return (ticks, (byte)(instant - Instant.FromUnixTimeTicks(ticks)).ToInt64Nanoseconds());
    }
}
