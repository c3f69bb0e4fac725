using SalesPipeline.Domain;

namespace SalesPipeline.People;

/// <summary>A person to add.</summary>
/// <param name="Id">Their user id.</param>
/// <param name="DisplayName">Their name.</param>
/// <param name="Role">What they may do.</param>
/// <param name="Groups">Their departments or teams (at least one).</param>
/// <param name="Manager">Their manager, if any (a stored, active person).</param>
/// <param name="LeadLimit">Their active-lead limit; the configured default when left out.</param>
public sealed record NewPerson(UserId Id, string DisplayName, Role Role, IReadOnlyList<string> Groups, UserId? Manager = null, int? LeadLimit = null);

/// <summary>Changes to a person; each field left out stays as it is.</summary>
/// <param name="DisplayName">A new name.</param>
/// <param name="Role">A new role.</param>
/// <param name="Groups">New groups.</param>
/// <param name="Manager">A new manager (a stored, active person).</param>
/// <param name="LeadLimit">A new active-lead limit.</param>
/// <param name="Active">Whether they may act.</param>
/// <param name="ClearManager">Whether to remove their manager (they then have none); not together with <paramref name="Manager"/>.</param>
public sealed record PersonChanges(string? DisplayName = null, Role? Role = null, IReadOnlyList<string>? Groups = null, UserId? Manager = null, int? LeadLimit = null, bool? Active = null, bool ClearManager = false);

/// <summary>Manages the people who use the system. Only an admin adds or changes people (the first admin of an empty store excepted).</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IPeopleService
{
    /// <summary>Adds a person.</summary>
    /// <param name="person">Who.</param>
    /// <param name="by">The acting admin; <see langword="null"/> only for the first admin of a store with nobody in it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored person.</returns>
    /// <exception cref="ArgumentException">A field is invalid, the manager is unknown or inactive, or the id is taken.</exception>
    /// <exception cref="ManagerLoopException">
    /// The person would be their own manager, or managed by someone they manage (a stored manager naming them); nothing is stored.
    /// </exception>
    /// <exception cref="Access.AccessDeniedException">The acting user is not an active admin.</exception>
    Task<Person> AddAsync(NewPerson person, UserId? by, CancellationToken cancellationToken = default);

    /// <summary>Changes a person.</summary>
    /// <param name="id">Who.</param>
    /// <param name="changes">What changes.</param>
    /// <param name="by">The acting admin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored person.</returns>
    /// <exception cref="ArgumentException">
    /// A field is invalid, nobody has the id, both a new manager and <see cref="PersonChanges.ClearManager"/> are given, the new
    /// manager is unknown or inactive, the person is made active again while their manager is inactive, the person is
    /// deactivated while active people have them as their manager (the message names them; give them another manager
    /// first), or the change would leave no active admin (deactivating or demoting the last one; checked in the same atomic
    /// step as the write). An inactive manager stored earlier does not block the person's other changes.
    /// </exception>
    /// <exception cref="ManagerLoopException">
    /// The new manager would close a loop: the person would be their own manager, or managed by someone they manage, directly
    /// or through others (ann managed by bob while bob is managed by ann); nothing is stored.
    /// </exception>
    /// <exception cref="Abstractions.ConcurrencyConflictException">The person changed since they were read; nothing was written.</exception>
    /// <exception cref="Access.AccessDeniedException">The acting user is not an active admin.</exception>
    Task<Person> UpdateAsync(UserId id, PersonChanges changes, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Loads a person.</summary>
    /// <param name="id">Who.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The person, or <see langword="null"/>.</returns>
    Task<Person?> FindAsync(UserId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refuses unless <paramref name="by"/> may report on the deals and leads of <paramref name="owner"/>, or, with
    /// <paramref name="owner"/> left out, on everyone's. The rule is the one deals and leads are listed by: an admin may report
    /// on everyone and on any owner; a salesperson only on their own; a manager on themselves or a person who shares a group
    /// with them — one owner at a time, since a report without an owner covers people they may not see. With the access
    /// checks skipped (<see cref="Access.AccessOptions.SkipAccessChecks"/>) anyone may report on everything.
    /// </summary>
    /// <param name="by">The acting user.</param>
    /// <param name="owner">The owner the report is limited to; <see langword="null"/> for a report on everyone.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when the report is allowed.</returns>
    /// <exception cref="Access.AccessDeniedException">
    /// The acting user is unknown or inactive, or may not see the owner's deals (or everyone's); the reason says whom they
    /// may report on.
    /// </exception>
    Task RequireMayReportOnAsync(UserId by, UserId? owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refuses unless <paramref name="by"/> is a stored, active person: the rule every action starts with, for work that
    /// names its actor without a more specific check of its own (such as an import recording them as the creator of the
    /// deals). With the access checks skipped (<see cref="Access.AccessOptions.SkipAccessChecks"/>) anyone passes.
    /// </summary>
    /// <param name="by">The acting user.</param>
    /// <param name="action">What they would do, for the refusal's message, such as <c>import deals</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when they may act.</returns>
    /// <exception cref="ArgumentException"><paramref name="action"/> is empty.</exception>
    /// <exception cref="Access.AccessDeniedException">The acting user is unknown or inactive.</exception>
    Task RequireActiveAsync(UserId by, string action, CancellationToken cancellationToken = default);

    /// <summary>Lists everyone, by user id.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The people.</returns>
    Task<IReadOnlyList<Person>> ListAsync(CancellationToken cancellationToken = default);
}
