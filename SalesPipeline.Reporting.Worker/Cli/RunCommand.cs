using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Delivery;
using SalesPipeline.Reporting.Worker.Scheduling;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>run</c>: the scheduled-report worker on the Generic Host.</summary>
internal static class RunCommand
{
    /// <summary>How long a stop (Ctrl-C, SIGTERM) may take before the host gives up waiting.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    public static Command Create(CliContext context)
    {
        var config = SchedulerSetup.ConfigOption();
        var once = new Option<bool>("--once")
        {
            Description = "Produce and deliver everything due or missed now (retrying failed deliveries), then exit: 0 when all was delivered, 1 when a delivery failed.",
        };
        var now = new Option<string?>("--now")
        {
            Description = $"With --once: run as if the time were this instant, in {CliInstant.Forms} (backfills, trying a schedule). Refused when it is later than now or not in {PlausibleDates.Description}.",
        };
        var command = new Command("run", "Run the scheduled reports of the configuration: each (schedule, period) is produced and delivered exactly once, recorded in the database, shared safely by several workers.")
        {
            config, once, now,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var start = parse.GetValue(now) is { } text ? CliInstant.Parse("--now", text) : (Instant?)null;
            var runOnce = parse.GetValue(once);
            if (start is not null && !runOnce)
            {
                throw new CliInputException("--now works only with --once.");
            }

            if (start is { } future && context.Clock.GetCurrentInstant() is var real && future > real)
            {
                throw new CliInputException(
                    $"--now {InstantPattern.ExtendedIso.Format(future)} is later than the clock ({InstantPattern.ExtendedIso.Format(real)}): a run as of an instant still to come would record periods that have not ended as produced, and they would never be produced again. Give an instant that has passed.");
            }

            IClock clock = start is { } at ? OffsetClock.StartingAt(context.Clock, at) : context.Clock;
            var (settings, services) = await SchedulerSetup.LoadAsync(parse, config, clock, checkScopes: false, migrate: true, cancellationToken).ConfigureAwait(false);
            await using (services.ConfigureAwait(false))
            {
                var state = new RunState(runOnce);
                using var host = BuildHost(settings, services, clock, context.Clock, state);
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return await ReportAsync(context, state).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static IHost BuildHost(SchedulerSettings settings, ServiceProvider store, IClock clock, IClock realClock, RunState state)
    {
        // Args = []: the command line is System.CommandLine's; the configuration was read and validated already.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true, ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(sp => new ScheduleRunner(
            settings.Schedules,
            store.GetRequiredService<IScheduleLedger>(),
            new ReportProducer(store, clock),
            [new FolderDelivery(), new EmailDelivery(settings.Smtp, realClock)],
            clock,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("SalesPipeline.Scheduler"),
            new RunnerOptions { ClaimClock = realClock }));
        builder.Services.AddHostedService<SchedulerService>();
        return builder.Build();
    }

    private static async Task<int> ReportAsync(CliContext context, RunState state)
    {
        if (state.Error is { } error)
        {
            throw error;
        }

        if (state.Result is { } result)
        {
            foreach (var line in result.Produced)
            {
                await context.Output.WriteLineAsync(line).ConfigureAwait(false);
            }

            foreach (var left in result.Left)
            {
                await context.Error.WriteLineAsync($"left: {left}").ConfigureAwait(false);
            }

            foreach (var failure in result.Failures)
            {
                await context.Error.WriteLineAsync($"failed: {failure}").ConfigureAwait(false);
            }

            return result.Failures.Count == 0 ? CliApp.Success : CliApp.Failure;
        }

        if (state.Once)
        {
            await context.Error.WriteLineAsync("Stopped before the pass ended; the report in progress was abandoned (nothing half-written) and its claim released.").ConfigureAwait(false);
            return CliApp.Failure;
        }

        return CliApp.Success;
    }
}
