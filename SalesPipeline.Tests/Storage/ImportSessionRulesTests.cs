using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The rules every import session applies, as a store of one's own calls them.</summary>
public sealed class ImportSessionRulesTests
{
    [Fact]
    public void CheckNewDeals_NewDealsEachOnce_Passes()
    {
        var random = new Random(1);
        ImportSessionRules.CheckNewDeals([.. Enumerable.Range(0, 3).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 2))]);
    }

    [Fact]
    public void CheckNewDeals_ADealStoredBefore_IsRefusedNamingIt()
    {
        var random = new Random(2);
        var stored = Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 2) with { Version = 3 };

        var e = Assert.Throws<ArgumentException>(() => ImportSessionRules.CheckNewDeals([Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 2), stored]));

        Assert.Contains(stored.Id.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("version 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNewDeals_ANullDeal_IsRefusedByItsIndex()
    {
        var deal = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(4), 2);

        var e = Assert.Throws<ArgumentException>(() => ImportSessionRules.CheckNewDeals([deal, null!]));

        Assert.Equal("batch", e.ParamName);
        Assert.StartsWith("The deals contain null at index 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNewDeals_ADealTwiceInTheBatch_IsAConflictNamingIt()
    {
        var deal = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(3), 2);

        var e = Assert.Throws<ConcurrencyConflictException>(() => ImportSessionRules.CheckNewDeals([deal, deal with { Name = "Again" }]));

        Assert.Contains(deal.Id.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedEarlier_AFailure_SaysSoAndHoldsIt()
    {
        var failure = new TimeoutException("The server did not answer.");

        var e = ImportSessionRules.FailedEarlier(failure);

        Assert.Same(failure, e.InnerException);
        Assert.Contains("The server did not answer.", e.Message, StringComparison.Ordinal);
        Assert.Contains("start the import again", e.Message, StringComparison.Ordinal);
    }
}
