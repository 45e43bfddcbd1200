//! "I am already a member": claims of a member record by a signed-in account, proven by a
//! code mailed to the address on the record, or decided by staff.

use guildhall_domain::membership::ClaimStatus;

use crate::engine::{insert_audit, with_reader, with_writer};
use crate::outbox::insert_mail;
use crate::{NewAuditEntry, NewMail, Store, StoreResult, UnixTime};

/// A claim as it is opened.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub user_id: i64,
    pub member_id: Option<i64>,
    pub typed_number: String,
    pub typed_last_name: String,
    /// Empty when no code was sent.
    pub code_hash: String,
    pub status: ClaimStatus,
    pub expires_at: UnixTime,
}

/// A claim waiting for staff, with who made it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimForStaff {
    pub id: i64,
    pub user_id: i64,
    pub account_email: String,
    pub account_name: String,
    pub typed_number: String,
    pub typed_last_name: String,
    pub created_at: UnixTime,
}

impl Store {
    /// Opens a claim; `mail` (the code, to the address on the record) is queued with it.
    /// The account's earlier claims that still wait for a code are closed.
    pub async fn open_claim(&self, claim: &NewClaim, mail: Option<&NewMail>, now: UnixTime) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE member_claims SET status = $2 WHERE user_id = $1 AND status = $3")
                .bind(claim.user_id)
                .bind(ClaimStatus::Dismissed.code())
                .bind(ClaimStatus::CodeSent.code())
                .execute(&mut *tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO member_claims (user_id, member_id, typed_number, typed_last_name, code_hash, attempts, \
                 status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) RETURNING id",
            )
            .bind(claim.user_id)
            .bind(claim.member_id)
            .bind(&claim.typed_number)
            .bind(&claim.typed_last_name)
            .bind(&claim.code_hash)
            .bind(claim.status.code())
            .bind(now)
            .bind(claim.expires_at)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(mail) = mail {
                insert_mail!(tx, mail, now)?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Counts an attempt at the account's open code (one conditional update: of
    /// concurrent attempts each gets its own count); returns (claim id, attempts so far
    /// with this one, the stored code's hash).
    pub async fn count_claim_attempt(&self, user_id: i64, now: UnixTime) -> StoreResult<Option<(i64, i64, String)>> {
        Ok(with_writer!(self, |pool| {
            sqlx::query_as(
                "UPDATE member_claims SET attempts = attempts + 1 \
                 WHERE id = (SELECT MAX(id) FROM member_claims WHERE user_id = $1 AND status = $2 AND expires_at > $3) \
                 RETURNING id, attempts, code_hash",
            )
            .bind(user_id)
            .bind(ClaimStatus::CodeSent.code())
            .bind(now)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Links a claim's member record to its account, in one transaction, if the record
    /// still has no account and the account no record; the claim becomes `linked`, or, if
    /// that cannot be, waits for staff. Returns the member number when linked.
    pub async fn link_claimed_member(
        &self,
        claim_id: i64,
        member_id: Option<i64>,
        staff_id: Option<i64>,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<Option<String>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let user: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT user_id, member_id FROM member_claims WHERE id = $1")
                    .bind(claim_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((user_id, claimed)) = user else { return Ok(None) };
            let Some(member_id) = member_id.or(claimed) else { return Ok(None) };
            let linked: Option<(String,)> = sqlx::query_as(
                "UPDATE members SET user_id = $1 WHERE id = $2 AND user_id IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM members mine WHERE mine.user_id = $1) RETURNING member_number",
            )
            .bind(user_id)
            .bind(member_id)
            .fetch_optional(&mut *tx)
            .await?;
            let status = if linked.is_some() { ClaimStatus::Linked } else { ClaimStatus::NeedsStaff };
            sqlx::query(
                "UPDATE member_claims SET status = $2, member_id = $3, resolved_by = $4, resolved_at = $5 WHERE id = $1",
            )
            .bind(claim_id)
            .bind(status.code())
            .bind(member_id)
            .bind(staff_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if let Some((number,)) = &linked {
                let mut audit = audit.clone();
                audit.subject_kind = "member".into();
                audit.subject_id = Some(member_id);
                audit.subject_label = number.clone();
                insert_audit!(tx, &audit)?;
            }
            tx.commit().await?;
            Ok(linked.map(|(number,)| number))
        })
    }

    /// Sets a claim's status (a claim sent to staff, or dismissed by them).
    pub async fn set_claim_status(
        &self,
        claim_id: i64,
        status: ClaimStatus,
        staff_id: Option<i64>,
        now: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE member_claims SET status = $2, resolved_by = $3, resolved_at = $4 WHERE id = $1")
                .bind(claim_id)
                .bind(status.code())
                .bind(staff_id)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Claims waiting for staff, oldest first.
    pub async fn claims_for_staff(&self) -> StoreResult<Vec<ClaimForStaff>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.user_id, u.email AS account_email, u.display_name AS account_name, c.typed_number, \
                 c.typed_last_name, c.created_at FROM member_claims c JOIN users u ON u.id = c.user_id \
                 WHERE c.status = $1 ORDER BY c.id",
            )
            .bind(ClaimStatus::NeedsStaff.code())
            .fetch_all(pool)
            .await
        })?)
    }
}
