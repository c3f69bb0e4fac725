using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>Accounts and their contacts in SQLite or PostgreSQL.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalAccountStore(IStoreDialect dialect) : IAccountStore
{
    /// <summary>The most ids <see cref="NamesAsync"/> asks for in one query (SQLite binds each as its own parameter).</summary>
    internal const int NamesChunk = 500;

    internal const string InsertAccount =
        "INSERT INTO accounts (id, name, name_folded, segment, created_at, created_by, version) " +
        "VALUES (@Id, @Name, @NameFolded, @Segment, @CreatedAt, @CreatedBy, @Version) ON CONFLICT (id) DO NOTHING";

    private const string UpdateAccount =
        "UPDATE accounts SET name = @Name, name_folded = @NameFolded, segment = @Segment, created_at = @CreatedAt, created_by = @CreatedBy, " +
        "version = @Version WHERE id = @Id AND version = @Version - 1";

    private const string InsertContact =
        "INSERT INTO contacts (account_id, seq, name, role, phone, email, preferred_channel) VALUES (@AccountId, @Seq, @Name, @Role, @Phone, @Email, @PreferredChannel)";

    /// <inheritdoc />
    public Task<Account?> FindAsync(AccountId id, CancellationToken cancellationToken = default) =>
        FindOneAsync("a.id = @Id", new { Id = dialect.Key(id.Value) }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<AccountId, string>> NamesAsync(IEnumerable<AccountId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var chunks = ids.Select(id => id.Value).Distinct().Chunk(NamesChunk).ToList();
        if (chunks.Count == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<AccountId, string>>(new Dictionary<AccountId, string>());
        }

        var sql = $"SELECT a.id AS Id, a.name AS Name FROM accounts a WHERE {dialect.InList("a.id", "@Ids")}";
        return dialect.Database.ReadAsync<IReadOnlyDictionary<AccountId, string>>(
            async (connection, transaction) =>
            {
                var names = new Dictionary<AccountId, string>();
                foreach (var chunk in chunks)
                {
                    var rows = await connection.QueryAsync<(object Id, string Name)>(
                        new CommandDefinition(sql, Ids(chunk), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    foreach (var (id, name) in rows)
                    {
                        names.Add(new AccountId(dialect.ToGuid(id)), name);
                    }
                }

                return names;
            },
            cancellationToken);
    }

    /// <summary>The list parameter <c>@Ids</c>, bound by the type its value has (the dialect's key array), not the one it is declared as.</summary>
    private DynamicParameters Ids(Guid[] ids)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Ids", dialect.Keys(ids));
        return parameters;
    }

    /// <inheritdoc />
    public Task<Account?> FindByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FindOneAsync("a.name_folded = @Folded", new { Folded = name.Trim().ToUpperInvariant() }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(Account account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        return dialect.Database.WithConnectionAsync(
            async connection =>
            {
                var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await WriteAsync(connection, transaction, account, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return account.Version + 1;
                }
            },
            cancellationToken);
    }

    /// <summary>Writes an account and its contacts inside the caller's transaction, checking its version.</summary>
    internal async Task WriteAsync(DbConnection connection, DbTransaction transaction, Account account, CancellationToken cancellationToken)
    {
        var row = dialect.ToRow(account, account.Version + 1);
        var written = await connection.ExecuteAsync(new CommandDefinition(account.Version == 0 ? InsertAccount : UpdateAccount, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (written == 0)
        {
            var actual = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT version FROM accounts WHERE id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            throw new ConcurrencyConflictException("account", account.Id.ToString(), account.Version, (int?)actual);
        }

        // Contacts are few: replace them rather than diff them.
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM contacts WHERE account_id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertContact, account.Contacts.Select((c, i) => dialect.ToRow(account.Id, i, c)), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Account> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var account in await ReadAsync("1 = 1", null, cancellationToken).ConfigureAwait(false))
        {
            yield return account;
        }
    }

    private async Task<Account?> FindOneAsync(string where, object parameters, CancellationToken cancellationToken) =>
        await ReadAsync(where, parameters, cancellationToken).ConfigureAwait(false) is [var first, ..] ? first : null;

    private Task<IReadOnlyList<Account>> ReadAsync(string where, object? parameters, CancellationToken cancellationToken) =>
        dialect.Database.ReadAsync<IReadOnlyList<Account>>(
            async (connection, transaction) =>
            {
                using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
                    $"SELECT {AccountRow.Columns} FROM accounts a WHERE {where} ORDER BY {dialect.Ordinal("a.name_folded")}, a.id; " +
                    $"SELECT {ContactRow.Columns} FROM contacts WHERE account_id IN (SELECT a.id FROM accounts a WHERE {where}) ORDER BY account_id, seq",
                    parameters,
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                var accounts = (await grid.ReadAsync<AccountRow>().ConfigureAwait(false)).ToList();
                var contacts = (await grid.ReadAsync<ContactRow>().ConfigureAwait(false)).ToLookup(c => c.AccountId);
                return [.. accounts.Select(a => dialect.ToAccount(a, contacts[a.Id]))];
            },
            cancellationToken);
}
