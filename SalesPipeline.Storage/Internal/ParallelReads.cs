namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Reads started side by side on the thread pool (a provider whose calls complete synchronously still runs them in
/// parallel; the flow's consistent read goes with each). The first to fail cancels the others.
/// </summary>
/// <remarks>
/// One source file, compiled into SalesPipeline.Storage (the history facts' reads) and SalesPipeline.Reporting.Worker (the
/// report's aggregates), internal to each.
/// </remarks>
internal sealed class ParallelReads(CancellationToken cancellationToken) : IDisposable
{
    private readonly CancellationTokenSource _failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private readonly List<Task> _reads = [];

    /// <summary>Starts <paramref name="read"/> with a token that is cancelled when the caller's is or another read fails.</summary>
    public Task<T> Start<T>(Func<CancellationToken, Task<T>> read)
    {
        var token = _failed.Token;
        var task = Task.Run(
            async () =>
            {
                try
                {
                    return await read(token).ConfigureAwait(false);
                }
                catch
                {
                    await _failed.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            },
            token);
        _reads.Add(task);
        return task;
    }

    /// <summary>Waits for every read; a failure outranks the others' cancellation.</summary>
    public Task WhenAllAsync() => Task.WhenAll(_reads);

    public void Dispose() => _failed.Dispose();
}
