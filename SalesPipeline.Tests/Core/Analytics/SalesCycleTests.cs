using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class SalesCycleTests
{
    [Fact]
    public void SalesCycle_WorkedExample_EveryNumberAsComputedByHand()
    {
        var report = PipelineAnalytics.SalesCycle(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month);

        // Won: D5 day 0 → 20 = 20 days, D7 day 3 → 25 = 22 days: mean 21, median (20 + 22) ÷ 2 = 21.
        Assert.Equal(new CycleStatistics(2, 21m, 21m), report.Won);

        // Lost: D6 day 0 → 9 = 9 days, D8 day 4 → 7 = 3 days: mean 6, median 6.
        Assert.Equal(new CycleStatistics(2, 6m, 6m), report.Lost);

        // All: 3, 9, 20, 22: mean 54 ÷ 4 = 13.5, median (9 + 20) ÷ 2 = 14.5.
        Assert.Equal(new CycleStatistics(4, 13.5m, 14.5m), report.All);
    }

    [Fact]
    public void SalesCycle_PartialDays_AreFractions()
    {
        var deal = TestDeals.Deal(PipelineDefinition.Default, "quick", SalesPipeline.Domain.Money.Of(1m, "PLN"), "anna", [("identification", TestDeals.Day(0)), ("won", TestDeals.Day(1) + Duration.FromHours(12))]);

        var report = PipelineAnalytics.SalesCycle([deal], PipelineDefinition.Default, WorkedExample.Month);

        Assert.Equal(new CycleStatistics(1, 1.5m, 1.5m), report.Won);
        Assert.Equal(new CycleStatistics(0, null, null), report.Lost);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool SalesCycle_Counts_SplitIntoWonAndLost(Scenario scenario)
    {
        var report = PipelineAnalytics.SalesCycle(scenario.Deals, scenario.Pipeline, scenario.Period);
        return report.All.Count == report.Won.Count + report.Lost.Count
            && (report.All.Count == 0) == (report.All.MeanDays is null)
            && report.Won.Count == PipelineAnalytics.WinLoss(scenario.Deals, scenario.Pipeline, scenario.Period).Total.Won;
    }
}
