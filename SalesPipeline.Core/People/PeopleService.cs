using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.Leads;

namespace SalesPipeline.People;

/// <summary>The <see cref="IPeopleService"/> implementation. Usable without a container.</summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
public sealed class PeopleService : IPeopleService
{
    private readonly IPersonStore _people;
    private readonly LeadOptions _leads;
    private readonly AccessGate _access;

    /// <summary>Creates the service.</summary>
    /// <param name="people">Where people are stored.</param>
    /// <param name="leads">The lead options (the default active-lead limit).</param>
    /// <param name="access">The access options; checks are on when left out.</param>
    public PeopleService(IPersonStore people, LeadOptions? leads = null, AccessOptions? access = null)
    {
        ArgumentNullException.ThrowIfNull(people);
        _people = people;
        _leads = leads ?? new LeadOptions();
        _access = new AccessGate(people, access ?? new AccessOptions());
    }

    /// <inheritdoc />
    public async Task<Person> AddAsync(NewPerson person, UserId? by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);

        // UserId holds ids to the rule they were stored under, as it reads them back too; a new person's id keeps the rule for new ids.
        if (Text.NewUserFault(person.Id.Value ?? string.Empty) is { } fault)
        {
            throw new ArgumentException($"A user id holds {fault}", nameof(person));
        }

        if (person.Manager is { } manager)
        {
            Text.NewUser(manager, "manager");
        }

        var candidate = new Person(person.Id, person.DisplayName, person.Role, person.Groups, person.Manager, person.LeadLimit ?? _leads.DefaultLeadLimit, true).Validated();
        if (by is { } actor)
        {
            await _access.RequireAdminAsync(actor, $"add person '{candidate.Id}'", cancellationToken).ConfigureAwait(false);
            await CheckManagerAsync(candidate, null, cancellationToken).ConfigureAwait(false);
            if (await _people.FindAsync(candidate.Id, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new ArgumentException($"A person with id '{candidate.Id}' already exists; change them (IPeopleService.UpdateAsync) instead.", nameof(person));
            }

            // The store checks again that the manager is active, in the same step as the write.
            return candidate with { Version = await SaveCheckedAsync(candidate, null, cancellationToken).ConfigureAwait(false) };
        }

        if ((await _people.ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new ArgumentException("People are already stored, so an acting admin must be named to add another.", nameof(by));
        }

        if (candidate.Role != Role.Admin || candidate.Manager is not null)
        {
            throw new ArgumentException("Without an acting user, only the first person of an empty store can be added, and they must be an admin without a manager.", nameof(by));
        }

        // Checked again in the store, atomically, in case two first admins are added at once.
        if (!await _people.AddFirstAsync(candidate, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException("People are already stored, so an acting admin must be named to add another.", nameof(by));
        }

        return candidate with { Version = 1 };
    }

    /// <inheritdoc />
    public async Task<Person> UpdateAsync(UserId id, PersonChanges changes, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await _access.RequireAdminAsync(by, $"change person '{id}'", cancellationToken).ConfigureAwait(false);
        if (changes.ClearManager && changes.Manager is not null)
        {
            throw new ArgumentException($"Either clear the manager of '{id}' or name a new one, not both.", nameof(changes));
        }

        var stored = await _people.FindAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No person has id '{id}'; check the id against the stored people.", nameof(id));
        if (changes.Manager is { } manager && manager != stored.Manager)
        {
            Text.NewUser(manager, "manager");
        }

        var changed = (stored with
        {
            DisplayName = changes.DisplayName ?? stored.DisplayName,
            Role = changes.Role ?? stored.Role,
            Groups = changes.Groups ?? stored.Groups,
            Manager = changes.ClearManager ? null : changes.Manager ?? stored.Manager,
            LeadLimit = changes.LeadLimit ?? stored.LeadLimit,
            Active = changes.Active ?? stored.Active,
        }).Validated();
        await CheckManagerAsync(changed, stored, cancellationToken).ConfigureAwait(false);
        return changed with { Version = await SaveCheckedAsync(changed, stored, cancellationToken).ConfigureAwait(false) };
    }

    /// <inheritdoc />
    public Task<Person?> FindAsync(UserId id, CancellationToken cancellationToken = default) => _people.FindAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Person>> ListAsync(CancellationToken cancellationToken = default) => _people.ListAsync(cancellationToken);

    /// <inheritdoc />
    public async Task RequireActiveAsync(UserId by, string action, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        _ = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RequireMayReportOnAsync(UserId by, UserId? owner, CancellationToken cancellationToken = default)
    {
        var action = owner is { } named ? $"report on the deals and leads of '{named}'" : "report on everyone's deals and leads";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        var visible = await _access.VisibleOwnersAsync(actor, cancellationToken).ConfigureAwait(false);
        if (actor is null || visible is null || (owner is { } asked && visible.Contains(asked)))
        {
            return;
        }

        throw new AccessDeniedException(by, action, WhomTheyMayReportOn(actor, visible));
    }

    /// <summary>The reason a report is refused, naming whom <paramref name="actor"/> may report on instead.</summary>
    private static string WhomTheyMayReportOn(Person actor, IReadOnlySet<UserId> visible)
    {
        if (actor.Role == Role.Salesperson)
        {
            return $"a salesperson reports only on their own deals and leads, as owner '{actor.Id}'";
        }

        const int Shown = 10;
        var owners = visible.Select(id => id.Value).Order(StringComparer.Ordinal).ToList();
        var names = string.Join(", ", owners.Take(Shown).Select(id => $"'{id}'")) + (owners.Count > Shown ? $" and {owners.Count - Shown:N0} more" : string.Empty);
        return $"a manager reports on one owner at a time, themselves or a person in their groups ({string.Join(", ", actor.Groups)}): {names}";
    }

    /// <summary>
    /// Refuses a manager who is not stored; one who is inactive, when they are newly named or the person becomes active (an
    /// inactive manager stored earlier does not block other changes); or one managed by <paramref name="person"/>, directly or
    /// through others: the chain of managers from the person upwards must not come back to them.
    /// </summary>
    /// <param name="person">The person as they would be stored.</param>
    /// <param name="stored">The person as stored; <see langword="null"/> for a person being added.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="ArgumentException">The manager is not stored, or is inactive.</exception>
    /// <exception cref="ManagerLoopException">The chain comes back to the person.</exception>
    private async Task CheckManagerAsync(Person person, Person? stored, CancellationToken cancellationToken)
    {
        if (person.Manager is not { } manager)
        {
            return;
        }

        List<UserId> chain = [person.Id];
        for (var current = manager; ; )
        {
            chain.Add(current);
            if (current == person.Id)
            {
                throw new ManagerLoopException(chain);
            }

            var found = await _people.FindAsync(current, cancellationToken).ConfigureAwait(false);
            if (chain.Count == 2)
            {
                if (found is null)
                {
                    throw new ArgumentException($"The manager '{manager}' of '{person.Id}' is not a stored person; add them first.", nameof(person));
                }

                if (!found.Active && ReliesOnManager(person, stored))
                {
                    throw InactiveManager(person, stored);
                }
            }

            // The chain ends at the top, or runs into a loop stored before that does not pass through the person.
            if (found?.Manager is not { } next || (next != person.Id && chain.Contains(next)))
            {
                return;
            }

            current = next;
        }
    }

    /// <summary>
    /// Whether <paramref name="person"/>'s manager must be active for the change: when they are newly named, or the person
    /// becomes active (an inactive manager stored earlier does not block other changes).
    /// </summary>
    private static bool ReliesOnManager(Person person, Person? stored) =>
        person.Manager is { } manager && (stored is null || stored.Manager != manager || (!stored.Active && person.Active));

    /// <summary>The refusal of an inactive manager that <see cref="ReliesOnManager"/> holds for.</summary>
    private static ArgumentException InactiveManager(Person person, Person? stored) =>
        new(
            stored is null || stored.Manager != person.Manager
                ? $"'{person.Manager}' is inactive, so they cannot be the manager of '{person.Id}'; name an active person, or no manager."
                : $"The manager '{person.Manager}' of '{person.Id}' is inactive; name an active manager, or no manager, when making '{person.Id}' active again.",
            nameof(person));

    /// <summary>
    /// Saves <paramref name="person"/>, having the store check in the same atomic step as the write what the change relies
    /// on, so a concurrent change cannot slip in between a check and the write: a manager newly relied on is active; a person
    /// deactivated is nobody active's manager (an active person's manager is an active person); an active admin demoted or
    /// deactivated leaves another active admin (else nobody could add, change or reactivate people).
    /// </summary>
    /// <param name="person">The person as they would be stored.</param>
    /// <param name="stored">The person as stored; <see langword="null"/> for a person being added.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new stored version.</returns>
    /// <exception cref="ArgumentException">A check failed; nothing was written.</exception>
    private async Task<int> SaveCheckedAsync(Person person, Person? stored, CancellationToken cancellationToken)
    {
        var checks = PersonChecks.None;
        if (ReliesOnManager(person, stored))
        {
            checks |= PersonChecks.ManagerActive;
        }

        if (stored is { Active: true } && !person.Active)
        {
            checks |= PersonChecks.ManagesNoActivePeople;
        }

        if (stored is { IsActiveAdmin: true } && !person.IsActiveAdmin)
        {
            checks |= PersonChecks.AnotherActiveAdmin;
        }

        if (checks == PersonChecks.None)
        {
            return await _people.SaveAsync(person, cancellationToken).ConfigureAwait(false);
        }

        var saved = await _people.SaveIfAsync(person, checks, cancellationToken).ConfigureAwait(false);
        if (saved.Version is { } version)
        {
            return version;
        }

        if (saved.Failed.HasFlag(PersonChecks.ManagerActive))
        {
            throw InactiveManager(person, stored);
        }

        if (saved.Failed.HasFlag(PersonChecks.AnotherActiveAdmin))
        {
            throw new ArgumentException(
                $"'{person.Id}' is the last active admin; {(person.Active ? "demoting" : "deactivating")} them would leave nobody who may manage people. Make someone else an admin first.",
                nameof(person));
        }

        const int Shown = 10;
        var managed = saved.ActivePeopleManaged.Select(id => id.Value).Order(StringComparer.Ordinal).ToList();
        var names = string.Join(", ", managed.Take(Shown).Select(id => $"'{id}'")) + (managed.Count > Shown ? $" and {managed.Count - Shown:N0} more" : string.Empty);
        throw new ArgumentException(
            $"'{person.Id}' is the manager of active people ({names}); give them another manager, or none, before deactivating '{person.Id}'.",
            nameof(person));
    }
}
