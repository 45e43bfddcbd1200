-- Career centre, applications (issue 15, slice 3): a member applies to a live job with a
-- resume (PDF) and a cover letter, sharing the licences and certifications they choose; the
-- employer moves the application through its stages; the applicant may withdraw.

CREATE TABLE resumes (
    id           INTEGER PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content      BLOB NOT NULL,
    bytes        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX resumes_member ON resumes (member_id);

CREATE TABLE job_applications (
    id               INTEGER PRIMARY KEY,
    job_id           BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    member_id        BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    resume_id        BIGINT REFERENCES resumes(id) ON DELETE SET NULL,
    cover_letter     TEXT NOT NULL DEFAULT '',
    -- What the applicant chose to share, as it stood when they applied (JSON).
    shared_facts     TEXT NOT NULL,
    stage            TEXT NOT NULL DEFAULT 'submitted' CHECK (stage IN
                     ('submitted', 'reviewing', 'interview', 'offer', 'hired', 'not_selected', 'withdrawn')),
    stage_changed_at BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    -- One application per member per job.
    CONSTRAINT job_applications_one_per_member UNIQUE (job_id, member_id)
);
CREATE INDEX job_applications_member ON job_applications (member_id, created_at);
CREATE INDEX job_applications_stage ON job_applications (job_id, stage);

-- Each move of an application, with who made it and the message sent.
CREATE TABLE application_stages (
    id             INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES job_applications(id) ON DELETE CASCADE,
    stage          TEXT NOT NULL,
    changed_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    changed_at     BIGINT NOT NULL,
    message        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_stages_application ON application_stages (application_id, changed_at);
