using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>One SQL group of the snapshot: deals sharing a stage, currency and probability override.</summary>
internal readonly record struct SnapshotGroup(string Stage, string Currency, int? ProbabilityOverride, long Count, decimal Amount);

/// <summary>One SQL group of the closed totals: deals sharing a currency and outcome.</summary>
internal readonly record struct ClosedGroup(string Currency, OutcomeKind Kind, long Count, decimal Amount);

/// <summary>
/// Finishes aggregates in memory from the few groups SQL returns. The database sums exact amounts; the stage's kind
/// and default probability come from the pipeline definition (which lives in code, not in the database), and the
/// weighted value is computed here in <see cref="decimal"/> exactly as <see cref="PipelineAggregates"/> does.
/// </summary>
internal static class AggregateResults
{
    public static IReadOnlyList<StageTotals> Snapshot(PipelineDefinition pipeline, IEnumerable<SnapshotGroup> groups)
    {
        var totals = new Dictionary<(StageId, string), (long Count, decimal Value, decimal Weighted)>();
        foreach (var g in groups)
        {
            var stage = pipeline.Stage(new StageId(g.Stage));
            if (!stage.IsOpen)
            {
                continue;
            }

            var probability = DealProbability.Of(stage, g.ProbabilityOverride);
            var key = (stage.Id, g.Currency);
            var t = totals.GetValueOrDefault(key);
            totals[key] = (t.Count + g.Count, t.Value + g.Amount, t.Weighted + DealProbability.Weighted(g.Amount, probability));
        }

        return
        [
            .. totals
                .OrderBy(kv => pipeline.Stage(kv.Key.Item1).Order)
                .ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
                .Select(kv => new StageTotals(kv.Key.Item1, kv.Key.Item2, kv.Value.Count, kv.Value.Value, kv.Value.Weighted)),
        ];
    }

    public static IReadOnlyList<ClosedTotals> Closed(IEnumerable<ClosedGroup> groups)
    {
        var totals = new SortedDictionary<string, ClosedTotals>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            var t = totals.GetValueOrDefault(g.Currency) ?? new ClosedTotals(g.Currency, 0, 0m, 0, 0m);
            totals[g.Currency] = g.Kind == OutcomeKind.Won
                ? t with { WonCount = t.WonCount + g.Count, WonValue = t.WonValue + g.Amount }
                : t with { LostCount = t.LostCount + g.Count, LostValue = t.LostValue + g.Amount };
        }

        return [.. totals.Values];
    }
}
