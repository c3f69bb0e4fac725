-- The stage a lost deal was lost at (the one its last move left), kept on the deal so that win/loss reads it from the
-- close-date index with the rest of a closed deal's figures instead of looking up each lost deal's last history entry.
-- Existing lost deals take it from their history, as the library derives it. The index also gains the account, so the
-- revenue per account is summed from it alone too.
ALTER TABLE opportunities ADD COLUMN lost_from TEXT;
UPDATE opportunities SET lost_from = (SELECT s.from_stage FROM stage_changes s WHERE s.opportunity_id = opportunities.id ORDER BY s.seq DESC LIMIT 1)
WHERE outcome_kind = 'lost';
DROP INDEX ix_opportunities_closed_in_period;
CREATE INDEX ix_opportunities_closed_in_period ON opportunities (pipeline_id, closed_at, outcome_kind, currency, owner, amount_minor, created_at, outcome_reason, lost_from, account_id, id) WHERE closed_at IS NOT NULL;
