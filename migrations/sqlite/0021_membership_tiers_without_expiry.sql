-- A tier without expiry (life membership, issue 10): once paid up, its members stay
-- members for life. They never become renewal due, are never reminded to renew and are
-- never offered renewal; their standing is Active with no expiry date.
ALTER TABLE tiers ADD COLUMN never_expires BOOLEAN NOT NULL DEFAULT FALSE;

-- The society's "life" tier, where there is one, is such a tier.
UPDATE tiers SET never_expires = TRUE WHERE code = 'life';
