using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.People;
using SalesPipeline.Tests.Core.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Core.People;

/// <summary>Changing people: clearing a manager, and the last active admin, who cannot lock everyone out.</summary>
public sealed class PeopleServiceTests
{
    [Fact]
    public async Task UpdateAsync_ClearManager_LeavesThePersonWithoutOne()
    {
        var team = await SeededAsync();

        var sam = await team.PeopleService.UpdateAsync(Sam, new PersonChanges(ClearManager: true), Ada);

        Assert.Null(sam.Manager);
        Assert.Null((await team.People.FindAsync(Sam))!.Manager);
        Assert.Equal(Mona, (await team.People.FindAsync(Sue))!.Manager);
    }

    [Theory]
    [InlineData(0xDC00, "half of a surrogate pair (U+DC00) at position 4")]
    [InlineData(0xFFFF, "a noncharacter (U+FFFF) at position 4")]
    public async Task AddAsync_IdNoDocumentCanHold_IsRefusedNamingTheCharacterAndStoresNobody(int character, string says)
    {
        var id = "zoe" + (char)character;
        var team = await SeededAsync();
        var before = await team.People.ListAsync();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.AddAsync(new NewPerson(new UserId(id), "Zoe", Role.Salesperson, ["north"]), Ada));

        Assert.StartsWith($"A user id holds {says}", e.Message, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await team.People.ListAsync()).Count);
    }

    [Theory]
    [InlineData("zo\ne", "a line break (U+000A) at position 3")]
    [InlineData("zo\re", "a line break (U+000D) at position 3")]
    [InlineData("zo\te", "a tab (U+0009) at position 3")]
    public async Task AddAndUpdate_NewIdWithALineBreakOrTab_IsRefusedNamingFieldAndPositionAndStoresNothing(string id, string says)
    {
        var team = await SeededAsync();
        var before = await team.SnapshotAsync();

        var add = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.AddAsync(new NewPerson(new UserId(id), "Zoe", Role.Salesperson, ["north"]), Ada));
        var addUnder = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.AddAsync(new NewPerson(new UserId("zoe"), "Zoe", Role.Salesperson, ["north"], new UserId(id)), Ada));
        var update = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.UpdateAsync(Sam, new PersonChanges(Manager: new UserId(id)), Ada));

        Assert.StartsWith($"A user id holds {says}: a user id is one line of text without tabs. Remove it.", add.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'manager' holds {says}", addUnder.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'manager' holds {says}", update.Message, StringComparison.Ordinal);
        Assert.Equal(before, await team.SnapshotAsync());
    }

    [Fact]
    public async Task PersonStoredEarlierWithATabInTheirId_ReadsBackListsAndMayBeChanged()
    {
        var team = await SeededAsync();
        var old = new UserId("old\tid");
        await team.People.SaveAsync(new Person(old, "Old", Role.Salesperson, ["north"], Mona, 3, true));

        var changed = await team.PeopleService.UpdateAsync(old, new PersonChanges(LeadLimit: 4), Ada);

        Assert.Equal((old, 4, Mona), (changed.Id, changed.LeadLimit, changed.Manager));
        Assert.Contains(await team.PeopleService.ListAsync(), p => p.Id == old && p.LeadLimit == 4);
        Assert.Equal("old\tid", (await team.PeopleService.FindAsync(old))!.Id.Value);
    }

    [Fact]
    public async Task UpdateAsync_AnotherActiveAdminExists_TheFirstMayBeDeactivated()
    {
        var team = await SeededAsync();
        await team.PeopleService.UpdateAsync(Mona, new PersonChanges(Role: Role.Admin), Ada);

        var ada = await team.PeopleService.UpdateAsync(Ada, new PersonChanges(Active: false), Mona);

        Assert.False(ada.Active);

        // Now Mona is the last one: she may not step down, even by herself.
        var e = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.UpdateAsync(Mona, new PersonChanges(Active: false), Mona));
        Assert.Contains("'mona' is the last active admin", e.Message, StringComparison.Ordinal);
        Assert.True((await team.People.FindAsync(Mona))!.Active);
    }

    [Fact]
    public async Task UpdateAsync_ManagerWhomThePersonManages_IsRefusedNamingTheLoopAndStoresNothing()
    {
        var team = await SeededAsync();
        var before = await team.People.FindAsync(Mona);

        var e = await Assert.ThrowsAsync<ManagerLoopException>(() => team.PeopleService.UpdateAsync(Mona, new PersonChanges(Manager: Sam), Ada));

        Assert.Equal([Mona, Sam, Mona], e.Loop);
        Assert.Equal(
            "'sam' cannot be the manager of 'mona': the managers would go round in a loop, mona → sam → mona. Give 'mona' another manager, or first change the manager of someone else in the loop. (Parameter 'manager')",
            e.Message);
        Assert.Equal(before, await team.People.FindAsync(Mona));
    }

    [Fact]
    public async Task UpdateAsync_ManagerWhomThePersonManagesThroughOthers_IsRefusedNamingTheWholeLoop()
    {
        var team = await SeededAsync();
        await team.PeopleService.UpdateAsync(Max, new PersonChanges(Manager: Mona), Ada);
        var before = await team.People.FindAsync(Mona);

        var e = await Assert.ThrowsAsync<ManagerLoopException>(() => team.PeopleService.UpdateAsync(Mona, new PersonChanges(Manager: Tom), Ada));

        Assert.Equal([Mona, Tom, Max, Mona], e.Loop);
        Assert.Contains("mona → tom → max → mona", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await team.People.FindAsync(Mona));
    }

    [Fact]
    public async Task UpdateAndAdd_PersonTheirOwnManager_AreRefusedAsALoopOfOne()
    {
        var team = await SeededAsync();
        var before = await team.People.FindAsync(Sam);

        var update = await Assert.ThrowsAsync<ManagerLoopException>(() => team.PeopleService.UpdateAsync(Sam, new PersonChanges(Manager: Sam), Ada));
        var add = await Assert.ThrowsAsync<ManagerLoopException>(
            () => team.PeopleService.AddAsync(new NewPerson(new UserId("zoe"), "Zoe", Role.Salesperson, ["north"], new UserId("zoe")), Ada));

        Assert.Equal([Sam, Sam], update.Loop);
        Assert.Equal("'sam' cannot be their own manager (sam → sam); name someone else, or no manager. (Parameter 'manager')", update.Message);
        Assert.Equal([new UserId("zoe"), new UserId("zoe")], add.Loop);
        Assert.Equal(before, await team.People.FindAsync(Sam));
        Assert.Null(await team.People.FindAsync(new UserId("zoe")));
    }

    [Fact]
    public async Task AddAsync_ManagerWhoIsStoredAsManagedByTheNewcomer_IsRefusedAndNothingIsStored()
    {
        var team = await SeededAsync();
        var zoe = new UserId("zoe");
        var lee = new UserId("lee");
        await team.People.SaveAsync(new Person(lee, "Lee", Role.Salesperson, ["north"], zoe, 3, true));

        var e = await Assert.ThrowsAsync<ManagerLoopException>(() => team.PeopleService.AddAsync(new NewPerson(zoe, "Zoe", Role.Manager, ["north"], lee), Ada));

        Assert.Equal([zoe, lee, zoe], e.Loop);
        Assert.Null(await team.People.FindAsync(zoe));
    }

    [Fact]
    public async Task UpdateAsync_ChainRunningIntoALoopStoredEarlier_IsAccepted()
    {
        var team = await SeededAsync();
        var x = new UserId("x");
        var y = new UserId("y");
        await team.People.SaveAsync(new Person(x, "X", Role.Manager, ["north"], y, 3, true));
        await team.People.SaveAsync(new Person(y, "Y", Role.Manager, ["north"], x, 3, true));

        var sam = await team.PeopleService.UpdateAsync(Sam, new PersonChanges(Manager: x), Ada);

        Assert.Equal(x, sam.Manager);
    }

    [Fact]
    public async Task AddAndUpdate_InactiveManager_AreRefusedAndNothingIsStored()
    {
        var team = await SeededAsync();
        var zoe = new UserId("zoe");
        var before = await team.SnapshotAsync();

        var add = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.AddAsync(new NewPerson(zoe, "Zoe", Role.Salesperson, ["north"], Ivy), Ada));
        var update = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.UpdateAsync(Sam, new PersonChanges(Manager: Ivy), Ada));

        Assert.Equal("'ivy' is inactive, so they cannot be the manager of 'zoe'; name an active person, or no manager. (Parameter 'person')", add.Message);
        Assert.Equal("'ivy' is inactive, so they cannot be the manager of 'sam'; name an active person, or no manager. (Parameter 'person')", update.Message);
        Assert.Equal(before, await team.SnapshotAsync());
    }

    [Fact]
    public async Task UpdateAsync_DeactivatingTheManagerOfActivePeople_IsRefusedNamingThemUntilTheyHaveAnother()
    {
        var team = await SeededAsync();
        var before = await team.SnapshotAsync();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.UpdateAsync(Mona, new PersonChanges(Active: false), Ada));

        Assert.Equal("'mona' is the manager of active people ('sam', 'sue'); give them another manager, or none, before deactivating 'mona'. (Parameter 'person')", e.Message);
        Assert.Equal(before, await team.SnapshotAsync());

        // Someone inactive under her does not hold her back.
        await team.PeopleService.UpdateAsync(Sam, new PersonChanges(Manager: Max), Ada);
        await team.PeopleService.UpdateAsync(Sue, new PersonChanges(Active: false), Ada);
        var mona = await team.PeopleService.UpdateAsync(Mona, new PersonChanges(Active: false), Ada);
        Assert.False(mona.Active);
    }

    [Fact]
    public async Task UpdateAsync_InactiveManagerStoredEarlier_AllowsOtherChangesButNotReactivatingThePersonUnderThem()
    {
        var team = await SeededAsync();
        var sam = (await team.People.FindAsync(Sam))!;
        await team.People.SaveAsync(sam with { Manager = Ivy, Active = false });

        var limit = await team.PeopleService.UpdateAsync(Sam, new PersonChanges(LeadLimit: 7), Ada);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => team.PeopleService.UpdateAsync(Sam, new PersonChanges(Active: true), Ada));
        Assert.False((await team.People.FindAsync(Sam))!.Active);
        var reactivated = await team.PeopleService.UpdateAsync(Sam, new PersonChanges(Active: true, Manager: Mona), Ada);

        Assert.Equal(7, limit.LeadLimit);
        Assert.Equal("The manager 'ivy' of 'sam' is inactive; name an active manager, or no manager, when making 'sam' active again. (Parameter 'person')", e.Message);
        Assert.Equal((true, Mona), (reactivated.Active, reactivated.Manager));
    }

    [Theory]
    [InlineData("ada", null)]
    [InlineData("ada", "tom")]
    [InlineData("ada", "ghost")]
    [InlineData("sam", "sam")]
    [InlineData("mona", "mona")]
    [InlineData("mona", "sue")]
    [InlineData("mona", "ivy")]
    public async Task RequireMayReportOnAsync_OwnerWhoseDealsTheyMaySee_IsAllowed(string by, string? owner)
    {
        var team = await SeededAsync();

        await team.PeopleService.RequireMayReportOnAsync(new UserId(by), owner is null ? null : new UserId(owner));
    }

    [Theory]
    [InlineData("sam", null, "'sam' may not report on everyone's deals and leads: a salesperson reports only on their own deals and leads, as owner 'sam'. Nothing was changed.")]
    [InlineData("sam", "sue", "'sam' may not report on the deals and leads of 'sue': a salesperson reports only on their own deals and leads, as owner 'sam'. Nothing was changed.")]
    [InlineData("mona", null, "'mona' may not report on everyone's deals and leads: a manager reports on one owner at a time, themselves or a person in their groups (north): 'ivy', 'mona', 'sam', 'sue'. Nothing was changed.")]
    [InlineData("mona", "tom", "'mona' may not report on the deals and leads of 'tom': a manager reports on one owner at a time, themselves or a person in their groups (north): 'ivy', 'mona', 'sam', 'sue'. Nothing was changed.")]
    [InlineData("mona", "ghost", "'mona' may not report on the deals and leads of 'ghost': a manager reports on one owner at a time, themselves or a person in their groups (north): 'ivy', 'mona', 'sam', 'sue'. Nothing was changed.")]
    public async Task RequireMayReportOnAsync_OwnerOrEveryoneTheyMayNotSee_IsRefusedSayingWhomTheyMayReportOn(string by, string? owner, string message)
    {
        var team = await SeededAsync();

        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => team.PeopleService.RequireMayReportOnAsync(new UserId(by), owner is null ? null : new UserId(owner)));

        Assert.Equal(AccessDenialKind.NotPermitted, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("ghost", AccessDenialKind.UnknownUser)]
    [InlineData("ivy", AccessDenialKind.InactiveUser)]
    public async Task RequireMayReportOnAsync_UnknownOrInactiveUser_IsRefusedEvenForTheirOwnDeals(string by, AccessDenialKind kind)
    {
        var team = await SeededAsync();

        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => team.PeopleService.RequireMayReportOnAsync(new UserId(by), new UserId(by)));

        Assert.Equal(kind, e.Kind);
    }

    [Fact]
    public async Task RequireMayReportOnAsync_ChecksSkipped_AllowsAnyoneOnEverything()
    {
        var store = new InMemoryStore();
        var people = new PeopleService(store, access: new AccessOptions { SkipAccessChecks = true });

        await people.RequireMayReportOnAsync(new UserId("anyone"), null);
    }

    [Fact]
    public async Task UpdateAsync_PersonGivenThemAsManagerBetweenTheCheckAndTheSave_DeactivationIsRefusedNamingThem()
    {
        var store = await SeededStoreAsync();

        // Tom is given Sam as manager after the service has read the people, before it writes Sam.
        var people = new PeopleService(new ChangedBeforeWrite(store, async () => await store.SaveAsync((await store.FindAsync(Tom))! with { Manager = Sam })));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => people.UpdateAsync(Sam, new PersonChanges(Active: false), Ada));

        Assert.Equal("'sam' is the manager of active people ('tom'); give them another manager, or none, before deactivating 'sam'. (Parameter 'person')", e.Message);
        Assert.True((await store.FindAsync(Sam))!.Active);
        Assert.Equal(Sam, (await store.FindAsync(Tom))!.Manager);
    }

    [Fact]
    public async Task UpdateAndAdd_ManagerDeactivatedBetweenTheCheckAndTheSave_AreRefusedAndNothingIsStored()
    {
        var updated = await SeededStoreAsync();
        var added = await SeededStoreAsync();
        var zoe = new UserId("zoe");

        // Sam is deactivated after the service has found him active, before it writes the person he is to manage.
        static PeopleService SamDeactivatedBeforeWrite(InMemoryStore store) =>
            new(new ChangedBeforeWrite(store, async () => await store.SaveAsync((await store.FindAsync(Sam))! with { Active = false })));
        var update = await Assert.ThrowsAsync<ArgumentException>(() => SamDeactivatedBeforeWrite(updated).UpdateAsync(Tom, new PersonChanges(Manager: Sam), Ada));
        var add = await Assert.ThrowsAsync<ArgumentException>(() => SamDeactivatedBeforeWrite(added).AddAsync(new NewPerson(zoe, "Zoe", Role.Salesperson, ["north"], Sam), Ada));

        Assert.Equal("'sam' is inactive, so they cannot be the manager of 'tom'; name an active person, or no manager. (Parameter 'person')", update.Message);
        Assert.Equal("'sam' is inactive, so they cannot be the manager of 'zoe'; name an active person, or no manager. (Parameter 'person')", add.Message);
        Assert.Equal(Max, (await updated.FindAsync(Tom))!.Manager);
        Assert.Null(await added.FindAsync(zoe));
    }

    [Fact]
    public async Task UpdateAsync_ManagerDeactivatedBetweenTheCheckAndTheReactivation_IsRefusedAndTheyStayInactive()
    {
        var store = await SeededStoreAsync();
        await store.SaveAsync((await store.FindAsync(Ivy))! with { Manager = Sam });

        var people = new PeopleService(new ChangedBeforeWrite(store, async () => await store.SaveAsync((await store.FindAsync(Sam))! with { Active = false })));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => people.UpdateAsync(Ivy, new PersonChanges(Active: true), Ada));

        Assert.Equal("The manager 'sam' of 'ivy' is inactive; name an active manager, or no manager, when making 'ivy' active again. (Parameter 'person')", e.Message);
        Assert.False((await store.FindAsync(Ivy))!.Active);
    }

    private static async Task<InMemoryStore> SeededStoreAsync()
    {
        var store = new InMemoryStore();
        foreach (var person in Everyone)
        {
            await store.SaveAsync(person);
        }

        return store;
    }

    private static async Task<LeadTeam> SeededAsync()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();
        return team;
    }

    /// <summary>People stored in <paramref name="inner"/>, where another change is made just before the first write.</summary>
    private sealed class ChangedBeforeWrite(IPersonStore inner, Func<Task> change) : IPersonStore
    {
        private Func<Task>? _change = change;

        public Task<Person?> FindAsync(UserId id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task<IReadOnlyList<Person>> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public Task<bool> AddFirstAsync(Person person, CancellationToken cancellationToken = default) => inner.AddFirstAsync(person, cancellationToken);

        public async Task<int> SaveAsync(Person person, CancellationToken cancellationToken = default)
        {
            await ChangeAsync();
            return await inner.SaveAsync(person, cancellationToken);
        }

        public async Task<int?> SaveIfAnotherActiveAdminAsync(Person person, CancellationToken cancellationToken = default)
        {
            await ChangeAsync();
            return await inner.SaveIfAnotherActiveAdminAsync(person, cancellationToken);
        }

        public async Task<PersonSaveResult> SaveIfAsync(Person person, PersonChecks checks, CancellationToken cancellationToken = default)
        {
            await ChangeAsync();
            return await inner.SaveIfAsync(person, checks, cancellationToken);
        }

        private async Task ChangeAsync()
        {
            if (Interlocked.Exchange(ref _change, null) is { } once)
            {
                await once();
            }
        }
    }
}
