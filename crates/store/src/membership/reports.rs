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

/// The membership figures on the staff overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipOverview {
    /// Members in each standing that has any, most first.
    pub by_standing: Vec<(guildhall_domain::membership::Standing, i64)>,
    /// Memberships expiring within the month asked about.
    pub renewals_due: i64,
    /// Applications waiting for a staff decision.
    pub awaiting_approval: i64,
    /// Licences and certifications expiring within the window asked about.
    pub credentials_renewing: i64,
}

impl Store {
    /// The staff overview's membership figures in one round trip: members by standing,
    /// memberships expiring within `month` (inclusive), applications awaiting approval, and
    /// licences and certifications expiring within `renewing` (inclusive).
    pub async fn membership_overview(
        &self,
        month: (Date, Date),
        renewing: (Date, Date),
    ) -> StoreResult<MembershipOverview> {
        let rows: Vec<(String, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT 'standing:' || standing, COUNT(*) FROM members GROUP BY standing \
                 UNION ALL SELECT 'renewals_due', COUNT(*) FROM members WHERE expires_on >= $1 AND expires_on <= $2 \
                 UNION ALL SELECT 'awaiting_approval', COUNT(*) FROM membership_terms WHERE status = 'awaiting_approval' \
                 UNION ALL SELECT 'credentials_renewing', \
                   (SELECT COUNT(*) FROM licences WHERE expires_on >= $3 AND expires_on <= $4) \
                   + (SELECT COUNT(*) FROM certifications WHERE expires_on >= $3 AND expires_on <= $4)",
            )
            .bind(month.0)
            .bind(month.1)
            .bind(renewing.0)
            .bind(renewing.1)
            .fetch_all(pool)
            .await
        })?;
        let mut overview = MembershipOverview::default();
        for (key, n) in rows {
            match key.as_str() {
                "renewals_due" => overview.renewals_due = n,
                "awaiting_approval" => overview.awaiting_approval = n,
                "credentials_renewing" => overview.credentials_renewing = n,
                other => {
                    let code = other.strip_prefix("standing:").unwrap_or(other);
                    let standing = guildhall_domain::membership::Standing::from_code(code)
                        .ok_or_else(|| crate::StoreError::Backend(format!("unknown standing {code:?}")))?;
                    overview.by_standing.push((standing, n));
                }
            }
        }
        overview.by_standing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
        Ok(overview)
    }
}
