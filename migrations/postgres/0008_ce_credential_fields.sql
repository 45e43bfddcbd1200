-- Figures a rule set reads from the member's own credential record (e.g. Ontario's PEAK
-- target hours, the number of LEED specialties held), as space-separated name=value pairs;
-- empty when none are recorded.
ALTER TABLE licences ADD COLUMN ce_fields TEXT NOT NULL DEFAULT '';
ALTER TABLE certifications ADD COLUMN ce_fields TEXT NOT NULL DEFAULT '';
