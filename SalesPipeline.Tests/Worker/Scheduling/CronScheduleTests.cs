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
    public void Between_HourlyOverTheFallBack_TheRepeatedHourRunsOnlyAtItsFirstPass()
    {
        var schedule = Parse("0 * * * *", "America/New_York");

        var occurrences = schedule.Between(Instant.FromUtc(2026, 11, 1, 3, 30), Instant.FromUtc(2026, 11, 1, 7, 30));

        // 00:00 and 01:00 daylight time, then 02:00 standard time: 01:00 standard time is the repeated hour.
        Assert.Equal([Instant.FromUtc(2026, 11, 1, 4, 0), Instant.FromUtc(2026, 11, 1, 5, 0), Instant.FromUtc(2026, 11, 1, 7, 0)], occurrences);
    }

    [Theory]
    [InlineData("America/New_York", "*/15 * * * *", "2026-11-01T03:00:00Z")] // clocks back an hour at 06:00 UTC
    [InlineData("Australia/Lord_Howe", "*/10 * * * *", "2026-04-04T13:00:00Z")] // back half an hour at 15:00 UTC
    [InlineData("Europe/Warsaw", "0 * * * *", "2026-10-24T23:00:00Z")] // back an hour at 01:00 UTC
    [InlineData("America/New_York", "*/15 * * * *", "2026-03-08T05:00:00Z")] // forward an hour at 07:00 UTC
    public void Between_WindowsAroundAClockChange_HoldExactlyTheOccurrencesNextWalksTo(string zone, string cron, string from)
    {
        // Every window of 5 minutes to 3 hours starting each 5 minutes across the change, including windows whose end reads
        // earlier on the wall clock than their start.
        var schedule = Parse(cron, zone);
        var start = NodaTime.Text.InstantPattern.ExtendedIso.Parse(from).Value;
        var walked = new List<Instant>();
        for (var at = schedule.Next(start - Duration.FromHours(1))!.Value; at < start + Duration.FromHours(10); at = schedule.Next(at)!.Value)
        {
            walked.Add(at);
        }

        for (var after = start; after < start + Duration.FromHours(6); after += Duration.FromMinutes(5))
        {
            for (var length = Duration.FromMinutes(5); length <= Duration.FromHours(3); length += Duration.FromMinutes(5))
            {
                var until = after + length;
                Assert.Equal(walked.Where(at => at > after && at <= until), schedule.Between(after, until));
            }
        }
    }

    [Fact]
    public void Next_EveryZone_OccursAtTheCronsWallTimeByTheTimeZoneDatabaseTheReportsUse()
    {
        // The periods, the reports and 'schedules' read a zone's rules from NodaTime's database; the operating system's may be
        // older (a province that stopped changing its clocks), and an occurrence timed by it comes an hour early or late.
        foreach (var id in DateTimeZoneProviders.Tzdb.Ids)
        {
            var schedule = Parse("0 8 * * 1", id);
            var at = Instant.FromUtc(2026, 1, 1, 0, 0);
            for (var week = 0; week < 104; week++)
            {
                at = schedule.Next(at)!.Value;
                var local = at.InZone(schedule.Zone).LocalDateTime;
                Assert.True((local.TimeOfDay, local.DayOfWeek) == (new LocalTime(8, 0), IsoDayOfWeek.Monday), $"{id}: an occurrence at {local} local, {at}");
            }
        }
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
        // 29 February on a Monday: 2016, then 2044, so nothing in the eight years looked back over.
        Assert.Null(Parse("0 0 29 2 1", "UTC").Latest(Instant.FromUtc(2026, 12, 31, 0, 0)));
    }

    [Theory]
    [InlineData("0 6 30 2 *")]
    [InlineData("0 6 31 4,6,9,11 *")]
    [InlineData("0 0 6 31 11 *")]
    public void Parse_DayNoMonthItNamesHas_ThrowsSayingItNeverOccurs(string cron)
    {
        var e = Assert.Throws<FormatException>(() => Parse(cron, "Europe/Warsaw"));

        Assert.Equal($"'{cron}' never occurs: no month it names has the day it names.", e.Message);
    }

    [Theory]
    [InlineData("0\t6 1 * *")]
    [InlineData("0  6   1 * *")]
    [InlineData(" 0 6 1 * * ")]
    public void Parse_FieldsSeparatedByTabsOrSeveralSpaces_ReadsTheFiveFields(string written)
    {
        var cron = written.Replace("\\t", "\t", StringComparison.Ordinal);

        var schedule = Parse(cron, "UTC");

        Assert.Equal(cron, schedule.Text);
        Assert.Equal(Instant.FromUtc(2027, 1, 1, 6, 0), schedule.Next(Instant.FromUtc(2026, 12, 1, 7, 0)));
    }

    [Fact]
    public void Next_DayOfMonthAndWeekdayBothGiven_OccursOnlyOnDaysThatAreBoth()
    {
        // The 1st that is a Monday, as the README says; classic cron would also run on every Monday.
        var schedule = Parse("0 6 1 * 1", "UTC");

        Assert.Equal(Instant.FromUtc(2027, 2, 1, 6, 0), schedule.Next(Instant.FromUtc(2026, 12, 1, 7, 0)));
    }
}
