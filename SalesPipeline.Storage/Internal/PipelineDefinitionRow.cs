namespace SalesPipeline.Storage.Internal;

/// <summary>One stored pipeline definition.</summary>
internal sealed record PipelineDefinitionRow(string Id, string Definition);
