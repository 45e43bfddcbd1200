//! Communications: the society's lists with each member's consent, campaigns with their
//! frozen manifests, and the delivery health of addresses.
//!
//! Files: `mod.rs` (lists, subscriptions, the switch for all bulk mail, the record of consent
//! changes), `campaigns.rs` (campaigns, the audience as SQL, starting a send once, each
//! recipient's first open and click),
//! `automations.rs` (the welcome series and the win-back: their steps, and adding the members
//! whose day has come), `bounces.rs` (bounces and complaints, each address's bounce score and suspension),
//! `records.rs` (the rows).
//!
//! A member is on a list when their row says so, or, with no row, when the list is opt-out
//! and for them (society-wide, or their home chapter's). Every change of consent is recorded
//! with its time and source in the same transaction.

pub mod automations;
pub mod bounces;
pub mod campaigns;
pub mod records;

use guildhall_domain::membership::Standing;
use records::{ConsentChangeRecord, ListRecord, NewList, SubscriptionChange, SubscriptionRecord};

use crate::engine::{audited, audited_change};
use crate::{NewAuditEntry, Store, StoreError, StoreResult, UnixTime, with_reader, with_writer};

const LIST_COLUMNS: &str = "l.id, l.slug, l.name, l.purpose, l.opt_in, l.chapter_id, c.name AS chapter_name, \
     l.officers_may_send, l.officer_sends_per_month, l.archived_at, l.created_at";

/// Whether member `m` is on list `l` (SQL over aliases `m` and `l`): their own choice when
/// they made one; otherwise, on an opt-out list, whether they are a current member (former
/// members and applicants receive only what they joined themselves).
pub(crate) fn on_list() -> String {
    let current: Vec<String> =
        Standing::ALL.iter().filter(|s| s.is_current_member()).map(|s| format!("'{}'", s.code())).collect();
    format!(
        "(l.chapter_id IS NULL OR m.home_chapter_id = l.chapter_id) AND COALESCE(\
         (SELECT s.subscribed FROM list_subscriptions s WHERE s.list_id = l.id AND s.member_id = m.id), \
         NOT l.opt_in AND m.standing IN ({}))",
        current.join(", ")
    )
}

impl Store {
    /// Every list, society-wide first, then by name.
    pub async fn communication_lists(&self) -> StoreResult<Vec<ListRecord>> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM communication_lists l LEFT JOIN chapters c ON c.id = l.chapter_id \
             ORDER BY l.archived_at IS NOT NULL, l.chapter_id IS NOT NULL, c.name, l.name"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// One list.
    pub async fn communication_list(&self, id: i64) -> StoreResult<Option<ListRecord>> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM communication_lists l LEFT JOIN chapters c ON c.id = l.chapter_id \
             WHERE l.id = $1"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?)
    }

    /// How many members are on a list now.
    pub async fn list_member_count(&self, id: i64) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM members m JOIN communication_lists l ON l.id = $1 WHERE {}", on_list());
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_one(pool).await
        })?)
    }

    /// Adds a list, audited. A slug another list has is refused (`slug`).
    pub async fn create_communication_list(
        &self,
        list: &NewList,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO communication_lists (slug, name, purpose, opt_in, chapter_id, officers_may_send, \
                     officer_sends_per_month, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&list.slug)
                .bind(&list.name)
                .bind(&list.purpose)
                .bind(list.opt_in)
                .bind(list.chapter_id)
                .bind(list.officers_may_send)
                .bind(list.officer_sends_per_month)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                id
            },
            audit
        )
    }

    /// Changes a list's name, purpose and who may send (its kind and chapter stay), audited.
    pub async fn update_communication_list(&self, id: i64, list: &NewList, audit: &NewAuditEntry) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE communication_lists SET name = $2, purpose = $3, officers_may_send = $4, \
                 officer_sends_per_month = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(&list.name)
            .bind(&list.purpose)
            .bind(list.officers_may_send)
            .bind(list.officer_sends_per_month)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }

    /// The lists a member may be on (society-wide ones and their home chapter's, not
    /// archived), each with whether they are.
    pub async fn member_subscriptions(&self, member_id: i64) -> StoreResult<Vec<SubscriptionRecord>> {
        let sql = format!(
            "SELECT {LIST_COLUMNS}, CASE WHEN {} THEN TRUE ELSE FALSE END AS subscribed \
             FROM members m JOIN communication_lists l ON l.archived_at IS NULL \
             AND (l.chapter_id IS NULL OR l.chapter_id = m.home_chapter_id) \
             LEFT JOIN chapters c ON c.id = l.chapter_id \
             WHERE m.id = $1 ORDER BY l.chapter_id IS NOT NULL, l.name",
            on_list()
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// The member whose address this is (compared without regard to case).
    pub async fn member_id_for_address(&self, address: &str) -> StoreResult<Option<i64>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM members WHERE LOWER(email) = LOWER($1)")
                .bind(address)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Whether the member has turned off all bulk mail.
    pub async fn no_bulk_mail(&self, member_id: i64) -> StoreResult<bool> {
        let off: Option<bool> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT no_bulk_mail FROM mail_preferences WHERE member_id = $1")
                .bind(member_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(off.unwrap_or(false))
    }

    /// A member's consent changes, newest first.
    pub async fn consent_changes(&self, member_id: i64, limit: i64) -> StoreResult<Vec<ConsentChangeRecord>> {
        let sql = format!(
            "SELECT x.id, x.list_id, l.name AS list_name, x.subscribed, x.source, x.campaign_id, x.changed_at \
             FROM consent_changes x LEFT JOIN communication_lists l ON l.id = x.list_id \
             WHERE x.member_id = $1 ORDER BY x.changed_at DESC, x.id DESC LIMIT {limit}"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// Applies a member's changes of consent: each list (one the member may be on, else
    /// `NotFound` and nothing is written) and the switch for all bulk mail. Only what changes
    /// is recorded. Returns how many changes were recorded.
    pub async fn change_subscriptions(
        &self,
        member_id: i64,
        change: &SubscriptionChange,
        now: UnixTime,
    ) -> StoreResult<usize> {
        let lists = self.member_subscriptions(member_id).await?;
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut recorded = 0;
            for (list_id, subscribed) in &change.lists {
                let Some(current) = lists.iter().find(|s| s.list.id == *list_id) else {
                    return Err(StoreError::NotFound);
                };
                sqlx::query(
                    "INSERT INTO list_subscriptions (list_id, member_id, subscribed, changed_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (list_id, member_id) DO UPDATE SET subscribed = excluded.subscribed, \
                     changed_at = excluded.changed_at",
                )
                .bind(list_id)
                .bind(member_id)
                .bind(subscribed)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if current.subscribed != *subscribed {
                    sqlx::query(
                        "INSERT INTO consent_changes (member_id, list_id, subscribed, source, campaign_id, changed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(member_id)
                    .bind(list_id)
                    .bind(subscribed)
                    .bind(&change.source)
                    .bind(change.campaign_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    recorded += 1;
                }
            }
            if let Some(no_bulk) = change.no_bulk_mail {
                let before: Option<bool> =
                    sqlx::query_scalar("SELECT no_bulk_mail FROM mail_preferences WHERE member_id = $1")
                        .bind(member_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                sqlx::query(
                    "INSERT INTO mail_preferences (member_id, no_bulk_mail, changed_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (member_id) DO UPDATE SET no_bulk_mail = excluded.no_bulk_mail, \
                     changed_at = excluded.changed_at",
                )
                .bind(member_id)
                .bind(no_bulk)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if before.unwrap_or(false) != no_bulk {
                    sqlx::query(
                        "INSERT INTO consent_changes (member_id, list_id, subscribed, source, campaign_id, changed_at) \
                         VALUES ($1, NULL, $2, $3, $4, $5)",
                    )
                    .bind(member_id)
                    .bind(!no_bulk)
                    .bind(&change.source)
                    .bind(change.campaign_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    recorded += 1;
                }
            }
            tx.commit().await?;
            Ok(recorded)
        })
    }
}
