//! The durable mail outbox: messages are written in the same transaction as the change
//! that causes them, then claimed, delivered and marked by the mail worker.

use serde::Serialize;

use crate::{Page, PageRequest, Store, StoreResult, UnixTime, with_reader, with_writer};

const MAIL_COLUMNS: &str = "id, to_address, subject, body_text, created_at, status, attempts, next_attempt_at, \
                            locked_until, last_error, sent_at, transport, attachment_name, attachment_type";

/// Inserts one outbox message inside an open transaction. A message without an attachment
/// names no attachment column (so the statement also suits a schema from before them, as
/// the migration tests use).
macro_rules! insert_mail {
    ($tx:expr, $mail:expr, $now:expr) => {
        $crate::outbox::insert_mail!(@ $tx, $mail, $now, "", execute)
    };
    // `$suffix` ends the statement (" RETURNING id"); `$finish` runs it.
    (@ $tx:expr, $mail:expr, $now:expr, $suffix:literal, $finish:ident) => {
        match &$mail.attachment {
            None => {
                sqlx::query(concat!(
                    "INSERT INTO outbox (to_address, subject, body_text, created_at, status, attempts, next_attempt_at) \
                     VALUES ($1, $2, $3, $4, 'pending', 0, $4)",
                    $suffix
                ))
                .bind(&$mail.to_address)
                .bind(&$mail.subject)
                .bind(&$mail.body_text)
                .bind($now)
                .$finish(&mut *$tx)
                .await
            }
            Some(file) => {
                sqlx::query(concat!(
                    "INSERT INTO outbox (to_address, subject, body_text, created_at, status, attempts, next_attempt_at, \
                     attachment_name, attachment_type, attachment_body) \
                     VALUES ($1, $2, $3, $4, 'pending', 0, $4, $5, $6, $7)",
                    $suffix
                ))
                .bind(&$mail.to_address)
                .bind(&$mail.subject)
                .bind(&$mail.body_text)
                .bind($now)
                .bind(&file.name)
                .bind(&file.content_type)
                .bind(&file.body)
                .$finish(&mut *$tx)
                .await
            }
        }
    };
}
pub(crate) use insert_mail;

impl Store {
    pub async fn enqueue_mail(&self, mail: &NewMail, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| {
            let mut conn = pool.acquire().await?;
            let row = insert_mail!(@ conn, mail, now, " RETURNING id", fetch_one)?;
            sqlx::Row::try_get::<i64, _>(&row, 0)
        })?)
    }

    /// Leases up to `limit` due messages for `lease_secs`. Safe with several app nodes:
    /// the outer condition is re-checked on each row after its lock is taken, so two
    /// nodes never hold the same message.
    pub async fn claim_due_mail(&self, now: UnixTime, lease_secs: i64, limit: u32) -> StoreResult<Vec<MailRecord>> {
        // The limit is written in, not bound (see `PageRequest::sql`).
        let sql = format!(
            "UPDATE outbox SET locked_until = $2 \
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
             AND id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
                        AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT {limit}) \
             RETURNING {MAIL_COLUMNS}"
        );
        let mut rows: Vec<MailRecord> = with_writer!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(now).bind(now + lease_secs).fetch_all(pool).await
        })?;
        rows.sort_by_key(|m| m.id);
        Ok(rows)
    }

    pub async fn mark_mail_sent(&self, id: i64, transport: &str, now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET status = 'sent', sent_at = $2, transport = $3, attempts = attempts + 1, \
                 locked_until = NULL, last_error = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(transport)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Records a failed attempt; the message is tried again at `retry_at`, or marked
    /// failed (kept, visible to staff) when `retry_at` is `None`.
    pub async fn mark_mail_failed(&self, id: i64, error: &str, retry_at: Option<UnixTime>) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2, locked_until = NULL, \
                 status = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'pending' END, \
                 next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(retry_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Newest first, optionally only mail to one address (`to_address` given in lower case).
    pub async fn list_mail(&self, to_address: Option<&str>, page: PageRequest) -> StoreResult<Page<MailRecord>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE ($1 IS NULL OR LOWER(to_address) = $1) ORDER BY id DESC {}",
            page.sql()
        );
        let (items, (total,)): (Vec<MailRecord>, (i64,)) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(to_address).fetch_all(pool).await?;
            let total = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE ($1 IS NULL OR LOWER(to_address) = $1)")
                .bind(to_address)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// The attachment of message `id`, with its bytes; `None` when it has none.
    pub async fn mail_attachment(&self, id: i64) -> StoreResult<Option<MailAttachment>> {
        let row: Option<(String, String, Vec<u8>)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT attachment_name, attachment_type, attachment_body FROM outbox WHERE id = $1 \
                 AND attachment_name IS NOT NULL AND attachment_type IS NOT NULL AND attachment_body IS NOT NULL",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(name, content_type, body)| MailAttachment { name, content_type, body }))
    }

    pub async fn mail_by_id(&self, id: i64) -> StoreResult<Option<MailRecord>> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }
}

#[derive(Debug, Clone)]
pub struct NewMail {
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    /// A file sent with the message (a registration's calendar entry).
    pub attachment: Option<MailAttachment>,
}

/// A file attached to a message: its name as the recipient sees it, its media type
/// (`text/calendar; method=PUBLISH`) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    pub name: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MailRecord {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: UnixTime,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: UnixTime,
    pub locked_until: Option<UnixTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<UnixTime>,
    pub transport: Option<String>,
    /// The attachment's file name and media type, when the message has one.
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
}

/// How the outgoing mail is doing, for the staff overview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailHealth {
    /// Given up on: every attempt failed.
    pub failed: i64,
    /// Failed at least once and waiting to be tried again.
    pub retrying: i64,
    /// Waiting to be sent (retrying included).
    pub waiting: i64,
}

impl Store {
    /// Counts of failed, retrying and waiting messages, in one query.
    pub async fn mail_health(&self) -> StoreResult<MailHealth> {
        let (failed, retrying, waiting): (i64, i64, i64) = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(CASE WHEN status = 'failed' THEN 1 END), \
                 COUNT(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 END), \
                 COUNT(CASE WHEN status = 'pending' THEN 1 END) FROM outbox",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(MailHealth { failed, retrying, waiting })
    }
}
