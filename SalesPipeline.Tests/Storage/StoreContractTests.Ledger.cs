using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The schedule ledger's contract: claims that cannot race, expiry, renewal, production and deliveries.</summary>
public abstract partial class StoreContractTests
{
    private static readonly Instant LedgerNow = Instant.FromUtc(2026, 11, 1, 9, 0);

    private static ScheduleRunKey NewKey() =>
        new("s-" + Guid.NewGuid().ToString("N")[..12], new PeriodDays(new LocalDate(2026, 10, 1), new LocalDate(2026, 10, 31)));

    [Fact]
    public async Task Ledger_NewPeriod_ClaimedOnceAndListed()
    {
        var key = NewKey();
        var due = Instant.FromUtc(2026, 11, 1, 5, 0);

        Assert.True(await fixture.Ledger.TryClaimAsync(key, due, "a", LedgerNow, LedgerNow + Duration.FromMinutes(10)));
        Assert.False(await fixture.Ledger.TryClaimAsync(key, due, "b", LedgerNow, LedgerNow + Duration.FromMinutes(10)));

        var run = Assert.Single(await fixture.Ledger.ListAsync(key.Schedule));
        Assert.Equal((key, due, "a", LedgerNow + Duration.FromMinutes(10), (Instant?)null, (string?)null), (run.Key, run.DueAt, run.Holder, run.ClaimedUntil!.Value, run.ProducedAt, run.File));
        Assert.Empty(run.Deliveries);
        Assert.True(run.IsClaimedAt(LedgerNow));
    }

    [Fact]
    public async Task Ledger_ExpiredClaim_TakenOverAndLiveClaimNot()
    {
        var key = NewKey();
        await fixture.Ledger.TryClaimAsync(key, LedgerNow, "dead", LedgerNow, LedgerNow + Duration.FromMinutes(10));

        Assert.False(await fixture.Ledger.TryClaimAsync(key, LedgerNow, "b", LedgerNow + Duration.FromMinutes(9), LedgerNow + Duration.FromMinutes(19)));
        Assert.True(await fixture.Ledger.TryClaimAsync(key, LedgerNow, "b", LedgerNow + Duration.FromMinutes(10), LedgerNow + Duration.FromMinutes(20)));

        // The dead holder can neither renew nor mark it any more; the new one can.
        Assert.False(await fixture.Ledger.RenewAsync(key, "dead", LedgerNow + Duration.FromHours(1)));
        Assert.False(await fixture.Ledger.MarkProducedAsync(key, "dead", "x.xlsx", LedgerNow, ["folder"]));
        Assert.True(await fixture.Ledger.RenewAsync(key, "b", LedgerNow + Duration.FromMinutes(30)));
        var run = Assert.Single(await fixture.Ledger.ListAsync(key.Schedule));
        Assert.Equal(("b", LedgerNow + Duration.FromMinutes(30), false), (run.Holder, run.ClaimedUntil, run.Produced));
    }

    [Fact]
    public async Task Ledger_ReleasedClaim_ClaimableAtOnce()
    {
        var key = NewKey();
        await fixture.Ledger.TryClaimAsync(key, LedgerNow, "a", LedgerNow, LedgerNow + Duration.FromMinutes(10));

        await fixture.Ledger.ReleaseAsync(key, "b");
        Assert.Equal("a", Assert.Single(await fixture.Ledger.ListAsync(key.Schedule)).Holder);
        await fixture.Ledger.ReleaseAsync(key, "a");

        Assert.Null(Assert.Single(await fixture.Ledger.ListAsync(key.Schedule)).Holder);
        Assert.True(await fixture.Ledger.TryClaimAsync(key, LedgerNow, "b", LedgerNow, LedgerNow + Duration.FromMinutes(10)));
    }

    [Fact]
    public async Task Ledger_ManyClaimingAtOnce_ExactlyOneWins()
    {
        for (var round = 0; round < 5; round++)
        {
            var key = NewKey();
            var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
                fixture.Ledger.TryClaimAsync(key, LedgerNow, $"w{i}", LedgerNow, LedgerNow + Duration.FromMinutes(10)))));

            Assert.Equal(1, claims.Count(c => c));
        }
    }

    [Fact]
    public async Task Ledger_ProducedAndDelivered_RecordsEachTargetAndASuccessIsFinal()
    {
        var key = NewKey();
        await fixture.Ledger.TryClaimAsync(key, LedgerNow, "a", LedgerNow, LedgerNow + Duration.FromMinutes(10));
        var at = LedgerNow + Duration.FromSeconds(3);

        Assert.True(await fixture.Ledger.MarkProducedAsync(key, "a", "s_2026-10-01_2026-10-31.xlsx", at, ["folder", "mailto:ceo@example.com", "mailto:cfo@example.com"]));
        await fixture.Ledger.RecordDeliveryAsync(key, new ScheduleDelivery("folder", at, 0, null, null));
        await fixture.Ledger.RecordDeliveryAsync(key, new ScheduleDelivery("mailto:ceo@example.com", null, 1, "SMTP down", at + Duration.FromMinutes(1)));
        await fixture.Ledger.RecordDeliveryAsync(key, new ScheduleDelivery("folder", null, 1, "late failure", at));
        await fixture.Ledger.ReleaseAsync(key, "a");

        var run = Assert.Single(await fixture.Ledger.ListAsync(key.Schedule));
        Assert.Equal((at, "s_2026-10-01_2026-10-31.xlsx", (string?)null), (run.ProducedAt!.Value, run.File, run.Holder));
        Assert.Equal(
            [
                new ScheduleDelivery("folder", at, 0, null, null),
                new ScheduleDelivery("mailto:ceo@example.com", null, 1, "SMTP down", at + Duration.FromMinutes(1)),
                new ScheduleDelivery("mailto:cfo@example.com", null, 0, null, at),
            ],
            run.Deliveries);
    }

    [Fact]
    public async Task Ledger_Schedules_ListedApartOldestFirst()
    {
        var key = NewKey();
        var september = key with { Days = new PeriodDays(new LocalDate(2026, 9, 1), new LocalDate(2026, 9, 30)) };
        var other = NewKey();
        await fixture.Ledger.TryClaimAsync(key, LedgerNow, "a", LedgerNow, LedgerNow + Duration.FromMinutes(1));
        await fixture.Ledger.TryClaimAsync(september, LedgerNow - Duration.FromDays(31), "a", LedgerNow, LedgerNow + Duration.FromMinutes(1));
        await fixture.Ledger.TryClaimAsync(other, LedgerNow, "a", LedgerNow, LedgerNow + Duration.FromMinutes(1));

        Assert.Equal([september, key], (await fixture.Ledger.ListAsync(key.Schedule)).Select(r => r.Key));
    }
}
