using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// Bad input to the command line: a clear one-line error, exit code 2, and nothing written; a report the acting user (--as)
/// may not see: exit code 3, one line, nothing written.
/// </summary>
public sealed class ReportCommandTests : IClassFixture<SqliteDemoStoreFixture>, IDisposable
{
    private readonly SqliteDemoStoreFixture _store;
    private readonly string _out = Directory.CreateTempSubdirectory("salespipeline-out-").FullName;

    public ReportCommandTests(SqliteDemoStoreFixture store) => _store = store;

    public static TheoryData<string, string[], string> BadReports => new()
    {
        { "from after to", ["--from", "2026-09-30", "--to", "2026-07-01"], "is after --to" },
        { "impossible date", ["--from", "2026-02-30", "--to", "2026-03-31"], "'2026-02-30' is not a date" },
        { "date in another format", ["--from", "07/01/2026", "--to", "2026-09-30"], "'07/01/2026' is not a date" },
        { "unknown kind", ["--kind", "pie", "--from", "2026-07-01", "--to", "2026-09-30"], "pie" },
        { "unknown owner", ["--owner", "Nobody Atall", "--from", "2026-07-01", "--to", "2026-09-30"], "'Nobody Atall' owns no deals" },
        { "unknown pipeline", ["--pipeline", "renewals", "--from", "2026-07-01", "--to", "2026-09-30"], "--pipeline 'renewals' is not known" },
        { "unknown culture", ["--culture", "de", "--from", "2026-07-01", "--to", "2026-09-30"], "de" },
        { "unknown time zone", ["--time-zone", "Mars/Olympus", "--from", "2026-07-01", "--to", "2026-09-30"], "not an IANA time zone" },
        { "negative detail rows", ["--detail-rows", "-5", "--from", "2026-07-01", "--to", "2026-09-30"], "--detail-rows must be between" },
        { "missing --to", ["--from", "2026-07-01"], "--to" },
        { "margin above one", ["--ltv-margin", "1.5", "--from", "2026-07-01", "--to", "2026-09-30"], "--ltv-margin must be greater than 0 and at most 1" },
        { "retention above one", ["--ltv-retention", "2", "--from", "2026-07-01", "--to", "2026-09-30"], "--ltv-retention must be between 0 and 1" },
        { "horizon too long", ["--ltv-horizon", "80", "--from", "2026-07-01", "--to", "2026-09-30"], "--ltv-horizon must be between 0 and 50" },
        { "negative acquisition cost", ["--acquisition-cost", "-5", "--from", "2026-07-01", "--to", "2026-09-30"], "--acquisition-cost must not be negative" },
        { "acquisition cost beyond any deal", ["--acquisition-cost", "79228162514264337593543950335", "--from", "2026-07-01", "--to", "2026-09-30"], "--acquisition-cost must be at most 1,000,000,000,000,000, the largest value a deal may have, was 79228162514264337593543950335." },
        { "margin with a decimal comma", ["--ltv-margin", "0,3", "--from", "2026-07-01", "--to", "2026-09-30"], "--ltv-margin '0,3' is not a number; write it with a decimal point" },
        { "retention as a word", ["--ltv-retention", "high", "--from", "2026-07-01", "--to", "2026-09-30"], "--ltv-retention 'high' is not a number" },
        { "horizon as a word", ["--ltv-horizon", "five", "--from", "2026-07-01", "--to", "2026-09-30"], "--ltv-horizon 'five' is not a whole number between 0 and 50" },
        { "acquisition cost with a currency", ["--acquisition-cost", "500PLN", "--from", "2026-07-01", "--to", "2026-09-30"], "--acquisition-cost '500PLN' is not a number" },
    };

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task Report_BadArguments_ExitTwoWithOneClearLineAndWriteNothing(string why, string[] args, string message)
    {
        var result = await CliRunner.RunAsync(["--db", _store.Database, "report", "--out", Path.Combine(_out, "r.xlsx"), .. args]);
        AssertRefused(result, message, why);
    }

    [Fact]
    public async Task Report_OutputFolderMissing_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(["--db", _store.Database, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "no", "such", "r.xlsx")]);
        AssertRefused(result, "does not exist", "unwritable --out");
    }

    [Fact]
    public async Task Report_OutputUnderAFileNotAFolder_ExitsTwoAndLeavesTheFileAlone()
    {
        var file = Path.Combine(_out, "notes.txt");
        await File.WriteAllTextAsync(file, "keep me");

        var result = await CliRunner.RunAsync(["--db", _store.Database, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(file, "r.xlsx")]);

        AssertRefused(result, "does not exist", "--out inside a file");
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Report_OutputNotXlsx_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(["--db", _store.Database, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "r.csv")]);
        AssertRefused(result, "must end in .xlsx", "--out not a workbook");
    }

    [Fact]
    public async Task Report_DatabaseMissing_ExitsTwoAndCreatesNoDatabase()
    {
        var missing = Path.Combine(_out, "missing.db");
        var result = await CliRunner.RunAsync(["--db", missing, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "r.xlsx")]);
        AssertRefused(result, "does not exist", "missing database");
        Assert.False(File.Exists(missing), "A report must not create the database it was pointed at.");
    }

    [Fact]
    public async Task Report_DatabaseOfNewerSchema_ExitsTwoNamingBothVersions()
    {
        var newer = Path.Combine(_out, "newer.db");
        File.Copy(_store.Database, newer);
        await using (var connection = new SqliteConnection($"Data Source={newer};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_version (version, name) VALUES (999, 'from the future')";
            await command.ExecuteNonQueryAsync();
        }

        var result = await CliRunner.RunAsync(["--db", newer, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "r.xlsx")]);
        AssertRefused(result, "schema version 999", "database of a newer schema");
    }

    [Fact]
    public async Task Report_UnknownProvider_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(["--provider", "oracle", "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "r.xlsx")]);
        AssertRefused(result, "oracle", "unknown provider");
    }

    [Fact]
    public async Task Report_PostgresWithoutConnectionString_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(["--provider", "postgres", "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "r.xlsx")]);
        AssertRefused(result, "--provider postgres needs --db", "postgres without --db");
    }

    [Fact]
    public async Task Demo_BadDealCount_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(["--db", Path.Combine(_out, "d.db"), "demo", "--deals", "0", "--out", _out]);
        AssertRefused(result, "--deals must be between 1 and 1,000,000", "no deals");
        Assert.False(File.Exists(Path.Combine(_out, "d.db")));
    }

    /// <summary>Every command of the tree the program builds, root and groups included, as its path of names.</summary>
    public static TheoryData<string[]> EveryCommand()
    {
        var data = new TheoryData<string[]>();
        void Walk(System.CommandLine.Command command, string[] path)
        {
            data.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name]);
            }
        }

        Walk(SalesPipeline.Reporting.Worker.Cli.CliApp.Build(new SalesPipeline.Reporting.Worker.Cli.CliContext(TextWriter.Null, TextWriter.Null, NodaTime.SystemClock.Instance)), []);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Help_OnEveryCommand_ExitsZeroAndDescribesIt(string[] command)
    {
        var root = SalesPipeline.Reporting.Worker.Cli.CliApp.Build(new SalesPipeline.Reporting.Worker.Cli.CliContext(TextWriter.Null, TextWriter.Null, NodaTime.SystemClock.Instance));
        var described = command.Aggregate((System.CommandLine.Command)root, (c, name) => c.Subcommands.Single(s => s.Name == name));

        var result = await CliRunner.RunAsync([.. command, "--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Contains("--db", result.Output, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(described.Description), $"'{string.Join(' ', command)}' has no description.");
        Assert.Contains(described.Description!.Split('.')[0], System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbMigrate_Twice_SecondRunDoesNothing()
    {
        var db = Path.Combine(_out, "m.db");
        var first = await CliRunner.RunAsync(["--db", db, "db", "migrate"]);
        var second = await CliRunner.RunAsync(["--db", db, "db", "migrate"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("migrated from schema version 0", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("nothing to do", second.Output, StringComparison.Ordinal);
    }

    private const string Anna = "Anna Nowak";

    private static readonly string[] Quarter = ["--from", "2026-07-01", "--to", "2026-09-30"];

    [Theory]
    [InlineData("salesperson without --owner", Anna, null, "'Anna Nowak' may not report on everyone's deals and leads: a salesperson reports only on their own deals and leads, as owner 'Anna Nowak'; name whose report it is with --owner USER. Nothing was changed.")]
    [InlineData("salesperson naming another", Anna, "Piotr Kowalski", "'Anna Nowak' may not report on the deals and leads of 'Piotr Kowalski': a salesperson reports only on their own deals and leads, as owner 'Anna Nowak'. Nothing was changed.")]
    [InlineData("manager without --owner", "manager", null, "'manager' may not report on everyone's deals and leads: a manager reports on one owner at a time, themselves or a person in their groups (north, south): 'Anna Nowak', 'Emma Clarke', 'James Patel', 'Katarzyna Lewandowska', 'Maria Wiśniewska', 'Oliver Brown', 'Piotr Kowalski', 'Tomasz Wójcik', 'manager'; name whose report it is with --owner USER. Nothing was changed.")]
    [InlineData("manager naming someone outside their groups", "manager", "admin", "'manager' may not report on the deals and leads of 'admin': a manager reports on one owner at a time, themselves or a person in their groups (north, south): 'Anna Nowak', 'Emma Clarke', 'James Patel', 'Katarzyna Lewandowska', 'Maria Wiśniewska', 'Oliver Brown', 'Piotr Kowalski', 'Tomasz Wójcik', 'manager'. Nothing was changed.")]
    [InlineData("unknown acting user", "ghost", null, "'ghost' may not report on everyone's deals and leads: no person has this user id")]
    [InlineData("unknown acting user naming themselves", "ghost", "ghost", "no person has this user id")]
    public async Task Report_AsSomeoneWhoMayNotSeeTheOwner_ExitsThreeWithOneLineAndWritesNothing(string why, string by, string? owner, string message)
    {
        string[] named = owner is null ? [] : ["--owner", owner];

        var result = await CliRunner.RunAsync(["--db", _store.Database, "--as", by, "report", .. Quarter, .. named, "--out", Path.Combine(_out, "r.xlsx")]);

        Assert.True(result.ExitCode == 3, $"{why}: {result}");
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("refused: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_out, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("agenda")]
    [InlineData("leads")]
    public async Task Report_AgendaOrLeadsAsSalespersonWithoutOwner_ExitsThree(string kind)
    {
        var result = await CliRunner.RunAsync(["--db", _store.Database, "--as", Anna, "report", "--kind", kind, .. Quarter, "--out", Path.Combine(_out, "r.xlsx")]);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("a salesperson reports only on their own deals and leads", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_out, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Report_SalespersonOnThemselves_HoldsOnlyTheirDealsAndFigures()
    {
        var path = Path.Combine(_out, "anna.xlsx");

        var result = await CliRunner.RunAsync(["--db", _store.Database, "--as", Anna, "report", .. Quarter, "--owner", Anna, "--out", path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var workbook = new XLWorkbook(path);
        var owners = workbook.Worksheet("Opportunities").Table(0).DataRange.Rows().Select(r => r.Cell(3).GetString()).Distinct().ToList();
        Assert.Equal([Anna], owners);
        var period = new NodaTime.Interval(NodaTime.Instant.FromUtc(2026, 7, 1, 0, 0), NodaTime.Instant.FromUtc(2026, 10, 1, 0, 0));
        var winLoss = PipelineAnalytics.WinLoss(_store.Deals, PipelineDefinition.Default, period, new WinLossOptions { Owner = new UserId(Anna) });
        var everyone = PipelineAnalytics.WinLoss(_store.Deals, PipelineDefinition.Default, period);
        Assert.True(winLoss.Total.Won < everyone.Total.Won, "The demo's other owners win deals in the quarter too.");
        var won = workbook.Worksheet("Summary").RowsUsed().First(r => r.Cell(1).GetString() == "Won").Cell(2);
        Assert.Equal(winLoss.Total.Won, won.GetValue<long>());
    }

    [Fact]
    public async Task Report_LeadsAsSalespersonOnThemselves_ListsOnlyTheirLeadFigures()
    {
        var path = Path.Combine(_out, "anna-leads.xlsx");

        var result = await CliRunner.RunAsync(["--db", _store.Database, "--as", Anna, "report", "--kind", "leads", .. Quarter, "--owner", Anna, "--out", path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var workbook = new XLWorkbook(path);
        var text = string.Join("|", workbook.Worksheet("Leads").CellsUsed().Select(c => c.GetString()));
        Assert.Contains(Anna, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Piotr Kowalski", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("manager on a person in their groups", "manager", Anna)]
    [InlineData("admin on everyone", "admin", null)]
    [InlineData("admin on one owner", "admin", Anna)]
    [InlineData("no acting user, as the database's holder", null, null)]
    public async Task Report_AsSomeoneWhoMaySeeTheOwner_WritesTheWorkbook(string why, string? by, string? owner)
    {
        string[] acting = by is null ? [] : ["--as", by];
        string[] named = owner is null ? [] : ["--owner", owner];
        var path = Path.Combine(_out, "r.xlsx");
        var result = await CliRunner.RunAsync(["--db", _store.Database, .. acting, "report", .. Quarter, .. named, "--out", path]);

        Assert.True(result.ExitCode == 0, $"{why}: {result}");
        Assert.True(File.Exists(path), why);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_out, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Report_DamagedDatabase_ExitsOneWithOneLineAndAStackTraceOnlyWhenVerbose(bool verbose)
    {
        // Arguments and schema version are fine; the store itself fails while the report reads it.
        var damaged = Path.Combine(_out, $"damaged-{verbose}.db");
        await using (var connection = new SqliteConnection($"Data Source={damaged};Pooling=False"))
        {
            await connection.OpenAsync();
            await using (var source = new SqliteConnection($"Data Source={_store.Database};Pooling=False"))
            {
                // A consistent copy, including what is still in the source's write-ahead log.
                await source.OpenAsync();
                source.BackupDatabase(connection);
            }

            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE offers";
            await command.ExecuteNonQueryAsync();
        }

        string[] flags = verbose ? ["--verbose"] : [];
        var result = await CliRunner.RunAsync([.. flags, "--db", damaged, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_out, "r.xlsx")]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("failed: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("offers", result.Error.Split('\n')[0], StringComparison.Ordinal);
        if (verbose)
        {
            Assert.Contains("   at ", result.Error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Empty(Directory.EnumerateFiles(_out, "*.xlsx", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(_out, "*.tmp", SearchOption.AllDirectories));
    }

    private void AssertRefused(CliResult result, string message, string why)
    {
        Assert.True(result.ExitCode == 2, $"{why}: {result}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length is >= 1 and <= 2, $"{why}: expected one error line (and a usage hint), got: {result.Error}");
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_out, "*.xlsx", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(_out, "*.tmp", SearchOption.AllDirectories));
    }
}
