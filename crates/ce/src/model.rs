//! The engine's input: one member's credentials and activities, interned against a [`RuleBook`].
//!
//! These types are plain data with no heap allocation per activity (sessions live in one
//! shared vector), so a caller evaluating many members can reuse one [`Member`] buffer.
//! The JSON entry point builds them from `evaluate_json` input; the server can build them from
//! its ledger directly.

use time::Date;

use crate::rules::{KindId, TagSet, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicensureMethod {
    Exam,
    Comity,
    Endorsement,
    Other,
}

impl LicensureMethod {
    pub fn parse(s: &str) -> LicensureMethod {
        match s {
            "exam" => LicensureMethod::Exam,
            "comity" => LicensureMethod::Comity,
            "endorsement" => LicensureMethod::Endorsement,
            _ => LicensureMethod::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LicensureMethod::Exam => "exam",
            LicensureMethod::Comity => "comity",
            LicensureMethod::Endorsement => "endorsement",
            LicensureMethod::Other => "other",
        }
    }
}

/// A licence or certification held by the member.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Index of the rule set in the [`RuleBook`](crate::RuleBook) (see `RuleBook::ruleset_index`).
    pub ruleset: usize,
    pub issued: Date,
    /// Current expiry / renewal date on the member's record (needed by expiry-anchored cycles).
    pub expires: Option<Date>,
    pub licensure_method: Option<LicensureMethod>,
    pub birth_date: Option<Date>,
    /// Named numeric fields a rule set may read (e.g. `peak_target_hours`, `leed_specialty_count`),
    /// in millionths.
    pub fields: Vec<(String, i64)>,
}

impl Credential {
    pub fn field(&self, name: &str) -> Option<i64> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// How an activity is placed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Date(Date),
    /// `len` sessions starting at `start` in [`Member::sessions`].
    Sessions {
        start: u32,
        len: u32,
    },
    Span {
        start: Date,
        end: Date,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub date: Date,
    /// Hours in millionths.
    pub hours: i64,
}

/// One logged activity.
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    /// Rank of the activity's id among the member's activity ids (ties in dates are broken by it,
    /// so results never depend on the order activities are listed in).
    pub rank: u32,
    pub kind: KindId,
    pub tags: TagSet,
    pub when: When,
    /// Quantity in millionths of `unit` (for sessions: the sum of session hours).
    pub quantity: i64,
    pub unit: Unit,
    /// Jurisdictions (interned) that approved the provider.
    pub approvals: u32,
    /// Attributes recorded true / false (interned condition names).
    pub attrs_true: u64,
    pub attrs_false: u64,
    /// Organisation id for per-organisation caps (0 = none recorded).
    pub org: u32,
}

impl Activity {
    /// The date the activity is placed on when nothing more specific applies: its date, last
    /// session, or end.
    #[inline]
    pub fn reference_date(&self, sessions: &[Session]) -> Date {
        match self.when {
            When::Date(d) => d,
            When::Span { end, .. } => end,
            When::Sessions { start, len } => sessions
                .get(start as usize..(start + len) as usize)
                .and_then(|s| s.iter().map(|s| s.date).max())
                .unwrap_or(Date::MIN),
        }
    }
}

/// One member's evaluation input.
#[derive(Debug, Clone, Default)]
pub struct Member {
    pub as_of: Option<Date>,
    pub credentials: Vec<Credential>,
    pub activities: Vec<Activity>,
    pub sessions: Vec<Session>,
    /// For each diversity prefix of the book (`RuleBook::diversity_prefixes`), the set of tag ids
    /// (book or member-local) that start with it.
    pub diversity_masks: Vec<TagSet>,
}

impl Member {
    pub fn clear(&mut self) {
        self.as_of = None;
        self.credentials.clear();
        self.activities.clear();
        self.sessions.clear();
        self.diversity_masks.clear();
    }
}
