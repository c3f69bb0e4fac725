-- The ledger of scheduled reports: one row per (schedule, period), claimed by one worker instance at a time, marked
-- produced with its file; one row per delivery target (the folder, each e-mail recipient). Instants are microseconds
-- since the Unix epoch and days ISO dates, so SQLite and PostgreSQL run the same statements.
CREATE TABLE schedule_runs (
    schedule      TEXT NOT NULL,
    first_day     TEXT NOT NULL,
    last_day      TEXT NOT NULL,
    due_at        INTEGER NOT NULL,
    holder        TEXT NULL,
    claimed_until INTEGER NULL,
    produced_at   INTEGER NULL,
    file          TEXT NULL,
    PRIMARY KEY (schedule, first_day, last_day)
);

CREATE TABLE schedule_deliveries (
    schedule     TEXT NOT NULL,
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL,
    target       TEXT NOT NULL,
    delivered_at INTEGER NULL,
    attempts     INTEGER NOT NULL,
    last_error   TEXT NULL,
    retry_at     INTEGER NULL,
    PRIMARY KEY (schedule, first_day, last_day, target),
    FOREIGN KEY (schedule, first_day, last_day) REFERENCES schedule_runs (schedule, first_day, last_day)
);
