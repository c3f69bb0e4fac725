-- Keyset paging in id order without sorting the pipeline per page. The store pages with "[pipeline_id = ..] [AND owner = ..]
-- AND id > @After ORDER BY id LIMIT n"; with indexes on (pipeline_id, owner) and (owner) alone, each page sorted every deal of
-- the pipeline (or owner) or walked the primary key past the deals of other pipelines. Ending each index in id lets a page seek to @After.
DROP INDEX ix_opportunities_pipeline_owner;
DROP INDEX ix_opportunities_owner;
CREATE INDEX ix_opportunities_pipeline_id ON opportunities (pipeline_id, id);
CREATE INDEX ix_opportunities_pipeline_owner ON opportunities (pipeline_id, owner, id);
CREATE INDEX ix_opportunities_owner ON opportunities (owner, id);
