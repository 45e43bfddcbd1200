//! Rule files: the TOML schema, loading with validation, and the compiled [`RuleBook`].
//!
//! One file per licensing board or certification body (see `rules/` at the repository root).
//! A file holds its `[[source]]` entries and one or more `[[ruleset]]` versions of the same
//! rule set, each with optional `effective_from` / `effective_until` dates. A period is judged
//! by the version in force on the period's last day (its renewal deadline).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use time::Date;
use toml::Spanned;

use crate::CeError;
use crate::amount::{Amount, MICRO, micro_from_f64};
use crate::dates::ymd;

// ---------------------------------------------------------------------------------------------
// Raw schema (what the TOML says)
// ---------------------------------------------------------------------------------------------

/// A number, or the string "unknown".
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawNum(Amount);

impl<'de> Deserialize<'de> for RawNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawNum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or the string \"unknown\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNum, E> {
                v.checked_mul(MICRO)
                    .map(|m| RawNum(Amount::Known(m)))
                    .ok_or_else(|| E::custom(format!("number {v} is too large")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNum, E> {
                self.visit_i64(i64::try_from(v).map_err(|_| E::custom("number too large"))?)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNum, E> {
                micro_from_f64(v)
                    .map(|m| RawNum(Amount::Known(m)))
                    .ok_or_else(|| E::custom(format!("number {v} is out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawNum, E> {
                if v == "unknown" {
                    Ok(RawNum(Amount::Unknown))
                } else {
                    Err(E::custom(format!("expected a number or \"unknown\", found the string \"{v}\"")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `end_day` may be a number or "last".
#[derive(Debug, Clone)]
pub(crate) enum RawDay {
    Day(u8),
    Last,
}

impl<'de> Deserialize<'de> for RawDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawDay;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a day of the month (1-31) or \"last\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDay, E> {
                if (1..=31).contains(&v) {
                    Ok(RawDay::Day(v as u8))
                } else {
                    Err(E::custom(format!("day {v} is not between 1 and 31")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDay, E> {
                if v == "last" {
                    Ok(RawDay::Last)
                } else {
                    Err(E::custom(format!("expected a day or \"last\", found \"{v}\"")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Bool or "unknown".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl<'de> Deserialize<'de> for Tri {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Tri;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or \"unknown\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tri, E> {
                Ok(if v { Tri::Yes } else { Tri::No })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tri, E> {
                if v == "unknown" {
                    Ok(Tri::Unknown)
                } else {
                    Err(E::custom(format!("expected true, false or \"unknown\", found \"{v}\"")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

type Sp<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema_version: Sp<String>,
    #[allow(dead_code)]
    snapshot_note: Option<String>,
    engine_defaults: Option<BTreeMap<String, Sp<toml::Value>>>,
    #[serde(default)]
    source: Vec<Sp<RawSource>>,
    #[serde(default)]
    ruleset: Vec<Sp<RawRuleset>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawSource {
    id: String,
    title: String,
    url: Option<String>,
    kind: Sp<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawRuleset {
    id: Sp<String>,
    version: Sp<String>,
    effective_from: Option<Sp<toml::value::Datetime>>,
    effective_until: Option<Sp<toml::value::Datetime>>,
    name: String,
    authority: String,
    credential_type: Sp<String>,
    jurisdiction: String,
    status: Sp<String>,
    credit_unit: Sp<String>,
    unit_definition: Option<String>,
    contact_hour_rounding: Option<Sp<RawRounding>>,
    contact_hour_credit: Option<RawNum>,
    confidence: Option<Sp<String>>,
    last_checked: Option<toml::value::Datetime>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    #[serde(default)]
    notes: Vec<String>,
    cycle: Option<Sp<RawCycle>>,
    requirement: Option<Sp<RawRequirement>>,
    #[serde(default)]
    minimum: Vec<Sp<RawMinimum>>,
    #[serde(default)]
    maximum: Vec<Sp<RawMaximum>>,
    #[serde(default)]
    exclusion: Vec<Sp<RawExclusion>>,
    #[serde(default)]
    diversity: Vec<Sp<RawDiversity>>,
    #[serde(default)]
    credit_rule: Vec<Sp<RawCreditRule>>,
    carryover: Option<Sp<RawCarryover>>,
    first_period: Option<Sp<RawFirstPeriod>>,
    proration: Option<Sp<RawProration>>,
    records: Option<Sp<RawRecords>>,
    #[serde(default)]
    exemption: Vec<Sp<RawExemption>>,
    #[serde(default)]
    conflict: Vec<Sp<RawConflict>>,
    policy: Option<BTreeMap<String, Sp<toml::Value>>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawRounding {
    increment: RawNum,
    mode: Sp<String>,
    minimum: Option<RawNum>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawNth {
    nth_occurrence: u32,
    month: u8,
    day: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawCycle {
    length_months: RawNum,
    anchor: Sp<String>,
    end_month: Option<u8>,
    end_day: Option<RawDay>,
    year_parity: Option<Sp<String>>,
    expiration_assignment: Option<String>,
    birth_month_alignment: Option<bool>,
    first_period_end: Option<RawNth>,
    reporting_interval_months: Option<u32>,
    grace_days: Option<u32>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawRequirement {
    total: Option<RawNum>,
    total_member_field: Option<String>,
    total_max: Option<RawNum>,
    #[serde(default)]
    non_credit_items: Vec<String>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawMinimum {
    id: String,
    label: Option<String>,
    hours: RawNum,
    parent: Option<String>,
    #[serde(default)]
    satisfied_by_tags: Vec<String>,
    #[serde(default)]
    satisfied_by_kinds: Vec<String>,
    provider_approved_by: Option<String>,
    carryover_may_satisfy: Option<bool>,
    scope: Option<Sp<String>>,
    applies_if: Option<Sp<String>>,
    hours_multiplier_field: Option<String>,
    effective_from: Option<toml::value::Datetime>,
    #[serde(default)]
    alternative_satisfiers: Vec<String>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawMaximum {
    id: String,
    max: RawNum,
    #[serde(default)]
    applies_to_kinds: Vec<String>,
    #[serde(default)]
    applies_to_tags: Vec<String>,
    scope: Sp<String>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

/// Activities the body excludes altogether (what does not count at all, whatever its kind's
/// credit rule says).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawExclusion {
    id: String,
    #[serde(default)]
    applies_to_kinds: Vec<String>,
    #[serde(default)]
    applies_to_tags: Vec<String>,
    /// An attribute that excludes the activity when it is recorded true.
    when: Option<String>,
    reason: String,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawDiversity {
    min_distinct: u32,
    tag_prefix: String,
    scope: Sp<String>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawCreditRule {
    kind: String,
    method: Sp<String>,
    rate: Option<RawNum>,
    amount: Option<RawNum>,
    unit: Option<Sp<String>>,
    multiplier: Option<RawNum>,
    #[serde(default)]
    conditions: Vec<String>,
    earned_at: Option<Sp<String>>,
    rounding: Option<Sp<RawRounding>>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawCarryover {
    allowed: Tri,
    max: Option<RawNum>,
    valid_periods_forward: Option<u8>,
    earned_within_months_before_end: Option<u32>,
    #[serde(default)]
    excluded_tags: Vec<String>,
    carry_window_months_from_activity: Option<u32>,
    retains_tags: Option<bool>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReducedMin {
    id: String,
    hours: RawNum,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawFirstPeriod {
    policy: Sp<String>,
    applies_to: Option<Sp<String>>,
    #[serde(default)]
    licensure_methods: Vec<String>,
    #[serde(default)]
    excluded_methods: Vec<String>,
    reduced_total: Option<RawNum>,
    #[serde(default)]
    reduced_minimums: Vec<RawReducedMin>,
    prorate_hours_per_month: Option<RawNum>,
    carryover_out_of_exempt_period: Option<Sp<String>>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawProration {
    hours_per_month: RawNum,
    applies_when: Option<String>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawRecords {
    retain_years: Option<RawNum>,
    retain_from: Option<String>,
    audit: Option<String>,
    audit_min_rate: Option<f64>,
    confidence: Option<Sp<String>>,
    #[serde(default)]
    sources: Vec<Sp<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawExemption {
    id: String,
    description: String,
    #[serde(default)]
    sources: Vec<Sp<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawConflict {
    field: String,
    claims: Vec<String>,
    chosen: String,
    reason: String,
}

// ---------------------------------------------------------------------------------------------
// Compiled model (what the engine reads)
// ---------------------------------------------------------------------------------------------

/// Interned tag ids fit in a 256-bit set.
pub const MAX_TAGS: usize = 256;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TagSet(pub [u64; 4]);

impl TagSet {
    pub const EMPTY: TagSet = TagSet([0; 4]);
    pub fn insert(&mut self, id: u16) {
        self.0[(id / 64) as usize] |= 1u64 << (id % 64);
    }
    pub fn contains(&self, id: u16) -> bool {
        self.0[(id / 64) as usize] & (1u64 << (id % 64)) != 0
    }
    pub fn intersects(&self, o: &TagSet) -> bool {
        (self.0[0] & o.0[0]) | (self.0[1] & o.0[1]) | (self.0[2] & o.0[2]) | (self.0[3] & o.0[3]) != 0
    }
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
    pub fn is_subset(&self, o: &TagSet) -> bool {
        (0..4).all(|i| self.0[i] & !o.0[i] == 0)
    }
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..MAX_TAGS as u16).filter(move |i| self.contains(*i))
    }
}

/// Activity kinds are interned to small ids; kinds no rule names share [`KIND_OTHER`].
pub type KindId = u16;
pub const KIND_OTHER: KindId = 0;

/// The society's vocabulary of kinds (ce-rules.toml header); more may appear in rule files.
pub const KNOWN_KINDS: &[&str] = &[
    "course",
    "webinar_live",
    "course_online_selfpaced",
    "correspondence",
    "self_directed_study",
    "college_course",
    "conference_session",
    "in_house_training",
    "teaching",
    "presentation",
    "publication_article",
    "publication_book",
    "patent",
    "society_service",
    "government_committee_service",
    "exam_item_authoring",
    "employment",
    "membership",
    "award",
    "project_participation",
    "project_administration",
    "volunteering",
    "content_development",
    "proctoring",
    "meeting_attendance",
    "certification_earned",
    "practice_module",
    "practice_evaluation",
];

/// The unit an activity's quantity is recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Hour,
    Minute,
    Ceu,
    CollegeSemesterHour,
    CollegeQuarterHour,
    CollegeCredit,
    Item,
    Month,
    Year,
    CreditOnProject,
    /// A rule set's own credit unit (PDH, PDU, RU, …), by interned id.
    Own(u8),
}

pub const OWN_UNITS: &[&str] = &["PDH", "CPC", "CPD_HOUR", "PDU", "RU", "CE_HOUR", "AEE_CREDIT", "GISP_POINT", "NONE"];

impl Unit {
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s {
            "hour" | "hours" | "h" | "contact_hour" => Unit::Hour,
            "minute" | "minutes" | "min" => Unit::Minute,
            "ceu" | "CEU" => Unit::Ceu,
            "college_semester_hour" => Unit::CollegeSemesterHour,
            "college_quarter_hour" => Unit::CollegeQuarterHour,
            "college_semester_or_quarter_credit" => Unit::CollegeCredit,
            "item" | "items" => Unit::Item,
            "month" | "months" => Unit::Month,
            "year" | "years" => Unit::Year,
            "credit_on_project" => Unit::CreditOnProject,
            _ => {
                let up = s.to_ascii_uppercase();
                return OWN_UNITS.iter().position(|u| *u == up).map(|i| Unit::Own(i as u8));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Minute => "minute",
            Unit::Ceu => "ceu",
            Unit::CollegeSemesterHour => "college_semester_hour",
            Unit::CollegeQuarterHour => "college_quarter_hour",
            Unit::CollegeCredit => "college_semester_or_quarter_credit",
            Unit::Item => "item",
            Unit::Month => "month",
            Unit::Year => "year",
            Unit::CreditOnProject => "credit_on_project",
            Unit::Own(i) => OWN_UNITS.get(i as usize).copied().unwrap_or("credit"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulesetStatus {
    Mandatory,
    Voluntary,
    Pending,
    None,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Fixed,
    CalendarYear,
    CredentialExpiration,
    CredentialStart,
    MembershipRenewal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parity {
    Odd,
    Even,
    Any,
}

#[derive(Debug, Clone)]
pub struct Cycle {
    pub length_months: i32,
    pub anchor: Anchor,
    pub end_month: u8,
    /// `None` = last day of the month.
    pub end_day: Option<u8>,
    pub parity: Parity,
    pub birth_month_alignment: bool,
    /// "the Nth month/day strictly after the credential start"
    pub first_period_end: Option<(u32, u8, u8)>,
    pub reporting_interval_months: Option<u32>,
    pub grace_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMode {
    Nearest,
    Down,
    Up,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    /// Increment in millionths.
    pub increment: i64,
    pub mode: RoundMode,
    /// Minimum credited amount in millionths; below it the activity earns nothing.
    pub minimum: Option<i64>,
}

impl Rounding {
    #[inline]
    pub fn apply(&self, micro: i64) -> i64 {
        if self.increment <= 0 || micro <= 0 {
            return micro.max(0);
        }
        let inc = self.increment;
        let n = match self.mode {
            RoundMode::Nearest => micro + inc / 2,
            RoundMode::Down => micro,
            RoundMode::Up => micro + inc - 1,
        };
        // The usual increments divide by a constant (a multiply) instead of a hardware division.
        let q = match inc {
            10_000 => n / 10_000,
            250_000 => n / 250_000,
            333_333 => n / 333_333,
            500_000 => n / 500_000,
            MICRO => n / MICRO,
            _ => n / inc,
        };
        // If the increment is a repeating fraction (⅓ = 0.333333), snap multiples that are within
        // the representation error of a whole unit back onto it.
        let mut v = q * inc;
        let rem = v % MICRO;
        if rem != 0 && MICRO - rem <= q {
            v += MICRO - rem;
        }
        match self.minimum {
            Some(min) if micro < min => 0,
            _ => v,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Requirement {
    /// No hours at all (no CE requirement, or output-based CPD).
    None,
    Total(Amount),
    /// A personalised total read from a credential field, with an upper bound.
    MemberField {
        field: String,
        max: Option<i64>,
    },
}

#[derive(Debug, Clone)]
pub struct Minimum {
    pub id: String,
    pub label: String,
    pub hours: Amount,
    pub parent: Option<usize>,
    pub tags: TagSet,
    pub kinds: Vec<KindId>,
    pub provider_approved_by: Option<(u8, String)>,
    pub carryover_may_satisfy: bool,
    pub applies_if_holds: Option<String>,
    pub multiplier_field: Option<String>,
    pub effective_from: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapScope {
    Period,
    CalendarYear,
    PeriodYear,
    PerItem,
    PerOrganization,
    PerOrganizationPerYear,
}

impl CapScope {
    pub fn words(self) -> &'static str {
        match self {
            CapScope::Period => "per period",
            CapScope::CalendarYear => "per calendar year",
            CapScope::PeriodYear => "per year of the period",
            CapScope::PerItem => "per activity",
            CapScope::PerOrganization => "per organisation",
            CapScope::PerOrganizationPerYear => "per organisation per year",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Maximum {
    pub id: String,
    pub max: Amount,
    pub kinds: Vec<KindId>,
    pub tags: TagSet,
    pub scope: CapScope,
    /// 0 or 1: the maxima of a rule set are split into two families such that within a family
    /// no two maxima can cross (their credit is either disjoint or one's groups lie inside the
    /// other's). The engine credits overlapping caps by a flow through the two families'
    /// trees; the loader refuses maxima that cannot be split so.
    pub family: u8,
}

impl CapScope {
    /// Whether every group of scope `self` lies inside one group of scope `o` (for pieces of
    /// one period: the period, a calendar year, a year of the period, an activity, an
    /// organisation, an organisation's calendar year).
    fn within(self, o: CapScope) -> bool {
        use CapScope::*;
        self == o
            || o == Period
            || matches!(
                (self, o),
                (PerOrganizationPerYear, PerOrganization | CalendarYear) | (PerItem, PerOrganization)
            )
    }
}

impl Maximum {
    /// Every piece of credit this maximum covers is covered by `o`, in one group of `o`.
    fn within(&self, o: &Maximum) -> bool {
        let kinds = o.kinds.is_empty() || (!self.kinds.is_empty() && self.kinds.iter().all(|k| o.kinds.contains(k)));
        let tags = o.tags.is_empty() || (!self.tags.is_empty() && self.tags.is_subset(&o.tags));
        kinds && tags && self.scope.within(o.scope)
    }

    /// Some activity can be covered by both (an activity has one kind but may have any tags).
    fn may_overlap(&self, o: &Maximum) -> bool {
        self.kinds.is_empty() || o.kinds.is_empty() || self.kinds.iter().any(|k| o.kinds.contains(k))
    }

    /// Some credit may be covered by both without one containing the other.
    fn may_cross(&self, o: &Maximum) -> bool {
        self.may_overlap(o) && !self.within(o) && !o.within(self)
    }
}

/// Splits maxima into two families with no crossing pair inside a family (2-colours the
/// "may cross" graph); `Err((a, b))` names two maxima on an odd cycle of crossings.
fn cap_families(maxima: &mut [Maximum]) -> Result<(), (String, String)> {
    let n = maxima.len();
    let mut colour = vec![u8::MAX; n];
    for start in 0..n {
        if colour[start] != u8::MAX {
            continue;
        }
        colour[start] = 0;
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for j in 0..n {
                if j == i || !maxima[i].may_cross(&maxima[j]) {
                    continue;
                }
                if colour[j] == u8::MAX {
                    colour[j] = 1 - colour[i];
                    stack.push(j);
                } else if colour[j] == colour[i] {
                    return Err((maxima[i].id.clone(), maxima[j].id.clone()));
                }
            }
        }
    }
    for (m, c) in maxima.iter_mut().zip(colour) {
        m.family = c;
    }
    Ok(())
}

/// Activities that do not count at all: every condition given must hold (kind among `kinds`,
/// a tag among `tags`, the attribute `when` recorded true).
#[derive(Debug, Clone)]
pub struct Exclusion {
    pub id: String,
    pub kinds: Vec<KindId>,
    pub tags: TagSet,
    pub when: Option<u8>,
    /// In the body's words, shown to people.
    pub reason: String,
}

impl Exclusion {
    #[inline]
    pub fn matches(&self, kind: KindId, tags: &TagSet, attrs_true: u64) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && (self.tags.is_empty() || self.tags.intersects(tags))
            && self.when.is_none_or(|b| attrs_true & (1u64 << b) != 0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    PerHour,
    PerUnit,
    FixedPerItem,
    PerMonth,
    PerYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarnedAt {
    SessionDate,
    CompletionDate,
    EndOfEachServiceYear,
    PublicationDate,
    GrantDate,
    ExamDate,
}

/// A condition a credit rule needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The activity carries this tag.
    Tagged(u16, String),
    /// The activity attribute (bit) must be true; a missing attribute is assumed true and noted.
    Attr(u8, String),
    /// The activity attribute must not be true.
    NotAttr(u8, String),
}

#[derive(Debug, Clone)]
pub struct CreditRule {
    pub kind: KindId,
    pub method: Method,
    /// Rate or amount, in millionths.
    pub rate: Amount,
    pub unit: Option<Unit>,
    /// Millionths.
    pub multiplier: Amount,
    pub conditions: Vec<Condition>,
    pub earned_at: EarnedAt,
    pub rounding: Option<Rounding>,
}

#[derive(Debug, Clone)]
pub struct Carryover {
    pub allowed: Tri,
    /// `None` = no cap stated (unlimited); `Some(Unknown)` = cap unknown.
    pub max: Option<Amount>,
    pub periods_forward: u8,
    pub earned_within_months: Option<u32>,
    pub excluded_tags: TagSet,
    pub claim_window_months: Option<u32>,
    pub retains_tags: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstPolicy {
    Exempt,
    Reduced,
    Prorated,
    Standard,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstAppliesTo {
    FirstRenewal,
    PeriodContainingIssueDate,
    RemainderOfIssueCalendarYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExemptCarry {
    None,
    Normal,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct FirstPeriod {
    pub policy: FirstPolicy,
    pub applies_to: FirstAppliesTo,
    /// Empty = any method.
    pub methods: Vec<String>,
    pub excluded_methods: Vec<String>,
    pub reduced_total: Amount,
    pub reduced_minimums: Vec<(usize, Amount)>,
    pub prorate_per_month: Amount,
    pub carry_out: ExemptCarry,
    /// Titles of the sources the first-period rule cites (to explain an exemption).
    pub sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Diversity {
    pub min_distinct: u32,
    pub prefix: String,
    /// Index in [`RuleBook::diversity_prefixes`].
    pub prefix_id: usize,
}

/// Per-version lookup tables: which maxima and minimums an activity's kind and tags select,
/// as bit sets, so matching an activity costs a few table reads.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    /// By kind id: maxima whose kind condition passes / minimums satisfied by the kind.
    kind_cap: Vec<u16>,
    kind_min: Vec<u16>,
    /// By tag id: maxima / minimums that list the tag.
    tag_cap: Vec<u16>,
    tag_min: Vec<u16>,
    /// Maxima without a tag condition.
    cap_no_tag: u16,
    /// Minimums that need a provider approval: (minimum bit, jurisdiction bit).
    provider: Vec<(u16, u32)>,
    excluded: TagSet,
    /// Tags some maximum or minimum lists (the others select nothing).
    relevant: TagSet,
    /// Credit rules by kind, in file order: `rules_by_kind[kind_rules[k]..kind_rules[k + 1]]`.
    kind_rules: Vec<u32>,
    rules_by_kind: Vec<u16>,
}

impl Matcher {
    fn compile(v: &Ruleset, nk: usize, nt: usize) -> Matcher {
        let mut m = Matcher {
            kind_cap: vec![0; nk.max(1)],
            kind_min: vec![0; nk.max(1)],
            tag_cap: vec![0; nt],
            tag_min: vec![0; nt],
            excluded: v.carryover.excluded_tags,
            ..Matcher::default()
        };
        for (i, c) in v.maxima.iter().enumerate().take(16) {
            let bit = 1u16 << i;
            for k in 0..nk {
                if c.kinds.is_empty() || c.kinds.contains(&(k as KindId)) {
                    m.kind_cap[k] |= bit;
                }
            }
            if c.tags.is_empty() {
                m.cap_no_tag |= bit;
            }
            for t in c.tags.iter() {
                if (t as usize) < nt {
                    m.tag_cap[t as usize] |= bit;
                }
            }
        }
        for (i, n) in v.minimums.iter().enumerate().take(12) {
            let bit = 1u16 << i;
            for k in &n.kinds {
                if (*k as usize) < nk {
                    m.kind_min[*k as usize] |= bit;
                }
            }
            for t in n.tags.iter() {
                if (t as usize) < nt {
                    m.tag_min[t as usize] |= bit;
                }
            }
            if let Some((j, _)) = &n.provider_approved_by {
                m.provider.push((bit, 1u32 << j));
            }
        }
        for t in 0..nt {
            if m.tag_cap[t] != 0 || m.tag_min[t] != 0 {
                m.relevant.insert(t as u16);
            }
        }
        if v.credit_rules.len() <= u16::MAX as usize {
            m.kind_rules.push(0);
            for k in 0..nk.max(1) {
                for (i, r) in v.credit_rules.iter().enumerate() {
                    if r.kind as usize == k {
                        m.rules_by_kind.push(i as u16);
                    }
                }
                m.kind_rules.push(m.rules_by_kind.len() as u32);
            }
        }
        m
    }

    /// Indices of the credit rules for `kind`, in file order; `None` when not compiled (then every
    /// rule has to be looked at).
    #[inline]
    pub fn rules_of(&self, kind: KindId) -> Option<&[u16]> {
        if self.kind_rules.is_empty() {
            return None;
        }
        let k = kind as usize;
        Some(match (self.kind_rules.get(k), self.kind_rules.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.rules_by_kind[a as usize..b as usize],
            _ => &[],
        })
    }

    /// (maxima bits, minimum bits, excluded from carryover) for an activity.
    #[inline(always)]
    pub fn bits(&self, kind: KindId, tags: &TagSet, approvals: u32) -> (u16, u16, bool) {
        let mut tag_caps = self.cap_no_tag;
        let mut mins = self.kind_min.get(kind as usize).copied().unwrap_or(0);
        for (w, word) in tags.0.iter().enumerate() {
            let mut x = *word & self.relevant.0[w];
            while x != 0 {
                let t = w * 64 + x.trailing_zeros() as usize;
                x &= x - 1;
                if t < self.tag_cap.len() {
                    tag_caps |= self.tag_cap[t];
                    mins |= self.tag_min[t];
                }
            }
        }
        for &(bit, j) in &self.provider {
            if approvals & j == 0 {
                mins &= !bit;
            }
        }
        let caps =
            self.kind_cap.get(kind as usize).copied().unwrap_or(self.kind_cap.first().copied().unwrap_or(0)) & tag_caps;
        (caps, mins, tags.intersects(&self.excluded))
    }
}

/// One version of a rule set.
#[derive(Debug, Clone)]
pub struct Ruleset {
    pub id: String,
    pub version: String,
    pub name: String,
    /// What the rule set governs: `license`, `registration`, `certification`, `exam`,
    /// `model` (a model law) or `programme` (a society's own).
    pub credential_type: String,
    pub file: String,
    pub effective_from: Option<Date>,
    pub effective_until: Option<Date>,
    pub status: RulesetStatus,
    pub credit_unit: String,
    pub credit_unit_id: Option<u8>,
    pub contact_rounding: Option<Rounding>,
    /// Credit per contact hour for kinds without a credit rule (millionths; 1 by default).
    pub contact_hour_credit: Amount,
    pub cycle: Option<Cycle>,
    pub requirement: Requirement,
    pub non_credit_items: Vec<String>,
    pub minimums: Vec<Minimum>,
    pub maxima: Vec<Maximum>,
    pub exclusions: Vec<Exclusion>,
    pub diversity: Vec<Diversity>,
    pub credit_rules: Vec<CreditRule>,
    pub carryover: Carryover,
    pub first_period: FirstPeriod,
    pub proration_per_month: Option<Amount>,
    /// Matching tables compiled once the whole book is loaded (see [`Matcher`]).
    pub matcher: Matcher,
    pub confidence: Option<String>,
    pub sources: Vec<String>,
}

/// A credit unit in words, for explanations and pages: `PDH` stays `PDH`; a unit id such as
/// `CPD_HOUR` or `GISP_POINT` reads "CPD hours", "GISP points".
pub fn unit_words(id: &str) -> String {
    match id.split_once('_') {
        Some((body, unit)) => format!("{body} {}s", unit.to_lowercase()),
        None => id.to_string(),
    }
}

impl Ruleset {
    /// Whether members hold this rule set as a certification: a certifying body's
    /// programme or the society's own (not a licence, registration, exam or model law).
    pub fn is_certification_programme(&self) -> bool {
        matches!(self.credential_type.as_str(), "certification" | "programme")
    }

    fn in_force_on(&self, d: Date) -> bool {
        self.effective_from.is_none_or(|f| f <= d) && self.effective_until.is_none_or(|u| d <= u)
    }

    /// The numeric fields this version reads from the member's credential record (e.g. a
    /// personalised target `peak_target_hours`, a multiplier `leed_specialty_count`); without
    /// them the parts that use them cannot be decided.
    pub fn member_fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = Vec::new();
        if let Requirement::MemberField { field, .. } = &self.requirement {
            fields.push(field);
        }
        for m in &self.minimums {
            if let Some(field) = &m.multiplier_field
                && !fields.contains(&field.as_str())
            {
                fields.push(field);
            }
        }
        fields
    }
}

/// All versions of one rule set, oldest first.
#[derive(Debug, Clone)]
pub struct RulesetHistory {
    pub id: String,
    pub versions: Vec<Ruleset>,
}

impl RulesetHistory {
    /// The fields any version reads from the member's credential record.
    pub fn member_fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = Vec::new();
        for field in self.versions.iter().flat_map(Ruleset::member_fields) {
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        fields
    }

    /// The version in force on `d` (the last version whose range covers it; the latest one if none does).
    #[inline]
    pub fn version_on(&self, d: Date) -> &Ruleset {
        self.versions.iter().rev().find(|v| v.in_force_on(d)).unwrap_or_else(|| {
            // Before the first version's start: the earliest; after every end: the latest.
            match self.versions.first() {
                Some(first) if first.effective_from.is_some_and(|f| d < f) => first,
                _ => &self.versions[self.versions.len() - 1],
            }
        })
    }
}

/// The policies the engine implements (`[engine_defaults]`); a rule file may not ask for others.
pub const ENGINE_POLICIES: &[(&str, &str)] = &[
    ("straddle_policy", "split_by_session_date"),
    ("allocation", "optimal_exclusive"),
    ("carryover_selection", "maximize_eligible"),
    ("carried_hours_consume_caps_in", "origin_period"),
    ("carried_hours_order", "used_first"),
    ("cross_credential_reuse", "true"),
    ("anticipation_allowed", "false"),
    ("exempt_period_carryover", "none"),
    ("rounding", "{ increment = 0.01, mode = \"nearest\" }"),
    ("cap_trim_order", "latest_first"),
    ("carry_pick_order", "latest_first"),
    ("other_jurisdiction_law_courses", "general_credit"),
    ("default_credit_rule", "per_contact_hour"),
    ("deficient_period_carryover", "surplus"),
    ("cap_order", "innermost_first"),
    ("long_activity_date", "end"),
];

/// The compiled, validated set of rule sets.
#[derive(Debug, Clone)]
pub struct RuleBook {
    pub(crate) rulesets: Vec<RulesetHistory>,
    pub(crate) index: HashMap<String, usize>,
    pub(crate) tags: HashMap<String, u16>,
    pub(crate) tag_names: Vec<String>,
    pub(crate) kinds: HashMap<String, KindId>,
    pub(crate) kind_names: Vec<String>,
    pub(crate) attrs: HashMap<String, u8>,
    pub(crate) jurisdictions: HashMap<String, u8>,
    pub(crate) diversity_prefixes: Vec<String>,
    pub(crate) files: Vec<String>,
}

/// The rule files shipped in the repository's `rules/` folder.
pub const EMBEDDED_RULE_FILES: &[(&str, &str)] = &[
    ("engine-defaults.toml", include_str!("../../../rules/engine-defaults.toml")),
    ("aee-cem.toml", include_str!("../../../rules/aee-cem.toml")),
    ("asq-cqe.toml", include_str!("../../../rules/asq-cqe.toml")),
    ("ca-ab-apega.toml", include_str!("../../../rules/ca-ab-apega.toml")),
    ("ca-on-peo.toml", include_str!("../../../rules/ca-on-peo.toml")),
    ("gbci-leed-ap.toml", include_str!("../../../rules/gbci-leed-ap.toml")),
    ("gbci-leed-ga.toml", include_str!("../../../rules/gbci-leed-ga.toml")),
    ("gisci-gisp.toml", include_str!("../../../rules/gisci-gisp.toml")),
    ("ncees-model-cpc.toml", include_str!("../../../rules/ncees-model-cpc.toml")),
    ("ncees-se-exam.toml", include_str!("../../../rules/ncees-se-exam.toml")),
    ("pmi-pmp.toml", include_str!("../../../rules/pmi-pmp.toml")),
    ("uk-engc.toml", include_str!("../../../rules/uk-engc.toml")),
    ("us-ca-pe.toml", include_str!("../../../rules/us-ca-pe.toml")),
    ("us-fl-pe.toml", include_str!("../../../rules/us-fl-pe.toml")),
    ("us-ga-pe.toml", include_str!("../../../rules/us-ga-pe.toml")),
    ("us-il-pe.toml", include_str!("../../../rules/us-il-pe.toml")),
    ("us-il-se.toml", include_str!("../../../rules/us-il-se.toml")),
    ("us-mi-pe.toml", include_str!("../../../rules/us-mi-pe.toml")),
    ("us-nc-pe.toml", include_str!("../../../rules/us-nc-pe.toml")),
    ("us-nj-pe.toml", include_str!("../../../rules/us-nj-pe.toml")),
    ("us-ny-pe.toml", include_str!("../../../rules/us-ny-pe.toml")),
    ("us-oh-pe.toml", include_str!("../../../rules/us-oh-pe.toml")),
    ("us-pa-pe.toml", include_str!("../../../rules/us-pa-pe.toml")),
    ("us-tx-pe.toml", include_str!("../../../rules/us-tx-pe.toml")),
    ("us-va-pe.toml", include_str!("../../../rules/us-va-pe.toml")),
    ("us-wa-pe.toml", include_str!("../../../rules/us-wa-pe.toml")),
];

impl RuleBook {
    /// The rule files compiled into the binary (the repository's `rules/` folder).
    pub fn embedded() -> Result<RuleBook, CeError> {
        RuleBook::from_sources(EMBEDDED_RULE_FILES)
    }

    /// The embedded rule files plus extra (e.g. staff-defined) files; an extra file may not reuse
    /// a rule set id that is already defined.
    pub fn embedded_with(extra: &[(&str, &str)]) -> Result<RuleBook, CeError> {
        let mut all: Vec<(&str, &str)> = EMBEDDED_RULE_FILES.to_vec();
        all.extend_from_slice(extra);
        RuleBook::from_sources(&all)
    }

    /// Loads and validates rule files given as `(file_name, contents)`. The first problem found is
    /// returned as [`CeError::RuleFile`] with the file name, line and reason.
    pub fn from_sources<N: AsRef<str>, C: AsRef<str>>(files: &[(N, C)]) -> Result<RuleBook, CeError> {
        let mut b = Builder::default();
        for k in KNOWN_KINDS {
            b.kind(k);
        }
        let mut parsed = Vec::new();
        for (name, text) in files {
            let (name, text) = (name.as_ref(), text.as_ref());
            let raw: RawFile = toml::from_str(text).map_err(|e| {
                let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
                CeError::RuleFile { file: name.to_string(), line, reason: e.message().trim().to_string() }
            })?;
            parsed.push((name, text, raw));
        }
        for (name, text, raw) in &parsed {
            b.compile_file(name, text, raw)?;
        }
        b.finish()
    }

    /// Rule set ids, sorted.
    pub fn ruleset_ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.rulesets.iter().map(|h| h.id.as_str()).collect();
        v.sort_unstable();
        v
    }

    pub fn history(&self, id: &str) -> Option<&RulesetHistory> {
        self.index.get(id).map(|&i| &self.rulesets[i])
    }

    pub fn ruleset_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn history_at(&self, idx: usize) -> &RulesetHistory {
        &self.rulesets[idx]
    }

    pub fn files(&self) -> &[String] {
        &self.files
    }

    pub fn tag_id(&self, tag: &str) -> Option<u16> {
        self.tags.get(tag).copied()
    }

    pub fn kind_id(&self, kind: &str) -> KindId {
        self.kinds.get(kind).copied().unwrap_or(KIND_OTHER)
    }

    pub fn attr_id(&self, attr: &str) -> Option<u8> {
        self.attrs.get(attr).copied()
    }

    pub fn jurisdiction_id(&self, j: &str) -> Option<u8> {
        self.jurisdictions.get(j).copied()
    }

    pub fn tag_count(&self) -> usize {
        self.tag_names.len()
    }

    pub fn diversity_prefixes(&self) -> &[String] {
        &self.diversity_prefixes
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&c| c == b'\n').count() + 1
}

#[derive(Default)]
struct Builder {
    rulesets: Vec<RulesetHistory>,
    index: HashMap<String, usize>,
    tags: HashMap<String, u16>,
    tag_names: Vec<String>,
    kinds: HashMap<String, KindId>,
    kind_names: Vec<String>,
    attrs: HashMap<String, u8>,
    jurisdictions: HashMap<String, u8>,
    diversity_prefixes: Vec<String>,
    files: Vec<String>,
    /// (ruleset id, span line, file) of `applies_if = "holds:X"` to check once all are loaded.
    holds_refs: Vec<(String, String, usize)>,
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err<T>(&self, span: std::ops::Range<usize>, reason: impl Into<String>) -> Result<T, CeError> {
        Err(CeError::RuleFile {
            file: self.file.to_string(),
            line: line_of(self.text, span.start),
            reason: reason.into(),
        })
    }
}

fn to_date(d: &toml::value::Datetime) -> Option<Date> {
    match (d.date, d.time) {
        (Some(date), None) => ymd(date.year as i32, date.month, date.day),
        _ => None,
    }
}

impl Builder {
    fn kind(&mut self, k: &str) -> KindId {
        if self.kind_names.is_empty() {
            self.kind_names.push("(other)".into());
        }
        if let Some(&id) = self.kinds.get(k) {
            return id;
        }
        let id = self.kind_names.len() as KindId;
        self.kinds.insert(k.to_string(), id);
        self.kind_names.push(k.to_string());
        id
    }

    fn tag(&mut self, cx: &Ctx, span: std::ops::Range<usize>, t: &str) -> Result<u16, CeError> {
        if t.trim().is_empty() {
            return cx.err(span, "empty tag");
        }
        if let Some(&id) = self.tags.get(t) {
            return Ok(id);
        }
        if self.tag_names.len() >= MAX_TAGS / 2 {
            return cx.err(span, format!("too many distinct tags in the rule book (limit {})", MAX_TAGS / 2));
        }
        let id = self.tag_names.len() as u16;
        self.tags.insert(t.to_string(), id);
        self.tag_names.push(t.to_string());
        Ok(id)
    }

    fn attr(&mut self, cx: &Ctx, span: std::ops::Range<usize>, a: &str) -> Result<u8, CeError> {
        if let Some(&id) = self.attrs.get(a) {
            return Ok(id);
        }
        if self.attrs.len() >= 64 {
            return cx.err(span, "too many distinct conditions in the rule book (limit 64)");
        }
        let id = self.attrs.len() as u8;
        self.attrs.insert(a.to_string(), id);
        Ok(id)
    }

    fn jurisdiction(&mut self, cx: &Ctx, span: std::ops::Range<usize>, j: &str) -> Result<u8, CeError> {
        if let Some(&id) = self.jurisdictions.get(j) {
            return Ok(id);
        }
        if self.jurisdictions.len() >= 32 {
            return cx.err(span, "too many distinct approving jurisdictions (limit 32)");
        }
        let id = self.jurisdictions.len() as u8;
        self.jurisdictions.insert(j.to_string(), id);
        Ok(id)
    }

    fn compile_file(&mut self, file: &str, text: &str, raw: &RawFile) -> Result<(), CeError> {
        let cx = Ctx { file, text };
        if raw.schema_version.get_ref() != "1.0.0" {
            return cx.err(
                raw.schema_version.span(),
                format!("schema_version \"{}\" is not supported (expected \"1.0.0\")", raw.schema_version.get_ref()),
            );
        }
        self.files.push(file.to_string());
        if let Some(defaults) = &raw.engine_defaults {
            check_policies(&cx, defaults)?;
        }
        let mut source_ids: HashMap<&str, &str> = HashMap::new();
        for s in &raw.source {
            let src = s.get_ref();
            if source_ids.insert(src.id.as_str(), src.title.as_str()).is_some() {
                return cx.err(s.span(), format!("source id \"{}\" is defined twice", src.id));
            }
            let k = src.kind.get_ref().as_str();
            if !["primary-rule", "primary-board", "secondary-provider", "secondary-other", "staff"].contains(&k) {
                return cx.err(src.kind.span(), format!("source kind \"{k}\" is not one of primary-rule, primary-board, secondary-provider, secondary-other, staff"));
            }
        }
        let mut file_ids: Vec<String> = Vec::new();
        for rs in &raw.ruleset {
            let compiled = self.compile_ruleset(&cx, rs, &source_ids)?;
            let id = compiled.id.clone();
            if !file_ids.contains(&id) {
                if self.index.contains_key(&id) {
                    return cx
                        .err(rs.get_ref().id.span(), format!("rule set \"{id}\" is already defined in another file"));
                }
                file_ids.push(id.clone());
                self.index.insert(id.clone(), self.rulesets.len());
                self.rulesets.push(RulesetHistory { id: id.clone(), versions: Vec::new() });
            }
            let idx = self.index[&id];
            let hist = &mut self.rulesets[idx];
            // Versions of one rule set must not overlap in time.
            for v in &hist.versions {
                let a_from = v.effective_from.unwrap_or(Date::MIN);
                let a_to = v.effective_until.unwrap_or(Date::MAX);
                let b_from = compiled.effective_from.unwrap_or(Date::MIN);
                let b_to = compiled.effective_until.unwrap_or(Date::MAX);
                if a_from <= b_to && b_from <= a_to {
                    return cx.err(
                        rs.get_ref().version.span(),
                        format!("version \"{}\" of \"{id}\" overlaps version \"{}\" in time; give each version effective_from/effective_until dates that do not overlap", compiled.version, v.version),
                    );
                }
                if v.version == compiled.version {
                    return cx.err(
                        rs.get_ref().version.span(),
                        format!("version \"{}\" of \"{id}\" is defined twice", v.version),
                    );
                }
            }
            hist.versions.push(compiled);
            hist.versions.sort_by_key(|v| v.effective_from.unwrap_or(Date::MIN));
        }
        Ok(())
    }

    fn compile_ruleset(
        &mut self,
        cx: &Ctx,
        sp: &Sp<RawRuleset>,
        sources: &HashMap<&str, &str>,
    ) -> Result<Ruleset, CeError> {
        let r = sp.get_ref();
        let id = r.id.get_ref().trim().to_string();
        if id.is_empty() || id.contains(char::is_whitespace) {
            return cx.err(r.id.span(), "rule set id must be non-empty and contain no spaces");
        }
        let check_sources = |list: &[Sp<String>]| -> Result<(), CeError> {
            for s in list {
                if !sources.contains_key(s.get_ref().as_str()) {
                    return cx.err(
                        s.span(),
                        format!("source \"{}\" is not defined by a [[source]] entry in this file", s.get_ref()),
                    );
                }
            }
            Ok(())
        };
        let check_conf = |c: &Option<Sp<String>>| -> Result<(), CeError> {
            if let Some(c) = c
                && !["high", "medium", "low"].contains(&c.get_ref().as_str())
            {
                return cx.err(c.span(), format!("confidence \"{}\" must be high, medium or low", c.get_ref()));
            }
            Ok(())
        };
        check_sources(&r.sources)?;
        check_conf(&r.confidence)?;
        let date = |d: &Option<Sp<toml::value::Datetime>>| -> Result<Option<Date>, CeError> {
            match d {
                None => Ok(None),
                Some(d) => match to_date(d.get_ref()) {
                    Some(x) => Ok(Some(x)),
                    None => cx.err(d.span(), "expected a plain date (YYYY-MM-DD)"),
                },
            }
        };
        let effective_from = date(&r.effective_from)?;
        let effective_until = date(&r.effective_until)?;
        if let (Some(f), Some(u)) = (effective_from, effective_until)
            && u < f
        {
            return cx.err(r.version.span(), "effective_until is before effective_from");
        }
        let status = match r.status.get_ref().as_str() {
            "mandatory" => RulesetStatus::Mandatory,
            "voluntary" => RulesetStatus::Voluntary,
            "pending" => RulesetStatus::Pending,
            "none" => RulesetStatus::None,
            "not_applicable" => RulesetStatus::NotApplicable,
            o => {
                return cx.err(
                    r.status.span(),
                    format!("status \"{o}\" must be mandatory, voluntary, pending, none or not_applicable"),
                );
            }
        };
        if !["license", "certification", "registration", "model", "exam", "programme", "program"]
            .contains(&r.credential_type.get_ref().as_str())
        {
            return cx.err(
                r.credential_type.span(),
                format!("credential_type \"{}\" is not recognised", r.credential_type.get_ref()),
            );
        }
        let credit_unit = r.credit_unit.get_ref().clone();
        let credit_unit_id = OWN_UNITS.iter().position(|u| *u == credit_unit).map(|i| i as u8);
        if credit_unit_id.is_none() {
            return cx.err(
                r.credit_unit.span(),
                format!("credit_unit \"{credit_unit}\" must be one of {}", OWN_UNITS.join(", ")),
            );
        }
        let contact_rounding = match &r.contact_hour_rounding {
            Some(x) => Some(rounding(cx, x)?),
            None => None,
        };

        // Cycle.
        let cycle = match &r.cycle {
            None => None,
            Some(c) => {
                let cs = c.span();
                let c = c.get_ref();
                check_sources(&c.sources)?;
                check_conf(&c.confidence)?;
                let len = match c.length_months.0 {
                    Amount::Known(v) if v > 0 && v % MICRO == 0 && v / MICRO <= 120 => (v / MICRO) as i32,
                    _ => return cx.err(cs, "cycle.length_months must be a whole number of months between 1 and 120"),
                };
                let anchor = match c.anchor.get_ref().as_str() {
                    "fixed" => Anchor::Fixed,
                    "calendar_year" => Anchor::CalendarYear,
                    "credential_expiration" => Anchor::CredentialExpiration,
                    "credential_start" => Anchor::CredentialStart,
                    "membership_renewal" => Anchor::MembershipRenewal,
                    o => return cx.err(c.anchor.span(), format!("cycle.anchor \"{o}\" must be fixed, calendar_year, credential_expiration, credential_start or membership_renewal")),
                };
                let parity = match c.year_parity.as_ref().map(|p| p.get_ref().as_str()) {
                    None | Some("any") => Parity::Any,
                    Some("odd") => Parity::Odd,
                    Some("even") => Parity::Even,
                    Some(o) => {
                        return cx.err(
                            c.year_parity.as_ref().map(|p| p.span()).unwrap_or(cs),
                            format!("year_parity \"{o}\" must be odd, even or any"),
                        );
                    }
                };
                let (end_month, end_day) = match anchor {
                    Anchor::Fixed => {
                        let m = match c.end_month {
                            Some(m @ 1..=12) => m,
                            _ => return cx.err(cs, "a fixed cycle needs end_month between 1 and 12"),
                        };
                        let d = match &c.end_day {
                            Some(RawDay::Day(d)) => Some(*d),
                            Some(RawDay::Last) => None,
                            None => return cx.err(cs, "a fixed cycle needs end_day (a day or \"last\")"),
                        };
                        if let Some(d) = d
                            && d > crate::dates::days_in_month(2001, m)
                        {
                            return cx.err(cs, format!("end_day {d} does not exist in month {m}"));
                        }
                        if len % 12 != 0 {
                            return cx.err(cs, "a fixed cycle must last a whole number of years");
                        }
                        if parity != Parity::Any && len % 24 != 0 {
                            return cx.err(cs, "year_parity odd/even needs a cycle of a multiple of 24 months");
                        }
                        (m, d)
                    }
                    _ => (12, None),
                };
                if let Some(n) = &c.first_period_end
                    && (n.nth_occurrence == 0 || ymd(2001, n.month, n.day).is_none())
                {
                    return cx.err(cs, "first_period_end needs nth_occurrence ≥ 1 and a valid month/day");
                }
                Some(Cycle {
                    length_months: len,
                    anchor,
                    end_month,
                    end_day,
                    parity,
                    birth_month_alignment: c.birth_month_alignment.unwrap_or(false),
                    first_period_end: c.first_period_end.as_ref().map(|n| (n.nth_occurrence, n.month, n.day)),
                    reporting_interval_months: c.reporting_interval_months,
                    grace_days: c.grace_days,
                })
            }
        };

        // Requirement.
        let (requirement, non_credit_items) = match &r.requirement {
            None => (Requirement::None, Vec::new()),
            Some(q) => {
                let qs = q.span();
                let q = q.get_ref();
                check_sources(&q.sources)?;
                check_conf(&q.confidence)?;
                let req = match (&q.total, &q.total_member_field) {
                    (Some(t), None) => {
                        if let Amount::Known(v) = t.0
                            && v < 0
                        {
                            return cx.err(qs, "requirement.total must not be negative");
                        }
                        Requirement::Total(t.0)
                    }
                    (None, Some(f)) => {
                        Requirement::MemberField { field: f.clone(), max: q.total_max.and_then(|m| m.0.known()) }
                    }
                    (Some(_), Some(_)) => {
                        return cx.err(qs, "give either requirement.total or requirement.total_member_field, not both");
                    }
                    (None, None) => Requirement::None,
                };
                (req, q.non_credit_items.clone())
            }
        };
        if cycle.is_none() && !matches!(requirement, Requirement::None) {
            return cx.err(sp.span(), format!("rule set \"{id}\" requires credit but has no [ruleset.cycle]"));
        }

        // Minimums.
        let mut minimums: Vec<Minimum> = Vec::new();
        for m in &r.minimum {
            let ms = m.span();
            let m = m.get_ref();
            check_sources(&m.sources)?;
            check_conf(&m.confidence)?;
            if m.id == "total" || m.id.is_empty() {
                return cx.err(ms, "a minimum may not be called \"total\" or be empty");
            }
            if minimums.iter().any(|x| x.id == m.id) {
                return cx.err(ms, format!("minimum \"{}\" is defined twice", m.id));
            }
            if m.satisfied_by_tags.is_empty() && m.satisfied_by_kinds.is_empty() {
                return cx.err(ms, format!("minimum \"{}\" needs satisfied_by_tags or satisfied_by_kinds", m.id));
            }
            if let Some(s) = &m.scope
                && s.get_ref() != "period"
            {
                return cx
                    .err(s.span(), format!("minimum scope \"{}\" is not supported (only \"period\")", s.get_ref()));
            }
            if let Amount::Known(v) = m.hours.0
                && v < 0
            {
                return cx.err(ms, "minimum hours must not be negative");
            }
            let mut tags = TagSet::EMPTY;
            for t in &m.satisfied_by_tags {
                tags.insert(self.tag(cx, ms.clone(), t)?);
            }
            let kinds = m.satisfied_by_kinds.iter().map(|k| self.kind(k)).collect();
            let parent = match &m.parent {
                None => None,
                Some(p) => match minimums.iter().position(|x| &x.id == p) {
                    Some(i) if minimums[i].parent.is_none() => Some(i),
                    Some(_) => return cx.err(
                        ms,
                        format!(
                            "minimum \"{}\": parent \"{p}\" is itself nested; only one level of nesting is supported",
                            m.id
                        ),
                    ),
                    None => {
                        return cx.err(
                            ms,
                            format!(
                                "minimum \"{}\": parent \"{p}\" must be defined before it in the same rule set",
                                m.id
                            ),
                        );
                    }
                },
            };
            let provider = match &m.provider_approved_by {
                Some(j) => Some((self.jurisdiction(cx, ms.clone(), j)?, j.clone())),
                None => None,
            };
            let applies_if_holds = match &m.applies_if {
                None => None,
                Some(a) => match a.get_ref().strip_prefix("holds:") {
                    Some(rid) => {
                        self.holds_refs.push((rid.to_string(), cx.file.to_string(), line_of(cx.text, a.span().start)));
                        Some(rid.to_string())
                    }
                    None => {
                        return cx.err(
                            a.span(),
                            format!("applies_if \"{}\" is not supported (only \"holds:<ruleset id>\")", a.get_ref()),
                        );
                    }
                },
            };
            let effective_from = match &m.effective_from {
                Some(d) => match to_date(d) {
                    Some(x) => Some(x),
                    None => return cx.err(ms, "minimum effective_from must be a plain date"),
                },
                None => None,
            };
            minimums.push(Minimum {
                id: m.id.clone(),
                label: m.label.clone().unwrap_or_else(|| m.id.replace('_', " ")),
                hours: m.hours.0,
                parent,
                tags,
                kinds,
                provider_approved_by: provider,
                carryover_may_satisfy: m.carryover_may_satisfy.unwrap_or(true),
                applies_if_holds,
                multiplier_field: m.hours_multiplier_field.clone(),
                effective_from,
            });
        }
        if minimums.len() > 12 {
            return cx.err(sp.span(), "a rule set may have at most 12 minimums");
        }

        // Maxima.
        let mut maxima = Vec::new();
        for m in &r.maximum {
            let ms = m.span();
            let m = m.get_ref();
            check_sources(&m.sources)?;
            check_conf(&m.confidence)?;
            if m.applies_to_kinds.is_empty() && m.applies_to_tags.is_empty() {
                return cx.err(ms, format!("maximum \"{}\" needs applies_to_kinds or applies_to_tags", m.id));
            }
            if maxima.iter().any(|x: &Maximum| x.id == m.id) {
                return cx.err(ms, format!("maximum \"{}\" is defined twice", m.id));
            }
            if let Amount::Known(v) = m.max.0
                && v < 0
            {
                return cx.err(ms, "maximum max must not be negative");
            }
            let scope = match m.scope.get_ref().as_str() {
                "period" => CapScope::Period,
                "calendar_year" => CapScope::CalendarYear,
                "period_year" => CapScope::PeriodYear,
                "per_item" => CapScope::PerItem,
                "per_organization" => CapScope::PerOrganization,
                "per_organization_per_year" => CapScope::PerOrganizationPerYear,
                o => return cx.err(m.scope.span(), format!("maximum scope \"{o}\" must be period, calendar_year, period_year, per_item, per_organization or per_organization_per_year")),
            };
            let mut tags = TagSet::EMPTY;
            for t in &m.applies_to_tags {
                tags.insert(self.tag(cx, ms.clone(), t)?);
            }
            let kinds = m.applies_to_kinds.iter().map(|k| self.kind(k)).collect();
            maxima.push(Maximum { id: m.id.clone(), max: m.max.0, kinds, tags, scope, family: 0 });
        }
        if let Err((a, b)) = cap_families(&mut maxima) {
            return cx.err(
                sp.span(),
                format!(
                    "maximums \"{a}\" and \"{b}\" are part of a chain of maximums that overlap without one containing \
                     another; the engine can credit overlapping maximums only when they split into two groups \
                     of nested maximums (make one of them cover a subset of the other's kinds and tags, in a \
                     scope within the other's)"
                ),
            );
        }

        if maxima.len() > 16 {
            return cx.err(sp.span(), "a rule set may have at most 16 maximums");
        }

        // Exclusions.
        let mut exclusions = Vec::new();
        for x in &r.exclusion {
            let xs = x.span();
            let x = x.get_ref();
            check_sources(&x.sources)?;
            check_conf(&x.confidence)?;
            if x.applies_to_kinds.is_empty() && x.applies_to_tags.is_empty() && x.when.is_none() {
                return cx.err(xs, format!("exclusion \"{}\" needs applies_to_kinds, applies_to_tags or when", x.id));
            }
            if exclusions.iter().any(|e: &Exclusion| e.id == x.id) {
                return cx.err(xs, format!("exclusion \"{}\" is defined twice", x.id));
            }
            if x.reason.trim().is_empty() {
                return cx.err(xs, format!("exclusion \"{}\" needs a reason in words", x.id));
            }
            let mut tags = TagSet::EMPTY;
            for t in &x.applies_to_tags {
                tags.insert(self.tag(cx, xs.clone(), t)?);
            }
            let when = match &x.when {
                Some(a) => Some(self.attr(cx, xs.clone(), a)?),
                None => None,
            };
            let kinds = x.applies_to_kinds.iter().map(|k| self.kind(k)).collect();
            exclusions.push(Exclusion { id: x.id.clone(), kinds, tags, when, reason: x.reason.trim().to_string() });
        }

        // Diversity.
        let mut diversity = Vec::new();
        for d in &r.diversity {
            let d = d.get_ref();
            check_sources(&d.sources)?;
            if !matches!(d.scope.get_ref().as_str(), "reporting_year" | "period") {
                return cx.err(d.scope.span(), "diversity scope must be reporting_year or period");
            }
            let prefix_id = match self.diversity_prefixes.iter().position(|p| p == &d.tag_prefix) {
                Some(i) => i,
                None => {
                    self.diversity_prefixes.push(d.tag_prefix.clone());
                    self.diversity_prefixes.len() - 1
                }
            };
            diversity.push(Diversity { min_distinct: d.min_distinct, prefix: d.tag_prefix.clone(), prefix_id });
        }

        // Credit rules.
        let mut credit_rules = Vec::new();
        for c in &r.credit_rule {
            let csp = c.span();
            let c = c.get_ref();
            check_sources(&c.sources)?;
            check_conf(&c.confidence)?;
            let method = match c.method.get_ref().as_str() {
                "per_hour" => Method::PerHour,
                "per_unit" => Method::PerUnit,
                "fixed_per_item" => Method::FixedPerItem,
                "per_month" => Method::PerMonth,
                "per_year" => Method::PerYear,
                o => return cx.err(
                    c.method.span(),
                    format!(
                        "credit_rule method \"{o}\" must be per_hour, per_unit, fixed_per_item, per_month or per_year"
                    ),
                ),
            };
            let rate = match method {
                Method::PerHour | Method::PerUnit | Method::PerMonth => match c.rate {
                    Some(r) => r.0,
                    None => {
                        return cx.err(
                            csp,
                            format!("credit_rule for \"{}\" with method {} needs a rate", c.kind, c.method.get_ref()),
                        );
                    }
                },
                Method::FixedPerItem | Method::PerYear => match c.amount {
                    Some(a) => a.0,
                    None => {
                        return cx.err(
                            csp,
                            format!(
                                "credit_rule for \"{}\" with method {} needs an amount",
                                c.kind,
                                c.method.get_ref()
                            ),
                        );
                    }
                },
            };
            let unit = match (&c.unit, method) {
                (Some(u), _) => match Unit::parse(u.get_ref()) {
                    Some(x) => Some(x),
                    None => return cx.err(u.span(), format!("unit \"{}\" is not recognised", u.get_ref())),
                },
                (None, Method::PerUnit) => {
                    return cx.err(csp, format!("credit_rule for \"{}\" with method per_unit needs a unit", c.kind));
                }
                (None, _) => None,
            };
            let mut conditions = Vec::new();
            for cond in &c.conditions {
                conditions.push(if let Some(t) = cond.strip_prefix("tagged:") {
                    Condition::Tagged(self.tag(cx, csp.clone(), t)?, t.to_string())
                } else if cond == "first_presentation_only" {
                    Condition::Attr(self.attr(cx, csp.clone(), "first_presentation")?, cond.clone())
                } else if let Some(a) = cond.strip_prefix("not_") {
                    Condition::NotAttr(self.attr(cx, csp.clone(), a)?, cond.clone())
                } else {
                    Condition::Attr(self.attr(cx, csp.clone(), cond)?, cond.clone())
                });
            }
            let earned_at = match c.earned_at.as_ref().map(|e| e.get_ref().as_str()) {
                None | Some("completion_date") => EarnedAt::CompletionDate,
                Some("session_date") => EarnedAt::SessionDate,
                Some("end_of_each_service_year") => EarnedAt::EndOfEachServiceYear,
                Some("publication_date") => EarnedAt::PublicationDate,
                Some("grant_date") => EarnedAt::GrantDate,
                Some("exam_date") => EarnedAt::ExamDate,
                Some(o) => {
                    return cx.err(
                        c.earned_at.as_ref().map(|e| e.span()).unwrap_or(csp),
                        format!("earned_at \"{o}\" is not recognised"),
                    );
                }
            };
            let rounding = match &c.rounding {
                Some(x) => Some(rounding(cx, x)?),
                None => None,
            };
            let kind = self.kind(&c.kind);
            credit_rules.push(CreditRule {
                kind,
                method,
                rate,
                unit,
                multiplier: c.multiplier.map(|m| m.0).unwrap_or(Amount::Known(MICRO)),
                conditions,
                earned_at,
                rounding,
            });
        }

        // Carryover.
        let carryover = match &r.carryover {
            None => Carryover {
                allowed: Tri::Unknown,
                max: Some(Amount::Unknown),
                periods_forward: 1,
                earned_within_months: None,
                excluded_tags: TagSet::EMPTY,
                claim_window_months: None,
                retains_tags: false,
            },
            Some(c) => {
                let csp = c.span();
                let c = c.get_ref();
                check_sources(&c.sources)?;
                check_conf(&c.confidence)?;
                let mut excluded = TagSet::EMPTY;
                for t in &c.excluded_tags {
                    excluded.insert(self.tag(cx, csp.clone(), t)?);
                }
                if c.valid_periods_forward == Some(0) {
                    return cx.err(csp, "valid_periods_forward must be at least 1");
                }
                Carryover {
                    allowed: c.allowed,
                    max: c.max.map(|m| m.0),
                    periods_forward: c.valid_periods_forward.unwrap_or(1),
                    earned_within_months: c.earned_within_months_before_end,
                    excluded_tags: excluded,
                    claim_window_months: c.carry_window_months_from_activity,
                    retains_tags: c.retains_tags.unwrap_or(true),
                }
            }
        };

        // First period.
        let first_period = match &r.first_period {
            None => FirstPeriod {
                policy: FirstPolicy::Unknown,
                applies_to: FirstAppliesTo::FirstRenewal,
                methods: Vec::new(),
                excluded_methods: Vec::new(),
                reduced_total: Amount::Unknown,
                reduced_minimums: Vec::new(),
                prorate_per_month: Amount::Unknown,
                carry_out: ExemptCarry::None,
                sources: Vec::new(),
            },
            Some(f) => {
                let fs = f.span();
                let f = f.get_ref();
                check_sources(&f.sources)?;
                check_conf(&f.confidence)?;
                let policy = match f.policy.get_ref().as_str() {
                    "exempt" => FirstPolicy::Exempt,
                    "reduced" => FirstPolicy::Reduced,
                    "prorated" => FirstPolicy::Prorated,
                    "standard" => FirstPolicy::Standard,
                    "unknown" => FirstPolicy::Unknown,
                    o => {
                        return cx.err(
                            f.policy.span(),
                            format!(
                                "first_period.policy \"{o}\" must be exempt, reduced, prorated, standard or unknown"
                            ),
                        );
                    }
                };
                let applies_to = match f.applies_to.as_ref().map(|a| a.get_ref().as_str()) {
                    None | Some("first_renewal") => FirstAppliesTo::FirstRenewal,
                    Some("period_containing_issue_date") => FirstAppliesTo::PeriodContainingIssueDate,
                    Some("remainder_of_issue_calendar_year") => FirstAppliesTo::RemainderOfIssueCalendarYear,
                    Some(o) => {
                        return cx.err(
                            f.applies_to.as_ref().map(|a| a.span()).unwrap_or(fs),
                            format!("first_period.applies_to \"{o}\" is not recognised"),
                        );
                    }
                };
                for m in f.licensure_methods.iter().chain(f.excluded_methods.iter()) {
                    if !["exam", "comity", "endorsement", "any"].contains(&m.as_str()) {
                        return cx
                            .err(fs, format!("licensure method \"{m}\" must be exam, comity, endorsement or any"));
                    }
                }
                let mut reduced_minimums = Vec::new();
                for rm in &f.reduced_minimums {
                    match minimums.iter().position(|m| m.id == rm.id) {
                        Some(i) => reduced_minimums.push((i, rm.hours.0)),
                        None => {
                            return cx.err(
                                fs,
                                format!(
                                    "reduced_minimums names \"{}\", which is not a minimum of this rule set",
                                    rm.id
                                ),
                            );
                        }
                    }
                }
                if policy == FirstPolicy::Reduced && f.reduced_total.is_none() {
                    return cx.err(fs, "first_period.policy = \"reduced\" needs reduced_total");
                }
                if policy == FirstPolicy::Prorated && f.prorate_hours_per_month.is_none() {
                    return cx.err(fs, "first_period.policy = \"prorated\" needs prorate_hours_per_month");
                }
                let carry_out = match f.carryover_out_of_exempt_period.as_ref().map(|c| c.get_ref().as_str()) {
                    None | Some("none") => ExemptCarry::None,
                    Some("normal") => ExemptCarry::Normal,
                    Some("unknown") => ExemptCarry::Unknown,
                    Some(o) => {
                        return cx.err(
                            fs,
                            format!("carryover_out_of_exempt_period \"{o}\" must be none, normal or unknown"),
                        );
                    }
                };
                FirstPeriod {
                    policy,
                    applies_to,
                    methods: f.licensure_methods.iter().filter(|m| *m != "any").cloned().collect(),
                    excluded_methods: f.excluded_methods.clone(),
                    reduced_total: f.reduced_total.map(|x| x.0).unwrap_or(Amount::Unknown),
                    reduced_minimums,
                    prorate_per_month: f.prorate_hours_per_month.map(|x| x.0).unwrap_or(Amount::Unknown),
                    carry_out,
                    sources: f
                        .sources
                        .iter()
                        .filter_map(|id| sources.get(id.get_ref().as_str()).map(|t| t.to_string()))
                        .collect(),
                }
            }
        };
        if let Some(p) = &r.proration {
            check_sources(&p.get_ref().sources)?;
        }
        if let Some(p) = &r.records {
            check_sources(&p.get_ref().sources)?;
        }
        for e in &r.exemption {
            check_sources(&e.get_ref().sources)?;
        }
        if let Some(p) = &r.policy {
            check_policies(cx, p)?;
        }

        Ok(Ruleset {
            id,
            version: r.version.get_ref().clone(),
            name: r.name.clone(),
            credential_type: match r.credential_type.get_ref().as_str() {
                "program" => "programme".into(),
                other => other.into(),
            },
            file: cx.file.to_string(),
            effective_from,
            effective_until,
            status,
            credit_unit,
            credit_unit_id,
            contact_rounding,
            contact_hour_credit: r.contact_hour_credit.map(|c| c.0).unwrap_or(Amount::Known(MICRO)),
            cycle,
            requirement,
            non_credit_items,
            minimums,
            maxima,
            exclusions,
            diversity,
            credit_rules,
            carryover,
            first_period,
            proration_per_month: r.proration.as_ref().map(|p| p.get_ref().hours_per_month.0),
            matcher: Matcher::default(),
            confidence: r.confidence.as_ref().map(|c| c.get_ref().clone()),
            sources: r.sources.iter().map(|s| s.get_ref().clone()).collect(),
        })
    }

    fn finish(mut self) -> Result<RuleBook, CeError> {
        let (nk, nt) = (self.kind_names.len(), self.tag_names.len());
        for h in self.rulesets.iter_mut() {
            for v in h.versions.iter_mut() {
                v.matcher = Matcher::compile(v, nk, nt);
            }
        }
        for (rid, file, line) in &self.holds_refs {
            if !self.index.contains_key(rid) {
                // Referring to a rule set that is not loaded is allowed (e.g. US-OH-PS is not in the
                // research set): the minimum then simply never applies. Ids must still look like ids.
                if rid.is_empty() || rid.contains(char::is_whitespace) {
                    return Err(CeError::RuleFile {
                        file: file.clone(),
                        line: *line,
                        reason: format!("applies_if names an invalid rule set id \"{rid}\""),
                    });
                }
            }
        }
        if self.rulesets.is_empty() {
            return Err(CeError::RuleFile {
                file: "(rule book)".into(),
                line: 0,
                reason: "no rule sets were loaded".into(),
            });
        }
        Ok(RuleBook {
            rulesets: self.rulesets,
            index: self.index,
            tags: self.tags,
            tag_names: self.tag_names,
            kinds: self.kinds,
            kind_names: self.kind_names,
            attrs: self.attrs,
            jurisdictions: self.jurisdictions,
            diversity_prefixes: self.diversity_prefixes,
            files: self.files,
        })
    }
}

fn rounding(cx: &Ctx, r: &Sp<RawRounding>) -> Result<Rounding, CeError> {
    let rs = r.span();
    let r = r.get_ref();
    let increment = match r.increment.0 {
        Amount::Known(v) if v > 0 => v,
        _ => return cx.err(rs, "rounding increment must be a positive number"),
    };
    let mode = match r.mode.get_ref().as_str() {
        "nearest" => RoundMode::Nearest,
        "down" => RoundMode::Down,
        "up" => RoundMode::Up,
        o => return cx.err(r.mode.span(), format!("rounding mode \"{o}\" must be nearest, down or up")),
    };
    let minimum = match r.minimum {
        None => None,
        Some(RawNum(Amount::Known(v))) => Some(v),
        Some(RawNum(Amount::Unknown)) => return cx.err(rs, "rounding minimum may not be \"unknown\""),
    };
    Ok(Rounding { increment, mode, minimum })
}

fn check_policies(cx: &Ctx, p: &BTreeMap<String, Sp<toml::Value>>) -> Result<(), CeError> {
    for (k, v) in p {
        let Some((_, want)) = ENGINE_POLICIES.iter().find(|(name, _)| name == k) else {
            return cx.err(v.span(), format!("policy \"{k}\" is not known to the engine"));
        };
        let ok = match v.get_ref() {
            toml::Value::String(s) => s == want,
            toml::Value::Boolean(b) => b.to_string() == *want,
            toml::Value::Table(t) => {
                k == "rounding"
                    && t.get("mode").and_then(|m| m.as_str()) == Some("nearest")
                    && t.get("increment").and_then(|i| i.as_float()) == Some(0.01)
            }
            _ => false,
        };
        if !ok {
            return cx.err(
                v.span(),
                format!("policy {k} = {} is not supported: this engine implements {k} = {want}", v.get_ref()),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_units_read_as_words() {
        for (id, words) in
            [("PDH", "PDH"), ("CPD_HOUR", "CPD hours"), ("GISP_POINT", "GISP points"), ("AEE_CREDIT", "AEE credits")]
        {
            assert_eq!(unit_words(id), words);
        }
    }

    #[test]
    fn embedded_book_loads() {
        let book = RuleBook::embedded().expect("embedded rules load");
        assert!(book.ruleset_ids().len() >= 25, "{:?}", book.ruleset_ids());
        let il = book.history("US-IL-PE").expect("IL");
        assert_eq!(il.versions.len(), 2);
        let d = |s| crate::dates::parse_iso(s).expect("date");
        assert_eq!(il.version_on(d("2021-11-30")).version, "2021-11-30");
        assert_eq!(il.version_on(d("2023-11-30")).version, "2023-11-30");
        let ny = book.history("US-NY-PE").expect("NY");
        assert_eq!(ny.version_on(d("2021-06-30")).version, "pre-2022");
        assert_eq!(ny.version_on(d("2024-06-30")).version, "2022-01-01");
    }

    const GOOD: &str = r#"schema_version = "1.0.0"

[[source]]
id = "chapter-bylaws"
title = "Chapter bylaws, section 4"
kind = "staff"

[[ruleset]]
id = "CHAPTER-CERT"
version = "2026"
name = "Chapter certificate"
authority = "Guildhall chapter"
credential_type = "programme"
jurisdiction = "society"
status = "voluntary"
credit_unit = "PDH"
sources = ["chapter-bylaws"]

[ruleset.cycle]
length_months = 12
anchor = "calendar_year"

[ruleset.requirement]
total = 10
sources = ["chapter-bylaws"]
"#;

    fn refused(text: &str) -> (String, usize, String) {
        match RuleBook::from_sources(&[("broken.toml", text)]) {
            Err(CeError::RuleFile { file, line, reason }) => (file, line, reason),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn good_staff_file_loads() {
        let book = RuleBook::from_sources(&[("chapter.toml", GOOD)]).expect("loads");
        assert_eq!(book.ruleset_ids(), vec!["CHAPTER-CERT"]);
    }

    fn with_caps(caps: &[(&str, &str, &str)]) -> String {
        let mut text = GOOD.to_string();
        for (id, tags, scope) in caps {
            text.push_str(&format!(
                "\n[[ruleset.maximum]]\nid = \"{id}\"\nmax = 5\napplies_to_tags = [{tags}]\nscope = \"{scope}\"\nsources = [\"chapter-bylaws\"]\n"
            ));
        }
        text
    }

    /// Caps whose credit can overlap are credited jointly through two families of nested caps:
    /// two crossing caps, or caps nested in each other, load; three caps that can each overlap
    /// the other two without nesting cannot be split so and are refused with a sentence.
    #[test]
    fn caps_must_split_into_two_nested_families() {
        let two = with_caps(&[("a", "\"x\"", "period"), ("b", "\"y\"", "period")]);
        let book = RuleBook::from_sources(&[("chapter.toml", two.as_str())]).expect("two crossing caps load");
        let v = &book.history("CHAPTER-CERT").expect("rs").versions[0];
        assert_ne!(v.maxima[0].family, v.maxima[1].family);
        let nested =
            with_caps(&[("a", "\"x\"", "calendar_year"), ("b", "\"x\", \"y\"", "period"), ("c", "\"y\"", "period")]);
        RuleBook::from_sources(&[("chapter.toml", nested.as_str())]).expect("nested caps load");
        let three = with_caps(&[("a", "\"x\"", "period"), ("b", "\"y\"", "period"), ("c", "\"z\"", "period")]);
        let (_, line, reason) = refused(&three);
        assert_eq!(line, 8, "{reason}");
        assert!(reason.contains("overlap without one containing another"), "{reason}");
    }

    #[test]
    fn broken_number_gives_file_line_reason() {
        let text = GOOD.replace("total = 10", "total = \"lots\"");
        let (file, line, reason) = refused(&text);
        assert_eq!(file, "broken.toml");
        assert_eq!(line, 24, "{reason}");
        assert!(reason.contains("expected a number or \"unknown\""), "{reason}");
    }

    #[test]
    fn undefined_source_gives_line() {
        let text = GOOD.replace("total = 10\nsources = [\"chapter-bylaws\"]", "total = 10\nsources = [\"nowhere\"]");
        let (_, line, reason) = refused(&text);
        assert_eq!(line, 25, "{reason}");
        assert!(reason.contains("source \"nowhere\" is not defined"), "{reason}");
    }

    #[test]
    fn unknown_key_and_bad_enum_are_refused() {
        let (_, line, reason) = refused(&GOOD.replace("anchor = \"calendar_year\"", "anchor = \"lunar\""));
        assert_eq!(line, 21, "{reason}");
        assert!(reason.contains("cycle.anchor \"lunar\""), "{reason}");
        let (_, line, reason) = refused(&GOOD.replace("length_months = 12", "length_month = 12"));
        assert_eq!(line, 20, "{reason}");
        assert!(reason.contains("length_month"), "{reason}");
        let (_, _, reason) = refused(&GOOD.replace("credit_unit = \"PDH\"", "credit_unit = \"BEANS\""));
        assert!(reason.contains("credit_unit"), "{reason}");
    }

    #[test]
    fn unsupported_policy_is_refused() {
        let text = format!("{GOOD}\n[ruleset.policy]\ncap_trim_order = \"earliest_first\"\n");
        let (_, line, reason) = refused(&text);
        assert_eq!(line, 28, "{reason}");
        assert!(reason.contains("cap_trim_order"), "{reason}");
    }

    #[test]
    fn duplicate_ruleset_across_files_is_refused() {
        match RuleBook::from_sources(&[("a.toml", GOOD), ("b.toml", GOOD)]) {
            Err(CeError::RuleFile { file, reason, .. }) => {
                assert_eq!(file, "b.toml");
                assert!(reason.contains("already defined"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rounding_thirds() {
        let r = Rounding { increment: 333_333, mode: RoundMode::Nearest, minimum: None };
        assert_eq!(r.apply(1_416_667), 1_333_332);
        assert_eq!(r.apply(3_000_000), 3_000_000);
        assert_eq!(crate::amount::Credit::from_micro(r.apply(1_416_667)), crate::amount::Credit(133));
    }
}
