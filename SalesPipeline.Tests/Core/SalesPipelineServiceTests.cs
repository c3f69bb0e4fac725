using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Tests.Core.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core;

public sealed class SalesPipelineServiceTests
{
    private readonly FakeClock _clock = new(T0);
    // Bob manages Anna's group, so he may work on her deals.
    private readonly InMemoryStore _store = StoreWithTeam();
    private readonly SalesPipelineService _crm;

    public SalesPipelineServiceTests() =>
        _crm = new SalesPipelineService(_store, _store, _store, _store, new PipelineCatalog([PipelineDefinition.Default, PipelineCatalogTests.Renewals]), _clock);

    private Instant Later(int hours)
    {
        _clock.AdvanceHours(hours);
        return _clock.GetCurrentInstant();
    }

    [Fact]
    public async Task CreateAsync_NewDeal_IsStoredInTheDefaultPipelineAtTheClocksInstant()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);

        Assert.Equal(T0, deal.CreatedAt);
        Assert.Equal(Anna, deal.CreatedBy);
        Assert.Equal(1, deal.Version);
        Assert.Equal(PipelineDefinition.Default.Id, deal.PipelineId);
        var stored = await _crm.GetAsync(deal.Id);
        Assert.Equal(deal.ToState(), stored.ToState());
    }

    [Fact]
    public async Task EveryChange_MadeThroughTheService_RecordsWhoAndTheClocksInstant()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);

        var callAt = Later(1);
        var call = await _crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro call", nextContact: T0 + Duration.FromDays(7)), Bob);
        Assert.Equal(Bob, call.Author);
        Assert.Equal(callAt, call.RecordedAt);
        Assert.Equal(callAt, call.HappenedAt);

        var movedAt = Later(1);
        deal = await _crm.MoveAsync(deal.Id, Stages.Qualification, Bob, "Qualified on the call");
        Assert.Equal(new StageChange(Stages.Identification, Stages.Qualification, movedAt, Bob, StageChangeKind.Moved, "Qualified on the call"), deal.History[^1]);

        var qualifiedAt = Later(1);
        await _crm.RecordQualificationAsync(deal.Id, new QualificationData("ERP", null, Money.Of(100_000m, "PLN"), null), Anna);
        deal = await _crm.GetAsync(deal.Id);
        Assert.Equal((Anna, qualifiedAt), (deal.LastChangedBy, deal.LastChangedAt));

        var overriddenAt = Later(1);
        await _crm.OverrideProbabilityAsync(deal.Id, 35, Bob);
        deal = await _crm.GetAsync(deal.Id);
        Assert.Equal((Bob, overriddenAt, 35), (deal.LastChangedBy, deal.LastChangedAt, deal.Probability));

        var scheduledAt = Later(1);
        await _crm.ScheduleNextContactAsync(deal.Id, scheduledAt + Duration.FromDays(2), Anna);
        deal = await _crm.GetAsync(deal.Id);
        Assert.Equal((Anna, scheduledAt, scheduledAt + Duration.FromDays(2)), (deal.LastChangedBy, deal.LastChangedAt, deal.NextContact));

        await _crm.MoveAsync(deal.Id, Stages.Offer, Anna);
        var attachedAt = Later(1);
        var documents = new DocumentService(_store, _store, _store, _store, _crm.Pipelines, _clock);
        var stored = await documents.AddAsync(new NewDocument("Offer v1", DocumentKind.Offer, "v1.pdf", ["north"]), new MemoryStream([1]), Anna);
        var offer = await documents.AttachOfferAsync(deal.Id, stored.Id, Bob);
        Assert.Equal(new OfferDocument(stored.Id, "Offer v1", Bob, attachedAt), offer);

        var task = await _crm.LogActivityAsync(deal.Id, NewActivity.Task("Send contract", attachedAt + Duration.FromDays(1)), Anna);
        var completedAt = Later(2);
        await _crm.CompleteActivityAsync(deal.Id, task.Id, Bob);
        deal = await _crm.GetAsync(deal.Id);
        Assert.Equal(completedAt, deal.Activities.Single(a => a.Id == task.Id).HappenedAt);
        Assert.Equal((Bob, completedAt), (deal.LastChangedBy, deal.LastChangedAt));

        var wonAt = Later(3);
        deal = await _crm.WinAsync(deal.Id, Anna, "Signed");
        Assert.Equal(new Outcome(OutcomeKind.Won, null, "Signed", wonAt), deal.Outcome);
        Assert.Equal((Anna, wonAt), (deal.History[^1].By, deal.History[^1].At));

        var reopenedAt = Later(1);
        deal = await _crm.ReopenAsync(deal.Id, "Signature withdrawn", Bob);
        Assert.Equal(new StageChange(Stages.Won, Stages.Offer, reopenedAt, Bob, StageChangeKind.Reopened, "Signature withdrawn"), deal.History[^1]);

        var lostAt = Later(1);
        deal = await _crm.LoseAsync(deal.Id, "Price", "They went with a cheaper vendor", Bob);
        Assert.Equal(new Outcome(OutcomeKind.Lost, "Price", "They went with a cheaper vendor", lostAt), deal.Outcome);
        Assert.Equal((Bob, lostAt), (deal.LastChangedBy, deal.LastChangedAt));
    }

    [Fact]
    public async Task MoveAsync_Refused_ThrowsAndStoresNothing()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);
        Later(1);

        var e = await Assert.ThrowsAsync<StageTransitionRejectedException>(() => _crm.MoveAsync(deal.Id, Stages.Qualification, Anna));

        Assert.Equal(["contact-logged"], e.UnmetRequirements.Select(u => u.Id));
        var stored = await _store.FindAsync(deal.Id);
        Assert.Equal(deal.ToState(), stored);
    }

    [Fact]
    public async Task PermittedMovesAndWhyNotAsync_StoredDeal_AnswerFromItsPipeline()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);

        Assert.Equal([Stages.Lost], await _crm.PermittedMovesAsync(deal.Id));
        Assert.Equal(["contact-logged"], (await _crm.WhyNotAsync(deal.Id, Stages.Qualification)).Select(u => u.Id));

        await _crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro"), Anna);

        Assert.Equal([Stages.Qualification, Stages.Lost], await _crm.PermittedMovesAsync(deal.Id));
        Assert.Empty(await _crm.WhyNotAsync(deal.Id, Stages.Qualification));
    }

    [Fact]
    public async Task CreateAsync_InRenewals_DealFollowsTheRenewalsPipeline()
    {
        var deal = await _crm.CreateAsync(NewDeal(pipeline: PipelineCatalogTests.Renewals.Id), Anna);

        Assert.Equal(new StageId("review"), deal.Stage);
        Assert.Equal([new StageId("churned")], await _crm.PermittedMovesAsync(deal.Id));
        await Assert.ThrowsAsync<UnknownStageException>(() => _crm.MoveAsync(deal.Id, Stages.Qualification, Anna));
    }

    [Fact]
    public async Task CreateAsync_UnknownPipeline_ThrowsArgumentException()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _crm.CreateAsync(NewDeal(pipeline: new PipelineId("upsell")), Anna));

        Assert.Contains("No pipeline 'upsell' is registered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_OwnerNoPersonAndOwningNoDeal_ThrowsArgumentExceptionNamingThem()
    {
        var crm = new SalesPipelineService(_store, _store, _store, _store, PipelineCatalog.DefaultOnly, _clock, new SalesPipeline.Access.AccessOptions { SkipAccessChecks = true });
        var imported = await crm.CreateAsync(NewDeal() with { Owner = new UserId("Darcel Schlecht") }, Anna);

        async Task<List<OpportunityId>> List(SalesPipelineService service, string owner, UserId by)
        {
            var ids = new List<OpportunityId>();
            await foreach (var deal in service.ListAsync(new OpportunityQuery(Owner: new UserId(owner)), by))
            {
                ids.Add(deal.Id);
            }

            return ids;
        }

        var e = await Assert.ThrowsAsync<ArgumentException>(() => List(crm, "Bob", Anna));

        Assert.Equal("No person has user id 'Bob', and no deal is owned by 'Bob': name a stored person or the owner of a deal (user ids match exactly, case included). (Parameter 'query')", e.Message);
        Assert.Equal([imported.Id], await List(crm, "Darcel Schlecht", Anna));
        Assert.Empty(await List(_crm, "bob", Bob));
    }

    [Fact]
    public async Task GetAsync_UnknownId_ThrowsOpportunityNotFoundException()
    {
        var id = OpportunityId.New();

        var e = await Assert.ThrowsAsync<OpportunityNotFoundException>(() => _crm.GetAsync(id));

        Assert.Equal(id, e.Id);
        Assert.Contains($"No opportunity has id {id}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountWithContacts_CreatedThroughTheService_IsStoredWithThemAndOwnsDeals()
    {
        var account = await _crm.CreateAccountAsync("Acme", "Manufacturing", Anna);
        await _crm.AddContactAsync(account.Id, new Contact("Ewa Nowak", "CFO", "+48 600 100 200", "ewa@acme.example", ContactChannel.Phone), Anna);
        var updated = await _crm.AddContactAsync(account.Id, new Contact("Jan Kowalski", "CTO", PreferredChannel: ContactChannel.Email), Anna);

        Assert.Equal(3, updated.Version);
        Assert.Equal(T0, updated.CreatedAt);
        var stored = await ((IAccountStore)_store).FindAsync(account.Id);
        Assert.Equal(["Ewa Nowak", "Jan Kowalski"], stored!.Contacts.Select(c => c.Name));
        Assert.Equal(ContactChannel.Phone, stored.Contacts[0].PreferredChannel);

        var deal = await _crm.CreateAsync(NewDeal() with { Account = account.Id }, Anna);
        Assert.Equal(account.Id, deal.Account);
    }

    [Fact]
    public async Task CreateAsync_UnknownAccount_ThrowsArgumentExceptionSayingCreateItFirst()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _crm.CreateAsync(NewDeal() with { Account = AccountId.New() }, Anna));

        Assert.Contains("create the account first", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddContactAsync_UnknownAccount_ThrowsKeyNotFoundException() =>
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _crm.AddContactAsync(AccountId.New(), new Contact("Ewa"), Anna));

    [Fact]
    public async Task ChangeAsync_DealChangedByAnotherWriterMeanwhile_ThrowsConcurrencyConflictAndKeepsTheirChange()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);
        var stale = Opportunity.Restore((await _store.FindAsync(deal.Id))!, PipelineDefinition.Default);
        await _crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro"), Anna);

        stale.AttachOffer(DocumentId.New(), "Offer", Bob, Later(1));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _store.SaveAsync(stale.ToState()));

        var stored = await _crm.GetAsync(deal.Id);
        Assert.Single(stored.Activities);
        Assert.Empty(stored.Offers);
    }

    [Fact]
    public async Task OverdueFollowUpsAsync_AsOfAnInstant_ListsOpenDealsOfTheOwner()
    {
        var annas = await _crm.CreateAsync(NewDeal("Anna's"), Anna);
        var bobs = await _crm.CreateAsync(NewDeal("Bob's") with { Owner = Bob }, Bob);
        await _crm.ScheduleNextContactAsync(annas.Id, T0 + Duration.FromDays(1), Anna);
        await _crm.ScheduleNextContactAsync(bobs.Id, T0 + Duration.FromDays(2), Bob);

        var asOf = T0 + Duration.FromDays(3);

        Assert.Equal(["Anna's", "Bob's"], (await _crm.OverdueFollowUpsAsync(asOf)).Select(f => f.OpportunityName));
        Assert.Equal(["Bob's"], (await _crm.OverdueFollowUpsAsync(asOf, Bob)).Select(f => f.OpportunityName));
        Assert.Empty(await _crm.OverdueFollowUpsAsync(T0 + Duration.FromHours(12)));

        await _crm.LoseAsync(annas.Id, "Timing", "Not this year", Anna);
        Assert.Equal(["Bob's"], (await _crm.OverdueFollowUpsAsync(asOf)).Select(f => f.OpportunityName));
    }

    [Fact]
    public async Task StaleDealsAsync_AsOfAnInstant_UsesEachDealsPipelineLimitsAndOwner()
    {
        var business = await _crm.CreateAsync(NewDeal("Business"), Anna);
        await _crm.CreateAsync(NewDeal("Renewal", pipeline: PipelineCatalogTests.Renewals.Id) with { Owner = Bob }, Bob);

        var stale = await _crm.StaleDealsAsync(T0 + Duration.FromDays(15));

        var only = Assert.Single(stale);
        Assert.Equal(business.Id, only.OpportunityId);
        Assert.Equal(Duration.FromDays(15), only.Idle);
        Assert.Empty(await _crm.StaleDealsAsync(T0 + Duration.FromDays(15), Bob));
        Assert.Empty(await _crm.StaleDealsAsync(T0 + Duration.FromDays(13)));
    }

    [Fact]
    public async Task Commands_CancelledToken_ThrowOperationCanceled()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro"), Anna, cancelled.Token));

        Assert.Empty((await _crm.GetAsync(deal.Id)).Activities);
    }

    [Fact]
    public void Constructor_MissingDependency_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new SalesPipelineService(null!, _store, _store, _store, PipelineCatalog.DefaultOnly, _clock));
        Assert.Throws<ArgumentNullException>(() => new SalesPipelineService(_store, _store, _store, null!, PipelineCatalog.DefaultOnly, _clock));
        Assert.Throws<ArgumentNullException>(() => new SalesPipelineService(_store, _store, _store, _store, PipelineCatalog.DefaultOnly, null!));
    }
}
