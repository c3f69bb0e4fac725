using Microsoft.Extensions.DependencyInjection;

namespace SalesPipeline.DependencyInjection;

/// <summary>Returned by <c>AddSalesPipeline</c>; storage providers add their <c>Use…</c> methods to it.</summary>
public sealed class SalesPipelineBuilder
{
    internal SalesPipelineBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection being configured.</summary>
    public IServiceCollection Services { get; }
}
