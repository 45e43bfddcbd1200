//! The continuing-education ledger: the credentials the engine judges (licences and
//! certifications), logged activities with their sessions and evidence files, the CE
//! reminders sent, and staff-defined programmes (rule files kept in the database).
//!
//! Files: `mod.rs` (the queries, including the bulk reader for reports and reminders),
//! `records.rs` (its rows).

pub mod records;

pub use records::*;

use guildhall_domain::member::CredentialSource;
use time::Date;

use crate::engine::{audited, insert_audit};
use crate::json_rows::{JsonRows, from_json_rows};

/// Inserts an activity and its sessions inside a transaction; evaluates to its id.
macro_rules! insert_activity {
    ($tx:expr, $activity:expr, $now:expr) => {
        async {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO ce_activities (member_id, title, kind, tags, occurred_on, starts_on, ends_on, \
                 quantity_micro, unit, provider, provider_approvals, organisation, attributes, source, source_ref, \
                 recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                 $16, $17) RETURNING id",
            )
            .bind($activity.member_id)
            .bind(&$activity.title)
            .bind(&$activity.kind)
            .bind(&$activity.tags)
            .bind($activity.occurred_on)
            .bind($activity.starts_on)
            .bind($activity.ends_on)
            .bind($activity.quantity_micro)
            .bind(&$activity.unit)
            .bind(&$activity.provider)
            .bind(&$activity.provider_approvals)
            .bind(&$activity.organisation)
            .bind(&$activity.attributes)
            .bind(&$activity.source)
            .bind(&$activity.source_ref)
            .bind($activity.recorded_by)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
            for (date, hours) in &$activity.sessions {
                sqlx::query(
                    "INSERT INTO ce_activity_sessions (activity_id, session_on, hours_micro, member_id) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(*date)
                .bind(*hours)
                .bind($activity.member_id)
                .execute(&mut *$tx)
                .await?;
            }
            Ok::<i64, sqlx::Error>(id)
        }
        .await
    };
}

/// Inserts an evidence file for an activity inside a transaction; evaluates to its id.
macro_rules! insert_evidence {
    ($tx:expr, $activity_id:expr, $file:expr, $now:expr) => {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO ce_evidence (activity_id, file_name, content_type, byte_size, sha256, content, uploaded_at, \
             retain_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind($activity_id)
        .bind(&$file.file_name)
        .bind(&$file.content_type)
        .bind($file.content.len() as i64)
        .bind(&$file.sha256)
        .bind(&$file.content)
        .bind($now)
        .bind($file.retain_until)
        .fetch_one(&mut *$tx)
        .await
        .map(|(id,)| id)
    };
}
use crate::{NewAuditEntry, Store, StoreError, StoreResult, UnixTime, with_reader, with_writer};

const CREDENTIAL_SELECT: &str = "SELECT member_id, 'licence' AS source, id, jurisdiction AS label, kind AS detail, number, \
     first_issued AS issued_on, expires_on, licensure_method, CAST(NULL AS TEXT) AS ruleset, ce_fields FROM licences \
     WHERE {where} UNION ALL SELECT member_id, 'certification' AS source, id, name AS label, body AS detail, number, \
     issued_on, expires_on, CAST(NULL AS TEXT) AS licensure_method, ruleset, ce_fields FROM certifications \
     WHERE {where}";
/// Licences before certifications, each in the order they were added (per member).
const CREDENTIAL_ORDER: &str = " ORDER BY member_id, source DESC, id";
/// What the engine reads of an activity, for bulk evaluation (no titles, sources or evidence).
const BULK_ACTIVITY_SQL: &str = "SELECT member_id, id, kind, tags, occurred_on, starts_on, ends_on, quantity_micro, \
     unit, provider, provider_approvals, organisation, attributes FROM ce_activities \
     WHERE member_id > $1 AND member_id <= $2 ORDER BY member_id, id";

/// Credentials and activities of a range of members, read for bulk evaluation: only what the
/// engine reads, in member order. Activity rows are kept as the database returned them and
/// read in place ([`CeBulk::activities`]), so a million members' ledgers are not copied into
/// a string per field.
pub struct CeBulk {
    pub credentials: Vec<CeCredentialRow>,
    /// Sessions of multi-day activities, by activity id.
    pub sessions: Vec<CeSessionRecord>,
    activities: BulkRows,
}

enum BulkRows {
    Sqlite(Vec<sqlx::sqlite::SqliteRow>),
    Postgres(Vec<sqlx::postgres::PgRow>),
}

/// One activity of a [`CeBulk`], borrowed from its row.
#[derive(Debug, Clone, Copy)]
pub struct CeBulkActivity<'r> {
    pub member_id: i64,
    pub id: i64,
    pub kind: &'r str,
    /// Space-separated topic tags.
    pub tags: &'r str,
    pub occurred_on: Option<Date>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub quantity_micro: i64,
    pub unit: &'r str,
    pub provider: &'r str,
    /// Space-separated jurisdictions whose board approved the provider.
    pub provider_approvals: &'r str,
    pub organisation: &'r str,
    /// Space-separated `name=yes` / `name=no` attributes.
    pub attributes: &'r str,
}

/// Reads a [`CeBulkActivity`] out of a row of [`BULK_ACTIVITY_SQL`] (either engine).
macro_rules! bulk_activity {
    ($row:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        Ok::<_, sqlx::Error>(CeBulkActivity {
            member_id: row.try_get(0)?,
            id: row.try_get(1)?,
            kind: row.try_get(2)?,
            tags: row.try_get(3)?,
            occurred_on: row.try_get(4)?,
            starts_on: row.try_get(5)?,
            ends_on: row.try_get(6)?,
            quantity_micro: row.try_get(7)?,
            unit: row.try_get(8)?,
            provider: row.try_get(9)?,
            provider_approvals: row.try_get(10)?,
            organisation: row.try_get(11)?,
            attributes: row.try_get(12)?,
        })
    }};
}

impl CeBulk {
    pub fn activity_count(&self) -> usize {
        match &self.activities {
            BulkRows::Sqlite(rows) => rows.len(),
            BulkRows::Postgres(rows) => rows.len(),
        }
    }

    /// The activities, ordered by member and id.
    pub fn activities(&self) -> impl Iterator<Item = StoreResult<CeBulkActivity<'_>>> + '_ {
        (0..self.activity_count()).map(move |i| {
            match &self.activities {
                BulkRows::Sqlite(rows) => bulk_activity!(&rows[i]),
                BulkRows::Postgres(rows) => bulk_activity!(&rows[i]),
            }
            .map_err(StoreError::from)
        })
    }
}

const ACTIVITY_COLUMNS: &str = "a.id, a.member_id, a.title, a.kind, a.tags, a.occurred_on, a.starts_on, a.ends_on, \
     a.quantity_micro, a.unit, a.provider, a.provider_approvals, a.organisation, a.attributes, a.source, a.source_ref, \
     a.recorded_by, a.created_at";
const EVIDENCE_COLUMNS: &str =
    "e.id, e.activity_id, e.file_name, e.content_type, e.byte_size, e.sha256, e.uploaded_at, e.retain_until";

const SESSION_COLUMNS: &str = "s.activity_id, s.session_on, s.hours_micro";

/// A member's credentials, and their ledger without evidence: what the engine judges.
pub type CeEvaluationInput = (Vec<CeCredentialRow>, CeLedger);

/// Three columns (`ce_credentials`, `ce_activities`, `ce_sessions`, each a JSON array of rows) holding
/// what judging the member whose id is the SQL expression `member` needs; read them with
/// [`ce_evaluation_input_from`]. The dashboard's statement includes them too.
pub(crate) fn ce_evaluation_columns(json: &JsonRows, member: &str) -> String {
    let credentials_sql = credential_sql(&format!("member_id = {member}"));
    format!(
        "{}, {}, {}",
        json.rows(
            "c.member_id, c.source, c.id, c.label, c.detail, c.number, c.issued_on, c.expires_on, \
             c.licensure_method, c.ruleset, c.ce_fields",
            &format!("({credentials_sql}) c"),
        ) + " AS ce_credentials",
        json.rows(ACTIVITY_COLUMNS, &format!("ce_activities a WHERE a.member_id = {member}")) + " AS ce_activities",
        json.rows(
            SESSION_COLUMNS,
            &format!(
                "ce_activity_sessions s JOIN ce_activities a ON a.id = s.activity_id WHERE a.member_id = {member}"
            ),
        ) + " AS ce_sessions",
    )
}

pub(crate) fn ce_evaluation_input_from(
    credentials: &str,
    activities: &str,
    sessions: &str,
) -> StoreResult<CeEvaluationInput> {
    let mut credentials: Vec<CeCredentialRow> = from_json_rows(credentials, "credentials")?;
    credentials.sort_by_key(|c| (c.source != CredentialSource::Licence, c.id));
    let mut ledger = CeLedger {
        activities: from_json_rows(activities, "activities")?,
        sessions: from_json_rows(sessions, "activity sessions")?,
        evidence: Vec::new(),
    };
    ledger.sort();
    Ok((credentials, ledger))
}

fn credential_sql(condition: &str) -> String {
    CREDENTIAL_SELECT.replace("{where}", condition)
}

impl Store {
    /// A member's licences and certifications, licences first.
    pub async fn ce_credentials(&self, member_id: i64) -> StoreResult<Vec<CeCredentialRow>> {
        let sql = credential_sql("member_id = $1") + CREDENTIAL_ORDER;
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(member_id)
            .fetch_all(pool)
            .await)?)
    }

    /// A member's activities (newest first), their sessions and evidence descriptions.
    pub async fn ce_ledger(&self, member_id: i64) -> StoreResult<CeLedger> {
        self.ce_ledger_where("a.member_id = $1", member_id, member_id).await
    }

    /// What judging one member needs: their credentials, activities and sessions (no
    /// evidence), in one statement.
    pub async fn ce_evaluation_input(&self, member_id: i64) -> StoreResult<CeEvaluationInput> {
        let sql = format!("SELECT {}", ce_evaluation_columns(&self.json_rows(), "$1"));
        let (credentials, activities, sessions): (String, String, String) = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_one(pool).await
        })?;
        ce_evaluation_input_from(&credentials, &activities, &sessions)
    }

    /// One activity of a member, with its sessions and evidence.
    pub async fn ce_activity(&self, member_id: i64, activity_id: i64) -> StoreResult<CeLedger> {
        self.ce_ledger_where("a.member_id = $1 AND a.id = $2", member_id, activity_id).await
    }

    /// Activities matching `condition` (over `ce_activities a`, with `$1` and `$2`), with
    /// their sessions and evidence, in one statement. `$2` is always bound; the outer
    /// `$2 = $2` names it for conditions that do not.
    async fn ce_ledger_where(&self, condition: &str, p1: i64, p2: i64) -> StoreResult<CeLedger> {
        let json = self.json_rows();
        let sql = format!(
            "SELECT {}, {}, {} WHERE $2 = $2",
            json.rows(ACTIVITY_COLUMNS, &format!("ce_activities a WHERE {condition}")),
            json.rows(
                SESSION_COLUMNS,
                &format!("ce_activity_sessions s JOIN ce_activities a ON a.id = s.activity_id WHERE {condition}"),
            ),
            json.rows(
                EVIDENCE_COLUMNS,
                &format!("ce_evidence e JOIN ce_activities a ON a.id = e.activity_id WHERE {condition}"),
            ),
        );
        let (activities, sessions, evidence): (String, String, String) = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(p1).bind(p2).fetch_one(pool).await
        })?;
        let mut ledger = CeLedger {
            activities: from_json_rows(&activities, "activities")?,
            sessions: from_json_rows(&sessions, "activity sessions")?,
            evidence: from_json_rows(&evidence, "evidence files")?,
        };
        ledger.sort();
        Ok(ledger)
    }

    /// Credentials, activities and sessions of members with ids in `(after, up_to]`, for bulk
    /// evaluation (the staff compliance report).
    pub async fn ce_bulk(&self, after: i64, up_to: i64) -> StoreResult<CeBulk> {
        let cred_sql = credential_sql("member_id > $1 AND member_id <= $2") + CREDENTIAL_ORDER;
        let sessions_sql = "SELECT activity_id, session_on, hours_micro FROM ce_activity_sessions \
             WHERE member_id > $1 AND member_id <= $2 ORDER BY activity_id, session_on";
        macro_rules! read {
            ($pool:expr, $rows:path) => {{
                let credentials = sqlx::query_as(sqlx::AssertSqlSafe(cred_sql.as_str()))
                    .bind(after)
                    .bind(up_to)
                    .fetch_all($pool)
                    .await?;
                let sessions = sqlx::query_as(sessions_sql).bind(after).bind(up_to).fetch_all($pool).await?;
                let rows = sqlx::query(BULK_ACTIVITY_SQL).bind(after).bind(up_to).fetch_all($pool).await?;
                Ok::<_, StoreError>(CeBulk { credentials, sessions, activities: $rows(rows) })
            }};
        }
        match &self.engine {
            crate::Engine::Sqlite { read, .. } => read!(read, BulkRows::Sqlite),
            crate::Engine::Postgres(pool) => read!(pool, BulkRows::Postgres),
        }
    }

    /// The highest member id (0 when there are no members): bulk readers walk id ranges up to it.
    pub async fn max_member_id(&self) -> StoreResult<i64> {
        let (max,): (Option<i64>,) =
            with_reader!(self, |pool| sqlx::query_as("SELECT MAX(id) FROM members").fetch_one(pool).await)?;
        Ok(max.unwrap_or(0))
    }

    /// Records an activity (with its sessions and an optional evidence file) in one
    /// transaction. An activity whose `source` and `source_ref` were recorded before is not
    /// recorded again.
    pub async fn record_ce_activity(
        &self,
        activity: &NewCeActivity,
        evidence: Option<&NewCeEvidence>,
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<Recorded> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(source_ref) = &activity.source_ref {
                let seen: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM ce_activities WHERE source = $1 AND source_ref = $2")
                        .bind(&activity.source)
                        .bind(source_ref)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some((id,)) = seen {
                    return Ok(Recorded::AlreadyRecorded(id));
                }
            }
            let id = insert_activity!(tx, activity, now)?;
            if let Some(file) = evidence {
                insert_evidence!(tx, id, file, now)?;
            }
            if let Some(audit) = audit {
                let mut audit = audit.clone();
                audit.subject_id = Some(id);
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(Recorded::New(id))
        })
    }

    /// Records many activities in one transaction (demo data, roster imports); activities
    /// must not carry a `source_ref` that is already recorded.
    pub async fn insert_ce_activities(&self, activities: &[NewCeActivity], now: UnixTime) -> StoreResult<usize> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            for activity in activities {
                insert_activity!(tx, activity, now)?;
            }
            tx.commit().await?;
            Ok(activities.len())
        })
    }

    /// Adds an evidence file to a member's activity.
    pub async fn add_ce_evidence(
        &self,
        member_id: i64,
        activity_id: i64,
        file: &NewCeEvidence,
        now: UnixTime,
    ) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let owner: Option<(i64,)> = sqlx::query_as("SELECT id FROM ce_activities WHERE id = $1 AND member_id = $2")
                .bind(activity_id)
                .bind(member_id)
                .fetch_optional(&mut *tx)
                .await?;
            if owner.is_none() {
                return Err(StoreError::NotFound);
            }
            let id = insert_evidence!(tx, activity_id, file, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// An evidence file of a member's activity: its description and bytes.
    pub async fn ce_evidence_file(
        &self,
        member_id: i64,
        evidence_id: i64,
    ) -> StoreResult<Option<(CeEvidenceRecord, Vec<u8>)>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM ce_evidence e JOIN ce_activities a ON a.id = e.activity_id \
             WHERE e.id = $1 AND a.member_id = $2"
        );
        with_reader!(self, |pool| {
            let record: Option<CeEvidenceRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(evidence_id)
                .bind(member_id)
                .fetch_optional(pool)
                .await?;
            let Some(record) = record else { return Ok(None) };
            let (content,): (Vec<u8>,) = sqlx::query_as("SELECT content FROM ce_evidence WHERE id = $1")
                .bind(evidence_id)
                .fetch_one(pool)
                .await?;
            Ok(Some((record, content)))
        })
    }

    /// Deletes a member's activity (its sessions and evidence go with it). `false` when the
    /// member has no such activity.
    pub async fn delete_ce_activity(
        &self,
        member_id: i64,
        activity_id: i64,
        audit: Option<&NewAuditEntry>,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM ce_activities WHERE id = $1 AND member_id = $2")
                .bind(activity_id)
                .bind(member_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                return Ok(false);
            }
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn add_ce_licence(
        &self,
        member_id: i64,
        licence: &NewCeLicence,
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO licences (member_id, jurisdiction, kind, number, first_issued, expires_on, \
                 licensure_method, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(member_id)
            .bind(licence.jurisdiction.as_str())
            .bind(licence.kind.code())
            .bind(&licence.number)
            .bind(licence.first_issued)
            .bind(licence.expires_on)
            .bind(&licence.licensure_method)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn add_ce_certification(
        &self,
        member_id: i64,
        certification: &NewCeCertification,
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<i64> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO certifications (member_id, name, body, number, issued_on, expires_on, ruleset, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(member_id)
            .bind(&certification.name)
            .bind(&certification.body)
            .bind(&certification.number)
            .bind(certification.issued_on)
            .bind(certification.expires_on)
            .bind(&certification.ruleset)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Removes a member's licence or certification. `false` when the
    /// member has no such credential.
    pub async fn remove_ce_credential(
        &self,
        member_id: i64,
        source: CredentialSource,
        id: i64,
        audit: Option<&NewAuditEntry>,
    ) -> StoreResult<bool> {
        let sql = match source {
            CredentialSource::Licence => "DELETE FROM licences WHERE id = $1 AND member_id = $2",
            CredentialSource::Certification => "DELETE FROM certifications WHERE id = $1 AND member_id = $2",
        };
        self.change_credential(sql, member_id, id, None, audit).await
    }

    /// Records the figures a rule set reads from a member's licence or certification (`fields`
    /// as `name=value` pairs) with its audit entry; `false` if the member holds no such credential.
    pub async fn set_ce_fields(
        &self,
        member_id: i64,
        source: CredentialSource,
        id: i64,
        fields: &str,
        audit: &NewAuditEntry,
    ) -> StoreResult<bool> {
        let sql = match source {
            CredentialSource::Licence => "UPDATE licences SET ce_fields = $3 WHERE id = $1 AND member_id = $2",
            CredentialSource::Certification => {
                "UPDATE certifications SET ce_fields = $3 WHERE id = $1 AND member_id = $2"
            }
        };
        self.change_credential(sql, member_id, id, Some(fields), Some(audit)).await
    }

    /// Runs `sql` (`$1` the credential's id, `$2` its member, `$3` the optional text) and the
    /// audit entry in one transaction; `false`, changing nothing, when no row matched.
    async fn change_credential(
        &self,
        sql: &'static str,
        member_id: i64,
        id: i64,
        text: Option<&str>,
        audit: Option<&NewAuditEntry>,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut query = sqlx::query(sql).bind(id).bind(member_id);
            if let Some(text) = text {
                query = query.bind(text);
            }
            if query.execute(&mut *tx).await?.rows_affected() == 0 {
                return Ok(false);
            }
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The CE reminders already sent for periods ending on or after `from`, as (member,
    /// credential key, period end, offset in days).
    pub async fn ce_reminders_sent(&self, from: Date) -> StoreResult<Vec<(i64, String, Date, i64)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT member_id, credential_key, period_end, offset_days FROM ce_reminders WHERE period_end >= $1",
            )
            .bind(from)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Queues a CE reminder unless it was sent before (one per member, credential, period
    /// end and offset); `false` if it had been sent already. The record and the mail are
    /// written together.
    pub async fn record_ce_reminder(
        &self,
        member_id: i64,
        credential_key: &str,
        period_end: Date,
        offset_days: i64,
        mail: &crate::NewMail,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO ce_reminders (member_id, credential_key, period_end, offset_days, sent_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id, credential_key, period_end, offset_days) DO NOTHING",
            )
            .bind(member_id)
            .bind(credential_key)
            .bind(period_end)
            .bind(offset_days)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Ok(false);
            }
            crate::outbox::insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Member numbers, names and chapters of members with ids in `(after, up_to]`.
    pub async fn member_names(&self, after: i64, up_to: i64) -> StoreResult<Vec<(i64, String, String, Option<i64>)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, member_number, first_name || ' ' || last_name, home_chapter_id FROM members \
                 WHERE id > $1 AND id <= $2",
            )
            .bind(after)
            .bind(up_to)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Records that staff asked a member for the facts the CE rules need, with the email and
    /// its audit entry, once per member and day: `false` (nothing written, nothing sent) when
    /// the member was already asked on `day` (the primary key decides).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_ce_fact_request(
        &self,
        member_id: i64,
        day: Date,
        facts: &str,
        requested_by: i64,
        mail: &crate::NewMail,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO ce_fact_requests (member_id, requested_on, facts, requested_by, requested_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id, requested_on) DO NOTHING",
            )
            .bind(member_id)
            .bind(day)
            .bind(facts)
            .bind(requested_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Ok(false);
            }
            crate::outbox::insert_mail!(tx, mail, now)?;
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn ce_programmes(&self) -> StoreResult<Vec<CeProgrammeRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, ruleset_id, file_name, source, created_by, created_at, updated_at FROM ce_programmes \
                 ORDER BY ruleset_id",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// Adds a programme, or replaces the rule file of the programme with the same rule set id.
    pub async fn save_ce_programme(
        &self,
        ruleset_id: &str,
        file_name: &str,
        source: &str,
        created_by: Option<i64>,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM ce_programmes WHERE ruleset_id = $1")
                    .bind(ruleset_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let id = match existing {
                    Some((id,)) => {
                        sqlx::query(
                            "UPDATE ce_programmes SET file_name = $1, source = $2, updated_at = $3 WHERE id = $4",
                        )
                        .bind(file_name)
                        .bind(source)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        id
                    }
                    None => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO ce_programmes (ruleset_id, file_name, source, created_by, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                        )
                        .bind(ruleset_id)
                        .bind(file_name)
                        .bind(source)
                        .bind(created_by)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        id
                    }
                };
                let mut audit = audit.clone();
                audit.subject_id = Some(id);
                id
            },
            audit
        )
    }
}
