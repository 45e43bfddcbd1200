-- Payments: the events payment providers send to their webhooks (each recorded once,
-- so a replayed event changes nothing), and refunds staff record against payments.
-- payments.refunded_cents is the running total of a payment's refunds; a refund is
-- accepted only while it stays within the payment's amount (one conditional UPDATE,
-- so two refunds at once cannot together exceed it).

CREATE TABLE payment_events (
    id           INTEGER PRIMARY KEY,
    provider     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    invoice_id   BIGINT REFERENCES invoices(id) ON DELETE SET NULL,
    amount_cents BIGINT NOT NULL,
    outcome      TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    UNIQUE (provider, event_id)
);
CREATE INDEX payment_events_invoice ON payment_events (invoice_id);

ALTER TABLE payments ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0;

CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    payment_id   BIGINT NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    amount_cents BIGINT NOT NULL,
    method       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    ended_term   BOOLEAN NOT NULL DEFAULT FALSE,
    refunded_on  DATE NOT NULL,
    recorded_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id);
