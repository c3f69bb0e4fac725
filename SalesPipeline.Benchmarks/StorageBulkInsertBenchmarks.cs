using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// Loading 10^6 deals (the <see cref="Deals"/> parameter) with their history (about 2.5 history rows per deal) into an empty SQLite file in one transaction:
/// the store's import session against hand-written prepared commands doing the same conversions and inserts.
/// Each invocation is seconds long, so a few monitored iterations suffice.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class StorageBulkInsertBenchmarks
{
    private OpportunityState[] _deals = [];
    private string _path = string.Empty;
    private SqliteDatabase? _database;

    /// <summary>Gets the deal counts to run at: 10^6 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(1_000_000);

    /// <summary>Gets or sets the number of deals loaded per invocation.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _deals = StorageBenchmarkData.Deals(Deals);
        _path = Path.Combine(Path.GetTempPath(), $"salespipeline-bulk-{Environment.ProcessId}.db");
    }

    [IterationSetup]
    public void EmptyDatabase() => _database = StorageBenchmarkData.NewDatabase(_path);

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>Raw ADO.NET: two prepared commands, parameters re-bound per row, one transaction.</summary>
    [Benchmark(Baseline = true)]
    public long RawPreparedCommands()
    {
        using var connection = new SqliteConnection(_database!.ConnectionString);
        connection.Open();
        using (var settings = connection.CreateCommand())
        {
            // The same page cache and foreign-key setting the store's import session uses.
            settings.CommandText = $"PRAGMA cache_size = -{SqliteBulkImport.CacheKibibytes}; PRAGMA foreign_keys = OFF";
            settings.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var deal = Prepare(connection, transaction, BulkCommand.InsertSql("opportunities", ImportRows.OpportunityColumns(new SqliteDialect(_database!)), " ON CONFLICT (id) DO NOTHING"), 29);
        using var change = Prepare(connection, transaction, BulkCommand.InsertSql("stage_changes", ImportRows.StageChangeColumns), 8);
        long rows = 0;
        foreach (var s in _deals)
        {
            var id = s.Id.Value.ToString("D");
            var p = deal.Parameters;
            p[0].Value = id;
            p[1].Value = s.PipelineId.Value;
            p[2].Value = s.Name;
            p[3].Value = s.Value.Currency;
            p[4].Value = (long)(s.Value.Amount * 100m);
            p[5].Value = s.ExpectedClose.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            p[6].Value = DBNull.Value;
            p[7].Value = s.Owner.Value;
            p[8].Value = s.Stage.Value;
            p[9].Value = s.ProbabilityOverride is { } probability ? probability : DBNull.Value;
            p[10].Value = DBNull.Value;
            p[11].Value = 0;
            p[12].Value = DBNull.Value;
            p[13].Value = DBNull.Value;
            p[14].Value = DBNull.Value;
            p[15].Value = DBNull.Value;
            p[16].Value = DBNull.Value;
            p[17].Value = s.Outcome is { } outcome ? (outcome.Kind == OutcomeKind.Won ? "won" : "lost") : DBNull.Value;
            p[18].Value = (object?)s.Outcome?.Reason ?? DBNull.Value;
            p[19].Value = (object?)s.Outcome?.Comment ?? DBNull.Value;
            p[20].Value = s.Outcome is { } closed ? closed.ClosedAt.ToUnixTimeTicks() / 10 : DBNull.Value;
            p[21].Value = s.CreatedAt.ToUnixTimeTicks() / 10;
            p[22].Value = s.CreatedBy.Value;
            p[23].Value = s.LastChangedAt.ToUnixTimeTicks() / 10;
            p[24].Value = s.LastChangedBy.Value;
            p[25].Value = (object?)s.ExternalId ?? DBNull.Value;
            p[26].Value = 1;
            p[27].Value = s.Touched.ToUnixTimeTicks() / 10;
            p[28].Value = s.StageLostAt is { } lostAt ? lostAt.Value : DBNull.Value;
            rows += deal.ExecuteNonQuery();
            for (var i = 0; i < s.History.Count; i++)
            {
                var h = s.History[i];
                var c = change.Parameters;
                c[0].Value = id;
                c[1].Value = i;
                c[2].Value = (object?)h.From?.Value ?? DBNull.Value;
                c[3].Value = h.To.Value;
                c[4].Value = h.At.ToUnixTimeTicks() / 10;
                c[5].Value = h.By.Value;
                c[6].Value = "imported";
                c[7].Value = (object?)h.Comment ?? DBNull.Value;
                rows += change.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return rows;
    }

    /// <summary>The store's bulk API: an import session fed in batches of 10,000, committed once.</summary>
    [Benchmark]
    public async Task<int> ImportSession()
    {
        var target = SqliteBulkImport.Target(_database!);
        var session = await target.BeginImportAsync();
        await using (session)
        {
            foreach (var batch in _deals.Chunk(10_000))
            {
                await session.AddAsync(batch);
            }

            await session.CommitAsync();
        }

        return _deals.Length;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter("$" + i.ToString(CultureInfo.InvariantCulture), null));
        }

        command.Prepare();
        return command;
    }
}
