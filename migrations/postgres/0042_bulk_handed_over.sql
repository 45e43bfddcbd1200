-- The relay's sliding-window rate limits count every bulk message handed to it, sent or
-- refused: `handed_over_at` is set when a bulk message is marked in flight (just before it
-- goes), and kept whatever becomes of it. (Counting only messages sent let a relay that
-- refused everything be tried again at once, past its limits.)
ALTER TABLE outbox ADD COLUMN handed_over_at BIGINT;
UPDATE outbox SET handed_over_at = sent_at WHERE campaign_id IS NOT NULL AND sent_at IS NOT NULL;
DROP INDEX outbox_bulk_sent;
CREATE INDEX outbox_bulk_handed_over ON outbox (handed_over_at) WHERE campaign_id IS NOT NULL;
