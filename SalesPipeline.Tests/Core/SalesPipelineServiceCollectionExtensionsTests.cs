using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.DependencyInjection;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Tests.Core.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core;

public sealed class SalesPipelineServiceCollectionExtensionsTests
{
    [Fact]
    public async Task SalesPipelineService_CreatedWithoutAContainerAsTheReadmeShows_CreatesAndMovesADeal()
    {
        var store = new InMemoryStore();
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 2, 9, 0));

        var crm = new SalesPipelineService(store, store, store, store, PipelineCatalog.DefaultOnly, clock, new AccessOptions { SkipAccessChecks = true });
        var anna = new UserId("anna");
        var deal = await crm.CreateAsync(new NewOpportunity("ERP", Money.Of(1_000m, "PLN"), null, new LocalDate(2027, 3, 31)), anna);
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro"), anna);
        var moved = await crm.MoveAsync(deal.Id, Stages.Qualification, anna);

        Assert.Equal(Stages.Qualification, moved.Stage);
        Assert.Equal(Stages.Qualification, (await store.FindAsync(deal.Id))!.Stage);
    }

    [Fact]
    public async Task AddSalesPipeline_NoOptions_ResolvesAWorkingServiceOnTheInMemoryStore()
    {
        // A single-user host: no people are stored, so the access checks are turned off explicitly.
        using var provider = new ServiceCollection().AddSalesPipeline(o => o.Access.SkipAccessChecks = true).Services.BuildServiceProvider();

        var crm = provider.GetRequiredService<ISalesPipeline>();
        var deal = await crm.CreateAsync(NewDeal(), Anna);

        Assert.IsType<SalesPipelineService>(crm);
        Assert.Same(crm, provider.GetRequiredService<ISalesPipeline>());
        Assert.Equal([PipelineDefinition.Default], crm.Pipelines.All);
        Assert.Same(SystemClock.Instance, provider.GetRequiredService<IClock>());
        var store = provider.GetRequiredService<InMemoryStore>();
        Assert.Same(store, provider.GetRequiredService<IOpportunityStore>());
        Assert.Same(store, provider.GetRequiredService<IAccountStore>());
        Assert.Same(store, provider.GetRequiredService<IActivityStore>());
        Assert.NotNull(await store.FindAsync(deal.Id));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddSalesPipeline_LoadStoredPipelines_AddsTheStoredDefinitionsOnlyWhenAsked(bool load)
    {
        using var provider = new ServiceCollection().AddSalesPipeline(o => o.LoadStoredPipelines = load).Services.BuildServiceProvider();
        var renewals = Storage.Deals.IsolatedPipeline();
        var ownDefault = PipelineDefinition.FromJson(PipelineDefinition.Default.ToJson().Replace("\"New business\"", "\"Our new business\"", StringComparison.Ordinal));
        var store = provider.GetRequiredService<IPipelineDefinitionStore>();
        await store.SaveAsync(renewals.Id, renewals.ToJson());
        await store.SaveAsync(ownDefault.Id, ownDefault.ToJson());

        var catalog = provider.GetRequiredService<ISalesPipeline>().Pipelines;

        Assert.Equal(load ? [PipelineDefinition.Default.Id, renewals.Id] : [PipelineDefinition.Default.Id], catalog.All.Select(p => p.Id));
        Assert.Equal(load ? "Our new business" : "New business", catalog.Default.Name);
    }

    [Fact]
    public async Task AddSalesPipeline_AppRegisteredItsOwnClock_TheAppsClockWins()
    {
        var clock = new FakeClock(T0);
        var services = new ServiceCollection().AddSingleton<IClock>(clock);

        using var provider = services.AddSalesPipeline(o => o.Access.SkipAccessChecks = true).Services.BuildServiceProvider();

        Assert.Same(clock, provider.GetRequiredService<IClock>());
        Assert.Single(services, d => d.ServiceType == typeof(IClock));
        var deal = await provider.GetRequiredService<ISalesPipeline>().CreateAsync(NewDeal(), Anna);
        Assert.Equal(T0, deal.CreatedAt);
    }

    [Fact]
    public void AddSalesPipeline_AppRegisteredItsOwnStore_TheAppsStoreWins()
    {
        var store = new InMemoryStore();
        var services = new ServiceCollection().AddSingleton<IOpportunityStore>(store);

        using var provider = services.AddSalesPipeline().Services.BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<IOpportunityStore>());
        Assert.NotSame(store, provider.GetRequiredService<IAccountStore>());
    }

    [Fact]
    public void AddSalesPipeline_TwoPipelinesWithDefault_RegistersThemInTheCatalog()
    {
        using var provider = new ServiceCollection()
            .AddSalesPipeline(o =>
            {
                o.UsePipelines(PipelineDefinition.Default, PipelineCatalogTests.Renewals);
                o.DefaultPipeline = "renewals";
            })
            .Services.BuildServiceProvider();

        var catalog = provider.GetRequiredService<ISalesPipeline>().Pipelines;

        Assert.Same(catalog, provider.GetRequiredService<PipelineCatalog>());
        Assert.Equal(2, catalog.All.Count);
        Assert.Same(PipelineCatalogTests.Renewals, catalog.Default);
    }

    [Fact]
    public void AddSalesPipeline_UnknownDefaultAndEmptyPipelines_ThrowsListingBothErrors()
    {
        var e = Assert.Throws<SalesPipelineOptionsException>(() => new ServiceCollection().AddSalesPipeline(o =>
        {
            o.Pipelines.Clear();
            o.DefaultPipeline = "upsell";
        }));

        Assert.Equal(
            [
                "'Pipelines' must hold at least one pipeline, was empty.",
                "'DefaultPipeline' is 'upsell', which is not in 'Pipelines' ().",
            ],
            e.Errors);
        Assert.All(e.Errors, error => Assert.Contains(error, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void AddSalesPipeline_DuplicateNullAndBadDefault_ThrowsListingEveryError()
    {
        var e = Assert.Throws<SalesPipelineOptionsException>(() => new ServiceCollection().AddSalesPipeline(o =>
        {
            o.Pipelines.Add(PipelineDefinition.Default);
            o.Pipelines.Add(null!);
            o.DefaultPipeline = "New Business";
        }));

        Assert.Equal(
            [
                "'Pipelines' must not hold null entries.",
                "'Pipelines' holds pipeline 'new-business' 2 times; ids must be unique.",
                "'DefaultPipeline' must be a pipeline id such as 'new-business', was 'New Business'.",
            ],
            e.Errors);
    }

    [Fact]
    public void AddSalesPipeline_SelfServiceOffGroupNotAGroupName_ThrowsNamingTheEntry()
    {
        var e = Assert.Throws<SalesPipelineOptionsException>(() => new ServiceCollection().AddSalesPipeline(o =>
            o.Leads.SelfServiceOffGroups.UnionWith(["north", "North Team", "7-south"])));

        Assert.Equal(
            [
                "'Leads.SelfServiceOffGroups' holds '7-south', which is not a valid group: use lower-case letters, digits and hyphens, starting with a letter (for example 'north').",
                "'Leads.SelfServiceOffGroups' holds 'North Team', which is not a valid group: use lower-case letters, digits and hyphens, starting with a letter (for example 'north').",
            ],
            e.Errors);
    }

    [Fact]
    public void AddSalesPipeline_DocumentLimitAboveWhatTheStoresHold_ThrowsNamingTheLargest()
    {
        var e = Assert.Throws<SalesPipelineOptionsException>(() => new ServiceCollection().AddSalesPipeline(o => o.Documents.MaxSizeBytes = 1_000_000_000));
        new ServiceCollection().AddSalesPipeline(o => o.Documents.MaxSizeBytes = DocumentOptions.LargestMaxSizeBytes);

        Assert.Equal(["'Documents.MaxSizeBytes' must be between 1 and 999000000 (the most a SQLite row or a PostgreSQL value holds), was 1000000000."], e.Errors);
    }

    [Fact]
    public void AddSalesPipeline_InvalidOptions_RegistersNothing()
    {
        var services = new ServiceCollection();

        Assert.Throws<SalesPipelineOptionsException>(() => services.AddSalesPipeline(o => o.Pipelines.Clear()));

        Assert.Empty(services);
    }

    [Fact]
    public void AddSalesPipeline_Builder_ExposesTheSameServiceCollection()
    {
        var services = new ServiceCollection();

        Assert.Same(services, services.AddSalesPipeline().Services);
    }
}
