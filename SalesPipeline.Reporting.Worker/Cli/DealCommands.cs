using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>deals list|show|move|win|lose|reopen|log|reassign</c>: the deal commands over <see cref="ISalesPipeline"/>, with its access rules.</summary>
internal static class DealCommands
{
    public static Command Create(CliContext context)
    {
        var deals = new Command("deals", "List, show, move, win, lose, reopen, reassign and log activities on deals, acting as --as USER.");
        deals.Subcommands.Add(List(context));
        deals.Subcommands.Add(Show(context));
        deals.Subcommands.Add(Move(context));
        deals.Subcommands.Add(Win(context));
        deals.Subcommands.Add(Lose(context));
        deals.Subcommands.Add(Reopen(context));
        deals.Subcommands.Add(Log(context));
        deals.Subcommands.Add(Reassign(context));
        return deals;
    }

    private static Command Reassign(CliContext context)
    {
        var id = DealArgument();
        var to = new Option<string>("--to") { Description = "The new owner's user id.", Required = true };
        var command = new Command("reassign", "Give a deal to another owner: a manager within their groups, an admin anywhere.") { id, to };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (crm, by) =>
        {
            var deal = await crm.ReassignAsync(Id(parse.GetValue(id)!), new UserId(parse.GetValue(to)!), by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"{deal.Id}: owner {deal.Owner}").ConfigureAwait(false);
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var owner = new Option<string?>("--owner") { Description = "Only this person's deals; someone who is no person and owns no deal (a misspelt id) is refused." };
        var stage = new Option<string?>("--stage") { Description = "Only deals now in this stage." };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only this pipeline's deals." };
        var format = ListOutput.FormatOption();
        var command = new Command("list", "List the deals you may see (a salesperson their own, a manager their groups', an admin all): id, name, pipeline, stage, owner, value, currency, next contact.") { owner, stage, pipeline, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var by = Acting.Required(parse);
            await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, cancellationToken).ConfigureAwait(false);
            var query = new OpportunityQuery(
                parse.GetValue(pipeline) is { } p ? new PipelineId(p) : null,
                parse.GetValue(owner) is { Length: > 0 } o ? new UserId(o) : null,
                Stage: parse.GetValue(stage) is { } s ? new StageId(s) : null);
            var rows = new List<IReadOnlyList<string?>>();
            await foreach (var d in services.GetRequiredService<ISalesPipeline>().ListAsync(query, by, cancellationToken).ConfigureAwait(false))
            {
                rows.Add([d.Id.ToString(), d.Name, d.PipelineId.Value, d.Stage.Value, d.Owner.Value, Amount(d.Value), d.Value.Currency, d.NextContact?.ToString()]);
            }

            await ListOutput.WriteAsync(context.Output, parse.GetValue(format)!, ["id", "name", "pipeline", "stage", "owner", "value", "currency", "next_contact"], [.. rows.OrderBy(r => r[1], StringComparer.Ordinal)]).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = DealArgument();
        var command = new Command("show", "Show a deal you may see (your own, your groups' as a manager, any as an admin): its history, the moves permitted now, and why the others are not.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var by = Acting.Required(parse);
            var dealId = Id(parse.GetValue(id)!);
            await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, cancellationToken).ConfigureAwait(false);
            var crm = services.GetRequiredService<ISalesPipeline>();
            var deal = await crm.GetAsync(dealId, by, cancellationToken).ConfigureAwait(false);
            var output = context.Output;
            await output.WriteLineAsync($"{deal.Name} ({deal.Id}): {Amount(deal.Value)} {deal.Value.Currency}, owner {deal.Owner}, pipeline {deal.PipelineId}, stage {deal.Stage} ({deal.Probability} %)").ConfigureAwait(false);
            await output.WriteLineAsync("History:").ConfigureAwait(false);
            foreach (var change in deal.History)
            {
                await output.WriteLineAsync($"  {change.At}  {change.From?.Value ?? "-"} -> {change.To} by {change.By}{(change.Comment is null ? string.Empty : ": " + change.Comment)}").ConfigureAwait(false);
            }

            var pipeline = crm.Pipelines.Get(deal.PipelineId);
            var permitted = await crm.PermittedMovesAsync(deal.Id, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Permitted moves: {(permitted.Count == 0 ? "none" : string.Join(", ", permitted))}").ConfigureAwait(false);
            foreach (var stage in pipeline.Stages.Select(s => s.Id).Where(s => s != deal.Stage && !permitted.Contains(s)))
            {
                var why = await crm.WhyNotAsync(deal.Id, stage, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"  not {stage}: {string.Join("; ", why)}").ConfigureAwait(false);
            }

            return CliApp.Success;
        });
        return command;
    }

    private static Command Move(CliContext context)
    {
        var id = DealArgument();
        var stage = new Argument<string>("STAGE") { Description = "The stage to enter." };
        var comment = new Option<string?>("--comment") { Description = "A comment for the history." };
        var command = new Command("move", "Move a deal to another stage (a won stage wins it).") { id, stage, comment };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, (crm, by) =>
            PrintAsync(context, crm.MoveAsync(Id(parse.GetValue(id)!), new StageId(parse.GetValue(stage)!), by, parse.GetValue(comment), cancellationToken))));
        return command;
    }

    private static Command Win(CliContext context)
    {
        var id = DealArgument();
        var comment = new Option<string?>("--comment") { Description = "What decided it." };
        var command = new Command("win", "Win a deal.") { id, comment };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, (crm, by) => PrintAsync(context, crm.WinAsync(Id(parse.GetValue(id)!), by, parse.GetValue(comment), cancellationToken))));
        return command;
    }

    private static Command Lose(CliContext context)
    {
        var id = DealArgument();
        var reason = new Option<string>("--reason") { Description = "A loss reason from the pipeline's list.", Required = true };
        var comment = new Option<string>("--comment") { Description = "What decided it and what to learn.", Required = true };
        var command = new Command("lose", "Lose a deal with a reason and a closing comment.") { id, reason, comment };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, (crm, by) =>
            PrintAsync(context, crm.LoseAsync(Id(parse.GetValue(id)!), parse.GetValue(reason)!, parse.GetValue(comment)!, by, cancellationToken))));
        return command;
    }

    private static Command Reopen(CliContext context)
    {
        var id = DealArgument();
        var comment = new Option<string>("--comment") { Description = "Why it is reopened; recorded in its history.", Required = true };
        var stage = new Option<string?>("--stage") { Description = "The open stage to reopen it into; the stage it was closed from when left out." };
        var command = new Command("reopen", "Reopen a won or lost deal into an open stage, recorded in its history.") { id, comment, stage };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, (crm, by) =>
            PrintAsync(context, crm.ReopenAsync(Id(parse.GetValue(id)!), parse.GetValue(comment)!, by, parse.GetValue(stage) is { } s ? new StageId(s) : null, cancellationToken))));
        return command;
    }

    private static Command Log(CliContext context)
    {
        var id = DealArgument();
        var kind = new Option<string>("--kind") { Description = "call, email, meeting, linkedin, note or task.", Required = true };
        kind.AcceptOnlyFromAmong("call", "email", "meeting", "linkedin", "note", "task");
        var subject = new Option<string>("--subject") { Description = "What it was about.", Required = true };
        var next = new Option<string?>("--next-contact") { Description = $"The agreed next contact with the client, an instant in {CliInstant.Forms} (not for a task)." };
        var due = new Option<string?>("--due") { Description = $"For a meeting or task: when it is planned or due, an instant in {CliInstant.Forms}; a meeting with --due is planned, one without it was held. A task needs it." };
        var command = new Command("log", "Log an activity on a deal and print its id; a contact can set the next contact at once, a meeting or task can be planned with --due.") { id, kind, subject, next, due };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var by = Acting.Required(parse);
            var at = parse.GetValue(next) is { } text ? CliInstant.Parse("--next-contact", text) : (Instant?)null;
            var dueAt = parse.GetValue(due) is { } dueText ? CliInstant.Parse("--due", dueText) : (Instant?)null;
            var s = parse.GetValue(subject)!;
            var what = parse.GetValue(kind);
            if (dueAt is not null && what is not ("meeting" or "task"))
            {
                throw new CliInputException($"--due plans a meeting or task, not a {what}: leave it out, or log --kind meeting or task.");
            }

            var activity = what switch
            {
                "call" => NewActivity.Call(s, at),
                "email" => NewActivity.Email(s, at),
                "meeting" => NewActivity.Meeting(s, dueAt, at),
                "linkedin" => NewActivity.LinkedInMessage(s, at),
                "note" when at is not null => throw new CliInputException("A note sets no next contact: leave out --next-contact, or log the call, e-mail or meeting that agreed it."),
                "note" => NewActivity.Note(s),
                _ when at is not null => throw new CliInputException("A task sets no next contact: give the instant it is due with --due."),
                _ => NewActivity.Task(s, dueAt ?? throw new CliInputException($"A task needs --due: the instant it is due, in {CliInstant.Forms}.")),
            };
            await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, cancellationToken).ConfigureAwait(false);
            var logged = await services.GetRequiredService<ISalesPipeline>().LogActivityAsync(Id(parse.GetValue(id)!), activity, by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(logged.Id.ToString()).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Argument<string> DealArgument() => new("ID") { Description = "The deal's id." };

    internal static OpportunityId Id(string text) =>
        Guid.TryParse(text, out var id) ? new OpportunityId(id) : throw new CliInputException($"'{text}' is not a deal id; list deals with `deals list`.");

    /// <summary>The amount with at least its currency's minor-unit digits (1500.50 PLN, 1500 JPY), and every further digit it holds.</summary>
    private static string Amount(Money money) =>
        money.Amount.ToString("0." + new string('0', money.MinorUnitDigits) + new string('#', 28), CultureInfo.InvariantCulture);

    private static Task<int> RunAsync(CliContext context, ParseResult parse, Func<ISalesPipeline, UserId, Task> work) =>
        Acting.RunAsync(context, parse, work);

    private static async Task PrintAsync(CliContext context, Task<Opportunity> moved)
    {
        var deal = await moved.ConfigureAwait(false);
        await context.Output.WriteLineAsync($"{deal.Id}: {deal.Stage} ({deal.Probability} %)").ConfigureAwait(false);
    }
}
