//! Renewal reminders, and the rule that nothing is invoiced or charged without one.
//!
//! The policy lists reminder offsets relative to the expiry date (for example 60, 30, 7
//! and 0 days before, and 14 days after during grace). Each day the application layer
//! asks [`reminder_due`] for every member in the renewal window or in grace, sends what
//! it returns and records a [`SentReminder`].
//!
//! **At most one reminder a day.** If several offsets have come due since the last one
//! was sent (the mailer was down, or the member entered the window late because they
//! joined late in the year), only the latest of them is due; the earlier ones are
//! skipped, never sent in a burst. A reminder sent late still goes out once, so the email
//! should be worded from the member's standing on the day it is sent.
//!
//! **No invoice without a reminder.** [`may_raise_renewal_invoice`] allows a renewal
//! invoice (and, once card payments exist, an automatic charge) only after at least one
//! reminder for that expiry has been sent, on or before the day of the invoice.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use super::dates::add_days;
use super::{MembershipError, Standing, StandingReport, TermPolicy};

/// When a reminder goes out, relative to the expiry date (the last day of the term).
///
/// Ordered by when it is sent: `BeforeExpiry(60) < BeforeExpiry(0) < AfterExpiry(1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderOffset {
    /// This many days before expiry; `BeforeExpiry(0)` is the expiry date itself. Must be
    /// inside the renewal window.
    BeforeExpiry(u16),
    /// This many days after expiry, during grace (1 to the grace period).
    AfterExpiry(u16),
}

impl ReminderOffset {
    /// Signed days from the expiry date: negative before, positive after.
    pub fn days_from_expiry(self) -> i64 {
        match self {
            ReminderOffset::BeforeExpiry(d) => -i64::from(d),
            ReminderOffset::AfterExpiry(d) => i64::from(d),
        }
    }

    /// The day this reminder is scheduled for, for a membership expiring on `expires_on`.
    pub fn scheduled_on(self, expires_on: Date) -> Result<Date, MembershipError> {
        add_days(expires_on, self.days_from_expiry())
    }
}

impl Ord for ReminderOffset {
    fn cmp(&self, other: &Self) -> Ordering {
        // The variant breaks the tie between `BeforeExpiry(0)` and the (invalid in a
        // policy) `AfterExpiry(0)`, keeping the order consistent with equality.
        let key = |o: &Self| (o.days_from_expiry(), matches!(o, ReminderOffset::AfterExpiry(_)));
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for ReminderOffset {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ReminderOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ReminderOffset::BeforeExpiry(0) => write!(f, "on the expiry date"),
            ReminderOffset::BeforeExpiry(1) => write!(f, "1 day before expiry"),
            ReminderOffset::BeforeExpiry(d) => write!(f, "{d} days before expiry"),
            ReminderOffset::AfterExpiry(1) => write!(f, "1 day after expiry"),
            ReminderOffset::AfterExpiry(d) => write!(f, "{d} days after expiry"),
        }
    }
}

/// A reminder already sent: which expiry it was about, which offset, and when it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SentReminder {
    /// The expiry date the reminder was about.
    pub for_expiry: Date,
    /// The offset it was sent for.
    pub offset: ReminderOffset,
    /// The day it was sent.
    pub sent_on: Date,
}

/// A reminder to send today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DueReminder {
    /// The expiry date it is about.
    pub for_expiry: Date,
    /// The offset it is for (record it in the [`SentReminder`]).
    pub offset: ReminderOffset,
    /// The day it was scheduled for; earlier than the report's date if sent late.
    pub scheduled_on: Date,
}

/// The reminder to send on `report.on`, if any.
///
/// Only members who are [`RenewalDue`](Standing::RenewalDue) or in
/// [`Grace`](Standing::Grace) get reminders; members who renewed early, declined, lapsed
/// or were never paid up get none. Of the policy's offsets scheduled on or before the
/// day, the latest is due unless it, or a later one, has already been sent for this
/// expiry. `sent` may hold the member's whole reminder history: reminders about other
/// expiry dates are ignored.
pub fn reminder_due(
    policy: &TermPolicy,
    report: &StandingReport,
    sent: &[SentReminder],
) -> Result<Option<DueReminder>, MembershipError> {
    let Some(expiry) = report.expiry else {
        return Ok(None);
    };
    if !matches!(report.standing, Standing::RenewalDue | Standing::Grace) {
        return Ok(None);
    }
    let mut latest = None;
    for &offset in policy.reminders() {
        let scheduled_on = offset.scheduled_on(expiry.expires_on)?;
        if scheduled_on <= report.on {
            latest = Some(DueReminder { for_expiry: expiry.expires_on, offset, scheduled_on });
        }
    }
    Ok(latest.filter(|due| !sent.iter().any(|s| s.for_expiry == due.for_expiry && s.offset >= due.offset)))
}

/// Why a renewal invoice may not be raised (or a renewal charged) today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum RenewalInvoiceRefusal {
    /// The member has no paid membership to renew.
    #[error("there is no paid membership to renew")]
    NothingToRenew,
    /// The renewal window has not opened (or the member has already renewed, or declined).
    #[error("the renewal window does not open until {window_opens_on}")]
    WindowNotOpen {
        /// First day of the renewal window.
        window_opens_on: Date,
    },
    /// No reminder about this expiry has been sent yet.
    #[error("no renewal reminder has been sent yet for the membership expiring {expires_on}")]
    NoReminderSent {
        /// The expiry the invoice would renew.
        expires_on: Date,
    },
    /// The membership has lapsed: the member must be reinstated, not renewed.
    #[error("the membership lapsed on {lapses_on}; reinstate instead of renewing")]
    Lapsed {
        /// First day of the lapse.
        lapses_on: Date,
    },
    /// The membership was cancelled.
    #[error("the membership was cancelled")]
    Cancelled,
}

/// Whether a renewal invoice may be raised (or a stored card charged) on `report.on`.
///
/// Allowed only while the member is [`RenewalDue`](Standing::RenewalDue) or in
/// [`Grace`](Standing::Grace), and only once at least one reminder about that expiry was
/// sent on or before the day. This is the rule that nothing is ever charged without a
/// reminder first.
pub fn may_raise_renewal_invoice(report: &StandingReport, sent: &[SentReminder]) -> Result<(), RenewalInvoiceRefusal> {
    let Some(expiry) = report.expiry else {
        return Err(RenewalInvoiceRefusal::NothingToRenew);
    };
    match report.standing {
        Standing::RenewalDue | Standing::Grace => {
            let reminded = sent.iter().any(|s| s.for_expiry == expiry.expires_on && s.sent_on <= report.on);
            if reminded { Ok(()) } else { Err(RenewalInvoiceRefusal::NoReminderSent { expires_on: expiry.expires_on }) }
        }
        Standing::Active => Err(RenewalInvoiceRefusal::WindowNotOpen { window_opens_on: expiry.window_opens_on }),
        Standing::Cancelled => Err(RenewalInvoiceRefusal::Cancelled),
        Standing::Lapsed | Standing::Applied | Standing::Approved | Standing::Rejected => {
            Err(RenewalInvoiceRefusal::Lapsed { lapses_on: expiry.lapses_on })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReminderOffset::{AfterExpiry, BeforeExpiry};
    use super::*;
    use crate::membership::{ExpiryDates, TermPolicySettings};
    use time::macros::date;

    const EXPIRY: Date = date!(2025 - 12 - 31);

    /// Default policy: window 60, grace 30, reminders 60, 30, 7, 0 before and 14 after.
    fn policy() -> TermPolicy {
        TermPolicy::new(TermPolicySettings::default()).expect("valid")
    }

    fn report(on: Date, standing: Standing) -> StandingReport {
        StandingReport { on, standing, expiry: Some(policy().expiry_dates(EXPIRY).expect("dates")) }
    }

    fn sent(offset: ReminderOffset, sent_on: Date) -> SentReminder {
        SentReminder { for_expiry: EXPIRY, offset, sent_on }
    }

    fn due(offset: ReminderOffset) -> Option<DueReminder> {
        Some(DueReminder { for_expiry: EXPIRY, offset, scheduled_on: offset.scheduled_on(EXPIRY).expect("date") })
    }

    #[test]
    fn offsets_order_and_render() {
        let mut offsets = vec![AfterExpiry(1), BeforeExpiry(0), BeforeExpiry(60), AfterExpiry(14)];
        offsets.sort();
        assert_eq!(offsets, vec![BeforeExpiry(60), BeforeExpiry(0), AfterExpiry(1), AfterExpiry(14)]);
        let rendered: Vec<String> =
            [BeforeExpiry(0), BeforeExpiry(1), BeforeExpiry(30), AfterExpiry(1), AfterExpiry(14)]
                .iter()
                .map(ToString::to_string)
                .collect();
        assert_eq!(
            rendered,
            [
                "on the expiry date",
                "1 day before expiry",
                "30 days before expiry",
                "1 day after expiry",
                "14 days after expiry"
            ]
        );
        assert!(BeforeExpiry(0) < AfterExpiry(0));
        assert_eq!(BeforeExpiry(0).cmp(&BeforeExpiry(0)), Ordering::Equal);
        assert_eq!(BeforeExpiry(60).scheduled_on(EXPIRY), Ok(date!(2025 - 11 - 01)));
        assert_eq!(AfterExpiry(14).scheduled_on(EXPIRY), Ok(date!(2026 - 01 - 14)));
    }

    #[test]
    fn reminders_due_by_day() {
        use Standing::{Grace, RenewalDue};
        let all_before_sent = [
            sent(BeforeExpiry(60), date!(2025 - 11 - 01)),
            sent(BeforeExpiry(30), date!(2025 - 12 - 01)),
            sent(BeforeExpiry(7), date!(2025 - 12 - 24)),
            sent(BeforeExpiry(0), date!(2025 - 12 - 31)),
        ];
        let cases: Vec<(Date, Standing, Vec<SentReminder>, Option<DueReminder>)> = vec![
            // Window opens 1 November: the 60-day reminder is due that day, not before.
            (date!(2025 - 10 - 31), RenewalDue, vec![], None),
            (date!(2025 - 11 - 01), RenewalDue, vec![], due(BeforeExpiry(60))),
            (date!(2025 - 11 - 01), RenewalDue, all_before_sent[..1].to_vec(), None),
            (date!(2025 - 11 - 30), RenewalDue, all_before_sent[..1].to_vec(), None),
            (date!(2025 - 12 - 01), RenewalDue, all_before_sent[..1].to_vec(), due(BeforeExpiry(30))),
            // Missed reminders are not sent in a burst: only the latest due one.
            (date!(2025 - 12 - 24), RenewalDue, vec![], due(BeforeExpiry(7))),
            (date!(2025 - 12 - 30), RenewalDue, all_before_sent[..3].to_vec(), None),
            (date!(2025 - 12 - 31), RenewalDue, all_before_sent[..3].to_vec(), due(BeforeExpiry(0))),
            // Grace: nothing until the 14-day reminder.
            (date!(2026 - 01 - 01), Grace, all_before_sent.to_vec(), None),
            (date!(2026 - 01 - 13), Grace, all_before_sent.to_vec(), None),
            (date!(2026 - 01 - 14), Grace, all_before_sent.to_vec(), due(AfterExpiry(14))),
            // A missed expiry-day reminder still goes out once, late, during grace.
            (date!(2026 - 01 - 02), Grace, all_before_sent[..3].to_vec(), due(BeforeExpiry(0))),
            // Reminders about an earlier expiry do not count.
            (
                date!(2025 - 11 - 01),
                RenewalDue,
                vec![SentReminder {
                    for_expiry: date!(2024 - 12 - 31),
                    offset: BeforeExpiry(60),
                    sent_on: date!(2024 - 11 - 01),
                }],
                due(BeforeExpiry(60)),
            ),
        ];
        for (on, standing, sent, expected) in cases {
            assert_eq!(reminder_due(&policy(), &report(on, standing), &sent), Ok(expected), "{on} {standing:?}");
        }
    }

    #[test]
    fn no_reminders_outside_the_window_and_grace() {
        for standing in [
            Standing::Active,
            Standing::Lapsed,
            Standing::Cancelled,
            Standing::Applied,
            Standing::Approved,
            Standing::Rejected,
        ] {
            assert_eq!(
                reminder_due(&policy(), &report(date!(2025 - 12 - 31), standing), &[]),
                Ok(None),
                "{standing:?}"
            );
        }
        let never_paid = StandingReport { on: date!(2025 - 12 - 31), standing: Standing::Approved, expiry: None };
        assert_eq!(reminder_due(&policy(), &never_paid, &[]), Ok(None));
    }

    #[test]
    fn renewal_invoice_needs_a_reminder_first() {
        let dates: ExpiryDates = policy().expiry_dates(EXPIRY).expect("dates");
        let first = sent(BeforeExpiry(60), date!(2025 - 11 - 01));
        let cases: Vec<(StandingReport, Vec<SentReminder>, Result<(), RenewalInvoiceRefusal>)> = vec![
            (
                report(date!(2025 - 10 - 31), Standing::Active),
                vec![],
                Err(RenewalInvoiceRefusal::WindowNotOpen { window_opens_on: dates.window_opens_on }),
            ),
            (
                report(date!(2025 - 11 - 01), Standing::RenewalDue),
                vec![],
                Err(RenewalInvoiceRefusal::NoReminderSent { expires_on: EXPIRY }),
            ),
            (report(date!(2025 - 11 - 01), Standing::RenewalDue), vec![first], Ok(())),
            // A reminder recorded as sent later than the invoice date does not count.
            (
                report(date!(2025 - 11 - 01), Standing::RenewalDue),
                vec![sent(BeforeExpiry(60), date!(2025 - 11 - 02))],
                Err(RenewalInvoiceRefusal::NoReminderSent { expires_on: EXPIRY }),
            ),
            (report(date!(2026 - 01 - 30), Standing::Grace), vec![first], Ok(())),
            (
                report(date!(2026 - 01 - 30), Standing::Grace),
                vec![SentReminder { for_expiry: date!(2024 - 12 - 31), ..first }],
                Err(RenewalInvoiceRefusal::NoReminderSent { expires_on: EXPIRY }),
            ),
            (
                report(date!(2026 - 01 - 31), Standing::Lapsed),
                vec![first],
                Err(RenewalInvoiceRefusal::Lapsed { lapses_on: date!(2026 - 01 - 31) }),
            ),
            (report(date!(2026 - 01 - 31), Standing::Cancelled), vec![first], Err(RenewalInvoiceRefusal::Cancelled)),
            (
                StandingReport { on: date!(2025 - 11 - 01), standing: Standing::Approved, expiry: None },
                vec![],
                Err(RenewalInvoiceRefusal::NothingToRenew),
            ),
        ];
        for (report, sent, expected) in cases {
            assert_eq!(may_raise_renewal_invoice(&report, &sent), expected, "{report:?}");
        }
    }
}
