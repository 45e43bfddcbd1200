//! Accounts: users, sessions, single-use email tokens, sign-in attempts, API tokens.
//!
//! Files: `mod.rs` (the queries), `two_factor.rs` (authenticator secrets, recovery codes,
//! sign-ins waiting for their second factor), `records.rs` (its rows).

pub mod records;
mod two_factor;

use crate::engine::{audited, audited_change, insert_audit};
use crate::outbox::insert_mail;
use crate::{
    ApiTokenRecord, EmployerTokenRecord, IdleCutoff, NewApiToken, NewAuditEntry, NewEmailToken, NewMail, NewSession,
    NewUser, Page, PageRequest, Store, StoreResult, UnixTime, UserRecord, with_reader, with_writer,
};

/// Inserts an account inside a transaction; yields `(id,)`.
macro_rules! insert_user {
    ($tx:expr, $user:expr, $now:expr) => {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO users (email, display_name, password_hash, role, email_verified_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&$user.email)
        .bind(&$user.display_name)
        .bind(&$user.password_hash)
        .bind(&$user.role)
        .bind($user.email_verified_at)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await
    };
}
pub(crate) use insert_user;

const USER_COLUMNS: &str = "id, email, display_name, password_hash, role, email_verified_at, disabled_at, created_at, \
     two_factor_enabled_at";

impl Store {
    /// Creates an account and, in the same transaction, its email token and the mail
    /// that carries it, so a user never exists without the means to verify.
    pub async fn create_user(
        &self,
        user: &NewUser,
        token: Option<&NewEmailToken>,
        mail: Option<&NewMail>,
        now: UnixTime,
    ) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (id,) = insert_user!(tx, user, now)?;
            if let Some(token) = token {
                sqlx::query(
                    "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at, event_id) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&token.token_hash)
                .bind(id)
                .bind(&token.purpose)
                .bind(token.created_at)
                .bind(token.expires_at)
                .bind(token.event_id)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(mail) = mail {
                insert_mail!(tx, mail, now)?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(email)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Accounts in email order, optionally only those whose email or name contains `search`.
    pub async fn list_users(&self, search: Option<&str>, page: PageRequest) -> StoreResult<Page<UserRecord>> {
        let pattern = search.map(|s| format!("%{}%", s.to_lowercase()));
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users \
             WHERE ($1 IS NULL OR LOWER(email) LIKE $1 OR LOWER(display_name) LIKE $1) \
             ORDER BY email {}",
            page.sql()
        );
        let count_sql =
            "SELECT COUNT(*) FROM users WHERE ($1 IS NULL OR LOWER(email) LIKE $1 OR LOWER(display_name) LIKE $1)";
        let (items, (total,)): (Vec<UserRecord>, (i64,)) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(&pattern).fetch_all(pool).await?;
            let total = sqlx::query_as(count_sql).bind(&pattern).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Changes an account's role and records the change in the audit log, atomically.
    pub async fn set_user_role(&self, user_id: i64, role: &str, audit: &NewAuditEntry) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role)
                .bind(user_id)
                .execute(&mut *tx)
                .await?,
            audit
        )
    }

    pub async fn mark_email_verified(&self, user_id: i64, now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2")
                .bind(now)
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Stores a new email token (and the mail carrying it) for an existing user.
    pub async fn issue_email_token(&self, token: &NewEmailToken, mail: &NewMail, now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at, event_id) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&token.token_hash)
            .bind(token.user_id)
            .bind(&token.purpose)
            .bind(token.created_at)
            .bind(token.expires_at)
            .bind(token.event_id)
            .execute(&mut *tx)
            .await?;
            insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Issues a link that moves the account to `new_email` once followed, mailed to that
    /// new address; the account's earlier unused email-change links die.
    pub async fn issue_email_change(
        &self,
        token: &NewEmailToken,
        new_email: &str,
        mail: &NewMail,
        now: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
                .bind(token.user_id)
                .bind(&token.purpose)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at, new_email) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&token.token_hash)
            .bind(token.user_id)
            .bind(&token.purpose)
            .bind(token.created_at)
            .bind(token.expires_at)
            .bind(new_email)
            .execute(&mut *tx)
            .await?;
            insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Follows an email-change link: in one transaction the link is used up (once, even
    /// under concurrent requests), the account's email becomes the link's address (unique:
    /// `Conflict` if another account took it meanwhile), the notice from `notice_for_old`
    /// goes to the old address, and the change is audited. Returns (user id, old, new).
    pub async fn change_email(
        &self,
        token_hash: &str,
        purpose: &str,
        now: UnixTime,
        notice_for_old: impl FnOnce(&str, &str) -> NewMail,
        audit: &NewAuditEntry,
    ) -> StoreResult<Option<(i64, String, String)>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let claimed: Option<(i64, Option<String>)> = sqlx::query_as(
                "UPDATE email_tokens SET used_at = $3 \
                 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
                 RETURNING user_id, new_email",
            )
            .bind(token_hash)
            .bind(purpose)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((user_id, Some(new_email))) = claimed else { return Ok(None) };
            let (old_email,): (String,) =
                sqlx::query_as("SELECT email FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *tx).await?;
            sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                .bind(&new_email)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            let notice = notice_for_old(&old_email, &new_email);
            insert_mail!(tx, &notice, now)?;
            let mut audit = audit.clone();
            audit.actor_user_id = Some(user_id);
            audit.subject_id = Some(user_id);
            audit.subject_label = new_email.clone();
            audit.before_json = Some(serde_json::json!({ "email": old_email }).to_string());
            audit.after_json = Some(serde_json::json!({ "email": new_email }).to_string());
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(Some((user_id, old_email, new_email)))
        })
    }

    /// Marks a token used if it exists, has this purpose, is unused and unexpired;
    /// returns its user. A token can be consumed once, even under concurrent requests.
    /// The account and event of a guest's unused, unexpired registration link.
    pub async fn event_registration_link(
        &self,
        token_hash: &str,
        purpose: &str,
        now: UnixTime,
    ) -> StoreResult<Option<(i64, i64)>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT user_id, event_id FROM email_tokens \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND event_id IS NOT NULL",
        )
        .bind(token_hash)
        .bind(purpose)
        .bind(now)
        .fetch_optional(pool)
        .await)?)
    }

    pub async fn consume_email_token(
        &self,
        token_hash: &str,
        purpose: &str,
        now: UnixTime,
    ) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = with_writer!(self, |pool| {
            sqlx::query_as(
                "UPDATE email_tokens SET used_at = $3 \
                 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
                 RETURNING user_id",
            )
            .bind(token_hash)
            .bind(purpose)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(id,)| id))
    }

    /// Consumes a password-reset token and sets the new password hash in one
    /// transaction; every session of the user is ended. Returns the user id.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: UnixTime,
    ) -> StoreResult<Option<i64>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<(i64,)> = sqlx::query_as(
                "UPDATE email_tokens SET used_at = $2 \
                 WHERE token_hash = $1 AND purpose = 'reset_password' AND used_at IS NULL AND expires_at > $2 \
                 RETURNING user_id",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((user_id,)) = row else { return Ok(None) };
            // Every other reset link of the account dies with this one.
            sqlx::query(
                "UPDATE email_tokens SET used_at = $2 \
                 WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL",
            )
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE users SET password_hash = $1, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3")
                .bind(password_hash)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(user_id))
        })
    }

    /// A signed-in person's new password, in one transaction: the hash changes, every
    /// other session of the account and every outstanding reset link end, a notice is
    /// queued to the account's address, and the change is audited.
    pub async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session_hash: &str,
        notice: &NewMail,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        let now = audit.occurred_at;
        audited!(
            self,
            |tx| {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user_id)
                    .bind(keep_session_hash)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE email_tokens SET used_at = $2 \
                     WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL",
                )
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                insert_mail!(tx, notice, now)?;
            },
            audit
        )
    }

    pub async fn set_password_hash(&self, user_id: i64, password_hash: &str) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $3)",
            )
            .bind(&session.token_hash)
            .bind(session.user_id)
            .bind(session.created_at)
            .bind(session.expires_at)
            .bind(&session.ip)
            .bind(&session.user_agent)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The user of a live session (expired sessions and disabled users give `None`) and the
    /// chapters they hold office in on `today`, in one round trip: every signed-in request
    /// needs both.
    ///
    /// A session not used since `idle_cutoff` ends too: `idle_cutoff.member` for members,
    /// `idle_cutoff.staff` for staff and administrators. A live session's last use is
    /// recorded (at most once a minute, so reads stay reads).
    pub async fn session_user_with_offices(
        &self,
        token_hash: &str,
        now: UnixTime,
        today: time::Date,
        idle_cutoff: IdleCutoff,
    ) -> StoreResult<Option<(UserRecord, Vec<i64>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRecord,
            office_chapter_id: Option<i64>,
            last_seen_at: i64,
        }
        const SQL: &str = "SELECT u.id, u.email, u.display_name, u.password_hash, u.role, u.email_verified_at, \
             u.disabled_at, u.created_at, u.two_factor_enabled_at, t.chapter_id AS office_chapter_id, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN officer_terms t ON t.user_id = u.id AND t.starts_on <= $3 AND (t.ends_on IS NULL OR t.ends_on >= $3) \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL \
             AND s.last_seen_at > CASE WHEN u.role = 'member' THEN $4 ELSE $5 END ORDER BY t.chapter_id";
        let rows: Vec<Row> = with_reader!(self, |pool| sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(now)
            .bind(today)
            .bind(idle_cutoff.member)
            .bind(idle_cutoff.staff)
            .fetch_all(pool)
            .await)?;
        let mut offices: Vec<i64> = rows.iter().filter_map(|r| r.office_chapter_id).collect();
        offices.dedup();
        let Some(first) = rows.into_iter().next() else { return Ok(None) };
        // Written only when a minute has passed: a signed-in page stays a read (on SQLite
        // every write waits for the one writer connection).
        if first.last_seen_at < now - 60 {
            with_writer!(self, |pool| sqlx::query(
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $3"
            )
            .bind(token_hash)
            .bind(now)
            .bind(now - 60)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(Some((first.user, offices)))
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        with_writer!(self, |pool| sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes expired sessions and tokens; returns how many rows went.
    pub async fn purge_expired(&self, now: UnixTime) -> StoreResult<u64> {
        with_writer!(self, |pool| {
            let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?;
            let b = sqlx::query("DELETE FROM email_tokens WHERE expires_at <= $1").bind(now).execute(pool).await?;
            let challenges =
                sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at <= $1").bind(now).execute(pool).await?;
            let c = sqlx::query("DELETE FROM sign_in_attempts WHERE attempted_at <= $1")
                .bind(now - 86_400)
                .execute(pool)
                .await?;
            let d = sqlx::query("DELETE FROM sign_in_throttles WHERE window_started_at <= $1")
                .bind(now - 86_400)
                .execute(pool)
                .await?;
            let e = sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= $1")
                .bind(now - 86_400)
                .execute(pool)
                .await?;
            Ok(a.rows_affected()
                + b.rows_affected()
                + challenges.rows_affected()
                + c.rows_affected()
                + d.rows_affected()
                + e.rows_affected())
        })
    }

    /// Counts one sign-in attempt against each throttle and returns each one's count in
    /// its window, this attempt included. A throttle whose window started at or before
    /// `window_start` starts a new window at `now`. Each count is one upsert: concurrent
    /// attempts each get a count of their own, so checking `count <= limit` lets no more
    /// than `limit` through, however many arrive at once.
    pub async fn count_sign_in_attempt(
        &self,
        throttles: &[&str],
        window_start: UnixTime,
        now: UnixTime,
    ) -> StoreResult<Vec<i64>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut counts = Vec::with_capacity(throttles.len());
            for key in throttles {
                let (count,): (i64,) = sqlx::query_as(
                    "INSERT INTO sign_in_throttles (throttle_key, attempts, window_started_at) VALUES ($1, 1, $2) \
                     ON CONFLICT (throttle_key) DO UPDATE SET \
                       attempts = CASE WHEN sign_in_throttles.window_started_at <= $3 THEN 1 \
                                       ELSE sign_in_throttles.attempts + 1 END, \
                       window_started_at = CASE WHEN sign_in_throttles.window_started_at <= $3 THEN $2 \
                                                ELSE sign_in_throttles.window_started_at END \
                     RETURNING attempts",
                )
                .bind(key)
                .bind(now)
                .bind(window_start)
                .fetch_one(&mut *tx)
                .await?;
                counts.push(count);
            }
            tx.commit().await?;
            Ok(counts)
        })
    }

    /// After a sign-in that succeeded: clears the throttles in `clear` and takes this
    /// attempt back off those in `forgive`.
    pub async fn forgive_sign_in_attempt(&self, clear: &[&str], forgive: &[&str]) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            for key in clear {
                sqlx::query("DELETE FROM sign_in_throttles WHERE throttle_key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            for key in forgive {
                sqlx::query(
                    "UPDATE sign_in_throttles SET attempts = attempts - 1 WHERE throttle_key = $1 AND attempts > 0",
                )
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn record_sign_in_attempt(
        &self,
        email: &str,
        ip: &str,
        succeeded: bool,
        now: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("INSERT INTO sign_in_attempts (email, ip, attempted_at, succeeded) VALUES ($1, $2, $3, $4)")
                .bind(email)
                .bind(ip)
                .bind(now)
                .bind(succeeded)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Failed sign-ins since `since`: (for this email since its last success, from this address).
    pub async fn failed_sign_ins_since(&self, email: &str, ip: &str, since: UnixTime) -> StoreResult<(i64, i64)> {
        let (by_email, by_ip): ((i64,), (i64,)) = with_reader!(self, |pool| {
            let by_email = sqlx::query_as(
                "SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND succeeded = FALSE AND attempted_at > \
                 (SELECT COALESCE(MAX(attempted_at), $2) FROM sign_in_attempts \
                  WHERE email = $1 AND succeeded = TRUE AND attempted_at > $2)",
            )
            .bind(email)
            .bind(since)
            .fetch_one(pool)
            .await?;
            let by_ip = sqlx::query_as(
                "SELECT COUNT(*) FROM sign_in_attempts WHERE ip = $1 AND succeeded = FALSE AND attempted_at > $2",
            )
            .bind(ip)
            .bind(since)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>((by_email, by_ip))
        })?;
        Ok((by_email.0, by_ip.0))
    }

    pub async fn create_api_token(
        &self,
        token: &NewApiToken,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO api_tokens (token_hash, name, user_id, role, chapter_id, created_at, expires_at, employer_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&token.token_hash)
                .bind(&token.name)
                .bind(token.user_id)
                .bind(&token.role)
                .bind(token.chapter_id)
                .bind(now)
                .bind(token.expires_at)
                .bind(token.employer_id)
                .fetch_one(&mut *tx)
                .await?;
                id
            },
            audit
        )
    }

    /// A live API token and its owner; revoked or expired tokens and disabled owners give `None`.
    pub async fn api_token(
        &self,
        token_hash: &str,
        now: UnixTime,
    ) -> StoreResult<Option<(ApiTokenRecord, UserRecord)>> {
        let token: Option<ApiTokenRecord> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, token_hash, name, user_id, role, chapter_id, created_at, expires_at, revoked_at, last_used_at, employer_id \
                 FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        let Some(mut token) = token else { return Ok(None) };
        // Last use is written at most once a minute, decided from the row just read (as for
        // sessions): an integration's calls stay reads.
        if token.last_used_at.is_none_or(|at| at < now - 60) {
            with_writer!(self, |pool| sqlx::query(
                "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)"
            )
            .bind(token.id)
            .bind(now)
            .bind(now - 60)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
            token.last_used_at = Some(now);
        }
        match self.user_by_id(token.user_id).await? {
            Some(user) if user.disabled_at.is_none() => Ok(Some((token, user))),
            _ => Ok(None),
        }
    }

    pub async fn list_api_tokens(&self) -> StoreResult<Vec<ApiTokenRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, token_hash, name, user_id, role, chapter_id, created_at, expires_at, revoked_at, last_used_at, employer_id \
                 FROM api_tokens ORDER BY created_at DESC, id DESC",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// An employer's tokens, live and past, newest first, with who issued each.
    pub async fn employer_api_tokens(&self, employer_id: i64) -> StoreResult<Vec<EmployerTokenRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.token_hash, t.name, t.user_id, t.role, t.chapter_id, t.created_at, t.expires_at, \
                        t.revoked_at, t.last_used_at, t.employer_id, u.display_name AS issued_by \
                 FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.employer_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            )
            .bind(employer_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Revokes a live token: any token (`employer_id` None, an administrator), or only one
    /// of that employer's.
    pub async fn revoke_api_token(
        &self,
        id: i64,
        employer_id: Option<i64>,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 \
                 WHERE id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR employer_id = $3)"
            )
            .bind(now)
            .bind(id)
            .bind(employer_id)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }
}

impl Store {
    pub async fn count_users(&self) -> StoreResult<i64> {
        let (n,): (i64,) =
            with_reader!(self, |pool| sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await)?;
        Ok(n)
    }
}
