//! Invitations: members without an account are emailed a single-use link that creates
//! the account already linked to their record.

use crate::accounts::insert_user;
use crate::engine::{insert_audit, with_reader, with_writer};
use crate::outbox::insert_mail;
use crate::{MemberFilter, NewAuditEntry, NewMail, NewUser, Store, StoreError, StoreResult, UnixTime};

use super::filter_sql;
use crate::copy::Value;

/// A member to invite: (id, member number, first name, email).
pub type Invitee = (i64, String, String, String);

/// One invitation to send: the member, the hash of the link's token, and the email.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub member_id: i64,
    pub token_hash: String,
    pub mail: NewMail,
}

/// The member an open invitation is for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationFor {
    pub member_id: i64,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// Where a member's invitation stands, for their page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationStatus {
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub accepted_at: Option<UnixTime>,
}

/// How the society's invitations stand, for the approvals area: members invited (each
/// counted once, by their latest invitation), and of those who accepted, who have not
/// answered while the link still works, whose link expired unused, and who have an
/// account by another way (they signed up or claimed their record).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationSummary {
    pub invited: i64,
    pub accepted: i64,
    pub awaiting: i64,
    pub expired: i64,
    pub joined_otherwise: i64,
}

/// An invitation not yet accepted by a member who still has no account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenInvitation {
    pub member_id: i64,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub reminded_at: Option<UnixTime>,
    /// Whether the link had expired on the date asked about.
    pub expired: bool,
}

/// How many member ids one query binds (well under both engines' parameter limits).
const IDS_PER_QUERY: usize = 500;

impl Store {
    /// Of the members with these ids, those with an email address, no account and no open,
    /// unexpired invitation, in id order (e.g. the members an import has just created).
    pub async fn members_to_invite_among(&self, member_ids: &[i64], now: UnixTime) -> StoreResult<Vec<Invitee>> {
        let mut invitees = Vec::new();
        for ids in member_ids.chunks(IDS_PER_QUERY) {
            let placeholders: Vec<String> = (2..ids.len() + 2).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT m.id, m.member_number, m.first_name, m.email FROM members m \
                 WHERE m.id IN ({}) AND m.user_id IS NULL AND m.email <> '' \
                 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = LOWER(m.email)) \
                 AND NOT EXISTS (SELECT 1 FROM member_invitations i WHERE i.member_id = m.id \
                 AND i.accepted_at IS NULL AND i.expires_at > $1) ORDER BY m.id",
                placeholders.join(", ")
            );
            let found: Vec<Invitee> = with_reader!(self, |pool| {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(now);
                for id in ids {
                    query = query.bind(*id);
                }
                query.fetch_all(pool).await
            })?;
            invitees.extend(found);
        }
        invitees.sort();
        Ok(invitees)
    }

    /// How the invitations stand on `now` (see [`InvitationSummary`]).
    pub async fn invitation_summary(&self, now: UnixTime) -> StoreResult<InvitationSummary> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT) AS invited, \
                 CAST(COALESCE(SUM(CASE WHEN i.accepted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS accepted, \
                 CAST(COALESCE(SUM(CASE WHEN i.accepted_at IS NULL AND m.user_id IS NULL AND i.expires_at > $1 \
                   THEN 1 ELSE 0 END), 0) AS BIGINT) AS awaiting, \
                 CAST(COALESCE(SUM(CASE WHEN i.accepted_at IS NULL AND m.user_id IS NULL AND i.expires_at <= $1 \
                   THEN 1 ELSE 0 END), 0) AS BIGINT) AS expired, \
                 CAST(COALESCE(SUM(CASE WHEN i.accepted_at IS NULL AND m.user_id IS NOT NULL THEN 1 ELSE 0 END), 0) \
                   AS BIGINT) AS joined_otherwise \
                 FROM member_invitations i JOIN members m ON m.id = i.member_id",
            )
            .bind(now)
            .fetch_one(pool)
            .await
        })?)
    }

    /// Up to `limit` invitations not accepted by members still without an account: those
    /// whose link expired first, then the most recently sent.
    pub async fn open_invitations(&self, now: UnixTime, limit: u32) -> StoreResult<Vec<OpenInvitation>> {
        // The limit is written in, not bound (see `PageRequest::sql`).
        let sql = format!(
            "SELECT i.member_id, m.member_number, m.first_name, m.last_name, i.created_at, i.expires_at, \
             i.reminded_at, CASE WHEN i.expires_at <= $1 THEN TRUE ELSE FALSE END AS expired \
             FROM member_invitations i JOIN members m ON m.id = i.member_id \
             WHERE i.accepted_at IS NULL AND m.user_id IS NULL \
             ORDER BY CASE WHEN i.expires_at <= $1 THEN 0 ELSE 1 END, i.created_at DESC, i.id DESC LIMIT {limit}"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(now)
            .fetch_all(pool)
            .await)?)
    }

    /// Members matching `filter` who have no account and no open, unexpired invitation.
    /// A member whose address already has an account is not invited: the record is linked
    /// to that account when its address is confirmed or it signs in.
    pub async fn members_to_invite(&self, filter: &MemberFilter, now: UnixTime) -> StoreResult<Vec<Invitee>> {
        let (clause, mut values) = filter_sql(filter);
        values.push(Value::Int(now));
        let n = values.len();
        let joiner = if clause.is_empty() { " WHERE" } else { " AND" };
        let sql = format!(
            "SELECT m.id, m.member_number, m.first_name, m.email FROM members m{clause}{joiner} m.user_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = LOWER(m.email)) \
             AND NOT EXISTS (SELECT 1 FROM member_invitations i WHERE i.member_id = m.id \
             AND i.accepted_at IS NULL AND i.expires_at > ${n}) ORDER BY m.id"
        );
        Ok(with_reader!(self, |pool| {
            crate::engine::bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), values).fetch_all(pool).await
        })?)
    }

    /// Records invitations and queues their mail, one transaction. A member who got an
    /// open invitation meanwhile (another staff member inviting at the same moment) is
    /// skipped: the partial unique index `member_invitations_one_open` decides, and only
    /// an invitation actually recorded is mailed. Expired open invitations are replaced.
    /// Returns how many were sent.
    pub async fn create_invitations(
        &self,
        invitations: &[NewInvitation],
        invited_by: i64,
        now: UnixTime,
        expires_at: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<usize> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut sent = 0;
            for invitation in invitations {
                sqlx::query(
                    "DELETE FROM member_invitations WHERE member_id = $1 AND accepted_at IS NULL AND expires_at <= $2",
                )
                .bind(invitation.member_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let recorded: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO member_invitations (member_id, token_hash, invited_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (member_id) WHERE accepted_at IS NULL DO NOTHING RETURNING id",
                )
                .bind(invitation.member_id)
                .bind(&invitation.token_hash)
                .bind(invited_by)
                .bind(now)
                .bind(expires_at)
                .fetch_optional(&mut *tx)
                .await?;
                if recorded.is_some() {
                    insert_mail!(tx, &invitation.mail, now)?;
                    sent += 1;
                }
            }
            let mut audit = audit.clone();
            audit.after_json = Some(serde_json::json!({ "invited": sent }).to_string());
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(sent)
        })
    }

    /// The member an open, unexpired invitation is for.
    pub async fn invitation_for(&self, token_hash: &str, now: UnixTime) -> StoreResult<Option<InvitationFor>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT m.id AS member_id, m.member_number, m.first_name, m.last_name, m.email \
                 FROM member_invitations i JOIN members m ON m.id = i.member_id \
                 WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2 AND m.user_id IS NULL",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Accepts an invitation in one transaction: the link is used up (once, even under
    /// concurrent requests), the account is created verified (the link proved the
    /// address), and the member's record is linked to it. Returns (user id, member id), or
    /// `None` when the link is used, expired or unknown. This writes `users` as well as
    /// `members` (like the import): the two must happen together.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        user: &NewUser,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<Option<(i64, i64)>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let claimed: Option<(i64,)> = sqlx::query_as(
                "UPDATE member_invitations SET accepted_at = $2 \
                 WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2 RETURNING member_id",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((member_id,)) = claimed else { return Ok(None) };
            let (user_id,) = insert_user!(tx, user, now)?;
            let linked = sqlx::query("UPDATE members SET user_id = $1 WHERE id = $2 AND user_id IS NULL")
                .bind(user_id)
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
            if linked.rows_affected() == 0 {
                return Err(StoreError::Invalid("This membership record already has an account.".into()));
            }
            let mut audit = audit.clone();
            audit.actor_user_id = Some(user_id);
            audit.subject_id = Some(member_id);
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(Some((user_id, member_id)))
        })
    }

    /// Open, unexpired invitations sent at or before `sent_before` and not yet reminded:
    /// (invitation id, member number, first name, email).
    pub async fn invitations_to_remind(&self, sent_before: UnixTime, now: UnixTime) -> StoreResult<Vec<Invitee>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT i.id, m.member_number, m.first_name, m.email FROM member_invitations i \
                 JOIN members m ON m.id = i.member_id \
                 WHERE i.accepted_at IS NULL AND i.reminded_at IS NULL AND i.created_at <= $1 AND i.expires_at > $2 \
                 AND m.user_id IS NULL ORDER BY i.id",
            )
            .bind(sent_before)
            .bind(now)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Reminds an invitation once: gives it a fresh link (the old one stops working) and
    /// queues `mail`, only if it was not reminded before (a conditional update, so two
    /// nodes running the job never remind twice). Returns whether it was reminded now.
    pub async fn remind_invitation(
        &self,
        invitation_id: i64,
        new_token_hash: &str,
        mail: &NewMail,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let reminded: Option<(i64,)> = sqlx::query_as(
                "UPDATE member_invitations SET reminded_at = $3, token_hash = $2 \
                 WHERE id = $1 AND reminded_at IS NULL AND accepted_at IS NULL RETURNING id",
            )
            .bind(invitation_id)
            .bind(new_token_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if reminded.is_none() {
                return Ok(false);
            }
            insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The member's latest invitation, if any.
    pub async fn invitation_status(&self, member_id: i64) -> StoreResult<Option<InvitationStatus>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT created_at, expires_at, accepted_at FROM member_invitations WHERE member_id = $1 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(member_id)
            .fetch_optional(pool)
            .await
        })?)
    }
}
