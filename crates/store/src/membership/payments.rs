//! Payment providers' webhook events and refunds.

use super::{INVOICE_COLUMNS, insert_payment, settle_in_tx};
use crate::engine::audited;
use crate::money::take_refund;
use crate::{
    EndTerm, NewAuditEntry, NewPayment, NewPaymentEvent, NewRefund, PaymentEventRecord, PaymentRecord, RefundRecord,
    SettledStanding, Store, StoreError, StoreResult, UnixTime, with_reader, with_writer,
};
use crate::{InvoiceRecord, PaymentEventOutcome, RefundOutcome};

const PAYMENT_COLUMNS: &str = "p.id, p.invoice_id, p.amount_cents, p.method, p.reference, p.provider_ref, p.received_on, p.recorded_by, \
     p.created_at, p.refunded_cents";
const REFUND_COLUMNS: &str =
    "r.id, r.payment_id, r.amount_cents, r.method, r.reason, r.ended_term, r.refunded_on, r.recorded_by, r.created_at";

impl Store {
    /// Records a provider's event once per (provider, event id). With `settle`, the event's
    /// invoice is settled in the same transaction (see `settle_invoice`); a duplicate event
    /// changes nothing. Fails with `Invalid` if the invoice is not open (nothing recorded).
    pub async fn record_payment_event(
        &self,
        event: &NewPaymentEvent,
        settle: Option<(i64, &NewPayment, SettledStanding)>,
        now: UnixTime,
    ) -> StoreResult<PaymentEventOutcome> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO payment_events (provider, event_id, invoice_id, amount_cents, outcome, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, event_id) DO NOTHING",
            )
            .bind(&event.provider)
            .bind(&event.event_id)
            .bind(event.invoice_id)
            .bind(event.amount_cents)
            .bind(&event.outcome)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Ok(PaymentEventOutcome::Duplicate);
            }
            if let Some((invoice_id, payment, standing)) = settle {
                settle_in_tx!(tx, invoice_id, payment, standing, now);
            }
            tx.commit().await?;
            Ok(PaymentEventOutcome::Recorded)
        })
    }

    /// A provider's event as recorded, if it was.
    pub async fn payment_event(&self, provider: &str, event_id: &str) -> StoreResult<Option<PaymentEventRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, provider, event_id, invoice_id, amount_cents, outcome, received_at FROM payment_events \
                 WHERE provider = $1 AND event_id = $2",
            )
            .bind(provider)
            .bind(event_id)
            .fetch_optional(pool)
            .await
        })?)
    }

    pub async fn payment_by_id(&self, id: i64) -> StoreResult<Option<PaymentRecord>> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?)
    }

    /// Every payment on a member's invoices, oldest first.
    pub async fn member_payments(&self, member_id: i64) -> StoreResult<Vec<PaymentRecord>> {
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN invoices i ON i.id = p.invoice_id \
             WHERE i.member_id = $1 ORDER BY p.id"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// Every refund of a member's payments, oldest first.
    pub async fn member_refunds(&self, member_id: i64) -> StoreResult<Vec<RefundRecord>> {
        let sql = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds r JOIN payments p ON p.id = r.payment_id \
             JOIN invoices i ON i.id = p.invoice_id WHERE i.member_id = $1 ORDER BY r.id"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// Records a refund if it keeps the payment's refunds within its amount (checked and
    /// added in one conditional UPDATE, so concurrent refunds cannot over-refund). With
    /// `end_term`, the term is cancelled from the refund date and the member's standing
    /// updated. The audit entry is written in the same transaction.
    pub async fn record_refund(
        &self,
        refund: &NewRefund,
        end_term: Option<&EndTerm>,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<RefundOutcome> {
        audited!(
            self,
            |tx| {
                let Some(refund_id) = take_refund!(tx, refund, end_term.is_some(), now)? else {
                    let row: Option<(i64, i64)> =
                        sqlx::query_as("SELECT amount_cents, refunded_cents FROM payments WHERE id = $1")
                            .bind(refund.payment_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some((amount, refunded)) = row else { return Err(StoreError::NotFound) };
                    return Ok(RefundOutcome::ExceedsPayment { refundable_cents: (amount - refunded).max(0) });
                };
                if let Some(end) = end_term {
                    let ended = sqlx::query(
                        "UPDATE membership_terms SET status = 'cancelled', cancelled_on = $1 \
                         WHERE id = $2 AND status = 'paid'",
                    )
                    .bind(refund.refunded_on)
                    .bind(end.term_id)
                    .execute(&mut *tx)
                    .await?;
                    if ended.rows_affected() == 0 {
                        return Err(StoreError::Invalid("The term this payment was for is no longer paid up.".into()));
                    }
                    sqlx::query(
                        "UPDATE members SET standing = $1, expires_on = $2, standing_on = $3, updated_at = $4 \
                         WHERE id = (SELECT member_id FROM membership_terms WHERE id = $5)",
                    )
                    .bind(end.standing.code())
                    .bind(end.expires_on)
                    .bind(refund.refunded_on)
                    .bind(now)
                    .bind(end.term_id)
                    .execute(&mut *tx)
                    .await?;
                }
                RefundOutcome::Recorded { refund_id }
            },
            audit
        )
    }
}

impl Store {
    /// Invoices newest first.
    pub async fn member_invoices(&self, member_id: i64) -> StoreResult<Vec<InvoiceRecord>> {
        let sql =
            format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE member_id = $1 ORDER BY issued_on DESC, id DESC");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// The member's open invoice, if any (the newest).
    pub async fn open_invoice(&self, member_id: i64) -> StoreResult<Option<InvoiceRecord>> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE member_id = $1 AND status = 'open' ORDER BY id DESC LIMIT 1"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(member_id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn invoice_by_id(&self, id: i64) -> StoreResult<Option<InvoiceRecord>> {
        let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn invoice_payments(&self, invoice_id: i64) -> StoreResult<Vec<PaymentRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, invoice_id, amount_cents, method, reference, provider_ref, received_on, recorded_by, \
                 created_at, refunded_cents FROM payments WHERE invoice_id = $1 ORDER BY id",
            )
            .bind(invoice_id)
            .fetch_all(pool)
            .await
        })?)
    }
}
