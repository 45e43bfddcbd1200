-- Members' rights over their data (issue 9 §7).
--
-- consents: who agreed to what, when and how. A row belongs to an account (sign-up) or a
-- member record (or both); purpose names what was agreed to, version the text's version,
-- source how ("sign-up form", "privacy page", "staff"); withdrawn_at is set when an
-- optional consent is withdrawn (the row is kept as the record that it was given).
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT REFERENCES users(id) ON DELETE CASCADE,
    member_id    BIGINT REFERENCES members(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL,
    version      TEXT NOT NULL,
    given_at     BIGINT NOT NULL,
    source       TEXT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX consents_user ON consents (user_id);
CREATE INDEX consents_member ON consents (member_id);

-- erasure_requests: a person asks to be erased; staff confirm or decline. The row stays
-- (without identity once confirmed: the account it named is deleted, the member record
-- anonymised) as the record that the request was answered.
CREATE TABLE erasure_requests (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    member_id    BIGINT REFERENCES members(id) ON DELETE SET NULL,
    status       TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decided_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at   BIGINT
);
CREATE INDEX erasure_requests_status ON erasure_requests (status);
CREATE UNIQUE INDEX erasure_requests_one_pending ON erasure_requests (user_id) WHERE status = 'pending';
