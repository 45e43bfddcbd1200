-- Multi-session programmes (issue 11): an event's sessions, each with its own times,
-- speakers, PDH and topics (the CE engine's tags). An event with sessions carries the sum of
-- their PDH. What an attendance report says of each session a registrant attended is kept
-- per session; releasing the credit gives one ledger activity per session attended.
CREATE TABLE event_sessions (
    id         INTEGER PRIMARY KEY,
    event_id   BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    speakers   TEXT NOT NULL DEFAULT '',
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    pdh_micro  BIGINT NOT NULL DEFAULT 0 CHECK (pdh_micro >= 0),
    topics     TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);
CREATE INDEX event_sessions_event ON event_sessions (event_id, starts_at);

CREATE TABLE event_session_attendance (
    registration_id BIGINT NOT NULL REFERENCES event_registrations(id) ON DELETE CASCADE,
    session_id      BIGINT NOT NULL REFERENCES event_sessions(id) ON DELETE CASCADE,
    minutes         BIGINT NOT NULL CHECK (minutes >= 0),
    credit_micro    BIGINT NOT NULL CHECK (credit_micro >= 0),
    PRIMARY KEY (registration_id, session_id)
);
CREATE INDEX event_session_attendance_session ON event_session_attendance (session_id);
