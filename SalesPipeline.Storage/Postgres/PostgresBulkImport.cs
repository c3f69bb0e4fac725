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
/// </summary>
/// <param name="dialect">The database's dialect.</param>
/// <param name="mergeEvery">How many staged deals are merged at once (<see cref="MergeEvery"/>).</param>
internal sealed class PostgresBulkImport(PostgresDialect dialect, int mergeEvery = PostgresBulkImport.MergeEvery) : IBulkImport
{
    /// <summary>
    /// How many staged deals are merged at once. One merge per batch of the importer (1,000 deals) would spend its time on
    /// statements; the whole import at once would hold a second copy of it in temporary files. The external ids of the
    /// staged deals are kept in memory until they are merged, so they are bounded too.
    /// </summary>
    internal const int MergeEvery = 50_000;

    private readonly IReadOnlyList<ImportStaging.Table> _tables = ImportStaging.Tables(dialect);

    /// <summary>The import target of a PostgreSQL database.</summary>
    public static RelationalImportTarget Target(PostgresDatabase database)
    {
        var dialect = new PostgresDialect(database);
        return new RelationalImportTarget(dialect, new PostgresBulkImport(dialect));
    }

    /// <inheritdoc />
    public async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Dropped at commit, and gone with a rollback, since they are created in the transaction: nothing is left behind.
            var create = string.Concat(_tables.Select(t => $"CREATE TEMPORARY TABLE {t.Staged} (LIKE {t.Name}) ON COMMIT DROP;"));
            await connection.ExecuteAsync(new CommandDefinition(create, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public IBulkWriter Writer(DbConnection connection, DbTransaction transaction) => new BulkWriter(dialect, _tables, mergeEvery, (NpgsqlConnection)connection, transaction);

    private sealed class BulkWriter(PostgresDialect dialect, IReadOnlyList<ImportStaging.Table> tables, int mergeEvery, NpgsqlConnection connection, DbTransaction transaction) : IBulkWriter
    {
        /// <summary>The staged deals' ids, and their external ids by pipeline: what the stored tables do not show until the next merge.</summary>
        private readonly HashSet<Guid> _stagedIds = [];
        private readonly HashSet<(string Pipeline, string ExternalId)> _stagedExternalIds = [];

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
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_stagedIds.Count == 0)
            {
                return;
            }

            var clash = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(ImportStaging.FirstStoredId, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (clash is { } existing)
            {
                throw new ConcurrencyConflictException("opportunity", existing.ToString("D"), 0, null);
            }

            var merge = string.Concat(tables.Select(t => t.Merge + ";")) + "TRUNCATE " + string.Join(", ", tables.Select(t => t.Staged));
            await connection.ExecuteAsync(new CommandDefinition(merge, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            _stagedIds.Clear();
            _stagedExternalIds.Clear();
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

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
