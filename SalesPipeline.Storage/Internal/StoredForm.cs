using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// What a database store keeps of a value: the same data with every instant truncated to the microsecond.
/// Reading back a saved state gives exactly <c>StoredForm.Of(state)</c> (with the new version).
/// </summary>
internal static class StoredForm
{
    public static OpportunityState Of(OpportunityState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state with
        {
            NextContact = Micros.Truncate(state.NextContact),
            Offers = [.. state.Offers.Select(o => o with { AttachedAt = Micros.Truncate(o.AttachedAt) })],
            Activities = [.. state.Activities.Select(Of)],
            History = [.. state.History.Select(h => h with { At = Micros.Truncate(h.At) })],
            Outcome = state.Outcome is { } outcome ? outcome with { ClosedAt = Micros.Truncate(outcome.ClosedAt) } : null,
            CreatedAt = Micros.Truncate(state.CreatedAt),
            LastChangedAt = Micros.Truncate(state.LastChangedAt),
            LastTouchedAt = Micros.Truncate(state.Touched),
        };
    }

    public static Activity Of(Activity activity) => activity with
    {
        RecordedAt = Micros.Truncate(activity.RecordedAt),
        HappenedAt = Micros.Truncate(activity.HappenedAt),
        Due = Micros.Truncate(activity.Due),
    };
}
