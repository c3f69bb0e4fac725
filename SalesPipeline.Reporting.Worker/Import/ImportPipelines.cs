using SalesPipeline.Abstractions;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>The pipeline an import writes into, and whether its definition is stored with the deals.</summary>
/// <param name="Definition">The definition every row is checked against.</param>
/// <param name="StoreDefinition">Whether the definition is new to the store (it came with the mapping), so it is stored in the import's session.</param>
internal sealed record ImportPipeline(PipelineDefinition Definition, bool StoreDefinition);

/// <summary>
/// Chooses the pipeline of an import from what the store already knows, so rows are checked against the definition
/// reports will read them with: the definition stored under the pipeline's id when there is one (not the built-in one),
/// any stored pipeline by id, or the one a mapping brings. A mapping's definition new to the store is stored with the deals
/// through <see cref="IPipelineDefinitionService"/>, as <c>pipeline import</c> stores one: by an admin, and only when every
/// deal already in that pipeline still fits it.
/// </summary>
internal static class ImportPipelines
{
    /// <summary>Reads the definition a mapping's <c>pipelineFile</c> names, before anything else is touched.</summary>
    /// <param name="mapping">The mapping.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The definition, or <see langword="null"/> when the mapping names none.</returns>
    /// <exception cref="ImportConfigurationException">The file is missing or the definition invalid; every fault is listed.</exception>
    public static async Task<PipelineDefinition?> LoadAsync(ImportMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.PipelineFile is not { } path)
        {
            return null;
        }

        var source = $"the mapping's pipelineFile '{path}'";
        if (!File.Exists(path))
        {
            throw new ImportConfigurationException(source, [Directory.Exists(path) ? "it is a folder, not a pipeline definition file." : "the file does not exist."]);
        }

        var length = new FileInfo(path).Length;
        if (length > PipelineDefinition.MaxJsonBytes)
        {
            // Checked before reading: the file may be of any size.
            throw new ImportConfigurationException(source, [string.Create(System.Globalization.CultureInfo.InvariantCulture, $"it is {length:N0} bytes; a pipeline definition has at most {PipelineDefinition.MaxJsonBytes:N0} bytes of JSON.")]);
        }

        try
        {
            return PipelineDefinition.FromJson(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (PipelineDefinitionException e)
        {
            throw new ImportConfigurationException(source, e.Errors);
        }
    }

    /// <summary>Chooses the import's pipeline.</summary>
    /// <param name="brought">The definition the mapping brings (<see cref="LoadAsync"/>), if any.</param>
    /// <param name="requested">The pipeline id asked for (<c>--pipeline</c>), or <see langword="null"/>: the mapping's pipeline, else the default.</param>
    /// <param name="definitions">The store's pipeline definitions.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ImportConfigurationException">The requested id is unknown.</exception>
    /// <exception cref="PipelineDefinitionException">A definition stored in the database no longer validates.</exception>
    public static async Task<ImportPipeline> ResolveAsync(
        PipelineDefinition? brought,
        string? requested,
        IPipelineDefinitionStore definitions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var stored = await PipelineCatalog.LoadAsync(definitions, cancellationToken).ConfigureAwait(false);

        PipelineDefinition chosen;
        if (requested is null || requested == brought?.Id.Value)
        {
            chosen = brought ?? stored.Default;
        }
        else
        {
            chosen = stored.All.FirstOrDefault(p => p.Id.Value == requested)
                ?? throw new ImportConfigurationException(
                    $"--pipeline '{requested}'",
                    [$"the database has no such pipeline; it has {string.Join(", ", stored.All.Select(p => p.Id).Concat(brought is null ? [] : [brought.Id]).Distinct())}. Store one with 'salespipeline pipeline import', or name its definition in the mapping's pipelineFile."]);
        }

        var store = false;
        if (ReferenceEquals(chosen, brought))
        {
            var current = stored.All.FirstOrDefault(p => p.Id == brought.Id);
            store = current is null || current.ToJson() != brought.ToJson();
        }

        return new ImportPipeline(chosen, store);
    }

    /// <summary>
    /// Refuses, before anything is written, an import into a pipeline the store's readers would not restore its deals with:
    /// one neither stored in the store, nor built in, nor among the application's <paramref name="registered"/> pipelines, or
    /// one whose definition differs from the definition known under its id (its deals could be in stages that one lacks).
    /// Such deals would be stored and then fail every read, move and report.
    /// </summary>
    /// <param name="pipeline">The pipeline the import writes into.</param>
    /// <param name="session">The import's session, which reads the stored definitions as the import will see them.</param>
    /// <param name="registered">The pipelines the application runs besides the stored ones, if any.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when the pipeline is known.</returns>
    /// <exception cref="ImportConfigurationException">The pipeline is unknown or differs from the known one; names the known pipelines.</exception>
    public static async Task RequireKnownAsync(PipelineDefinition pipeline, IImportSession session, PipelineCatalog? registered, CancellationToken cancellationToken)
    {
        var stored = await session.LoadPipelineDefinitionsAsync(cancellationToken).ConfigureAwait(false);
        var json = pipeline.ToJson();
        var known = new List<PipelineDefinition>();
        if (stored.TryGetValue(pipeline.Id, out var text))
        {
            if (text == json)
            {
                return;
            }

            if (Parsed(text) is { } definition)
            {
                known.Add(definition);
            }
        }
        else if (pipeline.Id == PipelineDefinition.Default.Id)
        {
            known.Add(PipelineDefinition.Default);
        }

        if (registered?.All.FirstOrDefault(p => p.Id == pipeline.Id) is { } same)
        {
            known.Add(same);
        }

        if (known.Any(p => ReferenceEquals(p, pipeline) || p.ToJson() == json))
        {
            return;
        }

        var ids = string.Join(", ", stored.Keys
            .Append(PipelineDefinition.Default.Id)
            .Concat(registered?.All.Select(p => p.Id) ?? [])
            .Select(id => id.Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal));
        const string Store = "Store the definition first (IPipelineDefinitionService.SaveAsync, or 'salespipeline pipeline import'), or set ImportOptions.StorePipelineDefinition so the import stores it with the deals.";
        if (known.Count == 0)
        {
            throw new ImportConfigurationException(
                $"pipeline '{pipeline.Id}'",
                [$"the store does not know this pipeline (it knows {ids}), so the deals imported into it could not be read, moved or reported. {Store}"]);
        }

        var missing = pipeline.Stages.Select(s => s.Id.Value).Except(known[0].Stages.Select(s => s.Id.Value), StringComparer.Ordinal).ToList();
        var difference = missing.Count > 0
            ? $"stages the known one lacks: {string.Join(", ", missing)}"
            : "the same stages with other moves, requirements or names";
        throw new ImportConfigurationException(
            $"pipeline '{pipeline.Id}'",
            [$"the definition differs from the one the store knows under this id ({difference}; known pipelines: {ids}), so the deals imported with it could not be read, moved or reported as imported. {Store} Or import with the known definition."]);
    }

    private static PipelineDefinition? Parsed(string json)
    {
        try
        {
            return PipelineDefinition.FromJson(json);
        }
        catch (PipelineDefinitionException)
        {
            // A stored definition that no longer validates is no match; reading the store reports it.
            return null;
        }
    }
}
