using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>
/// One SQLite database file: opens configured connections (WAL, busy timeout, foreign keys), migrates or checks the
/// schema once before first use, and turns the provider's "cannot open" and "read-only" errors into
/// <see cref="StorageUnavailableException"/> that names the file.
/// </summary>
/// <remarks>Thread-safe; shared by every SQLite store of a service provider.</remarks>
internal sealed class SqliteDatabase : IDisposable, IRelationalDatabase, ISchemaHost
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    private readonly AsyncLocal<ConsistentRead?> _read = new();
    private readonly int _busyTimeoutMilliseconds;
    private readonly SchemaGate _schema;

    /// <summary>Whether this store has looked at the file's journal mode (<see cref="ReturnToWriteAheadLogAsync"/>).</summary>
    private volatile bool _journalChecked;

    public SqliteDatabase(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = ConnectionStrings.Parse(() => new SqliteConnectionStringBuilder(options.ConnectionString), "SQLite", "Data Source=crm.db", nameof(options));

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException(
                $"The SQLite connection string names no file (Data Source '{builder.DataSource}'). Give a file (\"Data Source=crm.db\"), or keep deals in memory by not calling UseSqlite (the in-memory store is the default).",
                nameof(options));
        }

        // A relative file name is resolved once, against the working folder at start, so a later change of the
        // working folder cannot point the store at another file.
        Target = Path.GetFullPath(builder.DataSource);
        builder.DataSource = Target;
        builder.ForeignKeys = true;
        builder.Pooling = true;
        builder.DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        ConnectionString = builder.ToString();
        _busyTimeoutMilliseconds = (int)options.BusyTimeout.TotalMilliseconds;
        BusyTimeout = options.BusyTimeout;
        _schema = new SchemaGate(this, options.AutoMigrate);
        MemoryMapSize = options.MemoryMapSize;
        LoadEmptyStoreExclusively = options.LoadEmptyStoreExclusively;
    }

    /// <summary>Gets whether an import into a store without deals may take the file for itself (<see cref="SqliteStorageOptions.LoadEmptyStoreExclusively"/>).</summary>
    internal bool LoadEmptyStoreExclusively { get; }

    /// <summary>Gets how many bytes of the file each connection reads through memory-mapped I/O.</summary>
    internal long MemoryMapSize { get; }

    /// <summary>Gets how long a statement waits for another connection's lock before it fails.</summary>
    public TimeSpan BusyTimeout { get; }

    /// <summary>Gets the connection string, as completed with the store's settings.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the database file's full path, for messages.</summary>
    public string Target { get; }

    /// <summary>Opens a connection to a database at this version's schema (migrating it first when allowed).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
        if (!_journalChecked)
        {
            try
            {
                await ReturnToWriteAheadLogAsync(connection).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return connection;
    }

    /// <summary>
    /// Puts a file back into write-ahead logging at this store's first open when it is in a rollback journal, which is how an
    /// exclusive load (<see cref="SqliteStorageOptions.LoadEmptyStoreExclusively"/>) leaves it when its process is killed:
    /// the journal restores the file's pages, but not its journal mode. A migration sets the mode too, so this matters for a
    /// store opened without migrating (<see cref="SqliteStorageOptions.AutoMigrate"/> off, as the command line's reads
    /// open it). Without it, readers and the writer would block each other. The switch needs that no other connection holds
    /// a lock on the file at that moment; it waits for none (<see cref="TrySetJournalModeAsync"/>), and when it cannot
    /// happen, or the file may not be written, the file stays as it is and the store carries on.
    /// </summary>
    private async Task ReturnToWriteAheadLogAsync(SqliteConnection connection)
    {
        try
        {
            // A file already in write-ahead logging stays as it is.
            await TrySetJournalModeAsync(connection, "WAL").ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteReadOnly or SqliteCantOpen)
        {
            // This connection may not write the file or create its journal: left as it is.
        }
        catch (SqliteException e) when (Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }

        _journalChecked = true;
    }

    /// <summary>
    /// Sets the file's journal mode (<c>PRAGMA journal_mode</c>) without waiting for another connection's lock: about a
    /// second at most, not the store's busy timeout, which the connection has again afterwards. Not cancelled once sent, so
    /// that a switched file is always seen switched.
    /// </summary>
    /// <returns>The journal mode the file is in afterwards, or <see langword="null"/> when another connection held a lock.</returns>
    internal async Task<string?> TrySetJournalModeAsync(SqliteConnection connection, string mode)
    {
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA busy_timeout = 0")).ConfigureAwait(false);
        try
        {
            // Microsoft.Data.Sqlite retries a busy statement until the command's timeout: one second, not the store's.
            // The mode is one of SQLite's names, never user text.
            return await connection.ExecuteScalarAsync<string>(new CommandDefinition($"PRAGMA journal_mode = {mode}", commandTimeout: 1)).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteBusy or SqliteLocked)
        {
            return null;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition(
                string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}"))).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies pending migrations. Safe when several processes do it at once: <c>BEGIN IMMEDIATE</c> takes the file's
    /// write lock, so the others wait, then find nothing left to do.
    /// </summary>
    /// <exception cref="SchemaVersionException">The database is newer than this version of SalesPipeline.</exception>
    /// <exception cref="StorageUnavailableException">The file cannot be opened or written.</exception>
    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken) => _schema.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    string ISchemaHost.Provider => MigrationScripts.Sqlite;

    /// <inheritdoc />
    string ISchemaHost.CreateSchemaVersion =>
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";

    /// <inheritdoc />
    string ISchemaHost.SchemaVersionExists => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    /// <inheritdoc />
    /// <remarks>SQLite's names ignore case: a table <c>Opportunities</c> stands where <c>opportunities</c> would be created.</remarks>
    string ISchemaHost.ExistingTables => "SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) IN @Names ORDER BY name";

    /// <inheritdoc />
    /// <remarks>The connection's own: on SQLite it bounds how long a statement waits for a lock, not how long it runs.</remarks>
    int? ISchemaHost.ScriptTimeout => null;

    /// <inheritdoc />
    async Task<DbConnection> ISchemaHost.OpenRawConnectionAsync(CancellationToken cancellationToken) =>
        await OpenRawAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The page size of a file this version creates, in bytes. The report's reads scan whole tables: four times SQLite's
    /// default of 4 KiB takes a quarter of the page reads and B-tree cells to walk. A file that already holds pages keeps its
    /// own size (SQLite changes it only by rewriting the file with <c>VACUUM</c>).
    /// </summary>
    internal const int PageSize = 16_384;

    /// <inheritdoc />
    /// <remarks>
    /// The page size of a new file first (it must come before anything is written), then WAL (readers work while one writer
    /// writes; the setting is kept in the file), then BEGIN IMMEDIATE.
    /// </remarks>
    async Task<DbTransaction> ISchemaHost.BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            string.Create(CultureInfo.InvariantCulture, $"PRAGMA page_size = {PageSize}"), cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken)).ConfigureAwait(false);

        // SQLite has no SHA-256 of its own; migration 0006 records one for each document it creates.
        var sqlite = (SqliteConnection)connection;
        sqlite.CreateFunction("salespipeline_sha256", (byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), isDeterministic: true);
        return sqlite.BeginTransaction(deferred: false);
    }

    /// <summary>Opens a configured connection without looking at the schema.</summary>
    public async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // A PRAGMA takes no parameters; the values are integers from the validated options.
            await connection.ExecuteAsync(new CommandDefinition(
                string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA mmap_size = {MemoryMapSize}"),
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (e is SqliteException sqlite && Unavailable(sqlite) is { } unavailable)
            {
                throw unavailable;
            }

            throw;
        }
    }

    /// <inheritdoc />
    async Task<DbConnection> IRelationalDatabase.OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="IRelationalDatabase.Unavailable" />
    public StorageUnavailableException? Unavailable(DbException exception) =>
        exception is SqliteException sqlite ? Unavailable(sqlite) : null;

    /// <inheritdoc />
    /// <remarks>SQLite cannot say which connection holds the file's lock: the exception as it is.</remarks>
    public Task<StorageUnavailableException> ExplainAsync(StorageUnavailableException unavailable, CancellationToken cancellationToken) => Task.FromResult(unavailable);

    /// <inheritdoc />
    public ConsistentRead? CurrentRead => _read.Value;

    /// <inheritdoc />
    public ConsistentRead BeginConsistentRead() => new(this, _read);

    /// <inheritdoc />
    /// <remarks>A deferred transaction: in WAL mode its first read fixes the snapshot every later read in it sees.</remarks>
    public Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The first read begins alone and later connections join its WAL snapshot. A file with no snapshot to share (its WAL
    /// empty, as after every connection closed, or the file not in WAL mode) begins all of them at once while a connection of its own holds the write lock,
    /// taken without waiting, so no commit can fall between them; when a writer holds that lock, the read stays on one
    /// connection.
    /// </remarks>
    public async Task<SharedRead> BeginSharedReadAsync(int lanes, CancellationToken cancellationToken)
    {
        var first = await BeginReadLaneAsync(cancellationToken).ConfigureAwait(false);
        if (SQLitePCL.raw.sqlite3_snapshot_get(((SqliteConnection)first.Connection).Handle, "main", out var snapshot) == SQLitePCL.raw.SQLITE_OK)
        {
            return new SnapshotRead(this, [first], snapshot);
        }

        snapshot?.Dispose();
        var begun = new List<ReadLane> { first };
        try
        {
            var writesHeld = await HoldWritesAsync(cancellationToken).ConfigureAwait(false);
            await using (writesHeld.ConfigureAwait(false))
            {
                if (writesHeld.Held)
                {
                    // The first read began before the lock: it begins again under it, with the others.
                    begun.Clear();
                    await first.DisposeAsync().ConfigureAwait(false);
                    while (begun.Count < lanes)
                    {
                        begun.Add(await BeginReadLaneAsync(cancellationToken).ConfigureAwait(false));
                    }
                }
            }

            return new SharedRead(begun);
        }
        catch
        {
            foreach (var lane in begun)
            {
                await lane.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Opens a connection and begins a read transaction on it, its snapshot fixed by reading the schema page.</summary>
    private async Task<ReadLane> BeginReadLaneAsync(CancellationToken cancellationToken) =>
        (await ReadLane.BeginAsync(
            this,
            async lane =>
            {
                await lane.Connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM sqlite_master", transaction: lane.Transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false))!;

    /// <summary>Takes the file's write lock on a connection of its own if no one holds it, without waiting; disposing releases it.</summary>
    /// <remarks>
    /// BEGIN IMMEDIATE goes straight to SQLite with the busy timeout at zero: a command would retry a busy lock for the whole
    /// command timeout.
    /// </remarks>
    private async Task<WritesHeld> HoldWritesAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA busy_timeout = 0", cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (SQLitePCL.raw.sqlite3_exec(connection.Handle, "BEGIN IMMEDIATE") == SQLitePCL.raw.SQLITE_OK)
            {
                return new WritesHeld(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return new WritesHeld(null);
    }

    /// <summary>Translates the errors that mean "this database cannot be used" into one that says what to do.</summary>
    public StorageUnavailableException? Unavailable(SqliteException exception)
    {
        var folder = Path.GetDirectoryName(Target) ?? ".";
        return exception.SqliteErrorCode switch
        {
            SqliteCantOpen when !Directory.Exists(folder) => Fail(
                StorageUnavailableReason.FolderMissing,
                $"Cannot open the SQLite database '{Target}': the folder '{folder}' does not exist.",
                "Create the folder, or change the Data Source given to UseSqlite."),
            SqliteCantOpen when Directory.Exists(Target) => Fail(
                StorageUnavailableReason.CannotOpen,
                $"Cannot open the SQLite database '{Target}': it is a folder.",
                "Give the database file inside it (for example 'salespipeline.db') as the Data Source given to UseSqlite."),
            SqliteCantOpen => Fail(
                StorageUnavailableReason.CannotOpen,
                $"Cannot open the SQLite database '{Target}'.",
                $"Check that the process may read and write the file and create files in '{folder}', or change the Data Source given to UseSqlite."),
            SqliteReadOnly => Fail(
                StorageUnavailableReason.ReadOnly,
                $"The SQLite database '{Target}' is read-only for this process, so nothing can be saved.",
                $"Give the process write permission to the file and to '{folder}' (SQLite writes '{Path.GetFileName(Target)}-wal' and '-shm' files beside it), or point UseSqlite at a writable copy."),
            SqliteNotADatabase => Fail(
                StorageUnavailableReason.NotADatabase,
                $"'{Target}' is not a SQLite database (or it is encrypted or damaged).",
                "Point UseSqlite at a SalesPipeline database, or at a new file name to start one."),
            SqliteBusy or SqliteLocked => Fail(
                StorageUnavailableReason.Locked,
                string.Create(CultureInfo.InvariantCulture, $"The SQLite database '{Target}' stayed locked by another process or connection for the whole busy timeout ({BusyTimeout.TotalSeconds:0.###} s); nothing was changed."),
                "Try again when the other work (an import, a migration) has finished, or raise SqliteStorageOptions.BusyTimeout."),
            _ => null,
        };

        StorageUnavailableException Fail(StorageUnavailableReason reason, string problem, string remedy) =>
            new(Target, reason, problem, remedy, exception);
    }

    public void Dispose() => _schema.Dispose();

    /// <summary>A write lock held on a connection of its own (or none); disposing rolls the empty transaction back.</summary>
    private sealed class WritesHeld(SqliteConnection? connection) : IAsyncDisposable
    {
        public bool Held => connection is not null;

        public async ValueTask DisposeAsync()
        {
            if (connection is not null)
            {
                // A connection that could not leave its transaction is closed rather than pooled with the lock.
                if (SQLitePCL.raw.sqlite3_exec(connection.Handle, "ROLLBACK") != SQLitePCL.raw.SQLITE_OK)
                {
                    SqliteConnection.ClearPool(connection);
                }

                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>A read begun alone whose WAL snapshot later connections join.</summary>
    private sealed class SnapshotRead(SqliteDatabase database, IReadOnlyList<ReadLane> lanes, SQLitePCL.sqlite3_snapshot snapshot) : SharedRead(lanes)
    {
        public override bool CanJoin => true;

        /// <summary>A deferred transaction opened on the snapshot before its first read.</summary>
        public override async Task<ReadLane?> JoinAsync(CancellationToken cancellationToken) =>
            await ReadLane.BeginAsync(
                database,
                lane =>
                {
                    // Without waiting: a snapshot that cannot be opened at once (its WAL moved on) leaves the read on the connections it has.
                    var handle = ((SqliteConnection)lane.Connection).Handle;
                    SQLitePCL.raw.sqlite3_busy_timeout(handle, 0);
                    var opened = SQLitePCL.raw.sqlite3_snapshot_open(handle, "main", snapshot);
                    SQLitePCL.raw.sqlite3_busy_timeout(handle, database._busyTimeoutMilliseconds);
                    return Task.FromResult(opened == SQLitePCL.raw.SQLITE_OK);
                },
                cancellationToken).ConfigureAwait(false);

        public override ValueTask DisposeAsync()
        {
            snapshot.Dispose();
            return base.DisposeAsync();
        }
    }
}
