using SalesPipeline.Domain;

namespace SalesPipeline.People;

/// <summary>What a person may do: a salesperson works their own deals and leads, a manager those of their groups, an admin everything.</summary>
public enum Role
{
    /// <summary>Works their own deals and leads.</summary>
    Salesperson,

    /// <summary>Works and hands out the deals and leads of the people in their groups.</summary>
    Manager,

    /// <summary>May do everything, including pipeline definitions and people.</summary>
    Admin,
}

/// <summary>A person who uses the system.</summary>
/// <param name="Id">Their user id.</param>
/// <param name="DisplayName">Their name as shown in reports.</param>
/// <param name="Role">What they may do.</param>
/// <param name="Groups">The departments or teams they belong to (slugs, at least one).</param>
/// <param name="Manager">Their manager, if any.</param>
/// <param name="LeadLimit">How many active leads (assigned or working) they may hold at once.</param>
/// <param name="Active">Whether they may act at all.</param>
/// <param name="Version">The stored version, used for optimistic concurrency; 0 until first saved.</param>
public sealed record Person(UserId Id, string DisplayName, Role Role, IReadOnlyList<string> Groups, UserId? Manager, int LeadLimit, bool Active, int Version = 0)
{
    /// <summary>Gets whether the person is active and an admin: someone who may manage people.</summary>
    public bool IsActiveAdmin => Active && Role == Role.Admin;

    /// <summary>Tells whether the person belongs to a group.</summary>
    /// <param name="group">The group.</param>
    /// <returns>Whether they belong to it.</returns>
    public bool InGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);

    /// <summary>Tells whether the person shares at least one group with another.</summary>
    /// <param name="other">The other person.</param>
    /// <returns>Whether they share a group.</returns>
    public bool SharesGroupWith(Person other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Groups.Any(other.InGroup);
    }

    /// <inheritdoc />
    public bool Equals(Person? other) =>
        other is not null && Id == other.Id && DisplayName == other.DisplayName && Role == other.Role && Groups.SequenceEqual(other.Groups)
        && Manager == other.Manager && LeadLimit == other.LeadLimit && Active == other.Active && Version == other.Version;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Role, LeadLimit, Version);

    /// <summary>What a group name must look like, for messages.</summary>
    internal const string GroupRule = "use lower-case letters, digits and hyphens, starting with a letter (for example 'north').";

    /// <summary>Tells whether a text is a valid group name (a slug such as <c>north</c>), as a person's groups must be.</summary>
    internal static bool IsValidGroup(string? group) => StageId.IsValid(group);

    /// <summary>Checks every field and returns the person with trimmed text and sorted, distinct groups.</summary>
    /// <returns>The checked person.</returns>
    /// <exception cref="ArgumentException">A field is invalid; the message names it and says what to do.</exception>
    /// <exception cref="ManagerLoopException">The person is their own manager.</exception>
    public Person Validated()
    {
        if (Id.Value is null)
        {
            throw new ArgumentException("'id' must not be empty.", "id");
        }

        var name = Text.Required(DisplayName, "name", 200);
        if (!Enum.IsDefined(Role))
        {
            throw new ArgumentException($"'role' must be one of {string.Join(", ", Roles.Names)}, was {Role}.", "role");
        }

        if (Groups is null || Groups.Count == 0)
        {
            throw new ArgumentException("'groups' must name at least one group (a department or team), such as 'north'.", "groups");
        }

        foreach (var g in Groups)
        {
            if (!IsValidGroup(g))
            {
                throw new ArgumentException($"'{g}' is not a valid group: {GroupRule}", "groups");
            }
        }

        if (LeadLimit < 0)
        {
            throw new ArgumentException($"'lead-limit' must be 0 or more, was {LeadLimit}.", "lead-limit");
        }

        if (Manager == Id)
        {
            throw new ManagerLoopException([Id, Id]);
        }

        return this with { DisplayName = name, Groups = [.. Groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };
    }
}

/// <summary>The names of the roles as typed and stored: <c>salesperson</c>, <c>manager</c>, <c>admin</c>.</summary>
public static class Roles
{
    /// <summary>Gets the names, in order of the roles.</summary>
    public static IReadOnlyList<string> Names { get; } = ["salesperson", "manager", "admin"];

    /// <summary>Gets a role's name.</summary>
    /// <param name="role">The role.</param>
    /// <returns>Its lower-case name.</returns>
    public static string Name(Role role) => Names[(int)role];

    /// <summary>Parses a role's name.</summary>
    /// <param name="name">The name, ignoring case.</param>
    /// <returns>The role.</returns>
    /// <exception cref="ArgumentException">No role has the name.</exception>
    public static Role Parse(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return (Role)i;
            }
        }

        throw new ArgumentException($"'{name}' is not a role: use one of {string.Join(", ", Names)}.", nameof(name));
    }
}
