using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>Opportunities in PostgreSQL: one row per deal, its history, activities and offers in child tables.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class PostgresOpportunityStore(PostgresDatabase database) : IOpportunityStore
{
    internal const int PageSize = 500;

    private const string InsertOpportunity =
        "INSERT INTO opportunities (id, pipeline_id, name, currency, amount, expected_close, account_id, owner, stage, probability_override, " +
        "next_contact, has_qualification, q_needs, q_pains, q_budget_currency, q_budget_amount, q_offer_must_contain, outcome_kind, outcome_reason, " +
        "outcome_comment, closed_at, created_at, created_by, last_changed_at, last_changed_by, external_id, version, last_touched_at) VALUES (@Id, @PipelineId, @Name, " +
        "@Currency, @Amount, @ExpectedClose, @AccountId, @Owner, @Stage, @ProbabilityOverride, @NextContact, @HasQualification, @QNeeds, @QPains, " +
        "@QBudgetCurrency, @QBudgetAmount, @QOfferMustContain, @OutcomeKind, @OutcomeReason, @OutcomeComment, @ClosedAt, @CreatedAt, @CreatedBy, " +
        "@LastChangedAt, @LastChangedBy, @ExternalId, @Version, @LastTouchedAt) ON CONFLICT (id) DO NOTHING";

    private const string UpdateOpportunity =
        "UPDATE opportunities SET pipeline_id = @PipelineId, name = @Name, currency = @Currency, amount = @Amount, expected_close = @ExpectedClose, " +
        "account_id = @AccountId, owner = @Owner, stage = @Stage, probability_override = @ProbabilityOverride, next_contact = @NextContact, " +
        "has_qualification = @HasQualification, q_needs = @QNeeds, q_pains = @QPains, q_budget_currency = @QBudgetCurrency, q_budget_amount = @QBudgetAmount, " +
        "q_offer_must_contain = @QOfferMustContain, outcome_kind = @OutcomeKind, outcome_reason = @OutcomeReason, outcome_comment = @OutcomeComment, " +
        "closed_at = @ClosedAt, created_at = @CreatedAt, created_by = @CreatedBy, last_changed_at = @LastChangedAt, last_changed_by = @LastChangedBy, " +
        "external_id = @ExternalId, version = @Version, last_touched_at = @LastTouchedAt WHERE id = @Id AND version = @Version - 1";

    private const string InsertStageChange =
        "INSERT INTO stage_changes (opportunity_id, seq, from_stage, to_stage, at, by_user, kind, comment) " +
        "VALUES (@OpportunityId, @Seq, @FromStage, @ToStage, @At, @ByUser, @Kind, @Comment)";

    private const string UpsertActivity =
        "INSERT INTO activities (id, opportunity_id, seq, kind, subject, author, recorded_at, happened_at, due, done) " +
        "VALUES (@Id, @OpportunityId, @Seq, @Kind, @Subject, @Author, @RecordedAt, @HappenedAt, @Due, @Done) " +
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, subject = excluded.subject, author = excluded.author, " +
        "recorded_at = excluded.recorded_at, happened_at = excluded.happened_at, due = excluded.due, done = excluded.done";

    private const string UpsertOffer =
        "INSERT INTO offers (opportunity_id, seq, title, document_id, attached_by, attached_at) " +
        "VALUES (@OpportunityId, @Seq, @Title, @DocumentId, @AttachedBy, @AttachedAt) " +
        "ON CONFLICT (opportunity_id, seq) DO UPDATE SET title = excluded.title, document_id = excluded.document_id, " +
        "attached_by = excluded.attached_by, attached_at = excluded.attached_at";

    /// <summary>Test seam: runs after the opportunity row is written and before its history, inside the transaction.</summary>
    internal Func<NpgsqlConnection, CancellationToken, Task>? AfterOpportunityRowWritten { get; set; }

    /// <inheritdoc />
    public async Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default)
    {
        var page = await ReadPageAsync("o.id = @Id", new { Id = id.Value }, cancellationToken).ConfigureAwait(false);
        return page.Count == 0 ? null : page[0];
    }

    /// <inheritdoc />
    public async Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.Version);
        var version = state.Version + 1;

        // Converting first: a value that cannot be stored is refused before the database is touched.
        var row = PostgresMap.ToRow(state, version);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var hook = AfterOpportunityRowWritten;
                    await WriteAsync(connection, transaction, state, row, hook is null ? null : ct => hook(connection, ct), cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return version;
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_opportunities_external_id")
            {
                throw new InvalidOperationException($"Another opportunity in pipeline '{state.PipelineId}' already has external id '{state.ExternalId}'; opportunity {state.Id} was not saved.", e);
            }
            catch (NpgsqlException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = "TRUE" + OpportunityFilter.Conditions(query);
        Guid? after = null;
        while (true)
        {
            var parameters = new
            {
                After = after ?? Guid.Empty,
                Pipeline = query.Pipeline?.Value,
                Owner = query.Owner?.Value,
                Before = query.NextContactBefore is { } before ? PgTime.Bound(Micros.Ceiling(before)) : (DateTime?)null,
            };
            var page = await ReadPageAsync(
                $"{filter}{(after is null ? string.Empty : " AND o.id > @After")} ORDER BY o.id LIMIT {PageSize}", parameters, cancellationToken).ConfigureAwait(false);
            foreach (var state in page)
            {
                yield return state;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Id.Value;
        }
    }

    /// <summary>Writes a deal and its children inside the caller's transaction, checking its version.</summary>
    internal static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OpportunityState state, OpportunityRow row, Func<CancellationToken, Task>? afterRow, CancellationToken cancellationToken)
    {
        // The conditional UPDATE waits for a concurrent writer of the same row, then re-checks the version:
        // exactly one of two racing writers succeeds.
        var written = await connection.ExecuteAsync(Command(state.Version == 0 ? InsertOpportunity : UpdateOpportunity, row, transaction, cancellationToken)).ConfigureAwait(false);
        if (written == 0)
        {
            var actual = await connection.ExecuteScalarAsync<int?>(Command("SELECT version FROM opportunities WHERE id = @Id", new { row.Id }, transaction, cancellationToken)).ConfigureAwait(false);
            throw new ConcurrencyConflictException("opportunity", state.Id.ToString(), state.Version, actual);
        }

        if (afterRow is not null)
        {
            await afterRow(cancellationToken).ConfigureAwait(false);
        }

        await WriteChildrenAsync(connection, transaction, state, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteChildrenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OpportunityState state, CancellationToken cancellationToken)
    {
        var id = new { Id = state.Id.Value };
        var storedHistory = 0;
        var storedActivities = new Dictionary<ActivityId, (int, Activity)>();
        var storedOffers = new List<OfferDocument>();
        if (state.Version > 0)
        {
            using var grid = await connection.QueryMultipleAsync(Command(
                "SELECT COUNT(*)::int FROM stage_changes WHERE opportunity_id = @Id; " +
                $"SELECT {ActivityRow.Columns} FROM activities WHERE opportunity_id = @Id; " +
                $"SELECT {OfferRow.Columns} FROM offers WHERE opportunity_id = @Id ORDER BY seq",
                id,
                transaction,
                cancellationToken)).ConfigureAwait(false);
            storedHistory = await grid.ReadSingleAsync<int>().ConfigureAwait(false);
            foreach (var a in await grid.ReadAsync<ActivityRow>().ConfigureAwait(false))
            {
                storedActivities[new ActivityId(a.Id)] = (a.Seq, PostgresMap.ToActivity(a));
            }

            storedOffers.AddRange((await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).Select(PostgresMap.ToOffer));
        }

        var history = ChildChanges.NewHistory(state, storedHistory);
        if (history.Count > 0)
        {
            await connection.ExecuteAsync(Command(InsertStageChange, history.Select(h => PostgresMap.ToRow(state.Id, h.Seq, h.Change)), transaction, cancellationToken)).ConfigureAwait(false);
        }

        var (activityUpserts, activityDeletes) = ChildChanges.Activities(state, storedActivities);
        if (activityDeletes.Count > 0)
        {
            await connection.ExecuteAsync(Command("DELETE FROM activities WHERE id = ANY(@Ids)", new { Ids = activityDeletes.Select(a => a.Value).ToArray() }, transaction, cancellationToken)).ConfigureAwait(false);
        }

        if (activityUpserts.Count > 0)
        {
            await connection.ExecuteAsync(Command(UpsertActivity, activityUpserts.Select(a => PostgresMap.ToRow(state.Id, a.Seq, a.Activity)), transaction, cancellationToken)).ConfigureAwait(false);
        }

        var (offerUpserts, offerCount) = ChildChanges.Offers(state, storedOffers);
        if (offerCount < storedOffers.Count)
        {
            await connection.ExecuteAsync(Command("DELETE FROM offers WHERE opportunity_id = @Id AND seq >= @Count", new { id.Id, Count = offerCount }, transaction, cancellationToken)).ConfigureAwait(false);
        }

        if (offerUpserts.Count > 0)
        {
            await connection.ExecuteAsync(Command(UpsertOffer, offerUpserts.Select(o => PostgresMap.ToRow(state.Id, o.Seq, o.Offer)), transaction, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the deals matching a condition on <c>o</c> (opportunities) with their children in one round trip, inside a
    /// REPEATABLE READ transaction so every statement sees the same snapshot: a deal is never seen half-saved.
    /// </summary>
    private Task<IReadOnlyList<OpportunityState>> ReadPageAsync(string where, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<OpportunityState>>(
            async (connection, transaction) =>
            {
                var ids = $"SELECT o.id FROM opportunities o WHERE {where}";
                using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
                    $"SELECT {OpportunityRow.Columns} FROM opportunities o WHERE {where}; " +
                    $"SELECT {StageChangeRow.Columns} FROM stage_changes WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq; " +
                    $"SELECT {ActivityRow.Columns} FROM activities WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq; " +
                    $"SELECT {OfferRow.Columns} FROM offers WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
                    parameters,
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                var rows = (await grid.ReadAsync<OpportunityRow>().ConfigureAwait(false)).ToList();
                var history = (await grid.ReadAsync<StageChangeRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId);
                var activities = (await grid.ReadAsync<ActivityRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId);
                var offers = (await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId);
                return [.. rows.Select(r => PostgresMap.ToState(r, history[r.Id], activities[r.Id], offers[r.Id]))];
            },
            cancellationToken);

    private static CommandDefinition Command(string sql, object? parameters, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}
