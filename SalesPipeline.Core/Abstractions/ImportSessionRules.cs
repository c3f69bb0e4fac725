using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>
/// The rules every store's <see cref="IImportSession"/> applies, for a store of one's own to apply as the built-in ones do:
/// a batch is checked before anything of it reaches the store, and once the session's work has failed in the store every
/// later call but disposing is refused.
/// </summary>
public static class ImportSessionRules
{
    /// <summary>
    /// Checks a batch before anything of it reaches the store, so that a batch refused here leaves the session usable: every
    /// deal is new (version 0) and none is in the batch twice.
    /// </summary>
    /// <param name="batch">The deals to add.</param>
    /// <exception cref="ArgumentException">A deal is <see langword="null"/>, or a deal's version is not 0.</exception>
    /// <exception cref="ConcurrencyConflictException">A deal is in the batch twice.</exception>
    public static void CheckNewDeals(IReadOnlyList<OpportunityState> batch)
    {
        Analytics.Internal.DealArguments.NoNulls(batch);
        var ids = new HashSet<OpportunityId>(batch.Count);
        foreach (var state in batch)
        {
            if (state.Version != 0)
            {
                throw new ArgumentException($"An import adds new opportunities (version 0); opportunity {state.Id} has version {state.Version}.", nameof(batch));
            }

            if (!ids.Add(state.Id))
            {
                throw new ConcurrencyConflictException("opportunity", state.Id.ToString(), 0, null);
            }
        }
    }

    /// <summary>The exception every call but disposing throws once the session's work failed in the store.</summary>
    /// <param name="failure">The session's first failure.</param>
    /// <returns>The exception, with <paramref name="failure"/> inside.</returns>
    public static InvalidOperationException FailedEarlier(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new($"The import failed earlier ({failure.Message}); nothing of it is kept. Dispose the session and start the import again.", failure);
    }
}
