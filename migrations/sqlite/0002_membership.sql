-- Membership: tiers, affinity groups, members and their licences and certifications,
-- membership terms, invoices, payments and renewal reminders.
-- members.standing / expires_on are the standing computed (by the domain rules) for
-- members.standing_on; they are refreshed whenever terms change and daily.

CREATE TABLE tiers (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    annual_dues_cents BIGINT NOT NULL,
    requires_approval BOOLEAN NOT NULL DEFAULT FALSE,
    requirements      TEXT NOT NULL DEFAULT '[]',
    sort_order        BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL
);

CREATE TABLE affinity_groups (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE members (
    id              INTEGER PRIMARY KEY,
    member_number   TEXT NOT NULL UNIQUE,
    user_id         BIGINT UNIQUE REFERENCES users(id) ON DELETE SET NULL,
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    phone           TEXT NOT NULL DEFAULT '',
    employer        TEXT NOT NULL DEFAULT '',
    job_title       TEXT NOT NULL DEFAULT '',
    career_stage    TEXT NOT NULL DEFAULT 'other',
    disciplines     TEXT NOT NULL DEFAULT '',
    education       TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    tier_id         BIGINT NOT NULL REFERENCES tiers(id),
    home_chapter_id BIGINT REFERENCES chapters(id) ON DELETE SET NULL,
    joined_on       DATE NOT NULL,
    standing        TEXT NOT NULL,
    expires_on      DATE,
    standing_on     DATE NOT NULL,
    visibility      TEXT NOT NULL DEFAULT '{}',
    search_name     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX members_chapter ON members (home_chapter_id, search_name);
CREATE INDEX members_standing ON members (standing, expires_on);
CREATE INDEX members_tier ON members (tier_id);
CREATE INDEX members_search_name ON members (search_name);
CREATE INDEX members_expires ON members (expires_on);

CREATE TABLE member_groups (
    member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    group_id  BIGINT NOT NULL REFERENCES affinity_groups(id) ON DELETE CASCADE,
    joined_on DATE NOT NULL,
    PRIMARY KEY (member_id, group_id)
);
CREATE INDEX member_groups_group ON member_groups (group_id);

CREATE TABLE licences (
    id           INTEGER PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    jurisdiction TEXT NOT NULL,
    kind         TEXT NOT NULL,
    number       TEXT NOT NULL,
    first_issued DATE NOT NULL,
    expires_on   DATE,
    created_at   BIGINT NOT NULL
);
CREATE INDEX licences_member ON licences (member_id);
CREATE INDEX licences_jurisdiction ON licences (jurisdiction, member_id);

CREATE TABLE certifications (
    id         INTEGER PRIMARY KEY,
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    number     TEXT NOT NULL DEFAULT '',
    expires_on DATE,
    created_at BIGINT NOT NULL
);
CREATE INDEX certifications_member ON certifications (member_id);

CREATE TABLE membership_terms (
    id           INTEGER PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    tier_id      BIGINT NOT NULL REFERENCES tiers(id),
    starts_on    DATE NOT NULL,
    ends_on      DATE NOT NULL,
    applied_on   DATE NOT NULL,
    status       TEXT NOT NULL,
    approved_on  DATE,
    paid_on      DATE,
    cancelled_on DATE,
    rejected_on  DATE,
    created_at   BIGINT NOT NULL
);
CREATE INDEX membership_terms_member ON membership_terms (member_id, starts_on);
CREATE INDEX membership_terms_status ON membership_terms (status);

CREATE TABLE invoices (
    id           INTEGER PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    term_id      BIGINT REFERENCES membership_terms(id) ON DELETE SET NULL,
    description  TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status       TEXT NOT NULL,
    issued_on    DATE NOT NULL,
    due_on       DATE NOT NULL,
    paid_on      DATE,
    created_at   BIGINT NOT NULL
);
CREATE INDEX invoices_member ON invoices (member_id, issued_on);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    invoice_id   BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount_cents BIGINT NOT NULL,
    method       TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    provider_ref TEXT UNIQUE,
    received_on  DATE NOT NULL,
    recorded_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX payments_invoice ON payments (invoice_id);

CREATE TABLE renewal_reminders (
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    for_expiry DATE NOT NULL,
    offset_key TEXT NOT NULL,
    sent_on    DATE NOT NULL,
    PRIMARY KEY (member_id, for_expiry, offset_key)
);
