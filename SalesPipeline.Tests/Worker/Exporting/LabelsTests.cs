using SalesPipeline.Reporting.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>The notes on the Opportunities sheet write big counts with the language's thousands separator.</summary>
public sealed class LabelsTests
{
    [Theory]
    [InlineData("en", "328,451 more deals not shown (limit 5,000).", "All 1,000,000 deals shown.")]
    [InlineData("pl", "Nie pokazano kolejnych 328\u00a0451 transakcji (limit 5\u00a0000).", "Pokazano wszystkie transakcje: 1\u00a0000\u00a0000.")]
    public void DealNotes_BigCounts_HaveThousandsSeparators(string culture, string omitted, string all)
    {
        var labels = Labels.For(culture);

        Assert.Equal(omitted, labels.MoreDealsNotShown(328_451, 5_000));
        Assert.Equal(all, labels.AllDealsShown(1_000_000));
    }
}
