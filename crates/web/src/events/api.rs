//! The events API: events (listing, creating, changing, publishing and cancelling) and
//! registrations (registering oneself, or a member for those who manage the event;
//! cancelling), with the same use cases and authorisation as the pages.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use guildhall_app::events::{EventForm, EventView, Passage};
use guildhall_app::records::{EventFilter, EventRecord, Page, RegistrationRecord};
use guildhall_app::{App, AppError, Permission};
use guildhall_domain::events::{EventKind, EventStatus, RegistrationStatus, event_time};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body, whole};
use crate::error::{ApiError, ErrorBody};
use crate::kit::iso_time;
use crate::session::ApiActor;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/events", get(list_events).post(create_event))
        .route("/api/v1/events/{id}", get(get_event).patch(change_event))
        .route("/api/v1/events/{id}/registrations", get(list_registrations).post(register))
        .route("/api/v1/registrations/{id}", delete(cancel_registration))
        .route("/api/v1/registrations/{id}/payment", axum::routing::post(record_payment))
        .route(
            "/api/v1/events/{id}/attendance",
            axum::routing::post(record_attendance)
                .layer(axum::extract::DefaultBodyLimit::max(guildhall_app::events::MAX_ATTENDANCE_FILE + 64 * 1024)),
        )
        .route("/api/v1/events/{id}/release-credit", axum::routing::post(release_credit))
        .route("/api/v1/events/{id}/check-in", axum::routing::post(check_in_ticket))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_events,
        create_event,
        get_event,
        change_event,
        list_registrations,
        register,
        cancel_registration,
        record_attendance,
        release_credit,
        check_in_ticket,
        record_payment
    ),
    components(schemas(
        Event,
        EventPage,
        EventFields,
        EventChange,
        PriceField,
        DiscountCodeField,
        SessionField,
        PriceShown,
        SessionShown,
        Registration,
        RegistrationList,
        NewRegistration,
        AttendanceResult,
        AttendanceLine,
        CreditReleased,
        TicketScan,
        CheckedIn,
        RegistrationPayment
    ))
)]
pub struct Doc;

/// An event. Times are RFC 3339 with the offset of the event's own time zone.
#[derive(Serialize, ToSchema)]
pub struct Event {
    id: i64,
    /// The owning chapter; absent for the society's own events.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    chapter_id: Option<i64>,
    /// conference, workshop, seminar, webinar, chapter_meeting, site_visit or course
    kind: String,
    title: String,
    description: String,
    /// The IANA time zone the event happens in.
    time_zone: String,
    starts_at: String,
    ends_at: String,
    registration_closes_at: String,
    venue: String,
    address: String,
    /// Present only for confirmed registrants and those who manage the event.
    online_link: Option<String>,
    capacity: i64,
    seats_left: i64,
    /// The PDH an attendee earns (0 for none).
    pdh: f64,
    /// Topic tags of the credit.
    topics: Vec<String>,
    /// The provider as boards know it.
    provider: String,
    /// The boards (jurisdiction codes) that approved the credit.
    approved_by: Vec<String>,
    /// The officer responsible for the credit, as certificates print it.
    responsible: String,
    /// Minutes of attendance for each PDH, for attendance reports.
    minutes_per_pdh: i64,
    /// The share of the price refunded to those who cancel in time.
    refund_percent: i64,
    /// Until when early-bird prices apply (RFC 3339), if the event has them.
    early_bird_until: Option<String>,
    /// Until when registrants may cancel or transfer themselves (RFC 3339); absent: until
    /// registration closes.
    changes_until: Option<String>,
    /// The prices, on a single event's answers (absent from listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    prices: Option<Vec<PriceShown>>,
    /// The programme's sessions in order, on a single event's answers (absent from listings;
    /// empty for a single session).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    programme: Option<Vec<SessionShown>>,
    /// When the credit was released into attendees' ledgers (RFC 3339, UTC).
    credit_released_at: Option<String>,
    /// draft, published or cancelled
    status: String,
}

fn event_json(e: &EventRecord, online_link: Option<String>) -> Event {
    let at = |t| event_time(t, &e.time_zone).rfc3339;
    Event {
        id: e.id,
        chapter_id: e.chapter_id,
        kind: e.kind.code().into(),
        title: e.title.clone(),
        description: e.description.clone(),
        time_zone: e.time_zone.clone(),
        starts_at: at(e.starts_at),
        ends_at: at(e.ends_at),
        registration_closes_at: at(e.registration_closes_at),
        venue: e.venue.clone(),
        address: e.address.clone(),
        online_link,
        capacity: e.capacity,
        seats_left: e.seats_left(),
        #[allow(clippy::cast_precision_loss)]
        pdh: e.pdh_micro as f64 / 1_000_000.0,
        topics: e.topics.split_whitespace().map(String::from).collect(),
        provider: e.provider.clone(),
        approved_by: e.approved_by.split_whitespace().map(String::from).collect(),
        responsible: e.responsible.clone(),
        minutes_per_pdh: e.minutes_per_pdh,
        refund_percent: e.refund_percent,
        early_bird_until: e.early_bird_until.map(at),
        changes_until: e.changes_until.map(at),
        prices: None,
        programme: None,
        credit_released_at: e.credit_released_at.map(iso_time),
        status: e.status.code().into(),
    }
}

/// A price as the event page lists it.
#[derive(Serialize, ToSchema)]
pub struct PriceShown {
    /// Who pays it: "Non-members", "Students", "Members, Fellow"…
    who: String,
    price_cents: i64,
    early_price_cents: Option<i64>,
}

/// A session of an event's programme.
#[derive(Serialize, ToSchema)]
pub struct SessionShown {
    title: String,
    speakers: String,
    starts_at: String,
    ends_at: String,
    pdh: f64,
    topics: Vec<String>,
    /// Boards that approved this session apart from the event's (empty: the event's).
    approved_by: Vec<String>,
}

/// PDH as the form takes them: "1.5"; 0 is none (empty).
fn pdh_text(pdh: f64) -> String {
    if pdh == 0.0 { String::new() } else { format!("{pdh}") }
}

fn view_json(view: EventView) -> Event {
    let at = |t| event_time(t, &view.event.time_zone).rfc3339;
    let programme = view
        .programme
        .iter()
        .map(|s| SessionShown {
            title: s.title.clone(),
            speakers: s.speakers.clone(),
            starts_at: at(s.starts_at),
            ends_at: at(s.ends_at),
            #[allow(clippy::cast_precision_loss)]
            pdh: s.pdh_micro as f64 / 1_000_000.0,
            topics: s.topics.split_whitespace().map(String::from).collect(),
            approved_by: s.approved_by.split_whitespace().map(String::from).collect(),
        })
        .collect();
    let prices = view
        .prices
        .iter()
        .map(|(who, price_cents, early_price_cents)| PriceShown {
            who: who.clone(),
            price_cents: *price_cents,
            early_price_cents: *early_price_cents,
        })
        .collect();
    Event { prices: Some(prices), programme: Some(programme), ..event_json(&view.event, view.online_link) }
}

#[derive(Serialize, ToSchema)]
pub struct EventPage {
    items: Vec<Event>,
    page: u32,
    per_page: u32,
    total: i64,
}

/// Which events to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `upcoming` (default): published and cancelled events not yet over, for everyone;
    /// `managed`: every event the caller manages, drafts included (staff and officers).
    #[param(pattern = "^(upcoming|managed)$")]
    scope: Option<String>,
    /// Only this kind (upcoming only).
    #[param(pattern = "^(conference|workshop|seminar|webinar|chapter_meeting|site_visit|course)$")]
    kind: Option<String>,
    /// Only this chapter's events (upcoming only).
    #[param(minimum = 1)]
    chapter_id: Option<i64>,
    /// Words in the title or description (upcoming only).
    #[param(min_length = 1, max_length = 100)]
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/events", params(Paging, EventQuery),
    responses((status = 200, body = EventPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn list_events(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> ApiResult<EventPage> {
    let request = paging.request()?;
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 100) {
        return Err(ApiError(AppError::BadRequest("`q` is at most 100 characters.".into())));
    }
    if q.chapter_id.is_some_and(|id| id < 1) {
        return Err(ApiError(AppError::BadRequest("`chapter_id` is a positive id.".into())));
    }
    let kind = match q.kind.as_deref() {
        None => None,
        Some(code) => Some(
            EventKind::from_code(code).ok_or_else(|| AppError::BadRequest(format!("Unknown event kind {code:?}.")))?,
        ),
    };
    let page: Page<EventRecord> = match q.scope.as_deref().unwrap_or("upcoming") {
        "upcoming" => {
            let filter = EventFilter { kind, chapter_id: q.chapter_id, text: q.q, ..Default::default() };
            app.upcoming_events(filter, request).await?
        }
        "managed" => app.managed_events(&actor, request).await?,
        _ => return Err(ApiError(AppError::BadRequest("`scope` is upcoming or managed.".into()))),
    };
    let manages = |e: &EventRecord| actor.allows(Permission::ManageEvent(e.chapter_id));
    Ok(Json(EventPage {
        items: page
            .items
            .iter()
            .map(|e| event_json(e, manages(e).then(|| e.online_link.clone()).filter(|l| !l.is_empty())))
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

/// A new event's details, as the event form takes them.
#[derive(Deserialize, ToSchema)]
pub struct EventFields {
    /// The owning chapter's id; leave out for the society's own event (staff only).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1)]
    chapter_id: Option<i64>,
    #[schema(pattern = "^(conference|workshop|seminar|webinar|chapter_meeting|site_visit|course)$")]
    kind: String,
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    description: String,
    /// An IANA time zone name, e.g. America/Chicago.
    #[schema(min_length = 1, max_length = 64)]
    time_zone: String,
    /// Wall-clock start in `time_zone`: `YYYY-MM-DDTHH:MM`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    starts: String,
    /// Wall-clock end in `time_zone`, after the start.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    ends: String,
    /// Wall-clock time registration closes; leave out to close when the event starts.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    registration_closes: Option<String>,
    /// A venue, an online link, or both.
    #[serde(default)]
    #[schema(max_length = 200)]
    venue: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    address: String,
    /// An https:// address, shown only to confirmed registrants.
    #[serde(default)]
    #[schema(max_length = 500)]
    online_link: String,
    #[serde(deserialize_with = "whole::number")]
    #[schema(minimum = 1, maximum = 100000)]
    capacity: i64,
    /// The PDH an attendee earns, to six decimals (default 0: none).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pdh: f64,
    /// Topic tags of the credit (technical, ethics, area_of_practice, professional_skills,
    /// business_practice, sexual_harassment_prevention); at least one when `pdh` is above 0.
    #[serde(default)]
    #[schema(max_items = 6)]
    topics: Vec<String>,
    /// The provider as boards know it (name and provider number).
    #[serde(default)]
    #[schema(max_length = 200)]
    provider: String,
    /// Publish at once (default: saved as a draft).
    #[serde(default)]
    publish: bool,
    /// The share of the price refunded to registrants who cancel in time (default 100).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 0, maximum = 100)]
    refund_percent: Option<i64>,
    /// The boards (jurisdiction codes such as `US-FL`, of the rule book's) that approved
    /// the credit.
    #[serde(default)]
    #[schema(max_items = 60)]
    approved_by: Vec<String>,
    /// The officer responsible for the credit (name and title), as certificates print it.
    #[serde(default)]
    #[schema(max_length = 200)]
    responsible: String,
    /// Minutes of attendance for each PDH, for attendance reports (default 50).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1, maximum = 600)]
    minutes_per_pdh: Option<i64>,
    /// Wall-clock time until which early-bird prices apply.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    early_bird_until: Option<String>,
    /// Wall-clock time until which registrants may cancel or transfer themselves (default:
    /// until registration closes).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    changes_until: Option<String>,
    /// Prices by audience; none: the event is free.
    #[serde(default)]
    #[schema(max_items = 50)]
    prices: Vec<PriceField>,
    #[serde(default)]
    #[schema(max_items = 100)]
    discount_codes: Vec<DiscountCodeField>,
    /// A multi-session programme; none: one session. Its sessions' PDH and topics become
    /// the event's.
    #[serde(default)]
    #[schema(max_items = 100)]
    programme: Vec<SessionField>,
}

/// A price for one audience.
#[derive(Deserialize, ToSchema)]
pub struct PriceField {
    /// `non_member`, `student`, or `tier:<id>` for one tier's members.
    #[schema(pattern = "^(non_member|student|tier:[1-9][0-9]{0,17})$")]
    audience: String,
    #[serde(deserialize_with = "whole::number")]
    #[schema(minimum = 0, maximum = 100000000)]
    price_cents: i64,
    /// The early-bird price, before `early_bird_until`.
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 0, maximum = 100000000)]
    early_price_cents: Option<i64>,
}

/// A discount code: a share off the price, for at most `max_uses` registrations.
#[derive(Deserialize, ToSchema)]
pub struct DiscountCodeField {
    #[schema(min_length = 1, max_length = 32)]
    code: String,
    #[serde(deserialize_with = "whole::number")]
    #[schema(minimum = 1, maximum = 100)]
    percent_off: i64,
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1, maximum = 1000000)]
    max_uses: Option<i64>,
}

/// A session of a programme; it ends on the day it starts.
#[derive(Deserialize, ToSchema)]
pub struct SessionField {
    /// Wall-clock start in the event's zone.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    starts: String,
    /// Wall-clock end, the same day.
    #[schema(pattern = "^[0-9]{2}:[0-9]{2}$")]
    ends: String,
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pdh: f64,
    #[serde(default)]
    #[schema(max_items = 6)]
    topics: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    speakers: String,
    /// Boards that approved this session apart from the event's approvals.
    #[serde(default)]
    #[schema(max_items = 60)]
    approved_by: Vec<String>,
}

/// Money as the event form takes it: "225.00".
fn money_text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The form's price rows from the API's prices.
fn price_rows(prices: Vec<PriceField>) -> Result<Vec<(String, String, String)>, ApiError> {
    prices
        .into_iter()
        .map(|p| {
            if p.price_cents < 0 || p.early_price_cents.is_some_and(|c| c < 0) {
                return Err(ApiError(AppError::invalid_field("prices", "A price is 0 or more.")));
            }
            Ok((p.audience, money_text(p.price_cents), p.early_price_cents.map(money_text).unwrap_or_default()))
        })
        .collect()
}

/// The form's discount-code lines (`CODE PERCENT [MAXIMUM USES]`).
fn discount_code_lines(codes: Vec<DiscountCodeField>) -> String {
    codes
        .into_iter()
        .map(|c| match c.max_uses {
            Some(uses) => format!("{} {} {uses}", c.code.trim(), c.percent_off),
            None => format!("{} {}", c.code.trim(), c.percent_off),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The form's programme lines (`YYYY-MM-DD HH:MM | HH:MM | title | PDH | topics | speakers`).
fn programme_lines(sessions: Vec<SessionField>) -> Result<String, ApiError> {
    let mut lines = Vec::with_capacity(sessions.len());
    for (n, s) in sessions.into_iter().enumerate() {
        let fields = [&s.starts, &s.ends, &s.title, &s.speakers];
        let words = s.topics.iter().chain(&s.approved_by);
        if fields.iter().any(|f| f.contains(['|', '\n', '\r']))
            || words.into_iter().any(|t| t.contains(['|', ' ', '\n']))
        {
            return Err(ApiError(AppError::invalid_field(
                "programme",
                format!("Session {}: no field may hold a | or a line break.", n + 1),
            )));
        }
        lines.push(format!(
            "{} | {} | {} | {} | {} | {} | {}",
            s.starts.replacen('T', " ", 1),
            s.ends,
            s.title,
            pdh_text(s.pdh),
            s.topics.join(" "),
            s.speakers,
            s.approved_by.join(" ")
        ));
    }
    Ok(lines.join("\n"))
}

#[utoipa::path(post, path = "/api/v1/events", request_body = EventFields,
    responses((status = 201, body = Event), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_event(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<EventFields>(body)?;
    let form = EventForm {
        chapter: f.chapter_id.map(|c| c.to_string()).unwrap_or_default(),
        kind: f.kind,
        title: f.title,
        description: f.description,
        time_zone: f.time_zone,
        starts: f.starts,
        ends: f.ends,
        venue: f.venue,
        address: f.address,
        online_link: f.online_link,
        capacity: f.capacity.to_string(),
        registration_closes: f.registration_closes.unwrap_or_default(),
        pdh: pdh_text(f.pdh),
        topics: f.topics,
        provider: f.provider,
        refund_percent: f.refund_percent.map(|n| n.to_string()).unwrap_or_default(),
        approved_by: f.approved_by,
        responsible: f.responsible,
        minutes_per_pdh: f.minutes_per_pdh.map(|n| n.to_string()).unwrap_or_default(),
        early_bird_until: f.early_bird_until.unwrap_or_default(),
        changes_until: f.changes_until.unwrap_or_default(),
        prices: price_rows(f.prices)?,
        discount_codes: discount_code_lines(f.discount_codes),
        programme: programme_lines(f.programme)?,
    };
    let id = app.create_event(&actor, &form, &identity.request_id).await?;
    if f.publish {
        app.publish_event(&actor, id, &identity.request_id).await?;
    }
    let view = app.event_for(Some(&actor), id).await?;
    Ok((StatusCode::CREATED, Json(view_json(view))).into_response())
}

#[utoipa::path(get, path = "/api/v1/events/{id}", params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    responses((status = 200, body = Event), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn get_event(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor, Path(id): Path<i64>) -> ApiResult<Event> {
    Ok(Json(view_json(app.event_for(Some(&actor), id).await?)))
}

/// Changes to an event: only the fields given change. `status` publishes a draft
/// (`published`) or cancels the event (`cancelled`, which cancels every registration and
/// tells each person by email).
#[derive(Deserialize, ToSchema)]
pub struct EventChange {
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1)]
    chapter_id: Option<i64>,
    #[schema(pattern = "^(conference|workshop|seminar|webinar|chapter_meeting|site_visit|course)$")]
    kind: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    title: Option<String>,
    #[schema(max_length = 5000)]
    description: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    time_zone: Option<String>,
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    starts: Option<String>,
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    ends: Option<String>,
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    registration_closes: Option<String>,
    #[schema(max_length = 200)]
    venue: Option<String>,
    #[schema(max_length = 300)]
    address: Option<String>,
    #[schema(max_length = 500)]
    online_link: Option<String>,
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1, maximum = 100000)]
    capacity: Option<i64>,
    #[schema(minimum = 0, maximum = 100)]
    pdh: Option<f64>,
    #[schema(max_items = 6)]
    topics: Option<Vec<String>>,
    #[schema(max_length = 200)]
    provider: Option<String>,
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 0, maximum = 100)]
    refund_percent: Option<i64>,
    #[schema(max_items = 60)]
    approved_by: Option<Vec<String>>,
    #[schema(max_length = 200)]
    responsible: Option<String>,
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1, maximum = 600)]
    minutes_per_pdh: Option<i64>,
    /// An empty string removes it.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2})?$")]
    early_bird_until: Option<String>,
    /// An empty string removes it.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2})?$")]
    changes_until: Option<String>,
    /// Replaces every price; `[]` makes the event free.
    #[schema(max_items = 50)]
    prices: Option<Vec<PriceField>>,
    /// Replaces every discount code.
    #[schema(max_items = 100)]
    discount_codes: Option<Vec<DiscountCodeField>>,
    /// Replaces the programme; `[]` makes it one session.
    #[schema(max_items = 100)]
    programme: Option<Vec<SessionField>>,
    #[schema(pattern = "^(published|cancelled)$")]
    status: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/events/{id}", request_body = EventChange,
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    responses((status = 200, body = Event), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_event(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Event> {
    let c = json_object_body::<EventChange>(body)?;
    let status = match c.status.as_deref() {
        None => None,
        Some(code) => match EventStatus::from_code(code) {
            Some(s @ (EventStatus::Published | EventStatus::Cancelled)) => Some(s),
            _ => return Err(ApiError(AppError::invalid_field("status", "The status is published or cancelled."))),
        },
    };
    let view = app.event_for(Some(&actor), id).await?;
    actor.require(Permission::ManageEvent(view.event.chapter_id))?;
    let details_change = c.chapter_id.is_some()
        || c.kind.is_some()
        || c.title.is_some()
        || c.description.is_some()
        || c.time_zone.is_some()
        || c.starts.is_some()
        || c.ends.is_some()
        || c.registration_closes.is_some()
        || c.venue.is_some()
        || c.address.is_some()
        || c.online_link.is_some()
        || c.capacity.is_some()
        || c.pdh.is_some()
        || c.topics.is_some()
        || c.provider.is_some()
        || c.refund_percent.is_some()
        || c.approved_by.is_some()
        || c.responsible.is_some()
        || c.minutes_per_pdh.is_some()
        || c.early_bird_until.is_some()
        || c.changes_until.is_some()
        || c.prices.is_some()
        || c.discount_codes.is_some()
        || c.programme.is_some();
    if details_change {
        let mut form = app.event_form(&actor, id).await?;
        let set = |field: &mut String, value: Option<String>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        if let Some(chapter) = c.chapter_id {
            form.chapter = chapter.to_string();
        }
        set(&mut form.kind, c.kind);
        set(&mut form.title, c.title);
        set(&mut form.description, c.description);
        set(&mut form.time_zone, c.time_zone);
        set(&mut form.starts, c.starts);
        set(&mut form.ends, c.ends);
        set(&mut form.registration_closes, c.registration_closes);
        set(&mut form.venue, c.venue);
        set(&mut form.address, c.address);
        set(&mut form.online_link, c.online_link);
        set(&mut form.capacity, c.capacity.map(|n| n.to_string()));
        set(&mut form.pdh, c.pdh.map(pdh_text));
        set(&mut form.provider, c.provider);
        set(&mut form.refund_percent, c.refund_percent.map(|n| n.to_string()));
        set(&mut form.responsible, c.responsible);
        set(&mut form.minutes_per_pdh, c.minutes_per_pdh.map(|n| n.to_string()));
        set(&mut form.early_bird_until, c.early_bird_until);
        set(&mut form.changes_until, c.changes_until);
        set(&mut form.discount_codes, c.discount_codes.map(discount_code_lines));
        set(&mut form.programme, c.programme.map(programme_lines).transpose()?);
        if let Some(topics) = c.topics {
            form.topics = topics;
        }
        if let Some(boards) = c.approved_by {
            form.approved_by = boards;
        }
        if let Some(prices) = c.prices {
            form.prices = price_rows(prices)?;
        }
        app.update_event(&actor, id, &form, &identity.request_id).await?;
    }
    match status {
        Some(EventStatus::Published) if view.event.status != EventStatus::Published => {
            app.publish_event(&actor, id, &identity.request_id).await?;
        }
        Some(EventStatus::Cancelled) if view.event.status != EventStatus::Cancelled => {
            app.cancel_event(&actor, id, &identity.request_id).await?;
        }
        _ => {}
    }
    Ok(Json(view_json(app.event_for(Some(&actor), id).await?)))
}

/// A registration for an event.
#[derive(Serialize, ToSchema)]
pub struct Registration {
    id: i64,
    event_id: i64,
    /// The registrant's account.
    account_id: i64,
    /// Their member record; absent for someone who is not a member (a null id would be
    /// offered to clients as a link to follow).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    member_id: Option<i64>,
    /// confirmed, waitlisted, offered or cancelled
    status: String,
    /// Place in line (1 is next), while waitlisted.
    position: Option<i64>,
    /// Until when an offered seat is held for them (RFC 3339, UTC).
    offered_until: Option<String>,
    registered_at: String,
    /// The registrant's name and email (in rosters, for those who manage the event).
    name: Option<String>,
    email: Option<String>,
    /// What it costs, in cents (0 for a free event), fixed when they registered.
    price_cents: i64,
    /// Which price applied: free, non_member, student or member.
    price_basis: String,
    /// The invoice raised once it held a seat (paid registrations); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    invoice_id: Option<i64>,
    /// Whether that invoice is paid.
    paid: bool,
    /// When they were checked in (RFC 3339, UTC); absent until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    checked_in_at: Option<String>,
    /// Minutes attended, once measured (an attendance report, or a departure scanned).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    attended_minutes: Option<i64>,
    /// The PDH those minutes earn, once measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pdh_earned: Option<f64>,
}

fn registration_json(r: &RegistrationRecord, who: Option<(&str, &str)>) -> Registration {
    Registration {
        id: r.id,
        event_id: r.event_id,
        account_id: r.user_id,
        member_id: r.member_id,
        status: r.status.code().into(),
        position: r.position.filter(|_| r.status == RegistrationStatus::Waitlisted),
        offered_until: r.offered_until.map(iso_time),
        registered_at: iso_time(r.registered_at),
        name: who.map(|w| w.0.to_string()),
        email: who.map(|w| w.1.to_string()),
        price_cents: r.price_cents,
        price_basis: r.price_basis.code().into(),
        invoice_id: r.invoice_id,
        paid: r.invoice_paid,
        checked_in_at: r.checked_in_at.map(iso_time),
        attended_minutes: r.attended_minutes,
        #[allow(clippy::cast_precision_loss)]
        pdh_earned: r.credit_micro.map(|c| c as f64 / 1_000_000.0),
    }
}

/// A ticket scanned at the door: its code, or the whole address its QR code carries.
#[derive(Deserialize, ToSchema)]
pub struct TicketScan {
    #[schema(min_length = 1, max_length = 500)]
    ticket: String,
    /// `arrival` (the default) checks the holder in; `departure` checks them out, and from
    /// then on the minutes they were in decide their credit.
    #[serde(default)]
    #[schema(pattern = "^(arrival|departure)$")]
    direction: Option<String>,
}

/// What a ticket scanned at the door did.
#[derive(Serialize, ToSchema)]
pub struct CheckedIn {
    registration: Registration,
    /// arrival or departure
    direction: String,
    /// Whether the scan changed anything: false for someone already in (arrival) or not in
    /// (departure).
    recorded: bool,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/check-in", request_body = TicketScan,
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    description = "Checks in the holder of a ticket for this event (those who manage the event): what the check-in camera page sends for each QR code it reads. A ticket for another event is refused.",
    responses((status = 200, body = CheckedIn), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check_in_ticket(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<CheckedIn> {
    let scan = json_object_body::<TicketScan>(body)?;
    let passage = match scan.direction.as_deref() {
        None | Some("arrival") => Passage::Arrival,
        Some("departure") => Passage::Departure,
        Some(_) => {
            return Err(ApiError(AppError::invalid_field("direction", "The direction is arrival or departure.")));
        }
    };
    let done = app.scan_ticket(&actor, id, &scan.ticket, passage, &identity.request_id).await?;
    Ok(Json(CheckedIn {
        registration: registration_json(&done.entry.registration, Some((&done.entry.name, &done.entry.email))),
        direction: if passage == Passage::Arrival { "arrival" } else { "departure" }.into(),
        recorded: done.recorded,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationList {
    items: Vec<Registration>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/events/{id}/registrations",
    params(("id" = i64, Path, minimum = 1, description = "The event's id"), Paging),
    description = "Those who manage the event get its roster (confirmed, offered, the waitlist in line, cancelled); anyone else their own registration, if any.",
    responses((status = 200, body = RegistrationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn list_registrations(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<RegistrationList> {
    let request = paging.request()?;
    let view = app.event_for(Some(&actor), id).await?;
    let all: Vec<Registration> = if view.can_manage {
        let (_, roster) = app.event_roster(&actor, id).await?;
        roster.iter().map(|e| registration_json(&e.registration, Some((&e.name, &e.email)))).collect()
    } else {
        view.registration.iter().map(|r| registration_json(r, None)).collect()
    };
    let page = Page::of_all(all, request);
    Ok(Json(RegistrationList { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// Who to register: leave `member_id` out to register yourself; those who manage the event
/// may register a member who has an account.
#[derive(Deserialize, ToSchema)]
pub struct NewRegistration {
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(minimum = 1)]
    member_id: Option<i64>,
    /// One of the event's discount codes.
    #[serde(default)]
    #[schema(min_length = 3, max_length = 32)]
    discount_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/registrations", request_body = NewRegistration,
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    description = "Registers: `confirmed` while seats are free, else `waitlisted` with a `position`. Registering someone already registered returns their registration unchanged (200).",
    responses((status = 201, body = Registration), (status = 200, body = Registration), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn register(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f: NewRegistration = json_object_body(body)?;
    let before = app.event_for(Some(&actor), id).await?.registration.filter(|r| r.status.is_active());
    let registration = app.register_for_event_as(&actor, id, f.member_id, f.discount_code.as_deref()).await?;
    let status = if f.member_id.is_none() && before.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(registration_json(&registration, None))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/registrations/{id}",
    params(("id" = i64, Path, minimum = 1, description = "The registration's id")),
    description = "Cancels a registration (one's own, or any for those who manage its event); a seat it held is offered to the next person in line.",
    responses((status = 200, body = Registration), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_registration(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Registration> {
    app.cancel_registration(&actor, id, &identity.request_id).await?;
    Ok(Json(registration_json(&app.registration_for(&actor, id).await?, None)))
}

/// A cheque, transfer or cash payment received for a registration's invoice.
#[derive(Deserialize, ToSchema)]
pub struct RegistrationPayment {
    #[schema(pattern = "^(cheque|transfer|cash)$")]
    method: String,
    /// The cheque number or transfer reference.
    #[serde(default)]
    #[schema(max_length = 100)]
    reference: String,
}

#[utoipa::path(post, path = "/api/v1/registrations/{id}/payment", request_body = RegistrationPayment,
    params(("id" = i64, Path, minimum = 1, description = "The registration's id")),
    description = "Staff record a cheque, transfer or cash payment of a registration's open invoice (a non-member's included); the invoice is paid and a receipt emailed.",
    responses((status = 200, body = Registration), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_payment(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Registration> {
    let payment = json_object_body::<RegistrationPayment>(body)?;
    app.record_registration_payment(&actor, id, &payment.method, &payment.reference, &identity.request_id).await?;
    Ok(Json(registration_json(&app.registration_for(&actor, id).await?, None)))
}

/// One person of an attendance report.
#[derive(Serialize, ToSchema)]
pub struct AttendanceLine {
    name: String,
    email: String,
    /// Minutes attended within the event's times.
    minutes: i64,
    /// The PDH those minutes earn under the event's rule.
    pdh: f64,
}

/// What an attendance report recorded.
#[derive(Serialize, ToSchema)]
pub struct AttendanceResult {
    /// Registrations checked in (or updated) from the report.
    recorded: usize,
    /// Confirmed registrants found in the report.
    matched: Vec<AttendanceLine>,
    /// People in the report who match no confirmed registration (by email).
    unmatched: Vec<AttendanceLine>,
    /// Registrants whose credit was released before: left as they were.
    already_released: Vec<AttendanceLine>,
    /// Rows the file could not read, in words.
    problems: Vec<String>,
}

fn attendance_lines(people: &[guildhall_app::events::Attendee]) -> Vec<AttendanceLine> {
    people
        .iter()
        .map(|a| AttendanceLine {
            name: a.name.clone(),
            email: a.email.clone(),
            minutes: a.minutes,
            pdh: a.credit_micro as f64 / 1_000_000.0,
        })
        .collect()
}

#[utoipa::path(post, path = "/api/v1/events/{id}/attendance",
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    request_body(content = String, content_type = "text/csv",
        description = "The participants report Zoom exports or the attendance report of Microsoft Teams, as downloaded (UTF-8 or UTF-16)."),
    description = "Records a webinar's attendance (those who manage the event, once it has started): registrants found by email are checked in with the minutes attended and the credit those earn.",
    responses((status = 200, body = AttendanceResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn record_attendance(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> ApiResult<AttendanceResult> {
    let report = app.record_attendance(&actor, id, &body, None, &identity.request_id).await?;
    Ok(Json(AttendanceResult {
        recorded: report.recorded,
        matched: attendance_lines(&report.matched),
        unmatched: attendance_lines(&report.unmatched),
        already_released: attendance_lines(&report.already_released),
        problems: report.problems,
    }))
}

/// What releasing an event's credit did.
#[derive(Serialize, ToSchema)]
pub struct CreditReleased {
    /// Members whose ledgers received the credit now.
    credited: usize,
    /// Members whose ledgers had it from an earlier release.
    already: usize,
    /// Attendees without a member record (a certificate, no ledger).
    guests: usize,
    /// Certificates of attendance that stand.
    certificates: usize,
    /// Checked-in attendees whose attendance report earned them no credit.
    without_credit: usize,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/release-credit",
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    description = "Releases the event's PDH into the ledger of every member checked in (once the event is over; again later credits only those checked in since) and gives each attendee a certificate.",
    responses((status = 200, body = CreditReleased), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn release_credit(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<CreditReleased> {
    let r = app.release_credit(&actor, id, &identity.request_id).await?;
    Ok(Json(CreditReleased {
        credited: r.credited,
        already: r.already,
        guests: r.guests,
        certificates: r.certificates,
        without_credit: r.without_credit,
    }))
}
