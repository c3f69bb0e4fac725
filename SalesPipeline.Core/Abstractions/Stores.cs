using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>Which opportunities a query returns; every criterion left out matches all.</summary>
/// <param name="Pipeline">Only this pipeline's deals.</param>
/// <param name="Owner">Only this salesperson's deals.</param>
/// <param name="Status">Open, closed or all deals.</param>
/// <param name="NextContactBefore">Only deals whose agreed next contact is before this instant.</param>
/// <param name="Stage">Only deals now in this stage.</param>
public sealed record OpportunityQuery(
    PipelineId? Pipeline = null,
    UserId? Owner = null,
    OpportunityStatus Status = OpportunityStatus.Any,
    Instant? NextContactBefore = null,
    StageId? Stage = null)
{
    /// <summary>Gets a query for every opportunity.</summary>
    public static OpportunityQuery All { get; } = new();

    /// <summary>Tells whether a deal matches the query.</summary>
    /// <param name="state">The deal.</param>
    /// <returns>Whether it matches.</returns>
    public bool Matches(OpportunityState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return (Pipeline is null || state.PipelineId == Pipeline)
            && (Owner is null || state.Owner == Owner)
            && Status switch
            {
                OpportunityStatus.Open => state.Outcome is null,
                OpportunityStatus.Closed => state.Outcome is not null,
                _ => true,
            }
            && (NextContactBefore is null || (state.NextContact is { } next && next < NextContactBefore))
            && (Stage is null || state.Stage == Stage);
    }
}

/// <summary>Open, closed or any.</summary>
public enum OpportunityStatus
{
    /// <summary>Every deal.</summary>
    Any,

    /// <summary>Deals still being worked on.</summary>
    Open,

    /// <summary>Won and lost deals.</summary>
    Closed,
}

/// <summary>
/// Stores opportunities with their stage history, activities, offers and qualification data.
/// Writes are atomic and use optimistic concurrency on <see cref="OpportunityState.Version"/>.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IOpportunityStore
{
    /// <summary>Loads an opportunity.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The recorded state, or <see langword="null"/> when there is no such opportunity.</returns>
    Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves an opportunity: inserts it when its version is 0, otherwise updates it if the stored version still
    /// equals its version. The row, its history and its activities are written in one transaction.
    /// </summary>
    /// <param name="state">The state to save.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>The new stored version.</returns>
    /// <exception cref="ConcurrencyConflictException">Someone else saved the opportunity since it was loaded (or it already exists); nothing was written.</exception>
    /// <exception cref="InvalidOperationException">Another opportunity of the pipeline already has the state's external id (it is unique per pipeline); nothing was written.</exception>
    Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default);

    /// <summary>Streams the opportunities a query matches.</summary>
    /// <param name="query">Which opportunities.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The matching states, in no particular order.</returns>
    IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Stores accounts (clients) and their contacts, with optimistic concurrency.</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IAccountStore
{
    /// <summary>Loads an account.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The account, or <see langword="null"/>.</returns>
    Task<Account?> FindAsync(AccountId id, CancellationToken cancellationToken = default);

    /// <summary>Finds an account by its exact name, ignoring case.</summary>
    /// <param name="name">The company's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The account, or <see langword="null"/>.</returns>
    Task<Account?> FindByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// The names of many accounts in one read, for a report or list that shows the account of each row: a database store
    /// asks for the ids in chunks of a few hundred, one query each, rather than once per account.
    /// </summary>
    /// <param name="ids">The accounts' ids; an id given twice is looked up once.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Each stored account's name by its id; an id of no stored account is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is <see langword="null"/>.</exception>
    Task<IReadOnlyDictionary<AccountId, string>> NamesAsync(IEnumerable<AccountId> ids, CancellationToken cancellationToken = default);

    /// <summary>Saves an account: inserts it at version 0, otherwise updates it if its version is current.</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new stored version.</returns>
    /// <exception cref="ConcurrencyConflictException">The account changed since it was loaded (or already exists); nothing was written.</exception>
    Task<int> SaveAsync(Account account, CancellationToken cancellationToken = default);

    /// <summary>Streams every account.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The accounts, by name.</returns>
    IAsyncEnumerable<Account> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>An activity with the deal it belongs to.</summary>
/// <param name="OpportunityId">The deal.</param>
/// <param name="OpportunityName">The deal's name.</param>
/// <param name="Owner">The deal's owner.</param>
/// <param name="Activity">The activity.</param>
public sealed record ScheduledActivity(OpportunityId OpportunityId, string OpportunityName, UserId Owner, Activity Activity);

/// <summary>Answers questions about activities across deals, such as a salesperson's agenda.</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IActivityStore
{
    /// <summary>Lists planned activities (meetings and tasks not yet done) due in [<paramref name="windowStart"/>, <paramref name="windowEnd"/>).</summary>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="windowStart">The start of the window (inclusive).</param>
    /// <param name="windowEnd">The end of the window (exclusive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The activities, by due instant.</returns>
    Task<IReadOnlyList<ScheduledActivity>> PlannedAsync(UserId? owner, Instant windowStart, Instant windowEnd, CancellationToken cancellationToken = default);
}

/// <summary>Thrown when a write finds the stored row changed since it was read; nothing was written.</summary>
public sealed class ConcurrencyConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="entity">What was written, such as "opportunity".</param>
    /// <param name="id">Its id.</param>
    /// <param name="expectedVersion">The version the writer read.</param>
    /// <param name="actualVersion">The version stored now, or <see langword="null"/> when unknown or absent.</param>
    public ConcurrencyConflictException(string entity, string id, int expectedVersion, int? actualVersion)
        : base(expectedVersion == 0
            ? $"The {entity} {id} already exists; it was not written again."
            : $"The {entity} {id} was changed by someone else (you read version {expectedVersion}, stored is {(actualVersion is null ? "gone" : actualVersion.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}); nothing was written. Load it again and retry.")
    {
        Entity = entity;
        Id = id;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Gets what was written.</summary>
    public string Entity { get; }

    /// <summary>Gets its id.</summary>
    public string Id { get; }

    /// <summary>Gets the version the writer read.</summary>
    public int ExpectedVersion { get; }

    /// <summary>Gets the version stored now, if known.</summary>
    public int? ActualVersion { get; }
}
