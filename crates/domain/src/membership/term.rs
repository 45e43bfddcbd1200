//! Terms and the society's term policy: how long a term runs, when its renewal window
//! opens, how long grace lasts, and which reminders go out.
//!
//! # Calendar terms
//!
//! With [`TermKind::Calendar`] every renewal term is a calendar year, January 1 to
//! December 31. A member who joins (or is reinstated) mid-year gets a first term from the
//! join date to December 31 of that year, so everyone renews together. Joining late in
//! the year would mean paying for a few weeks and renewing at once, so the policy has a
//! *late-join cutoff* (a [`MonthDay`], October 1 in [`TermPolicySettings::default`]): a
//! term that starts on or after the cutoff runs to December 31 of the *next* year.
//! The cutoff applies to any calendar term that does not start on January 1, which
//! also realigns a history imported from another system onto calendar years.
//!
//! # Anniversary terms
//!
//! With [`TermKind::Anniversary`] a term runs for one year from its first day: a term
//! starting 15 March 2025 ends 14 March 2026, and the renewal term starts 15 March 2026.
//!
//! **February 29.** A term starting on February 29 ends on February 28 of the next year
//! (a full year: the anniversary in a year without February 29 is taken to be March 1),
//! and the renewal term starts on March 1. From then on the member's anniversary is
//! March 1. The member is never given less than a full year, terms stay back to back,
//! and no term ever has to start on a date that does not exist.
//!
//! # Renewal window, grace and lapse
//!
//! For a term expiring on day `E` (its last day), with `renewal_window_days = N` and
//! `grace_days = G`:
//!
//! - the renewal window opens on `E − N` (the member is
//!   [`RenewalDue`](super::Standing::RenewalDue) from that day to `E` inclusive);
//! - grace runs from `E + 1` to `E + G` inclusive ([`Grace`](super::Standing::Grace));
//! - the membership lapses on `E + G + 1` ([`Lapsed`](super::Standing::Lapsed)).
//!
//! A renewal paid during grace continues the membership without a gap: the new term
//! starts on `E + 1` ([`TermPolicy::next_term`]). After lapse the member is reinstated
//! with a fresh term starting on the reinstatement date ([`TermPolicy::reinstatement_term`]);
//! the lapsed period is not covered and not charged.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::dates::{add_days, anniversary, end_of_year, inclusive_days};
use super::{MembershipError, MonthDay, ReminderOffset};

/// The longest renewal window the rules accept, in days.
pub const MAX_RENEWAL_WINDOW_DAYS: u16 = 180;
/// The longest grace period the rules accept, in days.
pub const MAX_GRACE_DAYS: u16 = 180;

/// How the society's terms run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// Fixed periods: renewal terms run January 1 to December 31.
    Calendar {
        /// Terms that do not start on January 1 and start on or after this date in their
        /// year run to December 31 of the following year. `None`: always to December 31
        /// of the same year.
        late_join_cutoff: Option<MonthDay>,
        /// Whether a part-year first term is charged in full or by the month.
        proration: Proration,
    },
    /// Rolling periods: each term runs one year from its first day.
    Anniversary,
}

/// How dues are charged for a calendar term shorter than a year (see
/// [`dues_for_term`](super::dues_for_term)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proration {
    /// Full annual dues whatever the length of the term.
    #[default]
    None,
    /// Annual dues × months covered ÷ 12, counting the starting month in full, rounded
    /// down to the cent.
    Monthly,
}

/// One membership term: its first and last day, both inclusive. Always `starts_on ≤
/// ends_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TermDates", into = "TermDates")]
pub struct Term {
    starts_on: Date,
    ends_on: Date,
}

/// The plain dates of a [`Term`], for storage and serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermDates {
    /// First day of the term.
    pub starts_on: Date,
    /// Last day of the term (the expiry date).
    pub ends_on: Date,
}

impl Term {
    /// A term from `starts_on` to `ends_on`, both inclusive.
    pub fn new(starts_on: Date, ends_on: Date) -> Result<Self, MembershipError> {
        if ends_on < starts_on {
            return Err(MembershipError::TermEndsBeforeStart { starts_on, ends_on });
        }
        Ok(Self { starts_on, ends_on })
    }

    /// First day of the term.
    pub fn starts_on(&self) -> Date {
        self.starts_on
    }

    /// Last day of the term: the day the membership expires unless renewed.
    pub fn ends_on(&self) -> Date {
        self.ends_on
    }

    /// Whether `date` falls within the term.
    pub fn contains(&self, date: Date) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }

    /// Number of days in the term, both ends counted.
    pub fn days(&self) -> i64 {
        inclusive_days(self.starts_on, self.ends_on)
    }
}

impl TryFrom<TermDates> for Term {
    type Error = MembershipError;
    fn try_from(d: TermDates) -> Result<Self, Self::Error> {
        Self::new(d.starts_on, d.ends_on)
    }
}

impl From<Term> for TermDates {
    fn from(t: Term) -> Self {
        TermDates { starts_on: t.starts_on, ends_on: t.ends_on }
    }
}

/// The key dates around one expiry. See the [module documentation](self) for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExpiryDates {
    /// Last day of cover.
    pub expires_on: Date,
    /// First day of the renewal window.
    pub window_opens_on: Date,
    /// Last day of grace; equal to `expires_on` when the policy has no grace.
    pub grace_ends_on: Date,
    /// First day the membership counts as lapsed.
    pub lapses_on: Date,
}

/// The society's term settings as stored or configured, before validation. Turn them into
/// a [`TermPolicy`] with [`TermPolicy::new`] (or `try_from`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermPolicySettings {
    /// Calendar or anniversary terms.
    pub kind: TermKind,
    /// The renewal window opens this many days before expiry (0: on the expiry date).
    pub renewal_window_days: u16,
    /// Days after expiry before the membership lapses (0: lapses the day after expiry).
    pub grace_days: u16,
    /// When renewal reminders go out, relative to expiry. At least one is required.
    pub reminders: Vec<ReminderOffset>,
}

impl Default for TermPolicySettings {
    /// Calendar terms, October 1 late-join cutoff, no proration, 60-day renewal window,
    /// 30 days' grace, reminders 60, 30, 7 and 0 days before expiry and 14 days after.
    fn default() -> Self {
        Self {
            kind: TermKind::Calendar { late_join_cutoff: Some(MonthDay::OCTOBER_1), proration: Proration::None },
            renewal_window_days: 60,
            grace_days: 30,
            reminders: vec![
                ReminderOffset::BeforeExpiry(60),
                ReminderOffset::BeforeExpiry(30),
                ReminderOffset::BeforeExpiry(7),
                ReminderOffset::BeforeExpiry(0),
                ReminderOffset::AfterExpiry(14),
            ],
        }
    }
}

impl MonthDay {
    /// October 1, the start of the last quarter.
    pub const OCTOBER_1: MonthDay = MonthDay::from_parts(Month::October, 1);
}

/// The society's validated term policy.
///
/// Guarantees: the renewal window and grace are at most [`MAX_RENEWAL_WINDOW_DAYS`] and
/// [`MAX_GRACE_DAYS`]; there is at least one reminder; every reminder before expiry falls
/// inside the renewal window and every reminder after expiry falls inside grace; the
/// reminders are sorted from earliest to latest with no duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TermPolicySettings", into = "TermPolicySettings")]
pub struct TermPolicy {
    kind: TermKind,
    renewal_window_days: u16,
    grace_days: u16,
    reminders: Vec<ReminderOffset>,
}

impl TryFrom<TermPolicySettings> for TermPolicy {
    type Error = MembershipError;
    fn try_from(s: TermPolicySettings) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<TermPolicy> for TermPolicySettings {
    fn from(p: TermPolicy) -> Self {
        Self {
            kind: p.kind,
            renewal_window_days: p.renewal_window_days,
            grace_days: p.grace_days,
            reminders: p.reminders,
        }
    }
}

impl TermPolicy {
    /// Validates the settings (see the type's guarantees).
    pub fn new(settings: TermPolicySettings) -> Result<Self, MembershipError> {
        let TermPolicySettings { kind, renewal_window_days, grace_days, mut reminders } = settings;
        if renewal_window_days > MAX_RENEWAL_WINDOW_DAYS {
            return Err(MembershipError::RenewalWindowTooLong {
                days: renewal_window_days,
                max: MAX_RENEWAL_WINDOW_DAYS,
            });
        }
        if grace_days > MAX_GRACE_DAYS {
            return Err(MembershipError::GraceTooLong { days: grace_days, max: MAX_GRACE_DAYS });
        }
        if reminders.is_empty() {
            return Err(MembershipError::NoReminders);
        }
        for &offset in &reminders {
            match offset {
                ReminderOffset::BeforeExpiry(days) if days > renewal_window_days => {
                    return Err(MembershipError::ReminderBeforeWindow { offset, window_days: renewal_window_days });
                }
                ReminderOffset::AfterExpiry(days) if days == 0 || days > grace_days => {
                    return Err(MembershipError::ReminderOutsideGrace { offset, grace_days });
                }
                _ => {}
            }
        }
        reminders.sort();
        if let Some(pair) = reminders.windows(2).find(|w| w[0] == w[1]) {
            return Err(MembershipError::DuplicateReminder(pair[0]));
        }
        Ok(Self { kind, renewal_window_days, grace_days, reminders })
    }

    /// Calendar or anniversary terms.
    pub fn kind(&self) -> TermKind {
        self.kind
    }

    /// Days before expiry that the renewal window opens.
    pub fn renewal_window_days(&self) -> u16 {
        self.renewal_window_days
    }

    /// Days of grace after expiry.
    pub fn grace_days(&self) -> u16 {
        self.grace_days
    }

    /// The reminder schedule, earliest first.
    pub fn reminders(&self) -> &[ReminderOffset] {
        &self.reminders
    }

    /// The proration rule in force: [`Proration::None`] for anniversary terms.
    pub fn proration(&self) -> Proration {
        match self.kind {
            TermKind::Calendar { proration, .. } => proration,
            TermKind::Anniversary => Proration::None,
        }
    }

    /// The first term for a member whose membership begins on `starts_on`: the approval
    /// date for tiers that need approval, otherwise the day the application is accepted.
    ///
    /// Calendar: `starts_on` to December 31, or to December 31 of the next year when
    /// `starts_on` is on or after the late-join cutoff (and not January 1).
    /// Anniversary: one year from `starts_on` (February 29: see the module docs).
    pub fn first_term(&self, starts_on: Date) -> Result<Term, MembershipError> {
        self.term_starting(starts_on)
    }

    /// The renewal term that follows `previous`: it starts the day after `previous`
    /// ends, even when the renewal is paid during grace, so cover is continuous.
    pub fn next_term(&self, previous: &Term) -> Result<Term, MembershipError> {
        let starts_on = add_days(previous.ends_on, 1)?;
        self.term_starting(starts_on)
    }

    /// The term for a member reinstated on `reinstated_on` after `last_paid` (their last
    /// paid term) lapsed. It is a fresh term starting on the reinstatement date, by the
    /// same rule as [`first_term`](Self::first_term); the lapsed gap is not covered.
    ///
    /// Errors with [`MembershipError::NotLapsed`] if `reinstated_on` is before the lapse
    /// date: such a member is still in grace (or current) and should renew instead.
    pub fn reinstatement_term(&self, last_paid: &Term, reinstated_on: Date) -> Result<Term, MembershipError> {
        let lapses_on = self.expiry_dates(last_paid.ends_on)?.lapses_on;
        if reinstated_on < lapses_on {
            return Err(MembershipError::NotLapsed { lapses_on });
        }
        self.term_starting(reinstated_on)
    }

    /// Window, grace and lapse dates for a membership expiring on `expires_on`.
    pub fn expiry_dates(&self, expires_on: Date) -> Result<ExpiryDates, MembershipError> {
        let window_opens_on = add_days(expires_on, -i64::from(self.renewal_window_days))?;
        let grace_ends_on = add_days(expires_on, i64::from(self.grace_days))?;
        let lapses_on = add_days(grace_ends_on, 1)?;
        Ok(ExpiryDates { expires_on, window_opens_on, grace_ends_on, lapses_on })
    }

    fn term_starting(&self, starts_on: Date) -> Result<Term, MembershipError> {
        let ends_on = match self.kind {
            TermKind::Calendar { late_join_cutoff, .. } => {
                let year = starts_on.year();
                let is_jan_1 = starts_on.month() == Month::January && starts_on.day() == 1;
                let late = match late_join_cutoff {
                    Some(cutoff) if !is_jan_1 => starts_on >= cutoff.in_year(year)?,
                    _ => false,
                };
                let end_year = if late {
                    year.checked_add(1).ok_or(MembershipError::DateOutOfRange { from: starts_on })?
                } else {
                    year
                };
                end_of_year(end_year, starts_on)?
            }
            TermKind::Anniversary => add_days(anniversary(starts_on, 1)?, -1)?,
        };
        Term::new(starts_on, ends_on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn calendar(cutoff: Option<MonthDay>) -> TermPolicy {
        TermPolicy::new(TermPolicySettings {
            kind: TermKind::Calendar { late_join_cutoff: cutoff, proration: Proration::None },
            ..TermPolicySettings::default()
        })
        .expect("valid policy")
    }

    fn anniversary_policy() -> TermPolicy {
        TermPolicy::new(TermPolicySettings { kind: TermKind::Anniversary, ..TermPolicySettings::default() })
            .expect("valid policy")
    }

    fn term(s: Date, e: Date) -> Term {
        Term::new(s, e).expect("valid term")
    }

    #[test]
    fn term_must_not_end_before_it_starts() {
        assert_eq!(
            Term::new(date!(2025 - 01 - 02), date!(2025 - 01 - 01)),
            Err(MembershipError::TermEndsBeforeStart {
                starts_on: date!(2025 - 01 - 02),
                ends_on: date!(2025 - 01 - 01)
            })
        );
        let one_day = term(date!(2025 - 01 - 01), date!(2025 - 01 - 01));
        assert_eq!(one_day.days(), 1);
        assert!(one_day.contains(date!(2025 - 01 - 01)));
        assert!(!one_day.contains(date!(2025 - 01 - 02)));
    }

    #[test]
    fn calendar_first_terms() {
        let oct1 = Some(MonthDay::OCTOBER_1);
        let cases = [
            // (cutoff, join, expected end)
            (oct1, date!(2025 - 01 - 01), date!(2025 - 12 - 31)),
            (oct1, date!(2025 - 06 - 15), date!(2025 - 12 - 31)),
            (oct1, date!(2025 - 09 - 30), date!(2025 - 12 - 31)),
            (oct1, date!(2025 - 10 - 01), date!(2026 - 12 - 31)),
            (oct1, date!(2025 - 12 - 31), date!(2026 - 12 - 31)),
            (oct1, date!(2024 - 02 - 29), date!(2024 - 12 - 31)),
            (None, date!(2025 - 10 - 01), date!(2025 - 12 - 31)),
            (None, date!(2025 - 12 - 31), date!(2025 - 12 - 31)),
            // A January 1 cutoff sends every mid-year join to the end of next year, but a
            // term starting on January 1 itself is a full year.
            (MonthDay::new(1, 1).ok(), date!(2025 - 01 - 01), date!(2025 - 12 - 31)),
            (MonthDay::new(1, 1).ok(), date!(2025 - 01 - 02), date!(2026 - 12 - 31)),
            (MonthDay::new(12, 31).ok(), date!(2025 - 12 - 30), date!(2025 - 12 - 31)),
            (MonthDay::new(12, 31).ok(), date!(2025 - 12 - 31), date!(2026 - 12 - 31)),
        ];
        for (cutoff, join, end) in cases {
            assert_eq!(calendar(cutoff).first_term(join), Ok(term(join, end)), "cutoff {cutoff:?}, join {join}");
        }
    }

    #[test]
    fn calendar_renewals_are_calendar_years() {
        let policy = calendar(Some(MonthDay::OCTOBER_1));
        let cases = [
            (term(date!(2025 - 06 - 15), date!(2025 - 12 - 31)), date!(2026 - 01 - 01), date!(2026 - 12 - 31)),
            (term(date!(2025 - 10 - 15), date!(2026 - 12 - 31)), date!(2027 - 01 - 01), date!(2027 - 12 - 31)),
            (term(date!(2023 - 01 - 01), date!(2023 - 12 - 31)), date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
            // An imported anniversary-style term realigns onto calendar years.
            (term(date!(2024 - 07 - 01), date!(2025 - 06 - 30)), date!(2025 - 07 - 01), date!(2025 - 12 - 31)),
            (term(date!(2024 - 11 - 01), date!(2025 - 10 - 31)), date!(2025 - 11 - 01), date!(2026 - 12 - 31)),
        ];
        for (previous, start, end) in cases {
            assert_eq!(policy.next_term(&previous), Ok(term(start, end)), "after {previous:?}");
        }
    }

    #[test]
    fn anniversary_terms() {
        let policy = anniversary_policy();
        let cases = [
            (date!(2025 - 03 - 15), date!(2026 - 03 - 14)),
            (date!(2025 - 01 - 01), date!(2025 - 12 - 31)),
            (date!(2025 - 12 - 31), date!(2026 - 12 - 30)),
            // Joined on leap day: a full year, ending February 28.
            (date!(2024 - 02 - 29), date!(2025 - 02 - 28)),
            // Terms that contain a February 29 are 366 days.
            (date!(2023 - 03 - 01), date!(2024 - 02 - 29)),
            (date!(2023 - 02 - 28), date!(2024 - 02 - 27)),
            (date!(2024 - 02 - 28), date!(2025 - 02 - 27)),
            (date!(2024 - 03 - 01), date!(2025 - 02 - 28)),
        ];
        for (start, end) in cases {
            assert_eq!(policy.first_term(start), Ok(term(start, end)), "join {start}");
        }
    }

    #[test]
    fn anniversary_renewals_after_a_leap_day_join_move_to_march_1() {
        let policy = anniversary_policy();
        let mut current = policy.first_term(date!(2024 - 02 - 29)).expect("first term");
        let expected = [
            (date!(2025 - 03 - 01), date!(2026 - 02 - 28)),
            (date!(2026 - 03 - 01), date!(2027 - 02 - 28)),
            (date!(2027 - 03 - 01), date!(2028 - 02 - 29)),
            (date!(2028 - 03 - 01), date!(2029 - 02 - 28)),
        ];
        for (start, end) in expected {
            current = policy.next_term(&current).expect("renewal");
            assert_eq!(current, term(start, end));
        }
    }

    #[test]
    fn reinstatement_only_after_lapse() {
        // Calendar, 30 days' grace: 2025 term lapses on 31 January 2026.
        let policy = calendar(Some(MonthDay::OCTOBER_1));
        let last = term(date!(2025 - 01 - 01), date!(2025 - 12 - 31));
        let cases = [
            (date!(2025 - 12 - 31), Err(MembershipError::NotLapsed { lapses_on: date!(2026 - 01 - 31) })),
            (date!(2026 - 01 - 30), Err(MembershipError::NotLapsed { lapses_on: date!(2026 - 01 - 31) })),
            (date!(2026 - 01 - 31), Ok(term(date!(2026 - 01 - 31), date!(2026 - 12 - 31)))),
            (date!(2026 - 10 - 01), Ok(term(date!(2026 - 10 - 01), date!(2027 - 12 - 31)))),
        ];
        for (on, expected) in cases {
            assert_eq!(policy.reinstatement_term(&last, on), expected, "reinstated {on}");
        }
        let policy = anniversary_policy();
        let last = term(date!(2024 - 02 - 29), date!(2025 - 02 - 28));
        assert_eq!(
            policy.reinstatement_term(&last, date!(2025 - 06 - 01)),
            Ok(term(date!(2025 - 06 - 01), date!(2026 - 05 - 31)))
        );
    }

    #[test]
    fn expiry_dates_at_the_edges() {
        let policy = calendar(None); // 60-day window, 30 days' grace
        assert_eq!(
            policy.expiry_dates(date!(2025 - 12 - 31)),
            Ok(ExpiryDates {
                expires_on: date!(2025 - 12 - 31),
                window_opens_on: date!(2025 - 11 - 01),
                grace_ends_on: date!(2026 - 01 - 30),
                lapses_on: date!(2026 - 01 - 31),
            })
        );
        // Window across a leap day.
        assert_eq!(policy.expiry_dates(date!(2024 - 03 - 31)).map(|d| d.window_opens_on), Ok(date!(2024 - 01 - 31)));
        let no_grace = TermPolicy::new(TermPolicySettings {
            grace_days: 0,
            reminders: vec![ReminderOffset::BeforeExpiry(0)],
            ..TermPolicySettings::default()
        })
        .expect("valid");
        let d = no_grace.expiry_dates(date!(2028 - 02 - 28)).expect("dates");
        assert_eq!((d.grace_ends_on, d.lapses_on), (date!(2028 - 02 - 28), date!(2028 - 02 - 29)));
        assert!(policy.expiry_dates(Date::MAX).is_err());
    }

    #[test]
    fn policy_validation() {
        use ReminderOffset::{AfterExpiry, BeforeExpiry};
        let base = TermPolicySettings::default();
        let cases: Vec<(TermPolicySettings, Result<(), MembershipError>)> = vec![
            (base.clone(), Ok(())),
            (
                TermPolicySettings { renewal_window_days: 181, ..base.clone() },
                Err(MembershipError::RenewalWindowTooLong { days: 181, max: 180 }),
            ),
            (
                TermPolicySettings { grace_days: 181, ..base.clone() },
                Err(MembershipError::GraceTooLong { days: 181, max: 180 }),
            ),
            (TermPolicySettings { reminders: vec![], ..base.clone() }, Err(MembershipError::NoReminders)),
            (
                TermPolicySettings { reminders: vec![BeforeExpiry(61)], ..base.clone() },
                Err(MembershipError::ReminderBeforeWindow { offset: BeforeExpiry(61), window_days: 60 }),
            ),
            (TermPolicySettings { reminders: vec![BeforeExpiry(60)], ..base.clone() }, Ok(())),
            (
                TermPolicySettings { reminders: vec![AfterExpiry(31)], ..base.clone() },
                Err(MembershipError::ReminderOutsideGrace { offset: AfterExpiry(31), grace_days: 30 }),
            ),
            (
                TermPolicySettings { reminders: vec![AfterExpiry(0)], ..base.clone() },
                Err(MembershipError::ReminderOutsideGrace { offset: AfterExpiry(0), grace_days: 30 }),
            ),
            (TermPolicySettings { reminders: vec![AfterExpiry(30)], ..base.clone() }, Ok(())),
            (
                TermPolicySettings {
                    reminders: vec![BeforeExpiry(7), AfterExpiry(3), BeforeExpiry(7)],
                    ..base.clone()
                },
                Err(MembershipError::DuplicateReminder(BeforeExpiry(7))),
            ),
        ];
        for (settings, expected) in cases {
            assert_eq!(TermPolicy::new(settings.clone()).map(|_| ()), expected, "{settings:?}");
        }
    }

    #[test]
    fn reminders_are_sorted_earliest_first() {
        use ReminderOffset::{AfterExpiry, BeforeExpiry};
        let policy = TermPolicy::new(TermPolicySettings {
            reminders: vec![AfterExpiry(14), BeforeExpiry(0), BeforeExpiry(60), AfterExpiry(1), BeforeExpiry(7)],
            ..TermPolicySettings::default()
        })
        .expect("valid");
        assert_eq!(
            policy.reminders(),
            &[BeforeExpiry(60), BeforeExpiry(7), BeforeExpiry(0), AfterExpiry(1), AfterExpiry(14)]
        );
    }

    #[test]
    fn anniversary_terms_are_never_prorated() {
        assert_eq!(anniversary_policy().proration(), Proration::None);
    }
}
