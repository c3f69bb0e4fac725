using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>Velocity and the snapshot funnel from the figures a store aggregates equal the per-deal pass over the same deals.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public void Property_RandomPipelines_VelocityFromStoreFiguresEqualsThePerDealCalculator()
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from endDays in Gen.Choose(-5, 400)
            from spanDays in Gen.Choose(0, 300)
            from bounds in Gen.Choose(0, 3)
            from allClosed in Gen.Elements(false, true)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, endDays, spanDays, bounds, allClosed, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins);
                var end = BetweenMicroseconds(s.endDays, s.spanDays);
                var period = Period(s.bounds, end - Duration.FromDays(s.spanDays), end);
                var owner = s.ownerIndex < 0 ? (UserId?)null : owners[s.ownerIndex];
                var basis = s.allClosed ? VelocityCycleBasis.AllClosedDeals : VelocityCycleBasis.WonDeals;

                var expected = PipelineAnalytics.Velocity(states, pipeline, end, period, new SalesVelocityOptions { Owner = owner, CycleBasis = basis });
                var actual = PipelineAnalytics.VelocityFrom(
                    PipelineAnalytics.SnapshotAsync(fixture.Aggregates, pipeline, end, new SnapshotFunnelOptions { Owner = owner, ClosedPeriod = period }).GetAwaiter().GetResult(),
                    fixture.Aggregates.WinLossAsync(pipeline, period, new WinLossOptions { Owner = owner }).GetAwaiter().GetResult(),
                    fixture.Aggregates.SalesCycleAsync(pipeline, period, new SalesCycleOptions { Owner = owner }).GetAwaiter().GetResult(),
                    basis);

                Assert.Equal(expected with { Values = [] }, actual with { Values = [] });
                Assert.Equal(expected.Values, actual.Values);
            }));
    }

    [Fact]
    public void Property_RandomPipelines_SnapshotFromWinLossEqualsThePerDealSnapshot()
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from twins in Gen.Choose(0, 3)
            from endDays in Gen.Choose(-5, 400)
            from spanDays in Gen.Choose(0, 300)
            from bounds in Gen.Choose(0, 3)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, twins, endDays, spanDays, bounds, ownerIndex);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds, s.twins);
                var end = BetweenMicroseconds(s.endDays, s.spanDays);
                var period = Period(s.bounds, end - Duration.FromDays(s.spanDays), end);
                var owner = s.ownerIndex < 0 ? (UserId?)null : owners[s.ownerIndex];

                var expected = PipelineAnalytics.Snapshot(states, pipeline, end, new SnapshotFunnelOptions { Owner = owner, ClosedPeriod = period });
                var actual = PipelineAnalytics.SnapshotFrom(
                    pipeline,
                    end,
                    fixture.Aggregates.SnapshotAsync(pipeline, end, owner).GetAwaiter().GetResult(),
                    fixture.Aggregates.WinLossAsync(pipeline, period, new WinLossOptions { Owner = owner }).GetAwaiter().GetResult());

                Assert.Equal(Structural.Text(expected), Structural.Text(actual));
            }));
    }
}
