//! Dues: what a term costs, for one member, a household, or an organisation.
//!
//! # One member
//!
//! Dues for a term = the tier's annual dues + the home chapter's supplement (both annual
//! amounts), each multiplied by `months_charged ÷ 12` and rounded down to the cent.
//!
//! `months_charged` is 12 except under calendar terms with [`Proration::Monthly`], for a
//! term that starts after January 1 and ends on December 31 of the same year (a mid-year
//! join or reinstatement before the late-join cutoff): then it is the number of calendar
//! months the term touches, counting the starting month in full (joining any day in March
//! charges 10 months). A late join that runs to the end of the next year is charged one
//! full year: the rest of the joining year is free. Anniversary terms and renewals are
//! always charged in full.
//!
//! # Households
//!
//! One payer, several people. The primary member pays their own dues in full (with their
//! chapter supplement); each additional person pays the society's [`HouseholdRate`]
//! (free, a fixed annual amount prorated like the primary's dues, or a percentage of the
//! primary's total). Additional people pay no chapter supplement of their own. The
//! household shares one term history, so everyone in it has the household's standing.
//!
//! # Organisations
//!
//! See [`organisational_dues`](super::organisational_dues).

use serde::{Deserialize, Serialize};
use time::Month;

use super::{Cents, MembershipError, Proration, Term, TermPolicy, Tier};

/// A percentage from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Percent(u8);

impl Percent {
    /// A percentage, refusing anything above 100.
    pub fn new(percent: u8) -> Result<Self, MembershipError> {
        if percent > 100 { Err(MembershipError::InvalidPercent(percent)) } else { Ok(Self(percent)) }
    }

    /// The percentage.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Percent {
    type Error = MembershipError;
    fn try_from(p: u8) -> Result<Self, Self::Error> {
        Self::new(p)
    }
}

impl From<Percent> for u8 {
    fn from(p: Percent) -> Self {
        p.0
    }
}

/// Dues for one term, line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DuesQuote {
    /// Tier dues for the term (prorated if applicable).
    pub tier_dues: Cents,
    /// Home chapter supplement for the term (prorated if applicable).
    pub chapter_supplement: Cents,
    /// Months charged, 1 to 12; 12 means the full annual amounts.
    pub months_charged: u8,
    /// `tier_dues + chapter_supplement`.
    pub total: Cents,
}

/// Months of annual dues to charge for `term` under `policy` (see the module docs): 12,
/// or fewer for a part-year calendar term when the policy prorates monthly.
pub fn months_charged(policy: &TermPolicy, term: &Term) -> u8 {
    let start = term.starts_on();
    let end = term.ends_on();
    let part_year = start.year() == end.year()
        && end.month() == Month::December
        && end.day() == 31
        && !(start.month() == Month::January && start.day() == 1);
    match policy.proration() {
        Proration::Monthly if part_year => 13 - u8::from(start.month()),
        _ => 12,
    }
}

/// Dues for `term` in `tier`, with the home chapter's annual supplement (use
/// [`Cents::ZERO`] for a chapter without one).
pub fn dues_for_term(
    policy: &TermPolicy,
    tier: &Tier,
    chapter_supplement: Cents,
    term: &Term,
) -> Result<DuesQuote, MembershipError> {
    let months = months_charged(policy, term);
    let tier_dues = tier.annual_dues().fraction(i64::from(months), 12)?;
    let chapter_supplement = chapter_supplement.fraction(i64::from(months), 12)?;
    Ok(DuesQuote {
        tier_dues,
        chapter_supplement,
        months_charged: months,
        total: tier_dues.checked_add(chapter_supplement)?,
    })
}

/// What each additional person in a household pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdRate {
    /// Nothing.
    Free,
    /// A fixed annual amount, prorated with the same months as the primary's dues.
    Fixed(Cents),
    /// A percentage of the primary member's total dues for the term, rounded down.
    PercentOfPrimary(Percent),
}

/// The society's household settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HouseholdPolicy {
    /// What each additional person pays.
    pub additional_person_rate: HouseholdRate,
    /// The most additional people one household may have.
    pub max_additional_people: u16,
}

/// A household's dues for one term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HouseholdDues {
    /// The primary member's (the payer's) own dues.
    pub primary: DuesQuote,
    /// What each additional person pays for the term.
    pub per_additional_person: Cents,
    /// Number of additional people.
    pub additional_people: u16,
    /// Everything the payer pays.
    pub total: Cents,
}

/// Dues for a household: the primary's quote (from [`dues_for_term`]) plus
/// `additional_people` at the household rate. Errors with
/// [`MembershipError::HouseholdTooLarge`] beyond the policy's limit.
pub fn household_dues(
    policy: &HouseholdPolicy,
    primary: DuesQuote,
    additional_people: u16,
) -> Result<HouseholdDues, MembershipError> {
    if additional_people > policy.max_additional_people {
        return Err(MembershipError::HouseholdTooLarge {
            requested: additional_people,
            max: policy.max_additional_people,
        });
    }
    let per_additional_person = match policy.additional_person_rate {
        HouseholdRate::Free => Cents::ZERO,
        HouseholdRate::Fixed(annual) => annual.fraction(i64::from(primary.months_charged), 12)?,
        HouseholdRate::PercentOfPrimary(p) => primary.total.fraction(i64::from(p.get()), 100)?,
    };
    let total = primary.total.checked_add(per_additional_person.checked_mul(i64::from(additional_people))?)?;
    Ok(HouseholdDues { primary, per_additional_person, additional_people, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::membership::{MonthDay, TermKind, TermPolicySettings, TierCode};
    use time::Date;
    use time::macros::date;

    fn policy(kind: TermKind) -> TermPolicy {
        TermPolicy::new(TermPolicySettings { kind, ..TermPolicySettings::default() }).expect("valid")
    }

    fn calendar(proration: Proration) -> TermPolicy {
        policy(TermKind::Calendar { late_join_cutoff: Some(MonthDay::OCTOBER_1), proration })
    }

    fn tier(dues: i64) -> Tier {
        Tier::new(TierCode::new("member").expect("code"), "Member", Cents::new(dues).expect("dues"), false, vec![])
            .expect("tier")
    }

    fn cents(c: i64) -> Cents {
        Cents::new(c).expect("cents")
    }

    #[test]
    fn dues_for_terms() {
        let monthly = calendar(Proration::Monthly);
        let none = calendar(Proration::None);
        let anniversary = policy(TermKind::Anniversary);
        // (policy, join date, expected months, expected tier dues, expected supplement)
        let cases: Vec<(&TermPolicy, Date, u8, i64, i64)> = vec![
            (&monthly, date!(2025 - 01 - 01), 12, 24_000, 1_200),
            (&monthly, date!(2025 - 01 - 02), 12, 24_000, 1_200),
            (&monthly, date!(2025 - 01 - 31), 12, 24_000, 1_200),
            (&monthly, date!(2025 - 02 - 01), 11, 22_000, 1_100),
            (&monthly, date!(2024 - 02 - 29), 11, 22_000, 1_100),
            (&monthly, date!(2025 - 03 - 15), 10, 20_000, 1_000),
            (&monthly, date!(2025 - 07 - 01), 6, 12_000, 600),
            (&monthly, date!(2025 - 09 - 30), 4, 8_000, 400),
            // On and after the cutoff: term to end of next year, charged one full year.
            (&monthly, date!(2025 - 10 - 01), 12, 24_000, 1_200),
            (&monthly, date!(2025 - 12 - 31), 12, 24_000, 1_200),
            (&none, date!(2025 - 09 - 30), 12, 24_000, 1_200),
            (&anniversary, date!(2025 - 09 - 30), 12, 24_000, 1_200),
            (&anniversary, date!(2024 - 02 - 29), 12, 24_000, 1_200),
        ];
        for (policy, join, months, tier_dues, supplement) in cases {
            let term = policy.first_term(join).expect("term");
            let quote = dues_for_term(policy, &tier(24_000), cents(1_200), &term).expect("quote");
            assert_eq!(
                quote,
                DuesQuote {
                    tier_dues: cents(tier_dues),
                    chapter_supplement: cents(supplement),
                    months_charged: months,
                    total: cents(tier_dues + supplement),
                },
                "{join} {:?}",
                policy.kind()
            );
        }
    }

    #[test]
    fn renewals_are_charged_in_full() {
        let monthly = calendar(Proration::Monthly);
        let first = monthly.first_term(date!(2025 - 07 - 01)).expect("term");
        let renewal = monthly.next_term(&first).expect("renewal");
        assert_eq!(months_charged(&monthly, &renewal), 12);
    }

    #[test]
    fn proration_rounds_down_each_line() {
        let monthly = calendar(Proration::Monthly);
        let term = monthly.first_term(date!(2025 - 03 - 01)).expect("term"); // 10 months
        let quote = dues_for_term(&monthly, &tier(10_001), cents(99), &term).expect("quote");
        assert_eq!((quote.tier_dues, quote.chapter_supplement, quote.total), (cents(8_334), cents(82), cents(8_416)));
    }

    #[test]
    fn household_dues_by_rate() {
        let full = DuesQuote {
            tier_dues: cents(24_000),
            chapter_supplement: cents(1_000),
            months_charged: 12,
            total: cents(25_000),
        };
        let half_year = DuesQuote {
            tier_dues: cents(12_000),
            chapter_supplement: cents(500),
            months_charged: 6,
            total: cents(12_500),
        };
        let percent = |p| HouseholdRate::PercentOfPrimary(Percent::new(p).expect("percent"));
        type Case = (HouseholdRate, DuesQuote, u16, Result<(i64, i64), MembershipError>);
        let cases: Vec<Case> = vec![
            (HouseholdRate::Free, full, 3, Ok((0, 25_000))),
            (HouseholdRate::Fixed(cents(5_000)), full, 0, Ok((5_000, 25_000))),
            (HouseholdRate::Fixed(cents(5_000)), full, 2, Ok((5_000, 35_000))),
            (HouseholdRate::Fixed(cents(5_000)), half_year, 2, Ok((2_500, 17_500))),
            (percent(50), full, 4, Ok((12_500, 75_000))),
            (percent(33), half_year, 1, Ok((4_125, 16_625))),
            (percent(0), full, 4, Ok((0, 25_000))),
            (HouseholdRate::Free, full, 6, Err(MembershipError::HouseholdTooLarge { requested: 6, max: 5 })),
        ];
        for (rate, primary, people, expected) in cases {
            let policy = HouseholdPolicy { additional_person_rate: rate, max_additional_people: 5 };
            let got = household_dues(&policy, primary, people).map(|h| (h.per_additional_person.get(), h.total.get()));
            assert_eq!(got, expected, "{rate:?} {people}");
        }
    }

    #[test]
    fn percent_validation() {
        assert!(Percent::new(100).is_ok());
        assert_eq!(Percent::new(101), Err(MembershipError::InvalidPercent(101)));
    }
}
