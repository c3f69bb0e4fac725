using Dapper;
using Npgsql;
using NpgsqlTypes;
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

        public async Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            var account = Account.Create(name, null, by, at);
            var folded = account.Name.ToUpperInvariant();
            if (_accounts.TryGet(folded, out var known))
            {
                return known;
            }

            var existing = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "SELECT id FROM accounts WHERE name_folded = @Folded ORDER BY id LIMIT 1", new { Folded = folded }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (existing is { } id)
            {
                return _accounts.Add(folded, new AccountId(id));
            }

            await connection.ExecuteAsync(new CommandDefinition(PostgresAccountStore.InsertAccount, PostgresMap.ToRow(account, 1), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return _accounts.Add(folded, account.Id);
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
                await CopyOpportunitiesAsync(batch, cancellationToken).ConfigureAwait(false);
                await CopyHistoryAsync(batch, cancellationToken).ConfigureAwait(false);
                await CopyActivitiesAsync(batch, cancellationToken).ConfigureAwait(false);
                await CopyOffersAsync(batch, cancellationToken).ConfigureAwait(false);
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
                // Until the session ends no other transaction writes deals (it waits for those already writing), so a check of
                // the stored deals made now still holds at commit. The mode conflicts with itself: definition writes queue too.
                await connection.ExecuteAsync(new CommandDefinition(
                    "LOCK TABLE opportunities IN SHARE ROW EXCLUSIVE MODE", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
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

        private async Task CopyOpportunitiesAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            var writer = await connection.BeginBinaryImportAsync(
                "COPY opportunities (id, pipeline_id, name, currency, amount, expected_close, account_id, owner, stage, probability_override, next_contact, " +
                "has_qualification, q_needs, q_pains, q_budget_currency, q_budget_amount, q_offer_must_contain, outcome_kind, outcome_reason, outcome_comment, " +
                "closed_at, created_at, created_by, last_changed_at, last_changed_by, external_id, version, last_touched_at) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var state in batch)
                {
                    var r = PostgresMap.ToRow(state, 1);
                    await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.PipelineId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Name, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Currency, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Amount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.ExpectedClose, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.AccountId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Stage, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.ProbabilityOverride, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.NextContact, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.HasQualification, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.QNeeds, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.QPains, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.QBudgetCurrency, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.QBudgetAmount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.QOfferMustContain, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.OutcomeKind, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.OutcomeReason, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.OutcomeComment, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.ClosedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.CreatedBy, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.LastChangedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.LastChangedBy, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(writer, r.ExternalId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.Version, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(r.LastTouchedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task CopyHistoryAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            var writer = await connection.BeginBinaryImportAsync(
                "COPY stage_changes (opportunity_id, seq, from_stage, to_stage, at, by_user, kind, comment) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var state in batch)
                {
                    for (var i = 0; i < state.History.Count; i++)
                    {
                        var r = PostgresMap.ToRow(state.Id, i, state.History[i]);
                        await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.OpportunityId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Seq, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                        await WriteAsync(writer, r.FromStage, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.ToStage, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.At, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.ByUser, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Kind, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await WriteAsync(writer, r.Comment, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    }
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task CopyActivitiesAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            if (!batch.Any(s => s.Activities.Count > 0))
            {
                return;
            }

            var writer = await connection.BeginBinaryImportAsync(
                "COPY activities (id, opportunity_id, seq, kind, subject, author, recorded_at, happened_at, due, done) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var state in batch)
                {
                    for (var i = 0; i < state.Activities.Count; i++)
                    {
                        var r = PostgresMap.ToRow(state.Id, i, state.Activities[i]);
                        await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.OpportunityId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Seq, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Kind, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Subject, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Author, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.RecordedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                        await WriteAsync(writer, r.HappenedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                        await WriteAsync(writer, r.Due, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Done, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                    }
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task CopyOffersAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken)
        {
            if (!batch.Any(s => s.Offers.Count > 0))
            {
                return;
            }

            var writer = await connection.BeginBinaryImportAsync(
                "COPY offers (opportunity_id, seq, title, document_id, attached_by, attached_at) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var state in batch)
                {
                    for (var i = 0; i < state.Offers.Count; i++)
                    {
                        var r = PostgresMap.ToRow(state.Id, i, state.Offers[i]);
                        await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.OpportunityId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Seq, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.Title, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.DocumentId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.AttachedBy, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(r.AttachedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    }
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private static Task WriteAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
            where T : class =>
            value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, type, cancellationToken);

        private static Task WriteAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
            where T : struct =>
            value is { } v ? writer.WriteAsync(v, type, cancellationToken) : writer.WriteNullAsync(cancellationToken);
    }
}
