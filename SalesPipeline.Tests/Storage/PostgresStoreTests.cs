using Dapper;
using Npgsql;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Postgres;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>What only the PostgreSQL store has to show, each test on a fresh database of the test server.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
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
    public async Task SaveAsync_FailureBetweenRowAndHistory_LeavesNeither()
    {
        var store = new PostgresOpportunityStore(Database());
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(1), 8);
        store.AfterOpportunityRowWritten = (_, _) => throw new IOException("network cable cut");

        await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(state));

        Assert.Null(await store.FindAsync(state.Id));
        Assert.Equal((0L, 0L), await CountRowsAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_ServerEndsTheSessionBetweenRowAndHistory_LeavesNeither()
    {
        var store = new PostgresOpportunityStore(Database());
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(2), 8);
        store.AfterOpportunityRowWritten = async (connection, token) =>
        {
            // As if the application died here: another session kills this one's backend mid-transaction.
            await using var admin = new NpgsqlConnection(_connectionString);
            await admin.OpenAsync(token);
            await admin.ExecuteAsync("SELECT pg_terminate_backend(@Pid)", new { Pid = connection.ProcessID });
        };

        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveAsync(state));

        Assert.Equal((0L, 0L), await CountRowsAsync(state.Id));
    }

    [Fact]
    public async Task MigrateAsync_RunTwiceAndByFourAtOnce_AppliesEachScriptOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Database().MigrateAsync(CancellationToken.None))));

        Assert.Single(results, r => r.Applied);
        Assert.False((await Database().MigrateAsync(CancellationToken.None)).Applied);
        await using var connection = new NpgsqlConnection(_connectionString);
        Assert.Equal(MigrationScripts.For(MigrationScripts.Postgres).Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task FirstUse_DatabaseFromANewerVersion_IsRefusedNamingBothVersionsAndWhatToDo()
    {
        await Database().MigrateAsync(CancellationToken.None);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (42, 'from_the_future')");
        }

        var error = await Assert.ThrowsAsync<SchemaVersionException>(() => new PostgresOpportunityStore(Database()).FindAsync(OpportunityId.New()));

        Assert.Equal((42, MigrationScripts.Latest(MigrationScripts.Postgres)), (error.DatabaseVersion, error.ApplicationVersion));
        Assert.Contains("upgrade this application", error.Message, StringComparison.Ordinal);
        Assert.Contains(_name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstUse_AutoMigrateOffOnAnEmptyDatabase_IsRefusedSayingHowToMigrate()
    {
        var error = await Assert.ThrowsAsync<SchemaVersionException>(() => new PostgresOpportunityStore(Database(o => o.AutoMigrate = false)).FindAsync(OpportunityId.New()));

        Assert.Equal(0, error.DatabaseVersion);
        Assert.Contains("db migrate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstUse_NoServerListening_SaysWhichServerAndWhatToDo()
    {
        // Port 1 on the loopback address: nothing listens there, so the connection is refused at once.
        var nowhere = new NpgsqlConnectionStringBuilder(_connectionString) { Host = "127.0.0.1", Port = 1, Timeout = 5 }.ToString();
        var store = new PostgresOpportunityStore(Database(o => o.ConnectionString = nowhere));

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

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => new PostgresOpportunityStore(Database(o => o.ConnectionString = missing)).FindAsync(OpportunityId.New()));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePostgres_EmptyConnectionString_FailsAtRegistrationSayingWhatToWrite()
    {
        var error = Assert.Throws<ArgumentException>(() => new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSalesPipeline().UsePostgres(" "));

        Assert.Contains("'ConnectionString' must name a server and database", error.Message, StringComparison.Ordinal);
    }

    private PostgresDatabase Database(Action<PostgresStorageOptions>? configure = null)
    {
        var options = new PostgresStorageOptions { ConnectionString = _connectionString };
        configure?.Invoke(options);
        var database = new PostgresDatabase(options);
        _opened.Add(database);
        return database;
    }

    private async Task<(long Rows, long History)> CountRowsAsync(OpportunityId id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        var key = new { Id = id.Value };
        return (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities WHERE id = @Id", key),
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = @Id", key));
    }
}
