using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Postgres;
using SalesPipeline.Storage.Sqlite;
using SalesPipeline.Tests.Worker.Cli;
using SalesPipeline.Tests.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Storage.Migrations;

/// <summary>
/// The index migrations (0008 from schema version 7, 0010 from 9, 0011 from 10, which also keeps the stage a lost deal was
/// lost at on the deal) on a database holding a demo's data (deals with their
/// histories, activities and offers, accounts, documents, people, leads): the database upgrades in place, and every record
/// and every figure of the report reads back exactly as from the same data written at the latest schema.
/// </summary>
public sealed class HistoryIndexMigrationTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task Migrate_SqliteAtAnEarlierVersionWithData_UpgradesInPlaceAndEveryFigureReadsBackTheSame(int previous)
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-migrate-").FullName;
        try
        {
            var source = Path.Combine(folder, "source.db");
            var target = Path.Combine(folder, "old.db");
            await DemoAsync(["--db", source], folder);

            // A file made before new files got 16 KiB pages: it keeps SQLite's default of 4 KiB through the upgrade.
            await using (var connection = new SqliteConnection($"Data Source={target}"))
            {
                await connection.OpenAsync();
                await connection.ExecuteAsync("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL");
            }

            using (var database = new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={target}" }))
            {
                await OlderSchema.ApplyUpToAsync(database, previous);
            }

            await using (var connection = new SqliteConnection($"Data Source={target}"))
            {
                await connection.OpenAsync();
                await connection.ExecuteAsync("PRAGMA foreign_keys = OFF");
                await connection.ExecuteAsync("ATTACH DATABASE @File AS source", new { File = source });
                foreach (var table in await connection.QueryAsync<string>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name <> 'schema_version'"))
                {
                    var columns = string.Join(", ", await connection.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}')"));
                    await connection.ExecuteAsync($"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM source.{table}");
                }

                await connection.ExecuteAsync("DETACH DATABASE source");
            }

            SqliteConnection.ClearAllPools();
            await CheckUpgradedAsync(MigrationScripts.Sqlite, previous, b => b.UseSqlite($"Data Source={source}"), b => b.UseSqlite($"Data Source={target}"));
            await using (var connection = new SqliteConnection($"Data Source={target}"))
            {
                await connection.OpenAsync();
                Assert.Equal(4096L, await connection.ExecuteScalarAsync<long>("PRAGMA page_size"));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task Migrate_PostgresAtAnEarlierVersionWithData_UpgradesInPlaceAndEveryFigureReadsBackTheSame(int previous)
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-migrate-").FullName;
        var (sourceConnection, sourceName) = await PostgresStoreFixture.CreateDatabaseAsync();
        var (targetConnection, targetName) = await PostgresStoreFixture.CreateDatabaseAsync();
        try
        {
            await DemoAsync(["--provider", "postgres", "--db", sourceConnection], folder);
            using (var database = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = targetConnection }))
            {
                await OlderSchema.ApplyUpToAsync(database, previous);
            }

            await using (var connection = new NpgsqlConnection(targetConnection))
            {
                await connection.OpenAsync();
                await using var from = new NpgsqlConnection(sourceConnection);
                await from.OpenAsync();

                // Table by table, each after the tables its foreign keys refer to.
                var tables = (await connection.QueryAsync<string>(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'")).ToList();
                var references = (await connection.QueryAsync<Reference>(
                    "SELECT conrelid::regclass::text AS Child, confrelid::regclass::text AS Parent FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid")).ToList();
                var copied = new List<string>();
                while (copied.Count < tables.Count)
                {
                    var table = tables.First(t => !copied.Contains(t) && references.Where(r => r.Child == t).All(r => copied.Contains(r.Parent)));
                    var columns = string.Join(", ", await connection.QueryAsync<string>(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @Table ORDER BY ordinal_position", new { Table = table }));
                    await using (var reader = await from.BeginRawBinaryCopyAsync($"COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT BINARY)"))
                    await using (var writer = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"))
                    {
                        await reader.CopyToAsync(writer);
                    }

                    copied.Add(table);
                }
            }

            NpgsqlConnection.ClearAllPools();
            await CheckUpgradedAsync(MigrationScripts.Postgres, previous, b => b.UsePostgres(sourceConnection), b => b.UsePostgres(targetConnection));
        }
        finally
        {
            await PostgresStoreFixture.DropDatabaseAsync(sourceName);
            await PostgresStoreFixture.DropDatabaseAsync(targetName);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A foreign key: <see cref="Child"/> refers to <see cref="Parent"/>.</summary>
    private sealed record Reference(string Child, string Parent);

    /// <summary>A demo store at the latest schema: deals driven through the process, accounts, offers as documents, people and leads.</summary>
    private static async Task DemoAsync(string[] store, string folder)
    {
        var demo = await CliRunner.RunAsync([.. store, "demo", "--deals", "250", "--seed", "8", "--out", Path.Combine(folder, "reports")]);
        Assert.True(demo.ExitCode == 0, demo.ToString());
    }

    private static async Task CheckUpgradedAsync(string provider, int previous, Action<DependencyInjection.SalesPipelineBuilder> latest, Action<DependencyInjection.SalesPipelineBuilder> upgraded)
    {
        await using var written = Services(latest);
        await using var migrated = Services(upgraded);
        var result = await migrated.GetRequiredService<IDatabaseMigrator>().MigrateAsync(CancellationToken.None);
        Assert.Equal((previous, MigrationScripts.Latest(provider), MigrationScripts.For(provider).Count(s => s.Version > previous)), (result.FromVersion, result.ToVersion, result.ScriptsApplied));

        var expected = await EverythingAsync(written);
        var actual = await EverythingAsync(migrated);

        // The demo wrote something of every kind, so an empty read cannot pass for an equal one.
        Assert.All(expected, part => Assert.NotEmpty(part.Value));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (part, lines) in expected)
        {
            Assert.True(lines.SequenceEqual(actual[part]), $"{part} differs after the upgrade.");
        }
    }

    private static ServiceProvider Services(Action<DependencyInjection.SalesPipelineBuilder> storage)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(CliRunner.Now));
        storage(services.AddSalesPipeline());
        return services.BuildServiceProvider();
    }

    /// <summary>Every record and figure the stores give back, as text per part, in a fixed order.</summary>
    private static async Task<SortedDictionary<string, List<string>>> EverythingAsync(ServiceProvider services)
    {
        var deals = new List<OpportunityState>();
        await foreach (var deal in services.GetRequiredService<IOpportunityStore>().QueryAsync(OpportunityQuery.All))
        {
            deals.Add(deal);
        }

        deals.Sort((a, b) => a.Id.Value.CompareTo(b.Id.Value));
        var accounts = new List<string>();
        await foreach (var account in services.GetRequiredService<IAccountStore>().ListAsync())
        {
            accounts.Add($"{account.Id} {account.Name} {account.Segment} {account.CreatedAt} {account.CreatedBy} {account.Version} {string.Join(" | ", account.Contacts)}");
        }

        var documents = services.GetRequiredService<IDocumentStore>();
        var stored = await documents.ListAsync();
        var contents = new List<string>();
        foreach (var document in stored)
        {
            contents.Add($"{document.Id} {Convert.ToHexString(await documents.ReadContentAsync(document.Id) ?? [])}");
        }

        var request = new ReportRequest(PipelineDefinition.Default, new LocalDate(2026, 7, 1), new LocalDate(2026, 9, 30), DateTimeZone.Utc, null, "en", ReportKind.All, 5_000);
        var report = await new ReportBuilder(
            services.GetRequiredService<IPipelineAggregates>(),
            services.GetRequiredService<IAccountStore>(),
            new FakeClock(CliRunner.Now),
            services.GetRequiredService<IConsistentReads>()).BuildAsync(request, CancellationToken.None);

        return new SortedDictionary<string, List<string>>(StringComparer.Ordinal)
        {
            ["deals"] = [.. deals.Select(d => (d with { History = [], Activities = [], Offers = [] }).ToString())],
            ["histories"] = [.. deals.SelectMany(d => d.History.Select((h, i) => $"{d.Id} {i} {h}"))],
            ["activities"] = [.. deals.SelectMany(d => d.Activities.Select((a, i) => $"{d.Id} {i} {a}"))],
            ["offers"] = [.. deals.SelectMany(d => d.Offers.Select((o, i) => $"{d.Id} {i} {o}"))],
            ["accounts"] = [.. accounts.Order(StringComparer.Ordinal)],
            ["documents"] = [.. stored.Select(d => (d with { Groups = [] }).ToString() + " " + string.Join(",", d.Groups)), .. contents],
            ["attachments"] = [.. (await documents.AttachmentsAsync()).Select(a => a.ToString())],
            ["people"] = [.. (await services.GetRequiredService<IPersonStore>().ListAsync()).Select(p => p.ToString() + " " + string.Join(",", p.Groups))],
            ["leads"] = [.. (await services.GetRequiredService<ILeadStore>().QueryAsync(new LeadQuery())).Select(l => (l with { History = [] }).ToString() + " " + string.Join(" | ", l.History))],
            ["report figures"] = [.. ReportBuilderConsistencyTests.Figures(report).Split('\n')],
        };
    }
}
