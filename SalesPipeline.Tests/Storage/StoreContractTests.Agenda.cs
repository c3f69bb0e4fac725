using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Agendas;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>Staleness by inactivity and the agenda's queries, the same on every store.</summary>
public abstract partial class StoreContractTests
{
    private static readonly Instant AgendaNow = Instant.FromUtc(2026, 12, 1, 8, 0);

    private IAgendaStore AgendaStore => fixture.Services.GetRequiredService<IAgendaStore>();

    private static UserId NewOwner() => new("ag-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task ReadAgendaAsync_RandomDealsOfThreeOwners_AgreesWithTheInMemoryReference()
    {
        var pipeline = Deals.IsolatedPipeline();
        UserId[] owners = [NewOwner(), NewOwner(), NewOwner()];
        var random = new Random(14);
        var saved = new List<OpportunityState>();
        for (var i = 0; i < 120; i++)
        {
            var state = Deals.Build(pipeline, owners[i % 3], random, random.Next(0, 14));
            await Store.SaveAsync(state);
            saved.Add(fixture.Expected(state, 1));
        }

        // Every stage with a cutoff somewhere inside the deals' 200 days, and a due bound and close range that split them.
        var stale = pipeline.Stages.Where(s => s.Kind == StageKind.Open)
            .Select((s, i) => new StaleCutoff(pipeline.Id, s.Id, Deals.Epoch + Duration.FromDays(60 + (i * 30)))).ToList();
        var selection = new AgendaSelection([owners[0], owners[2]], Deals.Epoch + Duration.FromDays(120), new LocalDate(2026, 6, 1), new LocalDate(2027, 3, 31), stale);

        var read = await AgendaStore.ReadAgendaAsync(selection);
        var expected = InMemoryAgenda.Read(saved, selection);

        Assert.NotEmpty(expected.Planned);
        Assert.NotEmpty(expected.NextContacts);
        Assert.NotEmpty(expected.Stale);
        Assert.NotEmpty(expected.Closing);
        Assert.Equal(expected.Planned, read.Planned);
        Assert.Equal(expected.NextContacts, read.NextContacts);
        Assert.Equal(expected.Stale, read.Stale);
        Assert.Equal(expected.Closing, read.Closing);
        Assert.Equal(expected.OpenByStage, read.OpenByStage);
    }

    [Fact]
    public async Task ReadAgendaAsync_HandBuiltDeals_ListsOnlyTheOwnersOpenDealsInTheirBounds()
    {
        var pipeline = PipelineDefinition.Default;
        var (anna, bob) = (NewOwner(), NewOwner());
        var t = AgendaNow - Duration.FromDays(30);
        Opportunity New(string name, UserId owner, LocalDate close, decimal value = 1000m) =>
            Opportunity.Create(new NewOpportunity(name, Money.Of(value, "PLN"), null, close, owner), pipeline, owner, t);

        var due = New("Due", anna, new LocalDate(2026, 12, 3), 1500m);
        due.LogActivity(NewActivity.Call("Intro", nextContact: AgendaNow + Duration.FromDays(1)), anna, t + Duration.FromDays(25));
        due.LogActivity(NewActivity.Meeting("Workshop", due: AgendaNow + Duration.FromDays(2)), anna, t + Duration.FromDays(25));
        due.LogActivity(NewActivity.Task("Send price list", AgendaNow - Duration.FromDays(3)), anna, t + Duration.FromDays(25));
        var later = New("Later", anna, new LocalDate(2027, 2, 1), 500m);
        later.ScheduleNextContact(AgendaNow + Duration.FromDays(40), anna, AgendaNow - Duration.FromDays(1));
        var idle = New("Idle", anna, new LocalDate(2027, 2, 1), 250.5m);
        var lost = New("Lost", anna, new LocalDate(2026, 12, 2));
        lost.ScheduleNextContact(AgendaNow, anna, t);
        lost.Lose(pipeline, pipeline.LossReasons[0], "went elsewhere", anna, t + Duration.FromDays(1));
        var bobs = New("Bob's", bob, new LocalDate(2026, 12, 2));
        bobs.ScheduleNextContact(AgendaNow, bob, t);
        foreach (var deal in new[] { due, later, idle, lost, bobs })
        {
            await Store.SaveAsync(deal.ToState());
        }

        var cutoff = AgendaNow - Duration.FromDays(14);
        var read = await AgendaStore.ReadAgendaAsync(new AgendaSelection(
            [anna], AgendaNow + Duration.FromDays(7), new LocalDate(2026, 12, 1), new LocalDate(2026, 12, 7), [new StaleCutoff(pipeline.Id, Stages.Identification, cutoff)]));

        Assert.Equal(["Send price list", "Workshop"], read.Planned.Select(p => p.Activity.Subject));
        Assert.All(read.Planned, p => Assert.Equal((due.Id, "Due", anna), (p.OpportunityId, p.OpportunityName, p.Owner)));
        var next = Assert.Single(read.NextContacts);
        Assert.Equal((due.Id, AgendaNow + Duration.FromDays(1)), (next.Id, next.NextContact));
        var stale = Assert.Single(read.Stale);
        Assert.Equal((idle.Id, t, Stages.Identification, Money.Of(250.5m, "PLN")), (stale.Id, stale.LastTouchedAt, stale.Stage, stale.Value));
        Assert.Equal(["Due"], read.Closing.Select(d => d.Name));
        var open = Assert.Single(read.OpenByStage);
        Assert.Equal((pipeline.Id, Stages.Identification, 3, Money.Of(2250.5m, "PLN")), (open.Pipeline, open.Stage, open.Count, open.Value));
    }

    [Fact]
    public async Task AgendaService_FakeClock_DealGoesStaleAfterItsStagesLimitOfInactivityAndACallAnEditOrANextContactResetsIt()
    {
        var clock = new FakeClock(AgendaNow);
        var skip = new AccessOptions { SkipAccessChecks = true };
        var crm = new SalesPipelineService(fixture.Opportunities, fixture.Accounts, fixture.People, AgendaStore, PipelineCatalog.DefaultOnly, clock, skip);
        var agenda = new AgendaService(AgendaStore, fixture.People, PipelineCatalog.DefaultOnly, clock, skip);
        var owner = NewOwner();
        var today = new LocalDate(2026, 12, 1);
        async Task<IReadOnlyList<StaleDeal>> StaleAsync() =>
            (await agenda.GetAsync(new AgendaRequest(today, today.PlusDays(6), owner), owner)).Stale;

        var deal = await crm.CreateAsync(new NewOpportunity("Quiet deal", Money.Of(10_000m, "PLN"), null, new LocalDate(2027, 3, 1)), owner);
        clock.AdvanceDays(14);
        Assert.Empty(await StaleAsync());

        clock.AdvanceSeconds(1);
        var stale = Assert.Single(await StaleAsync());
        Assert.Equal((deal.Id, AgendaNow, Duration.FromDays(14) + Duration.FromSeconds(1), Duration.FromDays(14)), (stale.OpportunityId, stale.LastTouchedAt, stale.Idle, stale.StaleAfter));

        // A call logged resets it, though the deal has been in its stage all along.
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("Check-in"), owner);
        var touched = clock.GetCurrentInstant();
        Assert.Empty(await StaleAsync());
        Assert.Equal(touched, (await crm.GetAsync(deal.Id)).LastTouchedAt);
        Assert.Equal(AgendaNow, (await crm.GetAsync(deal.Id)).EnteredStageAt);

        clock.AdvanceDays(14);
        Assert.Empty(await StaleAsync());
        clock.AdvanceDays(1);
        Assert.Equal([deal.Id], (await StaleAsync()).Select(s => s.OpportunityId));

        // Qualification's limit is 21 days, counted from the move.
        await crm.MoveAsync(deal.Id, Stages.Qualification, owner);
        clock.AdvanceDays(20);
        Assert.Empty(await StaleAsync());
        clock.AdvanceDays(2);
        Assert.Equal([(deal.Id, Stages.Qualification, Duration.FromDays(21))], (await StaleAsync()).Select(s => (s.OpportunityId, s.Stage, s.StaleAfter)));

        // An edit resets it: the probability overridden, then the full limit again before it is stale.
        await crm.OverrideProbabilityAsync(deal.Id, 40, owner);
        Assert.Equal(clock.GetCurrentInstant(), (await crm.GetAsync(deal.Id)).LastTouchedAt);
        Assert.Empty(await StaleAsync());
        clock.AdvanceDays(21);
        Assert.Empty(await StaleAsync());
        clock.AdvanceSeconds(1);
        Assert.Equal([deal.Id], (await StaleAsync()).Select(s => s.OpportunityId));

        // So does scheduling the next contact.
        await crm.ScheduleNextContactAsync(deal.Id, clock.GetCurrentInstant() + Duration.FromDays(60), owner);
        Assert.Empty(await StaleAsync());
    }

    [Fact]
    public async Task AgendaService_FakeClock_OverdueFirstByHowOverdueThenTheRangeByDay()
    {
        var clock = new FakeClock(AgendaNow - Duration.FromDays(10));
        var skip = new AccessOptions { SkipAccessChecks = true };
        var crm = new SalesPipelineService(fixture.Opportunities, fixture.Accounts, fixture.People, AgendaStore, PipelineCatalog.DefaultOnly, clock, skip);
        var agenda = new AgendaService(AgendaStore, fixture.People, PipelineCatalog.DefaultOnly, clock, skip);
        var owner = NewOwner();
        var a = await crm.CreateAsync(new NewOpportunity("Alpha", Money.Of(100m, "PLN"), null, new LocalDate(2026, 12, 4)), owner);
        var b = await crm.CreateAsync(new NewOpportunity("Beta", Money.Of(200m, "EUR"), null, new LocalDate(2027, 1, 4)), owner);
        await crm.LogActivityAsync(a.Id, NewActivity.Call("Intro", nextContact: AgendaNow - Duration.FromDays(2)), owner);
        await crm.LogActivityAsync(b.Id, NewActivity.Task("Send offer", AgendaNow - Duration.FromDays(5)), owner);
        await crm.LogActivityAsync(b.Id, NewActivity.Meeting("Demo", due: AgendaNow + Duration.FromDays(1) + Duration.FromHours(2)), owner);
        await crm.ScheduleNextContactAsync(b.Id, AgendaNow + Duration.FromDays(1), owner);
        clock.Reset(AgendaNow);

        var result = await agenda.GetAsync(new AgendaRequest(new LocalDate(2026, 12, 1), new LocalDate(2026, 12, 7), owner) { Zone = DateTimeZoneProviders.Tzdb["Europe/Warsaw"] }, owner);

        Assert.Equal(
            [(AgendaItemKind.Task, "Send offer", Duration.FromDays(5)), (AgendaItemKind.NextContact, "Alpha", Duration.FromDays(2))],
            result.Overdue.Select(i => (i.Kind, i.Subject, i.Overdue)));
        Assert.Equal(
            [
                (new LocalDate(2026, 12, 2), AgendaItemKind.NextContact, "Beta"),
                (new LocalDate(2026, 12, 2), AgendaItemKind.Meeting, "Demo"),
                (new LocalDate(2026, 12, 4), AgendaItemKind.ExpectedClose, "Alpha"),
            ],
            result.Upcoming.Select(i => (i.Day, i.Kind, i.Subject)));
        Assert.Equal([(Stages.Identification, 1, Money.Of(200m, "EUR")), (Stages.Identification, 1, Money.Of(100m, "PLN"))], result.OpenByStage.Select(s => (s.Stage, s.Count, s.Value)));
        Assert.Equal([owner], result.Owners);
    }

    [Fact]
    public async Task OverdueFollowUpsAsync_FakeClock_ListsTheOpenDealsFollowUpsMostOverdueFirst()
    {
        var clock = new FakeClock(AgendaNow);
        var crm = new SalesPipelineService(fixture.Opportunities, fixture.Accounts, fixture.People, AgendaStore, PipelineCatalog.DefaultOnly, clock, new AccessOptions { SkipAccessChecks = true });
        var (anna, bob) = (NewOwner(), NewOwner());
        var annas = await crm.CreateAsync(new NewOpportunity("Anna's", Money.Of(100m, "PLN"), null, new LocalDate(2027, 1, 1), anna), anna);
        var bobs = await crm.CreateAsync(new NewOpportunity("Bob's", Money.Of(200m, "PLN"), null, new LocalDate(2027, 1, 1), bob), bob);
        await crm.ScheduleNextContactAsync(annas.Id, AgendaNow + Duration.FromDays(1), anna);
        await crm.ScheduleNextContactAsync(bobs.Id, AgendaNow + Duration.FromDays(2), bob);
        await crm.LogActivityAsync(bobs.Id, NewActivity.Task("Send offer", AgendaNow + Duration.FromHours(36)), bob);
        await crm.LogActivityAsync(bobs.Id, NewActivity.Meeting("Demo", due: AgendaNow + Duration.FromDays(5)), bob);
        var asOf = AgendaNow + Duration.FromDays(3);
        async Task<List<(string, FollowUpKind, string, Duration)>> OverdueAsync(Instant at, UserId? owner) =>
            [.. (await crm.OverdueFollowUpsAsync(at, owner)).Where(f => f.Owner == anna || f.Owner == bob).Select(f => (f.OpportunityName, f.Kind, f.Subject, f.Overdue))];

        Assert.Equal(
            [
                ("Anna's", FollowUpKind.NextContact, "Next contact", Duration.FromDays(2)),
                ("Bob's", FollowUpKind.PlannedActivity, "Send offer", Duration.FromHours(36)),
                ("Bob's", FollowUpKind.NextContact, "Next contact", Duration.FromDays(1)),
            ],
            await OverdueAsync(asOf, null));
        Assert.Equal(["Send offer", "Next contact"], (await OverdueAsync(asOf, bob)).Select(f => f.Item3));
        Assert.Empty(await OverdueAsync(AgendaNow + Duration.FromHours(12), null));

        await crm.LoseAsync(annas.Id, "Timing", "Not this year", anna);
        Assert.Empty(await OverdueAsync(asOf, anna));
        Assert.Equal(["Bob's", "Bob's"], (await OverdueAsync(asOf, null)).Select(f => f.Item1));
    }

    [Fact]
    public async Task StaleDealsAsync_FakeClock_UsesEachStagesLimitOfInactivityAndTheOwner()
    {
        var clock = new FakeClock(AgendaNow);
        var crm = new SalesPipelineService(fixture.Opportunities, fixture.Accounts, fixture.People, AgendaStore, PipelineCatalog.DefaultOnly, clock, new AccessOptions { SkipAccessChecks = true });
        var (anna, bob) = (NewOwner(), NewOwner());
        var quiet = await crm.CreateAsync(new NewOpportunity("Quiet", Money.Of(100m, "PLN"), null, new LocalDate(2027, 1, 1), anna), anna);
        var bobs = await crm.CreateAsync(new NewOpportunity("Bob's", Money.Of(200m, "PLN"), null, new LocalDate(2027, 1, 1), bob), bob);
        var moved = await crm.CreateAsync(new NewOpportunity("Moved", Money.Of(300m, "PLN"), null, new LocalDate(2027, 1, 1), anna), anna);
        await crm.LogActivityAsync(moved.Id, NewActivity.Call("Intro"), anna);
        await crm.MoveAsync(moved.Id, Stages.Qualification, anna);
        async Task<List<(OpportunityId, Duration, Duration)>> StaleAsync(UserId? owner) =>
            [.. (await crm.StaleDealsAsync(clock.GetCurrentInstant(), owner)).Where(s => s.Owner == anna || s.Owner == bob).Select(s => (s.OpportunityId, s.Idle, s.StaleAfter))];

        clock.AdvanceDays(14);
        Assert.Empty(await StaleAsync(null));

        // Identification goes stale after 14 days of inactivity, Qualification after 21; equal idle times order by name.
        clock.AdvanceDays(1);
        Assert.Equal([(bobs.Id, Duration.FromDays(15), Duration.FromDays(14)), (quiet.Id, Duration.FromDays(15), Duration.FromDays(14))], await StaleAsync(null));
        Assert.Equal([(quiet.Id, Duration.FromDays(15), Duration.FromDays(14))], await StaleAsync(anna));

        clock.AdvanceDays(7);
        Assert.Equal([bobs.Id, moved.Id, quiet.Id], (await StaleAsync(null)).Select(s => s.Item1));
        Assert.Equal((Duration.FromDays(22), Duration.FromDays(21)), (await StaleAsync(anna)).Where(s => s.Item1 == moved.Id).Select(s => (s.Item2, s.Item3)).Single());
    }
}
