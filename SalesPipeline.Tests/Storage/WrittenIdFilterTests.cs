using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SalesPipeline.Storage.Internal;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// The filter a SQLite import keeps of the external ids it wrote to a new pipeline: an id it holds is never reported
/// absent (a look-up would then miss one of the import's own rows and store it twice), and an id it does not hold is
/// rarely reported present (each such one costs a look-up in the store).
/// </summary>
public sealed class WrittenIdFilterTests
{
    [Property(MaxTest = 200)]
    public Property MayContain_EveryIdAdded_IsTrue(NonNull<string>[] ids)
    {
        var filter = new WrittenIdFilter();
        foreach (var id in ids)
        {
            filter.Add(id.Get);
        }

        var missed = ids.Select(id => id.Get).Where(id => !filter.MayContain(id)).ToList();
        return (missed.Count == 0).Label($"reported absent: {string.Join(", ", missed)}");
    }

    [Fact]
    public void MayContain_MillionIdsAdded_OthersRarelyReportedPresent()
    {
        var filter = new WrittenIdFilter();
        for (var i = 0; i < 1_000_000; i++)
        {
            filter.Add("crm-" + i);
        }

        Assert.All(Enumerable.Range(0, 1_000_000).Where(i => i % 997 == 0), i => Assert.True(filter.MayContain("crm-" + i)));

        // About 0.08% expected (the bits set, and the 32-bit string hash); a filter whose probes collapse onto one bit,
        // or a few, reports most of these present.
        var present = Enumerable.Range(1_000_000, 100_000).Count(i => filter.MayContain("crm-" + i));
        Assert.InRange(present, 0, 500);
    }

    [Fact]
    public void MayContain_IdWrittenWithALoneSurrogate_MatchesItAsStored()
    {
        // The store keeps text as UTF-8, where a lone surrogate becomes U+FFFD: both spellings name the stored id.
        var filter = new WrittenIdFilter();
        filter.Add("crm-\uD800");

        Assert.True(filter.MayContain("crm-\uFFFD"));
        Assert.True(filter.MayContain("crm-\uD800"));
    }

    [Fact]
    public void MayContain_NothingAdded_IsFalse()
    {
        var filter = new WrittenIdFilter();

        Assert.DoesNotContain(Enumerable.Range(0, 10_000), i => filter.MayContain("crm-" + i));
    }
}
