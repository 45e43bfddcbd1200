-- A tier without expiry (life membership) never renews, but its home chapter's supplement is
-- still due each calendar year: it is billed as an invoice of its own. One bill per member
-- and year, decided by the primary key (INSERT … ON CONFLICT DO NOTHING in the transaction
-- that writes the invoice and its email), so a job run twice, or on two nodes, bills once.
CREATE TABLE chapter_supplement_bills (
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    year       BIGINT NOT NULL,
    chapter_id BIGINT NOT NULL REFERENCES chapters(id) ON DELETE CASCADE,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, year)
);
CREATE INDEX chapter_supplement_bills_invoice ON chapter_supplement_bills (invoice_id);
