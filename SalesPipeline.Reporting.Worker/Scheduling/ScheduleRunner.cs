using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Abstractions;
using SalesPipeline.Reporting.Worker.Delivery;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>How the runner claims and retries.</summary>
internal sealed record RunnerOptions
{
    /// <summary>Gets the name this worker instance claims periods under.</summary>
    public string Holder { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Gets the clock claims are timed by: the real one, also when a pass is planned as of another instant
    /// (<c>run --once --now</c>), so that live workers never take a backfill's claim for an expired one.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the clock the pass is planned by.</value>
    public IClock? ClaimClock { get; init; }

    /// <summary>Gets how long a claim lasts unless renewed; it is renewed every third of this while working. The default is 10 minutes.</summary>
    public Duration ClaimDuration { get; init; } = Duration.FromMinutes(10);

    /// <summary>Gets the wait after a delivery's first failure; it doubles with each further failure. The default is 1 minute.</summary>
    public Duration RetryBackoff { get; init; } = Duration.FromMinutes(1);

    /// <summary>Gets the longest wait between retries. The default is 6 hours.</summary>
    public Duration MaxRetryBackoff { get; init; } = Duration.FromHours(6);
}

/// <summary>What one pass produced and what failed.</summary>
/// <param name="Produced">One line per period produced or redelivered: the period and where it went.</param>
/// <param name="Failures">One line per failed production or delivery, for people.</param>
/// <param name="WakeAt">When the next pass has work: the next occurrence, retry or expiring claim.</param>
/// <param name="Left">One line per unfinished period another worker holds a live claim on, left to it: who, and until when.</param>
internal sealed record PassResult(IReadOnlyList<string> Produced, IReadOnlyList<string> Failures, Instant? WakeAt, IReadOnlyList<string> Left);

/// <summary>
/// One pass over every schedule: works out what is due (<see cref="CatchUpPlan"/>), claims each period in the ledger,
/// produces it, delivers it to each target, and records every outcome. Periods another live worker holds are left to it;
/// periods whose holder died are taken over; failed deliveries are retried with backoff.
/// </summary>
internal sealed class ScheduleRunner(
    IReadOnlyList<ScheduleDefinition> schedules,
    IScheduleLedger ledger,
    IReportProducer producer,
    IReadOnlyList<IReportDelivery> deliveries,
    IClock clock,
    ILogger logger,
    RunnerOptions options)
{
    /// <summary>How many times a delivery that happened is written to the ledger before the pass gives up.</summary>
    private const int RecordAttempts = 4;

    /// <summary>The owed deliveries to targets the schedule no longer names that this runner has logged, so each is logged once.</summary>
    private readonly HashSet<(ScheduleRunKey Key, string Target)> _dropped = [];

    public RunnerOptions Options => options;

    /// <summary>Gets the instant claims are taken, renewed and judged at.</summary>
    private Instant ClaimNow => (options.ClaimClock ?? clock).GetCurrentInstant();

    /// <summary>Runs everything due now.</summary>
    /// <param name="retryNow">Retry failed deliveries now, whatever their backoff (<c>run --once</c>).</param>
    /// <param name="cancellationToken">Stops the pass: work in progress is abandoned (nothing half-written) and its claim released.</param>
    public async Task<PassResult> RunDueAsync(bool retryNow, CancellationToken cancellationToken)
    {
        var outcome = new Outcome();
        Instant? wake = null;
        foreach (var schedule in schedules)
        {
            var next = await RunScheduleAsync(schedule, retryNow, outcome, cancellationToken).ConfigureAwait(false);
            wake = Min(wake, next);
        }

        return new PassResult(outcome.Produced, outcome.Failures, wake, outcome.Left);
    }

    private async Task<Instant?> RunScheduleAsync(ScheduleDefinition schedule, bool retryNow, Outcome outcome, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var runs = await ledger.ListAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
        // Catch up from the latest period recorded at or before now; a run "as of" an earlier instant (run --once --now, a
        // backfill) plans from the periods recorded before that instant, as if it were that time.
        var earlier = runs.Where(r => r.DueAt <= now).ToList();
        IReadOnlyList<Instant> occurrences = earlier.Count == 0
            ? (schedule.Cron.Latest(now) is { } latest ? [latest] : [])
            : schedule.Cron.Between(earlier.Max(r => r.DueAt), now);
        var plan = CatchUpPlan.For(schedule.Period, schedule.Cron.Zone, occurrences, runs.Select(r => r.Key.Days).ToHashSet(), earlier.Count == 0, schedule.LookBack);
        foreach (var skipped in plan.Skipped)
        {
            Log.Skipped(logger, schedule.Name, skipped.Days.First, skipped.Days.Last, skipped.DueAt, schedule.LookBack);
        }

        foreach (var run in runs)
        {
            foreach (var dropped in run.Deliveries.Where(d => !d.Delivered && !schedule.Delivers(d.Target) && _dropped.Add((run.Key, d.Target))))
            {
                Log.NoLongerConfigured(logger, schedule.Name, run.Key.Days.First, run.Key.Days.Last, dropped.Target);
            }
        }

        foreach (var held in runs.Where(r => r.IsClaimedAt(ClaimNow) && (!r.Produced || r.Deliveries.Any(d => Pending(schedule, d, retryNow, now)))))
        {
            LeftToAnother(held, outcome);
        }

        var work = runs
            .Where(r => !r.IsClaimedAt(ClaimNow) && (!r.Produced || r.Deliveries.Any(d => Pending(schedule, d, retryNow, now))))
            .Select(r => new DuePeriod(r.DueAt, r.Key.Days))
            .Concat(plan.Produce)
            .OrderBy(p => p.DueAt)
            .ThenBy(p => p.Days.First);
        foreach (var period in work)
        {
            await WorkAsync(schedule, period, retryNow, outcome, cancellationToken).ConfigureAwait(false);
        }

        // Wake for the next occurrence, a retry that falls due, or another worker's claim that may expire unfinished.
        var after = await ledger.ListAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
        var wake = schedule.Cron.Next(clock.GetCurrentInstant());
        foreach (var run in after)
        {
            if (run.Holder is not null && run.ClaimedUntil is { } until && (!run.Produced || run.Deliveries.Any(d => !d.Delivered && schedule.Delivers(d.Target))))
            {
                // Its deliveries are the holder's until then, however long they have been due: waking for them would only
                // find the period held again, pass after pass (a worker killed after producing holds it for minutes).
                wake = Min(wake, until);
                continue;
            }

            foreach (var delivery in run.Deliveries.Where(d => !d.Delivered && d.RetryAt is not null && schedule.Delivers(d.Target)))
            {
                wake = Min(wake, delivery.RetryAt);
            }
        }

        return wake;
    }

    private async Task WorkAsync(ScheduleDefinition schedule, DuePeriod period, bool retryNow, Outcome outcome, CancellationToken cancellationToken)
    {
        var (produced, failures) = (outcome.Produced, outcome.Failures);
        var key = new ScheduleRunKey(schedule.Name, period.Days);
        var now = clock.GetCurrentInstant();
        var claimNow = ClaimNow;
        if (!await ledger.TryClaimAsync(key, period.DueAt, options.Holder, claimNow, claimNow + options.ClaimDuration, cancellationToken).ConfigureAwait(false))
        {
            // Claimed by another worker between the listing and this claim.
            if ((await ledger.ListAsync(schedule.Name, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Key == key) is { } held && held.IsClaimedAt(ClaimNow))
            {
                LeftToAnother(held, outcome);
            }

            return;
        }

        var watch = Stopwatch.StartNew();
        var folder = Directory.CreateTempSubdirectory("salespipeline-run-").FullName;
        using var working = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewWhileWorkingAsync(key, working);
        var delivered = new List<string>();
        var failed = new List<string>();
        var file = schedule.FileName(period.Days);
        try
        {
            var run = (await ledger.ListAsync(schedule.Name, working.Token).ConfigureAwait(false)).First(r => r.Key == key);
            List<ScheduleDelivery> pending = run.Produced ? [.. run.Deliveries.Where(d => Pending(schedule, d, retryNow, now))] : [];
            if (run.Produced && pending.Count == 0)
            {
                // Another worker finished it between the listing and the claim.
                return;
            }

            var workbook = Path.Combine(folder, file);
            var report = await producer.ProduceAsync(schedule, period.Days, workbook, working.Token).ConfigureAwait(false);
            if (!run.Produced)
            {
                var skip = report.Empty && schedule.SkipWhenEmpty;
                var targets = skip ? [] : schedule.Targets;
                if (!await ledger.MarkProducedAsync(key, options.Holder, skip ? string.Empty : file, clock.GetCurrentInstant(), targets, working.Token).ConfigureAwait(false))
                {
                    // The claim expired and another worker took it: leave the period to that worker.
                    await working.CancelAsync().ConfigureAwait(false);
                    working.Token.ThrowIfCancellationRequested();
                }

                pending = [.. targets.Select(t => new ScheduleDelivery(t, null, 0, null, null))];
                if (skip)
                {
                    file = "(none: no deals in scope)";
                }
            }

            foreach (var delivery in pending)
            {
                var target = deliveries.FirstOrDefault(d => d.Handles(delivery.Target));
                try
                {
                    if (target is null)
                    {
                        throw new DeliveryException($"the schedule no longer delivers to {delivery.Target}");
                    }

                    await target.DeliverAsync(schedule, period.Days, delivery.Target, workbook, report, working.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var error = e is DeliveryException ? e.Message : $"unexpected failure: {e.Message}";
                    var attempts = delivery.Attempts + 1;
                    var retryAt = clock.GetCurrentInstant() + Backoff(attempts);
                    await ledger.RecordDeliveryAsync(key, delivery with { Attempts = attempts, LastError = error, RetryAt = retryAt }, CancellationToken.None).ConfigureAwait(false);
                    failed.Add(delivery.Target);
                    failures.Add($"delivery of {key} to {delivery.Target} failed ({error}); it will be retried");
                    continue;
                }

                // Delivered: a failure to record that must never be taken for a failed delivery, which would send it again.
                await RecordDeliveredAsync(key, delivery with { DeliveredAt = clock.GetCurrentInstant(), LastError = null, RetryAt = null }).ConfigureAwait(false);
                delivered.Add(delivery.Target);
            }

            if (delivered.Count > 0 || !run.Produced)
            {
                produced.Add($"{key}: {file}{(delivered.Count == 0 ? string.Empty : " -> " + string.Join(", ", delivered))}");
            }

            Log.Run(logger, schedule.Name, period.Days.First, period.Days.Last, failed.Count == 0 ? (run.Produced ? "redelivered" : "produced") : "delivery failed",
                watch.ElapsedMilliseconds, file, delivered, failed);
        }
        catch (OperationCanceledException) when (working.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failures.Add($"{key}: another worker took over the claim; this worker stopped its work");
            Log.Failed(logger, schedule.Name, period.Days.First, period.Days.Last, "the claim was lost");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failures.Add($"{key} could not be produced ({e.Message}); it will be retried");
            Log.Failed(logger, schedule.Name, period.Days.First, period.Days.Last, e.Message);
        }
        finally
        {
            await working.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            await ledger.ReleaseAsync(key, options.Holder, CancellationToken.None).ConfigureAwait(false);
            TryDelete(folder);
        }
    }

    private void LeftToAnother(ScheduleRun held, Outcome outcome)
    {
        var until = held.ClaimedUntil is { } at ? InstantPattern.ExtendedIso.Format(at) : "?";
        Log.ClaimedElsewhere(logger, held.Key.Schedule, held.Key.Days.First, held.Key.Days.Last, held.Holder ?? "?", until);
        outcome.Left.Add($"{held.Key}: claimed by worker {held.Holder} until {until} (after that, if it has not finished, the next run takes it over)");
    }

    private async Task RenewWhileWorkingAsync(ScheduleRunKey key, CancellationTokenSource working)
    {
        var every = (options.ClaimDuration / 3).ToTimeSpan();
        try
        {
            while (true)
            {
                await Task.Delay(every, working.Token).ConfigureAwait(false);
                if (!await ledger.RenewAsync(key, options.Holder, ClaimNow + options.ClaimDuration, working.Token).ConfigureAwait(false))
                {
                    await working.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The work ended.
        }
        catch (Exception)
        {
            // The claim can no longer be kept: stop the work, as when it is lost, rather than let it outlive the claim and
            // race a worker that takes the period over.
            await working.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Records a delivery that happened, trying a few times: the recipient has it, so it must not be sent again.</summary>
    private async Task RecordDeliveredAsync(ScheduleRunKey key, ScheduleDelivery delivery)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ledger.RecordDeliveryAsync(key, delivery, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (attempt < RecordAttempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private Duration Backoff(int attempts)
    {
        var wait = options.RetryBackoff * Math.Pow(2, Math.Min(attempts - 1, 20));
        return wait < options.MaxRetryBackoff ? wait : options.MaxRetryBackoff;
    }

    private static bool Pending(ScheduleDefinition schedule, ScheduleDelivery delivery, bool retryNow, Instant now) =>
        !delivery.Delivered && schedule.Delivers(delivery.Target) && (retryNow || delivery.RetryAt is null || delivery.RetryAt <= now);

    /// <summary>What one pass collects, for people.</summary>
    private sealed class Outcome
    {
        public List<string> Produced { get; } = [];

        public List<string> Failures { get; } = [];

        public List<string> Left { get; } = [];
    }

    private static Instant? Min(Instant? a, Instant? b) => a is null ? b : b is null ? a : Instant.Min(a.Value, b.Value);

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the outcome of the run is what matters.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
