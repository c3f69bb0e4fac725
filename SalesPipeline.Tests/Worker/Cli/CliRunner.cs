using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Reporting.Worker.Cli;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>Runs the salespipeline command line in-process, as a user would from a shell, at a fixed instant.</summary>
internal static class CliRunner
{
    /// <summary>The instant the tests run at: Saturday 28 November 2026, 09:00 UTC; the last full quarter is Q3 2026.</summary>
    public static readonly Instant Now = Instant.FromUtc(2026, 11, 28, 9, 0);

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, new FakeClock(Now));
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
