//! The retention sweep's reads and deletes: former members past the retention period,
//! sign-ups never completed, and the books of erased members once the law no longer asks
//! for them.

use guildhall_domain::membership::Standing;
use time::Date;

use crate::engine::{with_reader, with_writer};
use crate::{Store, StoreResult, UnixTime};

/// How an erased member record's number starts (see `erasure.rs`).
const ERASED_NUMBER: &str = "ERASED-%";

impl Store {
    /// Member records that stopped being members (lapsed, cancelled, rejected) before
    /// `cutoff` and are not erased yet, oldest id first.
    pub async fn former_members_before(&self, cutoff: Date) -> StoreResult<Vec<i64>> {
        let ids: Vec<(i64,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id FROM members WHERE standing IN ($1, $2, $3) AND COALESCE(expires_on, joined_on) < $4 \
                 AND member_number NOT LIKE $5 ORDER BY id",
            )
            .bind(Standing::Lapsed.code())
            .bind(Standing::Cancelled.code())
            .bind(Standing::Rejected.code())
            .bind(cutoff)
            .bind(ERASED_NUMBER)
            .fetch_all(pool)
            .await
        })?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }

    /// Deletes accounts whose email was never confirmed, made before `cutoff`, without a
    /// member record, with the mail sent to them (the confirmation link) and their sign-in
    /// attempts; returns how many accounts went.
    pub async fn delete_unconfirmed_sign_ups(&self, cutoff: UnixTime) -> StoreResult<u64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let stale: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, email FROM users WHERE email_verified_at IS NULL AND created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.user_id = users.id)",
            )
            .bind(cutoff)
            .fetch_all(&mut *tx)
            .await?;
            for (id, email) in &stale {
                let email = email.to_lowercase();
                sqlx::query("DELETE FROM outbox WHERE LOWER(to_address) = $1").bind(&email).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM sign_in_attempts WHERE LOWER(email) = $1")
                    .bind(&email)
                    .execute(&mut *tx)
                    .await?;
                // Sessions, tokens and consents go with the account (ON DELETE CASCADE).
                sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(stale.len() as u64)
        })
    }

    /// Deletes erased members' invoices issued before `cutoff` (with their payments and
    /// refunds), then erased member records with no invoice left (with their terms) and no
    /// credential (revoked at the erasure, they stay listed as revoked for good).
    /// Returns (invoices, records) deleted.
    pub async fn purge_erased_books(&self, cutoff: Date) -> StoreResult<(u64, u64)> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let invoices = sqlx::query(
                "DELETE FROM invoices WHERE issued_on < $1 \
                 AND member_id IN (SELECT id FROM members WHERE member_number LIKE $2)",
            )
            .bind(cutoff)
            .bind(ERASED_NUMBER)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let records = sqlx::query(
                "DELETE FROM members WHERE member_number LIKE $1 \
                 AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.member_id = members.id) \
                 AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.member_id = members.id)",
            )
            .bind(ERASED_NUMBER)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok((invoices, records))
        })
    }
}
