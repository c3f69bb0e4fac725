using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The history facts (snapshot, forecast, period figures, funnel, detail count, time in stage) equal the per-deal accumulators.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public void Property_RandomPipelines_StoreHistoryFactsEqualTheInMemoryAccumulators()
    {
        var owners = PropertyOwners;
        var period =
            from endDays in Gen.Choose(-300, 400)
            from spanDays in Gen.Choose(0, 300)
            from hasStart in Gen.Elements(true, true, false)
            select (endDays, spanDays, hasStart);
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from asOfDays in Gen.Choose(-5, 400)
            // Now and then many periods, whose facts take more than one packed word in a SQL store.
            from periodCount in Gen.Frequency((4, Gen.Choose(0, 3)), (1, Gen.Choose(10, 16)))
            from periods in Gen.ArrayOf(period, periodCount)
            from firstEndsAtAsOf in Gen.Elements(false, true)
            from cohort in period
            from cohortBounds in Gen.Choose(-1, 3)
            from strict in Gen.Elements(false, true)
            from detail in period
            from detailBounds in Gen.Choose(-1, 3)
            from stays in period
            from staysBounds in Gen.Choose(-1, 3)
            from limits in Gen.ArrayOf(Gen.Choose(0, 12), 4)
            from overdueDays in Gen.Choose(-1, 900)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, asOfDays, periods, firstEndsAtAsOf, cohort, cohortBounds, strict, detail, detailBounds, stays, staysBounds, limits, overdueDays, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                // Stale limits on some open stages, none, or all (the time in stage's stale counts).
                var pipeline = WithStaleLimits(Deals.IsolatedPipeline(), s.limits);
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins);

                // Instants between microseconds too; a period may end at the as-of instant itself, as a report's does.
                var asOf = BetweenMicroseconds(s.asOfDays, s.asOfDays);
                var periods = s.periods.Select((p, i) =>
                {
                    var end = i == 0 && s.firstEndsAtAsOf ? asOf : BetweenMicroseconds(p.endDays, p.spanDays);
                    return p.hasStart ? new NodaTime.Interval(end - Duration.FromDays(p.spanDays), end) : new NodaTime.Interval(null, end);
                }).ToList();
                var request = new HistoryFactsRequest(asOf)
                {
                    Owner = s.ownerIndex < 0 ? null : owners[s.ownerIndex],
                    OverdueBefore = s.overdueDays < 0 ? null : new LocalDate(2026, 1, 1).PlusDays(s.overdueDays),
                    Periods = periods,
                    Cohort = Bounded(s.cohort, s.cohortBounds),
                    Counting = s.strict ? FunnelCounting.Strict : FunnelCounting.Lenient,
                    DetailPeriod = Bounded(s.detail, s.detailBounds),
                    TimeInStagePeriod = Bounded(s.stays, s.staysBounds),
                };

                var facts = fixture.Aggregates.HistoryFactsAsync(pipeline, request).GetAwaiter().GetResult();

                var forecastOptions = new ForecastOptions { Owner = request.Owner, OverdueBefore = request.OverdueBefore };
                Assert.Equal(Structural.Text(PipelineAggregates.Snapshot(states, pipeline, asOf, request.Owner)), Structural.Text(facts.Open.Stages));
                Assert.Equal(Structural.Text(PipelineAnalytics.Forecast(states, pipeline, asOf, forecastOptions)), Structural.Text(facts.Open.Forecast));
                Assert.Equal(periods.Count, facts.Periods.Count);
                for (var i = 0; i < periods.Count; i++)
                {
                    var expected = DealPass.PeriodFigures(pipeline, periods[i], request.Owner);
                    DealPass.Run(states, expected);
                    Assert.Equal(Structural.Text(expected.Result()), Structural.Text(facts.Periods[i]));
                }

                if (request.Cohort is { } cohort)
                {
                    var funnel = DealPass.ReachedStages(pipeline, cohort, asOf, new ReachedStageFunnelOptions { Owner = request.Owner, Counting = request.Counting });
                    DealPass.Run(states, funnel);
                    Assert.Equal(Structural.Text(funnel.Result()), Structural.Text(facts.Funnel));
                }
                else
                {
                    Assert.Null(facts.Funnel);
                }

                if (request.TimeInStagePeriod is { } stayPeriod)
                {
                    var stays = DealPass.StageExits(pipeline, stayPeriod, asOf, request.Owner);
                    DealPass.Run(states, stays);
                    Assert.Equal(Structural.Text(stays.Result()), Structural.Text(facts.TimeInStage));
                }
                else
                {
                    Assert.Null(facts.TimeInStage);
                }

                Assert.Equal(
                    request.DetailPeriod is { } detail ? states.Count(d => (request.Owner is null || d.Owner == request.Owner) && ShownInDetail(d, pipeline, asOf, detail)) : null,
                    facts.DetailDeals);
            }));
    }

    [Fact]
    public async Task HistoryFactsAsync_OnlyTheAsOfInstant_EqualsOpenDealsAndLeavesTheRestOut()
    {
        var pipeline = Deals.IsolatedPipeline();
        var states = SaveRandomDeals(pipeline, [.. Enumerable.Range(1, 20)], 2);
        var asOf = Deals.Epoch + Duration.FromDays(120);

        var facts = await fixture.Aggregates.HistoryFactsAsync(pipeline, new HistoryFactsRequest(asOf));

        Assert.Equal(Structural.Text(await fixture.Aggregates.OpenDealsAsync(pipeline, asOf)), Structural.Text(facts.Open));
        Assert.NotEmpty(facts.Open.Stages);
        Assert.Empty(facts.Periods);
        Assert.Null(facts.Funnel);
        Assert.Null(facts.DetailDeals);
        Assert.NotEmpty(states);
    }

    [Fact]
    public async Task HistoryFactsAsync_DealsLostAtTheAsOfInstant_DetailCountsTheReopenedAndThoseLostInThePeriod()
    {
        var pipeline = Deals.IsolatedPipeline();
        var clock = Deals.Epoch;
        var reopened = Opportunity.Create(new NewOpportunity("Reopened", Money.Of(5m, "USD"), null, new LocalDate(2027, 1, 1)), pipeline, Deals.Anna, clock);
        reopened.Lose(pipeline, pipeline.LossReasons[0], "no budget", Deals.Anna, clock + Duration.FromHours(1));
        reopened.Reopen(pipeline, "budget found", Deals.Anna, clock + Duration.FromDays(3));
        var lostBefore = Opportunity.Create(new NewOpportunity("Lost before", Money.Of(7m, "PLN"), null, new LocalDate(2027, 1, 1)), pipeline, Deals.Anna, clock);
        lostBefore.Lose(pipeline, pipeline.LossReasons[0], "no budget", Deals.Anna, clock + Duration.FromHours(2));
        var lostInPeriod = Opportunity.Create(new NewOpportunity("Lost in period", Money.Of(9m, "PLN"), null, new LocalDate(2027, 1, 1)), pipeline, Deals.Anna, clock);
        lostInPeriod.Lose(pipeline, pipeline.LossReasons[0], "no budget", Deals.Anna, clock + Duration.FromDays(1) + Deals.Us(1));
        foreach (var deal in new[] { reopened, lostBefore, lostInPeriod })
        {
            await Store.SaveAsync(deal.ToState());
        }

        // At the as-of instant all three are lost; the reopened one has no close instant now, so the period cannot leave it out.
        var request = new HistoryFactsRequest(clock + Duration.FromDays(2)) { DetailPeriod = new NodaTime.Interval(clock + Duration.FromDays(1), clock + Duration.FromDays(2)) };

        var facts = await fixture.Aggregates.HistoryFactsAsync(pipeline, request);

        Assert.Equal(2, facts.DetailDeals);
    }

    [Fact]
    public async Task HistoryFactsAsync_WonCyclesSummingPast64BitMicroseconds_PeriodMeanCycleIsExact()
    {
        // A thousand deals of about 300 years each (as long as plausible dates allow): their cycles sum to about 9.5 * 10^18
        // microseconds, past a 64-bit integer, and each ends some microseconds past a whole second, so both halves of the stored
        // sum (seconds, microseconds) count.
        var pipeline = Deals.IsolatedPipeline();
        var created = Instant.FromUtc(1900, 1, 1, 0, 0);
        var states = new List<OpportunityState>();
        for (var i = 0; i < 1_000; i++)
        {
            var clock = created + Deals.Us(i * 7_919);
            var deal = Opportunity.Create(new NewOpportunity($"Long {i}", Money.Of(10m + i, "PLN"), null, new LocalDate(2100, 1, 1)), pipeline, Deals.Anna, clock);
            deal.LogActivity(NewActivity.Call("Closing call"), Deals.Anna, clock += Deals.Us(1));
            deal.RecordQualification(new QualificationData("Needs", null, Money.Of(1m, "PLN"), null), Deals.Anna, clock += Deals.Us(1));
            deal.AttachOffer(DocumentId.New(), "Offer", Deals.Anna, clock += Deals.Us(1));
            clock = Instant.FromUtc(2200, 12, 30, 0, 0) + Deals.Us(999_000 + (i * 104_729));
            while (!deal.IsClosed)
            {
                var moves = pipeline.PermittedMoves(deal);
                if (moves.Contains(Stages.Won))
                {
                    deal.Win(pipeline, Deals.Anna, clock += Deals.Us(1), "signed");
                }
                else
                {
                    deal.MoveTo(pipeline, moves.Where(s => pipeline.Stage(s).IsOpen).MaxBy(s => pipeline.Stage(s).Order), Deals.Anna, clock += Deals.Us(1));
                }
            }

            states.Add(deal.ToState());
            await Store.SaveAsync(deal.ToState());
        }

        var period = new NodaTime.Interval(Instant.FromUtc(2200, 12, 29, 0, 0), Instant.FromUtc(2200, 12, 31, 0, 0));
        var facts = await fixture.Aggregates.HistoryFactsAsync(pipeline, new HistoryFactsRequest(period.End) { Periods = [period] });

        var expected = DealPass.PeriodFigures(pipeline, period, null);
        DealPass.Run(states, expected);
        var figures = Assert.Single(facts.Periods[0].Currencies);
        Assert.Equal(1_000, figures.Won);
        Assert.True(states.Sum(d => (decimal)(d.Outcome!.ClosedAt - d.CreatedAt).TotalTicks / 10) > long.MaxValue);
        Assert.Equal(Structural.Text(expected.Result()), Structural.Text(facts.Periods[0]));
    }

    [Fact]
    public async Task DealCountsAsync_TwoPipelines_CountsEachOnesDealsInPipelineOrder()
    {
        var three = Deals.IsolatedPipeline();
        var five = Deals.IsolatedPipeline();
        SaveRandomDeals(three, [1, 2, 3]);
        SaveRandomDeals(five, [4, 5, 6, 7, 8]);

        var counts = await fixture.Aggregates.DealCountsAsync();

        Assert.Contains(new PipelineDeals(three.Id, 3), counts);
        Assert.Contains(new PipelineDeals(five.Id, 5), counts);
        Assert.Equal(counts.Select(c => c.Pipeline.Value).Order(StringComparer.Ordinal), counts.Select(c => c.Pipeline.Value));
    }

    [Fact]
    public void HistoryFactsRequest_PeriodWithoutEnd_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new HistoryFactsRequest(Deals.Epoch)
        {
            Periods = [new NodaTime.Interval(Deals.Epoch, Deals.Epoch + Duration.FromDays(1)), new NodaTime.Interval(Deals.Epoch, null)],
        });

        Assert.Contains("Periods[1] has no end", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The period of <paramref name="p"/> bounded both ways (0), from a start only (1), up to an end only (2), all time (3), or none (−1).</summary>
    private static NodaTime.Interval? Bounded((int EndDays, int SpanDays, bool HasStart) p, int bounds)
    {
        var end = BetweenMicroseconds(p.EndDays, p.SpanDays);
        return bounds < 0 ? null : Period(bounds, end - Duration.FromDays(p.SpanDays), end);
    }

    /// <summary>The detail sheet's rule: the stage at the as-of instant is open, or closed and not closed (still) outside the period.</summary>
    private static bool ShownInDetail(OpportunityState deal, PipelineDefinition pipeline, Instant asOf, NodaTime.Interval period)
    {
        if (PipelineAggregates.StageAt(deal, asOf) is not { } stageId)
        {
            return false;
        }

        var closedAt = pipeline.Stage(stageId).IsOpen ? null : deal.Outcome?.ClosedAt;
        return closedAt is not { } closed || period.Contains(closed);
    }
}
