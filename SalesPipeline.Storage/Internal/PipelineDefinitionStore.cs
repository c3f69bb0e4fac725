using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>Imported pipeline definitions in SQLite or PostgreSQL: the same table and SQL on both.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class PipelineDefinitionStore(IRelationalDatabase database) : IPipelineDefinitionStore
{
    /// <inheritdoc />
    public Task<IReadOnlyDictionary<PipelineId, string>> LoadAsync(CancellationToken cancellationToken = default) =>
        database.WithConnectionAsync<IReadOnlyDictionary<PipelineId, string>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<PipelineDefinitionRow>(new CommandDefinition(
                    PipelineDefinitionRow.SelectAll, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.ToDictionary(r => new PipelineId(r.Id), r => r.Definition);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task SaveAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        return database.WithConnectionAsync(
            connection => connection.ExecuteAsync(new CommandDefinition(PipelineDefinitionRow.Upsert, new PipelineDefinitionRow(id.Value, json), cancellationToken: cancellationToken)),
            cancellationToken);
    }
}
