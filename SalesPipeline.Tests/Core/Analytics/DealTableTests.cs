using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class DealTableTests
{
    private static readonly ExchangeRates ToPln = new("PLN", [new("EUR", 4.25m), new("USD", 3.9m)]);
    private static readonly ExchangeRates WithoutUsd = new("PLN", [new("EUR", 4.25m)]);
    private static readonly string?[] OwnerChoices = [null, "anna", "bob", "carol", "nobody"];
    private static readonly ExchangeRates?[] ConversionChoices = [null, ToPln, WithoutUsd];

    /// <summary>Nanosecond nudges: on an instant (most often), just before, just after, within and a whole tick away.</summary>
    private static readonly long[] Nudges = [0, 0, 0, -1, 1, 50, 99, 100, 101];

    [Fact]
    public void Snapshot_WorkedExample_EveryNumberAsComputedByHand()
    {
        var table = DealTable.From(WorkedExample.Deals, PipelineDefinition.Default);

        var funnel = PipelineAnalytics.Snapshot(table, WorkedExample.AsOf);

        // The numbers of SnapshotFunnelTests' worked example: open at day 30 are D1; D2, D10; D3, D9; D4.
        Assert.Equal(11, table.Count);
        Assert.Same(PipelineDefinition.Default, table.Pipeline);
        Assert.Equal(6, funnel.OpenCount);
        Assert.Equal([1L, 2L, 2L, 1L], funnel.Stages.Select(s => s.Count));

        // offer: D3 40,000 × its override 60 % = 24,000; D9 60,000 × 50 % = 30,000.
        var offer = Assert.Single(funnel.Stages[2].Values);
        Assert.Equal(("PLN", 100_000m, 54_000m), (offer.Currency, offer.Value, offer.WeightedValue));

        // EUR (D10 5,000 × 25 %) is kept apart from PLN (10,000 + 20,000 + 100,000 + 80,000; weighted 1,000 + 5,000 + 54,000 + 60,000).
        Assert.Equal([("EUR", 5_000m, 1_250m), ("PLN", 210_000m, 120_000m)], funnel.OpenValues.Select(v => (v.Currency, v.Value, v.WeightedValue)));

        // Closed by day 30: won D5 50,000 + D7 25,000; lost D6 30,000 + D8 15,000.
        Assert.Equal((2L, 2L), (funnel.Won.Count, funnel.Lost.Count));
        Assert.Equal([Money.Of(75_000m, "PLN")], funnel.Won.Values);
        Assert.Equal([Money.Of(45_000m, "PLN")], funnel.Lost.Values);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("anna")]
    public void SnapshotFrom_StageTotalsAndWinLossOfTheWorkedExample_EqualsTheSnapshotOverTheDeals(string? owner)
    {
        // The closed totals come from a win/loss computed without conversion; the conversion is the snapshot's own.
        var pipeline = PipelineDefinition.Default;
        var period = TestDeals.Days(10, 30);
        var who = owner is null ? (UserId?)null : new UserId(owner);
        foreach (var conversion in new[] { null, ToPln })
        {
            var expected = PipelineAnalytics.Snapshot(WorkedExample.Deals, pipeline, WorkedExample.AsOf, new SnapshotFunnelOptions { Owner = who, ClosedPeriod = period, Conversion = conversion });

            var funnel = PipelineAnalytics.SnapshotFrom(
                pipeline,
                WorkedExample.AsOf,
                SalesPipeline.Abstractions.PipelineAggregates.Snapshot(WorkedExample.Deals, pipeline, WorkedExample.AsOf, who),
                PipelineAnalytics.WinLoss(WorkedExample.Deals, pipeline, period, new WinLossOptions { Owner = who }),
                conversion);

            Assert.Equal(AnalyticsText.Describe(expected), AnalyticsText.Describe(funnel));
        }
    }

    [Fact]
    public void Snapshot_WorkedExampleWithOwnerPeriodAndConversion_EqualsTheSnapshotOverTheDeals()
    {
        var table = DealTable.From(WorkedExample.Deals, PipelineDefinition.Default);
        var options = new SnapshotFunnelOptions { Owner = new UserId("anna"), ClosedPeriod = TestDeals.Days(10, 30), Conversion = ToPln };

        var funnel = PipelineAnalytics.Snapshot(table, WorkedExample.AsOf, options);

        // anna's open deals at day 30: D1 10,000; D2 20,000 and D10 5,000 EUR × 4.25 = 21,250; D9 60,000. Won in days 10–30: D5, D7.
        Assert.Equal([1L, 2L, 1L, 0L], funnel.Stages.Select(s => s.Count));
        Assert.Equal(41_250m, funnel.Stages[1].Values.Single().Value);
        Assert.Equal((2L, 0L), (funnel.Won.Count, funnel.Lost.Count));
        Assert.Equal(AnalyticsText.Describe(PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, options)), AnalyticsText.Describe(funnel));
    }

    [Property(Arbitrary = [typeof(AnalyticsArbitraries)], MaxTest = 500)]
    public void Snapshot_RandomDealsAndOptions_EqualsTheSnapshotOverTheDeals(Scenario scenario, Scenario other, int[] nanoseconds, byte owner, byte period, byte conversion, byte nudge, byte periodNudge, ushort anchor)
    {
        // The other scenario's deals are of another pipeline (left out) or of the same one (more deals); every deal's
        // instants move by up to 250 ns, so that instants fall inside ticks.
        var deals = scenario.Deals.Concat(other.Deals)
            .Select((d, i) => nanoseconds.Length == 0 ? d : Shift(d, Math.Abs(nanoseconds[i % nanoseconds.Length] % 251)))
            .ToArray();

        // Half the time the as-of instant and the period's ends sit a few nanoseconds from a deal's change or close instant,
        // so that ties within one tick are decided by the nanoseconds.
        var changes = deals.SelectMany(d => d.History.Select(h => h.At)).ToArray();
        var closes = deals.Where(d => d.Outcome is not null).Select(d => d.Outcome!.ClosedAt).ToArray();
        var asOf = (anchor % 2 == 0 && changes.Length > 0 ? changes[anchor / 2 % changes.Length] : scenario.AsOf) + Ns(Nudges[nudge % Nudges.Length]);
        var (start, end) = anchor % 2 == 0 && closes.Length > 0
            ? (closes[anchor / 2 % closes.Length], closes[anchor / 3 % closes.Length])
            : (scenario.Period.Start, scenario.Period.End);
        (start, end) = start <= end ? (start, end) : (end, start);
        var shift = Ns(Nudges[periodNudge % Nudges.Length]);
        Interval?[] periods =
        [
            null,
            new Interval(start + shift, end + shift),
            new Interval(null, end + shift),
            new Interval(start + shift, null),
        ];
        var options = new SnapshotFunnelOptions
        {
            Owner = OwnerChoices[owner % OwnerChoices.Length] is { } o ? new UserId(o) : null,
            ClosedPeriod = periods[period % periods.Length],
            Conversion = ConversionChoices[conversion % ConversionChoices.Length],
        };

        var overDeals = Result(() => PipelineAnalytics.Snapshot(deals, scenario.Pipeline, asOf, options));
        var table = DealTable.From(deals, scenario.Pipeline);
        var overTable = Result(() => PipelineAnalytics.Snapshot(table, asOf, options));

        Assert.Equal(deals.Count(d => d.PipelineId == scenario.Pipeline.Id), table.Count);
        Assert.Equal(overDeals, overTable);
    }

    [Fact]
    public void Snapshot_InstantsWithinOneTick_AreComparedToTheNanosecond()
    {
        // One tick is 100 ns. D1 is created at t + 50 ns and lost at t + 150 ns; as of t + 49 ns it does not exist yet.
        var t = TestDeals.Day(1);
        var deal = TestDeals.Deal(PipelineDefinition.Default, "D1", Money.Of(100m, "PLN"), "anna", [("identification", t + Ns(50)), ("lost", t + Ns(150))]);
        var table = DealTable.From([deal], PipelineDefinition.Default);
        long OpenAt(long ns) => PipelineAnalytics.Snapshot(table, t + Ns(ns)).OpenCount;
        long LostIn(long start, long end) => PipelineAnalytics.Snapshot(table, t + Ns(1000), new() { ClosedPeriod = new Interval(t + Ns(start), t + Ns(end)) }).Lost.Count;

        Assert.Equal([0L, 1L, 1L, 0L], new[] { OpenAt(49), OpenAt(50), OpenAt(149), OpenAt(150) });
        Assert.Equal([0L, 1L, 1L, 0L], new[] { LostIn(0, 150), LostIn(0, 151), LostIn(150, 151), LostIn(151, 200) });
    }

    [Fact]
    public void From_DealsOfAnotherPipeline_AreLeftOut()
    {
        var small = TestDeals.Deal(AnalyticsArbitraries.Small, "S1", Money.Of(1m, "PLN"), "anna", [("lead", TestDeals.Day(0))]);

        var table = DealTable.From([.. WorkedExample.Deals, small], PipelineDefinition.Default);

        Assert.Equal(WorkedExample.Deals.Count, table.Count);
        Assert.Equal(6, PipelineAnalytics.Snapshot(table, WorkedExample.AsOf).OpenCount);
    }

    [Fact]
    public void Snapshot_OwnerWithoutDeals_EmptyFunnelAsOverTheDeals()
    {
        var table = DealTable.From(WorkedExample.Deals, PipelineDefinition.Default);
        var options = new SnapshotFunnelOptions { Owner = new UserId("nobody") };

        var funnel = PipelineAnalytics.Snapshot(table, WorkedExample.AsOf, options);

        Assert.Equal(0, funnel.OpenCount + funnel.Won.Count + funnel.Lost.Count);
        Assert.Equal(AnalyticsText.Describe(PipelineAnalytics.Snapshot(WorkedExample.Deals, PipelineDefinition.Default, WorkedExample.AsOf, options)), AnalyticsText.Describe(funnel));
    }

    [Fact]
    public void Snapshot_AllocatedBytes_DoNotGrowWithTheNumberOfDeals()
    {
        var many = DealTable.From(Enumerable.Range(0, 20_000).Select(i => WorkedExample.Deals[i % WorkedExample.Deals.Count]), PipelineDefinition.Default);
        var few = DealTable.From(WorkedExample.Deals.Take(100), PipelineDefinition.Default);
        _ = PipelineAnalytics.Snapshot(many, WorkedExample.AsOf); // JIT and tiering out of the way

        var fewBytes = AllocatedBy(() => PipelineAnalytics.Snapshot(few, WorkedExample.AsOf));
        var manyBytes = AllocatedBy(() => PipelineAnalytics.Snapshot(many, WorkedExample.AsOf));

        Assert.Equal(20_000, many.Count);
        Assert.InRange(manyBytes, 0, fewBytes + 512);
    }

    [Fact]
    public void From_NullArguments_ThrowNamingThem()
    {
        Assert.Equal("deals", Assert.Throws<ArgumentNullException>(() => DealTable.From(null!, PipelineDefinition.Default)).ParamName);
        Assert.Equal("pipeline", Assert.Throws<ArgumentNullException>(() => DealTable.From(WorkedExample.Deals, null!)).ParamName);
        Assert.Equal("table", Assert.Throws<ArgumentNullException>(() => PipelineAnalytics.Snapshot(null!, WorkedExample.AsOf)).ParamName);
    }

    [Fact]
    public void From_NullDeal_ThrowsNamingItsPosition()
    {
        var error = Assert.Throws<ArgumentException>(() => DealTable.From([WorkedExample.Deals[0], null!], PipelineDefinition.Default));

        Assert.Equal("deals", error.ParamName);
        Assert.Equal("The deals contain null at index 1; pass only recorded deals. (Parameter 'deals')", error.Message);
    }

    [Fact]
    public void From_StageNotInThePipeline_ThrowsAsTheSnapshotOverTheDeals()
    {
        var deal = WorkedExample.Deals[0];
        var stray = deal with { History = [deal.History[0] with { To = new StageId("nowhere") }] };

        var error = Assert.Throws<UnknownStageException>(() => DealTable.From([deal, stray], PipelineDefinition.Default));
        var overDeals = Assert.Throws<UnknownStageException>(() => PipelineAnalytics.Snapshot([deal, stray], PipelineDefinition.Default, WorkedExample.AsOf));

        Assert.Equal(new StageId("nowhere"), error.Stage);
        Assert.Equal(overDeals.Message, error.Message);
        Assert.Contains("has no stage 'nowhere'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_StageNotInThePipelineEarlierInTheHistory_ThrowsUpFront()
    {
        // Over the deals only the stage at the as-of instant is looked up; the table checks every entry once, when built.
        var deal = WorkedExample.Deals[1];
        var stray = deal with { History = [deal.History[0] with { To = new StageId("nowhere") }, deal.History[1]] };

        Assert.Throws<UnknownStageException>(() => DealTable.From([stray], PipelineDefinition.Default));
    }

    [Fact]
    public void From_DealWithoutCurrency_ThrowsNamingTheDeal()
    {
        var deal = WorkedExample.Deals[0] with { Value = default };

        var error = Assert.Throws<ArgumentException>(() => DealTable.From([deal], PipelineDefinition.Default));

        Assert.Equal("deals", error.ParamName);
        Assert.Contains($"Deal '{deal.Id}' has no currency", error.Message, StringComparison.Ordinal);
    }

    private static Duration Ns(long nanoseconds) => Duration.FromNanoseconds(nanoseconds);

    private static OpportunityState Shift(OpportunityState deal, long nanoseconds)
    {
        var by = Ns(nanoseconds);
        return deal with
        {
            History = [.. deal.History.Select(h => h with { At = h.At + by })],
            Outcome = deal.Outcome is { } o ? o with { ClosedAt = o.ClosedAt + by } : null,
        };
    }

    /// <summary>The funnel as canonical text, or the exception's type and message: both paths must agree on either.</summary>
    private static string Result(Func<SnapshotFunnel> snapshot)
    {
        try
        {
            return AnalyticsText.Describe(snapshot());
        }
        catch (MissingExchangeRateException error)
        {
            return $"{error.GetType().Name}: {error.Message}";
        }
    }

    private static long AllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
