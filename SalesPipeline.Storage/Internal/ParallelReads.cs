namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Reads started side by side on the thread pool (a provider whose calls complete synchronously still runs them in
/// parallel; the flow's consistent read goes with each), taken in the order they are started. The first to fail cancels the
/// others.
/// </summary>
/// <remarks>
/// One source file, compiled into SalesPipeline.Storage (the history facts' reads) and SalesPipeline.Reporting.Worker (the
/// report's aggregates), internal to each.
/// </remarks>
internal sealed class ParallelReads(CancellationToken cancellationToken) : IDisposable
{
    private readonly CancellationTokenSource _failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private readonly List<Task> _reads = [];

    /// <summary>
    /// Starts <paramref name="read"/> on the thread pool with a token that is cancelled when the caller's is or another read
    /// fails. Reads are taken in the order they are started (the pool's shared queue, not the starting thread's own), so a
    /// caller starts the longest first and the short ones fill the cores at the end.
    /// </summary>
    public Task<T> Start<T>(Func<CancellationToken, Task<T>> read)
    {
        var token = _failed.Token;
        var task = Task.Factory.StartNew(() => Guarded(read, token), token, TaskCreationOptions.PreferFairness | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
        _reads.Add(task);
        return task;
    }

    /// <summary>
    /// Starts <paramref name="read"/> on the calling thread, as <see cref="Start{T}"/> otherwise does: it runs here until its
    /// first wait, so reads it starts of its own (a provider that answers synchronously gets that far at once) are queued ahead
    /// of those started after it.
    /// </summary>
    public Task<T> StartHere<T>(Func<CancellationToken, Task<T>> read)
    {
        var task = Guarded(read, _failed.Token);
        _reads.Add(task);
        return task;
    }

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> read, CancellationToken token)
    {
        try
        {
            token.ThrowIfCancellationRequested();
            return await read(token).ConfigureAwait(false);
        }
        catch
        {
            await _failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for every read; a failure outranks the others' cancellation.</summary>
    public Task WhenAllAsync() => Task.WhenAll(_reads);

    public void Dispose() => _failed.Dispose();
}
