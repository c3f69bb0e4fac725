using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Agendas;
using SalesPipeline.DependencyInjection;
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
    /// Adds <see cref="ISalesPipeline"/>, <see cref="ILeadService"/>, <see cref="IPeopleService"/>, the pipelines, a clock (<see cref="SystemClock.Instance"/>) and, unless a storage
    /// provider is chosen, the in-memory store. Registrations use TryAdd, so the application's own (for example a
    /// fake <see cref="IClock"/>) win. The options are validated here, at start, and every fault is reported at once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to choose storage with (see SalesPipeline.Storage).</returns>
    /// <exception cref="SalesPipelineOptionsException">The options are invalid.</exception>
    public static SalesPipelineBuilder AddSalesPipeline(this IServiceCollection services, Action<SalesPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SalesPipelineOptions();
        configure?.Invoke(options);
        var catalog = options.Validate();

        services.TryAddSingleton<IClock>(SystemClock.Instance);
        services.TryAddSingleton(catalog);
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
        services.TryAddSingleton<IAgendaStore>(sp => sp.GetRequiredService<InMemoryStore>());
        services.TryAddSingleton(options.Access);
        services.TryAddSingleton(options.Leads);
        services.TryAddSingleton<ISalesPipeline, SalesPipelineService>();
        services.TryAddSingleton<IPeopleService, PeopleService>();
        services.TryAddSingleton<ILeadService, LeadService>();
        services.TryAddSingleton<IAgendaService, AgendaService>();
        return new SalesPipelineBuilder(services);
    }
}
