-- "I am already a member" (issue 9): a signed-in person names a member record (number and
-- last name); when it matches a record without an account, a code goes to the address on
-- that record, and entering it links the record to the account. Anything that does not
-- match by itself waits for staff (status needs_staff), who link or dismiss it.
CREATE TABLE member_claims (
    id              INTEGER PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    member_id       BIGINT REFERENCES members(id) ON DELETE CASCADE,
    typed_number    TEXT NOT NULL,
    typed_last_name TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    resolved_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    resolved_at     BIGINT
);
CREATE INDEX member_claims_user ON member_claims (user_id, status);
CREATE INDEX member_claims_status ON member_claims (status);
