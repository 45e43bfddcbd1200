//! The dated facts membership reports chart: joins, renewals, lapses, cohorts.

use time::Date;

use crate::engine::with_reader;
use crate::{Store, StoreResult};

impl Store {
    /// Join dates on or after `since`.
    pub async fn joins_since(&self, since: Date) -> StoreResult<Vec<Date>> {
        let rows: Vec<(Date,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT joined_on FROM members WHERE joined_on >= $1").bind(since).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(|(d,)| d).collect())
    }

    /// Payment dates of renewal terms (paid terms after a member's first) since `since`.
    pub async fn renewals_since(&self, since: Date) -> StoreResult<Vec<Date>> {
        let rows: Vec<(Date,)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.paid_on FROM membership_terms t JOIN members m ON m.id = t.member_id \
                 WHERE t.status = 'paid' AND t.paid_on >= $1 AND t.starts_on > m.joined_on",
            )
            .bind(since)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(d,)| d).collect())
    }

    /// Expiry dates of lapsed members whose cover ended on or after `since`.
    pub async fn lapses_since(&self, since: Date) -> StoreResult<Vec<Date>> {
        let rows: Vec<(Date,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT expires_on FROM members WHERE standing = 'lapsed' AND expires_on >= $1")
                .bind(since)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(|(d,)| d).collect())
    }

    /// (member id, joined on, paid term start, paid term end) for members who joined on or after `since`.
    pub async fn cohort_cover(&self, since: Date) -> StoreResult<Vec<(i64, Date, Date, Date)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT m.id, m.joined_on, t.starts_on, t.ends_on FROM members m \
                 JOIN membership_terms t ON t.member_id = m.id AND t.status = 'paid' \
                 WHERE m.joined_on >= $1 ORDER BY m.id",
            )
            .bind(since)
            .fetch_all(pool)
            .await
        })?)
    }
}
