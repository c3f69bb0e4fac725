using Dapper;
using SalesPipeline.Storage.Migrations;

namespace SalesPipeline.Tests.Storage.Migrations;

/// <summary>A database as an earlier version of the application left it.</summary>
internal static class OlderSchema
{
    /// <summary>Applies the scripts up to schema <paramref name="version"/> the way the migrator does, recording each.</summary>
    public static async Task ApplyUpToAsync(ISchemaHost host, int version)
    {
        await using var connection = await host.OpenRawConnectionAsync(CancellationToken.None);
        await using var transaction = await host.BeginMigrationAsync(connection, CancellationToken.None);
        await connection.ExecuteAsync(host.CreateSchemaVersion, transaction: transaction);
        foreach (var script in MigrationScripts.For(host.Provider).Where(s => s.Version <= version))
        {
            await connection.ExecuteAsync(script.Sql, transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name }, transaction);
        }

        await transaction.CommitAsync();
    }
}
