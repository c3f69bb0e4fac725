using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using Ical.Net.CalendarComponents;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Domain;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Tests.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The agenda command on a SQLite file: days, team scope, the iCalendar file as two readers see it, and refusals.</summary>
public sealed class AgendaCommandTests : IDisposable
{
    private static readonly Instant Now = CliRunner.Now;

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-agenda-").FullName;

    private string DbFile => Path.Combine(_folder, "crm.db");

    private string[] Db => ["--db", DbFile];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Agenda_OwnDays_PrintsOverdueFirstThenEachDayThenStaleAndOpenDeals()
    {
        await SeedAsync();

        var result = await Run("--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04", "--time-zone", "Europe/Warsaw");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Equal("Agenda of sam, 2026-11-28 to 2026-12-04 (Europe/Warsaw), as of 2026-11-28 10:00", lines[0]);
        var overdue = lines.IndexOf("Overdue (1)");
        Assert.Equal("  2026-11-26 10:00  task           Send price list (Acme ERP)  (2 days overdue)", lines[overdue + 1]);
        var sunday = lines.IndexOf("Sun 2026-11-29");
        Assert.True(sunday > overdue, result.Output);
        Assert.Equal("  10:00  meeting        Workshop (Acme ERP)", lines[sunday + 1]);
        var monday = lines.IndexOf("Mon 2026-11-30");
        Assert.Equal(["  10:00  next contact   Acme ERP", "         expected close Acme ERP"], lines.Skip(monday + 1).Take(2));
        var stale = lines.IndexOf("Stale deals (1)");
        Assert.True(stale > monday, result.Output);
        Assert.Equal("  Quiet  identification, nothing for 20 days (limit 14)", lines[stale + 1]);
        Assert.Contains("  new-business/identification  2  13,000 PLN", lines);
        Assert.DoesNotContain("Beta", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agenda_Table_SubjectOverSeveralLinesOrWithTabs_StaysOnItsEntrysLine()
    {
        var deal = await SeedAsync();
        var logged = await Run("--as", "sam", "deals", "log", deal.ToString(), "--kind", "meeting", "--subject", "Review\r\nterms\tand prices\nnext", "--due", "2026-12-02T08:00:00Z");
        Assert.True(logged.ExitCode == 0, logged.ToString());

        var result = await Run("--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var wednesday = lines.IndexOf("Wed 2026-12-02");
        Assert.True(wednesday > 0, result.Output);
        Assert.Equal("  08:00  meeting        Review\u21B5terms and prices\u21B5next (Acme ERP)", lines[wednesday + 1]);
        Assert.DoesNotContain('\t', result.Output);
    }

    [Fact]
    public async Task Agenda_RangeEndedBeforeNow_StillListsEverythingOverdue()
    {
        await SeedAsync();

        // The task fell due on 2026-11-26, after these days and before now: it is overdue all the same.
        var result = await Run("--as", "sam", "agenda", "--from", "2026-11-20", "--to", "2026-11-25", "--time-zone", "Europe/Warsaw", "--format", "csv");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Skip(1).ToList();
        var overdue = Assert.Single(rows, r => r.StartsWith("overdue,", StringComparison.Ordinal));
        Assert.StartsWith("overdue,2026-11-26,10:00,task,Send price list,Acme ERP,sam,", overdue, StringComparison.Ordinal);
        Assert.DoesNotContain(rows, r => r.StartsWith("upcoming,", StringComparison.Ordinal) && !r.Contains(",expected close,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Agenda_TeamOfAnAdmin_CoversDealsOfOwnersWhoAreNotPeople()
    {
        await SeedAsync();
        var csv = Path.Combine(_folder, "legacy.csv");
        await File.WriteAllTextAsync(csv, "id,name,owner,stage,amount,currency,created,expected_close\nL1,Legacy ERP,old.crm,qualification,3000,PLN,2026-11-01,2026-11-30\n");
        var imported = await Run("--as", "ada", "import", "--file", csv);
        Assert.True(imported.ExitCode == 0, imported.ToString());

        var admin = await Run("--as", "ada", "agenda", "--team", "--from", "2026-11-28", "--to", "2026-12-04", "--format", "csv");
        var manager = await Run("--as", "mona", "agenda", "--team", "--from", "2026-11-28", "--to", "2026-12-04", "--format", "csv");
        var table = await Run("--as", "ada", "agenda", "--team", "--from", "2026-11-28", "--to", "2026-12-04");

        Assert.True(admin.ExitCode == 0, admin.ToString());
        Assert.Contains(admin.Output.Split('\n'), l => l.StartsWith("upcoming,2026-11-30,,expected close,Legacy ERP,Legacy ERP,old.crm,", StringComparison.Ordinal));
        Assert.DoesNotContain("Legacy ERP", manager.Output, StringComparison.Ordinal);
        Assert.StartsWith("Agenda of 6 people, 2026-11-28 to 2026-12-04", table.Output, StringComparison.Ordinal);
        Assert.Contains("expected close Legacy ERP  [old.crm]", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agenda_TeamOfAManager_CoversTheirGroupsAndASalespersonIsRefused()
    {
        await SeedAsync();

        var team = await Run("--as", "mona", "agenda", "--team", "--from", "2026-11-28", "--to", "2026-12-04", "--format", "json");

        Assert.True(team.ExitCode == 0, team.ToString());
        var owners = JsonDocument.Parse(team.Output).RootElement.EnumerateArray().Select(e => e.GetProperty("owner").GetString()).Where(o => o is not null).Distinct().Order();
        Assert.Equal(["sam", "sue"], owners);
        var refused = await Run("--as", "sam", "agenda", "--team");
        Assert.Equal(3, refused.ExitCode);
        Assert.Equal("refused: 'sam' may not see the team's agenda: a salesperson sees only their own agenda; a manager sees their groups'. Nothing was changed.", refused.Error.Trim());
        var outside = await Run("--as", "mona", "agenda", "--owner", "tom");
        Assert.Equal(3, outside.ExitCode);
        Assert.Contains("'tom', who is not in any of their groups (north)", outside.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("--as", "ada", "agenda", "--owner", "tom")).ExitCode);
    }

    [Fact]
    public async Task AgendaIcs_TwoExports_ReadByIcalNetAndPythonIcalendarWithTheSameUids()
    {
        var deal = await SeedAsync();
        var first = Path.Combine(_folder, "first.ics");
        var second = Path.Combine(_folder, "second.ics");

        Assert.Equal(0, (await Run("--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04", "--ics", first)).ExitCode);
        await using (var services = Services(new FakeClock(Now)))
        {
            await services.GetRequiredService<ISalesPipeline>().ScheduleNextContactAsync(deal, Now + Duration.FromDays(3), new UserId("sam"));
        }

        Assert.Equal(0, (await Run("--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04", "--ics", second)).ExitCode);

        var calendar = Ical.Net.Calendar.Load(await File.ReadAllTextAsync(first))!;
        var meeting = Assert.Single(calendar.Events);
        Assert.Equal(("Workshop (Acme ERP)", Now + Duration.FromDays(1)), (meeting.Summary, Instant.FromDateTimeUtc(meeting.DtStart!.AsUtc)));
        Assert.Equal(
            [("Next contact: Acme ERP", Now + Duration.FromDays(2)), ("Send price list (Acme ERP)", Now - Duration.FromDays(2))],
            calendar.Todos.Select(t => (t.Summary, Instant.FromDateTimeUtc(t.Due!.AsUtc))).OrderBy(t => t.Summary, StringComparer.Ordinal));

        var python1 = ExternalReaders.ReadCalendarWithIcalendar(first);
        var python2 = ExternalReaders.ReadCalendarWithIcalendar(second);
        Assert.Equal(
            [
                ("VEVENT", "Workshop (Acme ERP)", "2026-11-29T09:00:00+00:00"),
                ("VTODO", "Next contact: Acme ERP", "2026-11-30T09:00:00+00:00"),
                ("VTODO", "Send price list (Acme ERP)", "2026-11-26T09:00:00+00:00"),
            ],
            python1.Select(c => (c.Kind, c.Summary, c.At)).OrderBy(c => c.Kind, StringComparer.Ordinal).ThenBy(c => c.Summary, StringComparer.Ordinal));
        Assert.Equal(calendar.Children.OfType<IUniqueComponent>().Select(c => c.Uid).Order(StringComparer.Ordinal), python1.Select(c => c.Uid).Order(StringComparer.Ordinal));
        Assert.Equal(3, python1.Select(c => c.Uid).Distinct().Count());

        // The second export holds the same entries under the same UIDs; the moved next contact carries its new instant.
        Assert.Equal(python1.Select(c => c.Uid).Order(StringComparer.Ordinal), python2.Select(c => c.Uid).Order(StringComparer.Ordinal));
        Assert.Equal("2026-12-01T09:00:00+00:00", python2.Single(c => c.Summary == "Next contact: Acme ERP").At);
    }

    [Fact]
    public async Task AgendaIcs_SubjectsWithEmojiAndCombiningMarks_AreFoldedBetweenWholeCharacters()
    {
        var deal = await SeedAsync();
        // Whatever the prefix, some fold falls where a character outside the Basic Multilingual Plane starts.
        string[] subjects = [.. new[] { string.Empty, "a", "ab", "abc" }.Select(p => p + string.Concat(Enumerable.Repeat("\U0001F600", 30)) + string.Concat(Enumerable.Repeat("e\u0301", 15)))];
        foreach (var (subject, hour) in subjects.Select((s, i) => (s, i + 10)))
        {
            var logged = await Run("--as", "sam", "deals", "log", deal.ToString(), "--kind", "meeting", "--subject", subject, "--due", $"2026-12-02T{hour}:00:00Z");
            Assert.True(logged.ExitCode == 0, logged.ToString());
        }

        var file = Path.Combine(_folder, "agenda.ics");
        Assert.Equal(0, (await Run("--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04", "--ics", file)).ExitCode);

        var expected = subjects.Select(s => $"{s} (Acme ERP)").Order(StringComparer.Ordinal).ToList();
        var python = ExternalReaders.ReadCalendarWithIcalendar(file);
        Assert.Equal(expected, python.Select(c => c.Summary).Where(s => s.Contains('\uD83D', StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var calendar = Ical.Net.Calendar.Load(await File.ReadAllTextAsync(file))!;
        Assert.Equal(expected, calendar.Events.Select(e => e.Summary!).Where(s => s.Contains('\uD83D', StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.DoesNotContain("\uFFFD", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.All(System.Text.Encoding.UTF8.GetString(bytes).Split("\r\n"), line => Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, line));
    }

    [Theory]
    [InlineData("unknown owner", 2, "No person has user id 'ghost'", "--as", "ada", "agenda", "--owner", "ghost")]
    [InlineData("from after to", 2, "starts on 2026-12-04 ('from') after it ends on 2026-12-01 ('to')", "--as", "sam", "agenda", "--from", "2026-12-04", "--to", "2026-12-01")]
    [InlineData("not a date", 2, "--from '2026-13-01' is not a date", "--as", "sam", "agenda", "--from", "2026-13-01")]
    [InlineData("not a date either", 2, "--to 'next friday' is not a date", "--as", "sam", "agenda", "--to", "next friday")]
    [InlineData("empty owner", 2, "error: --owner is empty: give the user id of the person whose agenda to show, or leave --owner out for your own.", "--as", "mona", "agenda", "--owner", "")]
    [InlineData("blank owner", 2, "error: --owner is empty: give the user id", "--as", "mona", "agenda", "--owner", "  ", "--ics", "{folder}/agenda.ics")]
    [InlineData("owner and team", 2, "either one owner's or the team's", "--as", "mona", "agenda", "--owner", "sam", "--team")]
    [InlineData("range too long", 2, "is longer than 366 days", "--as", "sam", "agenda", "--from", "2026-01-01", "--to", "2027-06-30")]
    [InlineData("first day before the earliest", 2, "error: The agenda's first day ('from') 0001-01-01 is outside the days an agenda covers, 1900-01-01 to 2200-12-31: give a day between them.", "--as", "sam", "agenda", "--from", "0001-01-01", "--to", "0001-01-07")]
    [InlineData("calendar's last day", 2, "error: The agenda's first day ('from') 9999-12-31 is outside the days an agenda covers, 1900-01-01 to 2200-12-31: give a day between them.", "--as", "sam", "agenda", "--from", "9999-12-31")]
    [InlineData("a week before the calendar's end", 2, "error: The agenda's first day ('from') 9999-12-28 is outside the days an agenda covers, 1900-01-01 to 2200-12-31", "--as", "sam", "agenda", "--from", "9999-12-28")]
    [InlineData("last day after the latest", 2, "error: The agenda's last day ('to') 9999-12-31 is outside the days an agenda covers, 1900-01-01 to 2200-12-31", "--as", "sam", "agenda", "--from", "2026-12-01", "--to", "9999-12-31")]
    [InlineData("unknown time zone", 2, "--time-zone 'Mars/Olympus' is not an IANA time zone", "--as", "sam", "agenda", "--time-zone", "Mars/Olympus")]
    [InlineData("ics without extension", 2, "must end in .ics", "--as", "sam", "agenda", "--ics", "{folder}/agenda.txt")]
    [InlineData("no acting user", 2, "Name the acting user with --as USER", "agenda")]
    [InlineData("unknown acting user", 3, "no person has this user id", "--as", "ghost", "agenda")]
    [InlineData("team by a salesperson", 3, "a salesperson sees only their own agenda", "--as", "sue", "agenda", "--team")]
    public async Task Agenda_BadInput_OneClearLineAndItsExitCode(string name, int exit, string says, params string[] args)
    {
        await SeedAsync();

        var result = await Run([.. args.Select(a => a.Replace("{folder}", _folder, StringComparison.Ordinal))]);

        Assert.True(result.ExitCode == exit, $"{name}: {result}");
        Assert.Contains(says, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain("(Parameter", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Empty(Directory.GetFiles(_folder, "agenda.*"));
    }

    [Fact]
    public async Task Agenda_FromInTheLastWeekItCovers_WithoutTo_EndsOnTheLatestDay()
    {
        await SeedAsync();

        var result = await Run("--as", "sam", "agenda", "--from", "2200-12-28");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Agenda of sam, 2200-12-28 to 2200-12-31 (UTC)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgendaIcs_NotAnIcsNameOrAFolder_IsRefusedAndNothingIsWritten()
    {
        await SeedAsync();
        var before = await CheckpointedBytesAsync();
        var onDb = await CliRunner.RunAsync("--db", DbFile, "--as", "sam", "agenda", "--ics", DbFile);
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "cal.ics")).FullName;
        var onFolder = await Run("--as", "sam", "agenda", "--ics", folder);

        Assert.Equal(2, onDb.ExitCode);
        Assert.Contains("--ics", onDb.Error, StringComparison.Ordinal);
        Assert.Contains("must end in .ics", onDb.Error, StringComparison.Ordinal);
        Assert.Equal(2, onFolder.ExitCode);
        Assert.Contains("is a folder", onFolder.Error, StringComparison.Ordinal);
        Assert.Equal(before, await CheckpointedBytesAsync());
    }

    /// <summary>
    /// The database file's bytes once every write-ahead-logged page is in it: a write the command made is in them, and a
    /// checkpoint another connection happens to run (when a pool is cleared) changes nothing in them.
    /// </summary>
    private async Task<byte[]> CheckpointedBytesAsync()
    {
        await using (var connection = new SqliteConnection($"Data Source={DbFile};Pooling=False"))
        {
            await connection.OpenAsync();
            var (busy, _, _) = await connection.QuerySingleAsync<(long, long, long)>("PRAGMA wal_checkpoint(TRUNCATE)");
            Assert.Equal(0, busy);
        }

        return await File.ReadAllBytesAsync(DbFile);
    }

    [Fact]
    public async Task AgendaIcs_NamingTheDatabaseFile_IsRefusedAsAnInputFile()
    {
        await SeedAsync();
        var ics = Path.Combine(_folder, "crm.ics");
        File.Copy(DbFile, ics);
        SqliteConnection.ClearAllPools();

        var result = await CliRunner.RunAsync("--db", ics, "--as", "sam", "agenda", "--ics", ics);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--ics", result.Error, StringComparison.Ordinal);
        Assert.Contains("--db", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportKindAgenda_Polish_PerOwnerOverdueThenTheComingWeekThenStaleDeals()
    {
        await SeedAsync();
        var path = Path.Combine(_folder, "agenda.xlsx");

        var result = await Run("report", "--kind", "agenda", "--from", "2026-11-01", "--to", "2026-11-27", "--culture", "pl", "--out", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var workbook = new XLWorkbook(path);
        Assert.Equal(["Summary", "Agenda", "Opportunities"], workbook.Worksheets.Select(w => w.Name));
        var sheet = workbook.Worksheet("Agenda");
        Assert.Equal(AgendaSheet.Headers("pl"), Enumerable.Range(1, 8).Select(c => sheet.Cell(1, c).GetString()));
        var rows = Enumerable.Range(2, 8).Select(r => (sheet.Cell(r, 1).GetString(), sheet.Cell(r, 2).GetString(), sheet.Cell(r, 5).GetString(), sheet.Cell(r, 7).GetString())).ToList();
        Assert.Equal(
            [
                ("sam", "Zaległy kontakt", "Zadanie", "Acme ERP"),
                ("sam", "Najbliższy tydzień", "Spotkanie", "Acme ERP"),
                ("sam", "Najbliższy tydzień", "Następny kontakt", "Acme ERP"),
                ("sam", "Najbliższy tydzień", "Planowane zamknięcie", "Acme ERP"),
                ("sam", "Szansa bez ruchu", "Etap", "Quiet"),
                ("sue", "Zaległy kontakt", "Następny kontakt", "Beta"),
                ("tom", "Najbliższy tydzień", "Następny kontakt", "Gamma"),
                ("tom", "Najbliższy tydzień", "Planowane zamknięcie", "Gamma"),
            ],
            rows);
        Assert.True(sheet.Cell(10, 1).IsEmpty());
        Assert.Equal((XLDataType.DateTime, new DateTime(2026, 11, 26)), (sheet.Cell(2, 3).DataType, sheet.Cell(2, 3).GetDateTime()));
        Assert.Equal((XLDataType.Number, 2d), (sheet.Cell(2, 8).DataType, sheet.Cell(2, 8).GetDouble()));
        Assert.Equal(20d, sheet.Cell(6, 8).GetDouble());

        // One owner's report holds that owner's agenda only.
        var own = Path.Combine(_folder, "sam.xlsx");
        Assert.Equal(0, (await Run("report", "--kind", "agenda", "--from", "2026-11-01", "--to", "2026-11-27", "--owner", "sam", "--out", own)).ExitCode);
        using var owned = new XLWorkbook(own);
        Assert.All(owned.Worksheet("Agenda").RowsUsed().Skip(1), r => Assert.Equal("sam", r.Cell(1).GetString()));
        Assert.Equal("Overdue follow-up", owned.Worksheet("Agenda").Cell(2, 2).GetString());
    }

    [Fact]
    public void ScheduleKinds_AgendaWithAll_CombinesTheFlags()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SalesPipeline:Schedules:0:Name"] = "board",
            ["SalesPipeline:Schedules:0:Cron"] = "0 8 * * 1",
            ["SalesPipeline:Schedules:0:Period"] = "PreviousWeek",
            ["SalesPipeline:Schedules:0:Folder"] = _folder,
            ["SalesPipeline:Schedules:0:Kinds:0"] = "all",
            ["SalesPipeline:Schedules:0:Kinds:1"] = "agenda",
        }).Build();
        var problems = new List<string>();

        var settings = SalesPipeline.Reporting.Worker.Scheduling.SchedulerConfiguration.Read(configuration, _folder, problems);

        Assert.Empty(problems);
        Assert.Equal(ReportKind.All | ReportKind.Agenda, Assert.Single(settings.Schedules).Kind);
    }

    [Fact]
    public async Task Run_ScheduleWithKindsAgenda_DeliversAWorkbookWithTheOwnersAgendaSheet()
    {
        await SeedAsync();
        var reports = Path.Combine(_folder, "reports");
        var config = Path.Combine(_folder, "schedules.json");
        await File.WriteAllTextAsync(config, $$"""
            { "SalesPipeline": { "Schedules": [ { "Name": "mornings", "Cron": "0 7 * * *", "Period": "PreviousWeek",
              "Owner": "sam", "Kinds": ["agenda"], "Folder": {{JsonSerializer.Serialize(reports)}} } ] } }
            """);

        var result = await Run("run", "--once", "--now", "2026-11-28T08:30:00Z", "--config", config);

        Assert.True(result.ExitCode == 0, result.ToString());
        var files = Directory.GetFiles(reports, "*.xlsx");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            using var workbook = new XLWorkbook(file);
            Assert.Equal(["Summary", "Agenda", "Opportunities"], workbook.Worksheets.Select(w => w.Name));
            var rows = workbook.Worksheet("Agenda").RowsUsed().Skip(1).Select(r => (r.Cell(1).GetString(), r.Cell(7).GetString())).ToList();
            Assert.Contains(("sam", "Acme ERP"), rows);
            Assert.Contains(("sam", "Quiet"), rows);
            Assert.All(rows, r => Assert.Equal("sam", r.Item1));
        }
    }

    /// <summary>People through the CLI; deals through the library on the same file, as of earlier instants.</summary>
    [Fact]
    public async Task DealsLog_MeetingAndTaskWithDue_ArePlannedOnTheirDaysAndBadUsesStoreNothing()
    {
        var deal = (await SeedAsync()).ToString();
        string[] agenda = ["--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04", "--time-zone", "Europe/Warsaw"];

        var meeting = await Run("--as", "sam", "deals", "log", deal, "--kind", "meeting", "--subject", "Contract review", "--due", "2026-12-03T13:00:00Z");
        var task = await Run("--as", "sam", "deals", "log", deal, "--kind", "task", "--subject", "Draft contract", "--due", "2026-12-02T08:00:00Z");

        Assert.True(meeting.ExitCode == 0 && Guid.TryParse(meeting.Output.Trim(), out _), meeting.ToString());
        Assert.True(task.ExitCode == 0 && Guid.TryParse(task.Output.Trim(), out _), task.ToString());
        var before = await Run(agenda);
        var lines = before.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        var wednesday = lines.IndexOf("Wed 2026-12-02");
        var thursday = lines.IndexOf("Thu 2026-12-03");
        Assert.True(wednesday > 0 && thursday > wednesday, before.Output);
        Assert.Equal("  09:00  task           Draft contract (Acme ERP)", lines[wednesday + 1]);
        Assert.Equal("  14:00  meeting        Contract review (Acme ERP)", lines[thursday + 1]);

        foreach (var (args, says) in new[]
        {
            (new[] { "--kind", "task", "--subject", "Call back" }, "A task needs --due"),
            (["--kind", "task", "--subject", "Call back", "--next-contact", "2026-12-01T08:00:00Z"], "A task sets no next contact: give the instant it is due with --due."),
            (["--kind", "call", "--subject", "Hi", "--due", "2026-12-01T08:00:00Z"], "--due plans a meeting or task, not a call"),
            (["--kind", "meeting", "--subject", "Demo", "--due", "soon"], "--due 'soon' is not an instant"),
            (["--kind", "note", "--subject", "Budget", "--next-contact", "2026-12-01T08:00:00Z"], "A note sets no next contact"),
            (["--kind", "task", "--subject", "Renew", "--due", "0001-01-01T00:00:00Z"], "--due '0001-01-01T00:00:00Z' is not a plausible date: give an instant in a year between 1900 and 2200"),
            (["--kind", "task", "--subject", "Renew", "--due", "9999-12-31T23:00:00-05:00"], "--due '9999-12-31T23:00:00-05:00' is not a plausible date: give an instant in a year between 1900 and 2200"),
        })
        {
            var refused = await Run(["--as", "sam", "deals", "log", deal, .. args]);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains(says, refused.Error, StringComparison.Ordinal);
        }

        Assert.Equal(before.Output, (await Run(agenda)).Output);
    }

    [Fact]
    public async Task DealsLog_DueAndNextContactWithAnOffset_AreTheInstantsTheyName()
    {
        var deal = (await SeedAsync()).ToString();

        var meeting = await Run("--as", "sam", "deals", "log", deal, "--kind", "meeting", "--subject", "Contract review", "--due", "2026-12-03T15:30:00+01:00");
        var call = await Run("--as", "sam", "deals", "log", deal, "--kind", "call", "--subject", "Pricing", "--next-contact", "2026-12-04T06:15:00-05:00");

        Assert.True(meeting.ExitCode == 0 && Guid.TryParse(meeting.Output.Trim(), out _), meeting.ToString());
        Assert.True(call.ExitCode == 0, call.ToString());
        var lines = (await Run("--as", "sam", "agenda", "--from", "2026-12-03", "--to", "2026-12-04")).Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Equal("  14:30  meeting        Contract review (Acme ERP)", lines[lines.IndexOf("Thu 2026-12-03") + 1]);
        var deals = (await Run("--as", "sam", "deals", "list", "--format", "json")).Output;
        var acme = JsonDocument.Parse(deals).RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == deal);
        Assert.Equal("2026-12-04T11:15:00Z", acme.GetProperty("next_contact").GetString());
    }

    [Theory]
    [InlineData("--due", "2026-12-03 14:00")]
    [InlineData("--due", "2026-12-03T14:00:00")]
    [InlineData("--next-contact", "2026-12-03T14:00:00+0100")]
    public async Task DealsLog_InstantInAnotherForm_ExitsTwoShowingBothFormsAndLogsNothing(string option, string text)
    {
        var deal = (await SeedAsync()).ToString();
        string[] agenda = ["--as", "sam", "agenda", "--from", "2026-11-28", "--to", "2026-12-04"];
        var before = (await Run(agenda)).Output;

        var refused = await Run("--as", "sam", "deals", "log", deal, "--kind", "meeting", "--subject", "Contract review", option, text);

        Assert.Equal(
            (2, $"error: {option} '{text}' is not an instant: use UTC like 2026-11-01T05:30:00Z or an offset like 2026-11-01T06:30:00+01:00."),
            (refused.ExitCode, refused.Error.Trim()));
        Assert.Equal(before, (await Run(agenda)).Output);
    }

    private async Task<OpportunityId> SeedAsync()
    {
        Assert.Equal(0, (await Run("users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq")).ExitCode);
        foreach (var args in new[]
        {
            new[] { "mona", "--name", "Mona", "--role", "manager", "--group", "north" },
            ["sam", "--name", "Sam", "--role", "salesperson", "--group", "north", "--manager", "mona"],
            ["sue", "--name", "Sue", "--role", "salesperson", "--group", "north", "--manager", "mona"],
            ["tom", "--name", "Tom", "--role", "salesperson", "--group", "south"],
        })
        {
            var added = await Run(["--as", "ada", "users", "add", .. args]);
            Assert.True(added.ExitCode == 0, added.ToString());
        }

        var clock = new FakeClock(Now - Duration.FromDays(20));
        await using var services = Services(clock);
        var crm = services.GetRequiredService<ISalesPipeline>();
        var (sam, sue, tom) = (new UserId("sam"), new UserId("sue"), new UserId("tom"));
        await crm.CreateAsync(new NewOpportunity("Quiet", Money.Of(1_000m, "PLN"), null, new LocalDate(2027, 5, 1)), sam);
        clock.Reset(Now - Duration.FromDays(5));
        var acme = await crm.CreateAsync(new NewOpportunity("Acme ERP", Money.Of(12_000m, "PLN"), null, new LocalDate(2026, 11, 30)), sam);
        await crm.LogActivityAsync(acme.Id, NewActivity.Call("Intro", nextContact: Now + Duration.FromDays(2)), sam);
        await crm.LogActivityAsync(acme.Id, NewActivity.Meeting("Workshop", due: Now + Duration.FromDays(1)), sam);
        await crm.LogActivityAsync(acme.Id, NewActivity.Task("Send price list", Now - Duration.FromDays(2)), sam);
        var beta = await crm.CreateAsync(new NewOpportunity("Beta", Money.Of(5_000m, "EUR"), null, new LocalDate(2027, 1, 15)), sue);
        await crm.LogActivityAsync(beta.Id, NewActivity.Call("Intro", nextContact: Now - Duration.FromDays(1)), sue);
        var gamma = await crm.CreateAsync(new NewOpportunity("Gamma", Money.Of(7_000m, "PLN"), null, new LocalDate(2026, 12, 1)), tom);
        await crm.LogActivityAsync(gamma.Id, NewActivity.Call("Intro", nextContact: Now + Duration.FromDays(1)), tom);
        return acme.Id;
    }

    private ServiceProvider Services(IClock clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddSalesPipeline().UseSqlite($"Data Source={DbFile}");
        return services.BuildServiceProvider();
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync([.. Db, .. args]);
}
