namespace SalesPipeline.Storage.Internal;

/// <summary>One stored pipeline definition.</summary>
internal sealed record PipelineDefinitionRow(string Id, string Definition)
{
    /// <summary>Reads every stored definition, by id, the same text on SQLite and PostgreSQL.</summary>
    public const string SelectAll = "SELECT id, definition FROM pipeline_definitions ORDER BY id";

    /// <summary>Inserts or replaces one definition, the same text on SQLite and PostgreSQL: parameters <c>@Id</c> and <c>@Definition</c>.</summary>
    public const string Upsert = "INSERT INTO pipeline_definitions (id, definition) VALUES (@Id, @Definition) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition";
}
