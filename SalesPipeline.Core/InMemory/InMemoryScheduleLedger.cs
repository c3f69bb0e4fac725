using NodaTime;
using SalesPipeline.Abstractions;

namespace SalesPipeline.InMemory;

/// <summary>The schedule ledger in process memory: for tests and single-process hosts; nothing survives the process.</summary>
/// <remarks>Thread-safe: every operation runs under one lock, so claims cannot race.</remarks>
public sealed class InMemoryScheduleLedger : IScheduleLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ScheduleRunKey, ScheduleRun> _runs = [];

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduleRun>> ListAsync(string schedule, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<ScheduleRun> runs = [.. _runs.Values.Where(r => r.Key.Schedule == schedule).OrderBy(r => r.DueAt).ThenBy(r => r.Key.Days.First)];
            return Task.FromResult(runs);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryClaimAsync(ScheduleRunKey key, Instant dueAt, string holder, Instant now, Instant until, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(key, out var run))
            {
                _runs.Add(key, new ScheduleRun(key, dueAt, holder, until, null, null, []));
                return Task.FromResult(true);
            }

            if (run.Holder is not null && run.ClaimedUntil > now)
            {
                return Task.FromResult(false);
            }

            _runs[key] = run with { Holder = holder, ClaimedUntil = until };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> RenewAsync(ScheduleRunKey key, string holder, Instant until, CancellationToken cancellationToken = default) =>
        Update(key, holder, r => r with { ClaimedUntil = until }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseAsync(ScheduleRunKey key, string holder, CancellationToken cancellationToken = default) =>
        Update(key, holder, r => r with { Holder = null, ClaimedUntil = null }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> MarkProducedAsync(ScheduleRunKey key, string holder, string file, Instant at, IReadOnlyList<string> targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return Update(
            key,
            holder,
            r => r with
            {
                ProducedAt = at,
                File = file,
                Deliveries = [.. r.Deliveries.Concat(targets.Where(t => r.Deliveries.All(d => d.Target != t)).Select(t => new ScheduleDelivery(t, null, 0, null, at))).OrderBy(d => d.Target, StringComparer.Ordinal)],
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordDeliveryAsync(ScheduleRunKey key, ScheduleDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_runs.TryGetValue(key, out var run) && run.Deliveries.FirstOrDefault(d => d.Target == delivery.Target) is not { Delivered: true })
            {
                _runs[key] = run with { Deliveries = [.. run.Deliveries.Where(d => d.Target != delivery.Target).Append(delivery).OrderBy(d => d.Target, StringComparer.Ordinal)] };
            }

            return Task.CompletedTask;
        }
    }

    private Task<bool> Update(ScheduleRunKey key, string holder, Func<ScheduleRun, ScheduleRun> change, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(key, out var run) || run.Holder != holder)
            {
                return Task.FromResult(false);
            }

            _runs[key] = change(run);
            return Task.FromResult(true);
        }
    }
}
