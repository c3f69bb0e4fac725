using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Benchmarks;

/// <summary>Deterministic deals with history for the storage benchmarks, and fresh SQLite files to load them into.</summary>
internal static class StorageBenchmarkData
{
    public static readonly Instant Start = Instant.FromUtc(2024, 1, 1, 8, 0);

    /// <summary>Raised whenever <see cref="Deals"/> or a shaping of it changes, so a kept <see cref="ReadOnlyStore"/> file is built again.</summary>
    private const int DataVersion = 1;

    private static readonly string[] Currencies = ["PLN", "EUR", "USD"];

    /// <summary>
    /// <paramref name="count"/> deals of the default pipeline with 1–5 history entries each (about 2.5 on average), a fifth
    /// of them closed, a tenth with a probability override; what a real pipeline's export looks like, without activities.
    /// </summary>
    public static OpportunityState[] Deals(int count)
    {
        var pipeline = PipelineDefinition.Default;
        var random = new Random(20_240_101);
        var owners = Enumerable.Range(0, 50).Select(i => new UserId($"rep-{i:00}")).ToArray();
        var open = pipeline.OpenStages;
        var deals = new OpportunityState[count];
        for (var i = 0; i < count; i++)
        {
            var owner = owners[random.Next(owners.Length)];
            var created = Start + Duration.FromSeconds(random.Next(0, 365 * 86_400)) + Duration.FromNanoseconds(random.Next(0, 1_000_000) * 1_000L);
            var at = created;
            var history = new List<StageChange> { new(null, open[0], at, owner, StageChangeKind.Imported) };
            var depth = random.Next(0, open.Count);
            for (var s = 1; s <= depth; s++)
            {
                at += Duration.FromHours(random.Next(1, 24 * 30));
                history.Add(new StageChange(open[s - 1], open[s], at, owner, StageChangeKind.Imported));
            }

            Outcome? outcome = null;
            if (random.Next(5) == 0)
            {
                at += Duration.FromHours(random.Next(1, 24 * 30));
                var won = random.Next(2) == 0;
                var to = won ? pipeline.WonStage : pipeline.LostStages[0];
                history.Add(new StageChange(history[^1].To, to, at, owner, StageChangeKind.Imported, won ? null : "Lost on price"));
                outcome = new Outcome(won ? OutcomeKind.Won : OutcomeKind.Lost, won ? null : "Price", won ? null : "Lost on price", at);
            }

            var currency = Currencies[random.Next(Currencies.Length)];
            deals[i] = new OpportunityState(
                new OpportunityId(new Guid(random.Next(), (short)random.Next(), (short)random.Next(), (byte)i, (byte)(i >> 8), (byte)(i >> 16), (byte)(i >> 24), 1, 2, 3, 4)),
                pipeline.Id,
                $"Deal {i}",
                Money.Of(random.Next(100, 50_000_000) / 100m, currency),
                new LocalDate(2024, 1, 1).PlusDays(random.Next(0, 700)),
                null,
                owner,
                history[^1].To,
                random.Next(10) == 0 ? random.Next(0, 101) : null,
                null,
                null,
                [],
                [],
                history,
                outcome,
                created,
                owner,
                at,
                owner,
                0,
                $"crm-{i}");
        }

        return deals;
    }

    /// <summary>
    /// A migrated, analysed SQLite file holding <see cref="Deals"/>(<paramref name="count"/>), passed through
    /// <paramref name="shape"/>, for the benchmarks that only read it. It is built once and kept in the temp folder under a
    /// name that says what it holds (kind, count, schema version, data version), so every benchmark process of a run, and
    /// the next run, opens the same file instead of loading the deals again; delete the <c>salespipeline-bench-*</c> files
    /// there to reclaim the space (about 1 GB at 10^6 deals).
    /// </summary>
    public static SqliteDatabase ReadOnlyStore(string kind, int count, Func<IEnumerable<OpportunityState>, IEnumerable<OpportunityState>>? shape = null)
    {
        var path = Path.Combine(
            Path.GetTempPath(),
            FormattableString.Invariant($"salespipeline-bench-{kind}-{count}-s{MigrationScripts.Latest(MigrationScripts.Sqlite)}-d{DataVersion}.db"));
        var ready = path + ".ready";
        if (File.Exists(ready))
        {
            return new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={path}", AutoMigrate = false });
        }

        var database = NewDatabase(path);
        var session = SqliteBulkImport.Target(database).BeginImportAsync().GetAwaiter().GetResult();
        IEnumerable<OpportunityState> deals = Deals(count);
        foreach (var batch in (shape?.Invoke(deals) ?? deals).Chunk(10_000))
        {
            session.AddAsync(batch).GetAwaiter().GetResult();
        }

        session.CommitAsync().GetAwaiter().GetResult();
        session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        using (var connection = new SqliteConnection(database.ConnectionString))
        {
            connection.Open();
            using var analyze = connection.CreateCommand();
            analyze.CommandText = "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)";
            analyze.ExecuteNonQuery();
        }

        File.WriteAllText(ready, path);
        return database;
    }

    /// <summary>Creates an empty, migrated SQLite database file (WAL mode) and returns it.</summary>
    public static SqliteDatabase NewDatabase(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        var database = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={path}" });
        database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        return database;
    }
}
