using SalesPipeline.Domain;

namespace SalesPipeline.People;

/// <summary>
/// Thrown when a person's manager would close a loop in the chain of managers: a person their own manager, or someone
/// managed by a person they manage, directly or through others. Whoever walks such a chain upwards would never reach its
/// top. Nothing is stored.
/// </summary>
public sealed class ManagerLoopException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="loop">
    /// The loop: the person whose manager was set, each manager in turn, and that person again (<c>ann, bob, ann</c>; for a
    /// person their own manager, <c>ann, ann</c>).
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="loop"/> does not end with the person it starts with.</exception>
    public ManagerLoopException(IReadOnlyList<UserId> loop)
        : base(Format(loop), "manager")
    {
        Loop = loop;
    }

    /// <summary>Gets the loop: the person whose manager was set, each manager in turn, and that person again.</summary>
    public IReadOnlyList<UserId> Loop { get; }

    private static string Format(IReadOnlyList<UserId> loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        if (loop.Count < 2 || loop[0] != loop[^1])
        {
            throw new ArgumentException("A loop of managers starts and ends with the same person, such as ann, bob, ann.", nameof(loop));
        }

        var path = string.Join(" → ", loop);
        return loop.Count == 2
            ? $"'{loop[0]}' cannot be their own manager ({path}); name someone else, or no manager."
            : $"'{loop[1]}' cannot be the manager of '{loop[0]}': the managers would go round in a loop, {path}. Give '{loop[0]}' another manager, or first change the manager of someone else in the loop.";
    }
}
