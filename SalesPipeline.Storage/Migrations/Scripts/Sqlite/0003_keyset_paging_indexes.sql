-- Keyset paging in id order without sorting the pipeline per page. The store pages with "id > @After [AND pipeline_id = ..]
-- [AND owner = ..] ORDER BY id LIMIT n"; with indexes on (pipeline_id, owner) and (owner) alone, SQLite sorted every deal of
-- the pipeline (or owner) for each page, so reading a pipeline was quadratic. Ending each index in id lets a page seek to @After.
DROP INDEX ix_opportunities_pipeline_owner;
DROP INDEX ix_opportunities_owner;
CREATE INDEX ix_opportunities_pipeline_id ON opportunities (pipeline_id, id);
CREATE INDEX ix_opportunities_pipeline_owner ON opportunities (pipeline_id, owner, id);
CREATE INDEX ix_opportunities_owner ON opportunities (owner, id);
