//! The CE ledger's rows: credentials as the engine needs them, activities, sessions,
//! evidence, programmes.

use guildhall_domain::member::{CredentialSource, Jurisdiction, LicenceKind};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::UnixTime;

/// A licence or certification as the CE engine needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct CeCredentialRow {
    pub member_id: i64,
    #[sqlx(try_from = "String")]
    pub source: CredentialSource,
    pub id: i64,
    /// Licence: jurisdiction (e.g. `US-TX`); certification: its name.
    pub label: String,
    /// Licence: kind (`PE`, `SE`, `P.ENG`, …: a `LicenceKind` code); certification: the certifying body.
    pub detail: String,
    pub number: String,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub licensure_method: Option<String>,
    /// The rule set chosen for a certification (licences are matched by jurisdiction and kind).
    pub ruleset: Option<String>,
    /// Figures the rule set reads from the record, as space-separated `name=value` pairs
    /// (`peak_target_hours=30`).
    pub ce_fields: String,
}

impl CeCredentialRow {
    /// Stable key of the credential within its member (`licence-12`, `certification-3`).
    pub fn key(&self) -> String {
        format!("{}-{}", self.source, self.id)
    }
}

/// One logged activity, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct CeActivityRecord {
    pub id: i64,
    pub member_id: i64,
    pub title: String,
    pub kind: String,
    /// Space-separated topic tags.
    pub tags: String,
    pub occurred_on: Option<Date>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub quantity_micro: i64,
    pub unit: String,
    pub provider: String,
    /// Space-separated jurisdictions whose board approved the provider.
    pub provider_approvals: String,
    pub organisation: String,
    /// Space-separated `name=yes` / `name=no` attributes.
    pub attributes: String,
    /// Where the record came from: `member`, `staff`, `event`, `roster`.
    pub source: String,
    pub source_ref: Option<String>,
    pub recorded_by: Option<i64>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct CeSessionRecord {
    pub activity_id: i64,
    pub session_on: Date,
    pub hours_micro: i64,
}

/// An evidence file's description (its bytes are read only when downloaded).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct CeEvidenceRecord {
    pub id: i64,
    pub activity_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub uploaded_at: UnixTime,
    pub retain_until: Date,
}

/// A member's ledger: activities with their sessions and evidence.
#[derive(Debug, Clone, Default)]
pub struct CeLedger {
    pub activities: Vec<CeActivityRecord>,
    pub sessions: Vec<CeSessionRecord>,
    pub evidence: Vec<CeEvidenceRecord>,
}

impl CeLedger {
    /// Puts the rows in the order they are shown and judged: activities newest first,
    /// sessions and evidence by activity, then by day and by upload. Sorting the few rows of
    /// one member here costs less than sorting them in the statement (for SQLite, a
    /// temporary B-tree per aggregate).
    pub(crate) fn sort(&mut self) {
        self.activities.sort_by_key(|a| std::cmp::Reverse(a.id));
        self.sessions.sort_by_key(|s| (s.activity_id, s.session_on));
        self.evidence.sort_by_key(|e| (e.activity_id, e.id));
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewCeActivity {
    pub member_id: i64,
    pub title: String,
    pub kind: String,
    pub tags: String,
    pub occurred_on: Option<Date>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub sessions: Vec<(Date, i64)>,
    pub quantity_micro: i64,
    pub unit: String,
    pub provider: String,
    pub provider_approvals: String,
    pub organisation: String,
    pub attributes: String,
    pub source: String,
    pub source_ref: Option<String>,
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewCeEvidence {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub retain_until: Date,
}

/// What recording an activity did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// An activity with the same source and source reference was recorded before (credit
    /// arriving twice from an event or a roster counts once).
    AlreadyRecorded(i64),
}

#[derive(Debug, Clone)]
pub struct NewCeLicence {
    pub jurisdiction: Jurisdiction,
    pub kind: LicenceKind,
    pub number: String,
    pub first_issued: Date,
    pub expires_on: Option<Date>,
    pub licensure_method: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewCeCertification {
    pub name: String,
    pub body: String,
    pub number: String,
    pub issued_on: Date,
    pub expires_on: Option<Date>,
    pub ruleset: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CeProgrammeRecord {
    pub id: i64,
    pub ruleset_id: String,
    pub file_name: String,
    pub source: String,
    pub created_by: Option<i64>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}
