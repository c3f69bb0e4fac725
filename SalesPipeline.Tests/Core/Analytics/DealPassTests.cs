using System.Text.Json;
using FsCheck.Xunit;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class DealPassTests
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    /// <summary>Two results as canonical JSON, every figure, instant and list included (records compare lists by reference).</summary>
    private static string Text<T>(T result) => JsonSerializer.Serialize(result, Json);

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)], MaxTest = 300)]
    public void RunAsync_EveryAccumulatorInOnePass_EqualsEachSingleCalculator(Scenario scenario, bool byOwner)
    {
        var (pipeline, deals, asOf, period) = scenario;
        UserId? owner = byOwner ? new UserId("anna") : null;
        var snapshotOptions = new SnapshotFunnelOptions { Owner = owner, ClosedPeriod = period };
        var reachedOptions = new ReachedStageFunnelOptions { Owner = owner };
        var winLossOptions = new WinLossOptions { Owner = owner };
        var cycleOptions = new SalesCycleOptions { Owner = owner };
        var forecastOptions = new ForecastOptions { Owner = owner, OverdueBefore = asOf.InUtc().Date };
        var velocityOptions = new SalesVelocityOptions { Owner = owner };

        var snapshot = DealPass.Snapshot(pipeline, asOf, snapshotOptions);
        var reached = DealPass.ReachedStages(pipeline, period, asOf, reachedOptions);
        var winLoss = DealPass.WinLoss(pipeline, period, winLossOptions);
        var cycle = DealPass.SalesCycle(pipeline, period, cycleOptions);
        var forecast = DealPass.Forecast(pipeline, asOf, forecastOptions);
        var velocity = DealPass.Velocity(pipeline, asOf, period, velocityOptions);
        var periodFigures = DealPass.PeriodFigures(pipeline, period, owner);
        var stageExits = DealPass.StageExits(pipeline, period, asOf, owner);
        var accounts = DealPass.AccountRevenue(pipeline, period, asOf, owner);
        DealPass.RunAsync(deals.ToAsyncEnumerable(), [snapshot, reached, winLoss, cycle, forecast, velocity, periodFigures, stageExits, accounts])
            .GetAwaiter().GetResult();

        Assert.Equal(Text(PipelineAnalytics.Snapshot(deals, pipeline, asOf, snapshotOptions)), Text(snapshot.Result()));
        Assert.Equal(Text(PipelineAnalytics.ReachedStages(deals, pipeline, period, asOf, reachedOptions)), Text(reached.Result()));
        Assert.Equal(Text(PipelineAnalytics.WinLoss(deals, pipeline, period, winLossOptions)), Text(winLoss.Result()));
        Assert.Equal(Text(PipelineAnalytics.SalesCycle(deals, pipeline, period, cycleOptions)), Text(cycle.Result()));
        Assert.Equal(Text(PipelineAnalytics.Forecast(deals, pipeline, asOf, forecastOptions)), Text(forecast.Result()));
        Assert.Equal(Text(PipelineAnalytics.Velocity(deals, pipeline, asOf, period, velocityOptions)), Text(velocity.Result()));

        // The report's own accumulators have no single calculator: each alone over the deals is the reference.
        Assert.Equal(Text(Alone(DealPass.PeriodFigures(pipeline, period, owner), deals)), Text(periodFigures.Result()));
        Assert.Equal(Text(Alone(DealPass.StageExits(pipeline, period, asOf, owner), deals)), Text(stageExits.Result()));
        Assert.Equal(Text(Alone(DealPass.AccountRevenue(pipeline, period, asOf, owner), deals)), Text(accounts.Result()));
    }

    [Fact]
    public void Text_DifferentResults_Differ()
    {
        // The comparison can fail: two snapshots of different deals do not serialise alike.
        var deal = TestDeals.Deal("a", 1_000m, "anna", [("identification", 0)]);
        var one = PipelineAnalytics.Snapshot([deal], SalesPipeline.Process.PipelineDefinition.Default, TestDeals.Start + Duration.FromDays(30));
        var none = PipelineAnalytics.Snapshot([], SalesPipeline.Process.PipelineDefinition.Default, TestDeals.Start + Duration.FromDays(30));

        Assert.NotEqual(Text(one), Text(none));
    }

    private static T Alone<T>(IDealAccumulator<T> accumulator, IEnumerable<OpportunityState> deals)
    {
        DealPass.Run(deals, accumulator);
        return accumulator.Result();
    }
}
