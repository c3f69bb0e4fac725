using System.Globalization;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>
/// The calculators over real data: the Maven CRM file (8,800 opportunities) loaded as recorded history by <see cref="MavenCrm"/>.
/// The hard-coded figures were counted from the file with a separate script (awk/python over sales_pipeline.csv and
/// products.csv) and are re-derived by a plain pass over the CSV rows in <see cref="Rows_SimplePass_GiveTheFiguresTheTestsExpect"/>.
/// </summary>
public sealed class MavenCrmTests
{
    private static readonly Interval Year2017 = new(Instant.FromUtc(2017, 1, 1, 0, 0), Instant.FromUtc(2018, 1, 1, 0, 0));
    private static readonly Interval Everything = new(Instant.FromUtc(2016, 1, 1, 0, 0), MavenCrm.AsOf);

    [Fact]
    public void Rows_SimplePass_GiveTheFiguresTheTestsExpect()
    {
        // deal_stage is column 5, close_value column 8; every close_date is in 2017 (2017-03-01 … 2017-12-31).
        var rows = MavenCrm.Rows;
        var byStage = rows.GroupBy(r => r[4]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(8_800, rows.Count);
        Assert.Equal(500, byStage["Prospecting"]);
        Assert.Equal(1_589, byStage["Engaging"]);
        Assert.Equal(4_238, byStage["Won"]);
        Assert.Equal(2_473, byStage["Lost"]);
        Assert.Equal(10_005_534m, rows.Where(r => r[4] == "Won").Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture)));
        Assert.All(rows.Where(r => r[6].Length > 0), r => Assert.StartsWith("2017-", r[6], StringComparison.Ordinal));
        Assert.Equal(8_800, MavenCrm.Deals.Count);
        Assert.All(MavenCrm.Deals, d => Assert.All(d.History, h => Assert.Equal(StageChangeKind.Imported, h.Kind)));
    }

    [Fact]
    public void Snapshot_AtTheExportDate_OpenDealsPerStage()
    {
        var funnel = PipelineAnalytics.Snapshot(MavenCrm.Deals, MavenCrm.Pipeline, MavenCrm.AsOf);

        // Open: the 500 Prospecting rows and the 1,589 Engaging rows. Values are product list prices:
        // prospecting Σ = 1,073,986 USD × 10 % = 107,398.60; engaging Σ = 3,892,229 USD × 50 % = 1,946,114.50.
        Assert.Equal(2_089, funnel.OpenCount);
        Assert.Equal(new OpenDealTotals("USD", 500, 1_073_986m, 107_398.6m, 1_073_986m / 4_966_215m), funnel.Stages[0].Values.Single());
        Assert.Equal(new OpenDealTotals("USD", 1_589, 3_892_229m, 1_946_114.5m, 3_892_229m / 4_966_215m), funnel.Stages[1].Values.Single());
        Assert.Equal(500m / 2_089, funnel.Stages[0].CountShare);

        // Everything closed by then: Won rows with Σ close_value 10,005,534; Lost rows at list price Σ 5,946,468.
        Assert.Equal(4_238, funnel.Won.Count);
        Assert.Equal([Money.Of(10_005_534m, "USD")], funnel.Won.Values);
        Assert.Equal(2_473, funnel.Lost.Count);
        Assert.Equal([Money.Of(5_946_468m, "USD")], funnel.Lost.Values);
    }

    [Fact]
    public void WinLoss_In2017_CountsValuesOwnersAndStageLostAt()
    {
        var report = PipelineAnalytics.WinLoss(MavenCrm.Deals, MavenCrm.Pipeline, Year2017);

        // Win rate by count = won ÷ (won + lost) = 4,238 ÷ 6,711 = 0.6315.
        Assert.Equal((4_238L, 2_473L), (report.Total.Won, report.Total.Lost));
        Assert.Equal(4_238m / 6_711m, report.Total.WinRateByCount);
        Assert.Equal(0.6315m, decimal.Round(report.Total.WinRateByCount!.Value, 4));

        // By value: 10,005,534 ÷ (10,005,534 + 5,946,468) = 151,599 ÷ 241,697 = 0.6272; average won deal 10,005,534 ÷ 4,238 = 2,360.91.
        var usd = report.Total.Values.Single();
        Assert.Equal(0.6272m, decimal.Round(usd.WinRateByValue!.Value, 4));
        Assert.Equal(2_360.91m, decimal.Round(usd.AverageWonDealSize!.Value, 2));

        // 30 sales agents; Darcel Schlecht (the most wins): won 349 worth 1,153,214, lost 204.
        Assert.Equal(30, report.ByOwner.Count);
        var darcel = report.ByOwner.Single(o => o.Owner.Value == "Darcel Schlecht").Figures;
        Assert.Equal((349L, 204L, 1_153_214m), (darcel.Won, darcel.Lost, darcel.Values.Single().WonValue));

        // Every loss left engaging (the file records nothing else); no loss reasons are recorded.
        Assert.Equal(("engaging", 2_473L, 1m), (report.ByStageLostAt.Single().Key, report.ByStageLostAt.Single().Lost, report.ByStageLostAt.Single().Share));
        Assert.Null(report.ByLossReason.Single().Key);
    }

    [Fact]
    public void SalesCycle_In2017_EngageToClose()
    {
        var report = PipelineAnalytics.SalesCycle(MavenCrm.Deals, MavenCrm.Pipeline, Year2017);

        // close_date − engage_date in days: won Σ 219,452 over 4,238 (mean 51.78), median 57;
        // lost Σ 102,578 over 2,473 (mean 41.48), median 14; all Σ 322,030 over 6,711, median 45.
        Assert.Equal(new CycleStatistics(4_238, 219_452m / 4_238, 57m), report.Won);
        Assert.Equal(new CycleStatistics(2_473, 102_578m / 2_473, 14m), report.Lost);
        Assert.Equal(new CycleStatistics(6_711, 322_030m / 6_711, 45m), report.All);
    }

    [Fact]
    public void ReachedStages_AllDeals_LenientCountsSkippedProspectingStrictDoesNot()
    {
        var lenient = PipelineAnalytics.ReachedStages(MavenCrm.Deals, MavenCrm.Pipeline, Everything, MavenCrm.AsOf);
        var strict = PipelineAnalytics.ReachedStages(MavenCrm.Deals, MavenCrm.Pipeline, Everything, MavenCrm.AsOf, new ReachedStageFunnelOptions { Counting = FunnelCounting.Strict });

        // Lenient: all 8,800 reached prospecting or later; 8,300 engaging or later (all but Prospecting); 4,238 won.
        Assert.Equal(8_800, lenient.CohortSize);
        Assert.Equal([8_800L, 8_300L, 4_238L], lenient.Stages.Select(s => s.Reached));
        Assert.Equal([null, 8_300m / 8_800, 4_238m / 8_300], lenient.Stages.Select(s => s.ConversionFromPrevious));

        // Strict: the file never records prospecting for engaged deals, so only the 500 still prospecting count, and none further.
        Assert.Equal([500L, 0L, 0L], strict.Stages.Select(s => s.Reached));
    }

    [Fact]
    public void TimeInStage_AtTheExportDate_FromEngageAndCloseDates()
    {
        var report = PipelineAnalytics.TimeInStage(MavenCrm.Deals, MavenCrm.Pipeline, MavenCrm.AsOf);

        // prospecting: 500 deals, each from the 2017-12-31 fallback to the as-of instant = 1 day.
        // engaging: 8,300 deals; closed ones from engage to close, open ones to 2018-01-01: Σ 639,538 days, median 68.
        Assert.Equal(new StageTime(new StageId("prospecting"), 500, 500, 500m, 1m, 1m), report.Stages[0]);
        Assert.Equal(new StageTime(new StageId("engaging"), 8_300, 8_300, 639_538m, 639_538m / 8_300, 68m), report.Stages[1]);
    }
}
