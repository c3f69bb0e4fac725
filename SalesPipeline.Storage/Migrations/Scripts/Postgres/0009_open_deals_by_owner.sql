-- The owners' open deals in id order, with what the agenda's totals by stage read: each deal's planned activities are
-- probed in key order, and the open deals are summed by stage from the index alone.
CREATE INDEX ix_opportunities_open_owner ON opportunities (owner, id) INCLUDE (pipeline_id, stage, currency, amount) WHERE outcome_kind IS NULL;
