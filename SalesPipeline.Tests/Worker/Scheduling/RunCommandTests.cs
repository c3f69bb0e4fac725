using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using NodaTime.Testing;
using SalesPipeline.Reporting.Worker.Cli;
using SalesPipeline.Tests.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary><c>run</c> as a resident worker on the Generic Host: it produces what is due, sleeps, and stops cleanly.</summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-worker-").FullName;

    private string DatabaseFile => Path.Combine(_folder, "crm.db");

    private string Reports => Path.Combine(_folder, "reports");

    public async Task InitializeAsync()
    {
        var demo = await CliRunner.RunAsync("--db", DatabaseFile, "demo", "--deals", "100", "--seed", "2", "--out", Path.Combine(_folder, "demo"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Run_Resident_ProducesTheDuePeriodSleepsAndStopsWithExitZero()
    {
        var config = Path.Combine(_folder, "schedules.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["SalesPipeline"] = new JsonObject
            {
                ["Database"] = new JsonObject { ["ConnectionString"] = DatabaseFile },
                ["Schedules"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "monthly", ["Cron"] = "0 6 1 * *", ["TimeZone"] = "Europe/Warsaw", ["Period"] = "PreviousMonth", ["Folder"] = Reports,
                }),
            },
        }.ToJsonString());
        var file = Path.Combine(Reports, "monthly_2026-10-01_2026-10-31.xlsx");
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();

        var worker = CliApp.RunAsync(["run", "--config", config], output, error, new FakeClock(CliRunner.Now), stop.Token);
        for (var waited = 0; !File.Exists(file) && !worker.IsCompleted && waited < 600; waited++)
        {
            await Task.Delay(100);
        }

        Assert.False(worker.IsCompleted, $"the resident worker ended by itself: {output}{error}");
        Assert.True(File.Exists(file), "the due period was not produced");
        await stop.CancelAsync();
        var exit = await worker;

        Assert.True(exit == 0, $"exit {exit}: {output}{error}");
        Assert.Equal(["monthly_2026-10-01_2026-10-31.xlsx"], Directory.GetFiles(Reports).Select(Path.GetFileName));
    }
}
