-- The history's (opportunity_id, at) index served no SQLite query: a deal's entries are read by the primary key
-- (opportunity_id, seq), whose order is their time order, and the stage at an instant comes from one scan of the table in
-- key order. Kept up on every history row written, it cost a bulk load about a tenth of its time.
DROP INDEX ix_stage_changes_opportunity_at;
