using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class WinLossTests
{
    [Fact]
    public void WinLoss_WorkedExample_EveryNumberAsComputedByHand()
    {
        var report = PipelineAnalytics.WinLoss(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month);

        // Closed in days 0–30: won D5 50,000 (anna) and D7 25,000 (anna); lost D6 30,000 (bob, "Price", from qualification)
        // and D8 15,000 (bob, "No budget", from identification). Open deals are left out by default.
        var total = report.Total;
        Assert.False(report.IncludesOpenDeals);
        Assert.Equal((2L, 2L, 0L), (total.Won, total.Lost, total.Open));
        Assert.Equal(0.5m, total.WinRateByCount);                  // 2 ÷ (2 + 2)
        var pln = Assert.Single(total.Values);
        Assert.Equal("PLN", pln.Currency);
        Assert.Equal(75_000m, pln.WonValue);
        Assert.Equal(45_000m, pln.LostValue);
        Assert.Equal(0.625m, pln.WinRateByValue);                  // 75,000 ÷ (75,000 + 45,000)
        Assert.Equal(37_500m, pln.AverageWonDealSize);             // 75,000 ÷ 2

        // anna won both wins, bob lost both losses.
        Assert.Equal(["anna", "bob"], report.ByOwner.Select(o => o.Owner.Value));
        Assert.Equal((2L, 0L, 1m), (report.ByOwner[0].Figures.Won, report.ByOwner[0].Figures.Lost, report.ByOwner[0].Figures.WinRateByCount!.Value));
        Assert.Equal((0L, 2L, 0m), (report.ByOwner[1].Figures.Won, report.ByOwner[1].Figures.Lost, report.ByOwner[1].Figures.WinRateByCount!.Value));
        Assert.Null(report.ByOwner[1].Figures.Values.Single().AverageWonDealSize);

        // One loss each: ties are ordered by reason.
        Assert.Equal(["No budget", "Price"], report.ByLossReason.Select(g => g.Key));
        Assert.Equal([1L, 1L], report.ByLossReason.Select(g => g.Lost));
        Assert.Equal([0.5m, 0.5m], report.ByLossReason.Select(g => g.Share));
        Assert.Equal([new LossValues("PLN", 1, 15_000m)], report.ByLossReason[0].Values);

        // Stage lost at = the stage before the lost stage: D8 identification, D6 qualification, in pipeline order.
        Assert.Equal(["identification", "qualification"], report.ByStageLostAt.Select(g => g.Key));
        Assert.Equal([new LossValues("PLN", 1, 15_000m)], report.ByStageLostAt[0].Values);
        Assert.Equal([new LossValues("PLN", 1, 30_000m)], report.ByStageLostAt[1].Values);
    }

    [Fact]
    public void WinLoss_IncludeOpenDeals_PutsDealsOpenAtTheEndInTheDenominators()
    {
        var report = PipelineAnalytics.WinLoss(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month, new WinLossOptions { IncludeOpenDeals = true });

        // Open just before day 30: D1, D2, D3, D4, D9 (PLN) and D10 (EUR). Win rate by count 2 ÷ (2 + 2 + 6) = 0.2.
        Assert.True(report.IncludesOpenDeals);
        Assert.Equal(6, report.Total.Open);
        Assert.Equal(0.2m, report.Total.WinRateByCount);

        // PLN by value: 75,000 ÷ (75,000 + 45,000 + 210,000); EUR: nothing won, 5,000 open → 0.
        var eur = report.Total.Values[0];
        var pln = report.Total.Values[1];
        Assert.Equal(("EUR", 1L, 5_000m, 0m), (eur.Currency, eur.Open, eur.OpenValue, eur.WinRateByValue!.Value));
        Assert.Null(eur.AverageWonDealSize);
        Assert.Equal(210_000m, pln.OpenValue);
        Assert.Equal(0.2272727273m, decimal.Round(pln.WinRateByValue!.Value, 10)); // 75 ÷ 330

        // anna: won 2, open D1, D2, D9, D10 → 2 ÷ 6.
        Assert.Equal(2m / 6, report.ByOwner[0].Figures.WinRateByCount);
    }

    [Fact]
    public void WinLoss_Conversion_OneRowInTheTargetCurrency()
    {
        var rates = new ExchangeRates("EUR", [new("PLN", 0.25m)]);

        var report = PipelineAnalytics.WinLoss(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.Month, new WinLossOptions { Conversion = rates, IncludeOpenDeals = true });

        // PLN × 0.25: won 18,750, lost 11,250, open 52,500 + EUR 5,000 = 57,500; 18,750 ÷ 87,500.
        var eur = Assert.Single(report.Total.Values);
        Assert.Equal(("EUR", 18_750m, 11_250m, 57_500m), (eur.Currency, eur.WonValue, eur.LostValue, eur.OpenValue));
        Assert.Equal(18_750m / 87_500m, eur.WinRateByValue);
        Assert.Equal(9_375m, eur.AverageWonDealSize);
        Assert.Equal([new LossValues("EUR", 1, 3_750m)], report.ByStageLostAt[0].Values);
    }

    [Fact]
    public void WinLoss_LossGroupInSeveralCurrencies_CountsEachCurrencysDeals()
    {
        // Three deals lost for "Price": two in PLN (10,000 + 20,000), one in EUR (5,000); one lost for "Timing" in PLN.
        var pipeline = PipelineDefinition.Default;
        var start = Instant.FromUtc(2026, 3, 2, 9, 0);
        OpportunityState Lost(decimal amount, string currency, string reason)
        {
            var deal = Opportunity.Create(new NewOpportunity("Deal", Money.Of(amount, currency), null, new LocalDate(2026, 6, 30)), pipeline, new UserId("anna"), start);
            deal.Lose(pipeline, reason, "They chose another offer.", new UserId("anna"), start + Duration.FromDays(3));
            return deal.ToState();
        }

        OpportunityState[] deals = [Lost(10_000m, "PLN", "Price"), Lost(5_000m, "EUR", "Price"), Lost(20_000m, "PLN", "Price"), Lost(1_000m, "PLN", "Timing")];
        var period = new Interval(start, start + Duration.FromDays(30));

        var report = PipelineAnalytics.WinLoss(deals, pipeline, period);

        var price = report.ByLossReason[0];
        Assert.Equal(("Price", 3L, 0.75m), (price.Key, price.Lost, price.Share));
        Assert.Equal([new LossValues("EUR", 1, 5_000m), new LossValues("PLN", 2, 30_000m)], price.Values);
        Assert.Equal([new LossValues("EUR", 1, 5_000m), new LossValues("PLN", 3, 31_000m)], report.ByStageLostAt.Single().Values);

        // Converted, the group is one row in the target currency with every deal in it.
        var converted = PipelineAnalytics.WinLoss(deals, pipeline, period, new WinLossOptions { Conversion = new ExchangeRates("PLN", [new("EUR", 4m)]) });
        Assert.Equal([new LossValues("PLN", 3, 50_000m)], converted.ByLossReason[0].Values);
    }

    [Fact]
    public void WinLoss_NothingClosed_WinRatesAreUndefinedNotZero()
    {
        var report = PipelineAnalytics.WinLoss(WorkedExample.Deals, PipelineDefinition.Default, TestDeals.Days(26, 30));

        Assert.Equal((0L, 0L), (report.Total.Won, report.Total.Lost));
        Assert.Null(report.Total.WinRateByCount);
        Assert.Empty(report.Total.Values);
        Assert.Empty(report.ByLossReason);
        Assert.Empty(report.ByStageLostAt);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool WinLoss_WinRate_IsInZeroToOneAndNullExactlyWhenNothingCounts(Scenario scenario, bool includeOpen)
    {
        var report = PipelineAnalytics.WinLoss(scenario.Deals, scenario.Pipeline, scenario.Period, new WinLossOptions { IncludeOpenDeals = includeOpen });
        static bool Valid(WinLossFigures f) =>
            (f.Won + f.Lost + f.Open == 0 ? f.WinRateByCount is null : f.WinRateByCount is >= 0m and <= 1m)
            && f.Values.All(v => v.WonValue + v.LostValue + v.OpenValue == 0m ? v.WinRateByValue is null : v.WinRateByValue is >= 0m and <= 1m);
        return Valid(report.Total) && report.ByOwner.All(o => Valid(o.Figures)) && (includeOpen || report.Total.Open == 0);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public void WinLoss_RandomDeals_AgreesWithPipelineAggregatesClosed(Scenario scenario)
    {
        var report = PipelineAnalytics.WinLoss(scenario.Deals, scenario.Pipeline, scenario.Period);
        var closed = PipelineAggregates.Closed(scenario.Deals, scenario.Pipeline, scenario.Period.Start, scenario.Period.End);

        Assert.Equal(closed.Select(c => (c.Currency, c.WonCount, c.WonValue, c.LostCount, c.LostValue)), report.Total.Values.Select(v => (v.Currency, v.Won, v.WonValue, v.Lost, v.LostValue)));
        Assert.Equal(report.Total.Won, report.ByOwner.Sum(o => o.Figures.Won));
        Assert.Equal(report.Total.Lost, report.ByOwner.Sum(o => o.Figures.Lost));
        Assert.Equal(report.Total.Lost, report.ByLossReason.Sum(g => g.Lost));
        Assert.Equal(report.Total.Lost, report.ByStageLostAt.Sum(g => g.Lost));
    }
}
