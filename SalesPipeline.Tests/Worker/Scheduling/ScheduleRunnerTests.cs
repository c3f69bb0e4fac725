using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Reporting.Worker.Delivery;
using SalesPipeline.Reporting.Worker.Scheduling;
using SalesPipeline.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary>The worker's pass on a fake clock: what is produced when, catch-up, look-back and claims.</summary>
public sealed class ScheduleRunnerTests
{
    private static readonly DateTimeZone Warsaw = DateTimeZoneProviders.Tzdb["Europe/Warsaw"];

    private static LocalDate D(int y, int m, int d) => new(y, m, d);

    private static PeriodDays P(LocalDate first, LocalDate last) => new(first, last);

    [Fact]
    public async Task RunDueAsync_AYearOfWeeklyMonthlyAndQuarterlySchedules_ProducesExactlyTheExpectedPeriods()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 1, 5, 12, 0));
        var weekly = kit.InFolder(SchedulerKit.Schedule("weekly", "0 8 * * 1", ReportPeriod.PreviousWeek));
        var monthly = kit.InFolder(SchedulerKit.Schedule("monthly", "0 6 1 * *", ReportPeriod.PreviousMonth));
        var quarterly = kit.InFolder(SchedulerKit.Schedule("quarterly", "0 7 1 1,4,7,10 *", ReportPeriod.PreviousQuarter));

        var passes = await kit.RunUntilAsync(kit.Runner(weekly, monthly, quarterly), Instant.FromUtc(2027, 1, 5, 12, 0));

        // The first pass produces only the latest due period of each; then each occurrence produces its period once.
        var weeks = Enumerable.Range(0, 53).Select(k => P(D(2025, 12, 29).PlusWeeks(k), D(2025, 12, 29).PlusWeeks(k).PlusDays(6))).ToList();
        var months = Enumerable.Range(0, 13).Select(k => P(D(2025, 12, 1).PlusMonths(k), D(2025, 12, 1).PlusMonths(k + 1).PlusDays(-1))).ToList();
        var quarters = new[]
        {
            P(D(2025, 10, 1), D(2025, 12, 31)), P(D(2026, 1, 1), D(2026, 3, 31)), P(D(2026, 4, 1), D(2026, 6, 30)),
            P(D(2026, 7, 1), D(2026, 9, 30)), P(D(2026, 10, 1), D(2026, 12, 31)),
        };
        Assert.Equal(weeks, kit.Producer.Calls.Where(c => c.Schedule == "weekly").Select(c => c.Days));
        Assert.Equal(months, kit.Producer.Calls.Where(c => c.Schedule == "monthly").Select(c => c.Days));
        Assert.Equal(quarters, kit.Producer.Calls.Where(c => c.Schedule == "quarterly").Select(c => c.Days));
        foreach (var (schedule, expected) in new[] { ("weekly", weeks), ("monthly", months), ("quarterly", quarters.ToList()) })
        {
            var runs = await kit.RunsAsync(schedule);
            Assert.Equal(expected, runs.Select(r => r.Key.Days));
            Assert.All(runs, r => Assert.True(r.Produced && r.Holder is null && r.Deliveries.Single().Delivered));
            Assert.Equal(expected.Select(p => $"{schedule}_{p}.xlsx").Order(), Directory.GetFiles(Path.Combine(kit.Folder, schedule)).Select(Path.GetFileName).Order());
        }

        // Each monthly period was produced at its own occurrence, 06:00 Warsaw time on the 1st, and the worker only woke when needed.
        Assert.All((await kit.RunsAsync("monthly")).Skip(1), r => Assert.Equal(new LocalDateTime(r.Key.Days.Last.Year, r.Key.Days.Last.Month, 1, 6, 0).PlusMonths(1), r.DueAt.InZone(Warsaw).LocalDateTime));
        Assert.InRange(passes, 1, 1 + 52 + 12 + 4);
    }

    [Theory]
    [InlineData("Europe/Warsaw", "30 2 * * *", 2026, 3, 29)]
    [InlineData("Europe/Warsaw", "30 2 * * *", 2026, 10, 25)]
    [InlineData("America/New_York", "30 2 * * *", 2026, 3, 8)]
    [InlineData("America/New_York", "30 1 * * *", 2026, 11, 1)]
    public async Task RunDueAsync_DailyScheduleAcrossADaylightSavingDay_ProducesEachDayOnce(string zone, string cron, int year, int month, int day)
    {
        var change = new LocalDate(year, month, day);
        var tz = DateTimeZoneProviders.Tzdb[zone];
        using var kit = new SchedulerKit(change.PlusDays(-2).AtStartOfDayInZone(tz).ToInstant());
        var daily = SchedulerKit.Schedule("daily", cron, ReportPeriod.PreviousDay, zone, folder: null) with { Folder = kit.Folder };

        await kit.RunUntilAsync(kit.Runner(daily), change.PlusDays(3).AtStartOfDayInZone(tz).ToInstant());

        var runs = await kit.RunsAsync("daily");
        Assert.Equal(Enumerable.Range(-4, 6).Select(k => P(change.PlusDays(k), change.PlusDays(k))), runs.Select(r => r.Key.Days));
        var onTheDay = Assert.Single(runs, r => r.DueAt.InZone(tz).Date == change);
        Assert.Equal(P(change.PlusDays(-1), change.PlusDays(-1)), onTheDay.Key.Days);
        Assert.Equal(6, kit.Producer.Calls.Count);
    }

    [Fact]
    public async Task RunDueAsync_RestartAfterThreeMissedMonths_CatchesUpThreeOldestFirst()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 10, 1, 5, 0));
        var monthly = kit.InFolder(SchedulerKit.Schedule("monthly", "0 6 1 * *", ReportPeriod.PreviousMonth, lookBack: 3));
        await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);
        Assert.Equal([("monthly", P(D(2026, 9, 1), D(2026, 9, 30)))], kit.Producer.Calls);

        // The worker was down from October to mid-January; a new process starts.
        kit.Clock.Reset(Instant.FromUtc(2027, 1, 15, 9, 0));
        await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Equal(
            [P(D(2026, 9, 1), D(2026, 9, 30)), P(D(2026, 10, 1), D(2026, 10, 31)), P(D(2026, 11, 1), D(2026, 11, 30)), P(D(2026, 12, 1), D(2026, 12, 31))],
            kit.Producer.Calls.Select(c => c.Days));
        Assert.DoesNotContain(kit.Logger.Entries, e => e.Id.Id == 2);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(kit.Folder, "monthly")).Length);
    }

    [Fact]
    public async Task RunDueAsync_LookBackTwoWithFiveMissed_ProducesTwoAndLogsThreeSkipped()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 7, 1, 5, 0));
        var monthly = kit.InFolder(SchedulerKit.Schedule("monthly", "0 6 1 * *", ReportPeriod.PreviousMonth, lookBack: 2));
        await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);
        kit.Producer.Calls.Clear();

        kit.Clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));
        await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Equal([P(D(2026, 10, 1), D(2026, 10, 31)), P(D(2026, 11, 1), D(2026, 11, 30))], kit.Producer.Calls.Select(c => c.Days));
        var skipped = kit.Logger.Entries.Where(e => e.Id.Id == 2).Select(e => e.Message).ToList();
        Assert.Equal(3, skipped.Count);
        Assert.Contains("2026-07-01..2026-07-31", skipped[0], StringComparison.Ordinal);
        Assert.Contains("2026-08-01..2026-08-31", skipped[1], StringComparison.Ordinal);
        Assert.Contains("2026-09-01..2026-09-30", skipped[2], StringComparison.Ordinal);
        Assert.All(skipped, m => Assert.Contains("LookBack of 2", m, StringComparison.Ordinal));

        // Skipped periods stay skipped: the next pass has nothing to do.
        kit.Producer.Calls.Clear();
        await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);
        Assert.Empty(kit.Producer.Calls);
    }

    [Fact]
    public async Task RunDueAsync_FirstRun_ProducesOnlyTheLatestDuePeriod()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 11, 20, 9, 0));
        var weekly = kit.InFolder(SchedulerKit.Schedule("weekly", "0 8 * * 1", ReportPeriod.PreviousWeek, lookBack: 10));

        await kit.Runner(weekly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Equal([P(D(2026, 11, 9), D(2026, 11, 15))], kit.Producer.Calls.Select(c => c.Days));
    }

    [Fact]
    public async Task RunDueAsync_ExpiredClaimOfADeadWorker_IsTakenOver()
    {
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        using var kit = new SchedulerKit(now);
        var monthly = kit.InFolder(SchedulerKit.Schedule("monthly", "0 6 1 * *", ReportPeriod.PreviousMonth));
        var october = new ScheduleRunKey("monthly", P(D(2026, 10, 1), D(2026, 10, 31)));
        Assert.True(await kit.Ledger.TryClaimAsync(october, Instant.FromUtc(2026, 11, 1, 5, 0), "dead-worker", now - Duration.FromMinutes(20), now - Duration.FromMinutes(10)));

        var result = await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Empty(result.Failures);
        Assert.Equal([("monthly", october.Days)], kit.Producer.Calls);
        var run = Assert.Single(await kit.RunsAsync("monthly"));
        Assert.True(run.Produced);
        Assert.Null(run.Holder);
        Assert.True(File.Exists(Path.Combine(kit.Folder, "monthly", "monthly_2026-10-01_2026-10-31.xlsx")));
    }

    [Fact]
    public async Task RunDueAsync_LiveClaimOfAnotherWorker_IsLeftAloneAndWokenForAtItsExpiry()
    {
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        using var kit = new SchedulerKit(now);
        var monthly = kit.InFolder(SchedulerKit.Schedule("monthly", "0 6 1 * *", ReportPeriod.PreviousMonth));
        var october = new ScheduleRunKey("monthly", P(D(2026, 10, 1), D(2026, 10, 31)));
        Assert.True(await kit.Ledger.TryClaimAsync(october, Instant.FromUtc(2026, 11, 1, 5, 0), "busy-worker", now, now + Duration.FromMinutes(10)));

        var result = await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Empty(kit.Producer.Calls);
        Assert.Empty(result.Failures);
        Assert.Equal(now + Duration.FromMinutes(10), result.WakeAt);
        var run = Assert.Single(await kit.RunsAsync("monthly"));
        Assert.Equal("busy-worker", run.Holder);
        Assert.False(run.Produced);
        Assert.Equal(
            "monthly 2026-10-01_2026-10-31: claimed by worker busy-worker until 2026-11-01T09:10:00Z (after that, if it has not finished, the next run takes it over)",
            Assert.Single(result.Left));
        Assert.Contains(kit.Logger.Entries, e => e.Id.Id == 3 && e.Message.Contains("is claimed by worker busy-worker until 2026-11-01T09:10:00Z; left to it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunDueAsync_DeliveriesDueOfAPeriodAnotherWorkerHolds_WokenAtTheClaimsExpiryNotAtOnce()
    {
        // A worker produced October and was killed before delivering it (a restart under systemd): its claim lives on for
        // a few minutes, and the delivery it recorded as pending has been due since.
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        using var kit = new SchedulerKit(now);
        var monthly = kit.InFolder(SchedulerKit.Schedule("monthly", "0 6 1 * *", ReportPeriod.PreviousMonth));
        var october = new ScheduleRunKey("monthly", P(D(2026, 10, 1), D(2026, 10, 31)));
        var killedAt = now - Duration.FromMinutes(1);
        Assert.True(await kit.Ledger.TryClaimAsync(october, Instant.FromUtc(2026, 11, 1, 5, 0), "killed-worker", killedAt, killedAt + Duration.FromMinutes(10)));
        Assert.True(await kit.Ledger.MarkProducedAsync(october, "killed-worker", "monthly_2026-10-01_2026-10-31.xlsx", killedAt, [ScheduleDelivery.FolderTarget]));
        var runner = kit.Runner(monthly);

        var result = await runner.RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Empty(kit.Producer.Calls);
        Assert.Single(result.Left);
        Assert.Equal(killedAt + Duration.FromMinutes(10), result.WakeAt);

        // At the expiry the period is taken over and delivered.
        kit.Clock.Reset(result.WakeAt!.Value);
        var takeOver = await runner.RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Empty(takeOver.Failures);
        Assert.Equal([("monthly", october.Days)], kit.Producer.Calls);
        Assert.True(Assert.Single(Assert.Single(await kit.RunsAsync("monthly")).Deliveries).Delivered);
    }

    [Fact]
    public async Task RunDueAsync_CronAndPeriodEdited_NeverProducesARecordedPeriodAgain()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 11, 1, 9, 0));
        await kit.Runner(kit.InFolder(SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth))).RunDueAsync(retryNow: false, CancellationToken.None);

        // The same schedule now runs daily at 07:00 on a month-to-date period: on 1 November that is October again.
        kit.Clock.Reset(Instant.FromUtc(2026, 11, 1, 10, 0));
        var edited = kit.InFolder(SchedulerKit.Schedule("board", "0 7 * * *", ReportPeriod.MonthToDate));
        await kit.Runner(edited).RunDueAsync(retryNow: false, CancellationToken.None);
        kit.Clock.Reset(Instant.FromUtc(2026, 11, 2, 10, 0));
        await kit.Runner(edited).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Equal([P(D(2026, 10, 1), D(2026, 10, 31)), P(D(2026, 11, 1), D(2026, 11, 1))], kit.Producer.Calls.Select(c => c.Days));
    }

    [Fact]
    public async Task RunDueAsync_FolderUnwritable_RecordsTheFailureAndRetriesWithBackoffUntilDelivered()
    {
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        using var kit = new SchedulerKit(now);
        var blocked = await kit.BlockedFolderAsync("board");
        var monthly = SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth) with { Folder = blocked };
        var runner = kit.Runner(monthly);

        var first = await runner.RunDueAsync(retryNow: false, CancellationToken.None);

        var failure = Assert.Single(first.Failures);
        Assert.Contains("board 2026-10-01_2026-10-31 to folder failed (cannot write", failure, StringComparison.Ordinal);
        Assert.Contains("it will be retried", failure, StringComparison.Ordinal);
        var delivery = Assert.Single(Assert.Single(await kit.RunsAsync("board")).Deliveries);
        Assert.Equal((false, 1, now + Duration.FromMinutes(1)), (delivery.Delivered, delivery.Attempts, delivery.RetryAt!.Value));
        Assert.Equal(now + Duration.FromMinutes(1), first.WakeAt);

        // Still failing at the retry: the wait doubles.
        kit.Clock.Reset(now + Duration.FromMinutes(1));
        Assert.Single((await runner.RunDueAsync(retryNow: false, CancellationToken.None)).Failures);
        delivery = Assert.Single(Assert.Single(await kit.RunsAsync("board")).Deliveries);
        Assert.Equal((2, now + Duration.FromMinutes(3)), (delivery.Attempts, delivery.RetryAt!.Value));

        // Not yet due: nothing is tried.
        kit.Clock.Reset(now + Duration.FromMinutes(2));
        Assert.Empty((await runner.RunDueAsync(retryNow: false, CancellationToken.None)).Failures);
        Assert.Equal(2, kit.Producer.Calls.Count);

        File.Delete(blocked);
        kit.Clock.Reset(now + Duration.FromMinutes(3));
        var fixedPass = await runner.RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Empty(fixedPass.Failures);
        Assert.True(Assert.Single(Assert.Single(await kit.RunsAsync("board")).Deliveries).Delivered);
        Assert.True(File.Exists(Path.Combine(blocked, "board_2026-10-01_2026-10-31.xlsx")));
        Assert.Equal(3, kit.Producer.Calls.Count);
        Assert.Empty((await runner.RunDueAsync(retryNow: true, CancellationToken.None)).Failures);
        Assert.Equal(3, kit.Producer.Calls.Count);
    }

    [Fact]
    public async Task RunDueAsync_SkipWhenEmptyAndNoDeals_RecordsThePeriodAndDeliversNothing()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 11, 1, 9, 0));
        kit.Producer.Empty = true;
        var monthly = kit.InFolder(SchedulerKit.Schedule("quiet", "0 6 1 * *", ReportPeriod.PreviousMonth)) with { SkipWhenEmpty = true };

        var result = await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Empty(result.Failures);
        var run = Assert.Single(await kit.RunsAsync("quiet"));
        Assert.True(run.Produced);
        Assert.Empty(run.Deliveries);
        Assert.False(Directory.Exists(Path.Combine(kit.Folder, "quiet")));
    }

    [Fact]
    public async Task RunDueAsync_ClaimLostWhileWorking_StopsWithoutMarkingAndLeavesThePeriodToTheNewHolder()
    {
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        using var kit = new SchedulerKit(now);
        var monthly = kit.InFolder(SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth));
        var october = new ScheduleRunKey("board", P(D(2026, 10, 1), D(2026, 10, 31)));
        kit.Producer.During = async token =>
        {
            // This worker stalls past its claim; another takes the period over meanwhile.
            kit.Clock.Advance(Duration.FromMinutes(11));
            Assert.True(await kit.Ledger.TryClaimAsync(october, now, "other-worker", kit.Clock.GetCurrentInstant(), kit.Clock.GetCurrentInstant() + Duration.FromMinutes(10), token));
        };

        var result = await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Contains("another worker took over the claim", Assert.Single(result.Failures), StringComparison.Ordinal);
        var run = Assert.Single(await kit.RunsAsync("board"));
        Assert.Equal(("other-worker", false), (run.Holder, run.Produced));
        Assert.False(Directory.Exists(Path.Combine(kit.Folder, "board")));
    }

    [Fact]
    public async Task RunDueAsync_AsOfAnEarlierInstant_BackfillsAPeriodSkippedByLookBackOnceAndNothingElse()
    {
        // Produced from the start of the year with LookBack 1, after a five-month outage: June to September were skipped.
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 5, 1, 9, 0));
        var monthly = kit.InFolder(SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth, lookBack: 1));
        Assert.Empty((await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None)).Failures);
        kit.Clock.Reset(Instant.FromUtc(2026, 11, 1, 9, 0));
        Assert.Empty((await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None)).Failures);
        Assert.Equal([P(D(2026, 4, 1), D(2026, 4, 30)), P(D(2026, 10, 1), D(2026, 10, 31))], kit.Producer.Calls.Select(c => c.Days));

        // A backfill "as of" 1 August produces July (due then), once; run again it produces nothing more.
        kit.Clock.Reset(Instant.FromUtc(2026, 8, 1, 9, 0));
        Assert.Empty((await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None)).Failures);
        Assert.Empty((await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None)).Failures);

        Assert.Equal(
            [P(D(2026, 4, 1), D(2026, 4, 30)), P(D(2026, 10, 1), D(2026, 10, 31)), P(D(2026, 7, 1), D(2026, 7, 31))],
            kit.Producer.Calls.Select(c => c.Days));
    }

    [Fact]
    public async Task RunDueAsync_BackfillAsOfAnEarlierInstant_ClaimsByTheRealClockSoALiveWorkerLeavesItsPeriodAlone()
    {
        using var kit = new SchedulerKit(Instant.FromUtc(2026, 11, 1, 9, 0)); // the real time
        var monthly = kit.InFolder(SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth, lookBack: 1));
        Assert.Empty((await kit.Runner(monthly).RunDueAsync(retryNow: false, CancellationToken.None)).Failures);
        var backfill = new ScheduleRunner(
            [monthly], kit.Ledger, kit.Producer, [new FolderDelivery()], new FakeClock(Instant.FromUtc(2026, 8, 1, 9, 0)), kit.Logger,
            new RunnerOptions { Holder = "backfill", ClaimClock = kit.Clock });
        var julyClaim = default(ScheduleRun);
        var liveWorkerRan = false;
        kit.Producer.During = async token =>
        {
            if (liveWorkerRan)
            {
                return;
            }

            // While the backfill produces July, a live worker on the real clock makes its pass.
            liveWorkerRan = true;
            julyClaim = (await kit.RunsAsync("board")).Single(r => r.Key.Days.First == D(2026, 7, 1));
            Assert.Empty((await kit.Runner(monthly).RunDueAsync(retryNow: false, token)).Failures);
        };

        Assert.Empty((await backfill.RunDueAsync(retryNow: false, CancellationToken.None)).Failures);

        Assert.True(liveWorkerRan);
        Assert.Equal(("backfill", Instant.FromUtc(2026, 11, 1, 9, 10)), (julyClaim!.Holder, julyClaim.ClaimedUntil));
        Assert.Equal([P(D(2026, 10, 1), D(2026, 10, 31)), P(D(2026, 7, 1), D(2026, 7, 31))], kit.Producer.Calls.Select(c => c.Days));
    }

    [Fact]
    public async Task RunDueAsync_ClaimCannotBeRenewed_StopsTheWorkWithoutMarkingOrWritingAndReleasesTheClaim()
    {
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        var ledger = new UnrenewableLedger();
        using var kit = new SchedulerKit(now, ledger);
        var monthly = kit.InFolder(SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth));
        kit.Producer.During = token => Task.Delay(TimeSpan.FromSeconds(30), token); // works until stopped, or for 30 s
        var runner = new ScheduleRunner(
            [monthly], ledger, kit.Producer, [new FolderDelivery()], kit.Clock, kit.Logger,
            new RunnerOptions { Holder = "test-worker", ClaimDuration = Duration.FromMilliseconds(300) });

        var result = await runner.RunDueAsync(retryNow: false, CancellationToken.None);

        Assert.Single(result.Failures);
        Assert.True(ledger.RenewAttempts >= 1);
        var run = Assert.Single(await kit.RunsAsync("board"));
        Assert.Equal((null, false), (run.Holder, run.Produced));
        Assert.False(Directory.Exists(Path.Combine(kit.Folder, "board")) && Directory.EnumerateFileSystemEntries(Path.Combine(kit.Folder, "board")).Any());
    }

    [Fact]
    public async Task RunDueAsync_RecipientAndFolderRemovedWhileTheirDeliveriesFailed_NeitherIsTriedAgainAndTheNewRecipientIsUntouched()
    {
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        using var kit = new SchedulerKit(now);
        var blocked = await kit.BlockedFolderAsync("board");
        var mail = new RecordingMail { Failing = true };
        var before = SchedulerKit.Schedule("board", "0 6 1 * *", ReportPeriod.PreviousMonth) with { Folder = blocked, Email = ["leaver@example.com"] };
        ScheduleRunner Runner(ScheduleDefinition schedule) =>
            new([schedule], kit.Ledger, kit.Producer, [new FolderDelivery(), mail], kit.Clock, kit.Logger, new RunnerOptions { Holder = "test-worker" });

        Assert.Equal(2, (await Runner(before).RunDueAsync(retryNow: false, CancellationToken.None)).Failures.Count);
        Assert.Equal(["mailto:leaver@example.com"], mail.Attempts);

        // The leaver is taken off the list and the folder dropped; the mail server works again.
        mail.Failing = false;
        File.Delete(blocked);
        var after = before with { Folder = null, Email = ["successor@example.com"] };
        kit.Clock.Reset(now + Duration.FromHours(1));
        var runner = Runner(after);
        var pass = await runner.RunDueAsync(retryNow: true, CancellationToken.None);
        var again = await runner.RunDueAsync(retryNow: true, CancellationToken.None);

        Assert.Empty(pass.Failures);
        Assert.Empty(pass.Produced);
        Assert.Empty(again.Failures);
        Assert.Equal(["mailto:leaver@example.com"], mail.Attempts);
        Assert.False(File.Exists(blocked) || Directory.Exists(blocked));
        Assert.Single(kit.Producer.Calls);
        // The owed deliveries stay in the ledger as not delivered; nothing wakes the worker for them.
        Assert.All(Assert.Single(await kit.RunsAsync("board")).Deliveries, d => Assert.False(d.Delivered));
        Assert.Equal(after.Cron.Next(kit.Clock.GetCurrentInstant()), pass.WakeAt);
        var logged = kit.Logger.Entries.Where(e => e.Id.Id == 7).Select(e => e.Message).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains(logged, m => m.Contains("2026-10-01..2026-10-31 was not delivered to mailto:leaver@example.com, which the schedule no longer names", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("to folder, which the schedule no longer names", StringComparison.Ordinal));

        // Named again (in other letter case), the recipient is owed the period still.
        var back = Runner(after with { Email = ["successor@example.com", "Leaver@Example.com"] });
        var owed = await back.RunDueAsync(retryNow: true, CancellationToken.None);

        Assert.Empty(owed.Failures);
        Assert.Equal(["mailto:leaver@example.com", "mailto:leaver@example.com"], mail.Attempts);
    }

    /// <summary>An e-mail delivery that records each address it is asked to deliver to, and fails while told to.</summary>
    private sealed class RecordingMail : IReportDelivery
    {
        public List<string> Attempts { get; } = [];

        public bool Failing { get; set; }

        public bool Handles(string target) => target.StartsWith("mailto:", StringComparison.Ordinal);

        public Task DeliverAsync(ScheduleDefinition schedule, PeriodDays days, string target, string workbook, ProducedReport report, CancellationToken cancellationToken)
        {
            Attempts.Add(target);
            return Failing ? throw new DeliveryException($"the server refused {target}") : Task.CompletedTask;
        }
    }

    /// <summary>The in-memory ledger, whose store fails whenever a claim is renewed.</summary>
    private sealed class UnrenewableLedger : IScheduleLedger
    {
        private readonly SalesPipeline.InMemory.InMemoryScheduleLedger _inner = new();

        public int RenewAttempts { get; private set; }

        public Task<IReadOnlyList<ScheduleRun>> ListAsync(string schedule, CancellationToken cancellationToken = default) => _inner.ListAsync(schedule, cancellationToken);

        public Task<bool> TryClaimAsync(ScheduleRunKey key, Instant dueAt, string holder, Instant now, Instant until, CancellationToken cancellationToken = default) =>
            _inner.TryClaimAsync(key, dueAt, holder, now, until, cancellationToken);

        public Task<bool> RenewAsync(ScheduleRunKey key, string holder, Instant until, CancellationToken cancellationToken = default)
        {
            RenewAttempts++;
            throw new IOException("the database went away");
        }

        public Task ReleaseAsync(ScheduleRunKey key, string holder, CancellationToken cancellationToken = default) => _inner.ReleaseAsync(key, holder, cancellationToken);

        public Task<bool> MarkProducedAsync(ScheduleRunKey key, string holder, string file, Instant at, IReadOnlyList<string> targets, CancellationToken cancellationToken = default) =>
            _inner.MarkProducedAsync(key, holder, file, at, targets, cancellationToken);

        public Task RecordDeliveryAsync(ScheduleRunKey key, ScheduleDelivery delivery, CancellationToken cancellationToken = default) =>
            _inner.RecordDeliveryAsync(key, delivery, cancellationToken);
    }
}
