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
}

/// <summary>Runs work on a pooled connection, with the provider's failures translated.</summary>
internal static class RelationalDatabaseExtensions
{
    public static async Task<T> WithConnectionAsync<T>(this IRelationalDatabase database, Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                return await work(connection).ConfigureAwait(false);
            }
            catch (DbException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }
}
