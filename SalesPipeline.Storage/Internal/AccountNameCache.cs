using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The accounts an import session has matched or created, by folded name, so a name that repeats costs no look-up.
/// Bounded, because a file may name a new account on every row: a name the cache has dropped is found again by the
/// session's look-up, which sees the session's own inserts.
/// </summary>
/// <remarks>Not thread-safe: one per session.</remarks>
internal sealed class AccountNameCache
{
    /// <summary>How many names are kept before the cache starts again.</summary>
    internal const int Limit = 1_000;

    private readonly Dictionary<string, AccountId> _ids = new(StringComparer.Ordinal);

    public bool TryGet(string folded, out AccountId id) => _ids.TryGetValue(folded, out id);

    public AccountId Add(string folded, AccountId id)
    {
        if (_ids.Count >= Limit)
        {
            _ids.Clear();
        }

        return _ids[folded] = id;
    }
}
