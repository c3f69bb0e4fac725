using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using SalesPipeline.Documents;
using SalesPipeline.Tests.Core.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Storage;

/// <summary>A document whose bytes were changed in the database behind the store's back is refused on read, naming both hashes.</summary>
public sealed class DocumentTamperTests
{
    [Fact]
    public async Task Get_SqliteRowTampered_ThrowsIntegrityException()
    {
        var fixture = new SqliteStoreFixture();
        await fixture.InitializeAsync();
        try
        {
            await CheckAsync(fixture, async sql =>
            {
                await using var connection = new SqliteConnection(fixture.ConnectionString);
                await connection.OpenAsync();
                return await connection.ExecuteAsync(sql.Text, sql.Parameters);
            });
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    [Fact]
    public async Task Get_PostgresRowTampered_ThrowsIntegrityException()
    {
        var fixture = new PostgresStoreFixture();
        await fixture.InitializeAsync();
        try
        {
            await CheckAsync(fixture, async sql =>
            {
                await using var connection = new NpgsqlConnection(fixture.ConnectionString);
                await connection.OpenAsync();
                return await connection.ExecuteAsync(sql.Text, sql.Parameters);
            });
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task CheckAsync(StoreFixture fixture, Func<(string Text, object Parameters), Task<int>> execute)
    {
        var team = new LeadTeam(fixture.People, fixture.Leads, fixture.Accounts, fixture.Opportunities, null, fixture.Documents, agenda: fixture.Agenda);
        await team.SeedAsync();
        var stored = await team.Documents.AddAsync(new NewDocument("Contract", DocumentKind.Contract, "c.pdf", ["north"]), new MemoryStream([1, 2, 3]), Sam);
        Assert.Equal([1, 2, 3], (await team.Documents.GetAsync(stored.Id, Sam)).Content.ToArray());

        Assert.Equal(1, await execute(("UPDATE documents SET content = @Content WHERE id = @Id", new { Content = new byte[] { 1, 2, 4 }, Id = stored.Id.ToString() })));

        var e = await Assert.ThrowsAsync<DocumentIntegrityException>(() => team.Documents.GetAsync(stored.Id, Sam));
        Assert.Equal(stored.Sha256, e.Expected);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([1, 2, 4])), e.Actual);
        Assert.StartsWith($"Document {stored.Id} is damaged: its bytes have SHA-256 {e.Actual}, but {stored.Sha256} was recorded", e.Message, StringComparison.Ordinal);
    }
}
