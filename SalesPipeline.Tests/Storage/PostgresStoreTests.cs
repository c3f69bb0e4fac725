using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Postgres;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>What only the PostgreSQL store has to show, each test on a fresh database of the test server.</summary>
public sealed class PostgresStoreTests : RelationalStoreTests, IAsyncLifetime
{
    private string _connectionString = string.Empty;
    private string _name = string.Empty;
    private readonly List<PostgresDatabase> _opened = [];

    public async Task InitializeAsync() => (_connectionString, _name) = await PostgresStoreFixture.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        await PostgresStoreFixture.DropDatabaseAsync(_name);
    }

    [Fact]
    public async Task SaveAsync_ServerEndsTheSessionBetweenRowAndHistory_LeavesNeither()
    {
        var store = Store(Database());
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(2), 8);
        store.AfterOpportunityRowWritten = async (connection, token) =>
        {
            // As if the application died here: another session kills this one's backend mid-transaction.
            await using var admin = new NpgsqlConnection(_connectionString);
            await admin.OpenAsync(token);
            await admin.ExecuteAsync("SELECT pg_terminate_backend(@Pid)", new { Pid = ((NpgsqlConnection)connection).ProcessID });
        };

        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveAsync(state));

        Assert.Equal((0L, 0L), await CountRowsAsync(state.Id));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtSchemaVersion2WithDeals_UpgradesToTheLatestAndReturnsTheSameDealsLastTouchedAtTheirLatestStageEntryOrActivity()
    {
        var (sourceConnectionString, sourceName) = await PostgresStoreFixture.CreateDatabaseAsync();
        try
        {
            // Deals as the store writes them, more than a page of them, in two pipelines and for two owners.
            var pipeline = Deals.IsolatedPipeline();
            var bob = new UserId("bob");
            var source = Store(Database(o => o.ConnectionString = sourceConnectionString));
            var random = new Random(12);
            var saved = new List<OpportunityState>();
            for (var i = 0; i < RelationalOpportunityStore.PageSize + 40; i++)
            {
                var state = Deals.Build(i % 3 == 0 ? PipelineDefinition.Default : pipeline, i % 2 == 0 ? Deals.Anna : bob, random, random.Next(0, 8));
                await source.SaveAsync(state);
                // Schema 7 adds each deal's last touch, taken from its stage entries and activities.
                saved.Add(SalesPipeline.Storage.Internal.StoredForm.Of(state) with { Version = 1, LastTouchedAt = null });
            }

            // A database at schema version 2 holding those rows: the columns schema 2 has copy as they are (parents before
            // children, for the foreign keys).
            await using (var connection = new NpgsqlConnection(_connectionString))
            {
                await connection.OpenAsync();
                await connection.ExecuteAsync("CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                foreach (var script in MigrationScripts.For(MigrationScripts.Postgres).Where(s => s.Version <= 2))
                {
                    await connection.ExecuteAsync(script.Sql);
                    await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name });
                }

                string[] tables = ["accounts", "contacts", "opportunities", "stage_changes", "activities", "offers", "pipeline_definitions"];
                Assert.Equal(
                    tables.Order(StringComparer.Ordinal),
                    await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version' ORDER BY tablename COLLATE \"C\""));
                await using var from = new NpgsqlConnection(sourceConnectionString);
                await from.OpenAsync();
                foreach (var table in tables)
                {
                    var names = (await connection.QueryAsync<string>(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @Table ORDER BY ordinal_position", new { Table = table })).ToList();
                    var columns = string.Join(", ", names);

                    // Migration 0006 renamed an offer's location to the document it refers to.
                    var read = string.Join(", ", names.Select(n => table == "offers" && n == "location" ? "document_id" : n));
                    await using var reader = await from.BeginRawBinaryCopyAsync($"COPY (SELECT {read} FROM {table}) TO STDOUT (FORMAT BINARY)");
                    await using var writer = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)");
                    await reader.CopyToAsync(writer);
                }
            }

            var database = Database(o => o.AutoMigrate = false);
            var result = await database.MigrateAsync(CancellationToken.None);

            Assert.Equal((2, MigrationScripts.Latest(MigrationScripts.Postgres)), (result.FromVersion, result.ToVersion));
            Assert.Equal(await IndexesAsync(sourceConnectionString), await IndexesAsync(_connectionString));
            var store = Store(database);
            foreach (var query in new OpportunityQuery[] { OpportunityQuery.All, new(pipeline.Id), new(pipeline.Id, bob), new(Owner: Deals.Anna), new(Owner: bob, Status: OpportunityStatus.Open) })
            {
                var found = new List<OpportunityState>();
                await foreach (var state in store.QueryAsync(query))
                {
                    found.Add(state);
                }

                // Migration 0006 moves each offer into a document of its own, with a new id (DocumentsMigrationTests checks the move).
                Assert.Equal(saved.Where(query.Matches).OrderBy(s => s.Id.Value).Select(WithoutOfferIds), found.OrderBy(s => s.Id.Value).Select(WithoutOfferIds));
            }
        }
        finally
        {
            await PostgresStoreFixture.DropDatabaseAsync(sourceName);
        }
    }

    [Fact]
    public async Task FirstUse_NoServerListening_SaysWhichServerAndWhatToDo()
    {
        // Port 1 on the loopback address: nothing listens there, so the connection is refused at once.
        var nowhere = new NpgsqlConnectionStringBuilder(_connectionString) { Host = "127.0.0.1", Port = 1, Timeout = 5 }.ToString();
        var store = Store(Database(o => o.ConnectionString = nowhere));

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync(OpportunityId.New()));

        Assert.Contains("Cannot reach the PostgreSQL database", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Host= and Port=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FirstUse_DatabaseThatDoesNotExist_SaysSoAndWhatToDo()
    {
        var missing = new NpgsqlConnectionStringBuilder(_connectionString) { Database = "no_such_database_" + Guid.NewGuid().ToString("N")[..8] }.ToString();

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Store(Database(o => o.ConnectionString = missing)).FindAsync(OpportunityId.New()));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePostgres_EmptyConnectionString_FailsAtRegistrationSayingWhatToWrite()
    {
        var error = Assert.Throws<ArgumentException>(() => new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSalesPipeline().UsePostgres(" "));

        Assert.Contains("'ConnectionString' must name a server and database", error.Message, StringComparison.Ordinal);
    }

    private protected override string Provider => MigrationScripts.Postgres;

    private protected override string Target => _name;

    private protected override IStoreDialect Dialect(bool autoMigrate = true) => new PostgresDialect(Database(o => o.AutoMigrate = autoMigrate));

    private protected override Task<MigrationResult> MigrateAsync(IStoreDialect dialect) => ((PostgresDatabase)dialect.Database).MigrateAsync(CancellationToken.None);

    private protected override async Task<System.Data.Common.DbConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static RelationalOpportunityStore Store(PostgresDatabase database) => new(new PostgresDialect(database));

    private PostgresDatabase Database(Action<PostgresStorageOptions>? configure = null)
    {
        var options = new PostgresStorageOptions { ConnectionString = _connectionString };
        configure?.Invoke(options);
        var database = new PostgresDatabase(options);
        _opened.Add(database);
        return database;
    }

    /// <summary>The indexes of a database, by name, with their definitions.</summary>
    private static async Task<List<(string Name, string Definition)>> IndexesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return [.. await connection.QueryAsync<(string, string)>("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname COLLATE \"C\"")];
    }

    private async Task<(long Rows, long History)> CountRowsAsync(OpportunityId id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        var key = new { Id = id.Value };
        return (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities WHERE id = @Id", key),
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = @Id", key));
    }

    private static OpportunityState WithoutOfferIds(OpportunityState state) => state with { Offers = [.. state.Offers.Select(o => o with { Document = default })] };
}
