//! Posting products: what an employer buys (a run of a job, access to the resume bank), at
//! the prices staff set. Ordering, invoicing and starting are `orders.rs`, one path for every
//! kind of product.

use guildhall_domain::careers::ProductKind;

use super::records::PostingProductRecord;
use crate::engine::{audited_change, with_reader, with_writer};
use crate::{NewAuditEntry, Store, StoreResult};

const PRODUCT_COLUMNS: &str =
    "id, code, name, kind, days, featured, price_cents, member_price_cents, active, sort_order";

impl Store {
    /// Posting products in their order (`active_only`: those on sale).
    pub async fn posting_products(&self, active_only: bool) -> StoreResult<Vec<PostingProductRecord>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM posting_products {} ORDER BY sort_order, id",
            if active_only { "WHERE active" } else { "" }
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// Products of one kind (`job`, `resume_bank`) in their order (`active_only`: on sale).
    pub async fn posting_products_of_kind(
        &self,
        kind: ProductKind,
        active_only: bool,
    ) -> StoreResult<Vec<PostingProductRecord>> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM posting_products WHERE kind = $1 {} ORDER BY sort_order, id",
            if active_only { "AND active" } else { "" }
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(kind.code())
            .fetch_all(pool)
            .await)?)
    }

    /// The society's first products of a kind, added when there are none; what exists is
    /// left alone. Jobs: 30, 60 and 90 days, and 30 days featured; the resume bank: 30 and 90
    /// days of access.
    pub async fn add_default_products(&self, kind: ProductKind) -> StoreResult<()> {
        let values = match kind {
            ProductKind::Job => {
                "('job-30', '30 days', 'job', 30, FALSE, 29500, 19500, 1), ('job-60', '60 days', 'job', 60, FALSE, 45000, 30000, 2), \
                 ('job-90', '90 days', 'job', 90, FALSE, 59500, 39500, 3), \
                 ('job-30-featured', '30 days, featured', 'job', 30, TRUE, 45000, 32500, 4)"
            }
            ProductKind::ResumeBank => {
                "('bank-30', 'Resume bank, 30 days', 'resume_bank', 30, FALSE, 39500, 29500, 10), \
                 ('bank-90', 'Resume bank, 90 days', 'resume_bank', 90, FALSE, 89500, 64500, 11)"
            }
        };
        let sql = format!(
            "INSERT INTO posting_products (code, name, kind, days, featured, price_cents, member_price_cents, sort_order) \
             VALUES {values} ON CONFLICT (code) DO NOTHING"
        );
        with_writer!(self, |pool| { sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).execute(pool).await.map(|_| ()) })?;
        Ok(())
    }

    /// Staff change a product's prices and whether it is on sale, audited.
    pub async fn update_posting_product(
        &self,
        id: i64,
        (price_cents, member_price_cents, active): (i64, i64, bool),
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE posting_products SET price_cents = $2, member_price_cents = $3, active = $4 WHERE id = $1"
            )
            .bind(id)
            .bind(price_cents)
            .bind(member_price_cents)
            .bind(active)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }
}
