-- Continuing education: the PDH ledger (activities, their sessions and evidence files),
-- what the engine needs from licences and certifications, reminders sent, and
-- staff-defined programmes (rule files kept in the database).

ALTER TABLE licences ADD COLUMN licensure_method TEXT;
ALTER TABLE certifications ADD COLUMN ruleset TEXT;
ALTER TABLE certifications ADD COLUMN issued_on DATE;

CREATE TABLE ce_activities (
    id                 INTEGER PRIMARY KEY,
    member_id          BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    title              TEXT NOT NULL,
    kind               TEXT NOT NULL,
    tags               TEXT NOT NULL DEFAULT '',
    occurred_on        DATE,
    starts_on          DATE,
    ends_on            DATE,
    quantity_micro     BIGINT NOT NULL,
    unit               TEXT NOT NULL,
    provider           TEXT NOT NULL DEFAULT '',
    provider_approvals TEXT NOT NULL DEFAULT '',
    organisation       TEXT NOT NULL DEFAULT '',
    attributes         TEXT NOT NULL DEFAULT '',
    source             TEXT NOT NULL,
    source_ref         TEXT,
    recorded_by        BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX ce_activities_member ON ce_activities (member_id, id);
CREATE UNIQUE INDEX ce_activities_source ON ce_activities (source, source_ref);

CREATE TABLE ce_activity_sessions (
    activity_id BIGINT NOT NULL REFERENCES ce_activities(id) ON DELETE CASCADE,
    session_on  DATE NOT NULL,
    hours_micro BIGINT NOT NULL,
    PRIMARY KEY (activity_id, session_on)
);

CREATE TABLE ce_evidence (
    id           INTEGER PRIMARY KEY,
    activity_id  BIGINT NOT NULL REFERENCES ce_activities(id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size    BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    retain_until DATE NOT NULL
);
CREATE INDEX ce_evidence_activity ON ce_evidence (activity_id);

CREATE TABLE ce_reminders (
    member_id      BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    credential_key TEXT NOT NULL,
    period_end     DATE NOT NULL,
    offset_days    BIGINT NOT NULL,
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (member_id, credential_key, period_end, offset_days)
);

CREATE TABLE ce_programmes (
    id         INTEGER PRIMARY KEY,
    ruleset_id TEXT NOT NULL UNIQUE,
    file_name  TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
