//! Membership tiers: what staff define (audited) and the demo seeds.

use crate::engine::{audited, with_reader, with_writer};
use crate::{NewAuditEntry, NewTier, Store, StoreError, StoreResult, TierRecord, TierUsage, UnixTime};

/// (id, count) rows.
type Counts = Vec<(i64, i64)>;

/// Inserts a tier on `$executor` (a pool or a transaction); evaluates to its id. The
/// `never_expires` column is named only for a tier without expiry, so tests that build a
/// society on an older schema (before migration 21) can still add ordinary tiers.
macro_rules! insert_tier {
    ($executor:expr, $tier:expr, $now:expr) => {{
        let query = sqlx::query_as::<_, (i64,)>(if $tier.never_expires {
            "INSERT INTO tiers (code, name, annual_dues_cents, requires_approval, requirements, sort_order, \
                 created_at, never_expires) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE) RETURNING id"
        } else {
            "INSERT INTO tiers (code, name, annual_dues_cents, requires_approval, requirements, sort_order, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        });
        query
            .bind(&$tier.code)
            .bind(&$tier.name)
            .bind($tier.annual_dues_cents)
            .bind($tier.requires_approval)
            .bind(&$tier.requirements)
            .bind($tier.sort_order)
            .bind($now)
            .fetch_one($executor)
            .await
            .map(|(id,)| id)
    }};
}

impl Store {
    /// Creates a tier (demo and tests; staff go through [`Store::save_tier`], audited).
    pub async fn create_tier(&self, tier: &NewTier, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| insert_tier!(pool, tier, now))?)
    }

    pub async fn tier_by_id(&self, id: i64) -> StoreResult<Option<TierRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, code, name, annual_dues_cents, requires_approval, requirements, sort_order, created_at, \
                 never_expires \
                 FROM tiers WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// (tier id, usage) for every tier that is used at all.
    pub async fn tier_usage(&self) -> StoreResult<Vec<(i64, TierUsage)>> {
        let (members, terms): (Counts, Counts) = with_reader!(self, |pool| {
            let members =
                sqlx::query_as("SELECT tier_id, COUNT(*) FROM members GROUP BY tier_id").fetch_all(pool).await?;
            let terms = sqlx::query_as("SELECT tier_id, COUNT(*) FROM membership_terms GROUP BY tier_id")
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((members, terms))
        })?;
        let mut usage: std::collections::BTreeMap<i64, TierUsage> = std::collections::BTreeMap::new();
        for (tier, n) in members {
            usage.entry(tier).or_default().members = n;
        }
        for (tier, n) in terms {
            usage.entry(tier).or_default().terms = n;
        }
        Ok(usage.into_iter().collect())
    }

    /// Creates a tier (`id` None) or changes one (its code stays), with the audit entry.
    /// `Conflict` when the code is taken, `NotFound` when the tier to change is gone.
    pub async fn save_tier(
        &self,
        id: Option<i64>,
        tier: &NewTier,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| match id {
                None => insert_tier!(&mut *tx, tier, now)?,
                Some(id) => {
                    let done = sqlx::query(
                        "UPDATE tiers SET name = $1, annual_dues_cents = $2, requires_approval = $3, \
                         requirements = $4, sort_order = $5, never_expires = $7 WHERE id = $6",
                    )
                    .bind(&tier.name)
                    .bind(tier.annual_dues_cents)
                    .bind(tier.requires_approval)
                    .bind(&tier.requirements)
                    .bind(tier.sort_order)
                    .bind(id)
                    .bind(tier.never_expires)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    id
                }
            },
            |id| &NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// Deletes a tier no member or term refers to. `Conflict { field: "tier_in_use" }`
    /// when one does (checked in the same statement, so a member joining meanwhile cannot
    /// slip past), `NotFound` when there is no such tier.
    pub async fn delete_tier(&self, id: i64, audit: &NewAuditEntry) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let done = sqlx::query(
                    "DELETE FROM tiers WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM members WHERE tier_id = $1) \
                     AND NOT EXISTS (SELECT 1 FROM membership_terms WHERE tier_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    let exists: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM tiers WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                    return Err(match exists {
                        Some(_) => StoreError::Conflict { field: "tier_in_use".into() },
                        None => StoreError::NotFound,
                    });
                }
            },
            audit
        )
    }
}

impl Store {
    pub async fn list_tiers(&self) -> StoreResult<Vec<TierRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, code, name, annual_dues_cents, requires_approval, requirements, sort_order, created_at, \
                 never_expires \
                 FROM tiers ORDER BY sort_order, name",
            )
            .fetch_all(pool)
            .await
        })?)
    }
}
