-- The ledger of scheduled reports: one row per (schedule, period), claimed by one worker instance at a time, marked
-- produced with its file; one row per delivery target (the folder, each e-mail recipient). Instants are microseconds
-- since the Unix epoch and days ISO dates, so SQLite and PostgreSQL run the same statements.
CREATE TABLE schedule_runs (
    schedule      text NOT NULL,
    first_day     text NOT NULL,
    last_day      text NOT NULL,
    due_at        bigint NOT NULL,
    holder        text NULL,
    claimed_until bigint NULL,
    produced_at   bigint NULL,
    file          text NULL,
    PRIMARY KEY (schedule, first_day, last_day)
);

CREATE TABLE schedule_deliveries (
    schedule     text NOT NULL,
    first_day    text NOT NULL,
    last_day     text NOT NULL,
    target       text NOT NULL,
    delivered_at bigint NULL,
    attempts     bigint NOT NULL,
    last_error   text NULL,
    retry_at     bigint NULL,
    PRIMARY KEY (schedule, first_day, last_day, target),
    FOREIGN KEY (schedule, first_day, last_day) REFERENCES schedule_runs (schedule, first_day, last_day)
);
