using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Works out which child rows a save must write. History is append-only: only entries past the stored count are
/// inserted. Activities (which can be completed later) and offers are compared with what is stored, and only new or
/// changed ones are written, so a deal with a long activity log costs one read, not a rewrite, per save.
/// </summary>
internal static class ChildChanges
{
    public static IReadOnlyList<(int Seq, StageChange Change)> NewHistory(OpportunityState state, int storedCount)
    {
        if (state.History.Count < storedCount)
        {
            throw new ArgumentException(
                $"Opportunity {state.Id} has {state.History.Count} history entries but {storedCount} are stored: the stage history is append-only and cannot be shortened.",
                nameof(state));
        }

        return [.. state.History.Skip(storedCount).Select((change, i) => (storedCount + i, change))];
    }

    public static (IReadOnlyList<(int Seq, Activity Activity)> Upserts, IReadOnlyList<ActivityId> Deletes) Activities(
        OpportunityState state, IReadOnlyDictionary<ActivityId, (int Seq, Activity Activity)> stored)
    {
        var upserts = new List<(int, Activity)>();
        var keep = new HashSet<ActivityId>();
        for (var seq = 0; seq < state.Activities.Count; seq++)
        {
            var activity = StoredForm.Of(state.Activities[seq]);
            if (!keep.Add(activity.Id))
            {
                throw new ArgumentException($"Opportunity {state.Id} lists activity {activity.Id} twice.", nameof(state));
            }

            if (!stored.TryGetValue(activity.Id, out var current) || current.Seq != seq || current.Activity != activity)
            {
                upserts.Add((seq, activity));
            }
        }

        return (upserts, [.. stored.Keys.Where(id => !keep.Contains(id))]);
    }

    public static (IReadOnlyList<(int Seq, OfferDocument Offer)> Upserts, int KeepCount) Offers(
        OpportunityState state, IReadOnlyList<OfferDocument> stored)
    {
        var upserts = new List<(int, OfferDocument)>();
        for (var seq = 0; seq < state.Offers.Count; seq++)
        {
            var offer = state.Offers[seq] with { AttachedAt = Micros.Truncate(state.Offers[seq].AttachedAt) };
            if (seq >= stored.Count || stored[seq] != offer)
            {
                upserts.Add((seq, offer));
            }
        }

        return (upserts, state.Offers.Count);
    }
}
