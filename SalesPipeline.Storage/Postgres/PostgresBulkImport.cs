using System.Data.Common;
using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>
/// PostgreSQL's side of a large import: each batch streamed with binary COPY into session tables (<see cref="ImportStaging"/>),
/// created in the import's transaction and dropped at its end, then merged into the stored tables with INSERT … SELECT in
/// the same transaction, every <paramref name="mergeEvery"/> deals and at commit. COPY into a temporary table writes no
/// write-ahead log and checks no index; the merge is where a clash is found, named and rolled back with everything else.
/// Once the import has staged as many deals as the stored table held before it (and at least
/// <paramref name="setAsideFrom"/>), the deal tables' secondary indexes and the history tables' foreign keys are set aside
/// (<see cref="ImportStaging.SetAside"/>) and built again from the whole tables at commit, in the same transaction.
/// </summary>
/// <param name="dialect">The database's dialect.</param>
/// <param name="mergeEvery">How many staged deals are merged at once (<see cref="MergeEvery"/>).</param>
/// <param name="setAsideFrom">How many deals an import stages before it sets the indexes aside (<see cref="SetAsideFrom"/>).</param>
internal sealed class PostgresBulkImport(PostgresDialect dialect, int mergeEvery = PostgresBulkImport.MergeEvery, int setAsideFrom = PostgresBulkImport.SetAsideFrom) : IBulkImport
{
    /// <summary>
    /// How many staged deals are merged at once. One merge per batch of the importer (1,000 deals) would spend its time on
    /// statements; the whole import at once would hold a second copy of it in temporary files. The external ids of the
    /// staged deals are kept in memory until they are merged, so they are bounded too.
    /// </summary>
    internal const int MergeEvery = 50_000;

    /// <summary>
    /// The fewest deals an import stages before it sets the indexes and foreign keys aside. Kept up row by row, the twelve
    /// indexes of the deals, the history's index and the foreign-key check of every history row made a 10^6-deal import
    /// spend most of its time in the merges, more per deal the larger the tables grew; built once from the whole tables
    /// they cost a few seconds. Building them again reads the whole tables, so an import does it only when it adds at
    /// least as many deals as were stored before it, and not for small imports, which stay row by row.
    /// </summary>
    internal const int SetAsideFrom = 20_000;

    /// <summary>
    /// The command timeout, in seconds, of the statements that work on whole tables (merges, index and foreign-key builds,
    /// statistics): none, since at 10^7 deals building one index takes longer than the connection's default of 30 seconds.
    /// The import's cancellation token still stops them.
    /// </summary>
    private const int WholeTables = 0;

    private readonly IReadOnlyList<ImportStaging.Table> _tables = ImportStaging.Tables(dialect);

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
            // Dropped at commit, and gone with a rollback, since they are created in the transaction: nothing is left behind.
            var create = string.Concat(_tables.Select(t => $"CREATE TEMPORARY TABLE {t.Staged} (LIKE {t.Name}) ON COMMIT DROP;"));
            await connection.ExecuteAsync(new CommandDefinition(create, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return new BulkWriter(dialect, _tables, mergeEvery, setAsideFrom, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class BulkWriter(
        PostgresDialect dialect, IReadOnlyList<ImportStaging.Table> tables, int mergeEvery, int setAsideFrom, NpgsqlConnection connection, NpgsqlTransaction transaction) : IBulkWriter
    {
        /// <summary>The staged deals' ids, and their external ids by pipeline: what the stored tables do not show until the next merge.</summary>
        private readonly HashSet<Guid> _stagedIds = [];
        private readonly HashSet<(string Pipeline, string ExternalId)> _stagedExternalIds = [];

        /// <summary>How many deals earlier merges wrote into the stored table.</summary>
        private long _merged;

        public DbTransaction Transaction => transaction;

        /// <summary>How many deals had been merged when the deals table's statistics were last gathered.</summary>
        private long _analyzedAt;

        /// <summary>What was set aside, to build again at commit; null while the indexes are kept row by row.</summary>
        private List<ImportStaging.SetAsideItem>? _setAside;

        /// <summary>Whether the import's role may not drop the indexes (it does not own the tables), so it stops trying.</summary>
        private bool _mayNotSetAside;

        public async Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
        {
            var found = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT external_id FROM opportunities WHERE pipeline_id = @Pipeline AND external_id = ANY(@Ids)",
                new { Pipeline = pipeline.Value, Ids = externalIds.Distinct(StringComparer.Ordinal).ToArray() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            found.UnionWith(externalIds.Where(id => _stagedExternalIds.Contains((pipeline.Value, id))));
            return found;
        }

        public async Task WriteAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            foreach (var state in batch)
            {
                // The merge would stop at the primary key without naming the deal; a deal staged twice is found here.
                if (_stagedIds.Contains(state.Id.Value))
                {
                    throw new ConcurrencyConflictException("opportunity", state.Id.ToString(), 0, null);
                }
            }

            await CopyAsync(tables[0], batch.Select<OpportunityState, Action<object?[]>>(state => row => ImportRows.Opportunity(dialect, state, row)), cancellationToken).ConfigureAwait(false);
            await CopyAsync(tables[1], batch.SelectMany(state => state.History.Select<StageChange, Action<object?[]>>((c, i) => row => ImportRows.StageChange(dialect, state.Id.Value, i, c, row))), cancellationToken).ConfigureAwait(false);
            await CopyAsync(tables[2], batch.SelectMany(state => state.Activities.Select<Activity, Action<object?[]>>((a, i) => row => ImportRows.Activity(dialect, state.Id.Value, i, a, row))), cancellationToken).ConfigureAwait(false);
            await CopyAsync(tables[3], batch.SelectMany(state => state.Offers.Select<OfferDocument, Action<object?[]>>((o, i) => row => ImportRows.Offer(dialect, state.Id.Value, i, o, row))), cancellationToken).ConfigureAwait(false);
            foreach (var state in batch)
            {
                _stagedIds.Add(state.Id.Value);
                if (state.ExternalId is { } external)
                {
                    _stagedExternalIds.Add((state.PipelineId.Value, external));
                }
            }

            if (_stagedIds.Count >= mergeEvery)
            {
                await MergeAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await MergeAsync(cancellationToken).ConfigureAwait(false);

            // The definitions read from the schema, so the committed schema is the one the migrations made; a failure rolls
            // the drops back too.
            foreach (var item in _setAside ?? [])
            {
                await ExecuteAsync(item.CreateSql, cancellationToken).ConfigureAwait(false);
            }

            _setAside = null;
        }

        private async Task MergeAsync(CancellationToken cancellationToken)
        {
            if (_stagedIds.Count == 0)
            {
                return;
            }

            if (_setAside is null && !_mayNotSetAside && _merged + _stagedIds.Count >= setAsideFrom)
            {
                await SetAsideAsync(cancellationToken).ConfigureAwait(false);
            }

            var clash = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                ImportStaging.FirstStoredId, transaction: transaction, commandTimeout: WholeTables, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (clash is { } existing)
            {
                throw new ConcurrencyConflictException("opportunity", existing.ToString("D"), 0, null);
            }

            var merge = string.Concat(tables.Select(t => t.Merge + ";")) + "TRUNCATE " + string.Join(", ", tables.Select(t => t.Staged));
            await ExecuteAsync(merge, cancellationToken).ConfigureAwait(false);
            _merged += _stagedIds.Count;
            _stagedIds.Clear();
            _stagedExternalIds.Clear();
            if (_merged >= 2 * _analyzedAt)
            {
                // Each batch looks its external ids up in the deals table. Planned with the statistics of a table a fraction
                // of its size (or none, for a new table), the look-up scanned the pipeline's every deal, so an import slowed
                // down as it grew; the statistics are gathered again each time the import has doubled what it merged, unless
                // another session (an import, autovacuum) is gathering them.
                await TryAsync(
                    async () =>
                    {
                        await ExecuteAsync(ImportStaging.LockForAnalyze, cancellationToken).ConfigureAwait(false);
                        await ExecuteAsync(ImportStaging.AnalyzeDeals, cancellationToken).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);

                _analyzedAt = _merged;
            }
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
            await transaction.SaveAsync(ImportStaging.LockSavepoint, cancellationToken).ConfigureAwait(false);
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.InsufficientPrivilege)
            {
                await transaction.RollbackAsync(ImportStaging.LockSavepoint, cancellationToken).ConfigureAwait(false);
                _mayNotSetAside |= e.SqlState == PostgresErrorCodes.InsufficientPrivilege;
                return false;
            }

            await transaction.ReleaseAsync(ImportStaging.LockSavepoint, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>Runs a statement of the import with no time limit of its own (<see cref="WholeTables"/>); the cancellation token still ends it.</summary>
        private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
            connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, commandTimeout: WholeTables, cancellationToken: cancellationToken));

        /// <summary>
        /// Sets the indexes and foreign keys aside when the import adds at least as many deals as were stored before it. The
        /// tables are locked first, without waiting: while another session reads or writes them (a report, another import)
        /// the import keeps them row by row and tries again at its next merge, so it never waits for a reader nor deadlocks
        /// with another import. From then on until the commit, other sessions wait for the tables. A role that does not own
        /// the tables keeps them row by row.
        /// </summary>
        private async Task SetAsideAsync(CancellationToken cancellationToken)
        {
            var written = _merged + _stagedIds.Count;
            var stored = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                ImportStaging.StoredDealsUpTo, new { Limit = written + _merged + 1 }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (stored - _merged > written)
            {
                return;
            }

            List<ImportStaging.SetAsideItem> items = [];
            var done = await TryAsync(
                async () =>
                {
                    await ExecuteAsync(ImportStaging.LockForSetAside, cancellationToken).ConfigureAwait(false);
                    items = (await connection.QueryAsync<ImportStaging.SetAsideItem>(
                        new CommandDefinition(ImportStaging.SetAside, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
                    foreach (var item in items)
                    {
                        await ExecuteAsync(item.DropSql, cancellationToken).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
            _setAside = done ? items : null;
        }

        /// <summary>
        /// PostgreSQL's bulk-write primitive: one binary COPY into <paramref name="table"/>'s staging table of the rows each
        /// fill writes, in column order; each value goes in the type its CLR type maps to, which the dialect chose to match
        /// the column.
        /// </summary>
        private async Task CopyAsync(ImportStaging.Table table, IEnumerable<Action<object?[]>> rows, CancellationToken cancellationToken)
        {
            using var each = rows.GetEnumerator();
            if (!each.MoveNext())
            {
                return;
            }

            var row = new object?[table.Width];
            var writer = await connection.BeginBinaryImportAsync($"COPY {table.StagedTarget} FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
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
