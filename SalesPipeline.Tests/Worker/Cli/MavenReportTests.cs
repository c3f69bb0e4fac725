using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// The real Maven CRM file imported with the committed mapping, then reported on: the workbook shows what the file says.
/// </summary>
public sealed class MavenReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-maven-").FullName;

    [Fact]
    public async Task ImportThenReport_WholePeriod_WinLossIsTheFilesWonAndLostRows()
    {
        var root = Docs.ReadmeTests.RepoRoot();
        var db = Path.Combine(_folder, "maven.db");
        var import = await CliRunner.RunAsync(
            "--db", db, "import",
            "--file", Path.Combine(root, "..", "shared", "data", "maven-crm", "sales_pipeline.csv"),
            "--mapping", Path.Combine(root, "SalesPipeline.Reporting.Worker", "Import", "Mappings", "maven-crm.json"));
        Assert.True(import.ExitCode == 0, import.ToString());

        var path = Path.Combine(_folder, "maven.xlsx");
        var report = await CliRunner.RunAsync("--db", db, "report", "--pipeline", "maven-crm", "--kind", "winloss", "--from", "2016-10-01", "--to", "2017-12-31", "--out", path);
        Assert.True(report.ExitCode == 0, report.ToString());

        // In sales_pipeline.csv, deal_stage is Won on 4,238 rows and Lost on 2,473, every one closed between
        // 2017-03-01 and 2017-12-31; the close_value of the Won rows sums to 10,005,534 (USD) and Lost rows carry 0.
        using var workbook = new XLWorkbook(path);
        var total = workbook.Worksheet("Win-Loss").RowsUsed().First(r => r.Cell(1).GetString() == "Total" && r.Cell(2).GetString() == "USD");
        Assert.Equal(4_238, total.Cell(3).GetValue<long>());
        Assert.Equal(2_473, total.Cell(4).GetValue<long>());
        Assert.Equal(10_005_534m, total.Cell(5).GetValue<decimal>());
        Assert.Equal(0m, total.Cell(6).GetValue<decimal>());
        Assert.Equal(Math.Round(4_238m / 6_711m, 10), Math.Round(total.Cell(7).GetValue<decimal>(), 10));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
