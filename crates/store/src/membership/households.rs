//! Household and organisational memberships: links from the people covered to the member
//! record that pays, and the organisations' seats.

use time::Date;

use guildhall_domain::membership::LinkKind;

use crate::SettledStanding;
use crate::engine::audited;
use crate::{
    MembershipLinkRecord, NewAuditEntry, OrganisationRecord, Store, StoreError, StoreResult, UnixTime, with_reader,
};

const LINK_COLUMNS: &str = "id, member_id, payer_id, kind, started_on, ended_on, created_at";

impl Store {
    /// Every link of a member, as the person covered or as the payer, oldest first.
    pub async fn member_links(&self, member_id: i64) -> StoreResult<Vec<MembershipLinkRecord>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM membership_links WHERE member_id = $1 OR payer_id = $1 ORDER BY started_on, id"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    pub async fn link_by_id(&self, id: i64) -> StoreResult<Option<MembershipLinkRecord>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM membership_links WHERE id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?)
    }

    /// Links a person to the member who pays for them, sets the person's standing (the
    /// payer's), and records the audit entry, atomically.
    pub async fn add_link(
        &self,
        link: (i64, i64, LinkKind, Date),
        standing: SettledStanding,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        let (member_id, payer_id, kind, started_on) = link;
        audited!(
            self,
            |tx| {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO membership_links (member_id, payer_id, kind, started_on, ended_on, created_at) \
                     VALUES ($1, $2, $3, $4, NULL, $5) RETURNING id",
                )
                .bind(member_id)
                .bind(payer_id)
                .bind(kind.code())
                .bind(started_on)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("UPDATE members SET standing = $1, expires_on = $2, standing_on = $3 WHERE id = $4")
                    .bind(standing.0.code())
                    .bind(standing.1)
                    .bind(standing.2)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                id
            },
            |id| &NewAuditEntry { subject_id: Some(member_id), ..audit.clone() }
        )
    }

    /// Ends a link on `ended_on` (or removes it when it would end before it started: it
    /// never covered a whole day), sets the person's own standing, and records the audit
    /// entry, atomically. `NotFound` when the link is not current.
    pub async fn end_link(
        &self,
        id: i64,
        ended_on: Date,
        standing: SettledStanding,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let row: Option<(i64, Date)> = sqlx::query_as(
                    "SELECT member_id, started_on FROM membership_links WHERE id = $1 AND ended_on IS NULL",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((member_id, started_on)) = row else { return Err(StoreError::NotFound) };
                if ended_on < started_on {
                    sqlx::query("DELETE FROM membership_links WHERE id = $1").bind(id).execute(&mut *tx).await?;
                } else {
                    sqlx::query("UPDATE membership_links SET ended_on = $1 WHERE id = $2")
                        .bind(ended_on)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("UPDATE members SET standing = $1, expires_on = $2, standing_on = $3 WHERE id = $4")
                    .bind(standing.0.code())
                    .bind(standing.1)
                    .bind(standing.2)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
            },
            audit
        )
    }

    pub async fn organisation(&self, payer_id: i64) -> StoreResult<Option<OrganisationRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT payer_id, name, seats, created_at FROM organisations WHERE payer_id = $1")
                .bind(payer_id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Makes a member record an organisation's membership, or changes its name and seats.
    pub async fn save_organisation(
        &self,
        payer_id: i64,
        name: &str,
        seats: i64,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                sqlx::query(
                    "INSERT INTO organisations (payer_id, name, seats, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (payer_id) DO UPDATE SET name = excluded.name, seats = excluded.seats",
                )
                .bind(payer_id)
                .bind(name)
                .bind(seats)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            },
            audit
        )
    }
}
