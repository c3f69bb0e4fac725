using System.Data.Common;
using Dapper;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Migrations;

/// <summary>What <see cref="SchemaGate"/> needs of a provider's database.</summary>
internal interface ISchemaHost
{
    /// <summary>Gets the name of the provider's script folder (<see cref="MigrationScripts.Sqlite"/> or <see cref="MigrationScripts.Postgres"/>).</summary>
    string Provider { get; }

    /// <summary>Gets the database, as a person would name it, for messages.</summary>
    string Target { get; }

    /// <summary>Gets the statement that creates <c>schema_version</c> when it is missing.</summary>
    string CreateSchemaVersion { get; }

    /// <summary>Gets a query that returns a non-zero value when <c>schema_version</c> exists.</summary>
    string SchemaVersionExists { get; }

    /// <summary>
    /// Gets a query that returns the names of the tables, among <c>@Names</c> (lower-case), that exist where the scripts would
    /// create them, in name order.
    /// </summary>
    string ExistingTables { get; }

    /// <summary>
    /// Gets the command timeout, in seconds, of a migration script (0 for none), or <see langword="null"/> for the
    /// connection's own: a script that rewrites a column or an index of every deal grows with the store.
    /// </summary>
    int? ScriptTimeout { get; }

    /// <summary>Opens a configured connection without looking at the schema.</summary>
    Task<DbConnection> OpenRawConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins the migration transaction, holding the lock that makes concurrent migrators wait for each other.</summary>
    Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The storage-unavailable error a provider exception stands for, or <see langword="null"/>.</summary>
    StorageUnavailableException? Unavailable(DbException exception);
}

/// <summary>
/// Migrates one database and brings it to this version's schema before its first store call, once per process: migrates it
/// when allowed, else refuses a database with pending scripts. The same steps on every provider.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class SchemaGate(ISchemaHost host, bool autoMigrate) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    /// <summary>Makes sure the schema is this version's before the first store call, once per process.</summary>
    /// <exception cref="SchemaVersionException">Migrations are pending and may not be applied, or the database is newer.</exception>
    /// <exception cref="ForeignSchemaException">The database was never migrated but holds tables with the store's names.</exception>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            if (autoMigrate)
            {
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            var applied = await SchemaVersionsAsync(cancellationToken).ConfigureAwait(false);
            if (MigrationScripts.Pending(host.Provider, applied, host.Target).Count > 0)
            {
                throw new SchemaVersionException(host.Target, applied.Count == 0 ? 0 : applied.Max(), MigrationScripts.Latest(host.Provider));
            }

            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Applies the pending scripts in one transaction under the provider's migration lock, recording each: migrators that
    /// run at once wait for each other, and the later ones find nothing left to do.
    /// </summary>
    /// <exception cref="SchemaVersionException">The database is newer than this version of SalesPipeline.</exception>
    /// <exception cref="ForeignSchemaException">The database was never migrated but holds tables with the store's names; nothing was changed.</exception>
    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken) =>
        WithRawConnectionAsync(
            async connection =>
            {
                // Before the migration begins, which on SQLite already sets the file's journal mode.
                _ = await AppliedOrEmptyAsync(connection, cancellationToken).ConfigureAwait(false);
                var transaction = await host.BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await connection.ExecuteAsync(new CommandDefinition(host.CreateSchemaVersion, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    var applied = await AppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    var current = applied.Count == 0 ? 0 : applied.Max();
                    var pending = MigrationScripts.Pending(host.Provider, applied, host.Target);
                    foreach (var script in pending)
                    {
                        await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, commandTimeout: host.ScriptTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
                        await connection.ExecuteAsync(new CommandDefinition(
                            "INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    _ready = true;
                    return new MigrationResult(current, Math.Max(current, MigrationScripts.Latest(host.Provider)), pending.Count);
                }
            },
            cancellationToken);

    /// <summary>Reads the schema versions recorded in the database; empty when it was never migrated.</summary>
    /// <exception cref="ForeignSchemaException">The database was never migrated but holds tables with the store's names.</exception>
    public Task<IReadOnlyCollection<int>> SchemaVersionsAsync(CancellationToken cancellationToken) =>
        WithRawConnectionAsync(connection => AppliedOrEmptyAsync(connection, cancellationToken), cancellationToken);

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The schema versions recorded in the database, or none when it has no <c>schema_version</c>; such a database holding a
    /// table with a name the scripts create belongs to another application and is refused. A migration commits
    /// <c>schema_version</c> together with the tables, so one running meanwhile cannot make a database look foreign.
    /// </summary>
    /// <exception cref="ForeignSchemaException">The database was never migrated but holds tables with the store's names.</exception>
    private async Task<IReadOnlyCollection<int>> AppliedOrEmptyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(host.SchemaVersionExists, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists != 0)
        {
            return await AppliedAsync(connection, null, cancellationToken).ConfigureAwait(false);
        }

        var found = (await connection.QueryAsync<string>(new CommandDefinition(
            host.ExistingTables, new { Names = MigrationScripts.Tables(host.Provider).ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return found.Count > 0 ? throw new ForeignSchemaException(host.Target, found) : [];
    }

    private static async Task<IReadOnlyCollection<int>> AppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        [.. (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT version FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(v => (int)v)];

    private Task<T> WithRawConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        ConnectionWork.RunAsync(host.OpenRawConnectionAsync, host.Unavailable, static (unavailable, _) => Task.FromResult(unavailable), work, cancellationToken);
}
