-- Household and organisational memberships. A linked person (kind 'household': one payer,
-- several people; kind 'employee': an organisation's named employee) has the payer's
-- standing while the link lasts (started_on to ended_on, inclusive; ended_on NULL while
-- linked) and their own afterwards. organisations names the payer records that are an
-- organisation's membership and the seats it pays for.

CREATE TABLE organisations (
    payer_id   BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    seats      BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE membership_links (
    id         INTEGER PRIMARY KEY,
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    payer_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    started_on DATE NOT NULL,
    ended_on   DATE,
    created_at BIGINT NOT NULL
);
CREATE INDEX membership_links_member ON membership_links (member_id, started_on);
CREATE INDEX membership_links_payer ON membership_links (payer_id);
