using SalesPipeline.Storage.Postgres;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Storage.Migrations;

/// <summary>
/// Brings the configured database to this version's schema, as <c>salespipeline db migrate</c> does; idempotent. Registered by
/// <c>UseSqlite</c> and <c>UsePostgres</c>: resolve it from the container to migrate at deployment rather than on first use
/// (with <c>AutoMigrate</c> off).
/// </summary>
/// <remarks>Thread-safe, and safe when several processes migrate the same database at once.</remarks>
public interface IDatabaseMigrator
{
    /// <summary>Gets the database, as a person would name it.</summary>
    string Target { get; }

    /// <summary>Gets the newest schema version this version of SalesPipeline knows.</summary>
    int LatestVersion { get; }

    /// <summary>Applies pending migrations.</summary>
    /// <param name="cancellationToken">Cancels the run; nothing is applied then.</param>
    /// <returns>The schema versions before and after.</returns>
    /// <exception cref="SchemaVersionException">The database is newer than this version of SalesPipeline.</exception>
    /// <exception cref="ForeignSchemaException">
    /// The database was never migrated but already holds tables with the names of SalesPipeline's own (another application's
    /// database); nothing was changed.
    /// </exception>
    /// <exception cref="StorageUnavailableException">The database cannot be reached or written.</exception>
    Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default);
}

internal sealed class SqliteMigrator(SqliteDatabase database) : IDatabaseMigrator
{
    public string Target => database.Target;

    public int LatestVersion => MigrationScripts.Latest(MigrationScripts.Sqlite);

    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default) => database.MigrateAsync(cancellationToken);
}

internal sealed class PostgresMigrator(PostgresDatabase database) : IDatabaseMigrator
{
    public string Target => database.Target;

    public int LatestVersion => MigrationScripts.Latest(MigrationScripts.Postgres);

    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default) => database.MigrateAsync(cancellationToken);
}
