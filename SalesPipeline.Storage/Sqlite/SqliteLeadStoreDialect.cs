using System.Data.Common;
using Microsoft.Data.Sqlite;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>SQLite's side of the people and lead stores: BEGIN IMMEDIATE takes the file's write lock, which serialises every writer.</summary>
internal sealed class SqliteLeadStoreDialect(SqliteDatabase database) : ILeadStoreDialect
{
    public IRelationalDatabase Database => database;

    // The write lock taken by BEGIN IMMEDIATE already excludes every other writer.
    public string LockOwner => "SELECT @Owner";

    public string LockPeople => "SELECT 1";

    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public Task WriteAccountAsync(DbConnection connection, DbTransaction transaction, Account account, CancellationToken cancellationToken) =>
        SqliteAccountStore.WriteAsync((SqliteConnection)connection, (SqliteTransaction)transaction, account, cancellationToken);

    public Task WriteOpportunityAsync(DbConnection connection, DbTransaction transaction, OpportunityState state, CancellationToken cancellationToken) =>
        SqliteOpportunityStore.WriteAsync((SqliteConnection)connection, (SqliteTransaction)transaction, state, SqliteMap.ToRow(state, state.Version + 1), null, cancellationToken);
}
