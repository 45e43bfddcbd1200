-- How a member chose to be named in the credentials issued to them from now on (issue 12):
-- by a decentralised identifier they control. Without a row, credentials name them by a
-- salted hash of their email address.
CREATE TABLE credential_holders (
    member_id   BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    subject_did TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
