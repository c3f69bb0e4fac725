-- Pipeline definitions an administrator imported (JSON as PipelineDefinition.ToJson writes it).
CREATE TABLE pipeline_definitions (
    id text NOT NULL PRIMARY KEY,
    definition text NOT NULL
);
