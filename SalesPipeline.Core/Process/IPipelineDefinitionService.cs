using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>
/// Stores the pipeline definitions every application instance and worker sharing the store runs. Only an admin stores a
/// definition, and a definition that would strand deals already in its pipeline (see <see cref="PipelineFit"/>) is refused:
/// the check and the write happen in one transaction that no deal write can interleave with, so a concurrent import cannot
/// slip a deal in between.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IPipelineDefinitionService
{
    /// <summary>Stores (or replaces) a pipeline's definition.</summary>
    /// <param name="definition">The definition, validated when it was built or read.</param>
    /// <param name="by">The acting admin.</param>
    /// <param name="cancellationToken">Cancels the operation; nothing is stored then.</param>
    /// <returns>How many deals of the pipeline were checked (all of them fit).</returns>
    /// <exception cref="Access.AccessDeniedException">The acting user is not an active admin; nothing was stored.</exception>
    /// <exception cref="PipelineFitException">Deals in the pipeline would not fit the definition; nothing was stored.</exception>
    Task<PipelineFit> SaveAsync(PipelineDefinition definition, UserId by, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a definition inside an import session, so it becomes visible at the session's commit together with the deals
    /// imported in it, or not at all. The deals already stored must fit it; from this call until the session ends no other
    /// deal write commits, so the check holds at commit.
    /// </summary>
    /// <param name="definition">The definition.</param>
    /// <param name="by">The acting admin.</param>
    /// <param name="session">The open import session; on a refusal the caller disposes it without committing.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many stored deals of the pipeline were checked (all of them fit).</returns>
    /// <exception cref="Access.AccessDeniedException">The acting user is not an active admin.</exception>
    /// <exception cref="PipelineFitException">Stored deals in the pipeline would not fit the definition.</exception>
    Task<PipelineFit> SaveAsync(PipelineDefinition definition, UserId by, IImportSession session, CancellationToken cancellationToken = default);

    /// <summary>Refuses unless the user may store definitions, so a caller can refuse before long work.</summary>
    /// <param name="by">The acting user.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the user may store definitions.</returns>
    /// <exception cref="Access.AccessDeniedException">The acting user is not an active admin.</exception>
    Task RequireMaySaveAsync(UserId by, CancellationToken cancellationToken = default);
}
