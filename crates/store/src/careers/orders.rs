//! Orders of careers products, one path for every kind: a run of a job (`job_postings`) and
//! an employer's access to the resume bank (`resume_bank_access`). An order is inserted with
//! its invoice (none when it costs nothing) in one transaction, one waiting per job or
//! employer (a second click finds the first); it starts once its invoice is paid or it cost
//! nothing, each order once by a conditional update.

use guildhall_domain::careers::ProductKind;
use time::Date;

use super::records::{PostingProductRecord, ProductOrderRecord};
use crate::engine::{with_reader, with_writer};
use crate::{Store, StoreResult, UnixTime};

/// What an order is for: a run of this job, or this employer's access to the resume bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderOf {
    Job(i64),
    ResumeBank(i64),
}

impl OrderOf {
    /// The kind of product it buys.
    pub fn kind(self) -> ProductKind {
        match self {
            OrderOf::Job(_) => ProductKind::Job,
            OrderOf::ResumeBank(_) => ProductKind::ResumeBank,
        }
    }

    /// The job's or the employer's id.
    pub fn key(self) -> i64 {
        match self {
            OrderOf::Job(id) | OrderOf::ResumeBank(id) => id,
        }
    }
}

/// Where a kind's orders are kept: the table, and the column naming what each is for.
fn orders_table(kind: ProductKind) -> (&'static str, &'static str) {
    match kind {
        ProductKind::Job => ("job_postings", "job_id"),
        ProductKind::ResumeBank => ("resume_bank_access", "employer_id"),
    }
}

/// A new order: what it is for, its product, price and the invoice's words.
pub struct NewProductOrder<'a> {
    pub of: OrderOf,
    pub product: &'a PostingProductRecord,
    pub price_cents: i64,
    pub ordered_by: i64,
    /// The invoice's description ("Job posting, 30 days: …", "Resume bank, 30 days: …").
    pub description: &'a str,
    pub today: Date,
    pub due_on: Date,
}

impl Store {
    /// Orders a product with its invoice (none when it costs nothing), in one transaction;
    /// a job or an employer has at most one order of a kind waiting, so a second click finds
    /// the first. The order's id.
    pub async fn order_product(&self, order: &NewProductOrder<'_>, now: UnixTime) -> StoreResult<i64> {
        let (table, column) = orders_table(order.of.kind());
        // A job's run may be featured; access to the bank has no such thing.
        let featured = matches!(order.of, OrderOf::Job(_));
        let insert = format!(
            "INSERT INTO {table} ({column}, product_id, days, price_cents, ordered_by, ordered_at{}) \
             VALUES ($1, $2, $3, $4, $5, $6{}) ON CONFLICT ({column}) WHERE started_at IS NULL DO NOTHING RETURNING id",
            if featured { ", featured" } else { "" },
            if featured { ", $7" } else { "" },
        );
        let link = format!("UPDATE {table} SET invoice_id = $2 WHERE id = $1");
        let waiting = format!("SELECT id FROM {table} WHERE {column} = $1 AND started_at IS NULL");
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(insert.as_str()))
                .bind(order.of.key())
                .bind(order.product.id)
                .bind(order.product.days)
                .bind(order.price_cents)
                .bind(order.ordered_by)
                .bind(now);
            if featured {
                query = query.bind(order.product.featured);
            }
            let inserted: Option<i64> = query.fetch_optional(&mut *tx).await?;
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
                        sqlx::query(sqlx::AssertSqlSafe(link.as_str()))
                            .bind(id)
                            .bind(invoice)
                            .execute(&mut *tx)
                            .await?;
                    }
                    id
                }
                None => {
                    sqlx::query_scalar(sqlx::AssertSqlSafe(waiting.as_str()))
                        .bind(order.of.key())
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        })?)
    }

    /// The orders of a job or an employer, newest first, with their invoices' state.
    pub async fn product_orders(&self, of: OrderOf) -> StoreResult<Vec<ProductOrderRecord>> {
        let (table, column) = orders_table(of.kind());
        let featured = match of {
            OrderOf::Job(_) => "o.featured",
            OrderOf::ResumeBank(_) => "FALSE AS featured",
        };
        let sql = format!(
            "SELECT o.id, o.days, {featured}, o.price_cents, o.invoice_id, \
             COALESCE(i.status = 'open', FALSE) AS awaiting_payment, o.ordered_by, o.ordered_at, o.started_at, o.ends_at \
             FROM {table} o LEFT JOIN invoices i ON i.id = o.invoice_id WHERE o.{column} = $1 \
             ORDER BY o.ordered_at DESC, o.id DESC"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(of.key())
            .fetch_all(pool)
            .await)?)
    }

    /// Starts every waiting order of a kind that may start (of one job or employer, `only`,
    /// or all): its invoice paid or nothing to pay and, for a job's run, the job approved and
    /// open. Each starts once (a conditional update). A job's run begins now, or extends the
    /// job's run when one is running; access following current access begins where it ends.
    /// The jobs or employers whose order started.
    pub async fn start_paid_orders(
        &self,
        kind: ProductKind,
        only: Option<i64>,
        now: UnixTime,
    ) -> StoreResult<Vec<i64>> {
        let (table, column) = orders_table(kind);
        let job_may_run = match kind {
            ProductKind::Job => "JOIN jobs j ON j.id = o.job_id AND j.moderation = 'approved' AND j.closed_at IS NULL",
            ProductKind::ResumeBank => "",
        };
        let waiting = format!(
            "SELECT o.id, o.{column} FROM {table} o {job_may_run} \
             WHERE o.started_at IS NULL AND ($1 IS NULL OR o.{column} = $1) \
             AND (o.price_cents = 0 OR EXISTS (SELECT 1 FROM invoices i WHERE i.id = o.invoice_id AND i.status = 'paid')) \
             ORDER BY o.id"
        );
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let waiting: Vec<(i64, i64)> =
                sqlx::query_as(sqlx::AssertSqlSafe(waiting.as_str())).bind(only).fetch_all(&mut *tx).await?;
            let mut started = Vec::new();
            for (order, key) in waiting {
                let done = match kind {
                    ProductKind::Job => {
                        let run: Option<(i64, bool)> = sqlx::query_as(
                            "UPDATE job_postings SET started_at = $2, ends_at = $2 + days * 86400 \
                             WHERE id = $1 AND started_at IS NULL RETURNING days, featured",
                        )
                        .bind(order)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await?;
                        if let Some((days, featured)) = run {
                            sqlx::query(
                                "UPDATE jobs SET \
                                 live_from = CASE WHEN live_until IS NULL OR live_until <= $2 THEN $2 ELSE live_from END, \
                                 live_until = CASE WHEN live_until IS NULL OR live_until <= $2 THEN $2 ELSE live_until END + $3, \
                                 featured = CASE WHEN $4 THEN TRUE ELSE featured END, updated_at = $2 \
                                 WHERE id = $1",
                            )
                            .bind(key)
                            .bind(now)
                            .bind(days * 86_400)
                            .bind(featured)
                            .execute(&mut *tx)
                            .await?;
                        }
                        run.is_some()
                    }
                    ProductKind::ResumeBank => {
                        let from: Option<i64> = sqlx::query_scalar(
                            "SELECT MAX(ends_at) FROM resume_bank_access WHERE employer_id = $1 \
                             AND started_at IS NOT NULL AND ends_at > $2",
                        )
                        .bind(key)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE resume_bank_access SET started_at = $2, ends_at = $3 + days * 86400 \
                             WHERE id = $1 AND started_at IS NULL",
                        )
                        .bind(order)
                        .bind(now)
                        .bind(from.unwrap_or(now))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                            == 1
                    }
                };
                if done {
                    started.push(key);
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(started)
        })?)
    }
}
