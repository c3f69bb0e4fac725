-- SalesPipeline schema 1 (SQLite).
-- Instants: INTEGER microseconds since 1970-01-01T00:00:00Z. Money: INTEGER minor units of the row's currency
-- (cents for PLN, yen for JPY). Dates: TEXT yyyy-MM-dd. Ids: TEXT (canonical GUID). Enums: TEXT lower-case names.

CREATE TABLE accounts (
    id              TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    name_folded     TEXT    NOT NULL, -- upper-invariant name, for case-insensitive look-up
    segment         TEXT,
    created_at      INTEGER NOT NULL,
    created_by      TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version > 0)
);
CREATE INDEX ix_accounts_name_folded ON accounts (name_folded);

CREATE TABLE contacts (
    account_id        TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    role              TEXT,
    phone             TEXT,
    email             TEXT,
    preferred_channel TEXT    NOT NULL,
    PRIMARY KEY (account_id, seq)
) WITHOUT ROWID;

CREATE TABLE opportunities (
    id                   TEXT    NOT NULL PRIMARY KEY,
    pipeline_id          TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    currency             TEXT    NOT NULL,
    amount_minor         INTEGER NOT NULL,
    expected_close       TEXT    NOT NULL,
    account_id           TEXT,             -- no foreign key: imports may name accounts stored later
    owner                TEXT    NOT NULL,
    stage                TEXT    NOT NULL,
    probability_override INTEGER,
    next_contact         INTEGER,
    has_qualification    INTEGER NOT NULL, -- 1 when qualification data was recorded, even if every field is empty
    q_needs              TEXT,
    q_pains              TEXT,
    q_budget_currency    TEXT,
    q_budget_minor       INTEGER,
    q_offer_must_contain TEXT,
    outcome_kind         TEXT,             -- 'won' / 'lost' when closed
    outcome_reason       TEXT,
    outcome_comment      TEXT,
    closed_at            INTEGER,
    created_at           INTEGER NOT NULL,
    created_by           TEXT    NOT NULL,
    last_changed_at      INTEGER NOT NULL,
    last_changed_by      TEXT    NOT NULL,
    external_id          TEXT,
    version              INTEGER NOT NULL CHECK (version > 0)
);
CREATE UNIQUE INDEX ux_opportunities_external_id ON opportunities (pipeline_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX ix_opportunities_pipeline_owner ON opportunities (pipeline_id, owner);
CREATE INDEX ix_opportunities_owner ON opportunities (owner);
CREATE INDEX ix_opportunities_closed_at ON opportunities (pipeline_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX ix_opportunities_next_contact ON opportunities (next_contact) WHERE next_contact IS NOT NULL;
CREATE INDEX ix_opportunities_account ON opportunities (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE stage_changes (
    opportunity_id TEXT    NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL, -- 0-based position in the history
    from_stage     TEXT,
    to_stage       TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    by_user        TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    comment        TEXT,
    PRIMARY KEY (opportunity_id, seq)
) WITHOUT ROWID;
-- "Which stage was the deal in at instant T": the last entry at or before T.
CREATE INDEX ix_stage_changes_opportunity_at ON stage_changes (opportunity_id, at);

CREATE TABLE activities (
    id             TEXT    NOT NULL PRIMARY KEY,
    opportunity_id TEXT    NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL, -- position in the deal's activity log
    kind           TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    author         TEXT    NOT NULL,
    recorded_at    INTEGER NOT NULL,
    happened_at    INTEGER,
    due            INTEGER,
    done           INTEGER NOT NULL
);
CREATE INDEX ix_activities_opportunity ON activities (opportunity_id, seq);
CREATE INDEX ix_activities_planned ON activities (due) WHERE done = 0 AND due IS NOT NULL;

CREATE TABLE offers (
    opportunity_id TEXT    NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    location       TEXT    NOT NULL,
    attached_by    TEXT    NOT NULL,
    attached_at    INTEGER NOT NULL,
    PRIMARY KEY (opportunity_id, seq)
) WITHOUT ROWID;
