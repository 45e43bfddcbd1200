//! Idempotency keys for state-changing API requests (see `guildhall_store::IdempotencyClaim`):
//! keys are per person, live 24 hours, and are stored hashed.

use guildhall_store::IdempotencyClaim;
use sha2::{Digest, Sha256};

use crate::crypto::hash_token;
use crate::{Actor, App, AppError, AppResult};

/// How long a key's answer is kept, in seconds.
pub const KEY_LIFE_SECS: i64 = 24 * 3600;
/// The longest key accepted.
pub const KEY_MAX_CHARS: usize = 255;

/// A fingerprint of the request a key was used with: method, path and query, body.
pub fn request_fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut digest = Sha256::new();
    digest.update(method.as_bytes());
    digest.update([0]);
    digest.update(path_and_query.as_bytes());
    digest.update([0]);
    digest.update(body);
    digest.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Claims an `Idempotency-Key` for this person's request, or says why it may not run.
    pub async fn claim_idempotency_key(&self, actor: &Actor, key: &str, request: &str) -> AppResult<IdempotencyClaim> {
        if key.is_empty() || key.chars().count() > KEY_MAX_CHARS || key.chars().any(|c| c.is_control()) {
            return Err(AppError::invalid(format!(
                "An Idempotency-Key must be 1 to {KEY_MAX_CHARS} printable characters."
            )));
        }
        let now = self.clock.unix();
        Ok(self.store.claim_idempotency_key(actor.user_id, &hash_token(key), request, now, now - KEY_LIFE_SECS).await?)
    }

    /// Keeps the answer to a claimed key (or lets the key go when the answer was our failure).
    pub async fn finish_idempotency_key(
        &self,
        actor: &Actor,
        key: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) -> AppResult<()> {
        let key_hash = hash_token(key);
        if status >= 500 {
            return Ok(self.store.release_idempotency_key(actor.user_id, &key_hash).await?);
        }
        Ok(self.store.finish_idempotency_key(actor.user_id, &key_hash, status, content_type, body).await?)
    }
}
