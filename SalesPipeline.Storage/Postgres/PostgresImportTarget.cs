using Dapper;
using Npgsql;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>
/// Large imports into PostgreSQL: one transaction for the whole import, each batch streamed with binary COPY (one
/// COPY per table per batch). Nothing is visible to other connections until <see cref="IImportSession.CommitAsync"/>.
/// </summary>
/// <remarks>Thread-safe; a session holds one connection until it is committed or disposed.</remarks>
internal sealed class PostgresImportTarget(PostgresDatabase database) : IImportTarget
{
    /// <inheritdoc />
    public async Task<IImportSession> BeginImportAsync(CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Session(database, connection, await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Session(PostgresDatabase database, NpgsqlConnection connection, NpgsqlTransaction transaction) : IImportSession
    {
        private readonly PostgresDialect _dialect = new(database);
        private readonly AccountNameCache _accounts = new();
        private bool _done;

        public async Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(externalIds);
            ObjectDisposedException.ThrowIf(_done, this);
            var found = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT external_id FROM opportunities WHERE pipeline_id = @Pipeline AND external_id = ANY(@Ids)",
                new { Pipeline = pipeline.Value, Ids = externalIds.Distinct(StringComparer.Ordinal).ToArray() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return found.ToHashSet(StringComparer.Ordinal);
        }

        public Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            return ImportRows.EnsureAccountAsync(_dialect, connection, transaction, _accounts, name, by, at, cancellationToken);
        }

        public async Task AddAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(batch);
            ObjectDisposedException.ThrowIf(_done, this);
            if (batch.Count == 0)
            {
                return;
            }

            var ids = new HashSet<Guid>();
            foreach (var state in batch)
            {
                if (state.Version != 0)
                {
                    throw new ArgumentException($"An import adds new opportunities (version 0); opportunity {state.Id} has version {state.Version}.", nameof(batch));
                }

                if (!ids.Add(state.Id.Value))
                {
                    throw new ConcurrencyConflictException("opportunity", state.Id.ToString(), 0, null);
                }
            }

            // COPY cannot skip conflicts; look for ids already stored first, so the error names the deal.
            var clash = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "SELECT id FROM opportunities WHERE id = ANY(@Ids) LIMIT 1", new { Ids = ids.ToArray() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (clash is { } existing)
            {
                throw new ConcurrencyConflictException("opportunity", existing.ToString("D"), 0, null);
            }

            try
            {
                await CopyAsync($"opportunities ({ImportRows.OpportunityColumns(_dialect)})", 27, batch.Select<OpportunityState, Action<object?[]>>(state => row => ImportRows.Opportunity(_dialect, state, row)), cancellationToken).ConfigureAwait(false);
                await CopyAsync($"stage_changes ({ImportRows.StageChangeColumns})", 8, batch.SelectMany(state => state.History.Select<StageChange, Action<object?[]>>((c, i) => row => ImportRows.StageChange(_dialect, state.Id.Value, i, c, row))), cancellationToken).ConfigureAwait(false);
                await CopyAsync($"activities ({ImportRows.ActivityColumns})", 10, batch.SelectMany(state => state.Activities.Select<Activity, Action<object?[]>>((a, i) => row => ImportRows.Activity(_dialect, state.Id.Value, i, a, row))), cancellationToken).ConfigureAwait(false);
                await CopyAsync($"offers ({ImportRows.OfferColumns})", 6, batch.SelectMany(state => state.Offers.Select<OfferDocument, Action<object?[]>>((o, i) => row => ImportRows.Offer(_dialect, state.Id.Value, i, o, row))), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw e.ConstraintName == "ux_opportunities_external_id"
                    ? new InvalidOperationException($"An imported opportunity has an external id that another opportunity of its pipeline already has ({e.Detail}); nothing of the batch was written.", e)
                    : new ConcurrencyConflictException("opportunity", e.Detail ?? "in the batch", 0, null);
            }
            catch (NpgsqlException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }

        public async Task SavePipelineDefinitionAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            ArgumentException.ThrowIfNullOrWhiteSpace(json);
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    PipelineDefinitionRow.Upsert, new PipelineDefinitionRow(id.Value, json), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _done = true;
        }

        public async ValueTask DisposeAsync()
        {
            _done = true;
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

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
