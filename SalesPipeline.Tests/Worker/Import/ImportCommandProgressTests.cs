using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Reporting.Worker.Cli;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// <c>import</c> that takes a while reports progress on stderr, and once every row is read says it is finishing, so the
/// seconds a large import spends writing the rest, rebuilding indexes and committing are not silent.
/// </summary>
public sealed class ImportCommandProgressTests : ImportCommandTestBase
{
    private const string Finishing = "import: all 2,000 rows read, 0 rejected; writing the rest and committing (a large import also rebuilds the indexes it set aside)";

    [Fact]
    public async Task Import_LongImport_ReportsRowsReadThenFinishingOnStderrAndCommits()
    {
        var (db, file) = LongFile();

        // Each reading of the clock is a second later, so the import reports as if it took minutes.
        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file], Output, Error, new FakeClock(Now, Duration.FromSeconds(1)));

        Assert.Equal(0, code);
        var lines = Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines[..^1], l => Assert.Matches(@"^import: [\d,]+ rows read, 0 rejected \([\d,]+ rows/s\)$", l));
        Assert.Equal(Finishing, lines[^1]);
        Assert.Contains("2,000 imported", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_LongDryRun_ReportsRowsReadButNotFinishing()
    {
        var (db, file) = LongFile();

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--dry-run"], Output, Error, new FakeClock(Now, Duration.FromSeconds(1)));

        Assert.Equal(0, code);
        Assert.Contains("rows read, 0 rejected (", Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("all 2,000 rows read", Error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A store to create and a file of 2,000 valid rows: with a clock a second later at each reading, a long import.</summary>
    private (string Db, string File) LongFile() =>
        (Path.Combine(Folder.FullName, "crm.db"), Write("deals.csv", Csv([.. Enumerable.Range(0, 2_000).Select(i => Row($"D-{i}"))])));
}
