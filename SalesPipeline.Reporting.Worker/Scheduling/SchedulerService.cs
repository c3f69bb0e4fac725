using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>Whether the worker runs one pass (<c>--once</c>) or until stopped, and what it ended with.</summary>
internal sealed class RunState(bool once)
{
    public bool Once { get; } = once;

    public PassResult? Result { get; set; }

    public bool Stopped { get; set; }

    public Exception? Error { get; set; }
}

/// <summary>
/// The worker: runs a pass over the schedules, then sleeps until the next occurrence, retry or claim expiry (no polling).
/// With <c>--once</c> it runs one pass and stops the host. Stopping (Ctrl-C, SIGTERM) cancels the work in progress: the
/// workbook is abandoned before its rename, so nothing half-written appears, and its claim is released.
/// </summary>
internal sealed class SchedulerService(ScheduleRunner runner, RunState state, IHostApplicationLifetime lifetime, IClock clock, ILogger<SchedulerService> logger) : BackgroundService
{
    private static readonly Duration ShortestSleep = Duration.FromSeconds(1);
    private static readonly Duration LongestSleep = Duration.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (state.Once)
            {
                state.Result = await runner.RunDueAsync(retryNow: true, stoppingToken).ConfigureAwait(false);
                return;
            }

            while (true)
            {
                Instant? wake;
                try
                {
                    wake = (await runner.RunDueAsync(retryNow: false, stoppingToken).ConfigureAwait(false)).WakeAt;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be restarting; nothing was claimed that is not released, so the next pass picks up.
                    Log.PassFailed(logger, e.Message);
                    wake = clock.GetCurrentInstant() + Duration.FromMinutes(1);
                }

                var now = clock.GetCurrentInstant();
                var sleep = (wake ?? now + LongestSleep) - now;
                sleep = sleep < ShortestSleep ? ShortestSleep : sleep > LongestSleep ? LongestSleep : sleep;
                Log.Sleeping(logger, runner.Options.Holder, now + sleep);
                await Task.Delay(sleep.ToTimeSpan(), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            state.Stopped = true;
        }
        catch (Exception e)
        {
            state.Error = e;
        }
        finally
        {
            if (state.Once)
            {
                lifetime.StopApplication();
            }
        }
    }
}
