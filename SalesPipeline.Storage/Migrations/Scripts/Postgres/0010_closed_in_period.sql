-- The deals closed in a period with every column the report's closed totals, win/loss and sales cycle read, so they are
-- summed by an index-only scan instead of one table row per closed deal (the id is kept for the win/loss look-up of the
-- stage lost at). It is keyed on (pipeline_id, closed_at) like ix_opportunities_closed_at, which it replaces.
CREATE INDEX ix_opportunities_closed_in_period ON opportunities (pipeline_id, closed_at) INCLUDE (outcome_kind, currency, owner, amount, created_at, outcome_reason, id) WHERE closed_at IS NOT NULL;
DROP INDEX ix_opportunities_closed_at;
