-- Platform foundation: society settings, chapters, accounts, sessions, tokens,
-- sign-in attempts, the mail outbox, the audit log and API tokens.
-- Instants are unix seconds (BIGINT) on both engines so values compare and copy exactly.

CREATE TABLE society_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE chapters (
    id                    INTEGER PRIMARY KEY,
    slug                  TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    kind                  TEXT NOT NULL DEFAULT 'chapter',
    region                TEXT NOT NULL DEFAULT '',
    dues_supplement_cents BIGINT NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL
);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    role              TEXT NOT NULL DEFAULT 'member',
    email_verified_at BIGINT,
    disabled_at       BIGINT,
    created_at        BIGINT NOT NULL
);

CREATE TABLE officer_terms (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    chapter_id BIGINT NOT NULL REFERENCES chapters(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    starts_on  DATE NOT NULL,
    ends_on    DATE,
    created_at BIGINT NOT NULL
);
CREATE INDEX officer_terms_user ON officer_terms (user_id);
CREATE INDEX officer_terms_chapter ON officer_terms (chapter_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

CREATE TABLE sign_in_attempts (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL,
    ip           TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    succeeded    BOOLEAN NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, attempted_at);
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, attempted_at);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    sent_at         BIGINT,
    transport       TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    occurred_at   BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor_label   TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_id    BIGINT,
    subject_label TEXT NOT NULL,
    chapter_id    BIGINT,
    before_json   TEXT,
    after_json    TEXT,
    request_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_time ON audit_log (occurred_at);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, occurred_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    chapter_id   BIGINT REFERENCES chapters(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
