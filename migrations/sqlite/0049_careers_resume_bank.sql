-- Career centre, the resume bank (issue 15, slice 5): members opt in with a resume (an
-- uploaded PDF, or one built from their record) and the facts employers search by; a
-- confidential entry shows employers no name, address, number, employer or city. Employers
-- buy access (a product of kind `resume_bank`, invoiced and started as a job's run is) and
-- invite members to apply to their live jobs; the member accepts (and applies) or declines.

ALTER TABLE posting_products ADD COLUMN kind TEXT NOT NULL DEFAULT 'job' CHECK (kind IN ('job', 'resume_bank'));

-- One entry per member; opting out deletes it.
CREATE TABLE resume_bank_entries (
    member_id        BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    -- What employers call the entry (random, not the member's id or number).
    public_ref       TEXT NOT NULL,
    -- The uploaded resume offered; NULL: the resume built from the member's record.
    resume_id        BIGINT REFERENCES resumes(id) ON DELETE SET NULL,
    confidential     BOOLEAN NOT NULL,
    summary          TEXT NOT NULL CHECK (length(summary) <= 280),
    discipline       TEXT NOT NULL,
    career_stage     TEXT NOT NULL,
    years_experience BIGINT NOT NULL CHECK (years_experience BETWEEN 0 AND 70),
    region           TEXT NOT NULL,
    opted_in_at      BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT resume_bank_entries_public_ref_unique UNIQUE (public_ref)
);
CREATE INDEX resume_bank_entries_search ON resume_bank_entries (discipline, career_stage, region);

-- An employer's access to the bank: ordered with its invoice, started once paid.
CREATE TABLE resume_bank_access (
    id          INTEGER PRIMARY KEY,
    employer_id BIGINT NOT NULL REFERENCES employers(id) ON DELETE CASCADE,
    product_id  BIGINT REFERENCES posting_products(id),
    invoice_id  BIGINT REFERENCES invoices(id),
    days        BIGINT NOT NULL CHECK (days BETWEEN 1 AND 365),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    ordered_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    ordered_at  BIGINT NOT NULL,
    started_at  BIGINT,
    ends_at     BIGINT,
    CONSTRAINT resume_bank_access_invoice_unique UNIQUE (invoice_id)
);
-- One order waits per employer: a second click finds the first.
CREATE UNIQUE INDEX resume_bank_access_one_waiting ON resume_bank_access (employer_id) WHERE started_at IS NULL;
CREATE INDEX resume_bank_access_current ON resume_bank_access (employer_id, ends_at);

-- An employer's invitation to a bank member to apply to one of its jobs.
CREATE TABLE bank_invitations (
    id          INTEGER PRIMARY KEY,
    employer_id BIGINT NOT NULL REFERENCES employers(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    job_id      BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    -- The entry's public reference when invited: what the employer reads it by.
    public_ref  TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'accepted', 'declined', 'expired')),
    sent_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    sent_at     BIGINT NOT NULL,
    answered_at BIGINT,
    CONSTRAINT bank_invitations_one_per_job UNIQUE (employer_id, member_id, job_id)
);
CREATE INDEX bank_invitations_member ON bank_invitations (member_id, sent_at);
CREATE INDEX bank_invitations_employer ON bank_invitations (employer_id, sent_at);
