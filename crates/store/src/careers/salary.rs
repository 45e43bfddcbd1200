//! The salary survey's queries: surveys opened and closed by conditional updates, one
//! response per member per survey (a unique index, the upsert guarded in its own statement
//! by the survey being open), the import (all rows in one transaction, each reference once),
//! the employer names staff review and merge, the release (written once, by the update that
//! moves a closed survey to released) and the released cells the benchmark reads.
//!
//! `salary_responses` is read here only by the release builder
//! ([`Store::salary_release_rows`]), one's own response ([`Store::own_salary_response`]),
//! the employer-name review (names and counts, never pay) and the data download; every
//! figure anyone sees comes from `salary_cells` and `salary_releases`.

use guildhall_domain::careers::salary::{SurveyAnswers, SurveyStatus};
use guildhall_domain::csv::salary::ImportedResponse;
use time::Date;

use super::records_salary::{
    NewSalaryRelease, SalaryCellRecord, SalaryEmployerName, SalaryReleaseRecord, SalaryReleaseRow,
    SalaryResponseRecord, SalarySurveyRecord, SalarySurveyRow,
};
use crate::engine::{ROWS_PER_STATEMENT, audited, value_rows, with_writer};
use crate::{NewAuditEntry, Store, StoreResult, UnixTime, with_reader};

/// A survey's own columns ([`SalarySurveyRow`]).
const SURVEY_ROW_COLUMNS: &str =
    "s.id, s.year, s.currency, s.opens_on, s.closes_on, s.status, s.released_at, s.created_at";

/// A survey's count of responses, after its columns ([`SalarySurveyRecord`]): the count reads
/// every response of the survey, so only staff's pages ask for it.
const SURVEY_COUNT: &str = "(SELECT COUNT(*) FROM salary_responses r WHERE r.survey_id = s.id) AS responses";

const RESPONSE_COLUMNS: &str = "id, survey_id, member_id, base_pay_cents, bonus_cents, hours_per_week, employer_name, \
     employer_key, employer_size, sector, discipline, job_function, licences, licence_class, years_experience, \
     education, jurisdiction, region, zone, submitted_at";

const CELL_COLUMNS: &str = "zone, discipline, licence_class, experience_band, region, sector, respondents, employers, \
     top_employer_permille, base_p25_cents, base_median_cents, base_p75_cents, total_p25_cents, total_median_cents, \
     total_p75_cents, suppressed_rule";

/// The cell columns in the benchmark's dimension order.
const DIMENSION_COLUMNS: [&str; 5] = ["discipline", "licence_class", "experience_band", "region", "sector"];

/// A response's columns after survey_id and its member or reference, as bound in order.
const ANSWER_COLUMNS: &str = "base_pay_cents, bonus_cents, hours_per_week, employer_name, employer_key, employer_size, \
     sector, discipline, job_function, licences, licence_class, years_experience, education, jurisdiction, region, zone, \
     submitted_at";

fn licence_codes(answers: &SurveyAnswers) -> String {
    answers.licences.iter().map(|k| k.code()).collect::<Vec<_>>().join(";")
}

/// Binds a response's answers in [`ANSWER_COLUMNS`] order.
macro_rules! bind_answers {
    ($query:expr, $a:expr, $now:expr) => {
        $query
            .bind($a.base_pay_cents)
            .bind($a.bonus_cents)
            .bind($a.hours_per_week)
            .bind($a.employer_name.clone())
            .bind($a.employer_key.clone())
            .bind($a.employer_size.code())
            .bind($a.sector.code())
            .bind($a.discipline.as_str())
            .bind($a.function.code())
            .bind(licence_codes($a))
            .bind($a.licence_class.code())
            .bind($a.years_experience)
            .bind($a.education.code())
            .bind($a.jurisdiction.as_str().to_string())
            .bind($a.region.code())
            .bind($a.zone.code())
            .bind($now)
    };
}

/// What became of an attempt to release a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseOutcome {
    Released,
    /// The survey was not closed, or was released already (by someone else, perhaps just now).
    NotClosed,
}

impl Store {
    /// Every survey, newest year first.
    pub async fn salary_surveys(&self) -> StoreResult<Vec<SalarySurveyRecord>> {
        let sql = format!("SELECT {SURVEY_ROW_COLUMNS}, {SURVEY_COUNT} FROM salary_surveys s ORDER BY s.year DESC");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// One survey.
    pub async fn salary_survey(&self, id: i64) -> StoreResult<Option<SalarySurveyRecord>> {
        let sql = format!("SELECT {SURVEY_ROW_COLUMNS}, {SURVEY_COUNT} FROM salary_surveys s WHERE s.id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?)
    }

    /// The survey with this status that is newest (the open one; the latest released), without
    /// counting its responses: the benchmark and the survey form read it on every request.
    pub async fn salary_survey_in(&self, status: SurveyStatus) -> StoreResult<Option<SalarySurveyRow>> {
        let sql = format!(
            "SELECT {SURVEY_ROW_COLUMNS} FROM salary_surveys s WHERE s.status = $1 ORDER BY s.year DESC LIMIT 1"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(status.code()).fetch_optional(pool).await
        })?)
    }

    /// Creates a survey, not yet open; audited.
    pub async fn create_salary_survey(
        &self,
        year: i32,
        currency: &str,
        opens_on: Date,
        closes_on: Date,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO salary_surveys (year, currency, opens_on, closes_on, status, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(i64::from(year))
                .bind(currency)
                .bind(opens_on)
                .bind(closes_on)
                .bind(SurveyStatus::Draft.code())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// Moves a survey from `from` to `to` by one conditional update (opening: draft → open,
    /// refused by the one-open index while another is open; closing: open → closed, its last
    /// day becoming `today` when that is earlier). Whether it moved; audited when it did.
    pub async fn move_salary_survey(
        &self,
        id: i64,
        from: SurveyStatus,
        to: SurveyStatus,
        today: Date,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        let closing = to == SurveyStatus::Closed;
        audited!(
            self,
            |tx| {
                let query = if closing {
                    sqlx::query(
                        "UPDATE salary_surveys SET status = $3, \
                         closes_on = CASE WHEN closes_on > $4 AND opens_on <= $4 THEN $4 ELSE closes_on END \
                         WHERE id = $1 AND status = $2",
                    )
                    .bind(id)
                    .bind(from.code())
                    .bind(to.code())
                    .bind(today)
                } else {
                    sqlx::query("UPDATE salary_surveys SET status = $3 WHERE id = $1 AND status = $2")
                        .bind(id)
                        .bind(from.code())
                        .bind(to.code())
                };
                if query.execute(&mut *tx).await?.rows_affected() == 0 {
                    return Ok(false);
                }
                true
            },
            audit.clone()
        )
    }

    /// Records a member's response, or replaces theirs, in one statement that writes only
    /// while the survey is open and `today` is not past its last day. `None`: it is not open.
    pub async fn submit_salary_response(
        &self,
        survey_id: i64,
        member_id: i64,
        answers: &SurveyAnswers,
        today: Date,
        now: UnixTime,
    ) -> StoreResult<Option<i64>> {
        let updates = ANSWER_COLUMNS
            .split(',')
            .map(str::trim)
            .map(|c| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO salary_responses (survey_id, member_id, {ANSWER_COLUMNS}) \
             SELECT s.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19 \
             FROM salary_surveys s WHERE s.id = $1 AND s.status = $20 AND s.closes_on >= $21 \
             ON CONFLICT (survey_id, member_id) WHERE member_id IS NOT NULL DO UPDATE SET {updates} \
             RETURNING id"
        );
        Ok(with_writer!(self, |pool| {
            bind_answers!(
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.as_str())).bind(survey_id).bind(member_id),
                answers,
                now
            )
            .bind(SurveyStatus::Open.code())
            .bind(today)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Imports responses into a survey not yet released, in one transaction (a row whose
    /// reference the survey has already is left as it is). How many were added; audited.
    /// `None`: the survey is released (or gone), and nothing was written.
    pub async fn import_salary_responses(
        &self,
        survey_id: i64,
        rows: &[ImportedResponse],
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<Option<u64>> {
        audited!(
            self,
            |tx| {
                // Takes the survey's row (PostgreSQL holds it to the commit), so a release
                // waits for the import or the import sees the release.
                let held = sqlx::query("UPDATE salary_surveys SET status = status WHERE id = $1 AND status <> $2")
                    .bind(survey_id)
                    .bind(SurveyStatus::Released.code())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if held == 0 {
                    return Ok(None);
                }
                let mut added = 0;
                for chunk in rows.chunks(ROWS_PER_STATEMENT / 2) {
                    let sql = format!(
                        "INSERT INTO salary_responses (survey_id, import_ref, {ANSWER_COLUMNS}) VALUES {} \
                         ON CONFLICT (survey_id, import_ref) WHERE import_ref IS NOT NULL DO NOTHING",
                        value_rows(chunk.len(), 19)
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for row in chunk {
                        query = bind_answers!(query.bind(survey_id).bind(row.import_ref.clone()), &row.answers, now);
                    }
                    added += query.execute(&mut *tx).await?.rows_affected();
                }
                Some(added)
            },
            |added| NewAuditEntry {
                after_json: Some(format!("{{\"added\":{},\"rows\":{}}}", added.unwrap_or(0), rows.len())),
                ..audit.clone()
            }
        )
    }

    /// A member's own response to a survey.
    pub async fn own_salary_response(
        &self,
        survey_id: i64,
        member_id: i64,
    ) -> StoreResult<Option<SalaryResponseRecord>> {
        let sql = format!("SELECT {RESPONSE_COLUMNS} FROM salary_responses WHERE survey_id = $1 AND member_id = $2");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(survey_id).bind(member_id).fetch_optional(pool).await
        })?)
    }

    /// A member's responses to every survey, newest first (their own figures beside the peers').
    pub async fn own_salary_responses(&self, member_id: i64) -> StoreResult<Vec<SalaryResponseRecord>> {
        let sql =
            format!("SELECT {RESPONSE_COLUMNS} FROM salary_responses WHERE member_id = $1 ORDER BY survey_id DESC");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// What the release builder reads of every response to a survey.
    pub async fn salary_release_rows(&self, survey_id: i64) -> StoreResult<Vec<SalaryReleaseRow>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT zone, discipline, licence_class, years_experience, region, sector, education, hours_per_week, \
                 employer_key, base_pay_cents, bonus_cents FROM salary_responses WHERE survey_id = $1 ORDER BY id",
            )
            .bind(survey_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The employer names a survey's responses gave, by key then name, with how many gave each.
    pub async fn salary_employer_names(&self, survey_id: i64) -> StoreResult<Vec<SalaryEmployerName>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT employer_key, employer_name, COUNT(*) AS responses FROM salary_responses \
                 WHERE survey_id = $1 GROUP BY employer_key, employer_name ORDER BY employer_key, employer_name",
            )
            .bind(survey_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Counts an employer key's responses as another's (staff merging two spellings of one
    /// employer) while the survey is not released. How many responses moved; audited.
    pub async fn merge_salary_employers(
        &self,
        survey_id: i64,
        from_key: &str,
        into_key: &str,
        audit: &NewAuditEntry,
    ) -> StoreResult<u64> {
        audited!(
            self,
            |tx| {
                sqlx::query(
                    "UPDATE salary_responses SET employer_key = $3 WHERE survey_id = $1 AND employer_key = $2 \
                     AND EXISTS (SELECT 1 FROM salary_surveys s WHERE s.id = $1 AND s.status <> $4)",
                )
                .bind(survey_id)
                .bind(from_key)
                .bind(into_key)
                .bind(SurveyStatus::Released.code())
                .execute(&mut *tx)
                .await?
                .rows_affected()
            },
            |moved| NewAuditEntry {
                before_json: Some(serde_json::json!({ "employer_key": from_key }).to_string()),
                after_json: Some(serde_json::json!({ "employer_key": into_key, "responses": moved }).to_string()),
                ..audit.clone()
            }
        )
    }

    /// Writes a survey's release once: the update moving it from closed to released (and
    /// nothing else) lets the release and its cells in, in the same transaction.
    pub async fn release_salary_survey(
        &self,
        survey_id: i64,
        release: &NewSalaryRelease,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<ReleaseOutcome> {
        let published = release.cells.iter().filter(|c| c.suppressed_rule.is_none()).count() as i64;
        let suppressed = release.cells.len() as i64 - published;
        audited!(
            self,
            |tx| {
                let claimed = sqlx::query(
                    "UPDATE salary_surveys SET status = $2, released_at = $3 \
                     WHERE id = $1 AND status = $4 AND released_at IS NULL",
                )
                .bind(survey_id)
                .bind(SurveyStatus::Released.code())
                .bind(now)
                .bind(SurveyStatus::Closed.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if claimed == 0 {
                    return Ok(ReleaseOutcome::NotClosed);
                }
                sqlx::query(
                    "INSERT INTO salary_releases (survey_id, built_at, respondents, published, suppressed, parameters, model) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(survey_id)
                .bind(now)
                .bind(release.respondents)
                .bind(published)
                .bind(suppressed)
                .bind(&release.parameters)
                .bind(&release.model)
                .execute(&mut *tx)
                .await?;
                for chunk in release.cells.chunks(ROWS_PER_STATEMENT) {
                    let sql = format!(
                        "INSERT INTO salary_cells (survey_id, {CELL_COLUMNS}) VALUES {}",
                        value_rows(chunk.len(), 17)
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for c in chunk {
                        query = query
                            .bind(survey_id)
                            .bind(c.zone.clone())
                            .bind(c.discipline.clone())
                            .bind(c.licence_class.clone())
                            .bind(c.experience_band.clone())
                            .bind(c.region.clone())
                            .bind(c.sector.clone())
                            .bind(c.respondents)
                            .bind(c.employers)
                            .bind(c.top_employer_permille)
                            .bind(c.base_p25_cents)
                            .bind(c.base_median_cents)
                            .bind(c.base_p75_cents)
                            .bind(c.total_p25_cents)
                            .bind(c.total_median_cents)
                            .bind(c.total_p75_cents)
                            .bind(c.suppressed_rule.clone());
                    }
                    query.execute(&mut *tx).await?;
                }
                ReleaseOutcome::Released
            },
            |outcome| NewAuditEntry {
                after_json: Some(
                    serde_json::json!({
                        "released": outcome == ReleaseOutcome::Released,
                        "respondents": release.respondents,
                        "published": published,
                        "suppressed": suppressed,
                    })
                    .to_string()
                ),
                ..audit.clone()
            }
        )
    }

    /// A survey's release, if it has one.
    pub async fn salary_release(&self, survey_id: i64) -> StoreResult<Option<SalaryReleaseRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT survey_id, built_at, respondents, published, suppressed, parameters, model \
                 FROM salary_releases WHERE survey_id = $1",
            )
            .bind(survey_id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Released cells of one zone, in one statement: `places` are cells' coordinates in the
    /// benchmark's dimension order (codes, `*` for all); each dimension is matched against the
    /// values the places give it, so a breakdown (places differing in one dimension) or a
    /// place and its ancestors (each dimension its value or `*`) is read exactly. Cells
    /// nobody is in are absent.
    pub async fn salary_cells(
        &self,
        survey_id: i64,
        zone: &str,
        places: &[[String; 5]],
    ) -> StoreResult<Vec<SalaryCellRecord>> {
        if places.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds: Vec<String> = vec![zone.to_string()];
        let mut conditions = vec!["survey_id = $1".to_string(), "zone = $2".to_string()];
        for (d, column) in DIMENSION_COLUMNS.iter().enumerate() {
            let mut values: Vec<&String> = places.iter().map(|p| &p[d]).collect();
            values.sort_unstable();
            values.dedup();
            let placeholders: Vec<String> = values
                .iter()
                .map(|v| {
                    binds.push((*v).clone());
                    format!("${}", binds.len() + 1)
                })
                .collect();
            conditions.push(format!("{column} IN ({})", placeholders.join(", ")));
        }
        let sql = format!("SELECT {CELL_COLUMNS} FROM salary_cells WHERE {}", conditions.join(" AND "));
        let cells: Vec<SalaryCellRecord> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(survey_id);
            for value in &binds {
                query = query.bind(value.clone());
            }
            query.fetch_all(pool).await
        })?;
        // Places differing in more than one dimension would let the IN lists cross: keep only
        // the cells asked for.
        Ok(cells.into_iter().filter(|c| places.iter().any(|p| p.iter().map(String::as_str).eq(c.place()))).collect())
    }
}
