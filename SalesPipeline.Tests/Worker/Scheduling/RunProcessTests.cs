using System.Diagnostics;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using SalesPipeline.Tests.Storage;
using SalesPipeline.Tests.Worker.Cli;
using SalesPipeline.Tests.Worker.Delivery;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary>
/// <c>salespipeline run --once</c> as separate processes on a real PostgreSQL database: several workers at once, a worker
/// killed mid-report, a worker stopped with SIGTERM. The store is small; a table lock held by the test keeps a report in
/// progress for as long as the test needs.
/// </summary>
public sealed class RunProcessTests : IAsyncLifetime, IAsyncDisposable
{
    private const string Now = "2026-11-02T09:00:00Z";
    private static readonly string[] MonthlyRecipients = ["ceo@example.com", "cfo@example.com"];
    private static readonly string[] WeeklyRecipients = ["sales@example.com"];

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-run-").FullName;
    private readonly LoopbackSmtpServer _smtp = new();
    private string _connectionString = string.Empty;
    private string _database = string.Empty;

    private string Reports => Path.Combine(_folder, "reports");

    public async Task InitializeAsync()
    {
        (_connectionString, _database) = await PostgresStoreFixture.CreateDatabaseAsync();
        var demo = await CliRunner.RunAsync("--provider", "postgres", "--db", _connectionString, "demo", "--deals", "150", "--seed", "5", "--out", Path.Combine(_folder, "demo"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
        await _smtp.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _smtp.DisposeAsync();
        await PostgresStoreFixture.DropDatabaseAsync(_database);
        Directory.Delete(_folder, recursive: true);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await _smtp.DisposeAsync();

    [Fact]
    public async Task Run_ThreeProcessesStartedTogether_ProduceAndMailEachPeriodExactlyOnce()
    {
        var config = await ConfigAsync(
            Schedule("daily", "0 7 * * *", "PreviousDay", "Europe/Warsaw", [], lookBack: 5),
            Schedule("weekly", "0 8 * * 1", "PreviousWeek", "America/New_York", WeeklyRecipients),
            Schedule("monthly", "0 6 1 * *", "PreviousMonth", "Europe/Warsaw", MonthlyRecipients),
            Schedule("quarterly", "0 6 1 1,4,7,10 *", "PreviousQuarter", "UTC", MonthlyRecipients));

        // First start: the latest period of each (the weekly one is due at 08:00 in New York, after this instant); eight days
        // later: the daily periods missed meanwhile (the last five) and the weekly ones.
        foreach (var now in new[] { Now, "2026-11-10T09:00:00Z" })
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RunAsync(config, now)));
            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        }

        var rows = await QueryAsync<(string Schedule, string First, string Last, string File, bool Produced)>(
            "SELECT schedule, first_day, last_day, file, produced_at IS NOT NULL FROM schedule_runs ORDER BY schedule, first_day");
        string[] expected =
        [
            "daily_2026-11-01_2026-11-01", "daily_2026-11-05_2026-11-05", "daily_2026-11-06_2026-11-06", "daily_2026-11-07_2026-11-07",
            "daily_2026-11-08_2026-11-08", "daily_2026-11-09_2026-11-09",
            "monthly_2026-10-01_2026-10-31",
            "quarterly_2026-07-01_2026-09-30",
            "weekly_2026-10-19_2026-10-25", "weekly_2026-10-26_2026-11-01", "weekly_2026-11-02_2026-11-08",
        ];
        Assert.Equal(expected, rows.Select(r => $"{r.Schedule}_{r.First}_{r.Last}"));
        Assert.All(rows, r => Assert.True(r.Produced && r.File == $"{r.Schedule}_{r.First}_{r.Last}.xlsx"));
        Assert.Equal(expected.Select(e => e + ".xlsx").Order(), Directory.GetFiles(Reports).Select(Path.GetFileName).Order());
        Assert.Empty(await QueryAsync<string>("SELECT target FROM schedule_deliveries WHERE delivered_at IS NULL"));

        var mails = _smtp.Messages.SelectMany(m => m.Recipients.Select(r => (Recipient: r, m.Message.Subject))).ToList();
        var perPeriod = rows.Where(r => r.Schedule != "daily")
            .SelectMany(r => (r.Schedule == "weekly" ? WeeklyRecipients : MonthlyRecipients).Select(to => (to, r.Schedule, r.First, r.Last)))
            .ToList();
        Assert.Equal(perPeriod.Count, mails.Count);
        foreach (var (to, schedule, first, last) in perPeriod)
        {
            Assert.Single(mails, m => m.Recipient == to && m.Subject == $"{schedule}: sales report {first} – {last}");
        }
    }

    [Fact]
    public async Task Run_KilledWhileProducing_LeavesNoFileAndTheNextRunProducesThePeriodOnce()
    {
        var config = await ConfigAsync(Schedule("monthly", "0 6 1 * *", "PreviousMonth", "Europe/Warsaw", MonthlyRecipients));
        await using (var lockHolder = await LockDealsAsync())
        {
            using var worker = Start(config, Now);
            await WaitUntilBlockedAsync(worker);

            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        Assert.False(Directory.Exists(Reports) && Directory.EnumerateFileSystemEntries(Reports).Any());
        Assert.Empty(_smtp.Messages);
        Assert.Equal([(false, true)], await QueryAsync<(bool, bool)>("SELECT produced_at IS NOT NULL, holder IS NOT NULL FROM schedule_runs"));

        // The dead worker's claim lasts ten minutes of real time (claims are timed by the real clock, also under --now):
        // age it past its expiry (eleven minutes, in microseconds); a run after that takes the period over and produces it once.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.ExecuteAsync("UPDATE schedule_runs SET claimed_until = claimed_until - 660000000 WHERE holder IS NOT NULL");
        }

        var later = await RunAsync(config, "2026-11-02T09:11:00Z");

        Assert.True(later.ExitCode == 0, later.ToString());
        Assert.Equal(["monthly_2026-10-01_2026-10-31.xlsx"], Directory.GetFiles(Reports).Select(Path.GetFileName));
        Assert.Equal(MonthlyRecipients.Order(), _smtp.Messages.SelectMany(m => m.Recipients).Order());
        Assert.Equal([(true, false)], await QueryAsync<(bool, bool)>("SELECT produced_at IS NOT NULL, holder IS NOT NULL FROM schedule_runs"));
    }

    [Fact]
    public async Task Run_SigtermWhileProducing_ExitsWithinTenSecondsWithNoFileAndTheClaimReleased()
    {
        var config = await ConfigAsync(Schedule("monthly", "0 6 1 * *", "PreviousMonth", "Europe/Warsaw", MonthlyRecipients));
        int exitCode;
        string error;
        await using (var lockHolder = await LockDealsAsync())
        {
            using var worker = Start(config, Now);
            var stderr = worker.StandardError.ReadToEndAsync();
            await WaitUntilBlockedAsync(worker);

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var tenSeconds = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await worker.WaitForExitAsync(tenSeconds.Token);
            exitCode = worker.ExitCode;
            error = await stderr;
        }

        Assert.True(exitCode == 1, error);
        Assert.Contains("claim released", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Reports) && Directory.EnumerateFileSystemEntries(Reports).Any());
        Assert.Equal([(false, false)], await QueryAsync<(bool, bool)>("SELECT produced_at IS NOT NULL, holder IS NOT NULL FROM schedule_runs"));

        // Released, not expired: the next run at the same instant produces it.
        var next = await RunAsync(config, Now);
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Equal(["monthly_2026-10-01_2026-10-31.xlsx"], Directory.GetFiles(Reports).Select(Path.GetFileName));
        Assert.Equal(MonthlyRecipients.Order(), _smtp.Messages.SelectMany(m => m.Recipients).Order());
    }

    private JsonObject Schedule(string name, string cron, string period, string zone, string[] email, int lookBack = 3) => new()
    {
        ["Name"] = name,
        ["Cron"] = cron,
        ["TimeZone"] = zone,
        ["Period"] = period,
        ["Folder"] = Reports,
        ["Email"] = new JsonArray([.. email.Select(e => (JsonNode)e)]),
        ["LookBack"] = lookBack,
    };

    private async Task<string> ConfigAsync(params JsonObject[] schedules)
    {
        var config = new JsonObject
        {
            ["SalesPipeline"] = new JsonObject
            {
                ["Database"] = new JsonObject { ["Provider"] = "postgres", ["ConnectionString"] = _connectionString },
                ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = _smtp.Port, ["Security"] = "None", ["From"] = "reports@example.com" },
                ["Schedules"] = new JsonArray([.. schedules]),
            },
        };
        var file = Path.Combine(_folder, "schedules.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());
        return file;
    }

    private System.Diagnostics.Process Start(string config, string now)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "salespipeline.dll"), "run", "--once", "--now", now, "--config", config])
        {
            WorkingDirectory = _folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        return System.Diagnostics.Process.Start(start)!;
    }

    private async Task<CliResult> RunAsync(string config, string now)
    {
        using var process = Start(config, now);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Holds an exclusive lock on the deals, so a report's first query waits until the lock is released.</summary>
    private async Task<NpgsqlConnection> LockDealsAsync()
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync("BEGIN; LOCK TABLE opportunities IN ACCESS EXCLUSIVE MODE");
        return connection;
    }

    /// <summary>Waits until the worker has claimed its period and its report waits for the deals.</summary>
    private async Task WaitUntilBlockedAsync(System.Diagnostics.Process worker)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            Assert.False(worker.HasExited, "the worker ended before its report started");
            var claimed = await QueryAsync<long>("SELECT COUNT(*) FROM schedule_runs WHERE holder IS NOT NULL");
            var waiting = await QueryAsync<long>("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if (claimed[0] == 1 && waiting[0] >= 1)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The worker did not reach its report within 30 seconds.");
    }

    private async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return [.. await connection.QueryAsync<T>(sql)];
    }
}
