using System.Data.Common;
using System.Net.Sockets;
using Dapper;
using Npgsql;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;

namespace SalesPipeline.Storage.Postgres;

/// <summary>
/// One PostgreSQL database: a pooled data source, the schema migrated or checked once before first use, and the
/// provider's connection errors turned into <see cref="StorageUnavailableException"/> that names the server.
/// </summary>
/// <remarks>Thread-safe; shared by every PostgreSQL store of a service provider, which disposes it.</remarks>
internal sealed partial class PostgresDatabase : IAsyncDisposable, IDisposable, IRelationalDatabase, ISchemaHost
{
    /// <summary>What an import's connection calls itself while the import runs, before the connection's own application name.</summary>
    public const string ImportApplicationName = "salespipeline import";

    /// <summary>The advisory lock every SalesPipeline migrator takes, so instances starting together migrate one at a time.</summary>
    private const long MigrationLockKey = 0x5A1E_5B1B_E11E_0001;

    /// <summary>How long <see cref="ExplainAsync"/> looks for the session holding the deal tables, in seconds.</summary>
    private const int ExplainSeconds = 5;

    /// <summary>The earliest other session holding a deal table of this database in ACCESS EXCLUSIVE mode, if any.</summary>
    private const string DealTableHolder =
        "SELECT a.pid AS Pid, a.application_name AS Application, a.xact_start AS Since " +
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid " +
        "WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid() " +
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) " +
        "AND l.relation IN (to_regclass('opportunities'), to_regclass('stage_changes'), to_regclass('activities'), to_regclass('offers')) " +
        "ORDER BY a.xact_start NULLS LAST, a.pid LIMIT 1";

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connections outside the pool, for <see cref="ExplainAsync"/>: the pool may be full of callers waiting behind the same session.</summary>
    private readonly NpgsqlDataSource _unpooled;

    /// <summary>
    /// Lets one <see cref="ExplainAsync"/> look at a time, so callers timing out together behind one session open one extra
    /// connection between them, not one each.
    /// </summary>
    private readonly SemaphoreSlim _explaining = new(1, 1);
    private readonly int _commandTimeout;
    private readonly AsyncLocal<ConsistentRead?> _read = new();
    private readonly SchemaGate _schema;

    public PostgresDatabase(PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = ConnectionStrings.Parse(() => new NpgsqlConnectionStringBuilder(options.ConnectionString), "PostgreSQL", "Host=localhost;Database=crm;Username=crm;Password=…", nameof(options));

        // Named without the password, for messages.
        Target = $"PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host ?? "localhost"}:{builder.Port} (user '{builder.Username}')";
        _commandTimeout = builder.CommandTimeout;
        _dataSource = NpgsqlDataSource.Create(builder);
        _unpooled = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, Multiplexing = false });
        _schema = new SchemaGate(this, options.AutoMigrate);
    }

    /// <summary>Gets the database, as a person would name it (no password).</summary>
    public string Target { get; }

    /// <summary>Gets the underlying data source (for binary COPY).</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Opens a connection to a database at this version's schema (migrating it first when allowed).</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies pending migrations in one transaction, under a transaction-scoped advisory lock: instances that start at
    /// once wait for each other, and the later ones find nothing left to do. DDL is transactional, so a failed script
    /// leaves the schema as it was.
    /// </summary>
    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken) => _schema.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    string ISchemaHost.Provider => MigrationScripts.Postgres;

    /// <inheritdoc />
    string ISchemaHost.CreateSchemaVersion =>
        "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

    /// <inheritdoc />
    string ISchemaHost.SchemaVersionExists => "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END";

    /// <inheritdoc />
    /// <remarks>The scripts create their tables in the connection's current schema.</remarks>
    string ISchemaHost.ExistingTables =>
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY(@Names) ORDER BY c.relname";

    /// <inheritdoc />
    async Task<DbConnection> ISchemaHost.OpenRawConnectionAsync(CancellationToken cancellationToken) =>
        await OpenRawAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    async Task<DbTransaction> ISchemaHost.BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A migrator that starts while another runs waits for the whole of it.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@Key)", new { Key = MigrationLockKey }, transaction, ((ISchemaHost)this).ScriptTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>None: at 10^7 deals a script's UPDATE or index build takes longer than Npgsql's default 30 seconds.</remarks>
    int? ISchemaHost.ScriptTimeout => 0;

    /// <summary>Opens a pooled connection without looking at the schema.</summary>
    public async Task<NpgsqlConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (Unavailable(e, opening: true) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <inheritdoc />
    async Task<DbConnection> IRelationalDatabase.OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="IRelationalDatabase.Unavailable" />
    public StorageUnavailableException? Unavailable(DbException exception) =>
        exception is NpgsqlException npgsql ? Unavailable(npgsql, opening: false) : null;

    /// <inheritdoc />
    /// <remarks>
    /// After a statement timed out on an open connection, looks (on a connection outside the pool, one look at a time, for at
    /// most <see cref="ExplainSeconds"/> seconds, waiting included) for another session holding any deal table in ACCESS
    /// EXCLUSIVE mode, as an import does once it has set their indexes aside. The statement was cancelled, so what it waited for cannot be asked: the message
    /// says that session held the deal tables meanwhile. When the look fails (no connection, a failed query, the time is up,
    /// the caller cancels) the exception is returned as it is.
    /// </remarks>
    public async Task<StorageUnavailableException> ExplainAsync(StorageUnavailableException unavailable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unavailable);
        if (unavailable.Reason != StorageUnavailableReason.TimedOut)
        {
            return unavailable;
        }

        TableHolder? holder;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(ExplainSeconds));
            await _explaining.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                var connection = await _unpooled.OpenConnectionAsync(timeout.Token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    holder = await connection.QueryFirstOrDefaultAsync<TableHolder>(
                        new CommandDefinition(DealTableHolder, commandTimeout: ExplainSeconds, cancellationToken: timeout.Token)).ConfigureAwait(false);
                }
            }
            finally
            {
                _explaining.Release();
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException or System.Data.DataException)
        {
            return unavailable;
        }

        if (holder is null)
        {
            return unavailable;
        }

        var import = holder.Application?.StartsWith(ImportApplicationName, StringComparison.Ordinal) == true;
        var application = string.IsNullOrEmpty(holder.Application) ? string.Empty : $", '{holder.Application}'";
        var since = holder.Since is { } start
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", in a transaction since {start.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC")
            : string.Empty;
        return new StorageUnavailableException(
            Target,
            StorageUnavailableReason.Held,
            $"The {Target} did not finish a statement within the command timeout ({_commandTimeout} s). Meanwhile " +
            $"{(import ? "an import" : "another session")} (server process {holder.Pid}{application}{since}) held the deal tables for itself, " +
            "as it does until its transaction ends: a statement on them waits for it.",
            (import
                ? "Run it again when that import has ended (an import holds the deal tables from when it sets their indexes aside until it ends), "
                : "Run it again when that session has ended, ") +
            "or raise Command Timeout= in the connection string given to UsePostgres (0 waits without limit).",
            unavailable.InnerException);
    }

    /// <inheritdoc />
    public ConsistentRead? CurrentRead => _read.Value;

    /// <inheritdoc />
    public ConsistentRead BeginConsistentRead() => new(this, _read);

    /// <inheritdoc />
    /// <remarks>REPEATABLE READ, read-only: the first statement fixes the snapshot every later statement in it sees.</remarks>
    public async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        var transaction = await npgsql.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await npgsql.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>The first read transaction exports its snapshot (its first statement fixes it); later ones are set to it.</remarks>
    public async Task<SharedRead> BeginSharedReadAsync(int lanes, CancellationToken cancellationToken)
    {
        string? id = null;
        var first = await ReadLane.BeginAsync(
            this,
            async lane =>
            {
                id = await lane.Connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT pg_export_snapshot()", transaction: lane.Transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return new ExportedRead(this, first!, id is not null && SnapshotId().IsMatch(id) ? id : null);
    }

    /// <summary>Translates the errors that mean "this database cannot be used" into one that says what to do.</summary>
    /// <param name="exception">The provider's error.</param>
    /// <param name="opening">
    /// Whether it came from opening a connection: a timeout then means the server did not answer; on an open connection it
    /// means a statement ran longer than the command timeout.
    /// </param>
    public StorageUnavailableException? Unavailable(NpgsqlException exception, bool opening)
    {
        return exception switch
        {
            PostgresException { SqlState: "3D000" } => Fail(
                StorageUnavailableReason.DatabaseMissing, $"The {Target} does not exist.", "Create it (CREATE DATABASE …), or fix Database= in the connection string given to UsePostgres."),
            PostgresException { SqlState: "28P01" or "28000" } => Fail(
                StorageUnavailableReason.LoginRefused, $"The {Target} refused the login.", "Check Username= and Password= in the connection string given to UsePostgres."),
            PostgresException { SqlState: "25006" } => Fail(
                StorageUnavailableReason.ReadOnly, $"The {Target} is read-only (a standby, or default_transaction_read_only is on), so nothing can be saved.", "Point UsePostgres at the primary server."),
            PostgresException { SqlState: "57P03" } => Fail(
                StorageUnavailableReason.Unreachable, $"The {Target} is starting up or shutting down and refuses connections.", "Try again when the server is up."),
            PostgresException => null,
            _ when exception.InnerException is TimeoutException && !opening => Fail(
                StorageUnavailableReason.TimedOut,
                $"The {Target} did not finish a statement within the command timeout ({_commandTimeout} s).",
                "Raise Command Timeout= in the connection string given to UsePostgres (0 waits without limit), or run it again when the server is less busy."),
            _ when exception.InnerException is SocketException or TimeoutException || exception.InnerException?.InnerException is SocketException => Fail(
                StorageUnavailableReason.Unreachable,
                $"Cannot reach the {Target}: {exception.InnerException?.Message ?? exception.Message}.",
                "Check that the server runs and accepts connections there, and fix Host= and Port= in the connection string given to UsePostgres if they are wrong."),
            _ => null,
        };

        StorageUnavailableException Fail(StorageUnavailableReason reason, string problem, string remedy) =>
            new(Target, reason, problem, remedy, exception);
    }

    public async ValueTask DisposeAsync()
    {
        _schema.Dispose();
        _explaining.Dispose();
        await _unpooled.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _schema.Dispose();
        _explaining.Dispose();
        _unpooled.Dispose();
        _dataSource.Dispose();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9A-F]+(-[0-9A-F]+)+\z")]
    private static partial System.Text.RegularExpressions.Regex SnapshotId();

    /// <summary>A session holding a deal table: its server process, its application name and (when the role may see it) its transaction's start.</summary>
    private sealed record TableHolder(int Pid, string? Application, DateTime? Since);

    /// <summary>A read whose exported snapshot later connections are set to.</summary>
    private sealed class ExportedRead(PostgresDatabase database, ReadLane first, string? snapshot) : SharedRead([first])
    {
        public override bool CanJoin => snapshot is not null;

        /// <summary>A read-only REPEATABLE READ transaction set to the exported snapshot before its first query.</summary>
        public override async Task<ReadLane?> JoinAsync(CancellationToken cancellationToken) =>
            await ReadLane.BeginAsync(
                database,
                async lane =>
                {
                    // SET TRANSACTION SNAPSHOT takes a literal, not a parameter; the id was checked against the server's format.
                    await lane.Connection.ExecuteAsync(new CommandDefinition($"SET TRANSACTION SNAPSHOT '{snapshot}'", transaction: lane.Transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
    }
}
