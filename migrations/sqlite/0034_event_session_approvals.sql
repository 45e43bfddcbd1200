-- Boards that approved one session's credit, where they differ from the event's (issue 11):
-- jurisdiction codes, space separated; empty means the event's approvals.
ALTER TABLE event_sessions ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
