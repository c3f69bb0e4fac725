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

        var missing = await LoadsExclusivelyAsync(new StoreChoice("sqlite", db));
        Assert.Equal(0, await CliApp.RunAsync(["--db", db, "db", "migrate"], Output, Error, clock));
        var there = await LoadsExclusivelyAsync(new StoreChoice("sqlite", $"Data Source={db}"));

        Assert.Equal((true, false), (missing, there));
    }

    /// <summary>Whether an import into the store the choice names would take the file for the load.</summary>
    private static async Task<bool> LoadsExclusivelyAsync(StoreChoice choice)
    {
        await using var services = StoreAccess.OpenForImport(choice, new FakeClock(Now));
        return services.GetRequiredService<SqliteDatabase>().LoadEmptyStoreExclusively;
    }

    [Fact]
    public async Task Import_IntoANewSqliteFile_StoresEveryDealAndLeavesTheFileInWriteAheadLogging()
    {
        var db = Path.Combine(Folder.FullName, "new.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2"), Row("D-3")));

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file], Output, Error, new FakeClock(Now));

        Assert.Equal(0, code);
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities"));
    }

    [Fact]
    public async Task ImportDryRun_SqliteFileMissing_ChecksAgainstAnEmptyStoreAndCreatesNoFile()
    {
        var db = Path.Combine(Folder.FullName, "new.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2"), Row("D-3")));

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--dry-run"], Output, Error, new FakeClock(Now));

        Assert.True(code == 0, Error.ToString());
        Assert.Contains("3 would be imported, 0 are already there, 0 invalid", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal([file], Directory.GetFiles(Folder.FullName));
    }

    [Fact]
    public async Task ImportDryRun_EmptyUnmigratedDatabase_ChecksAgainstAnEmptyStoreAndLeavesTheFileAsItWas()
    {
        var db = Path.Combine(Folder.FullName, "empty.db");
        await File.WriteAllBytesAsync(db, []);
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-5")));

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--dry-run", "--skip-invalid"], Output, Error, new FakeClock(Now));
        SqliteConnection.ClearAllPools();

        Assert.True(code == CliApp.BadInput, Error.ToString());
        Assert.Contains("1 would be imported, 0 are already there, 1 invalid", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(db).Length);
        Assert.Equal([file, db], Directory.GetFiles(Folder.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ImportDryRun_DatabaseAtAnOlderSchema_ExitsTwoAskingForDbMigrateAndChangesNothing()
    {
        var db = Path.Combine(Folder.FullName, "old.db");
        Assert.Equal(0, await CliApp.RunAsync(["--db", db, "db", "migrate"], Output, Error, new FakeClock(Now)));
        long latest;
        await using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            latest = await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_version");
            await connection.ExecuteAsync("DELETE FROM schema_version WHERE version = @latest", new { latest });
        }

        var schema = await SchemaAsync(db);
        var file = Write("deals.csv", Csv(Row("D-1")));
        Error.GetStringBuilder().Clear();

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--dry-run"], Output, Error, new FakeClock(Now));
        SqliteConnection.ClearAllPools();

        Assert.Equal(CliApp.BadInput, code);
        Assert.Equal(
            $"error: SQLite {db} has schema version {latest - 1}, and this version of SalesPipeline reads schema version {latest}: run 'salespipeline db migrate' first (a dry run changes nothing, not even the schema)." + Environment.NewLine,
            Error.ToString());
        Assert.Equal(schema, await SchemaAsync(db));
    }

    [Fact]
    public async Task ImportDryRun_DatabaseAtTheLatestSchema_FindsTheDealsAlreadyThere()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        Assert.Equal(0, await CliApp.RunAsync(["--db", db, "import", "--file", Write("first.csv", Csv(Row("D-1")))], Output, Error, new FakeClock(Now)));
        var schema = await SchemaAsync(db);

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", Write("second.csv", Csv(Row("D-1"), Row("D-2"))), "--dry-run"], Output, Error, new FakeClock(Now));
        SqliteConnection.ClearAllPools();

        Assert.True(code == 0, Error.ToString());
        Assert.Contains("1 would be imported, 1 are already there, 0 invalid", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(schema, await SchemaAsync(db));
    }

    /// <summary>The database's tables and indexes, and the schema versions it records.</summary>
    private static async Task<string> SchemaAsync(string db)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        var objects = await connection.QueryAsync<string>("SELECT type || ' ' || name FROM sqlite_master ORDER BY 1");
        var versions = await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY 1");
        var deals = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities");
        return string.Join(", ", objects) + " | " + string.Join(", ", versions) + " | " + deals;
    }
}
