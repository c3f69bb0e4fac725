using Dapper;
using Microsoft.Data.Sqlite;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Sqlite;
using SalesPipeline.Tests.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// A SQLite import large enough to set the deal tables' secondary indexes aside (here from 10 deals, and at least as many
/// as were stored) builds them again before it commits: the schema is the migrations' again, the indexes agree with the
/// rows, a re-import adds nothing, and an import that fails or is abandoned leaves the file as it was.
/// </summary>
public sealed class SqliteBulkImportTests : IDisposable
{
    private const int SetAsideFrom = 10;
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-bulk-").FullName;
    private readonly SqliteDatabase _database;

    public SqliteBulkImportTests()
    {
        _database = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "crm.db")}" });
        _database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ImportAsync_LargeEnoughToSetIndexesAside_CommitsTheDealsWithTheMigrationsIndexes()
    {
        var schema = await SchemaAsync();

        var result = await ImportKit.ImportAsync(Csv(1, 35), SqliteBulkImport.Target(_database, SetAsideFrom), new ImportOptions { BatchSize = 10 });

        Assert.Equal((35L, true), (result.Imported, result.Committed));
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(35L, (await CountsAsync()).Deals);
        Assert.Equal("ok", await IntegrityAsync());
    }

    [Fact]
    public async Task ImportAsync_SameRowsAgainAmongNewOnesWithIndexesSetAside_AddsOnlyTheNewOnes()
    {
        var schema = await SchemaAsync();
        await ImportKit.ImportAsync(Csv(1, 30), SqliteBulkImport.Target(_database, SetAsideFrom), new ImportOptions { BatchSize = 10 });

        var again = await ImportKit.ImportAsync(Csv(1, 30), SqliteBulkImport.Target(_database, SetAsideFrom), new ImportOptions { BatchSize = 10 });
        var more = await ImportKit.ImportAsync(Csv(1, 75), SqliteBulkImport.Target(_database, SetAsideFrom), new ImportOptions { BatchSize = 10 });

        Assert.Equal((0L, 30L), (again.Imported, again.SkippedExisting));
        Assert.Equal((45L, 30L, true), (more.Imported, more.SkippedExisting, more.Committed));
        Assert.Equal(75L, (await CountsAsync()).Deals);
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal("ok", await IntegrityAsync());
    }

    [Fact]
    public async Task AddAsync_FailsAfterIndexesWereSetAside_DisposedSessionLeavesTheFileAsItWas()
    {
        await ImportKit.ImportAsync(Csv(1, 12), SqliteBulkImport.Target(_database, SetAsideFrom), new ImportOptions { BatchSize = 10 });
        var schema = await SchemaAsync();
        var counts = await CountsAsync();
        var random = new Random(8);
        var deals = Enumerable.Range(0, 20).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();

        var session = await SqliteBulkImport.Target(_database, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            // 20 new deals: more than the 12 stored, so the indexes are set aside; then one of them again.
            await session.AddAsync(deals);
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync([deals[3]]));
        }

        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(counts, await CountsAsync());
        Assert.Equal("ok", await IntegrityAsync());
    }

    private static string Csv(int first, int last) =>
        ImportKit.Csv([.. Enumerable.Range(first, last - first + 1).Select(i => ImportKit.Row($"D-{i}", owner: i % 2 == 0 ? "anna" : "tom", account: $"Account {i % 4}"))]);

    private async Task<List<string>> SchemaAsync()
    {
        await using var connection = new SqliteConnection(_database.ConnectionString);
        return [.. await connection.QueryAsync<string>("SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name")];
    }

    private async Task<(long Deals, long History)> CountsAsync()
    {
        await using var connection = new SqliteConnection(_database.ConnectionString);
        return (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities"), await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_changes"));
    }

    private async Task<string?> IntegrityAsync()
    {
        await using var connection = new SqliteConnection(_database.ConnectionString);
        return await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check");
    }
}
