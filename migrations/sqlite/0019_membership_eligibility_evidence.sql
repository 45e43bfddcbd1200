-- What an applicant gave to prove eligibility for a tier (issue 9 §4): a declaration of
-- retirement, a date of birth, a career stage, or an uploaded document proving enrolment.
-- A tier whose requirements rest on such evidence sends the application to staff, who
-- see it in the approvals queue. proof is a domain::membership::Proof code; statement is
-- what was declared, in words; a document keeps its file.
CREATE TABLE membership_evidence (
    id           INTEGER PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    term_id      BIGINT REFERENCES membership_terms(id) ON DELETE CASCADE,
    proof        TEXT NOT NULL,
    statement    TEXT NOT NULL DEFAULT '',
    file_name    TEXT,
    content_type TEXT,
    content      BLOB,
    created_at   BIGINT NOT NULL
);
CREATE INDEX membership_evidence_term ON membership_evidence (term_id);
CREATE INDEX membership_evidence_member ON membership_evidence (member_id);
