//! Money moves shared by areas: a refund is recorded the same way whether staff record it
//! against a member's payment (`membership`) or a cancelled event registration returns its
//! price (`events`). Shared here, owned by neither, so the two areas do not import each other.

/// Records `$refund` (a [`NewRefund`](crate::NewRefund)) against its payment in the transaction: the
/// payment's running total of refunds rises only while it stays within the payment's amount
/// (one conditional `UPDATE`, so two refunds at once cannot together exceed it). Evaluates
/// to the refund's id, or `None` when it would exceed what is left of the payment. Staff
/// refunds and the refunds of cancelled event registrations both go this way.
macro_rules! take_refund {
    ($tx:expr, $refund:expr, $ended_term:expr, $now:expr) => {
        async {
            let taken = sqlx::query(
                "UPDATE payments SET refunded_cents = refunded_cents + $1 \
                 WHERE id = $2 AND $1 > 0 AND refunded_cents + $1 <= amount_cents",
            )
            .bind($refund.amount_cents)
            .bind($refund.payment_id)
            .execute(&mut *$tx)
            .await?;
            if taken.rows_affected() == 0 {
                return Ok::<_, StoreError>(None);
            }
            let (refund_id,): (i64,) = sqlx::query_as(
                "INSERT INTO refunds (payment_id, amount_cents, method, reason, ended_term, refunded_on, recorded_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind($refund.payment_id)
            .bind($refund.amount_cents)
            .bind(&$refund.method)
            .bind(&$refund.reason)
            .bind($ended_term)
            .bind($refund.refunded_on)
            .bind($refund.recorded_by)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
            Ok(Some(refund_id))
        }
        .await
    };
}
pub(crate) use take_refund;
