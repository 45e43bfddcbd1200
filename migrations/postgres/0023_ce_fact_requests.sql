-- Staff ask members for a fact the CE rules need (a licence's first issue date, a PEAK
-- target): one request per member and day, so asking twice in a day emails once. The
-- primary key decides (INSERT … ON CONFLICT DO NOTHING, with the email in the same
-- transaction).
CREATE TABLE ce_fact_requests (
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    requested_on DATE NOT NULL,
    facts        TEXT NOT NULL,
    requested_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    requested_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, requested_on)
);
