using System.Data.Common;
using System.Runtime.ExceptionServices;
using SalesPipeline.Abstractions;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// One state of the database shared by every read of a flow (see <see cref="IConsistentReads"/>): read transactions opened
/// at the first read, all on one snapshot, held until the scope is disposed, then rolled back (they wrote nothing) and their
/// connections returned. Reads that run at the same time each lease a connection of their own, up to
/// <see cref="DefaultLanes"/>: the provider begins them on the first one's snapshot, or joins them to it later; when it can
/// do neither (another connection is writing to a SQLite file whose snapshot cannot be shared), parallel reads take the one
/// connection in turn. A scope begun inside another joins it: its reads use the outer scope's connections, so a caller that
/// wraps several readers (a report's deals and its lead figures) in one scope gets one state of the database even when a
/// reader begins a scope of its own.
/// </summary>
internal sealed class ConsistentRead : IAsyncDisposable
{
    private readonly IRelationalDatabase _database;
    private readonly AsyncLocal<ConsistentRead?> _slot;
    private readonly ConsistentRead? _previous;
    private readonly ConsistentRead? _outer;
    private readonly object _gate = new();
    private readonly List<ReadLane> _lanes = [];
    private readonly Stack<ReadLane> _idle = new();
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly SemaphoreSlim _returned = new(0);
    private readonly AsyncLocal<Lease?> _held = new();
    private SharedRead? _shared;
    private bool _cannotJoin;
    private int _waiting;
    private bool _disposed;

    public ConsistentRead(IRelationalDatabase database, AsyncLocal<ConsistentRead?> slot)
    {
        _database = database;
        _slot = slot;
        _previous = slot.Value;
        _outer = _previous is { IsActive: true } active ? active._outer ?? active : null;
        slot.Value = this;
    }

    /// <summary>Gets how many connections a consistent read uses at most: one per processor, at least two and at most four.</summary>
    public static int DefaultLanes => Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <summary>Gets whether the scope still holds (or may still open) its transactions.</summary>
    public bool IsActive => !_disposed;

    /// <summary>Gets how many connections the scope holds (each one read transaction on the same snapshot).</summary>
    internal int Connections
    {
        get
        {
            var owner = _outer ?? this;
            lock (owner._gate)
            {
                return owner._lanes.Count;
            }
        }
    }

    /// <summary>
    /// Leases a connection of the scope for one read: an idle one, else a new one joining the scope's snapshot (the first
    /// one fixes it), else the next one another read returns. A read made inside another on the same flow uses that read's
    /// connection. Dispose the lease when the read is done.
    /// </summary>
    public async Task<Lease> LeaseAsync(CancellationToken cancellationToken)
    {
        if (_outer is not null)
        {
            return await _outer.LeaseAsync(cancellationToken).ConfigureAwait(false);
        }

        // Only while that read still holds its connection: a task that outlives the read leases one of its own.
        if (_held.Value is { IsHeld: true } held)
        {
            return new Lease(this, held.Lane, owned: false);
        }

        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TakeIdle(register: false) is { } idle)
            {
                return idle;
            }

            await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (TakeIdle(register: false) is { } returned)
                {
                    return returned;
                }

                if (_shared is null)
                {
                    return Begin(await _database.BeginSharedReadAsync(DefaultLanes, cancellationToken).ConfigureAwait(false));
                }

                if (!_cannotJoin && _shared.CanJoin && _lanes.Count < DefaultLanes && await JoinAsync(cancellationToken).ConfigureAwait(false) is { } joined)
                {
                    return joined;
                }
            }
            finally
            {
                _opening.Release();
            }

            // Registered as waiting under the gate, so a lane returned from now on wakes this read.
            if (TakeIdle(register: true) is { } handedBack)
            {
                return handedBack;
            }

            try
            {
                await _returned.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _waiting--;
                }
            }
        }
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

    /// <summary>An idle connection's lease, or null; with <paramref name="register"/>, a read that finds none is counted as waiting.</summary>
    private Lease? TakeIdle(bool register)
    {
        lock (_gate)
        {
            if (_idle.TryPop(out var lane))
            {
                return new Lease(this, lane, owned: true);
            }

            if (register)
            {
                _waiting++;
            }

            return null;
        }
    }

    private void Return(ReadLane lane)
    {
        bool wake;
        lock (_gate)
        {
            _idle.Push(lane);
            wake = _waiting > 0;
        }

        if (wake)
        {
            _returned.Release();
        }
    }

    /// <summary>
    /// A new connection joined to the snapshot, or null when it cannot join: the reads then share the connections the scope
    /// has (a server out of connections, a snapshot no longer there).
    /// </summary>
    private async Task<Lease?> JoinAsync(CancellationToken cancellationToken)
    {
        ReadLane? joined;
        try
        {
            joined = await _shared!.JoinAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            joined = null;
        }

        if (joined is null)
        {
            _cannotJoin = true;
            return null;
        }

        lock (_gate)
        {
            _lanes.Add(joined);
        }

        return new Lease(this, joined, owned: true);
    }

    /// <summary>Takes the read's first connections: the first is leased, the others wait idle.</summary>
    private Lease Begin(SharedRead shared)
    {
        _shared = shared;
        lock (_gate)
        {
            _lanes.AddRange(shared.Lanes);
            for (var i = shared.Lanes.Count - 1; i > 0; i--)
            {
                _idle.Push(shared.Lanes[i]);
            }
        }

        return new Lease(this, shared.Lanes[0], owned: true);
    }

    private async ValueTask CloseAsync()
    {
        // Waits for a connection being opened, so none is added after the scope let its connections go.
        await _opening.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            ReadLane[] lanes;
            lock (_gate)
            {
                lanes = [.. _lanes];
                _lanes.Clear();
                _idle.Clear();
            }

            // Joined transactions end before the one whose snapshot they share; each connection is let go even when another fails.
            try
            {
                await DisposeAllAsync(lanes).ConfigureAwait(false);
            }
            finally
            {
                if (_shared is not null)
                {
                    await _shared.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _opening.Release();

            // A read still waiting for a connection finds the scope disposed.
            _returned.Release(int.MaxValue / 2);
        }
    }

    /// <summary>Disposes every lane, the last begun first, even when one fails; then throws the first failure.</summary>
    private static async ValueTask DisposeAllAsync(ReadLane[] lanes)
    {
        ExceptionDispatchInfo? failure = null;
        for (var i = lanes.Length - 1; i >= 0; i--)
        {
            try
            {
                await lanes[i].DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every lane is let go; the first failure is thrown once they all are.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure ??= ExceptionDispatchInfo.Capture(e);
            }
        }

        failure?.Throw();
    }

    /// <summary>A connection leased for one read; disposing it hands the connection back to the scope.</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly ConsistentRead _owner;
        private readonly ReadLane _lane;
        private bool _returned;

        internal Lease(ConsistentRead owner, ReadLane lane, bool owned)
        {
            _owner = owner;
            _lane = lane;
            _returned = !owned;
        }

        public DbConnection Connection => _lane.Connection;

        public DbTransaction Transaction => _lane.Transaction;

        public void Dispose()
        {
            if (!_returned)
            {
                _returned = true;
                _owner.Return(_lane);
            }
        }

        /// <summary>
        /// Makes reads begun from here on in the calling flow (an async method's own flow: undone when it returns) use this
        /// lease's connection instead of leasing another, so a read made inside a read cannot wait for itself.
        /// </summary>
        public void HoldOnThisFlow()
        {
            // A lease of the flow's held connection leaves that one held.
            if (IsHeld)
            {
                (_owner._outer ?? _owner)._held.Value = this;
            }
        }

        /// <summary>Gets whether the lease holds its connection: leased for a read of its own and not handed back yet.</summary>
        internal bool IsHeld => !_returned;

        /// <summary>Gets the leased connection and its transaction.</summary>
        internal ReadLane Lane => _lane;
    }
}

/// <summary>One connection of a consistent read with its read transaction.</summary>
internal sealed record ReadLane(DbConnection Connection, DbTransaction Transaction) : IAsyncDisposable
{
    /// <summary>
    /// Opens a connection of <paramref name="database"/>, begins a read transaction on it and lets <paramref name="start"/>
    /// fix or set its snapshot; the lane is let go when that fails or <paramref name="start"/> returns <see langword="false"/>.
    /// </summary>
    /// <returns>The lane, or null when <paramref name="start"/> declined it.</returns>
    public static async Task<ReadLane?> BeginAsync(IRelationalDatabase database, Func<ReadLane, Task<bool>> start, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        ReadLane? lane = null;
        try
        {
            lane = new ReadLane(connection, await database.BeginReadAsync(connection, cancellationToken).ConfigureAwait(false));
            if (await start(lane).ConfigureAwait(false))
            {
                return lane;
            }
        }
        catch
        {
            if (lane is null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await lane.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        await lane.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>Ends the read transaction (it wrote nothing), then lets the connection go, even when ending it fails.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The read transactions of a consistent read begun on one snapshot (<see cref="IRelationalDatabase.BeginSharedReadAsync"/>),
/// and, when the provider can, a way to join more connections to it later.
/// </summary>
internal class SharedRead(IReadOnlyList<ReadLane> lanes) : IAsyncDisposable
{
    /// <summary>Gets the connections begun on the snapshot, the first one first; at least one.</summary>
    public IReadOnlyList<ReadLane> Lanes { get; } = lanes;

    /// <summary>Gets whether <see cref="JoinAsync"/> can add a connection.</summary>
    public virtual bool CanJoin => false;

    /// <summary>Opens a connection and begins a read transaction on the snapshot, or returns null when it cannot.</summary>
    public virtual Task<ReadLane?> JoinAsync(CancellationToken cancellationToken) => Task.FromResult<ReadLane?>(null);

    /// <summary>Releases what the snapshot's sharing holds (the connections are the consistent read's to close).</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Begins <see cref="ConsistentRead"/> scopes on one database.</summary>
internal sealed class ConsistentReads(IRelationalDatabase database) : IConsistentReads
{
    /// <inheritdoc />
    public IAsyncDisposable Begin() => database.BeginConsistentRead();
}
