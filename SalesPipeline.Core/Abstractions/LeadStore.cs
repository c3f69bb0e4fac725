using SalesPipeline.Domain;
using SalesPipeline.Leads;

namespace SalesPipeline.Abstractions;

/// <summary>Which leads a query returns; every criterion left out matches all.</summary>
/// <param name="Owner">Only this person's leads.</param>
/// <param name="Status">Only leads in this status.</param>
public sealed record LeadQuery(UserId? Owner = null, LeadStatus? Status = null)
{
    /// <summary>Tells whether a lead matches the query.</summary>
    /// <param name="lead">The lead.</param>
    /// <returns>Whether it matches.</returns>
    public bool Matches(Lead lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return (Owner is null || lead.Owner == Owner) && (Status is null || lead.Status == Status);
    }
}

/// <summary>What a conversion writes, all in one transaction.</summary>
/// <param name="Account">The account: a new one at version 0, or the matched one with the new contact added.</param>
/// <param name="Opportunity">The new deal, at version 0.</param>
/// <param name="Lead">The lead, now converted, at the version it was read with.</param>
public sealed record LeadConversion(Account Account, OpportunityState Opportunity, Lead Lead);

/// <summary>
/// Stores leads with their status history. Writes are atomic and use optimistic concurrency on <see cref="Lead.Version"/>;
/// an assignment checks the receiver's active-lead limit inside the same transaction, so concurrent assignments never
/// take anyone over it.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ILeadStore
{
    /// <summary>Loads a lead.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The lead, or <see langword="null"/>.</returns>
    Task<Lead?> FindAsync(LeadId id, CancellationToken cancellationToken = default);

    /// <summary>Loads the leads a query matches, by id.</summary>
    /// <param name="query">Which leads.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The leads.</returns>
    Task<IReadOnlyList<Lead>> QueryAsync(LeadQuery query, CancellationToken cancellationToken = default);

    /// <summary>Counts each person's active leads (assigned or working).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Owner → count; people without active leads are left out.</returns>
    Task<IReadOnlyDictionary<UserId, int>> ActiveCountsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds new leads (version 0), all or none. Leads that come with an owner count toward that owner's limit: for each owner
    /// in <paramref name="limits"/>, their active leads and the new ones are counted and written in one transaction that
    /// excludes concurrent assignments to the same owner, so concurrent imports and assignments never take anyone over it.
    /// </summary>
    /// <param name="leads">The leads.</param>
    /// <param name="limits">The limit of every owner among the leads; an owner left out is not limited.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>
    /// Empty when stored; otherwise, for each owner the new leads would take over their limit, the active leads they hold
    /// (nothing written).
    /// </returns>
    /// <exception cref="ConcurrencyConflictException">A lead with one of the ids exists; nothing was written.</exception>
    Task<IReadOnlyDictionary<UserId, int>> AddAsync(IReadOnlyList<Lead> leads, IReadOnlyDictionary<UserId, int>? limits = null, CancellationToken cancellationToken = default);

    /// <summary>Saves a change of a lead that gives it to nobody new (working, disqualified), if its version is current.</summary>
    /// <param name="lead">The changed lead, at the version it was read with.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new stored version.</returns>
    /// <exception cref="ConcurrencyConflictException">The lead changed since it was read; nothing was written.</exception>
    Task<int> SaveAsync(Lead lead, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a lead given to its (new) owner, only if that owner holds fewer than <paramref name="limit"/> other active leads,
    /// checked and written in one transaction that excludes concurrent assignments to the same owner.
    /// </summary>
    /// <param name="lead">The lead with its new owner and status, at the version it was read with.</param>
    /// <param name="limit">The owner's limit.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="null"/> when saved; otherwise the owner's active count that refused it (nothing written).</returns>
    /// <exception cref="ConcurrencyConflictException">The lead changed since it was read; nothing was written.</exception>
    Task<int?> AssignAsync(Lead lead, int limit, CancellationToken cancellationToken = default);

    /// <summary>Writes a conversion (account, contact, opportunity, converted lead) in one transaction: all of it or nothing.</summary>
    /// <param name="conversion">What to write.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>A task that completes when it is stored.</returns>
    /// <exception cref="ConcurrencyConflictException">The lead or account changed since read, or the deal exists; nothing was written.</exception>
    Task ConvertAsync(LeadConversion conversion, CancellationToken cancellationToken = default);
}
