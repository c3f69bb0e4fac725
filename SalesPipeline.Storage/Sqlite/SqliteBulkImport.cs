using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Data.Sqlite;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;
using SQLitePCL;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>
/// SQLite's side of a large import: BEGIN IMMEDIATE for the whole import, a 64 MB page cache and no foreign-key checks while
/// rows are written through prepared statements bound by position and re-executed per row (<see cref="BulkCommand"/>;
/// Dapper's list execution re-binds by reflection and is markedly slower at 10^6 rows), and, once the import has written as many deals as the table held before it (and at
/// least <paramref name="setIndexesAsideFrom"/>), the deal tables' secondary indexes dropped and built again from the
/// whole table just before the commit, in the same transaction. A store that allows it
/// (<see cref="SqliteStorageOptions.LoadEmptyStoreExclusively"/>) and holds no deals is loaded through a rollback journal
/// instead (<see cref="BeginAsync"/>).
/// </summary>
/// <param name="dialect">The database's dialect.</param>
/// <param name="setIndexesAsideFrom">How many deals an import writes before it sets the secondary indexes aside.</param>
internal sealed class SqliteBulkImport(SqliteDialect dialect, int setIndexesAsideFrom = SqliteBulkImport.SetIndexesAsideFrom) : IBulkImport
{
    /// <summary>
    /// The page cache of an import's connection while it writes rows, in KiB. The importer's ids are time-ordered, so the
    /// id and unique keys only grow at their end; what lands on random pages are the indexes keyed by the data (close date,
    /// account, owner), which a small import keeps up row by row and a large one keeps up only for its first deals. With
    /// SQLite's default 2 MB cache such a load spends its time re-reading and spilling those pages; 64 MB holds them, as
    /// fast as 256 MB did (for deals with random ids too), and keeps an import's memory about the same for 10^5 and 10^6
    /// rows. It is released when the session ends.
    /// </summary>
    internal const int CacheKibibytes = 64 * 1024;

    /// <summary>
    /// The fewest deals an import writes before it sets the secondary indexes aside. Kept up row by row, the ten indexes of
    /// the deals table and the four of their activities and offers cost about three quarters of a 10^6-deal load into an
    /// empty file; built once from the whole tables they cost about a sixth. That holds even for the indexes keyed by the
    /// deal's id, alone or after the pipeline or owner, whose new keys land at the end of the index (or of the owner's part)
    /// when the ids are time-ordered: kept up row by row, they made a 10^6-row import and a 10^6-deal demo slower than
    /// building them at the end. Building
    /// them again reads the whole table, so an import does it only when it adds at least as many deals as were stored before
    /// it, and not for small imports, which stay row by row.
    /// </summary>
    internal const int SetIndexesAsideFrom = 20_000;

    /// <summary>
    /// The page cache, in KiB, while a large load builds the indexes it set aside: SQLite's default, the one a connection
    /// goes back to the pool with. SQLite sorts an index's keys in runs as large as the page cache and merges the runs;
    /// small runs sort within the processor's caches, and two sorter threads sort them on both cores. Building the deals
    /// table's indexes of a 10^6-deal import with 64 MB or 256 MB instead took longer per index
    /// (SalesPipeline.Benchmarks/scripts/import-floor.sh times each index with each of the three).
    /// </summary>
    internal const int BuildCacheKibibytes = DefaultCacheKibibytes;

    /// <summary>SQLite's default page cache, in KiB: the one a connection goes back to the pool with.</summary>
    private const int DefaultCacheKibibytes = 2_000;

    /// <summary>The sorter threads of a large load's index builds: the machine's second core.</summary>
    internal const int BuildSorterThreads = 2;

    /// <summary>The import target of a SQLite database.</summary>
    /// <param name="database">The database.</param>
    /// <param name="setIndexesAsideFrom">How many deals an import writes before it sets the secondary indexes aside.</param>
    public static RelationalImportTarget Target(SqliteDatabase database, int setIndexesAsideFrom = SetIndexesAsideFrom)
    {
        var dialect = new SqliteDialect(database);
        return new RelationalImportTarget(dialect, new SqliteBulkImport(dialect, setIndexesAsideFrom));
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="SqliteDatabase.LoadEmptyStoreExclusively"/>, an import into a store that holds no deals takes the file
    /// for itself when no other connection has it open: the file leaves write-ahead logging for a rollback journal and
    /// exclusive locking until the import ends. A rollback journal keeps only the pages the import changes that existed
    /// before it, and a store without deals has few of them: the rows and indexes go straight into the file once, instead of
    /// into the write-ahead log and from there into the file again, while a failure or a cancellation still rolls back to
    /// the file as it was. Disposing the writer after the transaction ended returns the file to write-ahead logging.
    /// </remarks>
    public async Task<IBulkWriter> BeginAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sqlite = (SqliteConnection)connection;
        var exclusive = dialect.File.LoadEmptyStoreExclusively && await TakeEmptyFileAsync(sqlite, cancellationToken).ConfigureAwait(false);
        SqliteTransaction? transaction = null;
        try
        {
            await SetSessionAsync(sqlite, CacheKibibytes, 0, foreignKeys: false, null, cancellationToken).ConfigureAwait(false);
            transaction = sqlite.BeginTransaction(deferred: false);
            return new BulkWriter(dialect, sqlite, transaction, setIndexesAsideFrom, exclusive);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await ReleaseAsync(dialect.File, sqlite, exclusive).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sets the connection's page cache, in KiB, its sorter threads and, unless <paramref name="foreignKeys"/> is null, its
    /// foreign-key checks, which SQLite switches only outside a transaction. An import runs without them: it writes a deal's
    /// history, activities and offers only right after the deal's own row went in, in the same transaction (a deal already
    /// stored stops it before its rows), so their key to the deal always holds; checking it looked the deal up by its text
    /// id once per row. A connection opened again from the pool gets the checks of its connection string back in any case.
    /// </summary>
    // A PRAGMA takes no parameters; the values are integers and keywords, never user text.
    private static Task<int> SetSessionAsync(
        SqliteConnection connection, int cacheKibibytes, int sorterThreads, bool? foreignKeys, SqliteTransaction? transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{cacheKibibytes}; PRAGMA threads = {sorterThreads}") +
            (foreignKeys switch { true => "; PRAGMA foreign_keys = ON", false => "; PRAGMA foreign_keys = OFF", null => "" }),
            transaction: transaction,
            cancellationToken: cancellationToken));

    /// <summary>
    /// Gives a connection that is going back to the pool SQLite's default cache, no sorter threads and its foreign-key checks
    /// again, and a file taken for the load (<paramref name="exclusive"/>) back to write-ahead logging even when that fails.
    /// </summary>
    private static async Task ReleaseAsync(SqliteDatabase database, SqliteConnection connection, bool exclusive)
    {
        try
        {
            await SetSessionAsync(connection, DefaultCacheKibibytes, 0, foreignKeys: true, null, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (exclusive)
            {
                await ShareFileAsync(database, connection).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Switches a store that holds no deals to a rollback journal and exclusive locking, when no other connection has the
    /// file open (this process's idle pooled connections are closed first); true when it did. The switch waits a second at
    /// most: when another connection holds the file, the import runs in write-ahead logging as usual.
    /// </summary>
    private async Task<bool> TakeEmptyFileAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(AnyDeal, cancellationToken: cancellationToken)).ConfigureAwait(false) != 0)
        {
            return false;
        }

        SqliteConnection.ClearPool(connection);
        var mode = await dialect.File.TrySetJournalModeAsync(connection, "DELETE").ConfigureAwait(false);
        if (!string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA locking_mode = EXCLUSIVE", cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
        catch
        {
            await ShareFileAsync(dialect.File, connection).ConfigureAwait(false);
            throw;
        }

        return true;
    }

    /// <summary>
    /// Returns a file taken by <see cref="TakeEmptyFileAsync"/> to write-ahead logging and normal locking, once the import's
    /// transaction has ended. The connection still holds the exclusive lock, so no other connection sees the file between.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The file could not be returned to write-ahead logging.</exception>
    private static async Task ShareFileAsync(SqliteDatabase database, SqliteConnection connection)
    {
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA locking_mode = NORMAL")).ConfigureAwait(false);
        var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = WAL")).ConfigureAwait(false);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageUnavailableException(
                database.Target,
                StorageUnavailableReason.Other,
                $"The SQLite database '{database.Target}' holds the import, but could not return to write-ahead logging.",
                "Run 'salespipeline db migrate' on it, which does, when no other process uses the file.");
        }
    }

    /// <summary>Non-zero when any deal is stored.</summary>
    private const string AnyDeal = "SELECT EXISTS (SELECT 1 FROM opportunities)";

    private sealed class BulkWriter : IBulkWriter
    {
        /// <summary>The external ids, given as one JSON array ($1), that pipeline $0 already has; the unique index answers each.</summary>
        private const string SelectExistingExternalIds =
            "SELECT external_id FROM opportunities WHERE pipeline_id = $0 AND external_id IN (SELECT value FROM json_each($1))";

        /// <summary>
        /// The indexes a large load builds at its end: those of the deal tables with a definition of their own (not a primary
        /// key's), except the unique ones, which check each row as it is written and answer the external-id look-ups.
        /// </summary>
        private const string SecondaryIndexes =
            "SELECT name AS Name, sql AS Sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL " +
            "AND tbl_name IN ('opportunities', 'stage_changes', 'activities', 'offers') AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name";

        private const string StoredDeals = "SELECT COUNT(*) FROM opportunities";

        private readonly SqliteDialect _dialect;
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;
        private readonly int _setIndexesAsideFrom;
        private readonly BulkCommand _opportunity;
        private readonly BulkCommand _history;
        private readonly BulkCommand _activity;
        private readonly BulkCommand _offer;
        private readonly SqliteCommand _existing;
        private readonly bool _exclusive;
        private long? _storedBefore;
        private long _written;

        /// <summary>The definitions of the indexes set aside, to build at the end; null while they are kept row by row.</summary>
        private List<IndexDefinition>? _setAside;

        public BulkWriter(SqliteDialect dialect, SqliteConnection connection, SqliteTransaction transaction, int setIndexesAsideFrom, bool exclusive)
        {
            _dialect = dialect;
            _exclusive = exclusive;
            _connection = connection;
            _transaction = transaction;
            _setIndexesAsideFrom = setIndexesAsideFrom;
            _opportunity = new BulkCommand(connection, "opportunities", ImportRows.OpportunityColumns(dialect), " ON CONFLICT (id) DO NOTHING");
            _history = new BulkCommand(connection, "stage_changes", ImportRows.StageChangeColumns);
            _activity = new BulkCommand(connection, "activities", ImportRows.ActivityColumns);
            _offer = new BulkCommand(connection, "offers", ImportRows.OfferColumns);
            _existing = connection.CreateCommand();
            _existing.Transaction = transaction;
            _existing.CommandText = SelectExistingExternalIds;
            _existing.Parameters.Add(new SqliteParameter("$0", null));
            _existing.Parameters.Add(new SqliteParameter("$1", null));
            _existing.Prepare();
        }

        public DbTransaction Transaction => _transaction;

        /// <summary>Gets <see langword="true"/>: the import holds SQLite's write lock (BEGIN IMMEDIATE) from its start to its end.</summary>
        public bool Alone => true;

        public async Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
        {
            // One prepared statement, the ids as one JSON array: an IN list of 500 parameters cost a fresh statement per
            // chunk and a by-name bind of each parameter, about 15% of a 10^6-row import.
            var found = new HashSet<string>(StringComparer.Ordinal);
            _existing.Parameters[0].Value = pipeline.Value;
            _existing.Parameters[1].Value = JsonSerializer.Serialize(externalIds, SqliteJson.Default.IReadOnlyCollectionString);
            var reader = await _existing.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    found.Add(reader.GetString(0));
                }
            }

            return found;
        }

        public async Task WriteAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            _storedBefore ??= await _connection.ExecuteScalarAsync<long>(
                new CommandDefinition(StoredDeals, transaction: _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            _written += batch.Count;
            if (_setAside is null && _written >= _setIndexesAsideFrom && _written >= _storedBefore)
            {
                await SetIndexesAsideAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var state in batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Write(state);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_setAside is { Count: > 0 })
            {
                await SetSessionAsync(_connection, BuildCacheKibibytes, BuildSorterThreads, foreignKeys: null, _transaction, cancellationToken).ConfigureAwait(false);
            }

            // The same definitions, so the committed schema is the one the migrations made; a failure rolls the drops back too.
            foreach (var index in _setAside ?? [])
            {
                await _connection.ExecuteAsync(new CommandDefinition(index.Sql, transaction: _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            _setAside = null;
        }

        private async Task SetIndexesAsideAsync(CancellationToken cancellationToken)
        {
            var indexes = (await _connection.QueryAsync<IndexDefinition>(
                new CommandDefinition(SecondaryIndexes, transaction: _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            foreach (var index in indexes)
            {
                // The names come from the schema, never from user text.
                await _connection.ExecuteAsync(new CommandDefinition(
                    $"DROP INDEX \"{index.Name}\"", transaction: _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            _setAside = indexes;
        }

        public async ValueTask DisposeAsync()
        {
            _opportunity.Dispose();
            _history.Dispose();
            _activity.Dispose();
            _offer.Dispose();
            await _existing.DisposeAsync().ConfigureAwait(false);

            await ReleaseAsync(_dialect.File, _connection, _exclusive).ConfigureAwait(false);
        }

        private void Write(OpportunityState s)
        {
            ImportRows.Opportunity(_dialect, s, _opportunity.Row);
            if (_opportunity.Execute() == 0)
            {
                throw new ConcurrencyConflictException("opportunity", s.Id.ToString(), 0, null);
            }

            var key = _opportunity.Row[0]!;
            for (var i = 0; i < s.History.Count; i++)
            {
                ImportRows.StageChange(_dialect, key, i, s.History[i], _history.Row);
                _history.Execute();
            }

            for (var i = 0; i < s.Activities.Count; i++)
            {
                ImportRows.Activity(_dialect, key, i, s.Activities[i], _activity.Row);
                _activity.Execute();
            }

            for (var i = 0; i < s.Offers.Count; i++)
            {
                ImportRows.Offer(_dialect, key, i, s.Offers[i], _offer.Row);
                _offer.Execute();
            }
        }
    }
}

/// <summary>An index as the schema defines it.</summary>
internal sealed record IndexDefinition(string Name, string Sql);

/// <summary>
/// SQLite's bulk-write primitive: a prepared INSERT of one row into a table, whose parameters are bound from
/// <see cref="Row"/> by position (those whose value changed since the previous row) and stepped directly on the
/// connection's native handle, inside the transaction the connection has begun. Through <see cref="SqliteCommand"/> each execution looked every parameter up
/// by name, bound it through a per-value type switch and created a data reader: about half the CPU of writing a row.
/// </summary>
internal sealed class BulkCommand : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>The value each parameter holds now; a parameter never bound holds null, as in SQLite.</summary>
    private readonly object?[] _bound;

    /// <summary>The buffer text is encoded into before it is bound.</summary>
    private byte[] _utf8 = new byte[256];

    public BulkCommand(SqliteConnection connection, string table, string columns, string onConflict = "")
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Row = new object?[columns.Split(',').Length];
        _bound = new object?[Row.Length];
        Check(raw.sqlite3_prepare_v2(_db, InsertSql(table, columns, onConflict), out _statement));
    }

    /// <summary>
    /// The INSERT of one row into <paramref name="table"/>, with parameters $0, $1, … in column order (SQLite numbers them
    /// 1, 2, … by first appearance, which is how <see cref="Execute"/> binds them).
    /// </summary>
    public static string InsertSql(string table, string columns, string onConflict = "")
    {
        var count = columns.Split(',').Length;
        var placeholders = string.Join(", ", Enumerable.Range(0, count).Select(i => "$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return $"INSERT INTO {table} ({columns}) VALUES ({placeholders}){onConflict}";
    }

    /// <summary>Gets the values of the next row, in column order: text, whole numbers or null, as the dialect gives them.</summary>
    public object?[] Row { get; }

    /// <summary>Inserts <see cref="Row"/>.</summary>
    /// <returns>The number of rows written (0 when the conflict clause skipped it).</returns>
    /// <exception cref="SqliteException">SQLite refused the row (a constraint, a full disk…); nothing of it was written.</exception>
    public int Execute()
    {
        try
        {
            Bind();
        }
        catch
        {
            // A bind that failed may have emptied its parameter already: start the next row from no bindings at all.
            raw.sqlite3_clear_bindings(_statement);
            Array.Clear(_bound);
            throw;
        }

        var step = raw.sqlite3_step(_statement);
        var changes = step == raw.SQLITE_DONE ? raw.sqlite3_changes(_db) : 0;

        // Reset even after a failure, so the statement holds no lock or error; the step's own code is the one reported.
        raw.sqlite3_reset(_statement);
        if (step != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(step, _db);
        }

        return changes;
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>
    /// Binds the parameters whose value in <see cref="Row"/> differs from the one they hold. SQLite keeps a statement's
    /// bindings across executions, and an import's rows repeat many values from one row to the next (the pipeline, the
    /// importing user, the deal a history entry belongs to, empty fields): binding only what changed saves most of the
    /// calls and copies.
    /// </summary>
    private void Bind()
    {
        for (var i = 0; i < Row.Length; i++)
        {
            if (SameValue(Row[i], _bound[i]))
            {
                continue;
            }

            var index = i + 1;
            var rc = Row[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, index),
                string text => BindText(index, text),
                long number => raw.sqlite3_bind_int64(_statement, index, number),
                int number => raw.sqlite3_bind_int64(_statement, index, number),
                _ => throw new ArgumentException($"A bulk-written value is text, a whole number or null; column {index} of the row is not.", nameof(Row)),
            };
            Check(rc);
            _bound[i] = Row[i];
        }
    }

    /// <summary>
    /// Binds text as UTF-8, the store's encoding (SQLite copies it): bound as UTF-16 it was converted again inside SQLite for
    /// every row. A lone surrogate, which no UTF-8 text holds, is stored as U+FFFD; text read from a file never has one.
    /// </summary>
    private int BindText(int index, string text)
    {
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (length > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(length, 2 * _utf8.Length)];
        }

        var written = System.Text.Encoding.UTF8.GetBytes(text, _utf8);
        return raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, written));
    }

    /// <summary>Whether two row values bind alike: both null, or the same text or number.</summary>
    private static bool SameValue(object? value, object? bound) => value switch
    {
        null => bound is null,
        string text => bound is string boundText && string.Equals(text, boundText, StringComparison.Ordinal),
        long number => bound is long boundNumber && number == boundNumber,
        int number => bound is int boundNumber && number == boundNumber,
        _ => false,
    };

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}

/// <summary>The JSON the import's SQL is given, serialised without reflection.</summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class SqliteJson : JsonSerializerContext;
