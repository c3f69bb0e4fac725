using NodaTime;
using SalesPipeline.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Core.Scheduling;

public sealed class CatchUpPlanTests
{
    private static readonly DateTimeZone Utc = DateTimeZone.Utc;

    private static Instant Month(int month) => Instant.FromUtc(2026, month, 1, 6, 0);

    [Fact]
    public void For_MoreDueThanLookBack_KeepsTheNewestOldestFirstAndSkipsTheRest()
    {
        var plan = CatchUpPlan.For(ReportPeriod.PreviousMonth, Utc, [Month(6), Month(3), Month(5), Month(2), Month(4)], new HashSet<PeriodDays>(), firstRun: false, lookBack: 2);

        Assert.Equal([Month(5), Month(6)], plan.Produce.Select(p => p.DueAt));
        Assert.Equal([Month(2), Month(3), Month(4)], plan.Skipped.Select(p => p.DueAt));
    }

    [Fact]
    public void For_OccurrencesMappingToARecordedOrRepeatedPeriod_DueOnce()
    {
        var recorded = new HashSet<PeriodDays> { PeriodDays.Of(ReportPeriod.PreviousMonth, new LocalDate(2026, 5, 1)) };
        var daily = Enumerable.Range(0, 40).Select(d => Instant.FromUtc(2026, 5, 1, 6, 0) + Duration.FromDays(d));

        var plan = CatchUpPlan.For(ReportPeriod.PreviousMonth, Utc, daily, recorded, firstRun: false, lookBack: 5);

        var single = Assert.Single(plan.Produce);
        Assert.Equal(new PeriodDays(new LocalDate(2026, 5, 1), new LocalDate(2026, 5, 31)), single.Days);
        Assert.Equal(Instant.FromUtc(2026, 6, 1, 6, 0), single.DueAt);
    }

    [Theory]
    [InlineData(true, 5, 1)]
    [InlineData(false, 0, 1)]
    public void For_FirstRunOrLookBackZero_ProducesOnlyTheLatest(bool firstRun, int lookBack, int expected)
    {
        var plan = CatchUpPlan.For(ReportPeriod.PreviousMonth, Utc, [Month(2), Month(3)], new HashSet<PeriodDays>(), firstRun, lookBack);

        Assert.Equal(expected, plan.Produce.Count);
        Assert.Equal(Month(3), plan.Produce[^1].DueAt);
    }

    [Fact]
    public void For_OccurrenceLateInTheDayUtc_PeriodFollowsTheScheduleZone()
    {
        var warsaw = DateTimeZoneProviders.Tzdb["Europe/Warsaw"];

        // 23:30 UTC on 31 October is 00:30 on 1 November in Warsaw: October is the previous month there.
        var plan = CatchUpPlan.For(ReportPeriod.PreviousMonth, warsaw, [Instant.FromUtc(2026, 10, 31, 23, 30)], new HashSet<PeriodDays>(), firstRun: true, lookBack: 3);

        Assert.Equal(new PeriodDays(new LocalDate(2026, 10, 1), new LocalDate(2026, 10, 31)), plan.Produce.Single().Days);
    }
}
