//! The society API: the audit log and the outgoing mail (staff); the society's settings
//! (administrators), as the admin settings page edits them.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use guildhall_app::records::AuditFilter;
use guildhall_app::society::BrandingForm;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// The society API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/audit-log", get(audit_log))
        .route("/api/v1/mail", get(outgoing_mail))
        .route("/api/v1/mail/{id}", get(mail_message))
        .route("/api/v1/mail/{id}/attachment", get(mail_attachment))
        .route("/api/v1/settings", get(settings).patch(save_settings))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(audit_log, outgoing_mail, mail_message, mail_attachment, settings, save_settings),
    components(schemas(AuditEntry, AuditPage, Mail, MailPage, MailMessage, Settings, SettingsChange))
)]
pub struct Doc;

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    id: i64,
    /// Unix seconds.
    occurred_at: i64,
    actor_user_id: Option<i64>,
    actor: String,
    action: String,
    subject_kind: String,
    subject_id: Option<i64>,
    subject: String,
    chapter_id: Option<i64>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    request_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEntry>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    #[param(min_length = 1)]
    action: Option<String>,
    #[param(min_length = 1)]
    subject_kind: Option<String>,
    subject_id: Option<i64>,
    actor_user_id: Option<i64>,
    /// Unix seconds, inclusive.
    from: Option<i64>,
    /// Unix seconds, exclusive.
    until: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit-log", params(Paging, AuditParams),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<AuditPage> {
    let filter = AuditFilter {
        actor_user_id: params.actor_user_id,
        action: params.action,
        subject_kind: params.subject_kind,
        subject_id: params.subject_id,
        from: params.from,
        until: params.until,
    };
    let page = app.audit_log(&actor, &filter, paging.request()?).await?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Json(AuditPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|e| AuditEntry {
                id: e.id,
                occurred_at: e.occurred_at,
                actor_user_id: e.actor_user_id,
                actor: e.actor_label,
                action: e.action,
                subject_kind: e.subject_kind,
                subject_id: e.subject_id,
                subject: e.subject_label,
                chapter_id: e.chapter_id,
                before: parse(e.before_json),
                after: parse(e.after_json),
                request_id: e.request_id,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Mail {
    id: i64,
    to: String,
    subject: String,
    /// pending, sent or failed
    status: String,
    attempts: i64,
    created_at: i64,
    sent_at: Option<i64>,
    last_error: Option<String>,
    /// The attached file's name, when the message carries one (read it at
    /// `/api/v1/mail/{id}/attachment`).
    attachment: Option<String>,
    /// The headers it went out with (`From`, `To`, `Subject`, `Return-Path`,
    /// `List-Unsubscribe`, …), once it has been sent to the local mailbox.
    headers: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct MailPage {
    items: Vec<Mail>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/mail", params(Paging),
    responses((status = 200, body = MailPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn outgoing_mail(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<MailPage> {
    let page = app.outgoing_mail(&actor, None, paging.request()?).await?;
    Ok(Json(MailPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|m| Mail {
                id: m.id,
                to: m.to_address,
                subject: m.subject,
                status: m.status,
                attempts: m.attempts,
                created_at: m.created_at,
                sent_at: m.sent_at,
                headers: mail_headers(m.headers.as_deref()),
                last_error: m.last_error,
                attachment: m.attachment_name,
            })
            .collect(),
    }))
}

/// One outgoing message. Its body is shown while mail is kept in the local mailbox (sign-in
/// links hidden unless an administrator reads mail to a lower role); with SMTP, a sentence
/// says so instead.
#[derive(Serialize, ToSchema)]
pub struct MailMessage {
    id: i64,
    to: String,
    subject: String,
    body: String,
    /// pending, sent or failed
    status: String,
    attempts: i64,
    /// ISO 8601 instants.
    created_at: String,
    sent_at: Option<String>,
    last_error: Option<String>,
    /// The attached file's name, when the message carries one.
    attachment: Option<String>,
    /// The headers it went out with, once it has been sent to the local mailbox.
    headers: BTreeMap<String, String>,
}

#[utoipa::path(get, path = "/api/v1/mail/{id}", params(("id" = i64, Path, minimum = 1, description = "The message's id")),
    responses((status = 200, body = MailMessage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mail_message(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<MailMessage> {
    let m = app.mail_message(&actor, id).await?;
    Ok(Json(MailMessage {
        id: m.id,
        to: m.to_address,
        subject: m.subject,
        body: m.body_text,
        status: m.status,
        attempts: m.attempts,
        created_at: crate::kit::iso_time(m.created_at),
        sent_at: m.sent_at.map(crate::kit::iso_time),
        headers: mail_headers(m.headers.as_deref()),
        last_error: m.last_error,
        attachment: m.attachment_name,
    }))
}

/// A message's kept headers (a JSON object of strings) as name and value.
pub(crate) fn mail_headers(kept: Option<&str>) -> BTreeMap<String, String> {
    kept.and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
}

/// A message's attachment (a registration's calendar file), while mail is kept in the local
/// mailbox.
#[utoipa::path(get, path = "/api/v1/mail/{id}/attachment", params(("id" = i64, Path, minimum = 1, description = "The message's id")),
    responses((status = 200, description = "The attached file as sent", content((String = "text/calendar"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mail_attachment(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, crate::error::ApiError> {
    Ok(crate::kit::attachment_response(app.mail_attachment(&actor, id).await?))
}

/// The society's settings, as the admin settings page shows them.
#[derive(Serialize, ToSchema)]
pub struct Settings {
    /// The society's name.
    name: String,
    tagline: String,
    /// `#` and six hex digits.
    primary_colour: String,
    /// An https:// or site-relative address, or empty.
    logo_url: String,
    /// The ISO 4217 code of the society's currency (money is in its cents).
    currency: String,
}

#[utoipa::path(get, path = "/api/v1/settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn settings(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Settings> {
    let b = app.society_settings(&actor).await?;
    Ok(Json(settings_of(b)))
}

fn settings_of(b: guildhall_app::Branding) -> Settings {
    Settings {
        name: b.name,
        tagline: b.tagline,
        primary_colour: b.primary_colour,
        logo_url: b.logo_url,
        currency: b.currency,
    }
}

/// The settings to change; those left out keep their value.
#[derive(Deserialize, ToSchema)]
pub struct SettingsChange {
    /// At most 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    name: Option<String>,
    /// At most 200 characters.
    #[schema(max_length = 200)]
    tagline: Option<String>,
    /// `#` and six hex digits, like #1d4e89.
    #[schema(pattern = r"^#[0-9a-fA-F]{6}$")]
    primary_colour: Option<String>,
    /// Starts with https:// or /, at most 500 characters; empty for none.
    #[schema(max_length = 500)]
    logo_url: Option<String>,
    /// An ISO 4217 currency code, like USD or CAD.
    #[schema(pattern = r"^[A-Za-z]{3}$")]
    currency: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/settings", request_body = SettingsChange,
    responses((status = 200, body = Settings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_settings(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Settings> {
    let now = app.society_settings(&actor).await?;
    let change = json_object_body::<SettingsChange>(body)?;
    let form = BrandingForm {
        name: change.name.unwrap_or(now.name),
        tagline: change.tagline.unwrap_or(now.tagline),
        primary_colour: change.primary_colour.unwrap_or(now.primary_colour),
        logo_url: change.logo_url.unwrap_or(now.logo_url),
        currency: change.currency.unwrap_or(now.currency),
    };
    let b = app.save_branding(&actor, &form, &identity.request_id).await?;
    Ok(Json(settings_of(b)))
}
