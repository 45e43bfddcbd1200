-- Appends generated members with continuing-education records to an existing Guildhall
-- PostgreSQL database that already holds the demo society (its tiers and chapters), so the
-- staff CE compliance report can be timed at scale (`guildhall bench compliance`).
--
--   psql "$DATABASE_URL" -v members=1000000 -f scripts/seed-ce-scale.sql
--
-- Variables (all optional):
--   members  how many members to append (default 1000000)
--   chunk    members generated per statement (default 50000; bounds memory and shows progress)
--   today    the date the ledgers lead up to (default current_date: keep it the date the
--            report runs on, since the report evaluates "as of today")
--   fk       1 (default) checks foreign keys row by row as usual; 0 skips the row-by-row
--            checks for this session only (session_replication_role = replica; needs a
--            superuser). Every generated reference points at a row generated in the same
--            run, so skipping is safe, and the seed runs about twice as fast.
--   vacuum   1 (default) runs VACUUM ANALYZE on the tables written afterwards (sets hint bits
--            and the visibility map so the first report run does not pay for them); 0 runs
--            ANALYZE only.
--
-- Every generated member holds two tracked credentials drawn from US-TX PE, US-FL PE,
-- US-NY PE, US-IL PE, US-CA PE (licences) and a PMI PMP certification (ruleset PMI-PMP),
-- and 30 CE activities spread over the three years before `today` (a tenth of members
-- "lapsed": nothing in the last nine months). Everything is derived from the member's and
-- activity's ids by hashing (hashint8extended), so the same ids get the same data every run.
-- Members, licences, certifications and activities are inserted in member id order, so each
-- table is physically clustered by member. Nothing is disabled beyond this session; the
-- whole append is one transaction (all or nothing).

\set ON_ERROR_STOP on
\if :{?members}
\else
  \set members 1000000
\endif
\if :{?chunk}
\else
  \set chunk 50000
\endif
\if :{?fk}
\else
  \set fk 1
\endif
\if :{?vacuum}
\else
  \set vacuum 1
\endif
\if :{?today}
\else
  SELECT current_date AS today \gset
\endif

SET client_min_messages = notice;
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
\if :fk
\else
  SET session_replication_role = replica;
\endif

-- Pure helpers (session-local: they vanish with the session). SQL functions this simple are
-- inlined by the planner, so they cost no more than writing the expressions out.

-- A deterministic pseudo-random integer in [0, n) for (x, salt).
CREATE FUNCTION pg_temp.pick(x bigint, salt bigint, n int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((hashint8extended(x, salt) & 9223372036854775807) % n)::int $$;

-- A member's two credentials. Codes: 1 US-TX PE, 2 US-FL PE, 3 US-NY PE, 4 US-IL PE,
-- 5 US-CA PE (licences), 6 PMI-PMP (certification). All 15 pairs, Texas + Florida twice.
CREATE FUNCTION pg_temp.cred_a(m bigint) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('{1,1,1,1,1,2,2,2,2,3,3,3,4,4,5,1}'::int[])[1 + pg_temp.pick(m, 1, 16)] $$;
CREATE FUNCTION pg_temp.cred_b(m bigint) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('{2,3,4,5,6,3,4,5,6,4,5,6,5,6,6,2}'::int[])[1 + pg_temp.pick(m, 1, 16)] $$;

CREATE FUNCTION pg_temp.jurisdiction(c int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('{US-TX,US-FL,US-NY,US-IL,US-CA}'::text[])[c] $$;

-- How much a member logs per activity, in percent of the usual: 15 % log little, 30 % a
-- fair amount, the rest plenty.
CREATE FUNCTION pg_temp.diligence(m bigint) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN pg_temp.pick(m, 2, 100) < 15 THEN 40 WHEN pg_temp.pick(m, 2, 100) < 45 THEN 80 ELSE 120 END $$;

-- Days before `today` of a member's k-th activity (k = 0 most recent): one every ~36 days
-- over three years; "lapsed" members (10 %) logged nothing in the last nine months.
CREATE FUNCTION pg_temp.days_ago(id bigint, m bigint, k int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 1 + k * 36 + pg_temp.pick(id, 55, 36) + CASE WHEN pg_temp.pick(m, 3, 100) < 10 THEN 270 ELSE 0 END $$;

-- A quarter of members attended one multi-day course (their 6th activity), recorded with
-- one row per day in ce_activity_sessions (6 hours a day), like the app records it.
CREATE FUNCTION pg_temp.multi_days(m bigint, k int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN k = 5 AND m % 4 = 0 THEN 2 + ((m / 4) % 2)::int ELSE 0 END $$;

-- The demo society must be there: tiers, chapters.
DO $check$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tiers WHERE code = 'member')
     OR NOT EXISTS (SELECT 1 FROM chapters WHERE kind = 'chapter') THEN
    RAISE EXCEPTION 'seed-ce-scale: the database has no demo tiers/chapters; create the demo society first (guildhall demo --members 2000)';
  END IF;
END
$check$;

BEGIN;
-- Nobody else adds members or activities meanwhile (ids are assigned here).
LOCK TABLE members, ce_activities IN SHARE ROW EXCLUSIVE MODE;

CREATE TEMP TABLE seed_params ON COMMIT DROP AS
SELECT
  CAST(:'members' AS bigint) AS members,
  greatest(CAST(:'chunk' AS bigint), 1) AS chunk,
  CAST(:'today' AS date) AS today,
  extract(epoch FROM now())::bigint AS now_unix,
  greatest(
    (SELECT coalesce(max(id), 0) FROM members),
    (SELECT coalesce(last_value, 0) FROM pg_sequences
      WHERE format('%I.%I', schemaname, sequencename) = pg_get_serial_sequence('members', 'id'))
  ) AS member_base,
  greatest(
    (SELECT coalesce(max(id), 0) FROM ce_activities),
    (SELECT coalesce(last_value, 0) FROM pg_sequences
      WHERE format('%I.%I', schemaname, sequencename) = pg_get_serial_sequence('ce_activities', 'id'))
  ) AS activity_base,
  (SELECT array_agg(id ORDER BY id) FROM chapters WHERE kind = 'chapter') AS chapter_ids,
  -- Tiers in this order: member, senior, fellow, life, retired (the demo's codes; any
  -- missing one falls back to 'member').
  ARRAY(
    SELECT coalesce((SELECT id FROM tiers WHERE code = c), (SELECT id FROM tiers WHERE code = 'member'))
    FROM unnest('{member,senior,fellow,life,retired}'::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n
  ) AS tier_ids;

SELECT members, member_base + 1 AS first_member_id, member_base + members AS last_member_id,
       activity_base + 1 AS first_activity_id, today
FROM seed_params;

\timing on
DO $seed$
DECLARE
  p seed_params%ROWTYPE;
  v_lo bigint;
  v_hi bigint;
  v_started timestamptz := clock_timestamp();
BEGIN
  SELECT * INTO p FROM seed_params;
  v_lo := p.member_base + 1;
  WHILE v_lo <= p.member_base + p.members LOOP
    v_hi := least(v_lo + p.chunk - 1, p.member_base + p.members);

    -- Members.
    INSERT INTO members (id, member_number, user_id, first_name, last_name, email, phone, employer,
                         job_title, career_stage, disciplines, education, city, tier_id, home_chapter_id,
                         joined_on, standing, expires_on, standing_on, visibility, search_name,
                         created_at, updated_at)
    SELECT g.m,
           'M' || lpad(g.m::text, greatest(6, length(g.m::text)), '0'),   -- like the app: M{id:06}
           NULL,
           g.first_name,
           g.last_name,
           lower(translate(g.first_name || '.' || g.last_name, 'áü''', 'au')) || '.' || g.m
             || '@bench.example.org',
           '555-01' || lpad(pg_temp.pick(g.m, 61, 100)::text, 2, '0'),
           ('{Stantec,AECOM,Jacobs,WSP,"State DOT","City of Riverton","Black & Veatch",Kimley-Horn,'
            '"Burns & McDonnell",HDR,Terracon,Self-employed}'::text[])[1 + pg_temp.pick(g.m, 67, 12)],
           ('{"Project Engineer","Senior Engineer",Principal,"Engineering Manager","Design Engineer",'
            '"Field Engineer","Structural Lead","Graduate Engineer"}'::text[])[1 + pg_temp.pick(g.m, 68, 8)],
           CASE WHEN g.tier = 5 THEN 'retired' ELSE 'licensed' END,
           ('{civil,structural,mechanical,electrical,chemical,environmental,geotechnical,software,'
            'industrial,surveying}'::text[])[1 + pg_temp.pick(g.m, 69, 10)],
           '',
           ('{Riverton,Lakeside,Fairview,"Oak Ridge",Springfield,"Bay City",Hillcrest,Westport}'::text[])
             [1 + pg_temp.pick(g.m, 70, 8)],
           p.tier_ids[g.tier],
           p.chapter_ids[1 + pg_temp.pick(g.m, 65, cardinality(p.chapter_ids))],
           p.today - (365 + pg_temp.pick(g.m, 66, 15 * 365)),
           CASE WHEN g.renewal_due THEN 'renewal_due' ELSE 'active' END,
           CASE WHEN g.renewal_due THEN p.today + pg_temp.pick(g.m, 63, 30)
                ELSE p.today + 31 + pg_temp.pick(g.m, 63, 330) END,
           p.today,
           '{}',
           lower(g.last_name || ' ' || g.first_name),
           p.now_unix,
           p.now_unix
    FROM (
      SELECT s.m,
             ('{Maya,Daniel,Priya,Alex,Jordan,Sofia,Liam,Chen,Fatima,Mateo,Olivia,Noah,Aisha,Ethan,Hannah,'
              'Raj,Grace,Lucas,Yuki,Omar,Elena,Samuel,Zara,Isaac,Mei,Carlos,Leah,Kwame,Nora,Diego,Amara,'
              'Ben,Ingrid,Tomás,Ruth,Hiro,Clara,Femi,Anya,Paul}'::text[])[1 + pg_temp.pick(s.m, 60, 40)] AS first_name,
             ('{Okafor,Reyes,Natarajan,Morgan,Smith,Johnson,Nguyen,Garcia,Kowalski,Haddad,Brown,Rossi,'
              'Tanaka,Müller,O''Brien,Patel,Kim,Lopez,Andersson,Mensah,Dubois,Cohen,Silva,Hughes,Ivanova,'
              'Walker,Chen,Martin,Novak,Adeyemi,Fischer,Sato,Larsen,Ortiz,Byrne,Singh,Clarke,Moreau,Bauer,'
              'Jensen}'::text[])[1 + pg_temp.pick(s.m, 71, 40)] AS last_name,
             CASE WHEN pg_temp.pick(s.m, 64, 100) < 70 THEN 1 WHEN pg_temp.pick(s.m, 64, 100) < 85 THEN 2
                  WHEN pg_temp.pick(s.m, 64, 100) < 93 THEN 3 WHEN pg_temp.pick(s.m, 64, 100) < 97 THEN 4
                  ELSE 5 END AS tier,
             pg_temp.pick(s.m, 62, 100) >= 88 AS renewal_due
      FROM generate_series(v_lo, v_hi) AS s(m)
      OFFSET 0
    ) g;

    -- Licences (every credential but the PMP). 8 % of credentials were issued within the
    -- last two years (first-renewal exemptions and reductions); licensure method exam 80 %,
    -- comity 15 %, not recorded 5 %. Expiry dates follow each board's renewal calendar:
    --   TX yearly on the quarter end set by the quarter of original licensure (5 % expire
    --      today: renewal deadline today, so a short ledger is deficient),
    --   FL the last day of February of odd years, IL November 30 of odd years,
    --   NY triennially on the last day of the birth month, CA biennially.
    INSERT INTO licences (member_id, jurisdiction, kind, number, first_issued, expires_on, licensure_method,
                          created_at)
    SELECT c.m,
           pg_temp.jurisdiction(c.code),
           'PE',
           substr(pg_temp.jurisdiction(c.code), 4) || lpad((c.m % 1000000)::text, 6, '0'),
           c.issued,
           CASE c.code
             WHEN 1 THEN
               CASE WHEN pg_temp.pick(c.m, 41, 100) < 5 THEN p.today
               ELSE (SELECT CASE WHEN e < p.today THEN (e + interval '1 year')::date ELSE e END
                     FROM (SELECT (make_date(extract(year FROM p.today)::int,
                                             ('{12,3,6,9}'::int[])[extract(quarter FROM c.issued)::int], 1)
                                   + interval '1 month' - interval '1 day')::date AS e) q)
               END
             WHEN 2 THEN
               (SELECT make_date(y, 3, 1) - 1
                FROM (SELECT CASE WHEN extract(year FROM p.today)::int % 2 = 1
                                       AND p.today < make_date(extract(year FROM p.today)::int, 3, 1)
                                  THEN extract(year FROM p.today)::int
                                  ELSE extract(year FROM p.today)::int
                                       + 1 + extract(year FROM p.today)::int % 2 END AS y) q)
             WHEN 4 THEN
               (SELECT CASE WHEN y % 2 = 1 AND make_date(y, 11, 30) >= p.today THEN make_date(y, 11, 30)
                            ELSE make_date(y + 1 + y % 2, 11, 30) END
                FROM (SELECT extract(year FROM p.today)::int AS y) q)
             WHEN 3 THEN
               (date_trunc('month', p.today) + make_interval(months => 1 + pg_temp.pick(c.m, 43, 36))
                 - interval '1 day')::date
             ELSE
               (date_trunc('month', p.today) + make_interval(months => 1 + pg_temp.pick(c.m, 43, 24))
                 - interval '1 day')::date
           END,
           CASE WHEN pg_temp.pick(c.m, 30 + c.code, 100) < 80 THEN 'exam'
                WHEN pg_temp.pick(c.m, 30 + c.code, 100) < 95 THEN 'comity' END,
           p.now_unix
    FROM (
      SELECT s.m, v.code,
             CASE WHEN pg_temp.pick(s.m, 10 + v.code, 100) < 8
                  THEN p.today - (30 + pg_temp.pick(s.m, 20 + v.code, 700))
                  ELSE p.today - (730 + pg_temp.pick(s.m, 20 + v.code, 25 * 365)) END AS issued
      FROM generate_series(v_lo, v_hi) AS s(m)
      CROSS JOIN LATERAL (VALUES (1, pg_temp.cred_a(s.m)), (2, pg_temp.cred_b(s.m))) AS v(n, code)
      WHERE v.code <= 5
    ) c;

    -- PMP certifications: the three-year cycle starts on the exam pass date; expires_on is
    -- the end of the cycle containing today.
    INSERT INTO certifications (member_id, name, body, number, expires_on, created_at, ruleset, issued_on)
    SELECT c.m, 'PMP', 'PMI', lpad((3000000 + c.m % 1000000)::text, 7, '0'),
           (c.issued + make_interval(years => 3 * (1 + extract(year FROM age(p.today, c.issued))::int / 3)))::date - 1,
           p.now_unix, 'PMI-PMP', c.issued
    FROM (
      SELECT s.m,
             CASE WHEN pg_temp.pick(s.m, 16, 100) < 8 THEN p.today - (30 + pg_temp.pick(s.m, 26, 700))
                  ELSE p.today - (730 + pg_temp.pick(s.m, 26, 10 * 365)) END AS issued
      FROM generate_series(v_lo, v_hi) AS s(m)
      WHERE pg_temp.cred_b(s.m) = 6
    ) c;

    -- Activities: 30 a member, ids assigned in member order.
    INSERT INTO ce_activities (id, member_id, title, kind, tags, occurred_on, starts_on, ends_on, quantity_micro,
                               unit, provider, provider_approvals, organisation, attributes, source, source_ref,
                               recorded_by, created_at)
    SELECT h.id, h.m, h.title, h.kind, h.tags,
           CASE WHEN h.days > 0 THEN NULL ELSE p.today - h.ago END,
           NULL, NULL,
           -- quantity_micro: the amount in the unit × 1,000,000 (quarter hours → hours,
           -- minutes or CEU; 1 CEU = 10 hours).
           CASE h.unit WHEN 'ceu' THEN h.quarters * 25000::bigint
                       WHEN 'minute' THEN h.quarters * 15000000::bigint
                       ELSE h.quarters * 250000::bigint END,
           h.unit,
           h.provider,
           CASE WHEN h.class = 'laws' AND h.r_misc < 85 THEN h.juris ELSE '' END,
           '',
           CASE WHEN h.kind = 'teaching' THEN
             CASE WHEN h.r_misc < 80 THEN 'first_presentation=yes' ELSE 'first_presentation=no' END
           ELSE '' END,
           'member', NULL, NULL, p.now_unix
    FROM (
      SELECT k.*,
             CASE
               WHEN k.days > 0 THEN 'Multi-day design course'
               WHEN k.class = 'ethics' THEN ('{"Engineering ethics","Ethics in engineering practice",'
                                             '"Professional responsibility"}'::text[])[1 + k.r_title % 3]
               WHEN k.class = 'laws' THEN 'Laws and rules for engineers (' || k.juris || ')'
               WHEN k.class = 'shp' THEN 'Sexual harassment prevention'
               WHEN k.class = 'pmi' THEN ('{"Agile delivery in practice","Leading engineering teams",'
                                          '"Project finance for engineers"}'::text[])[1 + k.r_title % 3]
               WHEN k.class = 'giving' THEN 'PMI chapter volunteering'
               ELSE ('{"Bridge load rating refresher","Stormwater design update",'
                     '"Seismic retrofit of masonry buildings","Geotechnical site characterisation",'
                     '"Concrete durability and corrosion","Traffic signal timing workshop",'
                     '"Steel connection design","Water treatment process control",'
                     '"Electrical safety: NFPA 70E","Project delivery and risk"}'::text[])[1 + k.r_title]
             END AS title,
             CASE
               WHEN k.class = 'ethics' THEN 'ethics'
               WHEN k.class = 'laws' THEN 'laws_rules:' || k.juris
               WHEN k.class = 'shp' THEN 'sexual_harassment_prevention'
               WHEN k.class = 'aop' THEN 'technical area_of_practice'
               WHEN k.class = 'pmi' THEN 'pmi:education '
                 || ('{pmi:ways_of_working,pmi:power_skills,pmi:business_acumen}'::text[])[1 + k.r_title % 3]
               WHEN k.class = 'giving' THEN 'pmi:giving_back'
               ELSE 'technical'
             END AS tags,
             CASE
               WHEN k.class = 'laws' THEN 'State Engineering Society'
               WHEN k.class IN ('pmi', 'giving') THEN 'PMI Authorized Training Partner'
               ELSE 'Demo Engineering Institute'
             END AS provider,
             CASE
               WHEN k.days > 0 THEN 'hour'
               WHEN k.kind = 'course' AND k.r_misc < 5 THEN 'ceu'
               WHEN k.kind = 'webinar_live' AND k.r_misc < 8 THEN 'minute'
               ELSE 'hour'
             END AS unit,
             -- Quarter hours: topic courses as they are, the rest scaled by diligence
             -- (at least half an hour).
             CASE
               WHEN k.days > 0 THEN 24 * k.days
               WHEN k.class IN ('ethics', 'laws', 'shp') THEN k.base_quarters
               ELSE greatest(2, (k.base_quarters * k.diligence + 50) / 100)
             END AS quarters
      FROM (
        SELECT j.*,
               CASE
                 WHEN j.days > 0 THEN 'course'
                 WHEN j.class IN ('ethics', 'laws', 'shp') THEN
                   CASE WHEN j.r_kind < 60 THEN 'webinar_live' WHEN j.r_kind < 85 THEN 'course_online_selfpaced'
                        ELSE 'course' END
                 WHEN j.class = 'pmi' THEN
                   CASE WHEN j.r_kind < 40 THEN 'course' WHEN j.r_kind < 80 THEN 'webinar_live'
                        ELSE 'conference_session' END
                 WHEN j.class = 'giving' THEN 'volunteering'
                 WHEN j.r_kind < 40 THEN 'course'
                 WHEN j.r_kind < 62 THEN 'webinar_live'
                 WHEN j.r_kind < 78 THEN 'conference_session'
                 WHEN j.r_kind < 88 THEN 'course_online_selfpaced'
                 WHEN j.r_kind < 94 THEN 'in_house_training'
                 WHEN j.r_kind < 97 THEN 'self_directed_study'
                 ELSE 'teaching'
               END AS kind,
               -- Usual length in quarter hours.
               CASE
                 WHEN j.class IN ('ethics', 'laws', 'shp') THEN CASE WHEN j.r_hours % 10 < 3 THEN 8 ELSE 4 END
                 WHEN j.class = 'giving' THEN 4 * (2 + j.r_hours % 5)
                 WHEN j.class = 'pmi' THEN 4 * (2 + j.r_hours % 7)
                 WHEN j.r_kind < 40 THEN 4 * (1 + j.r_hours % 8)                   -- course: 1-8 h
                 WHEN j.r_kind < 62 THEN 4 + 2 * (j.r_hours % 3)                   -- webinar: 1-2 h
                 WHEN j.r_kind < 78 THEN 4 * (1 + j.r_hours % 4)                   -- conference: 1-4 h
                 ELSE 4 * (1 + j.r_hours % 3)
               END AS base_quarters
        FROM (
          SELECT i.*,
                 CASE
                   WHEN i.days > 0 THEN 'aop'
                   -- Members who plan (70 %) take the topics their boards name about once a
                   -- year: ethics, each licence's laws and rules, Illinois' harassment course.
                   WHEN i.planner AND i.k % 10 = 2 THEN 'ethics'
                   WHEN i.planner AND i.k % 10 = 6 AND i.ca <= 4 THEN 'laws'
                   WHEN i.planner AND i.k % 10 = 8 AND i.cb <= 4 THEN 'laws'
                   WHEN i.planner AND i.k % 10 = 4 AND 4 IN (i.ca, i.cb) THEN 'shp'
                   -- Otherwise topics come as they come.
                   WHEN i.r_tag < 5 THEN 'ethics'
                   WHEN i.r_tag < 10 THEN 'laws'
                   WHEN i.r_tag < 13 THEN CASE WHEN 4 IN (i.ca, i.cb) THEN 'shp' ELSE 'technical' END
                   WHEN i.r_tag < 28 THEN 'aop'
                   WHEN i.r_tag < 72 AND i.cb = 6 THEN 'pmi'
                   WHEN i.r_tag < 76 AND i.cb = 6 THEN 'giving'
                   ELSE 'technical'
                 END AS class,
                 -- Laws-and-rules courses are for one of the member's own licences.
                 pg_temp.jurisdiction(CASE WHEN i.k % 10 = 8 AND i.cb <= 5 THEN i.cb
                                           WHEN i.k % 10 = 6 THEN i.ca
                                           WHEN i.k % 2 = 1 AND i.cb <= 5 THEN i.cb
                                           ELSE i.ca END) AS juris
          FROM (
            SELECT x.id, x.m, x.k,
                   pg_temp.cred_a(x.m) AS ca,
                   pg_temp.cred_b(x.m) AS cb,
                   pg_temp.diligence(x.m) AS diligence,
                   pg_temp.pick(x.m, 4, 100) >= 30 AS planner,
                   pg_temp.days_ago(x.id, x.m, x.k) AS ago,
                   pg_temp.multi_days(x.m, x.k) AS days,
                   pg_temp.pick(x.id, 51, 100) AS r_tag,
                   pg_temp.pick(x.id, 52, 100) AS r_kind,
                   pg_temp.pick(x.id, 53, 1000) AS r_hours,
                   pg_temp.pick(x.id, 54, 100) AS r_misc,
                   pg_temp.pick(x.id, 56, 10) AS r_title
            FROM (
              SELECT a AS id,
                     p.member_base + (a - p.activity_base - 1) / 30 + 1 AS m,
                     ((a - p.activity_base - 1) % 30)::int AS k
              FROM generate_series(p.activity_base + (v_lo - p.member_base - 1) * 30 + 1,
                                   p.activity_base + (v_hi - p.member_base) * 30) AS a
            ) x
            OFFSET 0
          ) i
          OFFSET 0
        ) j
        OFFSET 0
      ) k
      OFFSET 0
    ) h;

    -- The days of multi-day courses, ending on the day the activity would otherwise carry.
    INSERT INTO ce_activity_sessions (activity_id, session_on, hours_micro, member_id)
    SELECT x.id, p.today - pg_temp.days_ago(x.id, x.m, 5) - (x.days - 1) + d, 6000000, x.m
    FROM (
      SELECT p.activity_base + (s.m - p.member_base - 1) * 30 + 5 + 1 AS id, s.m,
             pg_temp.multi_days(s.m, 5) AS days
      FROM generate_series(v_lo, v_hi) AS s(m)
      WHERE pg_temp.multi_days(s.m, 5) > 0
    ) x
    CROSS JOIN LATERAL generate_series(0, x.days - 1) AS d;

    RAISE NOTICE 'seed-ce-scale: % of % members (% s)', v_hi - p.member_base, p.members,
      round(extract(epoch FROM clock_timestamp() - v_started)::numeric, 1);
    v_lo := v_hi + 1;
  END LOOP;
END
$seed$;

-- The identity sequences continue after the ids assigned here.
\timing off
SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT max(id) FROM members)) AS members_seq,
       setval(pg_get_serial_sequence('ce_activities', 'id'), (SELECT max(id) FROM ce_activities)) AS activities_seq
\gset
COMMIT;

RESET session_replication_role;

\timing on
\if :vacuum
VACUUM (ANALYZE) members, licences, certifications, ce_activities, ce_activity_sessions;
\else
ANALYZE members, licences, certifications, ce_activities, ce_activity_sessions;
\endif
\timing off
