using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.InMemory;

public sealed class InMemoryStoreTests
{
    private readonly InMemoryStore _store = new();

    [Fact]
    public async Task SaveAsync_NewThenChanged_VersionsCountUpAndFindReturnsTheLatest()
    {
        var deal = Create();

        var first = await _store.SaveAsync(deal.ToState());
        LogContact(deal, Hour(1));
        var second = await _store.SaveAsync(deal.ToState() with { Version = first });

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        var stored = await _store.FindAsync(deal.Id);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Version);
        Assert.Single(stored.Activities);
    }

    [Fact]
    public async Task SaveAsync_StaleVersion_ThrowsConcurrencyConflictAndWritesNothing()
    {
        var deal = Create();
        await _store.SaveAsync(deal.ToState());
        var loadedByAnna = (await _store.FindAsync(deal.Id))!;
        var loadedByBob = (await _store.FindAsync(deal.Id))!;

        var annas = Opportunity.Restore(loadedByAnna, Default);
        LogContact(annas, Hour(1));
        await _store.SaveAsync(annas.ToState());
        var afterAnna = await _store.FindAsync(deal.Id);

        var bobs = Opportunity.Restore(loadedByBob, Default);
        bobs.AttachOffer(DocumentId.New(), "Bob's offer", Bob, Hour(2));
        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _store.SaveAsync(bobs.ToState()));

        Assert.Equal("opportunity", e.Entity);
        Assert.Equal(deal.Id.ToString(), e.Id);
        Assert.Equal(1, e.ExpectedVersion);
        Assert.Equal(2, e.ActualVersion);
        Assert.Contains("changed by someone else (you read version 1, stored is 2); nothing was written. Load it again and retry.", e.Message, StringComparison.Ordinal);
        var stored = await _store.FindAsync(deal.Id);
        Assert.Equal(afterAnna, stored);
        Assert.Empty(stored!.Offers);
    }

    [Fact]
    public async Task SaveAsync_NewDealWhoseIdExists_ThrowsConcurrencyConflictSayingItExists()
    {
        var deal = Create();
        await _store.SaveAsync(deal.ToState());

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _store.SaveAsync(deal.ToState() with { Name = "Duplicate" }));

        Assert.Equal(0, e.ExpectedVersion);
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("ERP rollout", (await _store.FindAsync(deal.Id))!.Name);
    }

    [Fact]
    public async Task SaveAsync_UpdateOfADealNeverStored_ThrowsConcurrencyConflictSayingItIsGone()
    {
        var state = Create().ToState() with { Version = 3 };

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _store.SaveAsync(state));

        Assert.Null(e.ActualVersion);
        Assert.Contains("stored is gone", e.Message, StringComparison.Ordinal);
        Assert.Null(await _store.FindAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_CancelledToken_ThrowsAndWritesNothing()
    {
        var deal = Create();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.SaveAsync(deal.ToState(), cancelled.Token));

        Assert.Null(await _store.FindAsync(deal.Id));
    }

    [Fact]
    public async Task FindAsync_UnknownId_ReturnsNull() =>
        Assert.Null(await _store.FindAsync(OpportunityId.New()));

    [Fact]
    public async Task QueryAsync_ByOwnerStatusAndNextContact_ReturnsOnlyMatches()
    {
        var annas = Create("Anna's");
        annas.ScheduleNextContact(Hour(10), Anna, Hour(1));
        var bobs = Opportunity.Create(NewDeal("Bob's") with { Owner = Bob }, Default, Bob, T0);
        var won = Won();
        foreach (var deal in new[] { annas, bobs, won })
        {
            await _store.SaveAsync(deal.ToState());
        }

        async Task<string[]> Names(OpportunityQuery query)
        {
            var names = new List<string>();
            await foreach (var state in _store.QueryAsync(query))
            {
                names.Add(state.Name);
            }

            return [.. names.Order(StringComparer.Ordinal)];
        }

        Assert.Equal(["Anna's", "Bob's", "ERP rollout"], await Names(OpportunityQuery.All));
        Assert.Equal(["Bob's"], await Names(new OpportunityQuery(Owner: Bob)));
        Assert.Equal(["Anna's", "Bob's"], await Names(new OpportunityQuery(Status: OpportunityStatus.Open)));
        Assert.Equal(["ERP rollout"], await Names(new OpportunityQuery(Status: OpportunityStatus.Closed)));
        Assert.Equal(["Anna's"], await Names(new OpportunityQuery(NextContactBefore: Hour(11))));
        Assert.Empty(await Names(new OpportunityQuery(NextContactBefore: Hour(10))));
        Assert.Empty(await Names(new OpportunityQuery(Pipeline: new PipelineId("renewals"))));
    }

    [Fact]
    public async Task AccountSaveAsync_StaleVersion_ThrowsConcurrencyConflictAndKeepsTheStoredContacts()
    {
        IAccountStore accounts = _store;
        var account = Account.Create("Acme", null, Anna, T0);
        await accounts.SaveAsync(account);
        var first = (await accounts.FindAsync(account.Id))!;
        var second = (await accounts.FindAsync(account.Id))!;

        first.AddContact(new Contact("Ewa Nowak", "CFO"));
        Assert.Equal(2, await accounts.SaveAsync(first));
        second.AddContact(new Contact("Jan Kowalski", "CTO"));
        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => accounts.SaveAsync(second));

        Assert.Equal("account", e.Entity);
        var stored = (await accounts.FindAsync(account.Id))!;
        Assert.Equal(["Ewa Nowak"], stored.Contacts.Select(c => c.Name));
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task FindByNameAsync_DifferentCase_FindsTheAccount()
    {
        var account = Account.Create("Acme Group", null, Anna, T0);
        await ((IAccountStore)_store).SaveAsync(account);

        var found = await _store.FindByNameAsync(" acme group ");

        Assert.Equal(account.Id, found!.Id);
        Assert.Null(await _store.FindByNameAsync("Globex"));
    }

    [Fact]
    public async Task PlannedAsync_Window_ReturnsUndoneActivitiesDueInsideItByDue()
    {
        var deal = Create();
        deal.LogActivity(NewActivity.Task("Late task", Hour(30)), Anna, Hour(1));
        deal.LogActivity(NewActivity.Meeting("Workshop", due: Hour(20)), Anna, Hour(1));
        deal.LogActivity(NewActivity.Task("Outside", Hour(50)), Anna, Hour(1));
        var done = deal.LogActivity(NewActivity.Task("Done", Hour(25)), Anna, Hour(1));
        deal.CompleteActivity(done.Id, Anna, Hour(2));
        await _store.SaveAsync(deal.ToState());

        var planned = await _store.PlannedAsync(Anna, Hour(20), Hour(50));

        Assert.Equal(["Workshop", "Late task"], planned.Select(p => p.Activity.Subject));
        Assert.All(planned, p => Assert.Equal(deal.Id, p.OpportunityId));
        Assert.Empty(await _store.PlannedAsync(Bob, Hour(0), Hour(100)));
    }
}
