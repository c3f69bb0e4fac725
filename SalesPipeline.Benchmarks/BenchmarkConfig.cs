using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;

namespace SalesPipeline.Benchmarks;

/// <summary>How the benchmarks are run and reported, shared by <c>Program</c> and the smoke test.</summary>
public static class BenchmarkConfig
{
    /// <summary>
    /// Creates the configuration: BenchmarkDotNet's defaults, which already include the GitHub-markdown report
    /// (<c>*-report-github.md</c>, the one committed to <c>results/</c>), plus allocations measured, so every
    /// report has Ratio and Alloc Ratio. Building the generated benchmark project may take up to 10 minutes rather
    /// than the default 2: on a small machine busy with other builds, 2 minutes was not enough.
    /// </summary>
    /// <returns>The configuration; a job given on the command line (<c>--job short</c>) changes how long it runs.</returns>
    public static ManualConfig Create() => DefaultConfig.Instance
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithBuildTimeout(TimeSpan.FromMinutes(10));

    /// <summary>Tells whether every benchmark of every summary ran to the end.</summary>
    /// <param name="summaries">The summaries of a run.</param>
    /// <returns><see langword="false"/> when a benchmark failed (threw, did not build) or the configuration was invalid.</returns>
    public static bool AllSucceeded(IEnumerable<Summary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        return summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success));
    }
}
