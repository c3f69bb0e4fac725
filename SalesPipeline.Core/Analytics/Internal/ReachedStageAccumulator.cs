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
internal sealed class ReachedStageAccumulator : IReachedStageGroups
{
    private readonly PipelineDefinition _pipeline;
    private readonly Interval _cohort;
    private readonly Instant _asOf;
    private readonly ReachedStageFunnelOptions _options;
    private readonly StageLookup _stages;
    private readonly long[] _depthCounts;
    private readonly int[] _firstEntry;
    private long _cohortSize;

    public ReachedStageAccumulator(PipelineDefinition pipeline, Interval cohort, Instant asOf, ReachedStageFunnelOptions options)
    {
        _pipeline = pipeline;
        _cohort = cohort;
        _asOf = asOf;
        _options = options;
        _stages = new StageLookup(pipeline);
        _depthCounts = new long[_stages.FunnelStages.Length + 1];
        _firstEntry = new int[_stages.FunnelStages.Length];
    }

    public static ReachedStageFunnel Compute(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval cohort, Instant asOf, ReachedStageFunnelOptions options) =>
        DealAccumulator.Run(new ReachedStageAccumulator(pipeline, cohort, asOf, options), deals);

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, _pipeline, _options.Owner) || !Deals.Contains(_cohort, deal.CreatedAt))
        {
            return;
        }

        _cohortSize++;
        Array.Fill(_firstEntry, -1);
        var furthest = -1;
        var history = deal.History;
        for (var i = 0; i < history.Count && history[i].At <= _asOf; i++)
        {
            var position = _stages.FunnelPosition[_stages.IndexOf(history[i].To)];
            if (position < 0)
            {
                continue;
            }

            furthest = Math.Max(furthest, position);
            if (_firstEntry[position] < 0)
            {
                _firstEntry[position] = i;
            }
        }

        var depth = _options.Counting == FunnelCounting.Strict ? StrictDepth(_firstEntry) : furthest;
        _depthCounts[depth + 1]++;
    }

    /// <inheritdoc />
    public void AddGroup(StageId? reachedThrough, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var depth = -1;
        if (reachedThrough is { } stage)
        {
            depth = _stages.FunnelPosition[_stages.IndexOf(stage)];
            if (depth < 0)
            {
                throw new ArgumentException($"The stage '{stage}' is a lost stage, which the reached-stage funnel does not hold.", nameof(reachedThrough));
            }
        }

        _cohortSize += count;
        _depthCounts[depth + 1] += count;
    }

    public ReachedStageFunnel Result()
    {
        var positions = _stages.FunnelStages.Length;
        var rows = new ReachedStage[positions];
        long reached = 0;
        var reachedAt = new long[positions];
        for (var k = positions - 1; k >= 0; k--)
        {
            reached += _depthCounts[k + 1];
            reachedAt[k] = reached;
        }

        for (var k = 0; k < positions; k++)
        {
            var fromPrevious = k == 0 ? null : Deals.Ratio(reachedAt[k], reachedAt[k - 1]);
            rows[k] = new ReachedStage(_stages.FunnelStages[k], reachedAt[k], fromPrevious, Deals.Ratio(reachedAt[k], reachedAt[0]));
        }

        return new ReachedStageFunnel(_cohort, _asOf, _options.Counting, _cohortSize, rows);
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
