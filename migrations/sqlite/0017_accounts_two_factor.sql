-- Two-factor sign-in (issue 9): an authenticator app's TOTP secret (RFC 6238) per account,
-- single-use recovery codes (only their hashes), and the sign-ins that proved the password
-- and wait for the second factor.
--
-- users.two_factor_enabled_at is set once the person has proved their app works; until then
-- the secret is only being set up. last_used_step is the time step of the last code
-- accepted: a code is accepted only for a later step (a conditional UPDATE), so one code
-- signs in once. A recovery code is used by UPDATE ... WHERE used_at IS NULL RETURNING.
ALTER TABLE users ADD COLUMN two_factor_enabled_at BIGINT;

CREATE TABLE two_factor_secrets (
    user_id        BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret         TEXT NOT NULL,
    last_used_step BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
