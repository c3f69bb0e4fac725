using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The Maven CRM file imported once with the committed mapping into a scratch database.</summary>
public sealed class MavenStoreFixture : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("salespipeline-maven-").FullName;

    public string Database => Path.Combine(Folder, "maven.db");

    public async Task InitializeAsync()
    {
        var root = Docs.ReadmeTests.RepoRoot();
        var admin = await CliRunner.RunAsync("--db", Database, "users", "add", "admin", "--name", "Admin", "--role", "admin", "--group", "hq");
        Assert.True(admin.ExitCode == 0, admin.ToString());
        var import = await CliRunner.RunAsync(
            "--db", Database, "--as", "admin", "import",
            "--file", Path.Combine(Core.Analytics.MavenCrm.Directory, "sales_pipeline.csv"),
            "--mapping", Path.Combine(root, "SalesPipeline.Reporting.Worker", "Import", "Mappings", "maven-crm.json"));
        Assert.True(import.ExitCode == 0, import.ToString());
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The real Maven CRM file imported with the committed mapping, then reported on: the workbook shows what the file says.
/// </summary>
/// <remarks>
/// Counted in sales_pipeline.csv (8,800 rows): deal_stage is Won on 4,238 rows, Lost on 2,473, Engaging on 1,589 and
/// Prospecting on 500. Every row but the Prospecting ones has an engage_date, between 2016-10-20 and 2017-12-27; the
/// mapping dates a Prospecting deal 2017-12-31. Open deals carry no close_value (0).
/// </remarks>
public sealed class MavenReportTests(MavenStoreFixture store) : IClassFixture<MavenStoreFixture>
{
    [Fact]
    public async Task ImportThenReport_WholePeriod_WinLossIsTheFilesWonAndLostRows()
    {
        var path = Path.Combine(store.Folder, "winloss.xlsx");
        var report = await CliRunner.RunAsync("--db", store.Database, "report", "--pipeline", "maven-crm", "--kind", "winloss", "--from", "2016-10-01", "--to", "2017-12-31", "--out", path);
        Assert.True(report.ExitCode == 0, report.ToString());

        // The Won rows close between 2017-03-01 and 2017-12-31; their close_value sums to 10,005,534 (USD) and Lost rows carry 0.
        using var workbook = new XLWorkbook(path);
        var total = workbook.Worksheet("Win-Loss").RowsUsed().First(r => r.Cell(1).GetString() == "Total" && r.Cell(2).GetString() == "USD");
        Assert.Equal(4_238, total.Cell(3).GetValue<long>());
        Assert.Equal(2_473, total.Cell(4).GetValue<long>());
        Assert.Equal(10_005_534m, total.Cell(5).GetValue<decimal>());
        Assert.Equal(0m, total.Cell(6).GetValue<decimal>());
        Assert.Equal(Math.Round(4_238m / 6_711m, 10), Math.Round(total.Cell(7).GetValue<decimal>(), 10));
    }

    [Fact]
    public async Task ImportThenReport_WholePeriod_FunnelIsTwoCaptionedTablesOfTheFilesDeals()
    {
        var path = Path.Combine(store.Folder, "funnel.xlsx");
        var report = await CliRunner.RunAsync("--db", store.Database, "report", "--pipeline", "maven-crm", "--kind", "funnel", "--from", "2016-10-01", "--to", "2017-12-31", "--out", path);
        Assert.True(report.ExitCode == 0, report.ToString());

        using var workbook = new XLWorkbook(path);
        var sheet = workbook.Worksheet("Funnel");
        string[] Row(int row, int columns) => [.. Enumerable.Range(1, columns).Select(c => sheet.Cell(row, c).GetString())];

        // The pipeline at the end of 2017-12-31: the 500 Prospecting and 1,589 Engaging rows, open, with no value;
        // shares 500 / 2,089 and 1,589 / 2,089.
        Assert.Equal("Pipeline on 2017-12-31", sheet.Cell("A1").GetString());
        Assert.Equal(["Stage", "Currency", "Deals", "Value", "Weighted value", "Share"], Row(2, 6));
        Assert.Equal(["Prospecting", "USD", "500", "0", "0"], Row(3, 5));
        Assert.Equal(["Engaging", "USD", "1589", "0", "0"], Row(4, 5));
        Assert.Equal(Math.Round(500m / 2_089m, 10), Math.Round(sheet.Cell(3, 6).GetValue<decimal>(), 10));
        Assert.Equal(Math.Round(1_589m / 2_089m, 10), Math.Round(sheet.Cell(4, 6).GetValue<decimal>(), 10));
        Assert.True(sheet.Row(5).IsEmpty());

        // Every one of the 8,800 deals was created in the period; all reached Prospecting (engaged deals passed it), the
        // 8,300 with an engage_date (Engaging 1,589 + Won 4,238 + Lost 2,473) reached Engaging, 4,238 were won:
        // conversions 8,300 / 8,800 and 4,238 / 8,300, cumulative 4,238 / 8,800.
        Assert.Equal("Deals created 2016-10-01–2017-12-31: how far they got", sheet.Cell("A6").GetString());
        Assert.Equal(["Stage", "Reached", "Conversion", "Cumulative conversion"], Row(7, 4));
        Assert.Equal(["Prospecting", "8800", "—", "1"], Row(8, 4));
        Assert.Equal(["Engaging", "8300"], Row(9, 2));
        Assert.Equal(["Won", "4238"], Row(10, 2));
        Assert.Equal(Math.Round(8_300m / 8_800m, 10), Math.Round(sheet.Cell(9, 3).GetValue<decimal>(), 10));
        Assert.Equal(Math.Round(4_238m / 8_300m, 10), Math.Round(sheet.Cell(10, 3).GetValue<decimal>(), 10));
        Assert.Equal(Math.Round(4_238m / 8_800m, 10), Math.Round(sheet.Cell(10, 4).GetValue<decimal>(), 10));
        Assert.True(sheet.Cell(11, 1).IsEmpty());
        Assert.All(Enumerable.Range(8, 3), r => Assert.True(sheet.Cell(r, 5).IsEmpty() && sheet.Cell(r, 6).IsEmpty(), "A cohort row carries no pipeline figure."));
    }

    [Fact]
    public async Task Report_NoPipelineNamedAndTheDefaultPipelineEmpty_ExitsTwoNamingThePipelinesThatHoldDeals()
    {
        var path = Path.Combine(store.Folder, "default.xlsx");

        var report = await CliRunner.RunAsync("--db", store.Database, "report", "--from", "2016-10-01", "--to", "2017-12-31", "--out", path);

        Assert.Equal(2, report.ExitCode);
        Assert.Equal(
            "error: The default pipeline 'new-business' has no deals; deals are in 'maven-crm' (8,800 deals). Pick one with --pipeline, for example --pipeline maven-crm.",
            report.Error.Trim());
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Report_TheEmptyDefaultPipelineNamed_IsWrittenAsAsked()
    {
        var path = Path.Combine(store.Folder, "named-default.xlsx");

        var report = await CliRunner.RunAsync("--db", store.Database, "report", "--pipeline", "new-business", "--kind", "funnel", "--from", "2016-10-01", "--to", "2017-12-31", "--out", path);

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.True(File.Exists(path));
    }
}
