using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>Accounts and their contacts in PostgreSQL.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class PostgresAccountStore(PostgresDatabase database) : IAccountStore
{
    internal const string InsertAccount =
        "INSERT INTO accounts (id, name, name_folded, segment, created_at, created_by, version) " +
        "VALUES (@Id, @Name, @NameFolded, @Segment, @CreatedAt, @CreatedBy, @Version) ON CONFLICT (id) DO NOTHING";

    private const string UpdateAccount =
        "UPDATE accounts SET name = @Name, name_folded = @NameFolded, segment = @Segment, created_at = @CreatedAt, created_by = @CreatedBy, " +
        "version = @Version WHERE id = @Id AND version = @Version - 1";

    private const string InsertContact =
        "INSERT INTO contacts (account_id, seq, name, role, phone, email, preferred_channel) VALUES (@AccountId, @Seq, @Name, @Role, @Phone, @Email, @PreferredChannel)";

    /// <inheritdoc />
    public async Task<Account?> FindAsync(AccountId id, CancellationToken cancellationToken = default) =>
        First(await ReadAsync("a.id = @Id", new { Id = id.Value }, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<Account?> FindByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return First(await ReadAsync("a.name_folded = @Folded", new { Folded = name.Trim().ToUpperInvariant() }, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<int> SaveAsync(Account account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var version = account.Version + 1;
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await WriteAsync(connection, transaction, account, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return version;
                }
            }
            catch (NpgsqlException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Account> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var account in await ReadAsync("TRUE", null, cancellationToken).ConfigureAwait(false))
        {
            yield return account;
        }
    }

    private static Account? First(IReadOnlyList<Account> accounts) => accounts.Count == 0 ? null : accounts[0];

    private Task<IReadOnlyList<Account>> ReadAsync(string where, object? parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Account>>(
            async (connection, transaction) =>
            {
                using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
                    $"SELECT {AccountRow.Columns} FROM accounts a WHERE {where} ORDER BY a.name_folded COLLATE \"C\", a.id; " +
                    $"SELECT {ContactRow.Columns} FROM contacts WHERE account_id IN (SELECT a.id FROM accounts a WHERE {where}) ORDER BY account_id, seq",
                    parameters,
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                var accounts = (await grid.ReadAsync<AccountRow>().ConfigureAwait(false)).ToList();
                var contacts = (await grid.ReadAsync<ContactRow>().ConfigureAwait(false)).ToLookup(c => c.AccountId);
                return [.. accounts.Select(a => PostgresMap.ToAccount(a, contacts[a.Id]))];
            },
            cancellationToken);

    /// <summary>Writes an account and its contacts inside the caller's transaction, checking its version.</summary>
    internal static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Account account, CancellationToken cancellationToken)
    {
        var row = PostgresMap.ToRow(account, account.Version + 1);
        var written = await connection.ExecuteAsync(new CommandDefinition(account.Version == 0 ? InsertAccount : UpdateAccount, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (written == 0)
        {
            var actual = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT version FROM accounts WHERE id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            throw new ConcurrencyConflictException("account", account.Id.ToString(), account.Version, actual);
        }

        // Contacts are few: replace them rather than diff them.
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM contacts WHERE account_id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertContact, account.Contacts.Select((c, i) => PostgresMap.ToRow(account.Id, i, c)), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
