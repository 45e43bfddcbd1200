//! Events (issue 11): what kinds there are, where an event and a registration stand, and the
//! times of an event in its own time zone. Pure rules; the store keeps seats and the waitlist
//! honest with conditional updates.
//!
//! Files: `mod.rs` (kinds, statuses, when registration is open), `local_time.rs` (wall-clock
//! times in an event's zone, across daylight-saving changes), `pricing.rs` (prices per
//! audience, early-bird prices, discount codes, refunds, the self-service deadline), `attendance.rs`
//! (partial PDH credit from webinar join and leave times).

mod attendance;
mod local_time;
mod pricing;

pub use attendance::{CreditRuleError, PartialCreditRule, SessionCredit, SessionWindow, Span, credit, minutes_in};
pub use local_time::{EventTime, LocalTimeError, event_time, local_instant};
pub use pricing::{
    Buyer, EventPrice, PriceAudience, PriceBasis, PriceRefusal, Quote, discount_code, quote, refund_due,
    self_service_open,
};

pub use crate::codes::UnknownCode;

codes!(
    /// What sort of gathering an event is.
    EventKind, "event kind", {
        Conference => ("conference", "Conference"),
        Workshop => ("workshop", "Workshop"),
        Seminar => ("seminar", "Seminar"),
        Webinar => ("webinar", "Webinar"),
        ChapterMeeting => ("chapter_meeting", "Chapter meeting"),
        SiteVisit => ("site_visit", "Site visit"),
        Course => ("course", "Course"),
    }
);

codes!(
    /// Where an event stands: drafts are seen only by those who manage it; cancelled events
    /// stay listed as cancelled.
    EventStatus, "event status", {
        Draft => ("draft", "Draft"),
        Published => ("published", "Published"),
        Cancelled => ("cancelled", "Cancelled"),
    }
);

codes!(
    /// Where a registration stands.
    RegistrationStatus, "registration status", {
        Confirmed => ("confirmed", "Confirmed"),
        Waitlisted => ("waitlisted", "On the waitlist"),
        Offered => ("offered", "A seat is offered"),
        Cancelled => ("cancelled", "Cancelled"),
    }
);

impl RegistrationStatus {
    /// Whether the registration holds one of the event's seats (a confirmed one, or one
    /// offered and not yet taken up).
    pub fn holds_seat(self) -> bool {
        matches!(self, RegistrationStatus::Confirmed | RegistrationStatus::Offered)
    }

    pub fn is_confirmed(self) -> bool {
        self == RegistrationStatus::Confirmed
    }

    /// Whether the registration still stands (anything but cancelled).
    pub fn is_active(self) -> bool {
        self != RegistrationStatus::Cancelled
    }
}

/// Why a person cannot register for an event now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRefusal {
    NotPublished,
    Cancelled,
    Closed,
}

impl RegistrationRefusal {
    pub fn message(self) -> &'static str {
        match self {
            RegistrationRefusal::NotPublished => "This event is not open for registration yet.",
            RegistrationRefusal::Cancelled => "This event has been cancelled.",
            RegistrationRefusal::Closed => "Registration for this event has closed.",
        }
    }
}

/// Whether an event with `status` whose registration closes at `closes_at` takes
/// registrations at `now` (all Unix seconds).
pub fn registration_open(status: EventStatus, closes_at: i64, now: i64) -> Result<(), RegistrationRefusal> {
    match status {
        EventStatus::Draft => Err(RegistrationRefusal::NotPublished),
        EventStatus::Cancelled => Err(RegistrationRefusal::Cancelled),
        EventStatus::Published if now >= closes_at => Err(RegistrationRefusal::Closed),
        EventStatus::Published => Ok(()),
    }
}

/// How long a freed seat is held for the person offered it, by default (48 hours).
pub const DEFAULT_OFFER_HOURS: u16 = 48;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_unknown_ones_are_refused() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::try_from(kind.code().to_string()), Ok(*kind));
        }
        for status in RegistrationStatus::ALL {
            assert_eq!(RegistrationStatus::try_from(status.code().to_string()), Ok(*status));
        }
        assert_eq!(
            EventStatus::try_from("postponed".to_string()),
            Err(UnknownCode { what: "event status", code: "postponed".into() })
        );
    }

    #[test]
    fn only_confirmed_and_offered_registrations_hold_a_seat() {
        let cases = [
            (RegistrationStatus::Confirmed, true),
            (RegistrationStatus::Offered, true),
            (RegistrationStatus::Waitlisted, false),
            (RegistrationStatus::Cancelled, false),
        ];
        for (status, holds) in cases {
            assert_eq!(status.holds_seat(), holds, "{status:?}");
        }
    }

    #[test]
    fn registration_is_open_only_while_published_and_before_it_closes() {
        let closes = 1_000;
        let cases = [
            (EventStatus::Published, 999, Ok(())),
            (EventStatus::Published, 1_000, Err(RegistrationRefusal::Closed)),
            (EventStatus::Draft, 10, Err(RegistrationRefusal::NotPublished)),
            (EventStatus::Cancelled, 10, Err(RegistrationRefusal::Cancelled)),
        ];
        for (status, now, expected) in cases {
            assert_eq!(registration_open(status, closes, now), expected, "{status:?} at {now}");
        }
    }
}
