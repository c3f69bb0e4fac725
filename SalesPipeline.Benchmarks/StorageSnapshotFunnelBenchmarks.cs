using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// The snapshot funnel over 10^6 stored deals (the <see cref="Deals"/> parameter; about 2.5 history rows per deal) in SQLite: the store's
/// <see cref="IPipelineAggregates.SnapshotAsync"/> against raw ADO.NET running the very same SQL and reading its rows.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class StorageSnapshotFunnelBenchmarks
{
    private static readonly Instant AsOf = StorageBenchmarkData.Start + Duration.FromDays(200);
    private SqliteDatabase? _database;
    private RelationalPipelineAggregates? _aggregates;

    /// <summary>Gets the deal counts to run at: 10^6 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(1_000_000);

    /// <summary>Gets or sets the number of stored deals.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = StorageBenchmarkData.ReadOnlyStore("funnel", Deals);
        _aggregates = new RelationalPipelineAggregates(new SqliteDialect(_database));
    }

    [GlobalCleanup]
    public void Cleanup() => SqliteConnection.ClearAllPools();

    /// <summary>Raw ADO.NET: the same SQL text and parameters, rows read into tuples.</summary>
    [Benchmark(Baseline = true)]
    public int RawAdoNet()
    {
        using var connection = new SqliteConnection(_database!.ConnectionString);
        connection.Open();
        using (var settings = connection.CreateCommand())
        {
            // The same connection settings the store uses.
            settings.CommandText = $"PRAGMA mmap_size = {_database.MemoryMapSize}";
            settings.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = RelationalPipelineAggregates.SnapshotSql(new SqliteDialect(_database), owner: null).Replace("@", "$", StringComparison.Ordinal);
        command.Parameters.AddWithValue("$AsOf", AsOf.ToUnixTimeTicks() / 10);
        command.Parameters.AddWithValue("$Pipeline", PipelineDefinition.Default.Id.Value);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, long?, long, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return rows.Count;
    }

    /// <summary>The store: Dapper over the same SQL, then the exact weighted values per stage and currency.</summary>
    [Benchmark]
    public async Task<int> StoreSnapshotAsync() => (await _aggregates!.SnapshotAsync(PipelineDefinition.Default, AsOf)).Count;
}
