using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Core.Scheduling;

public sealed class PeriodDaysTests
{
    [Theory]
    [InlineData(ReportPeriod.PreviousDay, "2026-11-01", "2026-10-31", "2026-10-31")]
    [InlineData(ReportPeriod.PreviousWeek, "2026-11-02", "2026-10-26", "2026-11-01")] // a Monday
    [InlineData(ReportPeriod.PreviousWeek, "2026-11-01", "2026-10-19", "2026-10-25")] // a Sunday: its ISO week began on the 26th
    [InlineData(ReportPeriod.PreviousMonth, "2026-03-01", "2026-02-01", "2026-02-28")]
    [InlineData(ReportPeriod.PreviousMonth, "2026-01-15", "2025-12-01", "2025-12-31")]
    [InlineData(ReportPeriod.PreviousQuarter, "2026-10-01", "2026-07-01", "2026-09-30")]
    [InlineData(ReportPeriod.PreviousQuarter, "2026-02-10", "2025-10-01", "2025-12-31")]
    [InlineData(ReportPeriod.PreviousYear, "2026-01-01", "2025-01-01", "2025-12-31")]
    [InlineData(ReportPeriod.MonthToDate, "2026-11-18", "2026-11-01", "2026-11-17")]
    [InlineData(ReportPeriod.MonthToDate, "2026-11-01", "2026-10-01", "2026-10-31")]
    [InlineData(ReportPeriod.QuarterToDate, "2026-11-18", "2026-10-01", "2026-11-17")]
    public void Of_OccurrenceDay_GivesTheDaysAsReportTakesThem(ReportPeriod period, string day, string first, string last)
    {
        var days = PeriodDays.Of(period, Date(day));

        Assert.Equal(new PeriodDays(Date(first), Date(last)), days);
        Assert.Equal($"{first}_{last}", days.ToString());
    }

    [Property(MaxTest = 300)]
    public Property Of_AnyDay_EndsBeforeTheOccurrenceDayAndIsNotEmpty(int offset, int which)
    {
        var day = new LocalDate(2000, 1, 1).PlusDays(Math.Abs(offset % 20_000));
        var period = (ReportPeriod)(Math.Abs(which) % 7);
        var days = PeriodDays.Of(period, day);
        return (days.First <= days.Last && days.Last < day && Period.Between(days.First, days.Last, PeriodUnits.Days).Days < 366).ToProperty();
    }

    private static LocalDate Date(string text) => NodaTime.Text.LocalDatePattern.Iso.Parse(text).Value;
}
