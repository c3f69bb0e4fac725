using SalesPipeline.Access;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.Process;

namespace SalesPipeline.DependencyInjection;

/// <summary>Options of <c>services.AddSalesPipeline(...)</c>.</summary>
public sealed class SalesPipelineOptions
{
    /// <summary>Gets the pipelines deals can belong to.</summary>
    /// <value>The default value is a list holding only <see cref="PipelineDefinition.Default"/>.</value>
    public IList<PipelineDefinition> Pipelines { get; } = [PipelineDefinition.Default];

    /// <summary>Gets or sets the id of the pipeline new deals join when they name none.</summary>
    /// <value>The default value is <see langword="null"/>: the first pipeline in <see cref="Pipelines"/>.</value>
    public string? DefaultPipeline { get; set; }

    /// <summary>
    /// Gets or sets whether the pipelines also include the definitions stored in the store (see
    /// <see cref="Process.IPipelineDefinitionService"/>), read once when <see cref="PipelineCatalog"/> is first resolved: a
    /// stored definition replaces a configured one with the same id, and the others are added.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: only <see cref="Pipelines"/>.</value>
    public bool LoadStoredPipelines { get; set; }

    /// <summary>Gets the access options (see <see cref="AccessOptions.SkipAccessChecks"/>).</summary>
    /// <value>The default value checks every command's acting user.</value>
    public AccessOptions Access { get; } = new();

    /// <summary>Gets the lead-base options (default limit, self-service, disqualification reasons).</summary>
    /// <value>The default value is <see cref="LeadOptions"/> with its documented defaults.</value>
    public LeadOptions Leads { get; } = new();

    /// <summary>Gets the document options (the size limit).</summary>
    /// <value>The default value is <see cref="DocumentOptions"/> with its documented defaults.</value>
    public DocumentOptions Documents { get; } = new();

    /// <summary>Replaces the pipelines with the given ones.</summary>
    /// <param name="pipelines">The pipelines.</param>
    /// <returns>These options.</returns>
    public SalesPipelineOptions UsePipelines(params IEnumerable<PipelineDefinition> pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        Pipelines.Clear();
        foreach (var pipeline in pipelines)
        {
            Pipelines.Add(pipeline);
        }

        return this;
    }

    internal PipelineCatalog Validate()
    {
        var errors = new List<string>();
        if (Pipelines.Count == 0)
        {
            errors.Add("'Pipelines' must hold at least one pipeline, was empty.");
        }

        if (Pipelines.Any(p => p is null))
        {
            errors.Add("'Pipelines' must not hold null entries.");
        }

        foreach (var duplicate in Pipelines.Where(p => p is not null).GroupBy(p => p.Id).Where(g => g.Count() > 1))
        {
            errors.Add($"'Pipelines' holds pipeline '{duplicate.Key}' {duplicate.Count()} times; ids must be unique.");
        }

        PipelineId? defaultId = null;
        if (DefaultPipeline is not null)
        {
            if (!StageId.IsValid(DefaultPipeline))
            {
                errors.Add($"'DefaultPipeline' must be a pipeline id such as 'new-business', was '{DefaultPipeline}'.");
            }
            else if (Pipelines.All(p => p?.Id.Value != DefaultPipeline))
            {
                errors.Add($"'DefaultPipeline' is '{DefaultPipeline}', which is not in 'Pipelines' ({string.Join(", ", Pipelines.Where(p => p is not null).Select(p => p.Id))}).");
            }
            else
            {
                defaultId = new PipelineId(DefaultPipeline);
            }
        }

        errors.AddRange(Leads.Validate());
        errors.AddRange(Documents.Validate());
        if (errors.Count > 0)
        {
            throw new SalesPipelineOptionsException(errors);
        }

        return new PipelineCatalog(Pipelines, defaultId);
    }
}

/// <summary>Thrown at start when <see cref="SalesPipelineOptions"/> are invalid; lists every fault.</summary>
public sealed class SalesPipelineOptionsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Every fault found.</param>
    public SalesPipelineOptionsException(IReadOnlyList<string> errors)
        : base("SalesPipeline options are invalid: " + string.Join(" ", errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets every fault found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
