//! Events: the public listing and event pages, registration (waitlist, offers, cancelling),
//! and the pages staff and chapter officers manage events with.
//!
//! Files: `mod.rs` (routes and pages), `api.rs` (its JSON API operations), `guests.rs`
//! (registering without signing in, from a link mailed to the guest).

pub mod api;
mod guests;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use guildhall_app::events::{EventForm, EventView, TIME_ZONES};
use guildhall_app::membership::format_money;
use guildhall_app::records::{ChapterRecord, EventFilter, EventRecord, PageRequest, RegistrationRecord, RosterEntry};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::events::{EventKind, EventStatus, EventTime, RegistrationStatus, event_time};
use serde::Deserialize;

use crate::error::HtmlError;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/events", get(listing).post(create))
        .route("/events/manage", get(manage))
        .route("/events/new", get(new_event))
        .route("/events/{id}", get(event))
        .route("/events/{id}/edit", get(edit).post(save))
        .route("/events/{id}/publish", post(publish))
        .route("/events/{id}/cancel", get(confirm_cancel_event).post(cancel_event))
        .route("/events/{id}/register", post(register))
        .route("/events/{id}/guest", get(guests::guest_form).post(guests::request_link))
        .route("/events/{id}/guest/confirm", get(guests::confirm_form).post(guests::confirm))
        .route("/events/{id}/roster", get(roster))
        .route("/events/{id}/check-in", get(check_in_page))
        .route("/events/{id}/roster.csv", get(roster_csv))
        .route("/registrations/{id}/cancel", get(confirm_cancel_registration).post(cancel_registration))
        .route("/registrations/{id}/transfer", get(transfer_form).post(transfer))
        .route("/events/reports", get(reports))
        .route("/events/{id}/roster/register", post(register_someone))
        .route("/registrations/{id}/confirm", post(confirm_from_waitlist))
        .route("/registrations/{id}/payment", get(payment_form).post(record_payment))
        .route("/tickets/{code}", get(ticket))
        .route("/tickets/{code}/check-in", post(ticket_check_in))
        .route("/certificates/{code}/licences", post(choose_certificate_licences))
        .route(
            "/events/{id}/attendance",
            post(record_attendance)
                .layer(axum::extract::DefaultBodyLimit::max(guildhall_app::events::MAX_ATTENDANCE_FILE + 64 * 1024)),
        )
        .route("/registrations/{id}/accept", post(accept_offer))
        .route("/registrations/{id}/check-in", post(check_in))
        .route("/events/{id}/release-credit", get(confirm_release_credit).post(release_credit))
        .route("/events.ics", get(events_calendar))
        .route("/chapters/{id}/events.ics", get(chapter_calendar))
        .route("/calendar/{token}/events.ics", get(registrations_calendar))
        .route("/events/calendar-feed", post(reset_calendar_feed))
        .route("/certificates/{code}", get(certificate))
        .route("/certificates/{code}/pdf", get(certificate_pdf))
}

/// What the viewer would pay, in words ("Your price: $195.00 (members, early-bird)."), and
/// why they cannot register when they cannot; both empty for a free event.
fn price_words(view: &EventView) -> (String, String) {
    match &view.your_price {
        Some(Ok(q)) => (
            format!(
                "Your price: {} ({}{}).",
                format_money(q.cents),
                q.basis.label().to_lowercase(),
                if q.early_bird { ", early-bird" } else { "" }
            ),
            String::new(),
        ),
        Some(Err(why)) => (String::new(), (*why).to_string()),
        None => (String::new(), String::new()),
    }
}

/// An event as a list row or page header shows it.
pub struct EventLine {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub status: EventStatus,
    pub starts: EventTime,
    pub ends: EventTime,
    /// "Online", the venue, or both.
    pub place: String,
    pub seats_left: i64,
    pub capacity: i64,
    pub waitlist: bool,
    /// "3 PDH: Technical", or empty without credit.
    pub credit: String,
    /// "Florida and Texas boards" that approved the credit, or empty.
    pub approved_by: String,
    pub time_zone: String,
}

impl EventLine {
    fn of(e: &EventRecord) -> Self {
        let place = match (e.venue.is_empty(), e.online_link.is_empty()) {
            (true, _) => "Online".to_string(),
            (false, true) => e.venue.clone(),
            (false, false) => format!("{} and online", e.venue),
        };
        EventLine {
            id: e.id,
            title: e.title.clone(),
            kind: e.kind.label(),
            status: e.status,
            starts: event_time(e.starts_at, &e.time_zone),
            ends: event_time(e.ends_at, &e.time_zone),
            place,
            seats_left: e.seats_left(),
            capacity: e.capacity,
            waitlist: e.waitlist_joined > 0 && e.seats_left() == 0,
            credit: credit_words(e),
            approved_by: guildhall_app::events::approvals_in_words(&e.approved_by),
            time_zone: e.time_zone.clone(),
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == EventStatus::Cancelled
    }

    pub fn is_draft(&self) -> bool {
        self.status == EventStatus::Draft
    }

    /// The end, without the date when it is the same day.
    pub fn until(&self) -> String {
        if self.starts.date == self.ends.date {
            format!("{} {}", self.ends.time, self.ends.zone)
        } else {
            format!("{} {} {}", self.ends.date, self.ends.time, self.ends.zone)
        }
    }
}

// ---------------------------------------------------------------- the listing

#[derive(Deserialize, Default)]
pub struct ListingQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "events/listing.html")]
struct ListingPage {
    chrome: Chrome,
    rows: Vec<EventLine>,
    mine: Vec<(i64, String, EventTime, &'static str)>,
    /// (code, event title, when)
    certificates: Vec<(String, String, EventTime)>,
    kinds: &'static [EventKind],
    chapters: Vec<ChapterRecord>,
    q: String,
    kind: String,
    chapter: i64,
    pager: Pager,
    can_create: bool,
    /// Whether the signed-in person has a calendar feed address already.
    has_feed: bool,
}

pub async fn listing(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<ListingQuery>) -> PageResult {
    if q.q.chars().count() > 100 {
        return Err(AppError::invalid("Search for at most 100 characters.").into());
    }
    let kind = match q.kind.trim() {
        "" => None,
        code => {
            Some(EventKind::from_code(code).ok_or_else(|| AppError::invalid("Choose a kind of event from the list."))?)
        }
    };
    let chapter = parse_id(&q.chapter, "chapter")?;
    let filter = EventFilter { kind, chapter_id: chapter, text: Some(q.q.clone()), ..Default::default() };
    let page = app.upcoming_events(filter, PageRequest::new(q.page.unwrap_or(1), 20)).await?;
    let pager = Pager::new(
        &page,
        format!("/events?{}", query_string(&[("q", &q.q), ("kind", &q.kind), ("chapter", &q.chapter)])),
    );
    let certificates = match &identity.actor {
        Some(actor) => app
            .my_certificates(actor)
            .await?
            .into_iter()
            .map(|(code, title, at, zone)| (code, title, event_time(at, &zone)))
            .collect(),
        None => Vec::new(),
    };
    let mine = match &identity.actor {
        Some(actor) => app
            .my_registrations(actor)
            .await?
            .into_iter()
            .map(|r| {
                let status = registration_words(&r.registration);
                (r.registration.event_id, r.title, event_time(r.starts_at, &r.time_zone), status)
            })
            .collect(),
        None => Vec::new(),
    };
    let has_feed = match &identity.actor {
        Some(actor) => app.has_calendar_feed(actor).await?,
        None => false,
    };
    render(&ListingPage {
        has_feed,
        can_create: identity.actor.as_ref().is_some_and(|a| a.allows(guildhall_app::Permission::CreateEvents)),
        chrome: Chrome::new(&app, &identity, "Events", "events").await,
        rows: page.items.iter().map(EventLine::of).collect(),
        mine,
        certificates,
        kinds: EventKind::ALL,
        chapters: app.reference().await?.chapters.clone(),
        q: q.q,
        kind: q.kind,
        chapter: chapter.unwrap_or(0),
        pager,
    })
}

/// An event's credit in words: "3 PDH: Technical, Ethics / professional conduct".
fn credit_words(e: &EventRecord) -> String {
    if e.pdh_micro == 0 {
        return String::new();
    }
    let topics: Vec<String> = e.topics.split_whitespace().map(guildhall_app::ce::words::topic_words).collect();
    format!("{} PDH: {}", guildhall_app::ce::micro_text(e.pdh_micro), topics.join(", "))
}

fn registration_words(r: &RegistrationRecord) -> &'static str {
    status_words(r.status)
}

/// Where a registration stands, in words for the person it belongs to.
pub(crate) fn status_words(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Confirmed => "Registered",
        RegistrationStatus::Waitlisted => "On the waitlist",
        RegistrationStatus::Offered => "A seat is offered to you",
        RegistrationStatus::Cancelled => "Cancelled",
    }
}

// ---------------------------------------------------------------- one event

#[derive(Template)]
#[template(path = "events/event.html")]
struct EventPage {
    chrome: Chrome,
    line: EventLine,
    view: EventView,
    time_zone: String,
    notice: String,
    /// "You are registered", "number 3 in line", …
    standing: String,
    offered_until: String,
    signed_in: bool,
    sign_in_href: String,
    /// "Released on …" once the credit is released.
    released: String,
    /// Whether the event is over (credit can be released).
    over: bool,
    /// The price list: (who, price, early-bird price or empty).
    prices: Vec<(String, String, String)>,
    /// "Early-bird prices until …", when they apply.
    early_bird: String,
    /// What the viewer pays, in words ("Your price: $195.00 (member price, early-bird)").
    your_price: String,
    /// Why the viewer cannot register at any price (members-only events).
    price_refusal: String,
    /// The registration's invoice still to pay: (invoice id, amount).
    to_pay: Option<(i64, String)>,
    /// What the registration cost and whether it is paid, in words.
    paid_note: String,
    /// Until when the registrant may cancel themselves, and the refund rule, in words.
    changes_note: String,
    /// The programme: (when, title, speakers, credit in words).
    programme: Vec<(String, String, String, String)>,
}

impl EventPage {
    fn registered(&self) -> Option<&RegistrationRecord> {
        self.view.registration.as_ref().filter(|r| r.status != RegistrationStatus::Cancelled)
    }

    fn offered(&self) -> bool {
        self.registered().is_some_and(|r| r.status == RegistrationStatus::Offered)
    }
}

pub async fn event(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let view = app.event_for(identity.actor.as_ref(), id).await?;
    let standing = match view.registration.as_ref().map(|r| (r.status, r.position)) {
        Some((RegistrationStatus::Confirmed, _)) => "You are registered: your seat is confirmed.".to_string(),
        Some((RegistrationStatus::Waitlisted, Some(n))) => {
            format!("You are on the waitlist, number {n} in line. We will email you if a seat frees.")
        }
        Some((RegistrationStatus::Offered, _)) => "A seat has freed and is held for you.".to_string(),
        _ => String::new(),
    };
    let offered_until = view
        .registration
        .as_ref()
        .and_then(|r| r.offered_until)
        .map(|at| {
            let t = event_time(at, &view.event.time_zone);
            format!("{} at {} {}", t.date, t.time, t.zone)
        })
        .unwrap_or_default();
    let zone = &view.event.time_zone;
    let at_words = |at: i64| {
        let t = event_time(at, zone);
        format!("{} at {} {}", t.date, t.time, t.zone)
    };
    let prices = view
        .prices
        .iter()
        .map(|(who, price, early)| (who.clone(), format_money(*price), early.map(format_money).unwrap_or_default()))
        .collect();
    let now = app.clock.unix();
    let early_bird = view
        .event
        .early_bird_until
        .filter(|until| now < *until)
        .map(|until| format!("Early-bird prices apply to registrations until {}.", at_words(until)))
        .unwrap_or_default();
    let (your_price, price_refusal) = price_words(&view);
    let active = view.registration.as_ref().filter(|r| r.status.is_active());
    let to_pay = active
        .filter(|r| !r.invoice_paid)
        .and_then(|r| r.invoice_id.map(|invoice| (invoice, format_money(r.price_cents))));
    let paid_note = match active {
        Some(r) if r.invoice_paid => {
            format!("Paid: {} ({}).", format_money(r.price_cents), r.price_basis.label().to_lowercase())
        }
        Some(r) if r.price_cents > 0 && r.invoice_id.is_none() => format!(
            "Your price, {} ({}), is invoiced when you take up a seat.",
            format_money(r.price_cents),
            r.price_basis.label().to_lowercase()
        ),
        _ => String::new(),
    };
    let deadline = view.event.changes_until.unwrap_or(view.event.registration_closes_at);
    let changes_note = if !view.prices.is_empty() {
        format!(
            "You can cancel or transfer your registration yourself until {}; {}",
            at_words(deadline),
            match view.event.refund_percent {
                100 => "what you paid is refunded in full.".to_string(),
                0 => "what you paid is not refunded.".to_string(),
                n => format!("{n}% of what you paid is refunded."),
            }
        )
    } else {
        format!("You can cancel or transfer your registration yourself until {}.", at_words(deadline))
    };
    let programme = view
        .programme
        .iter()
        .map(|s| {
            let (from, to) = (event_time(s.starts_at, zone), event_time(s.ends_at, zone));
            let topics: Vec<String> = s.topics.split_whitespace().map(guildhall_app::ce::words::topic_words).collect();
            let credit = if s.pdh_micro == 0 {
                String::new()
            } else {
                format!("{} PDH: {}", guildhall_app::ce::micro_text(s.pdh_micro), topics.join(", "))
            };
            (format!("{}, {} to {}", from.date, from.time, to.time), s.title.clone(), s.speakers.clone(), credit)
        })
        .collect();
    render(&EventPage {
        programme,
        prices,
        early_bird,
        your_price,
        price_refusal,
        to_pay,
        paid_note,
        changes_note,
        chrome: Chrome::new(&app, &identity, &view.event.title, "events").await,
        line: EventLine::of(&view.event),
        time_zone: view.event.time_zone.clone(),
        signed_in: identity.actor.is_some(),
        sign_in_href: sign_in_path(&format!("/events/{id}")),
        notice: event_notice(q.done()),
        standing,
        offered_until,
        released: view
            .event
            .credit_released_at
            .map(|at| {
                let t = event_time(at, &view.event.time_zone);
                format!("Credit released on {}.", t.date)
            })
            .unwrap_or_default(),
        over: app.clock.unix() >= view.event.ends_at,
        view,
    })
}

fn event_notice(done: &str) -> String {
    match done {
        "created" => "The event was saved as a draft: publish it when it is ready.",
        "saved" => "The event was saved.",
        "published" => "The event is published: members can register now.",
        "event_cancelled" => "The event is cancelled; everyone registered was told by email.",
        "registered" => "You are registered; a confirmation is on its way by email.",
        "waitlisted" => "The event is full, so you are on its waitlist; we emailed you your place in line.",
        "accepted" => "The seat is yours: you are registered.",
        "registration_cancelled" => "The registration is cancelled.",
        "transferred" => "The registration is transferred; both of you were told by email.",
        "licences_chosen" => "Your certificate shows the licences you chose.",
        "registered_someone" => "They are registered (or on the waitlist) and were told by email.",
        "confirmed_from_waitlist" => "Confirmed: a seat was added for them and they were told by email.",
        "checked_in" => "Checked in.",
        "payment_recorded" => "The payment is recorded: the invoice is paid and a receipt was emailed.",
        "credit_released" => "The credit is released: each member checked in has it in their PDH ledger, and every attendee has a certificate.",
        _ => "",
    }
    .to_string()
}

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    discount_code: String,
}

pub async fn register(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult {
    let registration = app.register_for_event_as(&actor, id, None, Some(&form.discount_code)).await?;
    let done = if registration.status == RegistrationStatus::Waitlisted { "waitlisted" } else { "registered" };
    crate::kit::done(&format!("/events/{id}"), done)
}

pub async fn accept_offer(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let registration = app.registration_for(&actor, id).await?;
    app.accept_seat_offer(&actor, id).await?;
    done(&format!("/events/{}", registration.event_id), "accepted")
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    confirmed: String,
}

async fn cancel_registration_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
) -> Result<ConfirmPage, HtmlError> {
    let registration = app.registration_for(actor, id).await?;
    let view = app.event_for(Some(actor), registration.event_id).await?;
    let own = registration.user_id == actor.user_id;
    let starts = event_time(view.event.starts_at, &view.event.time_zone);
    let mut consequences = Vec::new();
    if registration.status.holds_seat() {
        consequences.push("The seat goes to the next person on the waitlist, if there is one.".to_string());
    }
    if registration.status == RegistrationStatus::Waitlisted {
        consequences.push("The place in line is given up; registering again joins the end of the line.".to_string());
    }
    if registration.invoice_paid {
        let percent = u8::try_from(view.event.refund_percent).unwrap_or(100);
        let back = guildhall_domain::events::refund_due(registration.price_cents, percent, false);
        consequences.push(if back > 0 {
            format!(
                "{} of the {} paid is refunded, the way it was paid.",
                format_money(back),
                format_money(registration.price_cents)
            )
        } else {
            "Under the event's refund rule, nothing of what was paid is refunded.".to_string()
        });
    } else if registration.invoice_id.is_some() {
        consequences.push("Its unpaid invoice is cancelled.".to_string());
    }
    let heading = if own { "Cancel your registration?" } else { "Cancel this registration?" };
    Ok(ConfirmPage {
        details: vec![
            ("Event".into(), view.event.title.clone()),
            ("When".into(), format!("{} at {} {}", starts.date, starts.time, starts.zone)),
            ("Registration".into(), registration_words(&registration).into()),
        ],
        consequences,
        ..ConfirmPage::plain(
            Chrome::new(app, identity, "Cancel this registration?", "events").await,
            heading.into(),
            format!("/registrations/{id}/cancel"),
            "Cancel the registration",
            format!("/events/{}", registration.event_id),
        )
    })
}

pub async fn confirm_cancel_registration(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&cancel_registration_page(&app, &actor, &identity, id).await?)
}

pub async fn cancel_registration(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    if !is_confirmed(&f.confirmed) {
        return render(&cancel_registration_page(&app, &actor, &identity, id).await?);
    }
    let registration = app.registration_for(&actor, id).await?;
    app.cancel_registration(&actor, id, &identity.request_id).await?;
    done(&back_from(&registration, &actor), "registration_cancelled")
}

// ---------------------------------------------------------------- managing events

/// The event form as sent: its fields, with `topics` ticked any number of times.
fn event_form(pairs: Vec<(String, String)>) -> EventForm {
    let mut form = EventForm::default();
    for (name, value) in pairs {
        let field = match name.as_str() {
            "chapter" => &mut form.chapter,
            "kind" => &mut form.kind,
            "title" => &mut form.title,
            "description" => &mut form.description,
            "time_zone" => &mut form.time_zone,
            "starts" => &mut form.starts,
            "ends" => &mut form.ends,
            "venue" => &mut form.venue,
            "address" => &mut form.address,
            "online_link" => &mut form.online_link,
            "capacity" => &mut form.capacity,
            "registration_closes" => &mut form.registration_closes,
            "pdh" => &mut form.pdh,
            "provider" => &mut form.provider,
            "early_bird_until" => &mut form.early_bird_until,
            "changes_until" => &mut form.changes_until,
            "refund_percent" => &mut form.refund_percent,
            "minutes_per_pdh" => &mut form.minutes_per_pdh,
            "responsible" => &mut form.responsible,
            "programme" => &mut form.programme,
            "discount_codes" => &mut form.discount_codes,
            "topics" => {
                form.topics.push(value);
                continue;
            }
            "approved_by" => {
                form.approved_by.push(value);
                continue;
            }
            other => {
                // `price:<audience>` and `early_price:<audience>`, one pair per audience.
                let (early, audience) = match other.split_once(':') {
                    Some(("price", audience)) => (false, audience),
                    Some(("early_price", audience)) => (true, audience),
                    _ => continue,
                };
                let at = match form.prices.iter().position(|(key, _, _)| key == audience) {
                    Some(at) => at,
                    None => {
                        form.prices.push((audience.to_string(), String::new(), String::new()));
                        form.prices.len() - 1
                    }
                };
                let entry = &mut form.prices[at];
                if early {
                    entry.2 = value;
                } else {
                    entry.1 = value;
                }
                continue;
            }
        };
        *field = value;
    }
    form
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    chrome: Chrome,
    form: FormState,
    /// `None` for a new event.
    id: Option<i64>,
    heading: String,
    f: EventForm,
    kinds: &'static [EventKind],
    /// Chapters the person may put the event under; `society` whether the society's own.
    chapters: Vec<ChapterRecord>,
    society: bool,
    time_zones: Vec<&'static str>,
    topics: &'static [(&'static str, &'static str)],
    /// The price rows: (audience key, who).
    audiences: Vec<(String, String)>,
    /// The boards that may approve the credit: (code, name).
    boards: Vec<(String, String)>,
}

async fn form_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: Option<i64>,
    f: EventForm,
    form: FormState,
) -> Result<FormPage, HtmlError> {
    let chapters: Vec<ChapterRecord> = app
        .reference()
        .await?
        .chapters
        .iter()
        .filter(|c| actor.allows(guildhall_app::Permission::ManageEvent(Some(c.id))))
        .cloned()
        .collect();
    let mut time_zones = TIME_ZONES.to_vec();
    if !f.time_zone.is_empty() && !time_zones.contains(&f.time_zone.as_str()) {
        time_zones.insert(0, "");
    }
    let heading = if id.is_some() { format!("Edit {}", f.title) } else { "New event".to_string() };
    let mut audiences =
        vec![("non_member".to_string(), "Non-members".to_string()), ("student".into(), "Students".into())];
    for tier in &app.reference().await?.tiers {
        audiences.push((format!("tier:{}", tier.id), format!("Members, {}", tier.name)));
    }
    Ok(FormPage {
        chrome: Chrome::new(app, identity, &heading, "events").await,
        form,
        id,
        heading,
        society: actor.allows(guildhall_app::Permission::ManageEvent(None)),
        chapters,
        kinds: EventKind::ALL,
        time_zones,
        topics: guildhall_app::ce::COMMON_TOPICS,
        audiences,
        boards: guildhall_app::events::approving_boards(&app.rule_book()),
        f,
    })
}

#[derive(Deserialize, Default)]
pub struct NewEventQuery {
    /// An event to copy the details of (the next one of a series).
    #[serde(default)]
    copy: String,
}

pub async fn new_event(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<NewEventQuery>,
) -> PageResult {
    actor.require(guildhall_app::Permission::CreateEvents)?;
    let f = match parse_id(&q.copy, "event")? {
        Some(id) => app.event_form(&actor, id).await?,
        None => EventForm {
            time_zone: app.settings.events.time_zone.clone(),
            kind: "seminar".into(),
            provider: app.settings.events.provider.clone(),
            ..Default::default()
        },
    };
    render(&form_page(&app, &actor, &identity, None, f, FormState::default()).await?)
}

pub async fn create(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let form = event_form(pairs);
    match app.create_event(&actor, &form, &identity.request_id).await {
        Ok(id) => done(&format!("/events/{id}"), "created"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&form_page(&app, &actor, &identity, None, form, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn edit(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn, Path(id): Path<i64>) -> PageResult {
    let f = app.event_form(&actor, id).await?;
    render(&form_page(&app, &actor, &identity, Some(id), f, FormState::default()).await?)
}

pub async fn save(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let form = event_form(pairs);
    match app.update_event(&actor, id, &form, &identity.request_id).await {
        Ok(()) => done(&format!("/events/{id}"), "saved"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&form_page(&app, &actor, &identity, Some(id), form, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn publish(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.publish_event(&actor, id, &identity.request_id).await?;
    done(&format!("/events/{id}"), "published")
}

async fn cancel_event_page(app: &App, actor: &Actor, identity: &Identity, id: i64) -> Result<ConfirmPage, HtmlError> {
    let (event, roster) = app.event_roster(actor, id).await?;
    let held = roster.iter().filter(|e| e.registration.status != RegistrationStatus::Cancelled).count();
    let starts = event_time(event.starts_at, &event.time_zone);
    Ok(ConfirmPage {
        details: vec![
            ("When".into(), format!("{} at {} {}", starts.date, starts.time, starts.zone)),
            ("Registrations".into(), held.to_string()),
        ],
        consequences: vec![
            format!("Every registration is cancelled and the {held} people registered or waiting are told by email."),
            "A cancelled event cannot be reopened; copy its details into a new event instead.".into(),
        ],
        ..ConfirmPage::plain(
            Chrome::new(app, identity, "Cancel this event?", "events").await,
            format!("Cancel {}?", event.title),
            format!("/events/{id}/cancel"),
            "Cancel the event",
            format!("/events/{id}"),
        )
    })
}

pub async fn confirm_cancel_event(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&cancel_event_page(&app, &actor, &identity, id).await?)
}

pub async fn cancel_event(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    if !is_confirmed(&f.confirmed) {
        return render(&cancel_event_page(&app, &actor, &identity, id).await?);
    }
    app.cancel_event(&actor, id, &identity.request_id).await?;
    done(&format!("/events/{id}"), "event_cancelled")
}

#[derive(Template)]
#[template(path = "events/manage.html")]
struct ManagePage {
    chrome: Chrome,
    rows: Vec<EventLine>,
    pager: Pager,
}

pub async fn manage(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = app.managed_events(&actor, PageRequest::new(q.page.unwrap_or(1), 25)).await?;
    render(&ManagePage {
        chrome: Chrome::new(&app, &identity, "Manage events", "events").await,
        rows: page.items.iter().map(EventLine::of).collect(),
        pager: Pager::new(&page, "/events/manage".into()),
    })
}

#[derive(Template)]
#[template(path = "events/roster.html")]
struct RosterPage {
    chrome: Chrome,
    line: EventLine,
    rows: Vec<RosterEntry>,
    notice: String,
    confirmed: usize,
    waiting: usize,
    checked_in: usize,
    q: String,
    searched: bool,
    /// Whether the event has started (attendance reports can be uploaded).
    started: bool,
    minutes_per_pdh: i64,
    /// Whether the viewer records payments (staff: officers manage events, not money).
    takes_payments: bool,
}

impl RosterPage {
    fn pdh(&self, micro: &i64) -> String {
        guildhall_app::ce::micro_text(*micro)
    }

    fn checked_in_at(&self, entry: &RosterEntry) -> String {
        entry
            .registration
            .checked_in_at
            .map(|at| {
                let t = event_time(at, &self.line.time_zone);
                t.time
            })
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: String,
}

#[derive(Template)]
#[template(path = "events/check_in.html")]
struct CheckInPage {
    chrome: Chrome,
    line: EventLine,
    /// Whether the build vendored the QR reader.
    scanner: bool,
}

/// The check-in camera: those who manage the event scan tickets' QR codes (the page's script
/// sends each to `POST /api/v1/events/{id}/check-in`); search by name is the fallback.
pub async fn check_in_page(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let view = app.event_for(Some(&actor), id).await?;
    if !view.can_manage {
        return Err(AppError::Forbidden("Only those who manage this event check people in.".into()).into());
    }
    let mut page = render(&CheckInPage {
        chrome: Chrome::new(&app, &identity, &format!("Check in: {}", view.event.title), "events").await,
        line: EventLine::of(&view.event),
        scanner: !cfg!(guildhall_no_scanner),
    })?;
    page.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(crate::SCANNER_CONTENT_SECURITY_POLICY),
    );
    Ok(page)
}

pub async fn roster(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<RosterQuery>,
) -> PageResult {
    let (event, mut rows) = app.event_roster(&actor, id).await?;
    let words = q.q.trim().to_lowercase();
    let searched = !words.is_empty();
    let count = |s: RegistrationStatus| rows.iter().filter(|e| e.registration.status == s).count();
    let (confirmed, waiting) = (count(RegistrationStatus::Confirmed), count(RegistrationStatus::Waitlisted));
    let checked_in = rows.iter().filter(|e| e.registration.checked_in_at.is_some()).count();
    if searched {
        rows.retain(|e| e.name.to_lowercase().contains(&words) || e.email.to_lowercase().contains(&words));
    }
    render(&RosterPage {
        chrome: Chrome::new(&app, &identity, &format!("Roster: {}", event.title), "events").await,
        line: EventLine::of(&event),
        confirmed,
        waiting,
        checked_in,
        notice: event_notice(&q.done),
        q: q.q,
        searched,
        rows,
        started: app.clock.unix() >= event.starts_at && event.status == EventStatus::Published,
        minutes_per_pdh: event.minutes_per_pdh,
        takes_payments: actor.is_staff(),
    })
}

#[derive(Template)]
#[template(path = "events/payment.html")]
struct PaymentPage {
    chrome: Chrome,
    form: FormState,
    id: i64,
    event_id: i64,
    title: String,
    name: String,
    amount: String,
    method: String,
    reference: String,
}

async fn payment_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    (method, reference): (String, String),
    form: FormState,
) -> Result<PaymentPage, HtmlError> {
    let registration = app.registration_for(actor, id).await?;
    let (event, roster) = app.event_roster(actor, registration.event_id).await?;
    let name = roster.into_iter().find(|e| e.registration.id == id).map(|e| e.name).unwrap_or_default();
    Ok(PaymentPage {
        chrome: Chrome::new(app, identity, "Record a payment", "events").await,
        form,
        id,
        event_id: event.id,
        title: event.title,
        name,
        amount: format_money(registration.price_cents),
        method,
        reference,
    })
}

pub async fn payment_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    actor.require(guildhall_app::Permission::StaffArea)?;
    render(&payment_page(&app, &actor, &identity, id, Default::default(), FormState::default()).await?)
}

pub async fn record_payment(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<OfflinePaymentForm>,
) -> PageResult {
    let registration = app.registration_for(&actor, id).await?;
    match app.record_registration_payment(&actor, id, &f.method, &f.reference, &identity.request_id).await {
        Ok(()) => done(&format!("/events/{}/roster", registration.event_id), "payment_recorded"),
        Err(err @ AppError::Validation { .. }) => {
            let page =
                payment_page(&app, &actor, &identity, id, (f.method, f.reference), FormState::from_error(&err)).await?;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn roster_csv(State(app): State<Arc<App>>, SignedIn(actor, _): SignedIn, Path(id): Path<i64>) -> PageResult {
    let bytes = app.event_roster_csv(&actor, id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"roster.csv\""),
        ],
        bytes,
    )
        .into_response())
}

pub async fn check_in(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let registration = app.registration_for(&actor, id).await?;
    app.check_in(&actor, id, &identity.request_id).await?;
    done(&format!("/events/{}/roster", registration.event_id), "checked_in")
}

async fn release_credit_page(app: &App, actor: &Actor, identity: &Identity, id: i64) -> Result<ConfirmPage, HtmlError> {
    let (event, roster) = app.event_roster(actor, id).await?;
    let attendees = roster.iter().filter(|e| e.registration.checked_in_at.is_some()).count();
    Ok(ConfirmPage {
        details: vec![("Credit".into(), credit_words(&event)), ("Checked in".into(), attendees.to_string())],
        consequences: vec![
            "Each member checked in gets the credit in their PDH ledger, where it counts toward every licence they \
             hold."
                .into(),
            "Every attendee checked in gets a certificate of attendance with a public page that confirms it.".into(),
            "Released credit is not taken back; releasing again later credits only those checked in since.".into(),
        ],
        ..ConfirmPage::plain(
            Chrome::new(app, identity, "Release the PDH credit?", "events").await,
            format!("Release the PDH credit of {}?", event.title),
            format!("/events/{id}/release-credit"),
            "Release the credit",
            format!("/events/{id}"),
        )
    })
}

pub async fn confirm_release_credit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&release_credit_page(&app, &actor, &identity, id).await?)
}

pub async fn release_credit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    if !is_confirmed(&f.confirmed) {
        return render(&release_credit_page(&app, &actor, &identity, id).await?);
    }
    app.release_credit(&actor, id, &identity.request_id).await?;
    done(&format!("/events/{id}"), "credit_released")
}

#[derive(Template)]
#[template(path = "events/certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    line: EventLine,
    name: String,
    member_number: Option<String>,
    code: String,
    stands: bool,
    provider: String,
    responsible: String,
    /// The licences the attendee chose to show, in words.
    licences: Vec<String>,
    /// For the attendee: each licence on their record, in words, and whether it is shown.
    choices: Vec<(i64, String, bool)>,
    notice: String,
}

/// The public page a certificate's QR code opens: who, what, when, how many PDH, and
/// whether it still stands. No sign-in.
pub async fn certificate(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let c = app.certificate(&code).await?;
    let choices = match identity.actor.as_ref().filter(|a| a.user_id == c.user_id) {
        Some(actor) => app.certificate_licence_choices(actor, &code).await?,
        None => Vec::new(),
    };
    render(&CertificatePage {
        chrome: Chrome::new(&app, &identity, "Certificate of attendance", "events").await,
        line: EventLine::of(&c.event),
        stands: c.registration_status == RegistrationStatus::Confirmed && c.event.status == EventStatus::Published,
        provider: c.event.provider.clone(),
        responsible: c.event.responsible.clone(),
        licences: app.certificate_licences(&c).await?,
        choices,
        notice: event_notice(q.done()),
        name: c.name,
        member_number: c.member_number,
        code: c.code,
    })
}

pub async fn certificate_pdf(State(app): State<Arc<App>>, Path(code): Path<String>) -> PageResult {
    Ok(document_response(app.certificate_pdf(&code).await?, true))
}

/// An iCalendar answer.
fn ics(body: String) -> PageResult {
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "inline; filename=\"events.ics\""),
        ],
        body,
    )
        .into_response())
}

pub async fn events_calendar(State(app): State<Arc<App>>) -> PageResult {
    ics(app.events_calendar(None).await?)
}

pub async fn chapter_calendar(State(app): State<Arc<App>>, Path(id): Path<i64>) -> PageResult {
    ics(app.events_calendar(Some(id)).await?)
}

pub async fn registrations_calendar(State(app): State<Arc<App>>, Path(token): Path<String>) -> PageResult {
    ics(app.registrations_calendar(&token).await?)
}

#[derive(Template)]
#[template(path = "events/calendar_feed.html")]
struct CalendarFeedPage {
    chrome: Chrome,
    address: String,
}

/// Makes a new secret address for the person's calendar feed and shows it once.
pub async fn reset_calendar_feed(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let address = app.reset_calendar_feed(&actor).await?;
    render(&CalendarFeedPage { chrome: Chrome::new(&app, &identity, "Your calendar feed", "events").await, address })
}

// ---------------------------------------------------------------- transfer

#[derive(Template)]
#[template(path = "events/transfer.html")]
struct TransferPage {
    chrome: Chrome,
    form: FormState,
    id: i64,
    event_id: i64,
    title: String,
    when: String,
    email: String,
}

async fn transfer_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    email: String,
    form: FormState,
) -> Result<TransferPage, HtmlError> {
    let registration = app.registration_for(actor, id).await?;
    let view = app.event_for(Some(actor), registration.event_id).await?;
    let starts = event_time(view.event.starts_at, &view.event.time_zone);
    Ok(TransferPage {
        chrome: Chrome::new(app, identity, "Transfer the registration", "events").await,
        form,
        id,
        event_id: view.event.id,
        title: view.event.title,
        when: format!("{} at {} {}", starts.date, starts.time, starts.zone),
        email,
    })
}

pub async fn transfer_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&transfer_page(&app, &actor, &identity, id, String::new(), FormState::default()).await?)
}

#[derive(Deserialize, Default)]
pub struct TransferForm {
    #[serde(default)]
    email: String,
}

pub async fn transfer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TransferForm>,
) -> PageResult {
    let registration = app.registration_for(&actor, id).await?;
    match app.transfer_registration(&actor, id, &f.email, &identity.request_id).await {
        Ok(()) => done(&back_from(&registration, &actor), "transferred"),
        Err(err @ AppError::Validation { .. }) => {
            let page = transfer_page(&app, &actor, &identity, id, f.email, FormState::from_error(&err)).await?;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

/// Where a change to a registration returns to: the event's page for its own person, the
/// roster for those who manage the event.
fn back_from(registration: &RegistrationRecord, actor: &Actor) -> String {
    if registration.user_id == actor.user_id {
        format!("/events/{}", registration.event_id)
    } else {
        format!("/events/{}/roster", registration.event_id)
    }
}

// ---------------------------------------------------------------- attendance reports

#[derive(Template)]
#[template(path = "events/attendance.html")]
struct AttendancePage {
    chrome: Chrome,
    line: EventLine,
    report: guildhall_app::events::AttendanceReport,
    summary: String,
    rule: String,
}

impl AttendancePage {
    fn pdh(&self, micro: &i64) -> String {
        guildhall_app::ce::micro_text(*micro)
    }
}

/// The upload carries its CSRF token in the query string (a multipart body cannot be
/// checked before it is read).
pub async fn record_attendance(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<crate::session::CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    crate::session::check_csrf(&q, &identity)?;
    let unreadable = |e| crate::kit::multipart_problem(e, "The attendance report");
    let (mut file, mut mapping) = (Vec::new(), String::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "file" => file = field.bytes().await.map_err(unreadable)?.to_vec(),
            "mapping" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                mapping = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::invalid_field("mapping", "The mapping is not UTF-8 text."))?;
            }
            _ => {}
        }
    }
    let report = app.record_attendance(&actor, id, &file, Some(&mapping), &identity.request_id).await?;
    let event = app.event_for(Some(&actor), id).await?.event;
    let summary = format!(
        "{} registrants checked in from the report; {} people in it match no registration; {} rows could not be read.",
        report.recorded,
        report.unmatched.len(),
        report.problems.len()
    );
    render(&AttendancePage {
        chrome: Chrome::new(&app, &identity, "Attendance recorded", "events").await,
        rule: format!("a PDH for each {} minutes, in quarter PDH, up to the event's", event.minutes_per_pdh),
        line: EventLine::of(&event),
        report,
        summary,
    })
}

// ---------------------------------------------------------------- reports

/// One event's line in the report.
struct ReportLine {
    id: i64,
    title: String,
    date: String,
    cancelled: bool,
    registered: String,
    attended: String,
    waiting: i64,
    revenue: String,
    pdh: String,
}

#[derive(Template)]
#[template(path = "events/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    scope: String,
    rows: Vec<ReportLine>,
    /// (organiser, events, registered, attendance rate at the events held, revenue, PDH issued)
    organisers: Vec<(String, i64, i64, String, String, String)>,
    attendance_chart: String,
    pdh_chart: String,
    revenue_chart: String,
}

/// "12 of 40 (30%)", or "none yet" before anyone registered.
fn rate(part: i64, whole: i64) -> String {
    if whole == 0 { "none yet".into() } else { format!("{part} of {whole} ({}%)", part * 100 / whole) }
}

pub async fn reports(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    use crate::kit::charts::{Series, bar_chart, grouped_bars};
    let report = app.events_report(&actor).await?;
    let now = app.clock.unix();
    // The chart: the twelve most recent events held, oldest first.
    let held: Vec<&guildhall_app::records::EventFigures> =
        report.events.iter().filter(|e| e.starts_at <= now && e.status == EventStatus::Published).take(12).collect();
    let labels: Vec<String> = held.iter().rev().map(|e| e.title.clone()).collect();
    let series = |f: fn(&guildhall_app::records::EventFigures) -> i64| held.iter().rev().map(|e| f(e)).collect();
    let attendance_chart = grouped_bars(
        "Registered and attended, the last twelve events held",
        &labels,
        &[Series::new("Registered", series(|e| e.confirmed)), Series::new("Attended", series(|e| e.attended))],
    );
    let names: Vec<String> = report.by_organiser.iter().map(|o| o.name.clone()).collect();
    let pdh_chart = bar_chart(
        "PDH issued by organiser",
        &names,
        &report.by_organiser.iter().map(|o| o.pdh_issued_micro / 1_000_000).collect::<Vec<_>>(),
    );
    let revenue_chart = bar_chart(
        "Revenue by organiser (dollars)",
        &names,
        &report.by_organiser.iter().map(|o| o.revenue_cents / 100).collect::<Vec<_>>(),
    );
    let pdh = |micro: i64| guildhall_app::ce::micro_text(micro);
    render(&ReportsPage {
        chrome: Chrome::new(&app, &identity, "Events reports", "events").await,
        scope: if actor.is_staff() {
            "Every event of the society and its chapters.".into()
        } else {
            "The events of the chapters you are an officer of.".into()
        },
        rows: report
            .events
            .iter()
            .map(|e| ReportLine {
                id: e.id,
                title: e.title.clone(),
                date: event_time(e.starts_at, &e.time_zone).date,
                cancelled: e.status == EventStatus::Cancelled,
                registered: format!("{} of {}", e.confirmed, e.capacity),
                attended: if e.starts_at > now { "to come".into() } else { rate(e.attended, e.confirmed) },
                waiting: e.waiting,
                revenue: format_money(e.revenue_cents),
                pdh: pdh(e.pdh_issued_micro),
            })
            .collect(),
        organisers: report
            .by_organiser
            .iter()
            .map(|o| {
                (
                    o.name.clone(),
                    o.events,
                    o.confirmed,
                    rate(o.attended, o.held_confirmed),
                    format_money(o.revenue_cents),
                    pdh(o.pdh_issued_micro),
                )
            })
            .collect(),
        attendance_chart,
        pdh_chart,
        revenue_chart,
    })
}

// ---------------------------------------------------------------- tickets

#[derive(Template)]
#[template(path = "events/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    line: EventLine,
    code: String,
    name: String,
    member_number: Option<String>,
    status: &'static str,
    checked_in: String,
    manages: bool,
    can_check_in: bool,
    qr_svg: String,
    notice: String,
}

/// A ticket: its holder sees its QR code; those who manage the event (who reach it by
/// scanning that code with their phone's camera) see who it is and check them in.
pub async fn ticket(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let t = app.ticket(&actor, &code).await?;
    let r = &t.entry.registration;
    render(&TicketPage {
        chrome: Chrome::new(&app, &identity, "Ticket", "events").await,
        line: EventLine::of(&t.event),
        code,
        status: registration_words(r),
        checked_in: r
            .checked_in_at
            .map(|at| {
                let w = event_time(at, &t.event.time_zone);
                format!("{}, {} {}", w.date, w.time, w.zone)
            })
            .unwrap_or_default(),
        can_check_in: r.status.is_confirmed() && r.checked_in_at.is_none(),
        manages: t.manages,
        name: t.entry.name.clone(),
        member_number: t.entry.member_number.clone(),
        qr_svg: t.qr_svg,
        notice: event_notice(q.done()),
    })
}

pub async fn ticket_check_in(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(code): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let t = app.ticket(&actor, &code).await?;
    app.check_in(&actor, t.entry.registration.id, &identity.request_id).await?;
    done(&format!("/tickets/{code}"), "checked_in")
}

/// The attendee chooses which of their licences their certificate shows.
pub async fn choose_certificate_licences(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(code): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let mut ids = Vec::new();
    for (name, value) in pairs {
        if name == "licences" {
            ids.push(
                value
                    .parse::<i64>()
                    .map_err(|_| AppError::invalid_field("licences", "Choose licences from your record."))?,
            );
        }
    }
    app.choose_certificate_licences(&actor, &code, &ids).await?;
    done(&format!("/certificates/{code}"), "licences_chosen")
}

// ---------------------------------------------------------------- the roster's own changes

#[derive(Deserialize, Default)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Those who manage the event register someone with an account, from the roster.
pub async fn register_someone(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EmailForm>,
) -> PageResult {
    app.register_by_email(&actor, id, &f.email).await?;
    done(&format!("/events/{id}/roster"), "registered_someone")
}

/// Those who manage the event take someone off the waitlist, adding a seat.
pub async fn confirm_from_waitlist(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let registration = app.registration_for(&actor, id).await?;
    app.confirm_from_waitlist(&actor, id, &identity.request_id).await?;
    done(&format!("/events/{}/roster", registration.event_id), "confirmed_from_waitlist")
}
