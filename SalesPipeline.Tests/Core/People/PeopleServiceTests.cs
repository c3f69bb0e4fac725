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

    private static async Task<LeadTeam> SeededAsync()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();
        return team;
    }
}
