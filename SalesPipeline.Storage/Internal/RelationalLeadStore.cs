using System.Data.Common;
using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Leads;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Leads in SQLite or PostgreSQL: the same tables and SQL on both; the provider supplies its write transaction, the lock that
/// serialises assignments to one owner, and the account and deal writers a conversion shares a transaction with.
/// </summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalLeadStore(IStoreDialect dialect) : ILeadStore
{
    private const string ActiveStatuses = "('assigned', 'working')";

    private readonly RelationalAccountStore _accounts = new(dialect);
    private readonly RelationalOpportunityStore _opportunities = new(dialect);

    private IRelationalDatabase Database => dialect.Database;

    /// <inheritdoc />
    public async Task<Lead?> FindAsync(LeadId id, CancellationToken cancellationToken = default) =>
        await ReadAsync("id = @Id", new { Id = id.Value }, cancellationToken).ConfigureAwait(false) is [var lead] ? lead : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<Lead>> QueryAsync(LeadQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = "1 = 1" + (query.Owner is null ? string.Empty : " AND owner = @Owner") + (query.Status is null ? string.Empty : " AND status = @Status");
        return ReadAsync(where, new { Owner = query.Owner?.Value, Status = query.Status is { } s ? LeadStatusNames.Name(s) : null }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<UserId, int>> ActiveCountsAsync(CancellationToken cancellationToken = default) =>
        Database.WithConnectionAsync<IReadOnlyDictionary<UserId, int>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<(string Owner, long Count)>(new CommandDefinition(
                    $"SELECT owner, COUNT(*) FROM leads WHERE owner IS NOT NULL AND status IN {ActiveStatuses} GROUP BY owner", cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.ToDictionary(r => new UserId(r.Owner), r => (int)r.Count);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<UserId, int>> AddAsync(IReadOnlyList<Lead> leads, IReadOnlyDictionary<UserId, int>? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leads);
        return dialect.WriteAsync<IReadOnlyDictionary<UserId, int>>(
            async (connection, transaction) =>
            {
                // Owners are locked in id order, as every other writer that locks several would, then counted under the locks.
                var over = new Dictionary<UserId, int>();
                foreach (var owner in leads.Where(l => l.IsActive && l.Owner is not null).GroupBy(l => l.Owner!.Value).OrderBy(g => g.Key.Value, StringComparer.Ordinal))
                {
                    if (limits is null || !limits.TryGetValue(owner.Key, out var limit))
                    {
                        continue;
                    }

                    var parameters = new { Owner = owner.Key.Value };
                    await connection.ExecuteAsync(new CommandDefinition(dialect.LockOwner, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    var held = (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                        $"SELECT COUNT(*) FROM leads WHERE owner = @Owner AND status IN {ActiveStatuses}", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    if (held + owner.Count() > limit)
                    {
                        over[owner.Key] = held;
                    }
                }

                if (over.Count > 0)
                {
                    return over;
                }

                foreach (var lead in leads)
                {
                    if (lead.Version != 0)
                    {
                        throw new ConcurrencyConflictException("lead", lead.Id.ToString(), lead.Version, null);
                    }

                    await WriteLeadAsync(connection, transaction, lead, cancellationToken).ConfigureAwait(false);
                }

                return over;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(Lead lead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await WriteLeadAsync(connection, transaction, lead, cancellationToken).ConfigureAwait(false);
                return lead.Version + 1;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int?> AssignAsync(Lead lead, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var owner = lead.Owner ?? throw new ArgumentException("An assigned lead needs an owner.", nameof(lead));
        return dialect.WriteAsync<int?>(
            async (connection, transaction) =>
            {
                // Lock, count, write: a concurrent assignment to the same owner waits for the lock and then counts this lead.
                var parameters = new { Owner = owner.Value, Id = lead.Id.Value };
                await connection.ExecuteAsync(new CommandDefinition(dialect.LockOwner, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                var others = (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    $"SELECT COUNT(*) FROM leads WHERE owner = @Owner AND status IN {ActiveStatuses} AND id <> @Id", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (others >= limit)
                {
                    return others;
                }

                await WriteLeadAsync(connection, transaction, lead, cancellationToken).ConfigureAwait(false);
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task ConvertAsync(LeadConversion conversion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await _accounts.WriteAsync(connection, transaction, conversion.Account, cancellationToken).ConfigureAwait(false);
                await _opportunities.WriteInAsync(connection, transaction, conversion.Opportunity, cancellationToken).ConfigureAwait(false);
                await WriteLeadAsync(connection, transaction, conversion.Lead, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    /// <summary>Inserts (version 0) or updates a lead with a version check, then appends its new history entries.</summary>
    private static async Task WriteLeadAsync(DbConnection connection, DbTransaction transaction, Lead lead, CancellationToken cancellationToken)
    {
        var row = LeadRow.From(lead, lead.Version + 1);
        var written = await connection.ExecuteAsync(new CommandDefinition(lead.Version == 0 ? LeadRow.Insert : LeadRow.Update, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (written == 0)
        {
            var actual = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT version FROM leads WHERE id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            throw new ConcurrencyConflictException("lead", lead.Id.ToString(), lead.Version, (int?)actual);
        }

        var stored = lead.Version == 0 ? 0 : (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM lead_history WHERE lead_id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var added = lead.History.Skip(stored).Select((c, i) => LeadHistoryRow.From(lead.Id, stored + i, c)).ToList();
        if (added.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(LeadHistoryRow.Insert, added, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    // One read transaction: the leads and their history come from the same snapshot — the flow's consistent read when it is
    // in one (a report's lead figures then match its deals), else a read of their own.
    private Task<IReadOnlyList<Lead>> ReadAsync(string where, object parameters, CancellationToken cancellationToken) =>
        Database.ReadAsync<IReadOnlyList<Lead>>(
            async (connection, transaction) =>
            {
                using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
                    $"SELECT {LeadRow.Columns} FROM leads WHERE {where} ORDER BY id; " +
                    $"SELECT {LeadHistoryRow.Columns} FROM lead_history WHERE lead_id IN (SELECT id FROM leads WHERE {where}) ORDER BY lead_id, seq",
                    parameters,
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                var leads = (await grid.ReadAsync<LeadRow>().ConfigureAwait(false)).ToList();
                var history = (await grid.ReadAsync<LeadHistoryRow>().ConfigureAwait(false)).ToLookup(h => h.LeadId, StringComparer.Ordinal);
                return [.. leads.Select(l => l.ToLead(history[l.Id]))];
            },
            cancellationToken);
}
