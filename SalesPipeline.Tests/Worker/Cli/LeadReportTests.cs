using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Leads;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The Leads sheet of a report on the seeded demo store, checked against the lead service's own figures.</summary>
public abstract class LeadReportTests(DemoStoreFixture store)
{
    [Theory]
    [InlineData("en")]
    [InlineData("pl")]
    public async Task Report_KindLeads_EveryRowEqualsTheLeadServicesFigures(string culture)
    {
        var path = Path.Combine(store.Folder, $"leads-{culture}.xlsx");
        var result = await CliRunner.RunAsync([.. store.StoreArgs, "report", "--kind", "leads", "--from", "2026-07-01", "--to", "2026-09-30", "--culture", culture, "--out", path]);
        Assert.True(result.ExitCode == 0, result.ToString());

        var services = new ServiceCollection();
        store.Configure(services.AddSalesPipeline());
        await using var provider = services.BuildServiceProvider();
        var figures = await provider.GetRequiredService<ILeadService>().FiguresAsync(Instant.FromUtc(2026, 7, 1, 0, 0), Instant.FromUtc(2026, 10, 1, 0, 0));
        Assert.True(figures.Sum(f => f.Received) > 0 && figures.Sum(f => f.Converted) > 0 && figures.Sum(f => f.Disqualified) > 0, "The demo's lead base should give every kind of figure.");

        using var workbook = new XLWorkbook(path);
        Assert.Equal(["Summary", "Leads", "Opportunities"], workbook.Worksheets.Select(s => s.Name));
        var sheet = workbook.Worksheet("Leads");
        Assert.Equal(LeadSheet(culture), sheet.Row(1).Cells(1, 10).Select(c => c.GetString()));
        Assert.Equal(figures.Count, sheet.LastRowUsed()!.RowNumber() - 1);
        for (var i = 0; i < figures.Count; i++)
        {
            var f = figures[i];
            var row = sheet.Row(i + 2);
            Assert.Equal(f.Person.Value, row.Cell(1).GetString());
            Assert.Equal(f.DisplayName, row.Cell(2).GetString());
            Assert.Equal([f.Active, f.Limit, f.Received, f.Converted, f.Disqualified], CountColumns.Select(c => (int)row.Cell(c).GetDouble()));
            Assert.Equal(Rate(f.LeadToOpportunity), Rate(row.Cell(9)));
            Assert.Equal(Rate(f.LeadToWon), Rate(row.Cell(10)));
            Assert.Equal(XLDataType.Number, row.Cell(3).DataType);
        }
    }

    private static readonly int[] CountColumns = [3, 4, 6, 7, 8];

    private static string Rate(decimal? rate) => rate is { } r ? Math.Round((double)r, 9).ToString(System.Globalization.CultureInfo.InvariantCulture) : "empty";

    private static string Rate(IXLCell cell) => cell.DataType == XLDataType.Number ? Math.Round(cell.GetDouble(), 9).ToString(System.Globalization.CultureInfo.InvariantCulture) : "empty";

    private static IReadOnlyList<string> LeadSheet(string culture) => Reporting.Worker.Exporting.LeadSheet.Headers(culture);
}

public sealed class SqliteLeadReportTests(SqliteDemoStoreFixture store) : LeadReportTests(store), IClassFixture<SqliteDemoStoreFixture>;

public sealed class PostgresLeadReportTests(PostgresDemoStoreFixture store) : LeadReportTests(store), IClassFixture<PostgresDemoStoreFixture>;
