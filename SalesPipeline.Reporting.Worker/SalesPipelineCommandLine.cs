using NodaTime;
using SalesPipeline.Reporting.Worker.Cli;

namespace SalesPipeline.Reporting.Worker;

/// <summary>
/// The <c>salespipeline</c> command line, run in process: the same commands, options, output and exit codes as the
/// <c>salespipeline</c> tool, which is this call and nothing more.
/// </summary>
/// <remarks>Thread-safe: each call builds its own commands; commands that touch the same database follow its locking rules.</remarks>
public static class SalesPipelineCommandLine
{
    /// <summary>Exit code of a command that succeeded.</summary>
    public const int Success = CliApp.Success;

    /// <summary>Exit code of a command that failed (<c>--verbose</c> adds the stack trace).</summary>
    public const int Failure = CliApp.Failure;

    /// <summary>Exit code of bad arguments or input, or a refusal by a rule; one line on the error writer says why.</summary>
    public const int BadInput = CliApp.BadInput;

    /// <summary>Exit code of a refusal by the access rules; one line on the error writer says why.</summary>
    public const int AccessRefused = CliApp.AccessRefused;

    /// <summary>Parses <paramref name="args"/> and runs the command they name.</summary>
    /// <param name="args">The arguments, as the tool receives them (for example <c>["demo", "--deals", "500"]</c>).</param>
    /// <param name="output">Where results go (the tool passes standard output).</param>
    /// <param name="error">Where errors and progress go (the tool passes standard error).</param>
    /// <param name="clock">The clock every command reads the time from.</param>
    /// <param name="cancellationToken">Stops the command; nothing half-written is kept.</param>
    /// <returns>The exit code: <see cref="Success"/>, <see cref="Failure"/>, <see cref="BadInput"/> or <see cref="AccessRefused"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, IClock clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(clock);
        return CliApp.RunAsync([.. args], output, error, clock, cancellationToken);
    }
}
