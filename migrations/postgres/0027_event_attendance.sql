-- Webinar attendance (issue 11): an event's partial-credit rule, and what an uploaded
-- attendance report (Zoom's or Teams' join and leave times) says of each registration.
--
-- minutes_per_pdh: the minutes of attendance that earn one PDH (credit is granted in
-- quarter-PDH steps, never above the event's PDH). attended_minutes and credit_micro are
-- set from the report; credit_micro is what releasing the credit puts into the member's
-- ledger (NULL: the event's full PDH, as for people checked in at the door).
ALTER TABLE events ADD COLUMN minutes_per_pdh BIGINT NOT NULL DEFAULT 50 CHECK (minutes_per_pdh BETWEEN 1 AND 600);
ALTER TABLE event_registrations ADD COLUMN attended_minutes BIGINT CHECK (attended_minutes >= 0);
ALTER TABLE event_registrations ADD COLUMN credit_micro BIGINT CHECK (credit_micro >= 0);
