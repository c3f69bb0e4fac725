using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// The pipeline's stages as arrays indexed by pipeline order, and a lookup from a deal's stage id to that index that
/// neither hashes nor allocates: stage ids are usually the very string instances of the definition, so a reference
/// comparison finds them, and an ordinal comparison is the fallback.
/// </summary>
internal sealed class StageLookup
{
    private readonly string[] _ids;

    public StageLookup(PipelineDefinition pipeline)
    {
        Pipeline = pipeline;
        var stages = pipeline.Stages;
        Count = stages.Count;
        _ids = new string[Count];
        Kinds = new StageKind[Count];
        DefaultProbabilities = new int[Count];
        FunnelPosition = new int[Count];
        Ids = new StageId[Count];
        var position = 0;
        for (var i = 0; i < Count; i++)
        {
            _ids[i] = stages[i].Id.Value;
            Ids[i] = stages[i].Id;
            Kinds[i] = stages[i].Kind;
            DefaultProbabilities[i] = stages[i].DefaultProbability;
            FunnelPosition[i] = stages[i].Kind == StageKind.Lost ? -1 : stages[i].Kind == StageKind.Open ? position++ : -2;
        }

        // The won stage closes the funnel, after every open stage.
        FunnelStages = new StageId[position + 1];
        for (var i = 0; i < Count; i++)
        {
            if (FunnelPosition[i] == -2)
            {
                FunnelPosition[i] = position;
            }

            if (FunnelPosition[i] >= 0)
            {
                FunnelStages[FunnelPosition[i]] = Ids[i];
            }
        }
    }

    public PipelineDefinition Pipeline { get; }

    public int Count { get; }

    public StageId[] Ids { get; }

    public StageKind[] Kinds { get; }

    public int[] DefaultProbabilities { get; }

    /// <summary>Gets, per stage, its position in the reached-stage funnel (open stages, then won), or −1 for lost stages.</summary>
    public int[] FunnelPosition { get; }

    public StageId[] FunnelStages { get; }

    public int IndexOf(StageId stage)
    {
        var value = stage.Value;
        var ids = _ids;
        for (var i = 0; i < ids.Length; i++)
        {
            if (ReferenceEquals(ids[i], value))
            {
                return i;
            }
        }

        for (var i = 0; i < ids.Length; i++)
        {
            if (string.Equals(ids[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new UnknownStageException(Pipeline.Id, stage, Ids);
    }
}
