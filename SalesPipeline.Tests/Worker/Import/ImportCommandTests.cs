using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Cli;
using SalesPipeline.Tests.Core.Analytics;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary><c>salespipeline import</c>: exit codes (0 done, 2 bad input, nothing written), messages, rejects file, the real database.</summary>
public sealed class ImportCommandTests : ImportCommandTestBase
{
    [Fact]
    public async Task Import_WithoutFile_ExitsTwo()
    {
        var code = await CliApp.RunAsync(["import"], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--file", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_FileMissing_ExitsTwoWithOneLineAndCreatesNoDatabase()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");

        var code = await CliApp.RunAsync(["import", "--file", Path.Combine(Folder.FullName, "nope.csv"), "--db", db], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.Single(ImportKit.Lines(Error));
        Assert.Contains("does not exist", Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task Import_RejectsWithoutSkipInvalid_ExitsTwo()
    {
        var file = Write("deals.csv", Csv(Row("D-1")));

        var code = await CliApp.RunAsync(["import", "--file", file, "--rejects", Path.Combine(Folder.FullName, "r.csv")], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error: --rejects only applies with --skip-invalid", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_InvalidMapping_ExitsTwoNamingTheFault()
    {
        var file = Write("deals.csv", Csv(Row("D-1")));
        var mapping = Write("m.json", """{ "columns": { "colour": "x" }, "timeZone": "Mars/Olympus" }""");

        var code = await CliApp.RunAsync(["import", "--file", file, "--mapping", mapping], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("'colour' is not a field", Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("'Mars/Olympus' is not an IANA time zone", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_InvalidRowIntoSqlite_ExitsTwoPrintsTheRowAndWritesNothing()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-3"), Row("D-3")));

        var code = await CliApp.RunAsync(["import", "--file", file, "--db", db], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal(
            [
                "row 3, column 'amount', value '-3': the amount must not be negative.",
                "1 error in 1 of 3 rows.",
                "Nothing was imported. Fix those rows, or import the valid ones with --skip-invalid --rejects rejects.csv.",
            ],
            ImportKit.Lines(Error));
        Assert.Equal(0, Count(db, "opportunities"));
        Assert.Equal(0, Count(db, "accounts"));
    }

    [Fact]
    public async Task Import_MavenFileIntoSqlite_ImportsAllThenNothingOnTheSecondRun()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        string[] args = ["--as", "admin", "import", "--file", Path.Combine(MavenCrm.Directory, "sales_pipeline.csv"), "--mapping", Path.Combine(MappingsFolder, "maven-crm.json"), "--db", db];
        Assert.Equal(CliApp.Success, await CliApp.RunAsync(["users", "add", "admin", "--name", "Admin", "--role", "admin", "--group", "hq", "--db", db], Output, Error, new FakeClock(Now)));
        Output.GetStringBuilder().Clear();

        var first = await CliApp.RunAsync(args, Output, Error, new FakeClock(Now));
        var second = await CliApp.RunAsync(args, Output, Error, new FakeClock(Now));

        Assert.Equal((CliApp.Success, CliApp.Success), (first, second));
        Assert.Equal(
            [
                $"Imported sales_pipeline.csv → pipeline 'maven-crm' in SQLite {db}: 8,800 rows read; 8,800 imported, 0 already there, 0 rejected.",
                $"Imported sales_pipeline.csv → pipeline 'maven-crm' in SQLite {db}: 8,800 rows read; 0 imported, 8,800 already there, 0 rejected.",
            ],
            ImportKit.Lines(Output));
        Assert.Equal(8_800, Count(db, "opportunities"));
        Assert.Equal(85, Count(db, "accounts"));
        Assert.Equal(15_511, Count(db, "stage_changes"));
    }

    [Theory]
    [InlineData("admin", new[] { "--as", "admin", "import" })]
    [InlineData("admin", new[] { "--as", "admin", "import", "--by", "admin" })]
    [InlineData("piotr", new[] { "import", "--by", "piotr" })]
    public async Task Import_ActingUser_IsRecordedAsTheCreatorOfTheDeals(string creator, string[] args)
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2")));

        var code = await RunInMemoryAsync(store, [.. args, "--file", file]);

        Assert.Equal(CliApp.Success, code);
        Assert.All(await DealsAsync(store), d => Assert.Equal(new UserId(creator), d.CreatedBy));
    }

    [Fact]
    public async Task Import_AsAndByNamingDifferentUsers_IsRefusedAndImportsNothing()
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1")));

        var e = await Assert.ThrowsAsync<CliInputException>(() => RunInMemoryAsync(store, "--as", "admin", "import", "--by", "piotr", "--file", file));

        Assert.Equal("--as 'admin' and --by 'piotr' name different users; the acting user is recorded as the creator of the imported deals. Give --as alone (or --by the same user).", e.Message);
        Assert.Empty(await DealsAsync(store));
    }

    [Theory]
    [InlineData("ghost", AccessDenialKind.UnknownUser)]
    [InlineData("ivy", AccessDenialKind.InactiveUser)]
    public async Task Import_AsSomeoneUnknownOrInactive_IsRefusedAndImportsNothing(string user, AccessDenialKind kind)
    {
        var store = new InMemoryStore();
        await ((IPersonStore)store).SaveAsync(ImportKit.Admin);
        await ((IPersonStore)store).SaveAsync(new Person(new UserId("ivy"), "Ivy", Role.Salesperson, ["north"], null, 5, false));
        var file = Write("deals.csv", Csv(Row("D-1")));

        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => RunInMemoryAsync(store, "--as", user, "import", "--file", file));

        Assert.Equal((kind, "import deals"), (e.Kind, e.Action));
        Assert.Empty(await DealsAsync(store));
    }

    [Fact]
    public async Task Import_AsSomeoneUnknownIntoSqlite_ExitsThreeWithOneLineAndImportsNothing()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Write("deals.csv", Csv(Row("D-1")));

        var code = await CliApp.RunAsync(["--as", "ghost", "import", "--file", file, "--db", db], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.AccessRefused, code);
        Assert.StartsWith("refused: 'ghost' may not import deals", Assert.Single(ImportKit.Lines(Error)), StringComparison.Ordinal);
        Assert.Equal(0, Count(db, "opportunities"));
    }

    [Fact]
    public async Task Import_SkipInvalidWithRejects_ImportsTheRestAndWritesTheRejectsFileOnly()
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", currency: "ZZZ")));
        var rejects = Path.Combine(Folder.FullName, "rejects.csv");

        var code = await RunInMemoryAsync(store, "import", "--file", file, "--skip-invalid", "--rejects", rejects);

        Assert.Equal(CliApp.Success, code);
        Assert.Equal(["D-1"], (await DealsAsync(store)).Select(d => d.ExternalId));
        Assert.Equal(
            $"{Header},rejected_row,rejection_reason\r\nD-2,ERP rollout,Kowalski Logistics,anna,qualification,1200.50,ZZZ,2025-01-10,2025-06-30,,,,,3,\"currency: not an active ISO-4217 currency code such as EUR, PLN or USD.\"\r\n",
            await File.ReadAllTextAsync(rejects));
        Assert.Equal(["deals.csv", "rejects.csv"], Folder.GetFiles().Select(f => f.Name).Order());
        Assert.Contains("1 imported, 0 already there, 1 rejected (written to", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_DryRun_ReportsWhatWouldHappenAndWritesNothing()
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2")));

        var code = await RunInMemoryAsync(store, "import", "--file", file, "--dry-run");

        Assert.Equal(CliApp.Success, code);
        Assert.Empty(await DealsAsync(store));
        Assert.Equal(["Dry run, nothing written: deals.csv → pipeline 'new-business' in memory: 2 rows read; 2 would be imported, 0 are already there, 0 invalid."], ImportKit.Lines(Output));
    }

    [Fact]
    public async Task Import_DryRunWithAMappingsNewPipeline_ReportsWhatWouldHappenAndStoresNeitherDealsNorDefinition()
    {
        var store = new InMemoryStore();
        Write("partners.pipeline.json", PipelineDefinition.Default.ToJson().Replace("\"new-business\"", "\"partners\"", StringComparison.Ordinal));
        var mapping = Write("m.json", """{ "pipelineFile": "partners.pipeline.json" }""");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2")));

        var code = await RunInMemoryAsync(store, "import", "--file", file, "--mapping", mapping, "--dry-run");

        Assert.Equal(CliApp.Success, code);
        Assert.Equal(["Dry run, nothing written: deals.csv → pipeline 'partners' in memory: 2 rows read; 2 would be imported, 0 are already there, 0 invalid."], ImportKit.Lines(Output));
        Assert.Empty(await DealsAsync(store));
        Assert.Empty(await store.LoadAsync());
    }

    [Fact]
    public async Task Import_DryRunWithInvalidRows_ExitsTwo()
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", stage: "won")));

        var code = await RunInMemoryAsync(store, "import", "--file", file, "--dry-run");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal("row 3, column 'closed', value '': a won deal needs a close date.", ImportKit.Lines(Error)[0]);
        Assert.Empty(await DealsAsync(store));
    }

    [Fact]
    public async Task Import_UnknownPipeline_ExitsTwo()
    {
        var file = Write("deals.csv", Csv(Row("D-1")));

        var e = await Assert.ThrowsAsync<CliInputException>(() => RunInMemoryAsync(new InMemoryStore(), "import", "--file", file, "--pipeline", "renewals"));

        Assert.StartsWith("--pipeline 'renewals': the database has no such pipeline; it has new-business.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ProcessKilledMidImport_LeavesTheDatabaseWithoutRows()
    {
        // A real process, a real SQLite file, a real kill (SIGKILL: no clean-up code runs). The import is one transaction,
        // so what it wrote before the kill was never committed.
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Path.Combine(Folder.FullName, "big.csv");
        await using (var output = File.Create(file))
        {
            await new GeneratedCsv(600_000, afterRow: int.MaxValue, () => { }).CopyToAsync(output);
        }

        var start = new ProcessStartInfo("dotnet", ["salespipeline.dll", "import", "--file", file, "--db", db])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            // Progress appears on stderr after two seconds of importing: rows have been written into the open transaction.
            string? line;
            while ((line = await process.StandardError.ReadLineAsync()) is not null && !line.StartsWith("import: ", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal(0, Count(db, "opportunities"));
        Assert.Equal(0, Count(db, "stage_changes"));
        Assert.Equal(0, Count(db, "accounts"));
    }

    private static long Count(string db, string table)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private Task<int> RunInMemoryAsync(InMemoryStore store, params string[] args) => ImportKit.RunImportCommandAsync(store, Output, Error, args);
}
