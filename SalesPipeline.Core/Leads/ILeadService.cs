using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Leads;

/// <summary>
/// The lead base: import leads, hand them out within each person's active-lead limit, distribute a batch by free
/// capacity, and convert or disqualify them. Every command checks the access rules (see <see cref="Access.AccessOptions"/>);
/// a refusal changes nothing.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Concurrent assignments never take anyone over their limit. A command on one lead
/// (assign, take, start, convert, disqualify) that finds the lead changed by someone else between its load and its save
/// loads it again and is applied to what is stored now, with every rule checked on that state (a lead someone else took
/// meanwhile cannot be taken), three times in all; only then does it fail with
/// <see cref="ConcurrencyConflictException"/>, having written nothing.
/// </remarks>
public interface ILeadService
{
    /// <summary>
    /// Imports leads, all or none. A lead with an owner is assigned to them at once (within their limit); the owner must be
    /// an active person, or — with the checks skipped — someone nobody stores, who is then held to
    /// <see cref="LeadOptions.DefaultLeadLimit"/> as when a lead is assigned to them.
    /// </summary>
    /// <param name="leads">The leads.</param>
    /// <param name="by">A manager (owners must be in their groups) or an admin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored leads.</returns>
    /// <exception cref="LeadImportException">Some leads are invalid; every fault is listed.</exception>
    Task<IReadOnlyList<Lead>> ImportAsync(IReadOnlyList<NewLead> leads, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Loads a lead.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The lead.</returns>
    /// <exception cref="LeadNotFoundException">No lead has the id.</exception>
    Task<Lead> GetAsync(LeadId id, CancellationToken cancellationToken = default);

    /// <summary>Lists every lead a query matches, by id, without access checks (for the host's own work, such as reports).</summary>
    /// <param name="query">Which leads.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The leads.</returns>
    Task<IReadOnlyList<Lead>> ListAsync(LeadQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists, by id, the leads a query matches that the acting user may see: an admin all; a manager those held by the people
    /// of their groups (and their own) and every unassigned lead; a salesperson their own and the unassigned leads they could
    /// take (new ones, unless self-service is off in one of their groups, see <see cref="LeadOptions.SelfServiceOffGroups"/>).
    /// Asking for the leads of an owner one may not see is refused.
    /// </summary>
    /// <param name="query">Which leads.</param>
    /// <param name="by">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The leads.</returns>
    /// <exception cref="Access.AccessDeniedException">The acting user is unknown or inactive, or <see cref="LeadQuery.Owner"/> is someone whose leads they may not see.</exception>
    /// <exception cref="ArgumentException"><see cref="LeadQuery.Owner"/> is no person and holds no lead.</exception>
    Task<IReadOnlyList<Lead>> ListAsync(LeadQuery query, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Gives a lead to someone (a manager within their groups, or an admin); a lead held by someone else is reassigned.</summary>
    /// <param name="id">The lead.</param>
    /// <param name="receiver">Who receives it.</param>
    /// <param name="by">Who hands it out.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lead after the change.</returns>
    /// <exception cref="LeadLimitReachedException">The receiver is at their limit.</exception>
    Task<Lead> AssignAsync(LeadId id, UserId receiver, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Takes a lead from the unassigned base for oneself, where the person's groups allow self-service.</summary>
    /// <param name="id">The lead.</param>
    /// <param name="by">Who takes it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lead after the change.</returns>
    /// <exception cref="LeadLimitReachedException">The taker is at their limit.</exception>
    Task<Lead> TakeAsync(LeadId id, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Marks an assigned lead as being worked on.</summary>
    /// <param name="id">The lead.</param>
    /// <param name="by">Its owner, their manager or an admin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lead after the change.</returns>
    Task<Lead> StartWorkAsync(LeadId id, UserId by, CancellationToken cancellationToken = default);

    /// <summary>
    /// Spreads every unassigned lead across a group's active salespeople by free capacity (see <see cref="LeadDistribution.Plan"/>),
    /// never over anyone's limit; in what-if mode returns the plan and assigns nothing.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="whatIf">Whether to only plan.</param>
    /// <param name="by">A manager of the group, or an admin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was (or would be) assigned, and what did not fit.</returns>
    Task<DistributionPlan> DistributeAsync(string group, bool whatIf, UserId by, CancellationToken cancellationToken = default);

    /// <summary>
    /// Converts a held lead, in one transaction, into an account (matched by name ignoring case, else created), a contact and a
    /// deal in the first stage of a pipeline, owned by the lead's owner; the lead becomes converted and frees its slot.
    /// </summary>
    /// <param name="id">The lead.</param>
    /// <param name="pipeline">The deal's pipeline; the default pipeline when left out.</param>
    /// <param name="value">The deal's value; zero in <see cref="LeadOptions.DefaultCurrency"/> when left out.</param>
    /// <param name="by">Its owner, their manager or an admin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new deal.</returns>
    /// <exception cref="LeadRuleException">The lead is not held by anyone, or already converted or disqualified.</exception>
    /// <exception cref="ArgumentException">The lead's owner is no longer an active person (a deal needs one).</exception>
    Task<OpportunityState> ConvertAsync(LeadId id, PipelineId? pipeline, Money? value, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Disqualifies a lead with a reason from <see cref="LeadOptions.DisqualifyReasons"/>, freeing its slot.</summary>
    /// <param name="id">The lead.</param>
    /// <param name="reason">The reason.</param>
    /// <param name="by">Its owner, their manager (or for an unassigned lead any manager) or an admin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lead after the change.</returns>
    Task<Lead> DisqualifyAsync(LeadId id, string reason, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Computes each salesperson's lead figures for a period (see <see cref="LeadStatistics.PerPerson"/>).</summary>
    /// <param name="periodStart">The start of the period (inclusive).</param>
    /// <param name="periodEnd">The end of the period (exclusive).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The figures, by user id.</returns>
    Task<IReadOnlyList<LeadFigures>> FiguresAsync(Instant periodStart, Instant periodEnd, CancellationToken cancellationToken = default);
}
