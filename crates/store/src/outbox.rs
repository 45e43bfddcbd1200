//! The durable mail outbox: messages are written in the same transaction as the change
//! that causes them, then claimed, delivered and marked by the mail worker.

use serde::Serialize;

use crate::{Page, PageRequest, Store, StoreResult, UnixTime, with_reader, with_writer};

const MAIL_COLUMNS: &str = "id, to_address, subject, body_text, created_at, status, attempts, next_attempt_at, \
                            locked_until, last_error, sent_at, transport, attachment_name, attachment_type, \
                            campaign_id, member_id, campaign_test, headers, body_html";

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

    /// Leases up to `limit` due transactional messages for `lease_secs`. Safe with several
    /// app nodes: the outer condition is re-checked on each row after its lock is taken, so
    /// two nodes never hold the same message.
    pub async fn claim_due_mail(&self, now: UnixTime, lease_secs: i64, limit: u32) -> StoreResult<Vec<MailRecord>> {
        self.claim_due(now, lease_secs, limit, false).await
    }

    /// Leases up to `limit` due bulk (campaign) messages, as `claim_due_mail` does; one handed
    /// to the relay and never marked (`in_flight_since`) is never claimed again.
    pub async fn claim_due_bulk_mail(
        &self,
        now: UnixTime,
        lease_secs: i64,
        limit: u32,
    ) -> StoreResult<Vec<MailRecord>> {
        self.claim_due(now, lease_secs, limit, true).await
    }

    async fn claim_due(&self, now: UnixTime, lease_secs: i64, limit: u32, bulk: bool) -> StoreResult<Vec<MailRecord>> {
        let kind = if bulk { "campaign_id IS NOT NULL AND in_flight_since IS NULL" } else { "campaign_id IS NULL" };
        // The limit is written in, not bound (see `PageRequest::sql`).
        let sql = format!(
            "UPDATE outbox SET locked_until = $2 \
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
             AND {kind} \
             AND id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
                        AND (locked_until IS NULL OR locked_until < $1) AND {kind} ORDER BY id LIMIT {limit}) \
             RETURNING {MAIL_COLUMNS}"
        );
        let mut rows: Vec<MailRecord> = with_writer!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(now).bind(now + lease_secs).fetch_all(pool).await
        })?;
        rows.sort_by_key(|m| m.id);
        Ok(rows)
    }

    /// Bulk messages sent since `since` (the relay's sliding-window rate limits).
    pub async fn bulk_mail_handed_over_since(&self, since: UnixTime) -> StoreResult<i64> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE campaign_id IS NOT NULL AND handed_over_at > $1")
                .bind(since)
                .fetch_one(pool)
                .await
        })?)
    }

    pub async fn mark_mail_sent(&self, id: i64, transport: &str, now: UnixTime) -> StoreResult<()> {
        self.mark_mails_sent(&[id], transport, now).await
    }

    /// Marks messages sent, in one statement.
    pub async fn mark_mails_sent(&self, ids: &[i64], transport: &str, now: UnixTime) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE outbox SET status = 'sent', sent_at = $1, transport = $2, attempts = attempts + 1, \
             locked_until = NULL, in_flight_since = NULL, last_error = NULL WHERE id IN ({})",
            (3..ids.len() + 3).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        );
        with_writer!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(transport);
            for id in ids {
                query = query.bind(*id);
            }
            query.execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Keeps what a message went out as (the development mailbox shows it): a campaign's
    /// message is made when it is delivered.
    pub async fn keep_mail_as_sent(&self, id: i64, kept: &KeptMail) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE outbox SET subject = $2, body_text = $3, body_html = $4, headers = $5 WHERE id = $1")
                .bind(id)
                .bind(&kept.subject)
                .bind(&kept.body_text)
                .bind(&kept.body_html)
                .bind(&kept.headers)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Marks bulk messages as being handed to the relay now; returns those that were not
    /// already (a message marked and never marked sent is not sent again).
    pub async fn mark_mail_in_flight(&self, ids: &[i64], now: UnixTime) -> StoreResult<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE outbox SET in_flight_since = $1, handed_over_at = $1 WHERE status = 'pending' \
             AND in_flight_since IS NULL AND id IN ({}) RETURNING id",
            (2..ids.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        );
        Ok(with_writer!(self, |pool| {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?)
    }

    /// Bulk messages handed to the relay before `before` and never marked sent or failed
    /// (the sender stopped mid-send): marked undetermined, never sent again. Returns how many.
    pub async fn mark_stalled_mail_undetermined(&self, before: UnixTime) -> StoreResult<u64> {
        Ok(with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET status = 'undetermined', locked_until = NULL, \
                 last_error = 'The sender stopped while handing it to the relay; not sent again, so nobody gets two.' \
                 WHERE status = 'pending' AND in_flight_since IS NOT NULL AND in_flight_since < $1",
            )
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?)
    }

    /// Records a failed attempt; the message is tried again at `retry_at`, or marked
    /// failed (kept, visible to staff) when `retry_at` is `None`.
    pub async fn mark_mail_failed(&self, id: i64, error: &str, retry_at: Option<UnixTime>) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2, locked_until = NULL, in_flight_since = NULL, \
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
    /// The campaign it is a message of, made for `member_id` when it is delivered.
    pub campaign_id: Option<i64>,
    pub member_id: Option<i64>,
    /// A test send of the campaign to its writer.
    pub campaign_test: bool,
    /// The headers it went out with (a JSON object), kept for the development mailbox.
    pub headers: Option<String>,
    /// Its HTML part as it went out, kept for the development mailbox.
    pub body_html: Option<String>,
}

/// A message as it went out, kept for the development mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptMail {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub headers: String,
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
