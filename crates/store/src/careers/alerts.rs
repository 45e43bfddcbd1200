//! Job alerts: saved job searches whose new jobs are emailed. An account keeps at most a
//! given number, counted under a lock on its row (so requests at once cannot pass it); one
//! per search (a unique constraint). A message is claimed by moving `sent_through` on from
//! the value it was built from, in the transaction that queues it: of two rounds at once,
//! one mails.

use guildhall_domain::careers::AlertFrequency;

use crate::engine::{with_reader, with_writer};
use crate::outbox::insert_mail;
use crate::{NewMail, Store, StoreResult, UnixTime};

/// A job alert as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobAlertRecord {
    pub id: i64,
    pub user_id: i64,
    /// The search's filters as a canonical query string.
    pub filter: String,
    #[sqlx(try_from = "String")]
    pub frequency: AlertFrequency,
    pub confirmed_at: Option<UnixTime>,
    /// Jobs live after this moment are the next message's.
    pub sent_through: Option<UnixTime>,
    pub created_at: UnixTime,
}

/// A confirmed alert whose message is due, with where it goes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueJobAlert {
    #[sqlx(flatten)]
    pub alert: JobAlertRecord,
    pub email: String,
    pub display_name: String,
}

/// A new alert: confirmed at once (`confirm_token_hash` none) or waiting for its link.
#[derive(Debug, Clone)]
pub struct NewJobAlert {
    pub user_id: i64,
    pub filter: String,
    pub frequency: AlertFrequency,
    pub confirm_token_hash: Option<String>,
    pub now: UnixTime,
}

/// What saving an alert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobAlertSaved {
    Created(i64),
    /// The account already had this search unconfirmed: its link was replaced (and mailed again).
    LinkRenewed(i64),
    /// The account already has this search, confirmed; nothing changed.
    AlreadySaved(i64),
    /// The account has as many alerts as it may.
    TooMany,
}

const ALERT_COLUMNS: &str = "a.id, a.user_id, a.filter, a.frequency, a.confirmed_at, a.sent_through, a.created_at";

impl Store {
    /// Saves an alert (and queues `mail`, its confirmation, when one is created or renewed),
    /// unless the account already has `most`.
    pub async fn save_job_alert(
        &self,
        alert: &NewJobAlert,
        most: i64,
        mail: Option<&NewMail>,
    ) -> StoreResult<JobAlertSaved> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            // The account's row is the lock that serialises its alerts' count.
            sqlx::query("UPDATE users SET id = id WHERE id = $1").bind(alert.user_id).execute(&mut *tx).await?;
            let existing: Option<(i64, Option<UnixTime>)> =
                sqlx::query_as("SELECT id, confirmed_at FROM job_alerts WHERE user_id = $1 AND filter = $2")
                    .bind(alert.user_id)
                    .bind(&alert.filter)
                    .fetch_optional(&mut *tx)
                    .await?;
            let saved = match existing {
                Some((id, Some(_))) => return Ok(JobAlertSaved::AlreadySaved(id)),
                Some((id, None)) => {
                    sqlx::query(
                        "UPDATE job_alerts SET confirm_token_hash = $2, frequency = $3, created_at = $4, \
                         confirmed_at = CASE WHEN $2 IS NULL THEN $4 END, sent_through = CASE WHEN $2 IS NULL THEN $4 END \
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(&alert.confirm_token_hash)
                    .bind(alert.frequency.code())
                    .bind(alert.now)
                    .execute(&mut *tx)
                    .await?;
                    JobAlertSaved::LinkRenewed(id)
                }
                None => {
                    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_alerts WHERE user_id = $1")
                        .bind(alert.user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    if count >= most {
                        return Ok(JobAlertSaved::TooMany);
                    }
                    let confirmed = alert.confirm_token_hash.is_none().then_some(alert.now);
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO job_alerts (user_id, filter, frequency, confirm_token_hash, confirmed_at, \
                         sent_through, created_at) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
                    )
                    .bind(alert.user_id)
                    .bind(&alert.filter)
                    .bind(alert.frequency.code())
                    .bind(&alert.confirm_token_hash)
                    .bind(confirmed)
                    .bind(alert.now)
                    .fetch_one(&mut *tx)
                    .await?;
                    JobAlertSaved::Created(id)
                }
            };
            if let Some(mail) = mail {
                insert_mail!(tx, mail, alert.now)?;
            }
            tx.commit().await?;
            Ok(saved)
        })
    }

    /// The unconfirmed alert a confirmation link made after `since` names.
    pub async fn job_alert_by_confirm_token(
        &self,
        token_hash: &str,
        since: UnixTime,
    ) -> StoreResult<Option<JobAlertRecord>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM job_alerts a \
             WHERE a.confirm_token_hash = $1 AND a.confirmed_at IS NULL AND a.created_at > $2"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(token_hash).bind(since).fetch_optional(pool).await
        })?)
    }

    /// Confirms the alert of a confirmation link made after `since` (once: the link dies) and
    /// marks its account's address as proven; its first message will hold jobs live after now.
    pub async fn confirm_job_alert(
        &self,
        token_hash: &str,
        since: UnixTime,
        now: UnixTime,
    ) -> StoreResult<Option<JobAlertRecord>> {
        let sql = format!(
            "UPDATE job_alerts SET confirmed_at = $3, sent_through = $3, confirm_token_hash = NULL \
             WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND created_at > $2 RETURNING {}",
            ALERT_COLUMNS.replace("a.", "")
        );
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let alert: Option<JobAlertRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(token_hash)
                .bind(since)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(alert) = &alert {
                sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1")
                    .bind(alert.user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(alert)
        })
    }

    /// An account's alerts, newest first.
    pub async fn job_alerts_of(&self, user_id: i64) -> StoreResult<Vec<JobAlertRecord>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM job_alerts a WHERE a.user_id = $1 ORDER BY a.created_at DESC, a.id DESC"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id).fetch_all(pool).await
        })?)
    }

    /// One alert.
    pub async fn job_alert(&self, alert_id: i64) -> StoreResult<Option<JobAlertRecord>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM job_alerts a WHERE a.id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(alert_id).fetch_optional(pool).await
        })?)
    }

    /// Deletes an alert of this account; `false` when it has none by that id.
    pub async fn delete_job_alert(&self, alert_id: i64, user_id: i64) -> StoreResult<bool> {
        let deleted = with_writer!(self, |pool| {
            sqlx::query("DELETE FROM job_alerts WHERE id = $1 AND user_id = $2")
                .bind(alert_id)
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(deleted == 1)
    }

    /// Confirmed alerts of enabled accounts whose next message is due at `now` (daily ones
    /// a day after the last, weekly ones a week; `slack` seconds early, so an hourly round
    /// does not drift), oldest first.
    pub async fn due_job_alerts(&self, now: UnixTime, slack: i64, limit: i64) -> StoreResult<Vec<DueJobAlert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS}, u.email, u.display_name FROM job_alerts a JOIN users u ON u.id = a.user_id \
             WHERE a.confirmed_at IS NOT NULL AND u.disabled_at IS NULL \
             AND a.sent_through <= $1 + $2 - CASE a.frequency WHEN 'weekly' THEN $3 ELSE $4 END \
             ORDER BY a.sent_through, a.id LIMIT $5"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(now)
                .bind(slack)
                .bind(AlertFrequency::Weekly.period_secs())
                .bind(AlertFrequency::Daily.period_secs())
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    /// Moves an alert's `sent_through` from `seen` to `now`, queueing `mail` with it;
    /// `false` (nothing queued) when another round moved it first.
    pub async fn claim_job_alert(
        &self,
        alert_id: i64,
        seen: UnixTime,
        now: UnixTime,
        mail: Option<&NewMail>,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let claimed = sqlx::query("UPDATE job_alerts SET sent_through = $3 WHERE id = $1 AND sent_through = $2")
                .bind(alert_id)
                .bind(seen)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if claimed && let Some(mail) = mail {
                insert_mail!(tx, mail, now)?;
            }
            tx.commit().await?;
            Ok(claimed)
        })
    }
}
