//! The resume bank: members' entries (one each; opting out deletes it), employers' paid
//! access (ordered, invoiced and started by `orders.rs`, as a job's run), and invitations to
//! apply (one per employer, member and job; at most 50 a day per employer, counted in the
//! insert under a lock on the employer's row; answered only within 30 days, asked by the
//! answer's conditional update, and read as expired after).
//!
//! What an employer reads of a confidential entry is a [`BankCandidate`]: the query selects
//! only its columns, so a name, address, number, employer or city cannot reach the page.

use guildhall_domain::careers::salary::Region;
use guildhall_domain::careers::{INVITATION_DAYS, InvitationStatus};
use guildhall_domain::csv::members::Discipline;
use time::Date;

use super::LIVE;
use super::records::NewResume;
use crate::copy::Value;
use crate::engine::{bind_all, with_reader, with_writer};
use crate::{Page, PageRequest, Store, StoreError, StoreResult, UnixTime};

/// Invitations an employer may send in a day.
pub const INVITATIONS_A_DAY: i64 = 50;

/// A member's own entry, as they see and change it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BankEntryRecord {
    pub member_id: i64,
    pub public_ref: String,
    /// The uploaded resume offered; `None`: the one built from the record.
    pub resume_id: Option<i64>,
    pub confidential: bool,
    pub summary: String,
    #[sqlx(try_from = "String")]
    pub discipline: Discipline,
    pub career_stage: String,
    pub years_experience: i64,
    #[sqlx(try_from = "String")]
    pub region: Region,
    pub opted_in_at: UnixTime,
    pub updated_at: UnixTime,
}

/// An entry as an employer sees it: no name, address, member number, employer or city —
/// the type has no field for them and its query selects none.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BankCandidate {
    pub public_ref: String,
    pub confidential: bool,
    pub summary: String,
    #[sqlx(try_from = "String")]
    pub discipline: Discipline,
    pub career_stage: String,
    pub years_experience: i64,
    #[sqlx(try_from = "String")]
    pub region: Region,
    pub opted_in_at: UnixTime,
}

/// A licence an entry's member holds today, by kind and where (never its number).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CandidateLicence {
    pub public_ref: String,
    pub kind: String,
    pub jurisdiction: String,
}

/// The name of an entry its member chose to show (named entries only).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NamedCandidate {
    pub public_ref: String,
    pub name: String,
    pub email: String,
}

/// An entry found by its reference, for inviting and for a named entry's resume.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BankEntryRef {
    pub member_id: i64,
    pub confidential: bool,
    pub resume_id: Option<i64>,
}

/// A resume a member uploaded, as listed to them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResumeListRecord {
    pub id: i64,
    pub file_name: String,
    pub bytes: i64,
    pub created_at: UnixTime,
}

/// An invitation as the invited member reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberInvitationRecord {
    pub id: i64,
    pub employer_id: i64,
    pub employer_name: String,
    pub job_id: i64,
    pub job_title: String,
    pub message: String,
    /// `Expired` when it waited past `expires_at` unanswered.
    #[sqlx(try_from = "String")]
    pub status: InvitationStatus,
    pub sent_at: UnixTime,
    /// Until when it may be answered.
    pub expires_at: UnixTime,
    pub answered_at: Option<UnixTime>,
}

/// An invitation as the employer reads it: the entry's reference, never the member.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmployerInvitationRecord {
    pub id: i64,
    pub public_ref: String,
    pub job_id: i64,
    pub job_title: String,
    /// `Expired` when it waited past `expires_at` unanswered.
    #[sqlx(try_from = "String")]
    pub status: InvitationStatus,
    pub sent_at: UnixTime,
    /// Until when it may be answered.
    pub expires_at: UnixTime,
    pub answered_at: Option<UnixTime>,
}

/// A member's entry as saved.
pub struct NewBankEntry<'a> {
    pub member_id: i64,
    /// Used only when the entry is new.
    pub public_ref: &'a str,
    pub resume_id: Option<i64>,
    pub confidential: bool,
    pub summary: &'a str,
    pub discipline: Discipline,
    pub career_stage: &'a str,
    pub years_experience: i64,
    pub region: Region,
}

/// What an employer searches the bank by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankSearch {
    pub discipline: Option<Discipline>,
    pub career_stage: Option<String>,
    /// A licence kind held today (`PE`).
    pub licence: Option<String>,
    pub region: Option<Region>,
}

/// How an invitation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationOutcome {
    /// Sent: its id and the member invited.
    Sent { id: i64, member_id: i64 },
    /// This member was already invited to this job.
    AlreadyInvited,
    /// The employer sent its 50 of the last 24 hours.
    DailyLimitReached,
    /// No entry has that reference (the member opted out).
    NoSuchCandidate,
    /// The job is not the employer's or not advertised.
    JobNotLive,
}

/// An invitation as its member reads it, as it stands at `now` (a placeholder); a `WHERE`
/// follows.
fn member_invitation_select(now: &str) -> String {
    format!(
        "SELECT i.id, i.employer_id, e.name AS employer_name, i.job_id, j.title AS job_title, i.message, {}, \
         i.sent_at, i.expires_at, i.answered_at FROM bank_invitations i JOIN jobs j ON j.id = i.job_id \
         JOIN employers e ON e.id = i.employer_id",
        invitation_status(now)
    )
}

/// An invitation's status as read at `now` (a placeholder): one still waiting past its expiry is expired.
fn invitation_status(now: &str) -> String {
    format!("CASE WHEN i.status = 'sent' AND i.expires_at <= {now} THEN 'expired' ELSE i.status END AS status")
}

const CANDIDATE_COLUMNS: &str = "b.public_ref, b.confidential, b.summary, b.discipline, b.career_stage, b.years_experience, b.region, b.opted_in_at";

const ENTRY_COLUMNS: &str = "member_id, public_ref, resume_id, confidential, summary, discipline, career_stage, \
     years_experience, region, opted_in_at, updated_at";

/// A licence current today (`$2`), as the search and the candidates' licences read it.
const CURRENT_LICENCE: &str = "(l.expires_on IS NULL OR l.expires_on >= $2)";

impl Store {
    /// A member's entry.
    pub async fn bank_entry(&self, member_id: i64) -> StoreResult<Option<BankEntryRecord>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM resume_bank_entries WHERE member_id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(member_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Opts a member in, or changes their entry (its reference and first day kept). The
    /// resume must be the member's own (else `NotFound`).
    pub async fn save_bank_entry(&self, entry: &NewBankEntry<'_>, now: UnixTime) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(resume) = entry.resume_id {
                let own: Option<i64> = sqlx::query_scalar("SELECT id FROM resumes WHERE id = $1 AND member_id = $2")
                    .bind(resume)
                    .bind(entry.member_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if own.is_none() {
                    return Err(StoreError::NotFound);
                }
            }
            sqlx::query(
                "INSERT INTO resume_bank_entries (member_id, public_ref, resume_id, confidential, summary, discipline, \
                 career_stage, years_experience, region, opted_in_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                 ON CONFLICT (member_id) DO UPDATE SET resume_id = excluded.resume_id, confidential = excluded.confidential, \
                 summary = excluded.summary, discipline = excluded.discipline, career_stage = excluded.career_stage, \
                 years_experience = excluded.years_experience, region = excluded.region, updated_at = excluded.updated_at",
            )
            .bind(entry.member_id)
            .bind(entry.public_ref)
            .bind(entry.resume_id)
            .bind(entry.confidential)
            .bind(entry.summary)
            .bind(entry.discipline.as_str())
            .bind(entry.career_stage)
            .bind(entry.years_experience)
            .bind(entry.region.code())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Opts a member out: their entry is deleted (invitations already sent stay, by
    /// reference). Whether there was one.
    pub async fn delete_bank_entry(&self, member_id: i64) -> StoreResult<bool> {
        let deleted = with_writer!(self, |pool| sqlx::query("DELETE FROM resume_bank_entries WHERE member_id = $1")
            .bind(member_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(deleted == 1)
    }

    /// A member's uploaded resumes, newest first.
    pub async fn member_resumes(&self, member_id: i64) -> StoreResult<Vec<ResumeListRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
            "SELECT id, file_name, bytes, created_at FROM resumes WHERE member_id = $1 ORDER BY created_at DESC, id DESC"
        )
        .bind(member_id)
        .fetch_all(pool)
        .await
        })?)
    }

    /// Keeps a resume a member uploaded; its id.
    pub async fn add_resume(&self, member_id: i64, resume: &NewResume, now: UnixTime) -> StoreResult<i64> {
        Ok(with_writer!(self, |pool| sqlx::query_scalar(
            "INSERT INTO resumes (member_id, file_name, content_type, content, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(member_id)
        .bind(&resume.file_name)
        .bind(&resume.content_type)
        .bind(&resume.content)
        .bind(resume.content.len() as i64)
        .bind(now)
        .fetch_one(pool)
        .await)?)
    }

    /// One page of the bank's entries matching the search, newest first, as employers see
    /// them (`today` decides which licences are current).
    pub async fn bank_candidates(
        &self,
        search: &BankSearch,
        today: Date,
        page: PageRequest,
    ) -> StoreResult<Page<BankCandidate>> {
        // $1 is unused by the conditions but keeps `$2` today, as `CURRENT_LICENCE` has it.
        let mut values = vec![Value::Int(0), Value::Date(today)];
        let mut clauses = vec!["$1 = $1".to_string()];
        let mut bind = |value: Value, clause: &str| {
            values.push(value);
            clauses.push(clause.replace('?', &format!("${}", values.len())));
        };
        if let Some(d) = search.discipline {
            bind(Value::Text(d.as_str().into()), "b.discipline = ?");
        }
        if let Some(stage) = &search.career_stage {
            bind(Value::Text(stage.clone()), "b.career_stage = ?");
        }
        if let Some(region) = search.region {
            bind(Value::Text(region.code().into()), "b.region = ?");
        }
        if let Some(kind) = &search.licence {
            bind(
                Value::Text(kind.clone()),
                &format!(
                    "EXISTS (SELECT 1 FROM licences l WHERE l.member_id = b.member_id AND l.kind = ? AND {CURRENT_LICENCE})"
                ),
            );
        }
        let from = format!("FROM resume_bank_entries b WHERE {}", clauses.join(" AND "));
        let list =
            format!("SELECT {CANDIDATE_COLUMNS} {from} ORDER BY b.opted_in_at DESC, b.public_ref {}", page.sql());
        let count = format!("SELECT COUNT(*) {from}");
        let (items, total): (Vec<BankCandidate>, i64) = with_reader!(self, |pool| {
            let items = bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(list.as_str())), values).fetch_all(pool).await?;
            let total =
                bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str())), values).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// The licences current today of the entries with these references.
    pub async fn candidate_licences(&self, refs: &[String], today: Date) -> StoreResult<Vec<CandidateLicence>> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..refs.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT b.public_ref, l.kind, l.jurisdiction FROM resume_bank_entries b JOIN licences l ON l.member_id = b.member_id \
             WHERE $1 = $1 AND {CURRENT_LICENCE} AND b.public_ref IN ({}) ORDER BY b.public_ref, l.kind, l.jurisdiction",
            marks.join(", ")
        );
        let mut values = vec![Value::Int(0), Value::Date(today)];
        values.extend(refs.iter().map(|r| Value::Text(r.clone())));
        Ok(with_reader!(self, |pool| bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), values)
            .fetch_all(pool)
            .await)?)
    }

    /// The names of the entries with these references whose members chose to be named.
    pub async fn named_candidates(&self, refs: &[String]) -> StoreResult<Vec<NamedCandidate>> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..refs.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT b.public_ref, m.first_name || ' ' || m.last_name AS name, COALESCE(u.email, m.email) AS email \
             FROM resume_bank_entries b JOIN members m ON m.id = b.member_id LEFT JOIN users u ON u.id = m.user_id \
             WHERE b.confidential = FALSE AND b.public_ref IN ({})",
            marks.join(", ")
        );
        let values: Vec<Value> = refs.iter().map(|r| Value::Text(r.clone())).collect();
        Ok(with_reader!(self, |pool| bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), values)
            .fetch_all(pool)
            .await)?)
    }

    /// The entry with this reference, as employers see it.
    pub async fn bank_candidate(&self, public_ref: &str) -> StoreResult<Option<BankCandidate>> {
        let sql = format!("SELECT {CANDIDATE_COLUMNS} FROM resume_bank_entries b WHERE b.public_ref = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(public_ref)
            .fetch_optional(pool)
            .await)?)
    }

    /// The entry with this reference.
    pub async fn bank_entry_by_ref(&self, public_ref: &str) -> StoreResult<Option<BankEntryRef>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT member_id, confidential, resume_id FROM resume_bank_entries WHERE public_ref = $1"
        )
        .bind(public_ref)
        .fetch_optional(pool)
        .await)?)
    }

    /// Until when an employer's access runs (the latest end of a started order still
    /// running at `now`); `None` without current access.
    pub async fn bank_access_until(&self, employer_id: i64, now: UnixTime) -> StoreResult<Option<UnixTime>> {
        Ok(with_reader!(self, |pool| sqlx::query_scalar(
            "SELECT MAX(ends_at) FROM resume_bank_access WHERE employer_id = $1 AND started_at IS NOT NULL \
             AND started_at <= $2 AND ends_at > $2"
        )
        .bind(employer_id)
        .bind(now)
        .fetch_one(pool)
        .await)?)
    }

    /// Invites the member of the entry `public_ref` to apply to the employer's live job
    /// `job_id`: one per employer, member and job, and at most [`INVITATIONS_A_DAY`] in the
    /// 24 hours before `now`, counted in the insert under a lock on the employer's row.
    #[allow(clippy::too_many_arguments)]
    pub async fn invite_from_bank(
        &self,
        employer_id: i64,
        public_ref: &str,
        job_id: i64,
        message: &str,
        by: i64,
        now: UnixTime,
        today: Date,
    ) -> StoreResult<InvitationOutcome> {
        let insert = format!(
            "INSERT INTO bank_invitations (employer_id, member_id, job_id, public_ref, message, status, sent_by, sent_at, \
             expires_at) SELECT $3, b.member_id, j.id, b.public_ref, $5, 'sent', $6, $1, $9 FROM resume_bank_entries b, jobs j \
             WHERE b.public_ref = $4 AND j.id = $7 AND j.employer_id = $3 AND {LIVE} \
             AND (SELECT COUNT(*) FROM bank_invitations c WHERE c.employer_id = $3 AND c.sent_at > $1 - 86400) < $8 \
             ON CONFLICT (employer_id, member_id, job_id) DO NOTHING RETURNING id, member_id"
        );
        let live = format!("SELECT j.id FROM jobs j WHERE j.id = $3 AND j.employer_id = $4 AND {LIVE}");
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            // The lock: PostgreSQL queues this employer's invitations here (SQLite has one writer).
            sqlx::query("UPDATE employers SET created_at = created_at WHERE id = $1")
                .bind(employer_id)
                .execute(&mut *tx)
                .await?;
            let sent: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(insert.as_str()))
                .bind(now)
                .bind(today)
                .bind(employer_id)
                .bind(public_ref)
                .bind(message)
                .bind(by)
                .bind(job_id)
                .bind(INVITATIONS_A_DAY)
                .bind(now + INVITATION_DAYS * 86_400)
                .fetch_optional(&mut *tx)
                .await?;
            let outcome = match sent {
                Some((id, member_id)) => InvitationOutcome::Sent { id, member_id },
                None => {
                    let member: Option<i64> =
                        sqlx::query_scalar("SELECT member_id FROM resume_bank_entries WHERE public_ref = $1")
                            .bind(public_ref)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let job: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(live.as_str()))
                        .bind(now)
                        .bind(today)
                        .bind(job_id)
                        .bind(employer_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    match (member, job) {
                        (None, _) => InvitationOutcome::NoSuchCandidate,
                        (_, None) => InvitationOutcome::JobNotLive,
                        (Some(member), Some(_)) => {
                            let there: Option<i64> = sqlx::query_scalar(
                                "SELECT id FROM bank_invitations WHERE employer_id = $1 AND member_id = $2 AND job_id = $3",
                            )
                            .bind(employer_id)
                            .bind(member)
                            .bind(job_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                            match there {
                                Some(_) => InvitationOutcome::AlreadyInvited,
                                None => InvitationOutcome::DailyLimitReached,
                            }
                        }
                    }
                }
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcome)
        })?)
    }

    /// A member's invitations, newest first, as they stand at `now`.
    pub async fn member_invitations(&self, member_id: i64, now: UnixTime) -> StoreResult<Vec<MemberInvitationRecord>> {
        let sql =
            format!("{} WHERE i.member_id = $1 ORDER BY i.sent_at DESC, i.id DESC", member_invitation_select("$2"));
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(member_id)
            .bind(now)
            .fetch_all(pool)
            .await)?)
    }

    /// An employer's invitations, newest first, by the entries' references, as they stand at
    /// `now`.
    pub async fn employer_invitations(
        &self,
        employer_id: i64,
        now: UnixTime,
    ) -> StoreResult<Vec<EmployerInvitationRecord>> {
        let sql = format!(
            "SELECT i.id, i.public_ref, i.job_id, j.title AS job_title, {}, i.sent_at, i.expires_at, i.answered_at \
             FROM bank_invitations i JOIN jobs j ON j.id = i.job_id WHERE i.employer_id = $1 \
             ORDER BY i.sent_at DESC, i.id DESC LIMIT 200",
            invitation_status("$2")
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(employer_id)
            .bind(now)
            .fetch_all(pool)
            .await)?)
    }

    /// The member accepts or declines an invitation still waiting and not expired at `now`
    /// (both asked of the row by the update itself); `None` when it is not theirs, already
    /// answered or expired.
    pub async fn answer_invitation(
        &self,
        id: i64,
        member_id: i64,
        accept: bool,
        now: UnixTime,
    ) -> StoreResult<Option<MemberInvitationRecord>> {
        let read = format!("{} WHERE i.id = $1", member_invitation_select("$2"));
        Ok(with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done: Option<i64> = sqlx::query_scalar(
                "UPDATE bank_invitations SET status = $3, answered_at = $4 WHERE id = $1 AND member_id = $2 \
                 AND status = 'sent' AND expires_at > $4 RETURNING id",
            )
            .bind(id)
            .bind(member_id)
            .bind(if accept { InvitationStatus::Accepted } else { InvitationStatus::Declined }.code())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if done.is_none() {
                return Ok(None);
            }
            let row: MemberInvitationRecord =
                sqlx::query_as(sqlx::AssertSqlSafe(read.as_str())).bind(id).bind(now).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Some(row))
        })?)
    }

    /// The first members without an account, by id, with their disciplines and career stage
    /// (the demo's bank: the demo sign-ins join it themselves).
    pub async fn members_for_demo_bank(&self, limit: i64) -> StoreResult<Vec<(i64, String, String)>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT id, disciplines, career_stage FROM members WHERE user_id IS NULL ORDER BY id LIMIT $1"
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }
}
