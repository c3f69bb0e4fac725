using NodaTime;
using SalesPipeline.Reporting.Worker.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

public sealed class CronScheduleTests
{
    private static CronSchedule Parse(string cron, string zone) => CronSchedule.Parse(cron, DateTimeZoneProviders.Tzdb[zone]);

    [Theory]
    [InlineData("Europe/Warsaw", "30 2 * * *", "2026-03-29T01:00:00Z")] // spring forward: 02:30 does not exist, 03:00 +02:00 is the first valid instant
    [InlineData("Europe/Warsaw", "30 2 * * *", "2026-10-25T00:30:00Z")] // fall back: 02:30 happens twice, the schedule runs once
    [InlineData("America/New_York", "30 2 * * *", "2026-03-08T07:00:00Z")] // spring forward: 03:00 -04:00
    [InlineData("America/New_York", "30 1 * * *", "2026-11-01T05:30:00Z")] // fall back: 01:30 -04:00 only
    public void Between_DaylightSavingDay_OneOccurrenceAtTheExpectedInstant(string zone, string cron, string expected)
    {
        var at = NodaTime.Text.InstantPattern.ExtendedIso.Parse(expected).Value;
        var schedule = Parse(cron, zone);
        var day = at.InZone(schedule.Zone).Date;

        var occurrences = schedule.Between(day.AtStartOfDayInZone(schedule.Zone).ToInstant() - Duration.Epsilon, day.PlusDays(1).AtStartOfDayInZone(schedule.Zone).ToInstant() - Duration.Epsilon);

        Assert.Equal([at], occurrences);
    }

    [Fact]
    public void Parse_SixFields_ReadsSecondsFirst()
    {
        var schedule = Parse("15 0 6 * * *", "UTC");

        Assert.Equal(Instant.FromUtc(2026, 11, 2, 6, 0, 15), schedule.Next(Instant.FromUtc(2026, 11, 2, 0, 0)));
    }

    [Theory]
    [InlineData("0 6 1 *")]
    [InlineData("0 25 1 * *")]
    [InlineData("every monday")]
    [InlineData("0 0 6 1 * * 2026")]
    public void Parse_NotACronExpression_ThrowsFormatExceptionNamingIt(string cron)
    {
        var e = Assert.Throws<FormatException>(() => Parse(cron, "UTC"));

        Assert.Contains(cron, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latest_YearlyCron_FindsLastYearsOccurrence()
    {
        var schedule = Parse("0 6 2 1 *", "Europe/Warsaw");

        Assert.Equal(Instant.FromUtc(2026, 1, 2, 5, 0), schedule.Latest(Instant.FromUtc(2026, 12, 31, 0, 0)));
        Assert.Null(Parse("0 0 30 2 *", "UTC").Latest(Instant.FromUtc(2026, 12, 31, 0, 0)));
    }
}
