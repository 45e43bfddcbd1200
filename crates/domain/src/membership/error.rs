//! Errors for impossible input to the membership rules.
//!
//! These are not "the member is not eligible" answers (see
//! [`Ineligibility`](super::Ineligibility)) or "no reminder is due" answers: they mean the
//! caller handed the rules facts or settings that cannot be true, such as a term that ends
//! before it starts or a payment recorded before the application was made. The application
//! layer should treat them as bugs or bad data, not as something to show a member.

use time::Date;

use super::ReminderOffset;

/// Impossible input to a membership rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    /// A stored code that names nothing in the vocabulary (a corrupt or foreign row).
    #[error("unknown {what} {code:?}")]
    UnknownCode {
        /// Which vocabulary the code was read as.
        what: &'static str,
        /// The code as stored.
        code: String,
    },
    /// A term's last day is before its first day.
    #[error("a term cannot end ({ends_on}) before it starts ({starts_on})")]
    TermEndsBeforeStart {
        /// First day of the term.
        starts_on: Date,
        /// Last day of the term.
        ends_on: Date,
    },
    /// Date arithmetic left the range of dates the calendar library supports.
    #[error("date arithmetic from {from} left the supported calendar range")]
    DateOutOfRange {
        /// The date the calculation started from.
        from: Date,
    },
    /// The renewal window is longer than the rules allow.
    #[error("the renewal window of {days} days is longer than the maximum of {max} days")]
    RenewalWindowTooLong {
        /// The configured window.
        days: u16,
        /// The largest window allowed.
        max: u16,
    },
    /// The grace period is longer than the rules allow.
    #[error("the grace period of {days} days is longer than the maximum of {max} days")]
    GraceTooLong {
        /// The configured grace period.
        days: u16,
        /// The largest grace period allowed.
        max: u16,
    },
    /// The reminder schedule is empty, so no renewal invoice could ever be raised.
    #[error("at least one renewal reminder must be configured: invoices are only raised after a reminder")]
    NoReminders,
    /// The same reminder offset is configured twice.
    #[error("the reminder {0} is configured more than once")]
    DuplicateReminder(ReminderOffset),
    /// A reminder before expiry would be sent before the renewal window opens.
    #[error("the reminder {offset} would be sent before the renewal window opens ({window_days} days before expiry)")]
    ReminderBeforeWindow {
        /// The offending reminder.
        offset: ReminderOffset,
        /// The configured renewal window.
        window_days: u16,
    },
    /// A reminder after expiry is not inside the grace period.
    #[error("the reminder {offset} is not inside the grace period of {grace_days} days")]
    ReminderOutsideGrace {
        /// The offending reminder.
        offset: ReminderOffset,
        /// The configured grace period.
        grace_days: u16,
    },
    /// A month and day that does not exist, or February 29 where a yearly date is needed.
    #[error("{month}-{day} is not a usable yearly date (February 29 is not allowed)")]
    InvalidMonthDay {
        /// Month number, 1 to 12.
        month: u8,
        /// Day of the month.
        day: u8,
    },
    /// Dates recorded on a term are in an impossible order.
    #[error("term starting {term_starts_on}: {later} ({later_on}) is before {earlier} ({earlier_on})")]
    FactDatesOutOfOrder {
        /// First day of the term whose facts are inconsistent.
        term_starts_on: Date,
        /// The event that must come first.
        earlier: &'static str,
        /// Its date.
        earlier_on: Date,
        /// The event that must come later.
        later: &'static str,
        /// Its date.
        later_on: Date,
    },
    /// Two paid terms cover the same day.
    #[error("paid terms starting {first} and {second} overlap")]
    OverlappingPaidTerms {
        /// Start of the earlier term.
        first: Date,
        /// Start of the later term.
        second: Date,
    },
    /// Reinstatement was asked for before the membership lapsed; the member should renew.
    #[error("the membership does not lapse until {lapses_on}; renew instead of reinstating")]
    NotLapsed {
        /// The first day the membership counts as lapsed.
        lapses_on: Date,
    },
    /// A money amount that must not be negative is negative.
    #[error("amount of {0} cents must not be negative")]
    NegativeAmount(i64),
    /// A money calculation overflowed.
    #[error("amount calculation overflowed")]
    AmountOverflow,
    /// A percentage above 100.
    #[error("{0}% is not a percentage between 0 and 100")]
    InvalidPercent(u8),
    /// A tier code that is not lowercase letters, digits, `-` or `_` (1 to 32 characters).
    #[error("tier code {0:?} must be 1 to 32 lowercase letters, digits, '-' or '_'")]
    InvalidTierCode(String),
    /// A tier with an empty display name.
    #[error("tier {0} needs a display name")]
    EmptyTierName(String),
    /// A career-stage requirement that allows no career stage at all.
    #[error("a career-stage requirement must allow at least one career stage")]
    EmptyCareerStages,
    /// A household with more additional people than the society allows.
    #[error("a household may have at most {max} additional people, not {requested}")]
    HouseholdTooLarge {
        /// People asked for.
        requested: u16,
        /// The society's limit.
        max: u16,
    },
    /// An organisational membership with no seats.
    #[error("an organisational membership needs at least one seat")]
    NoSeats,
    /// More named employees than paid seats.
    #[error("{named} employees are named but only {seats} seats are paid for")]
    SeatsExceeded {
        /// Named employees covered on the date.
        named: usize,
        /// Seats paid for.
        seats: u16,
    },
    /// Employment that ends before it starts.
    #[error("employment cannot end ({ended_on}) before it starts ({started_on})")]
    EmploymentEndsBeforeStart {
        /// First day of employment.
        started_on: Date,
        /// Last day of employment.
        ended_on: Date,
    },
}
