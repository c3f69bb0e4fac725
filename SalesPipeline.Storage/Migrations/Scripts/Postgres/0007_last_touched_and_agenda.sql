-- When something last happened on a deal (a stage change, an activity logged or completed, an edit): a deal is stale when
-- that is longer ago than its stage's stale-after limit. Existing deals take the latest of their stage entries and of their
-- activities' logged and happened instants, as the library does for a deal whose last touch was never recorded.
ALTER TABLE opportunities ADD COLUMN last_touched_at timestamptz;
UPDATE opportunities o SET last_touched_at = GREATEST(
    (SELECT MAX(s.at) FROM stage_changes s WHERE s.opportunity_id = o.id),
    (SELECT MAX(GREATEST(a.recorded_at, a.happened_at)) FROM activities a WHERE a.opportunity_id = o.id));
ALTER TABLE opportunities ALTER COLUMN last_touched_at SET NOT NULL;

-- The agenda's queries, each a seek on one owner's open deals: stale ones per stage, next contacts due, expected closes in
-- a range; planned activities are found per deal.
CREATE INDEX ix_opportunities_open_touched ON opportunities (owner, pipeline_id, stage, last_touched_at) WHERE outcome_kind IS NULL;
CREATE INDEX ix_opportunities_open_next_contact ON opportunities (owner, next_contact) WHERE outcome_kind IS NULL AND next_contact IS NOT NULL;
CREATE INDEX ix_opportunities_open_close ON opportunities (owner, expected_close) WHERE outcome_kind IS NULL;
CREATE INDEX ix_activities_planned_by_deal ON activities (opportunity_id, due) WHERE NOT done AND due IS NOT NULL;
