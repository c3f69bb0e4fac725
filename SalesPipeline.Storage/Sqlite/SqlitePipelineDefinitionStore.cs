using Dapper;
using Microsoft.Data.Sqlite;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>Imported pipeline definitions in SQLite.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class SqlitePipelineDefinitionStore(SqliteDatabase database) : IPipelineDefinitionStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<PipelineId, string>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var rows = await connection.QueryAsync<PipelineDefinitionRow>(new CommandDefinition(
                    "SELECT id AS Id, definition AS Definition FROM pipeline_definitions ORDER BY id", cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.ToDictionary(r => new PipelineId(r.Id), r => r.Definition);
            }
            catch (SqliteException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }

    /// <inheritdoc />
    public async Task SaveAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    PipelineDefinitionRow.Upsert,
                    new PipelineDefinitionRow(id.Value, json),
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (SqliteException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }
}
