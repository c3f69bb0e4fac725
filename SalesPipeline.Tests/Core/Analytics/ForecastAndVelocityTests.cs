using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class ForecastAndVelocityTests
{
    [Fact]
    public void Forecast_WorkedExample_EveryNumberAsComputedByHand()
    {
        var forecast = PipelineAnalytics.Forecast(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf);

        // Open at day 30, by expected close month:
        // 2026-02: D1 10,000 × 10 % = 1,000; D2 20,000 × 25 % = 5,000; D4 80,000 × 75 % = 60,000 → 110,000 / 66,000 PLN
        // 2026-03: D3 40,000 × 60 % = 24,000; D9 60,000 × 50 % = 30,000 → 100,000 / 54,000 PLN; D10 5,000 × 25 % = 1,250 EUR
        Assert.Equal([new YearMonth(2026, 2), new YearMonth(2026, 3)], forecast.Months.Select(m => m.Month));
        Assert.Equal([3L, 3L], forecast.Months.Select(m => m.Count));
        Assert.Equal(new OpenDealTotals("PLN", 3, 110_000m, 66_000m, 110_000m / 210_000m), forecast.Months[0].Values.Single());
        Assert.Equal(
            [new OpenDealTotals("EUR", 1, 5_000m, 1_250m, 1m), new OpenDealTotals("PLN", 2, 100_000m, 54_000m, 100_000m / 210_000m)],
            forecast.Months[1].Values);
        Assert.Equal([new OpenDealTotals("EUR", 1, 5_000m, 1_250m, 1m), new OpenDealTotals("PLN", 5, 210_000m, 120_000m, 1m)], forecast.Total);
    }

    [Fact]
    public void Velocity_WorkedExample_EveryInputAndTheResult()
    {
        var velocity = PipelineAnalytics.Velocity(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, WorkedExample.Month);

        // Open at day 30: 6 (5 PLN, 1 EUR). Closed in days 0–30: won 2, lost 2 → win rate 0.5.
        // Average cycle of the won deals: (20 + 22) ÷ 2 = 21 days. Average won deal in PLN: 75,000 ÷ 2 = 37,500.
        // PLN velocity: 5 × 37,500 × 0.5 ÷ 21 = 4,464.29 per day. EUR: nothing won in EUR → undefined.
        Assert.Equal((6L, 2L, 2L, 0.5m, 21m), (velocity.OpenDeals, velocity.Won, velocity.Lost, velocity.WinRate!.Value, velocity.AverageCycleDays!.Value));
        Assert.Equal(new VelocityValues("EUR", 1, null, null), velocity.Values[0]);
        Assert.Equal(new VelocityValues("PLN", 5, 37_500m, 93_750m / 21m), velocity.Values[1]);
        Assert.Equal(4_464.29m, decimal.Round(velocity.Values[1].ValuePerDay!.Value, 2));
    }

    [Fact]
    public void Velocity_AllClosedBasisAndConversion_UsesEveryClosedDealAndOneCurrency()
    {
        var options = new SalesVelocityOptions { CycleBasis = VelocityCycleBasis.AllClosedDeals, Conversion = new ExchangeRates("PLN", [new("EUR", 4.25m)]) };

        var velocity = PipelineAnalytics.Velocity(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, WorkedExample.Month, options);

        // Average cycle of all four closed deals: 13.5 days. Converted: 6 open deals × 37,500 × 0.5 ÷ 13.5 = 8,333.33 per day.
        Assert.Equal(13.5m, velocity.AverageCycleDays);
        Assert.Equal(new VelocityValues("PLN", 6, 37_500m, 112_500m / 13.5m), velocity.Values.Single());
    }

    [Fact]
    public void Velocity_NothingClosed_UndefinedNotZero()
    {
        var velocity = PipelineAnalytics.Velocity(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, TestDeals.Days(26, 30));

        Assert.Null(velocity.WinRate);
        Assert.Null(velocity.AverageCycleDays);
        Assert.All(velocity.Values, v => Assert.Null(v.ValuePerDay));
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public void Forecast_Total_EqualsTheSnapshotFunnelTotal(Scenario scenario)
    {
        var forecast = PipelineAnalytics.Forecast(scenario.Deals, scenario.Pipeline, scenario.AsOf);
        var funnel = PipelineAnalytics.Snapshot(scenario.Deals, scenario.Pipeline, scenario.AsOf);

        Assert.Equal(funnel.OpenCount, forecast.Months.Sum(m => m.Count));
        Assert.Equal(funnel.OpenValues.Select(v => (v.Currency, v.Count, v.Value, v.WeightedValue)), forecast.Total.Select(v => (v.Currency, v.Count, v.Value, v.WeightedValue)));
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)], MaxTest = 300)]
    public void Velocity_FromSnapshotWinLossAndCycle_EqualsTheDealPass(Scenario scenario, bool byOwner, bool allClosed, bool converted)
    {
        var (pipeline, deals, asOf, period) = scenario;
        UserId? owner = byOwner ? new UserId("anna") : null;
        var conversion = converted ? new ExchangeRates("PLN", [new("EUR", 4.25m), new("USD", 3.9875m)]) : null;
        var basis = allClosed ? VelocityCycleBasis.AllClosedDeals : VelocityCycleBasis.WonDeals;
        var pass = DealPass.Velocity(pipeline, asOf, period, new SalesVelocityOptions { Owner = owner, Conversion = conversion, CycleBasis = basis });
        DealPass.Run(deals, pass);
        var expected = pass.Result();

        var velocity = PipelineAnalytics.VelocityFrom(
            PipelineAnalytics.Snapshot(deals, pipeline, asOf, new SnapshotFunnelOptions { Owner = owner, Conversion = conversion }),
            PipelineAnalytics.WinLoss(deals, pipeline, period, new WinLossOptions { Owner = owner, Conversion = conversion }),
            PipelineAnalytics.SalesCycle(deals, pipeline, period, new SalesCycleOptions { Owner = owner }),
            basis);

        // Every figure, decimals compared as numbers (records compare their lists by reference, so the list apart).
        Assert.Equal(expected with { Values = [] }, velocity with { Values = [] });
        Assert.Equal(expected.Values, velocity.Values);
    }

    [Fact]
    public void Velocity_FromReportsOfDifferentPeriods_Throws()
    {
        var pipeline = PipelineDefinition.Default;
        var snapshot = PipelineAnalytics.Snapshot(WorkedExample.Deals, pipeline, WorkedExample.AsOf);
        var winLoss = PipelineAnalytics.WinLoss(WorkedExample.Deals, pipeline, WorkedExample.Month);
        var cycle = PipelineAnalytics.SalesCycle(WorkedExample.Deals, pipeline, TestDeals.Days(26, 30));

        var error = Assert.Throws<ArgumentException>(() => PipelineAnalytics.VelocityFrom(snapshot, winLoss, cycle));

        Assert.Contains("same close period", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Velocity_FromWorkedExampleReports_EqualsTheHandWorkedFigures()
    {
        var pipeline = PipelineDefinition.Default;
        var velocity = PipelineAnalytics.VelocityFrom(
            PipelineAnalytics.Snapshot(WorkedExample.Deals, pipeline, WorkedExample.AsOf),
            PipelineAnalytics.WinLoss(WorkedExample.Deals, pipeline, WorkedExample.Month),
            PipelineAnalytics.SalesCycle(WorkedExample.Deals, pipeline, WorkedExample.Month));

        // As Velocity_WorkedExample_EveryInputAndTheResult: 6 open, 2 won, 2 lost, 21 days, PLN 5 × 37,500 × 0.5 ÷ 21.
        Assert.Equal((6L, 2L, 2L, 0.5m, 21m), (velocity.OpenDeals, velocity.Won, velocity.Lost, velocity.WinRate!.Value, velocity.AverageCycleDays!.Value));
        Assert.Equal([new VelocityValues("EUR", 1, null, null), new VelocityValues("PLN", 5, 37_500m, 93_750m / 21m)], velocity.Values);
    }
}
