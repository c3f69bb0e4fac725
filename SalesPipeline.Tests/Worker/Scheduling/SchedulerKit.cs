using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.InMemory;
using SalesPipeline.Reporting.Worker.Delivery;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Reporting.Worker.Scheduling;
using SalesPipeline.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary>A runner on a fake clock and the in-memory ledger, with a producer that records what it was asked for.</summary>
internal sealed class SchedulerKit : IDisposable
{
    public SchedulerKit(Instant start, IScheduleLedger? ledger = null)
    {
        Clock = new FakeClock(start);
        Ledger = ledger ?? new InMemoryScheduleLedger();
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("salespipeline-schedules-").FullName;

    public FakeClock Clock { get; }

    public IScheduleLedger Ledger { get; }

    public RecordingProducer Producer { get; } = new();

    public ListLogger Logger { get; } = new();

    public static ScheduleDefinition Schedule(string name, string cron, ReportPeriod period, string zone = "Europe/Warsaw", int lookBack = 3, string? folder = null) =>
        new(name, CronSchedule.Parse(cron, DateTimeZoneProviders.Tzdb[zone]), period, ReportKind.All, null, null, "en", folder, [], lookBack, false);

    public ScheduleDefinition InFolder(ScheduleDefinition schedule) => schedule with { Folder = Path.Combine(Folder, schedule.Name) };

    /// <summary>A path under the kit's folder where a file stands, so no report folder can be created there.</summary>
    public async Task<string> BlockedFolderAsync(string name)
    {
        var blocked = Path.Combine(Folder, name);
        await File.WriteAllTextAsync(blocked, "a file where the folder should be");
        return blocked;
    }

    public ScheduleRunner Runner(params ScheduleDefinition[] schedules) =>
        new(schedules, Ledger, Producer, [new FolderDelivery()], Clock, Logger, new RunnerOptions { Holder = "test-worker" });

    /// <summary>Runs passes, each at the wake-up the previous one asked for, until the clock passes <paramref name="end"/>.</summary>
    public async Task<int> RunUntilAsync(ScheduleRunner runner, Instant end)
    {
        var passes = 0;
        while (Clock.GetCurrentInstant() < end)
        {
            var result = await runner.RunDueAsync(retryNow: false, CancellationToken.None);
            Assert.Empty(result.Failures);
            passes++;
            var wake = result.WakeAt ?? end;
            Assert.True(wake > Clock.GetCurrentInstant(), $"the runner asked to wake at {wake}, not after now {Clock.GetCurrentInstant()}");
            Clock.Reset(wake);
        }

        return passes;
    }

    public async Task<List<ScheduleRun>> RunsAsync(string schedule) => [.. await Ledger.ListAsync(schedule)];

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>Writes a stand-in workbook and records each period asked for, in order.</summary>
internal sealed class RecordingProducer : IReportProducer
{
    public List<(string Schedule, PeriodDays Days)> Calls { get; } = [];

    /// <summary>Gets or sets whether the reports it produces have no deal in scope.</summary>
    public bool Empty { get; set; }

    /// <summary>Runs inside each production, before the file is written (to hold it open, or fail it).</summary>
    public Func<CancellationToken, Task>? During { get; set; }

    public async Task<ProducedReport> ProduceAsync(ScheduleDefinition schedule, PeriodDays days, string path, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add((schedule.Name, days));
        }

        if (During is { } during)
        {
            await during(cancellationToken);
        }

        await File.WriteAllTextAsync(path, $"{schedule.Name} {days}", cancellationToken);
        return new ProducedReport([], Empty);
    }
}

/// <summary>Keeps every log entry.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((logLevel, eventId, formatter(state, exception)));
        }
    }
}
