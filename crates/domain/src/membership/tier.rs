//! Tiers and eligibility.
//!
//! Staff configure the society's tiers (student, associate, member, senior, fellow, life,
//! retired, …). Each has annual dues, whether staff must approve applications, and a list
//! of [`Requirement`]s checked by [`check_eligibility`] at join (and whenever a member asks
//! to move tier). Every failed requirement becomes an [`Ineligibility`] whose `Display` is
//! a sentence the member can act on.
//!
//! # How requirements are judged
//!
//! - **Licence**: a *current professional engineering licence* is a PE or SE licence
//!   ([`LicenceKind::is_engineering`]) first issued on or before the date and not expired
//!   (no expiry date recorded counts as current). A land-surveying (PLS) licence alone
//!   does not count.
//! - **Years licensed**: whole years from the earliest first-issued date of any PE or SE
//!   licence, current or not; gaps in licensure are not subtracted.
//! - **Age**: whole years from the date of birth. Someone born on February 29 turns a
//!   year older on March 1 in years without February 29.
//! - **Enrolment**: an enrolment that has started and whose expected completion date (if
//!   any) is not before the date.
//! - **Years of membership**: see [`years_of_membership`].
//! - **Career stage**: the member's stated career stage is one of the allowed ones.

use crate::member::LicenceKind;
use std::collections::{BTreeSet, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use super::dates::{anniversary, inclusive_days, long_date, whole_years_between};
use super::{Cents, MembershipError, Term};

/// A tier's code: 1 to 32 lowercase ASCII letters, digits, `-` or `_`, e.g. `"member"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TierCode(String);

impl TierCode {
    /// A tier code, refusing anything but 1 to 32 of `a-z`, `0-9`, `-`, `_`.
    pub fn new(code: impl Into<String>) -> Result<Self, MembershipError> {
        let code = code.into();
        let valid = (1..=32).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid { Ok(Self(code)) } else { Err(MembershipError::InvalidTierCode(code)) }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TierCode {
    type Error = MembershipError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<TierCode> for String {
    fn from(c: TierCode) -> Self {
        c.0
    }
}

impl fmt::Display for TierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a person is in their engineering career, as stated on their profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareerStage {
    /// Enrolled in an engineering programme.
    Student,
    /// Graduated, working towards licensure (engineer in training / engineer intern).
    EngineerInTraining,
    /// Holds a professional licence.
    Licensed,
    /// Retired from practice.
    Retired,
    /// Anything else (allied professions, non-licensed practice, supporters).
    Other,
}

impl fmt::Display for CareerStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CareerStage::Student => "student",
            CareerStage::EngineerInTraining => "engineer in training",
            CareerStage::Licensed => "licensed engineer",
            CareerStage::Retired => "retired",
            CareerStage::Other => "other",
        })
    }
}

/// A non-empty set of career stages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BTreeSet<CareerStage>", into = "BTreeSet<CareerStage>")]
pub struct CareerStages(BTreeSet<CareerStage>);

impl CareerStages {
    /// The set, refusing an empty one.
    pub fn new(stages: impl IntoIterator<Item = CareerStage>) -> Result<Self, MembershipError> {
        let set: BTreeSet<CareerStage> = stages.into_iter().collect();
        if set.is_empty() { Err(MembershipError::EmptyCareerStages) } else { Ok(Self(set)) }
    }

    /// Whether `stage` is in the set.
    pub fn contains(&self, stage: CareerStage) -> bool {
        self.0.contains(&stage)
    }

    /// The stages, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = CareerStage> + '_ {
        self.0.iter().copied()
    }
}

impl TryFrom<BTreeSet<CareerStage>> for CareerStages {
    type Error = MembershipError;
    fn try_from(s: BTreeSet<CareerStage>) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<CareerStages> for BTreeSet<CareerStage> {
    fn from(s: CareerStages) -> Self {
        s.0
    }
}

impl fmt::Display for CareerStages {
    /// "student", "student or engineer in training", "a, b or c".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.iter().map(|s| s.to_string()).collect();
        match names.split_last() {
            Some((last, [])) => f.write_str(last),
            Some((last, rest)) => write!(f, "{} or {last}", rest.join(", ")),
            None => Ok(()),
        }
    }
}

/// One eligibility condition of a tier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A current professional engineering licence (PE or SE).
    RequiresLicence,
    /// Current enrolment in an engineering programme.
    RequiresEnrolment,
    /// At least this many whole years since first licensed as an engineer.
    MinYearsLicensed(u8),
    /// At least this age in whole years.
    MinAge(u8),
    /// At least this many years of paid membership (see [`years_of_membership`]).
    MinYearsOfMembership(u8),
    /// The member's career stage is one of these.
    CareerStage(CareerStages),
    /// The applicant declares that they have retired from paid engineering work.
    RetirementDeclaration,
}

/// How a requirement is proven: from what the society already holds, or from what the
/// applicant says (which staff check before the lower dues apply: the Tendenci #752
/// pattern, a price claimed by typing, is closed by review, not by trust).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// A licence on the record (its number can be checked with the board).
    LicenceRecord,
    /// Paid terms in the society's own ledger.
    MembershipRecord,
    /// Proof of enrolment the applicant uploads (a student card, a registrar's letter).
    EnrolmentDocument,
    /// A date of birth the applicant gives.
    DeclaredDateOfBirth,
    /// A career stage the applicant chooses.
    DeclaredCareerStage,
    /// A signed declaration of retirement.
    RetirementDeclaration,
}

impl Proof {
    /// Whether the applicant supplies this proof themself, so staff must review it.
    pub fn is_self_declared(self) -> bool {
        !matches!(self, Proof::LicenceRecord | Proof::MembershipRecord)
    }

    /// What the proof is, in words for staff and applicants.
    pub fn describe(self) -> &'static str {
        match self {
            Proof::LicenceRecord => "the licence on the member's record",
            Proof::MembershipRecord => "the society's record of paid membership",
            Proof::EnrolmentDocument => "uploaded proof of enrolment (a student card or a letter from the school)",
            Proof::DeclaredDateOfBirth => "the date of birth the applicant gives",
            Proof::DeclaredCareerStage => "the career stage the applicant chooses",
            Proof::RetirementDeclaration => "the applicant's declaration of retirement",
        }
    }
}

impl Proof {
    pub const ALL: [Proof; 6] = [
        Proof::LicenceRecord,
        Proof::MembershipRecord,
        Proof::EnrolmentDocument,
        Proof::DeclaredDateOfBirth,
        Proof::DeclaredCareerStage,
        Proof::RetirementDeclaration,
    ];

    /// The code stored for this proof.
    pub fn code(self) -> &'static str {
        match self {
            Proof::LicenceRecord => "licence_record",
            Proof::MembershipRecord => "membership_record",
            Proof::EnrolmentDocument => "enrolment_document",
            Proof::DeclaredDateOfBirth => "declared_date_of_birth",
            Proof::DeclaredCareerStage => "declared_career_stage",
            Proof::RetirementDeclaration => "retirement_declaration",
        }
    }
}

impl TryFrom<String> for Proof {
    type Error = MembershipError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Proof::ALL.into_iter().find(|p| p.code() == code).ok_or(MembershipError::UnknownCode { what: "proof", code })
    }
}

impl Requirement {
    /// What proves this requirement is met.
    pub fn proof(&self) -> Proof {
        match self {
            Requirement::RequiresLicence | Requirement::MinYearsLicensed(_) => Proof::LicenceRecord,
            Requirement::MinYearsOfMembership(_) => Proof::MembershipRecord,
            Requirement::RequiresEnrolment => Proof::EnrolmentDocument,
            Requirement::MinAge(_) => Proof::DeclaredDateOfBirth,
            Requirement::CareerStage(_) => Proof::DeclaredCareerStage,
            Requirement::RetirementDeclaration => Proof::RetirementDeclaration,
        }
    }
}

/// A membership tier as configured by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TierSettings", into = "TierSettings")]
pub struct Tier {
    code: TierCode,
    name: String,
    annual_dues: Cents,
    requires_approval: bool,
    requirements: Vec<Requirement>,
}

/// The unchecked settings of a [`Tier`], for storage and serialisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierSettings {
    /// Code, e.g. `"senior"`.
    pub code: TierCode,
    /// Display name used in sentences to members, e.g. `"Senior Member"`.
    pub name: String,
    /// Annual dues in cents.
    pub annual_dues: Cents,
    /// Whether staff must approve applications.
    pub requires_approval: bool,
    /// Eligibility conditions; all must hold.
    pub requirements: Vec<Requirement>,
}

impl TryFrom<TierSettings> for Tier {
    type Error = MembershipError;
    fn try_from(s: TierSettings) -> Result<Self, Self::Error> {
        Tier::new(s.code, s.name, s.annual_dues, s.requires_approval, s.requirements)
    }
}

impl From<Tier> for TierSettings {
    fn from(t: Tier) -> Self {
        Self {
            code: t.code,
            name: t.name,
            annual_dues: t.annual_dues,
            requires_approval: t.requires_approval,
            requirements: t.requirements,
        }
    }
}

impl Tier {
    /// A tier; the display name must not be blank (it appears in sentences to members).
    pub fn new(
        code: TierCode,
        name: impl Into<String>,
        annual_dues: Cents,
        requires_approval: bool,
        requirements: Vec<Requirement>,
    ) -> Result<Self, MembershipError> {
        let name = name.into().trim().to_string();
        if name.is_empty() {
            return Err(MembershipError::EmptyTierName(code.0));
        }
        Ok(Self { code, name, annual_dues, requires_approval, requirements })
    }

    /// The tier's code.
    pub fn code(&self) -> &TierCode {
        &self.code
    }

    /// The tier's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Annual dues.
    pub fn annual_dues(&self) -> Cents {
        self.annual_dues
    }

    /// Whether staff must approve applications (as configured; see [`Tier::needs_review`]).
    pub fn requires_approval(&self) -> bool {
        self.requires_approval
    }

    /// Whether an application for this tier waits for staff: when the tier is set to need
    /// approval, or when any requirement rests on what the applicant declares.
    pub fn needs_review(&self) -> bool {
        self.requires_approval || self.requirements.iter().any(|r| r.proof().is_self_declared())
    }

    /// The proofs of eligibility, each once, in the order of the requirements.
    pub fn proofs(&self) -> Vec<Proof> {
        let mut proofs: Vec<Proof> = Vec::new();
        for proof in self.requirements.iter().map(Requirement::proof) {
            if !proofs.contains(&proof) {
                proofs.push(proof);
            }
        }
        proofs
    }

    /// Eligibility conditions; all must hold.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }
}

/// A licence on the applicant's profile (jurisdiction and number do not affect eligibility).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LicenceFact {
    /// Kind of licence.
    pub kind: LicenceKind,
    /// Day the licence was first issued.
    pub first_issued_on: Date,
    /// Last day the licence is valid; `None` if not recorded.
    pub expires_on: Option<Date>,
}

impl LicenceFact {
    fn is_current_engineering(&self, on: Date) -> bool {
        self.kind.is_engineering() && self.first_issued_on <= on && self.expires_on.is_none_or(|e| e >= on)
    }
}

/// An enrolment in an engineering programme on the applicant's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnrolmentFact {
    /// First day of the enrolment.
    pub starts_on: Date,
    /// Expected completion date; `None` if not recorded.
    pub expected_completion_on: Option<Date>,
}

impl EnrolmentFact {
    fn is_current(&self, on: Date) -> bool {
        self.starts_on <= on && self.expected_completion_on.is_none_or(|e| e >= on)
    }
}

/// What the rules need to know about an applicant (or a member changing tier).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantFacts {
    /// Date of birth, if given.
    pub date_of_birth: Option<Date>,
    /// Career stage, if given.
    pub career_stage: Option<CareerStage>,
    /// Licences held, current or not.
    pub licences: Vec<LicenceFact>,
    /// Enrolments, current or past.
    pub enrolments: Vec<EnrolmentFact>,
    /// Paid membership terms so far (for [`Requirement::MinYearsOfMembership`]).
    pub paid_terms: Vec<Term>,
    /// Whether the applicant declared retirement from paid engineering work.
    #[serde(default)]
    pub declared_retired: bool,
}

/// Whole years of paid membership up to and including `on`: the number of distinct days
/// covered by `paid_terms` (overlaps counted once, days after `on` ignored), divided by 365
/// and rounded down. Gaps between terms are not counted, and periods on either side of a
/// lapse add up. Because every real year has at least 365 days, a member is never
/// credited with fewer years than they have actually been paid up.
pub fn years_of_membership(paid_terms: &[Term], on: Date) -> u32 {
    let mut terms: Vec<(Date, Date)> =
        paid_terms.iter().filter(|t| t.starts_on() <= on).map(|t| (t.starts_on(), t.ends_on().min(on))).collect();
    terms.sort();
    let mut days: i64 = 0;
    let mut covered_to: Option<Date> = None;
    for (start, end) in terms {
        let from = match covered_to {
            Some(c) if c >= end => continue,
            Some(c) if c >= start => c.next_day().unwrap_or(end),
            _ => start,
        };
        days += inclusive_days(from, end);
        covered_to = Some(end);
    }
    u32::try_from(days / 365).unwrap_or(u32::MAX)
}

/// One reason an applicant cannot have a tier. `Display` renders a sentence the member can
/// act on; `tier` is the tier's display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Ineligibility {
    /// No engineering licence on the profile that could be current.
    NoLicence {
        /// Tier display name.
        tier: String,
    },
    /// The engineering licences on the profile have all expired.
    LicenceExpired {
        /// Tier display name.
        tier: String,
        /// Latest expiry among them.
        expired_on: Date,
    },
    /// No enrolment on the profile.
    NotEnrolled {
        /// Tier display name.
        tier: String,
    },
    /// Every enrolment on the profile has ended.
    EnrolmentEnded {
        /// Tier display name.
        tier: String,
        /// Latest expected completion date among them.
        ended_on: Date,
    },
    /// Not licensed for long enough.
    TooFewYearsLicensed {
        /// Tier display name.
        tier: String,
        /// Years required.
        required: u8,
        /// Years on the profile.
        actual: u32,
    },
    /// No date of birth on the profile.
    NoDateOfBirth {
        /// Tier display name.
        tier: String,
        /// Minimum age.
        min_age: u8,
    },
    /// Too young.
    TooYoung {
        /// Tier display name.
        tier: String,
        /// Minimum age.
        min_age: u8,
        /// Day the applicant reaches the minimum age.
        eligible_on: Date,
    },
    /// Not a member for long enough.
    TooFewYearsOfMembership {
        /// Tier display name.
        tier: String,
        /// Years required.
        required: u8,
        /// Years so far.
        actual: u32,
    },
    /// No career stage on the profile.
    NoCareerStage {
        /// Tier display name.
        tier: String,
        /// Career stages the tier allows.
        allowed: CareerStages,
    },
    /// The tier is for retired engineers and the applicant did not declare retirement.
    NotDeclaredRetired {
        /// Tier display name.
        tier: String,
    },
    /// The profile's career stage is not one the tier allows.
    CareerStageNotAllowed {
        /// Tier display name.
        tier: String,
        /// Career stages the tier allows.
        allowed: CareerStages,
        /// The profile's career stage.
        actual: CareerStage,
    },
}

fn years(n: u32) -> String {
    if n == 1 { "1 year".to_string() } else { format!("{n} years") }
}

impl fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ineligibility::NotDeclaredRetired { tier } => write!(
                f,
                "The {tier} tier is for engineers who have retired from paid engineering work; tick the declaration if you have."
            ),
            Ineligibility::NoLicence { tier } => write!(
                f,
                "The {tier} tier requires a current professional engineering licence; add your licence to your profile."
            ),
            Ineligibility::LicenceExpired { tier, expired_on } => write!(
                f,
                "The {tier} tier requires a current professional engineering licence, and yours expired on {}; renew it with your licensing board, then update its expiry date in your profile.",
                long_date(*expired_on)
            ),
            Ineligibility::NotEnrolled { tier } => write!(
                f,
                "The {tier} tier requires current enrolment in an engineering programme; add your enrolment to your profile."
            ),
            Ineligibility::EnrolmentEnded { tier, ended_on } => write!(
                f,
                "The {tier} tier requires current enrolment in an engineering programme, and your profile shows it ended on {}; if you are still enrolled, update your expected completion date in your profile.",
                long_date(*ended_on)
            ),
            Ineligibility::TooFewYearsLicensed { tier, required, actual } => write!(
                f,
                "The {tier} tier requires at least {} as a licensed engineer, and your profile shows {}; if you were licensed earlier, add your earliest licence with its first-issued date to your profile.",
                years(u32::from(*required)),
                years(*actual)
            ),
            Ineligibility::NoDateOfBirth { tier, min_age } => write!(
                f,
                "The {tier} tier is for members aged {min_age} or over; add your date of birth to your profile."
            ),
            Ineligibility::TooYoung { tier, min_age, eligible_on } => write!(
                f,
                "The {tier} tier is for members aged {min_age} or over; you can move to it from {}.",
                long_date(*eligible_on)
            ),
            Ineligibility::TooFewYearsOfMembership { tier, required, actual } => write!(
                f,
                "The {tier} tier requires at least {} of membership, and you have {}; you can move to it once you reach {}.",
                years(u32::from(*required)),
                years(*actual),
                years(u32::from(*required))
            ),
            Ineligibility::NoCareerStage { tier, allowed } => write!(
                f,
                "The {tier} tier is for members whose career stage is {allowed}; add your career stage to your profile."
            ),
            Ineligibility::CareerStageNotAllowed { tier, allowed, actual } => write!(
                f,
                "The {tier} tier is for members whose career stage is {allowed}, and your profile says {actual}; if that has changed, update your career stage in your profile, or choose another tier."
            ),
        }
    }
}

/// Checks every requirement of `tier` against `facts` on the date `on`. `Ok(())` if all
/// hold; otherwise every failed requirement, in the tier's order, each once.
pub fn check_eligibility(tier: &Tier, facts: &ApplicantFacts, on: Date) -> Result<(), Vec<Ineligibility>> {
    let name = || tier.name.clone();
    let mut problems: Vec<Ineligibility> = Vec::new();
    for requirement in &tier.requirements {
        let problem = match requirement {
            Requirement::RequiresLicence => check_licence(name(), facts, on),
            Requirement::RequiresEnrolment => check_enrolment(name(), facts, on),
            Requirement::MinYearsLicensed(required) => {
                let actual = facts
                    .licences
                    .iter()
                    .filter(|l| l.kind.is_engineering())
                    .map(|l| l.first_issued_on)
                    .min()
                    .map_or(0, |first| whole_years_between(first, on));
                (actual < u32::from(*required)).then(|| Ineligibility::TooFewYearsLicensed {
                    tier: name(),
                    required: *required,
                    actual,
                })
            }
            Requirement::MinAge(min_age) => match facts.date_of_birth {
                None => Some(Ineligibility::NoDateOfBirth { tier: name(), min_age: *min_age }),
                Some(born) if whole_years_between(born, on) < u32::from(*min_age) => {
                    // Unreachable ends of the calendar: fall back to asking for the date again.
                    match anniversary(born, i32::from(*min_age)) {
                        Ok(eligible_on) => {
                            Some(Ineligibility::TooYoung { tier: name(), min_age: *min_age, eligible_on })
                        }
                        Err(_) => Some(Ineligibility::NoDateOfBirth { tier: name(), min_age: *min_age }),
                    }
                }
                Some(_) => None,
            },
            Requirement::MinYearsOfMembership(required) => {
                let actual = years_of_membership(&facts.paid_terms, on);
                (actual < u32::from(*required)).then(|| Ineligibility::TooFewYearsOfMembership {
                    tier: name(),
                    required: *required,
                    actual,
                })
            }
            Requirement::CareerStage(allowed) => match facts.career_stage {
                None => Some(Ineligibility::NoCareerStage { tier: name(), allowed: allowed.clone() }),
                Some(actual) if !allowed.contains(actual) => {
                    Some(Ineligibility::CareerStageNotAllowed { tier: name(), allowed: allowed.clone(), actual })
                }
                Some(_) => None,
            },
            Requirement::RetirementDeclaration => {
                (!facts.declared_retired).then(|| Ineligibility::NotDeclaredRetired { tier: name() })
            }
        };
        problems.extend(problem);
    }
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn check_licence(tier: String, facts: &ApplicantFacts, on: Date) -> Option<Ineligibility> {
    if facts.licences.iter().any(|l| l.is_current_engineering(on)) {
        return None;
    }
    let expired_on = facts
        .licences
        .iter()
        .filter(|l| l.kind.is_engineering() && l.first_issued_on <= on)
        .filter_map(|l| l.expires_on)
        .max();
    Some(match expired_on {
        Some(expired_on) => Ineligibility::LicenceExpired { tier, expired_on },
        None => Ineligibility::NoLicence { tier },
    })
}

fn check_enrolment(tier: String, facts: &ApplicantFacts, on: Date) -> Option<Ineligibility> {
    if facts.enrolments.iter().any(|e| e.is_current(on)) {
        return None;
    }
    let ended_on = facts.enrolments.iter().filter(|e| e.starts_on <= on).filter_map(|e| e.expected_completion_on).max();
    Some(match ended_on {
        Some(ended_on) => Ineligibility::EnrolmentEnded { tier, ended_on },
        None => Ineligibility::NotEnrolled { tier },
    })
}

#[cfg(test)]
mod tests;
