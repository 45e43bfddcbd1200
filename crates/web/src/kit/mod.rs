//! What every page is built with: the chrome around it (title, navigation, branding),
//! form state with its messages, rendering, pagination links, dates, and the notice shown
//! after a change.
//!
//! Files: `mod.rs` (all of that), `charts.rs` (server-rendered SVG charts), `confirm.rs`
//! (the confirmation page destructive actions open first).

pub mod charts;
pub mod confirm;

pub use confirm::{ConfirmInput, ConfirmPage, Confirmation, is_confirmed};

use std::collections::BTreeMap;

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};
use guildhall_app::{Actor, App, AppError, Branding};
use guildhall_domain::identity::Role;
use serde::Deserialize;
use time::{Date, OffsetDateTime, macros::format_description};

use crate::error::{HtmlError, status_of};
use crate::session::Identity;

pub type PageResult = Result<Response, HtmlError>;

/// What every page's layout needs.
pub struct Chrome {
    pub title: String,
    pub branding: Branding,
    pub actor: Option<Actor>,
    pub csrf: String,
    pub request_id: String,
    pub section: &'static str,
    pub subsection: &'static str,
    pub is_staff: bool,
    pub is_admin: bool,
    pub officer_chapters: Vec<i64>,
}

impl Chrome {
    pub async fn new(app: &App, identity: &Identity, title: &str, section: &'static str) -> Self {
        let actor = identity.actor.clone();
        Chrome {
            title: title.into(),
            branding: app.branding().await,
            is_staff: actor.as_ref().is_some_and(Actor::is_staff),
            is_admin: actor.as_ref().is_some_and(|a| a.role == Role::Admin),
            officer_chapters: actor
                .as_ref()
                .map(|a| a.officer_of.iter().take(1).copied().collect())
                .unwrap_or_default(),
            actor,
            csrf: identity.csrf_token.clone(),
            request_id: identity.request_id.clone(),
            section,
            subsection: "",
        }
    }

    pub fn in_subsection(mut self, subsection: &'static str) -> Self {
        self.subsection = subsection;
        self
    }
}

/// A cheque, transfer or cash payment as staff record it (a member's invoice, an event
/// registration's).
#[derive(Deserialize, Default)]
pub struct OfflinePaymentForm {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reference: String,
}

/// Messages for a form shown again after a refused submission.
#[derive(Default)]
pub struct FormState {
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl FormState {
    /// The message for one field, if it was refused.
    pub fn error(&self, field: &str) -> Option<&String> {
        self.fields.get(field)
    }

    pub fn from_error(err: &AppError) -> Self {
        match err {
            AppError::Validation { message, fields } => FormState { message: message.clone(), fields: fields.clone() },
            other => FormState { message: crate::error::public_message(other), fields: BTreeMap::new() },
        }
    }
}

pub fn render(template: &impl Template) -> PageResult {
    template.render().map(|html| Html(html).into_response()).map_err(|e| HtmlError(AppError::Internal(e.to_string())))
}

/// Renders a form again with the error's status code (422, 429, …).
pub fn rerender(template: &impl Template, err: &AppError) -> PageResult {
    let mut response = render(template)?;
    *response.status_mut() = status_of(err);
    if let AppError::RateLimited { retry_after_secs, .. } = err
        && let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
    }
    Ok(response)
}

pub fn fmt_time(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format_description!("[year]-[month]-[day] [hour]:[minute]")).ok())
        .unwrap_or_default()
}

/// An instant as ISO 8601 (RFC 3339, UTC), as the API gives every time.
pub fn iso_time(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// An optional id from a form or query (`""` is none); anything else but a positive
/// integer is refused with "Choose a {what} from the list."
pub fn parse_id(raw: &str, what: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(AppError::invalid(format!("Choose a {what} from the list."))),
    }
}

/// A positive whole number as an address writes it: `158`, or `158.0` (JSON Schema, which
/// the API's document follows, counts a number with no fractional part as an integer).
pub fn positive_id(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let whole = match raw.split_once('.') {
        Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => raw,
    };
    whole.parse::<i64>().ok().filter(|id| *id > 0)
}

/// A whole number in a query string, also written `2.0` (see [`positive_id`]): for
/// `#[serde(deserialize_with)]` on an `Option<u32>`; the range is checked by its reader.
pub fn query_whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let Some(raw) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let digits = match raw.trim().split_once('.') {
        Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole.to_string(),
        _ => raw.trim().to_string(),
    };
    digits.parse::<u32>().map(Some).map_err(|_| serde::de::Error::custom(format!("{raw} is not a whole number")))
}

/// An id in a page's path: a positive whole number, else 400 (the address is wrong).
pub fn path_id(raw: &str, what: &str) -> Result<i64, AppError> {
    positive_id(raw).ok_or_else(|| AppError::BadRequest(format!("A {what} is named by a positive whole number.")))
}

#[cfg(test)]
mod id_tests {
    #[test]
    fn ids_are_positive_whole_numbers_however_written() {
        for (raw, id) in [("158", Some(158)), (" 7 ", Some(7)), ("158.0", Some(158)), ("3.00", Some(3))] {
            assert_eq!(super::positive_id(raw), id, "{raw}");
        }
        for raw in ["0", "-4", "1.5", "2.", ".0", "1e3", "abc", "", "0.0"] {
            assert_eq!(super::positive_id(raw), None, "{raw}");
        }
    }
}

pub fn parse_date(raw: &str) -> Option<Date> {
    Date::parse(raw.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Where to go after signing in, as the address carried it (`next`): only a path on this
/// site (`/ce?tab=1`), never another site (`//evil.example`, `https://…`, `/\\evil`, or a
/// path a browser would read as one after dropping tabs and line breaks).
pub fn local_path(raw: &str) -> Option<&str> {
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 2000
        && !raw.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    local.then_some(raw)
}

/// The sign-in page, remembering the page asked for (the dashboard, where sign-in goes
/// anyway, is not written out).
pub fn sign_in_path(asked: &str) -> String {
    match local_path(asked) {
        Some(path) if path != "/dashboard" && path != "/" => format!("/sign-in?{}", query_string(&[("next", path)])),
        _ => "/sign-in".to_string(),
    }
}

/// Where sign-in goes once complete: the page asked for, else the dashboard.
pub fn after_sign_in(next: &str, linked_member: bool) -> String {
    match local_path(next) {
        Some(path) => path.to_string(),
        None if linked_member => "/dashboard?linked=1".to_string(),
        None => "/dashboard".to_string(),
    }
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
}

/// Pagination links that keep the other query parameters.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    base: String,
}

impl Pager {
    pub fn new<T>(page: &guildhall_app::records::Page<T>, base: String) -> Self {
        Pager { page: page.page, pages: page.page_count(), total: page.total, base }
    }

    /// A pager for a list paged in memory (page `page` of `pages`, `total` items in all).
    pub fn from_parts(page: u32, pages: u32, total: i64, base: String) -> Self {
        Pager { page, pages, total, base }
    }

    pub fn link(&self, page: u32) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}page={page}", self.base)
    }
}

pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[derive(Deserialize)]
pub struct EmptyForm {}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub q: String,
}

// ---------------------------------------------------------------- errors

#[derive(Template)]
#[template(path = "layout/error.html")]
pub struct ErrorPage {
    chrome: Chrome,
    heading: String,
    message: String,
}

/// Renders the error page for a status and message (used by the error-page middleware).
pub async fn error_page(app: &App, identity: &Identity, status: axum::http::StatusCode, message: &str) -> Response {
    let heading = match status.as_u16() {
        400 => "Please check what you entered",
        422 => "That could not be done",
        401 => "Please sign in",
        403 => "You cannot open this page",
        404 => "Page not found",
        405 => "That action is not available here",
        409 => "That conflicts with existing data",
        408 => "That took too long to arrive",
        413 => "That is too large",
        429 => "Too many attempts",
        _ => "Something went wrong",
    };
    let page = ErrorPage {
        chrome: Chrome::new(app, identity, heading, "").await,
        heading: heading.into(),
        message: message.into(),
    };
    let mut response = match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => message.to_string().into_response(),
    };
    *response.status_mut() = status;
    response
}

/// `?done=…` after a change: a fixed sentence, never text from the address.
#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

impl DoneQuery {
    pub fn done(&self) -> &str {
        &self.done
    }
}

pub fn notice_for(done: &str) -> String {
    match done {
        "tier_created" => "The tier was added.",
        "tier_saved" => "The tier was saved.",
        "tier_deleted" => "The tier was deleted.",
        "group_created" => "The group was added.",
        "group_saved" => "The group was saved.",
        "group_added" => "The member was added to the group.",
        "group_removed" => "The member was removed from the group.",
        "appointed" => "The officer was appointed.",
        "term_ended" => "The officer's term was ended.",
        "officer_fields" => "The fields officers may edit were saved.",
        "linked" => "The member was linked: their standing now follows the payer's.",
        "unlinked" => "The link was ended: the member's own standing applies again.",
        "organisation" => "The organisational membership was saved.",
        "membership_changed" => "The tier, chapter and email address were saved.",
        _ => "",
    }
    .to_string()
}

pub fn done(path: &str, what: &str) -> PageResult {
    let sep = if path.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{path}{sep}done={what}")).into_response())
}

/// Why a multipart form (an upload) could not be read: too large (413), or not readable.
pub fn multipart_problem(e: axum::extract::multipart::MultipartError, what: &str) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(format!("{what} is too large to send."))
    } else {
        AppError::invalid(format!("{what} could not be read: {}", e.body_text()))
    }
}

/// A message's attachment as a download, never cached.
pub fn attachment_response(file: guildhall_app::records::MailAttachment) -> Response {
    use axum::http::header;
    let file_name: String = file.name.chars().filter(|c| c.is_ascii_graphic() && *c != '"').collect();
    (
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.body,
    )
        .into_response()
}

/// A stored document as a download (`inline` to open in the browser), never cached.
pub fn document_response(doc: guildhall_app::uploads::Document, inline: bool) -> Response {
    use axum::http::header;
    let disposition = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, doc.content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{}\"", doc.file_name)),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        doc.bytes,
    )
        .into_response()
}
