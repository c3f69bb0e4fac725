using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>Many accounts' names in one read.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task NamesAsync_MoreIdsThanOneChunkWithRepeatsAndUnknowns_ReturnsEachStoredAccountsNameOnce()
    {
        // One more account than a database store asks for in one query, so the look-up spans two chunks.
        var run = Guid.NewGuid().ToString("N");
        var accounts = Enumerable.Range(0, RelationalAccountStore.NamesChunk + 1)
            .Select(i => Account.Create(i % 100 == 0 ? $"Zakład „Łódź” & O'Neil {i} {run}" : $"Account {i} {run}", null, Deals.Anna, Deals.Epoch))
            .ToList();
        foreach (var account in accounts)
        {
            await fixture.Accounts.SaveAsync(account);
        }

        var renamed = (await fixture.Accounts.FindAsync(accounts[7].Id))!;
        renamed.Rename($"Renamed {run}");
        await fixture.Accounts.SaveAsync(renamed);
        accounts[7] = renamed;
        var unknown = new[] { new AccountId(Guid.NewGuid()), new AccountId(Guid.NewGuid()) };
        var asked = accounts.Select(a => a.Id).Concat(unknown).Concat(accounts.Take(50).Select(a => a.Id)).Reverse().ToList();

        var names = await fixture.Accounts.NamesAsync(asked);

        Assert.Equal(accounts.ToDictionary(a => a.Id, a => a.Name), names);
        Assert.Equal($"Renamed {run}", names[renamed.Id]);
        Assert.Empty(await fixture.Accounts.NamesAsync([]));
        Assert.Empty(await fixture.Accounts.NamesAsync(unknown));
    }
}
