-- Idle timeouts (issue 9): when each session was last used, so that a staff or
-- administrator session left open ends after a quiet spell, not only after its life.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
