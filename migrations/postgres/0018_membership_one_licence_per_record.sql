-- A licence already on the record is not added twice (issue 9, section 5). One member
-- holds a given licence once: the same licence is the same jurisdiction and kind (a board
-- licenses a person once for a kind; the number, dates, licensure method and CE figures
-- describe that licence, they do not make another), as `guildhall_domain::member` compares
-- them and as the CE engine picks a rule set (`US-TX` + `PE` → `US-TX-PE`). A second row
-- used to be judged and reminded about as a second licence.
--
-- Duplicates a database already holds are resolved first, deterministically:
-- 1. Spellings are made canonical as the domain writes them (jurisdiction trimmed and
--    upper-case; kind `PE`, `SE`, `PLS`, `P.ENG` or `CENG`, whatever its case or dots),
--    so rows written before the vocabulary was typed compare as the domain compares.
-- 2. Of each member's rows for one jurisdiction and kind, one is kept: the one that
--    expires last (a row with no expiry date after every dated one), then the most
--    recently recorded, then the highest id.
-- 3. What the kept row leaves blank (number, licensure method, CE figures) is filled from
--    the others, the most recently recorded first.
-- 4. Nothing has a foreign key into licences; the one reference is the CE reminders'
--    `credential_key` (`licence-<id>`): reminders sent for a removed row are moved to the
--    kept row (one per period and offset, the earliest sent), so none is sent again.
-- 5. The other rows are deleted, and the unique index is created.
UPDATE licences
SET jurisdiction = UPPER(TRIM(jurisdiction)),
    kind = CASE UPPER(REPLACE(TRIM(kind), '.', '')) WHEN 'PENG' THEN 'P.ENG' ELSE UPPER(REPLACE(TRIM(kind), '.', '')) END
WHERE jurisdiction <> UPPER(TRIM(jurisdiction))
   OR kind <> CASE UPPER(REPLACE(TRIM(kind), '.', '')) WHEN 'PENG' THEN 'P.ENG' ELSE UPPER(REPLACE(TRIM(kind), '.', '')) END;

CREATE TEMPORARY TABLE licence_duplicates AS
SELECT id AS duplicate_id, keeper_id FROM (
    SELECT id, FIRST_VALUE(id) OVER (
        PARTITION BY member_id, jurisdiction, kind
        ORDER BY CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, expires_on DESC, created_at DESC, id DESC
    ) AS keeper_id
    FROM licences
) ranked
WHERE id <> keeper_id;

UPDATE licences SET number = (
    SELECT l.number FROM licence_duplicates d JOIN licences l ON l.id = d.duplicate_id
    WHERE d.keeper_id = licences.id AND l.number <> '' ORDER BY l.created_at DESC, l.id DESC LIMIT 1
)
WHERE number = '' AND id IN (
    SELECT d.keeper_id FROM licence_duplicates d JOIN licences l ON l.id = d.duplicate_id WHERE l.number <> ''
);
UPDATE licences SET licensure_method = (
    SELECT l.licensure_method FROM licence_duplicates d JOIN licences l ON l.id = d.duplicate_id
    WHERE d.keeper_id = licences.id AND l.licensure_method IS NOT NULL ORDER BY l.created_at DESC, l.id DESC LIMIT 1
)
WHERE licensure_method IS NULL AND id IN (
    SELECT d.keeper_id FROM licence_duplicates d JOIN licences l ON l.id = d.duplicate_id
    WHERE l.licensure_method IS NOT NULL
);
UPDATE licences SET ce_fields = (
    SELECT l.ce_fields FROM licence_duplicates d JOIN licences l ON l.id = d.duplicate_id
    WHERE d.keeper_id = licences.id AND l.ce_fields <> '' ORDER BY l.created_at DESC, l.id DESC LIMIT 1
)
WHERE ce_fields = '' AND id IN (
    SELECT d.keeper_id FROM licence_duplicates d JOIN licences l ON l.id = d.duplicate_id WHERE l.ce_fields <> ''
);

INSERT INTO ce_reminders (member_id, credential_key, period_end, offset_days, sent_at)
SELECT r.member_id, 'licence-' || CAST(d.keeper_id AS TEXT), r.period_end, r.offset_days, MIN(r.sent_at)
FROM ce_reminders r JOIN licence_duplicates d ON r.credential_key = 'licence-' || CAST(d.duplicate_id AS TEXT)
WHERE 1 = 1
GROUP BY r.member_id, d.keeper_id, r.period_end, r.offset_days
ON CONFLICT (member_id, credential_key, period_end, offset_days) DO NOTHING;
DELETE FROM ce_reminders
WHERE credential_key IN (SELECT 'licence-' || CAST(duplicate_id AS TEXT) FROM licence_duplicates);

DELETE FROM licences WHERE id IN (SELECT duplicate_id FROM licence_duplicates);
DROP TABLE licence_duplicates;

CREATE UNIQUE INDEX licences_one_per_record ON licences (member_id, jurisdiction, kind);
