-- Attendance scanned at the door (issue 11): each arrival opens a span, each departure
-- closes the open one. At most one span of a registration is open at a time (the partial
-- unique index). Once someone has left, their minutes in each session of the programme (or
-- in the event) come from the spans, as a webinar report's do, an open span lasting until
-- the event ends.
CREATE TABLE event_attendance_spans (
    id              INTEGER PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES event_registrations(id) ON DELETE CASCADE,
    checked_in_at   BIGINT NOT NULL,
    checked_out_at  BIGINT,
    CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at)
);
CREATE UNIQUE INDEX event_attendance_spans_open ON event_attendance_spans (registration_id)
    WHERE checked_out_at IS NULL;
CREATE INDEX event_attendance_spans_registration ON event_attendance_spans (registration_id, checked_in_at);
