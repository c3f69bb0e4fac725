-- The owners' open deals in id order, with what the agenda's totals by stage read. The agenda probes each deal's planned
-- activities in key order (neighbouring probes read neighbouring pages of the activity index, not random ones), and sums
-- the open deals by stage from the index alone. outcome_kind is a column too (NULL in every entry) so that SQLite sees the
-- index answer the queries' condition on it without reading the table.
CREATE INDEX ix_opportunities_open_owner ON opportunities (owner, id, pipeline_id, stage, currency, amount_minor, outcome_kind) WHERE outcome_kind IS NULL;
