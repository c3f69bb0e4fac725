using System.Collections;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>
/// Every public entry point that takes a collection of deals refuses one holding <see langword="null"/> with an
/// <see cref="ArgumentException"/> naming the first null's index, not a <see cref="NullReferenceException"/> from deep inside,
/// whether it is given a list or a sequence read as it goes; and it still reads a sequence once.
/// </summary>
public sealed class DealArgumentsTests
{
    private static readonly PipelineDefinition Pipeline = PipelineDefinition.Default;

    private static readonly Dictionary<string, Action<IEnumerable<OpportunityState>>> EntryPoints = new()
    {
        ["PipelineAnalytics.Snapshot"] = deals => PipelineAnalytics.Snapshot(deals, Pipeline, WorkedExample.AsOf),
        ["PipelineAnalytics.ReachedStages"] = deals => PipelineAnalytics.ReachedStages(deals, Pipeline, WorkedExample.Month, WorkedExample.AsOf),
        ["PipelineAnalytics.WinLoss"] = deals => PipelineAnalytics.WinLoss(deals, Pipeline, WorkedExample.Month),
        ["PipelineAnalytics.SalesCycle"] = deals => PipelineAnalytics.SalesCycle(deals, Pipeline, WorkedExample.Month),
        ["PipelineAnalytics.TimeInStage"] = deals => PipelineAnalytics.TimeInStage(deals, Pipeline, WorkedExample.AsOf),
        ["PipelineAnalytics.Forecast"] = deals => PipelineAnalytics.Forecast(deals, Pipeline, WorkedExample.AsOf),
        ["PipelineAnalytics.Velocity"] = deals => PipelineAnalytics.Velocity(deals, Pipeline, WorkedExample.AsOf, WorkedExample.Month),
        ["DealTable.From"] = deals => DealTable.From(deals, Pipeline),
        ["DealPass.Run"] = deals => DealPass.Run(deals, DealPass.WinLoss(Pipeline, WorkedExample.Month), DealPass.Forecast(Pipeline, WorkedExample.AsOf)),
        ["DealPass.RunAsync"] = deals => DealPass.RunAsync(deals.ToAsyncEnumerable(), [DealPass.Snapshot(Pipeline, WorkedExample.AsOf)]).GetAwaiter().GetResult(),
        ["PipelineAggregates.Snapshot"] = deals => PipelineAggregates.Snapshot(deals, Pipeline, WorkedExample.AsOf),
        ["PipelineAggregates.Closed"] = deals => PipelineAggregates.Closed(deals, Pipeline, WorkedExample.Month.Start, WorkedExample.Month.End),
        ["Attention.OverdueFollowUps"] = deals => Attention.OverdueFollowUps(Restored(deals), WorkedExample.AsOf),
        ["Attention.StaleDeals"] = deals => Attention.StaleDeals(Restored(deals), PipelineCatalog.DefaultOnly, WorkedExample.AsOf),
    };

    public static TheoryData<string> Names => new(EntryPoints.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void EntryPoint_ListWithNull_ThrowsNamingTheFirstNullsIndex(string entryPoint)
    {
        OpportunityState[] deals = [WorkedExample.Deals[0], WorkedExample.Deals[4], null!, WorkedExample.Deals[5], null!];

        AssertRefusedAtIndex2(entryPoint, deals);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EntryPoint_SequenceWithNull_ThrowsNamingTheFirstNullsIndex(string entryPoint)
    {
        var deals = new CountedSequence([WorkedExample.Deals[0], WorkedExample.Deals[4], null!, WorkedExample.Deals[5], null!]);

        AssertRefusedAtIndex2(entryPoint, deals);
        Assert.Equal(1, deals.Enumerations);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EntryPoint_SequenceWithoutNull_IsReadOnce(string entryPoint)
    {
        var deals = new CountedSequence(WorkedExample.Deals);

        EntryPoints[entryPoint](deals);

        Assert.Equal(1, deals.Enumerations);
    }

    private static void AssertRefusedAtIndex2(string entryPoint, IEnumerable<OpportunityState> deals)
    {
        var error = Assert.Throws<ArgumentException>(() => EntryPoints[entryPoint](deals));

        var parameter = entryPoint.StartsWith("Attention.", StringComparison.Ordinal) ? "opportunities" : "deals";
        Assert.Equal(typeof(ArgumentException), error.GetType());
        Assert.Equal(parameter, error.ParamName);
        Assert.Equal($"The deals contain null at index 2; pass only recorded deals. (Parameter '{parameter}')", error.Message);
    }

    /// <summary>The deals as <see cref="Opportunity"/> objects, restored as they are read; a null stays null.</summary>
    private static IEnumerable<Opportunity> Restored(IEnumerable<OpportunityState> deals) =>
        deals.Select(d => d is null ? null! : Opportunity.Restore(d, Pipeline));

    /// <summary>A sequence that is neither a list nor a collection, and counts how often it is read.</summary>
    private sealed class CountedSequence(IReadOnlyList<OpportunityState> deals) : IEnumerable<OpportunityState>
    {
        public int Enumerations { get; private set; }

        public IEnumerator<OpportunityState> GetEnumerator()
        {
            Enumerations++;
            return Read().GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private IEnumerable<OpportunityState> Read()
        {
            foreach (var deal in deals)
            {
                yield return deal;
            }
        }
    }
}
