using System.Data.Common;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>What the shared people and lead stores need of a provider beyond plain SQL.</summary>
internal interface ILeadStoreDialect
{
    /// <summary>Gets the database.</summary>
    IRelationalDatabase Database { get; }

    /// <summary>
    /// Gets a statement, taking <c>@Owner</c>, that makes every other transaction that runs it for the same owner wait until
    /// this one ends, so an owner's active leads are counted and changed by one transaction at a time.
    /// </summary>
    string LockOwner { get; }

    /// <summary>Gets a statement that makes every other transaction that runs it wait until this one ends (the first person).</summary>
    string LockPeople { get; }

    /// <summary>Starts a write transaction.</summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Writes an account and its contacts inside the transaction, checking its version.</summary>
    Task WriteAccountAsync(DbConnection connection, DbTransaction transaction, Account account, CancellationToken cancellationToken);

    /// <summary>Writes a deal with its children inside the transaction: inserts it at version 0, else updates it checking its version.</summary>
    Task WriteOpportunityAsync(DbConnection connection, DbTransaction transaction, OpportunityState state, CancellationToken cancellationToken);
}
