using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>Time in stage and revenue per account as the store computes them equal the per-deal accumulators.</summary>
public abstract partial class StoreContractTests
{
    private static readonly AccountId[] PropertyAccounts = [.. Enumerable.Range(1, 4).Select(i => new AccountId(new Guid(i, 0, 0, new byte[8])))];

    [Fact]
    public void Property_RandomPipelines_StoreStageExitsEqualTheAccumulator()
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from limits in Gen.ArrayOf(Gen.Choose(0, 12), 4)
            from instants in Gen.ArrayOf(Gen.Choose(-5, 400), 3)
            from jitter in Gen.ArrayOf(Gen.Choose(0, 5_000), 3)
            from bounds in Gen.Choose(0, 3)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, limits, instants, jitter, bounds, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = WithStaleLimits(Deals.IsolatedPipeline(), s.limits);
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins);
                var (period, asOf) = PeriodAndInstant(states, s.instants, s.jitter, s.bounds);
                var owner = s.ownerIndex < 0 ? (UserId?)null : owners[s.ownerIndex];

                var expected = Reference(DealPass.StageExits(pipeline, period, asOf, owner), states);
                Assert.Equal(expected, fixture.Aggregates.StageExitsAsync(pipeline, period, asOf, owner).GetAwaiter().GetResult());
            }));
    }

    [Fact]
    public void Property_RandomPipelines_StoreAccountRevenueEqualsTheAccumulator()
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from instants in Gen.ArrayOf(Gen.Choose(-5, 400), 3)
            from jitter in Gen.ArrayOf(Gen.Choose(0, 5_000), 3)
            from bounds in Gen.Choose(0, 3)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, instants, jitter, bounds, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins, (state, random) => WonBySome(pipeline, state, random));
                var (period, asOf) = PeriodAndInstant(states, s.instants, s.jitter, s.bounds);
                var owner = s.ownerIndex < 0 ? (UserId?)null : owners[s.ownerIndex];

                var expected = Reference(DealPass.AccountRevenue(pipeline, period, asOf, owner), states);
                Assert.Equal(expected, fixture.Aggregates.AccountRevenueAsync(pipeline, period, asOf, owner).GetAwaiter().GetResult());
            }));
    }

    [Fact]
    public async Task StageExitsAsync_StaysOfEqualLengthAndEntriesAtTheBounds_CountsAsTheAccumulatorDoes()
    {
        var pipeline = WithStaleLimits(Deals.IsolatedPipeline(), [2, 0, 1, 3]);
        var start = Deals.Epoch + Duration.FromDays(10);
        var states = new List<OpportunityState>();

        // Deals that leave identification after 3, 3, 3 and 5 days in the period (median 3, mean 3.5), the first right at its
        // start; one that leaves right at its end (outside the period, but by the as-of instant); one still there, stale.
        foreach (var (created, days) in new[] { (start - Duration.FromDays(3), 3), (start, 3), (start + Deals.Us(1), 3), (start + Duration.FromDays(1), 5), (start + Duration.FromDays(4), 3), (start, 40) })
        {
            var deal = Opportunity.Create(new NewOpportunity("Stay", Money.Of(10m, "PLN"), null, new LocalDate(2026, 6, 1), Deals.Anna, pipeline.Id), pipeline, Deals.Anna, created);
            deal.LogActivity(NewActivity.Call("Intro call"), Deals.Anna, created + Duration.FromMinutes(1));
            if (days < 40)
            {
                deal.MoveTo(pipeline, Stages.Qualification, Deals.Anna, created + Duration.FromDays(days));
            }

            await Store.SaveAsync(deal.ToState());
            states.Add(fixture.Expected(deal.ToState(), 1));
        }

        var end = start + Duration.FromDays(7);
        var asOf = end + Deals.Us(1) / 2;
        var exits = await fixture.Aggregates.StageExitsAsync(pipeline, new NodaTime.Interval(start, end), asOf);

        Assert.Equal(Reference(DealPass.StageExits(pipeline, new NodaTime.Interval(start, end), asOf), states), exits);
        Assert.Equal(new StageExits(Stages.Identification, 4, 3.5m, 3m, 1, Duration.FromDays(2), 1), exits[0]);
        Assert.Equal(new StageExits(Stages.Qualification, 0, null, null, 5, null, 0), exits[1]);
    }

    /// <summary>
    /// A period (<paramref name="bounds"/> as <see cref="Period"/> takes them) and an as-of instant: each instant either between
    /// microseconds or, for an odd jitter, exactly the instant of a history entry or a close, so they fall on the bounds. Most
    /// often the as-of instant is the latest of the three, as in a report.
    /// </summary>
    private static (NodaTime.Interval Period, Instant AsOf) PeriodAndInstant(List<OpportunityState> states, int[] days, int[] jitter, int bounds)
    {
        var entries = states.SelectMany(d => d.History.Select(h => h.At).Append(d.Outcome?.ClosedAt ?? d.CreatedAt)).ToList();
        var picks = Enumerable.Range(0, 3)
            .Select(i => jitter[i] % 2 == 1 && entries.Count > 0 ? entries[jitter[i] % entries.Count] : BetweenMicroseconds(days[i], jitter[i]))
            .ToArray();
        if (jitter[2] % 3 != 0)
        {
            Array.Sort(picks);
        }

        return (Period(bounds, picks[0] < picks[1] ? picks[0] : picks[1], picks[0] < picks[1] ? picks[1] : picks[0]), picks[2]);
    }

    /// <summary>
    /// The deal, for most seeds won (its requirements met and moved forward to the won stage) if it is open, with its account
    /// (if any) one of four, so an account wins several deals, some of them in one currency.
    /// </summary>
    private static OpportunityState WonBySome(PipelineDefinition pipeline, OpportunityState state, Random random)
    {
        if (state.Account is not null)
        {
            state = state with { Account = PropertyAccounts[random.Next(PropertyAccounts.Length)] };
        }

        if (state.Outcome is not null || random.Next(4) == 0)
        {
            return state;
        }

        var deal = Opportunity.Restore(state, pipeline);
        var by = deal.Owner;
        var clock = state.History[^1].At > state.LastChangedAt ? state.History[^1].At : state.LastChangedAt;
        deal.LogActivity(NewActivity.Call("Closing call"), by, clock += Duration.FromHours(random.Next(1, 2_000)) + Deals.Us(random.Next(1_000_000)));
        deal.RecordQualification(new QualificationData("Needs", null, Money.Of(1m, deal.Value.Currency), null), by, clock += Deals.Us(1));
        deal.AttachOffer(DocumentId.New(), "Offer", by, clock += Deals.Us(1));
        while (!deal.IsClosed)
        {
            var moves = pipeline.PermittedMoves(deal);
            if (moves.Contains(Stages.Won))
            {
                deal.Win(pipeline, by, clock += Duration.FromHours(random.Next(1, 200)), "signed");
            }
            else
            {
                deal.MoveTo(pipeline, moves.Where(s => pipeline.Stage(s).IsOpen).MaxBy(s => pipeline.Stage(s).Order), by, clock += Duration.FromHours(random.Next(1, 200)));
            }
        }

        return deal.ToState();
    }

    private static T Reference<T>(IDealAccumulator<T> accumulator, IEnumerable<OpportunityState> deals)
    {
        DealPass.Run(deals, accumulator);
        return accumulator.Result();
    }

    /// <summary>The pipeline with the stale-after limits of its open stages in days, in order (0: no limit).</summary>
    private static PipelineDefinition WithStaleLimits(PipelineDefinition pipeline, int[] days)
    {
        var json = JsonNode.Parse(pipeline.ToJson())!;
        var open = 0;
        foreach (var stage in json["stages"]!.AsArray())
        {
            if ((string?)stage!["kind"] == "open")
            {
                var limit = days[open++ % days.Length];
                stage["staleAfterDays"] = limit > 0 ? limit : null;
            }
        }

        return PipelineDefinition.FromJson(json.ToJsonString());
    }
}
