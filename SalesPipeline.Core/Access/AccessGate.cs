using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.People;

namespace SalesPipeline.Access;

/// <summary>
/// The access rules, once: an unknown or inactive user may do nothing; a salesperson sees and changes only their own deals
/// and leads; a manager those of the people in their groups; an admin everything. Every refusal throws
/// <see cref="AccessDeniedException"/> before anything is written.
/// </summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
internal sealed class AccessGate(IPersonStore people, AccessOptions options)
{
    /// <summary>Gets whether the checks are skipped (a single-user host).</summary>
    public bool Skipped => options.SkipAccessChecks;

    /// <summary>The acting person, known and active; <see langword="null"/> when the checks are skipped.</summary>
    public async Task<Person?> ActorAsync(UserId by, string action, CancellationToken cancellationToken)
    {
        if (Skipped)
        {
            return null;
        }

        if (by.Value is null)
        {
            throw new ArgumentException("The acting user must be named.", nameof(by));
        }

        var actor = await people.FindAsync(by, cancellationToken).ConfigureAwait(false)
            ?? throw new AccessDeniedException(by, action, "no person has this user id; an administrator adds people first (IPeopleService.AddAsync)", AccessDenialKind.UnknownUser);
        if (!actor.Active)
        {
            throw new AccessDeniedException(by, action, "their account is inactive", AccessDenialKind.InactiveUser);
        }

        return actor;
    }

    /// <summary>Refuses anyone but an administrator.</summary>
    public async Task RequireAdminAsync(UserId by, string action, CancellationToken cancellationToken)
    {
        if (await ActorAsync(by, action, cancellationToken).ConfigureAwait(false) is { Role: not Role.Admin } actor)
        {
            throw new AccessDeniedException(by, action, $"only an admin may do this, and they are a {Roles.Name(actor.Role)}");
        }
    }

    /// <summary>Refuses unless the actor may work on what <paramref name="owner"/> owns.</summary>
    public async Task RequireMayActForAsync(UserId by, UserId owner, string action, CancellationToken cancellationToken)
    {
        if (await ActorAsync(by, action, cancellationToken).ConfigureAwait(false) is { } actor)
        {
            await RequireMayActForAsync(actor, owner, action, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Refuses unless <paramref name="actor"/> may work on what <paramref name="owner"/> owns.</summary>
    public async Task RequireMayActForAsync(Person actor, UserId owner, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Role == Role.Admin || actor.Id == owner)
        {
            return;
        }

        if (actor.Role == Role.Salesperson)
        {
            throw new AccessDeniedException(actor.Id, action, $"it belongs to '{owner}', and a salesperson works only on their own");
        }

        var ownerPerson = await people.FindAsync(owner, cancellationToken).ConfigureAwait(false);
        if (!MayActFor(actor, owner, ownerPerson))
        {
            throw new AccessDeniedException(actor.Id, action, $"it belongs to '{owner}', who is not in any of their groups ({string.Join(", ", actor.Groups)})");
        }
    }

    /// <summary>
    /// Refuses an owner who is not an active person, so that nothing is given to someone who cannot act on it; with the checks
    /// skipped an unknown id is let through (nobody need be stored then).
    /// </summary>
    /// <param name="owner">The owner-to-be.</param>
    /// <param name="remedy">What to do about it, ending the message.</param>
    /// <param name="paramName">The argument that named the owner.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The owner; <see langword="null"/> only when the checks are skipped and nobody has the id.</returns>
    /// <exception cref="ArgumentException">The owner is unknown or inactive.</exception>
    public async Task<Person?> RequireActiveOwnerAsync(UserId owner, string remedy, string paramName, CancellationToken cancellationToken)
    {
        var person = await people.FindAsync(owner, cancellationToken).ConfigureAwait(false);
        if (person is { Active: false } || (person is null && !Skipped))
        {
            throw new ArgumentException($"'{owner}' is not an active person, so they cannot own deals; {remedy}", paramName);
        }

        return person;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may see and work on what <paramref name="owner"/> owns: an admin, the owner, or a
    /// manager who shares a group with them.
    /// </summary>
    public static bool MayActFor(Person actor, UserId owner, Person? ownerPerson)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return actor.Role == Role.Admin || actor.Id == owner
            || (actor.Role == Role.Manager && ownerPerson is not null && actor.SharesGroupWith(ownerPerson));
    }

    /// <summary>
    /// Whose deals and leads <paramref name="actor"/> may see — the owners <see cref="MayActFor"/> allows, computed once for a
    /// list: <see langword="null"/> for everyone's (an admin, or the checks are skipped); a salesperson their own; a manager
    /// their own and those of every person who shares a group with them.
    /// </summary>
    public async Task<IReadOnlySet<UserId>?> VisibleOwnersAsync(Person? actor, CancellationToken cancellationToken)
    {
        if (actor is null or { Role: Role.Admin })
        {
            return null;
        }

        if (actor.Role == Role.Salesperson)
        {
            return new HashSet<UserId> { actor.Id };
        }

        return (await people.ListAsync(cancellationToken).ConfigureAwait(false)).Where(actor.SharesGroupWith).Select(p => p.Id).Append(actor.Id).ToHashSet();
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may see a lead, given the owners they may see (<see cref="VisibleOwnersAsync"/>): one
    /// held by such an owner; an unassigned one if they are a manager, or a salesperson who could take it (it is new and
    /// self-service is on in all their groups).
    /// </summary>
    public static bool MaySee(Person? actor, IReadOnlySet<UserId>? owners, Leads.Lead lead, ICollection<string> selfServiceOff)
    {
        ArgumentNullException.ThrowIfNull(lead);
        ArgumentNullException.ThrowIfNull(selfServiceOff);
        if (actor is null || owners is null)
        {
            return true;
        }

        if (lead.Owner is { } owner)
        {
            return owners.Contains(owner);
        }

        return actor.Role != Role.Salesperson || (lead.Status == Leads.LeadStatus.New && SelfServiceOffIn(actor, selfServiceOff) is null);
    }

    /// <summary>The first of <paramref name="actor"/>'s groups in which self-service is off; <see langword="null"/> when it is on in all.</summary>
    public static string? SelfServiceOffIn(Person actor, ICollection<string> selfServiceOff)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(selfServiceOff);
        return actor.Groups.FirstOrDefault(selfServiceOff.Contains);
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may list and read a document: an admin, a member of one of its groups, or whoever may
    /// see a deal it is attached to (see <see cref="MayActFor"/>).
    /// </summary>
    public static bool MayRead(Person actor, Documents.Document document, IEnumerable<UserId> dealOwners, IReadOnlyDictionary<UserId, Person> people)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(dealOwners);
        ArgumentNullException.ThrowIfNull(people);
        return actor.Role == Role.Admin
            || document.Groups.Any(actor.InGroup)
            || dealOwners.Any(owner => MayActFor(actor, owner, people.GetValueOrDefault(owner)));
    }

    /// <summary>Refuses unless the actor is an admin, or a manager of one of the group's members.</summary>
    public static void RequireManagerOf(Person actor, string group, string action)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Role == Role.Admin || (actor.Role == Role.Manager && actor.InGroup(group)))
        {
            return;
        }

        throw new AccessDeniedException(
            actor.Id,
            action,
            actor.Role == Role.Manager ? $"group '{group}' is not one of their groups ({string.Join(", ", actor.Groups)})" : "only a manager of the group or an admin may do this");
    }
}
