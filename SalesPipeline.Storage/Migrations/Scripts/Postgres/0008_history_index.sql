-- Schema 8 drops the history's (opportunity_id, at) index on SQLite, where no query used it. PostgreSQL keeps it: the stage
-- of every deal at an instant is one index-only look-up per deal through it (a lateral join on opportunity_id and at).
COMMENT ON INDEX ix_stage_changes_opportunity_at IS 'The stage of a deal at an instant: the last entry at or before it, read from the index alone.';
