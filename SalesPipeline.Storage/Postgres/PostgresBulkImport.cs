using System.Data.Common;
using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>
/// PostgreSQL's side of a large import: each batch written with binary COPY straight into the stored tables, in the import's
/// one transaction. A deal whose id is already stored would stop the COPY at the primary key without naming the deal, so
/// each batch first looks its ids up (one probe of the primary key per deal, in one statement) and names one that is
/// stored. Once the import has written as many deals as the stored table held before it (and at least
/// <paramref name="setAsideFrom"/>), the deal tables' secondary indexes and the history tables' foreign keys are set aside
/// (<see cref="SetAside"/>) and built again from the whole tables at commit, in the same transaction.
/// </summary>
/// <remarks>
/// Earlier versions copied each batch into temporary staging tables and merged them into the stored tables every 50,000
/// deals; the merges' <c>INSERT … SELECT</c> wrote every row a second time for nothing a probe of the primary key does not
/// give (SalesPipeline.Benchmarks/scripts/import-postgres-side-by-side.sh compares two builds' imports).
/// </remarks>
/// <param name="dialect">The database's dialect.</param>
/// <param name="setAsideFrom">How many deals an import writes before it sets the indexes aside (<see cref="SetAsideFrom"/>).</param>
/// <param name="setAsideRetryEvery">How many more deals it writes before it tries again when another session held the tables (<see cref="SetAsideRetryEvery"/>).</param>
/// <param name="analyzeFrom">How many deals an import writes before it first gathers the deals table's statistics (<see cref="AnalyzeFrom"/>).</param>
internal sealed class PostgresBulkImport(
    PostgresDialect dialect,
    int setAsideFrom = PostgresBulkImport.SetAsideFrom,
    int setAsideRetryEvery = PostgresBulkImport.SetAsideRetryEvery,
    int analyzeFrom = PostgresBulkImport.AnalyzeFrom) : IBulkImport
{
    /// <summary>
    /// The fewest deals an import writes before it sets the indexes and foreign keys aside. Kept up row by row, the twelve
    /// indexes of the deals, the history's index and the foreign-key check of every history row made a 10^6-deal import
    /// spend most of its time on them, more per deal the larger the tables grew; built once from the whole tables they cost
    /// a few seconds. Building them again reads the whole tables, so an import does it only when it adds at least as many
    /// deals as were stored before it, and not for small imports, which stay row by row.
    /// </summary>
    internal const int SetAsideFrom = 20_000;

    /// <summary>
    /// How many more deals an import writes before it tries again to set the indexes aside after another session held a lock
    /// on the tables.
    /// </summary>
    internal const int SetAsideRetryEvery = 50_000;

    /// <summary>
    /// How many deals an import writes before it first gathers the deals table's statistics (then each time its deals
    /// double). Fewer cannot mislead the planner much, and gathering them takes a lock other imports also want.
    /// </summary>
    internal const int AnalyzeFrom = 50_000;

    /// <summary>
    /// The command timeout, in seconds, of the statements that work on whole tables (index and foreign-key builds,
    /// statistics): none, since at 10^7 deals building one index takes longer than the connection's default of 30 seconds.
    /// The import's cancellation token still stops them.
    /// </summary>
    private const int WholeTables = 0;

    /// <summary>A deal among @Ids whose id is already stored; the COPY would break the primary key on it without naming it.</summary>
    private const string FirstStoredId = "SELECT id FROM opportunities WHERE id = ANY(@Ids) LIMIT 1";

    /// <summary>How many deals are stored, counted up to @Limit: enough to tell whether an import adds at least as many.</summary>
    private const string StoredDealsUpTo = "SELECT COUNT(*) FROM (SELECT 1 FROM opportunities LIMIT @Limit) s";

    /// <summary>Gathers the deals table's statistics, the import's own rows included (a role that does not own it is warned and skipped).</summary>
    private const string AnalyzeDeals = "ANALYZE opportunities";

    /// <summary>
    /// The lock <see cref="AnalyzeDeals"/> takes, held until the import ends; it fails at once while another session holds it
    /// (one analyzing the table, or another import that has gathered statistics, until that import ends).
    /// </summary>
    private const string LockForAnalyze = "LOCK TABLE opportunities IN SHARE UPDATE EXCLUSIVE MODE NOWAIT";

    /// <summary>The savepoint a lock that could not be taken at once rolls back to.</summary>
    private const string LockSavepoint = "table_lock";

    /// <summary>The lock that lets an import drop and build again the deal tables' indexes; it fails at once while another session holds any lock on them.</summary>
    private const string LockForSetAside = "LOCK TABLE opportunities, stage_changes, activities, offers IN ACCESS EXCLUSIVE MODE NOWAIT";

    /// <summary>
    /// What a large load sets aside and builds again at its end, each as the statement that drops it and the one that builds
    /// it again from its stored definition: the deal tables' indexes except the unique ones (which check each row and answer
    /// the id and external-id look-ups), then the history tables' foreign keys (checked again by one join over the whole
    /// tables instead of one look-up per row), built in that order.
    /// </summary>
    private const string SetAside =
        "SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS DropSql, pg_get_indexdef(i.indexrelid) AS CreateSql, 0 AS Step " +
        "FROM pg_index i WHERE i.indrelid = ANY (ARRAY['opportunities', 'stage_changes', 'activities', 'offers']::regclass[]) AND NOT i.indisunique " +
        "UNION ALL " +
        "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname), " +
        "format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)), 1 " +
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY (ARRAY['stage_changes', 'activities', 'offers']::regclass[]) " +
        "ORDER BY Step, DropSql";

    /// <summary>The COPY of each table an import writes, parents first (the order they are written in).</summary>
    private readonly CopyInto[] _copies =
    [
        Copy("opportunities", ImportRows.OpportunityColumns(dialect)),
        Copy("stage_changes", ImportRows.StageChangeColumns),
        Copy("activities", ImportRows.ActivityColumns),
        Copy("offers", ImportRows.OfferColumns),
    ];

    /// <summary>The import target of a PostgreSQL database.</summary>
    public static RelationalImportTarget Target(PostgresDatabase database)
    {
        var dialect = new PostgresDialect(database);
        return new RelationalImportTarget(dialect, new PostgresBulkImport(dialect));
    }

    /// <inheritdoc />
    public async Task<IBulkWriter> BeginAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // For as long as the import runs, the connection's application name (pg_stat_activity) says so, and a session
            // whose statement times out behind the import's lock on the deal tables is told it was an import.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT set_config('application_name', CASE current_setting('application_name') WHEN '' THEN @Name " +
                "ELSE left(@Name || ': ' || current_setting('application_name'), 63) END, true)",
                new { Name = PostgresDatabase.ImportApplicationName },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new BulkWriter(dialect, _copies, setAsideFrom, setAsideRetryEvery, analyzeFrom, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
    }

    private static CopyInto Copy(string table, string columns) => new($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", columns.Split(',').Length);

    /// <summary>A binary COPY into a stored table, and how many values each of its rows has.</summary>
    private sealed record CopyInto(string Sql, int Width);

    /// <summary>An index or constraint a large load sets aside (<see cref="SetAside"/>).</summary>
    /// <param name="DropSql">The statement that drops it.</param>
    /// <param name="CreateSql">The statement that builds it again.</param>
    /// <param name="Step">0 for an index, 1 for a foreign key: the order they are built in.</param>
    internal sealed record SetAsideItem(string DropSql, string CreateSql, int Step);

    private sealed class BulkWriter(
        PostgresDialect dialect, CopyInto[] copies, int setAsideFrom, int setAsideRetryEvery, int analyzeFrom, NpgsqlConnection connection, NpgsqlTransaction transaction) : IBulkWriter
    {
        /// <summary>How many deals this import has written into the stored table.</summary>
        private long _written;

        /// <summary>How many deals had been written when the deals table's statistics were last gathered.</summary>
        private long _analyzedAt;

        /// <summary>How many deals the import writes before it looks (again) whether it may set the indexes aside.</summary>
        private long _setAsideAt = setAsideFrom;

        /// <summary>What was set aside, to build again at commit; null while the indexes are kept row by row.</summary>
        private List<SetAsideItem>? _setAside;

        /// <summary>Whether the import's role may not drop the indexes (it does not own the tables), so it stops trying.</summary>
        private bool _mayNotSetAside;

        public DbTransaction Transaction => transaction;

        /// <summary>
        /// Gets whether the import holds the deal tables for itself (it set the indexes aside, <see cref="SetAsideAsync"/>):
        /// from then on until it ends, no other session can write deals.
        /// </summary>
        public bool Alone { get; private set; }

        public async Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken) =>
            (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT external_id FROM opportunities WHERE pipeline_id = @Pipeline AND external_id = ANY(@Ids)",
                new { Pipeline = pipeline.Value, Ids = externalIds.Distinct(StringComparer.Ordinal).ToArray() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);

        public async Task WriteAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            var written = _written + batch.Count;
            if (_setAside is null && !_mayNotSetAside && written >= _setAsideAt)
            {
                await SetAsideAsync(written, cancellationToken).ConfigureAwait(false);
            }

            // The import's own earlier batches are stored too, so a deal given twice is found here as well.
            var clash = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                FirstStoredId, new { Ids = batch.Select(s => s.Id.Value).ToArray() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (clash is { } existing)
            {
                throw new ConcurrencyConflictException("opportunity", existing.ToString("D"), 0, null);
            }

            await CopyAsync(copies[0], batch.Select<OpportunityState, Action<object?[]>>(state => row => ImportRows.Opportunity(dialect, state, row)), cancellationToken).ConfigureAwait(false);
            await CopyAsync(copies[1], batch.SelectMany(state => state.History.Select<StageChange, Action<object?[]>>((c, i) => row => ImportRows.StageChange(dialect, state.Id.Value, i, c, row))), cancellationToken).ConfigureAwait(false);
            await CopyAsync(copies[2], batch.SelectMany(state => state.Activities.Select<Activity, Action<object?[]>>((a, i) => row => ImportRows.Activity(dialect, state.Id.Value, i, a, row))), cancellationToken).ConfigureAwait(false);
            await CopyAsync(copies[3], batch.SelectMany(state => state.Offers.Select<OfferDocument, Action<object?[]>>((o, i) => row => ImportRows.Offer(dialect, state.Id.Value, i, o, row))), cancellationToken).ConfigureAwait(false);
            _written = written;

            if (_written >= Math.Max(analyzeFrom, 2 * _analyzedAt))
            {
                // Each batch looks its external ids up in the deals table. Planned with the statistics of a table a fraction
                // of its size (or none, for a new table), the look-up scanned the pipeline's every deal, so an import slowed
                // down as it grew; the statistics are gathered again each time the import has doubled what it wrote, unless
                // another session (an import, autovacuum) is gathering them.
                await TryAsync(
                    async () =>
                    {
                        await ExecuteAsync(LockForAnalyze, cancellationToken).ConfigureAwait(false);
                        await ExecuteAsync(AnalyzeDeals, cancellationToken).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);

                _analyzedAt = _written;
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            // The definitions read from the schema, so the committed schema is the one the migrations made; a failure rolls
            // the drops back too.
            foreach (var item in _setAside ?? [])
            {
                await ExecuteAsync(item.CreateSql, cancellationToken).ConfigureAwait(false);
            }

            _setAside = null;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        /// <summary>
        /// Runs work that starts by taking a table lock that fails at once if it is not free (a <c>LOCK TABLE … NOWAIT</c>),
        /// inside a savepoint, so that a lock it cannot have, or work the import's role may not do, leaves the import's
        /// transaction as it was.
        /// </summary>
        /// <returns>Whether the work was done.</returns>
        private async Task<bool> TryAsync(Func<Task> work, CancellationToken cancellationToken)
        {
            await transaction.SaveAsync(LockSavepoint, cancellationToken).ConfigureAwait(false);
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.InsufficientPrivilege)
            {
                await transaction.RollbackAsync(LockSavepoint, cancellationToken).ConfigureAwait(false);
                _mayNotSetAside |= e.SqlState == PostgresErrorCodes.InsufficientPrivilege;
                return false;
            }

            await transaction.ReleaseAsync(LockSavepoint, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>Runs a statement of the import with no time limit of its own (<see cref="WholeTables"/>); the cancellation token still ends it.</summary>
        private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
            connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, commandTimeout: WholeTables, cancellationToken: cancellationToken));

        /// <summary>
        /// Sets the indexes and foreign keys aside when the import, with the batch it is about to write (<paramref name="written"/>
        /// deals in all), adds at least as many deals as were stored before it; otherwise it looks again once it has written
        /// as many (or twice as many as now, while more than that were stored). The tables are
        /// locked first, without waiting: while another session reads or writes them (a report, another import) the import
        /// keeps them row by row and tries again <see cref="SetAsideRetryEvery"/> deals later, so it never waits for a reader
        /// nor deadlocks with another import. From then on until the commit, other sessions wait for the tables. A role that
        /// does not own the tables keeps them row by row.
        /// </summary>
        private async Task SetAsideAsync(long written, CancellationToken cancellationToken)
        {
            // The count includes this import's own deals written so far, and stops at twice as many stored before it as it
            // adds: below that it is exact, and the next look is once the import has written as many; at it, the next look is
            // once the import has written twice as many as now, so the counts add up to a few times the deals written.
            var limit = (2 * written) + _written + 1;
            var stored = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                StoredDealsUpTo, new { Limit = limit }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var storedBefore = stored - _written;
            if (storedBefore > written)
            {
                _setAsideAt = storedBefore;
                return;
            }

            _setAsideAt = written + setAsideRetryEvery;

            List<SetAsideItem> items = [];
            var done = await TryAsync(
                async () =>
                {
                    await ExecuteAsync(LockForSetAside, cancellationToken).ConfigureAwait(false);
                    items = (await connection.QueryAsync<SetAsideItem>(
                        new CommandDefinition(SetAside, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
                    foreach (var item in items)
                    {
                        await ExecuteAsync(item.DropSql, cancellationToken).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
            _setAside = done ? items : null;
            Alone |= done;
        }

        /// <summary>
        /// PostgreSQL's bulk-write primitive: one binary COPY (<paramref name="copy"/>) of the rows each fill writes, in
        /// column order; each value goes in the type its CLR type maps to, which the dialect chose to match the column.
        /// </summary>
        private async Task CopyAsync(CopyInto copy, IEnumerable<Action<object?[]>> rows, CancellationToken cancellationToken)
        {
            using var each = rows.GetEnumerator();
            if (!each.MoveNext())
            {
                return;
            }

            var row = new object?[copy.Width];
            var writer = await connection.BeginBinaryImportAsync(copy.Sql, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                // No time limit of its own, as the statements on whole tables (WholeTables): a row whose key another
                // import has written and not yet committed waits for that import to end. The cancellation token still ends it.
                writer.Timeout = TimeSpan.Zero;
                do
                {
                    each.Current(row);
                    await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var value in row)
                    {
                        await (value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, cancellationToken)).ConfigureAwait(false);
                    }
                }
                while (each.MoveNext());

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
