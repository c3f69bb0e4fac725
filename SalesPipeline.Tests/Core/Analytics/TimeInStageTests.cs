using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class TimeInStageTests
{
    [Fact]
    public void TimeInStage_WorkedExample_EveryNumberAsComputedByHand()
    {
        var report = PipelineAnalytics.TimeInStage(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf);

        // Days per deal up to day 30 (a current stage counts up to day 30; D9's day-40 move is ignored; D11 does not exist):
        // identification: D1 30, D2 5, D3 2, D4 2, D5 2, D6 5, D7 3, D8 3, D9 2, D10 3 → 57; median of 2,2,2,2,3,3,3,5,5,30 = 3
        // qualification:  D2 25, D3 7, D4 4, D5 4, D6 4, D7 3 + 3, D9 8, D10 22 → 80 over 8 deals and 9 visits; median (6 + 7) ÷ 2
        // offer:          D3 20, D4 7, D5 6, D7 2 + 11, D9 10 → 56 over 5 deals and 6 visits; median 10
        // negotiation:    D4 15, D5 8 → 23; median 11.5
        Assert.Equal(
            [
                new StageTime(Stages.Identification, 10, 10, 57m, 5.7m, 3m),
                new StageTime(Stages.Qualification, 8, 9, 80m, 10m, 6.5m),
                new StageTime(Stages.Offer, 5, 6, 56m, 11.2m, 10m),
                new StageTime(Stages.Negotiation, 2, 2, 23m, 11.5m, 11.5m),
            ],
            report.Stages);
    }

    [Fact]
    public void TimeInStage_IncludeClosedStages_AddsTimeSinceClosing()
    {
        var report = PipelineAnalytics.TimeInStage(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, new TimeInStageOptions { IncludeClosedStages = true });

        // won: D5 20 → 30, D7 25 → 30 = 15; lost: D6 9 → 30, D8 7 → 30 = 44. Everything: 57 + 80 + 56 + 23 + 15 + 44 = 275 days,
        // the deals' ages at day 30: 30 + 30 + 29 + 28 + 30 + 30 + 27 + 26 + 20 + 25.
        Assert.Equal(new StageTime(Stages.Won, 2, 2, 15m, 7.5m, 7.5m), report.Stages[4]);
        Assert.Equal(new StageTime(Stages.Lost, 2, 2, 44m, 22m, 22m), report.Stages[5]);
        Assert.Equal(275m, report.Stages.Sum(s => s.TotalDays));
    }

    [Fact]
    public void StageIntervals_CurrentStage_LastsUntilAsOf()
    {
        var d9 = WorkedExample.Deals[8];

        var intervals = PipelineAnalytics.StageIntervals(d9, WorkedExample.AsOf);

        Assert.Equal(
            [
                new StageInterval(Stages.Identification, TestDeals.Day(10), TestDeals.Day(12)),
                new StageInterval(Stages.Qualification, TestDeals.Day(12), TestDeals.Day(20)),
                new StageInterval(Stages.Offer, TestDeals.Day(20), TestDeals.Day(30)),
            ],
            intervals);
        Assert.Equal(Duration.FromDays(10), intervals[^1].Duration);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public void StageIntervals_OfEveryDeal_SumToItsAge(Scenario scenario)
    {
        foreach (var deal in scenario.Deals)
        {
            var intervals = PipelineAnalytics.StageIntervals(deal, scenario.AsOf);
            var first = deal.History[0].At;
            if (first > scenario.AsOf)
            {
                Assert.Empty(intervals);
                continue;
            }

            Assert.Equal(scenario.AsOf - first, intervals.Aggregate(Duration.Zero, (sum, i) => sum + i.Duration));
            Assert.All(intervals, i => Assert.True(i.Duration >= Duration.Zero));
            Assert.All(intervals.Zip(intervals.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        }
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public void TimeInStage_AllStages_SumToTheDealsAges(Scenario scenario)
    {
        var report = PipelineAnalytics.TimeInStage(scenario.Deals, scenario.Pipeline, scenario.AsOf, new TimeInStageOptions { IncludeClosedStages = true });

        var ages = scenario.Deals.Where(d => d.History[0].At <= scenario.AsOf).Sum(d => (decimal)(scenario.AsOf - d.History[0].At).BclCompatibleTicks) / NodaConstants.TicksPerDay;
        Assert.InRange(report.Stages.Sum(s => s.TotalDays) - ages, -1e-15m, 1e-15m);
        Assert.All(report.Stages, s => Assert.True(s.Deals <= s.Visits && (s.Deals == 0) == (s.MeanDays is null)));
    }
}
