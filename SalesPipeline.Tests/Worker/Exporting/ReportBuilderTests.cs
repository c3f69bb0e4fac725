using ClosedXML.Excel;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Tests.Storage;
using LtvInputs = SalesPipeline.Reporting.Worker.Exporting.LtvInputs;
using TestDeals = SalesPipeline.Tests.Core.Analytics.TestDeals;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>
/// A hand-worked data set: every figure of the period comparison, the Time in Stage sheet, the Accounts sheet (revenue and
/// lifetime value) and the Forecast's overdue row is worked out in the comments and written out in the assertions.
/// </summary>
/// <remarks>
/// The report covers Q1 2026 in UTC: days 0–89 of <see cref="TestDeals.Day"/> (day 0 = 2026-01-01), as of day 90
/// (2026-04-01T00:00Z). The previous period is Q4 2025 (days −92 to −1, as of day 0); a year earlier is Q1 2025 (days −365 to
/// −276, as of day −275). Every deal is in PLN and in the default pipeline (probabilities 10/25/50/75 %; stale after
/// 14/21/14/30 days).
/// <code>
/// deal  account value   path (stage@day)                                           expected close
/// Y0    Acme    10,000  identification@-670 qualification@-660 offer@-650 won@-640
/// Y1    Acme    10,000  identification@-360 qualification@-350 offer@-340 won@-330
/// P1    Acme    20,000  identification@-80 qualification@-70 offer@-60 negotiation@-50 won@-40
/// P2    —        5,000  identification@-60 lost@-30
/// P3    —       40,000  identification@-20 qualification@-10 offer@5 negotiation@40 (open)  2026-03-15 (overdue)
/// T1    Acme    30,000  identification@10 qualification@20 offer@30 won@50
/// T2    Beta    50,000  identification@15 qualification@25 offer@35 negotiation@45 won@75
/// T3    —        8,000  identification@20 lost@26
/// T4    —       12,000  identification@60 qualification@70 (open)                          2026-05-20
/// T5    —        6,000  identification@40 (open, probability override 20 %)                 2026-04-10
/// T6    Beta    99,000  identification@95 qualification@96 offer@97 won@98 (after the report: in no figure)
/// </code>
/// </remarks>
public sealed class ReportBuilderTests
{
    private static readonly PipelineDefinition Pipeline = PipelineDefinition.Default;

    [Fact]
    public async Task BuildAsync_HandWorkedQuarter_ComparesWithThePreviousQuarterAndTheSameQuarterAYearEarlier()
    {
        var model = await BuildAsync(new LtvInputs());

        // This period: won T1, T2; lost T3 → win rate 2/3. Cycles (created → won): T1 50 − 10 = 40, T2 75 − 15 = 60 → mean 50.
        // Created: T1, T2, T3, T4, T5 = 5 deals, 30,000 + 50,000 + 8,000 + 12,000 + 6,000 = 106,000.
        // Open at day 90: P3 in negotiation (40,000 × 75 % = 30,000), T4 in qualification (12,000 × 25 % = 3,000),
        // T5 in identification with its 20 % override (6,000 × 20 % = 1,200): 3 deals, 58,000, weighted 34,200.
        Assert.Equal((new LocalDate(2026, 1, 1), new LocalDate(2026, 3, 31)), (model.ThisPeriod!.From, model.ThisPeriod.To));
        Assert.Equal(new PeriodFigures("PLN", 2, 1, 2m / 3m, 50m, 5, 106_000m, 3, 58_000m, 34_200m), Assert.Single(model.ThisPeriod.Figures));

        // Previous period (Q4 2025): won P1 (cycle −40 − (−80) = 40), lost P2 → 1/2. Created P1, P2, P3 = 65,000.
        // Open at day 0: P3 in qualification since day −10 → 40,000, weighted 25 % = 10,000.
        Assert.Equal((new LocalDate(2025, 10, 1), new LocalDate(2025, 12, 31)), (model.PreviousPeriod!.From, model.PreviousPeriod.To));
        Assert.Equal(new PeriodFigures("PLN", 1, 1, 0.5m, 40m, 3, 65_000m, 1, 40_000m, 10_000m), Assert.Single(model.PreviousPeriod.Figures));

        // A year earlier (Q1 2025): Y1 created day −360 and won day −330 (cycle 30); nothing open at day −275.
        Assert.Equal((new LocalDate(2025, 1, 1), new LocalDate(2025, 3, 31)), (model.YearEarlier!.From, model.YearEarlier.To));
        Assert.Equal(new PeriodFigures("PLN", 1, 0, 1m, 30m, 1, 10_000m, 0, 0m, 0m), Assert.Single(model.YearEarlier.Figures));
    }

    [Fact]
    public async Task BuildAsync_HandWorkedQuarter_SummaryShowsEachPeriodAndTheChange()
    {
        var model = await BuildAsync(new LtvInputs());
        using var workbook = Write(model);
        var sheet = workbook.Worksheet("Summary");
        var header = sheet.RowsUsed().Single(r => r.Cell(1).GetString() == "Compared with earlier periods (PLN)").RowNumber();

        Assert.Equal(
            ["This period", "Previous period", "Change", "A year earlier", "Change"],
            Enumerable.Range(2, 5).Select(c => sheet.Cell(header, c).GetString()));
        Assert.Equal(
            ["2026-01-01 – 2026-03-31", "2025-10-01 – 2025-12-31", "", "2025-01-01 – 2025-03-31"],
            Enumerable.Range(2, 4).Select(c => sheet.Cell(header + 1, c).GetString()));

        // label: this, previous, change, year earlier, change
        (string Label, decimal[] Values)[] expected =
        [
            ("Won", [2, 1, 1, 1, 1]),
            ("Lost", [1, 1, 0, 0, 1]),
            ("Win rate (count)", [2m / 3m, 0.5m, (2m / 3m) - 0.5m, 1m, (2m / 3m) - 1m]),
            ("Average cycle (days)", [50, 40, 10, 30, 20]),
            ("New pipeline created (deals)", [5, 3, 2, 1, 4]),
            ("New pipeline created (value)", [106_000, 65_000, 41_000, 10_000, 96_000]),
            ("Open deals at the end", [3, 1, 2, 0, 3]),
            ("Open value at the end", [58_000, 40_000, 18_000, 0, 58_000]),
            ("Weighted value at the end", [34_200, 10_000, 24_200, 0, 34_200]),
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            var row = sheet.Row(header + 2 + i);
            Assert.Equal(expected[i].Label, row.Cell(1).GetString());
            Assert.Equal(expected[i].Values.Select(v => Math.Round(v, 10)), Enumerable.Range(2, 5).Select(c => Math.Round(row.Cell(c).GetValue<decimal>(), 10)));
        }

        Assert.Equal("+#,##0;-#,##0;0", sheet.Row(header + 2).Cell(4).Style.NumberFormat.Format);
        Assert.Equal("+#,##0.00 \"PLN\";-#,##0.00 \"PLN\";0.00 \"PLN\"", sheet.Row(header + 7).Cell(4).Style.NumberFormat.Format);
    }

    [Fact]
    public async Task BuildAsync_NoDealByTheEndOfTheYearEarlierPeriod_LeavesThatComparisonOut()
    {
        // Only the deals of this period: nothing existed a year earlier.
        var model = await BuildAsync(new LtvInputs(), Deals().Where(d => d.Name.StartsWith('T')));

        Assert.Null(model.YearEarlier);
        using var workbook = Write(model);
        var sheet = workbook.Worksheet("Summary");
        var header = sheet.RowsUsed().Single(r => r.Cell(1).GetString() == "Compared with earlier periods (PLN)").RowNumber();
        Assert.Equal(["This period", "Previous period", "Change", ""], Enumerable.Range(2, 4).Select(c => sheet.Cell(header, c).GetString()));
    }

    [Fact]
    public async Task BuildAsync_HandWorkedQuarter_TimeInStageCountsStaysThatEndedInThePeriodAndStaleDeals()
    {
        var model = await BuildAsync(new LtvInputs());

        // Stays whose next history entry falls in days 0–89:
        //   identification: T1 10→20 (10), T2 15→25 (10), T3 20→26 (6), T4 60→70 (10) → 4, mean 36/4 = 9, median (10+10)/2 = 10
        //   qualification:  P3 −10→5 (15), T1 20→30 (10), T2 25→35 (10)                → 3, mean 35/3, median 10
        //   offer:          P3 5→40 (35), T1 30→50 (20), T2 35→45 (10)                  → 3, mean 65/3, median 20
        //   negotiation:    T2 45→75 (30)                                                → 1, mean 30, median 30
        // At day 90: T5 in identification since day 40 (50 days > 14: stale), T4 in qualification since day 70 (20 days ≤ 21),
        // P3 in negotiation since day 40 (50 days > 30: stale).
        Assert.Equal(
            [
                new TimeInStageRow("Identification", 4, 9m, 10m, 1, 14, 1),
                new TimeInStageRow("Qualification", 3, 35m / 3m, 10m, 1, 21, 0),
                new TimeInStageRow("Offer", 3, 65m / 3m, 20m, 0, 14, 0),
                new TimeInStageRow("Negotiation", 1, 30m, 30m, 1, 30, 1),
            ],
            model.TimeInStage);

        using var workbook = Write(model);
        var sheet = workbook.Worksheet("Time in Stage");
        Assert.Equal("Stays in each stage that ended 2026-01-01–2026-03-31; open deals on 2026-03-31", sheet.Cell("A1").GetString());
        Assert.Equal(
            ["Stage", "Left in period", "Mean (days)", "Median (days)", "Open at the end", "Stale after (days)", "Stale at the end"],
            Enumerable.Range(1, 7).Select(c => sheet.Cell(2, c).GetString()));
        Assert.Equal(["Identification", "4", "9", "10", "1", "14", "1"], Enumerable.Range(1, 7).Select(c => sheet.Cell(3, c).GetString()));
        Assert.Equal(Math.Round(35m / 3m, 10), Math.Round(sheet.Cell(4, 3).GetValue<decimal>(), 10));
    }

    [Fact]
    public async Task BuildAsync_HandWorkedQuarter_AccountsShowRevenueWonAndLifetimeValue()
    {
        var model = await BuildAsync(new LtvInputs { AcquisitionCost = 40_000m });

        // Acme: won Y0 (day −640 = 2024-04-01), Y1, P1 and T1 (day 50 = 2026-02-20): 70,000 in all, 30,000 in the period.
        //   Client for 730 days (day −640 → day 90) = 2 years: margin per year 30 % × 70,000 ÷ 2 = 10,500.
        //   Lifetime value = 10,500 × Σ_{t=0..5} (0.8 ÷ 1.1)^t = 10,500 × 3.1240973356 = 32,803.02; less 40,000 = −7,196.98: not worth it.
        // Beta: won T2 (day 75 = 2026-03-17), 50,000; T6 is won after the report and does not count. Client for 15 days → 1 year:
        //   margin per year 15,000; lifetime value 15,000 × 3.1240973356 = 46,861.46; less 40,000 = 6,861.46: worth it.
        // Beta first: more revenue in the period.
        Assert.Equal(2, model.Accounts.Count);
        var (beta, acme) = (model.Accounts[0], model.Accounts[1]);
        Assert.Equal(
            ("Beta", "PLN", 50_000m, 50_000m, 1L, new LocalDate(2026, 3, 17), new LocalDate(2026, 3, 17), 15_000m, 46_861.46m, 6_861.46m, (bool?)true),
            (beta.Account, beta.Currency, beta.WonInPeriod, beta.WonAllTime, beta.DealsWon, beta.FirstWin, beta.LastWin, beta.MarginPerYear,
             Math.Round(beta.LifetimeValue, 2), Math.Round(beta.ValueAfterAcquisition!.Value, 2), beta.WorthIt));
        Assert.Equal(
            ("Acme", "PLN", 30_000m, 70_000m, 4L, new LocalDate(2024, 4, 1), new LocalDate(2026, 2, 20), 10_500m, 32_803.02m, -7_196.98m, (bool?)false),
            (acme.Account, acme.Currency, acme.WonInPeriod, acme.WonAllTime, acme.DealsWon, acme.FirstWin, acme.LastWin, acme.MarginPerYear,
             Math.Round(acme.LifetimeValue, 2), Math.Round(acme.ValueAfterAcquisition!.Value, 2), acme.WorthIt));

        using var workbook = Write(model);
        var sheet = workbook.Worksheet("Accounts");
        Assert.Equal(
            ["Account", "Currency", "Won in period", "Won all time", "Deals won", "First win", "Last win", "Margin per year", "Lifetime value", "Value after acquisition cost", "Worth it"],
            Enumerable.Range(1, 11).Select(c => sheet.Cell(2, c).GetString()));
        Assert.Equal("Acme", sheet.Cell(4, 1).GetString());
        Assert.Equal(70_000m, sheet.Cell(4, 4).GetValue<decimal>());
        Assert.Equal(new DateTime(2024, 4, 1), sheet.Cell(4, 6).GetDateTime());
        Assert.Equal(32_803.02m, Math.Round(sheet.Cell(4, 9).GetValue<decimal>(), 2));
        Assert.Equal("no", sheet.Cell(4, 11).GetString());
        Assert.Equal("yes", sheet.Cell(3, 11).GetString());
        var inputs = sheet.RowsUsed().Single(r => r.Cell(1).GetString() == "Lifetime value inputs").RowNumber();
        Assert.Equal(
            [("Margin (share of revenue)", 0.3m), ("Retention (per year)", 0.8m), ("Discount rate (per year)", 0.1m), ("Horizon (years after the current one)", 5m), ("Acquisition cost", 40_000m)],
            Enumerable.Range(inputs + 1, 5).Select(r => (sheet.Cell(r, 1).GetString(), sheet.Cell(r, 2).GetValue<decimal>())));
    }

    [Fact]
    public async Task BuildAsync_WithoutAnAcquisitionCost_AccountsHaveNoWorthItColumn()
    {
        var model = await BuildAsync(new LtvInputs());

        Assert.All(model.Accounts, a => Assert.Null(a.WorthIt));
        using var workbook = Write(model);
        var sheet = workbook.Worksheet("Accounts");
        Assert.Equal("Lifetime value", sheet.Cell(2, 9).GetString());
        Assert.True(sheet.Cell(2, 10).IsEmpty());
    }

    [Fact]
    public async Task BuildAsync_HandWorkedQuarter_OverdueOpenDealsAreOneRowAboveTheMonths()
    {
        var model = await BuildAsync(new LtvInputs());

        // Open at day 90: P3 expected 2026-03-15 (before 2026-04-01: overdue), T5 2026-04-10, T4 2026-05-20.
        var overdue = Assert.Single(model.ForecastOverdue);
        Assert.Equal(("PLN", 1L, 40_000m, 30_000m), (overdue.Currency, overdue.Deals, overdue.Value, overdue.WeightedValue));
        Assert.Equal(
            [new ForecastRow(new YearMonth(2026, 4), "PLN", 1, 6_000m, 1_200m), new ForecastRow(new YearMonth(2026, 5), "PLN", 1, 12_000m, 3_000m)],
            model.Forecast);

        using var workbook = Write(model);
        var sheet = workbook.Worksheet("Forecast");
        Assert.Equal(["Overdue", "PLN", "1", "40000", "30000"], Enumerable.Range(1, 5).Select(c => sheet.Cell(2, c).GetString()));
        Assert.Equal(new DateTime(2026, 4, 1), sheet.Cell(3, 1).GetDateTime());
        Assert.Equal(new DateTime(2026, 5, 1), sheet.Cell(4, 1).GetDateTime());
        Assert.Equal(["Total", "PLN", "3", "58000", "34200"], Enumerable.Range(1, 5).Select(c => sheet.Cell(6, c).GetString()));
    }

    [Fact]
    public async Task BuildAsync_TwoCultures_EachModelEqualsTheOneBuiltAloneInThatCulture()
    {
        var store = await StoreAsync();
        var clock = new FakeClock(TestDeals.Day(100));
        var request = Request(new LtvInputs());

        var both = await new ReportBuilder(store, store, clock).BuildAsync(request, ["en", "pl"], CancellationToken.None);
        var english = await new ReportBuilder(store, store, clock).BuildAsync(request, CancellationToken.None);
        var polish = await new ReportBuilder(store, store, clock).BuildAsync(request with { Culture = "pl" }, CancellationToken.None);

        Assert.Equal(["en", "pl"], both.Select(m => m.Culture));
        Assert.Equal(Structural.Text(english), Structural.Text(both[0]));
        Assert.Equal(Structural.Text(polish), Structural.Text(both[1]));
        Assert.NotEqual(both[0].Opportunities.Select(r => r.StageName), both[1].Opportunities.Select(r => r.StageName));
    }

    [Fact]
    public async Task BuildAsync_AggregatesThatLeaveTimeInStageOut_TakeItFromStageExits()
    {
        var store = await StoreAsync();
        var clock = new FakeClock(TestDeals.Day(100));
        var request = Request(new LtvInputs());
        var withoutTimeInStage = WithoutTimeInStage.Over(store);

        var model = await new ReportBuilder(withoutTimeInStage, store, clock).BuildAsync(request, CancellationToken.None);
        var expected = await new ReportBuilder(store, store, clock).BuildAsync(request, CancellationToken.None);

        Assert.NotEmpty(model.TimeInStage);
        Assert.Equal(Structural.Text(expected), Structural.Text(model));
    }

    private static async Task<ReportModel> BuildAsync(LtvInputs ltv, IEnumerable<OpportunityState>? deals = null)
    {
        var store = await StoreAsync(deals);
        return await new ReportBuilder(store, store, new FakeClock(TestDeals.Day(100))).BuildAsync(Request(ltv), CancellationToken.None);
    }

    private static ReportRequest Request(LtvInputs ltv) =>
        new(Pipeline, new LocalDate(2026, 1, 1), new LocalDate(2026, 3, 31), DateTimeZone.Utc, null, "en", ReportKind.All, 100) { Ltv = ltv };

    private static async Task<InMemoryStore> StoreAsync(IEnumerable<OpportunityState>? deals = null)
    {
        var store = new InMemoryStore();
        var by = new UserId("anna");
        var acme = Account.Create("Acme", null, by, TestDeals.Day(-700));
        var beta = Account.Create("Beta", null, by, TestDeals.Day(-700));
        await store.SaveAsync(acme);
        await store.SaveAsync(beta);
        foreach (var deal in deals ?? Deals())
        {
            AccountId? account = deal.Name switch
            {
                "Y0" or "Y1" or "P1" or "T1" => acme.Id,
                "T2" or "T6" => beta.Id,
                _ => null,
            };
            await store.SaveAsync(deal with { Account = account });
        }

        return store;
    }

    private static IEnumerable<OpportunityState> Deals()
    {
        yield return TestDeals.Deal("Y0", 10_000m, "anna", [("identification", -670), ("qualification", -660), ("offer", -650), ("won", -640)]);
        yield return TestDeals.Deal("Y1", 10_000m, "anna", [("identification", -360), ("qualification", -350), ("offer", -340), ("won", -330)]);
        yield return TestDeals.Deal("P1", 20_000m, "anna", [("identification", -80), ("qualification", -70), ("offer", -60), ("negotiation", -50), ("won", -40)]);
        yield return TestDeals.Deal("P2", 5_000m, "anna", [("identification", -60), ("lost", -30)], lossReason: "Price");
        yield return TestDeals.Deal("P3", 40_000m, "anna", [("identification", -20), ("qualification", -10), ("offer", 5), ("negotiation", 40)], expectedClose: new LocalDate(2026, 3, 15));
        yield return TestDeals.Deal("T1", 30_000m, "anna", [("identification", 10), ("qualification", 20), ("offer", 30), ("won", 50)]);
        yield return TestDeals.Deal("T2", 50_000m, "anna", [("identification", 15), ("qualification", 25), ("offer", 35), ("negotiation", 45), ("won", 75)]);
        yield return TestDeals.Deal("T3", 8_000m, "anna", [("identification", 20), ("lost", 26)], lossReason: "Price");
        yield return TestDeals.Deal("T4", 12_000m, "anna", [("identification", 60), ("qualification", 70)], expectedClose: new LocalDate(2026, 5, 20));
        yield return TestDeals.Deal("T5", 6_000m, "anna", [("identification", 40)], probabilityOverride: 20, expectedClose: new LocalDate(2026, 4, 10));
        yield return TestDeals.Deal("T6", 99_000m, "anna", [("identification", 95), ("qualification", 96), ("offer", 97), ("won", 98)]);
    }

    private static XLWorkbook Write(ReportModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"salespipeline-builder-{Guid.NewGuid():N}.xlsx");
        try
        {
            new WorkbookWriter().Write(model with { Opportunities = [] }, path, CancellationToken.None);
            using var stream = new MemoryStream(File.ReadAllBytes(path));
            return new XLWorkbook(stream);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A host's aggregates written before history facts had time in stage: every call passed on, that part left out.</summary>
    public class WithoutTimeInStage : System.Reflection.DispatchProxy
    {
        private IPipelineAggregates _inner = null!;

        public static IPipelineAggregates Over(IPipelineAggregates inner)
        {
            var proxy = Create<IPipelineAggregates, WithoutTimeInStage>();
            ((WithoutTimeInStage)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            var result = targetMethod!.Invoke(_inner, args);
            return result is Task<HistoryFacts> facts ? facts.ContinueWith(t => t.Result with { TimeInStage = null }, TaskScheduler.Default) : result;
        }
    }
}
