using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Agendas;
using SalesPipeline.DependencyInjection;
using SalesPipeline.Documents;
using SalesPipeline.InMemory;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;

// Extension methods live in the product's root namespace so `services.AddSalesPipeline` needs no extra using.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace SalesPipeline;
#pragma warning restore IDE0130

/// <summary>Registers SalesPipeline in a service collection.</summary>
public static class SalesPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ISalesPipeline"/>, <see cref="ILeadService"/>, <see cref="IPeopleService"/>, <see cref="IDocumentService"/>, <see cref="IPipelineDefinitionService"/>, the pipelines, a clock (<see cref="SystemClock.Instance"/>) and, unless a storage
    /// provider is chosen, the in-memory store. Registrations use TryAdd, so the application's own (for example a
    /// fake <see cref="IClock"/>) win. The options are validated here, at start, and every fault is reported at once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to choose storage with (see SalesPipeline.Storage).</returns>
    /// <exception cref="SalesPipelineOptionsException">The options are invalid.</exception>
    /// <remarks>
    /// With <see cref="SalesPipelineOptions.LoadStoredPipelines"/>, resolving <see cref="PipelineCatalog"/> (or a service that
    /// needs it) reads the store and throws <see cref="PipelineDefinitionException"/> when a stored definition is no longer valid.
    /// </remarks>
    public static SalesPipelineBuilder AddSalesPipeline(this IServiceCollection services, Action<SalesPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SalesPipelineOptions();
        configure?.Invoke(options);
        var catalog = options.Validate();

        services.TryAddSingleton<IClock>(SystemClock.Instance);
        if (options.LoadStoredPipelines)
        {
            // Resolved once, at first use, from whichever store the application chose; a DI factory cannot be asynchronous.
            services.TryAddSingleton(sp => WithStored(catalog, sp.GetRequiredService<IPipelineDefinitionStore>().LoadAsync().GetAwaiter().GetResult()));
        }
        else
        {
            services.TryAddSingleton(catalog);
        }
        services.TryAddSingleton<InMemoryStore>();
        services.TryAddSingleton<IOpportunityStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IAccountStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IActivityStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IPipelineAggregates>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IImportTarget>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IPipelineDefinitionStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IScheduleLedger, InMemoryScheduleLedger>();
        services.TryAddSingleton<IPersonStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<ILeadStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IDocumentStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton<IAgendaStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton(options.Access);
        services.TryAddSingleton(options.Leads);
        services.TryAddSingleton(options.Documents);
        services.TryAddSingleton<ISalesPipeline, SalesPipelineService>();
        services.TryAddSingleton<IPeopleService, PeopleService>();
        services.TryAddSingleton<ILeadService, LeadService>();
        services.TryAddSingleton<IDocumentService, DocumentService>();
        services.TryAddSingleton<IPipelineDefinitionService, PipelineDefinitionService>();
        services.TryAddSingleton<IAgendaService, AgendaService>();
        return new SalesPipelineBuilder(services);
    }

    private static PipelineCatalog WithStored(PipelineCatalog configured, IReadOnlyDictionary<Domain.PipelineId, string> stored)
    {
        var pipelines = configured.All.ToDictionary(p => p.Id);
        foreach (var (id, json) in stored)
        {
            pipelines[id] = PipelineCatalog.ReadStored(id, json);
        }

        return new PipelineCatalog(pipelines.Values, configured.Default.Id);
    }
}
