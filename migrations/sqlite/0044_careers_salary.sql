-- The salary survey (issue 15, slice 6; docs/design/careers-plan.md §3): one survey a year,
-- members' responses (or imported ones), and the figures released from a closed survey: a
-- frozen lattice of cells, each published only if the privacy rules allow it, and the
-- estimate's model fitted at release (slice 7).

CREATE TABLE salary_surveys (
    id          INTEGER PRIMARY KEY,
    year        BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    opens_on    DATE NOT NULL,
    -- The last day responses are taken: set to the day staff close it when that is earlier.
    closes_on   DATE NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'released')),
    released_at BIGINT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT salary_surveys_year_unique UNIQUE (year),
    CHECK (closes_on >= opens_on),
    CHECK ((status = 'released') = (released_at IS NOT NULL))
);
-- One survey is open at a time.
CREATE UNIQUE INDEX salary_surveys_one_open ON salary_surveys (status) WHERE status = 'open';

CREATE TABLE salary_responses (
    id               INTEGER PRIMARY KEY,
    survey_id        BIGINT NOT NULL REFERENCES salary_surveys(id) ON DELETE CASCADE,
    -- The member who answered (NULL: an imported response, known by its import_ref).
    member_id        BIGINT REFERENCES members(id) ON DELETE CASCADE,
    import_ref       TEXT,
    base_pay_cents   BIGINT NOT NULL CHECK (base_pay_cents > 0),
    bonus_cents      BIGINT NOT NULL CHECK (bonus_cents >= 0),
    hours_per_week   BIGINT NOT NULL CHECK (hours_per_week BETWEEN 1 AND 100),
    -- Never shown but to staff merging names; the key counts employers.
    employer_name    TEXT NOT NULL,
    employer_key     TEXT NOT NULL,
    employer_size    TEXT NOT NULL,
    sector           TEXT NOT NULL,
    discipline       TEXT NOT NULL,
    job_function     TEXT NOT NULL,
    -- Licence kinds held, as codes separated by ';'.
    licences         TEXT NOT NULL,
    licence_class    TEXT NOT NULL,
    years_experience BIGINT NOT NULL CHECK (years_experience >= 0),
    education        TEXT NOT NULL,
    jurisdiction     TEXT NOT NULL,
    region           TEXT NOT NULL,
    zone             TEXT NOT NULL,
    submitted_at     BIGINT NOT NULL,
    CHECK ((member_id IS NULL) <> (import_ref IS NULL))
);
-- One response per member per survey (answering again replaces it while the survey is open).
CREATE UNIQUE INDEX salary_responses_one_per_member ON salary_responses (survey_id, member_id) WHERE member_id IS NOT NULL;
-- An imported row once per survey (importing a file again changes nothing).
CREATE UNIQUE INDEX salary_responses_import_ref ON salary_responses (survey_id, import_ref) WHERE import_ref IS NOT NULL;
CREATE INDEX salary_responses_employer ON salary_responses (survey_id, employer_key);
CREATE INDEX salary_responses_member ON salary_responses (member_id);

CREATE TABLE salary_releases (
    survey_id   BIGINT PRIMARY KEY REFERENCES salary_surveys(id) ON DELETE CASCADE,
    built_at    BIGINT NOT NULL,
    respondents BIGINT NOT NULL,
    published   BIGINT NOT NULL,
    suppressed  BIGINT NOT NULL,
    -- The rules it was built under (JSON).
    parameters  TEXT NOT NULL,
    -- The salary estimate's fitted model per currency zone (JSON; NULL if none could be fitted).
    model       TEXT
);

-- A released cell: '*' in a dimension is "all". Suppressed cells keep their rule and no
-- figures; the database keeps G1 of the plan as the last word.
CREATE TABLE salary_cells (
    survey_id             BIGINT NOT NULL REFERENCES salary_surveys(id) ON DELETE CASCADE,
    zone                  TEXT NOT NULL,
    discipline            TEXT NOT NULL,
    licence_class         TEXT NOT NULL,
    experience_band       TEXT NOT NULL,
    region                TEXT NOT NULL,
    sector                TEXT NOT NULL,
    respondents           BIGINT NOT NULL CHECK (respondents >= 1),
    employers             BIGINT NOT NULL CHECK (employers >= 1),
    top_employer_permille BIGINT NOT NULL,
    base_p25_cents        BIGINT,
    base_median_cents     BIGINT,
    base_p75_cents        BIGINT,
    total_p25_cents       BIGINT,
    total_median_cents    BIGINT,
    total_p75_cents       BIGINT,
    suppressed_rule       TEXT,
    PRIMARY KEY (survey_id, zone, discipline, licence_class, experience_band, region, sector),
    CHECK (suppressed_rule IS NOT NULL OR (respondents >= 5 AND employers >= 5 AND top_employer_permille <= 250
        AND base_median_cents IS NOT NULL AND base_p25_cents IS NOT NULL AND base_p75_cents IS NOT NULL
        AND total_p25_cents IS NOT NULL AND total_median_cents IS NOT NULL AND total_p75_cents IS NOT NULL)),
    CHECK (suppressed_rule IS NULL OR (base_median_cents IS NULL AND base_p25_cents IS NULL AND base_p75_cents IS NULL
        AND total_p25_cents IS NULL AND total_median_cents IS NULL AND total_p75_cents IS NULL))
);
