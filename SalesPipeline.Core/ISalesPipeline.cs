using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline;

/// <summary>
/// The one entry point a host application calls: create deals, move them through their pipeline, log
/// activities, and ask what may happen next and what needs attention. Each command loads the deal, applies
/// the change through the aggregate and saves it atomically; a refused command changes nothing.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. A command names what to do with a deal, not a state of it the caller saw: when
/// someone else saves the deal between the command's load and its save, the command loads the deal again and is applied
/// to what is stored now, with the access rules and the process's rules checked on that state (so a move the other change
/// made impossible is refused as such), three times in all. Only when every attempt races another writer does it fail
/// with <see cref="ConcurrencyConflictException"/>, having written nothing; the caller may run the command again. A command that names an
/// acting user checks the access rules first and refuses with <see cref="Access.AccessDeniedException"/>, changing nothing.
/// </remarks>
public interface ISalesPipeline
{
    /// <summary>Gets the pipelines deals can belong to.</summary>
    PipelineCatalog Pipelines { get; }

    /// <summary>Creates a deal in its pipeline's first stage.</summary>
    /// <param name="opportunity">What the deal is.</param>
    /// <param name="by">Who creates it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The created deal.</returns>
    /// <exception cref="ArgumentException">A field is invalid, the pipeline is unknown, or the owner is not an active person.</exception>
    Task<Opportunity> CreateAsync(NewOpportunity opportunity, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Loads a deal without access checks (for the host's own work; a user's read goes through <see cref="GetAsync(OpportunityId, UserId, CancellationToken)"/>).</summary>
    /// <param name="id">The deal.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal.</returns>
    /// <exception cref="OpportunityNotFoundException">No deal has the id.</exception>
    Task<Opportunity> GetAsync(OpportunityId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads a deal the acting user may see: whoever may change it (its owner, a manager of one of the owner's groups, an
    /// admin).
    /// </summary>
    /// <param name="id">The deal.</param>
    /// <param name="by">Who asks.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal.</returns>
    /// <exception cref="OpportunityNotFoundException">No deal has the id.</exception>
    /// <exception cref="Access.AccessDeniedException">The acting user is unknown or inactive, or may not see this deal.</exception>
    Task<Opportunity> GetAsync(OpportunityId id, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Moves a deal to another stage (a won stage wins it).</summary>
    /// <param name="id">The deal.</param>
    /// <param name="target">The stage to enter.</param>
    /// <param name="by">Who moves it.</param>
    /// <param name="comment">An optional comment for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal after the move.</returns>
    /// <exception cref="StageTransitionRejectedException">The move is refused; the exception lists why.</exception>
    Task<Opportunity> MoveAsync(OpportunityId id, StageId target, UserId by, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Wins a deal.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="by">Who closes it.</param>
    /// <param name="comment">What decided it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal after the move.</returns>
    /// <exception cref="StageTransitionRejectedException">The move is refused; the exception lists why.</exception>
    Task<Opportunity> WinAsync(OpportunityId id, UserId by, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Loses a deal with a reason from the pipeline's list and a closing comment.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="reason">A loss reason from the pipeline's list.</param>
    /// <param name="comment">What decided it and what to learn.</param>
    /// <param name="by">Who closes it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal after the move.</returns>
    /// <exception cref="StageTransitionRejectedException">The move is refused; the exception lists why.</exception>
    Task<Opportunity> LoseAsync(OpportunityId id, string reason, string comment, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Reopens a closed deal (recorded in its history).</summary>
    /// <param name="id">The deal.</param>
    /// <param name="comment">Why it is reopened.</param>
    /// <param name="by">Who reopens it.</param>
    /// <param name="target">The open stage to reopen into; the stage it was closed from when left out.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal after the reopen.</returns>
    /// <exception cref="StageTransitionRejectedException">The deal is not closed or the target is not open.</exception>
    Task<Opportunity> ReopenAsync(OpportunityId id, string comment, UserId by, StageId? target = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives a deal to another owner: a manager moves deals between the people of their groups (both the current and the new
    /// owner must share a group with them), an admin anywhere; a salesperson may not reassign, not even their own deals.
    /// </summary>
    /// <param name="id">The deal.</param>
    /// <param name="newOwner">The new owner, an active person.</param>
    /// <param name="by">Who reassigns it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The deal after the change.</returns>
    /// <exception cref="Access.AccessDeniedException">The acting user may not reassign this deal to <paramref name="newOwner"/>; nothing was changed.</exception>
    /// <exception cref="ArgumentException"><paramref name="newOwner"/> is not an active person.</exception>
    Task<Opportunity> ReassignAsync(OpportunityId id, UserId newOwner, UserId by, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the deals a query matches that the acting user may see: a salesperson their own, a manager those owned by the
    /// people of their groups (and their own), an admin all. Asking for the deals of an owner one may not see is refused.
    /// </summary>
    /// <param name="query">Which deals.</param>
    /// <param name="by">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The deals, streamed; the access check runs when enumeration starts.</returns>
    /// <exception cref="Access.AccessDeniedException">The acting user is unknown or inactive, or <see cref="OpportunityQuery.Owner"/> is someone whose deals they may not see.</exception>
    /// <exception cref="ArgumentException">The query names a pipeline that is not in <see cref="Pipelines"/>, a stage its pipeline (or, without one, every pipeline) lacks,
    /// or an owner who is no person and owns no deal.</exception>
    IAsyncEnumerable<OpportunityState> ListAsync(OpportunityQuery query, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Logs an activity; a contact can set the next-contact instant in the same call.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="activity">The activity.</param>
    /// <param name="by">Who logs it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The recorded activity.</returns>
    Task<Activity> LogActivityAsync(OpportunityId id, NewActivity activity, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Marks a planned meeting or task as done.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="activityId">The activity.</param>
    /// <param name="by">Who completes it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the change is saved.</returns>
    Task CompleteActivityAsync(OpportunityId id, ActivityId activityId, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Sets or clears the agreed next contact.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="nextContact">The instant, or <see langword="null"/> to clear.</param>
    /// <param name="by">Who sets it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the change is saved.</returns>
    Task ScheduleNextContactAsync(OpportunityId id, Instant? nextContact, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Records qualification data (needs, pains, budget, what the offer must contain).</summary>
    /// <param name="id">The deal.</param>
    /// <param name="data">The data.</param>
    /// <param name="by">Who records it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the change is saved.</returns>
    Task RecordQualificationAsync(OpportunityId id, QualificationData data, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Overrides the deal's probability, or clears the override.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="percent">0–100, or <see langword="null"/>.</param>
    /// <param name="by">Who overrides it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the change is saved.</returns>
    Task OverrideProbabilityAsync(OpportunityId id, int? percent, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Lists the stages the deal can move to now.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stages, in pipeline order; empty for a closed deal.</returns>
    Task<IReadOnlyList<StageId>> PermittedMovesAsync(OpportunityId id, CancellationToken cancellationToken = default);

    /// <summary>Explains what stands in the way of moving the deal to a stage; empty when nothing does.</summary>
    /// <param name="id">The deal.</param>
    /// <param name="target">The stage.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Every unmet requirement, or why the pipeline refuses the move.</returns>
    Task<IReadOnlyList<UnmetRequirement>> WhyNotAsync(OpportunityId id, StageId target, CancellationToken cancellationToken = default);

    /// <summary>Creates an account (a client company).</summary>
    /// <param name="name">The company's name.</param>
    /// <param name="segment">Its market segment, if known.</param>
    /// <param name="by">Who creates it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The account.</returns>
    Task<Account> CreateAccountAsync(string name, string? segment, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Adds a contact person to an account.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="contact">The person.</param>
    /// <param name="by">Who adds them (any active person: accounts are shared).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The account after the change.</returns>
    /// <exception cref="KeyNotFoundException">No account has the id.</exception>
    Task<Account> AddContactAsync(AccountId accountId, Contact contact, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Lists overdue follow-ups of open deals as of an instant, the most overdue first.</summary>
    /// <param name="asOf">The instant to judge by.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The follow-ups.</returns>
    Task<IReadOnlyList<FollowUp>> OverdueFollowUpsAsync(Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default);

    /// <summary>Lists open deals on which nothing has happened for longer than their stage's stale-after limit, as of an instant.</summary>
    /// <param name="asOf">The instant to judge by.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stale deals, the longest first.</returns>
    Task<IReadOnlyList<StaleDeal>> StaleDealsAsync(Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default);
}
