-- One open renewal per member and period (issue 9): of terms still awaiting approval or
-- payment, a member has at most one starting on a given day. Concurrent renewals used to
-- raise several, each with its own open invoice; now the database refuses the second and
-- the store hands back the first.
--
-- Duplicates a database already holds are resolved first: the oldest open term of each
-- member and start date stays, later ones are cancelled and their open invoices voided.
UPDATE membership_terms SET status = 'cancelled'
WHERE status IN ('awaiting_approval', 'awaiting_payment')
  AND EXISTS (
    SELECT 1 FROM membership_terms older
    WHERE older.member_id = membership_terms.member_id
      AND older.starts_on = membership_terms.starts_on
      AND older.status IN ('awaiting_approval', 'awaiting_payment')
      AND older.id < membership_terms.id
  );
UPDATE invoices SET status = 'void'
WHERE status = 'open'
  AND term_id IN (SELECT id FROM membership_terms WHERE status = 'cancelled');

CREATE UNIQUE INDEX membership_terms_one_open_per_period ON membership_terms (member_id, starts_on)
WHERE status IN ('awaiting_approval', 'awaiting_payment');
