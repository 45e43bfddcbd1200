//! Organisational memberships: an employer pays for a number of seats and names the
//! employees who fill them. Employees are members while they are employed there, with the
//! organisation's standing.
//!
//! Dues for a term = (base fee + seats × (per-seat dues + chapter supplement)), each line
//! prorated by [`months_charged`] like an individual's dues. The
//! chapter supplement is that of the organisation's home chapter, charged per seat,
//! because each employee is a member the chapter serves.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Cents, ExpiryDates, MembershipError, Standing, StandingReport, Term, TermPolicy, months_charged};

/// An organisation's annual rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrganisationalRate {
    /// Annual fee for the organisation itself (may be zero).
    pub base: Cents,
    /// Annual dues per seat.
    pub per_seat: Cents,
}

/// An organisation's dues for one term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrganisationalDues {
    /// Base fee for the term.
    pub base: Cents,
    /// Dues per seat for the term.
    pub per_seat: Cents,
    /// Chapter supplement per seat for the term.
    pub chapter_supplement_per_seat: Cents,
    /// Seats paid for.
    pub seats: u16,
    /// Months charged, 1 to 12.
    pub months_charged: u8,
    /// Everything the organisation pays.
    pub total: Cents,
}

/// Dues for an organisational membership of `seats` seats for `term`. Errors with
/// [`MembershipError::NoSeats`] for zero seats.
pub fn organisational_dues(
    policy: &TermPolicy,
    rate: &OrganisationalRate,
    seats: u16,
    chapter_supplement: Cents,
    term: &Term,
) -> Result<OrganisationalDues, MembershipError> {
    if seats == 0 {
        return Err(MembershipError::NoSeats);
    }
    let months = months_charged(policy, term);
    let prorate = |c: Cents| c.fraction(i64::from(months), 12);
    let base = prorate(rate.base)?;
    let per_seat = prorate(rate.per_seat)?;
    let chapter_supplement_per_seat = prorate(chapter_supplement)?;
    let total = base.checked_add(per_seat.checked_add(chapter_supplement_per_seat)?.checked_mul(i64::from(seats))?)?;
    Ok(OrganisationalDues { base, per_seat, chapter_supplement_per_seat, seats, months_charged: months, total })
}

/// A named employee's employment with the organisation: first and last day (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "EmploymentDates", into = "EmploymentDates")]
pub struct Employment {
    started_on: Date,
    ended_on: Option<Date>,
}

/// The unchecked dates of an [`Employment`], for storage and serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmploymentDates {
    /// First day employed.
    pub started_on: Date,
    /// Last day employed; `None` while still employed.
    pub ended_on: Option<Date>,
}

impl Employment {
    /// Employment from `started_on` to `ended_on` (inclusive; `None` while employed).
    pub fn new(started_on: Date, ended_on: Option<Date>) -> Result<Self, MembershipError> {
        if let Some(ended_on) = ended_on
            && ended_on < started_on
        {
            return Err(MembershipError::EmploymentEndsBeforeStart { started_on, ended_on });
        }
        Ok(Self { started_on, ended_on })
    }

    /// First day employed.
    pub fn started_on(&self) -> Date {
        self.started_on
    }

    /// Last day employed, if it has ended (or an end is recorded).
    pub fn ended_on(&self) -> Option<Date> {
        self.ended_on
    }

    /// Whether the person is employed on `on`.
    pub fn covers(&self, on: Date) -> bool {
        self.started_on <= on && self.ended_on.is_none_or(|e| on <= e)
    }
}

impl TryFrom<EmploymentDates> for Employment {
    type Error = MembershipError;
    fn try_from(d: EmploymentDates) -> Result<Self, Self::Error> {
        Self::new(d.started_on, d.ended_on)
    }
}

impl From<Employment> for EmploymentDates {
    fn from(e: Employment) -> Self {
        Self { started_on: e.started_on, ended_on: e.ended_on }
    }
}

/// An employee's standing through their organisation on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "coverage", rename_all = "snake_case")]
pub enum EmployeeStanding {
    /// Employed on the date: the employee has the organisation's standing and dates.
    Covered {
        /// The organisation's standing.
        standing: Standing,
        /// The organisation's expiry dates, if it has ever paid.
        expiry: Option<ExpiryDates>,
    },
    /// Not employed there yet on the date.
    NotYetEmployed {
        /// First day of employment.
        starts_on: Date,
    },
    /// No longer employed there: the membership through the organisation has ended
    /// (the person may join individually).
    LeftEmployer {
        /// Last day of employment.
        ended_on: Date,
    },
}

impl EmployeeStanding {
    /// Whether the employee counts as a member on the date (see
    /// [`Standing::is_current_member`]).
    pub fn is_current_member(&self) -> bool {
        matches!(self, EmployeeStanding::Covered { standing, .. } if standing.is_current_member())
    }
}

/// An employee's standing on `organisation.on`: the organisation's standing (from
/// [`standing_on`](super::standing_on) for the organisation's term history) while
/// employed, otherwise why they are not covered.
pub fn employee_standing(organisation: &StandingReport, employment: &Employment) -> EmployeeStanding {
    let on = organisation.on;
    if on < employment.started_on {
        return EmployeeStanding::NotYetEmployed { starts_on: employment.started_on };
    }
    match employment.ended_on {
        Some(ended_on) if on > ended_on => EmployeeStanding::LeftEmployer { ended_on },
        _ => EmployeeStanding::Covered { standing: organisation.standing, expiry: organisation.expiry },
    }
}

/// The standing on `payer.on` of someone whose membership another pays for: a household
/// member (linked to the household's payer) or a named employee (linked to the
/// organisation's membership). `link` is when they were linked (first and last day,
/// inclusive). While linked they have the payer's standing and expiry; outside the link
/// their own history decides (`own`, from [`standing_on`](super::standing_on) for their
/// own terms), and without one their membership through the payer has ended:
/// [`Cancelled`](Standing::Cancelled), with no expiry.
pub fn linked_standing(payer: &StandingReport, link: &Employment, own: Option<StandingReport>) -> StandingReport {
    match employee_standing(payer, link) {
        EmployeeStanding::Covered { standing, expiry } => StandingReport { on: payer.on, standing, expiry },
        EmployeeStanding::NotYetEmployed { .. } | EmployeeStanding::LeftEmployer { .. } => {
            own.unwrap_or(StandingReport { on: payer.on, standing: Standing::Cancelled, expiry: None })
        }
    }
}

/// Checks that the employees employed on `on` fit in the seats paid for. Call it when an
/// employee is named (with `on` = their start date) and when seats are reduced.
pub fn check_seats(seats: u16, employees: &[Employment], on: Date) -> Result<(), MembershipError> {
    if seats == 0 {
        return Err(MembershipError::NoSeats);
    }
    let named = employees.iter().filter(|e| e.covers(on)).count();
    if named > usize::from(seats) { Err(MembershipError::SeatsExceeded { named, seats }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::membership::{MonthDay, Proration, TermKind, TermPolicySettings};
    use time::macros::date;

    fn cents(c: i64) -> Cents {
        Cents::new(c).expect("cents")
    }

    fn employment(s: Date, e: Option<Date>) -> Employment {
        Employment::new(s, e).expect("employment")
    }

    #[test]
    fn organisational_dues_by_seats() {
        let monthly = TermPolicy::new(TermPolicySettings {
            kind: TermKind::Calendar { late_join_cutoff: Some(MonthDay::OCTOBER_1), proration: Proration::Monthly },
            ..TermPolicySettings::default()
        })
        .expect("policy");
        let rate = OrganisationalRate { base: cents(50_000), per_seat: cents(18_000) };
        let full_year = monthly.first_term(date!(2025 - 01 - 01)).expect("term");
        let half_year = monthly.first_term(date!(2025 - 07 - 01)).expect("term");
        let cases = [
            (full_year, 1, Ok(50_000 + 18_000 + 1_200)),
            (full_year, 10, Ok(50_000 + 10 * (18_000 + 1_200))),
            (half_year, 10, Ok(25_000 + 10 * (9_000 + 600))),
            (full_year, 0, Err(MembershipError::NoSeats)),
        ];
        for (term, seats, expected) in cases {
            let got = organisational_dues(&monthly, &rate, seats, cents(1_200), &term).map(|d| d.total.get());
            assert_eq!(got, expected, "{term:?} {seats}");
        }
    }

    #[test]
    fn employees_inherit_the_organisations_standing_while_employed() {
        let org = |on, standing| StandingReport { on, standing, expiry: None };
        let job = employment(date!(2025 - 03 - 01), Some(date!(2025 - 08 - 31)));
        let current = employment(date!(2025 - 03 - 01), None);
        let cases = [
            (
                org(date!(2025 - 02 - 28), Standing::Active),
                job,
                EmployeeStanding::NotYetEmployed { starts_on: date!(2025 - 03 - 01) },
            ),
            (
                org(date!(2025 - 03 - 01), Standing::Active),
                job,
                EmployeeStanding::Covered { standing: Standing::Active, expiry: None },
            ),
            (
                org(date!(2025 - 08 - 31), Standing::Grace),
                job,
                EmployeeStanding::Covered { standing: Standing::Grace, expiry: None },
            ),
            (
                org(date!(2025 - 09 - 01), Standing::Active),
                job,
                EmployeeStanding::LeftEmployer { ended_on: date!(2025 - 08 - 31) },
            ),
            (
                org(date!(2030 - 01 - 01), Standing::Lapsed),
                current,
                EmployeeStanding::Covered { standing: Standing::Lapsed, expiry: None },
            ),
            (
                org(date!(2030 - 01 - 01), Standing::RenewalDue),
                current,
                EmployeeStanding::Covered { standing: Standing::RenewalDue, expiry: None },
            ),
        ];
        for (report, employment, expected) in cases {
            assert_eq!(employee_standing(&report, &employment), expected, "{report:?} {employment:?}");
        }
        assert!(employee_standing(&org(date!(2025 - 04 - 01), Standing::Grace), &job).is_current_member());
        assert!(!employee_standing(&org(date!(2025 - 04 - 01), Standing::Lapsed), &job).is_current_member());
        assert!(!employee_standing(&org(date!(2025 - 09 - 01), Standing::Active), &job).is_current_member());
    }

    #[test]
    fn linked_people_follow_the_payer_while_linked_and_their_own_history_after() {
        let report = |on, standing| StandingReport { on, standing, expiry: None };
        let link = employment(date!(2025 - 03 - 01), Some(date!(2025 - 08 - 31)));
        let own_lapsed = Some(report(date!(2025 - 09 - 01), Standing::Lapsed));
        // (payer's report, own standing, expected standing)
        let cases = [
            (report(date!(2025 - 03 - 01), Standing::Active), None, Standing::Active),
            (report(date!(2025 - 08 - 31), Standing::Grace), own_lapsed, Standing::Grace),
            (report(date!(2025 - 06 - 01), Standing::Lapsed), None, Standing::Lapsed),
            (report(date!(2025 - 09 - 01), Standing::Active), None, Standing::Cancelled),
            (report(date!(2025 - 09 - 01), Standing::Active), own_lapsed, Standing::Lapsed),
            (report(date!(2025 - 02 - 28), Standing::Active), None, Standing::Cancelled),
        ];
        for (payer, own, expected) in cases {
            assert_eq!(linked_standing(&payer, &link, own).standing, expected, "{payer:?} {own:?}");
        }
        let expiry = TermPolicy::new(crate::membership::TermPolicySettings::default())
            .expect("policy")
            .expiry_dates(date!(2025 - 12 - 31))
            .expect("dates");
        let payer = StandingReport { on: date!(2025 - 04 - 01), standing: Standing::Active, expiry: Some(expiry) };
        assert_eq!(linked_standing(&payer, &link, None).expiry, Some(expiry), "the payer's expiry while linked");
    }

    #[test]
    fn employment_must_not_end_before_it_starts() {
        assert_eq!(
            Employment::new(date!(2025 - 03 - 02), Some(date!(2025 - 03 - 01))),
            Err(MembershipError::EmploymentEndsBeforeStart {
                started_on: date!(2025 - 03 - 02),
                ended_on: date!(2025 - 03 - 01)
            })
        );
        assert!(Employment::new(date!(2025 - 03 - 01), Some(date!(2025 - 03 - 01))).is_ok());
    }

    #[test]
    fn seats_limit_named_employees_on_a_date() {
        let employees = [
            employment(date!(2025 - 01 - 01), Some(date!(2025 - 06 - 30))),
            employment(date!(2025 - 01 - 01), None),
            employment(date!(2025 - 07 - 01), None),
        ];
        assert_eq!(check_seats(2, &employees, date!(2025 - 06 - 30)), Ok(()));
        assert_eq!(check_seats(2, &employees, date!(2025 - 07 - 01)), Ok(()));
        assert_eq!(
            check_seats(1, &employees, date!(2025 - 07 - 01)),
            Err(MembershipError::SeatsExceeded { named: 2, seats: 1 })
        );
        assert_eq!(check_seats(0, &[], date!(2025 - 07 - 01)), Err(MembershipError::NoSeats));
    }
}
