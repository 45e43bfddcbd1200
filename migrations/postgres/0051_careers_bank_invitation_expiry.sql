-- Career centre, the resume bank (issue 15): an invitation to apply expires 30 days after it
-- is sent. A pending invitation past its expiry can no longer be accepted or declined (the
-- answer is a conditional update asking `expires_at > now`), and both the member and the
-- employer see it as expired. Invitations sent before this migration expire 30 days after
-- their sending. An invitation written without an expiry (0) is expired from the start.

ALTER TABLE bank_invitations ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE bank_invitations SET expires_at = sent_at + 2592000;
