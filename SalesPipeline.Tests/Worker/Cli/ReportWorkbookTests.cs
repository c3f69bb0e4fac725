using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Tests.Storage;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>A demo store on one provider, and the deals in it as the calculators see them.</summary>
public abstract class DemoStoreFixture : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("salespipeline-cli-").FullName;

    public abstract string[] StoreArgs { get; }

    public IReadOnlyList<OpportunityState> Deals { get; private set; } = [];

    internal CliResult Demo { get; private set; } = new(-1, string.Empty, string.Empty);

    public virtual async Task InitializeAsync()
    {
        Demo = await CliRunner.RunAsync([.. StoreArgs, "demo", "--deals", "600", "--seed", "7", "--out", Path.Combine(Folder, "reports")]);
        Assert.True(Demo.ExitCode == 0, Demo.ToString());
        var services = new ServiceCollection();
        Configure(services.AddSalesPipeline());
        await using var provider = services.BuildServiceProvider();
        var list = new List<OpportunityState>();
        await foreach (var deal in provider.GetRequiredService<IOpportunityStore>().QueryAsync(OpportunityQuery.All))
        {
            list.Add(deal);
        }

        Deals = list;
    }

    public virtual Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    internal abstract void Configure(DependencyInjection.SalesPipelineBuilder builder);
}

public sealed class SqliteDemoStoreFixture : DemoStoreFixture
{
    public string Database => Path.Combine(Folder, "demo.db");

    public override string[] StoreArgs => ["--db", Database];

    internal override void Configure(DependencyInjection.SalesPipelineBuilder builder) => builder.UseSqlite($"Data Source={Database}");
}

public sealed class PostgresDemoStoreFixture : DemoStoreFixture
{
    private string _connectionString = string.Empty;
    private string _database = string.Empty;

    public override string[] StoreArgs => ["--provider", "postgres", "--db", _connectionString];

    public override async Task InitializeAsync()
    {
        (_connectionString, _database) = await PostgresStoreFixture.CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgresStoreFixture.DropDatabaseAsync(_database);
    }

    internal override void Configure(DependencyInjection.SalesPipelineBuilder builder) => builder.UsePostgres(_connectionString);
}

/// <summary>
/// Writes reports with the command line, opens each workbook again, and checks its cells — values and types —
/// against the calculators run directly over the same store's deals.
/// </summary>
public abstract class ReportWorkbookTests(DemoStoreFixture store)
{
    private static readonly LocalDate From = new(2026, 7, 1);
    private static readonly LocalDate To = new(2026, 9, 30);
    private static readonly Interval Period = new(Instant.FromUtc(2026, 7, 1, 0, 0), Instant.FromUtc(2026, 10, 1, 0, 0));

    [Fact]
    public void Demo_FreshStore_PrintsTwoWorkbooksAndAFiveLineSummary()
    {
        var lines = store.Demo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Length);
        Assert.StartsWith("Created 600 demo deals", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("People:      added the demo's admin ('admin'), manager ('manager')", lines[8], StringComparison.Ordinal);
        Assert.EndsWith("pipeline-2026-Q3.xlsx", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("pipeline-2026-Q3-pl.xlsx", lines[2], StringComparison.Ordinal);
        Assert.True(File.Exists(lines[1]) && File.Exists(lines[2]));
        Assert.StartsWith("Period:      2026-07-01 – 2026-09-30", lines[3], StringComparison.Ordinal);
        Assert.Equal(600, store.Deals.Count);
    }

    [Fact]
    public void Demo_Deals_LookLikeARealPipelineOverTheLastTwelveMonths()
    {
        var deals = store.Deals;
        var now = CliRunner.Now;

        // Created over the 12 months before now, in every one of them.
        Assert.All(deals, d => Assert.InRange(d.CreatedAt, now - Duration.FromDays(365), now));
        Assert.True(deals.Select(d => d.CreatedAt.InUtc().Date.ToYearMonth()).Distinct().Count() >= 12, "The demo deals are not spread over the year.");

        // Owners, accounts, values and activities.
        Assert.True(deals.Select(d => d.Owner).Distinct().Count() >= 4);
        Assert.All(deals, d => Assert.NotNull(d.Account));
        Assert.True(deals.Select(d => d.Account).Distinct().Count() >= 10);
        Assert.True(deals.Select(d => d.Value.Amount).Distinct().Count() > deals.Count / 2, "Deal values are not varied.");
        Assert.True(deals.Count(d => d.Activities.Count > 0) > deals.Count * 9 / 10, "Most demo deals should carry activities.");

        // Histories through the stages, wins, and losses with their reasons.
        var won = deals.Where(d => d.Outcome?.Kind == OutcomeKind.Won).ToList();
        var lost = deals.Where(d => d.Outcome?.Kind == OutcomeKind.Lost).ToList();
        var open = deals.Where(d => d.Outcome is null).ToList();
        Assert.True(won.Count > 30 && lost.Count > 30 && open.Count > 30, $"won {won.Count}, lost {lost.Count}, open {open.Count}");
        Assert.All(won, d => Assert.True(d.History.Count >= 4, "A won demo deal went through the stages."));
        Assert.All(lost, d => Assert.Contains(d.Outcome!.Reason, PipelineDefinition.Default.LossReasons));
        Assert.True(lost.Select(d => d.Outcome!.Reason).Distinct().Count() >= 3);
    }

    [Fact]
    public async Task Demo_RunAgain_AddsNothing()
    {
        var again = await CliRunner.RunAsync([.. store.StoreArgs, "demo", "--deals", "600", "--seed", "7", "--out", Path.Combine(store.Folder, "again")]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already held 600 of the demo deals; added 0", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_All_SummaryMatchesTheCalculators()
    {
        using var workbook = await WriteReportAsync("summary.xlsx");
        var pipeline = PipelineDefinition.Default;
        var snapshot = PipelineAnalytics.Snapshot(store.Deals, pipeline, Period.End, new SnapshotFunnelOptions { ClosedPeriod = Period });
        var winLoss = PipelineAnalytics.WinLoss(store.Deals, pipeline, Period);
        var cycle = PipelineAnalytics.SalesCycle(store.Deals, pipeline, Period);
        var open = Assert.Single(snapshot.OpenValues);
        var closed = Assert.Single(winLoss.Total.Values);

        var summary = workbook.Worksheet("Summary");
        AssertNumber(open.Count, Value(summary, "Open deals"));
        AssertNumber(open.Value, Value(summary, "Open value"));
        AssertNumber(open.WeightedValue, Value(summary, "Weighted value"));
        AssertNumber(closed.Won, Value(summary, "Won"));
        AssertNumber(closed.Lost, Value(summary, "Lost"));
        AssertNumber((decimal)closed.Won / (closed.Won + closed.Lost), Value(summary, "Win rate (count)"), 10);
        AssertNumber(closed.WinRateByValue!.Value, Value(summary, "Win rate (value)"), 10);
        AssertNumber(cycle.Won.MeanDays!.Value, Value(summary, "Average cycle (days)"), 8);
        Assert.Contains("%", Value(summary, "Win rate (count)").Style.NumberFormat.Format, StringComparison.Ordinal);
        Assert.Equal(XLDataType.DateTime, Value(summary, "Period from").DataType);
        Assert.Equal(CliRunner.Now.ToDateTimeUtc(), Value(summary, "Generated at").GetDateTime());
    }

    [Fact]
    public async Task Report_All_FunnelWinLossForecastAndVelocityMatchTheCalculators()
    {
        using var workbook = await WriteReportAsync("breakdowns.xlsx");
        var pipeline = PipelineDefinition.Default;
        var snapshot = PipelineAnalytics.Snapshot(store.Deals, pipeline, Period.End, new SnapshotFunnelOptions { ClosedPeriod = Period });
        var reached = PipelineAnalytics.ReachedStages(store.Deals, pipeline, Period, Period.End);
        var winLoss = PipelineAnalytics.WinLoss(store.Deals, pipeline, Period);
        var forecast = PipelineAnalytics.Forecast(store.Deals, pipeline, Period.End, new ForecastOptions { OverdueBefore = new LocalDate(2026, 10, 1) });
        var velocity = PipelineAnalytics.Velocity(store.Deals, pipeline, Period.End, Period);

        // Funnel: first table, the snapshot per open stage and its share of open deals; second table, the period's cohort.
        var funnel = workbook.Worksheet("Funnel");
        Assert.Equal("Pipeline on 2026-09-30", funnel.Cell("A1").GetString());
        foreach (var stage in snapshot.Stages)
        {
            var row = RowOf(funnel, pipeline.Stage(stage.Stage).Name);
            AssertNumber(stage.Count, row.Cell(3));
            AssertNumber(stage.Values.Sum(v => v.Value), row.Cell(4));
            AssertNumber(stage.Values.Sum(v => v.WeightedValue), row.Cell(5));
            AssertRate((decimal)stage.Count / snapshot.OpenCount, row.Cell(6));
        }

        var caption = RowOf(funnel, "Deals created 2026-07-01–2026-09-30: how far they got").RowNumber();
        foreach (var (reach, i) in reached.Stages.Select((r, i) => (r, i)))
        {
            var row = funnel.Row(caption + 2 + i);
            Assert.Equal(pipeline.Stage(reach.Stage).Name, row.Cell(1).GetString());
            AssertNumber(reach.Reached, row.Cell(2));
            AssertRate(reach.ConversionFromPrevious, row.Cell(3));
            AssertRate(reach.CumulativeConversion, row.Cell(4));
        }

        // Win-Loss: the totals, then every row of every section, by its label.
        var total = RowOf(workbook.Worksheet("Win-Loss"), "Total", requireCurrency: true);
        AssertNumber(winLoss.Total.Won, total.Cell(3));
        AssertNumber(winLoss.Total.Lost, total.Cell(4));
        AssertNumber(winLoss.Total.Values.Single().WonValue, total.Cell(5));
        var sections = Sections(workbook.Worksheet("Win-Loss"));
        Assert.Equal(
            winLoss.ByOwner.Select(o => (o.Owner.Value, o.Figures.Won, o.Figures.Lost, o.Figures.Values.Single().WonValue, o.Figures.Values.Single().LostValue)),
            sections["By owner"].Select(r => (r.Label, r.Won, r.Lost, r.WonValue, r.LostValue)));
        Assert.Equal(
            winLoss.ByLossReason.Select(g => (g.Key ?? "(none)", g.Lost, g.Values.Single().Amount)),
            sections["By loss reason"].Select(r => (r.Label, r.Lost, r.LostValue)));
        Assert.NotEmpty(winLoss.ByStageLostAt);
        Assert.Equal(
            winLoss.ByStageLostAt.Select(g => (g.Key is { } id ? pipeline.Stage(new StageId(id)).Name : "(none)", g.Lost, g.Values.Single().Amount)),
            sections["By stage lost at"].Select(r => (r.Label, r.Lost, r.LostValue)));

        // Forecast: the overdue deals in one row on top, then one row per expected close month, then the total.
        var overdue = forecast.Overdue.Single();
        var overdueRow = workbook.Worksheet("Forecast").Row(2);
        Assert.Equal("Overdue", overdueRow.Cell(1).GetString());
        AssertNumber(overdue.Count, overdueRow.Cell(3));
        AssertNumber(overdue.Value, overdueRow.Cell(4));
        AssertNumber(overdue.WeightedValue, overdueRow.Cell(5));
        var months = workbook.Worksheet("Forecast").RowsUsed().Skip(2).TakeWhile(r => r.Cell(1).DataType == XLDataType.DateTime).ToList();
        Assert.All(forecast.Months, m => Assert.True(m.Month >= new YearMonth(2026, 9)));
        Assert.Equal(forecast.Months.Count, months.Count);
        foreach (var (expected, row) in forecast.Months.Zip(months))
        {
            var value = expected.Values.Single();
            Assert.Equal(expected.Month.OnDayOfMonth(1).ToDateTimeUnspecified(), row.Cell(1).GetDateTime());
            AssertNumber(value.Count, row.Cell(3));
            AssertNumber(value.Value, row.Cell(4));
            AssertNumber(value.WeightedValue, row.Cell(5));
        }

        // Summary: sales velocity per day.
        AssertNumber(velocity.Values.Single().ValuePerDay!.Value, Value(workbook.Worksheet("Summary"), "Sales velocity (per day)"));
        Assert.False(workbook.Worksheets.SelectMany(s => s.CellsUsed()).Any(c => c.HasFormula), "A report cell holds a formula; values must be present without recalculation.");
    }

    [Fact]
    public async Task Report_All_ReadByOpenpyxl_ShowsTheCalculatorsFiguresAsNumbers()
    {
        using (await WriteReportAsync("openpyxl.xlsx"))
        {
        }

        var workbook = SalesPipeline.Tests.Worker.Exporting.ExternalReaders.ReadWithOpenpyxl(Path.Combine(store.Folder, "openpyxl.xlsx"));
        var pipeline = PipelineDefinition.Default;
        var snapshot = PipelineAnalytics.Snapshot(store.Deals, pipeline, Period.End, new SnapshotFunnelOptions { ClosedPeriod = Period });
        var winLoss = PipelineAnalytics.WinLoss(store.Deals, pipeline, Period);
        var open = Assert.Single(snapshot.OpenValues);

        decimal Figure(string label)
        {
            var cells = workbook.Sheet("Summary").GetProperty("cells").EnumerateObject().ToList();
            var row = cells.First(c => c.Name.StartsWith('A') && c.Value.GetProperty("value").ToString() == label).Name[1..];
            var value = cells.Single(c => c.Name == "B" + row).Value;
            Assert.Equal("n", value.GetProperty("type").GetString());
            return value.GetProperty("value").GetDecimal();
        }

        Assert.Equal(open.Count, Figure("Open deals"));
        Assert.Equal(open.Value, Figure("Open value"));
        Assert.Equal(winLoss.Total.Won, Figure("Won"));
        Assert.Equal(winLoss.Total.Lost, Figure("Lost"));
        Assert.DoesNotContain(workbook.AllCells(), c => c.Cell.GetProperty("type").GetString() == "f");
    }

    [Fact]
    public async Task Report_OwnerFilter_ListsOnlyThatOwnersDeals()
    {
        var owner = store.Deals.GroupBy(d => d.Owner).OrderByDescending(g => g.Count()).First().Key;
        using var workbook = await WriteReportAsync("owner.xlsx", "--owner", owner.Value);
        var detail = workbook.Worksheet("Opportunities");
        var owners = detail.Table(0).DataRange.Rows().Select(r => r.Cell(3).GetString()).Distinct().ToList();
        Assert.Equal([owner.Value], owners);
        var winLoss = PipelineAnalytics.WinLoss(store.Deals, PipelineDefinition.Default, Period, new WinLossOptions { Owner = owner });
        AssertNumber(winLoss.Total.Won, Value(workbook.Worksheet("Summary"), "Won"));
    }

    [Fact]
    public async Task Report_Polish_LabelsArePolishAndNumbersStayNumbers()
    {
        using var workbook = await WriteReportAsync("pl.xlsx", "--culture", "pl");
        var funnel = workbook.Worksheet("Funnel");
        var row = RowOf(funnel, "Kwalifikacja");
        Assert.Equal(XLDataType.Number, row.Cell(3).DataType);
        Assert.Equal("Lejek na dzień 30.09.2026", funnel.Cell(1, 1).GetString());
        Assert.Equal("Etap", funnel.Cell(2, 1).GetString());
    }

    [Fact]
    public async Task Report_DetailRowLimit_KeepsTheFirstRowsAndStatesHowManyMoreAreInScope()
    {
        // In scope: the deals that existed at the end of the period and were then open, or were closed within it.
        var pipeline = PipelineDefinition.Default;
        var inScope = store.Deals.Count(d =>
            PipelineAnalytics.StageIntervals(d, Period.End) is { Count: > 0 } stays
            && (pipeline.Stage(stays[^1].Stage).IsOpen || (d.Outcome is { } outcome && Period.Contains(outcome.ClosedAt))));
        Assert.InRange(inScope, 11, 600);

        using var full = await WriteReportAsync("detail-full.xlsx");
        using var capped = await WriteReportAsync("detail-capped.xlsx", "--detail-rows", "10");
        var fullSheet = full.Worksheet("Opportunities");
        var cappedSheet = capped.Worksheet("Opportunities");
        Assert.Equal(inScope, fullSheet.Table(0).DataRange.RowCount());
        Assert.Equal($"All {inScope} deals shown.", fullSheet.Cell("A1").GetString());
        Assert.All(fullSheet.Table(0).DataRange.Rows(), r => Assert.Equal(r.Cell(1).GetString().Split(" – ")[1], r.Cell(2).GetString()));
        Assert.Equal($"{inScope - 10} more deals not shown (limit 10).", cappedSheet.Cell("A1").GetString());
        var firstTen = fullSheet.Table(0).DataRange.Rows().Take(10).Select(r => string.Join('|', r.Cells().Select(c => c.GetString())));
        Assert.Equal(firstTen, cappedSheet.Table(0).DataRange.Rows().Select(r => string.Join('|', r.Cells().Select(c => c.GetString()))));
    }

    [Theory]
    [InlineData("funnel", "Summary,Funnel,Opportunities")]
    [InlineData("winloss", "Summary,Win-Loss,Opportunities")]
    [InlineData("forecast", "Summary,Forecast,Opportunities")]
    [InlineData("leads", "Summary,Leads,Opportunities")]
    [InlineData("all", "Summary,Funnel,Win-Loss,Forecast,Time in Stage,Accounts,Leads,Opportunities")]
    public async Task Report_Kind_WritesItsSheetsInOrder(string kind, string sheets)
    {
        using var workbook = await WriteReportAsync($"kind-{kind}.xlsx", "--kind", kind);
        Assert.Equal(sheets, string.Join(',', workbook.Worksheets.Select(s => s.Name)));
    }

    [Fact]
    public async Task Report_LtvFlags_ChangeTheAccountsSheetsLifetimeValuesAndAddTheWorthItCheck()
    {
        using var defaults = await WriteReportAsync("ltv-default.xlsx");
        using var flagged = await WriteReportAsync(
            "ltv-flags.xlsx", "--ltv-margin", "0.6", "--ltv-retention", "0", "--ltv-horizon", "0", "--acquisition-cost", "1000");
        var before = defaults.Worksheet("Accounts");
        var after = flagged.Worksheet("Accounts");

        // Without a cost there is no "worth it" column; with one, the header has the two extra columns.
        Assert.Equal("Lifetime value", before.Cell(2, 9).GetString());
        Assert.True(before.Cell(2, 10).IsEmpty());
        Assert.Equal("Worth it", after.Cell(2, 11).GetString());

        var accounts = 0;
        for (var row = 3; !before.Cell(row, 1).IsEmpty(); row++, accounts++)
        {
            Assert.Equal(before.Cell(row, 1).GetString(), after.Cell(row, 1).GetString());
            var marginBefore = before.Cell(row, 8).GetValue<decimal>();
            var marginAfter = after.Cell(row, 8).GetValue<decimal>();
            Assert.Equal(marginBefore * 2m, marginAfter, 6); // the margin doubled: 0.3 -> 0.6

            // Horizon 0 and no retention: the lifetime value is this year's margin alone; less the cost, worth it when positive.
            var ltv = after.Cell(row, 9).GetValue<decimal>();
            Assert.Equal(marginAfter, ltv, 6);
            Assert.Equal(ltv - 1000m, after.Cell(row, 10).GetValue<decimal>(), 6);
            Assert.Equal(ltv - 1000m > 0m ? "yes" : "no", after.Cell(row, 11).GetString());
        }

        Assert.True(accounts > 0, "The demo store has won deals, so the Accounts sheet has rows.");
    }

    private async Task<XLWorkbook> WriteReportAsync(string file, params string[] extra)
    {
        var path = Path.Combine(store.Folder, file);
        var kind = extra.Contains("--kind") ? [] : new[] { "--kind", "all" };
        var result = await CliRunner.RunAsync([.. store.StoreArgs, "report", .. kind, "--from", "2026-07-01", "--to", "2026-09-30", "--out", path, .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(path, result.Output.Trim());
        return new XLWorkbook(path);
    }

    private static IXLCell Value(IXLWorksheet sheet, string label) => RowOf(sheet, label).Cell(2);

    /// <summary>The Win-Loss sheet's rows by section: a bold title in column A, then rows with a currency in column B.</summary>
    private static Dictionary<string, List<(string Label, long Won, long Lost, decimal WonValue, decimal LostValue)>> Sections(IXLWorksheet sheet)
    {
        var sections = new Dictionary<string, List<(string, long, long, decimal, decimal)>>();
        List<(string, long, long, decimal, decimal)>? current = null;
        foreach (var row in sheet.RowsUsed().Skip(1).TakeWhile(r => r.Cell(1).GetString() != "Win rate by owner (all currencies)"))
        {
            if (row.Cell(2).IsEmpty())
            {
                current = [];
                sections[row.Cell(1).GetString()] = current;
                continue;
            }

            current!.Add((row.Cell(1).GetString(), row.Cell(3).GetValue<long>(), row.Cell(4).GetValue<long>(), row.Cell(5).GetValue<decimal>(), row.Cell(6).GetValue<decimal>()));
        }

        return sections;
    }

    private static void AssertRate(decimal? expected, IXLCell cell)
    {
        if (expected is null)
        {
            Assert.NotEqual(XLDataType.Number, cell.DataType);
            return;
        }

        AssertNumber(expected.Value, cell, 10);
    }

    private static IXLRow RowOf(IXLWorksheet sheet, string label, bool requireCurrency = false) =>
        sheet.RowsUsed().First(r => r.Cell(1).GetString() == label && (!requireCurrency || r.Cell(2).GetString().Length == 3));

    private static void AssertNumber(decimal expected, IXLCell cell, int decimals = 2)
    {
        Assert.True(cell.DataType == XLDataType.Number, $"{cell.Address} on {cell.Worksheet.Name} is {cell.DataType}, not a number.");
        Assert.Equal(Math.Round(expected, decimals), Math.Round(cell.GetValue<decimal>(), decimals));
    }

    private static void AssertNumber(long expected, IXLCell cell) => AssertNumber((decimal)expected, cell, 0);
}

public sealed class SqliteReportWorkbookTests(SqliteDemoStoreFixture store) : ReportWorkbookTests(store), IClassFixture<SqliteDemoStoreFixture>;

public sealed class PostgresReportWorkbookTests(PostgresDemoStoreFixture store) : ReportWorkbookTests(store), IClassFixture<PostgresDemoStoreFixture>;
