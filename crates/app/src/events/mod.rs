//! Events: staff and chapter officers create and publish them; members register, join the
//! waitlist when an event is full, take up a seat offered to them, and cancel. Each change and
//! its email are written together (see the store's `events` module for how seats are kept).
//!
//! Files: `mod.rs` (events, registrations, check-in, releasing credit, certificates' records),
//! `calendar.rs` (iCalendar feeds), `certificate.rs` (the certificate of attendance as a PDF),
//! `guests.rs` (registering from a link mailed to someone not signed in).

mod calendar;
mod certificate;
pub mod guests;

use guildhall_domain::csv::attendance::{AttendanceColumns, parse_attendance};
use guildhall_domain::csv::members::parse_career_stage;
use guildhall_domain::events::{
    Buyer, EventKind, EventPrice, EventStatus, PartialCreditRule, PriceAudience, Quote, RegistrationStatus,
    SessionWindow, Span, credit, discount_code, event_time, local_instant, minutes_in, quote, refund_due,
    registration_open, self_service_open,
};
use guildhall_domain::member::CareerStage;
use guildhall_store::{
    AttendanceRecord, CertificateRecord, EventFilter, EventInvoice, EventParts, EventRecord, MailAttachment,
    MyRegistration, NewCeActivity, NewDiscountCode, NewEvent, NewEventSession, NewMail, Page, PageRequest, Recorded,
    Registered, RegistrationPrice, RegistrationRecord, RegistrationRefund, RosterEntry, SeatOffer, StoreError,
};
use serde_json::json;

use crate::ce::{COMMON_TOPICS, micro_of, micro_text};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// Time zones the event form offers first (any IANA zone name is accepted).
pub const TIME_ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Halifax",
    "America/St_Johns",
    "Europe/London",
    "UTC",
];

/// The largest capacity an event may have.
const MAX_CAPACITY: i64 = 100_000;
/// How long a node keeps a page of the public events listing (its seats-left figures may be
/// this old; an event's own page is always read afresh).
pub const EVENT_PAGES_TTL: std::time::Duration = std::time::Duration::from_secs(5);

type EventPagesKey = (Option<EventKind>, Option<i64>, Option<String>, u32, u32);

/// Public listing pages kept per node for [`EVENT_PAGES_TTL`].
pub type EventPages = crate::kept::KeptPages<EventPagesKey, Page<EventRecord>>;

/// Calendar feeds reach back a month (a meeting just past stays in subscribers' calendars).
const CALENDAR_PAST_SECS: i64 = 31 * 86_400;
/// Calendar feeds hold at most this many pages of 200 events.
const CALENDAR_PAGES: u32 = 10;
/// The most credit one event carries (100 PDH, in millionths).
const MAX_PDH_MICRO: i64 = 100_000_000;
/// Minutes of attendance that earn one PDH unless the event says otherwise (boards' usual
/// "50-minute hour").
const DEFAULT_MINUTES_PER_PDH: i64 = 50;
/// Partial credit from an attendance report is granted in quarter PDH.
const CREDIT_STEP_MICRO: i64 = 250_000;
/// The largest attendance report accepted (a 5,000-person webinar's report is about 1 MB).
pub const MAX_ATTENDANCE_FILE: usize = 8 * 1024 * 1024;
/// The events report reaches back a year…
const REPORT_DAYS: i64 = 365;
/// …and lists at most this many events.
const REPORT_EVENTS: i64 = 500;
/// The most a registration may cost ($100,000).
const MAX_PRICE_CENTS: i64 = 10_000_000;

/// What the event form sends.
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    /// A chapter id, or empty for the society's own event.
    pub chapter: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub time_zone: String,
    /// Wall-clock times in the event's zone, as `datetime-local` fields send them.
    pub starts: String,
    pub ends: String,
    pub venue: String,
    pub address: String,
    pub online_link: String,
    pub capacity: String,
    /// Empty: registration closes when the event starts.
    pub registration_closes: String,
    /// The PDH an attendee earns ("3", "1.5"); empty for none.
    pub pdh: String,
    /// Topic tags of the credit (the CE engine's common topics).
    pub topics: Vec<String>,
    /// The provider as boards know it (name and provider number).
    pub provider: String,
    /// The boards (jurisdiction codes, such as `US-FL`) that approved the event's credit.
    pub approved_by: Vec<String>,
    /// Prices as typed, by audience key (`non_member`, `student`, `tier:<id>`): (key, price,
    /// early-bird price). Empty prices are no price for that audience.
    pub prices: Vec<(String, String, String)>,
    /// Until when (the event's wall clock) the early-bird prices apply; empty for none.
    pub early_bird_until: String,
    /// Until when registrants may cancel or transfer themselves; empty: until
    /// registration closes.
    pub changes_until: String,
    /// The share of the price refunded to those who cancel in time (0 to 100).
    pub refund_percent: String,
    /// One discount code per line: `CODE PERCENT [MAXIMUM USES]`.
    pub discount_codes: String,
    /// Minutes of attendance for each PDH, when attendance comes from a webinar's report
    /// (empty: 50).
    pub minutes_per_pdh: String,
    /// The officer responsible for the credit (name and title), as certificates print it.
    pub responsible: String,
    /// A multi-session programme, one session per line:
    /// `YYYY-MM-DD HH:MM | HH:MM | title | PDH | topics | speakers` (empty: one session).
    pub programme: String,
}

/// The boards whose approval an event's credit can carry: the jurisdictions of the rule
/// book's rule sets, as (code, name), by name.
pub fn approving_boards(book: &guildhall_ce::RuleBook) -> Vec<(String, String)> {
    let mut boards: Vec<(String, String)> = book
        .ruleset_ids()
        .into_iter()
        .filter_map(|id| id.rsplit_once('-').map(|(j, _)| j.to_string()))
        .filter(|j| j.contains('-'))
        .map(|j| (j.clone(), crate::ce::words::jurisdiction_words(&j)))
        .collect();
    boards.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    boards.dedup();
    boards
}

/// The boards that approved an event's credit, in words: "Florida and Texas boards"; empty
/// for none.
pub fn approvals_in_words(approved_by: &str) -> String {
    let names: Vec<String> = approved_by.split_whitespace().map(crate::ce::words::jurisdiction_words).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("{one} board"),
        [rest @ .., last] => format!("{} and {last} boards", rest.join(", ")),
    }
}

/// An audience's key in the event form.
pub fn audience_key(audience: PriceAudience) -> String {
    match audience {
        PriceAudience::Tier(id) => format!("tier:{id}"),
        other => other.code().to_string(),
    }
}

impl EventForm {
    /// The form filled in from a saved event and its prices, discount codes and programme.
    pub fn of(event: &EventRecord, parts: &EventParts) -> Self {
        let input = |at| event_time(at, &event.time_zone).input;
        let money = |cents: i64| crate::membership::format_money(cents).trim_start_matches('$').replace(',', "");
        EventForm {
            chapter: event.chapter_id.map(|c| c.to_string()).unwrap_or_default(),
            kind: event.kind.code().into(),
            title: event.title.clone(),
            description: event.description.clone(),
            time_zone: event.time_zone.clone(),
            starts: input(event.starts_at),
            ends: input(event.ends_at),
            venue: event.venue.clone(),
            address: event.address.clone(),
            online_link: event.online_link.clone(),
            capacity: event.capacity.to_string(),
            registration_closes: input(event.registration_closes_at),
            pdh: if event.pdh_micro == 0 { String::new() } else { micro_text(event.pdh_micro) },
            topics: event.topics.split_whitespace().map(String::from).collect(),
            provider: event.provider.clone(),
            approved_by: event.approved_by.split_whitespace().map(String::from).collect(),
            prices: parts
                .prices
                .iter()
                .map(|p| {
                    (audience_key(p.audience), money(p.price_cents), p.early_price_cents.map(money).unwrap_or_default())
                })
                .collect(),
            early_bird_until: event.early_bird_until.map(input).unwrap_or_default(),
            changes_until: event.changes_until.map(input).unwrap_or_default(),
            refund_percent: event.refund_percent.to_string(),
            minutes_per_pdh: event.minutes_per_pdh.to_string(),
            responsible: event.responsible.clone(),
            programme: parts
                .sessions
                .iter()
                .map(|s| {
                    let starts = event_time(s.starts_at, &event.time_zone).input;
                    let ends = event_time(s.ends_at, &event.time_zone).input;
                    let topics = s.topics.split_whitespace().collect::<Vec<_>>().join(", ");
                    let boards = if s.approved_by.is_empty() { String::new() } else { format!(" | {}", s.approved_by) };
                    format!(
                        "{} {} | {} | {} | {} | {topics} | {}{boards}",
                        &starts[..10],
                        &starts[11..],
                        &ends[11..],
                        s.title,
                        micro_text(s.pdh_micro),
                        s.speakers
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            discount_codes: parts
                .discount_codes
                .iter()
                .map(|c| match c.max_uses {
                    Some(max) => format!("{} {} {max}", c.code, c.percent_off),
                    None => format!("{} {}", c.code, c.percent_off),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The price typed for an audience key.
    pub fn price_of(&self, key: &str) -> &str {
        self.prices.iter().find(|(k, _, _)| k == key).map_or("", |(_, price, _)| price.as_str())
    }

    /// The early-bird price typed for an audience key.
    pub fn early_price_of(&self, key: &str) -> &str {
        self.prices.iter().find(|(k, _, _)| k == key).map_or("", |(_, _, early)| early.as_str())
    }

    /// Whether `topic` is ticked.
    pub fn has_topic(&self, topic: &&str) -> bool {
        self.topics.iter().any(|t| t == topic)
    }

    /// Whether the board `code` is ticked as approving the credit.
    pub fn approved(&self, code: &str) -> bool {
        self.approved_by.iter().any(|b| b == code)
    }
}

/// Which way a ticket scanned at the door goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passage {
    Arrival,
    Departure,
}

/// A ticket scanned at the door: its holder's roster entry as it now stands, and whether
/// the scan changed anything (not for someone already in, or leaving who was not in).
pub struct DoorScan {
    pub entry: RosterEntry,
    pub recorded: bool,
}

/// An event as one person may see it.
pub struct EventView {
    pub event: EventRecord,
    pub chapter_name: Option<String>,
    /// The viewer's registration, if they have one (cancelled ones too).
    pub registration: Option<RegistrationRecord>,
    /// Whether the viewer manages this event (edit, publish, roster).
    pub can_manage: bool,
    /// The online link, for confirmed registrants and those who manage the event.
    pub online_link: Option<String>,
    /// Why registering is not possible now, if it is not.
    pub closed_because: Option<&'static str>,
    /// The event's prices, as the page lists them: (who, price, early-bird price).
    pub prices: Vec<(String, i64, Option<i64>)>,
    /// What the signed-in viewer would pay (before any discount code), or why they cannot
    /// register.
    pub your_price: Option<Result<Quote, &'static str>>,
    /// Whether the viewer may still cancel or transfer their registration themselves.
    pub changes_open: bool,
    /// Whether the event has discount codes (the registration form then asks for one).
    pub has_discount_codes: bool,
    /// Its programme's sessions, in order (none for a single session).
    pub programme: Vec<guildhall_store::EventSession>,
}

impl App {
    /// Creates a draft event; returns its id.
    pub async fn create_event(&self, actor: &Actor, form: &EventForm, request_id: &str) -> AppResult<i64> {
        actor.require(Permission::CreateEvents)?;
        let (event, pricing) = self.event_from_form(form).await?;
        actor.require(Permission::ManageEvent(event.chapter_id))?;
        let mut audit = self.audit_entry(actor, "event.created", "event", request_id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        audit.after_json = Some(event_json(&event, &pricing).to_string());
        Ok(self.store.create_event(&event, &pricing, Some(actor.user_id), &audit, self.clock.unix()).await?)
    }

    /// Saves an event's details (any status but cancelled). Moving it to another chapter
    /// needs the right to manage both.
    pub async fn update_event(&self, actor: &Actor, id: i64, form: &EventForm, request_id: &str) -> AppResult<()> {
        let before = self.managed_event(actor, id).await?;
        if before.status == EventStatus::Cancelled {
            return Err(AppError::invalid("A cancelled event cannot be changed; copy it to make a new one."));
        }
        let (event, pricing) = self.event_from_form(form).await?;
        actor.require(Permission::ManageEvent(event.chapter_id))?;
        let mut audit = self.audit_entry(actor, "event.changed", "event", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        let before_pricing = self.store.event_parts(id).await?;
        audit.before_json = Some(event_json(&before.details(), &before_pricing).to_string());
        audit.after_json = Some(event_json(&event, &pricing).to_string());
        let offer_mail = |offer: &SeatOffer| self.seat_offer_mail(&event.title, offer);
        let now = self.clock.unix();
        self.store.update_event(id, &event, &pricing, self.offer_until(now), &offer_mail, &audit, now).await.map_err(
            |e| match e {
                StoreError::Invalid(message) if message.contains("capacity") => {
                    AppError::invalid_field("capacity", message)
                }
                StoreError::Invalid(message) => AppError::invalid_field("discount_codes", message),
                other => other.into(),
            },
        )?;
        self.forget_kept_pages();
        Ok(())
    }

    /// Opens a draft event for registration.
    pub async fn publish_event(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        let event = self.managed_event(actor, id).await?;
        if event.status != EventStatus::Draft {
            return Err(AppError::invalid("Only a draft event can be published."));
        }
        let mut audit = self.audit_entry(actor, "event.published", "event", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        self.store.publish_event(id, &audit, self.clock.unix()).await.map_err(|e| match e {
            StoreError::NotFound => AppError::Conflict {
                message: "The event changed while you were looking at it; reload the page.".into(),
                field: None,
            },
            other => other.into(),
        })?;
        self.forget_kept_pages();
        Ok(())
    }

    /// Cancels an event: every registration is cancelled and each person told by email.
    /// Returns how many were told.
    pub async fn cancel_event(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<usize> {
        let event = self.managed_event(actor, id).await?;
        if event.status == EventStatus::Cancelled {
            return Err(AppError::invalid("This event is already cancelled."));
        }
        let mut audit = self.audit_entry(actor, "event.cancelled", "event", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        let society = self.branding().await.name;
        let when = event_time(event.starts_at, &event.time_zone);
        let mail = |entry: &RosterEntry| NewMail {
            to_address: entry.email.clone(),
            subject: format!("Cancelled: {}", event.title),
            body_text: format!(
                "Hello {},\n\n{} has cancelled {}, which was to take place on {} at {} {}. Your registration is \
                 cancelled; you need do nothing.{}\n\nWe are sorry for the change of plans.\n",
                entry.name,
                society,
                event.title,
                when.date,
                when.time,
                when.zone,
                if entry.registration.invoice_paid {
                    " What you paid is refunded in full, the way you paid it."
                } else if entry.registration.invoice_id.is_some() {
                    " Its invoice is cancelled."
                } else {
                    ""
                }
            ),
            attachment: None,
        };
        let refund = RegistrationRefund {
            refund_cents: i64::MAX,
            reason: format!("Event cancelled: {}", event.title),
            refunded_on: self.clock.today(),
            recorded_by: Some(actor.user_id),
        };
        let told = self.store.cancel_event(id, event.status, &refund, &mail, &audit, self.clock.unix()).await?;
        self.forget_kept_pages();
        Ok(told)
    }

    /// An event for `viewer` (signed out: `None`). Drafts exist only for those who manage
    /// them.
    pub async fn event_for(&self, viewer: Option<&Actor>, id: i64) -> AppResult<EventView> {
        let page = self.store.event_page(id).await?.ok_or_else(no_such_event)?;
        let event = page.event;
        let can_manage = viewer.is_some_and(|a| a.allows(Permission::ManageEvent(event.chapter_id)));
        if event.status == EventStatus::Draft && !can_manage {
            return Err(no_such_event());
        }
        let registration = match viewer {
            Some(actor) => self.store.registration_of(id, actor.user_id).await?,
            None => None,
        };
        let confirmed = registration.as_ref().is_some_and(|r| r.status == RegistrationStatus::Confirmed);
        let online_link = (can_manage || confirmed).then(|| event.online_link.clone()).filter(|link| !link.is_empty());
        let chapter_name = match event.chapter_id {
            Some(id) => self.chapter_by_id(id).await?.map(|c| c.name),
            None => None,
        };
        let now = self.clock.unix();
        let closed_because =
            registration_open(event.status, event.registration_closes_at, now).err().map(|r| r.message());
        let mut prices = Vec::new();
        for price in &page.prices {
            let who = match price.audience {
                PriceAudience::NonMember => "Non-members".to_string(),
                PriceAudience::Student => "Students".to_string(),
                PriceAudience::Tier(tier) => match self.tier_by_id(tier).await? {
                    Some(t) => format!("Members, {}", t.name),
                    None => continue,
                },
            };
            prices.push((who, price.price_cents, price.early_price_cents));
        }
        let your_price = match viewer {
            Some(actor) if !page.prices.is_empty() => {
                let member = self.store.member_by_user(actor.user_id).await?;
                let buyer = self.buyer_on(member.as_ref(), &event).await?;
                Some(quote(&page.prices, &buyer, event.early_bird_until, now, None).map_err(|r| r.message()))
            }
            _ => None,
        };
        let changes_open = self_service_open(event.changes_until, event.registration_closes_at, now);
        let has_discount_codes = page.has_discount_codes;
        let programme = page.sessions;
        Ok(EventView {
            event,
            chapter_name,
            registration,
            can_manage,
            online_link,
            closed_because,
            prices,
            your_price,
            changes_open,
            has_discount_codes,
            programme,
        })
    }

    /// The event form filled in from a saved event, for those who manage it (to edit it,
    /// or to copy it into a new one).
    pub async fn event_form(&self, actor: &Actor, id: i64) -> AppResult<EventForm> {
        let event = self.managed_event(actor, id).await?;
        Ok(EventForm::of(&event, &self.store.event_parts(id).await?))
    }

    /// What the records say of a person registering for `event`, on its date: the tier of a
    /// membership current then (their own, or the household's or organisation's that pays
    /// for them, as `App::standing_of` decides), and whether they are a student. Never from
    /// anything typed.
    async fn buyer_on(&self, member: Option<&guildhall_store::MemberRecord>, event: &EventRecord) -> AppResult<Buyer> {
        let Some(member) = member else { return Ok(Buyer::default()) };
        let (standing, _) = self.standing_of(member.id, event_date(event.starts_at, &event.time_zone)).await?;
        Ok(Buyer {
            member_tier: standing.is_current_member().then_some(member.tier_id),
            student: parse_career_stage(&member.career_stage) == Some(CareerStage::Student),
        })
    }

    /// Published and cancelled events ending from now on, soonest first, for everyone.
    /// A page is kept per node for [`EVENT_PAGES_TTL`].
    pub async fn upcoming_events(&self, mut filter: EventFilter, page: PageRequest) -> AppResult<Page<EventRecord>> {
        let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_lowercase);
        let key = (filter.kind, filter.chapter_id, text, page.page, page.per_page);
        if filter.from.is_none()
            && let Some(hit) = self.event_pages.lock().ok().and_then(|pages| pages.get(&key))
        {
            return Ok(hit);
        }
        let kept = filter.from.is_none();
        filter.statuses = vec![EventStatus::Published, EventStatus::Cancelled];
        filter.from = Some(filter.from.unwrap_or_else(|| self.clock.unix()));
        filter.managed_by = None;
        let found = self.store.list_events(&filter, page).await?;
        if kept && let Ok(mut pages) = self.event_pages.lock() {
            pages.put(key, found.clone());
        }
        Ok(found)
    }

    /// Every event the actor manages, drafts included, soonest first.
    pub async fn managed_events(&self, actor: &Actor, page: PageRequest) -> AppResult<Page<EventRecord>> {
        actor.require(Permission::CreateEvents)?;
        let filter = EventFilter {
            managed_by: (!actor.is_staff()).then(|| (actor.officer_of.clone(), false)),
            ..Default::default()
        };
        Ok(self.store.list_events(&filter, page).await?)
    }

    /// Registers the signed-in person: a seat if one is free, else a place on the waitlist.
    /// A person already registered gets their registration back.
    pub async fn register_for_event(&self, actor: &Actor, event_id: i64) -> AppResult<RegistrationRecord> {
        self.register_for_event_as(actor, event_id, None, None).await
    }

    /// Registers the signed-in person, or (`member_id`, for those who manage the event)
    /// a member with an account, at the price the records give them on the event's date,
    /// less a discount code's share. A paid registration that takes a seat raises an
    /// invoice, paid the way membership invoices are.
    pub async fn register_for_event_as(
        &self,
        actor: &Actor,
        event_id: i64,
        member_id: Option<i64>,
        code: Option<&str>,
    ) -> AppResult<RegistrationRecord> {
        self.register(actor, event_id, member_id.map(Registrant::Member), code).await
    }

    /// Registers someone with an account, found by email (those who manage the event, from
    /// the roster): members and non-members alike, at the price their records give them.
    pub async fn register_by_email(&self, actor: &Actor, event_id: i64, email: &str) -> AppResult<RegistrationRecord> {
        let email = guildhall_domain::identity::Email::parse(email)
            .map_err(|invalid| AppError::invalid_field("email", invalid.to_string()))?;
        self.register(actor, event_id, Some(Registrant::Email(email.as_str().to_string())), None).await
    }

    async fn register(
        &self,
        actor: &Actor,
        event_id: i64,
        someone: Option<Registrant>,
        code: Option<&str>,
    ) -> AppResult<RegistrationRecord> {
        actor.require(Permission::OwnAccount)?;
        let event = self.store.event_by_id(event_id).await?.ok_or_else(no_such_event)?;
        let manages = actor.allows(Permission::ManageEvent(event.chapter_id));
        if event.status == EventStatus::Draft && !manages {
            return Err(no_such_event());
        }
        let now = self.clock.unix();
        if let Err(refusal) = registration_open(event.status, event.registration_closes_at, now) {
            return Err(AppError::invalid(refusal.message()));
        }
        let (user_id, member, email, name) = match someone {
            None => {
                let member = self.store.member_by_user(actor.user_id).await?;
                (actor.user_id, member, actor.email.clone(), actor.display_name.clone())
            }
            Some(Registrant::Email(email)) => {
                actor.require(Permission::ManageEvent(event.chapter_id))?;
                let user = self.store.user_by_email(&email).await?.ok_or_else(|| {
                    AppError::invalid_field(
                        "email",
                        "No account has that email: ask them to create one (membership is not needed), then \
                         register them.",
                    )
                })?;
                let member = self.store.member_by_user(user.id).await?;
                (user.id, member, user.email, user.display_name)
            }
            Some(Registrant::Member(member_id)) => {
                actor.require(Permission::ManageEvent(event.chapter_id))?;
                let member = self
                    .store
                    .member_by_id(member_id)
                    .await?
                    .ok_or_else(|| AppError::invalid_field("member_id", "No member has that id."))?;
                let user_id = member.user_id.ok_or_else(|| {
                    AppError::invalid_field(
                        "member_id",
                        "This member has no account yet: invite them to set one up, then register them.",
                    )
                })?;
                let (email, name) = (member.email.clone(), format!("{} {}", member.first_name, member.last_name));
                (user_id, Some(member), email, name)
            }
        };
        let price = self.registration_price(&event, member.as_ref(), code, now).await?;
        let member_id = member.map(|m| m.id);
        let invoice = self.event_invoice(&event, member_id, user_id);
        let society = self.branding().await.name;
        let mail = |r: &RegistrationRecord| self.registration_mail(&society, &event, &email, &name, r);
        let ticket = random_code()?;
        match self.store.register_for_event(event_id, user_id, member_id, &price, &invoice, &ticket, &mail, now).await?
        {
            Registered::New(r) => {
                self.forget_kept_pages();
                Ok(r)
            }
            Registered::Already(r) => Ok(r),
            Registered::Closed => Err(AppError::invalid("Registration for this event has closed.")),
            Registered::DiscountUsedUp => {
                Err(AppError::invalid_field("discount_code", "This discount code has been used up."))
            }
        }
    }

    /// What a registration will cost: the quote for the person's records on the event's
    /// date, less the discount code's share (an unknown code is refused, not ignored).
    async fn registration_price(
        &self,
        event: &EventRecord,
        member: Option<&guildhall_store::MemberRecord>,
        code: Option<&str>,
        now: i64,
    ) -> AppResult<RegistrationPrice> {
        let prices = self.store.event_prices(event.id).await?;
        let discount = match code.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(typed) => {
                let wanted = discount_code(typed).map_err(|m| AppError::invalid_field("discount_code", m))?;
                let codes = self.store.discount_codes(event.id).await?;
                let found = codes.into_iter().find(|c| c.code == wanted).ok_or_else(|| {
                    AppError::invalid_field("discount_code", "This discount code is not one of this event's.")
                })?;
                Some(found)
            }
        };
        let buyer = self.buyer_on(member, event).await?;
        let percent = discount.as_ref().map(|d| u8::try_from(d.percent_off).unwrap_or(100));
        let quoted =
            quote(&prices, &buyer, event.early_bird_until, now, percent).map_err(|r| AppError::invalid(r.message()))?;
        Ok(RegistrationPrice {
            cents: quoted.cents,
            basis: quoted.basis,
            discount_code_id: discount.filter(|_| quoted.discount_cents > 0).map(|d| d.id),
        })
    }

    /// The invoice a paid registration for `event` raises: owed by the member's record, or
    /// by the account of a non-member; due when the event starts.
    fn event_invoice(&self, event: &EventRecord, member_id: Option<i64>, user_id: i64) -> EventInvoice {
        let when = event_time(event.starts_at, &event.time_zone);
        let today = self.clock.today();
        EventInvoice {
            member_id,
            user_id,
            description: format!("Registration: {} ({})", event.title, when.date),
            issued_on: today,
            due_on: event_date(event.starts_at, &event.time_zone).max(today),
        }
    }

    /// Cancels a registration: one's own, or any of an event one manages. A seat it held is
    /// offered to the next person in line at once.
    pub async fn cancel_registration(&self, actor: &Actor, registration_id: i64, request_id: &str) -> AppResult<()> {
        let (registration, event) = self.registration_and_event(actor, registration_id).await?;
        if registration.status == RegistrationStatus::Cancelled {
            return Ok(());
        }
        let own = registration.user_id == actor.user_id;
        let manages = actor.allows(Permission::ManageEvent(event.chapter_id));
        let now = self.clock.unix();
        if own && !manages && !self_service_open(event.changes_until, event.registration_closes_at, now) {
            return Err(AppError::invalid(
                "The deadline for cancelling has passed: ask the organisers if you cannot come.",
            ));
        }
        let refund = registration.invoice_paid.then(|| RegistrationRefund {
            refund_cents: refund_due(
                registration.price_cents,
                u8::try_from(event.refund_percent).unwrap_or(100),
                false,
            ),
            reason: format!("Registration cancelled: {}", event.title),
            refunded_on: self.clock.today(),
            recorded_by: Some(actor.user_id),
        });
        let audit = (!own).then(|| {
            let mut audit = self.audit_entry(actor, "event.registration_cancelled", "event", request_id);
            audit.subject_id = Some(event.id);
            audit.subject_label = event.title.clone();
            audit.chapter_id = event.chapter_id;
            audit.before_json =
                Some(json!({ "registration": registration.id, "status": registration.status }).to_string());
            audit
        });
        let money = match &refund {
            Some(r) if r.refund_cents > 0 => format!(
                " {} of what you paid is refunded, the way you paid it.",
                crate::membership::format_money(r.refund_cents)
            ),
            Some(_) => " Under the event's refund rule, nothing of what you paid is refunded.".into(),
            None if registration.invoice_id.is_some() => " Its invoice is cancelled.".into(),
            None => String::new(),
        };
        let mail = own.then(|| NewMail {
            to_address: actor.email.clone(),
            subject: format!("Registration cancelled: {}", event.title),
            body_text: format!(
                "Hello {},\n\nYour registration for {} is cancelled.{money} If you change your mind, register again \
                 at {} (while seats or the waitlist are open).\n",
                actor.display_name,
                event.title,
                self.link(&format!("/events/{}", event.id))
            ),
            attachment: None,
        });
        let offer_mail = |offer: &SeatOffer| self.seat_offer_mail(&event.title, offer);
        self.store
            .cancel_registration(
                &registration,
                refund.as_ref(),
                mail,
                self.offer_until(now),
                &offer_mail,
                audit.as_ref(),
                now,
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::Conflict {
                    message: "The registration changed while you were looking at it; reload the page.".into(),
                    field: None,
                },
                other => other.into(),
            })?;
        self.forget_kept_pages();
        Ok(())
    }

    /// Transfers a confirmed registration to a colleague with an account (their email): the
    /// registrant before the event's deadline for changes, or those who manage the event.
    /// The seat and its price move; whoever paid keeps the invoice and receipt.
    pub async fn transfer_registration(
        &self,
        actor: &Actor,
        registration_id: i64,
        colleague_email: &str,
        request_id: &str,
    ) -> AppResult<()> {
        let (registration, event) = self.registration_and_event(actor, registration_id).await?;
        let manages = actor.allows(Permission::ManageEvent(event.chapter_id));
        let now = self.clock.unix();
        if registration.status != RegistrationStatus::Confirmed {
            return Err(AppError::invalid("Only a confirmed registration can be transferred."));
        }
        if !manages && !self_service_open(event.changes_until, event.registration_closes_at, now) {
            return Err(AppError::invalid(
                "The deadline for transferring has passed: ask the organisers if a colleague should come instead.",
            ));
        }
        let email = guildhall_domain::identity::Email::parse(colleague_email)
            .map_err(|invalid| AppError::invalid_field("email", invalid.to_string()))?;
        let colleague = self.store.user_by_email(email.as_str()).await?.ok_or_else(|| {
            AppError::invalid_field(
                "email",
                "No account has that email. Ask your colleague to create one (it is free, membership is not \
                 needed), then transfer the registration.",
            )
        })?;
        if colleague.id == registration.user_id {
            return Err(AppError::invalid_field("email", "That is the registrant's own email."));
        }
        let member = self.store.member_by_user(colleague.id).await?.map(|m| m.id);
        let from = self.store.user_by_id(registration.user_id).await?.ok_or_else(no_such_event)?;
        let when = event_time(event.starts_at, &event.time_zone);
        let link = self.link(&format!("/events/{}", event.id));
        let mails = [
            NewMail {
                to_address: colleague.email.clone(),
                subject: format!("A registration was passed to you: {}", event.title),
                body_text: format!(
                    "Hello {},\n\n{} has passed their seat at {} to you. It takes place on {} at {} {}.\n\nThe event's \
                     page, where you can also cancel: {link}\n",
                    colleague.display_name, from.display_name, event.title, when.date, when.time, when.zone
                ),
                attachment: Some(self.calendar_attachment(&event)),
            },
            NewMail {
                to_address: from.email.clone(),
                subject: format!("Registration transferred: {}", event.title),
                body_text: format!(
                    "Hello {},\n\nYour seat at {} now belongs to {}. Any invoice or receipt for it stays yours.\n",
                    from.display_name, event.title, colleague.display_name
                ),
                attachment: None,
            },
        ];
        let audit = (registration.user_id != actor.user_id).then(|| {
            let mut audit = self.audit_entry(actor, "event.registration_transferred", "event", request_id);
            audit.subject_id = Some(event.id);
            audit.subject_label = event.title.clone();
            audit.chapter_id = event.chapter_id;
            audit.before_json =
                Some(json!({ "registration": registration.id, "account": registration.user_id }).to_string());
            audit.after_json = Some(json!({ "registration": registration.id, "account": colleague.id }).to_string());
            audit
        });
        self.store
            .transfer_registration(&registration, colleague.id, member, &random_code()?, &mails, audit.as_ref(), now)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => {
                    AppError::invalid_field("email", "Your colleague is registered for this event already.")
                }
                StoreError::NotFound => AppError::Conflict {
                    message: "The registration changed while you were looking at it; reload the page.".into(),
                    field: None,
                },
                other => other.into(),
            })
    }

    /// Staff record a cheque, transfer or cash payment of a registration's open invoice (a
    /// non-member's has no member page to record it on).
    pub async fn record_registration_payment(
        &self,
        actor: &Actor,
        registration_id: i64,
        method: &str,
        reference: &str,
        request_id: &str,
    ) -> AppResult<()> {
        let (registration, event) = self.registration_and_event(actor, registration_id).await?;
        actor.require(Permission::StaffArea)?;
        let invoice_id = registration
            .invoice_id
            .ok_or_else(|| AppError::invalid("This registration has no invoice: it is free, or holds no seat yet."))?;
        let person = self.store.user_by_id(registration.user_id).await?.ok_or_else(no_such_event)?;
        let mut audit = self.audit_entry(actor, "event.registration_paid_offline", "event", request_id);
        audit.subject_id = Some(event.id);
        audit.subject_label = format!("{}: {}", event.title, person.display_name);
        audit.chapter_id = event.chapter_id;
        audit.before_json = Some(
            json!({ "registration": registration.id, "invoice": invoice_id, "paid": registration.invoice_paid })
                .to_string(),
        );
        self.settle_offline(actor, invoice_id, method, reference, audit).await?;
        self.forget_kept_pages();
        Ok(())
    }

    /// Confirms someone on the waitlist (or offered a seat) at once, adding a seat for them:
    /// those who manage the event, who know the room. A paid registration raises its
    /// invoice; the person is told by email.
    pub async fn confirm_from_waitlist(&self, actor: &Actor, registration_id: i64, request_id: &str) -> AppResult<()> {
        let (registration, event) = self.registration_and_event(actor, registration_id).await?;
        actor.require(Permission::ManageEvent(event.chapter_id))?;
        if !matches!(registration.status, RegistrationStatus::Waitlisted | RegistrationStatus::Offered) {
            return Err(AppError::invalid("Only someone on the waitlist or offered a seat can be confirmed this way."));
        }
        let person = self.store.user_by_id(registration.user_id).await?.ok_or_else(no_such_event)?;
        let mut audit = self.audit_entry(actor, "event.waitlist_confirmed", "event", request_id);
        audit.subject_id = Some(event.id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        audit.before_json = Some(json!({ "registration": registration.id, "status": registration.status }).to_string());
        audit.after_json = Some(json!({ "registration": registration.id, "status": "confirmed" }).to_string());
        let mail = NewMail {
            to_address: person.email.clone(),
            subject: format!("You are registered: {}", event.title),
            body_text: format!(
                "Hello {},\n\nA seat at {} has been made for you: you are off the waitlist and registered.\n\n\
                 The event's page: {}\n",
                person.display_name,
                event.title,
                self.link(&format!("/events/{}", event.id))
            ),
            attachment: Some(self.calendar_attachment(&event)),
        };
        let invoice = self.event_invoice(&event, registration.member_id, registration.user_id);
        if !self.store.confirm_from_waitlist(&registration, &invoice, &mail, &audit, self.clock.unix()).await? {
            return Err(AppError::Conflict {
                message: "The registration changed while you were looking at it; reload the page.".into(),
                field: None,
            });
        }
        self.forget_kept_pages();
        Ok(())
    }

    /// Takes up a seat offered to the signed-in person, while the offer stands.
    pub async fn accept_seat_offer(&self, actor: &Actor, registration_id: i64) -> AppResult<()> {
        let (registration, event) = self.registration_and_event(actor, registration_id).await?;
        if registration.user_id != actor.user_id {
            return Err(AppError::Forbidden("Only the person offered a seat can take it up.".into()));
        }
        let invoice = self.event_invoice(&event, registration.member_id, registration.user_id);
        if !self.store.accept_seat_offer(registration_id, actor.user_id, &invoice, self.clock.unix()).await? {
            return Err(AppError::invalid("This offer has ended: the seat has passed to the next person in line."));
        }
        Ok(())
    }

    /// An event's registrations, for those who manage it.
    pub async fn event_roster(&self, actor: &Actor, event_id: i64) -> AppResult<(EventRecord, Vec<RosterEntry>)> {
        let event = self.managed_event(actor, event_id).await?;
        Ok((event, self.store.event_roster(event_id).await?))
    }

    /// A registration, for its own person or those who manage its event.
    pub async fn registration_for(&self, actor: &Actor, registration_id: i64) -> AppResult<RegistrationRecord> {
        Ok(self.registration_and_event(actor, registration_id).await?.0)
    }

    /// An event's roster as CSV, for those who manage it: name, email, member number,
    /// status, place in line, when they registered (UTC).
    pub async fn event_roster_csv(&self, actor: &Actor, event_id: i64) -> AppResult<Vec<u8>> {
        let (_, roster) = self.event_roster(actor, event_id).await?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let internal = |e: csv::Error| AppError::Internal(format!("event roster CSV: {e}"));
        out.write_record(["name", "email", "member_number", "status", "waitlist_position", "registered_at"])
            .map_err(internal)?;
        for entry in &roster {
            let r = &entry.registration;
            let registered = event_time(r.registered_at, "UTC");
            out.write_record([
                entry.name.as_str(),
                entry.email.as_str(),
                entry.member_number.as_deref().unwrap_or(""),
                r.status.code(),
                &r.position.map(|p| p.to_string()).unwrap_or_default(),
                &registered.rfc3339,
            ])
            .map_err(internal)?;
        }
        out.into_inner().map_err(|e| AppError::Internal(format!("event roster CSV: {e}")))
    }

    /// The events report, for staff (every event) and officers (their chapters' events):
    /// each event of the last year and the coming ones, newest first, and the totals per
    /// organiser.
    pub async fn events_report(&self, actor: &Actor) -> AppResult<EventsReport> {
        actor.require(Permission::CreateEvents)?;
        let scope = (!actor.is_staff()).then_some(actor.officer_of.as_slice());
        let from = self.clock.unix() - REPORT_DAYS * 86_400;
        let events = self.store.event_figures(from, scope, REPORT_EVENTS).await?;
        let mut by_organiser: Vec<OrganiserFigures> = Vec::new();
        for e in &events {
            let name = match e.chapter_id {
                Some(id) => self.chapter_by_id(id).await?.map_or_else(|| "A former chapter".into(), |c| c.name),
                None => self.branding().await.name,
            };
            let at = match by_organiser.iter().position(|o| o.name == name) {
                Some(at) => at,
                None => {
                    by_organiser.push(OrganiserFigures { name, ..Default::default() });
                    by_organiser.len() - 1
                }
            };
            let o = &mut by_organiser[at];
            o.events += 1;
            o.confirmed += e.confirmed;
            if e.starts_at <= self.clock.unix() {
                o.held_confirmed += e.confirmed;
                o.attended += e.attended;
            }
            o.revenue_cents += e.revenue_cents;
            o.pdh_issued_micro += e.pdh_issued_micro;
        }
        by_organiser.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.name.cmp(&b.name)));
        Ok(EventsReport { events, by_organiser })
    }

    /// The signed-in person's certificates of attendance: (code, event title, when).
    pub async fn my_certificates(&self, actor: &Actor) -> AppResult<Vec<(String, String, i64, String)>> {
        actor.require(Permission::OwnAccount)?;
        Ok(self.store.certificates_of_user(actor.user_id).await?)
    }

    /// The signed-in person's registrations for events not yet over.
    pub async fn my_registrations(&self, actor: &Actor) -> AppResult<Vec<MyRegistration>> {
        actor.require(Permission::OwnAccount)?;
        Ok(self.store.registrations_of_user(actor.user_id, self.clock.unix()).await?)
    }

    /// Ends every seat offer whose hold has run out and passes each seat on (the job).
    /// Returns how many offers ended.
    pub async fn expire_seat_offers(&self) -> AppResult<usize> {
        let now = self.clock.unix();
        let mut ended = 0;
        for registration in self.store.expired_seat_offers(now).await? {
            let Some(event) = self.store.event_by_id(registration.event_id).await? else { continue };
            let offer_mail = |offer: &SeatOffer| self.seat_offer_mail(&event.title, offer);
            match self
                .store
                .cancel_registration(&registration, None, None, self.offer_until(now), &offer_mail, None, now)
                .await
            {
                Ok(_) => ended += 1,
                // Taken up or cancelled meanwhile.
                Err(StoreError::NotFound) => {}
                Err(err) => return Err(err.into()),
            }
        }
        if ended > 0 {
            self.forget_kept_pages();
        }
        Ok(ended)
    }

    /// Checks a confirmed registrant in at the door (those who manage the event).
    pub async fn check_in(&self, actor: &Actor, registration_id: i64, request_id: &str) -> AppResult<()> {
        let (registration, event) = self.registration_and_event(actor, registration_id).await?;
        actor.require(Permission::ManageEvent(event.chapter_id))?;
        if registration.status != RegistrationStatus::Confirmed {
            return Err(AppError::invalid("Only a confirmed registration can be checked in."));
        }
        // An arrival at the door, as a scanned ticket's is (someone who left comes back in).
        if self.pass_door(actor, &event, &registration, Passage::Arrival, request_id).await?.is_none() {
            return Err(AppError::Conflict {
                message: "The registration changed while you were looking at it; reload the page.".into(),
                field: None,
            });
        }
        Ok(())
    }

    /// A registrant passing the door, however it was recorded (a scanned ticket, the roster):
    /// the span is opened or closed, and once they have left at least once their minutes
    /// decide their credit. Returns whether anything changed; `None` if the registration is
    /// not confirmed.
    async fn pass_door(
        &self,
        actor: &Actor,
        event: &EventRecord,
        registration: &RegistrationRecord,
        passage: Passage,
        request_id: &str,
    ) -> AppResult<Option<bool>> {
        let Some((recorded, spans)) =
            self.store.scan_attendance(registration.id, passage == Passage::Arrival, self.clock.unix()).await?
        else {
            return Ok(None);
        };
        if spans.iter().any(|(_, left)| left.is_some()) && registration.certificate_code.is_none() {
            self.record_door_attendance(actor, event, registration.id, &spans, request_id).await?;
        }
        Ok(Some(recorded))
    }

    /// A ticket scanned at `event_id`'s door (the code, or the ticket's whole address as its
    /// QR code carries it): an arrival checks its holder in, a departure checks them out.
    /// Those who manage the event; a ticket for another event is refused with its title.
    /// Once someone has left, the minutes they were in decide their credit, per session of a
    /// programme, as a webinar report's do.
    pub async fn scan_ticket(
        &self,
        actor: &Actor,
        event_id: i64,
        scanned: &str,
        passage: Passage,
        request_id: &str,
    ) -> AppResult<DoorScan> {
        let event = self.managed_event(actor, event_id).await?;
        let code = scanned.trim().trim_end_matches('/').rsplit('/').next().unwrap_or_default();
        let code = code.split(['?', '#']).next().unwrap_or_default();
        let not_a_ticket = || AppError::invalid_field("ticket", "That is not one of this society's tickets.");
        if !is_code(code) {
            return Err(not_a_ticket());
        }
        let entry = self.store.registration_by_ticket(code).await?.ok_or_else(not_a_ticket)?;
        if entry.registration.event_id != event.id {
            let other = self.store.event_by_id(entry.registration.event_id).await?.map(|e| e.title).unwrap_or_default();
            return Err(AppError::invalid_field("ticket", format!("This ticket is for another event: {other}.")));
        }
        let not_confirmed = || AppError::invalid("Only a confirmed registration can be checked in or out.");
        let recorded =
            self.pass_door(actor, &event, &entry.registration, passage, request_id).await?.ok_or_else(not_confirmed)?;
        let entry = self.store.registration_by_ticket(code).await?.ok_or_else(not_a_ticket)?;
        Ok(DoorScan { entry, recorded })
    }

    /// A registrant's minutes and credit from their spans at the door (one still open lasts
    /// until the event ends), per session of a programme, recorded as a report's are.
    async fn record_door_attendance(
        &self,
        actor: &Actor,
        event: &EventRecord,
        registration_id: i64,
        spans: &[(i64, Option<i64>)],
        request_id: &str,
    ) -> AppResult<()> {
        let (programme, windows, rule) = self.credit_windows(event).await?;
        let spans: Vec<Span> = spans
            .iter()
            .map(|&(joined_at, left_at)| Span { joined_at, left_at: left_at.unwrap_or(event.ends_at).max(joined_at) })
            .collect();
        let per_session = credit(&spans, &windows, &rule);
        let record = AttendanceRecord {
            registration_id,
            minutes: windows.iter().map(|w| minutes_in(&spans, w)).sum(),
            credit_micro: per_session.iter().map(|c| c.pdh_micro).sum(),
            sessions: programme.iter().zip(&per_session).map(|(s, c)| (s.id, c.minutes, c.pdh_micro)).collect(),
        };
        let mut audit = self.audit_entry(actor, "event.attendance_scanned", "event", request_id);
        audit.subject_id = Some(event.id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        audit.after_json = Some(
            json!({ "registration": registration_id, "minutes": record.minutes, "credit_micro": record.credit_micro })
                .to_string(),
        );
        self.store.record_attendance(event.id, &[record], &audit, self.clock.unix()).await?;
        Ok(())
    }

    /// What attendance is measured against: the programme's sessions (none for a single
    /// session), each session's window (or the event's), and the event's partial-credit rule.
    async fn credit_windows(
        &self,
        event: &EventRecord,
    ) -> AppResult<(Vec<guildhall_store::EventSession>, Vec<SessionWindow>, PartialCreditRule)> {
        let rule = PartialCreditRule::new(u32::try_from(event.minutes_per_pdh).unwrap_or(50), CREDIT_STEP_MICRO)
            .map_err(|e| AppError::Internal(format!("the event's credit rule: {e}")))?;
        // A multi-session programme earns per session (sessions missed earn nothing); else the
        // event is one session.
        let programme = self.store.event_sessions(event.id).await?;
        let windows: Vec<SessionWindow> = if programme.is_empty() {
            vec![SessionWindow { starts_at: event.starts_at, ends_at: event.ends_at, pdh_micro: event.pdh_micro }]
        } else {
            programme
                .iter()
                .map(|s| SessionWindow { starts_at: s.starts_at, ends_at: s.ends_at, pdh_micro: s.pdh_micro })
                .collect()
        };
        Ok((programme, windows, rule))
    }

    /// Releases the event's PDH into the ledger of every member checked in: one activity
    /// each (source `event`, so the same credit never arrives twice, however often this
    /// runs), and a certificate of attendance for every attendee. Those who manage the
    /// event, once it is over.
    pub async fn release_credit(&self, actor: &Actor, event_id: i64, request_id: &str) -> AppResult<CreditRelease> {
        let event = self.managed_event(actor, event_id).await?;
        let now = self.clock.unix();
        if event.status != EventStatus::Published {
            return Err(AppError::invalid("Credit is released only for a published event that took place."));
        }
        if now < event.ends_at {
            return Err(AppError::invalid("Credit can be released once the event is over."));
        }
        if event.pdh_micro == 0 {
            return Err(AppError::invalid("This event carries no PDH: give it its PDH and topics first."));
        }
        let mut audit = self.audit_entry(actor, "event.credit_released", "event", request_id);
        audit.subject_id = Some(event_id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        let attendees = self.store.release_event_credit(event_id, &audit, now).await?;
        let (programme, attended) =
            tokio::try_join!(self.store.event_sessions(event_id), self.store.session_attendance(event_id))?;
        let starts = event_date(event.starts_at, &event.time_zone);
        let ends = event_date(event.ends_at, &event.time_zone);
        let organisation = self.branding().await.name;
        let mut release = CreditRelease::default();
        let mut courses = Vec::new();
        for attendee in &attendees {
            // An attendance report may have given less than the event's PDH, or none.
            let earned = attendee.registration.credit_micro.unwrap_or(event.pdh_micro);
            if earned == 0 {
                release.without_credit += 1;
                continue;
            }
            let code = match &attendee.registration.certificate_code {
                Some(code) => code.clone(),
                None => self.store.set_certificate_code(attendee.registration.id, &random_code()?).await?,
            };
            release.certificates += 1;
            let Some(member_id) = attendee.registration.member_id else {
                release.guests += 1;
                continue;
            };
            let activity =
                |title: String, tags: String, from: time::Date, to: time::Date, micro: i64, reference: String| {
                    NewCeActivity {
                        member_id,
                        title,
                        kind: ce_kind(event.kind).into(),
                        tags,
                        occurred_on: Some(from),
                        starts_on: (to > from).then_some(from),
                        ends_on: (to > from).then_some(to),
                        sessions: Vec::new(),
                        quantity_micro: micro,
                        unit: "hour".into(),
                        provider: event.provider.clone(),
                        provider_approvals: event.approved_by.clone(),
                        organisation: organisation.clone(),
                        attributes: String::new(),
                        source: "event".into(),
                        source_ref: Some(reference),
                        recorded_by: None,
                    }
                };
            // One activity for the event, or one per session of a programme attended: as an
            // attendance report measured it, else (checked in at the door) in full.
            let mut activities = Vec::new();
            if programme.is_empty() {
                activities.push(activity(
                    event.title.clone(),
                    event.topics.clone(),
                    starts,
                    ends,
                    earned,
                    format!("certificate:{code}"),
                ));
            } else {
                let reported: Vec<&guildhall_store::SessionAttendance> =
                    attended.iter().filter(|a| a.registration_id == attendee.registration.id).collect();
                for session in &programme {
                    let micro = if reported.is_empty() {
                        session.pdh_micro
                    } else {
                        reported.iter().find(|a| a.session_id == session.id).map_or(0, |a| a.credit_micro)
                    };
                    if micro == 0 {
                        continue;
                    }
                    let day = event_date(session.starts_at, &event.time_zone);
                    let mut credit = activity(
                        format!("{}: {}", event.title, session.title),
                        session.topics.clone(),
                        day,
                        day,
                        micro,
                        format!("certificate:{code}:session:{}", session.id),
                    );
                    // A session approved apart carries its own boards' approval.
                    if !session.approved_by.is_empty() {
                        credit.provider_approvals = session.approved_by.clone();
                    }
                    activities.push(credit);
                }
            }
            let mut new = false;
            for a in activities {
                new |= matches!(self.receive_ce_activity(a).await?, Recorded::New(_));
            }
            courses.push(crate::credentials::CourseCredential {
                member_id,
                registration_id: attendee.registration.id,
                event_id,
                title: event.title.clone(),
                description: event.description.clone(),
                pdh_available: event.pdh_micro as f64 / 1e6,
                pdh_earned: earned as f64 / 1e6,
                topics: event.topics.split_whitespace().map(str::to_string).collect(),
                provider: event.provider.clone(),
                approvals: approvals_in_words(&event.approved_by),
                starts_at: time::OffsetDateTime::from_unix_timestamp(event.starts_at)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
                ends_at: time::OffsetDateTime::from_unix_timestamp(event.ends_at)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
                certificate_code: code.clone(),
            });
            // Released before: the ledger has it already.
            if new {
                release.credited += 1;
            } else {
                release.already += 1;
            }
        }
        // Each member's attendance, as a verifiable credential (once: a second release
        // finds them issued).
        self.issue_course_credentials(actor, courses, request_id).await?;
        Ok(release)
    }

    /// Records a webinar's attendance report (Zoom's or Teams' export, or another layout
    /// with a column `mapping`): each confirmed registrant found by email is checked in with
    /// the minutes attended and the credit those earn under the event's rule (so many
    /// minutes for each PDH, in quarter PDH, never above the event's). Those who manage the
    /// event, once it has started. Rows that match no confirmed registration and rows the
    /// file could not read are listed in the report, not dropped.
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        event_id: i64,
        file: &[u8],
        mapping: Option<&str>,
        request_id: &str,
    ) -> AppResult<AttendanceReport> {
        let event = self.managed_event(actor, event_id).await?;
        if event.status != EventStatus::Published {
            return Err(AppError::invalid("Attendance is recorded for a published event that took place."));
        }
        if self.clock.unix() < event.starts_at {
            return Err(AppError::invalid("Attendance can be recorded once the event has started."));
        }
        if file.is_empty() {
            return Err(AppError::invalid_field("file", "Choose the attendance report to upload."));
        }
        if file.len() > MAX_ATTENDANCE_FILE {
            return Err(AppError::invalid_field("file", "The file is larger than 8 MB: is it an attendance report?"));
        }
        let columns = match mapping.map(str::trim).filter(|m| !m.is_empty()) {
            Some(text) => Some(AttendanceColumns::from_toml(text).map_err(|m| AppError::invalid_field("mapping", m))?),
            None => None,
        };
        let parsed = parse_attendance(file, &event.time_zone, columns.as_ref())
            .map_err(|e| AppError::invalid_field("file", e.to_string()))?;
        let (programme, windows, rule) = self.credit_windows(&event).await?;
        // Each person's joins, by email, in the order the file first names them.
        let mut people: Vec<(String, String, Vec<Span>)> = Vec::new();
        for row in parsed.rows {
            match people.iter_mut().find(|(email, _, _)| *email == row.email && !row.email.is_empty()) {
                Some((_, _, spans)) => spans.push(row.span),
                None => people.push((row.email, row.name, vec![row.span])),
            }
        }
        let roster = self.store.event_roster(event_id).await?;
        let mut report = AttendanceReport {
            problems: parsed.problems.iter().map(ToString::to_string).collect(),
            ..Default::default()
        };
        let mut records = Vec::new();
        for (email, name, spans) in people {
            let per_session = credit(&spans, &windows, &rule);
            let minutes = windows.iter().map(|w| minutes_in(&spans, w)).sum();
            let earned = per_session.iter().map(|c| c.pdh_micro).sum();
            let registrant = roster.iter().find(|r| {
                r.registration.status == RegistrationStatus::Confirmed
                    && !email.is_empty()
                    && r.email.eq_ignore_ascii_case(&email)
            });
            match registrant {
                Some(r) if r.registration.certificate_code.is_some() => {
                    report.already_released.push(Attendee {
                        name: r.name.clone(),
                        email,
                        minutes,
                        credit_micro: earned,
                    });
                }
                Some(r) => {
                    records.push(AttendanceRecord {
                        registration_id: r.registration.id,
                        minutes,
                        credit_micro: earned,
                        sessions: programme
                            .iter()
                            .zip(&per_session)
                            .map(|(s, c)| (s.id, c.minutes, c.pdh_micro))
                            .collect(),
                    });
                    report.matched.push(Attendee { name: r.name.clone(), email, minutes, credit_micro: earned });
                }
                None => report.unmatched.push(Attendee { name, email, minutes, credit_micro: earned }),
            }
        }
        let mut audit = self.audit_entry(actor, "event.attendance_recorded", "event", request_id);
        audit.subject_id = Some(event_id);
        audit.subject_label = event.title.clone();
        audit.chapter_id = event.chapter_id;
        audit.after_json = Some(
            json!({
                "matched": report.matched.len(),
                "unmatched": report.unmatched.len(),
                "unreadable_rows": report.problems.len(),
            })
            .to_string(),
        );
        report.recorded = self.store.record_attendance(event_id, &records, &audit, self.clock.unix()).await?;
        self.forget_kept_pages();
        Ok(report)
    }

    /// A ticket, by its code: for its holder (to show at the door) and those who manage the
    /// event (who scan it to check the holder in); anyone else is told there is no such ticket.
    pub async fn ticket(&self, viewer: &Actor, code: &str) -> AppResult<Ticket> {
        let not_found = || AppError::NotFound("No ticket has that code.".into());
        if !is_code(code) {
            return Err(not_found());
        }
        let entry = self.store.registration_by_ticket(code).await?.ok_or_else(not_found)?;
        let event = self.store.event_by_id(entry.registration.event_id).await?.ok_or_else(not_found)?;
        let manages = viewer.allows(Permission::ManageEvent(event.chapter_id));
        if entry.registration.user_id != viewer.user_id && !manages {
            return Err(not_found());
        }
        let link = self.link(&format!("/tickets/{code}"));
        let qr = qrcode::QrCode::new(link.as_bytes())
            .map_err(|e| AppError::Internal(format!("ticket QR code: {e}")))?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(240, 240)
            .build();
        // Inline in a page: the markup from `<svg` on (no XML declaration).
        let qr_svg = qr.find("<svg").map_or(qr.clone(), |at| qr[at..].to_string());
        Ok(Ticket { entry, event, manages, qr_svg })
    }

    /// The licences on the attendee's record, each with whether their certificate shows it:
    /// (licence id, in words, shown). Only for the attendee.
    pub async fn certificate_licence_choices(&self, actor: &Actor, code: &str) -> AppResult<Vec<(i64, String, bool)>> {
        let record = self.certificate(code).await?;
        if record.user_id != actor.user_id {
            return Err(AppError::NotFound("No certificate has that code.".into()));
        }
        let Some(member_id) = record.member_id else { return Ok(Vec::new()) };
        let chosen: Vec<&str> = record.certificate_licences.split_whitespace().collect();
        Ok(self
            .licences_of_member(member_id)
            .await?
            .iter()
            .map(|l| (l.id, licence_words(l), chosen.contains(&l.id.to_string().as_str())))
            .collect())
    }

    /// Sets which of their licences the attendee's certificate shows (ids from their record).
    pub async fn choose_certificate_licences(&self, actor: &Actor, code: &str, ids: &[i64]) -> AppResult<()> {
        let choices = self.certificate_licence_choices(actor, code).await?;
        if ids.iter().any(|id| !choices.iter().any(|(known, _, _)| known == id)) {
            return Err(AppError::invalid_field("licences", "Choose licences from your record."));
        }
        let record = self.certificate(code).await?;
        let text = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
        if !self.store.set_certificate_licences(record.registration_id, actor.user_id, &text).await? {
            return Err(AppError::NotFound("No certificate has that code.".into()));
        }
        Ok(())
    }

    /// The licences a certificate shows, in words (those the attendee chose, still on record).
    pub async fn certificate_licences(&self, record: &CertificateRecord) -> AppResult<Vec<String>> {
        let Some(member_id) = record.member_id else { return Ok(Vec::new()) };
        let chosen: Vec<&str> = record.certificate_licences.split_whitespace().collect();
        if chosen.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .licences_of_member(member_id)
            .await?
            .iter()
            .filter(|l| chosen.contains(&l.id.to_string().as_str()))
            .map(licence_words)
            .collect())
    }

    /// The certificate of attendance as a PDF, for anyone with its code.
    pub async fn certificate_pdf(&self, code: &str) -> AppResult<crate::uploads::Document> {
        let record = self.certificate(code).await?;
        let society = self.branding().await.name;
        // The QR code opens the attendance credential's verification page when the
        // attendee is a member who holds one, else the certificate's own page.
        let verify_url = match record.member_id {
            Some(member_id) => self.course_credential_page(member_id, record.registration_id).await?,
            None => None,
        }
        .unwrap_or_else(|| self.link(&format!("/certificates/{}", record.code)));
        let licences = self.certificate_licences(&record).await?;
        let bytes = certificate::certificate_pdf(
            &record,
            &certificate::CertificateText { society: &society, verify_url: &verify_url, licences: &licences },
        )?;
        Ok(crate::uploads::Document {
            file_name: format!("certificate-{}.pdf", record.code),
            content_type: "application/pdf",
            bytes,
        })
    }

    /// The iCalendar feed of the society's events (or one chapter's): those published or
    /// cancelled, from a month ago on.
    pub async fn events_calendar(&self, chapter_id: Option<i64>) -> AppResult<String> {
        let name = match chapter_id {
            Some(id) => {
                let chapter =
                    self.chapter_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such chapter.".into()))?;
                format!("{}: events", chapter.name)
            }
            None => format!("{}: events", self.branding().await.name),
        };
        let filter = EventFilter {
            statuses: vec![EventStatus::Published, EventStatus::Cancelled],
            chapter_id,
            from: Some(self.clock.unix() - CALENDAR_PAST_SECS),
            ..Default::default()
        };
        let mut events = Vec::new();
        for page in 1..=CALENDAR_PAGES {
            let found = self.store.list_events(&filter, PageRequest::new(page, PageRequest::MAX_PER_PAGE)).await?;
            let last = found.items.len() < PageRequest::MAX_PER_PAGE as usize;
            events.extend(found.items);
            if last {
                break;
            }
        }
        Ok(self.calendar(&name, &events))
    }

    /// A person's own calendar feed, by its secret token: their registrations that stand.
    pub async fn registrations_calendar(&self, token: &str) -> AppResult<String> {
        let not_found = || AppError::NotFound("This calendar address is not in use (it may have been reset).".into());
        if token.len() > 100 {
            return Err(not_found());
        }
        let user_id = self.store.calendar_feed_owner(&crate::crypto::hash_token(token)).await?.ok_or_else(not_found)?;
        let events = self.store.registered_events(user_id, self.clock.unix() - CALENDAR_PAST_SECS).await?;
        let name = format!("{}: my registrations", self.branding().await.name);
        Ok(self.calendar(&name, &events))
    }

    /// Makes the signed-in person's calendar feed a new secret address (the old one stops
    /// working); returns the address, shown once.
    pub async fn reset_calendar_feed(&self, actor: &Actor) -> AppResult<String> {
        actor.require(Permission::OwnAccount)?;
        let token = crate::crypto::random_token()?;
        self.store.set_calendar_feed(actor.user_id, &crate::crypto::hash_token(&token), self.clock.unix()).await?;
        Ok(self.link(&format!("/calendar/{token}/events.ics")))
    }

    /// Whether the signed-in person has a calendar feed address.
    pub async fn has_calendar_feed(&self, actor: &Actor) -> AppResult<bool> {
        Ok(self.store.has_calendar_feed(actor.user_id).await?)
    }

    fn calendar(&self, name: &str, events: &[EventRecord]) -> String {
        calendar::calendar_of(name, events, &|id| self.link(&format!("/events/{id}")), self.calendar_host())
    }

    /// The event as an iCalendar file attached to the email that confirms a seat.
    fn calendar_attachment(&self, event: &EventRecord) -> MailAttachment {
        let file = calendar::event_file(event, &|id| self.link(&format!("/events/{id}")), self.calendar_host());
        MailAttachment {
            name: "event.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
            body: file.into_bytes(),
        }
    }

    /// The host name that makes calendar entries' `UID`s unique to this society.
    fn calendar_host(&self) -> &str {
        let base = self.settings.server.public_url.trim_end_matches('/');
        base.split("://").nth(1).unwrap_or(base).split(['/', ':']).next().unwrap_or("guildhall")
    }

    /// A certificate of attendance, for anyone with its code (no sign-in).
    pub async fn certificate(&self, code: &str) -> AppResult<CertificateRecord> {
        let not_found = || AppError::NotFound("No certificate has that code.".into());
        if !is_code(code) {
            return Err(not_found());
        }
        self.store.certificate(code).await?.ok_or_else(not_found)
    }

    async fn managed_event(&self, actor: &Actor, id: i64) -> AppResult<EventRecord> {
        let event = self.store.event_by_id(id).await?.ok_or_else(no_such_event)?;
        actor.require(Permission::ManageEvent(event.chapter_id))?;
        Ok(event)
    }

    /// A registration, with its event, for its own person or those who manage the event.
    async fn registration_and_event(
        &self,
        actor: &Actor,
        registration_id: i64,
    ) -> AppResult<(RegistrationRecord, EventRecord)> {
        let not_found = || AppError::NotFound("No such registration.".into());
        let registration = self.store.registration_by_id(registration_id).await?.ok_or_else(not_found)?;
        let event = self.store.event_by_id(registration.event_id).await?.ok_or_else(not_found)?;
        if registration.user_id != actor.user_id && !actor.allows(Permission::ManageEvent(event.chapter_id)) {
            return Err(not_found());
        }
        Ok((registration, event))
    }

    fn offer_until(&self, now: i64) -> i64 {
        now + i64::from(self.settings.events.offer_hours) * 3_600
    }

    pub(crate) fn seat_offer_mail(&self, title: &str, offer: &SeatOffer) -> NewMail {
        let until = chrono_words(offer.offered_until);
        NewMail {
            to_address: offer.email.clone(),
            subject: format!("A seat is yours if you want it: {title}"),
            body_text: format!(
                "Hello {},\n\nA seat has become free at {title}, and you are next on the waitlist. It is held for you \
                 until {until}. Take it up here:\n\n{}\n\nIf you do nothing, it passes to the next person in line.\n",
                offer.name,
                self.link(&format!("/events/{}", offer.event_id))
            ),
            attachment: None,
        }
    }

    fn registration_mail(
        &self,
        society: &str,
        event: &EventRecord,
        email: &str,
        name: &str,
        r: &RegistrationRecord,
    ) -> NewMail {
        let starts = event_time(event.starts_at, &event.time_zone);
        let link = self.link(&format!("/events/{}", event.id));
        let (subject, what) = match r.status {
            RegistrationStatus::Waitlisted => (
                format!("On the waitlist: {}", event.title),
                format!(
                    "{} is full, so you are on its waitlist, number {} in line. If a seat frees, we will email you \
                     and hold it for you for {} hours.",
                    event.title,
                    r.position.unwrap_or(1),
                    self.settings.events.offer_hours
                ),
            ),
            _ => {
                (format!("You are registered: {}", event.title), format!("Your seat at {} is confirmed.", event.title))
            }
        };
        let ticket = match (&r.ticket_code, r.status) {
            (Some(code), RegistrationStatus::Confirmed) => {
                format!("\nYour ticket (show its QR code at the door): {}\n", self.link(&format!("/tickets/{code}")))
            }
            _ => String::new(),
        };
        let place = if event.venue.is_empty() {
            "Online: the link is on the event's page once you are signed in.".to_string()
        } else {
            format!("Where: {}, {}", event.venue, event.address)
        };
        NewMail {
            to_address: email.into(),
            subject,
            body_text: format!(
                "Hello {name},\n\n{what}\n\nWhen: {} at {} {}\n{place}\n{ticket}\nThe event's page, where you can also cancel: \
                 {link}\n\n{society}\n",
                starts.date, starts.time, starts.zone
            ),
            // Only a seat goes in the calendar; a place on the waitlist is not one.
            attachment: (r.status == RegistrationStatus::Confirmed).then(|| self.calendar_attachment(event)),
        }
    }

    /// Reads and checks the event form; every problem is reported at once.
    async fn event_from_form(&self, form: &EventForm) -> AppResult<(NewEvent, EventParts)> {
        let mut errors = FieldErrors::default();
        let chapter_id = match form.chapter.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) if self.chapter_by_id(id).await?.is_some() => Some(id),
                _ => {
                    errors.add("chapter", "Choose a chapter from the list, or the society.");
                    None
                }
            },
        };
        let kind = EventKind::from_code(form.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Choose what kind of event this is.");
        }
        let title = errors.text(&form.title, "title", "a title", 200, true);
        let description = errors.text(&form.description, "description", "the description", 5_000, false);
        let time_zone = form.time_zone.trim().to_string();
        let instant =
            |errors: &mut FieldErrors, field: &str, value: &str| errors.check(field, local_instant(value, &time_zone));
        let starts_at = instant(&mut errors, "starts", &form.starts);
        let ends_at = instant(&mut errors, "ends", &form.ends);
        if let (Some(starts), Some(ends)) = (starts_at, ends_at)
            && ends <= starts
        {
            errors.add("ends", "The event must end after it starts.");
        }
        let registration_closes_at = match form.registration_closes.trim() {
            "" => starts_at,
            value => instant(&mut errors, "registration_closes", value),
        };
        if let (Some(closes), Some(ends)) = (registration_closes_at, ends_at)
            && closes > ends
        {
            errors.add("registration_closes", "Registration must close before the event ends.");
        }
        let venue = errors.text(&form.venue, "venue", "the venue", 200, false);
        let address = errors.text(&form.address, "address", "the address", 300, false);
        let online_link = errors.web_address(&form.online_link, "online_link", "the online link");
        if venue.is_empty() && online_link.is_empty() {
            errors.add("venue", "Give a venue, an online link, or both.");
        }
        let mut pdh_micro = match form.pdh.trim() {
            "" => 0,
            text => match micro_of("pdh", "The PDH", text) {
                Ok(micro) if micro <= MAX_PDH_MICRO => micro,
                Ok(_) => {
                    errors.add("pdh", "An event carries at most 100 PDH.");
                    0
                }
                Err(AppError::Validation { message, .. }) => {
                    errors.add("pdh", message);
                    0
                }
                Err(other) => return Err(other),
            },
        };
        let mut topics: Vec<&str> = Vec::new();
        for topic in &form.topics {
            match COMMON_TOPICS.iter().find(|(t, _)| t == topic) {
                Some((t, _)) if !topics.contains(t) => topics.push(t),
                Some(_) => {}
                None => errors.add("topics", "Choose topics from the list."),
            }
        }
        if pdh_micro > 0 && topics.is_empty() && form.programme.trim().is_empty() {
            errors.add(
                "topics",
                "Choose at least one topic for the PDH (boards count ethics and technical hours apart).",
            );
        }
        let provider = errors.text(&form.provider, "provider", "the provider", 200, false);
        let responsible = errors.text(&form.responsible, "responsible", "the responsible officer", 200, false);
        let boards = approving_boards(&self.rule_book());
        let mut approved_by: Vec<&str> = Vec::new();
        for board in &form.approved_by {
            match boards.iter().find(|(code, _)| code == board.trim()) {
                Some((code, _)) if !approved_by.contains(&code.as_str()) => approved_by.push(code),
                Some(_) => {}
                None => errors.add("approved_by", "Choose the approving boards from the list."),
            }
        }
        approved_by.sort_unstable();
        let capacity = match form.capacity.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_CAPACITY).contains(&n) => n,
            _ => {
                errors.add("capacity", format!("The capacity is a whole number of seats from 1 to {MAX_CAPACITY}."));
                0
            }
        };
        let tiers = self.tiers().await?;
        let mut pricing = pricing_from_form(form, &tiers, &mut errors);
        pricing.sessions = programme_from_form(&form.programme, &time_zone, &boards, &mut errors);
        if !pricing.sessions.is_empty() {
            // A programme's PDH and topics are its sessions'.
            pdh_micro = pricing.sessions.iter().map(|s| s.pdh_micro).sum();
            topics = COMMON_TOPICS
                .iter()
                .map(|(t, _)| *t)
                .filter(|t| pricing.sessions.iter().any(|s| s.topics.split_whitespace().any(|x| x == *t)))
                .collect();
            if let (Some(starts), Some(ends)) = (starts_at, ends_at)
                && pricing.sessions.iter().any(|s| s.starts_at < starts || s.ends_at > ends)
            {
                errors.add("programme", "Every session must fall between the event's start and end.");
            }
            if pdh_micro > MAX_PDH_MICRO {
                errors.add("programme", "An event carries at most 100 PDH in all.");
            }
        }
        let early_bird_until = match form.early_bird_until.trim() {
            "" => None,
            value => instant(&mut errors, "early_bird_until", value),
        };
        if early_bird_until.is_some() && !pricing.prices.iter().any(|p| p.early_price_cents.is_some()) {
            errors.add("early_bird_until", "Give an early-bird price for at least one audience, or leave this empty.");
        }
        if early_bird_until.is_none() && pricing.prices.iter().any(|p| p.early_price_cents.is_some()) {
            errors.add("early_bird_until", "Say until when the early-bird prices apply.");
        }
        let changes_until = match form.changes_until.trim() {
            "" => None,
            value => instant(&mut errors, "changes_until", value),
        };
        if let (Some(changes), Some(starts)) = (changes_until, starts_at)
            && changes > starts
        {
            errors.add("changes_until", "Registrants' own changes must end before the event starts.");
        }
        let refund_percent = match form.refund_percent.trim() {
            "" => 100,
            text => match text.trim_end_matches('%').trim().parse::<i64>() {
                Ok(n) if (0..=100).contains(&n) => n,
                _ => {
                    errors.add("refund_percent", "The refund is a whole percentage from 0 to 100.");
                    100
                }
            },
        };
        let minutes_per_pdh = match form.minutes_per_pdh.trim() {
            "" => DEFAULT_MINUTES_PER_PDH,
            text => match text.parse::<i64>() {
                Ok(n) if (1..=600).contains(&n) => n,
                _ => {
                    errors.add("minutes_per_pdh", "The minutes for each PDH are a whole number from 1 to 600.");
                    DEFAULT_MINUTES_PER_PDH
                }
            },
        };
        errors.into_result()?;
        match (kind, starts_at, ends_at, registration_closes_at) {
            (Some(kind), Some(starts_at), Some(ends_at), Some(registration_closes_at)) => Ok((
                NewEvent {
                    chapter_id,
                    kind,
                    title,
                    description,
                    time_zone,
                    starts_at,
                    ends_at,
                    venue,
                    address,
                    online_link,
                    capacity,
                    registration_closes_at,
                    pdh_micro,
                    topics: topics.join(" "),
                    provider,
                    early_bird_until,
                    changes_until,
                    refund_percent,
                    minutes_per_pdh,
                    responsible,
                    approved_by: approved_by.join(" "),
                },
                pricing,
            )),
            _ => Err(AppError::invalid("Please correct the fields marked below.")),
        }
    }
}

/// The most sessions a programme has.
const MAX_SESSIONS: usize = 100;

/// The sessions of the event form's programme, one per line:
/// `YYYY-MM-DD HH:MM | HH:MM | title | PDH | topics | speakers`, times on the event's wall
/// clock (a session ending at or before its start ends the next day). Problems go to `errors`.
/// Whether `text` could be a ticket's or certificate's code (letters and digits, at most 64),
/// checked before any lookup.
fn is_code(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphanumeric())
}

fn programme_from_form(
    text: &str,
    zone: &str,
    boards: &[(String, String)],
    errors: &mut FieldErrors,
) -> Vec<NewEventSession> {
    let mut sessions = Vec::new();
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() > MAX_SESSIONS {
        errors.add("programme", format!("A programme has at most {MAX_SESSIONS} sessions."));
        return sessions;
    }
    for (n, line) in lines.iter().enumerate() {
        let n = n + 1;
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        if parts.len() < 4 || parts.len() > 7 {
            errors.add(
                "programme",
                format!(
                    "Session {n}: write the start, the end, the title and the PDH, then the topics, the speakers and \
                     any boards that approved this session alone, separated by |, such as \"2027-01-19 09:00 | 10:30 \
                     | Keynote | 1.5 | technical | Dr. A. Rivera\"."
                ),
            );
            continue;
        }
        let start_text = parts[0].replacen(' ', "T", 1);
        let Ok(starts_at) = local_instant(&start_text, zone) else {
            errors.add("programme", format!("Session {n}: the start is a date and time such as 2027-01-19 09:00."));
            continue;
        };
        let date = start_text.get(..10).unwrap_or_default();
        let Ok(mut ends_at) = local_instant(&format!("{date}T{}", parts[1]), zone) else {
            errors.add("programme", format!("Session {n}: the end is a time such as 10:30."));
            continue;
        };
        if ends_at <= starts_at {
            ends_at += 86_400;
        }
        let title = parts[2].to_string();
        if title.is_empty() || title.chars().count() > 200 {
            errors.add("programme", format!("Session {n}: give a title of at most 200 characters."));
        }
        let pdh_micro = match micro_of("programme", "The PDH", parts[3]) {
            Ok(micro) => micro,
            Err(_) => {
                errors.add("programme", format!("Session {n}: the PDH is a number such as 1 or 1.5."));
                0
            }
        };
        let mut topics = Vec::new();
        for topic in parts.get(4).copied().unwrap_or("").split([',', ' ']).map(str::trim).filter(|t| !t.is_empty()) {
            match COMMON_TOPICS.iter().find(|(code, label)| *code == topic || label.eq_ignore_ascii_case(topic)) {
                Some((code, _)) if !topics.contains(code) => topics.push(*code),
                Some(_) => {}
                None => errors.add("programme", format!("Session {n}: {topic:?} is not one of the topics.")),
            }
        }
        if pdh_micro > 0 && topics.is_empty() {
            errors.add("programme", format!("Session {n}: give the topics its PDH count toward, such as technical."));
        }
        let speakers = parts.get(5).copied().unwrap_or("").to_string();
        if speakers.chars().count() > 300 {
            errors.add("programme", format!("Session {n}: the speakers take at most 300 characters."));
        }
        let mut approved_by: Vec<&str> = Vec::new();
        for board in parts.get(6).copied().unwrap_or("").split([',', ' ']).filter(|b| !b.is_empty()) {
            match boards.iter().find(|(code, _)| code == board) {
                Some((code, _)) if !approved_by.contains(&code.as_str()) => approved_by.push(code),
                Some(_) => {}
                None => errors.add(
                    "programme",
                    format!("Session {n}: {board:?} is not a board the rule book knows (such as US-FL)."),
                ),
            }
        }
        approved_by.sort_unstable();
        sessions.push(NewEventSession {
            title,
            speakers,
            starts_at,
            ends_at,
            pdh_micro,
            topics: topics.join(" "),
            approved_by: approved_by.join(" "),
        });
    }
    sessions.sort_by_key(|s| s.starts_at);
    sessions
}

/// The prices and discount codes of the event form (problems go to `errors`).
fn pricing_from_form(form: &EventForm, tiers: &[guildhall_store::TierRecord], errors: &mut FieldErrors) -> EventParts {
    let tier = |id: i64| tiers.iter().find(|t| t.id == id);
    {
        let mut pricing = EventParts::default();
        for (key, price, early) in &form.prices {
            let audience = match key.as_str() {
                "non_member" => Some(PriceAudience::NonMember),
                "student" => Some(PriceAudience::Student),
                other => other
                    .strip_prefix("tier:")
                    .and_then(|id| id.parse::<i64>().ok())
                    .filter(|id| tier(*id).is_some())
                    .map(PriceAudience::Tier),
            };
            let Some(audience) = audience else {
                errors.add("prices", "Prices are for non-members, students or the society's membership tiers.");
                continue;
            };
            let who = match audience {
                PriceAudience::NonMember => "non-members".to_string(),
                PriceAudience::Student => "students".to_string(),
                PriceAudience::Tier(id) => {
                    tier(id).map(|t| format!("members of the {} tier", t.name)).unwrap_or_default()
                }
            };
            let mut money = |text: &str, what: &str| match text.trim() {
                "" => None,
                text => match crate::membership::payments::parse_money(text) {
                    Ok(cents) if cents <= MAX_PRICE_CENTS => Some(cents),
                    Ok(_) => {
                        errors.add("prices", format!("The {what} for {who} is more than a registration may cost."));
                        None
                    }
                    Err(message) => {
                        errors.add("prices", format!("The {what} for {who}: {message}"));
                        None
                    }
                },
            };
            let price_cents = money(price, "price");
            let early_price_cents = money(early, "early-bird price");
            match (price_cents, early_price_cents) {
                (Some(price_cents), early_price_cents) => {
                    if early_price_cents.is_some_and(|e| e > price_cents) {
                        errors.add("prices", format!("The early-bird price for {who} is above their price."));
                    }
                    if pricing.prices.iter().any(|p| p.audience == audience) {
                        errors.add("prices", format!("The price for {who} is given twice."));
                    }
                    pricing.prices.push(EventPrice { audience, price_cents, early_price_cents });
                }
                (None, Some(_)) => errors.add("prices", format!("Give {who} a price as well as an early-bird price.")),
                (None, None) => {}
            }
        }
        for (n, line) in form.discount_codes.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let mut words = line.split_whitespace();
            let code = words.next().map(discount_code);
            let percent = words.next().map(|w| w.trim_end_matches('%').parse::<i64>());
            let max_uses = words.next().map(str::parse::<i64>);
            let line_no = n + 1;
            match (code, percent, max_uses, words.next()) {
                (Some(Ok(code)), Some(Ok(percent_off)), max_uses, None)
                    if (1..=100).contains(&percent_off)
                        && max_uses.as_ref().is_none_or(|m| m.as_ref().is_ok_and(|m| (1..=1_000_000).contains(m))) =>
                {
                    if pricing.discount_codes.iter().any(|c| c.code == code) {
                        errors.add("discount_codes", format!("Line {line_no}: the code {code} is listed twice."));
                    }
                    pricing.discount_codes.push(NewDiscountCode {
                        code,
                        percent_off,
                        max_uses: max_uses.and_then(Result::ok),
                    });
                }
                (Some(Err(message)), ..) => errors.add("discount_codes", format!("Line {line_no}: {message}")),
                _ => errors.add(
                    "discount_codes",
                    format!(
                        "Line {line_no}: write the code, the percentage off (1 to 100) and, if it is limited, how \
                         many times it may be used, such as \"EARLY20 20 50\"."
                    ),
                ),
            }
        }
        if !pricing.discount_codes.is_empty() && pricing.prices.is_empty() {
            errors.add("discount_codes", "A free event has nothing to discount: give it prices first.");
        }
        pricing
    }
}

/// The events report ([`App::events_report`]).
#[derive(Debug, Clone, Default)]
pub struct EventsReport {
    /// Events of the last year and the coming ones, newest first.
    pub events: Vec<guildhall_store::EventFigures>,
    /// The same, totalled per organiser (the society or a chapter), most events first.
    pub by_organiser: Vec<OrganiserFigures>,
}

/// One organiser's totals in the events report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganiserFigures {
    pub name: String,
    pub events: i64,
    pub confirmed: i64,
    /// Confirmed registrations of the events that have taken place (the attendance rate's base).
    pub held_confirmed: i64,
    pub attended: i64,
    pub revenue_cents: i64,
    pub pdh_issued_micro: i64,
}

/// Whom those who manage an event register.
enum Registrant {
    /// A member, by their record's id (who must have an account).
    Member(i64),
    /// Anyone with an account, by its email.
    Email(String),
}

/// A ticket as its holder or those who manage its event see it ([`App::ticket`]).
pub struct Ticket {
    pub entry: RosterEntry,
    pub event: EventRecord,
    /// Whether the viewer manages the event (and may check the holder in).
    pub manages: bool,
    /// The QR code of the ticket's address, as SVG.
    pub qr_svg: String,
}

/// A licence as a certificate prints it: "PE licence, Texas, no. TX118204".
fn licence_words(l: &guildhall_store::LicenceRecord) -> String {
    format!("{} licence, {}, no. {}", l.kind.label(), l.jurisdiction.name(), l.number)
}

/// What recording an attendance report did ([`App::record_attendance`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AttendanceReport {
    /// Confirmed registrants found in the report, with what it gives them.
    pub matched: Vec<Attendee>,
    /// People in the report who match no confirmed registration (by email).
    pub unmatched: Vec<Attendee>,
    /// Registrants whose credit was released before: left as they were.
    pub already_released: Vec<Attendee>,
    /// Rows the file could not read, and cautions about it, in words.
    pub problems: Vec<String>,
    /// Registrations changed.
    pub recorded: usize,
}

/// One person of an attendance report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub email: String,
    pub minutes: i64,
    /// The credit the minutes earn (millionths of a PDH).
    pub credit_micro: i64,
}

/// What releasing an event's credit did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CreditRelease {
    /// Members whose ledgers received the credit now.
    pub credited: usize,
    /// Members whose ledgers had it from an earlier release.
    pub already: usize,
    /// Attendees without a member record (a certificate, but no ledger).
    pub guests: usize,
    /// Certificates of attendance that stand.
    pub certificates: usize,
    /// Checked-in attendees whose attendance report earned them no credit.
    pub without_credit: usize,
}

/// The CE engine's activity kind for an event of `kind`.
fn ce_kind(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Webinar => "webinar_live",
        EventKind::Conference => "conference_session",
        EventKind::Workshop
        | EventKind::Seminar
        | EventKind::ChapterMeeting
        | EventKind::SiteVisit
        | EventKind::Course => "course",
    }
}

/// The calendar date of an instant on the event's wall clock.
fn event_date(at: i64, zone: &str) -> time::Date {
    let input = event_time(at, zone).input;
    time::Date::parse(&input[..10], time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or(time::Date::MIN)
}

/// A certificate's or ticket's code: 16 letters and digits, unguessable.
fn random_code() -> AppResult<String> {
    let token = crate::crypto::random_token()?;
    Ok(token.chars().filter(char::is_ascii_alphanumeric).take(16).collect())
}

fn no_such_event() -> AppError {
    AppError::NotFound("No such event.".into())
}

/// An instant in words, in UTC (for offer deadlines in emails, which go to people in any zone).
fn chrono_words(at: i64) -> String {
    let t = event_time(at, "UTC");
    format!("{} at {} UTC", t.date, t.time)
}

fn event_json(e: &NewEvent, pricing: &EventParts) -> serde_json::Value {
    let prices: Vec<serde_json::Value> = pricing
        .prices
        .iter()
        .map(|p| json!({ "audience": audience_key(p.audience), "price_cents": p.price_cents, "early_price_cents": p.early_price_cents }))
        .collect();
    let codes: Vec<serde_json::Value> = pricing
        .discount_codes
        .iter()
        .map(|c| json!({ "code": c.code, "percent_off": c.percent_off, "max_uses": c.max_uses }))
        .collect();
    json!({
        "prices": prices,
        "discount_codes": codes,
        "early_bird_until": e.early_bird_until,
        "changes_until": e.changes_until,
        "refund_percent": e.refund_percent,
        "minutes_per_pdh": e.minutes_per_pdh,
        "responsible": e.responsible,
        "approved_by": e.approved_by,
        "chapter_id": e.chapter_id,
        "kind": e.kind.code(),
        "title": e.title,
        "time_zone": e.time_zone,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "venue": e.venue,
        "address": e.address,
        "capacity": e.capacity,
        "registration_closes_at": e.registration_closes_at,
        "pdh_micro": e.pdh_micro,
        "topics": e.topics,
        "provider": e.provider,
    })
}
