-- no-transaction
-- Event prices and paid registrations (issue 11).
--
-- Invoices may now be owed by an account without a membership record (a non-member who
-- registers for a paid event): member_id becomes optional and user_id names the account.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt the way SQLite documents it
-- (foreign keys off, new table, copy, drop, rename, all in one transaction); the tables
-- that refer to invoices keep referring to it by name. An invoice whose person was erased
-- keeps neither (the books are kept without identity).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE invoices_rebuilt (
    id           INTEGER PRIMARY KEY,
    member_id    BIGINT REFERENCES members(id) ON DELETE CASCADE,
    term_id      BIGINT REFERENCES membership_terms(id) ON DELETE SET NULL,
    description  TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status       TEXT NOT NULL,
    issued_on    DATE NOT NULL,
    due_on       DATE NOT NULL,
    paid_on      DATE,
    created_at   BIGINT NOT NULL,
    user_id      BIGINT REFERENCES users(id) ON DELETE SET NULL
);
INSERT INTO invoices_rebuilt (id, member_id, term_id, description, amount_cents, status, issued_on, due_on, paid_on,
                              created_at)
    SELECT id, member_id, term_id, description, amount_cents, status, issued_on, due_on, paid_on, created_at
    FROM invoices;
DROP TABLE invoices;
ALTER TABLE invoices_rebuilt RENAME TO invoices;
CREATE INDEX invoices_member ON invoices (member_id, issued_on);
CREATE INDEX invoices_user ON invoices (user_id);

-- early_bird_until: the early-bird prices apply to registrations before this instant.
-- changes_until: until when registrants may cancel or transfer their registration
-- themselves (NULL: until registration closes); refund_percent: how much of what they paid
-- comes back when they cancel in time (the event's cancellation by the society always
-- refunds in full).
ALTER TABLE events ADD COLUMN early_bird_until BIGINT;
ALTER TABLE events ADD COLUMN changes_until BIGINT;
ALTER TABLE events ADD COLUMN refund_percent BIGINT NOT NULL DEFAULT 100 CHECK (refund_percent BETWEEN 0 AND 100);

-- An event's prices: one per audience (non-members, students, or the members of one tier),
-- with an optional early-bird price. An event without prices is free.
CREATE TABLE event_prices (
    id                INTEGER PRIMARY KEY,
    event_id          BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    audience          TEXT NOT NULL,
    tier_id           BIGINT REFERENCES tiers(id) ON DELETE CASCADE,
    price_cents       BIGINT NOT NULL CHECK (price_cents >= 0),
    early_price_cents BIGINT CHECK (early_price_cents >= 0),
    CHECK ((audience = 'tier') = (tier_id IS NOT NULL))
);
CREATE UNIQUE INDEX event_prices_audience ON event_prices (event_id, audience, COALESCE(tier_id, 0));

-- Discount codes: a percentage off, optionally limited in uses; uses only rises by a
-- conditional UPDATE, and the CHECK is the last word.
CREATE TABLE event_discount_codes (
    id          INTEGER PRIMARY KEY,
    event_id    BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    percent_off BIGINT NOT NULL CHECK (percent_off BETWEEN 1 AND 100),
    max_uses    BIGINT CHECK (max_uses > 0),
    uses        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    UNIQUE (event_id, code),
    CHECK (max_uses IS NULL OR uses <= max_uses)
);

-- What a registration costs (fixed when the person registers: price_basis says which price
-- applied), the discount code used, and the invoice raised once it holds a seat.
ALTER TABLE event_registrations ADD COLUMN price_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event_registrations ADD COLUMN price_basis TEXT NOT NULL DEFAULT 'free';
ALTER TABLE event_registrations ADD COLUMN discount_code_id BIGINT REFERENCES event_discount_codes(id) ON DELETE SET NULL;
ALTER TABLE event_registrations ADD COLUMN invoice_id BIGINT REFERENCES invoices(id) ON DELETE SET NULL;
CREATE INDEX event_registrations_invoice ON event_registrations (invoice_id);
COMMIT;
PRAGMA foreign_keys = ON;
