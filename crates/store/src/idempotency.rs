//! Idempotency keys for the API (`Idempotency-Key`, as Stripe's API has them): the first
//! request with a key claims it, its answer is kept, and a repeat within the key's life
//! gets that answer instead of running again. Claiming is one upsert, so of concurrent
//! repeats exactly one runs.

use crate::{Store, StoreResult, UnixTime, with_writer};

/// What a request carrying a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new (or its earlier use expired): run the request.
    New,
    /// The same request was answered already: send this answer again.
    Replay { status: u16, content_type: String, body: String },
    /// The same key is being answered right now by another request.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

impl Store {
    /// Claims `key_hash` for `user_id` and this request, or says why not. A key whose
    /// use began at or before `expired_before` is claimed afresh.
    pub async fn claim_idempotency_key(
        &self,
        user_id: i64,
        key_hash: &str,
        request_hash: &str,
        now: UnixTime,
        expired_before: UnixTime,
    ) -> StoreResult<IdempotencyClaim> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let claimed: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO idempotency_keys (user_id, key_hash, request_hash, status, content_type, response_body, \
                 created_at) VALUES ($1, $2, $3, 0, '', '', $4) \
                 ON CONFLICT (user_id, key_hash) DO UPDATE SET request_hash = excluded.request_hash, status = 0, \
                 content_type = '', response_body = '', created_at = excluded.created_at \
                 WHERE idempotency_keys.created_at <= $5 \
                 RETURNING user_id",
            )
            .bind(user_id)
            .bind(key_hash)
            .bind(request_hash)
            .bind(now)
            .bind(expired_before)
            .fetch_optional(&mut *tx)
            .await?;
            let claim = if claimed.is_some() {
                IdempotencyClaim::New
            } else {
                let (stored_request, status, content_type, body): (String, i64, String, String) = sqlx::query_as(
                    "SELECT request_hash, status, content_type, response_body FROM idempotency_keys \
                     WHERE user_id = $1 AND key_hash = $2",
                )
                .bind(user_id)
                .bind(key_hash)
                .fetch_one(&mut *tx)
                .await?;
                if stored_request != request_hash {
                    IdempotencyClaim::Mismatch
                } else if status == 0 {
                    IdempotencyClaim::InProgress
                } else {
                    IdempotencyClaim::Replay { status: u16::try_from(status).unwrap_or(500), content_type, body }
                }
            };
            tx.commit().await?;
            Ok(claim)
        })
    }

    /// Keeps the answer to a claimed key's request.
    pub async fn finish_idempotency_key(
        &self,
        user_id: i64,
        key_hash: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE idempotency_keys SET status = $3, content_type = $4, response_body = $5 \
                 WHERE user_id = $1 AND key_hash = $2",
            )
            .bind(user_id)
            .bind(key_hash)
            .bind(i64::from(status))
            .bind(content_type)
            .bind(body)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Lets a key go again (its request failed on our side, so a retry may run).
    pub async fn release_idempotency_key(&self, user_id: i64, key_hash: &str) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key_hash = $2")
                .bind(user_id)
                .bind(key_hash)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}
