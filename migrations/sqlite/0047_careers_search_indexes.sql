-- Career centre, the job search's indexes (issue 15, benchmark): with 20,000 live jobs every
-- search read each live job's row from `jobs_live` (by `live_until` alone), sorted them all for
-- the first page and read them all again to count them.
--
-- `jobs_live_cards` holds the live jobs in the search's order (featured, newest, id) with every
-- column the filters and the count read, so the first page stops after twenty entries and the
-- count reads the index alone; `jobs_live_place` finds a discipline in a place at once.
CREATE INDEX jobs_live_cards ON jobs (featured DESC, live_from DESC, id DESC, live_until, moderation, closes_on,
    discipline, jurisdiction, remote, career_stage, annual_max_cents, employer_id)
    WHERE closed_at IS NULL AND live_from IS NOT NULL;
CREATE INDEX jobs_live_place ON jobs (discipline, jurisdiction, live_until)
    WHERE closed_at IS NULL AND live_from IS NOT NULL;
