using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The streamed pass hands every accumulator the deals exactly as the store reads them back.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task PassAsync_DealsWithEveryNullableColumnSetAndEmpty_FeedsEachAccumulatorTheStatesFindAsyncReturns()
    {
        var pipeline = Deals.IsolatedPipeline();
        var saved = new List<OpportunityState>();
        foreach (var state in PassDeals(pipeline))
        {
            await Store.SaveAsync(state);
            saved.Add(state);
        }

        // A deal of another pipeline is never fed.
        await Store.SaveAsync(Deals.Build(Deals.IsolatedPipeline(), Deals.Anna, new Random(1), 6));

        foreach (var owner in new UserId?[] { null, Deals.Anna, PropertyOwners[1] })
        {
            var first = new Recorder();
            var second = new Recorder();
            await fixture.Aggregates.PassAsync(pipeline, owner, [first, second]);

            // In id order, each as it reads back but for the activities and offers the pass leaves out.
            var expected = new List<OpportunityState>();
            await foreach (var listed in Store.QueryAsync(new OpportunityQuery(pipeline.Id, owner)))
            {
                expected.Add(WithoutChildren((await Store.FindAsync(listed.Id))!));
            }

            expected = [.. expected.OrderBy(d => d.Id.Value)];

            Assert.Equal(saved.Count(s => owner is null || s.Owner == owner), expected.Count);
            Assert.Equal(expected, first.Deals.Select(WithoutChildren));
            Assert.Equal(expected, second.Deals.Select(WithoutChildren));
        }
    }

    [Fact]
    public async Task PassAsync_EveryAccumulatorCompleteAfterSomeDeals_StopsHavingFedTheFirstDealsInIdOrder()
    {
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(29);
        for (var i = 0; i < 40; i++)
        {
            await Store.SaveAsync(Deals.Build(pipeline, PropertyOwners[i % 2], random, random.Next(0, 6)));
        }

        foreach (var owner in new UserId?[] { null, PropertyOwners[1] })
        {
            var all = new Recorder();
            await fixture.Aggregates.PassAsync(pipeline, owner, [all]);
            var ids = all.Deals.Select(d => d.Id.Value).ToList();
            Assert.Equal(owner is null ? 40 : 20, ids.Count);
            Assert.Equal(ids.Order(), ids);

            // The pass stops once the last accumulator completes; one completed earlier is still fed until then.
            var seven = new Recorder { CompleteAfter = 7 };
            var twelve = new Recorder { CompleteAfter = 12 };
            await fixture.Aggregates.PassAsync(pipeline, owner, [seven, twelve]);
            Assert.Equal(ids.Take(12), twelve.Deals.Select(d => d.Id.Value));
            Assert.Equal(ids.Take(12), seven.Deals.Select(d => d.Id.Value));
            Assert.Equal(all.Deals.Take(12), twelve.Deals);

            // One accumulator that never completes keeps the pass reading to the end.
            var early = new Recorder { CompleteAfter = 3 };
            var rest = new Recorder();
            await fixture.Aggregates.PassAsync(pipeline, owner, [early, rest]);
            Assert.Equal(ids, rest.Deals.Select(d => d.Id.Value));
            Assert.Equal(ids, early.Deals.Select(d => d.Id.Value));

            // Complete before the first deal: nothing is read.
            var none = new Recorder { CompleteAfter = 0 };
            await fixture.Aggregates.PassAsync(pipeline, owner, [none]);
            Assert.Empty(none.Deals);
        }
    }

    [Fact]
    public async Task PassAsync_ClosedSince_FeedsOnlyTheOpenDealsAndThoseClosedAtOrAfterIt()
    {
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(37);
        for (var i = 0; i < 60; i++)
        {
            await Store.SaveAsync(Deals.Build(pipeline, PropertyOwners[i % 2], random, random.Next(0, 8)));
        }

        var all = new Recorder();
        await fixture.Aggregates.PassAsync(pipeline, null, [all]);
        var closes = all.Deals.Where(d => d.Outcome is not null).Select(d => d.Outcome!.ClosedAt).Order().ToList();
        Assert.True(closes.Count >= 4, "the random deals should hold closed ones");

        // On a close instant (kept: closed at the bound), just after one, and before every close (between microseconds).
        var bounds = new[] { (closes[closes.Count / 2], true), (closes[closes.Count / 3] + Duration.FromNanoseconds(1), true), (closes[0] - Duration.FromNanoseconds(500), false) };
        foreach (var (since, leavesSomeOut) in bounds)
        {
            var kept = new Recorder();
            await fixture.Aggregates.PassAsync(pipeline, null, [kept], since);

            var expected = all.Deals.Where(d => d.Outcome is not { } outcome || outcome.ClosedAt >= since).ToList();
            Assert.Equal(leavesSomeOut, expected.Count < all.Deals.Count);
            Assert.Equal(expected, kept.Deals);
        }
    }

    /// <summary>
    /// Deals that set and leave empty each nullable column (account, override, next contact, qualification and each of its
    /// fields, outcome reason and comment, external id, history comments), closed both ways and reopened, and random deals
    /// with long histories, of two owners.
    /// </summary>
    private static List<OpportunityState> PassDeals(PipelineDefinition pipeline)
    {
        var deals = new List<OpportunityState>();
        var rich = RichDeal(pipeline, out var clock);
        deals.Add(rich);

        var bare = Opportunity.Create(new NewOpportunity("Bare", Money.Of(1m, "JPY"), null, new LocalDate(2026, 12, 1)), pipeline, Deals.Anna, clock);
        deals.Add(bare.ToState());

        var emptyQualification = Opportunity.Create(new NewOpportunity("Empty qualification", Money.Of(0.125m, "KWD"), null, new LocalDate(2026, 2, 28)), pipeline, Deals.Anna, clock);
        emptyQualification.RecordQualification(new QualificationData(null, null, null, null), Deals.Anna, clock += Duration.FromMinutes(1));
        emptyQualification.ScheduleNextContact(clock + Duration.FromDays(2) + Deals.Us(7), Deals.Anna, clock += Duration.FromMinutes(1));
        deals.Add(emptyQualification.ToState());

        var won = Opportunity.Restore(rich with { Id = OpportunityId.New(), ExternalId = null, Version = 0 }, pipeline);
        won.MoveTo(pipeline, Stages.Negotiation, Deals.Anna, clock += Duration.FromHours(1), "price talks");
        won.Win(pipeline, Deals.Anna, clock += Duration.FromHours(1), "signed");
        deals.Add(won.ToState());

        var lost = Opportunity.Create(new NewOpportunity("Lost", Money.Of(99.99m, "EUR"), new AccountId(Guid.NewGuid()), new LocalDate(2026, 6, 30)), pipeline, Deals.Anna, clock);
        lost.Lose(pipeline, pipeline.LossReasons[0], "lost on price", Deals.Anna, clock += Duration.FromHours(1));
        var lostState = lost.ToState();

        // The process asks for a closing comment; data from another system may lack one.
        deals.Add(lostState with { Outcome = lostState.Outcome! with { Comment = null } });

        var reopened = Opportunity.Create(new NewOpportunity("Reopened", Money.Of(5m, "USD"), null, new LocalDate(2027, 1, 1), ExternalId: "ext-reopened"), pipeline, Deals.Anna, clock);
        reopened.Lose(pipeline, pipeline.LossReasons[^1], "no budget", Deals.Anna, clock += Duration.FromHours(1));
        reopened.Reopen(pipeline, "budget found", Deals.Anna, clock += Duration.FromHours(1));
        reopened.OverrideProbability(0, Deals.Anna, clock += Duration.FromHours(1));
        deals.Add(reopened.ToState());

        var random = new Random(17);
        for (var i = 0; i < 30; i++)
        {
            deals.Add(Deals.Build(pipeline, PropertyOwners[i % 2], random, random.Next(0, 25)));
        }

        return deals;
    }

    /// <summary>The deal without the activities and offers a pass may leave out.</summary>
    private static OpportunityState WithoutChildren(OpportunityState deal) => deal with { Activities = [], Offers = [] };

    /// <summary>Keeps every deal it is fed; complete once it holds <see cref="CompleteAfter"/> deals, when that is given.</summary>
    internal sealed class Recorder : IDealAccumulator
    {
        public List<OpportunityState> Deals { get; } = [];

        public int? CompleteAfter { get; init; }

        public bool IsComplete => Deals.Count >= CompleteAfter;

        public void Add(OpportunityState deal) => Deals.Add(deal);
    }
}
