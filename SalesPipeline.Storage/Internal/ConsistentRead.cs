using System.Data.Common;
using SalesPipeline.Abstractions;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// One read transaction shared by every read of a flow (see <see cref="IConsistentReads"/>): opened at the first read,
/// held until the scope is disposed, then rolled back (it wrote nothing) and its connection returned. A scope begun inside
/// another joins it: its reads use the outer transaction, so a caller that wraps several readers (a report's deals and its
/// lead figures) in one scope gets one state of the database even when a reader begins a scope of its own.
/// </summary>
internal sealed class ConsistentRead : IAsyncDisposable
{
    private readonly IRelationalDatabase _database;
    private readonly AsyncLocal<ConsistentRead?> _slot;
    private readonly ConsistentRead? _previous;
    private readonly ConsistentRead? _outer;
    private DbConnection? _connection;
    private DbTransaction? _transaction;
    private bool _disposed;

    public ConsistentRead(IRelationalDatabase database, AsyncLocal<ConsistentRead?> slot)
    {
        _database = database;
        _slot = slot;
        _previous = slot.Value;
        _outer = _previous is { IsActive: true } active ? active._outer ?? active : null;
        slot.Value = this;
    }

    /// <summary>Gets whether the scope still holds (or may still open) its transaction.</summary>
    public bool IsActive => !_disposed;

    /// <summary>The scope's connection and transaction, opened at the first read.</summary>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_outer is not null)
        {
            return await _outer.OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_connection is null || _transaction is null)
        {
            var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _transaction = await _database.BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
                _connection = connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return (_connection, _transaction);
    }

    public ValueTask DisposeAsync()
    {
        // Restored synchronously, so the flow that began the scope leaves it at once.
        if (ReferenceEquals(_slot.Value, this))
        {
            _slot.Value = _previous;
        }

        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        return CloseAsync();
    }

    private async ValueTask CloseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Begins <see cref="ConsistentRead"/> scopes on one database.</summary>
internal sealed class ConsistentReads(IRelationalDatabase database) : IConsistentReads
{
    /// <inheritdoc />
    public IAsyncDisposable Begin() => database.BeginConsistentRead();
}
