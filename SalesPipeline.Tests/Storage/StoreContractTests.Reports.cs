using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Reporting.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The report built over a store (its SQL aggregates and its deal pass) equals the one built over the same deals in memory.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public void Property_RandomPipelines_ReportModelEqualsTheOneOverTheInMemoryCalculators()
    {
        var owners = PropertyOwners;
        var scenario =
            from seeds in RandomSeeds
            from fromDays in Gen.Choose(-5, 300)
            from spanDays in Gen.Choose(0, 200)
            from limit in Gen.Choose(0, 35)
            from ownerIndex in Gen.Choose(-1, owners.Length - 1)
            select (seeds, fromDays, spanDays, limit, ownerIndex);
        var clock = new FakeClock(Deals.Epoch + Duration.FromDays(500));
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(25),
            Prop.ForAll(scenario.ToArbitrary(), s =>
            {
                var pipeline = Deals.IsolatedPipeline();
                var states = SaveRandomDeals(pipeline, s.seeds);

                // The reference keeps the deals in the order the store streams them (a database: by id), so the first rows of
                // the detail sheet are the same deals on both sides.
                var reference = new InMemoryStore();
                var byId = states.ToDictionary(d => d.Id);
                foreach (var id in Ids(pipeline).GetAwaiter().GetResult())
                {
                    reference.SaveAsync(byId[id] with { Version = 0 }).GetAwaiter().GetResult();
                }

                var from = Deals.Epoch.InUtc().Date.PlusDays(s.fromDays);
                var request = new ReportRequest(
                    pipeline, from, from.PlusDays(s.spanDays), DateTimeZone.Utc, s.ownerIndex < 0 ? null : owners[s.ownerIndex], "en", ReportKind.All, s.limit);
                var expected = new ReportBuilder(reference, reference, clock).BuildAsync(request, CancellationToken.None).GetAwaiter().GetResult();
                var builder = new ReportBuilder(fixture.Aggregates, fixture.Accounts, clock, fixture.Services.GetService<IConsistentReads>());
                var actual = builder.BuildAsync(request, CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal(Figures(expected), Figures(actual));
            }));
    }

    /// <summary>Every figure of the report model, amounts without trailing zeros (a database keeps the currency's scale).</summary>
    private static string Figures(ReportModel m) => Structural.Text(new object?[]
    {
        m.Summary, m.Snapshot, m.Cohort, m.ThisPeriod, m.PreviousPeriod, m.YearEarlier, m.WinLoss, m.Forecast, m.ForecastOverdue,
        m.TimeInStage, m.Accounts, m.Opportunities, m.OmittedOpportunities,
    });

    private async Task<List<OpportunityId>> Ids(Process.PipelineDefinition pipeline)
    {
        var ids = new List<OpportunityId>();
        await foreach (var deal in Store.QueryAsync(new OpportunityQuery(pipeline.Id)))
        {
            ids.Add(deal.Id);
        }

        return ids;
    }
}
