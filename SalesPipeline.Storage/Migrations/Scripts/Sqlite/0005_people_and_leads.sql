-- People who use the system, and the lead base. Independent of every other script's tables.
-- member_of: group slugs joined by commas: people are few and always read whole. Instants: Unix microseconds.
CREATE TABLE people (
    id           TEXT    NOT NULL PRIMARY KEY,
    display_name TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('salesperson', 'manager', 'admin')),
    member_of    TEXT    NOT NULL,
    manager      TEXT,
    lead_limit   INTEGER NOT NULL CHECK (lead_limit >= 0),
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    version      INTEGER NOT NULL CHECK (version > 0)
);

CREATE TABLE leads (
    id                TEXT    NOT NULL PRIMARY KEY, -- the source's id
    company           TEXT    NOT NULL,
    segment           TEXT,
    contact_person    TEXT,
    phone             TEXT,
    email             TEXT,
    source            TEXT,
    notes             TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('new', 'assigned', 'working', 'converted', 'disqualified')),
    owner             TEXT,
    disqualify_reason TEXT,
    opportunity_id    TEXT,
    version           INTEGER NOT NULL CHECK (version > 0)
);
-- Counting a person's active leads (the limit check) reads this index only.
CREATE INDEX ix_leads_owner_status ON leads (owner, status);
CREATE INDEX ix_leads_status ON leads (status);

CREATE TABLE lead_history (
    lead_id     TEXT    NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    by_user     TEXT    NOT NULL,
    owner       TEXT,
    reason      TEXT,
    PRIMARY KEY (lead_id, seq)
);
