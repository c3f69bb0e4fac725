using System.Data.Common;
using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>PostgreSQL's side of a large import: each batch streamed with binary COPY, one COPY per table per batch.</summary>
internal sealed class PostgresBulkImport(PostgresDialect dialect) : IBulkImport
{
    /// <summary>The import target of a PostgreSQL database.</summary>
    public static RelationalImportTarget Target(PostgresDatabase database)
    {
        var dialect = new PostgresDialect(database);
        return new RelationalImportTarget(dialect, new PostgresBulkImport(dialect));
    }

    /// <inheritdoc />
    public async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public IBulkWriter Writer(DbConnection connection, DbTransaction transaction) => new BulkWriter(dialect, (NpgsqlConnection)connection, transaction);

    private sealed class BulkWriter(PostgresDialect dialect, NpgsqlConnection connection, DbTransaction transaction) : IBulkWriter
    {
        public async Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
        {
            var found = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT external_id FROM opportunities WHERE pipeline_id = @Pipeline AND external_id = ANY(@Ids)",
                new { Pipeline = pipeline.Value, Ids = externalIds.Distinct(StringComparer.Ordinal).ToArray() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return found.ToHashSet(StringComparer.Ordinal);
        }

        public async Task WriteAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            // COPY cannot skip conflicts; look for ids already stored first, so the error names the deal.
            var clash = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "SELECT id FROM opportunities WHERE id = ANY(@Ids) LIMIT 1", new { Ids = batch.Select(s => s.Id.Value).ToArray() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (clash is { } existing)
            {
                throw new ConcurrencyConflictException("opportunity", existing.ToString("D"), 0, null);
            }

            await CopyAsync($"opportunities ({ImportRows.OpportunityColumns(dialect)})", 28, batch.Select<OpportunityState, Action<object?[]>>(state => row => ImportRows.Opportunity(dialect, state, row)), cancellationToken).ConfigureAwait(false);
            await CopyAsync($"stage_changes ({ImportRows.StageChangeColumns})", 8, batch.SelectMany(state => state.History.Select<StageChange, Action<object?[]>>((c, i) => row => ImportRows.StageChange(dialect, state.Id.Value, i, c, row))), cancellationToken).ConfigureAwait(false);
            await CopyAsync($"activities ({ImportRows.ActivityColumns})", 10, batch.SelectMany(state => state.Activities.Select<Activity, Action<object?[]>>((a, i) => row => ImportRows.Activity(dialect, state.Id.Value, i, a, row))), cancellationToken).ConfigureAwait(false);
            await CopyAsync($"offers ({ImportRows.OfferColumns})", 6, batch.SelectMany(state => state.Offers.Select<OfferDocument, Action<object?[]>>((o, i) => row => ImportRows.Offer(dialect, state.Id.Value, i, o, row))), cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        /// <summary>
        /// PostgreSQL's bulk-write primitive: one binary COPY into <paramref name="target"/> (a table and its columns) of the
        /// rows each fill writes, in column order; each value goes in the type its CLR type maps to, which the dialect chose
        /// to match the column.
        /// </summary>
        private async Task CopyAsync(string target, int columns, IEnumerable<Action<object?[]>> rows, CancellationToken cancellationToken)
        {
            using var each = rows.GetEnumerator();
            if (!each.MoveNext())
            {
                return;
            }

            var row = new object?[columns];
            var writer = await connection.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
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
