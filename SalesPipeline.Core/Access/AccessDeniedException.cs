using SalesPipeline.Domain;

namespace SalesPipeline.Access;

/// <summary>
/// Thrown when the acting user may not do what they asked: they are unknown or inactive, or the object is not theirs
/// (nor, for a manager, in their groups). Nothing was changed.
/// </summary>
public sealed class AccessDeniedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="user">Who asked.</param>
    /// <param name="action">What they asked to do, such as "move deal 3f2…".</param>
    /// <param name="reason">Why it is refused.</param>
    public AccessDeniedException(UserId user, string action, string reason)
        : this(user, action, reason, AccessDenialKind.NotPermitted)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="user">Who asked.</param>
    /// <param name="action">What they asked to do, such as "move deal 3f2…".</param>
    /// <param name="reason">Why it is refused.</param>
    /// <param name="kind">Whether the user is unknown, inactive, or known and active but not permitted.</param>
    public AccessDeniedException(UserId user, string action, string reason, AccessDenialKind kind)
        : base($"'{user}' may not {action}: {reason}. Nothing was changed.")
    {
        User = user;
        Action = action;
        Reason = reason;
        Kind = kind;
    }

    /// <summary>Gets whether the user is unknown, inactive, or known and active but not permitted.</summary>
    public AccessDenialKind Kind { get; }

    /// <summary>Gets who asked.</summary>
    public UserId User { get; }

    /// <summary>Gets what they asked to do.</summary>
    public string Action { get; }

    /// <summary>Gets why it is refused.</summary>
    public string Reason { get; }
}

/// <summary>Why an <see cref="AccessDeniedException"/> was thrown, in broad terms.</summary>
public enum AccessDenialKind
{
    /// <summary>The user is a stored, active person, but the rules do not let them do this.</summary>
    NotPermitted,

    /// <summary>No person has the user id.</summary>
    UnknownUser,

    /// <summary>The person is stored but inactive.</summary>
    InactiveUser,
}
