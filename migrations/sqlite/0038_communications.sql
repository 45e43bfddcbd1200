-- Communications (issue 14): the society's lists with members' consent, campaigns to an
-- audience built from lists, chapters, groups, tiers, standings and event registrants, the
-- frozen manifest that makes each person receive a campaign at most once, and what comes back
-- (bounces and complaints) with each address's delivery health.

-- A list people subscribe to (opt-in) or are on until they leave (opt-out): society-wide, or
-- a chapter's (its members only; its officers may send to it when staff allow, up to a number
-- of campaigns a month).
CREATE TABLE communication_lists (
    id                      INTEGER PRIMARY KEY,
    slug                    TEXT NOT NULL,
    name                    TEXT NOT NULL,
    purpose                 TEXT NOT NULL,
    opt_in                  BOOLEAN NOT NULL,
    chapter_id              BIGINT REFERENCES chapters(id) ON DELETE CASCADE,
    officers_may_send       BOOLEAN NOT NULL DEFAULT FALSE,
    officer_sends_per_month BIGINT NOT NULL DEFAULT 4,
    archived_at             BIGINT,
    created_at              BIGINT NOT NULL,
    CONSTRAINT communication_lists_slug_unique UNIQUE (slug)
);

-- A member's choice for one list; no row means the list's default (on for opt-out lists,
-- off for opt-in ones).
CREATE TABLE list_subscriptions (
    list_id    BIGINT NOT NULL REFERENCES communication_lists(id) ON DELETE CASCADE,
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    subscribed BOOLEAN NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (list_id, member_id)
);
CREATE INDEX list_subscriptions_member ON list_subscriptions (member_id);

-- The member's switch for all bulk mail (transactional mail is never stopped by it).
CREATE TABLE mail_preferences (
    member_id    BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    no_bulk_mail BOOLEAN NOT NULL,
    changed_at   BIGINT NOT NULL
);

-- Every change of consent, with when and how: one list (or, without a list, the switch for
-- all bulk mail), on or off.
CREATE TABLE consent_changes (
    id         INTEGER PRIMARY KEY,
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    list_id    BIGINT REFERENCES communication_lists(id) ON DELETE CASCADE,
    subscribed BOOLEAN NOT NULL,
    source     TEXT NOT NULL,
    -- The campaign whose message it was made from (one-click unsubscribe, a complaint).
    campaign_id BIGINT,
    changed_at BIGINT NOT NULL
);
CREATE INDEX consent_changes_member ON consent_changes (member_id, changed_at);

CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY,
    -- The list it is sent under: only its subscribers receive it, and unsubscribing leaves it.
    list_id         BIGINT NOT NULL REFERENCES communication_lists(id),
    subject         TEXT NOT NULL,
    -- Markdown with merge fields such as {{first_name}}.
    body            TEXT NOT NULL,
    -- {"include": [{"kind": "group", "id": 3}, …], "exclude": […]}
    audience        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    scheduled_for   BIGINT,
    -- Set when a chapter's officer wrote it: the chapter whose limits it counts against.
    chapter_id      BIGINT REFERENCES chapters(id) ON DELETE SET NULL,
    created_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    recipients      BIGINT NOT NULL DEFAULT 0,
    send_started_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX campaigns_due ON campaigns (status, scheduled_for);

-- The manifest: who a campaign goes to, frozen when its send starts. One row per member and
-- per address, so nobody is queued twice whatever the overlaps or however often it is sent.
CREATE TABLE campaign_recipients (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    address     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, member_id),
    CONSTRAINT campaign_recipients_address_unique UNIQUE (campaign_id, address)
);

-- A campaign's message is rendered when it is delivered, from the campaign and the member;
-- a bulk message is never sent twice (`in_flight_since` marks one handed to the relay: if
-- the sender stops before it is marked sent, it is left undetermined, not sent again).
ALTER TABLE outbox ADD COLUMN campaign_id BIGINT;
ALTER TABLE outbox ADD COLUMN member_id BIGINT;
-- A test send of a campaign to the person writing it: not counted in its report.
ALTER TABLE outbox ADD COLUMN campaign_test BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE outbox ADD COLUMN in_flight_since BIGINT;
-- The headers it went out with (JSON), kept for the development mailbox.
ALTER TABLE outbox ADD COLUMN headers TEXT;
ALTER TABLE outbox ADD COLUMN body_html TEXT;
CREATE INDEX outbox_campaign ON outbox (campaign_id, status);
-- The relay's sliding-window rate limits count bulk mail sent in the last minute and hour.
CREATE INDEX outbox_bulk_sent ON outbox (sent_at) WHERE campaign_id IS NOT NULL;

-- Delivery health of an address (lowercased), bulk and transactional mail alike: the bounce
-- score in half points (a hard bounce 2, a soft one 1), and when bulk mail to it was suspended.
CREATE TABLE mail_addresses (
    address           TEXT PRIMARY KEY,
    bounce_points     BIGINT NOT NULL DEFAULT 0,
    last_bounce_on    DATE,
    last_bounce_hard  BOOLEAN NOT NULL DEFAULT FALSE,
    suspended_at      BIGINT,
    reconfirm_sent_at BIGINT,
    updated_at        BIGINT NOT NULL
);

-- What came back: a hard or soft bounce or a spam complaint, for which address and message.
CREATE TABLE mail_bounces (
    id          INTEGER PRIMARY KEY,
    address     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint')),
    status      TEXT NOT NULL DEFAULT '',
    diagnostic  TEXT NOT NULL DEFAULT '',
    policy      BOOLEAN NOT NULL DEFAULT FALSE,
    counted     BOOLEAN NOT NULL DEFAULT FALSE,
    outbox_id   BIGINT,
    campaign_id BIGINT REFERENCES campaigns(id) ON DELETE SET NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX mail_bounces_address ON mail_bounces (address, received_at);
CREATE INDEX mail_bounces_campaign ON mail_bounces (campaign_id, kind);
