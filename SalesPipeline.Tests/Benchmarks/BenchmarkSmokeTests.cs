using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SalesPipeline.Benchmarks;
using Xunit;

namespace SalesPipeline.Tests.Benchmarks;

/// <summary>
/// The process benchmarks still run: each once, in this process, on few deals where the class lets the number of
/// deals vary, with no timing asserted. Every benchmark class keeps to the house rule of one baseline.
/// A benchmark that throws (or whose setup finds the two sides disagreeing) fails here rather than in a long run.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private const int SmokeDeals = 1_200;
    private static readonly Assembly BenchmarkAssembly = typeof(BenchmarkConfig).Assembly;
    private static readonly Type[] ProcessTypes = [typeof(ProcessBenchmarks), typeof(ProcessMoveBenchmarks)];

    [Fact]
    public void Run_ProcessBenchmarksOnceInProcess_EveryReportSucceeds()
    {
        var log = new AccumulationLogger();
        var artifacts = Path.Combine(Path.GetTempPath(), $"salespipeline-benchmark-smoke-{Guid.NewGuid():N}");
        var config = ManualConfig.CreateEmpty()
            // One cold invocation of each benchmark, in this process: enough to prove it runs; nothing is measured.
            .AddJob(Job.Dry.WithWarmupCount(0).WithToolchain(new InProcessEmitToolchain(logOutput: true)))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(log)
            .WithArtifactsPath(artifacts)
            // Nothing is measured, so the build configuration of the referenced projects does not matter.
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        try
        {
            var summaries = BenchmarkRunner.Run([.. ProcessTypes.Select(t => WithFewDeals(BenchmarkConverter.TypeToBenchmarks(t, config)))]);

            Assert.True(BenchmarkConfig.AllSucceeded(summaries), log.GetLog());
            var ran = summaries.SelectMany(s => s.Reports).Select(r => r.BenchmarkCase.Descriptor.WorkloadMethod).ToHashSet();
            Assert.All(BenchmarkMethods().Where(m => ProcessTypes.Contains(m.DeclaringType)), m => Assert.Contains(m, ran));
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
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

    /// <summary>Lowers the <c>Deals</c> parameter, where a class has one, to a size that runs in a moment.</summary>
    private static BenchmarkRunInfo WithFewDeals(BenchmarkRunInfo info) => new(
        [
            .. info.BenchmarksCases.Select(c => BenchmarkCase.Create(
                c.Descriptor,
                c.Job,
                new ParameterInstances([.. c.Parameters.Items.Select(p => p.Name == nameof(ProcessBenchmarks.Deals) ? new ParameterInstance(p.Definition, SmokeDeals, SummaryStyle.Default) : p)]),
                c.Config)),
        ],
        info.Type,
        info.Config);

    private static IEnumerable<MethodInfo> BenchmarkMethods() =>
        BenchmarkAssembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);
}
