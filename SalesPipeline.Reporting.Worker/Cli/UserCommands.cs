using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Domain;
using SalesPipeline.People;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>users add|list|set</c>: the people who use the system, their roles, groups and lead limits.</summary>
internal static class UserCommands
{
    public static Command Create(CliContext context)
    {
        var users = new Command("users", "Add, list and change the people who use the system (only an admin adds or changes people).");
        users.Subcommands.Add(Add(context));
        users.Subcommands.Add(List(context));
        users.Subcommands.Add(Set(context));
        return users;
    }

    private static Command Add(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The person's user id (their login)." };
        var name = new Option<string>("--name") { Description = "Their display name.", Required = true };
        var role = new Option<string>("--role") { Description = "salesperson, manager or admin.", Required = true };
        var group = new Option<string>("--group") { Description = "Their groups (departments or teams), comma-separated, such as north,key-accounts.", Required = true };
        var manager = new Option<string?>("--manager") { Description = "Their manager's user id: an active person." };
        var limit = new Option<int?>("--lead-limit") { Description = "How many active leads they may hold; the configured default (25) when left out." };
        var command = new Command("add", "Add a person and print their id. On a database with nobody in it, the first admin needs no --as.") { id, name, role, group, manager, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = StoreAccess.Open(parse, context.Clock, create: true);
            var person = await services.GetRequiredService<IPeopleService>().AddAsync(
                new NewPerson(new UserId(parse.GetValue(id)!), parse.GetValue(name)!, Roles.Parse(parse.GetValue(role)!), Groups(parse.GetValue(group)!), User(parse.GetValue(manager)), parse.GetValue(limit)),
                Acting.Optional(parse),
                cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(person.Id.Value).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var format = ListOutput.FormatOption();
        var command = new Command("list", "List everyone: id, name, role, groups, manager, lead limit, whether active.") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = StoreAccess.Open(parse, context.Clock, create: false);
            var people = await services.GetRequiredService<IPeopleService>().ListAsync(cancellationToken).ConfigureAwait(false);
            await ListOutput.WriteAsync(
                context.Output,
                parse.GetValue(format)!,
                ["id", "name", "role", "groups", "manager", "lead_limit", "active"],
                [.. people.Select(p => (IReadOnlyList<string?>)[p.Id.Value, p.DisplayName, Roles.Name(p.Role), string.Join(',', p.Groups), p.Manager?.Value, p.LeadLimit.ToString(CultureInfo.InvariantCulture), p.Active ? "yes" : "no"])]).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Set(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The person's user id." };
        var name = new Option<string?>("--name") { Description = "A new display name." };
        var role = new Option<string?>("--role") { Description = "A new role: salesperson, manager or admin." };
        var group = new Option<string?>("--group") { Description = "New groups, comma-separated (replacing the old ones)." };
        var manager = new Option<string?>("--manager") { Description = "A new manager's user id (an active person); an empty value (--manager \"\") removes their manager." };
        var noManager = new Option<bool>("--no-manager") { Description = "Remove their manager." };
        var limit = new Option<int?>("--lead-limit") { Description = "A new active-lead limit (0 or more)." };
        var active = new Option<bool?>("--active") { Description = "true lets them act; false stops them (their data stays). The last active admin cannot be stopped or demoted, nor the manager of active people (give them another manager first)." };
        var command = new Command("set", "Change a person; options left out stay as they are.") { id, name, role, group, manager, noManager, limit, active };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var by = Acting.Required(parse);
            var newManager = parse.GetValue(manager);
            var clear = parse.GetValue(noManager) || (newManager is not null && string.IsNullOrWhiteSpace(newManager));
            if (parse.GetValue(noManager) && !string.IsNullOrWhiteSpace(newManager))
            {
                throw new CliInputException("Give either --manager USER or --no-manager, not both.");
            }

            await using var services = StoreAccess.Open(parse, context.Clock, create: false);
            var changes = new PersonChanges(
                parse.GetValue(name),
                parse.GetValue(role) is { } r ? Roles.Parse(r) : null,
                parse.GetValue(group) is { } g ? Groups(g) : null,
                User(newManager),
                parse.GetValue(limit),
                parse.GetValue(active),
                clear);
            var person = await services.GetRequiredService<IPeopleService>().UpdateAsync(new UserId(parse.GetValue(id)!), changes, by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(person.Id.Value).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static string[] Groups(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static UserId? User(string? value) => string.IsNullOrWhiteSpace(value) ? null : new UserId(value);
}
