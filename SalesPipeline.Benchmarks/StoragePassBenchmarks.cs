using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// The streamed pass of <see cref="IPipelineAggregates.PassAsync"/> over 10^6 stored deals (the <see cref="Deals"/> parameter)
/// in SQLite, feeding an accumulator that keeps the first 5,000 deals a report's detail sheet shows (open at the as-of
/// instant, or closed in the quarter before it): the whole pass, as when the sheet counts the deals it leaves out, against
/// the pass that stops once the sheet is full.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StoragePassBenchmarks
{
    private const int DetailRows = 5_000;
    private static readonly Instant AsOf = StorageBenchmarkData.Start + Duration.FromDays(200);
    private static readonly Interval Quarter = new(AsOf - Duration.FromDays(91), AsOf);
    private RelationalPipelineAggregates? _aggregates;

    /// <summary>Gets the deal counts to run at: 10^6 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(1_000_000);

    /// <summary>Gets or sets the number of stored deals.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _aggregates = new RelationalPipelineAggregates(new SqliteDialect(StorageBenchmarkData.ReadOnlyStore("funnel", Deals)));

    [GlobalCleanup]
    public void Cleanup() => SqliteConnection.ClearAllPools();

    /// <summary>Every deal read: the sheet's rows kept, the deals beyond them counted.</summary>
    [Benchmark(Baseline = true)]
    public Task<long> WholePassAsync() => PassAsync(counts: true);

    /// <summary>The deals read until the sheet's rows are full.</summary>
    [Benchmark]
    public Task<long> BoundedPassAsync() => PassAsync(counts: false);

    private async Task<long> PassAsync(bool counts)
    {
        var rows = new DetailScope(PipelineDefinition.Default, counts);
        await _aggregates!.PassAsync(PipelineDefinition.Default, null, [rows]);
        return rows.Fed;
    }

    /// <summary>Counts the deals fed and those in the detail sheet's scope; complete at the row limit unless it counts them all.</summary>
    private sealed class DetailScope(PipelineDefinition pipeline, bool counts) : IDealAccumulator
    {
        private long _inScope;

        public long Fed { get; private set; }

        public bool IsComplete => !counts && _inScope >= DetailRows;

        public void Add(OpportunityState deal)
        {
            Fed++;
            if (PipelineAggregates.StageAt(deal, AsOf) is { } stage
                && (pipeline.Stage(stage).IsOpen || (deal.Outcome is { } outcome && Quarter.Contains(outcome.ClosedAt))))
            {
                _inScope++;
            }
        }
    }
}
