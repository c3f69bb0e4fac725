using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Scheduling;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>What <c>run</c> and <c>schedules</c> share: the <c>--config</c> option and loading a validated configuration with its store.</summary>
internal static class SchedulerSetup
{
    public static Option<string?> ConfigOption() => new("--config")
    {
        Description = "A JSON configuration file, read after appsettings.json in the current folder and before SALESPIPELINE__… environment variables.",
    };

    /// <summary>
    /// Reads and validates the configuration, then opens its store and checks each schedule's pipeline. A missing SQLite file
    /// is never created. Every problem found is reported in one <see cref="CliInputException"/>.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="config">The <c>--config</c> option.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="checkScopes">
    /// Whether to refuse a schedule that names no pipeline when the default pipeline is empty and others hold deals
    /// (<c>schedules</c>; <c>run</c> leaves the deals table alone until a period is due).
    /// </param>
    /// <param name="migrate">
    /// Whether to apply pending migrations (<c>run</c>, the worker); without it a database not at this version's schema is
    /// refused and left as it is (<c>schedules</c>, which only reads).
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<(SchedulerSettings Settings, ServiceProvider Services)> LoadAsync(
        ParseResult parse, Option<string?> config, IClock clock, bool checkScopes, bool migrate, CancellationToken cancellationToken)
    {
        var folder = Directory.GetCurrentDirectory();
        var configuration = SchedulerConfiguration.Build(parse.GetValue(config), folder);
        var problems = new List<string>();
        var settings = SchedulerConfiguration.Read(configuration, folder, problems);
        var choice = StoreAccess.Choose(parse, settings.Database.Provider, settings.Database.ConnectionString);
        Throw(problems);
        CheckFiles(parse.GetValue(config), folder, choice, settings.Schedules);
        SchedulerConfiguration.CheckFolders(settings.Schedules, problems);
        Throw(problems);

        var services = await StoreAccess.OpenWithPipelinesAsync(choice, clock, create: false, migrate, cancellationToken).ConfigureAwait(false);
        var catalog = services.GetRequiredService<PipelineCatalog>();
        SchedulerConfiguration.CheckPipelines(settings.Schedules, catalog, problems);
        await CheckOwnersAsync(settings, services.GetRequiredService<IPersonStore>(), services.GetRequiredService<IOpportunityStore>(), catalog, problems, cancellationToken).ConfigureAwait(false);
        if (checkScopes)
        {
            await CheckScopesAsync(settings, services.GetRequiredService<IOpportunityStore>(), services.GetRequiredService<IPipelineAggregates>(), catalog.Default, problems, cancellationToken).ConfigureAwait(false);
        }
        if (problems.Count > 0)
        {
            await services.DisposeAsync().ConfigureAwait(false);
            Throw(problems);
        }

        return (settings, services);
    }

    /// <summary>
    /// Refuses, before the database is opened, a schedule's Folder that is the database or a configuration file, or that
    /// holds one of them under a name its deliveries write: a delivery must never overwrite what the worker reads.
    /// </summary>
    private static void CheckFiles(string? configFile, string workingFolder, StoreChoice choice, IReadOnlyList<ScheduleDefinition> schedules)
    {
        var appSettings = Path.Combine(workingFolder, "appsettings.json");
        var files = new CommandFiles()
            .Reads("--config", configFile is null ? null : Path.GetFullPath(configFile, workingFolder))
            .Reads("appsettings.json", File.Exists(appSettings) ? appSettings : null)
            .Database(StoreAccess.DatabaseFiles(choice), writes: true);
        foreach (var schedule in schedules)
        {
            files.WritesInto($"schedule '{schedule.Name}' Folder", schedule.Folder, schedule.MayWriteFile);
        }

        files.EnsureDistinct();
    }

    /// <summary>A schedule that names no pipeline reports on the default one; refused, as <c>report</c> is, when that one is empty and others are not.</summary>
    private static async Task CheckScopesAsync(
        SchedulerSettings settings, IOpportunityStore store, IPipelineAggregates aggregates, PipelineDefinition defaultPipeline, List<string> problems, CancellationToken cancellationToken)
    {
        foreach (var schedule in settings.Schedules.Where(s => s.Pipeline is null))
        {
            try
            {
                await PipelineScope.EnsureNotEmptyAsync(
                    store, aggregates, defaultPipeline, pipelineNamed: false, "the schedule's Pipeline key", id => $"\"Pipeline\": \"{id}\"", cancellationToken).ConfigureAwait(false);
            }
            catch (CliInputException e)
            {
                problems.Add($"schedule '{schedule.Name}': {e.Message}");
            }
        }
    }

    /// <summary>
    /// Refuses a schedule's Owner who is no person and owns no deal in the schedule's pipeline: a misspelt name would have
    /// every period recorded as produced with nothing in it, and never produced again once the name is mended. A person
    /// with no deals yet (a new salesperson) is accepted.
    /// </summary>
    private static async Task CheckOwnersAsync(
        SchedulerSettings settings, IPersonStore people, IOpportunityStore store, PipelineCatalog catalog, List<string> problems, CancellationToken cancellationToken)
    {
        foreach (var schedule in settings.Schedules)
        {
            var pipeline = schedule.Pipeline is { } id ? catalog.All.FirstOrDefault(p => p.Id.Value == id) : catalog.Default;
            if (schedule.Owner is not { } owner || pipeline is null || await people.FindAsync(owner, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                await PipelineScope.EnsureOwnsDealsAsync(store, pipeline, owner, $"Owner '{owner}' is no person (see users list) and", cancellationToken).ConfigureAwait(false);
            }
            catch (CliInputException e)
            {
                problems.Add($"schedule '{schedule.Name}': {e.Message}");
            }
        }
    }

    private static void Throw(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new CliInputException(
                $"the configuration has {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}; nothing was run:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", problems));
        }
    }
}
