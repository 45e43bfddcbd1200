//! Applications: sent only to a live job (the insert reads the job's liveness in the same
//! statement), one per member per job (a unique constraint), moved by the employer only from
//! the stage it was seen in and never once withdrawn, withdrawn by the applicant — each a
//! conditional update, so a withdrawal racing a move has one outcome.

use guildhall_domain::careers::ApplicationStage;
use time::Date;

use super::LIVE;
use super::records::{ApplicationRecord, ApplicationStageRecord, NewApplication, ResumeFileRecord};
use crate::engine::{with_reader, with_writer};
use crate::{Store, StoreResult, UnixTime};

const APPLICATION_COLUMNS: &str = "a.id, a.job_id, j.title AS job_title, j.employer_id, e.name AS employer_name, \
     a.member_id, m.first_name || ' ' || m.last_name AS applicant_name, COALESCE(u.email, m.email) AS applicant_email, a.resume_id, \
     r.file_name AS resume_file_name, a.cover_letter, a.shared_facts, a.stage, a.stage_changed_at, a.created_at";

const APPLICATION_FROM: &str = "FROM job_applications a JOIN jobs j ON j.id = a.job_id \
     JOIN employers e ON e.id = j.employer_id JOIN members m ON m.id = a.member_id \
     LEFT JOIN users u ON u.id = m.user_id LEFT JOIN resumes r ON r.id = a.resume_id";

/// Records a move in an application's history inside an open transaction.
macro_rules! record_stage {
    ($tx:expr, $application:expr, $stage:expr, $by:expr, $now:expr, $message:expr) => {
        sqlx::query(
            "INSERT INTO application_stages (application_id, stage, changed_by, changed_at, message) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($application)
        .bind($stage.code())
        .bind($by)
        .bind($now)
        .bind($message)
        .execute(&mut *$tx)
        .await
    };
}

impl Store {
    /// Sends an application with its resume, if the job is live now (`None` when it is not:
    /// nothing is written). `Conflict` (field `job`) when the member already applied.
    pub async fn apply_to_job(
        &self,
        application: &NewApplication,
        user_id: Option<i64>,
        now: UnixTime,
        today: Date,
    ) -> StoreResult<Option<i64>> {
        let insert = format!(
            "INSERT INTO job_applications (job_id, member_id, resume_id, cover_letter, shared_facts, stage, \
             stage_changed_at, created_at) SELECT j.id, $3, $4, $5, $6, 'submitted', $1, $1 FROM jobs j \
             WHERE j.id = $7 AND {LIVE} RETURNING id"
        );
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let resume: i64 = sqlx::query_scalar(
                "INSERT INTO resumes (member_id, file_name, content_type, content, bytes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(application.member_id)
            .bind(&application.resume.file_name)
            .bind(&application.resume.content_type)
            .bind(&application.resume.content)
            .bind(application.resume.content.len() as i64)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let id: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(insert.as_str()))
                .bind(now)
                .bind(today)
                .bind(application.member_id)
                .bind(resume)
                .bind(&application.cover_letter)
                .bind(&application.shared_facts)
                .bind(application.job_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = id else {
                tx.rollback().await?;
                return Ok(None);
            };
            record_stage!(tx, id, ApplicationStage::Submitted, user_id, now, "")?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Some(id))
        })?)
    }

    /// One application.
    pub async fn application(&self, id: i64) -> StoreResult<Option<ApplicationRecord>> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} {APPLICATION_FROM} WHERE a.id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// A member's applications, newest first.
    pub async fn member_applications(&self, member_id: i64) -> StoreResult<Vec<ApplicationRecord>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} {APPLICATION_FROM} WHERE a.member_id = $1 ORDER BY a.created_at DESC, a.id DESC"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(member_id)
            .fetch_all(pool)
            .await)?)
    }

    /// A job's applications, oldest first.
    pub async fn applications_to_job(&self, job_id: i64) -> StoreResult<Vec<ApplicationRecord>> {
        let sql =
            format!("SELECT {APPLICATION_COLUMNS} {APPLICATION_FROM} WHERE a.job_id = $1 ORDER BY a.created_at, a.id");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(job_id)
            .fetch_all(pool)
            .await)?)
    }

    /// An application's moves, oldest first.
    pub async fn application_history(&self, id: i64) -> StoreResult<Vec<ApplicationStageRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT stage, changed_at, message FROM application_stages WHERE application_id = $1 ORDER BY changed_at, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The employer moves an application of `job_id` from `from` to `to`, with the message
    /// sent; `false` when it is no longer in `from` (moved or withdrawn meanwhile).
    #[allow(clippy::too_many_arguments)]
    pub async fn move_application(
        &self,
        id: i64,
        job_id: i64,
        (from, to): (ApplicationStage, ApplicationStage),
        by: i64,
        message: &str,
        now: UnixTime,
    ) -> StoreResult<bool> {
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let moved: Option<i64> = sqlx::query_scalar(
                "UPDATE job_applications SET stage = $4, stage_changed_at = $5 \
                 WHERE id = $1 AND job_id = $2 AND stage = $3 AND stage <> 'withdrawn' RETURNING id",
            )
            .bind(id)
            .bind(job_id)
            .bind(from.code())
            .bind(to.code())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if moved.is_none() {
                return Ok(false);
            }
            record_stage!(tx, id, to, Some(by), now, message)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        })?)
    }

    /// The applicant withdraws; `false` when it was already withdrawn or hired.
    pub async fn withdraw_application(
        &self,
        id: i64,
        member_id: i64,
        by: Option<i64>,
        now: UnixTime,
    ) -> StoreResult<bool> {
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done: Option<i64> = sqlx::query_scalar(
                "UPDATE job_applications SET stage = 'withdrawn', stage_changed_at = $3 \
                 WHERE id = $1 AND member_id = $2 AND stage NOT IN ('withdrawn', 'hired') RETURNING id",
            )
            .bind(id)
            .bind(member_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if done.is_none() {
                return Ok(false);
            }
            record_stage!(tx, id, ApplicationStage::Withdrawn, by, now, "")?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        })?)
    }

    /// A resume's file.
    pub async fn resume_file(&self, id: i64) -> StoreResult<Option<ResumeFileRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT file_name, content_type, content FROM resumes WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?)
    }
}
