using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// A canonical CSV export of 10^5 and 10^6 deals (<see cref="ImportCsvFile"/>: <c>entered_*</c> stage dates, about 2.5 history rows per deal) into an
/// empty SQLite file: the importer (CsvHelper parsing, every row validated and rebuilt as an opportunity with its history, one
/// import session) against the baseline, the <c>sqlite3</c> command line's own <c>.import</c> of the same file into a plain
/// table (one TEXT column per field, no keys, no indexes), and beside them a raw loop that splits the same lines and runs the
/// same INSERTs through prepared commands into the real schema, with no checks, in one transaction, with the same time-ordered
/// ids and page cache as the session. Target: the importer's Ratio ≤ 3. Memory must not grow with the file: compare Allocated
/// per row, and the peak working set each .NET case prints at its end and saves to <c>import-memory-ROWS.txt</c> (each case
/// runs in its own process).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ImportBenchmarks : IDisposable
{
    private static readonly UserId Importer = new("benchmark");
    private string _csv = string.Empty;
    private string _db = string.Empty;
    private string _plain = string.Empty;
    private SqliteDatabase? _database;

    /// <summary>Gets the row counts to run at: 10^5 and 10^6 in the committed results, <c>--deals</c> replaces them.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(100_000, 1_000_000);

    /// <summary>Gets or sets the number of rows (one deal each) in the file.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Rows { get; set; }

    [GlobalSetup]
    public void WriteFile()
    {
        _csv = Path.Combine(Path.GetTempPath(), $"salespipeline-import-{Environment.ProcessId}.csv");
        _db = Path.Combine(Path.GetTempPath(), $"salespipeline-import-{Environment.ProcessId}.db");
        _plain = Path.Combine(Path.GetTempPath(), $"salespipeline-import-{Environment.ProcessId}-plain.db");
        ImportCsvFile.Write(_csv, Rows);
    }

    [IterationSetup]
    public void EmptyDatabase()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _db, _db + "-wal", _db + "-shm", _plain })
        {
            File.Delete(file);
        }

        _database?.Dispose();
        _database = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={_db}" });
        _database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup(Target = nameof(Sqlite3DotImport))]
    public void CleanupSqlite3() => Cleanup(nameof(Sqlite3DotImport));

    [GlobalCleanup(Target = nameof(RawSplitAndPreparedInserts))]
    public void CleanupRawLoop() => Cleanup(nameof(RawSplitAndPreparedInserts));

    [GlobalCleanup(Target = nameof(CsvImporterIntoSqlite))]
    public void CleanupImporter() => Cleanup(nameof(CsvImporterIntoSqlite));

    private void Cleanup(string benchmark)
    {
        // A flat memory profile means this stays about the same for 10^5 and 10^6 rows. The line goes to the run's log and
        // to import-memory-ROWS.txt beside the reports, the file committed with them.
        // The baseline's process only starts sqlite3, whose memory is not the subject.
        if (benchmark != nameof(Sqlite3DotImport))
        {
            var peak = string.Create(CultureInfo.InvariantCulture, $"peak working set {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MB");
            Console.WriteLine($"// {benchmark} with {Rows:N0} rows: {peak}");
            BenchmarkConfig.SaveMeasurement(string.Create(CultureInfo.InvariantCulture, $"import-memory-{Rows}.txt"), benchmark, peak);
        }

        Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _csv, _db, _db + "-wal", _db + "-shm", _plain })
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        _database?.Dispose();
        _database = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The floor: the <c>sqlite3</c> command line (on PATH; the Debian package <c>sqlite3</c>) importing the file with
    /// <c>.import --csv</c> into a new plain table of a new file, in one transaction, as it does by default.
    /// </summary>
    [Benchmark(Baseline = true)]
    public long Sqlite3DotImport()
    {
        var start = new System.Diagnostics.ProcessStartInfo("sqlite3") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_plain);
        start.ArgumentList.Add($".import --csv {_csv} deals");
        using var sqlite3 = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException("Could not start sqlite3; install the Debian package sqlite3.");
        var errors = sqlite3.StandardError.ReadToEnd();
        sqlite3.WaitForExit();
        if (sqlite3.ExitCode != 0 || errors.Length > 0)
        {
            throw new InvalidOperationException($"sqlite3 .import exited with {sqlite3.ExitCode}: {errors}");
        }

        return new FileInfo(_plain).Length;
    }

    /// <summary>The raw loop: split each line, convert, INSERT the deal and its history rows; no quoting rules, no checks.</summary>
    [Benchmark]
    public long RawSplitAndPreparedInserts()
    {
        using var connection = new SqliteConnection(_database!.ConnectionString);
        connection.Open();

        // The page cache and foreign-key setting the import session uses, so the two sides differ only in what the importer
        // does per row.
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = $"PRAGMA cache_size = -{SqliteBulkImport.CacheKibibytes}; PRAGMA foreign_keys = OFF";
            pragma.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var deal = Prepare(connection, transaction, BulkCommand.InsertSql("opportunities", ImportRows.OpportunityColumns(new SqliteDialect(_database!)), " ON CONFLICT (id) DO NOTHING"), 29);
        using var change = Prepare(connection, transaction, BulkCommand.InsertSql("stage_changes", ImportRows.StageChangeColumns), 8);
        using var reader = new StreamReader(_csv);
        reader.ReadLine();
        long rows = 0;
        string? line;
        string[] stages = ["identification", "qualification", "offer", "negotiation"];
        while ((line = reader.ReadLine()) is not null)
        {
            // The file's only quoted field is a name with a comma; the floor handles just that case.
            var f = line.Contains('"', StringComparison.Ordinal) ? SplitQuoted(line) : line.Split(',');
            // Time-ordered ids, as the importer makes them: the floor writes the same rows in the same index order.
            var id = Guid.CreateVersion7().ToString("D");
            var created = Micros(f[7]);
            var closed = f[9].Length > 0 ? Micros(f[9]) : (long?)null;
            var p = deal.Parameters;
            p[0].Value = id;
            p[1].Value = "new-business";
            p[2].Value = f[1];
            p[3].Value = f[6];
            p[4].Value = (long)(decimal.Parse(f[5], CultureInfo.InvariantCulture) * 100m);
            p[5].Value = f[8];
            p[6].Value = DBNull.Value;
            p[7].Value = f[3];
            p[8].Value = f[4];
            p[9].Value = DBNull.Value;
            p[10].Value = DBNull.Value;
            p[11].Value = 0;
            for (var k = 12; k <= 16; k++)
            {
                p[k].Value = DBNull.Value;
            }

            p[17].Value = closed is null ? DBNull.Value : f[4];
            p[18].Value = f[11].Length > 0 ? f[11] : DBNull.Value;
            p[19].Value = DBNull.Value;
            p[20].Value = closed is { } c ? c : DBNull.Value;
            p[21].Value = created;
            p[22].Value = Importer.Value;
            p[23].Value = closed ?? created;
            p[24].Value = Importer.Value;
            p[25].Value = f[0];
            p[26].Value = 1;
            p[27].Value = closed ?? created;

            // The stage lost at: the last one the history below enters before the lost stage.
            var reached = 0;
            while (reached < 3 && f[13 + reached].Length > 0)
            {
                reached++;
            }

            p[28].Value = closed is not null && f[4] == "lost" ? stages[reached] : DBNull.Value;
            rows += deal.ExecuteNonQuery();

            var seq = 0;
            string? from = null;
            void Change(string to, long at)
            {
                var h = change.Parameters;
                h[0].Value = id;
                h[1].Value = seq++;
                h[2].Value = (object?)from ?? DBNull.Value;
                h[3].Value = to;
                h[4].Value = at;
                h[5].Value = Importer.Value;
                h[6].Value = "imported";
                h[7].Value = DBNull.Value;
                rows += change.ExecuteNonQuery();
                from = to;
            }

            Change(stages[0], created);
            for (var s = 0; s < 3 && f[13 + s].Length > 0; s++)
            {
                Change(stages[s + 1], Micros(f[13 + s]));
            }

            if (closed is { } closedAt)
            {
                Change(f[4], closedAt);
            }
        }

        transaction.Commit();
        return rows;
    }

    /// <summary>The product: <see cref="CsvImporter"/> reading the file and writing through the SQLite store's import session.</summary>
    [Benchmark]
    public async Task<long> CsvImporterIntoSqlite()
    {
        await using var file = new FileStream(_csv, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var result = await CsvImporter.ImportAsync(
            file, ImportMapping.Canonical, PipelineDefinition.Default, SqliteBulkImport.Target(_database!), new ImportOptions(), Importer, SystemClock.Instance);
        return result.Imported == Rows && result.Committed
            ? result.Imported
            : throw new InvalidOperationException($"Imported {result.Imported} of {Rows} rows: {string.Join("; ", result.Errors)}");
    }

    private static long Micros(string isoDate) =>
        NodaTime.Text.LocalDatePattern.Iso.Parse(isoDate).Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant().ToUnixTimeTicks() / 10;

    private static string[] SplitQuoted(string line)
    {
        var open = line.IndexOf('"', StringComparison.Ordinal);
        var close = line.IndexOf('"', open + 1);
        var head = line[..open].Split(',');
        var tail = line[(close + 2)..].Split(',');
        return [.. head[..^1], line[(open + 1)..close], .. tail];
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
