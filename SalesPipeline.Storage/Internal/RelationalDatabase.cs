using System.Data.Common;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// What provider-neutral store code needs of a database: an open connection configured for the store, and the
/// translation of the provider's failures into <see cref="StorageUnavailableException"/>.
/// </summary>
internal interface IRelationalDatabase
{
    /// <summary>Opens a connection to a database at this version's schema.</summary>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The open connection; the caller disposes it.</returns>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>The storage-unavailable error a provider exception stands for, or <see langword="null"/> when it is something else.</summary>
    /// <param name="exception">The provider's exception.</param>
    /// <returns>The translated exception, or <see langword="null"/>.</returns>
    StorageUnavailableException? Unavailable(DbException exception);

    /// <summary>
    /// <paramref name="unavailable"/> with what the database can still tell of its cause, asked on a connection of its own: on
    /// PostgreSQL, a statement that timed out while another session held the deal tables for itself names that session
    /// (<see cref="StorageUnavailableReason.Held"/>). The same exception when there is nothing to add or the database cannot say.
    /// </summary>
    /// <param name="unavailable">What <see cref="Unavailable"/> made of the provider's exception.</param>
    /// <param name="cancellationToken">Cancels the question; the exception is then returned as it is.</param>
    /// <returns>The exception to throw.</returns>
    Task<StorageUnavailableException> ExplainAsync(StorageUnavailableException unavailable, CancellationToken cancellationToken);

    /// <summary>Begins the provider's read transaction on <paramref name="connection"/>: one snapshot for every statement in it.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The transaction.</returns>
    Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Begins the read transactions of a consistent read, all on one snapshot: the first, fixed at once, and as many more
    /// (up to <paramref name="lanes"/> in all) as the provider can put on it now or let join it later.
    /// </summary>
    /// <param name="lanes">How many connections the read may use at most.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The read's connections so far, and how to add more.</returns>
    Task<SharedRead> BeginSharedReadAsync(int lanes, CancellationToken cancellationToken);

    /// <summary>Begins a consistent read on the current flow (see <see cref="SalesPipeline.Abstractions.IConsistentReads"/>).</summary>
    /// <returns>The scope.</returns>
    ConsistentRead BeginConsistentRead();

    /// <summary>Gets the consistent read the current flow is in, if any.</summary>
    ConsistentRead? CurrentRead { get; }
}

/// <summary>A database's connection string read with the provider's builder, its errors worded for the user.</summary>
internal static class ConnectionStrings
{
    /// <summary>
    /// Runs <paramref name="parse"/> (the provider's connection-string builder); a string it refuses becomes an
    /// <see cref="ArgumentException"/> of the options that names the provider and the form to use, without echoing the
    /// string, which may hold a password.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is invalid (named after <paramref name="paramName"/>).</exception>
    public static T Parse<T>(Func<T> parse, string provider, string form, string paramName)
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
#pragma warning disable CA2208 // The argument is the caller's options, whose connection string this parses.
            throw new ArgumentException($"The {provider} connection string is invalid: {e.Message} Use the form \"{form}\".", paramName, e);
#pragma warning restore CA2208
        }
    }
}

/// <summary>Runs work on a pooled connection, with the provider's failures translated.</summary>
internal static class RelationalDatabaseExtensions
{
    /// <summary>
    /// Runs reads in one snapshot: on a connection leased from the flow's consistent read when it is in one, else in a read
    /// transaction of their own on a pooled connection.
    /// </summary>
    public static async Task<T> ReadAsync<T>(this IRelationalDatabase database, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            if (database.CurrentRead is { IsActive: true } scope)
            {
                using var lease = await scope.LeaseAsync(cancellationToken).ConfigureAwait(false);
                lease.HoldOnThisFlow();
                return await work(lease.Connection, lease.Transaction).ConfigureAwait(false);
            }

            var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await database.BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    return await work(connection, transaction).ConfigureAwait(false);
                }
            }
        }
        catch (DbException e) when (database.Unavailable(e) is { } unavailable)
        {
            throw await database.ExplainAsync(unavailable, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs work on a pooled connection to a database at this version's schema, with the provider's failures translated.</summary>
    public static Task<T> WithConnectionAsync<T>(this IRelationalDatabase database, Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        ConnectionWork.RunAsync(database.OpenConnectionAsync, database.Unavailable, database.ExplainAsync, work, cancellationToken);
}

/// <summary>The one "open a connection, run the work, translate the provider's failure" path every store call takes.</summary>
internal static class ConnectionWork
{
    /// <summary>
    /// Opens a connection with <paramref name="open"/>, runs <paramref name="work"/> on it and disposes it; a provider exception
    /// that means the database cannot be used is rethrown as what <paramref name="unavailable"/> makes of it, with what
    /// <paramref name="explain"/> adds (see <see cref="IRelationalDatabase.ExplainAsync"/>) once the connection is closed.
    /// </summary>
    public static async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<DbConnection>> open,
        Func<DbException, StorageUnavailableException?> unavailable,
        Func<StorageUnavailableException, CancellationToken, Task<StorageUnavailableException>> explain,
        Func<DbConnection, Task<T>> work,
        CancellationToken cancellationToken)
    {
        StorageUnavailableException failed;
        var connection = await open(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                return await work(connection).ConfigureAwait(false);
            }
            catch (DbException e) when (unavailable(e) is { } translated)
            {
                failed = translated;
            }
        }

        // Asked with the failed connection closed, so a pool that callers waiting behind the same session have filled still
        // has it to give.
        throw await explain(failed, cancellationToken).ConfigureAwait(false);
    }
}
