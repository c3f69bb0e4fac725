using System.Collections.Frozen;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>The pipelines an application runs side by side (for example "new business" and "renewals"), one of them the default.</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class PipelineCatalog
{
    private readonly FrozenDictionary<PipelineId, PipelineDefinition> _pipelines;

    /// <summary>Creates a catalog.</summary>
    /// <param name="pipelines">The pipelines; ids must be unique.</param>
    /// <param name="defaultPipeline">The default pipeline's id; the first pipeline when left out.</param>
    /// <exception cref="ArgumentException">No pipelines, duplicate ids, or an unknown default.</exception>
    public PipelineCatalog(IEnumerable<PipelineDefinition> pipelines, PipelineId? defaultPipeline = null)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        var list = pipelines.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A catalog needs at least one pipeline.", nameof(pipelines));
        }

        if (list.GroupBy(p => p.Id).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Pipeline '{duplicate.Key}' is registered more than once: pipeline ids must be unique.", nameof(pipelines));
        }

        _pipelines = list.ToFrozenDictionary(p => p.Id);
        All = list;
        var id = defaultPipeline ?? list[0].Id;
        Default = _pipelines.TryGetValue(id, out var d)
            ? d
            : throw new ArgumentException($"The default pipeline '{id}' is not registered; registered: {string.Join(", ", list.Select(p => p.Id))}.", nameof(defaultPipeline));
    }

    /// <summary>Gets a catalog holding only <see cref="PipelineDefinition.Default"/>.</summary>
    public static PipelineCatalog DefaultOnly { get; } = new([PipelineDefinition.Default]);

    /// <summary>
    /// Loads the pipelines a store knows: <see cref="PipelineDefinition.Default"/> and every definition stored in it, a stored
    /// definition with the default's id replacing the built-in one. The default pipeline is the one with the default's id.
    /// </summary>
    /// <param name="store">The store of definitions.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="PipelineDefinitionException">A stored definition is no longer valid; <see cref="PipelineDefinitionException.PipelineId"/> is the id it is stored under.</exception>
    public static async Task<PipelineCatalog> LoadAsync(Abstractions.IPipelineDefinitionStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (stored.Count == 0)
        {
            return DefaultOnly;
        }

        var pipelines = new Dictionary<PipelineId, PipelineDefinition> { [PipelineDefinition.Default.Id] = PipelineDefinition.Default };
        foreach (var (id, json) in stored)
        {
            pipelines[id] = ReadStored(id, json);
        }

        return new PipelineCatalog(pipelines.Values, PipelineDefinition.Default.Id);
    }

    /// <summary>
    /// Reads a definition stored under <paramref name="id"/>, its names held to the rule they were stored under.
    /// </summary>
    /// <exception cref="PipelineDefinitionException">It is no longer valid; <see cref="PipelineDefinitionException.PipelineId"/> is <paramref name="id"/>.</exception>
    internal static PipelineDefinition ReadStored(PipelineId id, string json)
    {
        try
        {
            return Internal.PipelineJson.Read(json, null, stored: true);
        }
        catch (PipelineDefinitionException e) when (e.PipelineId != id.Value)
        {
            // Name the definition by the id it is stored under, which is how it is replaced.
            throw new PipelineDefinitionException(id.Value, e.Errors);
        }
    }

    /// <summary>Gets the default pipeline.</summary>
    public PipelineDefinition Default { get; }

    /// <summary>Gets every pipeline, in registration order.</summary>
    public IReadOnlyList<PipelineDefinition> All { get; }

    /// <summary>Gets a pipeline by id.</summary>
    /// <param name="id">The pipeline's id.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentException">No pipeline has the id.</exception>
    public PipelineDefinition Get(PipelineId id) =>
        _pipelines.TryGetValue(id, out var pipeline)
            ? pipeline
            : throw new ArgumentException($"No pipeline '{id}' is registered; registered: {string.Join(", ", All.Select(p => p.Id))}.", nameof(id));
}
