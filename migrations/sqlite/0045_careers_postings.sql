-- Career centre, posting products (issue 15, slice 2): what an employer buys to advertise a
-- job (30, 60 or 90 days, featured), priced by staff with a lower price for employers that
-- are organisational members; an order is a job posting with its invoice, and a run starts
-- only once the job is approved and the invoice paid.

CREATE TABLE posting_products (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL,
    name               TEXT NOT NULL,
    days               BIGINT NOT NULL CHECK (days BETWEEN 1 AND 365),
    featured           BOOLEAN NOT NULL DEFAULT FALSE,
    price_cents        BIGINT NOT NULL CHECK (price_cents >= 0),
    member_price_cents BIGINT NOT NULL CHECK (member_price_cents >= 0 AND member_price_cents <= price_cents),
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order         BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT posting_products_code_unique UNIQUE (code)
);

-- The society's first products are added by the application when it finds none
-- (`Store::add_default_posting_products`), so a new database holds no rows.

ALTER TABLE job_postings ADD COLUMN product_id BIGINT REFERENCES posting_products(id);
-- The minute job finds the orders waiting to start.
CREATE INDEX job_postings_waiting ON job_postings (invoice_id) WHERE started_at IS NULL;
