using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>A store that can take a large import as one unit: nothing is visible until it is committed.</summary>
/// <remarks>Implementations are thread-safe; a session is used by one caller at a time.</remarks>
public interface IImportTarget
{
    /// <summary>Starts an import. Disposing the session without <see cref="IImportSession.CommitAsync"/> discards everything it wrote.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The session.</returns>
    Task<IImportSession> BeginImportAsync(CancellationToken cancellationToken = default);
}

/// <summary>One import in progress, all or nothing.</summary>
public interface IImportSession : IAsyncDisposable
{
    /// <summary>Finds which of the given external ids already exist in the pipeline (so a re-import skips them).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="externalIds">The ids from the source system.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The ids already stored, including those added earlier in this session.</returns>
    Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default);

    /// <summary>Finds an account by name (ignoring case) or creates it within the session.</summary>
    /// <param name="name">The company's name.</param>
    /// <param name="by">Who imports.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The account's id.</returns>
    Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default);

    /// <summary>Adds new opportunities (version 0) with their history, within the session.</summary>
    /// <param name="batch">The opportunities.</param>
    /// <param name="cancellationToken">Cancels the write; the session should then be disposed.</param>
    /// <returns>A task that completes when the batch is written (not yet committed).</returns>
    /// <exception cref="ArgumentException">An opportunity is not new (its version is not 0); nothing of the batch is added.</exception>
    /// <exception cref="ConcurrencyConflictException">
    /// An opportunity's id is in the batch twice (nothing of it is added), or already stored or in the session (the session
    /// has then failed, see <see cref="CommitAsync"/>).
    /// </exception>
    /// <exception cref="InvalidOperationException">The session failed earlier (see <see cref="CommitAsync"/>).</exception>
    Task AddAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads every pipeline definition the store holds, as the session sees it (one saved in it included): what the store's
    /// readers will restore the imported deals with, so an import can refuse a pipeline they would not know before it writes.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Pipeline id → definition JSON, as <see cref="IPipelineDefinitionStore.LoadAsync"/> returns them.</returns>
    /// <exception cref="InvalidOperationException">The session failed earlier (see <see cref="CommitAsync"/>).</exception>
    /// <exception cref="ObjectDisposedException">The session was committed or disposed.</exception>
    Task<IReadOnlyDictionary<PipelineId, string>> LoadPipelineDefinitionsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a pipeline definition within the session, as <see cref="IPipelineDefinitionStore.SaveAsync"/> does (replacing one
    /// with the same id), so it becomes visible at commit together with the deals that use it, or not at all. From this call
    /// until the session ends no other transaction commits a deal write, so a check of the stored deals made after it holds
    /// at commit (<see cref="Process.IPipelineDefinitionService"/> relies on this; call that rather than this directly).
    /// </summary>
    /// <param name="id">The pipeline's id.</param>
    /// <param name="json">Its JSON, as <see cref="Process.PipelineDefinition.ToJson"/> writes it.</param>
    /// <param name="cancellationToken">Cancels the write; the session should then be disposed.</param>
    /// <returns>A task that completes when the definition is written (not yet committed).</returns>
    /// <exception cref="ArgumentException"><paramref name="json"/> is empty.</exception>
    /// <exception cref="ObjectDisposedException">The session was committed or disposed.</exception>
    Task SavePipelineDefinitionAsync(PipelineId id, string json, CancellationToken cancellationToken = default);

    /// <summary>Makes everything the session wrote visible at once.</summary>
    /// <param name="cancellationToken">Cancels the commit; nothing is then committed.</param>
    /// <returns>A task that completes when committed.</returns>
    /// <exception cref="InvalidOperationException">
    /// The session failed earlier: a call's work was refused or lost once it had reached the store (a deal already stored,
    /// a row the store refused, a lost connection, a cancellation). Part of that work may be written, so nothing of the
    /// session can be committed; every later call but disposing throws this, with the first failure inside. Arguments
    /// refused before anything reached the store leave the session usable.
    /// </exception>
    Task CommitAsync(CancellationToken cancellationToken = default);
}
