-- Automations (issue 14): a welcome series for new members and a win-back for lapsed ones.
-- Each is a sequence of messages, each a given number of days after the member joined (or
-- their membership ended), sent under one list and only while the condition still holds.

CREATE TABLE automations (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('welcome', 'win_back')),
    list_id      BIGINT NOT NULL REFERENCES communication_lists(id),
    -- The day it was switched on (NULL: off). A step whose day falls before it is not sent,
    -- so switching a series on does not write to everyone who joined years ago.
    active_since DATE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT automations_kind_unique UNIQUE (kind)
);

-- Each step of a series is a campaign (its message, manifest and report), marked with its
-- automation and its delay; it stays 'sending' while members keep reaching its day, and its
-- manifest keeps each member to one copy of each step.
ALTER TABLE campaigns ADD COLUMN automation_id BIGINT REFERENCES automations(id) ON DELETE CASCADE;
ALTER TABLE campaigns ADD COLUMN delay_days BIGINT;
CREATE INDEX campaigns_automation ON campaigns (automation_id, delay_days);
-- A welcome step finds members by the day they joined.
CREATE INDEX members_joined ON members (joined_on);
