//! The privacy API: a person's own consents (withdrawing an optional one), the download of
//! everything the society holds about them, asking to be erased; staff's queue of erasure
//! requests — as the privacy pages do.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use guildhall_app::privacy::ConsentView;
use guildhall_app::records::Page;
use guildhall_app::{App, AppError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::{ApiQuery, ApiResult, Paging};
use crate::error::{ApiError, ErrorBody};
use crate::kit::iso_time;
use crate::session::ApiActor;

/// The privacy API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/me/consents", get(consents))
        .route("/api/v1/me/consents/{id}/withdraw", post(withdraw_consent))
        .route("/api/v1/me/data", get(my_data))
        .route("/api/v1/me/erasure-request", post(request_erasure))
        .route("/api/v1/erasure-requests", get(erasure_requests))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(consents, withdraw_consent, my_data, request_erasure, erasure_requests),
    components(schemas(Consent, ConsentPage, ErasureRequested, ErasureRequest, ErasureRequestPage))
)]
pub struct Doc;

/// Something the person agreed to, and when.
#[derive(Serialize, ToSchema)]
pub struct Consent {
    id: i64,
    /// terms, privacy_notice or directory_details
    purpose: Option<String>,
    /// What was agreed to, in words.
    what: String,
    version: String,
    /// ISO 8601 instants.
    given_at: String,
    /// Where it was given (sign-up, the privacy page, …).
    source: String,
    withdrawn_at: Option<String>,
    /// Whether it can be withdrawn (only optional consents, while given).
    can_withdraw: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentPage {
    items: Vec<Consent>,
    page: u32,
    per_page: u32,
    total: i64,
}

fn consent_of(c: ConsentView) -> Consent {
    Consent {
        id: c.id,
        can_withdraw: c.can_withdraw(),
        purpose: c.purpose.map(|p| p.code().to_string()),
        what: c.what,
        version: c.version,
        given_at: iso_time(c.given_at),
        source: c.source,
        withdrawn_at: c.withdrawn_at.map(iso_time),
    }
}

#[utoipa::path(get, path = "/api/v1/me/consents", params(Paging),
    responses((status = 200, body = ConsentPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn consents(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<ConsentPage> {
    let request = paging.request()?;
    let all = app.privacy_overview(&actor).await?.consents.into_iter().map(consent_of).collect();
    let page = Page::of_all(all, request);
    Ok(Json(ConsentPage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

#[utoipa::path(post, path = "/api/v1/me/consents/{id}/withdraw",
    params(("id" = i64, Path, minimum = 1, description = "The consent's id")),
    responses((status = 200, body = Consent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_consent(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Consent> {
    app.withdraw_consent(&actor, id, &identity.request_id).await?;
    app.privacy_overview(&actor)
        .await?
        .consents
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| Json(consent_of(c)))
        .ok_or_else(|| ApiError(AppError::NotFound("No such consent.".into())))
}

#[utoipa::path(get, path = "/api/v1/me/data",
    responses((status = 200, description = "A ZIP of every record the society holds about the caller, as /privacy/my-data.zip",
               content_type = "application/zip", body = Vec<u8>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn my_data(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> Result<Response, ApiError> {
    let bytes = app.my_data_zip(&actor).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.zip\"".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The request was sent to the society office; they answer by email.
#[derive(Serialize, ToSchema)]
pub struct ErasureRequested {
    /// ISO 8601 instant of the request.
    requested_at: Option<String>,
    message: String,
}

#[utoipa::path(post, path = "/api/v1/me/erasure-request",
    responses((status = 202, body = ErasureRequested), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn request_erasure(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
) -> Result<Response, ApiError> {
    app.request_erasure(&actor, &identity.request_id).await?;
    let requested_at = app.privacy_overview(&actor).await?.erasure_requested_at.map(iso_time);
    let body = ErasureRequested {
        requested_at,
        message: "Your request to be erased was sent to the society office. They will email you.".into(),
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// A request to be erased, waiting for staff.
#[derive(Serialize, ToSchema)]
pub struct ErasureRequest {
    id: i64,
    account_id: Option<i64>,
    member_id: Option<i64>,
    name: Option<String>,
    email: Option<String>,
    member_number: Option<String>,
    /// ISO 8601 instant.
    requested_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErasureRequestPage {
    items: Vec<ErasureRequest>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/erasure-requests", params(Paging),
    responses((status = 200, body = ErasureRequestPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn erasure_requests(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<ErasureRequestPage> {
    let request = paging.request()?;
    let all = app
        .erasure_requests(&actor)
        .await?
        .into_iter()
        .map(|r| ErasureRequest {
            id: r.id,
            account_id: r.user_id,
            member_id: r.member_id,
            name: r.account_name,
            email: r.account_email,
            member_number: r.member_number,
            requested_at: iso_time(r.requested_at),
        })
        .collect();
    let page = Page::of_all(all, request);
    Ok(Json(ErasureRequestPage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}
