using System.Data;
using System.Data.Common;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>
/// PostgreSQL's side of the people and lead stores: a transaction-scoped advisory lock per owner, so two assignments to one
/// person run one after the other and the second counts the first's lead (READ COMMITTED reads what committed before it).
/// </summary>
internal sealed class PostgresLeadStoreDialect(PostgresDatabase database) : ILeadStoreDialect
{
    /// <summary>The first key of the advisory locks on owners; the second is the owner's hashed id.</summary>
    private const int OwnerLockSpace = 0x5A1E_0005;

    public IRelationalDatabase Database => database;

    public string LockOwner => $"SELECT pg_advisory_xact_lock({OwnerLockSpace}, hashtext(@Owner))";

    public string LockPeople => "LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE";

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public Task WriteAccountAsync(DbConnection connection, DbTransaction transaction, Account account, CancellationToken cancellationToken) =>
        PostgresAccountStore.WriteAsync((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, account, cancellationToken);

    public Task WriteOpportunityAsync(DbConnection connection, DbTransaction transaction, OpportunityState state, CancellationToken cancellationToken) =>
        PostgresOpportunityStore.WriteAsync((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, state, PostgresMap.ToRow(state, state.Version + 1), null, cancellationToken);
}
