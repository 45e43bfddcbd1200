-- Career centre, job alerts (issue 15, slice 4): a saved job search whose new matching jobs
-- are emailed daily or weekly. Guests get a light account and a confirmation link; nothing
-- is mailed before the address is confirmed. Stopping an alert deletes it.

CREATE TABLE job_alerts (
    id                 INTEGER PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The search's filters in their canonical query-string form (JobFilter::to_pairs).
    filter             TEXT NOT NULL,
    frequency          TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    -- The hash of the link that confirms an unconfirmed alert.
    confirm_token_hash TEXT,
    confirmed_at       BIGINT,
    -- Jobs that went live after this moment are the next message's (set on confirmation,
    -- then by each send, which claims the alert by its previous value).
    sent_through       BIGINT,
    created_at         BIGINT NOT NULL,
    CONSTRAINT job_alerts_one_per_search UNIQUE (user_id, filter),
    CHECK ((confirmed_at IS NULL) = (sent_through IS NULL))
);
CREATE UNIQUE INDEX job_alerts_confirm_token ON job_alerts (confirm_token_hash) WHERE confirm_token_hash IS NOT NULL;
CREATE INDEX job_alerts_due ON job_alerts (sent_through) WHERE confirmed_at IS NOT NULL;
