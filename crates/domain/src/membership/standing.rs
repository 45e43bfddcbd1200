//! Standing on any date, answered from the member's term history.
//!
//! Every term a member has ever had is kept as a [`TermFact`]: its dates, when it was
//! applied for (or, for a renewal, raised), and what has happened to it since
//! ([`TermStatus`], which carries the date of each event). Because every event is dated,
//! [`standing_on`] can answer for any past, present or future date: events after the date
//! asked about are ignored.
//!
//! # The rules, in order
//!
//! 1. Terms applied for after the date are ignored. With nothing left, there is no
//!    standing (`Ok(None)`): the person was not a member or applicant on that date.
//! 2. **Covered.** If a paid term covers the date, or has been paid for and starts later,
//!    the member is [`Active`](Standing::Active), or [`RenewalDue`](Standing::RenewalDue)
//!    once the renewal window of the expiry has opened. Back-to-back paid terms count as
//!    one stretch of cover: a member who renewed early expires at the end of the renewal
//!    term and is not "renewal due" in the old term's window. A member whose next term
//!    was cancelled (they declined to renew) stays `Active`, not `RenewalDue`, to expiry.
//! 3. **After cover.** If the member has paid before but the last paid term ended before
//!    the date, look at the terms that start after it:
//!    - the latest one cancelled → [`Cancelled`](Standing::Cancelled) (declined to renew,
//!      resigned, or an application after lapse withdrawn);
//!    - otherwise, up to the end of grace → [`Grace`](Standing::Grace), whether or not a
//!      renewal invoice is open;
//!    - after grace, if the latest term was applied for on or after the lapse date it is
//!      a reinstatement application and decides: [`Applied`](Standing::Applied),
//!      [`Approved`](Standing::Approved) or [`Rejected`](Standing::Rejected);
//!    - otherwise → [`Lapsed`](Standing::Lapsed).
//! 4. **Never paid.** The latest term decides: awaiting approval →
//!    [`Applied`](Standing::Applied), awaiting payment → [`Approved`](Standing::Approved),
//!    rejected or cancelled likewise. An approved applicant who never pays stays
//!    `Approved`; withdrawing stale applications is the application layer's job.
//!
//! "The latest term" is the one with the latest start date; among terms starting on the
//! same day an open one (awaiting approval, awaiting payment, paid) wins over a cancelled
//! or rejected one, then the most recently applied for. So cancelling a duplicate invoice
//! and raising a fresh one never makes a member "cancelled".
//!
//! A paid term that is later cancelled (a resignation, usually with a refund) stops
//! counting from its cancellation date.
//!
//! Household members share the household's term history, so their standing is the
//! household's; organisational employees derive theirs with
//! [`employee_standing`](super::employee_standing).

use serde::{Deserialize, Serialize};
use time::Date;

use super::dates::add_days;
use super::{ExpiryDates, MembershipError, Term, TermPolicy};

/// A member's standing on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Applied for a tier that needs staff approval; awaiting a decision.
    Applied,
    /// Approved (or no approval needed) and awaiting the first payment.
    Approved,
    /// Paid up and outside the renewal window.
    Active,
    /// Paid up, inside the renewal window of the current expiry.
    RenewalDue,
    /// Expired but within the grace period: still a member; renewing keeps cover continuous.
    Grace,
    /// Grace has ended without renewal; the member must be reinstated.
    Lapsed,
    /// The membership or application was cancelled (declined renewal, resignation,
    /// withdrawn application).
    Cancelled,
    /// Staff rejected the application.
    Rejected,
}

impl Standing {
    /// Every standing, in the order lists and filters offer them.
    pub const ALL: [Standing; 8] = [
        Standing::Applied,
        Standing::Approved,
        Standing::Active,
        Standing::RenewalDue,
        Standing::Grace,
        Standing::Lapsed,
        Standing::Cancelled,
        Standing::Rejected,
    ];

    /// The code stored in the database and used in forms, URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            Standing::Applied => "applied",
            Standing::Approved => "approved",
            Standing::Active => "active",
            Standing::RenewalDue => "renewal_due",
            Standing::Grace => "grace",
            Standing::Lapsed => "lapsed",
            Standing::Cancelled => "cancelled",
            Standing::Rejected => "rejected",
        }
    }

    /// The standing with this code, if there is one.
    pub fn from_code(code: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Words for the standing, as members and staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Applied => "Applied, awaiting approval",
            Standing::Approved => "Approved, awaiting payment",
            Standing::Active => "Active",
            Standing::RenewalDue => "Active, renewal due",
            Standing::Grace => "In grace period",
            Standing::Lapsed => "Lapsed",
            Standing::Cancelled => "Cancelled",
            Standing::Rejected => "Application declined",
        }
    }

    /// The standing of a member of a tier without expiry (life membership): paid-up cover
    /// never runs out, so a member who would be renewal due, in grace or lapsed is
    /// [`Active`](Standing::Active). Applications, cancellations and rejections are kept.
    pub fn without_expiry(self) -> Standing {
        match self {
            Standing::RenewalDue | Standing::Grace | Standing::Lapsed => Standing::Active,
            other => other,
        }
    }

    /// Whether the person counts as a member on the date: active, renewal due or in
    /// grace. Members in grace keep their member access until they lapse.
    pub fn is_current_member(self) -> bool {
        matches!(self, Standing::Active | Standing::RenewalDue | Standing::Grace)
    }
}

impl TryFrom<String> for Standing {
    type Error = MembershipError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Standing::from_code(&code).ok_or(MembershipError::UnknownCode { what: "standing", code })
    }
}

impl std::fmt::Display for Standing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What has happened to a term, with the date of each event. The variant is the term's
/// state today; the dates let [`standing_on`] replay its state on earlier dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TermStatus {
    /// Applied for a tier that needs approval; no decision yet.
    AwaitingApproval,
    /// Staff rejected the application.
    Rejected {
        /// Day of the decision.
        rejected_on: Date,
    },
    /// Invoice open. `approved_on` is `None` when no approval was needed (renewals, and
    /// tiers without approval).
    AwaitingPayment {
        /// Day staff approved the application, if approval was needed.
        approved_on: Option<Date>,
    },
    /// Paid: the term counts as cover.
    Paid {
        /// Day staff approved the application, if approval was needed.
        approved_on: Option<Date>,
        /// Day the payment was received (or recorded, for cheques and transfers).
        paid_on: Date,
    },
    /// Cancelled: withdrawn application, declined renewal, cancelled invoice or
    /// resignation. Earlier events are kept so history stays answerable.
    Cancelled {
        /// Day staff approved the application, if it was approved.
        approved_on: Option<Date>,
        /// Day it was paid, if it was paid before being cancelled.
        paid_on: Option<Date>,
        /// Day of the cancellation.
        cancelled_on: Date,
    },
}

/// One term in a member's history: its dates, when it was applied for or raised, and
/// its status. Event dates are checked to be in order (applied ≤ approved ≤ paid ≤
/// cancelled; applied ≤ rejected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TermFactParts", into = "TermFactParts")]
pub struct TermFact {
    term: Term,
    applied_on: Date,
    status: TermStatus,
}

/// The unchecked parts of a [`TermFact`], for storage and serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermFactParts {
    /// The term's dates.
    pub term: Term,
    /// Day the application was made, or the renewal term was raised.
    pub applied_on: Date,
    /// What has happened to the term.
    pub status: TermStatus,
}

impl TryFrom<TermFactParts> for TermFact {
    type Error = MembershipError;
    fn try_from(p: TermFactParts) -> Result<Self, Self::Error> {
        Self::new(p.term, p.applied_on, p.status)
    }
}

impl From<TermFact> for TermFactParts {
    fn from(f: TermFact) -> Self {
        Self { term: f.term, applied_on: f.applied_on, status: f.status }
    }
}

/// A term's state on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    AwaitingApproval,
    AwaitingPayment,
    Paid,
    Rejected,
    Cancelled,
}

impl Phase {
    fn is_open(self) -> bool {
        matches!(self, Phase::AwaitingApproval | Phase::AwaitingPayment | Phase::Paid)
    }
}

impl TermFact {
    /// A term fact, refusing event dates out of order.
    pub fn new(term: Term, applied_on: Date, status: TermStatus) -> Result<Self, MembershipError> {
        let fact = Self { term, applied_on, status };
        let mut events: Vec<(&'static str, Date)> = vec![("applied", applied_on)];
        match status {
            TermStatus::AwaitingApproval => {}
            TermStatus::Rejected { rejected_on } => events.push(("rejected", rejected_on)),
            TermStatus::AwaitingPayment { approved_on } => {
                events.extend(approved_on.map(|d| ("approved", d)));
            }
            TermStatus::Paid { approved_on, paid_on } => {
                events.extend(approved_on.map(|d| ("approved", d)));
                events.push(("paid", paid_on));
            }
            TermStatus::Cancelled { approved_on, paid_on, cancelled_on } => {
                events.extend(approved_on.map(|d| ("approved", d)));
                events.extend(paid_on.map(|d| ("paid", d)));
                events.push(("cancelled", cancelled_on));
            }
        }
        for pair in events.windows(2) {
            let ((earlier, earlier_on), (later, later_on)) = (pair[0], pair[1]);
            if later_on < earlier_on {
                return Err(MembershipError::FactDatesOutOfOrder {
                    term_starts_on: term.starts_on(),
                    earlier,
                    earlier_on,
                    later,
                    later_on,
                });
            }
        }
        Ok(fact)
    }

    /// The term's dates.
    pub fn term(&self) -> Term {
        self.term
    }

    /// Day the application was made, or the renewal term was raised.
    pub fn applied_on(&self) -> Date {
        self.applied_on
    }

    /// What has happened to the term.
    pub fn status(&self) -> TermStatus {
        self.status
    }

    /// The term's state on `on`, or `None` if it had not been applied for yet.
    fn phase_on(&self, on: Date) -> Option<Phase> {
        if on < self.applied_on {
            return None;
        }
        let before_payment = |approved_on: Option<Date>| match approved_on {
            Some(a) if on < a => Phase::AwaitingApproval,
            _ => Phase::AwaitingPayment,
        };
        Some(match self.status {
            TermStatus::AwaitingApproval => Phase::AwaitingApproval,
            TermStatus::Rejected { rejected_on } if on >= rejected_on => Phase::Rejected,
            TermStatus::Rejected { .. } => Phase::AwaitingApproval,
            TermStatus::AwaitingPayment { approved_on } => before_payment(approved_on),
            TermStatus::Paid { paid_on, .. } if on >= paid_on => Phase::Paid,
            TermStatus::Paid { approved_on, .. } => before_payment(approved_on),
            TermStatus::Cancelled { cancelled_on, .. } if on >= cancelled_on => Phase::Cancelled,
            TermStatus::Cancelled { paid_on: Some(p), .. } if on >= p => Phase::Paid,
            TermStatus::Cancelled { approved_on, .. } => before_payment(approved_on),
        })
    }
}

/// A member's standing on a date, with the dates that matter for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StandingReport {
    /// The date the standing is for.
    pub on: Date,
    /// The standing.
    pub standing: Standing,
    /// Expiry, renewal-window, grace and lapse dates of the member's latest stretch of
    /// paid cover (as known on `on`); `None` if they had never paid by then.
    pub expiry: Option<ExpiryDates>,
}

/// The member's standing on `on`, from their whole term history (in any order). See the
/// [module documentation](self) for the rules. `Ok(None)` means no term had been applied
/// for by `on`.
///
/// Errors: [`MembershipError::OverlappingPaidTerms`] when two terms paid for as of `on`
/// cover the same day; [`MembershipError::DateOutOfRange`] at the ends of the calendar.
pub fn standing_on(
    policy: &TermPolicy,
    history: &[TermFact],
    on: Date,
) -> Result<Option<StandingReport>, MembershipError> {
    let known: Vec<(&TermFact, Phase)> = history.iter().filter_map(|f| f.phase_on(on).map(|p| (f, p))).collect();
    if known.is_empty() {
        return Ok(None);
    }

    let mut paid: Vec<Term> = known.iter().filter(|(_, p)| *p == Phase::Paid).map(|(f, _)| f.term).collect();
    paid.sort_by_key(|t| t.starts_on());
    if let Some(pair) = paid.windows(2).find(|w| w[1].starts_on() <= w[0].ends_on()) {
        return Err(MembershipError::OverlappingPaidTerms { first: pair[0].starts_on(), second: pair[1].starts_on() });
    }

    let report = |standing, expiry| Ok(Some(StandingReport { on, standing, expiry }));

    // 2. Covered: a paid term covering `on` or paid in advance.
    if let Some(index) = paid.iter().position(|t| t.ends_on() >= on) {
        let mut expires_on = paid[index].ends_on();
        for next in &paid[index + 1..] {
            if next.starts_on() == add_days(expires_on, 1)? {
                expires_on = next.ends_on();
            } else {
                break;
            }
        }
        let dates = policy.expiry_dates(expires_on)?;
        let declined = latest(&known, |f| f.term.starts_on() > expires_on).is_some_and(|(_, p)| p == Phase::Cancelled);
        let standing = if on >= dates.window_opens_on && !declined { Standing::RenewalDue } else { Standing::Active };
        return report(standing, Some(dates));
    }

    // 3. After cover.
    if let Some(last) = paid.last() {
        let dates = policy.expiry_dates(last.ends_on())?;
        let after = latest(&known, |f| f.term.starts_on() > last.ends_on());
        let standing = match after {
            Some((_, Phase::Cancelled)) => Standing::Cancelled,
            _ if on <= dates.grace_ends_on => Standing::Grace,
            Some((fact, phase)) if fact.applied_on >= dates.lapses_on => pending_standing(phase),
            _ => Standing::Lapsed,
        };
        return report(standing, Some(dates));
    }

    // 4. Never paid.
    match latest(&known, |_| true) {
        Some((_, phase)) => report(pending_standing(phase), None),
        None => Ok(None),
    }
}

/// Standing from an application that has not been paid.
fn pending_standing(phase: Phase) -> Standing {
    match phase {
        Phase::AwaitingApproval => Standing::Applied,
        // A paid phase never reaches here (paid terms are handled as cover); treat it as
        // awaiting payment rather than inventing cover.
        Phase::AwaitingPayment | Phase::Paid => Standing::Approved,
        Phase::Rejected => Standing::Rejected,
        Phase::Cancelled => Standing::Cancelled,
    }
}

/// The latest known term matching `keep`: latest start, then open before closed, then
/// most recently applied for.
fn latest<'a>(known: &[(&'a TermFact, Phase)], keep: impl Fn(&TermFact) -> bool) -> Option<(&'a TermFact, Phase)> {
    known.iter().filter(|(f, _)| keep(f)).max_by_key(|(f, p)| (f.term.starts_on(), p.is_open(), f.applied_on)).copied()
}

#[cfg(test)]
mod tests;
