-- People who use the system, and the lead base. Independent of every other script's tables.
-- member_of: group slugs joined by commas: people are few and always read whole. Instants: Unix microseconds.
CREATE TABLE people (
    id           text    NOT NULL PRIMARY KEY,
    display_name text    NOT NULL,
    role         text    NOT NULL CHECK (role IN ('salesperson', 'manager', 'admin')),
    member_of    text    NOT NULL,
    manager      text,
    lead_limit   bigint NOT NULL CHECK (lead_limit >= 0),
    active       bigint NOT NULL CHECK (active IN (0, 1)),
    version      bigint NOT NULL CHECK (version > 0)
);

CREATE TABLE leads (
    id                text    NOT NULL PRIMARY KEY, -- the source's id
    company           text    NOT NULL,
    segment           text,
    contact_person    text,
    phone             text,
    email             text,
    source            text,
    notes             text,
    status            text    NOT NULL CHECK (status IN ('new', 'assigned', 'working', 'converted', 'disqualified')),
    owner             text,
    disqualify_reason text,
    opportunity_id    text,
    version           bigint NOT NULL CHECK (version > 0)
);
-- Counting a person's active leads (the limit check) reads this index only.
CREATE INDEX ix_leads_owner_status ON leads (owner, status);
CREATE INDEX ix_leads_status ON leads (status);

CREATE TABLE lead_history (
    lead_id     text    NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    from_status text,
    to_status   text    NOT NULL,
    at          bigint NOT NULL,
    by_user     text    NOT NULL,
    owner       text,
    reason      text,
    PRIMARY KEY (lead_id, seq)
);
