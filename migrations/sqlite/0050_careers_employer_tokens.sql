-- Career centre, employer API tokens (issue 15): an employer account's owner issues tokens
-- for the employer's applicant-tracking system. Such a token acts for the owner who issued
-- it, but only as that employer's recruiter on the jobs API, and only while the owner still
-- recruits for it. Administrators' tokens leave it NULL.

ALTER TABLE api_tokens ADD COLUMN employer_id BIGINT REFERENCES employers(id) ON DELETE CASCADE;
CREATE INDEX api_tokens_employer ON api_tokens (employer_id) WHERE employer_id IS NOT NULL;
