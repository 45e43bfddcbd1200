//! The career centre: employers and their recruiters, jobs with their requirements, staff's
//! review, runs (postings) and the search of live jobs.
//!
//! A job is live only while `moderation = 'approved'`, inside its run (`live_from <= now <
//! live_until`), not closed and not past its closing date: [`LIVE`], the one predicate the
//! search and the public page share. Reviews are conditional updates (`WHERE moderation =
//! 'pending'`), so of two reviews at once one wins; an employer's last owner cannot be
//! removed (the count is read under a lock on the employer's row).
//!
//! Files: `mod.rs` (employers, recruiters, jobs, review, search), `alerts.rs` (job alerts:
//! saved searches, their confirmation and the claim of each message), `applications.rs`
//! (applications, their moves and resumes), `postings.rs` (posting
//! products), `orders.rs` (any careers product — a job's run, the resume bank's access —
//! ordered with its invoice, listed, and started once paid), `records.rs` (the rows),
//! `bank.rs` (the resume bank: entries, employers' paid access, invitations to apply),
//! `salary.rs` (the salary survey: surveys, responses, the import, employer names, the release
//! and its cells), `records_salary.rs` (its rows).

mod alerts;
mod applications;
pub mod bank;
mod orders;
mod postings;
pub mod records;
pub mod records_salary;
pub mod salary;

pub use alerts::{DueJobAlert, JobAlertRecord, JobAlertSaved, NewJobAlert};
pub use orders::{NewProductOrder, OrderOf};

use std::collections::BTreeSet;

use guildhall_domain::careers::{ClosedReason, JobFilter, Need, Wanted};
use records::{
    EmployerRecord, EmployerRoleRecord, JobCardRecord, JobRecord, JobRequirementRecord, JobRequirementRow,
    JobReviewRecord, JobRow, LiveJobRecord, LiveJobRow, NewJob, RecruiterRecord,
};
use time::Date;

use crate::copy::Value;
use crate::engine::{audited, bind_all, with_reader};
use crate::{NewAuditEntry, Page, PageRequest, Store, StoreError, StoreResult, UnixTime};

/// A live job (`$1` = now, `$2` = today): approved, inside its run, open, not past its
/// closing date. Written to use the partial index `jobs_live`.
pub const LIVE: &str = "j.closed_at IS NULL AND j.live_from IS NOT NULL AND j.moderation = 'approved' \
     AND j.live_from <= $1 AND j.live_until > $1 AND (j.closes_on IS NULL OR j.closes_on >= $2)";

const EMPLOYER_COLUMNS: &str = "e.id, e.name, e.website, e.about, e.organisation_payer_id, e.created_at, \
     (SELECT COUNT(*) FROM jobs j WHERE j.employer_id = e.id AND j.closed_at IS NULL AND j.live_from IS NOT NULL \
      AND j.moderation = 'approved' AND j.live_until > $1) AS live_jobs";

const JOB_COLUMNS: &str = "j.id, j.employer_id, e.name AS employer_name, j.title, j.description_md, j.discipline, \
     j.career_stage, j.jurisdiction, j.city, j.remote, j.salary_min_cents, j.salary_max_cents, j.pay_period, \
     j.currency, j.closes_on, j.moderation, j.moderation_note, j.moderated_at, j.live_from, j.live_until, \
     j.featured, j.closed_at, j.closed_reason, j.created_at, j.updated_at";

const CARD_COLUMNS: &str = "j.id, j.employer_id, e.name AS employer_name, j.title, j.discipline, j.jurisdiction, \
     j.city, j.remote, j.salary_min_cents, j.salary_max_cents, j.pay_period, j.currency, j.featured, \
     j.live_from, j.closes_on";

/// What a job search asks: its filters, the keys the member holds (for "jobs I qualify
/// for"), the time and the society's day.
pub struct JobSearch<'a> {
    pub filter: &'a JobFilter,
    pub held_keys: &'a BTreeSet<String>,
    /// The keys the member's licences would meet by comity (for "could get by comity").
    pub comity_keys: &'a BTreeSet<String>,
    pub now: UnixTime,
    pub today: Date,
    /// Only this employer's (its public page).
    pub employer_id: Option<i64>,
    /// Only jobs that went live after this moment (a job alert's new jobs).
    pub live_after: Option<UnixTime>,
}

/// The search's `WHERE` and its values after `$1` (now) and `$2` (today).
fn search_where(search: &JobSearch<'_>) -> (String, Vec<Value>) {
    let mut clauses = vec![LIVE.to_string()];
    let mut values = vec![Value::Int(search.now), Value::Date(search.today)];
    let bind = |value: Value, values: &mut Vec<Value>| {
        values.push(value);
        format!("${}", values.len())
    };
    let filter = search.filter;
    for word in filter.words.split_whitespace().take(8) {
        let word: String = word.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect::<String>().to_lowercase();
        if word.is_empty() {
            continue;
        }
        let p = bind(Value::Text(format!("%{word}%")), &mut values);
        clauses.push(format!("(LOWER(j.title) LIKE {p} OR LOWER(e.name) LIKE {p})"));
    }
    if let Some(d) = filter.discipline {
        let p = bind(Value::Text(d.as_str().into()), &mut values);
        clauses.push(format!("j.discipline = {p}"));
    }
    if let Some(s) = filter.stage {
        let p = bind(Value::Text(guildhall_domain::csv::members::career_stage_code(s).into()), &mut values);
        clauses.push(format!("j.career_stage = {p}"));
    }
    if let Some(j) = &filter.jurisdiction {
        let p = bind(Value::Text(j.as_str().into()), &mut values);
        clauses.push(format!("j.jurisdiction = {p}"));
    }
    if let Some(r) = filter.remote {
        let p = bind(Value::Text(r.code().into()), &mut values);
        clauses.push(format!("j.remote = {p}"));
    }
    if let Some(k) = filter.licence {
        let p = bind(Value::Text(k.code().into()), &mut values);
        clauses
            .push(format!("EXISTS (SELECT 1 FROM job_requirements r WHERE r.job_id = j.id AND r.licence_kind = {p})"));
    }
    if let Some(cents) = filter.pays_at_least_cents {
        let p = bind(Value::Int(cents), &mut values);
        clauses.push(format!("j.annual_max_cents >= {p}"));
    }
    if filter.qualified {
        let held: Vec<String> = search.held_keys.iter().map(|k| bind(Value::Text(k.clone()), &mut values)).collect();
        let not_held = match held.is_empty() {
            true => String::new(),
            false => format!(" AND r.req_key NOT IN ({})", held.join(", ")),
        };
        clauses.push(format!(
            "NOT EXISTS (SELECT 1 FROM job_requirements r WHERE r.job_id = j.id AND r.need = 'required'{not_held})"
        ));
    }
    if filter.comity {
        // Every required key held or met by comity, and at least one only by comity. The
        // second is `j.id IN (…)`: written as a second `EXISTS`, SQLite listed some jobs on
        // two pages (the agreement test in cli/tests/it/careers_search.rs caught it).
        let either: Vec<String> =
            search.held_keys.union(search.comity_keys).map(|k| bind(Value::Text(k.clone()), &mut values)).collect();
        let only_comity: Vec<String> = search
            .comity_keys
            .difference(search.held_keys)
            .map(|k| bind(Value::Text(k.clone()), &mut values))
            .collect();
        if only_comity.is_empty() {
            clauses.push("1 = 0".into());
        } else {
            clauses.push(format!(
                "NOT EXISTS (SELECT 1 FROM job_requirements r WHERE r.job_id = j.id AND r.need = 'required' \
                 AND r.req_key NOT IN ({})) AND j.id IN (SELECT c.job_id FROM job_requirements c \
                 WHERE c.need = 'required' AND c.req_key IN ({}))",
                either.join(", "),
                only_comity.join(", ")
            ));
        }
    }
    if let Some(employer) = search.employer_id {
        let p = bind(Value::Int(employer), &mut values);
        clauses.push(format!("j.employer_id = {p}"));
    }
    if let Some(after) = search.live_after {
        let p = bind(Value::Int(after), &mut values);
        clauses.push(format!("j.live_from > {p}"));
    }
    (clauses.join(" AND "), values)
}

/// Binds a job's fields in the order both its insert and its update name them (title …
/// closes_on).
macro_rules! bind_job {
    ($query:expr, $job:expr) => {
        $query
            .bind(&$job.title)
            .bind(&$job.description_md)
            .bind($job.discipline.as_str())
            .bind(&$job.career_stage)
            .bind($job.jurisdiction.as_ref().map(|j| j.as_str().to_string()))
            .bind(&$job.city)
            .bind($job.remote.code())
            .bind($job.salary_min_cents)
            .bind($job.salary_max_cents)
            .bind($job.pay_period.code())
            .bind(&$job.currency)
            .bind($job.annual_min_cents)
            .bind($job.annual_max_cents)
            .bind($job.closes_on)
    };
}

/// Writes a job's requirements (after deleting any it had) inside an open transaction.
macro_rules! write_requirements {
    ($tx:expr, $job_id:expr, $requirements:expr) => {{
        sqlx::query("DELETE FROM job_requirements WHERE job_id = $1").bind($job_id).execute(&mut *$tx).await?;
        for (position, (need, wanted)) in $requirements.iter().enumerate() {
            let (source, jurisdiction, kind, programme): (&str, Option<String>, Option<String>, Option<String>) =
                match wanted {
                    Wanted::Licence { jurisdiction, kind } => (
                        "licence",
                        jurisdiction.as_ref().map(|j: &guildhall_domain::member::Jurisdiction| j.as_str().to_string()),
                        Some(kind.code().to_string()),
                        None,
                    ),
                    Wanted::Certification { programme } => ("certification", None, None, Some(programme.clone())),
                };
            sqlx::query(
                "INSERT INTO job_requirements (job_id, need, source, jurisdiction, licence_kind, programme, req_key, \
                 position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind($job_id)
            .bind(Need::code(*need))
            .bind(source)
            .bind(jurisdiction)
            .bind(kind)
            .bind(programme)
            .bind(wanted.key())
            .bind(position as i64)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

impl Store {
    // ------------------------------------------------------------------ employers

    /// Creates an employer with its first owner, audited; its id.
    pub async fn create_employer(
        &self,
        (name, website, about): (&str, &str, &str),
        owner_user_id: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO employers (name, website, about, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(name)
                .bind(website)
                .bind(about)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO employer_recruiters (employer_id, user_id, is_owner, added_at) VALUES ($1, $2, TRUE, $3)",
                )
                .bind(id)
                .bind(owner_user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// Changes an employer's name, website and description, audited.
    pub async fn update_employer(
        &self,
        employer_id: i64,
        (name, website, about): (&str, &str, &str),
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        crate::engine::audited_change!(
            self,
            |tx| sqlx::query("UPDATE employers SET name = $2, website = $3, about = $4 WHERE id = $1")
                .bind(employer_id)
                .bind(name)
                .bind(website)
                .bind(about)
                .execute(&mut *tx)
                .await?,
            audit
        )
    }

    /// One employer (`now` counts its live jobs).
    pub async fn employer(&self, employer_id: i64, now: UnixTime) -> StoreResult<Option<EmployerRecord>> {
        let sql = format!("SELECT {EMPLOYER_COLUMNS} FROM employers e WHERE e.id = $2");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(now).bind(employer_id).fetch_optional(pool).await
        })?)
    }

    /// The employers an account recruits for, by name, with whether it owns each.
    pub async fn employers_of(&self, user_id: i64, now: UnixTime) -> StoreResult<Vec<(EmployerRecord, bool)>> {
        let sql = format!(
            "SELECT {EMPLOYER_COLUMNS} FROM employers e JOIN employer_recruiters r ON r.employer_id = e.id \
             WHERE r.user_id = $2 ORDER BY e.name, e.id"
        );
        let employers: Vec<EmployerRecord> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(now).bind(user_id).fetch_all(pool).await
        })?;
        let roles = self.employer_roles(user_id).await?;
        Ok(employers
            .into_iter()
            .map(|e| {
                let owner = roles.iter().any(|r| r.employer_id == e.id && r.is_owner);
                (e, owner)
            })
            .collect())
    }

    /// The employers an account recruits for, and whether it owns each (one indexed read).
    pub async fn employer_roles(&self, user_id: i64) -> StoreResult<Vec<EmployerRoleRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT employer_id, is_owner FROM employer_recruiters WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(pool)
                .await
        })?)
    }

    /// An employer's recruiters, owners first.
    pub async fn recruiters(&self, employer_id: i64) -> StoreResult<Vec<RecruiterRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT r.employer_id, r.user_id, u.display_name, u.email, r.is_owner, r.added_at \
                 FROM employer_recruiters r JOIN users u ON u.id = r.user_id \
                 WHERE r.employer_id = $1 ORDER BY r.is_owner DESC, u.display_name, u.id",
            )
            .bind(employer_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Adds a recruiter (an owner when `is_owner`), audited; `Conflict` (field `recruiter`)
    /// when they already recruit for it.
    pub async fn add_recruiter(
        &self,
        employer_id: i64,
        user_id: i64,
        is_owner: bool,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                sqlx::query(
                    "INSERT INTO employer_recruiters (employer_id, user_id, is_owner, added_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(employer_id)
                .bind(user_id)
                .bind(is_owner)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            },
            audit
        )
    }

    /// Removes a recruiter, audited. An owner goes only while another owner stays: the
    /// employer's row is locked first, so two owners removing each other at once leave one.
    /// `Ok(false)` when that would leave no owner; `NotFound` when they are not a recruiter.
    pub async fn remove_recruiter(&self, employer_id: i64, user_id: i64, audit: &NewAuditEntry) -> StoreResult<bool> {
        audited!(
            self,
            |tx| {
                sqlx::query("UPDATE employers SET created_at = created_at WHERE id = $1")
                    .bind(employer_id)
                    .execute(&mut *tx)
                    .await?;
                let removed = sqlx::query(
                    "DELETE FROM employer_recruiters WHERE employer_id = $1 AND user_id = $2 AND (is_owner = FALSE \
                     OR (SELECT COUNT(*) FROM employer_recruiters o WHERE o.employer_id = $1 AND o.is_owner) > 1)",
                )
                .bind(employer_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if removed == 0 {
                    let there: Option<i64> = sqlx::query_scalar(
                        "SELECT user_id FROM employer_recruiters WHERE employer_id = $1 AND user_id = $2",
                    )
                    .bind(employer_id)
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return match there {
                        Some(_) => Ok(false),
                        None => Err(StoreError::NotFound),
                    };
                }
                true
            },
            audit
        )
    }

    // ------------------------------------------------------------------ jobs

    /// A job with its employer's name.
    pub async fn job(&self, job_id: i64) -> StoreResult<Option<JobRecord>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs j JOIN employers e ON e.id = j.employer_id WHERE j.id = $1");
        let row: Option<JobRow> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(job_id).fetch_optional(pool).await
        })?;
        row.map(JobRecord::try_from).transpose()
    }

    /// A job's requirements, in the employer's order.
    pub async fn job_requirements(&self, job_id: i64) -> StoreResult<Vec<JobRequirementRecord>> {
        let rows: Vec<JobRequirementRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT job_id, need, jurisdiction, licence_kind, programme FROM job_requirements \
                 WHERE job_id = $1 ORDER BY position",
            )
            .bind(job_id)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(JobRequirementRecord::try_from).collect()
    }

    /// An employer's jobs, newest first.
    pub async fn employer_jobs(&self, employer_id: i64) -> StoreResult<Vec<JobRecord>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j JOIN employers e ON e.id = j.employer_id WHERE j.employer_id = $1 \
             ORDER BY j.created_at DESC, j.id DESC"
        );
        let rows: Vec<JobRow> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(employer_id).fetch_all(pool).await
        })?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// Creates a job (a draft, or waiting for review when `submit`) with its requirements,
    /// audited; its id.
    pub async fn create_job(
        &self,
        employer_id: i64,
        job: &NewJob,
        submit: bool,
        created_by: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = bind_job!(sqlx::query_scalar(
                    "INSERT INTO jobs (employer_id, title, description_md, discipline, career_stage, jurisdiction, city, \
                     remote, salary_min_cents, salary_max_cents, pay_period, currency, annual_min_cents, annual_max_cents, \
                     closes_on, moderation, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id",
                )
                .bind(employer_id), job)
                .bind(if submit { "pending" } else { "draft" })
                .bind(created_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                write_requirements!(tx, id, job.requirements);
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// Changes an open job of the employer, audited. A job already reviewed (approved or
    /// not) goes back to waiting for review, out of the search; a draft stays a draft unless
    /// `submit`. `NotFound` when it is not the employer's or is closed.
    pub async fn update_job(
        &self,
        job_id: i64,
        employer_id: i64,
        job: &NewJob,
        submit: bool,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let changed = bind_job!(sqlx::query(
                    "UPDATE jobs SET title = $3, description_md = $4, discipline = $5, career_stage = $6, \
                     jurisdiction = $7, city = $8, remote = $9, salary_min_cents = $10, salary_max_cents = $11, \
                     pay_period = $12, currency = $13, annual_min_cents = $14, annual_max_cents = $15, closes_on = $16, \
                     moderation = CASE WHEN moderation = 'draft' AND NOT $17 THEN 'draft' ELSE 'pending' END, \
                     updated_at = $18 WHERE id = $1 AND employer_id = $2 AND closed_at IS NULL",
                )
                .bind(job_id)
                .bind(employer_id), job)
                .bind(submit)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                write_requirements!(tx, job_id, job.requirements);
            },
            audit
        )
    }

    /// Sends a draft (or a job not approved, after changes) for review, audited; `false`
    /// when it is not a draft or rejected job of the employer.
    pub async fn submit_job(
        &self,
        job_id: i64,
        employer_id: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        audited!(
            self,
            |tx| {
                let done = sqlx::query(
                    "UPDATE jobs SET moderation = 'pending', updated_at = $3 WHERE id = $1 AND employer_id = $2 \
                     AND moderation IN ('draft', 'rejected') AND closed_at IS NULL",
                )
                .bind(job_id)
                .bind(employer_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    return Ok(false);
                }
                true
            },
            audit
        )
    }

    /// Closes an open job (filled, withdrawn, or taken down by staff), audited; `false` when
    /// it was already closed. `employer_id` limits it to that employer's (`None`: staff).
    pub async fn close_job(
        &self,
        job_id: i64,
        employer_id: Option<i64>,
        reason: ClosedReason,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        audited!(
            self,
            |tx| {
                let done = sqlx::query(
                    "UPDATE jobs SET closed_at = $2, closed_reason = $3, updated_at = $2 WHERE id = $1 \
                     AND ($4 IS NULL OR employer_id = $4) AND closed_at IS NULL",
                )
                .bind(job_id)
                .bind(now)
                .bind(reason.code())
                .bind(employer_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    return Ok(false);
                }
                true
            },
            audit
        )
    }

    /// Jobs waiting for review, oldest first, then the latest reviewed.
    pub async fn jobs_for_review(&self, reviewed: i64) -> StoreResult<(Vec<JobReviewRecord>, Vec<JobReviewRecord>)> {
        const COLUMNS: &str = "j.id, j.employer_id, e.name AS employer_name, j.title, j.moderation, j.updated_at";
        let waiting = format!(
            "SELECT {COLUMNS} FROM jobs j JOIN employers e ON e.id = j.employer_id \
             WHERE j.moderation = 'pending' AND j.closed_at IS NULL ORDER BY j.updated_at, j.id"
        );
        let done = format!(
            "SELECT {COLUMNS} FROM jobs j JOIN employers e ON e.id = j.employer_id \
             WHERE j.moderation IN ('approved', 'rejected') AND j.moderated_at IS NOT NULL \
             ORDER BY j.moderated_at DESC, j.id DESC LIMIT {reviewed}"
        );
        Ok(with_reader!(self, |pool| {
            let waiting = sqlx::query_as(sqlx::AssertSqlSafe(waiting.as_str())).fetch_all(pool).await?;
            let done = sqlx::query_as(sqlx::AssertSqlSafe(done.as_str())).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((waiting, done))
        })?)
    }

    /// Staff's review of a job waiting for it, audited. Approving with `run_days` grants a
    /// run at no charge starting now (or extending the current one). `false` when the job is
    /// no longer waiting (another review came first).
    #[allow(clippy::too_many_arguments)]
    pub async fn review_job(
        &self,
        job_id: i64,
        approve: bool,
        note: &str,
        run_days: Option<i64>,
        reviewer: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        audited!(
            self,
            |tx| {
                let reviewed: Option<i64> = sqlx::query_scalar(
                    "UPDATE jobs SET moderation = $2, moderation_note = $3, moderated_by = $4, moderated_at = $5, \
                     updated_at = $5 WHERE id = $1 AND moderation = 'pending' AND closed_at IS NULL RETURNING id",
                )
                .bind(job_id)
                .bind(if approve { "approved" } else { "rejected" })
                .bind(note)
                .bind(reviewer)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if reviewed.is_none() {
                    return Ok(false);
                }
                if let (true, Some(days)) = (approve, run_days) {
                    let ends = now + days * 86_400;
                    sqlx::query(
                        "INSERT INTO job_postings (job_id, days, featured, price_cents, ordered_by, ordered_at, started_at, ends_at) \
                         VALUES ($1, $2, FALSE, 0, $3, $4, $4, $5)",
                    )
                    .bind(job_id)
                    .bind(days)
                    .bind(reviewer)
                    .bind(now)
                    .bind(ends)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE jobs SET \
                         live_from = CASE WHEN live_until IS NULL OR live_until <= $2 THEN $2 ELSE live_from END, \
                         live_until = CASE WHEN live_until IS NULL OR live_until <= $2 THEN $2 ELSE live_until END + $3 \
                         WHERE id = $1",
                    )
                    .bind(job_id)
                    .bind(now)
                    .bind(days * 86_400)
                    .execute(&mut *tx)
                    .await?;
                }
                true
            },
            audit
        )
    }

    /// Every job live now or until its run or closing date passes (`now`, `today`), with its
    /// employer's name and its requirements, in one statement: what a node's snapshot of the
    /// search holds (`jobs_live`). It leaves out only jobs already over, so a job whose run
    /// starts later is in it too; the caller checks each against the time it asks at.
    pub async fn live_jobs(&self, now: UnixTime, today: Date) -> StoreResult<Vec<LiveJobRecord>> {
        // Requirements come aggregated into one text, as the membership card's licences do.
        let (aggregate, sep) = match self.kind() {
            crate::EngineKind::Sqlite => ("group_concat", "char"),
            crate::EngineKind::Postgres => ("string_agg", "chr"),
        };
        let sql = format!(
            "SELECT {CARD_COLUMNS}, j.career_stage, j.annual_max_cents, j.live_until, \
             (SELECT {aggregate}(r.need || {sep}(31) || r.req_key || {sep}(31) || COALESCE(r.licence_kind, ''), \
               {sep}(30)) FROM job_requirements r WHERE r.job_id = j.id) AS requirements \
             FROM jobs j JOIN employers e ON e.id = j.employer_id \
             WHERE j.closed_at IS NULL AND j.live_from IS NOT NULL AND j.moderation = 'approved' \
             AND j.live_until > $1 AND (j.closes_on IS NULL OR j.closes_on >= $2)"
        );
        let rows: Vec<LiveJobRow> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(now).bind(today).fetch_all(pool).await
        })?;
        rows.into_iter().map(LiveJobRecord::try_from).collect()
    }

    /// A page of live jobs matching a search: featured first, then the newest.
    pub async fn search_jobs(&self, search: &JobSearch<'_>, page: PageRequest) -> StoreResult<Page<JobCardRecord>> {
        let (conditions, values) = search_where(search);
        let from = format!("FROM jobs j JOIN employers e ON e.id = j.employer_id WHERE {conditions}");
        let list = format!(
            "SELECT {CARD_COLUMNS} {from} ORDER BY j.featured DESC, j.live_from DESC, j.id DESC {}",
            page.sql()
        );
        let count = format!("SELECT COUNT(*) {from}");
        let (items, total): (Vec<JobCardRecord>, i64) = with_reader!(self, |pool| {
            let items = bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(list.as_str())), values).fetch_all(pool).await?;
            let total =
                bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str())), values).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }
}
