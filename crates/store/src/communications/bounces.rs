//! What comes back: bounces and complaints recorded against an address, its bounce score
//! kept by the domain's rules under a row lock (two bounces at once cannot lose one), and
//! bulk delivery to it suspended at the threshold.

use guildhall_domain::communications::{BounceKind, BounceRules, BounceState, Verdict};
use time::Date;

use super::records::{MailAddressRecord, NewReturnedMail};
use crate::{Page, PageRequest, Store, StoreResult, UnixTime, with_reader, with_writer};

const ADDRESS_COLUMNS: &str =
    "address, bounce_points, last_bounce_on, last_bounce_hard, suspended_at, reconfirm_sent_at, updated_at";

impl Store {
    /// Records a bounce or complaint. A bounce is scored (`rules`, on `day`) under a lock on
    /// the address's row; at the threshold the address's bulk delivery is suspended. Returns
    /// the record's id and the verdict (`None` for a complaint).
    pub async fn record_returned_mail(
        &self,
        returned: &NewReturnedMail,
        rules: &BounceRules,
        day: Date,
        now: UnixTime,
    ) -> StoreResult<(i64, Option<Verdict>)> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let verdict = match returned.kind {
                None => None,
                Some(kind) => {
                    sqlx::query(
                        "INSERT INTO mail_addresses (address, bounce_points, last_bounce_hard, updated_at) \
                         VALUES ($1, 0, FALSE, $2) ON CONFLICT (address) DO NOTHING",
                    )
                    .bind(&returned.address)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let (points, last_day, last_hard, suspended): (i64, Option<Date>, bool, Option<i64>) =
                        sqlx::query_as(
                            "UPDATE mail_addresses SET updated_at = $2 WHERE address = $1 \
                             RETURNING bounce_points, last_bounce_on, last_bounce_hard, suspended_at",
                        )
                        .bind(&returned.address)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                    let state = BounceState {
                        score: points as f64 / 2.0,
                        last_bounce_day: last_day,
                        last_bounce_hard: last_hard,
                    };
                    let (next, verdict) = rules.apply(&state, kind, returned.policy, day);
                    let suspend = matches!(verdict, Verdict::Suspend { .. }) && suspended.is_none();
                    sqlx::query(
                        "UPDATE mail_addresses SET bounce_points = $2, last_bounce_on = $3, last_bounce_hard = $4, \
                         suspended_at = CASE WHEN $5 THEN $6 ELSE suspended_at END WHERE address = $1",
                    )
                    .bind(&returned.address)
                    .bind((next.score * 2.0).round() as i64)
                    .bind(next.last_bounce_day)
                    .bind(next.last_bounce_hard)
                    .bind(suspend)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    Some(verdict)
                }
            };
            let counted = matches!(verdict, Some(Verdict::Counted { .. } | Verdict::Suspend { .. }));
            let kind = match returned.kind {
                Some(BounceKind::Hard) => "hard",
                Some(BounceKind::Soft) => "soft",
                None => "complaint",
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO mail_bounces (address, kind, status, diagnostic, policy, counted, outbox_id, campaign_id, \
                 received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&returned.address)
            .bind(kind)
            .bind(&returned.status)
            .bind(&returned.diagnostic)
            .bind(returned.policy)
            .bind(counted)
            .bind(returned.outbox_id)
            .bind(returned.campaign_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((id, verdict))
        })
    }

    /// Notes that a re-confirmation was sent to a suspended address.
    pub async fn mark_reconfirmation_sent(&self, address: &str, now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE mail_addresses SET reconfirm_sent_at = $2 WHERE address = $1")
                .bind(address)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The address a bounce record is about.
    pub async fn bounce_address(&self, bounce_id: i64) -> StoreResult<Option<String>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT address FROM mail_bounces WHERE id = $1")
                .bind(bounce_id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Lifts an address's suspension and forgets its score (its owner confirmed it works, or
    /// staff lifted it). Returns whether it was suspended.
    pub async fn lift_mail_suspension(&self, address: &str, now: UnixTime) -> StoreResult<bool> {
        let changed = with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE mail_addresses SET suspended_at = NULL, bounce_points = 0, reconfirm_sent_at = NULL, \
                 updated_at = $2 WHERE address = $1 AND suspended_at IS NOT NULL",
            )
            .bind(address)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(changed > 0)
    }

    /// An address's delivery health, if anything ever bounced.
    pub async fn mail_address(&self, address: &str) -> StoreResult<Option<MailAddressRecord>> {
        let sql = format!("SELECT {ADDRESS_COLUMNS} FROM mail_addresses WHERE address = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(address).fetch_optional(pool).await
        })?)
    }

    /// Addresses whose bulk delivery is suspended, most recent first.
    pub async fn suspended_addresses(&self, page: PageRequest) -> StoreResult<Page<MailAddressRecord>> {
        let sql = format!(
            "SELECT {ADDRESS_COLUMNS} FROM mail_addresses WHERE suspended_at IS NOT NULL \
             ORDER BY suspended_at DESC, address {}",
            page.sql()
        );
        let (items, total): (Vec<MailAddressRecord>, i64) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM mail_addresses WHERE suspended_at IS NOT NULL")
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }
}
