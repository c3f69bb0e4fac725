using Dapper;
using Microsoft.Data.Sqlite;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Sqlite;
using SalesPipeline.Tests.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// A SQLite import large enough to set the deal tables' secondary indexes aside (here from 10 deals, and at least as many
/// as were stored) builds them again before it commits: the schema is the migrations' again, the indexes agree with the
/// rows, a re-import adds nothing, and an import that fails or is abandoned leaves the file as it was. With
/// <see cref="SqliteStorageOptions.LoadEmptyStoreExclusively"/>, an import into a store without deals goes through a
/// rollback journal instead of the write-ahead log, with the same guarantees, and leaves the file in write-ahead logging.
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

    [Fact]
    public async Task CommitAsync_LargeLoadInTwoBatches_StoresEveryDealAsGiven()
    {
        var random = new Random(12);
        var deals = Enumerable.Range(0, 101).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, random.Next(0, 12))).ToList();

        var session = await SqliteBulkImport.Target(_database, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals[..70]);
            await session.AddAsync(deals[70..]);
            await session.CommitAsync();
        }

        Assert.True(deals.Sum(d => d.Activities.Count) > 0 && deals.Sum(d => d.Offers.Count) > 0);
        var store = new RelationalOpportunityStore(new SqliteDialect(_database));
        foreach (var deal in deals)
        {
            Assert.Equal(StoredForm.Of(deal) with { Version = 1 }, await store.FindAsync(deal.Id));
        }

        Assert.Equal("ok", await IntegrityAsync());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(98)]
    public async Task AddAsync_DealAlreadyStoredAmongManyNewOnes_NamesItAndLeavesTheFileAsItWas(int at)
    {
        var random = new Random(13);
        var store = new RelationalOpportunityStore(new SqliteDialect(_database));
        var stored = Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3);
        await store.SaveAsync(stored);
        var counts = await CountsAsync();
        var deals = Enumerable.Range(0, 100).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();
        deals[at] = stored with { Name = "imported again" };

        var session = await SqliteBulkImport.Target(_database, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync(deals));

            Assert.Equal(stored.Id.ToString(), error.Id);
        }

        Assert.Equal(counts, await CountsAsync());
        Assert.Equal(StoredForm.Of(stored) with { Version = 1 }, await store.FindAsync(stored.Id));
        Assert.Equal("ok", await IntegrityAsync());
    }

    [Fact]
    public async Task CommitAsync_EmptyStoreLoadedExclusively_WritesThroughARollbackJournalAndEndsInWalWithTheSameStore()
    {
        var schema = await SchemaAsync();
        var deals = NewDeals(25, seed: 3);
        using var exclusive = ExclusiveDatabase();

        var session = await SqliteBulkImport.Target(exclusive, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals[..15]);
            Assert.Equal("delete", await JournalModeAsync());
            await session.AddAsync(deals[15..]);
            await session.CommitAsync();
        }

        // The same deals through the usual path, into a second store: both read back the same.
        var folder = Directory.CreateTempSubdirectory("salespipeline-bulk-").FullName;
        using var usual = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={Path.Combine(folder, "crm.db")}" });
        try
        {
            await usual.MigrateAsync(CancellationToken.None);
            var other = await SqliteBulkImport.Target(usual, SetAsideFrom).BeginImportAsync();
            await using (other)
            {
                await other.AddAsync(deals);
                await other.CommitAsync();
            }

            Assert.Equal("wal", await JournalModeAsync());
            Assert.False(File.Exists(Path.Combine(_folder, "crm.db-journal")));
            Assert.Equal(schema, await SchemaAsync());
            Assert.Equal("ok", await IntegrityAsync());
            Assert.Equal(await ReadBackAsync(usual), await ReadBackAsync(exclusive));
            Assert.Equal(25, (await ReadBackAsync(exclusive)).Count);

            // Every other command still works on the file: a migration, and a write through the store.
            Assert.False((await exclusive.MigrateAsync(CancellationToken.None)).Applied);
            var store = new RelationalOpportunityStore(new SqliteDialect(exclusive));
            var extra = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(99), 2);
            await store.SaveAsync(extra);
            Assert.Equal(26, (await ReadBackAsync(exclusive)).Count);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddAsync_FailsDuringAnExclusiveLoad_LeavesTheFileAsItWasInWal()
    {
        var schema = await SchemaAsync();
        var deals = NewDeals(20, seed: 8);
        using var exclusive = ExclusiveDatabase();

        var session = await SqliteBulkImport.Target(exclusive, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            // 20 new deals set the indexes aside; then one of them again.
            await session.AddAsync(deals);
            Assert.Equal("delete", await JournalModeAsync());
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync([deals[3]]));
        }

        await AssertUntouchedAsync(schema);
    }

    [Fact]
    public async Task AddAsync_CancelledDuringAnExclusiveLoad_LeavesTheFileAsItWasInWal()
    {
        var schema = await SchemaAsync();
        var deals = NewDeals(30, seed: 5);
        using var exclusive = ExclusiveDatabase();
        using var cancel = new CancellationTokenSource();

        var session = await SqliteBulkImport.Target(exclusive, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals[..20]);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.AddAsync(deals[20..], cancel.Token));
        }

        await AssertUntouchedAsync(schema);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WriteAsync_LargeLoadInIdOrderOrNot_SetsEverySecondaryIndexAsideAndCommitsTheMigrationsSchema(bool inIdOrder)
    {
        var schema = await SchemaAsync();
        var deals = NewDeals(30, seed: 12).OrderBy(d => d.Id.Value.ToString("D"), StringComparer.Ordinal).ToList();
        if (!inIdOrder)
        {
            (deals[0], deals[4]) = (deals[4], deals[0]);
        }

        await using var connection = (SqliteConnection)await ((IRelationalDatabase)_database).OpenConnectionAsync(CancellationToken.None);
        var writer = await new SqliteBulkImport(new SqliteDialect(_database), SetAsideFrom).BeginAsync(connection, CancellationToken.None);
        List<string> during;
        long buildCache, buildThreads, foreignKeysDuring;
        await using (writer)
        {
            await writer.WriteAsync(deals[..5], CancellationToken.None);
            await writer.WriteAsync(deals[5..], CancellationToken.None);
            during = [.. await connection.QueryAsync<string>(DealTablesSecondaryIndexes, transaction: writer.Transaction)];
            foreignKeysDuring = await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys", transaction: writer.Transaction);
            await writer.FlushAsync(CancellationToken.None);
            buildCache = await connection.ExecuteScalarAsync<long>("PRAGMA cache_size", transaction: writer.Transaction);
            buildThreads = await connection.ExecuteScalarAsync<long>("PRAGMA threads", transaction: writer.Transaction);
            await writer.Transaction.CommitAsync();
        }

        Assert.Empty(during);
        Assert.Equal(0, foreignKeysDuring);
        Assert.Equal((-SqliteBulkImport.BuildCacheKibibytes, SqliteBulkImport.BuildSorterThreads), (buildCache, buildThreads));
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal("ok", await IntegrityAsync());
        Assert.Empty(await connection.QueryAsync("PRAGMA foreign_key_check"));
        Assert.Equal(await SavedOneByOneAsync(deals), await ReadBackAsync(_database));
    }

    /// <summary>The deals as the ordinary save stores them, one by one, in a store of their own, read back.</summary>
    private async Task<List<string>> SavedOneByOneAsync(IReadOnlyList<OpportunityState> deals)
    {
        using var saved = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "saved.db")}" });
        await saved.MigrateAsync(CancellationToken.None);
        var store = new RelationalOpportunityStore(new SqliteDialect(saved));
        foreach (var deal in deals)
        {
            Assert.Equal(1, await store.SaveAsync(deal));
        }

        return await ReadBackAsync(saved);
    }

    [Theory]
    [InlineData(false, 5)]
    [InlineData(false, 30)]
    [InlineData(true, 5)]
    [InlineData(true, 30)]
    public async Task DisposeAsync_AfterALoad_GivesTheConnectionBackWithSqlitesDefaultCacheNoSorterThreadsAndForeignKeyChecks(bool exclusive, int dealCount)
    {
        using var database = exclusive ? ExclusiveDatabase() : null;
        var store = database ?? _database;
        await using var connection = (SqliteConnection)await ((IRelationalDatabase)store).OpenConnectionAsync(CancellationToken.None);
        var writer = await new SqliteBulkImport(new SqliteDialect(store), SetAsideFrom).BeginAsync(connection, CancellationToken.None);
        await using (writer)
        {
            await writer.WriteAsync(NewDeals(dealCount, seed: 13), CancellationToken.None);
            await writer.FlushAsync(CancellationToken.None);
            await writer.Transaction.CommitAsync();
        }

        Assert.Equal(-2000, await connection.ExecuteScalarAsync<long>("PRAGMA cache_size"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("PRAGMA threads"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal(dealCount, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities"));
    }

    /// <summary>The deal tables' secondary indexes: those a large load sets aside.</summary>
    private const string DealTablesSecondaryIndexes =
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' " +
        "AND tbl_name IN ('opportunities', 'stage_changes', 'activities', 'offers')";

    [Fact]
    public async Task BeginImportAsync_StoreHoldsDealsWithExclusiveLoadAllowed_KeepsTheWriteAheadLogAndItsReaders()
    {
        await ImportKit.ImportAsync(Csv(1, 12), SqliteBulkImport.Target(_database, SetAsideFrom), new ImportOptions { BatchSize = 10 });
        using var exclusive = ExclusiveDatabase();

        var session = await SqliteBulkImport.Target(exclusive, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(NewDeals(20, seed: 4));
            Assert.Equal("wal", await JournalModeAsync());
            Assert.Equal(12L, (await CountsAsync()).Deals);
            await session.CommitAsync();
        }

        Assert.Equal(32L, (await CountsAsync()).Deals);
        Assert.Equal("wal", await JournalModeAsync());
    }

    [Fact]
    public async Task BeginImportAsync_AnotherConnectionHasTheEmptyFileOpen_KeepsTheWriteAheadLog()
    {
        using var exclusive = ExclusiveDatabase();
        await using var reader = new SqliteConnection($"Data Source={Path.Combine(_folder, "crm.db")};Pooling=False");
        await reader.OpenAsync();
        Assert.Equal(0L, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities"));

        var session = await SqliteBulkImport.Target(exclusive, SetAsideFrom).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(NewDeals(15, seed: 6));
            Assert.Equal("wal", await JournalModeAsync());
            await session.CommitAsync();
        }

        Assert.Equal(15L, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities"));
    }

    private static List<OpportunityState> NewDeals(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3))];
    }

    /// <summary>A second handle on the test's file that may take it for a load into an empty store.</summary>
    private SqliteDatabase ExclusiveDatabase() =>
        new(new SqliteStorageOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "crm.db")}", LoadEmptyStoreExclusively = true });

    private async Task AssertUntouchedAsync(List<string> schema)
    {
        Assert.Equal("wal", await JournalModeAsync());
        Assert.False(File.Exists(Path.Combine(_folder, "crm.db-journal")));
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal((0L, 0L), await CountsAsync());
        Assert.Equal("ok", await IntegrityAsync());
    }

    [Fact]
    public async Task ExternalIdLookUps_PipelineWithoutExternalIdsAtTheFirst_AskTheFileOnlyAboutIdsTheImportMayHaveWritten()
    {
        var random = new Random(5);
        var fresh = Deals.IsolatedPipeline();
        var stocked = Deals.IsolatedPipeline();
        OpportunityState Deal(PipelineDefinition pipeline, string externalId) => Deals.Build(pipeline, Deals.Anna, random, 3) with { ExternalId = externalId };
        var dialect = new SqliteDialect(_database);
        var counting = new CountingBulkImport(new SqliteBulkImport(dialect));
        var session = await new RelationalImportTarget(dialect, counting).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync([Deal(stocked, "s-0")]);
            Assert.Equal(["s-0"], await session.ExistingExternalIdsAsync(stocked.Id, ["s-0", "s-1"]));
            Assert.Equal(1, counting.StoreLookUps);

            Assert.Empty(await session.ExistingExternalIdsAsync(fresh.Id, ["a-0"]));
            await session.AddAsync([.. Enumerable.Range(0, 100).Select(i => Deal(fresh, $"a-{i}"))]);
            Assert.Empty(await session.ExistingExternalIdsAsync(fresh.Id, [.. Enumerable.Range(100, 1_000).Select(i => $"a-{i}")]));
            Assert.Equal(1, counting.StoreLookUps);

            Assert.Equal(["a-5"], await session.ExistingExternalIdsAsync(fresh.Id, ["a-5", "a-100"]));
            Assert.Equal(["s-0"], await session.ExistingExternalIdsAsync(stocked.Id, ["s-0"]));
            Assert.Equal(3, counting.StoreLookUps);
        }
    }

    /// <summary>The file's journal mode as a new connection finds it (a connection of its own, not pooled, closed at once).</summary>
    private async Task<string?> JournalModeAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "crm.db")};Pooling=False");
        return await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode");
    }

    /// <summary>Every stored deal, as the store's contract reads it, member by member.</summary>
    private static async Task<List<string>> ReadBackAsync(SqliteDatabase database)
    {
        var deals = new List<string>();
        await foreach (var deal in new RelationalOpportunityStore(new SqliteDialect(database)).QueryAsync(OpportunityQuery.All))
        {
            deals.Add(Structural.Text(deal));
        }

        deals.Sort(StringComparer.Ordinal);
        return deals;
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
