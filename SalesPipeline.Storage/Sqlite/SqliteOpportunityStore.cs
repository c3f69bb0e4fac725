using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>Opportunities in SQLite: one row per deal, its history, activities and offers in child tables.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class SqliteOpportunityStore(SqliteDatabase database) : IOpportunityStore
{
    internal const int PageSize = 500;

    private const string InsertOpportunity =
        "INSERT INTO opportunities (id, pipeline_id, name, currency, amount_minor, expected_close, account_id, owner, stage, probability_override, " +
        "next_contact, has_qualification, q_needs, q_pains, q_budget_currency, q_budget_minor, q_offer_must_contain, outcome_kind, outcome_reason, " +
        "outcome_comment, closed_at, created_at, created_by, last_changed_at, last_changed_by, external_id, version, last_touched_at) VALUES (@Id, @PipelineId, @Name, " +
        "@Currency, @AmountMinor, @ExpectedClose, @AccountId, @Owner, @Stage, @ProbabilityOverride, @NextContact, @HasQualification, @QNeeds, @QPains, " +
        "@QBudgetCurrency, @QBudgetMinor, @QOfferMustContain, @OutcomeKind, @OutcomeReason, @OutcomeComment, @ClosedAt, @CreatedAt, @CreatedBy, " +
        "@LastChangedAt, @LastChangedBy, @ExternalId, @Version, @LastTouchedAt) ON CONFLICT (id) DO NOTHING";

    private const string UpdateOpportunity =
        "UPDATE opportunities SET pipeline_id = @PipelineId, name = @Name, currency = @Currency, amount_minor = @AmountMinor, expected_close = @ExpectedClose, " +
        "account_id = @AccountId, owner = @Owner, stage = @Stage, probability_override = @ProbabilityOverride, next_contact = @NextContact, " +
        "has_qualification = @HasQualification, q_needs = @QNeeds, q_pains = @QPains, q_budget_currency = @QBudgetCurrency, q_budget_minor = @QBudgetMinor, " +
        "q_offer_must_contain = @QOfferMustContain, outcome_kind = @OutcomeKind, outcome_reason = @OutcomeReason, outcome_comment = @OutcomeComment, " +
        "closed_at = @ClosedAt, created_at = @CreatedAt, created_by = @CreatedBy, last_changed_at = @LastChangedAt, last_changed_by = @LastChangedBy, " +
        "external_id = @ExternalId, version = @Version, last_touched_at = @LastTouchedAt WHERE id = @Id AND version = @Version - 1";

    internal const string InsertStageChange =
        "INSERT INTO stage_changes (opportunity_id, seq, from_stage, to_stage, at, by_user, kind, comment) " +
        "VALUES (@OpportunityId, @Seq, @FromStage, @ToStage, @At, @ByUser, @Kind, @Comment)";

    internal const string UpsertActivity =
        "INSERT INTO activities (id, opportunity_id, seq, kind, subject, author, recorded_at, happened_at, due, done) " +
        "VALUES (@Id, @OpportunityId, @Seq, @Kind, @Subject, @Author, @RecordedAt, @HappenedAt, @Due, @Done) " +
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, subject = excluded.subject, author = excluded.author, " +
        "recorded_at = excluded.recorded_at, happened_at = excluded.happened_at, due = excluded.due, done = excluded.done";

    internal const string UpsertOffer =
        "INSERT INTO offers (opportunity_id, seq, title, document_id, attached_by, attached_at) " +
        "VALUES (@OpportunityId, @Seq, @Title, @DocumentId, @AttachedBy, @AttachedAt) " +
        "ON CONFLICT (opportunity_id, seq) DO UPDATE SET title = excluded.title, document_id = excluded.document_id, " +
        "attached_by = excluded.attached_by, attached_at = excluded.attached_at";

    /// <summary>Test seam: runs after the opportunity row is written and before its history, inside the transaction.</summary>
    internal Func<CancellationToken, Task>? AfterOpportunityRowWritten { get; set; }

    /// <inheritdoc />
    public async Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default)
    {
        // One read transaction: the row and its children come from the same snapshot.
        var page = await database.ReadAsync(
            (connection, transaction) => ReadAsync(connection, transaction, "o.id = @Id", new { Id = SqliteMap.Id(id.Value) }, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return page.Count == 0 ? null : page[0];
    }

    /// <inheritdoc />
    public async Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.Version);
        var version = state.Version + 1;

        // Converting first: a value that cannot be stored exactly is refused before the database is touched.
        var row = SqliteMap.ToRow(state, version);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                // BEGIN IMMEDIATE: take the write lock now, so the version check and the writes cannot interleave with another writer.
                using var transaction = connection.BeginTransaction(deferred: false);
                await WriteAsync(connection, transaction, state, row, AfterOpportunityRowWritten, cancellationToken).ConfigureAwait(false);
                transaction.Commit();
                return version;
            }
            catch (SqliteException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == 2067 && state.ExternalId is not null)
            {
                throw new InvalidOperationException($"Another opportunity in pipeline '{state.PipelineId}' already has external id '{state.ExternalId}'; opportunity {state.Id} was not saved.", e);
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var condition = PageClause(query);
        var after = string.Empty;
        while (true)
        {
            // Pages in id order, each from one snapshot (all from one in a consistent read): a deal is never seen half-saved.
            var parameters = PageParameters(query, after);
            var states = await database.ReadAsync(
                (connection, transaction) => ReadAsync(connection, transaction, condition, parameters, cancellationToken),
                cancellationToken).ConfigureAwait(false);

            foreach (var state in states)
            {
                yield return state;
            }

            if (states.Count < PageSize)
            {
                yield break;
            }

            after = SqliteMap.Id(states[^1].Id.Value);
        }
    }

    /// <summary>
    /// The condition, order and limit of one page of <see cref="QueryAsync"/>: the next <see cref="PageSize"/> matching
    /// deals after @After, in id order. The pipeline and owner filters have indexes ending in id (migration 0003), so SQLite
    /// seeks to @After and reads the page in order instead of sorting every matching deal on each page; the status and
    /// next-contact filters are checked on the rows read.
    /// </summary>
    internal static string PageClause(OpportunityQuery query)
    {
        return "o.id > @After" + OpportunityFilter.Conditions(query) + " ORDER BY o.id LIMIT " + PageSize;
    }

    /// <summary>The values <see cref="PageClause"/> refers to, for the page after the deal with id <paramref name="after"/> ("" for the first).</summary>
    internal static object PageParameters(OpportunityQuery query, string after) => new
    {
        After = after,
        Pipeline = query.Pipeline?.Value,
        Owner = query.Owner?.Value,
        Before = query.NextContactBefore is { } before ? Micros.Ceiling(before) : (long?)null,
    };

    /// <summary>
    /// The statements that read the deals matching a condition on <c>o</c> (opportunities) and their children; they run
    /// as one batch, in this order.
    /// </summary>
    internal static IReadOnlyList<string> ReadStatements(string where)
    {
        var ids = $"SELECT o.id FROM opportunities o WHERE {where}";
        return
        [
            $"SELECT {OpportunityRow.Columns} FROM opportunities o WHERE {where}",
            $"SELECT {StageChangeRow.Columns} FROM stage_changes WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
            $"SELECT {ActivityRow.Columns} FROM activities WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
            $"SELECT {OfferRow.Columns} FROM offers WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
        ];
    }

    /// <summary>Writes a deal and its children inside the caller's transaction, checking its version.</summary>
    internal static async Task WriteAsync(SqliteConnection connection, SqliteTransaction transaction, OpportunityState state, OpportunityRow row, Func<CancellationToken, Task>? afterRow, CancellationToken cancellationToken)
    {
        var written = await connection.ExecuteAsync(Command(state.Version == 0 ? InsertOpportunity : UpdateOpportunity, row, transaction, cancellationToken)).ConfigureAwait(false);
        if (written == 0)
        {
            var actual = await connection.ExecuteScalarAsync<long?>(Command("SELECT version FROM opportunities WHERE id = @Id", new { row.Id }, transaction, cancellationToken)).ConfigureAwait(false);
            throw new ConcurrencyConflictException("opportunity", state.Id.ToString(), state.Version, (int?)actual);
        }

        if (afterRow is not null)
        {
            await afterRow(cancellationToken).ConfigureAwait(false);
        }

        await WriteChildrenAsync(connection, transaction, state, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteChildrenAsync(SqliteConnection connection, SqliteTransaction transaction, OpportunityState state, CancellationToken cancellationToken)
    {
        var id = new { Id = SqliteMap.Id(state.Id.Value) };
        var storedHistory = 0;
        var storedActivities = new Dictionary<ActivityId, (int, Activity)>();
        var storedOffers = new List<OfferDocument>();
        if (state.Version > 0)
        {
            using var grid = await connection.QueryMultipleAsync(Command(
                "SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = @Id; " +
                $"SELECT {ActivityRow.Columns} FROM activities WHERE opportunity_id = @Id; " +
                $"SELECT {OfferRow.Columns} FROM offers WHERE opportunity_id = @Id ORDER BY seq",
                id,
                transaction,
                cancellationToken)).ConfigureAwait(false);
            storedHistory = (int)await grid.ReadSingleAsync<long>().ConfigureAwait(false);
            foreach (var a in await grid.ReadAsync<ActivityRow>().ConfigureAwait(false))
            {
                storedActivities[new ActivityId(Guid.Parse(a.Id))] = ((int)a.Seq, SqliteMap.ToActivity(a));
            }

            storedOffers.AddRange((await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).Select(SqliteMap.ToOffer));
        }

        var history = ChildChanges.NewHistory(state, storedHistory);
        if (history.Count > 0)
        {
            await connection.ExecuteAsync(Command(InsertStageChange, history.Select(h => SqliteMap.ToRow(state.Id, h.Seq, h.Change)), transaction, cancellationToken)).ConfigureAwait(false);
        }

        var (activityUpserts, activityDeletes) = ChildChanges.Activities(state, storedActivities);
        if (activityDeletes.Count > 0)
        {
            await connection.ExecuteAsync(Command("DELETE FROM activities WHERE id = @Id", activityDeletes.Select(a => new { Id = SqliteMap.Id(a.Value) }), transaction, cancellationToken)).ConfigureAwait(false);
        }

        if (activityUpserts.Count > 0)
        {
            await connection.ExecuteAsync(Command(UpsertActivity, activityUpserts.Select(a => SqliteMap.ToRow(state.Id, a.Seq, a.Activity)), transaction, cancellationToken)).ConfigureAwait(false);
        }

        var (offerUpserts, offerCount) = ChildChanges.Offers(state, storedOffers);
        if (offerCount < storedOffers.Count)
        {
            await connection.ExecuteAsync(Command("DELETE FROM offers WHERE opportunity_id = @Id AND seq >= @Count", new { id.Id, Count = offerCount }, transaction, cancellationToken)).ConfigureAwait(false);
        }

        if (offerUpserts.Count > 0)
        {
            await connection.ExecuteAsync(Command(UpsertOffer, offerUpserts.Select(o => SqliteMap.ToRow(state.Id, o.Seq, o.Offer)), transaction, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the deals matching a condition on <c>o</c> (opportunities) with their children, in one round trip.</summary>
    private static async Task<IReadOnlyList<OpportunityState>> ReadAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string where, object parameters, CancellationToken cancellationToken)
    {
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            string.Join("; ", ReadStatements(where)),
            parameters,
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = (await grid.ReadAsync<OpportunityRow>().ConfigureAwait(false)).ToList();
        var history = (await grid.ReadAsync<StageChangeRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId, StringComparer.Ordinal);
        var activities = (await grid.ReadAsync<ActivityRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId, StringComparer.Ordinal);
        var offers = (await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId, StringComparer.Ordinal);
        return [.. rows.Select(r => SqliteMap.ToState(r, history[r.Id], activities[r.Id], offers[r.Id]))];
    }

    private static CommandDefinition Command(string sql, object? parameters, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}
