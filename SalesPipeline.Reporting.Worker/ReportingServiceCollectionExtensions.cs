using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Reporting.Worker;
using SalesPipeline.Reporting.Worker.Delivery;
using SalesPipeline.Reporting.Worker.Scheduling;

// Extension methods live in the product's root namespace, beside AddSalesPipeline.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace SalesPipeline;
#pragma warning restore IDE0130

/// <summary>Registers in-process reporting and the scheduled report worker in a host's container.</summary>
public static class ReportingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReportWorkbooks"/> (with <c>TryAdd</c>, so your own registration wins). It uses the stores, pipelines
    /// and clock that <c>AddSalesPipeline</c> registers.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <returns>The container.</returns>
    public static IServiceCollection AddSalesPipelineReports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new ReportWorkbooks(sp));
        return services;
    }

    /// <summary>
    /// Registers the scheduled report worker as a hosted service of the host's Generic Host, with the schedules of the
    /// configuration's <c>SalesPipeline</c> section (<c>Schedules</c>, <c>Smtp</c>; the format of <c>salespipeline run</c>).
    /// Each (schedule, period) is produced and delivered exactly once, recorded in the store's ledger, which several workers
    /// on one PostgreSQL database share safely. The worker uses the stores, pipelines and clock <c>AddSalesPipeline</c>
    /// registers (the section's <c>Database</c> key is for the command line and is ignored here). Also calls
    /// <see cref="AddSalesPipelineReports"/>.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="configuration">The configuration holding the <c>SalesPipeline</c> section.</param>
    /// <param name="configure">Sets <see cref="ReportWorkerOptions"/>, such as <see cref="ReportWorkerOptions.RunOnce"/>.</param>
    /// <returns>The container.</returns>
    /// <exception cref="ArgumentException">The section is invalid; every problem is listed, and nothing is registered.</exception>
    public static IServiceCollection AddSalesPipelineReportWorker(this IServiceCollection services, IConfiguration configuration, Action<ReportWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ReportWorkerOptions();
        configure?.Invoke(options);
        var folder = options.WorkingFolder ?? Directory.GetCurrentDirectory();
        var problems = new List<string>();
        var settings = SchedulerConfiguration.Read(configuration, folder, problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                $"The {SchedulerConfiguration.Section} configuration has {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}: {string.Join(" ", problems)}",
                nameof(configuration));
        }

        services.AddSalesPipelineReports();
        services.AddLogging();
        services.TryAddSingleton(new RunState(options.RunOnce));
        services.TryAddSingleton(sp =>
        {
            var clock = sp.GetRequiredService<IClock>();
            return new ScheduleRunner(
                settings.Schedules,
                sp.GetRequiredService<IScheduleLedger>(),
                new ReportProducer(sp, clock),
                [new FolderDelivery(), new EmailDelivery(settings.Smtp, clock)],
                clock,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("SalesPipeline.Scheduler"),
                new RunnerOptions());
        });
        services.AddHostedService<SchedulerService>();
        return services;
    }
}
