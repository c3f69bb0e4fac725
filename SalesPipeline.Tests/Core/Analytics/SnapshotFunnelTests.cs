using FsCheck.Xunit;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class SnapshotFunnelTests
{
    private static readonly ExchangeRates EurToPln = new("PLN", [new("EUR", 4.25m)]);

    [Fact]
    public void Snapshot_WorkedExample_EveryNumberAsComputedByHand()
    {
        var funnel = PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf);

        // Open at day 30: D1 identification; D2, D10 qualification; D3, D9 offer (D9 reaches negotiation only on day 40);
        // D4 negotiation. D11 does not exist yet; D5–D8 are closed.
        Assert.Equal(6, funnel.OpenCount);
        Assert.Equal(["identification", "qualification", "offer", "negotiation"], funnel.Stages.Select(s => s.Stage.Value));
        Assert.Equal([1L, 2L, 2L, 1L], funnel.Stages.Select(s => s.Count));
        Assert.Equal([1m / 6, 2m / 6, 2m / 6, 1m / 6], funnel.Stages.Select(s => s.CountShare!.Value));

        // identification: D1 10,000 × 10 % = 1,000.
        AssertRow(funnel.Stages[0].Values.Single(), "PLN", 1, 10_000m, 1_000m, 10_000m / 210_000m);

        // qualification: D2 20,000 PLN × 25 % = 5,000; D10 5,000 EUR × 25 % = 1,250 — kept apart, never summed.
        Assert.Equal(2, funnel.Stages[1].Values.Count);
        AssertRow(funnel.Stages[1].Values[0], "EUR", 1, 5_000m, 1_250m, 1m);
        AssertRow(funnel.Stages[1].Values[1], "PLN", 1, 20_000m, 5_000m, 20_000m / 210_000m);

        // offer: D3 40,000 × its override 60 % = 24,000; D9 60,000 × 50 % = 30,000.
        AssertRow(funnel.Stages[2].Values.Single(), "PLN", 2, 100_000m, 54_000m, 100_000m / 210_000m);

        // negotiation: D4 80,000 × 75 % = 60,000.
        AssertRow(funnel.Stages[3].Values.Single(), "PLN", 1, 80_000m, 60_000m, 80_000m / 210_000m);

        // Totals: PLN 10,000 + 20,000 + 100,000 + 80,000 = 210,000, weighted 1,000 + 5,000 + 54,000 + 60,000 = 120,000.
        Assert.Equal(2, funnel.OpenValues.Count);
        AssertRow(funnel.OpenValues[0], "EUR", 1, 5_000m, 1_250m, 1m);
        AssertRow(funnel.OpenValues[1], "PLN", 5, 210_000m, 120_000m, 1m);
        Assert.Equal(0.0476190476m, decimal.Round(funnel.Stages[0].Values[0].ValueShare!.Value, 10));

        // By default the closed deals are everything closed by day 30: won D5 50,000 + D7 25,000; lost D6 30,000 + D8 15,000.
        Assert.Equal(2, funnel.Won.Count);
        Assert.Equal([Money.Of(75_000m, "PLN")], funnel.Won.Values);
        Assert.Equal(2, funnel.Lost.Count);
        Assert.Equal([Money.Of(45_000m, "PLN")], funnel.Lost.Values);
    }

    [Fact]
    public void Snapshot_ClosedPeriod_CountsOnlyDealsClosedInIt()
    {
        // Days 10–30: D5 (won day 20) and D7 (won day 25); D6 (lost day 9) and D8 (lost day 7) closed before.
        var funnel = PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, new SnapshotFunnelOptions { ClosedPeriod = TestDeals.Days(10, 30) });

        Assert.Equal(2, funnel.Won.Count);
        Assert.Equal(0, funnel.Lost.Count);
        Assert.Empty(funnel.Lost.Values);
        Assert.Equal(TestDeals.Days(10, 30), funnel.ClosedPeriod);
    }

    [Fact]
    public void Snapshot_Conversion_ReportsOneCurrency()
    {
        var funnel = PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, new SnapshotFunnelOptions { Conversion = EurToPln });

        // qualification: 20,000 PLN + 5,000 EUR × 4.25 = 41,250 PLN; weighted 5,000 + 1,250 × 4.25 = 10,312.50 PLN.
        AssertRow(funnel.Stages[1].Values.Single(), "PLN", 2, 41_250m, 10_312.5m, 41_250m / 231_250m);
        AssertRow(funnel.OpenValues.Single(), "PLN", 6, 231_250m, 125_312.5m, 1m);
    }

    [Fact]
    public void Snapshot_ConversionWithoutARate_ThrowsNamingTheCurrency()
    {
        var rates = new ExchangeRates("PLN", [new("USD", 3.9m)]);

        var error = Assert.Throws<MissingExchangeRateException>(() =>
            PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, new SnapshotFunnelOptions { Conversion = rates }));

        Assert.Equal("EUR", error.FromCurrency);
        Assert.Contains("no exchange rate from EUR to PLN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_Owner_CountsOnlyTheirDeals()
    {
        // bob's open deals at day 30: D3 (offer) and D4 (negotiation).
        var funnel = PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, new SnapshotFunnelOptions { Owner = new UserId("bob") });

        Assert.Equal([0L, 0L, 1L, 1L], funnel.Stages.Select(s => s.Count));
        Assert.Null(funnel.Stages[0].Values.SingleOrDefault());
        Assert.Equal(2, funnel.Lost.Count);
        Assert.Equal(0, funnel.Won.Count);
    }

    [Fact]
    public void Snapshot_NoDeals_SharesUndefined()
    {
        var funnel = PipelineAnalytics.Snapshot([], PipelineDefinition.Default, WorkedExample.AsOf);

        Assert.Equal(0, funnel.OpenCount);
        Assert.All(funnel.Stages, s => Assert.Null(s.CountShare));
        Assert.Empty(funnel.OpenValues);
    }

    [Fact]
    public async Task SnapshotAsync_FromTheStoreAggregates_EqualsTheInMemoryFunnel()
    {
        var store = await StoreWith(WorkedExample.Deals);
        var options = new SnapshotFunnelOptions { ClosedPeriod = TestDeals.Days(10, 30), Conversion = EurToPln };

        var fromStore = await PipelineAnalytics.SnapshotAsync(store, PipelineDefinition.Default, WorkedExample.AsOf, options);
        var inMemory = PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, options);

        Assert.Equal(AnalyticsText.Describe(inMemory), AnalyticsText.Describe(fromStore));
    }

    [Fact]
    public void Snapshot_AllocatedBytes_DoNotGrowWithTheNumberOfDeals()
    {
        var pipeline = PipelineDefinition.Default;
        var many = Enumerable.Range(0, 20_000).Select(i => WorkedExample.Deals[i % WorkedExample.Deals.Count]).ToArray();
        var few = many[..100];
        _ = PipelineAnalytics.Snapshot(many, pipeline, WorkedExample.AsOf); // JIT and tiering out of the way

        var fewBytes = AllocatedBy(() => PipelineAnalytics.Snapshot(few, pipeline, WorkedExample.AsOf));
        var manyBytes = AllocatedBy(() => PipelineAnalytics.Snapshot(many, pipeline, WorkedExample.AsOf));

        // 200 × the deals, the same result shape: the same allocations (a few hundred bytes of slack for runtime noise).
        Assert.InRange(manyBytes, 0, fewBytes + 512);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool Snapshot_StageCounts_SumToTheOpenTotal(Scenario scenario)
    {
        var funnel = PipelineAnalytics.Snapshot(scenario.Deals, scenario.Pipeline, scenario.AsOf);
        var open = scenario.Deals.Count(d => PipelineAggregates.StageAt(d, scenario.AsOf) is { } s && scenario.Pipeline.Stage(s).IsOpen);
        return funnel.Stages.Sum(s => s.Count) == funnel.OpenCount
            && funnel.OpenCount == open
            && funnel.Stages.All(s => s.Count == s.Values.Sum(v => v.Count))
            && (open == 0 || funnel.Stages.Sum(s => s.CountShare!.Value) is > 0.9999999999m and < 1.0000000001m);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public bool Snapshot_WeightedValue_NeverExceedsValue(Scenario scenario)
    {
        var funnel = PipelineAnalytics.Snapshot(scenario.Deals, scenario.Pipeline, scenario.AsOf);
        return funnel.Stages.SelectMany(s => s.Values).Concat(funnel.OpenValues)
            .All(v => v.WeightedValue >= 0m && v.WeightedValue <= v.Value && v.ValueShare is null or (>= 0m and <= 1m));
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)])]
    public void Snapshot_RandomDeals_AgreesWithPipelineAggregates(Scenario scenario, bool anna)
    {
        UserId? owner = anna ? new UserId("anna") : null;
        var funnel = PipelineAnalytics.Snapshot(scenario.Deals, scenario.Pipeline, scenario.AsOf, new SnapshotFunnelOptions { Owner = owner, ClosedPeriod = scenario.Period });

        var expected = PipelineAggregates.Snapshot(scenario.Deals, scenario.Pipeline, scenario.AsOf, owner);
        var actual = funnel.Stages.SelectMany(s => s.Values.Select(v => new StageTotals(s.Stage, v.Currency, v.Count, v.Value, v.WeightedValue)));
        Assert.Equal(expected, actual);

        var closed = PipelineAggregates.Closed(scenario.Deals, scenario.Pipeline, scenario.Period.Start, scenario.Period.End, owner);
        Assert.Equal(closed.Sum(c => c.WonCount), funnel.Won.Count);
        Assert.Equal(closed.Sum(c => c.LostCount), funnel.Lost.Count);
        Assert.Equal(closed.Where(c => c.WonCount > 0).Select(c => Money.Of(c.WonValue, c.Currency)), funnel.Won.Values);
        Assert.Equal(closed.Where(c => c.LostCount > 0).Select(c => Money.Of(c.LostValue, c.Currency)), funnel.Lost.Values);
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)], MaxTest = 50)]
    public async Task SnapshotAsync_InMemoryStoreAggregates_EqualSnapshotOverTheDeals(Scenario scenario)
    {
        var store = await StoreWith(scenario.Deals);
        var options = new SnapshotFunnelOptions { ClosedPeriod = scenario.Period };

        var fromStore = await PipelineAnalytics.SnapshotAsync(store, scenario.Pipeline, scenario.AsOf, options);

        Assert.Equal(AnalyticsText.Describe(PipelineAnalytics.Snapshot(scenario.Deals, scenario.Pipeline, scenario.AsOf, options)), AnalyticsText.Describe(fromStore));
    }

    private static async Task<InMemoryStore> StoreWith(IEnumerable<OpportunityState> deals)
    {
        var store = new InMemoryStore();
        foreach (var deal in deals)
        {
            await store.SaveAsync(deal);
        }

        return store;
    }

    private static long AllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void AssertRow(OpenDealTotals row, string currency, long count, decimal value, decimal weighted, decimal? share)
    {
        Assert.Equal(currency, row.Currency);
        Assert.Equal(count, row.Count);
        Assert.Equal(value, row.Value);
        Assert.Equal(weighted, row.WeightedValue);
        Assert.Equal(share, row.ValueShare);
    }
}
