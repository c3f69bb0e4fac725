using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Agendas;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Sqlite;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// One salesperson's agenda for a week over 10^6 stored deals (the <see cref="Deals"/> parameter; 50 owners, so about 20,000
/// deals each) in SQLite: <see cref="AgendaService.GetAsync"/> over the SQLite agenda store against raw ADO.NET running the
/// very same statements with the same parameters and reading their rows. Every open deal has an agreed next contact within
/// 60 days either side of the agenda's instant, and every third a planned meeting or task.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class StorageAgendaBenchmarks
{
    /// <summary>The agenda's instant: the end of the year the deals were created in.</summary>
    private static readonly Instant AsOf = StorageBenchmarkData.Start + Duration.FromDays(365);

    private static readonly UserId Owner = new("rep-07");

    private static readonly LocalDate Today = AsOf.InUtc().Date;

    private SqliteDatabase? _database;
    private RelationalAgendaStore? _store;
    private AgendaService? _service;
    private AgendaSelection? _selection;

    /// <summary>Gets the deal counts to run at: 10^6 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(1_000_000);

    /// <summary>Gets or sets the number of stored deals.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = StorageBenchmarkData.ReadOnlyStore("agenda", Deals, WithFollowUps);
        _store = new RelationalAgendaStore(new SqliteDialect(_database));
        _service = new AgendaService(_store, new InMemoryStore(), PipelineCatalog.DefaultOnly, new FixedClock(AsOf), new AccessOptions { SkipAccessChecks = true });
        var end = Today.PlusDays(7).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        _selection = new AgendaSelection(
            [Owner],
            end,
            Today,
            Today.PlusDays(6),
            [.. PipelineDefinition.Default.Stages.Where(s => s.StaleAfter is not null).Select(s => new StaleCutoff(PipelineDefinition.Default.Id, s.Id, AsOf - s.StaleAfter!.Value))]);
    }

    [GlobalCleanup]
    public void Cleanup() => SqliteConnection.ClearAllPools();

    /// <summary>Raw ADO.NET: the store's five statements with the same parameters, in one read transaction, rows read into tuples.</summary>
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

        using var transaction = connection.BeginTransaction(deferred: true);
        var rows = 0;
        rows += Read(connection, transaction, _store!.PlannedSql(), r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetInt64(7), r.IsDBNull(8) ? (long?)null : r.GetInt64(8), r.GetInt64(9)));
        rows += Read(connection, transaction, _store.NextContactsSql(), Deal);
        rows += Read(connection, transaction, _store.StaleSql(_selection!.Stale.Count), Deal);
        rows += Read(connection, transaction, _store.ClosingSql(), Deal);
        rows += Read(connection, transaction, _store.OpenByStageSql(), r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4)));
        transaction.Commit();
        return rows;
    }

    /// <summary>The agenda service: the store's queries through Dapper, mapped to domain values, then arranged by day.</summary>
    [Benchmark]
    public async Task<int> AgendaServiceAsync()
    {
        var agenda = await _service!.GetAsync(new AgendaRequest(Today, Today.PlusDays(6), Owner), Owner);
        return agenda.Overdue.Count + agenda.Upcoming.Count + agenda.Stale.Count + agenda.OpenByStage.Count;
    }

    private static (string, string, string, string, string, string, long, string, long?, long) Deal(SqliteDataReader r) =>
        (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.GetInt64(9));

    /// <summary>Open deals get a next contact within 60 days either side of <see cref="AsOf"/>; every third a planned meeting or task too.</summary>
    private static IEnumerable<OpportunityState> WithFollowUps(IEnumerable<OpportunityState> deals)
    {
        var random = new Random(7);
        foreach (var deal in deals)
        {
            if (deal.Outcome is not null)
            {
                yield return deal;
                continue;
            }

            var touched = deal.History[^1].At;
            var next = AsOf + Duration.FromMinutes(random.Next(-60 * 1440, 60 * 1440));
            IReadOnlyList<Activity> activities = random.Next(3) == 0
                ? [new Activity(new ActivityId(Guid.NewGuid()), random.Next(2) == 0 ? ActivityKind.Meeting : ActivityKind.Task, "Follow-up", deal.Owner, touched, null, AsOf + Duration.FromMinutes(random.Next(-30 * 1440, 30 * 1440)), false)]
                : [];
            yield return deal with { NextContact = next, Activities = activities };
        }
    }

    private int Read<T>(SqliteConnection connection, SqliteTransaction transaction, string sql, Func<SqliteDataReader, T> row)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql.Replace("IN @Owners", "IN ($Owners0)", StringComparison.Ordinal).Replace("@", "$", StringComparison.Ordinal);
        command.Parameters.AddWithValue("$Owners0", Owner.Value);
        command.Parameters.AddWithValue("$DueBefore", Micros.Ceiling(_selection!.DueBefore));
        command.Parameters.AddWithValue("$CloseFrom", IsoDate.Format(_selection.CloseFrom));
        command.Parameters.AddWithValue("$CloseTo", IsoDate.Format(_selection.CloseTo));
        for (var i = 0; i < _selection.Stale.Count; i++)
        {
            var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue("$Pipeline" + n, _selection.Stale[i].Pipeline.Value);
            command.Parameters.AddWithValue("$Stage" + n, _selection.Stale[i].Stage.Value);
            command.Parameters.AddWithValue("$Before" + n, Micros.Ceiling(_selection.Stale[i].TouchedBefore));
        }

        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(row(reader));
        }

        return rows.Count;
    }

    /// <summary>A clock stopped at one instant.</summary>
    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
