-- Guests register for an event from a link mailed to them (issue 11): the link's token
-- names the event. Someone with no account gets a light one (no password until they set
-- one through "forgot password"), confirmed when the link is used.
ALTER TABLE email_tokens ADD COLUMN event_id BIGINT REFERENCES events(id) ON DELETE CASCADE;
