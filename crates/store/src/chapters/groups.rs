//! Affinity groups (interest communities beside the chapters) and who belongs to them.

use time::Date;

use crate::engine::{audited, with_reader, with_writer};
use crate::{GroupRecord, NewAuditEntry, Store, StoreError, StoreResult, UnixTime};

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

impl Store {
    /// Creates an affinity group (demo; staff go through [`Store::save_group`], audited).
    pub async fn create_group(&self, slug: &str, name: &str, description: &str, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| insert_group!(pool, slug, name, description, now))?)
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
        audited!(
            self,
            |tx| match id {
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
            },
            |id| &NewAuditEntry { subject_id: audit.subject_id.or(Some(id)), ..audit.clone() }
        )
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
        audited!(
            self,
            |tx| {
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
                true
            },
            audit
        )
    }

    /// Deletes a group nobody is in, with the audit entry: `Conflict` while it has members
    /// (checked in the same statement), `NotFound` when there is no such group.
    pub async fn delete_group(&self, id: i64, audit: &NewAuditEntry) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let done = sqlx::query(
                    "DELETE FROM affinity_groups WHERE id = $1 \
                     AND NOT EXISTS (SELECT 1 FROM member_groups WHERE group_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM affinity_groups WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Err(match exists {
                        Some(_) => StoreError::Conflict { field: "group_in_use".into() },
                        None => StoreError::NotFound,
                    });
                }
            },
            audit
        )
    }

    /// Removes a member from a group, with the audit entry; `false` and no audit entry
    /// when they were not in it.
    pub async fn remove_member_group(&self, member_id: i64, group_id: i64, audit: &NewAuditEntry) -> StoreResult<bool> {
        audited!(
            self,
            |tx| {
                let done = sqlx::query("DELETE FROM member_groups WHERE member_id = $1 AND group_id = $2")
                    .bind(member_id)
                    .bind(group_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                true
            },
            audit
        )
    }
}

impl Store {
    pub async fn list_groups(&self) -> StoreResult<Vec<GroupRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT id, slug, name, description, created_at FROM affinity_groups ORDER BY name")
                .fetch_all(pool)
                .await
        })?)
    }

    pub async fn member_groups(&self, member_id: i64) -> StoreResult<Vec<GroupRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT g.id, g.slug, g.name, g.description, g.created_at FROM affinity_groups g \
                 JOIN member_groups mg ON mg.group_id = g.id WHERE mg.member_id = $1 ORDER BY g.name",
            )
            .bind(member_id)
            .fetch_all(pool)
            .await
        })?)
    }
}
