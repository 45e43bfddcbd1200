-- A message in the outbox may carry one attachment (issue 11: a registration's confirmation
-- carries the event as an iCalendar file). Its name and media type are listed with the
-- message; its bytes are read only to deliver it or when staff open it in the mailbox.
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment_body BLOB;
