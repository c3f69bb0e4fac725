using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Tests.Core.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// The people and lead contract, run against the in-memory store, SQLite and a real PostgreSQL server. Each test gets a
/// store of its own (a fresh file or database), so "nobody stored yet" and whole-store counts mean what they say.
/// </summary>
public abstract class LeadStoreContractTests(Func<StoreFixture> newFixture) : IAsyncLifetime
{
    private readonly StoreFixture _fixture = newFixture();
    private LeadTeam? _team;

    private LeadTeam Team => _team ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _team = new LeadTeam(_fixture.People, _fixture.Leads, _fixture.Accounts, _fixture.Opportunities, imports: _fixture.Import, definitions: _fixture.Definitions, agenda: _fixture.Agenda);
    }

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task People_SaveFindListAndUpdate_RoundTrip()
    {
        await Team.SeedAsync();

        Assert.Equal(Everyone.OrderBy(p => p.Id.Value, StringComparer.Ordinal).Select(p => p with { Version = 1 }), await _fixture.People.ListAsync());
        var sam = (await _fixture.People.FindAsync(Sam))!;
        var changed = sam with { Groups = ["north", "south"], LeadLimit = 7, Active = false };
        Assert.Equal(2, await _fixture.People.SaveAsync(changed));
        Assert.Equal(changed with { Version = 2 }, await _fixture.People.FindAsync(Sam));
        Assert.Null(await _fixture.People.FindAsync(new UserId("nobody")));
    }

    [Fact]
    public async Task People_StaleOrDuplicateSave_ThrowsConflictAndWritesNothing()
    {
        await Team.SeedAsync();
        var sam = (await _fixture.People.FindAsync(Sam))!;
        await _fixture.People.SaveAsync(sam with { LeadLimit = 5 });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.People.SaveAsync(sam with { LeadLimit = 9 }));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.People.SaveAsync(sam with { Version = 0, DisplayName = "Other Sam" }));

        var stored = (await _fixture.People.FindAsync(Sam))!;
        Assert.Equal((5, "Sam Seller", 2), (stored.LeadLimit, stored.DisplayName, stored.Version));
    }

    [Fact]
    public async Task People_AddFirst_OnlyIntoAnEmptyStore()
    {
        var first = new Person(Ada, "Ada", Role.Admin, ["hq"], null, 0, true);

        Assert.True(await _fixture.People.AddFirstAsync(first));
        Assert.False(await _fixture.People.AddFirstAsync(first with { Id = new UserId("eve") }));

        Assert.Equal([first with { Version = 1 }], await _fixture.People.ListAsync());
    }

    [Fact]
    public async Task People_SaveIfAnotherActiveAdmin_WritesOnlyWhileSomeoneElseIsAnActiveAdmin()
    {
        await Team.SeedAsync();
        var ada = (await _fixture.People.FindAsync(Ada))!;
        await _fixture.People.SaveAsync(new Person(new UserId("eve"), "Eve", Role.Admin, ["hq"], null, 0, Active: false));

        // Ada is the only active admin: an inactive admin and a manager do not count.
        Assert.Null(await _fixture.People.SaveIfAnotherActiveAdminAsync(ada with { Active = false }));
        Assert.Equal(ada, await _fixture.People.FindAsync(Ada));

        var mona = (await _fixture.People.FindAsync(Mona))!;
        await _fixture.People.SaveAsync(mona with { Role = Role.Admin });
        Assert.Equal(2, await _fixture.People.SaveIfAnotherActiveAdminAsync(ada with { Role = Role.Manager }));
        Assert.Equal(ada with { Role = Role.Manager, Version = 2 }, await _fixture.People.FindAsync(Ada));

        // A stale version is a conflict, not a write.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.People.SaveIfAnotherActiveAdminAsync(ada with { Active = false }));
        Assert.True((await _fixture.People.FindAsync(Ada))!.Active);
    }

    [Fact]
    public async Task People_SaveIfManagesNoActivePeople_WritesOnlyWhileNobodyActiveHasThemAsManager()
    {
        await Team.SeedAsync();
        var mona = (await _fixture.People.FindAsync(Mona))!;

        // Sam and Sue are active and have Mona as their manager.
        var refused = await _fixture.People.SaveIfAsync(mona with { Active = false }, PersonChecks.ManagesNoActivePeople);
        Assert.Equal((null, PersonChecks.ManagesNoActivePeople), Outcome(refused));
        Assert.Equal([Sam, Sue], refused.ActivePeopleManaged);
        Assert.Equal(mona, await _fixture.People.FindAsync(Mona));

        // An inactive person she manages does not count; one active person still does.
        await _fixture.People.SaveAsync((await _fixture.People.FindAsync(Sam))! with { Active = false });
        refused = await _fixture.People.SaveIfAsync(mona with { Active = false }, PersonChecks.ManagesNoActivePeople);
        Assert.Equal([Sue], refused.ActivePeopleManaged);
        Assert.Equal(mona, await _fixture.People.FindAsync(Mona));

        await _fixture.People.SaveAsync((await _fixture.People.FindAsync(Sue))! with { Manager = Max });
        var saved = await _fixture.People.SaveIfAsync(mona with { Active = false }, PersonChecks.ManagesNoActivePeople);
        Assert.Equal((2, PersonChecks.None), Outcome(saved));
        Assert.Empty(saved.ActivePeopleManaged);
        Assert.Equal(mona with { Active = false, Version = 2 }, await _fixture.People.FindAsync(Mona));
    }

    [Fact]
    public async Task People_SaveIfManagerActive_WritesOnlyWhileTheManagerIsAStoredActivePerson()
    {
        await Team.SeedAsync();
        var tom = (await _fixture.People.FindAsync(Tom))!;
        var zoe = new Person(new UserId("zoe"), "Zoe", Role.Salesperson, ["south"], Ivy, 3, true);

        // Ivy is inactive; nobody is not stored.
        Assert.Equal((null, PersonChecks.ManagerActive), Outcome(await _fixture.People.SaveIfAsync(tom with { Manager = Ivy }, PersonChecks.ManagerActive)));
        Assert.Equal((null, PersonChecks.ManagerActive), Outcome(await _fixture.People.SaveIfAsync(tom with { Manager = new UserId("nobody") }, PersonChecks.ManagerActive)));
        Assert.Equal((null, PersonChecks.ManagerActive), Outcome(await _fixture.People.SaveIfAsync(zoe, PersonChecks.ManagerActive)));
        Assert.Equal(tom, await _fixture.People.FindAsync(Tom));
        Assert.Null(await _fixture.People.FindAsync(zoe.Id));

        Assert.Equal((2, PersonChecks.None), Outcome(await _fixture.People.SaveIfAsync(tom with { Manager = Mona }, PersonChecks.ManagerActive)));
        Assert.Equal((1, PersonChecks.None), Outcome(await _fixture.People.SaveIfAsync(zoe with { Manager = Max }, PersonChecks.ManagerActive)));
        Assert.Equal(Mona, (await _fixture.People.FindAsync(Tom))!.Manager);
        Assert.Equal(Max, (await _fixture.People.FindAsync(zoe.Id))!.Manager);
    }

    [Fact]
    public async Task People_SaveIfSeveralChecks_ReportsEveryOneThatFailsAndWritesNothing()
    {
        await Team.SeedAsync();
        await _fixture.People.SaveAsync((await _fixture.People.FindAsync(Tom))! with { Manager = Ada });
        var ada = (await _fixture.People.FindAsync(Ada))!;

        // Ada is the only active admin and Tom's manager, and Ivy (her new manager) is inactive.
        var all = PersonChecks.AnotherActiveAdmin | PersonChecks.ManagesNoActivePeople | PersonChecks.ManagerActive;
        var refused = await _fixture.People.SaveIfAsync(ada with { Active = false, Manager = Ivy }, all);

        Assert.Equal((null, all), Outcome(refused));
        Assert.Equal([Tom], refused.ActivePeopleManaged);
        Assert.Equal(ada, await _fixture.People.FindAsync(Ada));

        // A stale version is a conflict, not a write.
        await _fixture.People.SaveAsync(ada with { LeadLimit = 9 });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.People.SaveIfAsync(ada with { Manager = Mona }, PersonChecks.ManagerActive));
        Assert.Null((await _fixture.People.FindAsync(Ada))!.Manager);
    }

    [Fact]
    public async Task Leads_ImportedAndChanged_ReadBackWithTheirHistory()
    {
        await Team.SeedAsync();
        await Team.ImportAsync(NewLead("L1"), NewLead("L2", Sam), NewLead("L3"));
        await Team.Service.TakeAsync(new LeadId("L1"), Sue);
        await Team.Service.StartWorkAsync(new LeadId("L1"), Sue);
        await Team.Service.DisqualifyAsync(new LeadId("L3"), "no-budget", Mona);

        var l1 = (await _fixture.Leads.FindAsync(new LeadId("L1")))!;
        Assert.Equal((LeadStatus.Working, Sue, 3), (l1.Status, l1.Owner, l1.Version));
        Assert.Equal([LeadStatus.New, LeadStatus.Assigned, LeadStatus.Working], l1.History.Select(h => h.To));
        Assert.Equal([Ada, Sue, Sue], l1.History.Select(h => h.By));
        Assert.True(l1.History.Zip(l1.History.Skip(1)).All(p => p.First.At < p.Second.At));
        Assert.Equal("L1@example.com", l1.Email);
        var l3 = (await _fixture.Leads.FindAsync(new LeadId("L3")))!;
        Assert.Equal((LeadStatus.Disqualified, "no-budget"), (l3.Status, l3.DisqualifyReason));
        Assert.Equal("no-budget", l3.History[^1].Reason);

        Assert.Equal(["L2"], (await _fixture.Leads.QueryAsync(new LeadQuery(Owner: Sam))).Select(l => l.Id.Value));
        Assert.Equal(["L1"], (await _fixture.Leads.QueryAsync(new LeadQuery(Status: LeadStatus.Working))).Select(l => l.Id.Value));
        Assert.Equal(new Dictionary<UserId, int> { [Sam] = 1, [Sue] = 1 }, await _fixture.Leads.ActiveCountsAsync());
    }

    [Fact]
    public async Task Leads_AddWithAnExistingId_ThrowsConflictAndAddsNone()
    {
        await Team.SeedAsync();
        await Team.ImportAsync(NewLead("L1"));

        var batch = new[] { Lead.Create(NewLead("L9"), Ada, T0), Lead.Create(NewLead("L1"), Ada, T0) };
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.Leads.AddAsync(batch));

        Assert.Null(await _fixture.Leads.FindAsync(new LeadId("L9")));
    }

    /// <summary>Seeds the team with Sam holding <paramref name="held"/> active leads under a limit of 3 and lead X unassigned; returns the store's snapshot.</summary>
    private async Task<string> SamHoldingAsync(int held)
    {
        await Team.SeedAsync();
        var sam = (await _fixture.People.FindAsync(Sam))!;
        await _fixture.People.SaveAsync(sam with { LeadLimit = 10 });
        await Team.ImportAsync([.. Enumerable.Range(1, held).Select(i => NewLead($"H{i}", Sam)), NewLead("X")]);
        await _fixture.People.SaveAsync((await _fixture.People.FindAsync(Sam))! with { LeadLimit = 3 });
        return await Team.SnapshotAsync();
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public async Task AssignAsync_AtLimitMinusOneLimitAndLimitPlusOne_OnlyBelowTheLimitSucceeds(int held, bool allowed)
    {
        // Sam's limit is 3; the store refuses only the new assignment, so 4 held means someone raised then lowered it.
        var before = await SamHoldingAsync(held);

        if (allowed)
        {
            var lead = await Team.Service.AssignAsync(new LeadId("X"), Sam, Mona);
            Assert.Equal((LeadStatus.Assigned, Sam), (lead.Status, lead.Owner));
            Assert.Equal(held + 1, (await _fixture.Leads.ActiveCountsAsync())[Sam]);
        }
        else
        {
            var e = await Assert.ThrowsAsync<LeadLimitReachedException>(() => Team.Service.AssignAsync(new LeadId("X"), Sam, Mona));
            Assert.Equal((3, held), (e.Limit, e.ActiveCount));
            Assert.Contains($"they hold {held} active leads and their limit is 3", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, await Team.SnapshotAsync());
        }
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public async Task TakeAsync_AtLimitMinusOneLimitAndLimitPlusOne_OnlyBelowTheLimitSucceeds(int held, bool allowed)
    {
        // As for assignments: Sam's limit is 3, and 4 held means someone raised then lowered it.
        var before = await SamHoldingAsync(held);

        if (allowed)
        {
            var lead = await Team.Service.TakeAsync(new LeadId("X"), Sam);
            Assert.Equal((LeadStatus.Assigned, Sam), (lead.Status, lead.Owner));
            Assert.Equal(held + 1, (await _fixture.Leads.ActiveCountsAsync())[Sam]);
        }
        else
        {
            var e = await Assert.ThrowsAsync<LeadLimitReachedException>(() => Team.Service.TakeAsync(new LeadId("X"), Sam));
            Assert.Equal((3, held), (e.Limit, e.ActiveCount));
            Assert.Contains($"they hold {held} active leads and their limit is 3", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, await Team.SnapshotAsync());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAsync_ManyConcurrentImportsWithAnOwner_NeverTakeThemOverTheLimit(bool withAssignments)
    {
        // Sam holds 1 of 3: exactly two of the racers (imports bringing a lead for Sam, and assignments to him) may win.
        await Team.SeedAsync();
        const int Racers = 12;
        await Team.ImportAsync([NewLead("H1", Sam), .. Enumerable.Range(1, Racers).Select(i => NewLead($"U{i:00}"))]);

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(1, Racers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                if (withAssignments && i % 2 == 0)
                {
                    await Team.Service.AssignAsync(new LeadId($"U{i:00}"), Sam, Mona);
                }
                else
                {
                    await Team.Service.ImportAsync([NewLead($"I{i:00}", Sam)], i % 3 == 0 ? Ada : Mona);
                }

                return true;
            }
            catch (LeadLimitReachedException)
            {
                return false;
            }
            catch (LeadImportException e) when (e.Message.Contains("'sam' would go over their limit of 3 active leads (they hold 3)", StringComparison.Ordinal))
            {
                return false;
            }
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(2, results.Count(r => r));
        Assert.Equal(3, (await _fixture.Leads.ActiveCountsAsync())[Sam]);
        Assert.Equal(3, (await _fixture.Leads.QueryAsync(new LeadQuery(Owner: Sam))).Count);
    }

    [Fact]
    public async Task PipelineDefinitionSave_ADealImportedWhileItChecks_EitherWaitsOrIsSeen_NoDealIsStranded()
    {
        // D-a keeps stage "alpha"; D-b drops it. While the save of D-b is checking the stored deals, an import brings a deal in
        // "alpha" with D-a. The check and the write are one transaction that excludes deal writes, so the import waits for
        // it (and then stores D-a, which its deal fits) rather than committing in between and being stranded under D-b.
        await Team.SeedAsync();
        var id = "p-" + Guid.NewGuid().ToString("N")[..12];
        var withAlpha = Pipeline(id, "alpha", "beta");
        var withoutAlpha = Pipeline(id, "beta");
        Task? racer = null;
        var probe = new ProbeDeals(_fixture.Opportunities, () =>
        {
            racer ??= Task.Run(async () =>
            {
                var session = await _fixture.Import.BeginImportAsync();
                await using (session)
                {
                    var deal = Opportunity.Create(new NewOpportunity("Alpha deal", Money.Of(1m, "PLN"), null, new LocalDate(2027, 1, 1), Sam, withAlpha.Id), withAlpha, Sam, T0).ToState();
                    await session.AddAsync([deal]);
                    await Team.PipelineDefinitions!.SaveAsync(withAlpha, Ada, session);
                    await session.CommitAsync();
                }
            });

            // Long enough for the import to commit if nothing held it back.
            return Task.WhenAny(racer, Task.Delay(TimeSpan.FromSeconds(3)));
        });
        var service = new PipelineDefinitionService(_fixture.Import, probe, _fixture.People);

        var fit = await service.SaveAsync(withoutAlpha, Ada);
        await racer!;

        Assert.Equal(0, fit.Checked);
        var stored = PipelineDefinition.FromJson((await _fixture.Definitions.LoadAsync())[withAlpha.Id]);
        Assert.True((await PipelineFit.CheckAsync(stored, _fixture.Opportunities)).Fits);
        Assert.Contains(stored.Stages, s => s.Id.Value == "alpha");
    }

    [Fact]
    public async Task PipelineDefinitionSave_DefinitionStrandingAStoredDeal_IsRefusedAndStoresNothing()
    {
        await Team.SeedAsync();
        var id = "p-" + Guid.NewGuid().ToString("N")[..12];
        var withAlpha = Pipeline(id, "alpha", "beta");
        await Team.PipelineDefinitions!.SaveAsync(withAlpha, Ada);
        await _fixture.Opportunities.SaveAsync(Opportunity.Create(new NewOpportunity("Alpha deal", Money.Of(1m, "PLN"), null, new LocalDate(2027, 1, 1), Sam, withAlpha.Id), withAlpha, Sam, T0).ToState());

        var e = await Assert.ThrowsAsync<PipelineFitException>(() => Team.PipelineDefinitions.SaveAsync(Pipeline(id, "beta"), Ada));

        Assert.Equal((1L, 1L), (e.Fit.Checked, e.Fit.Stranded));
        Assert.Equal(withAlpha.ToJson(), (await _fixture.Definitions.LoadAsync())[withAlpha.Id]);
    }

    /// <summary>A pipeline whose first stages are the given open stages, then won and lost.</summary>
    private static PipelineDefinition Pipeline(string id, params string[] open)
    {
        var builder = new PipelineDefinitionBuilder(id);
        foreach (var stage in open)
        {
            builder.AddStage(stage, StageKind.Open, 50);
        }

        builder.AddStage("won", StageKind.Won, 100).AddStage("lost", StageKind.Lost, 0);
        for (var i = 0; i < open.Length; i++)
        {
            builder.AllowMove(open[i], "won").AllowMove(open[i], "lost");
            if (i + 1 < open.Length)
            {
                builder.AllowMove(open[i], open[i + 1]);
            }
        }

        return builder.Build();
    }

    /// <summary>The store's deals, read in full, then a pause before they are handed over (while the caller's check runs).</summary>
    private sealed class ProbeDeals(IOpportunityStore inner, Func<Task> afterReading) : IOpportunityStore
    {
        public async IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var read = new List<OpportunityState>();
            await foreach (var deal in inner.QueryAsync(query, cancellationToken))
            {
                read.Add(deal);
            }

            await afterReading();
            foreach (var deal in read)
            {
                yield return deal;
            }
        }

        public Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default) => inner.SaveAsync(state, cancellationToken);
    }

    [Fact]
    public async Task AssignAsync_ManyManagersRaceForTheLastSlot_ExactlyOneAssignmentIsStored()
    {
        await Team.SeedAsync();
        const int Racers = 16;
        await Team.ImportAsync([NewLead("H1", Sam), NewLead("H2", Sam), .. Enumerable.Range(1, Racers).Select(i => NewLead($"R{i:00}"))]);
        var managers = new[] { Mona, Ada };

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(1, Racers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                await Team.Service.AssignAsync(new LeadId($"R{i:00}"), Sam, managers[i % 2]);
                return true;
            }
            catch (LeadLimitReachedException e) when (e.Limit == 3 && e.ActiveCount == 3)
            {
                return false;
            }
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r);
        Assert.Equal(3, (await _fixture.Leads.ActiveCountsAsync())[Sam]);
        Assert.Single(await _fixture.Leads.QueryAsync(new LeadQuery(Sam, LeadStatus.Assigned)), l => l.Id.Value.StartsWith('R'));
        Assert.Equal(Racers - 1, (await _fixture.Leads.QueryAsync(new LeadQuery(Status: LeadStatus.New))).Count);
    }

    [Fact]
    public async Task ConvertAsync_HeldLead_CreatesAccountContactAndDealTogetherAndFreesTheSlot()
    {
        await Team.SeedAsync();
        var existing = Account.Create("ACME Retail", null, Ada, T0);
        await _fixture.Accounts.SaveAsync(existing);
        await Team.ImportAsync(NewLead("L1", Sam, company: "acme retail"), NewLead("L2", Sam, company: "Brand New Ltd"));

        var deal = await Team.Service.ConvertAsync(new LeadId("L1"), null, Money.Of(5_000m, "PLN"), Sam);
        var other = await Team.Service.ConvertAsync(new LeadId("L2"), null, null, Mona);

        var stored = (await _fixture.Opportunities.FindAsync(deal.Id))!;
        Assert.Equal((Sam, Stages.Identification, existing.Id, Money.Of(5_000m, "PLN")), (stored.Owner, stored.Stage, stored.Account, stored.Value));
        Assert.Equal("Converted from lead 'L1'.", stored.History[0].Comment);
        var account = (await _fixture.Accounts.FindAsync(existing.Id))!;
        Assert.Equal(["Contact L1"], account.Contacts.Select(c => c.Name));
        Assert.Equal("L1@example.com", account.Contacts[0].Email);
        var lead = (await _fixture.Leads.FindAsync(new LeadId("L1")))!;
        Assert.Equal((LeadStatus.Converted, deal.Id), (lead.Status, lead.Opportunity));
        Assert.False(lead.IsActive);
        var created = (await _fixture.Accounts.FindByNameAsync("Brand New Ltd"))!;
        Assert.Equal((created.Id, Money.Zero("EUR"), Sam), ((await _fixture.Opportunities.FindAsync(other.Id))!.Account!.Value, other.Value, other.Owner));
        Assert.False((await _fixture.Leads.ActiveCountsAsync()).ContainsKey(Sam));
    }

    [Fact]
    public async Task ConvertAsync_LeadChangedAfterAccountAndDealWereWritten_LeavesNothing()
    {
        await Team.SeedAsync();
        await Team.ImportAsync(NewLead("L1", Sam, company: "Fresh Co"));
        var read = (await _fixture.Leads.FindAsync(new LeadId("L1")))!;
        await Team.Service.StartWorkAsync(read.Id, Sam); // someone else's change: the lead's version moves on
        var before = await Team.SnapshotAsync();
        var account = Account.Create("Fresh Co", null, Sam, T0);
        account.AddContact(new Contact("Contact L1"));
        var deal = Opportunity.Create(new NewOpportunity("Fresh Co", Money.Of(1m, "PLN"), account.Id, new LocalDate(2027, 1, 1), Sam), PipelineDefinition.Default, Sam, T0).ToState();
        var converted = read with { Status = LeadStatus.Converted, Opportunity = deal.Id };

        // The lead is written last, after the account, its contact and the deal: its stale version fails the whole transaction.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.Leads.ConvertAsync(new LeadConversion(account, deal, converted)));

        Assert.Equal(before, await Team.SnapshotAsync());
        Assert.Null(await _fixture.Accounts.FindByNameAsync("Fresh Co"));
        Assert.Null(await _fixture.Opportunities.FindAsync(deal.Id));
    }

    [Fact]
    public async Task ConvertAsync_DealWriteFailsAfterTheAccountWasWritten_LeavesNothing()
    {
        await Team.SeedAsync();
        await Team.ImportAsync(NewLead("L1", Sam, company: "Fresh Co"));
        var lead = (await _fixture.Leads.FindAsync(new LeadId("L1")))!;
        var taken = Opportunity.Create(new NewOpportunity("Taken", Money.Of(1m, "PLN"), null, new LocalDate(2027, 1, 1), Sam), PipelineDefinition.Default, Sam, T0).ToState();
        await _fixture.Opportunities.SaveAsync(taken);
        var before = await Team.SnapshotAsync();
        var account = Account.Create("Fresh Co", null, Sam, T0);
        account.AddContact(new Contact("Contact L1"));

        // The deal's id is already stored, so the deal fails after the account and its contact were written.
        var conversion = new LeadConversion(account, taken with { Name = "Fresh Co", Account = account.Id }, lead with { Status = LeadStatus.Converted, Opportunity = taken.Id });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.Leads.ConvertAsync(conversion));

        Assert.Equal(before, await Team.SnapshotAsync());
        Assert.Null(await _fixture.Accounts.FindByNameAsync("Fresh Co"));
    }

    [Fact]
    public async Task DistributeAsync_RealRun_EqualsTheWhatIfPlanAndStaysWithinLimits()
    {
        await Team.SeedAsync();
        await Team.ImportAsync([NewLead("H1", Sam), .. Enumerable.Range(1, 7).Select(i => NewLead($"N{i}"))]);

        var plan = await Team.Service.DistributeAsync("north", whatIf: true, Mona);
        var unchanged = await Team.SnapshotAsync();
        var real = await Team.Service.DistributeAsync("north", whatIf: false, Mona);

        Assert.NotEqual(unchanged, await Team.SnapshotAsync());
        Assert.Equal(plan.Assignments, real.Assignments);
        Assert.Equal(plan.NotPlaced, real.NotPlaced);
        Assert.Equal(5, real.Assignments.Count); // Sam 1 held + 2, Sue 3: both full
        Assert.Equal(["N6", "N7"], real.NotPlaced.Select(l => l.Value));
        var counts = await _fixture.Leads.ActiveCountsAsync();
        Assert.Equal((3, 3), (counts[Sam], counts[Sue]));
    }

    private static (int? Version, PersonChecks Failed) Outcome(PersonSaveResult result) => (result.Version, result.Failed);
}

public sealed class InMemoryLeadStoreContractTests() : LeadStoreContractTests(() => new InMemoryStoreFixture());

public sealed class SqliteLeadStoreContractTests() : LeadStoreContractTests(() => new SqliteStoreFixture());

public sealed class PostgresLeadStoreContractTests() : LeadStoreContractTests(() => new PostgresStoreFixture());
