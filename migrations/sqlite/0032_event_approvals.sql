-- The boards that approved an event's credit (issue 11): jurisdiction codes, space
-- separated ("US-FL US-NY"). Released credit carries them into each attendee's ledger, where
-- the CE engine counts it toward minimums that need an approved provider.
ALTER TABLE events ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
