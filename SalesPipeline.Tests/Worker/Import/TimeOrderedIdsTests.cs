using NodaTime;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Worker.Import;

public sealed class TimeOrderedIdsTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 1, 9, 30, 15) + Duration.FromMilliseconds(123);

    [Fact]
    public void Next_ManyAtOneInstant_AreDistinctVersion7GuidsInAscendingTextOrder()
    {
        var ids = new TimeOrderedIds();

        var made = Enumerable.Range(0, 10_000).Select(_ => ids.Next(At)).ToList();

        Assert.Equal(made.Count, made.Distinct().Count());
        // Version 7, and RFC 9562's variant (the 17th hex digit is 8, 9, a or b).
        Assert.All(made, id => Assert.Equal((7, true), (id.Version, "89ab".Contains(id.ToString("N")[16], StringComparison.Ordinal))));
        var text = made.Select(id => id.ToString("D")).ToList();
        Assert.Equal(text.Order(StringComparer.Ordinal), text);
    }

    [Fact]
    public void Next_LaterInstant_SortsAfterAndCarriesItsUnixMilliseconds()
    {
        var ids = new TimeOrderedIds();

        var first = ids.Next(At);
        var later = ids.Next(At + Duration.FromMilliseconds(1));

        Assert.True(string.CompareOrdinal(first.ToString("D"), later.ToString("D")) < 0);
        Assert.Equal(At.ToUnixTimeMilliseconds(), long.Parse(first.ToString("N")[..12], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Next_TwoInstances_DoNotRepeatEachOther()
    {
        var a = new TimeOrderedIds();
        var b = new TimeOrderedIds();

        var fromA = Enumerable.Range(0, 1_000).Select(_ => a.Next(At)).ToHashSet();

        Assert.DoesNotContain(Enumerable.Range(0, 1_000).Select(_ => b.Next(At)), fromA.Contains);
    }
}
