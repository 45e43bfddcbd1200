-- Invitations (issue 9): staff invite members who have no account yet; the emailed,
-- single-use link creates the account already linked to the member's record. At most
-- one invitation per member is open (not accepted) at a time. A member who has not
-- accepted after a week is reminded once (reminded_at), with a fresh link.
CREATE TABLE member_invitations (
    id          INTEGER PRIMARY KEY,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    reminded_at BIGINT
);
CREATE UNIQUE INDEX member_invitations_one_open ON member_invitations (member_id) WHERE accepted_at IS NULL;
