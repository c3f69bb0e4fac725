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
    public void Property_RandomPipelines_VelocityFromStoreFiguresEqualsThePerDealCalculator() =>
        CheckClosePeriods(c =>
        {
            var basis = c.Choice ? VelocityCycleBasis.AllClosedDeals : VelocityCycleBasis.WonDeals;
            var expected = PipelineAnalytics.Velocity(c.States, c.Pipeline, c.End, c.Period, new SalesVelocityOptions { Owner = c.Owner, CycleBasis = basis });
            var actual = PipelineAnalytics.VelocityFrom(
                PipelineAnalytics.SnapshotAsync(fixture.Aggregates, c.Pipeline, c.End, new SnapshotFunnelOptions { Owner = c.Owner, ClosedPeriod = c.Period }).GetAwaiter().GetResult(),
                fixture.Aggregates.WinLossAsync(c.Pipeline, c.Period, new WinLossOptions { Owner = c.Owner }).GetAwaiter().GetResult(),
                fixture.Aggregates.SalesCycleAsync(c.Pipeline, c.Period, new SalesCycleOptions { Owner = c.Owner }).GetAwaiter().GetResult(),
                basis);

            Assert.Equal(expected with { Values = [] }, actual with { Values = [] });
            Assert.Equal(expected.Values, actual.Values);
        });

    [Fact]
    public void Property_RandomPipelines_SnapshotFromWinLossEqualsThePerDealSnapshot() =>
        CheckClosePeriods(c =>
        {
            var expected = PipelineAnalytics.Snapshot(c.States, c.Pipeline, c.End, new SnapshotFunnelOptions { Owner = c.Owner, ClosedPeriod = c.Period });
            var actual = PipelineAnalytics.SnapshotFrom(
                c.Pipeline,
                c.End,
                fixture.Aggregates.SnapshotAsync(c.Pipeline, c.End, c.Owner).GetAwaiter().GetResult(),
                fixture.Aggregates.WinLossAsync(c.Pipeline, c.Period, new WinLossOptions { Owner = c.Owner }).GetAwaiter().GetResult());

            Assert.Equal(Structural.Text(expected), Structural.Text(actual));
        });
}
