using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>Per-deal helpers shared by the calculators; none of them allocates.</summary>
internal static class Deals
{
    public const decimal NanosecondsPerDay = 86_400_000_000_000m;

    /// <summary>Whether the deal belongs to the pipeline and, when an owner is given, to that owner.</summary>
    public static bool InScope(OpportunityState deal, PipelineDefinition pipeline, UserId? owner) =>
        SameText(deal.PipelineId.Value, pipeline.Id.Value) && (owner is not { } o || SameText(deal.Owner.Value, o.Value));

    /// <summary>Ordinal equality with a reference-equality shortcut (ids usually share their string instances).</summary>
    public static bool SameText(string? a, string? b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.Ordinal);

    /// <summary>
    /// The index of the last history entry at or before <paramref name="asOf"/>, or −1 when the deal did not exist yet.
    /// Histories are in time order, so the scan starts at the end: as of now, one look suffices.
    /// </summary>
    public static int LastEntryAtOrBefore(IReadOnlyList<StageChange> history, Instant asOf)
    {
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].At <= asOf)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the last history entry strictly before <paramref name="end"/>, or −1.</summary>
    public static int LastEntryBefore(IReadOnlyList<StageChange> history, Instant end)
    {
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].At < end)
            {
                return i;
            }
        }

        return -1;
    }

    public static bool Contains(Interval period, Instant instant) =>
        (!period.HasStart || instant >= period.Start) && (!period.HasEnd || instant < period.End);

    /// <summary>A duration in days (1 day = 24 hours), exact to the nanosecond.</summary>
    public static decimal Days(Duration duration) =>
        duration.Days + (duration.NanosecondOfDay / NanosecondsPerDay);

    /// <summary>A duration in nanoseconds, exact.</summary>
    public static decimal Nanoseconds(Duration duration) =>
        (duration.Days * NanosecondsPerDay) + duration.NanosecondOfDay;

    public static decimal? Ratio(decimal numerator, decimal denominator) =>
        denominator == 0m ? null : numerator / denominator;

    /// <summary>The median of a list of values; sorts the list.</summary>
    public static decimal? Median(List<decimal> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2m;
    }

    public static decimal? Mean(decimal sum, long count) => count == 0 ? null : sum / count;

    /// <summary>The index of the open stage the deal was in at <paramref name="asOf"/>, or null when it did not exist or was closed.</summary>
    public static int? OpenStageAt(OpportunityState deal, StageLookup stages, Instant asOf)
    {
        var history = deal.History;
        var entry = Deals.LastEntryAtOrBefore(history, asOf);
        if (entry < 0)
        {
            return null;
        }

        var stage = stages.IndexOf(history[entry].To);
        return stages.Kinds[stage] == StageKind.Open ? stage : null;
    }
}
