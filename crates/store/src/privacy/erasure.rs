//! "Erase me": a person's request, staff's decision, and the erasure itself (one
//! transaction that follows the personal-data catalogue).

use guildhall_domain::membership::{Standing, TermState};
use time::Date;

use super::{About, PERSONAL_DATA, Person, all_tables, condition};
use crate::engine::{insert_audit, with_reader, with_writer};
use crate::outbox::insert_mail;
use crate::{NewAuditEntry, NewMail, Store, StoreError, StoreResult, UnixTime};

/// Why a credential of an erased person no longer stands.
pub const ERASED_CREDENTIAL_REASON: &str = "Withdrawn: its holder's data was erased at their request.";

/// Where an erasure request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureStatus {
    Pending,
    Confirmed,
    Declined,
}

impl ErasureStatus {
    pub fn code(self) -> &'static str {
        match self {
            ErasureStatus::Pending => "pending",
            ErasureStatus::Confirmed => "confirmed",
            ErasureStatus::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Confirmed, Self::Declined].into_iter().find(|s| s.code() == code)
    }
}

/// An erasure request waiting for staff, with who asked.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ErasureForStaff {
    pub id: i64,
    pub user_id: Option<i64>,
    pub member_id: Option<i64>,
    pub account_email: Option<String>,
    pub account_name: Option<String>,
    pub member_number: Option<String>,
    pub requested_at: UnixTime,
}

/// The label an erased member record, and what is kept about it, carries from now on.
pub fn erased_label(member_id: i64) -> String {
    format!("Erased member {member_id}")
}

/// The label of an erased account in the audit log.
pub const ERASED_ACCOUNT: &str = "Erased account";

impl Store {
    /// Records a person's request to be erased (with its audit entry). A second request
    /// while one waits is refused as a conflict on `erasure_request`.
    pub async fn request_erasure(&self, person: &Person, audit: &NewAuditEntry, now: UnixTime) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO erasure_requests (user_id, member_id, status, requested_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(person.user_id)
            .bind(person.member_id)
            .bind(ErasureStatus::Pending.code())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut audit = audit.clone();
            audit.subject_id = person.member_id.or(person.user_id);
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The account's request waiting for staff, if any (its id and when it was made).
    pub async fn pending_erasure(&self, user_id: i64) -> StoreResult<Option<(i64, UnixTime)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT id, requested_at FROM erasure_requests WHERE user_id = $1 AND status = $2")
                .bind(user_id)
                .bind(ErasureStatus::Pending.code())
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Requests waiting for staff, oldest first.
    pub async fn erasure_requests_for_staff(&self) -> StoreResult<Vec<ErasureForStaff>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.user_id, r.member_id, u.email AS account_email, u.display_name AS account_name, \
                 m.member_number, r.requested_at FROM erasure_requests r \
                 LEFT JOIN users u ON u.id = r.user_id LEFT JOIN members m ON m.id = r.member_id \
                 WHERE r.status = $1 ORDER BY r.id",
            )
            .bind(ErasureStatus::Pending.code())
            .fetch_all(pool)
            .await
        })?)
    }

    /// Staff decline a waiting request: it is closed, audited, and the person told.
    pub async fn decline_erasure(
        &self,
        request_id: i64,
        staff_id: i64,
        audit: &NewAuditEntry,
        mail: &NewMail,
        now: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE erasure_requests SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND status = $5",
            )
            .bind(request_id)
            .bind(ErasureStatus::Declined.code())
            .bind(staff_id)
            .bind(now)
            .bind(ErasureStatus::Pending.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            insert_audit!(tx, audit)?;
            insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Erases the person of a waiting request, in one transaction:
    ///
    /// - the request is claimed (`pending` → `confirmed`; a second confirmation finds nothing);
    /// - everything about them that the society need not keep is deleted: licences,
    ///   certifications, groups, household and organisation links, the CE ledger and its
    ///   evidence files, reminders, invitations, claims, consents, officer terms, sign-in
    ///   attempts and throttles, and mail to their addresses; their account with its
    ///   sessions, tokens, two-factor secret and recovery codes;
    /// - what must be kept (invoices, payments, refunds, payment events, membership terms)
    ///   stays, pointing at the member record, which keeps its id and nothing else of theirs
    ///   ("Erased member 123"); free text on payments and refunds is blanked; terms still
    ///   running are cancelled, so the record leaves the directory at once and stays out;
    /// - audit entries about them keep what happened and when, not who or what was written;
    /// - the final email (`mail`, when there is one) is queued, and the decision audited.
    ///
    /// Returns the erased member label (or the account label when there was no record).
    pub async fn erase_person(
        &self,
        request_id: i64,
        staff_id: Option<i64>,
        audit: &NewAuditEntry,
        mail: Option<&NewMail>,
        now: UnixTime,
        today: Date,
    ) -> StoreResult<String> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let claimed: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                "UPDATE erasure_requests SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND status = $5 \
                 RETURNING user_id, member_id",
            )
            .bind(request_id)
            .bind(ErasureStatus::Confirmed.code())
            .bind(staff_id)
            .bind(now)
            .bind(ErasureStatus::Pending.code())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((user_id, member_id)) = claimed else { return Err(StoreError::NotFound) };
            let mut emails: Vec<String> = Vec::new();
            if let Some(user_id) = user_id {
                let row: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                emails.extend(row.map(|(e,)| e.to_lowercase()));
            }
            if let Some(member_id) = member_id {
                let row: Option<(String,)> = sqlx::query_as("SELECT email FROM members WHERE id = $1")
                    .bind(member_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                emails.extend(row.map(|(e,)| e.to_lowercase()).filter(|e| !emails.contains(e)));
            }
            let person = Person { user_id, member_id, emails };

            // Rows that go: every table the catalogue ties to the person, except those kept
            // for the books (and the member record, the request, which are anonymised).
            const KEPT: &[&str] = &[
                "members",
                "membership_terms",
                "invoices",
                "payments",
                "payment_events",
                "refunds",
                "audit_log",
                "erasure_requests",
                "users",
                "credentials",
            ];
            // Children before parents (the catalogue lists parents first).
            let doomed: Vec<_> = all_tables()
                .filter_map(|spec| PERSONAL_DATA.iter().find(|p| p.table == spec.name))
                .filter(|p| !KEPT.contains(&p.table) && !matches!(p.about, About::NotPersonal))
                .collect();
            for entry in doomed.iter().rev() {
                let mut binds = Vec::new();
                let condition = condition(entry.about, &person, &mut binds);
                if condition == "1 = 0" {
                    continue;
                }
                let sql = format!("DELETE FROM {} WHERE {condition}", entry.table);
                crate::engine::bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), binds)
                    .execute(&mut *tx)
                    .await?;
            }

            // What is kept loses its identity.
            let label = match member_id {
                Some(id) => erased_label(id),
                None => ERASED_ACCOUNT.to_string(),
            };
            if let Some(member_id) = member_id {
                // Credentials the person gave away must stop verifying: each is revoked
                // (its status position stays set) and loses what it said.
                sqlx::query(
                    "UPDATE credentials SET status = $1, status_reason = $2, status_changed_at = $3, name = '', \
                     document = '', jwt = '', integrity = NULL WHERE member_id = $4",
                )
                .bind(guildhall_domain::credentials::CredentialStatus::Revoked.code())
                .bind(ERASED_CREDENTIAL_REASON)
                .bind(now)
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE payments SET reference = '' WHERE invoice_id IN (SELECT id FROM invoices WHERE member_id = $1)",
                )
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE refunds SET reason = '' WHERE payment_id IN (SELECT p.id FROM payments p \
                     JOIN invoices i ON i.id = p.invoice_id WHERE i.member_id = $1)",
                )
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE membership_terms SET status = $2, cancelled_on = $3 WHERE member_id = $1 \
                     AND status <> $2 AND status <> $4 AND ends_on >= $3",
                )
                .bind(member_id)
                .bind(TermState::Cancelled.code())
                .bind(today)
                .bind(TermState::Rejected.code())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE members SET member_number = $2, user_id = NULL, first_name = 'Erased', last_name = $3, \
                     email = $4, phone = '', employer = '', job_title = '', career_stage = 'other', disciplines = '', \
                     education = '', city = '', visibility = '{}', search_name = $5, standing = $6, standing_on = $7, \
                     updated_at = $8 WHERE id = $1",
                )
                .bind(member_id)
                .bind(format!("ERASED-{member_id}"))
                .bind(format!("member {member_id}"))
                .bind(format!("erased-{member_id}@erased.invalid"))
                .bind(format!("erased member {member_id}"))
                .bind(Standing::Cancelled.code())
                .bind(today)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE audit_log SET subject_label = $2, before_json = NULL, after_json = NULL \
                     WHERE subject_kind = 'member' AND subject_id = $1",
                )
                .bind(member_id)
                .bind(&label)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(user_id) = user_id {
                sqlx::query(
                    "UPDATE audit_log SET subject_label = $2, before_json = NULL, after_json = NULL \
                     WHERE subject_kind IN ('user', 'account') AND subject_id = $1",
                )
                .bind(user_id)
                .bind(ERASED_ACCOUNT)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE audit_log SET actor_label = $2 WHERE actor_user_id = $1")
                    .bind(user_id)
                    .bind(ERASED_ACCOUNT)
                    .execute(&mut *tx)
                    .await?;
                // Sessions, tokens, two-factor secrets and recovery codes went above; the
                // account goes now (audit entries keep their anonymised actor label).
                sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
            }
            let mut audit = audit.clone();
            audit.subject_id = member_id.or(user_id);
            audit.subject_label = label.clone();
            insert_audit!(tx, &audit)?;
            if let Some(mail) = mail {
                insert_mail!(tx, mail, now)?;
            }
            tx.commit().await?;
            Ok(label)
        })
    }
}
