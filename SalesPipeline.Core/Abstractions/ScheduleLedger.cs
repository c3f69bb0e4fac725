using NodaTime;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Abstractions;

/// <summary>One (schedule, period) of the ledger: the unit that is produced exactly once.</summary>
/// <param name="Schedule">The schedule's name.</param>
/// <param name="Days">The period's first and last day.</param>
public readonly record struct ScheduleRunKey(string Schedule, PeriodDays Days)
{
    /// <summary>Gets the key as messages show it: <c>monthly-board 2026-10-01_2026-10-31</c>.</summary>
    /// <returns>The schedule and the period.</returns>
    public override string ToString() => $"{Schedule} {Days}";
}

/// <summary>What the ledger holds for one (schedule, period).</summary>
/// <param name="Key">The schedule and period.</param>
/// <param name="DueAt">The occurrence that asked for the period.</param>
/// <param name="Holder">The worker instance holding the claim, or <see langword="null"/> when no one works on it.</param>
/// <param name="ClaimedUntil">When the claim expires unless renewed; an expired claim may be taken over.</param>
/// <param name="ProducedAt">When the workbook was produced, or <see langword="null"/> while it is not.</param>
/// <param name="File">The produced workbook's file name.</param>
/// <param name="Deliveries">Each delivery target's record, by target.</param>
public sealed record ScheduleRun(
    ScheduleRunKey Key,
    Instant DueAt,
    string? Holder,
    Instant? ClaimedUntil,
    Instant? ProducedAt,
    string? File,
    IReadOnlyList<ScheduleDelivery> Deliveries)
{
    /// <summary>Gets whether the workbook was produced.</summary>
    public bool Produced => ProducedAt is not null;

    /// <summary>Tells whether someone holds a live claim at <paramref name="now"/>.</summary>
    /// <param name="now">The current instant.</param>
    /// <returns>Whether the claim is held and not expired.</returns>
    public bool IsClaimedAt(Instant now) => Holder is not null && ClaimedUntil is { } until && until > now;
}

/// <summary>The record of one delivery target of a period: the folder, or one e-mail recipient.</summary>
/// <param name="Target">The target: <c>folder</c>, or <c>mailto:</c> and the address.</param>
/// <param name="DeliveredAt">When it succeeded, or <see langword="null"/> while it has not.</param>
/// <param name="Attempts">How many attempts failed.</param>
/// <param name="LastError">The last failure, for people.</param>
/// <param name="RetryAt">When a failed delivery may be tried again.</param>
public sealed record ScheduleDelivery(string Target, Instant? DeliveredAt, int Attempts, string? LastError, Instant? RetryAt)
{
    /// <summary>The target that stands for the schedule's folder.</summary>
    public const string FolderTarget = "folder";

    /// <summary>Gets the target that stands for one e-mail recipient.</summary>
    /// <param name="address">The recipient's address.</param>
    /// <returns><c>mailto:</c> and the address.</returns>
    public static string EmailTarget(string address) => "mailto:" + address;

    /// <summary>Gets whether the delivery succeeded.</summary>
    public bool Delivered => DeliveredAt is not null;
}

/// <summary>
/// The ledger of scheduled reports, shared by every worker instance on one database: each (schedule, period) is a row,
/// claimed before work starts (by which instance, until when), marked produced with its file, and each delivery recorded
/// as it succeeds or fails. Claims cannot race: of several instances claiming one row at once, exactly one succeeds.
/// </summary>
/// <remarks>Implementations are thread-safe and safe across processes sharing the database.</remarks>
public interface IScheduleLedger
{
    /// <summary>Lists the rows of one schedule.</summary>
    /// <param name="schedule">The schedule's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Its rows, by occurrence, oldest first.</returns>
    Task<IReadOnlyList<ScheduleRun>> ListAsync(string schedule, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims a (schedule, period) for <paramref name="holder"/> until <paramref name="until"/>: inserts the row when it is
    /// new, or takes it over when no one holds it or its claim expired before <paramref name="now"/>.
    /// </summary>
    /// <param name="key">The schedule and period.</param>
    /// <param name="dueAt">The occurrence that asks for it (kept only when the row is new).</param>
    /// <param name="holder">The claiming instance.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="until">When the claim expires unless renewed.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>Whether this call claimed it; <see langword="false"/> when another instance holds a live claim.</returns>
    Task<bool> TryClaimAsync(ScheduleRunKey key, Instant dueAt, string holder, Instant now, Instant until, CancellationToken cancellationToken = default);

    /// <summary>Extends a claim <paramref name="holder"/> still holds.</summary>
    /// <param name="key">The schedule and period.</param>
    /// <param name="holder">The holding instance.</param>
    /// <param name="until">The new expiry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether the claim was still held (and is now extended).</returns>
    Task<bool> RenewAsync(ScheduleRunKey key, string holder, Instant until, CancellationToken cancellationToken = default);

    /// <summary>Gives up a claim <paramref name="holder"/> holds, so any instance may take the row at once.</summary>
    /// <param name="key">The schedule and period.</param>
    /// <param name="holder">The holding instance.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when released.</returns>
    Task ReleaseAsync(ScheduleRunKey key, string holder, CancellationToken cancellationToken = default);

    /// <summary>Marks a claimed row produced, with its file, and records each delivery target as pending — in one transaction.</summary>
    /// <param name="key">The schedule and period.</param>
    /// <param name="holder">The holding instance.</param>
    /// <param name="file">The workbook's file name (empty when an empty report was skipped).</param>
    /// <param name="at">When it was produced; pending deliveries are due from then.</param>
    /// <param name="targets">The delivery targets (see <see cref="ScheduleDelivery.Target"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether the claim was still held (and the row is now marked); nothing is written otherwise.</returns>
    Task<bool> MarkProducedAsync(ScheduleRunKey key, string holder, string file, Instant at, IReadOnlyList<string> targets, CancellationToken cancellationToken = default);

    /// <summary>Records the outcome of one delivery attempt; a success is final.</summary>
    /// <param name="key">The schedule and period.</param>
    /// <param name="delivery">The target and its state after the attempt.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when recorded.</returns>
    Task RecordDeliveryAsync(ScheduleRunKey key, ScheduleDelivery delivery, CancellationToken cancellationToken = default);
}
