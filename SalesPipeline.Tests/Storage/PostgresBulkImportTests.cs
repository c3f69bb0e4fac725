using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Postgres;
using SalesPipeline.Tests.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// A PostgreSQL import large enough to set the deal tables' indexes and the history's foreign keys aside (here from 10
/// deals, and at least as many as were stored) builds them again before it commits: the schema is the
/// migrations' again, the keys hold, a re-import adds nothing, an import that fails leaves the database as it was, and
/// while another session uses the tables the import neither waits for it nor sets anything aside.
/// </summary>
public sealed class PostgresBulkImportTests : IAsyncLifetime
{
    private const int SetAsideFrom = 10;
    private string _connectionString = string.Empty;
    private string _name = string.Empty;
    private readonly List<PostgresDatabase> _opened = [];

    private PostgresDatabase Database => _opened[0];

    public async Task InitializeAsync()
    {
        (_connectionString, _name) = await PostgresStoreFixture.CreateDatabaseAsync();
        _opened.Add(new PostgresDatabase(new PostgresStorageOptions { ConnectionString = _connectionString }));
        await Database.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        await PostgresStoreFixture.DropDatabaseAsync(_name);
    }

    [Fact]
    public async Task ImportAsync_LargeEnoughToSetIndexesAside_CommitsTheDealsWithTheMigrationsIndexesAndKeys()
    {
        var schema = await SchemaAsync();

        var result = await ImportKit.ImportAsync(Csv(1, 35), Target(), new ImportOptions { BatchSize = 10 });

        Assert.Equal((35L, true), (result.Imported, result.Committed));
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(35L, (await CountsAsync()).Deals);
        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"));
    }

    [Fact]
    public async Task AddAsync_AsManyDealsAsStored_HoldsTheTablesAloneWithTheIndexesAsideUntilTheCommit()
    {
        var random = new Random(5);
        var deals = Enumerable.Range(0, 12).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();
        var schema = await SchemaAsync();

        var session = await Target().BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals);

            // The first batch set the indexes aside: the tables are the import's alone until it ends.
            Assert.Equal(1L, await ExclusiveLocksOnDealsAsync());
            await session.CommitAsync();
        }

        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal((12L, deals.Sum(d => (long)d.History.Count)), await CountsAsync());
    }

    [Fact]
    public async Task ImportAsync_SameRowsAgainAmongNewOnesWithIndexesSetAside_AddsOnlyTheNewOnes()
    {
        var schema = await SchemaAsync();
        await ImportKit.ImportAsync(Csv(1, 30), Target(), new ImportOptions { BatchSize = 10 });

        var again = await ImportKit.ImportAsync(Csv(1, 30), Target(), new ImportOptions { BatchSize = 10 });
        var more = await ImportKit.ImportAsync(Csv(1, 75), Target(), new ImportOptions { BatchSize = 10 });

        Assert.Equal((0L, 30L), (again.Imported, again.SkippedExisting));
        Assert.Equal((45L, 30L, true), (more.Imported, more.SkippedExisting, more.Committed));
        Assert.Equal(75L, (await CountsAsync()).Deals);
        Assert.Equal(schema, await SchemaAsync());
    }

    [Fact]
    public async Task AddAsync_StoredDealAfterIndexesWereSetAside_NamesItAndLeavesTheDatabaseAsItWas()
    {
        await ImportKit.ImportAsync(Csv(1, 12), Target(), new ImportOptions { BatchSize = 10 });
        var schema = await SchemaAsync();
        var counts = await CountsAsync();
        var random = new Random(8);
        var stored = Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3);
        await new RelationalOpportunityStore(new PostgresDialect(Database)).SaveAsync(stored);
        var deals = Enumerable.Range(0, 20).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();

        var session = await Target().BeginImportAsync();
        await using (session)
        {
            // 20 new deals: more than the 13 stored, so the first batch sets the indexes aside; then a stored deal again.
            await session.AddAsync(deals);
            Assert.Equal(1L, await ExclusiveLocksOnDealsAsync());
            Assert.Equal(stored.Id.ToString(), (await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync([stored with { Name = "imported again" }]))).Id);
        }

        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal((counts.Deals + 1, counts.History + stored.History.Count), await CountsAsync());
    }

    [Fact]
    public async Task AddAsync_AnotherSessionReadsTheDeals_WritesWithoutWaitingAndKeepsTheIndexes()
    {
        var random = new Random(9);
        var deals = Enumerable.Range(0, 30).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();
        var schema = await SchemaAsync();
        await using var reader = new NpgsqlConnection(_connectionString);
        await reader.OpenAsync();
        await using var reading = await reader.BeginTransactionAsync();
        await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities", transaction: reading);

        var session = await Target().BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals[..15]);
            await session.AddAsync(deals[15..]);

            Assert.Equal(0L, await ExclusiveLocksOnDealsAsync());
            Assert.Equal(schema, await SchemaAsync());
            await session.CommitAsync();
        }

        await reading.CommitAsync();
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(30L, (await CountsAsync()).Deals);
    }

    [Fact]
    public async Task ImportAsync_IndexesKeptRowByRow_LeavesTheDealsTableWithStatisticsOfItsRows()
    {
        // Never analyzed, a new table has no statistics (reltuples -1) until the import gathers them for the external-id look-ups.
        Assert.Equal(-1L, await CountAsync("SELECT reltuples::bigint FROM pg_class WHERE oid = 'opportunities'::regclass"));

        await ImportKit.ImportAsync(Csv(1, 35), Target(setAsideFrom: int.MaxValue), new ImportOptions { BatchSize = 10 });

        // Gathered after the batches that brought the written deals to 10 and 20 (each time they doubled), not to 30 or 35.
        Assert.Equal(20L, await CountAsync("SELECT reltuples::bigint FROM pg_class WHERE oid = 'opportunities'::regclass"));
    }

    [Fact]
    public async Task ImportAsync_FewerDealsThanAnalyzeFrom_LeavesTheStatisticsToTheServer()
    {
        var dialect = new PostgresDialect(Database);

        await ImportKit.ImportAsync(Csv(1, 35), new RelationalImportTarget(dialect, new PostgresBulkImport(dialect, setAsideFrom: int.MaxValue)), new ImportOptions { BatchSize = 10 });

        // Fewer than PostgresBulkImport.AnalyzeFrom deals: no ANALYZE, and no lock taken for it.
        Assert.Equal(-1L, await CountAsync("SELECT reltuples::bigint FROM pg_class WHERE oid = 'opportunities'::regclass"));
    }

    [Fact]
    public async Task ImportAsync_IndexBuildLongerThanTheCommandTimeout_CommitsWithTheIndexBuilt()
    {
        // An index whose every entry takes 50 ms to compute: building it for 35 deals takes longer than a 1-second command timeout.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.ExecuteAsync(
                "CREATE FUNCTION slow_key(k uuid) RETURNS uuid LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN k; END $$; " +
                "CREATE INDEX ix_opportunities_slow ON opportunities (slow_key(id))");
        }

        var schema = await SchemaAsync();
        var impatient = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1 }.ToString() });
        _opened.Add(impatient);
        var dialect = new PostgresDialect(impatient);

        var result = await ImportKit.ImportAsync(Csv(1, 35), new RelationalImportTarget(dialect, new PostgresBulkImport(dialect, setAsideFrom: SetAsideFrom, analyzeFrom: SetAsideFrom)), new ImportOptions { BatchSize = 10 });

        Assert.Equal((35L, true), (result.Imported, result.Committed));
        Assert.Equal(schema, await SchemaAsync());
    }

    [Fact]
    public async Task AddAsync_FewerDealsWrittenThanStored_KeepsTheIndexesUntilItHasWrittenAsMany()
    {
        await ImportKit.ImportAsync(Csv(1, 25), Target(setAsideFrom: int.MaxValue), new ImportOptions { BatchSize = 10 });
        var schema = await SchemaAsync();
        var random = new Random(10);
        var deals = Enumerable.Range(0, 30).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();

        var session = await Target().BeginImportAsync();
        await using (session)
        {
            // 25 stored: kept row by row while the import has written 10 and 20, set aside at 30.
            List<long> locks = [];
            foreach (var batch in deals.Chunk(10))
            {
                await session.AddAsync(batch);
                locks.Add(await ExclusiveLocksOnDealsAsync());
            }

            Assert.Equal([0L, 0L, 1L], locks);
            await session.CommitAsync();
        }

        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(55L, (await CountsAsync()).Deals);
    }

    [Fact]
    public async Task AddAsync_AnotherSessionReadTheDealsAtFirst_TriesAgainLaterAndSetsTheIndexesAside()
    {
        var random = new Random(11);
        var deals = Enumerable.Range(0, 30).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();
        var schema = await SchemaAsync();
        var dialect = new PostgresDialect(Database);
        var target = new RelationalImportTarget(dialect, new PostgresBulkImport(dialect, setAsideFrom: SetAsideFrom, setAsideRetryEvery: 10));

        var session = await target.BeginImportAsync();
        await using (session)
        {
            await using (var reader = new NpgsqlConnection(_connectionString))
            {
                await reader.OpenAsync();
                await using var reading = await reader.BeginTransactionAsync();
                await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities", transaction: reading);

                // 15 written: the reader holds the tables, so the import keeps the indexes and tries again 10 deals later.
                await session.AddAsync(deals[..15]);
                Assert.Equal(0L, await ExclusiveLocksOnDealsAsync());
            }

            await session.AddAsync(deals[15..20]);
            Assert.Equal(0L, await ExclusiveLocksOnDealsAsync());
            await session.AddAsync(deals[20..]);
            Assert.Equal(1L, await ExclusiveLocksOnDealsAsync());
            await session.CommitAsync();
        }

        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(30L, (await CountsAsync()).Deals);
    }

    [Fact]
    public async Task AddAsync_ExternalIdAnotherImportHasNotCommitted_WaitsForItLongerThanTheCommandTimeout()
    {
        var (first, second) = await SharedExternalIdAsync(holderCommits: false);

        // The first import ended without committing: the second one's row went in.
        Assert.Equal(1L, await CountAsync($"SELECT COUNT(*) FROM opportunities WHERE external_id = 'crm-shared' AND id = '{second.Id.Value}'"));
        Assert.Equal(0L, await CountAsync($"SELECT COUNT(*) FROM opportunities WHERE id = '{first.Id.Value}'"));
    }

    [Fact]
    public async Task AddAsync_ExternalIdAnotherImportCommitsWhileThisOneWaits_IsRefused()
    {
        var (first, second) = await SharedExternalIdAsync(holderCommits: true);

        Assert.Equal(1L, await CountAsync($"SELECT COUNT(*) FROM opportunities WHERE external_id = 'crm-shared' AND id = '{first.Id.Value}'"));
        Assert.Equal(0L, await CountAsync($"SELECT COUNT(*) FROM opportunities WHERE id = '{second.Id.Value}'"));
    }

    /// <summary>
    /// Two imports of deals with the same external id: the second one's COPY waits for the first one's uncommitted key, past
    /// its own 1-second command timeout, until the first ends (committing or not); the second then commits its deal, or is
    /// told the external id is taken.
    /// </summary>
    private async Task<(OpportunityState First, OpportunityState Second)> SharedExternalIdAsync(bool holderCommits)
    {
        var random = new Random(12);
        var first = Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 2) with { ExternalId = "crm-shared" };
        var second = Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 2) with { ExternalId = "crm-shared" };
        var impatient = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1 }.ToString() });
        _opened.Add(impatient);

        var holding = await Target().BeginImportAsync();
        Task adding;
        var waiting = await PostgresBulkImport.Target(impatient).BeginImportAsync();
        await using (waiting)
        {
            await using (holding)
            {
                await holding.AddAsync([first]);

                adding = waiting.AddAsync([second]);
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                Assert.False(adding.IsCompleted);
                if (holderCommits)
                {
                    await holding.CommitAsync();
                }
            }

            if (holderCommits)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => adding);
                Assert.Contains("external id that another opportunity of its pipeline already has", error.Message, StringComparison.Ordinal);
            }
            else
            {
                await adding;
                await waiting.CommitAsync();
            }
        }

        return (first, second);
    }

    [Fact]
    public async Task ExternalIdLookUps_NewPipelineOnceTheTablesAreTheImportsAlone_AskTheServerOnlyAboutIdsTheImportMayHaveWritten()
    {
        var random = new Random(9);
        var fresh = Deals.IsolatedPipeline();
        var shared = Deals.IsolatedPipeline();
        OpportunityState Deal(PipelineDefinition pipeline, string externalId) => Deals.Build(pipeline, Deals.Anna, random, 3) with { ExternalId = externalId };
        var dialect = new PostgresDialect(Database);
        var counting = new CountingBulkImport(new PostgresBulkImport(dialect, setAsideFrom: SetAsideFrom, analyzeFrom: int.MaxValue));
        var session = await new RelationalImportTarget(dialect, counting).BeginImportAsync();
        await using (session)
        {
            // Until the import holds the deal tables for itself, other sessions may write to any pipeline: every look-up asks.
            Assert.Empty(await session.ExistingExternalIdsAsync(fresh.Id, ["a-0"]));
            Assert.Empty(await session.ExistingExternalIdsAsync(shared.Id, ["o-0"]));
            await session.AddAsync([Deal(fresh, "a-0"), Deal(shared, "s-0")]);
            var other = await Target().BeginImportAsync();
            await using (other)
            {
                await other.AddAsync([Deal(shared, "o-0")]);
                await other.CommitAsync();
            }

            Assert.Empty(await session.ExistingExternalIdsAsync(fresh.Id, ["a-1"]));
            Assert.Equal(3, counting.StoreLookUps);

            // This batch takes the import past SetAsideFrom deals: it takes the tables for itself until it ends.
            await session.AddAsync([.. Enumerable.Range(1, 20).Select(i => Deal(fresh, $"a-{i}"))]);
            Assert.Equal(1L, await ExclusiveLocksOnDealsAsync());
            Assert.Empty(await session.ExistingExternalIdsAsync(fresh.Id, [.. Enumerable.Range(100, 1_000).Select(i => $"a-{i}")]));
            Assert.Equal(3, counting.StoreLookUps);

            Assert.Equal(["a-0", "a-20"], (await session.ExistingExternalIdsAsync(fresh.Id, ["a-0", "a-20", "a-21"])).Order(StringComparer.Ordinal));
            Assert.Equal(["o-0", "s-0"], (await session.ExistingExternalIdsAsync(shared.Id, ["o-0", "s-0", "s-1"])).Order(StringComparer.Ordinal));
            Assert.Equal(5, counting.StoreLookUps);

            // A new pipeline first looked up now can only ever hold this import's deals.
            var late = Deals.IsolatedPipeline();
            Assert.Empty(await session.ExistingExternalIdsAsync(late.Id, ["l-0"]));
            await session.AddAsync([Deal(late, "l-0")]);
            Assert.Empty(await session.ExistingExternalIdsAsync(late.Id, [.. Enumerable.Range(1, 1_000).Select(i => $"l-{i}")]));
            Assert.Equal(5, counting.StoreLookUps);
            Assert.Equal(["l-0"], await session.ExistingExternalIdsAsync(late.Id, ["l-0", "l-1"]));
            Assert.Equal(6, counting.StoreLookUps);
        }
    }

    [Fact]
    public async Task FindAsync_DealsHeldByAnImportPastTheCommandTimeout_NamesTheImportAndWhatToDo()
    {
        // The host names its connections; while an import runs, its connection says it is one, before that name.
        var named = new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "crm-web" }.ToString();
        var hosted = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = named });
        _opened.Add(hosted);
        var dialect = new PostgresDialect(hosted);
        var target = new RelationalImportTarget(dialect, new PostgresBulkImport(dialect, setAsideFrom: SetAsideFrom, analyzeFrom: SetAsideFrom));
        // One pooled connection: the second import below holds it while the session holding the deals is looked up.
        var impatient = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1, MaxPoolSize = 1 }.ToString() });
        _opened.Add(impatient);
        var store = new RelationalOpportunityStore(new PostgresDialect(impatient));
        var random = new Random(12);
        var deals = Enumerable.Range(0, 10).Select(_ => Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3)).ToList();

        var session = await target.BeginImportAsync();
        await using (session)
        {
            // 10 deals written into an empty store: the indexes are set aside and the deal tables are the import's.
            await session.AddAsync(deals);
            Assert.Equal(1L, await ExclusiveLocksOnDealsAsync());
            var import = await ImportSessionAsync();
            Assert.Equal("salespipeline import: crm-web", import.Application);

            var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync(deals[0].Id));

            Assert.Equal(StorageUnavailableReason.Held, error.Reason);
            Assert.Contains("did not finish a statement within the command timeout (1 s). Meanwhile an import " +
                $"(server process {import.Pid}, 'salespipeline import: crm-web', in a transaction since ", error.Message, StringComparison.Ordinal);
            Assert.Contains("held the deal tables for itself, as it does until its transaction ends: a statement on them waits for it. " +
                "Run it again when that import has ended (an import holds the deal tables from when it sets their indexes aside until it ends), " +
                "or raise Command Timeout=", error.Message, StringComparison.Ordinal);
            Assert.IsType<NpgsqlException>(error.InnerException);

            // A second import, on a connection with no name of its own, is called just that; its look-up waits for the first
            // one's tables in the same way.
            var second = await new RelationalImportTarget(new PostgresDialect(impatient), new PostgresBulkImport(new PostgresDialect(impatient))).BeginImportAsync();
            await using (second)
            {
                Assert.Equal(1L, await CountAsync("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'salespipeline import'"));
                var waited = await Assert.ThrowsAsync<StorageUnavailableException>(() => second.ExistingExternalIdsAsync(PipelineDefinition.Default.Id, ["D-1"]));
                Assert.Equal(StorageUnavailableReason.Held, waited.Reason);
                Assert.Contains($"Meanwhile an import (server process {import.Pid}, ", waited.Message, StringComparison.Ordinal);
            }

            await session.CommitAsync();

            // The import's connection, still open, has the host's name back once the import's transaction has ended.
            Assert.Equal("crm-web", await ApplicationNameAsync(import.Pid));
        }

        // Reads find the deals.
        Assert.Equal(deals[0].Id, (await store.FindAsync(deals[0].Id))!.Id);
    }

    /// <summary>The application name of server process <paramref name="pid"/>, as pg_stat_activity shows it.</summary>
    private async Task<string> ApplicationNameAsync(int pid)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return await connection.QuerySingleAsync<string>("SELECT application_name FROM pg_stat_activity WHERE pid = @Pid", new { Pid = pid });
    }

    /// <summary>The session that holds the deals table in ACCESS EXCLUSIVE mode: its server process and application name.</summary>
    private async Task<(int Pid, string Application)> ImportSessionAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return await connection.QuerySingleAsync<(int, string)>(
            "SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a ON a.pid = l.pid " +
            "WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND c.relname = 'opportunities' AND l.mode = 'AccessExclusiveLock' AND l.granted");
    }

    private RelationalImportTarget Target(int setAsideFrom = SetAsideFrom)
    {
        var dialect = new PostgresDialect(Database);
        return new RelationalImportTarget(dialect, new PostgresBulkImport(dialect, setAsideFrom: setAsideFrom, analyzeFrom: SetAsideFrom));
    }

    private static string Csv(int first, int last) =>
        ImportKit.Csv([.. Enumerable.Range(first, last - first + 1).Select(i => ImportKit.Row($"D-{i}", owner: i % 2 == 0 ? "anna" : "tom", account: $"Account {i % 4}"))]);

    /// <summary>The indexes and constraints of the database, each with its definition.</summary>
    private async Task<List<string>> SchemaAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return [.. await connection.QueryAsync<string>(
            "SELECT d FROM (SELECT indexname || ': ' || indexdef AS d FROM pg_indexes WHERE schemaname = 'public' " +
            "UNION ALL SELECT conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace) s " +
            "ORDER BY d COLLATE \"C\"")];
    }

    /// <summary>The ACCESS EXCLUSIVE locks held on the deals table, by any session; reading pg_locks never waits.</summary>
    private Task<long> ExclusiveLocksOnDealsAsync() => CountAsync(
        "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation " +
        "WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND c.relname = 'opportunities' AND l.mode = 'AccessExclusiveLock' AND l.granted");

    private async Task<(long Deals, long History)> CountsAsync() =>
        (await CountAsync("SELECT COUNT(*) FROM opportunities"), await CountAsync("SELECT COUNT(*) FROM stage_changes"));

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
