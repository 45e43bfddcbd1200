-- Changing a sign-in email (issue 9): the confirmation link sent to the new address
-- carries that address, so the change happens only once the new address is proven.
ALTER TABLE email_tokens ADD COLUMN new_email TEXT;
