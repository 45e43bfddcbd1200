//! Events' rows: events and registrations.

use guildhall_domain::events::{EventKind, EventPrice, EventStatus, PriceBasis, RegistrationStatus};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: i64,
    /// The owning chapter; `None` for the society's own events.
    pub chapter_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    /// The IANA zone the event happens in.
    pub time_zone: String,
    pub starts_at: UnixTime,
    pub ends_at: UnixTime,
    pub venue: String,
    pub address: String,
    /// Shown only to confirmed registrants and those who manage the event.
    #[serde(skip_serializing)]
    pub online_link: String,
    pub capacity: i64,
    /// Confirmed registrations and seats held for an offer.
    pub seats_taken: i64,
    pub waitlist_joined: i64,
    pub registration_closes_at: UnixTime,
    /// The credit an attendee earns, in millionths of a PDH.
    pub pdh_micro: i64,
    /// The CE engine's topic tags the credit carries, space-separated.
    pub topics: String,
    /// The provider as boards know it (name and provider number).
    pub provider: String,
    /// When the credit was released into attendees' ledgers.
    pub credit_released_at: Option<UnixTime>,
    #[sqlx(try_from = "String")]
    pub status: EventStatus,
    pub created_by: Option<i64>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    /// Early-bird prices apply to registrations before this instant.
    pub early_bird_until: Option<UnixTime>,
    /// Registrants may cancel or transfer themselves until this instant (until
    /// registration closes when `None`).
    pub changes_until: Option<UnixTime>,
    /// The share of what was paid refunded when a registrant cancels in time (0 to 100).
    pub refund_percent: i64,
    /// The minutes of attendance that earn one PDH, for attendance reports.
    pub minutes_per_pdh: i64,
    /// The officer responsible for its credit (name and title), as certificates print it.
    pub responsible: String,
    /// The boards (jurisdiction codes, space separated) that approved its credit.
    pub approved_by: String,
}

impl EventRecord {
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.seats_taken).max(0)
    }

    /// What an organiser decided about it.
    pub fn details(&self) -> NewEvent {
        NewEvent {
            chapter_id: self.chapter_id,
            kind: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            time_zone: self.time_zone.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            venue: self.venue.clone(),
            address: self.address.clone(),
            online_link: self.online_link.clone(),
            capacity: self.capacity,
            registration_closes_at: self.registration_closes_at,
            pdh_micro: self.pdh_micro,
            topics: self.topics.clone(),
            provider: self.provider.clone(),
            early_bird_until: self.early_bird_until,
            changes_until: self.changes_until,
            refund_percent: self.refund_percent,
            minutes_per_pdh: self.minutes_per_pdh,
            responsible: self.responsible.clone(),
            approved_by: self.approved_by.clone(),
        }
    }
}

/// What an organiser decides about an event (the rest is kept by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub chapter_id: Option<i64>,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub time_zone: String,
    pub starts_at: UnixTime,
    pub ends_at: UnixTime,
    pub venue: String,
    pub address: String,
    pub online_link: String,
    pub capacity: i64,
    pub registration_closes_at: UnixTime,
    pub pdh_micro: i64,
    pub topics: String,
    pub provider: String,
    pub early_bird_until: Option<UnixTime>,
    pub changes_until: Option<UnixTime>,
    pub refund_percent: i64,
    pub minutes_per_pdh: i64,
    pub responsible: String,
    /// The boards (jurisdiction codes, space separated) that approved its credit.
    pub approved_by: String,
}

/// A discount code of an event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct DiscountCodeRecord {
    pub id: i64,
    pub event_id: i64,
    /// Upper-cased.
    pub code: String,
    pub percent_off: i64,
    /// `None`: as many uses as registrations.
    pub max_uses: Option<i64>,
    pub uses: i64,
}

/// A discount code as the event form sets it (its uses are kept by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDiscountCode {
    pub code: String,
    pub percent_off: i64,
    pub max_uses: Option<i64>,
}

/// What is saved with an event's details: its prices, discount codes and programme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventParts {
    pub prices: Vec<EventPrice>,
    pub discount_codes: Vec<NewDiscountCode>,
    /// The sessions of a multi-session programme, in order (none for a single session).
    pub sessions: Vec<NewEventSession>,
}

/// A session of an event's programme.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct EventSession {
    pub id: i64,
    pub event_id: i64,
    pub title: String,
    pub speakers: String,
    pub starts_at: UnixTime,
    pub ends_at: UnixTime,
    /// Millionths of a PDH.
    pub pdh_micro: i64,
    /// The CE engine's topic tags, space-separated.
    pub topics: String,
    /// Boards that approved this session's credit where they differ from the event's
    /// (jurisdiction codes, space separated; empty: the event's).
    pub approved_by: String,
}

/// A session as the event form sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEventSession {
    pub title: String,
    pub speakers: String,
    pub starts_at: UnixTime,
    pub ends_at: UnixTime,
    pub pdh_micro: i64,
    pub topics: String,
    pub approved_by: String,
}

/// What a registration costs, decided when the person registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationPrice {
    pub cents: i64,
    pub basis: PriceBasis,
    /// The discount code used (its use is counted in the registration's transaction).
    pub discount_code_id: Option<i64>,
}

/// The invoice a paid registration raises once it holds a seat: who owes it (a member's
/// record, else the account) and its wording and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInvoice {
    pub member_id: Option<i64>,
    pub user_id: i64,
    pub description: String,
    pub issued_on: Date,
    pub due_on: Date,
}

/// What happens to the money of a registration being cancelled: its open invoice is
/// voided, or `refund_cents` of its payment comes back (recorded as a refund, the way staff
/// record one) with `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRefund {
    pub refund_cents: i64,
    pub reason: String,
    pub refunded_on: Date,
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RegistrationRecord {
    pub id: i64,
    pub event_id: i64,
    pub user_id: i64,
    pub member_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub status: RegistrationStatus,
    /// Arrival order on the waitlist (kept after leaving it).
    pub waitlist_seq: Option<i64>,
    /// Place in line now (1 is next), while waitlisted.
    pub position: Option<i64>,
    pub offered_until: Option<UnixTime>,
    pub checked_in_at: Option<UnixTime>,
    /// The certificate of attendance's public code, once credit is released.
    pub certificate_code: Option<String>,
    pub registered_at: UnixTime,
    pub updated_at: UnixTime,
    /// What it costs (after any discount), fixed when the person registered.
    pub price_cents: i64,
    #[sqlx(try_from = "String")]
    pub price_basis: PriceBasis,
    /// The invoice raised once it held a seat (paid registrations only).
    pub invoice_id: Option<i64>,
    /// Whether that invoice is paid.
    pub invoice_paid: bool,
    /// Minutes attended, from an attendance report.
    pub attended_minutes: Option<i64>,
    /// The credit earned by the report's partial-credit rule (millionths of a PDH); `None`
    /// for the event's full PDH.
    pub credit_micro: Option<i64>,
    /// The ticket's code (its QR code opens check-in for those who manage the event).
    #[serde(skip_serializing)]
    pub ticket_code: Option<String>,
    /// Ids of the licences the attendee shows on their certificate, space-separated.
    pub certificate_licences: String,
}

/// A registration with who it is, for an event's roster.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RosterEntry {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub registration: RegistrationRecord,
    pub name: String,
    pub email: String,
    pub member_number: Option<String>,
}

/// A registration with its event, for the person's own list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MyRegistration {
    #[sqlx(flatten)]
    pub registration: RegistrationRecord,
    pub title: String,
    pub time_zone: String,
    pub starts_at: UnixTime,
}

/// A freed seat offered to the next person in line, for the email telling them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatOffer {
    pub registration_id: i64,
    pub event_id: i64,
    pub email: String,
    pub name: String,
    pub offered_until: UnixTime,
}

/// Filters for the events listing.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<EventStatus>,
    pub chapter_id: Option<i64>,
    pub kind: Option<EventKind>,
    /// Words in the title or description.
    pub text: Option<String>,
    /// Ending at or after this instant.
    pub from: Option<UnixTime>,
    /// Starting before this instant.
    pub until: Option<UnixTime>,
    /// Only events of these chapters or, with `society_events`, the society's own (for
    /// officers' management lists); no limit when `None`.
    pub managed_by: Option<(Vec<i64>, bool)>,
}

/// A certificate of attendance as its public page and PDF show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CertificateRecord {
    pub code: String,
    pub registration_id: i64,
    pub member_id: Option<i64>,
    /// The attendee's account.
    pub user_id: i64,
    /// Ids of the licences the attendee chose to show, space-separated.
    pub certificate_licences: String,
    pub name: String,
    pub member_number: Option<String>,
    /// Whether the registration still stands (a certificate of a cancelled one does not).
    #[sqlx(try_from = "String")]
    pub registration_status: RegistrationStatus,
    #[sqlx(flatten)]
    pub event: EventRecord,
}

/// A registration that stands, for an event not yet over, as the person's dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UpcomingRegistration {
    pub event_id: i64,
    pub title: String,
    pub time_zone: String,
    pub starts_at: UnixTime,
    pub status: RegistrationStatus,
}

/// What an attendance report says of one registration (in all, and of each session of a
/// multi-session programme: (session id, minutes, credit)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRecord {
    pub registration_id: i64,
    pub minutes: i64,
    /// Millionths of a PDH.
    pub credit_micro: i64,
    pub sessions: Vec<(i64, i64, i64)>,
}

/// A registrant's attendance of one session, from an attendance report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionAttendance {
    pub registration_id: i64,
    pub session_id: i64,
    pub minutes: i64,
    pub credit_micro: i64,
}

/// One event's figures for the events report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventFigures {
    pub id: i64,
    pub title: String,
    pub chapter_id: Option<i64>,
    pub starts_at: UnixTime,
    pub time_zone: String,
    pub capacity: i64,
    #[sqlx(try_from = "String")]
    pub status: EventStatus,
    /// Confirmed registrations.
    pub confirmed: i64,
    /// Confirmed registrants checked in (at the door or from an attendance report).
    pub attended: i64,
    /// On the waitlist now.
    pub waiting: i64,
    /// What its registrations brought in: payments less refunds, in cents.
    pub revenue_cents: i64,
    /// Credit released to attendees, in millionths of a PDH.
    pub pdh_issued_micro: i64,
}

/// An event with what its page shows besides: its prices, whether it has discount codes,
/// and its programme (read in one statement, [`crate::Store::event_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPage {
    pub event: EventRecord,
    pub prices: Vec<EventPrice>,
    pub has_discount_codes: bool,
    pub sessions: Vec<EventSession>,
}

/// The event page's one row.
#[derive(sqlx::FromRow)]
pub(crate) struct EventPageRow {
    #[sqlx(flatten)]
    pub event: EventRecord,
    pub prices_json: String,
    pub sessions_json: String,
    pub has_discount_codes: bool,
}

/// A price as the event page's statement reads it (a JSON array of its columns).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PriceRow(pub String, pub Option<i64>, pub i64, pub Option<i64>);

impl PriceRow {
    /// The price the row holds (audience, tier, price, early-bird price).
    pub(crate) fn price(self) -> crate::StoreResult<EventPrice> {
        let PriceRow(audience, tier_id, price_cents, early_price_cents) = self;
        let audience = guildhall_domain::events::PriceAudience::from_parts(&audience, tier_id)
            .ok_or_else(|| crate::StoreError::Backend(format!("unknown price audience {audience:?}")))?;
        Ok(EventPrice { audience, price_cents, early_price_cents })
    }
}
