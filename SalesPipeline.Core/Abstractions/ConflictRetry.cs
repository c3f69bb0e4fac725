namespace SalesPipeline.Abstractions;

/// <summary>
/// Runs a command that loads a record, changes it and saves it again when someone else saved the record between its load
/// and its save: the command names what to do (move this deal, log this call), not a state a user saw, so it is applied
/// to what is stored now, with every rule checked on that state again.
/// </summary>
internal static class ConflictRetry
{
    /// <summary>How many times in all a command is tried before the conflict is the caller's to report.</summary>
    public const int Attempts = 3;

    /// <summary>
    /// Runs <paramref name="attempt"/>, which must load the record afresh each time, up to <see cref="Attempts"/> times
    /// while its save finds the stored record changed since the load. A refusal on the fresh state (a rule, the access
    /// rules) ends it at once.
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">Every attempt found the record changed by someone else; nothing was written.</exception>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt)
    {
        for (var tried = 1; ; tried++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException e) when (e.ExpectedVersion > 0 && tried < Attempts)
            {
                // Stored after our load by someone else: load it again and apply the command to what is stored now.
            }
        }
    }
}
