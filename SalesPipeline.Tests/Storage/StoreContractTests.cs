using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// The one contract every store keeps, run against the in-memory store, SQLite and a real PostgreSQL server (as Dapper
/// runs its tests against each provider). Each concrete class supplies its store through a fixture.
/// </summary>
public abstract partial class StoreContractTests(StoreFixture fixture)
{
    private static readonly PipelineDefinition Pipeline = PipelineDefinition.Default;

    private IOpportunityStore Store => fixture.Opportunities;

    [Fact]
    public async Task SaveAsync_NewDealWithEverything_ReadsBackUnchanged()
    {
        var state = RichDeal(Deals.IsolatedPipeline(), out _);

        var version = await Store.SaveAsync(state);

        Assert.Equal(1, version);
        Assert.Equal(fixture.Expected(state, 1), await Store.FindAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_LaterChanges_ReadBackUnchanged()
    {
        var pipeline = Deals.IsolatedPipeline();
        var state = RichDeal(pipeline, out var clock);
        await Store.SaveAsync(state);
        var deal = Opportunity.Restore(fixture.Expected(state, 1), pipeline);

        deal.CompleteActivity(deal.Activities.First(a => !a.Done).Id, Deals.Anna, clock += Duration.FromHours(1));
        deal.LogActivity(NewActivity.Email("Follow-up"), Deals.Anna, clock += Duration.FromHours(1));
        deal.AttachOffer(DocumentId.New(), "Offer v2", Deals.Anna, clock += Duration.FromHours(1));
        deal.MoveTo(pipeline, Stages.Negotiation, Deals.Anna, clock += Duration.FromHours(1), "price talks");
        deal.Win(pipeline, Deals.Anna, clock += Duration.FromHours(1), "signed");
        var changed = deal.ToState();

        Assert.Equal(2, await Store.SaveAsync(changed));
        Assert.Equal(fixture.Expected(changed, 2), await Store.FindAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_InstantsWithNanoseconds_KeepWhatTheStoreDocuments()
    {
        var state = RichDeal(Deals.IsolatedPipeline(), out _);
        var odd = state with
        {
            CreatedAt = state.CreatedAt + Duration.FromNanoseconds(999),
            LastChangedAt = state.LastChangedAt + Duration.FromNanoseconds(1),
            History = [.. state.History.Select(h => h with { At = h.At + Duration.FromNanoseconds(500) })],
        };

        await Store.SaveAsync(odd);
        var read = await Store.FindAsync(state.Id);

        // Databases keep microseconds: nanoseconds are truncated toward the past, consistently, never rounded up.
        Assert.Equal(fixture.Expected(odd, 1), read);
        Assert.True(read!.CreatedAt <= odd.CreatedAt && odd.CreatedAt - read.CreatedAt < Duration.FromNanoseconds(1000));
    }

    [Fact]
    public async Task SaveAsync_StaleVersion_ThrowsConflictAndWritesNothing()
    {
        var pipeline = Deals.IsolatedPipeline();
        var state = RichDeal(pipeline, out var clock);
        await Store.SaveAsync(state);
        var first = Opportunity.Restore((await Store.FindAsync(state.Id))!, pipeline);
        var second = Opportunity.Restore((await Store.FindAsync(state.Id))!, pipeline);
        first.LogActivity(NewActivity.Note("first writer"), Deals.Anna, clock += Duration.FromMinutes(1));
        second.LogActivity(NewActivity.Note("second writer"), Deals.Anna, clock += Duration.FromMinutes(1));
        second.MoveTo(pipeline, Stages.Negotiation, Deals.Anna, clock);
        await Store.SaveAsync(first.ToState());

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(second.ToState()));

        Assert.Equal((1, 2), (conflict.ExpectedVersion, conflict.ActualVersion));
        Assert.Equal(state.Id.ToString(), conflict.Id);
        Assert.Equal(fixture.Expected(first.ToState(), 2), await Store.FindAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_ExistingIdAtVersionZero_ThrowsConflictAndKeepsTheStoredDeal()
    {
        var state = RichDeal(Deals.IsolatedPipeline(), out _);
        await Store.SaveAsync(state);

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(state with { Name = "impostor", History = [state.History[0]] }));

        Assert.Equal((0, 1), (conflict.ExpectedVersion, conflict.ActualVersion));
        Assert.Contains("already exists", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(fixture.Expected(state, 1), await Store.FindAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_ExternalIdAnotherDealOfThePipelineHas_ThrowsNamingItAndWritesNothing()
    {
        var pipeline = Deals.IsolatedPipeline();
        var first = RichDeal(pipeline, out _) with { ExternalId = "crm-7" };
        await Store.SaveAsync(first);
        var second = RichDeal(pipeline, out _) with { ExternalId = "crm-7" };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.SaveAsync(second));

        Assert.StartsWith($"Another opportunity in pipeline '{pipeline.Id}' already has external id 'crm-7'; opportunity {second.Id} was not saved.", refused.Message, StringComparison.Ordinal);
        Assert.Null(await Store.FindAsync(second.Id));

        // The same id in another pipeline is another deal's, and a deal keeps its own id when it is saved again.
        var elsewhere = RichDeal(Deals.IsolatedPipeline(), out _) with { ExternalId = "crm-7" };
        Assert.Equal(1, await Store.SaveAsync(elsewhere));
        Assert.Equal(2, await Store.SaveAsync(first with { Version = 1, Name = "renamed" }));

        // Once the first deal gives the id up, another deal of the pipeline may take it.
        Assert.Equal(3, await Store.SaveAsync(first with { Version = 2, ExternalId = "crm-8" }));
        Assert.Equal(1, await Store.SaveAsync(second));
    }

    [Fact]
    public async Task SaveAsync_UnknownDealAtVersionAboveZero_ThrowsConflict()
    {
        var state = RichDeal(Deals.IsolatedPipeline(), out _) with { Version = 3 };

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(state));

        Assert.Null(conflict.ActualVersion);
        Assert.Null(await Store.FindAsync(state.Id));
    }

    [Fact]
    public async Task FindAsync_UnknownId_ReturnsNull() => Assert.Null(await Store.FindAsync(OpportunityId.New()));

    [Fact]
    public async Task QueryAsync_EachFilter_ReturnsExactlyTheMatchingDeals()
    {
        var first = Deals.IsolatedPipeline();
        var second = Deals.IsolatedPipeline();
        var owners = new[] { new UserId("q-" + Guid.NewGuid().ToString("N")), new UserId("q-" + Guid.NewGuid().ToString("N")) };
        var random = new Random(7);
        var mine = new List<OpportunityState>();
        for (var i = 0; i < 40; i++)
        {
            var state = Deals.Build(i % 2 == 0 ? first : second, owners[i % 3 == 0 ? 0 : 1], random, random.Next(0, 12));
            await Store.SaveAsync(state);
            mine.Add(fixture.Expected(state, 1));
        }

        var cut = Deals.Epoch + Duration.FromDays(100);
        var queries = new List<OpportunityQuery>();
        foreach (var pipeline in new PipelineId?[] { null, first.Id, second.Id })
        {
            foreach (var owner in new UserId?[] { null, owners[0], owners[1] })
            {
                foreach (var status in Enum.GetValues<OpportunityStatus>())
                {
                    queries.Add(new OpportunityQuery(pipeline, owner, status));
                    queries.Add(new OpportunityQuery(pipeline, owner, status, cut));
                }
            }
        }

        foreach (var stage in mine.Select(s => s.Stage).Distinct())
        {
            queries.Add(new OpportunityQuery(Stage: stage));
            queries.Add(new OpportunityQuery(first.Id, owners[1], OpportunityStatus.Open, Stage: stage));
        }

        foreach (var query in queries)
        {
            var found = new List<OpportunityState>();
            await foreach (var state in Store.QueryAsync(query))
            {
                found.Add(state);
            }

            Assert.All(found, s => Assert.True(query.Matches(s), $"{query} returned {s.Id}, which does not match it."));
            var expected = mine.Where(query.Matches).OrderBy(s => s.Id.Value).ToList();
            Assert.Equal(expected, found.Where(s => mine.Any(m => m.Id == s.Id)).OrderBy(s => s.Id.Value).ToList());
        }
    }

    [Fact]
    public async Task QueryAsync_MoreDealsThanOnePage_StreamsEveryOneOnce()
    {
        var owner = new UserId("page-" + Guid.NewGuid().ToString("N"));
        var random = new Random(11);
        var ids = new HashSet<OpportunityId>();
        for (var i = 0; i < 1_203; i++)
        {
            var state = Deals.Build(Pipeline, owner, random, 1);
            await Store.SaveAsync(state);
            ids.Add(state.Id);
        }

        var seen = new List<OpportunityId>();
        await foreach (var state in Store.QueryAsync(new OpportunityQuery(Owner: owner)))
        {
            seen.Add(state.Id);
        }

        Assert.Equal(ids.Count, seen.Count);
        Assert.True(ids.SetEquals(seen));
    }

    [Fact]
    public async Task AccountStore_SaveFindRenameAndContacts_RoundTrip()
    {
        var name = "Kowalski & Syn Sp. z o.o. " + Guid.NewGuid().ToString("N");
        var account = Account.Create(name, "Manufacturing", Deals.Anna, Deals.Epoch + Duration.FromTicks(123_4560));
        account.AddContact(new Contact("Jan Kowalski", "CFO", "+48 600 000 000", "jan@example.com", ContactChannel.Phone));
        account.AddContact(new Contact("Ewa O'Neil"));

        Assert.Equal(1, await fixture.Accounts.SaveAsync(account));
        var found = await fixture.Accounts.FindAsync(account.Id);
        var byName = await fixture.Accounts.FindByNameAsync("  " + name.ToUpperInvariant() + " ");

        AssertSameAccount(account, 1, found);
        AssertSameAccount(account, 1, byName);
        found!.AddContact(new Contact("Third", Email: "third@example.com", PreferredChannel: ContactChannel.LinkedIn));
        found.Rename(name + " (renamed)");
        Assert.Equal(2, await fixture.Accounts.SaveAsync(found));
        AssertSameAccount(found, 2, await fixture.Accounts.FindAsync(account.Id));
        Assert.Null(await fixture.Accounts.FindByNameAsync(name));
        var listed = new List<Account>();
        await foreach (var a in fixture.Accounts.ListAsync())
        {
            listed.Add(a);
        }

        Assert.Contains(listed, a => a.Id == account.Id && a.Contacts.Count == 3);
    }

    [Fact]
    public async Task AccountStore_StaleOrDuplicateSave_ThrowsConflictAndWritesNothing()
    {
        var account = Account.Create("Stale Ltd " + Guid.NewGuid().ToString("N"), null, Deals.Anna, Deals.Epoch);
        await fixture.Accounts.SaveAsync(account);
        var a = (await fixture.Accounts.FindAsync(account.Id))!;
        var b = (await fixture.Accounts.FindAsync(account.Id))!;
        a.AddContact(new Contact("A"));
        b.AddContact(new Contact("B"));
        await fixture.Accounts.SaveAsync(a);

        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => fixture.Accounts.SaveAsync(b));
        var duplicate = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => fixture.Accounts.SaveAsync(account));

        Assert.Equal((1, 2), (stale.ExpectedVersion, stale.ActualVersion));
        Assert.Equal(0, duplicate.ExpectedVersion);
        var stored = await fixture.Accounts.FindAsync(account.Id);
        Assert.Equal(["A"], stored!.Contacts.Select(c => c.Name));
    }

    [Fact]
    public async Task PlannedAsync_Window_ListsOpenPlannedActivitiesByDue()
    {
        var owner = new UserId("agenda-" + Guid.NewGuid().ToString("N"));
        var other = new UserId("agenda-other-" + Guid.NewGuid().ToString("N"));
        var start = Deals.Epoch + Duration.FromDays(10);
        var end = start + Duration.FromDays(7);
        var states = new List<OpportunityState>();
        var clock = Deals.Epoch;
        foreach (var who in new[] { owner, owner, other })
        {
            var deal = Opportunity.Create(new NewOpportunity("Agenda " + who, Money.Of(10m, "EUR"), null, new LocalDate(2026, 6, 1), who), Pipeline, who, clock);
            deal.LogActivity(NewActivity.Meeting("before", due: start - Deals.Us(1)), who, clock);
            deal.LogActivity(NewActivity.Meeting("at start", due: start), who, clock);
            deal.LogActivity(NewActivity.Task("inside", start + Duration.FromDays(2) + Deals.Us(7)), who, clock);
            deal.LogActivity(NewActivity.Task("done inside", start + Duration.FromDays(3)), who, clock);
            deal.LogActivity(NewActivity.Task("at end", end), who, clock);
            deal.LogActivity(NewActivity.Call("a call"), who, clock);
            deal.CompleteActivity(deal.Activities[3].Id, who, clock + Duration.FromMinutes(1));
            await Store.SaveAsync(deal.ToState());
            states.Add(fixture.Expected(deal.ToState(), 1));
            clock += Duration.FromSeconds(1);
        }

        var planned = await fixture.Activities.PlannedAsync(owner, start, end);

        var expected = states.Where(s => s.Owner == owner)
            .SelectMany(s => s.Activities.Where(a => !a.Done && a.Due >= start && a.Due < end).Select(a => new ScheduledActivity(s.Id, s.Name, s.Owner, a)))
            .OrderBy(s => s.Activity.Due).ThenBy(s => s.Activity.Subject, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(4, expected.Count);
        Assert.Equal(expected.Select(e => e.Activity.Due), planned.Select(p => p.Activity.Due));
        Assert.True(expected.ToHashSet().SetEquals(planned));
        var everyone = await fixture.Activities.PlannedAsync(null, start, end);
        Assert.Equal(6, everyone.Count(p => p.Owner == owner || p.Owner == other));
    }

    [Fact]
    public async Task Aggregates_HandMadeDeals_EqualTheInMemoryReference()
    {
        var pipeline = Deals.IsolatedPipeline();
        var anna = new UserId("anna");
        var clock = Deals.Epoch;
        var states = new List<OpportunityState>();
        async Task<Opportunity> Create(string currency, decimal amount, UserId owner)
        {
            var deal = Opportunity.Create(new NewOpportunity("Deal", Money.Of(amount, currency), null, new LocalDate(2026, 3, 1), owner), pipeline, owner, clock += Duration.FromMinutes(1));
            deal.LogActivity(NewActivity.Call("hello"), owner, clock);
            return await Task.FromResult(deal);
        }

        var a = await Create("PLN", 1000.10m, anna);
        a.MoveTo(pipeline, Stages.Qualification, anna, clock += Duration.FromMinutes(1));
        var b = await Create("PLN", 2000.01m, anna);
        b.OverrideProbability(33, anna, clock += Duration.FromMinutes(1));
        var c = await Create("JPY", 5000m, new UserId("bob"));
        var d = await Create("EUR", 999.99m, anna);
        d.Lose(pipeline, pipeline.LossReasons[0], "too pricey", anna, clock += Duration.FromMinutes(1));
        var e = await Create("EUR", 100m, anna);
        e.RecordQualification(new QualificationData("needs", null, Money.Of(1m, "EUR"), null), anna, clock);
        e.MoveTo(pipeline, Stages.Qualification, anna, clock += Duration.FromMinutes(1));
        e.MoveTo(pipeline, Stages.Offer, anna, clock += Duration.FromMinutes(1));
        e.AttachOffer(DocumentId.New(), "offer", anna, clock);
        e.Win(pipeline, anna, clock += Duration.FromMinutes(1));
        foreach (var deal in new[] { a, b, c, d, e })
        {
            await Store.SaveAsync(deal.ToState());
            states.Add(fixture.Expected(deal.ToState(), 1));
        }

        foreach (var asOf in new[] { Deals.Epoch, Deals.Epoch + Duration.FromMinutes(3), a.History[^1].At, clock, clock + Duration.FromDays(1) })
        {
            foreach (var owner in new UserId?[] { null, anna, new UserId("nobody") })
            {
                Assert.Equal(PipelineAggregates.Snapshot(states, pipeline, asOf, owner), await fixture.Aggregates.SnapshotAsync(pipeline, asOf, owner));
                Assert.Equal(PipelineAggregates.Closed(states, pipeline, Deals.Epoch, asOf, owner), await fixture.Aggregates.ClosedAsync(pipeline, Deals.Epoch, asOf, owner));
            }
        }

        var funnel = await fixture.Aggregates.SnapshotAsync(pipeline, clock);
        Assert.Contains(new StageTotals(Stages.Identification, "PLN", 1, 2000.01m, 660.0033m), funnel);
    }

    [Fact]
    public void Property_RandomDeals_RoundTripUnchangedThroughSaveAndUpdate()
    {
        var pipeline = Deals.IsolatedPipeline();
        var owners = new[] { Deals.Anna, new UserId("bob") };
        var scenario =
            from deal in Deals.Deal(pipeline, owners)
            from seed in Gen.Choose(0, int.MaxValue)
            from more in Gen.Choose(0, 8)
            select (deal, seed, more);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(60),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var (state, seed, more) = s;
                Assert.Equal(1, Store.SaveAsync(state).GetAwaiter().GetResult());
                Assert.Equal(fixture.Expected(state, 1), Store.FindAsync(state.Id).GetAwaiter().GetResult());

                var deal = Opportunity.Restore(fixture.Expected(state, 1), pipeline);
                var clock = Deals.Epoch + Duration.FromDays(400);
                Deals.Apply(deal, pipeline, new Random(seed), more, ref clock);
                var changed = deal.ToState();
                Assert.Equal(2, Store.SaveAsync(changed).GetAwaiter().GetResult());
                Assert.Equal(fixture.Expected(changed, 2), Store.FindAsync(state.Id).GetAwaiter().GetResult());
            }));
    }

    /// <summary>The owners the random-pipeline properties spread their deals over.</summary>
    private static readonly UserId[] PropertyOwners = [Deals.Anna, new UserId("bob"), new UserId("cezary")];

    /// <summary>Up to 30 seeds of random deals (<see cref="SaveRandomDeals"/>).</summary>
    private static Gen<int[]> RandomSeeds =>
        from count in Gen.Choose(0, 30)
        from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), count)
        select seeds;

    /// <summary>
    /// Saves one random deal per seed in <paramref name="pipeline"/>, then again one for each of the first
    /// <paramref name="twins"/> seeds (deals like another, so a store's groups hold more than one deal); returns the states
    /// the store should now hold for them. <paramref name="vary"/>, when given, changes each built deal (with the same
    /// random source) before it is saved.
    /// </summary>
    private List<OpportunityState> SaveRandomDeals(PipelineDefinition pipeline, IReadOnlyList<int> seeds, int twins = 0, Func<OpportunityState, Random, OpportunityState>? vary = null)
    {
        var states = new List<OpportunityState>();
        foreach (var seed in seeds.Concat(seeds.Take(twins)))
        {
            var random = new Random(seed);
            var state = Deals.Build(pipeline, PropertyOwners[random.Next(PropertyOwners.Length)], random, random.Next(0, 15));
            state = vary?.Invoke(state, random) ?? state;
            Store.SaveAsync(state).GetAwaiter().GetResult();
            states.Add(fixture.Expected(state, 1));
        }

        return states;
    }

    /// <summary>An instant <paramref name="days"/> after the epoch, moved by <paramref name="jitter"/> so it falls between whole microseconds too.</summary>
    private static Instant BetweenMicroseconds(int days, int jitter) =>
        Deals.Epoch + Duration.FromDays(days) + Deals.Us(jitter * 7) + Duration.FromNanoseconds(jitter % 2 * 500);

    /// <summary>A period bounded both ways (<paramref name="bounds"/> 0), from a start only (1), up to an end only (2), or all time (3).</summary>
    private static NodaTime.Interval Period(int bounds, Instant start, Instant end) => bounds switch
    {
        0 => new NodaTime.Interval(start, end),
        1 => new NodaTime.Interval(start, null),
        2 => new NodaTime.Interval(null, end),
        _ => new NodaTime.Interval(null, null),
    };

    [Fact]
    public void Property_RandomPipelines_SqlAggregatesEqualTheInMemoryReference()
    {
        var owners = PropertyOwners;
        var scenario =
            from count in Gen.Choose(0, 25)
            from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), count)
            from asOfDays in Gen.Choose(-5, 300)
            from spanDays in Gen.Choose(0, 200)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, asOfDays, spanDays, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds);

                var asOf = Deals.Epoch + Duration.FromDays(s.asOfDays) + Deals.Us(s.spanDays * 7);
                var start = asOf - Duration.FromDays(s.spanDays);
                var owner = s.ownerIndex < 0 ? (UserId?)null : owners[s.ownerIndex];
                Assert.Equal(PipelineAggregates.Snapshot(states, pipeline, asOf, owner), fixture.Aggregates.SnapshotAsync(pipeline, asOf, owner).GetAwaiter().GetResult());
                Assert.Equal(PipelineAggregates.Closed(states, pipeline, start, asOf, owner), fixture.Aggregates.ClosedAsync(pipeline, start, asOf, owner).GetAwaiter().GetResult());
            }));
    }

    [Fact]
    public void Property_RandomPipelines_StoreWinLossEqualsTheInMemoryCalculator() =>
        CheckClosePeriods(c =>
        {
            var options = new SalesPipeline.Analytics.WinLossOptions { IncludeOpenDeals = c.Choice, Owner = c.Owner };
            Assert.Equal(
                Structural.Text(SalesPipeline.Analytics.PipelineAnalytics.WinLoss(c.States, c.Pipeline, c.Period, options)),
                Structural.Text(fixture.Aggregates.WinLossAsync(c.Pipeline, c.Period, options).GetAwaiter().GetResult()));
        });

    [Fact]
    public void Property_RandomPipelines_StoreSalesCycleEqualsTheInMemoryCalculator() =>
        CheckClosePeriods(c =>
        {
            var options = new SalesPipeline.Analytics.SalesCycleOptions { Owner = c.Owner };
            Assert.Equal(
                SalesPipeline.Analytics.PipelineAnalytics.SalesCycle(c.States, c.Pipeline, c.Period, options),
                fixture.Aggregates.SalesCycleAsync(c.Pipeline, c.Period, options).GetAwaiter().GetResult());
        });

    /// <summary>
    /// Checks <paramref name="check"/> over random deals (some twice over) saved in a new pipeline, a close period ending
    /// between microseconds too (with its start, its end, both or neither), every owner or one, and a yes/no choice the
    /// check may use for an option of its own.
    /// </summary>
    private void CheckClosePeriods(Action<ClosePeriodCase> check)
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from endDays in Gen.Choose(-5, 400)
            from spanDays in Gen.Choose(0, 300)
            from bounds in Gen.Choose(0, 3)
            from choice in Gen.Elements(false, true)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, endDays, spanDays, bounds, choice, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins);
                var end = BetweenMicroseconds(s.endDays, s.spanDays);
                var period = Period(s.bounds, end - Duration.FromDays(s.spanDays), end);
                check(new ClosePeriodCase(pipeline, states, end, period, s.ownerIndex < 0 ? null : owners[s.ownerIndex], s.choice));
            }));
    }

    /// <summary>One case of <see cref="CheckClosePeriods"/>: the deals as saved, the period's end and the period, the owner asked for, the choice.</summary>
    private sealed record ClosePeriodCase(PipelineDefinition Pipeline, List<OpportunityState> States, Instant End, NodaTime.Interval Period, UserId? Owner, bool Choice);

    [Fact]
    public void Property_RandomPipelines_StoreOpenDealsEqualTheInMemorySnapshotAndForecast()
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from asOfDays in Gen.Choose(-5, 400)
            from overdueDays in Gen.Choose(-1, 900)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, asOfDays, overdueDays, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins);

                // As of instants between microseconds too.
                var asOf = BetweenMicroseconds(s.asOfDays, s.asOfDays);
                var options = new SalesPipeline.Analytics.ForecastOptions
                {
                    Owner = s.ownerIndex < 0 ? null : owners[s.ownerIndex],
                    OverdueBefore = s.overdueDays < 0 ? null : new LocalDate(2026, 1, 1).PlusDays(s.overdueDays),
                };
                var open = fixture.Aggregates.OpenDealsAsync(pipeline, asOf, options).GetAwaiter().GetResult();
                Assert.Equal(
                    Structural.Text(PipelineAggregates.Snapshot(states, pipeline, asOf, options.Owner)),
                    Structural.Text(open.Stages));
                var forecast = Structural.Text(SalesPipeline.Analytics.PipelineAnalytics.Forecast(states, pipeline, asOf, options));
                Assert.Equal(forecast, Structural.Text(open.Forecast));
                Assert.Equal(forecast, Structural.Text(fixture.Aggregates.ForecastAsync(pipeline, asOf, options).GetAwaiter().GetResult()));
            }));
    }

    [Fact]
    public async Task SaveAsync_EightWritersOnOneDeal_NoUpdateLostAndEveryFailureIsAConflict()
    {
        const int Writers = 8;
        const int Attempts = 200;
        var pipeline = Deals.IsolatedPipeline();
        var start = Opportunity.Create(new NewOpportunity("Contended", Money.Of(1000m, "PLN"), null, new LocalDate(2026, 5, 1)), pipeline, Deals.Anna, Deals.Epoch);
        await Store.SaveAsync(start.ToState());
        var ticks = 0L;
        var successes = new ConcurrentBag<OpportunityState>();
        var conflicts = 0;
        var failures = new ConcurrentBag<Exception>();

        async Task Writer(int writer)
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                try
                {
                    var deal = Opportunity.Restore((await Store.FindAsync(start.Id))!, pipeline);
                    var at = Deals.Epoch + Deals.Us(Interlocked.Increment(ref ticks) * 1_000);
                    at = at < deal.LastChangedAt ? deal.LastChangedAt : at;
                    deal.LogActivity(NewActivity.Call($"writer {writer} attempt {attempt}"), new UserId($"w{writer}"), at);
                    switch (attempt % 4)
                    {
                        case 0:
                            var moves = pipeline.PermittedMoves(deal).Where(s => pipeline.Stage(s).IsOpen).ToList();
                            if (moves.Count > 0)
                            {
                                deal.MoveTo(pipeline, moves[(writer + attempt) % moves.Count], new UserId($"w{writer}"), at);
                            }

                            break;
                        case 1:
                            deal.Edit(new UserId($"w{writer}"), at, value: Money.Of(1000m + attempt, "PLN"));
                            break;
                        case 2:
                            deal.OverrideProbability((writer * 10) + (attempt % 10), new UserId($"w{writer}"), at);
                            break;
                        default:
                            deal.RecordQualification(new QualificationData($"needs {writer}/{attempt}", null, Money.Of(attempt, "PLN"), null), new UserId($"w{writer}"), at);
                            break;
                    }

                    // A moment between load and save, as a person or a request takes: it lets the writers overlap.
                    await Task.Delay(1);
                    var saved = deal.ToState();
                    var version = await Store.SaveAsync(saved);
                    successes.Add(saved with { Version = version });
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => Writer(w))));

        Assert.Empty(failures);
        Assert.Equal(Writers * Attempts, successes.Count + conflicts);
        Assert.True(conflicts > 0, "The writers never collided, so the test proved nothing about concurrency.");
        var chain = successes.OrderBy(s => s.Version).ToList();

        // Each success was written over exactly the version before it: replaying them in order is a chain with no gaps.
        Assert.Equal(Enumerable.Range(2, chain.Count), chain.Select(s => s.Version));
        var final = await Store.FindAsync(start.Id);
        Assert.Equal(fixture.Expected(chain[^1], chain[^1].Version), final);
        Assert.Equal(successes.Count, final!.Activities.Count);
        for (var i = 1; i < chain.Count; i++)
        {
            // Every successful write saw everything written before it (no lost update).
            Assert.Equal(chain[i - 1].Activities.Select(a => a.Id), chain[i].Activities.Take(chain[i - 1].Activities.Count).Select(a => a.Id));
        }
    }

    [Fact]
    public async Task Import_LookUpsBetweenBatches_FindExactlyTheStoredIdsAndThoseTheSessionWrote()
    {
        var random = new Random(11);
        OpportunityState Deal(PipelineDefinition pipeline, string externalId) =>
            Deals.Build(pipeline, Deals.Anna, random, random.Next(0, 12)) with { ExternalId = externalId };
        async Task<string[]> FoundAsync(IImportSession session, PipelineDefinition pipeline, params string[] ids) =>
            [.. (await session.ExistingExternalIdsAsync(pipeline.Id, ids)).Order(StringComparer.Ordinal)];

        // "stocked" has a deal stored before the import; "fresh" has none and is looked up before its first batch; "late"
        // has none and gets a batch before its first look-up; six more new pipelines, more than a store may keep apart.
        var stocked = Deals.IsolatedPipeline();
        var fresh = Deals.IsolatedPipeline();
        var late = Deals.IsolatedPipeline();
        var more = Enumerable.Range(0, 6).Select(_ => Deals.IsolatedPipeline()).ToList();
        var first = await fixture.Import.BeginImportAsync();
        await using (first)
        {
            await first.AddAsync([Deal(stocked, "s-0")]);
            await first.CommitAsync();
        }

        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            Assert.Empty(await FoundAsync(session, fresh, "a-0", "a-1"));
            Assert.Equal(["s-0"], await FoundAsync(session, stocked, "s-0", "s-1", "a-0"));

            await session.AddAsync([.. Enumerable.Range(0, 50).Select(i => Deal(fresh, $"a-{i}"))]);
            await session.AddAsync([.. Enumerable.Range(1, 9).Select(i => Deal(stocked, $"s-{i}"))]);
            await session.AddAsync([.. Enumerable.Range(0, 5).Select(i => Deal(late, $"l-{i}"))]);

            Assert.Equal(["a-0", "a-49"], await FoundAsync(session, fresh, "a-0", "a-49", "a-50", "s-1", "l-0"));
            Assert.Equal(["s-0", "s-1", "s-9"], await FoundAsync(session, stocked, "s-0", "s-1", "s-9", "s-10", "a-0"));
            Assert.Equal(["l-0", "l-4"], await FoundAsync(session, late, "l-0", "l-4", "l-5", "a-0"));

            await session.AddAsync([.. Enumerable.Range(50, 50).Select(i => Deal(fresh, $"a-{i}"))]);
            var all = Enumerable.Range(0, 150).Select(i => $"a-{i}").ToArray();
            Assert.Equal(all[..100].Order(StringComparer.Ordinal), await FoundAsync(session, fresh, all));

            for (var i = 0; i < more.Count; i++)
            {
                Assert.Empty(await FoundAsync(session, more[i], $"m-{i}"));
                await session.AddAsync([Deal(more[i], $"m-{i}")]);
                Assert.Equal([$"m-{i}"], await FoundAsync(session, more[i], $"m-{i}", $"m-{i + 1}", "a-0"));
            }

            await session.CommitAsync();
        }

        var again = await fixture.Import.BeginImportAsync();
        await using (again)
        {
            Assert.Equal(["a-0", "a-99"], await FoundAsync(again, fresh, "a-0", "a-99", "a-100"));
            Assert.Equal(["l-4"], await FoundAsync(again, late, "l-4", "l-5"));
        }
    }

    [Fact]
    public async Task Import_CommittedSession_MakesEverythingVisibleAtOnce()
    {
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(3);
        var batch = Enumerable.Range(0, 30).Select(i => Deals.Build(pipeline, Deals.Anna, random, random.Next(0, 12)) with { ExternalId = $"crm-{i}" }).ToList();
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            var account = await session.EnsureAccountAsync("Imported Co " + pipeline.Id, Deals.Anna, Deals.Epoch);
            Assert.Equal(account, await session.EnsureAccountAsync("IMPORTED CO " + pipeline.Id, Deals.Anna, Deals.Epoch));
            await session.AddAsync(batch[..10]);
            await session.AddAsync(batch[10..]);
            Assert.Equal(["crm-3", "crm-29"], (await session.ExistingExternalIdsAsync(pipeline.Id, ["crm-3", "crm-29", "crm-99"])).Order(StringComparer.Ordinal).Reverse());
            Assert.Null(await Store.FindAsync(batch[0].Id));
            await session.CommitAsync();
        }

        foreach (var state in batch)
        {
            Assert.Equal(fixture.Expected(state, 1), await Store.FindAsync(state.Id));
        }

        Assert.NotNull(await fixture.Accounts.FindByNameAsync("imported co " + pipeline.Id));
    }

    [Fact]
    public async Task Import_ExistingExternalIds_MatchesAwkwardIdsExactly()
    {
        var pipeline = Deals.IsolatedPipeline();
        string[] stored = ["O'Brien \"1\"", "a,b\\c", "zażółć 🚀", "[\"x\"]", "crm-7"];
        var random = new Random(11);
        await Store.SaveAsync(Deals.Build(pipeline, Deals.Anna, random, 2) with { ExternalId = stored[0] });
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            await session.AddAsync([.. stored[1..].Select(id => Deals.Build(pipeline, Deals.Anna, random, 2) with { ExternalId = id })]);

            // Stored before the session and within it, asked twice, next to ids that differ only in case or are absent.
            var found = await session.ExistingExternalIdsAsync(pipeline.Id, [.. stored, stored[0], "CRM-7", "crm-8", "x"]);

            Assert.Equal(stored.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
            Assert.Empty(await session.ExistingExternalIdsAsync(pipeline.Id, []));
            Assert.Empty(await session.ExistingExternalIdsAsync(Deals.IsolatedPipeline().Id, stored));
        }
    }

    [Fact]
    public async Task Import_MoreAccountsThanASessionCaches_StillMatchesEachByName()
    {
        var pipeline = Deals.IsolatedPipeline();
        var names = Enumerable.Range(0, AccountNameCache.Limit + 1).Select(i => $"Account {i} {pipeline.Id}").ToList();
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            var ids = new List<AccountId>();
            foreach (var name in names)
            {
                ids.Add(await session.EnsureAccountAsync(name, Deals.Anna, Deals.Epoch));
            }

            // The first names were created long before: a store that bounds its cache must still find them, not create them again.
            Assert.Equal(ids[0], await session.EnsureAccountAsync(names[0].ToUpperInvariant(), Deals.Anna, Deals.Epoch));
            Assert.Equal(ids[^1], await session.EnsureAccountAsync(names[^1], Deals.Anna, Deals.Epoch));
            Assert.Equal(names.Count, ids.Distinct().Count());
            await session.CommitAsync();
        }

        Assert.NotNull(await fixture.Accounts.FindByNameAsync(names[0]));
    }

    [Fact]
    public async Task Import_SessionDisposedWithoutCommit_LeavesNothing()
    {
        var pipeline = Deals.IsolatedPipeline();
        var state = Deals.Build(pipeline, Deals.Anna, new Random(5), 6);
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            await session.EnsureAccountAsync("Never Committed " + pipeline.Id, Deals.Anna, Deals.Epoch);
            await session.AddAsync([state]);
        }

        Assert.Null(await Store.FindAsync(state.Id));
        Assert.Null(await fixture.Accounts.FindByNameAsync("Never Committed " + pipeline.Id));
    }

    [Fact]
    public async Task Import_IdAlreadyStored_ThrowsConflict()
    {
        var state = Deals.Build(Deals.IsolatedPipeline(), Deals.Anna, new Random(9), 3);
        await Store.SaveAsync(state);
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            // A store may find the clash when the batch is written or, at the latest, at commit.
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            {
                await session.AddAsync([state with { Name = "imported again" }]);
                await session.CommitAsync();
            });
        }

        Assert.Equal(fixture.Expected(state, 1), await Store.FindAsync(state.Id));
    }

    [Fact]
    public async Task Import_CommitAfterAFailedBatch_IsRefusedAndKeepsNothing()
    {
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(52);
        var deals = Enumerable.Range(0, 3).Select(_ => Deals.Build(pipeline, Deals.Anna, random, 2)).ToList();
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals[..2]);
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync([deals[2], deals[0] with { Name = "again" }]));

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync());

            Assert.Contains("failed earlier", error.Message, StringComparison.Ordinal);
            Assert.IsType<ConcurrencyConflictException>(error.InnerException);
            await Assert.ThrowsAsync<InvalidOperationException>(() => session.AddAsync([Deals.Build(pipeline, Deals.Anna, random, 1)]));
        }

        foreach (var deal in deals)
        {
            Assert.Null(await Store.FindAsync(deal.Id));
        }
    }

    [Fact]
    public async Task Import_ArgumentsRefusedBeforeTheStore_LeaveTheSessionUsable()
    {
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(53);
        var deal = Deals.Build(pipeline, Deals.Anna, random, 2);
        var twice = Deals.Build(pipeline, Deals.Anna, random, 2);
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => session.EnsureAccountAsync("  ", Deals.Anna, Deals.Epoch));
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync([twice, twice]));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => session.AddAsync([deal with { Version = 3 }]));

            await session.AddAsync([deal]);
            await session.CommitAsync();
        }

        Assert.Equal(fixture.Expected(deal, 1), await Store.FindAsync(deal.Id));
        Assert.Null(await Store.FindAsync(twice.Id));
    }

    [Fact]
    public async Task PipelineDefinitions_SaveReplaceAndLoad_RoundTripTheJsonText()
    {
        var pipeline = Deals.IsolatedPipeline();
        var json = pipeline.ToJson();
        await fixture.Definitions.SaveAsync(pipeline.Id, "{\"placeholder\": \"O'Brien; DROP TABLE pipeline_definitions; --\"}");
        await fixture.Definitions.SaveAsync(pipeline.Id, json);

        var stored = await fixture.Definitions.LoadAsync();

        Assert.Equal(json, stored[pipeline.Id]);
        Assert.Equal(pipeline.Id, PipelineDefinition.FromJson(stored[pipeline.Id]).Id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Import_PipelineDefinitionInTheSession_AppearsWithTheDealsAtCommitOrNotAtAll(bool commit)
    {
        var pipeline = Deals.IsolatedPipeline();
        var state = Deals.Build(pipeline, Deals.Anna, new Random(21), 4);
        var session = await fixture.Import.BeginImportAsync();
        await using (session)
        {
            await session.AddAsync([state]);
            await session.SavePipelineDefinitionAsync(pipeline.Id, pipeline.ToJson());
            if (commit)
            {
                await session.CommitAsync();
            }
        }

        var stored = await fixture.Definitions.LoadAsync();
        Assert.Equal(commit, stored.ContainsKey(pipeline.Id));
        Assert.Equal(commit, await Store.FindAsync(state.Id) is not null);
        if (commit)
        {
            Assert.Equal(pipeline.ToJson(), stored[pipeline.Id]);
        }
    }

    /// <summary>A deal with history, activities (done and planned), qualification, an offer and awkward text.</summary>
    private static OpportunityState RichDeal(PipelineDefinition pipeline, out Instant clock)
    {
        clock = Deals.Epoch + Deals.Us(123_456);
        var deal = Opportunity.Create(
            new NewOpportunity("O'Brien \"ERP\"; DROP TABLE opportunities; -- 🚀", Money.Of(120_000.50m, "PLN"), new AccountId(Guid.NewGuid()), new LocalDate(2027, 3, 31), ExternalId: "crm-" + Guid.NewGuid().ToString("N")),
            pipeline,
            Deals.Anna,
            clock);
        deal.LogActivity(NewActivity.Call("Intro call — zażółć", nextContact: clock + Duration.FromDays(7) + Deals.Us(1)), Deals.Anna, clock += Duration.FromMinutes(5));
        deal.LogActivity(NewActivity.Meeting("Demo", due: clock + Duration.FromDays(3)), Deals.Anna, clock += Deals.Us(1));
        deal.LogActivity(NewActivity.Note("Budget approved by CFO"), Deals.Anna, clock += Duration.FromSeconds(1));
        deal.MoveTo(pipeline, Stages.Qualification, Deals.Anna, clock += Duration.FromHours(1), "qualified");
        deal.RecordQualification(new QualificationData("ERP for 3 plants", null, Money.Of(150_000m, "PLN"), "SLA 99.9%"), Deals.Anna, clock += Duration.FromHours(1));
        deal.MoveTo(pipeline, Stages.Offer, Deals.Anna, clock += Duration.FromHours(1));
        deal.AttachOffer(DocumentId.New(), "Offer v1", Deals.Anna, clock += Duration.FromHours(1));
        deal.OverrideProbability(60, Deals.Anna, clock += Duration.FromHours(1));
        return deal.ToState();
    }

    private static void AssertSameAccount(Account expected, int version, Account? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(
            (expected.Id, expected.Name, expected.Segment, expected.CreatedBy, version),
            (actual.Id, actual.Name, actual.Segment, actual.CreatedBy, actual.Version));
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.Contacts, actual.Contacts);
    }
}

public sealed class InMemoryStoreContractTests(InMemoryStoreFixture fixture) : StoreContractTests(fixture), IClassFixture<InMemoryStoreFixture>;

public sealed class SqliteStoreContractTests(SqliteStoreFixture fixture) : StoreContractTests(fixture), IClassFixture<SqliteStoreFixture>;

public sealed class PostgresStoreContractTests(PostgresStoreFixture fixture) : StoreContractTests(fixture), IClassFixture<PostgresStoreFixture>;
