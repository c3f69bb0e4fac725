using NodaTime;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>A clock running at the pace of another but shifted: <c>run --once --now T</c> starts at T and time still passes.</summary>
internal sealed class OffsetClock(IClock inner, Duration offset) : IClock
{
    public static OffsetClock StartingAt(IClock inner, Instant start) => new(inner, start - inner.GetCurrentInstant());

    public Instant GetCurrentInstant() => inner.GetCurrentInstant() + offset;
}
