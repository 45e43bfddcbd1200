//! Two-factor sign-in: authenticator secrets, single-use recovery codes, and the sign-ins
//! that proved a password and wait for their second factor. Every "once only" rule is a
//! conditional statement, so concurrent attempts cannot use one code twice.

use crate::engine::{audited, insert_audit};
use crate::outbox::insert_mail;
/// Inside a transaction: the account's recovery codes become exactly `$hashes`.
macro_rules! replace_codes {
    ($tx:expr, $user_id:expr, $hashes:expr, $now:expr) => {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind($user_id).execute(&mut *$tx).await?;
        for hash in $hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind($user_id)
                .bind(hash)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

use crate::{NewAuditEntry, NewMail, Store, StoreResult, TwoFactorSecret, UnixTime, with_reader, with_writer};

/// How many of an account's recovery codes are unused.
const UNUSED_RECOVERY_CODES: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";

impl Store {
    /// The account's authenticator secret, set up or being set up.
    pub async fn two_factor_secret(&self, user_id: i64) -> StoreResult<Option<TwoFactorSecret>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT user_id, secret, last_used_step, created_at FROM two_factor_secrets WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Starts (or starts again) setting up two-factor sign-in with a new secret. Does
    /// nothing, and answers `false`, when it is already on: an enabled secret is never
    /// replaced this way.
    pub async fn begin_two_factor(&self, user_id: i64, secret: &str, now: UnixTime) -> StoreResult<bool> {
        let changed = with_writer!(self, |pool| sqlx::query(
            "INSERT INTO two_factor_secrets (user_id, secret, last_used_step, created_at) \
             SELECT id, $2, 0, $3 FROM users WHERE id = $1 AND two_factor_enabled_at IS NULL \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_used_step = 0, \
               created_at = excluded.created_at"
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(changed > 0)
    }

    /// Turns two-factor sign-in on once the first code proved the app works: the code's
    /// step counts as used, the recovery codes replace any older ones, a notice is queued
    /// and the change audited. `false` when it was already on (nothing is written).
    pub async fn enable_two_factor(
        &self,
        user_id: i64,
        step: i64,
        recovery_code_hashes: &[String],
        notice: &NewMail,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        let now = audit.occurred_at;
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let turned_on = sqlx::query(
                "UPDATE users SET two_factor_enabled_at = $2 WHERE id = $1 AND two_factor_enabled_at IS NULL \
                 AND EXISTS (SELECT 1 FROM two_factor_secrets WHERE user_id = $1)",
            )
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if turned_on == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE two_factor_secrets SET last_used_step = $2 WHERE user_id = $1")
                .bind(user_id)
                .bind(step)
                .execute(&mut *tx)
                .await?;
            replace_codes!(tx, user_id, recovery_code_hashes, now);
            insert_mail!(tx, notice, now)?;
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Accepts a code's time step for the account, once: `false` when that step (or a
    /// later one) was already used, or two-factor sign-in is off.
    pub async fn use_two_factor_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let changed = with_writer!(self, |pool| sqlx::query(
            "UPDATE two_factor_secrets SET last_used_step = $2 WHERE user_id = $1 AND last_used_step < $2 \
             AND EXISTS (SELECT 1 FROM users WHERE id = $1 AND two_factor_enabled_at IS NOT NULL)"
        )
        .bind(user_id)
        .bind(step)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(changed > 0)
    }

    /// Uses one recovery code: `Some(codes left)` when it was the account's and unused.
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str, now: UnixTime) -> StoreResult<Option<i64>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let used: Option<(i64,)> = sqlx::query_as(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL \
                 RETURNING id",
            )
            .bind(user_id)
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if used.is_none() {
                return Ok(None);
            }
            let (left,): (i64,) = sqlx::query_as(UNUSED_RECOVERY_CODES).bind(user_id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(left))
        })
    }

    /// How many of the account's recovery codes are still unused.
    pub async fn recovery_codes_left(&self, user_id: i64) -> StoreResult<i64> {
        let (left,): (i64,) =
            with_reader!(self, |pool| sqlx::query_as(UNUSED_RECOVERY_CODES).bind(user_id).fetch_one(pool).await)?;
        Ok(left)
    }

    /// New recovery codes for an account with two-factor sign-in on; the old ones stop working.
    pub async fn replace_recovery_codes(
        &self,
        user_id: i64,
        recovery_code_hashes: &[String],
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        let now = audit.occurred_at;
        audited!(
            self,
            |tx| {
                replace_codes!(tx, user_id, recovery_code_hashes, now);
            },
            audit
        )
    }

    /// Turns two-factor sign-in off: the secret and recovery codes go, a notice is queued
    /// and the change audited.
    pub async fn disable_two_factor(&self, user_id: i64, notice: &NewMail, audit: &NewAuditEntry) -> StoreResult<()> {
        let now = audit.occurred_at;
        audited!(
            self,
            |tx| {
                sqlx::query("UPDATE users SET two_factor_enabled_at = NULL WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM two_factor_secrets WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                insert_mail!(tx, notice, now)?;
            },
            audit
        )
    }

    /// A sign-in that proved the password and waits for the second factor.
    pub async fn create_sign_in_challenge(
        &self,
        token_hash: &str,
        user_id: i64,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| sqlx::query(
            "INSERT INTO sign_in_challenges (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The account a live sign-in challenge is for.
    pub async fn sign_in_challenge(&self, token_hash: &str, now: UnixTime) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = with_reader!(self, |pool| sqlx::query_as(
            "SELECT user_id FROM sign_in_challenges WHERE token_hash = $1 AND expires_at > $2"
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// Ends a sign-in challenge whose second factor was given: `Some(user id)` for the one
    /// request that ends it, `None` for any other.
    pub async fn consume_sign_in_challenge(&self, token_hash: &str, now: UnixTime) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = with_writer!(self, |pool| sqlx::query_as(
            "DELETE FROM sign_in_challenges WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id"
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id,)| id))
    }
}
