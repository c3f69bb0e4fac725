using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>
/// Keeps the pipeline definitions an administrator imported, as their JSON text, so every application
/// instance and worker sharing the store runs the same process.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IPipelineDefinitionStore
{
    /// <summary>Loads every stored definition's JSON, by pipeline id.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Pipeline id → definition JSON.</returns>
    Task<IReadOnlyDictionary<PipelineId, string>> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) a pipeline's definition.</summary>
    /// <param name="id">The pipeline's id.</param>
    /// <param name="json">Its JSON, as <see cref="Process.PipelineDefinition.ToJson"/> writes it.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>A task that completes when stored.</returns>
    Task SaveAsync(PipelineId id, string json, CancellationToken cancellationToken = default);
}
