//! The evaluation result (serialised by `evaluate_json`; documented in docs/ce-evaluate.md).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::amount::Credit;

/// Status of one period (or of a credential: the status of its current period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Compliant,
    Deficient,
    Exempt,
    InProgress,
    NotRequired,
    Undecidable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Compliant => "compliant",
            Status::Deficient => "deficient",
            Status::Exempt => "exempt",
            Status::InProgress => "in_progress",
            Status::NotRequired => "not_required",
            Status::Undecidable => "undecidable",
        }
    }
}

/// A map that keeps the rule file's order of minimums.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Ordered<V> {
    pub fn get(&self, k: &str) -> Option<&V> {
        self.0.iter().find(|(key, _)| key == k).map(|(_, v)| v)
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Required {
    /// `null` when the rule files do not establish it (see `undecidable`).
    pub total: Option<Credit>,
    pub minimums: Ordered<Option<Credit>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Credited {
    /// Everything that counts in this period, carry-in included.
    pub total: Credit,
    pub carried_in: Credit,
    /// Credit not allocated to any top-level minimum.
    pub general: Credit,
    /// Credit allocated to each minimum (a nested minimum's credit also counts in its parent's).
    pub minimums: Ordered<Credit>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shortfall {
    pub total: Option<Credit>,
    pub minimums: Ordered<Option<Credit>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapResult {
    pub id: String,
    pub max: Option<Credit>,
    pub scope: &'static str,
    /// Credit the cap applied to, before trimming.
    pub matched: Credit,
    pub trimmed: Credit,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ActivityResult {
    pub id: String,
    /// Credit the activity converts to in this period, before caps.
    pub earned: Credit,
    /// Credit that counts in this period (for carried-in entries: the carried credit).
    pub credited: Credit,
    /// Credit removed by caps (included in `disallowed`).
    pub capped: Credit,
    /// Credit that does not count: caps plus failed conditions.
    pub disallowed: Credit,
    pub carried_in: Credit,
    pub carried_out: Credit,
    /// Minimums this activity's credit was allocated to.
    pub counts_toward: Vec<String>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodResult {
    pub start: String,
    pub end: String,
    pub ruleset_version: String,
    pub status: Status,
    pub required: Required,
    pub credited: Credited,
    pub shortfall: Shortfall,
    pub carry_in: Credit,
    /// `null` when it cannot be decided.
    pub carry_out: Option<Credit>,
    pub caps: Vec<CapResult>,
    pub activities: Vec<ActivityResult>,
    /// Plain-words list of what is still needed (open periods only).
    pub still_needed: Vec<String>,
    /// Parts of the rules the engine cannot decide, in words.
    pub undecidable: Vec<String>,
    pub notes: Vec<String>,
    /// Whether this is the credential's first period (the one containing its issue date).
    pub first_period: bool,
    /// Why the period is exempt, in words, citing the rule (`null` unless `status` is `exempt`).
    pub exempt_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotCounted {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CredentialResult {
    pub id: String,
    pub ruleset: String,
    pub ruleset_name: String,
    pub credit_unit: String,
    /// Status of the period containing `as_of` (or `not_required`).
    pub status: Status,
    pub periods: Vec<PeriodResult>,
    /// Activities that count in no period of this credential, with the reason.
    pub not_counted: Vec<NotCounted>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evaluation {
    pub format: &'static str,
    pub as_of: String,
    pub credentials: Vec<CredentialResult>,
}
