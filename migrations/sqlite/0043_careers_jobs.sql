-- Career centre, jobs (issue 15, slice 1): employers with their recruiters, jobs with their
-- requirements (licences and certifications from the members' own vocabulary), staff's review
-- before anything is public, and runs (postings) that make an approved job live for a while.

CREATE TABLE employers (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    website               TEXT NOT NULL DEFAULT '',
    about                 TEXT NOT NULL DEFAULT '',
    -- An organisational member's employer account: its payer record.
    organisation_payer_id BIGINT REFERENCES organisations(payer_id) ON DELETE SET NULL,
    suspended_at          BIGINT,
    created_at            BIGINT NOT NULL,
    CONSTRAINT employers_organisation_unique UNIQUE (organisation_payer_id)
);

CREATE TABLE employer_recruiters (
    employer_id BIGINT NOT NULL REFERENCES employers(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    is_owner    BOOLEAN NOT NULL DEFAULT FALSE,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (employer_id, user_id)
);
CREATE INDEX employer_recruiters_user ON employer_recruiters (user_id);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    employer_id      BIGINT NOT NULL REFERENCES employers(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description_md   TEXT NOT NULL,
    discipline       TEXT NOT NULL,
    career_stage     TEXT NOT NULL,
    jurisdiction     TEXT,
    city             TEXT NOT NULL DEFAULT '',
    remote           TEXT NOT NULL CHECK (remote IN ('on_site', 'hybrid', 'remote')),
    -- The pay range is required (pay-transparency laws increasingly demand it).
    salary_min_cents BIGINT NOT NULL,
    salary_max_cents BIGINT NOT NULL,
    pay_period       TEXT NOT NULL CHECK (pay_period IN ('year', 'hour')),
    currency         TEXT NOT NULL,
    -- The range a year (an hourly range at 2,080 hours), for the salary filter.
    annual_min_cents BIGINT NOT NULL,
    annual_max_cents BIGINT NOT NULL,
    closes_on        DATE,
    moderation       TEXT NOT NULL DEFAULT 'draft'
                     CHECK (moderation IN ('draft', 'pending', 'approved', 'rejected')),
    moderation_note  TEXT NOT NULL DEFAULT '',
    moderated_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    moderated_at     BIGINT,
    -- The run: live from and until (set only by starting a posting).
    live_from        BIGINT,
    live_until       BIGINT,
    featured         BOOLEAN NOT NULL DEFAULT FALSE,
    closed_at        BIGINT,
    closed_reason    TEXT CHECK (closed_reason IN ('filled', 'withdrawn', 'taken_down')),
    created_by       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT jobs_salary_range CHECK (salary_min_cents > 0 AND salary_max_cents >= salary_min_cents),
    CONSTRAINT jobs_annual_range CHECK (annual_min_cents > 0 AND annual_max_cents >= annual_min_cents),
    CONSTRAINT jobs_closed_reason CHECK ((closed_at IS NULL) = (closed_reason IS NULL)),
    CONSTRAINT jobs_run CHECK ((live_from IS NULL) = (live_until IS NULL) AND (live_until IS NULL OR live_until > live_from))
);
-- Live jobs: approved, inside their run, not closed (the search reads only these).
CREATE INDEX jobs_live ON jobs (live_until) WHERE closed_at IS NULL AND live_from IS NOT NULL;
CREATE INDEX jobs_employer ON jobs (employer_id, created_at);
CREATE INDEX jobs_moderation ON jobs (moderation, updated_at);

CREATE TABLE job_requirements (
    job_id       BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    need         TEXT NOT NULL CHECK (need IN ('required', 'preferred')),
    source       TEXT NOT NULL CHECK (source IN ('licence', 'certification')),
    -- A licence's jurisdiction (NULL: any) and kind; a certification's CE programme.
    jurisdiction TEXT,
    licence_kind TEXT,
    programme    TEXT,
    -- `licence:US-TX:PE`, `licence:*:PE`, `cert:PMI-PMP`: what matching compares.
    req_key      TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (job_id, req_key),
    CONSTRAINT job_requirements_source CHECK (
        (source = 'licence' AND licence_kind IS NOT NULL AND programme IS NULL)
        OR (source = 'certification' AND programme IS NOT NULL AND licence_kind IS NULL AND jurisdiction IS NULL))
);
CREATE INDEX job_requirements_key ON job_requirements (req_key, job_id);

-- A run of a job: granted by staff at approval (no charge) or, later, ordered and paid for.
CREATE TABLE job_postings (
    id          INTEGER PRIMARY KEY,
    job_id      BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    days        BIGINT NOT NULL CHECK (days BETWEEN 1 AND 365),
    featured    BOOLEAN NOT NULL DEFAULT FALSE,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    invoice_id  BIGINT REFERENCES invoices(id) ON DELETE SET NULL,
    ordered_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    ordered_at  BIGINT NOT NULL,
    started_at  BIGINT,
    ends_at     BIGINT,
    CONSTRAINT job_postings_invoice_unique UNIQUE (invoice_id)
);
CREATE INDEX job_postings_job ON job_postings (job_id);
-- At most one run waiting to start per job: a second click finds the first.
CREATE UNIQUE INDEX job_postings_one_waiting ON job_postings (job_id) WHERE started_at IS NULL;

-- "An organisational member's employer is already one": an employer per organisation, its
-- payer's account its owner.
INSERT INTO employers (name, organisation_payer_id, created_at)
SELECT o.name, o.payer_id, o.created_at FROM organisations o;
INSERT INTO employer_recruiters (employer_id, user_id, is_owner, added_at)
SELECT e.id, m.user_id, TRUE, e.created_at
FROM employers e JOIN members m ON m.id = e.organisation_payer_id
WHERE m.user_id IS NOT NULL;
