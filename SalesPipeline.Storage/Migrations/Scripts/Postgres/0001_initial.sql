-- SalesPipeline schema 1 (PostgreSQL).
-- Instants: timestamptz (microseconds). Money: numeric (exact). Dates: date. Enums: text lower-case names.

CREATE TABLE accounts (
    id              uuid        NOT NULL PRIMARY KEY,
    name            text        NOT NULL,
    name_folded     text        NOT NULL, -- upper-invariant name, for case-insensitive look-up
    segment         text,
    created_at      timestamptz NOT NULL,
    created_by      text        NOT NULL,
    version         integer     NOT NULL CHECK (version > 0)
);
CREATE INDEX ix_accounts_name_folded ON accounts (name_folded);

CREATE TABLE contacts (
    account_id        uuid    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    seq               integer NOT NULL,
    name              text    NOT NULL,
    role              text,
    phone             text,
    email             text,
    preferred_channel text    NOT NULL,
    PRIMARY KEY (account_id, seq)
);

CREATE TABLE opportunities (
    id                   uuid        NOT NULL PRIMARY KEY,
    pipeline_id          text        NOT NULL,
    name                 text        NOT NULL,
    currency             text        NOT NULL,
    amount               numeric     NOT NULL,
    expected_close       date        NOT NULL,
    account_id           uuid,                 -- no foreign key: imports may name accounts stored later
    owner                text        NOT NULL,
    stage                text        NOT NULL,
    probability_override integer,
    next_contact         timestamptz,
    has_qualification    boolean     NOT NULL, -- true when qualification data was recorded, even if every field is empty
    q_needs              text,
    q_pains              text,
    q_budget_currency    text   ,
    q_budget_amount      numeric,
    q_offer_must_contain text,
    outcome_kind         text,                 -- 'won' / 'lost' when closed
    outcome_reason       text,
    outcome_comment      text,
    closed_at            timestamptz,
    created_at           timestamptz NOT NULL,
    created_by           text        NOT NULL,
    last_changed_at      timestamptz NOT NULL,
    last_changed_by      text        NOT NULL,
    external_id          text,
    version              integer     NOT NULL CHECK (version > 0)
);
CREATE UNIQUE INDEX ux_opportunities_external_id ON opportunities (pipeline_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX ix_opportunities_pipeline_owner ON opportunities (pipeline_id, owner);
CREATE INDEX ix_opportunities_owner ON opportunities (owner);
CREATE INDEX ix_opportunities_closed_at ON opportunities (pipeline_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX ix_opportunities_next_contact ON opportunities (next_contact) WHERE next_contact IS NOT NULL;
CREATE INDEX ix_opportunities_account ON opportunities (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE stage_changes (
    opportunity_id uuid        NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    seq            integer     NOT NULL, -- 0-based position in the history
    from_stage     text,
    to_stage       text        NOT NULL,
    at             timestamptz NOT NULL,
    by_user        text        NOT NULL,
    kind           text        NOT NULL,
    comment        text,
    PRIMARY KEY (opportunity_id, seq)
);
-- "Which stage was the deal in at instant T": the last entry at or before T.
CREATE INDEX ix_stage_changes_opportunity_at ON stage_changes (opportunity_id, at, seq) INCLUDE (to_stage);

CREATE TABLE activities (
    id             uuid        NOT NULL PRIMARY KEY,
    opportunity_id uuid        NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    seq            integer     NOT NULL, -- position in the deal's activity log
    kind           text        NOT NULL,
    subject        text        NOT NULL,
    author         text        NOT NULL,
    recorded_at    timestamptz NOT NULL,
    happened_at    timestamptz,
    due            timestamptz,
    done           boolean     NOT NULL
);
CREATE INDEX ix_activities_opportunity ON activities (opportunity_id, seq);
CREATE INDEX ix_activities_planned ON activities (due) WHERE NOT done AND due IS NOT NULL;

CREATE TABLE offers (
    opportunity_id uuid        NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    seq            integer     NOT NULL,
    title          text        NOT NULL,
    location       text        NOT NULL,
    attached_by    text        NOT NULL,
    attached_at    timestamptz NOT NULL,
    PRIMARY KEY (opportunity_id, seq)
);
