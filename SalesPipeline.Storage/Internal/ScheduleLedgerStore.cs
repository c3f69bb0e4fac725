using System.Data.Common;
using Dapper;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Abstractions;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The schedule ledger in SQLite or PostgreSQL: the same tables and statements on both. Every claim is one statement
/// the database serialises — an <c>INSERT … ON CONFLICT DO NOTHING</c> for a new row, else an <c>UPDATE</c> whose
/// condition (no holder, or an expired claim) the database re-checks on the row it locks — so of several instances
/// claiming at once exactly one sees a changed row. PostgreSQL locks the row; SQLite takes the file's write lock.
/// </summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class ScheduleLedgerStore(IRelationalDatabase database) : IScheduleLedger
{
    private const string Key = "schedule = @Schedule AND first_day = @First AND last_day = @Last";

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduleRun>> ListAsync(string schedule, CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync<IReadOnlyList<ScheduleRun>>(
            async connection =>
            {
                var runs = await connection.QueryAsync<RunRow>(new CommandDefinition(
                    "SELECT schedule AS Schedule, first_day AS First, last_day AS Last, due_at AS DueAt, holder AS Holder, claimed_until AS ClaimedUntil, " +
                    "produced_at AS ProducedAt, file AS File FROM schedule_runs WHERE schedule = @Schedule ORDER BY due_at, first_day",
                    new { Schedule = schedule },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                var deliveries = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                    "SELECT first_day AS First, last_day AS Last, target AS Target, delivered_at AS DeliveredAt, attempts AS Attempts, last_error AS LastError, " +
                    "retry_at AS RetryAt FROM schedule_deliveries WHERE schedule = @Schedule ORDER BY target",
                    new { Schedule = schedule },
                    cancellationToken: cancellationToken)).ConfigureAwait(false)).ToLookup(d => (d.First, d.Last));
                return [.. runs.Select(r => r.ToRun(deliveries[(r.First, r.Last)]))];
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryClaimAsync(ScheduleRunKey key, Instant dueAt, string holder, Instant now, Instant until, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        var args = Args(key, holder, until, new { DueAt = Micros.Floor(dueAt), Now = Micros.Floor(now) });
        return database.WithConnectionAsync(
            async connection =>
            {
                var inserted = await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schedule_runs (schedule, first_day, last_day, due_at, holder, claimed_until) VALUES (@Schedule, @First, @Last, @DueAt, @Holder, @Until) " +
                    "ON CONFLICT (schedule, first_day, last_day) DO NOTHING",
                    args,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (inserted == 1)
                {
                    return true;
                }

                var taken = await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE schedule_runs SET holder = @Holder, claimed_until = @Until WHERE {Key} AND (holder IS NULL OR claimed_until <= @Now)",
                    args,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                return taken == 1;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RenewAsync(ScheduleRunKey key, string holder, Instant until, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"UPDATE schedule_runs SET claimed_until = @Until WHERE {Key} AND holder = @Holder", Args(key, holder, until), cancellationToken);

    /// <inheritdoc />
    public Task ReleaseAsync(ScheduleRunKey key, string holder, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"UPDATE schedule_runs SET holder = NULL, claimed_until = NULL WHERE {Key} AND holder = @Holder", Args(key, holder, null), cancellationToken);

    /// <inheritdoc />
    public Task<bool> MarkProducedAsync(ScheduleRunKey key, string holder, string file, Instant at, IReadOnlyList<string> targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var args = Args(key, holder, null, new { At = Micros.Floor(at), File = file });
        return database.WithConnectionAsync(
            async connection =>
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var marked = await connection.ExecuteAsync(new CommandDefinition(
                        $"UPDATE schedule_runs SET produced_at = @At, file = @File WHERE {Key} AND holder = @Holder", args, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    if (marked != 1)
                    {
                        return false;
                    }

                    foreach (var target in targets)
                    {
                        args.Add("Target", target);
                        await connection.ExecuteAsync(new CommandDefinition(
                            "INSERT INTO schedule_deliveries (schedule, first_day, last_day, target, attempts, retry_at) VALUES (@Schedule, @First, @Last, @Target, 0, @At) " +
                            "ON CONFLICT (schedule, first_day, last_day, target) DO NOTHING",
                            args,
                            transaction,
                            cancellationToken: cancellationToken)).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordDeliveryAsync(ScheduleRunKey key, ScheduleDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);

        // A delivered target stays delivered: a late failure report never overwrites a success.
        return ExecuteAsync(
            "INSERT INTO schedule_deliveries (schedule, first_day, last_day, target, delivered_at, attempts, last_error, retry_at) " +
            "VALUES (@Schedule, @First, @Last, @Target, @DeliveredAt, @Attempts, @LastError, @RetryAt) " +
            "ON CONFLICT (schedule, first_day, last_day, target) DO UPDATE SET delivered_at = excluded.delivered_at, attempts = excluded.attempts, " +
            "last_error = excluded.last_error, retry_at = excluded.retry_at WHERE schedule_deliveries.delivered_at IS NULL",
            Args(key, null, null, new
            {
                delivery.Target,
                DeliveredAt = delivery.DeliveredAt is { } d ? Micros.Floor(d) : (long?)null,
                delivery.Attempts,
                delivery.LastError,
                RetryAt = delivery.RetryAt is { } r ? Micros.Floor(r) : (long?)null,
            }),
            cancellationToken);
    }

    private static DynamicParameters Args(ScheduleRunKey key, string? holder, Instant? until, object? more = null)
    {
        var args = new DynamicParameters(more);
        args.Add("Schedule", key.Schedule);
        args.Add("First", Day(key.Days.First));
        args.Add("Last", Day(key.Days.Last));
        args.Add("Holder", holder);
        args.Add("Until", until is { } u ? Micros.Floor(u) : null);
        return args;
    }

    private static string Day(LocalDate day) => LocalDatePattern.Iso.Format(day);

    private Task<bool> ExecuteAsync(string sql, DynamicParameters args, CancellationToken cancellationToken) =>
        database.WithConnectionAsync(
            async (DbConnection connection) => await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1,
            cancellationToken);

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class RunRow
    {
        public string Schedule { get; set; } = string.Empty;
        public string First { get; set; } = string.Empty;
        public string Last { get; set; } = string.Empty;
        public long DueAt { get; set; }
        public string? Holder { get; set; }
        public long? ClaimedUntil { get; set; }
        public long? ProducedAt { get; set; }
        public string? File { get; set; }

        public ScheduleRun ToRun(IEnumerable<DeliveryRow> deliveries) => new(
            new ScheduleRunKey(Schedule, new PeriodDays(LocalDatePattern.Iso.Parse(First).Value, LocalDatePattern.Iso.Parse(Last).Value)),
            Micros.ToInstant(DueAt),
            Holder,
            ClaimedUntil is { } until ? Micros.ToInstant(until) : null,
            ProducedAt is { } at ? Micros.ToInstant(at) : null,
            File,
            [.. deliveries.Select(d => d.ToDelivery())]);
    }

    private sealed class DeliveryRow
    {
        public string First { get; set; } = string.Empty;
        public string Last { get; set; } = string.Empty;
        public string Target { get; set; } = string.Empty;
        public long? DeliveredAt { get; set; }
        public long Attempts { get; set; }
        public string? LastError { get; set; }
        public long? RetryAt { get; set; }

        public ScheduleDelivery ToDelivery() => new(
            Target,
            DeliveredAt is { } at ? Micros.ToInstant(at) : null,
            (int)Attempts,
            LastError,
            RetryAt is { } r ? Micros.ToInstant(r) : null);
    }
#pragma warning restore CA1812
}
