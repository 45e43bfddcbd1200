-- Tickets and certificates (issue 11).
--
-- events.responsible: the officer responsible for the event's credit (name and title), as
-- certificates print it. event_registrations.ticket_code: the unguessable code of the
-- registrant's ticket, whose QR code opens the check-in page on a staff or officer's phone
-- (a transfer gives the seat a new one). certificate_licences: the ids of the licences the
-- attendee chose to show on their certificate, space-separated.
ALTER TABLE events ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
ALTER TABLE event_registrations ADD COLUMN ticket_code TEXT;
ALTER TABLE event_registrations ADD COLUMN certificate_licences TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX event_registrations_ticket ON event_registrations (ticket_code);
