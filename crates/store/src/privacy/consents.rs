//! Consent records: who agreed to what, when, and how.

use crate::engine::{insert_audit, with_reader, with_writer};
use crate::{NewAuditEntry, Store, StoreError, StoreResult, UnixTime};

/// A consent as it is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub user_id: Option<i64>,
    pub member_id: Option<i64>,
    pub purpose: String,
    pub version: String,
    pub source: String,
}

/// A consent on record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentRecord {
    pub id: i64,
    pub user_id: Option<i64>,
    pub member_id: Option<i64>,
    pub purpose: String,
    pub version: String,
    pub given_at: UnixTime,
    pub source: String,
    pub withdrawn_at: Option<UnixTime>,
}

impl Store {
    /// Records consents given together (the sign-up form's terms and privacy notice).
    pub async fn record_consents(&self, consents: &[NewConsent], now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            for c in consents {
                sqlx::query(
                    "INSERT INTO consents (user_id, member_id, purpose, version, given_at, source) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(c.user_id)
                .bind(c.member_id)
                .bind(&c.purpose)
                .bind(&c.version)
                .bind(now)
                .bind(&c.source)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The consents of an account or its member record, newest first.
    pub async fn consents_of(&self, user_id: i64, member_id: Option<i64>) -> StoreResult<Vec<ConsentRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, member_id, purpose, version, given_at, source, withdrawn_at FROM consents \
                 WHERE user_id = $1 OR member_id = $2 ORDER BY given_at DESC, id DESC",
            )
            .bind(user_id)
            .bind(member_id.unwrap_or(-1))
            .fetch_all(pool)
            .await
        })?)
    }

    /// Withdraws one of the person's consents (not yet withdrawn). For the directory
    /// consent (`hide_directory_details`) the member record's directory choices all become
    /// private in the same transaction. Audited.
    pub async fn withdraw_consent(
        &self,
        consent_id: i64,
        user_id: i64,
        member_id: Option<i64>,
        hide_directory_details: bool,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE consents SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL \
                 AND (user_id = $3 OR member_id = $4)",
            )
            .bind(consent_id)
            .bind(now)
            .bind(user_id)
            .bind(member_id.unwrap_or(-1))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            if let (true, Some(member_id)) = (hide_directory_details, member_id) {
                sqlx::query("UPDATE members SET visibility = $2, updated_at = $3 WHERE id = $1")
                    .bind(member_id)
                    .bind(PRIVATE_EVERYWHERE)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(())
        })
    }
}

/// Every directory field "only me and the society".
const PRIVATE_EVERYWHERE: &str =
    r#"{"city":"private","disciplines":"private","employer":"private","job_title":"private","phone":"private"}"#;
