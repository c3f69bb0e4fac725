using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Tests.Core.Analytics;
using Xunit;

namespace SalesPipeline.Tests.Core.Process;

/// <summary>A new definition of a pipeline must not strand the deals already in it.</summary>
public sealed class PipelineFitTests
{
    private static readonly PipelineDefinition Renewals = PipelineCatalogTests.Renewals;

    [Fact]
    public async Task CheckAsync_NoDeals_Fits()
    {
        var fit = await PipelineFit.CheckAsync(Renewals, new InMemoryStore());

        Assert.Equal(new PipelineFit(Renewals.Id, 0, 0, []), fit with { Examples = [] });
        Assert.True(fit.Fits);
        Assert.Empty(fit.Reason);
    }

    [Fact]
    public async Task CheckAsync_StageInUseRemoved_StrandsTheDealsInItOnly()
    {
        var store = await StoreAsync(
            TestDeals.Deal("In review", 10, "anna", [("identification", 0), ("qualification", 2)]),
            TestDeals.Deal("Passed through", 10, "anna", [("identification", 0), ("qualification", 2), ("offer", 4)]),
            TestDeals.Deal("Untouched", 10, "anna", [("identification", 0)]));
        var withoutQualification = PipelineDefinition.FromJson(
            PipelineDefinition.Default.ToJson().Replace("\"qualification\"", "\"discovery\"", StringComparison.Ordinal));

        var fit = await PipelineFit.CheckAsync(withoutQualification, store);

        Assert.False(fit.Fits);
        Assert.Equal((3L, 2L), (fit.Checked, fit.Stranded));
        Assert.Equal(
            "2 of the 3 deals in pipeline 'new-business' would not fit the new definition, for example " +
            "'In review': Pipeline 'new-business' has no stage 'qualification'. Its stages are: identification, discovery, offer, negotiation, won, lost. " +
            "'Passed through': Pipeline 'new-business' has no stage 'qualification'. Its stages are: identification, discovery, offer, negotiation, won, lost. " +
            "Keep the stages those deals are in, with their kinds.",
            fit.Reason);
    }

    [Fact]
    public async Task CheckAsync_KindOfAStageInUseChanged_Strands()
    {
        var before = Small(proposalKind: StageKind.Open);
        var store = await StoreAsync(TestDeals.Deal(before, "Proposed", Money.Of(10m, "PLN"), "anna", [("lead", TestDeals.Day(0)), ("proposal", TestDeals.Day(2))]));

        var fit = await PipelineFit.CheckAsync(Small(proposalKind: StageKind.Lost), store);

        Assert.Equal(1, fit.Stranded);
        Assert.Equal("'Proposed': Opportunity " + (await store.QueryAsync(SalesPipeline.Abstractions.OpportunityQuery.All).FirstAsync()).Id + " is in lost stage 'proposal' but has no matching outcome (kind and close instant).", Assert.Single(fit.Examples));
        Assert.DoesNotContain("(Parameter", fit.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_OtherPipelinesDeals_AreNotChecked()
    {
        var store = await StoreAsync(TestDeals.Deal("New business", 10, "anna", [("identification", 0), ("qualification", 2)]));

        var fit = await PipelineFit.CheckAsync(Renewals, store);

        Assert.Equal(0, fit.Checked);
        Assert.True(fit.Fits);
    }

    [Fact]
    public async Task CheckAsync_ManyStranded_DescribesFiveAndCountsAll()
    {
        var store = await StoreAsync([.. Enumerable.Range(1, 8).Select(i => TestDeals.Deal($"D{i}", 10, "anna", [("identification", 0), ("negotiation", 2)]))]);
        var withoutNegotiation = PipelineDefinition.FromJson(
            PipelineDefinition.Default.ToJson().Replace("\"negotiation\"", "\"closing\"", StringComparison.Ordinal));

        var fit = await PipelineFit.CheckAsync(withoutNegotiation, store);

        Assert.Equal((8L, 8L, PipelineFit.MaxExamples), (fit.Checked, fit.Stranded, fit.Examples.Count));
    }

    private static PipelineDefinition Small(StageKind proposalKind) => new PipelineDefinitionBuilder("small", "Small")
        .AddStage("lead", StageKind.Open, 20)
        .AddStage("proposal", proposalKind, proposalKind == StageKind.Open ? 60 : 0)
        .AddStage("closed-won", StageKind.Won, 100)
        .AddStage("closed-lost", StageKind.Lost, 0)
        .AllowMove("lead", "proposal")
        .AllowMove("lead", "closed-lost")
        .AllowMove(proposalKind == StageKind.Open ? "proposal" : "lead", "closed-won")
        .Build();

    private static async Task<InMemoryStore> StoreAsync(params OpportunityState[] deals)
    {
        var store = new InMemoryStore();
        foreach (var deal in deals)
        {
            await store.SaveAsync(deal);
        }

        return store;
    }
}
