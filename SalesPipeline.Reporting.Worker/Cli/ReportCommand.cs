using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Agendas;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>report</c>: one workbook now.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var kind = new Option<string>("--kind")
        {
            Description = "Which figures: funnel, winloss, forecast, leads, agenda (per owner: overdue follow-ups, the coming week from today, stale deals) or all (which adds Time in Stage and Accounts, and Leads when the period has lead figures; not the agenda). Summary and Opportunities are always included.",
            DefaultValueFactory = _ => "all",
        };
        kind.AcceptOnlyFromAmong("funnel", "winloss", "forecast", "leads", "agenda", "all");
        var from = new Option<string>("--from") { Description = "The first day of the period, yyyy-MM-dd.", Required = true };
        var to = new Option<string>("--to") { Description = "The last day of the period (inclusive), yyyy-MM-dd. The snapshot is taken at its end.", Required = true };
        var owner = new Option<string?>("--owner")
        {
            Description = "Only this person's deals (and their row of the Leads sheet, their agenda). With --as, a salesperson must name themselves and a manager themselves or a person in their groups; an admin may leave it out.",
        };
        var pipeline = new Option<string?>("--pipeline") { Description = "The pipeline id; the default pipeline when left out." };
        var culture = ReportOptions.Culture();
        var zone = ReportOptions.TimeZone();
        var rows = ReportOptions.DetailRows();
        var ltv = new LtvOptions();
        var output = new Option<string>("--out", "-o") { Description = "The workbook to write (.xlsx). It appears complete or not at all.", Required = true };

        var command = new Command("report", "Write one Excel report now: summary with period comparison, funnel, win/loss, forecast (with charts), time in stage, accounts with lifetime value, and the deals in scope. Closed deals count by close date within [--from, --to]. Without --pipeline, an empty default pipeline is refused when other pipelines hold deals. With --as USER the report covers only what that person may see: an admin everything; a salesperson or manager must name with --owner themselves or, for a manager, a person in their groups (exit 3 otherwise). Without --as it covers everything, as for the database's holder.")
        {
            kind, from, to, owner, pipeline, culture, zone, rows, output,
        };
        ltv.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var start = ReportOptions.ParseDate(parse.GetValue(from), "--from");
            var end = ReportOptions.ParseDate(parse.GetValue(to), "--to");
            if (start > end)
            {
                throw new CliInputException($"--from {start:uuuu-MM-dd} is after --to {end:uuuu-MM-dd}.");
            }

            var timeZone = ReportOptions.ParseZone(parse.GetValue(zone)!);
            var detailRows = parse.GetValue(rows);
            var path = ReportOptions.CheckOutputFile(parse.GetValue(output), "--out", ".xlsx");
            var owned = ParseOwner(parse.GetValue(owner));
            var ltvInputs = ltv.Parse(parse);
            new CommandFiles().Database(StoreAccess.DatabaseFiles(parse), writes: false).Writes("--out", path).EnsureDistinct();

            await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, cancellationToken).ConfigureAwait(false);
            if (Acting.Optional(parse) is { } by)
            {
                await RequireMayReportAsync(services.GetRequiredService<IPeopleService>(), by, owned, cancellationToken).ConfigureAwait(false);
            }

            var catalog = services.GetRequiredService<PipelineCatalog>();
            var definition = ResolvePipeline(catalog, parse.GetValue(pipeline));
            var store = services.GetRequiredService<IOpportunityStore>();
            await PipelineScope.EnsureNotEmptyAsync(store, services.GetRequiredService<IPipelineAggregates>(), definition, parse.GetValue(pipeline) is not null, "--pipeline", id => $"--pipeline {id}", cancellationToken).ConfigureAwait(false);
            if (owned is { } who)
            {
                await PipelineScope.EnsureOwnsDealsAsync(store, definition, who, $"--owner '{who}'", cancellationToken).ConfigureAwait(false);
            }

            var request = new ReportRequest(definition, start, end, timeZone, owned, parse.GetValue(culture)!, ParseKind(parse.GetValue(kind)), detailRows) { Ltv = ltvInputs };
            var model = await ReportWorkbooks.BuildModelAsync(request, services, context.Clock, cancellationToken).ConfigureAwait(false);
            await new WorkbookWriter().WriteAsync(model, path, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(path).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>
    /// Refuses <paramref name="by"/> a report on <paramref name="owner"/> (or on everyone) whose deals they may not see, by the
    /// library's rule; a report on everyone's deals refused says in this command line's terms what to add.
    /// </summary>
    private static async Task RequireMayReportAsync(IPeopleService people, UserId by, UserId? owner, CancellationToken cancellationToken)
    {
        try
        {
            await people.RequireMayReportOnAsync(by, owner, cancellationToken).ConfigureAwait(false);
        }
        catch (AccessDeniedException e) when (e.Kind == AccessDenialKind.NotPermitted && owner is null)
        {
            throw new AccessDeniedException(e.User, e.Action, $"{e.Reason}; name whose report it is with --owner USER", e.Kind);
        }
    }

    /// <summary>
    /// Builds a report's model from an opened store in one consistent read (<see cref="IConsistentReads"/>, when the store
    /// has it): the deals, the aggregates, the accounts and the period's lead figures all see one state of the database.
    /// </summary>
    internal static Task<ReportModel> BuildModelAsync(ReportRequest request, IServiceProvider services, IClock clock, CancellationToken cancellationToken) =>
        BuildModelAsync(request, services, NewBuilder(services, clock), cancellationToken);

    /// <inheritdoc cref="BuildModelAsync(ReportRequest, IServiceProvider, IClock, CancellationToken)"/>
    internal static async Task<ReportModel> BuildModelAsync(ReportRequest request, IServiceProvider services, ReportBuilder builder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await BuildModelsAsync(request, [request.Culture], services, builder, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// The report's model in each of <paramref name="cultures"/>, its figures computed once in one consistent read (see
    /// <see cref="BuildModelAsync(ReportRequest, IServiceProvider, IClock, CancellationToken)"/>).
    /// </summary>
    internal static async Task<IReadOnlyList<ReportModel>> BuildModelsAsync(
        ReportRequest request, IReadOnlyList<string> cultures, IServiceProvider services, ReportBuilder builder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var scope = services.GetService<IConsistentReads>()?.Begin();
        try
        {
            // The lead figures and the agenda hold no labels: read once, they go into every culture's model.
            var models = await builder.BuildAsync(request, cultures, cancellationToken).ConfigureAwait(false);
            var first = await AgendaFor(await LeadFiguresFor(models[0], request, services, cancellationToken).ConfigureAwait(false), request, services, builder.Clock, cancellationToken).ConfigureAwait(false);
            return [first, .. models.Skip(1).Select(m => m with { Leads = first.Leads, Agenda = first.Agenda })];
        }
        finally
        {
            if (scope is not null)
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The model with the Agenda sheet's agenda when it is asked for: the report's owner's, else every deal owner's (a stored person or not), for the
    /// coming week from the day the report is produced (in the report's time zone). The agenda is read without the access
    /// checks: a scheduled report has no acting user, and the command checks an acting user's right to the report's owner
    /// (or to everyone) before the report is built.
    /// </summary>
    internal static async Task<ReportModel> AgendaFor(ReportModel model, ReportRequest request, IServiceProvider services, IClock clock, CancellationToken cancellationToken)
    {
        if (!model.Kind.HasFlag(ReportKind.Agenda))
        {
            return model;
        }

        var service = new AgendaService(
            services.GetRequiredService<IAgendaStore>(), services.GetRequiredService<IPersonStore>(), services.GetRequiredService<PipelineCatalog>(), clock, new AccessOptions { SkipAccessChecks = true });
        var today = clock.GetCurrentInstant().InZone(request.TimeZone).Date;
        var range = new AgendaRequest(today, today.PlusDays(AgendaSheet.Days - 1), request.Owner, Team: request.Owner is null) { Zone = request.TimeZone };
        var by = request.Owner ?? new UserId("report");
        return model with { Agenda = await service.GetAsync(range, by, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>A report builder over the store's aggregates (and deal pass) and accounts.</summary>
    internal static ReportBuilder NewBuilder(IServiceProvider services, IClock clock) => new(
        services.GetRequiredService<IPipelineAggregates>(),
        services.GetRequiredService<IAccountStore>(),
        clock,
        services.GetService<IConsistentReads>());

    /// <summary>The model with the period's lead figures (only the owner's when the report is for one owner).</summary>
    private static async Task<ReportModel> LeadFiguresFor(ReportModel model, ReportRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!model.Kind.HasFlag(ReportKind.Leads))
        {
            return model;
        }

        var figures = await services.GetRequiredService<SalesPipeline.Leads.ILeadService>().FiguresAsync(request.Period.Start, request.Period.End, cancellationToken).ConfigureAwait(false);
        return model with { Leads = [.. figures.Where(f => request.Owner is null || f.Person == request.Owner)] };
    }

    private static UserId? ParseOwner(string? owner) => owner switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(owner) => throw new CliInputException(
            "--owner is empty: give the salesperson's user id (as in the Owner column of the Opportunities sheet), or leave --owner out to report on everyone's deals."),
        _ when owner.Trim().Length > 200 => throw new CliInputException(
            $"--owner is {owner.Trim().Length:N0} characters long; a user id has at most 200. Give the salesperson's user id."),
        _ => new UserId(owner.Trim()),
    };

    internal static ReportKind ParseKind(string? kind) => kind switch
    {
        "funnel" => ReportKind.Funnel,
        "winloss" => ReportKind.WinLoss,
        "forecast" => ReportKind.Forecast,
        "leads" => ReportKind.Leads,
        "agenda" => ReportKind.Agenda,
        _ => ReportKind.All,
    };

    internal static PipelineDefinition ResolvePipeline(PipelineCatalog catalog, string? id)
    {
        if (id is null)
        {
            return catalog.Default;
        }

        var match = catalog.All.FirstOrDefault(p => p.Id.Value == id);
        return match ?? throw new CliInputException($"--pipeline '{id}' is not known; pipelines: {string.Join(", ", catalog.All.Select(p => p.Id))}.");
    }
}
