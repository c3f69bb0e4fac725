namespace SalesPipeline.Abstractions;

/// <summary>
/// Makes several store reads see one state of the database, as if nothing were written in between: a report whose
/// figures come from several queries then never mixes deals from before a concurrent import with deals from after it.
/// </summary>
/// <remarks>
/// Registered by the SQLite and PostgreSQL providers. Thread-safe; a scope belongs to the asynchronous flow that began it
/// and to the tasks that flow starts. Reads inside it may run in parallel: each takes a connection of its own begun on the
/// same snapshot (up to one per processor, between two and four), and waits for one when all are in use or the database
/// cannot give more; a read made inside another read uses that read's connection.
/// </remarks>
public interface IConsistentReads
{
    /// <summary>
    /// Begins a consistent read on the current asynchronous flow: until the returned scope is disposed, every read the
    /// provider's opportunity, account and aggregate stores make on this flow sees the database as it was at the first of
    /// them (SQLite: one read transaction; PostgreSQL: one read-only REPEATABLE READ transaction). Writes are not part of
    /// the scope. Call it from the method that then reads (it sets ambient state that flows into awaited calls).
    /// </summary>
    /// <returns>The scope; disposing it ends the read and releases its connection.</returns>
    IAsyncDisposable Begin();
}
