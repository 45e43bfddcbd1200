//! The society API: the audit log and the outgoing mail (staff).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use guildhall_app::records::AuditFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// The society API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/v1/audit-log", get(audit_log)).route("/api/v1/mail", get(outgoing_mail))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(audit_log, outgoing_mail), components(schemas(AuditEntry, AuditPage, Mail, MailPage)))]
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
                last_error: m.last_error,
            })
            .collect(),
    }))
}
