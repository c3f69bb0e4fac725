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

    /// <summary>
    /// The environment variable naming the folder where a benchmark saves what BenchmarkDotNet does not report (the
    /// import's peak working set); the program sets it to BenchmarkDotNet's results folder unless it is set already.
    /// </summary>
    public const string MeasurementsVariable = "SALESPIPELINE_BENCHMARK_MEASUREMENTS";

    /// <summary>
    /// Saves one measurement as the line <c>key: value</c> of <paramref name="fileName"/> in the folder
    /// <see cref="MeasurementsVariable"/> names, replacing the line of an earlier run with the same key; nothing when it is unset.
    /// </summary>
    /// <param name="fileName">The file, such as <c>import-memory-1000000.txt</c>.</param>
    /// <param name="key">What was measured, such as the benchmark's name.</param>
    /// <param name="value">The figure with its unit.</param>
    public static void SaveMeasurement(string fileName, string key, string value)
    {
        var folder = Environment.GetEnvironmentVariable(MeasurementsVariable);
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        var kept = File.Exists(path) ? File.ReadAllLines(path).Where(l => !l.StartsWith(key + ":", StringComparison.Ordinal)) : [];
        File.WriteAllLines(path, [.. kept.Append($"{key}: {value}").Order(StringComparer.Ordinal)]);
    }

    /// <summary>Tells whether every benchmark of every summary ran to the end.</summary>
    /// <param name="summaries">The summaries of a run.</param>
    /// <returns><see langword="false"/> when a benchmark failed (threw, did not build) or the configuration was invalid.</returns>
    public static bool AllSucceeded(IEnumerable<Summary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        return summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success));
    }
}
