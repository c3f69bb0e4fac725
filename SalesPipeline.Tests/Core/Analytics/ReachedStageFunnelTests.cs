using FsCheck.Xunit;
using SalesPipeline.Analytics;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class ReachedStageFunnelTests
{
    [Fact]
    public void ReachedStages_WorkedExampleLenient_EveryNumberAsComputedByHand()
    {
        var funnel = PipelineAnalytics.ReachedStages(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month, WorkedExample.AsOf);

        // Cohort: D1–D10 were created in days 0–30 (D11 on day 35). Furthest stage by day 30: D1, D8 identification;
        // D2, D6, D10 qualification; D3, D9 offer (D9's negotiation is on day 40); D4 negotiation; D5, D7 won.
        // D7 went offer → qualification → offer and is still counted once in each; it skipped negotiation, which the
        // lenient funnel counts as passed.
        Assert.Equal(10, funnel.CohortSize);
        Assert.Equal(FunnelCounting.Lenient, funnel.Counting);
        Assert.Equal(["identification", "qualification", "offer", "negotiation", "won"], funnel.Stages.Select(s => s.Stage.Value));
        Assert.Equal([10L, 8L, 5L, 3L, 2L], funnel.Stages.Select(s => s.Reached));

        // Conversion from the previous stage: 8/10, 5/8, 3/5, 2/3; cumulative: 10/10, 8/10, 5/10, 3/10, 2/10.
        Assert.Equal([null, 0.8m, 0.625m, 0.6m, 2m / 3], funnel.Stages.Select(s => s.ConversionFromPrevious));
        Assert.Equal([1m, 0.8m, 0.5m, 0.3m, 0.2m], funnel.Stages.Select(s => s.CumulativeConversion));
    }

    [Fact]
    public void ReachedStages_WorkedExampleStrict_StopsWhereAStageWasSkipped()
    {
        var funnel = PipelineAnalytics.ReachedStages(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month, WorkedExample.AsOf, new ReachedStageFunnelOptions { Counting = FunnelCounting.Strict });

        // As lenient, except D7: it never was in negotiation, so strictly it reached offer only.
        // negotiation: D4, D5 = 2; won: D5 = 1. Conversions 8/10, 5/8, 2/5, 1/2; cumulative 1, 0.8, 0.5, 0.2, 0.1.
        Assert.Equal([10L, 8L, 5L, 2L, 1L], funnel.Stages.Select(s => s.Reached));
        Assert.Equal([null, 0.8m, 0.625m, 0.4m, 0.5m], funnel.Stages.Select(s => s.ConversionFromPrevious));
        Assert.Equal([1m, 0.8m, 0.5m, 0.2m, 0.1m], funnel.Stages.Select(s => s.CumulativeConversion));
    }

    [Fact]
    public void ReachedStages_BackAndForthMoves_CountEachStageOnce()
    {
        var deal = TestDeals.Deal("ping-pong", 1_000m, "anna", [("identification", 0), ("qualification", 1), ("identification", 2), ("qualification", 3), ("offer", 4), ("qualification", 5), ("offer", 6)]);

        var funnel = PipelineAnalytics.ReachedStages([deal], PipelineDefinition.Default, WorkedExample.Month, WorkedExample.AsOf);

        Assert.Equal([1L, 1L, 1L, 0L, 0L], funnel.Stages.Select(s => s.Reached));
    }

    [Fact]
    public void ReachedStages_StrictWhenAnEarlierStageIsEnteredLate_CountsOnlyTheOrderedPrefix()
    {
        // First entries: identification #0, offer #1, qualification #2, negotiation #3. Identification and qualification were
        // entered in pipeline order; offer was entered before qualification, so strictly the deal stops at qualification.
        var deal = TestDeals.Deal("late", 1_000m, "anna", [("identification", 0), ("offer", 1), ("qualification", 2), ("negotiation", 3)]);

        var strict = PipelineAnalytics.ReachedStages([deal], PipelineDefinition.Default, WorkedExample.Month, WorkedExample.AsOf, new ReachedStageFunnelOptions { Counting = FunnelCounting.Strict });
        var lenient = PipelineAnalytics.ReachedStages([deal], PipelineDefinition.Default, WorkedExample.Month, WorkedExample.AsOf);

        Assert.Equal([1L, 1L, 0L, 0L, 0L], strict.Stages.Select(s => s.Reached));
        Assert.Equal([1L, 1L, 1L, 1L, 0L], lenient.Stages.Select(s => s.Reached));
    }

    [Fact]
    public void ReachedStages_EmptyCohort_ConversionsUndefined()
    {
        var funnel = PipelineAnalytics.ReachedStages(WorkedExample.Deals, PipelineDefinition.Default, TestDeals.Days(100, 200), WorkedExample.AsOf);

        Assert.Equal(0, funnel.CohortSize);
        Assert.All(funnel.Stages, s => Assert.Equal(0, s.Reached));
        Assert.All(funnel.Stages, s => Assert.Null(s.ConversionFromPrevious));
        Assert.All(funnel.Stages, s => Assert.Null(s.CumulativeConversion));
    }

    [Fact]
    public void ReachedStages_UndefinedCounting_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PipelineAnalytics.ReachedStages(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month, WorkedExample.AsOf, new ReachedStageFunnelOptions { Counting = (FunnelCounting)7 }));

        Assert.Contains("Lenient or Strict, was 7", error.Message, StringComparison.Ordinal);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool ReachedStages_ReachedCounts_NeverIncreaseAlongThePipeline(Scenario scenario, bool strict)
    {
        var funnel = Funnel(scenario, strict);
        return funnel.Stages.Zip(funnel.Stages.Skip(1)).All(p => p.First.Reached >= p.Second.Reached)
            && funnel.Stages[0].Reached <= funnel.CohortSize;
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool ReachedStages_Conversions_AreInZeroToOne(Scenario scenario, bool strict)
    {
        var funnel = Funnel(scenario, strict);
        return funnel.Stages.All(s => s.ConversionFromPrevious is null or (>= 0m and <= 1m) && s.CumulativeConversion is null or (>= 0m and <= 1m));
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public void ReachedStages_CumulativeConversion_IsTheProductOfStageToStage(Scenario scenario, bool strict)
    {
        var funnel = Funnel(scenario, strict);
        var product = 1m;
        foreach (var stage in funnel.Stages)
        {
            // Once a stage is reached by nobody the next conversion is undefined and the product stays 0.
            product *= stage.ConversionFromPrevious ?? (stage == funnel.Stages[0] ? 1m : 0m);
            if (funnel.Stages[0].Reached == 0)
            {
                Assert.Null(stage.CumulativeConversion);
            }
            else
            {
                Assert.InRange(stage.CumulativeConversion!.Value - product, -1e-20m, 1e-20m);
            }
        }
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool ReachedStages_Strict_NeverCountsMoreThanLenient(Scenario scenario)
    {
        var strict = Funnel(scenario, strict: true);
        var lenient = Funnel(scenario, strict: false);
        return strict.CohortSize == lenient.CohortSize && strict.Stages.Zip(lenient.Stages).All(p => p.First.Reached <= p.Second.Reached);
    }

    private static ReachedStageFunnel Funnel(Scenario scenario, bool strict) =>
        PipelineAnalytics.ReachedStages(scenario.Deals, scenario.Pipeline, scenario.Period, scenario.AsOf, new ReachedStageFunnelOptions { Counting = strict ? FunnelCounting.Strict : FunnelCounting.Lenient });
}
