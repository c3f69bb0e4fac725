using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>
/// The <see cref="IPipelineDefinitionService"/> implementation over the store's import sessions: a session is the store's
/// write transaction that excludes every other deal write (SQLite's write lock, a PostgreSQL table lock, the in-memory
/// store's import gate), so the fit check and the write are one unit. Usable without a container.
/// </summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
public sealed class PipelineDefinitionService : IPipelineDefinitionService
{
    private readonly IImportTarget _target;
    private readonly IOpportunityStore _deals;
    private readonly AccessGate _access;

    /// <summary>Creates the service.</summary>
    /// <param name="target">The store's import sessions, in which definitions are written.</param>
    /// <param name="deals">The store's deals, which a definition must fit.</param>
    /// <param name="people">Who may act.</param>
    /// <param name="access">The access options; checks are on when left out.</param>
    public PipelineDefinitionService(IImportTarget target, IOpportunityStore deals, IPersonStore people, AccessOptions? access = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(people);
        _target = target;
        _deals = deals;
        _access = new AccessGate(people, access ?? new AccessOptions());
    }

    /// <inheritdoc />
    public async Task<PipelineFit> SaveAsync(PipelineDefinition definition, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await RequireMaySaveAsync(definition, by, cancellationToken).ConfigureAwait(false);
        var session = await _target.BeginImportAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var fit = await WriteCheckedAsync(definition, session, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return fit;
        }
    }

    /// <inheritdoc />
    public async Task<PipelineFit> SaveAsync(PipelineDefinition definition, UserId by, IImportSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(session);
        await RequireMaySaveAsync(definition, by, cancellationToken).ConfigureAwait(false);
        return await WriteCheckedAsync(definition, session, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task RequireMaySaveAsync(UserId by, CancellationToken cancellationToken = default) =>
        _access.RequireAdminAsync(by, "store pipeline definitions", cancellationToken);

    private Task RequireMaySaveAsync(PipelineDefinition definition, UserId by, CancellationToken cancellationToken) =>
        _access.RequireAdminAsync(by, $"store the definition of pipeline '{definition.Id}'", cancellationToken);

    /// <summary>Writes first, which takes the session's exclusion of deal writes, then checks the deals as they are under it.</summary>
    private async Task<PipelineFit> WriteCheckedAsync(PipelineDefinition definition, IImportSession session, CancellationToken cancellationToken)
    {
        await session.SavePipelineDefinitionAsync(definition.Id, definition.ToJson(), cancellationToken).ConfigureAwait(false);
        var fit = await PipelineFit.CheckAsync(definition, _deals, cancellationToken).ConfigureAwait(false);
        return fit.Fits ? fit : throw new PipelineFitException(fit);
    }
}
