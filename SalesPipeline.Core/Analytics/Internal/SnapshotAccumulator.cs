using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>The snapshot funnel fed one deal at a time: the same pass and assembly as <see cref="SnapshotCalculator.Compute(IEnumerable{OpportunityState}, PipelineDefinition, Instant, SnapshotFunnelOptions)"/>.</summary>
internal sealed class SnapshotAccumulator(PipelineDefinition pipeline, Instant asOf, SnapshotFunnelOptions options) : IDealAccumulator<SnapshotFunnel>
{
    private readonly Interval _period = SnapshotCalculator.ClosedPeriod(options, asOf);
    private SnapshotCalculator.Pass? _pass;

    private SnapshotCalculator.Pass Pass => _pass ??= new SnapshotCalculator.Pass(pipeline, asOf, _period, options.Owner);

    public void Add(OpportunityState deal) => Pass.Add(deal);

    public SnapshotFunnel Result() =>
        SnapshotCalculator.Assemble(pipeline, asOf, _period, Pass.Cells.StageTotals(), Pass.Cells.ClosedTotals(), options.Conversion);
}
