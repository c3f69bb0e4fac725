using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>Opportunities in SQLite or PostgreSQL: one row per deal, its history, activities and offers in child tables.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalOpportunityStore(IStoreDialect dialect) : IOpportunityStore
{
    internal const int PageSize = 500;

    private const string ExternalIdIndex = "ux_opportunities_external_id";

    private readonly OpportunitySql _sql = new(dialect);

    /// <summary>Test seam: runs after the opportunity row is written and before its history, inside the transaction.</summary>
    internal Func<DbConnection, CancellationToken, Task>? AfterOpportunityRowWritten { get; set; }

    /// <summary>Gets the SQL this store runs.</summary>
    internal OpportunitySql Sql => _sql;

    private IRelationalDatabase Database => dialect.Database;

    /// <inheritdoc />
    public async Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default)
    {
        var page = await ReadAsync("o.id = @Id", new { Id = dialect.Key(id.Value) }, cancellationToken).ConfigureAwait(false);
        return page.Count == 0 ? null : page[0];
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.Version);
        var version = state.Version + 1;

        // Converting first: a value that cannot be stored is refused before the database is touched.
        var row = dialect.ToRow(state, version);
        var hook = AfterOpportunityRowWritten;
        return Database.WithConnectionAsync(
            async connection =>
            {
                try
                {
                    var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        await WriteAsync(connection, transaction, state, row, hook is null ? null : ct => hook(connection, ct), cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return version;
                    }
                }
                catch (DbException e) when (state.ExternalId is not null && dialect.IsUniqueViolation(e, ExternalIdIndex))
                {
                    throw new InvalidOperationException($"Another opportunity in pipeline '{state.PipelineId}' already has external id '{state.ExternalId}'; opportunity {state.Id} was not saved.", e);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        object? after = null;
        while (true)
        {
            // Pages in id order, each from one snapshot (all from one in a consistent read): a deal is never seen half-saved.
            var states = await ReadAsync(PageClause(query, after is not null), OpportunityFilter.Parameters(dialect, query, after), cancellationToken).ConfigureAwait(false);
            foreach (var state in states)
            {
                yield return state;
            }

            if (states.Count < PageSize)
            {
                yield break;
            }

            after = dialect.Key(states[^1].Id.Value);
        }
    }

    /// <summary>
    /// The condition, order and limit of one page of <see cref="QueryAsync"/>: the next <see cref="PageSize"/> matching
    /// deals after @After (the first page has none), in id order. The pipeline and owner filters have indexes ending in id
    /// (migration 0003), so the database seeks to @After and reads the page in order instead of sorting every matching deal
    /// on each page; the status, next-contact and stage filters are checked on the rows read.
    /// </summary>
    internal static string PageClause(OpportunityQuery query, bool after) =>
        (after ? "o.id > @After" : "1 = 1") + OpportunityFilter.Conditions(query) + " ORDER BY o.id LIMIT " + PageSize;

    /// <summary>
    /// Writes a deal and its children inside the caller's transaction: inserts it at version 0, else updates it checking its version.
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">The deal was changed (or created) by someone else.</exception>
    internal Task WriteInAsync(DbConnection connection, DbTransaction transaction, OpportunityState state, CancellationToken cancellationToken) =>
        WriteAsync(connection, transaction, state, dialect.ToRow(state, state.Version + 1), null, cancellationToken);

    private async Task WriteAsync(DbConnection connection, DbTransaction transaction, OpportunityState state, OpportunityRow row, Func<CancellationToken, Task>? afterRow, CancellationToken cancellationToken)
    {
        // The conditional write waits for a concurrent writer of the same row, then re-checks the version:
        // exactly one of two racing writers succeeds.
        var written = await connection.ExecuteAsync(Command(state.Version == 0 ? _sql.Insert : _sql.Update, row, transaction, cancellationToken)).ConfigureAwait(false);
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

    private async Task WriteChildrenAsync(DbConnection connection, DbTransaction transaction, OpportunityState state, CancellationToken cancellationToken)
    {
        var id = new { Id = dialect.Key(state.Id.Value) };
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
                storedActivities[new ActivityId(dialect.ToGuid(a.Id))] = (a.Seq, dialect.ToActivity(a));
            }

            storedOffers.AddRange((await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).Select(dialect.ToOffer));
        }

        var history = ChildChanges.NewHistory(state, storedHistory);
        if (history.Count > 0)
        {
            await connection.ExecuteAsync(Command(OpportunitySql.InsertStageChange, history.Select(h => dialect.ToRow(state.Id, h.Seq, h.Change)), transaction, cancellationToken)).ConfigureAwait(false);
        }

        var (activityUpserts, activityDeletes) = ChildChanges.Activities(state, storedActivities);
        if (activityDeletes.Count > 0)
        {
            await connection.ExecuteAsync(Command("DELETE FROM activities WHERE id = @Id", activityDeletes.Select(a => new { Id = dialect.Key(a.Value) }), transaction, cancellationToken)).ConfigureAwait(false);
        }

        if (activityUpserts.Count > 0)
        {
            await connection.ExecuteAsync(Command(OpportunitySql.UpsertActivity, activityUpserts.Select(a => dialect.ToRow(state.Id, a.Seq, a.Activity)), transaction, cancellationToken)).ConfigureAwait(false);
        }

        var (offerUpserts, offerCount) = ChildChanges.Offers(state, storedOffers);
        if (offerCount < storedOffers.Count)
        {
            await connection.ExecuteAsync(Command("DELETE FROM offers WHERE opportunity_id = @Id AND seq >= @Count", new { id.Id, Count = offerCount }, transaction, cancellationToken)).ConfigureAwait(false);
        }

        if (offerUpserts.Count > 0)
        {
            await connection.ExecuteAsync(Command(OpportunitySql.UpsertOffer, offerUpserts.Select(o => dialect.ToRow(state.Id, o.Seq, o.Offer)), transaction, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the deals matching a condition on <c>o</c> (opportunities) with their children in one round trip, from one snapshot.</summary>
    private Task<IReadOnlyList<OpportunityState>> ReadAsync(string where, object parameters, CancellationToken cancellationToken) =>
        Database.ReadAsync<IReadOnlyList<OpportunityState>>(
            async (connection, transaction) =>
            {
                using var grid = await connection.QueryMultipleAsync(Command(string.Join("; ", _sql.ReadStatements(where)), parameters, transaction, cancellationToken)).ConfigureAwait(false);
                var rows = (await grid.ReadAsync<OpportunityRow>().ConfigureAwait(false)).ToList();
                var history = (await grid.ReadAsync<StageChangeRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId);
                var activities = (await grid.ReadAsync<ActivityRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId);
                var offers = (await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).ToLookup(r => r.OpportunityId);
                return [.. rows.Select(r => dialect.ToState(r, history[r.Id], activities[r.Id], offers[r.Id]))];
            },
            cancellationToken);

    private static CommandDefinition Command(string sql, object? parameters, DbTransaction transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}
