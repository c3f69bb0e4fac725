using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>The global <c>--as USER</c> option: who acts, for the commands the access rules apply to.</summary>
internal static class Acting
{
    public static readonly Option<string?> AsOption = new("--as")
    {
        Description = "The user id of the person acting; the access rules decide what they may do.",
        Recursive = true,
    };

    /// <summary>The acting user, required.</summary>
    public static UserId Required(ParseResult parse) =>
        Optional(parse) ?? throw new CliInputException("Name the acting user with --as USER (a person added with `users add`).");

    /// <summary>The acting user, when given.</summary>
    public static UserId? Optional(ParseResult parse) =>
        parse.GetValue(AsOption) is { } value && !string.IsNullOrWhiteSpace(value) ? new UserId(value) : null;

    /// <summary>
    /// Runs a command as the user named by --as: opens the store with its pipelines, hands the command the service it
    /// works through, and returns success when the work completes.
    /// </summary>
    public static async Task<int> RunAsync<TService>(CliContext context, ParseResult parse, Func<TService, UserId, Task> work)
        where TService : notnull
    {
        var by = Required(parse);
        await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, CancellationToken.None).ConfigureAwait(false);
        await work(services.GetRequiredService<TService>(), by).ConfigureAwait(false);
        return CliApp.Success;
    }
}
