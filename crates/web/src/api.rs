//! The JSON API under /api/v1: the same use cases and authorisation as the pages,
//! bearer-token or session authentication, consistent error bodies and pagination,
//! described by the OpenAPI document at /api/openapi.json.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use guildhall_app::records::{AuditFilter, PageRequest};
use guildhall_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::session::ApiActor;

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Guildhall API",
        description = "The JSON API of a Guildhall society. Authenticate with `Authorization: Bearer <token>` (tokens are issued by administrators), or with a browser session plus the `x-csrf-token` header for writes."
    ),
    paths(me, chapters, audit_log, outgoing_mail, accounts, set_account_role),
    components(schemas(
        ErrorBody,
        Me,
        Chapter,
        AuditEntry,
        AuditPage,
        Mail,
        MailPage,
        Account,
        AccountPage,
        RoleChange
    ))
)]
pub struct ApiDoc;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/chapters", get(chapters))
        .route("/api/v1/audit-log", get(audit_log))
        .route("/api/v1/mail", get(outgoing_mail))
        .route("/api/v1/accounts", get(accounts))
        .route("/api/v1/accounts/{id}/role", axum::routing::put(set_account_role))
        .fallback(not_found)
}

async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("There is no API endpoint at this address; see /api/openapi.json.".into()))
}

/// Pagination parameters shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Paging {
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–200 (default 50).
    per_page: Option<u32>,
}

impl Paging {
    fn request(&self) -> PageRequest {
        PageRequest::new(self.page.unwrap_or(1), self.per_page.unwrap_or(50))
    }
}

/// The signed-in person or the token's owner.
#[derive(Serialize, ToSchema)]
pub struct Me {
    id: i64,
    email: String,
    display_name: String,
    /// member, staff or admin
    role: String,
    /// Chapters the person is an officer of today.
    officer_of: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiActor(actor, _): ApiActor) -> ApiResult<Me> {
    Ok(Json(Me {
        id: actor.user_id,
        email: actor.email,
        display_name: actor.display_name,
        role: actor.role.as_str().into(),
        officer_of: actor.officer_of,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Chapter {
    id: i64,
    slug: String,
    name: String,
    /// chapter or student_chapter
    kind: String,
    region: String,
}

#[utoipa::path(get, path = "/api/v1/chapters", responses((status = 200, body = [Chapter]), (status = 401, body = ErrorBody)))]
async fn chapters(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Vec<Chapter>> {
    let chapters = app.chapters(&actor).await?;
    Ok(Json(
        chapters
            .into_iter()
            .map(|c| Chapter { id: c.id, slug: c.slug, name: c.name, kind: c.kind, region: c.region })
            .collect(),
    ))
}

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
pub struct AuditParams {
    action: Option<String>,
    subject_kind: Option<String>,
    subject_id: Option<i64>,
    actor_user_id: Option<i64>,
    /// Unix seconds, inclusive.
    from: Option<i64>,
    /// Unix seconds, exclusive.
    until: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit-log", params(Paging, AuditParams),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Query(paging): Query<Paging>,
    Query(params): Query<AuditParams>,
) -> ApiResult<AuditPage> {
    let filter = AuditFilter {
        actor_user_id: params.actor_user_id,
        action: params.action,
        subject_kind: params.subject_kind,
        subject_id: params.subject_id,
        from: params.from,
        until: params.until,
    };
    let page = app.audit_log(&actor, &filter, paging.request()).await?;
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
    responses((status = 200, body = MailPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn outgoing_mail(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Query(paging): Query<Paging>,
) -> ApiResult<MailPage> {
    let page = app.outgoing_mail(&actor, None, paging.request()).await?;
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

#[derive(Serialize, ToSchema)]
pub struct Account {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    email_verified: bool,
    created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AccountPage {
    items: Vec<Account>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AccountParams {
    /// Part of a name or email address.
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/accounts", params(Paging, AccountParams),
    responses((status = 200, body = AccountPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn accounts(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Query(paging): Query<Paging>,
    Query(params): Query<AccountParams>,
) -> ApiResult<AccountPage> {
    let search = params.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let page = app.list_accounts(&actor, search, paging.request()).await?;
    Ok(Json(AccountPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|u| Account {
                id: u.id,
                email: u.email,
                display_name: u.display_name,
                role: u.role,
                email_verified: u.email_verified_at.is_some(),
                created_at: u.created_at,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleChange {
    /// member, staff or admin
    role: String,
}

#[utoipa::path(put, path = "/api/v1/accounts/{id}/role", request_body = RoleChange,
    responses((status = 200, body = Account), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_account_role(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<RoleChange>, JsonRejection>,
) -> ApiResult<Account> {
    let Json(change) =
        body.map_err(|e| AppError::invalid(format!("The request body is not valid: {}", e.body_text())))?;
    let user = app.set_role(&actor, id, &change.role, &identity.request_id).await?;
    Ok(Json(Account {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role,
        email_verified: user.email_verified_at.is_some(),
        created_at: user.created_at,
    }))
}
