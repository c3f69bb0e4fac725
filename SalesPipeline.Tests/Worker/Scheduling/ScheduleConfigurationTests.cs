using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Sqlite;
using SalesPipeline.Tests.Storage.Migrations;
using SalesPipeline.Tests.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary>A wrong configuration fails at start: exit 2, every problem named with its schedule and key, nothing produced.</summary>
public sealed class ScheduleConfigurationTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-config-").FullName;

    private string Database => Path.Combine(_folder, "crm.db");

    private string Reports => Path.Combine(_folder, "reports");

    public async Task InitializeAsync() => Assert.Equal(0, (await CliRunner.RunAsync("--db", Database, "db", "migrate")).ExitCode);

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    public static TheoryData<string, string, string> WrongSchedules => new()
    {
        { "bad cron", """{ "Cron": "0 6 1 *" }""", "schedule 'board' (SalesPipeline:Schedules:0): Cron '0 6 1 *' has 4 fields" },
        { "unknown time zone", """{ "TimeZone": "Europe/Warszawa" }""", "schedule 'board' (SalesPipeline:Schedules:0): TimeZone 'Europe/Warszawa' is not an IANA time zone" },
        { "unknown period", """{ "Period": "LastMonth" }""", "schedule 'board' (SalesPipeline:Schedules:0): Period 'LastMonth' is not known" },
        { "two periods joined by a comma", """{ "Period": "PreviousWeek, PreviousMonth" }""", "schedule 'board' (SalesPipeline:Schedules:0): Period 'PreviousWeek, PreviousMonth' is not known" },
        { "two periods joined into no period", """{ "Period": "MonthToDate,QuarterToDate" }""", "schedule 'board' (SalesPipeline:Schedules:0): Period 'MonthToDate,QuarterToDate' is not known" },
        { "period as a number", """{ "Period": " 3" }""", "schedule 'board' (SalesPipeline:Schedules:0): Period ' 3' is not known" },
        { "unknown kind", """{ "Kinds": ["all", "pie"] }""", "schedule 'board' (SalesPipeline:Schedules:0): Kinds 'pie' is not known" },
        { "unknown pipeline", """{ "Pipeline": "renewals" }""", "schedule 'board': Pipeline 'renewals' is not known" },
        { "unknown culture", """{ "Culture": "de" }""", "schedule 'board' (SalesPipeline:Schedules:0): Culture 'de' is not supported" },
        { "no delivery at all", """{ "Folder": null, "Email": [] }""", "schedule 'board' (SalesPipeline:Schedules:0): Folder/Email are both missing" },
        { "malformed e-mail address", """{ "Email": ["ceo-at-example.com"] }""", "schedule 'board' (SalesPipeline:Schedules:0): Email 'ceo-at-example.com' is not an e-mail address" },
        { "address the mailer cannot send to", """{ "Email": ["anna.@example.com"] }""", "schedule 'board' (SalesPipeline:Schedules:0): Email 'anna.@example.com' is not an e-mail address" },
        { "recipient written as an object", """{ "Email": ["cfo@example.com", { "Name": "CEO", "Address": "ceo@example.com" }] }""", "schedule 'board' (SalesPipeline:Schedules:0): Email item 1 is a list or an object, not text: write each recipient as a string, for example \"ceo@example.com\"." },
        { "kinds nested in a list", """{ "Kinds": [["funnel"]] }""", "schedule 'board' (SalesPipeline:Schedules:0): Kinds item 0 is a list or an object, not text: write each kind as a string, for example \"funnel\"." },
        { "recipient listed twice", """{ "Email": ["ceo@example.com", "CEO@example.com"] }""", "schedule 'board' (SalesPipeline:Schedules:0): Email 'ceo@example.com' is listed 2 times" },
        { "e-mail without smtp", """{ "Email": ["ceo@example.com"] }""", "schedule 'board' (SalesPipeline:Schedules:0): Email needs an SMTP server" },
        { "negative look-back", """{ "LookBack": -1 }""", "schedule 'board' (SalesPipeline:Schedules:0): LookBack '-1' must be a whole number, 0 or more" },
        { "misspelt key", """{ "Perod": "PreviousMonth" }""", "schedule 'board' (SalesPipeline:Schedules:0): 'Perod' is not a known key" },
        { "name unfit for a file", """{ "Name": "board/2026" }""", "schedule 'board/2026' (SalesPipeline:Schedules:0): Name 'board/2026' may hold only" },
        { "name ending in a line break", """{ "Name": "board\n" }""", "Name 'board ' may hold only letters, digits, '-' and '_'" },
        { "cron that never occurs", """{ "Cron": "0 6 30 2 *" }""", "schedule 'board' (SalesPipeline:Schedules:0): Cron '0 6 30 2 *' never occurs" },
        { "owner misspelt", """{ "Owner": "anna-nowakk" }""", "schedule 'board': Owner 'anna-nowakk' is no person (see users list) and owns no deals in pipeline 'new-business'. Owners: none (the pipeline is empty)." },
        { "skip flag not a boolean", """{ "SkipWhenEmpty": "sometimes" }""", "SkipWhenEmpty 'sometimes' must be true or false" },
    };

    [Theory]
    [MemberData(nameof(WrongSchedules))]
    public async Task Run_WrongSchedule_ExitsTwoNamingScheduleAndKeyAndProducesNothing(string why, string change, string expected)
    {
        var schedule = GoodSchedule();
        foreach (var (key, value) in JsonNode.Parse(change)!.AsObject())
        {
            schedule[key] = value?.DeepClone();
        }

        var result = await RunAsync(Config(schedule));

        AssertRefused(result, expected, why);
    }

    [Fact]
    public async Task Run_DuplicateNames_ExitsTwoNamingBoth()
    {
        var second = GoodSchedule();
        second["Name"] = "BOARD";

        var result = await RunAsync(Config(GoodSchedule(), second));

        AssertRefused(result, "schedule 'BOARD' (SalesPipeline:Schedules:1): Name is used by SalesPipeline:Schedules:0 too", "duplicate names");
    }

    [Fact]
    public async Task Run_SmtpWithoutFromAndBadSecurity_ExitsTwoNamingEachKey()
    {
        var config = Config(GoodSchedule());
        config["SalesPipeline"]!["Smtp"] = JsonNode.Parse("""{ "Host": "localhost", "Port": 70000, "Security": "Tls13" }""");

        var result = await RunAsync(config);

        AssertRefused(result, "SalesPipeline:Smtp:From is missing", "smtp without from");
        Assert.Contains("SalesPipeline:Smtp:Port '70000' is not a port number", result.Error, StringComparison.Ordinal);
        Assert.Contains("SalesPipeline:Smtp:Security 'Tls13' is not known", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StartTls,SslOnConnect")]
    [InlineData("None, Auto")]
    [InlineData("3")]
    public async Task Run_SmtpSecurityNotOneOfTheNames_ExitsTwoNamingTheKey(string security)
    {
        var config = Config(GoodSchedule());
        config["SalesPipeline"]!["Smtp"] = new JsonObject { ["Host"] = "localhost", ["Security"] = security, ["From"] = "reports@example.com" };

        var result = await RunAsync(config);

        AssertRefused(result, $"SalesPipeline:Smtp:Security '{security}' is not known; use None, StartTls, SslOnConnect or Auto.", "security joined by a comma");
    }

    [Fact]
    public async Task Run_SmtpFromTheMailerCannotSendFrom_ExitsTwoNamingTheKey()
    {
        var config = Config(GoodSchedule());
        config["SalesPipeline"]!["Smtp"] = new JsonObject { ["Host"] = "localhost", ["From"] = "reports.@example.com" };

        var result = await RunAsync(config);

        AssertRefused(result, "SalesPipeline:Smtp:From 'reports.@example.com' is not an e-mail address.", "sender the mailer refuses");
    }

    [Theory]
    [InlineData(null, "secret", "SalesPipeline:Smtp:Password is set but SalesPipeline:Smtp:UserName is not, so no login would be tried: give the login's user name in Smtp:UserName, or remove Smtp:Password for a server that takes mail without a login.")]
    [InlineData(" ", "secret", "SalesPipeline:Smtp:Password is set but SalesPipeline:Smtp:UserName is not")]
    [InlineData("reports", null, "SalesPipeline:Smtp:UserName 'reports' is set but SalesPipeline:Smtp:Password is not, so the login would be tried with an empty password: give the password in Smtp:Password (such as the SALESPIPELINE__SMTP__PASSWORD environment variable), or remove Smtp:UserName for a server that takes mail without a login.")]
    [InlineData("reports", "", "SalesPipeline:Smtp:UserName 'reports' is set but SalesPipeline:Smtp:Password is not")]
    public async Task Run_SmtpLoginHalfGiven_ExitsTwoNamingBothKeys(string? userName, string? password, string says)
    {
        var config = Config(GoodSchedule());
        config["SalesPipeline"]!["Smtp"] = new JsonObject { ["Host"] = "localhost", ["From"] = "reports@example.com", ["UserName"] = userName, ["Password"] = password };

        var result = await RunAsync(config);

        AssertRefused(result, says, "half a login");
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("SalesPipeline:Smtp:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SmtpWithBothOrNeitherOfUserNameAndPassword_IsAccepted()
    {
        foreach (var login in new[] { new JsonObject { ["UserName"] = "reports", ["Password"] = "secret" }, [] })
        {
            var config = Config(GoodSchedule());
            login["Host"] = "localhost";
            login["From"] = "reports@example.com";
            config["SalesPipeline"]!["Smtp"] = login;

            var result = await RunAsync(config, "schedules");

            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Theory]
    [InlineData("smtp.example.com:587")]
    [InlineData("smtp://localhost:2525")]
    [InlineData("smtp.example.com/relay")]
    public async Task Run_SmtpHostNotAHostName_ExitsTwoNamingTheKey(string host)
    {
        var config = Config(GoodSchedule());
        config["SalesPipeline"]!["Smtp"] = new JsonObject { ["Host"] = host, ["From"] = "reports@example.com" };

        var result = await RunAsync(config);

        AssertRefused(
            result,
            $"SalesPipeline:Smtp:Host '{host}' is not a host name or address: give the server alone, for example \"smtp.example.com\", and its port in Smtp:Port.",
            "host with a scheme, port or path");
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("notes.txt/board")]
    public async Task Run_FolderIsAFileOrInsideOne_ExitsTwoNamingTheFile(string folder)
    {
        var file = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(file, "not a folder");
        var schedule = GoodSchedule();
        schedule["Folder"] = Path.Combine(_folder, folder);

        var result = await RunAsync(Config(schedule));

        AssertRefused(
            result,
            $"schedule 'board': Folder '{Path.Combine(_folder, folder)}' cannot hold the reports: '{file}' is a file, not a folder.",
            "folder that is a file");
        Assert.Equal("not a folder", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Run_ManyProblems_ListsEveryOneAtOnce()
    {
        var first = GoodSchedule();
        first["Cron"] = "61 * * * *";
        first["TimeZone"] = "UTC";
        first["LookBack"] = -3;
        var second = GoodSchedule();
        second["Name"] = "weekly";
        second["Period"] = "Fortnight";
        second["Email"] = new JsonArray("a@b");

        var result = await RunAsync(Config(first, second));

        AssertRefused(result, "the configuration has 4 problems", "several problems");
        Assert.Contains("schedule 'board' (SalesPipeline:Schedules:0): Cron '61 * * * *'", result.Error, StringComparison.Ordinal);
        Assert.Contains("schedule 'board' (SalesPipeline:Schedules:0): LookBack '-3'", result.Error, StringComparison.Ordinal);
        Assert.Contains("schedule 'weekly' (SalesPipeline:Schedules:1): Period 'Fortnight'", result.Error, StringComparison.Ordinal);
        Assert.Contains("schedule 'weekly' (SalesPipeline:Schedules:1): Email needs an SMTP server", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchedulesCheck_WrongConfiguration_ExitsTwoAndGoodOneIsValid()
    {
        var bad = GoodSchedule();
        bad["Culture"] = "fr";
        var refused = await RunAsync(Config(bad), "schedules", "--check");
        AssertRefused(refused, "Culture 'fr' is not supported", "schedules --check");

        var accepted = await RunAsync(Config(GoodSchedule()), "schedules", "--check");
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Equal("The configuration is valid: 1 schedule.", accepted.Output.Trim());
    }

    [Fact]
    public async Task SchedulesCheck_NoPipelineNamedAndTheDefaultPipelineEmpty_ExitsTwoNamingThePipelinesThatHoldDeals()
    {
        // Deals only in a pipeline of their own; the default pipeline holds none.
        var renewals = Storage.Deals.IsolatedPipeline();
        await using (var services = new ServiceCollection()
            .AddSalesPipeline(o =>
            {
                o.UsePipelines(PipelineDefinition.Default, renewals);
                o.Access.SkipAccessChecks = true;
            })
            .UseSqlite($"Data Source={Database}").Services.BuildServiceProvider())
        {
            await services.GetRequiredService<IPipelineDefinitionStore>().SaveAsync(renewals.Id, renewals.ToJson());
            var crm = services.GetRequiredService<ISalesPipeline>();
            for (var i = 0; i < 2; i++)
            {
                await crm.CreateAsync(new NewOpportunity($"Renewal {i}", Money.Of(1_000m, "PLN"), null, new LocalDate(2026, 12, 31), Pipeline: renewals.Id), new UserId("anna"));
            }
        }

        var unnamed = await RunAsync(Config(GoodSchedule()), "schedules", "--check");
        AssertRefused(
            unnamed,
            $"schedule 'board': The default pipeline 'new-business' has no deals; deals are in '{renewals.Id}' (2 deals). Pick one with the schedule's Pipeline key, for example \"Pipeline\": \"{renewals.Id}\".",
            "empty default pipeline");

        var named = GoodSchedule();
        named["Pipeline"] = renewals.Id.Value;
        var accepted = await RunAsync(Config(named), "schedules", "--check");
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Schedules_DatabaseMissing_ExitsTwoWithOneLineAndCreatesNoFile(bool check)
    {
        var missing = Path.Combine(_folder, "missing.db");

        var result = await SchedulesAsync(missing, check);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            $"error: The database '{missing}' does not exist. Create it with 'salespipeline db migrate' or 'salespipeline demo', or point --db at an existing one.",
            result.Error.Trim());
        Assert.False(File.Exists(missing), "schedules must not create the database");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Schedules_DatabaseAtAnOlderSchema_ExitsTwoSayingToMigrateAndLeavesTheSchemaAsItWas(bool check)
    {
        var latest = MigrationScripts.Latest(MigrationScripts.Sqlite);
        var old = Path.Combine(_folder, "old.db");
        using (var database = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={old}" }))
        {
            await OlderSchema.ApplyUpToAsync(database, latest - 1);
        }

        var result = await SchedulesAsync(old, check);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            $"error: The database {old} has schema version {latest - 1}, but this version of salespipeline needs schema version {latest}; nothing was changed. " +
            "Migrate it first with 'salespipeline db migrate' (with the same --db), then run the command again.",
            result.Error.Trim());
        Assert.Empty(result.Output);
        await using var connection = new SqliteConnection($"Data Source={old}");
        await connection.OpenAsync();
        Assert.Equal((latest - 1L, latest - 1L), await connection.QuerySingleAsync<(long, long)>("SELECT MAX(version), COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task Run_MisspeltDatabaseKeys_ExitsTwoNamingThemAndUsesNoDatabase()
    {
        var config = JsonNode.Parse($$"""
            { "SalesPipeline": { "Database": { "Provder": "sqlite", "ConectionString": {{JsonValue.Create(Database).ToJsonString()}} },
              "Schedules": [ {{GoodSchedule().ToJsonString()}} ] } }
            """)!.AsObject();

        var result = await RunAsync(config);

        AssertRefused(result, "SalesPipeline:Database 'Provder' is not a known key; the keys are Provider, ConnectionString.", "misspelt Database keys");
        Assert.Contains("SalesPipeline:Database 'ConectionString' is not a known key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PostgresProviderWithoutAConnectionString_ExitsTwoNamingTheConfigurationKey()
    {
        var config = JsonNode.Parse($$"""
            { "SalesPipeline": { "Database": { "Provider": "postgres" }, "Schedules": [ {{GoodSchedule().ToJsonString()}} ] } }
            """)!.AsObject();
        var file = Path.Combine(_folder, "postgres.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());

        var result = await CliRunner.RunAsync("schedules", "--check", "--config", file);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("SalesPipeline:Database:ConnectionString", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchedulesCheck_OwnerAPersonWithoutDealsOrAnOwnerOfDeals_IsValid()
    {
        await using (var services = new ServiceCollection()
            .AddSalesPipeline(o => o.Access.SkipAccessChecks = true)
            .UseSqlite($"Data Source={Database}").Services.BuildServiceProvider())
        {
            await services.GetRequiredService<IPersonStore>().SaveAsync(new Person(new UserId("newcomer"), "New Comer", Role.Salesperson, ["north"], null, 25, true));
            await services.GetRequiredService<ISalesPipeline>().CreateAsync(
                new NewOpportunity("Imported", Money.Of(1_000m, "PLN"), null, new LocalDate(2026, 12, 31)), new UserId("Anna Nowak"));
        }

        foreach (var owner in new[] { "newcomer", "Anna Nowak" })
        {
            var schedule = GoodSchedule();
            schedule["Owner"] = owner;
            var accepted = await RunAsync(Config(schedule), "schedules", "--check");
            Assert.True(accepted.ExitCode == 0, $"{owner}: {accepted}");
        }

        var misspelt = GoodSchedule();
        misspelt["Owner"] = "Anna Nowakk";
        AssertRefused(
            await RunAsync(Config(misspelt), "schedules", "--check"),
            "schedule 'board': Owner 'Anna Nowakk' is no person (see users list) and owns no deals in pipeline 'new-business'. Owners: Anna Nowak.",
            "misspelt owner");
    }

    [Fact]
    public async Task Run_NowLaterThanTheClock_ExitsTwoAndRecordsNothing()
    {
        var later = CliRunner.Now + Duration.FromMinutes(1);

        var result = await RunAsync(Config(GoodSchedule()), "run", "--once", "--now", NodaTime.Text.InstantPattern.ExtendedIso.Format(later));

        AssertRefused(
            result,
            "--now 2026-11-28T09:01:00Z is later than the clock (2026-11-28T09:00:00Z): a run as of an instant still to come would record periods that have not ended as produced",
            "--now in the future");
    }

    [Fact]
    public async Task Run_NowWithoutOnce_ExitsTwo()
    {
        var result = await RunAsync(Config(GoodSchedule()), "run", "--now", "2026-11-01T05:30:00Z");

        AssertRefused(result, "--now works only with --once", "--now without --once");
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1899-12-31T23:59:59Z")]
    [InlineData("2201-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:00:00-05:00")]
    public async Task Run_NowNotAPlausibleDate_ExitsTwoWithOneLineNamingTheValueAndTheRange(string now)
    {
        var result = await RunAsync(Config(GoodSchedule()), "run", "--once", "--now", now);

        AssertRefused(result, "error: --now", "--now out of range");
        Assert.Equal(
            $"error: --now '{now}' is not a plausible date: give an instant in a year between 1900 and 2200, such as 2026-11-01T05:30:00Z." + Environment.NewLine,
            result.Error);
    }

    [Fact]
    public async Task RunHelp_SaysWhenNowIsRefused()
    {
        var result = await CliRunner.RunAsync("run", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(
            "Refused when it is later than now or not in a year between 1900 and 2200.",
            System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " "),
            StringComparison.Ordinal);
    }

    private JsonObject GoodSchedule() => new()
    {
        ["Name"] = "board",
        ["Cron"] = "0 6 1 * *",
        ["TimeZone"] = "Europe/Warsaw",
        ["Period"] = "PreviousMonth",
        ["Kinds"] = new JsonArray("all"),
        ["Culture"] = "pl",
        ["Folder"] = Reports,
        ["LookBack"] = 3,
    };

    /// <summary>Runs <c>schedules</c> (or <c>schedules --check</c>) with a good schedule on the database <paramref name="db"/>.</summary>
    private async Task<CliResult> SchedulesAsync(string db, bool check)
    {
        var file = Path.Combine(_folder, $"config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Config(GoodSchedule()).ToJsonString());
        return await CliRunner.RunAsync(["--db", db, "schedules", .. check ? ["--check"] : Array.Empty<string>(), "--config", file]);
    }

    private static JsonObject Config(params JsonObject[] schedules) =>
        new() { ["SalesPipeline"] = new JsonObject { ["Schedules"] = new JsonArray([.. schedules]) } };

    private async Task<CliResult> RunAsync(JsonObject config, params string[] command)
    {
        var file = Path.Combine(_folder, $"config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());
        string[] args = command.Length == 0 ? ["run", "--once", "--now", "2026-11-01T05:30:00Z"] : command;
        return await CliRunner.RunAsync(["--db", Database, .. args, "--config", file]);
    }

    private void AssertRefused(CliResult result, string expected, string why)
    {
        Assert.True(result.ExitCode == 2, $"{why}: {result}");
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.False(Directory.Exists(Reports) && Directory.EnumerateFileSystemEntries(Reports).Any(), $"{why}: something was written");
        using var connection = new SqliteConnection($"Data Source={Database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schedule_runs";
        Assert.Equal(0L, (long)command.ExecuteScalar()!);
    }
}
