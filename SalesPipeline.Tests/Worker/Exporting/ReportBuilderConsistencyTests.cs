using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Cli;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Tests.Storage;
using SalesPipeline.Tests.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>
/// A report taken while an import commits: the import is committed between the report's SQL snapshot query and its
/// streamed pass over the deals, and every figure of the workbook must still come from the store as it was before.
/// </summary>
public abstract class ReportBuilderConsistencyTests : IAsyncLifetime
{
    private static readonly string ImportedCsv = string.Join('\n', [
        "id,name,owner,stage,amount,currency,created,closed,outcome",
        .. Enumerable.Range(1, 30).Select(i => $"W-{i},Won late {i},zoe,won,{1000 + i},USD,2026-07-02,2026-08-{(i % 28) + 1:00},won"),
        .. Enumerable.Range(1, 20).Select(i => $"O-{i},Open late {i},zoe,offer,{500 + i},USD,2026-07-03,,"),
    ]) + "\n";

    protected string Folder { get; } = Directory.CreateTempSubdirectory("salespipeline-consistency-").FullName;

    protected abstract string[] StoreArgs { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task BuildAsync_ImportCommittedBetweenSnapshotAndStreamedPass_EveryFigureFromTheStateBefore()
    {
        var demo = await CliRunner.RunAsync([.. StoreArgs, "demo", "--deals", "300", "--seed", "11", "--out", Path.Combine(Folder, "reports")]);
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var csv = Path.Combine(Folder, "late.csv");
        await File.WriteAllTextAsync(csv, ImportedCsv);
        var services = new ServiceCollection().AddSingleton<IClock>(new FakeClock(CliRunner.Now));
        Configure(services.AddSalesPipeline());
        await using var provider = services.BuildServiceProvider();
        var request = new ReportRequest(PipelineDefinition.Default, new LocalDate(2026, 7, 1), new LocalDate(2026, 9, 30), DateTimeZone.Utc, null, "en", ReportKind.All, 5_000);
        ReportBuilder Builder() => new(
            provider.GetRequiredService<IOpportunityStore>(),
            provider.GetRequiredService<IPipelineAggregates>(),
            provider.GetRequiredService<IAccountStore>(),
            new FakeClock(CliRunner.Now),
            provider.GetRequiredService<IConsistentReads>());

        var before = Figures(await Builder().BuildAsync(request, CancellationToken.None));
        var racing = Builder();
        racing.AfterSnapshot = async _ =>
        {
            var import = await CliRunner.RunAsync([.. StoreArgs, "import", "--file", csv]);
            Assert.True(import.ExitCode == 0, import.ToString());
        };
        var during = Figures(await racing.BuildAsync(request, CancellationToken.None));
        var after = Figures(await Builder().BuildAsync(request, CancellationToken.None));

        Assert.NotEqual(before, after);
        Assert.Equal(before, during);
    }

    [Fact]
    public async Task BuildModelAsync_LeadsAndPeopleChangedBetweenTheDealsAndTheLeadSheet_LeadSheetFromTheStateBefore()
    {
        var demo = await CliRunner.RunAsync([.. StoreArgs, "demo", "--deals", "120", "--seed", "5", "--out", Path.Combine(Folder, "reports")]);
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var services = new ServiceCollection().AddSingleton<IClock>(new FakeClock(CliRunner.Now));
        Configure(services.AddSalesPipeline());
        await using var provider = services.BuildServiceProvider();
        var request = new ReportRequest(PipelineDefinition.Default, new LocalDate(2026, 7, 1), new LocalDate(2026, 11, 30), DateTimeZone.Utc, null, "en", ReportKind.All, 5_000);
        var salesperson = (await provider.GetRequiredService<SalesPipeline.Leads.ILeadService>().FiguresAsync(request.Period.Start, request.Period.End))
            .First(f => f.Person.Value is not ("admin" or "manager")).Person.Value;
        var leads = Path.Combine(Folder, "late-leads.csv");
        await File.WriteAllTextAsync(leads, $"id,company,segment,contact,phone,email,source,notes,owner\nLATE-1,Late Co,retail,,,,,,{salesperson}\nLATE-2,Later Co,retail,,,,,,{salesperson}\n");

        var before = await ReportCommand.BuildModelAsync(request, provider, new FakeClock(CliRunner.Now), CancellationToken.None);
        var racing = ReportCommand.NewBuilder(provider, new FakeClock(CliRunner.Now));
        racing.AfterSnapshot = async _ =>
        {
            var limit = await CliRunner.RunAsync([.. StoreArgs, "--as", "admin", "users", "set", salesperson, "--lead-limit", "97"]);
            Assert.True(limit.ExitCode == 0, limit.ToString());
            var import = await CliRunner.RunAsync([.. StoreArgs, "--as", "admin", "leads", "import", "--file", leads]);
            Assert.True(import.ExitCode == 0, import.ToString());
        };
        var during = await ReportCommand.BuildModelAsync(request, provider, racing, CancellationToken.None);
        var after = await ReportCommand.BuildModelAsync(request, provider, new FakeClock(CliRunner.Now), CancellationToken.None);

        Assert.NotEmpty(before.Leads!);
        Assert.NotEqual(LeadFigures(before), LeadFigures(after));
        Assert.Equal(LeadFigures(before), LeadFigures(during));
        Assert.Equal(Figures(before), Figures(during));
    }

    internal abstract void Configure(DependencyInjection.SalesPipelineBuilder builder);

    private static string LeadFigures(ReportModel model) => string.Join("\n", (model.Leads ?? []).Select(l => l.ToString()));

    /// <summary>Every figure of the workbook, as text that compares whole.</summary>
    internal static string Figures(ReportModel model) => string.Join('\n', [
        .. model.Summary.Select(s => s.ToString()),
        .. model.Snapshot.Select(f => f.ToString()),
        .. model.Cohort.Select(f => f.ToString()),
        .. Compared(model.ThisPeriod),
        .. Compared(model.PreviousPeriod),
        .. Compared(model.YearEarlier),
        .. model.WinLoss.Totals.Select(w => w.ToString()),
        .. model.WinLoss.ByOwner.Select(w => w.ToString()),
        .. model.WinLoss.ByLossReason.Select(w => w.ToString()),
        .. model.WinLoss.ByStageLostAt.Select(w => w.ToString()),
        .. model.ForecastOverdue.Select(f => f.ToString()),
        .. model.Forecast.Select(f => f.ToString()),
        .. model.TimeInStage.Select(t => t.ToString()),
        .. model.Accounts.Select(a => a.ToString()),
        .. model.Opportunities.Select(o => o.ToString()),
        $"omitted {model.OmittedOpportunities}",
    ]);

    private static IEnumerable<string> Compared(ComparedPeriod? period) =>
        period is null ? ["no comparison"] : [$"{period.From}-{period.To}", .. period.Figures.Select(f => f.ToString())];
}

public sealed class SqliteReportBuilderConsistencyTests : ReportBuilderConsistencyTests
{
    private string Database => Path.Combine(Folder, "store.db");

    protected override string[] StoreArgs => ["--db", Database];

    internal override void Configure(DependencyInjection.SalesPipelineBuilder builder) => builder.UseSqlite($"Data Source={Database}");
}

public sealed class PostgresReportBuilderConsistencyTests : ReportBuilderConsistencyTests
{
    private string _connectionString = string.Empty;
    private string _database = string.Empty;

    protected override string[] StoreArgs => ["--provider", "postgres", "--db", _connectionString];

    public override async Task InitializeAsync() => (_connectionString, _database) = await PostgresStoreFixture.CreateDatabaseAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgresStoreFixture.DropDatabaseAsync(_database);
    }

    internal override void Configure(DependencyInjection.SalesPipelineBuilder builder) => builder.UsePostgres(_connectionString);
}
