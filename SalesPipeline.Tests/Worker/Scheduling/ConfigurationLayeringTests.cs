using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SalesPipeline.Tests.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary>
/// The worker's configuration in its layers, as an operator sets it: <c>appsettings.json</c> in the working folder, then
/// <c>--config</c>, then <c>SALESPIPELINE__…</c> environment variables, with <c>--db</c> over all of them; and the one log line
/// a run writes. Each case runs the program in a process of its own, so its environment touches no other test.
/// </summary>
public sealed class ConfigurationLayeringTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-layers-").FullName;

    public async Task InitializeAsync()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("--db", Path.Combine(_folder, "crm.db"), "db", "migrate")).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), new JsonObject
        {
            ["SalesPipeline"] = new JsonObject
            {
                ["Database"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = "Data Source=crm.db" },
                ["Schedules"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "board", ["Cron"] = "0 6 1 * *", ["TimeZone"] = "Europe/Warsaw", ["Period"] = "PreviousMonth", ["Folder"] = "reports",
                }),
                ["Leads"] = new JsonObject
                {
                    ["DefaultLeadLimit"] = 7,
                    ["DisqualifyReasons"] = new JsonArray("spam", "no-need"),
                    ["SelfServiceOffGroups"] = new JsonArray("north"),
                },
                ["Documents"] = new JsonObject { ["MaxSizeBytes"] = 1000 },
            },
        }.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(_folder, "override.json"), """{ "SalesPipeline": { "Schedules": [ { "TimeZone": "America/New_York" } ] } }""");
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Schedules_ThreeLayers_EachLaterLayerWinsForTheKeysItSets()
    {
        var fileOnly = await RunAsync([], "schedules", "--format", "json");
        var withConfig = await RunAsync([], "schedules", "--format", "json", "--config", "override.json");
        var withEnvironment = await RunAsync([("SALESPIPELINE__Schedules__0__Period", "PreviousQuarter")], "schedules", "--format", "json", "--config", "override.json");

        Assert.Equal(("board", "PreviousMonth", "Europe/Warsaw"), Row(fileOnly));
        Assert.Equal(("board", "PreviousMonth", "America/New_York"), Row(withConfig));
        Assert.Equal(("board", "PreviousQuarter", "America/New_York"), Row(withEnvironment));
    }

    [Fact]
    public async Task Schedules_DbOption_OverridesTheConfiguredDatabase()
    {
        var result = await RunAsync([], "--db", "elsewhere.db", "schedules");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("elsewhere.db", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "elsewhere.db")), "schedules must not create the database it was pointed at");
    }

    [Fact]
    public async Task RunOnce_LayeredSchedule_ProducesThePeriodAndLogsOneLineNamingScheduleOutcomeFileAndRecipients()
    {
        // 06:00 in New York on 1 November 2026 (after the fall-back, UTC−5) is 11:00 UTC; the quarter before is Q3.
        var result = await RunAsync(
            [("SALESPIPELINE__Schedules__0__Period", "PreviousQuarter")], "run", "--once", "--now", "2026-11-01T12:00:00Z", "--config", "override.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var file = Path.Combine(_folder, "reports", "board_2026-07-01_2026-09-30.xlsx");
        Assert.True(File.Exists(file), result.ToString());
        var line = Assert.Single(result.Error.Split('\n'), l => l.Contains("Schedule board period 2026-07-01..2026-09-30:", StringComparison.Ordinal));
        Assert.Matches(@"produced in \d+ ms; file board_2026-07-01_2026-09-30\.xlsx; delivered to \[folder\]; failed \[\]$", line.TrimEnd());
    }

    [Fact]
    public async Task LeadSettings_FromAppSettingsAndEnvironment_ApplyToTheLeadCommands()
    {
        string[] db = ["--db", "crm.db"];
        Assert.Equal(0, (await RunAsync([], [.. db, "users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq"])).ExitCode);
        Assert.Equal(0, (await RunAsync([("SALESPIPELINE__Leads__DefaultLeadLimit", "9")], [.. db, "--as", "ada", "users", "add", "sam", "--name", "Sam", "--role", "salesperson", "--group", "north"])).ExitCode);
        var people = (await RunAsync([], [.. db, "users", "list", "--format", "csv"])).Output;
        Assert.Contains("ada,Ada,admin,hq,,7,yes", people, StringComparison.Ordinal);
        Assert.Contains("sam,Sam,salesperson,north,,9,yes", people, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_folder, "leads.csv"), "id,company,segment,contact,phone,email,source,notes,owner\nL1,Acme,retail,,,,fair,,\n");
        Assert.Equal(0, (await RunAsync([], [.. db, "--as", "ada", "leads", "import", "--file", "leads.csv"])).ExitCode);
        var take = await RunAsync([], [.. db, "--as", "sam", "leads", "take", "L1"]);
        Assert.True(take.ExitCode == 3, take.ToString());
        Assert.Contains("self-service is off in group 'north'", take.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync([("SALESPIPELINE__Leads__SelfServiceOffGroups__0", "south")], [.. db, "--as", "sam", "leads", "take", "L1"])).ExitCode);
        var unknownReason = await RunAsync([], [.. db, "--as", "sam", "leads", "disqualify", "L1", "--reason", "no-budget"]);
        Assert.True(unknownReason.ExitCode == 2, unknownReason.ToString());
        Assert.Contains("use one of spam, no-need", unknownReason.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync([], [.. db, "--as", "sam", "leads", "disqualify", "L1", "--reason", "spam"])).ExitCode);

        var bad = await RunAsync([("SALESPIPELINE__Leads__DefaultLeadLimit", "-1"), ("SALESPIPELINE__Leads__Limit", "3")], [.. db, "users", "list"]);
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("SalesPipeline:Leads:DefaultLeadLimit '-1' is not a whole number from 0 to 100000.", bad.Error, StringComparison.Ordinal);
        Assert.Contains("SalesPipeline:Leads:Limit is not a lead setting", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeadSettings_SelfServiceOffGroupNotAGroupName_ExitsTwoWithOneLineNamingIt()
    {
        var result = await RunAsync([("SALESPIPELINE__Leads__SelfServiceOffGroups__0", "North Team")], "--db", "crm.db", "users", "list");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            "error: SalesPipeline options are invalid: 'Leads.SelfServiceOffGroups' holds 'North Team', which is not a valid group: use lower-case letters, digits and hyphens, starting with a letter (for example 'north'). Fix the section SalesPipeline of appsettings.json or the SALESPIPELINE__… environment variables.",
            result.Error.Trim());
    }

    [Fact]
    public async Task DocumentSettings_MaxSizeFromAppSettingsAndEnvironment_LimitsDocsAddAndStoresNothingOverIt()
    {
        string[] db = ["--db", "crm.db"];
        Assert.Equal(0, (await RunAsync([], [.. db, "users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq"])).ExitCode);
        foreach (var size in new[] { 999, 1000, 1001 })
        {
            await File.WriteAllBytesAsync(Path.Combine(_folder, $"doc{size}.bin"), new byte[size]);
        }

        Task<CliResult> AddAsync(int size, params (string, string)[] environment) =>
            RunAsync(environment, [.. db, "--as", "ada", "docs", "add", "--file", $"doc{size}.bin", "--kind", "other", "--groups", "hq"]);
        async Task<string[]> StoredAsync() =>
            [.. (await RunAsync([], [.. db, "--as", "ada", "docs", "list", "--all-versions", "--format", "csv"])).Output.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[1]).Order(StringComparer.Ordinal)];

        // appsettings.json sets the limit to 1000 bytes: limit - 1 and the limit are stored, limit + 1 is refused.
        Assert.Equal(0, (await AddAsync(999)).ExitCode);
        Assert.Equal(0, (await AddAsync(1000)).ExitCode);
        var over = await AddAsync(1001);
        Assert.True(over.ExitCode == 2, over.ToString());
        Assert.Contains("is larger than the document size limit of 1000 bytes", over.Error, StringComparison.Ordinal);
        Assert.Equal(["doc1000", "doc999"], await StoredAsync());

        // The environment wins over the file; a bad value is refused before anything is stored.
        var tooSmall = await AddAsync(1001, ("SALESPIPELINE__Documents__MaxSizeBytes", "0"), ("SALESPIPELINE__Documents__Limit", "5"));
        Assert.True(tooSmall.ExitCode == 2, tooSmall.ToString());
        Assert.Contains("SalesPipeline:Documents:MaxSizeBytes '0' is not a whole number from 1 to 999000000.", tooSmall.Error, StringComparison.Ordinal);
        Assert.Contains("SalesPipeline:Documents:Limit is not a document setting", tooSmall.Error, StringComparison.Ordinal);
        Assert.Equal(["doc1000", "doc999"], await StoredAsync());

        // More than SQLite (1,000,000,000 bytes in a row) or PostgreSQL (1 GB in a value) holds is refused at start.
        var tooLarge = await AddAsync(1001, ("SALESPIPELINE__Documents__MaxSizeBytes", "1500000000"));
        Assert.Equal(
            (2, "error: the document settings have 1 problem: SalesPipeline:Documents:MaxSizeBytes '1500000000' is more than one document stored in SQLite or PostgreSQL can hold; give at most 999000000 bytes."),
            (tooLarge.ExitCode, tooLarge.Error.Trim()));
        Assert.Equal(["doc1000", "doc999"], await StoredAsync());
        var raised = await AddAsync(1001, ("SALESPIPELINE__Documents__MaxSizeBytes", "1001"));
        Assert.True(raised.ExitCode == 0, raised.ToString());
        Assert.Equal(["doc1000", "doc1001", "doc999"], await StoredAsync());
    }

    private static (string Schedule, string Period, string Zone) Row(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var row = Assert.Single(JsonDocument.Parse(result.Output).RootElement.EnumerateArray());
        var next = row.GetProperty("next_local").GetString()!;
        return (row.GetProperty("schedule").GetString()!, row.GetProperty("period").GetString()!, next[(next.LastIndexOf(' ') + 1)..]);
    }

    private async Task<CliResult> RunAsync((string Name, string Value)[] environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "salespipeline.dll"), .. args])
        {
            WorkingDirectory = _folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SALESPIPELINE__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await output, await error);
    }
}
