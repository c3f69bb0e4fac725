using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>A store under test: every port, and what the store keeps of a saved state.</summary>
public abstract class StoreFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    internal IOpportunityStore Opportunities => Get<IOpportunityStore>();

    internal IAccountStore Accounts => Get<IAccountStore>();

    internal IActivityStore Activities => Get<IActivityStore>();

    internal IPipelineAggregates Aggregates => Get<IPipelineAggregates>();

    internal IImportTarget Import => Get<IImportTarget>();

    internal IPipelineDefinitionStore Definitions => Get<IPipelineDefinitionStore>();

    internal IScheduleLedger Ledger => Get<IScheduleLedger>();

    internal IPersonStore People => Get<IPersonStore>();

    internal ILeadStore Leads => Get<ILeadStore>();

    internal IDocumentStore Documents => Get<IDocumentStore>();

    internal IAgendaStore Agenda => Get<IAgendaStore>();

    /// <summary>Gets whether the store truncates instants to microseconds (the database stores do).</summary>
    internal abstract bool TruncatesToMicroseconds { get; }

    internal ServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>What reading back a saved state gives: the state with the new version (and instants as the store keeps them).</summary>
    internal OpportunityState Expected(OpportunityState saved, int version) =>
        (TruncatesToMicroseconds ? StoredForm.Of(saved) : saved) with { Version = version };

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        var builder = services.AddSalesPipeline();
        await ConfigureAsync(builder).ConfigureAwait(false);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }

        await CleanUpAsync().ConfigureAwait(false);
    }

    internal abstract Task ConfigureAsync(DependencyInjection.SalesPipelineBuilder builder);

    internal virtual Task CleanUpAsync() => Task.CompletedTask;

    private T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();
}

public sealed class InMemoryStoreFixture : StoreFixture
{
    internal override bool TruncatesToMicroseconds => false;

    internal override Task ConfigureAsync(DependencyInjection.SalesPipelineBuilder builder)
    {
        // AddSalesPipeline registers the in-memory store unless a provider is chosen.
        _ = builder;
        return Task.CompletedTask;
    }
}

/// <summary>A SQLite file in a temporary folder, deleted afterwards.</summary>
public sealed class SqliteStoreFixture : StoreFixture
{
    public SqliteStoreFixture()
    {
        Folder = Directory.CreateTempSubdirectory("salespipeline-test-").FullName;
    }

    public string Folder { get; }

    public string ConnectionString => $"Data Source={Path.Combine(Folder, "store.db")}";

    internal override bool TruncatesToMicroseconds => true;

    internal override Task ConfigureAsync(DependencyInjection.SalesPipelineBuilder builder)
    {
        builder.UseSqlite(ConnectionString);
        return Task.CompletedTask;
    }

    internal override Task CleanUpAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A fresh database on the PostgreSQL server named by SALESPIPELINE_TEST_POSTGRES, dropped afterwards. Without the
/// variable, or when the server cannot be reached, the tests using it fail: they never skip.
/// </summary>
public sealed class PostgresStoreFixture : StoreFixture
{
    public const string Variable = "SALESPIPELINE_TEST_POSTGRES";

    private string? _database;

    public string ConnectionString { get; private set; } = string.Empty;

    internal override bool TruncatesToMicroseconds => true;

    /// <summary>Gets the server's connection string from the environment, or fails saying how to provide one.</summary>
    public static string ServerConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL store tests cannot run (they fail rather than skip). Run `bash scripts/test.sh`, " +
                $"which starts a throwaway PostgreSQL server and sets it, or set {Variable} to the connection string of a server whose role may create databases " +
                "(for example \"Host=127.0.0.1;Port=5432;Username=salespipeline;Password=…;Database=salespipeline_test\").");

    /// <summary>Creates an empty database with a random name on the test server and returns its connection string.</summary>
    public static async Task<(string ConnectionString, string Database)> CreateDatabaseAsync()
    {
        var server = ServerConnectionString();
        var name = "sp_test_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL server named by {Variable} cannot be used to create a test database ({e.Message}). Start it (bash scripts/test.sh does), " +
                "or fix the connection string; the PostgreSQL tests fail rather than skip.", e);
        }

        return (new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(), name);
    }

    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 20)
            {
                // FORCE may not end a superuser's session, such as an autovacuum worker visiting the database; it leaves soon.
                await Task.Delay(250);
            }
        }
    }

    internal override async Task ConfigureAsync(DependencyInjection.SalesPipelineBuilder builder)
    {
        (ConnectionString, _database) = await CreateDatabaseAsync();
        builder.UsePostgres(ConnectionString);
    }

    internal override async Task CleanUpAsync()
    {
        if (_database is not null)
        {
            await DropDatabaseAsync(_database);
        }
    }
}
