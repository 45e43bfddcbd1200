//! What staff manage that the demo only seeds: tiers, affinity groups and their members,
//! chapter officers. Every change is written with its audit entry in one transaction.

use time::Date;

use crate::accounts::insert_audit;
use crate::{
    GroupRecord, NewAuditEntry, NewOfficerTerm, NewTier, OfficerListing, OfficerTermRecord, Store, StoreError,
    StoreResult, TierRecord, UnixTime, with_reader, with_writer,
};

/// (id, count) rows.
type Counts = Vec<(i64, i64)>;

/// Inserts a tier on `$executor` (a pool or a transaction); evaluates to its id.
macro_rules! insert_tier {
    ($executor:expr, $tier:expr, $now:expr) => {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO tiers (code, name, annual_dues_cents, requires_approval, requirements, sort_order, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
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
    };
}

/// Inserts an affinity group on `$executor`; evaluates to its id.
macro_rules! insert_group {
    ($executor:expr, $slug:expr, $name:expr, $description:expr, $now:expr) => {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO affinity_groups (slug, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind($slug)
        .bind($name)
        .bind($description)
        .bind($now)
        .fetch_one($executor)
        .await
        .map(|(id,)| id)
    };
}

/// How much a tier is used: members in it now, and terms (current or past) recorded in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TierUsage {
    pub members: i64,
    pub terms: i64,
}

impl TierUsage {
    pub fn in_use(&self) -> bool {
        self.members > 0 || self.terms > 0
    }
}

impl Store {
    /// Creates a tier (demo and tests; staff go through [`Store::save_tier`], audited).
    pub async fn create_tier(&self, tier: &NewTier, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| insert_tier!(pool, tier, now))?)
    }

    /// Creates an affinity group (demo; staff go through [`Store::save_group`], audited).
    pub async fn create_group(&self, slug: &str, name: &str, description: &str, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| insert_group!(pool, slug, name, description, now))?)
    }

    pub async fn tier_by_id(&self, id: i64) -> StoreResult<Option<TierRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, code, name, annual_dues_cents, requires_approval, requirements, sort_order, created_at \
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
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id = match id {
                None => insert_tier!(&mut *tx, tier, now)?,
                Some(id) => {
                    let done = sqlx::query(
                        "UPDATE tiers SET name = $1, annual_dues_cents = $2, requires_approval = $3, \
                         requirements = $4, sort_order = $5 WHERE id = $6",
                    )
                    .bind(&tier.name)
                    .bind(tier.annual_dues_cents)
                    .bind(tier.requires_approval)
                    .bind(&tier.requirements)
                    .bind(tier.sort_order)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    id
                }
            };
            let mut audit = audit.clone();
            audit.subject_id = Some(id);
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Deletes a tier no member or term refers to. `Conflict { constraint: "tier_in_use" }`
    /// when one does (checked in the same statement, so a member joining meanwhile cannot
    /// slip past), `NotFound` when there is no such tier.
    pub async fn delete_tier(&self, id: i64, audit: &NewAuditEntry) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
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
                    Some(_) => StoreError::Conflict { constraint: "tier_in_use".into() },
                    None => StoreError::NotFound,
                });
            }
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn group_by_id(&self, id: i64) -> StoreResult<Option<GroupRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT id, slug, name, description, created_at FROM affinity_groups WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// (group id, members) for groups with members.
    pub async fn group_member_counts(&self) -> StoreResult<Vec<(i64, i64)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT group_id, COUNT(*) FROM member_groups GROUP BY group_id").fetch_all(pool).await
        })?)
    }

    /// Creates a group (`id` None) or changes one (slug included), with the audit entry.
    pub async fn save_group(
        &self,
        id: Option<i64>,
        group: (&str, &str, &str),
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        let (slug, name, description) = group;
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id = match id {
                None => insert_group!(&mut *tx, slug, name, description, now)?,
                Some(id) => {
                    let done =
                        sqlx::query("UPDATE affinity_groups SET slug = $1, name = $2, description = $3 WHERE id = $4")
                            .bind(slug)
                            .bind(name)
                            .bind(description)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    id
                }
            };
            let mut audit = audit.clone();
            audit.subject_id = audit.subject_id.or(Some(id));
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Adds a member to a group (`joined_on`), with the audit entry; `false` and no audit
    /// entry when they were in it already.
    pub async fn add_member_group(
        &self,
        member_id: i64,
        group_id: i64,
        joined_on: Date,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "INSERT INTO member_groups (member_id, group_id, joined_on) VALUES ($1, $2, $3) \
                 ON CONFLICT (member_id, group_id) DO NOTHING",
            )
            .bind(member_id)
            .bind(group_id)
            .bind(joined_on)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Removes a member from a group, with the audit entry; `false` and no audit entry
    /// when they were not in it.
    pub async fn remove_member_group(&self, member_id: i64, group_id: i64, audit: &NewAuditEntry) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM member_groups WHERE member_id = $1 AND group_id = $2")
                .bind(member_id)
                .bind(group_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn officer_term_by_id(&self, id: i64) -> StoreResult<Option<OfficerTermRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, chapter_id, title, starts_on, ends_on, created_at FROM officer_terms WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Every officer term, current and past, by chapter, newest first.
    pub async fn list_officer_terms(&self) -> StoreResult<Vec<OfficerListing>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.user_id, t.chapter_id, t.title, t.starts_on, t.ends_on, u.display_name, u.email, \
                 c.name AS chapter_name FROM officer_terms t JOIN users u ON u.id = t.user_id \
                 JOIN chapters c ON c.id = t.chapter_id ORDER BY c.name, t.starts_on DESC, t.id DESC",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// Appoints an officer, with the audit entry; returns the term's id.
    pub async fn appoint_officer(
        &self,
        term: &NewOfficerTerm,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO officer_terms (user_id, chapter_id, title, starts_on, ends_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(term.user_id)
            .bind(term.chapter_id)
            .bind(&term.title)
            .bind(term.starts_on)
            .bind(term.ends_on)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut audit = audit.clone();
            audit.subject_id = Some(id);
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Sets the last day of an officer term, with the audit entry.
    pub async fn set_officer_term_end(&self, id: i64, ends_on: Date, audit: &NewAuditEntry) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE officer_terms SET ends_on = $1 WHERE id = $2")
                .bind(ends_on)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
