//! Membership rules: terms, standing on a date, renewal windows, grace, eligibility, dues.
//!
//! Plain, deterministic functions the application layer calls with facts it has read
//! from storage. Nothing here does I/O or knows today's date: every rule takes the date
//! it should answer for.
//!
//! # Map
//!
//! - [`TermPolicy`] — the society's term settings (calendar or anniversary terms, renewal
//!   window, grace, reminder schedule, late-join cutoff, proration) and the terms they
//!   produce: [`TermPolicy::first_term`], [`TermPolicy::next_term`] (renewal),
//!   [`TermPolicy::reinstatement_term`]. Rules for period edges and February 29 are in
//!   the [`term`] module docs.
//! - [`standing_on`] — a member's [`Standing`] (applied, approved, active, renewal due,
//!   grace, lapsed, cancelled, rejected) on any date, from their [`TermFact`] history.
//! - [`reminder_due`] and [`may_raise_renewal_invoice`] — which renewal reminder to send
//!   today, and the rule that nothing is invoiced or charged before a reminder.
//! - [`Tier`] and [`check_eligibility`] — tiers, their [`Requirement`]s, and
//!   [`Ineligibility`] sentences members can act on.
//! - [`dues_for_term`], [`household_dues`], [`organisational_dues`] — what a term costs
//!   (tier dues, chapter supplement, proration, households, organisations), and
//!   [`employee_standing`] for employees covered by an organisational membership.
//!
//! # Lifecycle
//!
//! ```text
//! applied ──approve──▶ approved ──pay──▶ active ──window opens──▶ renewal due ──pay──▶ active (next term)
//!    │                    │                                            │
//!    └─reject─▶ rejected  └─withdraw─▶ cancelled                 expiry passes
//!                                                                      ▼
//!                       active (fresh term) ◀──pay── approved ◀── lapsed ◀── grace ──pay──▶ active (next term)
//!                                              (reinstatement)
//! ```
//!
//! # Example
//!
//! ```
//! use guildhall_domain::membership::*;
//! use time::macros::date;
//!
//! # fn main() -> Result<(), MembershipError> {
//! let policy = TermPolicy::new(TermPolicySettings::default())?; // calendar, Oct 1 cutoff
//! let first = policy.first_term(date!(2025 - 10 - 15))?;
//! assert_eq!(first.ends_on(), date!(2026 - 12 - 31)); // late join: to the end of next year
//!
//! let history = [TermFact::new(
//!     first,
//!     date!(2025 - 10 - 15),
//!     TermStatus::Paid { approved_on: None, paid_on: date!(2025 - 10 - 15) },
//! )?];
//! let report = standing_on(&policy, &history, date!(2026 - 11 - 01))?.expect("a member");
//! assert_eq!(report.standing, Standing::RenewalDue);
//!
//! // The first reminder is due; no renewal invoice until it has been sent.
//! let due = reminder_due(&policy, &report, &[])?.expect("a reminder");
//! assert_eq!(due.offset, ReminderOffset::BeforeExpiry(60));
//! assert!(may_raise_renewal_invoice(&report, &[]).is_err());
//! let sent = [SentReminder { for_expiry: due.for_expiry, offset: due.offset, sent_on: report.on }];
//! assert!(may_raise_renewal_invoice(&report, &sent).is_ok());
//! # Ok(())
//! # }
//! ```
//!
//! Money is whole cents ([`Cents`]); dates are [`time::Date`]; impossible input is a
//! [`MembershipError`], never a panic.

mod codes;
mod dates;
pub mod dues;
mod error;
mod money;
pub mod organisation;
pub mod reminders;
#[cfg(test)]
mod serde_tests;
pub mod standing;
pub mod term;
pub mod tier;

pub use crate::member::LicenceKind;
pub use codes::{ClaimStatus, InvoiceStatus, LinkKind, TermState};
pub use dates::MonthDay;
pub use dues::{
    DuesQuote, HouseholdDues, HouseholdPolicy, HouseholdRate, Percent, dues_for_term, household_dues, months_charged,
};
pub use error::MembershipError;
pub use money::{Cents, currency_code, parse_money};
pub use organisation::{
    EmployeeStanding, Employment, EmploymentDates, OrganisationalDues, OrganisationalRate, check_seats,
    employee_standing, linked_standing, organisational_dues,
};
pub use reminders::{
    DueReminder, ReminderOffset, RenewalInvoiceRefusal, SentReminder, may_raise_renewal_invoice, reminder_due,
};
pub use standing::{Standing, StandingReport, TermFact, TermFactParts, TermStatus, standing_on};
pub use term::{
    ExpiryDates, MAX_GRACE_DAYS, MAX_RENEWAL_WINDOW_DAYS, Proration, Term, TermDates, TermKind, TermPolicy,
    TermPolicySettings,
};
pub use tier::{
    ApplicantFacts, CareerStage, CareerStages, EnrolmentFact, Ineligibility, LicenceFact, Proof, Requirement, Tier,
    TierCode, TierSettings, check_eligibility, years_of_membership,
};
