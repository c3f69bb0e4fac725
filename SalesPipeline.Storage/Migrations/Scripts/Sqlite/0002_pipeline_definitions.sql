-- Pipeline definitions an administrator imported (JSON as PipelineDefinition.ToJson writes it).
CREATE TABLE pipeline_definitions (
    id TEXT NOT NULL PRIMARY KEY,
    definition TEXT NOT NULL
);
