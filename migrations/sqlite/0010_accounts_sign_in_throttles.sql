-- Sign-in throttles (issue 9): one row per thing that is limited — an account from one
-- address, an address, an account from anywhere — counting the attempts in its current
-- window. Each attempt is counted by one upsert that returns the new count, so
-- concurrent attempts each see a different count and no more than the limit get their
-- password checked. sign_in_attempts stays the history of checked passwords.
CREATE TABLE sign_in_throttles (
    throttle_key      TEXT PRIMARY KEY,
    attempts          BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL
);
