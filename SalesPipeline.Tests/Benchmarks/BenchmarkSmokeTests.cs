using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SalesPipeline.Benchmarks;
using Xunit;

namespace SalesPipeline.Tests.Benchmarks;

/// <summary>
/// Every benchmark class still runs: each benchmark once, in this process, at the quick size (<c>--deals 10000</c>), with
/// no timing asserted; a class added later is found by reflection and covered too. Every benchmark class keeps to the
/// house rule of one baseline, and every class that takes a number of deals takes it from <c>--deals</c>.
/// A benchmark that throws (or whose setup finds the two sides disagreeing) fails here rather than in a long run.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private static readonly Assembly BenchmarkAssembly = typeof(BenchmarkConfig).Assembly;

    [Fact]
    public void Run_EveryBenchmarkClassOnceAtQuickSize_EveryReportSucceeds()
    {
        var classes = BenchmarkMethods().Select(m => m.DeclaringType!).Distinct().ToArray();
        var measurements = Path.Combine(Path.GetTempPath(), $"salespipeline-benchmark-measurements-{Guid.NewGuid():N}");
        Environment.SetEnvironmentVariable(BenchmarkConfig.MeasurementsVariable, measurements);
        try
        {
            var (summaries, log) = RunOnce(classes, [BenchmarkSizes.Option, BenchmarkSizes.Quick.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

            Assert.True(BenchmarkConfig.AllSucceeded(summaries), log);
            var ran = summaries.SelectMany(s => s.Reports).Select(r => r.BenchmarkCase.Descriptor.WorkloadMethod).ToHashSet();
            Assert.All(BenchmarkMethods(), m => Assert.Contains(m, ran));
            // The import's peak memory, which BenchmarkDotNet does not report, is saved for each side.
            var saved = File.ReadAllLines(Path.Combine(measurements, $"import-memory-{BenchmarkSizes.Quick}.txt"));
            Assert.Equal([nameof(ImportBenchmarks.CsvImporterIntoSqlite), nameof(ImportBenchmarks.RawSplitAndPreparedInserts)], saved.Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]));
            Assert.All(saved, l => Assert.Matches(@": peak working set [\d,]+ MB$", l));
        }
        finally
        {
            Environment.SetEnvironmentVariable(BenchmarkConfig.MeasurementsVariable, null);
            if (Directory.Exists(measurements))
            {
                Directory.Delete(measurements, recursive: true);
            }
        }
    }

    [Fact]
    public void AllSucceeded_BenchmarkThrows_False()
    {
        var (summaries, _) = RunOnce([typeof(ThrowingBenchmark)], []);

        Assert.Single(summaries.SelectMany(s => s.Reports));
        Assert.False(BenchmarkConfig.AllSucceeded(summaries));
    }

    [Fact]
    public void TakeOption_Deals_EverySizedClassRunsAtTheGivenSizes()
    {
        try
        {
            var rest = BenchmarkSizes.TakeOption(["--filter", "*Storage*", BenchmarkSizes.Option, "10000,20000", "--job", "short"], out var error);

            Assert.Null(error);
            Assert.Equal(["--filter", "*Storage*", "--job", "short"], rest);
            var cases = BenchmarkMethods().Select(m => m.DeclaringType!).Distinct()
                .SelectMany(t => BenchmarkConverter.TypeToBenchmarks(t, BenchmarkConfig.Create()).BenchmarksCases)
                .Where(c => c.HasParameters)
                .ToList();
            // The storage (agenda included), import, analytics and process classes all take a number of deals.
            Assert.Contains(cases, c => c.Descriptor.Type == typeof(StorageBulkInsertBenchmarks));
            Assert.Contains(cases, c => c.Descriptor.Type == typeof(StorageSnapshotFunnelBenchmarks));
            Assert.Contains(cases, c => c.Descriptor.Type == typeof(StoragePassBenchmarks));
            Assert.Contains(cases, c => c.Descriptor.Type == typeof(StorageAgendaBenchmarks));
            Assert.Contains(cases, c => c.Descriptor.Type == typeof(ImportBenchmarks));
            Assert.Contains(cases, c => c.Descriptor.Type == typeof(ProcessWhyNotBenchmarks));
            Assert.All(cases, c => Assert.Contains(Assert.Single(c.Parameters.Items).Value, new object[] { 10_000, 20_000 }));
        }
        finally
        {
            BenchmarkSizes.Override = null;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("ten")]
    [InlineData("10000,")]
    public void TakeOption_DealsNotWholeNumbers_ErrorNamesTheOption(string value)
    {
        var args = value.Length == 0 ? new[] { BenchmarkSizes.Option } : [BenchmarkSizes.Option, value];

        BenchmarkSizes.TakeOption(args, out var error);

        Assert.NotNull(error);
        Assert.Contains(BenchmarkSizes.Option, error, StringComparison.Ordinal);
        Assert.Null(BenchmarkSizes.Override);
    }

    [Fact]
    public void BenchmarkClasses_EachHasOneBaseline()
    {
        var classes = BenchmarkMethods().GroupBy(m => m.DeclaringType!).ToList();

        Assert.NotEmpty(classes);
        Assert.All(classes, c => Assert.Single(c, m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline));
    }

    [Fact]
    public void Create_Config_MeasuresAllocationsAndWritesGitHubMarkdown()
    {
        var config = BenchmarkConfig.Create();

        Assert.Contains(config.GetDiagnosers(), d => d is MemoryDiagnoser);
        Assert.Contains(MarkdownExporter.GitHub, config.GetExporters());
    }

    /// <summary>
    /// Runs every benchmark of <paramref name="types"/> once, cold, in this process, in one BenchmarkDotNet run, with the
    /// program's command-line options <paramref name="args"/> applied (the jobs classes declare are replaced: nothing is measured).
    /// </summary>
    private static (Summary[] Summaries, string Log) RunOnce(Type[] types, string[] args)
    {
        var log = new AccumulationLogger();
        var artifacts = Path.Combine(Path.GetTempPath(), $"salespipeline-benchmark-smoke-{Guid.NewGuid():N}");
        var dry = Job.Dry.WithWarmupCount(0).WithToolchain(new InProcessEmitToolchain(logOutput: true)).Freeze();
        var config = ManualConfig.CreateEmpty()
            .AddJob(dry)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(log)
            .WithArtifactsPath(artifacts)
            // Nothing is measured, so the build configuration of the referenced projects does not matter.
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        try
        {
            Assert.Empty(BenchmarkSizes.TakeOption(args, out var error));
            Assert.Null(error);
            var runs = types.Select(t => BenchmarkConverter.TypeToBenchmarks(t, config)).Select(info => new BenchmarkRunInfo(
                [
                    .. info.BenchmarksCases
                        .DistinctBy(c => (c.Descriptor.WorkloadMethod, c.Parameters.DisplayInfo))
                        .Select(c => BenchmarkCase.Create(c.Descriptor, dry, c.Parameters, c.Config)),
                ],
                info.Type,
                info.Config));
            return (BenchmarkRunner.Run([.. runs]), log.GetLog());
        }
        finally
        {
            BenchmarkSizes.Override = null;
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }

    private static IEnumerable<MethodInfo> BenchmarkMethods() =>
        BenchmarkAssembly.GetExportedTypes()
            .Where(t => !t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);

    /// <summary>A benchmark that fails, to show that a failed report fails the run.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "BenchmarkDotNet runs instance methods.")]
    public class ThrowingBenchmark
    {
        /// <summary>Throws.</summary>
        /// <returns>Nothing; it throws.</returns>
        [Benchmark(Baseline = true)]
        public int Throw() => throw new InvalidOperationException("This benchmark fails on purpose.");
    }
}
