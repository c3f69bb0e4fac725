using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
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
            Description = "Which figures: funnel, winloss, forecast, leads or all (which adds Time in Stage and Accounts, and Leads when the period has lead figures). Summary and Opportunities are always included.",
            DefaultValueFactory = _ => "all",
        };
        kind.AcceptOnlyFromAmong("funnel", "winloss", "forecast", "leads", "all");
        var from = new Option<string>("--from") { Description = "The first day of the period, yyyy-MM-dd.", Required = true };
        var to = new Option<string>("--to") { Description = "The last day of the period (inclusive), yyyy-MM-dd. The snapshot is taken at its end.", Required = true };
        var owner = new Option<string?>("--owner") { Description = "Only this salesperson's deals." };
        var pipeline = new Option<string?>("--pipeline") { Description = "The pipeline id; the default pipeline when left out." };
        var culture = ReportOptions.Culture();
        var zone = ReportOptions.TimeZone();
        var rows = ReportOptions.DetailRows();
        var ltv = new LtvOptions();
        var output = new Option<string>("--out", "-o") { Description = "The workbook to write (.xlsx). It appears complete or not at all.", Required = true };

        var command = new Command("report", "Write one Excel report now: summary with period comparison, funnel, win/loss, forecast (with charts), time in stage, accounts with lifetime value, and the deals in scope. Closed deals count by close date within [--from, --to]. Without --pipeline, an empty default pipeline is refused when other pipelines hold deals.")
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
            var catalog = services.GetRequiredService<PipelineCatalog>();
            var definition = ResolvePipeline(catalog, parse.GetValue(pipeline));
            var store = services.GetRequiredService<IOpportunityStore>();
            await PipelineScope.EnsureNotEmptyAsync(store, definition, parse.GetValue(pipeline) is not null, "--pipeline", id => $"--pipeline {id}", cancellationToken).ConfigureAwait(false);
            if (owned is { } who)
            {
                await EnsureOwnerAsync(store, definition, who, cancellationToken).ConfigureAwait(false);
            }

            var request = new ReportRequest(definition, start, end, timeZone, owned, parse.GetValue(culture)!, ParseKind(parse.GetValue(kind)), detailRows) { Ltv = ltvInputs };
            var model = await ReportWorkbooks.BuildModelAsync(request, services, context.Clock, cancellationToken).ConfigureAwait(false);
            await new WorkbookWriter().WriteAsync(model, path, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(path).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
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

    private static async Task EnsureOwnerAsync(IOpportunityStore store, PipelineDefinition pipeline, UserId owner, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.QueryAsync(new OpportunityQuery(pipeline.Id, owner), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var owners = new SortedSet<string>(StringComparer.CurrentCulture);
        await foreach (var deal in store.QueryAsync(new OpportunityQuery(pipeline.Id), cancellationToken).ConfigureAwait(false))
        {
            owners.Add(deal.Owner.Value);
            if (owners.Count > 20)
            {
                break;
            }
        }

        throw new CliInputException($"--owner '{owner}' owns no deals in pipeline '{pipeline.Id}'. Owners: {(owners.Count == 0 ? "none (the pipeline is empty)" : string.Join(", ", owners.Take(20)))}.");
    }
}
