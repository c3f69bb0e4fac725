using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;
using SalesPipeline.Reporting.Worker.Cli;
using SalesPipeline.Storage.Sqlite;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// The store <c>import</c> writes into: an import that creates the SQLite file takes it for the load (its rows written once,
/// through a rollback journal); an import into an existing file shares it as every other command does.
/// </summary>
public sealed class ImportStoreTests : ImportCommandTestBase
{
    [Fact]
    public async Task OpenForImport_SqliteFileMissingOrThere_TakesTheFileForTheLoadOnlyWhenTheImportCreatesIt()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var clock = new FakeClock(Now);

        var missing = await LoadsExclusivelyAsync(new StoreChoice("sqlite", db), dryRun: false);
        var missingDryRun = await LoadsExclusivelyAsync(new StoreChoice("sqlite", db), dryRun: true);
        Assert.Equal(0, await CliApp.RunAsync(["--db", db, "db", "migrate"], Output, Error, clock));
        var there = await LoadsExclusivelyAsync(new StoreChoice("sqlite", $"Data Source={db}"), dryRun: false);

        Assert.Equal((true, false, false), (missing, missingDryRun, there));
    }

    /// <summary>Whether an import into the store the choice names would take the file for the load.</summary>
    private static async Task<bool> LoadsExclusivelyAsync(StoreChoice choice, bool dryRun)
    {
        await using var services = StoreAccess.OpenForImport(choice, new FakeClock(Now), dryRun);
        return services.GetRequiredService<SqliteDatabase>().LoadEmptyStoreExclusively;
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 0)]
    public async Task Import_IntoANewSqliteFile_StoresEveryDealAndLeavesTheFileInWriteAheadLogging(bool dryRun, long stored)
    {
        var db = Path.Combine(Folder.FullName, "new.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2"), Row("D-3")));

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, .. dryRun ? ["--dry-run"] : Array.Empty<string>()], Output, Error, new FakeClock(Now));

        Assert.Equal(0, code);
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(stored, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities"));
    }
}
