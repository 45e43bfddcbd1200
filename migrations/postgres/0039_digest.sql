-- The monthly digest (issue 14) reads what happened across all publications and questions in
-- the last month: answers by when they were posted, issues by their date.
CREATE INDEX answers_created ON answers (created_at);
CREATE INDEX publication_issues_published ON publication_issues (published_on);
