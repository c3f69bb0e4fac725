using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Process;

/// <summary>Several pipelines side by side; an opportunity belongs to exactly one of them.</summary>
public sealed class PipelineCatalogTests
{
    internal static PipelineDefinition Renewals { get; } = new PipelineDefinitionBuilder("renewals", "Renewals")
        .AddStage("review", StageKind.Open, 40)
        .AddStage("proposal", StageKind.Open, 70, s => s.Requires(StageRequirements.OfferAttached))
        .AddStage("renewed", StageKind.Won, 100)
        .AddStage("churned", StageKind.Lost, 0, s => s.Requires(StageRequirements.LossReason))
        .AllowForwardAndBackMoves()
        .AllowMove("proposal", "renewed")
        .AllowMove("review", "churned")
        .AllowMove("proposal", "churned")
        .WithLossReasons("Price", "No longer needed")
        .Build();

    [Fact]
    public void Constructor_TwoPipelines_FirstIsDefaultAndBothAreFound()
    {
        var catalog = new PipelineCatalog([Default, Renewals]);

        Assert.Same(Default, catalog.Default);
        Assert.Equal([Default, Renewals], catalog.All);
        Assert.Same(Renewals, catalog.Get(new PipelineId("renewals")));
        Assert.Same(Default, catalog.Get(new PipelineId("new-business")));
    }

    [Fact]
    public void Constructor_ChosenDefault_IsTheDefault() =>
        Assert.Same(Renewals, new PipelineCatalog([Default, Renewals], new PipelineId("renewals")).Default);

    [Fact]
    public void DefaultOnly_HoldsTheDefaultPipeline() =>
        Assert.Equal([PipelineDefinition.Default], PipelineCatalog.DefaultOnly.All);

    [Fact]
    public void Constructor_NoPipelines_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => new PipelineCatalog([]));

        Assert.Contains("at least one pipeline", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SameIdTwice_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => new PipelineCatalog([Default, Renewals, Default]));

        Assert.Contains("Pipeline 'new-business' is registered more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownDefault_ThrowsArgumentExceptionListingRegisteredPipelines()
    {
        var e = Assert.Throws<ArgumentException>(() => new PipelineCatalog([Default, Renewals], new PipelineId("upsell")));

        Assert.Contains("The default pipeline 'upsell' is not registered; registered: new-business, renewals.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_UnknownPipeline_ThrowsArgumentExceptionListingRegisteredPipelines()
    {
        var e = Assert.Throws<ArgumentException>(() => new PipelineCatalog([Default, Renewals]).Get(new PipelineId("upsell")));

        Assert.Contains("No pipeline 'upsell' is registered; registered: new-business, renewals.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opportunity_InRenewals_StartsInItsInitialStageAndFollowsItsRules()
    {
        var deal = Opportunity.Create(NewDeal(pipeline: Renewals.Id), Renewals, Anna, T0);

        Assert.Equal(Renewals.Id, deal.PipelineId);
        Assert.Equal(new StageId("review"), deal.Stage);
        Assert.Equal(40, deal.Probability);
        Assert.Equal([new StageId("churned")], Renewals.PermittedMoves(deal));

        deal.Lose(Renewals, "No longer needed", null, Anna, Hour(1));
        Assert.Equal(new StageId("churned"), deal.Stage);
        Assert.Equal("No longer needed", deal.Outcome!.Reason);
    }

    [Fact]
    public void MoveTo_WithAnotherPipeline_IsRefusedAndChangesNothing()
    {
        var deal = Opportunity.Create(NewDeal(pipeline: Renewals.Id), Renewals, Anna, T0);
        deal.AttachOffer(DocumentId.New(), "Renewal offer", Anna, Hour(1));
        var before = deal.ToState();

        var e = Assert.Throws<ArgumentException>(() => deal.MoveTo(Default, Stages.Qualification, Anna, Hour(2)));

        Assert.Equal("opportunity", e.ParamName);
        Assert.Contains("belongs to pipeline 'renewals', not 'new-business'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void Queries_WithAnotherPipeline_AreRefused()
    {
        var renewal = Opportunity.Create(NewDeal(pipeline: Renewals.Id), Renewals, Anna, T0);
        var business = Create();

        Assert.Throws<ArgumentException>(() => Default.PermittedMoves(renewal));
        Assert.Throws<ArgumentException>(() => Default.WhyNot(renewal, Stages.Lost));
        Assert.Throws<ArgumentException>(() => Renewals.PermittedMoves(business));
        Assert.Throws<ArgumentException>(() => business.Win(Renewals, Anna, Hour(1)));
        Assert.Throws<ArgumentException>(() => business.Lose(Renewals, "Price", "x", Anna, Hour(1)));
    }

    [Fact]
    public void Reopen_WithAnotherPipeline_IsRefused()
    {
        var deal = Lost();

        Assert.Throws<ArgumentException>(() => deal.Reopen(Renewals, "Back", Anna, Hour(10)));
        Assert.True(deal.IsClosed);
    }

    [Fact]
    public async Task LoadAsync_NothingStored_IsTheDefaultOnly()
    {
        Assert.Same(PipelineCatalog.DefaultOnly, await PipelineCatalog.LoadAsync(new SalesPipeline.InMemory.InMemoryStore()));
    }

    [Fact]
    public async Task LoadAsync_StoredDefinitions_AddPipelinesAndReplaceTheBuiltInUnderItsId()
    {
        var store = new SalesPipeline.InMemory.InMemoryStore();
        var ours = Default.ToJson().Replace("\"New business\"", "\"Our new business\"", StringComparison.Ordinal);
        await store.SaveAsync(Renewals.Id, Renewals.ToJson());
        await store.SaveAsync(Default.Id, ours);

        var catalog = await PipelineCatalog.LoadAsync(store);

        Assert.Equal(["new-business", "renewals"], catalog.All.Select(p => p.Id.Value).Order(StringComparer.Ordinal));
        Assert.Equal("Our new business", catalog.Default.Name);
        Assert.Equal(Renewals.ToJson(), catalog.Get(Renewals.Id).ToJson());
    }

    [Fact]
    public async Task LoadAsync_StoredDefinitionWithANoncharacterAnEarlierVersionAccepted_StaysReadable_ThoughANewOneIsRefused()
    {
        var store = new SalesPipeline.InMemory.InMemoryStore();
        var stored = Renewals.ToJson().Replace("\"Renewals\"", "\"Renewals\uFFFE\"", StringComparison.Ordinal);
        Assert.NotEqual(Renewals.ToJson(), stored);
        await store.SaveAsync(Renewals.Id, stored);

        var catalog = await PipelineCatalog.LoadAsync(store);

        Assert.Equal("Renewals\uFFFE", catalog.Get(Renewals.Id).Name);
        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(stored));
        Assert.Contains("The pipeline's name holds a noncharacter (U+FFFE)", e.Message, StringComparison.Ordinal);
    }
}
