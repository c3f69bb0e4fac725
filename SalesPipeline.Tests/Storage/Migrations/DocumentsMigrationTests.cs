using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Storage.Migrations;
using Xunit;

namespace SalesPipeline.Tests.Storage.Migrations;

/// <summary>
/// Migration 0006 on a database at schema version 5 holding offers as a title and a location: each offer becomes an
/// <c>offer</c> document holding its location, the deal refers to it, a title used twice becomes two versions, and the
/// deal's owner (not another salesperson) may read it.
/// </summary>
public sealed class DocumentsMigrationTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 2, 9, 0);
    private static readonly UserId Sam = new("sam");
    private static readonly UserId Tom = new("tom");

    /// <summary>The former offers: (deal, seq) → title and location, attached in this order.</summary>
    private static readonly (int Deal, int Seq, string Title, string Location)[] OldOffers =
    [
        (0, 0, "Offer 2026/114", "offers/2026-114.pdf"),
        (1, 0, "Offer 2026/114", "https://files.example/tom/114.pdf"),
        (1, 1, "Revised offer", @"\\server\offers\revised – 2.docx"),
    ];

    [Fact]
    public async Task Migrate_SqliteAtVersion5WithOffers_MovesEachOfferIntoADocumentItsDealRefersTo()
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-migrate-").FullName;
        try
        {
            var deals = Deals();
            var source = $"Data Source={Path.Combine(folder, "source.db")}";
            await using (var services = Services(b => b.UseSqlite(source)))
            {
                foreach (var deal in deals)
                {
                    await services.GetRequiredService<IOpportunityStore>().SaveAsync(deal.ToState());
                }
            }

            var target = Path.Combine(folder, "old.db");
            await using (var connection = new SqliteConnection($"Data Source={target}"))
            {
                await connection.OpenAsync();
                await ApplyUpToVersion5Async(connection, MigrationScripts.Sqlite);
                await connection.ExecuteAsync("ATTACH DATABASE @File AS source", new { File = Path.Combine(folder, "source.db") });
                foreach (var table in new[] { "opportunities", "stage_changes", "activities", "offers" })
                {
                    // Only the columns schema 5 has: later migrations add columns (the last touch, 0007).
                    var names = (await connection.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}')")).ToList();
                    var read = names.Select(n => table == "offers" && n == "location" ? "document_id" : n);
                    await connection.ExecuteAsync($"INSERT INTO main.{table} ({string.Join(", ", names)}) SELECT {string.Join(", ", read)} FROM source.{table}");
                }

                await connection.ExecuteAsync("DETACH DATABASE source");
                await SetLocationsAsync(connection, deals, id => id.ToString("D"));
            }

            SqliteConnection.ClearAllPools();
            await CheckMigratedAsync(MigrationScripts.Sqlite, b => b.UseSqlite($"Data Source={target}"), deals);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Migrate_PostgresAtVersion5WithOffers_MovesEachOfferIntoADocumentItsDealRefersTo()
    {
        var (sourceConnection, sourceName) = await PostgresStoreFixture.CreateDatabaseAsync();
        var (targetConnection, targetName) = await PostgresStoreFixture.CreateDatabaseAsync();
        try
        {
            var deals = Deals();
            await using (var services = Services(b => b.UsePostgres(sourceConnection)))
            {
                foreach (var deal in deals)
                {
                    await services.GetRequiredService<IOpportunityStore>().SaveAsync(deal.ToState());
                }
            }

            await using (var connection = new NpgsqlConnection(targetConnection))
            {
                await connection.OpenAsync();
                await ApplyUpToVersion5Async(connection, MigrationScripts.Postgres);
                await using var from = new NpgsqlConnection(sourceConnection);
                await from.OpenAsync();
                foreach (var table in new[] { "opportunities", "stage_changes", "activities", "offers" })
                {
                    // Only the columns schema 5 has: later migrations add columns (the last touch, 0007).
                    var names = (await connection.QueryAsync<string>(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @Table ORDER BY ordinal_position", new { Table = table })).ToList();
                    var columns = string.Join(", ", names);
                    var read = string.Join(", ", names.Select(n => table == "offers" && n == "location" ? "document_id" : n));
                    await using var reader = await from.BeginRawBinaryCopyAsync($"COPY (SELECT {read} FROM {table}) TO STDOUT (FORMAT BINARY)");
                    await using var writer = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)");
                    await reader.CopyToAsync(writer);
                }

                await SetLocationsAsync(connection, deals, id => id);
            }

            NpgsqlConnection.ClearAllPools();
            await CheckMigratedAsync(MigrationScripts.Postgres, b => b.UsePostgres(targetConnection), deals);
        }
        finally
        {
            await PostgresStoreFixture.DropDatabaseAsync(sourceName);
            await PostgresStoreFixture.DropDatabaseAsync(targetName);
        }
    }

    /// <summary>Sam's deal with one offer and Tom's with two, each in the Offer stage with the offers attached.</summary>
    private static List<Opportunity> Deals()
    {
        var at = T0;
        var deals = new List<Opportunity>();
        foreach (var owner in new[] { Sam, Tom })
        {
            var deal = Opportunity.Create(new NewOpportunity($"Deal of {owner}", Money.Of(1000m, "PLN"), null, new LocalDate(2026, 6, 30), owner), PipelineDefinition.Default, owner, at += Duration.FromMinutes(1));
            deal.LogActivity(NewActivity.Call("Intro"), owner, at += Duration.FromMinutes(1));
            deal.MoveTo(PipelineDefinition.Default, Stages.Qualification, owner, at += Duration.FromMinutes(1));
            deal.RecordQualification(new QualificationData("Needs", null, Money.Of(1000m, "PLN"), null), owner, at += Duration.FromMinutes(1));
            deal.MoveTo(PipelineDefinition.Default, Stages.Offer, owner, at += Duration.FromMinutes(1));
            deals.Add(deal);
        }

        foreach (var (deal, _, title, _) in OldOffers)
        {
            deals[deal].AttachOffer(DocumentId.New(), title, deals[deal].Owner, at += Duration.FromMinutes(1));
        }

        return deals;
    }

    private static ServiceProvider Services(Action<DependencyInjection.SalesPipelineBuilder> storage)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(T0 + Duration.FromDays(30)));
        storage(services.AddSalesPipeline());
        return services.BuildServiceProvider();
    }

    private static async Task ApplyUpToVersion5Async(DbConnection connection, string provider)
    {
        await connection.ExecuteAsync(provider == MigrationScripts.Sqlite
            ? "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            : "CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var script in MigrationScripts.For(provider).Where(s => s.Version <= 5))
        {
            await connection.ExecuteAsync(script.Sql);
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name });
        }
    }

    /// <summary>Writes the former locations where schema 5 kept them.</summary>
    private static async Task SetLocationsAsync<TId>(DbConnection connection, List<Opportunity> deals, Func<Guid, TId> id)
    {
        foreach (var (deal, seq, _, location) in OldOffers)
        {
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE offers SET location = @Location WHERE opportunity_id = @Id AND seq = @Seq", new { Location = location, Id = id(deals[deal].Id.Value), Seq = seq }));
        }
    }

    private static async Task CheckMigratedAsync(string provider, Action<DependencyInjection.SalesPipelineBuilder> storage, List<Opportunity> deals)
    {
        await using var services = Services(storage);
        var result = await services.GetRequiredService<IDatabaseMigrator>().MigrateAsync(CancellationToken.None);
        Assert.Equal((5, MigrationScripts.Latest(provider)), (result.FromVersion, result.ToVersion));
        var people = services.GetRequiredService<IPersonStore>();
        await people.SaveAsync(new Person(new UserId("ada"), "Ada", Role.Admin, ["hq"], null, 0, true));
        await people.SaveAsync(new Person(Sam, "Sam", Role.Salesperson, ["north"], null, 5, true));
        await people.SaveAsync(new Person(Tom, "Tom", Role.Salesperson, ["north"], null, 5, true));
        var documents = services.GetRequiredService<IDocumentService>();
        var crm = services.GetRequiredService<ISalesPipeline>();

        var all = await documents.ListAsync(new UserId("ada"), allVersions: true);
        Assert.Equal([("Offer 2026/114", 1), ("Offer 2026/114", 2), ("Revised offer", 1)], all.Select(d => (d.Title, d.Version)));
        foreach (var (deal, seq, title, location) in OldOffers)
        {
            var offer = (await crm.GetAsync(deals[deal].Id)).Offers[seq];
            Assert.Equal((title, deals[deal].Offers[seq].AttachedBy, deals[deal].Offers[seq].AttachedAt), (offer.Title, offer.AttachedBy, offer.AttachedAt));
            var read = await documents.GetAsync(offer.Document, deals[deal].Owner);
            var bytes = Encoding.UTF8.GetBytes(location);
            Assert.Equal(bytes, read.Content.ToArray());
            Assert.Equal((DocumentKind.Offer, title, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)), 0), (read.Document.Kind, read.Document.Title, (int)read.Document.Size, read.Document.Sha256, read.Document.Groups.Count));
            var other = deals[deal].Owner == Sam ? Tom : Sam;
            await Assert.ThrowsAsync<AccessDeniedException>(() => documents.GetAsync(offer.Document, other));
            Assert.DoesNotContain(await crm.WhyNotAsync(deals[deal].Id, Stages.Negotiation), u => u.Id == "offer-attached");
        }
    }
}
