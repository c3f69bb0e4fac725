using System.Data.Common;
using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>A provider's bulk-write primitive, bound to one import's connection and transaction.</summary>
internal interface IBulkWriter : IAsyncDisposable
{
    /// <summary>Gets the import's one transaction, begun by <see cref="IBulkImport.BeginAsync"/>.</summary>
    DbTransaction Transaction { get; }

    /// <summary>
    /// Gets whether no other session can write deals from now until the import ends, so that a look-up can only find rows
    /// stored before this moment and the import's own (<see cref="ImportExternalIds"/>).
    /// </summary>
    bool Alone { get; }

    /// <summary>The external ids among <paramref name="externalIds"/> (not empty) that <paramref name="pipeline"/> already has, the import's own rows included.</summary>
    Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken);

    /// <summary>Writes the rows of new deals (see <see cref="ImportRows"/>).</summary>
    /// <exception cref="ConcurrencyConflictException">A deal's id is already stored.</exception>
    Task WriteAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes the writes inside the transaction, just before it commits: rebuilds what a large load set aside (such as
    /// indexes). A writer that sets nothing aside has nothing to do.
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>How a provider starts an import: its transaction, and the bulk-write primitive that writes in it.</summary>
internal interface IBulkImport
{
    /// <summary>
    /// Prepares the connection for a large load, begins the import's one transaction and returns the bulk writer that writes
    /// in it. Disposing the writer after the transaction has ended gives the connection its usual settings back.
    /// </summary>
    Task<IBulkWriter> BeginAsync(DbConnection connection, CancellationToken cancellationToken);
}

/// <summary>
/// Large imports into SQLite or PostgreSQL: one transaction for the whole import, the deals written in batches through the
/// provider's bulk-write primitive; nothing is visible until <see cref="IImportSession.CommitAsync"/>.
/// </summary>
/// <remarks>Thread-safe; a session holds one connection (and on SQLite the write lock) until it is committed or disposed.</remarks>
internal sealed class RelationalImportTarget(IStoreDialect dialect, IBulkImport bulk) : IImportTarget
{
    private const string ExternalIdIndex = "ux_opportunities_external_id";

    /// <summary>The deals table's primary key, as the dialects name it in a unique violation.</summary>
    private const string DealKey = "opportunities_pkey";

    /// <inheritdoc />
    public async Task<IImportSession> BeginImportAsync(CancellationToken cancellationToken = default)
    {
        var connection = await dialect.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = await bulk.BeginAsync(connection, cancellationToken).ConfigureAwait(false);
            return new Session(dialect, connection, writer.Transaction, writer);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (e is DbException db && dialect.Database.Unavailable(db) is { } unavailable)
            {
                throw await dialect.Database.ExplainAsync(unavailable, cancellationToken).ConfigureAwait(false);
            }

            throw;
        }
    }

    private sealed class Session(IStoreDialect dialect, DbConnection connection, DbTransaction transaction, IBulkWriter writer) : IImportSession
    {
        private readonly AccountNameCache _accounts = new();
        private readonly ImportExternalIds _externalIds = new();
        private bool _done;

        /// <summary>
        /// The first failure of the session's work in the database (a refused batch or statement, a lost connection, a
        /// cancellation), after which it may only be disposed: a failed statement leaves PostgreSQL's transaction aborted
        /// (its COMMIT rolls back without an error), and a batch SQLite refused part of may have left rows of it behind, so
        /// committing would not be all or nothing. Arguments refused before anything reaches the database do not count.
        /// </summary>
        private Exception? _failed;

        public Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(externalIds);
            ThrowIfUnusable();
            return externalIds.Count == 0
                ? Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal))
                : TranslateAsync(
                    () => _externalIds.LookUpAsync(
                        connection, transaction, writer.Alone, pipeline, externalIds, ids => writer.ExistingExternalIdsAsync(pipeline, ids, cancellationToken), cancellationToken),
                    cancellationToken);
        }

        public Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default)
        {
            ThrowIfUnusable();
            // Checked before anything reaches the database: a name refused here leaves the session usable.
            var account = Account.Create(name, null, by, at);
            return TranslateAsync(() => ImportRows.EnsureAccountAsync(dialect, connection, transaction, _accounts, account, cancellationToken), cancellationToken);
        }

        public Task AddAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(batch);
            ThrowIfUnusable();
            if (batch.Count == 0)
            {
                return Task.CompletedTask;
            }

            ImportSessionRules.CheckNewDeals(batch);
            return WriteAsync(
                async () =>
                {
                    await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    _externalIds.Written(batch);
                },
                cancellationToken);
        }

        public Task<IReadOnlyDictionary<PipelineId, string>> LoadPipelineDefinitionsAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfUnusable();
            return TranslateAsync<IReadOnlyDictionary<PipelineId, string>>(
                async () =>
                {
                    var rows = await connection.QueryAsync<PipelineDefinitionRow>(new CommandDefinition(
                        PipelineDefinitionRow.SelectAll, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    return rows.ToDictionary(r => new PipelineId(r.Id), r => r.Definition);
                },
                cancellationToken);
        }

        public Task SavePipelineDefinitionAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
        {
            ThrowIfUnusable();
            ArgumentException.ThrowIfNullOrWhiteSpace(json);
            return TranslateAsync(
                async () =>
                {
                    // Until the session ends no other transaction writes deals, so a check of the stored deals made now still holds at commit.
                    await connection.ExecuteAsync(new CommandDefinition(dialect.LockDeals, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    return await connection.ExecuteAsync(new CommandDefinition(
                        PipelineDefinitionRow.Upsert, new PipelineDefinitionRow(id.Value, json), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                },
                cancellationToken);
        }

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfUnusable();
            await WriteAsync(() => writer.FlushAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            await TranslateAsync(
                async () =>
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
            _done = true;
        }

        public async ValueTask DisposeAsync()
        {
            _done = true;
            try
            {
                // The transaction first: a writer may reset the connection's settings, which needs it ended; the writer's reset
                // even when ending the transaction failed.
                try
                {
                    await transaction.DisposeAsync().ConfigureAwait(false);
                }
                finally
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        private void ThrowIfUnusable()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (_failed is not null)
            {
                throw ImportSessionRules.FailedEarlier(_failed);
            }
        }

        /// <summary>Runs a write of the bulk writer, naming the unique index a written row broke.</summary>
        private Task<int> WriteAsync(Func<Task> write, CancellationToken cancellationToken) =>
            TranslateAsync(
                async () =>
                {
                    try
                    {
                        await write().ConfigureAwait(false);
                        return 0;
                    }
                    catch (DbException e) when (dialect.IsUniqueViolation(e, ExternalIdIndex))
                    {
                        throw new InvalidOperationException("An imported opportunity has an external id that another opportunity of its pipeline already has.", e);
                    }
                    catch (DbException e) when (dialect.IsUniqueViolation(e, DealKey))
                    {
                        // Stored by another import that committed while this one waited for its row: the writer's look-up did not see it.
                        throw new InvalidOperationException("An imported opportunity has an id that another import stored meanwhile.", e);
                    }
                    catch (DbException e) when (dialect.IsUniqueViolation(e, null))
                    {
                        throw new InvalidOperationException("An imported activity has an id that is already stored.", e);
                    }
                },
                cancellationToken);

        /// <summary>
        /// Runs work of the session in the database: its first failure makes the session unusable, and a failure that means the
        /// database cannot be used is rethrown as such, with what the database can tell of the session holding the deal tables
        /// unless this import holds them itself.
        /// </summary>
        private async Task<T> TranslateAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _failed ??= e;
                if (e is DbException db && dialect.Database.Unavailable(db) is { } unavailable)
                {
                    throw writer.Alone ? unavailable : await dialect.Database.ExplainAsync(unavailable, cancellationToken).ConfigureAwait(false);
                }

                if (e is DbException deadlock && dialect.IsDeadlock(deadlock))
                {
                    // Two imports that both store a pipeline definition: each has written deals, then waits for the other's
                    // writes to end before it checks the stored deals against its definition.
                    throw new InvalidOperationException(
                        "The database stopped this import to break a deadlock with another session writing deals at the same time (such as another import storing a pipeline definition); nothing of it is kept. Run it again.",
                        e);
                }

                throw;
            }
        }
    }
}
