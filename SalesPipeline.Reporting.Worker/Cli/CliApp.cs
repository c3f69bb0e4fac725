using System.CommandLine;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Leads;
using SalesPipeline.Process;
using SalesPipeline.Storage;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>The <c>salespipeline</c> command line: builds the commands, runs one, and maps failures to exit codes.</summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int AccessRefused = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IClock clock, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, clock);
        var root = Build(context);
        var parse = root.Parse(args);
        context.Verbose = parse.GetValue(CliContext.VerboseOption);
        if (UnknownCommand(parse) is { } unknown)
        {
            await error.WriteLineAsync($"error: {unknown}").ConfigureAwait(false);
            await error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.").ConfigureAwait(false);
            return BadInput;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync($"error: {OneLine(e.Message)}").ConfigureAwait(false);
            }

            await error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.").ConfigureAwait(false);
            return BadInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled; nothing half-written was kept.").ConfigureAwait(false);
            return Failure;
        }
        catch (AccessDeniedException e)
        {
            await error.WriteLineAsync($"refused: {OneLine(e.Message)}{Hint(e)}").ConfigureAwait(false);
            return AccessRefused;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            var message = e switch
            {
                StorageUnavailableException unavailable => StoreAccess.Explain(unavailable, parse),
                SchemaVersionException { DatabaseVersion: var found, ApplicationVersion: var needed } old when found < needed => StoreAccess.Explain(old),
                _ => Said(e) + Hint(e),
            };
            await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            if (context.Verbose)
            {
                await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return BadInput;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"failed: {(e is ConcurrencyConflictException { ExpectedVersion: > 0 } conflict ? ChangedMeanwhile(conflict) : OneLine(e.Message))}").ConfigureAwait(false);
            if (context.Verbose)
            {
                await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return Failure;
        }
    }

    internal static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("SalesPipeline: run a B2B sales pipeline and send managers scheduled Excel funnel and win/loss reports.")
        {
            CliContext.VerboseOption,
            StoreAccess.DbOption,
            StoreAccess.ProviderOption,
            Acting.AsOption,
            StoreAccess.BusyTimeoutOption,
        };
        root.Subcommands.Add(SampleCommand.Create(context));
        root.Subcommands.Add(PipelineCommands.Create(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        root.Subcommands.Add(DbCommands.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(SchedulesCommand.Create(context));
        root.Subcommands.Add(UserCommands.Create(context));
        root.Subcommands.Add(LeadCommands.Create(context));
        root.Subcommands.Add(DealCommands.Create(context));
        root.Subcommands.Add(DocumentCommands.Create(context));
        root.Subcommands.Add(OfferCommands.Create(context));
        root.Subcommands.Add(AgendaCommand.Create(context));
        return root;
    }

    /// <summary>What to do about a library refusal in terms of this command line (the library's own messages name no command).</summary>
    private static string Hint(Exception e) => e switch
    {
        AccessDeniedException { Kind: AccessDenialKind.UnknownUser } => " An admin adds people with `users add`; `users list` lists them.",
        LeadNotFoundException => " List the leads with `leads list`.",
        SalesPipeline.Documents.DocumentNotFoundException => " List the documents you may see with `docs list`.",
        ArgumentException { ParamName: "by" } => " Name the acting admin with --as USER.",
        SalesPipeline.DependencyInjection.SalesPipelineOptionsException => " Fix the section SalesPipeline of appsettings.json or the SALESPIPELINE__… environment variables.",
        _ => string.Empty,
    };

    /// <summary>
    /// A save that kept finding the record changed by someone else: the library applied the command again to what was stored
    /// each time (see <see cref="ISalesPipeline"/>), so what is left to the user is to run it again. The version numbers of the
    /// library's message mean nothing to them.
    /// </summary>
    private static string ChangedMeanwhile(ConcurrencyConflictException e) =>
        $"{(e.Entity == "opportunity" ? "deal" : e.Entity)} {OneLine(e.Id)} was changed by someone else at the same time; nothing was saved; run the command again.";

    /// <summary>
    /// The message on one line, without what .NET appends to an argument exception's message: the parameter's name
    /// (" (Parameter 'x')") and, for a value out of range, an "Actual value was …" line.
    /// </summary>
    internal static string Said(Exception e)
    {
        var message = e is ArgumentOutOfRangeException { ActualValue: { } actual } outOfRange
            ? outOfRange.Message.Replace(Environment.NewLine + $"Actual value was {actual}.", string.Empty, StringComparison.Ordinal)
            : e.Message;
        message = e is ArgumentException { ParamName: { } name } ? message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : message;
        return OneLine(message);
    }

    /// <summary>
    /// The message for a command line that names no runnable command: an unknown command word, or a group (such as
    /// <c>pipeline</c>) without one of its commands. Each lists the commands there are.
    /// </summary>
    private static string? UnknownCommand(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Subcommands.Count == 0 || command.Action is not null)
        {
            return null;
        }

        var path = string.Join(' ', CommandPath(parse));
        var commands = string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        var word = parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-'));
        if (word is not null)
        {
            return $"'{word}' is not a command of '{path}'. Commands: {commands}.";
        }

        return parse.Errors.Count > 0 && !parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?")
            ? $"'{path}' needs a command: {commands}."
            : null;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsBadInput(Exception e) =>
        e is CliInputException or ArgumentException or PipelineDefinitionException or FormatException or StageTransitionRejectedException
            or SalesPipeline.DependencyInjection.SalesPipelineOptionsException or LeadRuleException or LeadLimitReachedException or KeyNotFoundException
        || StoreAccess.IsBadInput(e);

    private static Stack<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(c.Parent is null ? "salespipeline" : c.Command.Name);
        }

        return names;
    }
}

/// <summary>What every command gets: where to write, the clock, and global flags.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, IClock clock)
{
    public static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Print the full exception (stack trace) when a command fails.",
        Recursive = true,
    };

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public IClock Clock { get; } = clock;

    public bool Verbose { get; set; }
}

/// <summary>Bad input from the user: exit code 2 and one clear line on stderr.</summary>
internal sealed class CliInputException(string message) : Exception(message);
