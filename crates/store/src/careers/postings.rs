//! Posting products and orders: what an employer buys to advertise a job, the order (a job
//! posting with its invoice, one waiting per job), and starting runs — only for a job that
//! is approved and open, and only once its invoice is paid (or it cost nothing), each order
//! started once by a conditional update.

use time::Date;

use super::records::{JobPostingRecord, PostingProductRecord};
use crate::engine::{audited_change, with_reader, with_writer};
use crate::{NewAuditEntry, Store, StoreResult, UnixTime};

const PRODUCT_COLUMNS: &str =
    "id, code, name, kind, days, featured, price_cents, member_price_cents, active, sort_order";

/// A new order for a job: its product, price and the invoice's words.
pub struct NewPostingOrder<'a> {
    pub job_id: i64,
    pub product: &'a PostingProductRecord,
    pub price_cents: i64,
    pub ordered_by: i64,
    /// The invoice's description ("Job posting, 30 days: …").
    pub description: &'a str,
    pub today: Date,
    pub due_on: Date,
}

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
        kind: guildhall_domain::careers::ProductKind,
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

    /// The society's first products (30, 60 and 90 days, and 30 days featured), added when
    /// there are none; what exists is left alone.
    pub async fn add_default_posting_products(&self) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO posting_products (code, name, days, featured, price_cents, member_price_cents, sort_order) \
                 VALUES ('job-30', '30 days', 30, FALSE, 29500, 19500, 1), ('job-60', '60 days', 60, FALSE, 45000, 30000, 2), \
                 ('job-90', '90 days', 90, FALSE, 59500, 39500, 3), \
                 ('job-30-featured', '30 days, featured', 30, TRUE, 45000, 32500, 4) ON CONFLICT (code) DO NOTHING",
            )
            .execute(pool)
            .await
            .map(|_| ())
        })?;
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

    /// A job's orders and runs, newest first, with their invoices' state.
    pub async fn job_postings(&self, job_id: i64) -> StoreResult<Vec<JobPostingRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.job_id, p.days, p.featured, p.price_cents, p.invoice_id, COALESCE(i.status = 'open', FALSE) AS awaiting_payment, \
                 p.ordered_by, p.ordered_at, p.started_at, p.ends_at \
                 FROM job_postings p LEFT JOIN invoices i ON i.id = p.invoice_id WHERE p.job_id = $1 \
                 ORDER BY p.ordered_at DESC, p.id DESC",
            )
            .bind(job_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Orders a run of a job with its invoice (none when it costs nothing), in one
    /// transaction; a job has at most one order waiting, so a second click finds the first.
    /// The order's id.
    pub async fn order_posting(&self, order: &NewPostingOrder<'_>, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO job_postings (job_id, product_id, days, featured, price_cents, ordered_by, ordered_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (job_id) WHERE started_at IS NULL DO NOTHING RETURNING id",
            )
            .bind(order.job_id)
            .bind(order.product.id)
            .bind(order.product.days)
            .bind(order.product.featured)
            .bind(order.price_cents)
            .bind(order.ordered_by)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let id = match inserted {
                Some(id) => {
                    if order.price_cents > 0 {
                        let invoice: i64 = sqlx::query_scalar(
                            "INSERT INTO invoices (member_id, user_id, term_id, description, amount_cents, status, \
                             issued_on, due_on, paid_on, created_at) VALUES (NULL, $1, NULL, $2, $3, 'open', $4, $5, NULL, $6) \
                             RETURNING id",
                        )
                        .bind(order.ordered_by)
                        .bind(order.description)
                        .bind(order.price_cents)
                        .bind(order.today)
                        .bind(order.due_on)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE job_postings SET invoice_id = $2 WHERE id = $1")
                            .bind(id)
                            .bind(invoice)
                            .execute(&mut *tx)
                            .await?;
                    }
                    id
                }
                None => {
                    sqlx::query_scalar("SELECT id FROM job_postings WHERE job_id = $1 AND started_at IS NULL")
                        .bind(order.job_id)
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        })?)
    }

    /// Starts every waiting order that may start (of one job, or all): its job approved and
    /// open, its invoice paid or nothing to pay. Each starts once (a conditional update); the
    /// job's run begins now, or is extended when it is running. The jobs started.
    pub async fn start_posting_runs(&self, job_id: Option<i64>, now: UnixTime) -> StoreResult<Vec<i64>> {
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let waiting: Vec<i64> = sqlx::query_scalar(
                "SELECT p.id FROM job_postings p JOIN jobs j ON j.id = p.job_id \
                 WHERE p.started_at IS NULL AND ($1 IS NULL OR p.job_id = $1) \
                 AND j.moderation = 'approved' AND j.closed_at IS NULL \
                 AND (p.price_cents = 0 OR EXISTS (SELECT 1 FROM invoices i WHERE i.id = p.invoice_id AND i.status = 'paid')) \
                 ORDER BY p.id",
            )
            .bind(job_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut started = Vec::new();
            for posting in waiting {
                let run: Option<(i64, i64, bool)> = sqlx::query_as(
                    "UPDATE job_postings SET started_at = $2, ends_at = $2 + days * 86400 \
                     WHERE id = $1 AND started_at IS NULL RETURNING job_id, days, featured",
                )
                .bind(posting)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((job, days, featured)) = run else { continue };
                sqlx::query(
                    "UPDATE jobs SET \
                     live_from = CASE WHEN live_until IS NULL OR live_until <= $2 THEN $2 ELSE live_from END, \
                     live_until = CASE WHEN live_until IS NULL OR live_until <= $2 THEN $2 ELSE live_until END + $3, \
                     featured = CASE WHEN $4 THEN TRUE ELSE featured END, updated_at = $2 \
                     WHERE id = $1",
                )
                .bind(job)
                .bind(now)
                .bind(days * 86_400)
                .bind(featured)
                .execute(&mut *tx)
                .await?;
                started.push(job);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(started)
        })?)
    }
}
