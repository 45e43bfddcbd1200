-- Events (issue 11): seminars, workshops, conferences, webinars, chapter meetings. An event
-- belongs to the society (chapter_id NULL) or to a chapter, whose officers manage it.
--
-- Times are instants (Unix seconds, UTC); time_zone is the IANA zone the event happens in,
-- in which pages show its times and feeds carry them.
--
-- pdh_micro is the credit an attendee earns (millionths of a PDH), topics the CE engine's
-- tags it carries (space-separated), provider the society's provider name and number as
-- boards know it; credit_released_at is when staff or the owning officer released it into
-- attendees' ledgers.
--
-- Capacity is never exceeded: seats_taken counts confirmed registrations and seats held for
-- an offer, and is only raised by a conditional UPDATE (… WHERE seats_taken < capacity),
-- with the CHECK below as the last word. waitlist_joined counts arrivals to the waitlist
-- ever: the next arrival's place in line (event_registrations.waitlist_seq).
CREATE TABLE events (
    id                     INTEGER PRIMARY KEY,
    chapter_id             BIGINT REFERENCES chapters(id) ON DELETE RESTRICT,
    kind                   TEXT NOT NULL,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL,
    time_zone              TEXT NOT NULL,
    starts_at              BIGINT NOT NULL,
    ends_at                BIGINT NOT NULL,
    venue                  TEXT NOT NULL,
    address                TEXT NOT NULL,
    online_link            TEXT NOT NULL,
    capacity               BIGINT NOT NULL CHECK (capacity > 0),
    seats_taken            BIGINT NOT NULL DEFAULT 0,
    waitlist_joined        BIGINT NOT NULL DEFAULT 0,
    registration_closes_at BIGINT NOT NULL,
    pdh_micro              BIGINT NOT NULL DEFAULT 0 CHECK (pdh_micro >= 0),
    topics                 TEXT NOT NULL DEFAULT '',
    provider               TEXT NOT NULL DEFAULT '',
    credit_released_at     BIGINT,
    status                 TEXT NOT NULL,
    created_by             BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (seats_taken >= 0 AND seats_taken <= capacity)
);
-- The listing counts by status and end (a covering index) and reads a page in start order.
CREATE INDEX events_listing ON events (status, ends_at);
CREATE INDEX events_by_start ON events (starts_at, id);
CREATE INDEX events_chapter ON events (chapter_id, starts_at);

-- A person is registered once per event (the unique key; a cancelled registration is
-- reopened, not duplicated). status: confirmed, waitlisted, offered (a freed seat held for
-- them until offered_until), cancelled. waitlist_seq is their arrival order in line.
-- checked_in_at is when they were checked in at the door; certificate_code is the
-- certificate of attendance's public code, set when credit is released.
CREATE TABLE event_registrations (
    id            INTEGER PRIMARY KEY,
    event_id      BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    member_id     BIGINT REFERENCES members(id) ON DELETE SET NULL,
    status        TEXT NOT NULL,
    waitlist_seq  BIGINT,
    offered_until BIGINT,
    checked_in_at BIGINT,
    certificate_code TEXT,
    registered_at BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE UNIQUE INDEX event_registrations_line ON event_registrations (event_id, waitlist_seq);
CREATE INDEX event_registrations_user ON event_registrations (user_id);
CREATE INDEX event_registrations_offers ON event_registrations (status, offered_until);
CREATE UNIQUE INDEX event_registrations_certificate ON event_registrations (certificate_code);

-- A person's calendar feed of their registrations, at a secret address: only the token's
-- SHA-256 is kept; resetting replaces it (the old address stops working).
CREATE TABLE calendar_feeds (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
