//! Verifiable credentials: the society's signing keys and the credentials it issued, with
//! where each stands (active, suspended, revoked) and its position in a status list.
//!
//! Files: `mod.rs` (keys, issuing, reading, status changes, the status lists' positions,
//! what issuing reads of a member record and a membership term), `records.rs` (the rows).
//!
//! Issuing reads the member record and membership terms (membership's tables) to name the
//! holder and the term a membership credential covers; it writes only its own tables.

pub mod records;

use guildhall_domain::credentials::{CredentialKind, CredentialStatus, StatusPurpose};
use guildhall_domain::membership::{Standing, TermState};
use time::Date;

use crate::engine::{audited, insert_audit};
use crate::{NewAuditEntry, Page, PageRequest, Store, StoreError, StoreResult, UnixTime, with_reader, with_writer};
use records::{
    CredentialFilter, CredentialHolder, CredentialRecord, IssuerKeyRecord, MembershipCredentialState, NewCredential,
};

const KEY_COLUMNS: &str = "id, fragment, public_key, sealed_secret, created_at, retired_at";

const CREDENTIAL_COLUMNS: &str = "id, uuid, member_id, kind, source, name, document, jwt, integrity, key_fragment, \
     status_purpose, status_index, status, status_reason, status_changed_at, status_automatic, valid_from, \
     valid_until, issued_at, issued_by";

/// `WHERE` of the staff list: each filter applies when bound to a value.
const FILTER: &str = "($1 IS NULL OR member_id = $1) AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR status = $3)";

/// A membership term a credential can certify: paid, and covering the day asked about.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CoveringTerm {
    pub term_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub tier_name: String,
}

impl Store {
    /// Every signing key, the current one first, then the newest retired.
    pub async fn issuer_keys(&self) -> StoreResult<Vec<IssuerKeyRecord>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM issuer_keys ORDER BY retired_at IS NOT NULL, id DESC");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// Stores the society's first key, unless a current key exists already (another node
    /// starting at the same moment): the database keeps exactly one.
    pub async fn add_first_issuer_key(&self, public_key: &str, sealed_secret: &str, now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO issuer_keys (fragment, public_key, sealed_secret, created_at) \
                 SELECT 'key-1', $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM issuer_keys) ON CONFLICT DO NOTHING",
            )
            .bind(public_key)
            .bind(sealed_secret)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Retires the current key and makes this one current (`key-N`), atomically.
    pub async fn rotate_issuer_key(
        &self,
        public_key: &str,
        sealed_secret: &str,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<IssuerKeyRecord> {
        let sql = format!(
            "INSERT INTO issuer_keys (fragment, public_key, sealed_secret, created_at) \
             SELECT 'key-' || CAST(COUNT(*) + 1 AS TEXT), $1, $2, $3 FROM issuer_keys RETURNING {KEY_COLUMNS}"
        );
        audited!(
            self,
            |tx| {
                sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE retired_at IS NULL")
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let key: IssuerKeyRecord = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(public_key)
                    .bind(sealed_secret)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                key
            },
            audit
        )
    }

    /// The name and address a credential names its holder by.
    pub async fn credential_holder(&self, member_id: i64) -> StoreResult<CredentialHolder> {
        let found: Option<CredentialHolder> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT m.id AS member_id, m.first_name, m.last_name, m.email, h.subject_did FROM members m \
                 LEFT JOIN credential_holders h ON h.member_id = m.id WHERE m.id = $1",
            )
            .bind(member_id)
            .fetch_optional(pool)
            .await
        })?;
        found.ok_or(StoreError::NotFound)
    }

    /// Names the member by `did` in the credentials issued from now on (`None`: by the
    /// hash of their email address), with its audit entry.
    pub async fn set_credential_subject_did(
        &self,
        member_id: i64,
        did: Option<&str>,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                match did {
                    Some(did) => {
                        sqlx::query(
                            "INSERT INTO credential_holders (member_id, subject_did, updated_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (member_id) DO UPDATE SET subject_did = excluded.subject_did, \
                         updated_at = excluded.updated_at",
                        )
                        .bind(member_id)
                        .bind(did)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                    }
                    None => {
                        sqlx::query("DELETE FROM credential_holders WHERE member_id = $1")
                            .bind(member_id)
                            .execute(&mut *tx)
                            .await?
                    }
                };
            },
            audit
        )
    }

    /// The paid membership term covering `day`, if any.
    pub async fn covering_term(&self, member_id: i64, day: Date) -> StoreResult<Option<CoveringTerm>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id AS term_id, t.starts_on, t.ends_on, tiers.name AS tier_name FROM membership_terms t \
                 JOIN tiers ON tiers.id = t.tier_id \
                 WHERE t.member_id = $1 AND t.status = $2 AND t.starts_on <= $3 AND t.ends_on >= $3 \
                 ORDER BY t.ends_on DESC LIMIT 1",
            )
            .bind(member_id)
            .bind(TermState::Paid.code())
            .bind(day)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Stores signed credentials in one transaction (with one audit entry, when given).
    /// A credential whose source the member already holds, or whose status position was
    /// drawn by another, is not stored: its slot in the answer is `None`, and the caller
    /// tells which by [`Store::credential_by_source`].
    pub async fn insert_credentials(
        &self,
        batch: &[NewCredential],
        audit: Option<&NewAuditEntry>,
    ) -> StoreResult<Vec<Option<CredentialRecord>>> {
        let sql = format!(
            "INSERT INTO credentials (uuid, member_id, kind, source, name, document, jwt, integrity, key_fragment, \
             status_purpose, status_index, valid_from, valid_until, issued_at, issued_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT DO NOTHING RETURNING {CREDENTIAL_COLUMNS}"
        );
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut stored = Vec::with_capacity(batch.len());
            for credential in batch {
                let row: Option<CredentialRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(&credential.uuid)
                    .bind(credential.member_id)
                    .bind(credential.kind.code())
                    .bind(&credential.source)
                    .bind(&credential.name)
                    .bind(&credential.document)
                    .bind(&credential.jwt)
                    .bind(&credential.integrity)
                    .bind(&credential.key_fragment)
                    .bind(credential.status_purpose.code())
                    .bind(credential.status_index)
                    .bind(credential.valid_from)
                    .bind(credential.valid_until)
                    .bind(credential.issued_at)
                    .bind(credential.issued_by)
                    .fetch_optional(&mut *tx)
                    .await?;
                stored.push(row);
            }
            if let Some(audit) = audit.filter(|_| stored.iter().any(Option::is_some)) {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(stored)
        })
    }

    /// Keeps a credential's Data Integrity form, unless one was kept already (two requests
    /// making it at once): returns the form kept.
    pub async fn keep_credential_integrity(&self, id: i64, signed: &str) -> StoreResult<String> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE credentials SET integrity = $1 WHERE id = $2 AND integrity IS NULL")
                .bind(signed)
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        let (kept,): (Option<String>,) = with_reader!(self, |pool| {
            sqlx::query_as("SELECT integrity FROM credentials WHERE id = $1").bind(id).fetch_one(pool).await
        })?;
        kept.ok_or(StoreError::NotFound)
    }

    /// The member's credential of this kind issued for `source`, if any.
    pub async fn credential_by_source(
        &self,
        member_id: i64,
        kind: CredentialKind,
        source: &str,
    ) -> StoreResult<Option<CredentialRecord>> {
        let sql =
            format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE member_id = $1 AND kind = $2 AND source = $3");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(member_id)
                .bind(kind.code())
                .bind(source)
                .fetch_optional(pool)
                .await
        })?)
    }

    pub async fn credential_by_uuid(&self, uuid: &str) -> StoreResult<CredentialRecord> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE uuid = $1");
        let found: Option<CredentialRecord> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(uuid).fetch_optional(pool).await
        })?;
        found.ok_or(StoreError::NotFound)
    }

    pub async fn credential(&self, id: i64) -> StoreResult<CredentialRecord> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1");
        let found: Option<CredentialRecord> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?;
        found.ok_or(StoreError::NotFound)
    }

    /// Credentials, newest first, filtered.
    pub async fn list_credentials(
        &self,
        filter: &CredentialFilter,
        page: PageRequest,
    ) -> StoreResult<Page<CredentialRecord>> {
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE {FILTER} ORDER BY issued_at DESC, id DESC {}",
            page.sql()
        );
        let count_sql = format!("SELECT COUNT(*) FROM credentials WHERE {FILTER}");
        let kind = filter.kind.map(CredentialKind::code);
        let status = filter.status.map(CredentialStatus::code);
        let (items, (total,)): (Vec<CredentialRecord>, (i64,)) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(filter.member_id)
                .bind(kind)
                .bind(status)
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_as(sqlx::AssertSqlSafe(count_sql.as_str()))
                .bind(filter.member_id)
                .bind(kind)
                .bind(status)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Moves a credential from `from` to `to`, only if it still stands at `from` (so two
    /// staff acting at once cannot both change it, and a revocation is never undone).
    /// `StoreError::NotFound` when it no longer stands at `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_credential_status(
        &self,
        id: i64,
        from: CredentialStatus,
        to: CredentialStatus,
        reason: &str,
        automatic: bool,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<CredentialRecord> {
        let sql = format!(
            "UPDATE credentials SET status = $1, status_reason = $2, status_automatic = $3, status_changed_at = $4 \
             WHERE id = $5 AND status = $6 AND status <> $7 RETURNING {CREDENTIAL_COLUMNS}"
        );
        audited!(
            self,
            |tx| {
                let row: Option<CredentialRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(to.code())
                    .bind(reason)
                    .bind(automatic)
                    .bind(now)
                    .bind(id)
                    .bind(from.code())
                    .bind(CredentialStatus::Revoked.code())
                    .fetch_optional(&mut *tx)
                    .await?;
                match row {
                    Some(row) => row,
                    None => return Err(StoreError::NotFound),
                }
            },
            audit
        )
    }

    /// The positions set in a status list: every credential of that purpose not active.
    pub async fn status_positions(&self, purpose: StatusPurpose) -> StoreResult<Vec<i64>> {
        let rows: Vec<(i64,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT status_index FROM credentials WHERE status_purpose = $1 AND status <> $2")
                .bind(purpose.code())
                .bind(CredentialStatus::Active.code())
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// An upper bound of the credentials issued (the highest id), to size status lists.
    pub async fn credentials_issued_bound(&self) -> StoreResult<i64> {
        let (max,): (Option<i64>,) =
            with_reader!(self, |pool| { sqlx::query_as("SELECT MAX(id) FROM credentials").fetch_one(pool).await })?;
        Ok(max.unwrap_or(0))
    }

    /// The member's standing as last computed.
    pub async fn member_standing(&self, member_id: i64) -> StoreResult<Option<Standing>> {
        let row: Option<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT standing FROM members WHERE id = $1").bind(member_id).fetch_optional(pool).await
        })?;
        row.map(|(code,)| Standing::try_from(code).map_err(|e| StoreError::Invalid(e.to_string()))).transpose()
    }

    /// The member's membership credentials (those past their dates too: a lapse suspends
    /// them all, a renewal restores them), with the member's standing as last computed.
    pub async fn membership_credential_states(&self, member_id: i64) -> StoreResult<Vec<MembershipCredentialState>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id AS credential_id, c.member_id, c.status, c.status_automatic, m.standing \
                 FROM credentials c JOIN members m ON m.id = c.member_id \
                 WHERE c.member_id = $1 AND c.kind = $2 ORDER BY c.id",
            )
            .bind(member_id)
            .bind(CredentialKind::Membership.code())
            .fetch_all(pool)
            .await
        })?)
    }
}
