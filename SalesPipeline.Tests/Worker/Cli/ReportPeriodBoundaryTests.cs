using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// `report --from --to` counts a deal by its close date in the report's time zone, both ends inclusive: deals closed a
/// minute either side of a boundary decide it.
/// </summary>
public sealed class ReportPeriodBoundaryTests : IAsyncLifetime
{
    private static readonly UserId Anna = new("anna");
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-boundary-").FullName;

    private string Database => Path.Combine(_folder, "boundary.db");

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddSalesPipeline().UseSqlite($"Data Source={Database}");
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IOpportunityStore>();

        // Won on the last day of Q3 just before midnight in Warsaw (21:59 UTC): inside for UTC and for Warsaw.
        await store.SaveAsync(WonAt("last minute", Instant.FromUtc(2026, 9, 30, 21, 59), 1_000m));

        // 2026-10-01 00:30 in Warsaw, still 30 September in UTC.
        await store.SaveAsync(WonAt("after midnight in Warsaw", Instant.FromUtc(2026, 9, 30, 22, 30), 10m));

        // 2026-07-01 00:30 in Warsaw, still 30 June in UTC.
        await store.SaveAsync(WonAt("first minutes in Warsaw", Instant.FromUtc(2026, 6, 30, 22, 30), 100m));

        // A minute before the quarter in either zone, and the first minute after it in either zone.
        await store.SaveAsync(WonAt("day before", Instant.FromUtc(2026, 6, 30, 21, 59), 10_000m));
        await store.SaveAsync(WonAt("day after", Instant.FromUtc(2026, 10, 1, 0, 0), 100_000m));
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("UTC", 1_010)] // last minute + after midnight in Warsaw
    [InlineData("Europe/Warsaw", 1_100)] // last minute + first minutes in Warsaw
    public async Task Report_ClosedDeals_CountByCloseDateInTheZoneWithBothEndsInclusive(string zone, decimal wonValue)
    {
        var path = Path.Combine(_folder, $"{zone.Replace('/', '-')}.xlsx");
        var result = await CliRunner.RunAsync(["--db", Database, "report", "--kind", "all", "--from", "2026-07-01", "--to", "2026-09-30", "--time-zone", zone, "--out", path]);
        Assert.True(result.ExitCode == 0, result.ToString());

        using var workbook = new XLWorkbook(path);
        var total = workbook.Worksheet("Win-Loss").RowsUsed().First(r => r.Cell(1).GetString() == "Total" && r.Cell(2).GetString() == "PLN");
        Assert.Equal(2, total.Cell(3).GetValue<long>());
        Assert.Equal(wonValue, total.Cell(5).GetValue<decimal>());
        var won = workbook.Worksheet("Summary").RowsUsed().First(r => r.Cell(1).GetString() == "Won");
        Assert.Equal(2, won.Cell(2).GetValue<long>());
    }

    private static OpportunityState WonAt(string name, Instant closed, decimal amount)
    {
        var pipeline = PipelineDefinition.Default;
        var start = Instant.FromUtc(2026, 6, 1, 9, 0);
        var deal = Opportunity.Create(new NewOpportunity(name, Money.Of(amount, "PLN"), null, new LocalDate(2026, 9, 30)), pipeline, Anna, start);
        deal.LogActivity(NewActivity.Call("Intro call", happenedAt: start + Duration.FromHours(1)), Anna, start + Duration.FromHours(1));
        deal.MoveTo(pipeline, Stages.Qualification, Anna, start + Duration.FromHours(2));
        deal.RecordQualification(new QualificationData("A new ERP", "Spreadsheets", Money.Of(amount, "PLN"), "Plan"), Anna, start + Duration.FromHours(3));
        deal.MoveTo(pipeline, Stages.Offer, Anna, start + Duration.FromHours(4));
        deal.AttachOffer(DocumentId.New(), "Offer", Anna, start + Duration.FromHours(5));
        deal.MoveTo(pipeline, Stages.Negotiation, Anna, start + Duration.FromHours(6));
        deal.Win(pipeline, Anna, closed);
        return deal.ToState();
    }
}
