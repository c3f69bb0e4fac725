using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// The reached-stage funnel. Each deal gets a depth: the last funnel position it counts as having reached (−1 for none).
/// Lenient depth = the furthest position it was ever in; strict depth = the length of the longest prefix of positions whose
/// first entries happened in pipeline order. A deal is counted once, at its depth, so back-and-forth moves never count a stage
/// twice, and reached(k) = the number of deals with depth ≥ k never increases with k.
/// </summary>
internal static class ReachedStageCalculator
{
    public static ReachedStageFunnel Compute(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval cohort, Instant asOf, ReachedStageFunnelOptions options)
    {
        var stages = new StageLookup(pipeline);
        var positions = stages.FunnelStages.Length;
        var depthCounts = new long[positions + 1];
        var firstEntry = new int[positions];
        var strict = options.Counting == FunnelCounting.Strict;
        long cohortSize = 0;
        foreach (var deal in deals)
        {
            if (!Deals.InScope(deal, pipeline, options.Owner) || !Deals.Contains(cohort, deal.CreatedAt))
            {
                continue;
            }

            cohortSize++;
            Array.Fill(firstEntry, -1);
            var furthest = -1;
            var history = deal.History;
            for (var i = 0; i < history.Count && history[i].At <= asOf; i++)
            {
                var position = stages.FunnelPosition[stages.IndexOf(history[i].To)];
                if (position < 0)
                {
                    continue;
                }

                furthest = Math.Max(furthest, position);
                if (firstEntry[position] < 0)
                {
                    firstEntry[position] = i;
                }
            }

            var depth = strict ? StrictDepth(firstEntry) : furthest;
            depthCounts[depth + 1]++;
        }

        var rows = new ReachedStage[positions];
        long reached = 0;
        var reachedAt = new long[positions];
        for (var k = positions - 1; k >= 0; k--)
        {
            reached += depthCounts[k + 1];
            reachedAt[k] = reached;
        }

        for (var k = 0; k < positions; k++)
        {
            var fromPrevious = k == 0 ? null : Deals.Ratio(reachedAt[k], reachedAt[k - 1]);
            rows[k] = new ReachedStage(stages.FunnelStages[k], reachedAt[k], fromPrevious, Deals.Ratio(reachedAt[k], reachedAt[0]));
        }

        return new ReachedStageFunnel(cohort, asOf, options.Counting, cohortSize, rows);
    }

    private static int StrictDepth(int[] firstEntry)
    {
        var depth = -1;
        var previous = -1;
        for (var k = 0; k < firstEntry.Length; k++)
        {
            if (firstEntry[k] <= previous)
            {
                break;
            }

            previous = firstEntry[k];
            depth = k;
        }

        return depth;
    }
}
