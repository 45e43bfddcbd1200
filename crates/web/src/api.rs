//! The JSON API under /api/v1: the same use cases and authorisation as the pages,
//! bearer-token or session authentication, consistent error bodies and pagination,
//! described by the OpenAPI document at /api/openapi.json. Each area keeps its operations in
//! its own `api.rs` with its `routes()`; this file holds the document, the shared paging,
//! the `Idempotency-Key` handling every state-changing operation gets, and the fallback.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use guildhall_app::IdempotencyClaim;
use guildhall_app::idempotency::request_fingerprint;
use guildhall_app::records::PageRequest;
use guildhall_app::{App, AppError};
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use crate::error::{ApiError, ErrorBody};
use crate::session::Identity;
use crate::{
    accounts, careers, ce, chapters, communications, credentials, events, knowledge, membership, privacy, publications,
    society,
};

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Guildhall API",
        description = "The JSON API of a Guildhall society. Authenticate with `Authorization: Bearer <token>` (tokens are issued by administrators), or with a browser session plus the `x-csrf-token` header for writes. Any POST, PUT, PATCH or DELETE may carry an `Idempotency-Key` header (1–255 characters): the same key and request within 24 hours returns the first answer again (with `Idempotent-Replayed: true`) and changes nothing; the same key with a different request is refused with 422, and a repeat while the first is still running gets 409."
    ),
    modifiers(&BearerScheme),
    security(("bearer" = [])),
    components(schemas(ErrorBody, StandingCode))
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme every operation is secured by.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token issued by an administrator (`Authorization: Bearer <token>`)."))
                    .build(),
            ),
        );
    }
}

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .merge(accounts::api::routes())
        .merge(chapters::api::routes())
        .merge(society::api::routes())
        .merge(membership::api::routes())
        .merge(ce::api::routes())
        .merge(events::api::routes())
        .merge(privacy::api::routes())
        .merge(credentials::api::routes())
        .merge(knowledge::api::routes())
        .merge(publications::api::routes())
        .merge(communications::api::routes())
        .merge(careers::api_jobs::routes())
        .merge(careers::api_bank::routes())
        .merge(careers::api_salary::routes())
        .route_layer(middleware::from_fn_with_state(app, idempotent))
        .fallback(not_found)
}

/// The header a client sends to make a state-changing request safe to retry.
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer that is a repeat of the first answer to the same key.
const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
/// The largest request and answer bodies an idempotent request keeps.
const IDEMPOTENT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// `Idempotency-Key` on a POST, PUT, PATCH or DELETE by a signed-in caller: the first
/// request with the key runs and its answer is kept for 24 hours; the same key with the
/// same request gets that answer again (`Idempotent-Replayed: true`) and changes nothing;
/// the same key with a different request is refused (422), and while the first is still
/// running a repeat is told so (409).
async fn idempotent(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let changes_state = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let key = request.headers().get(IDEMPOTENCY_KEY).map(|v| v.to_str().map(str::to_string));
    let actor = request.extensions().get::<Identity>().and_then(|i| i.actor.clone());
    let (Some(key), Some(actor), true) = (key, actor, changes_state) else { return next.run(request).await };
    let Ok(key) = key else {
        return ApiError(AppError::invalid("An Idempotency-Key must be printable ASCII.")).into_response();
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, IDEMPOTENT_BODY_LIMIT).await else {
        return ApiError(AppError::TooLarge("The request is too large to send.".into())).into_response();
    };
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let fingerprint = request_fingerprint(parts.method.as_str(), path, &bytes);
    match app.claim_idempotency_key(&actor, &key, &fingerprint).await {
        Err(err) => ApiError(err).into_response(),
        Ok(IdempotencyClaim::Mismatch) => ApiError(AppError::invalid(
            "This Idempotency-Key was used with a different request; use a new key for a new request.",
        ))
        .into_response(),
        Ok(IdempotencyClaim::InProgress) => ApiError(AppError::Conflict {
            message: "A request with this Idempotency-Key is still being answered; try again in a moment.".into(),
            field: None,
        })
        .into_response(),
        Ok(IdempotencyClaim::Replay { status, content_type, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
            response
        }
        Ok(IdempotencyClaim::New) => {
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, IDEMPOTENT_BODY_LIMIT).await.unwrap_or_default();
            let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let text = String::from_utf8_lossy(&bytes);
            if let Err(err) = app.finish_idempotency_key(&actor, &key, parts.status.as_u16(), content_type, &text).await
            {
                tracing::warn!(error = %err, "the answer to an idempotent request could not be kept");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// The whole document: the shared parts here, each area's operations from its own `Doc`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for area in [
        accounts::api::Doc::openapi(),
        chapters::api::Doc::openapi(),
        society::api::Doc::openapi(),
        membership::api::Doc::openapi(),
        ce::api::Doc::openapi(),
        events::api::Doc::openapi(),
        privacy::api::Doc::openapi(),
        credentials::api::Doc::openapi(),
        knowledge::api::Doc::openapi(),
        publications::api::Doc::openapi(),
        communications::api::Doc::openapi(),
        careers::api_jobs::Doc::openapi(),
        careers::api_bank::Doc::openapi(),
        careers::api_salary::Doc::openapi(),
    ] {
        doc.merge(area);
    }
    doc
}

async fn openapi() -> Response {
    Json(document()).into_response()
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("There is no API endpoint at this address; see /api/openapi.json.".into()))
}

/// Pagination parameters shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    #[serde(default, deserialize_with = "crate::kit::query_whole_number")]
    page: Option<u32>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "crate::kit::query_whole_number")]
    per_page: Option<u32>,
}

/// The most items one page of a list holds.
pub(crate) const MAX_PER_PAGE: u32 = 200;
/// The highest page number asked for (beyond it no list of the society's reaches).
pub(crate) const MAX_PAGE: u32 = 1_000_000;

/// A member's standing, as the API names it.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum StandingCode {
    Applied,
    Approved,
    Active,
    RenewalDue,
    Grace,
    Lapsed,
    Cancelled,
    Rejected,
}

impl Paging {
    /// The page asked for; a page below 1 or a page size outside 1–200 is refused (400), not
    /// silently changed.
    pub(crate) fn request(&self) -> Result<PageRequest, AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(AppError::BadRequest(format!("`page` counts from 1 to {MAX_PAGE}.")));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::BadRequest(format!("`per_page` must be from 1 to {MAX_PER_PAGE}.")));
        }
        Ok(PageRequest::new(page, per_page))
    }
}

/// Query parameters, with a malformed query (or a parameter without a value) answered as the
/// API answers every error: a 400 with the JSON error body (axum's own rejection is plain text).
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        // A parameter is given a value or left out: `status=` is refused, not read as absent.
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map_err(|_| ApiError(AppError::BadRequest("The query string is not valid.".into())))?;
        if let Some((name, _)) = pairs.iter().find(|(_, value)| value.is_empty()) {
            return Err(ApiError(AppError::BadRequest(format!("`{name}` has no value; leave it out instead."))));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(AppError::BadRequest(format!(
                "The query string is not valid: {}",
                rejection.body_text().trim_start_matches("Failed to deserialize query string: ")
            )))),
        }
    }
}

/// `{id}` in a member path: a member's id, or `me` for the caller's own record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MemberRef {
    Me,
    Id(i64),
}

impl MemberRef {
    pub(crate) fn parse(raw: &str) -> Result<MemberRef, AppError> {
        match raw {
            "me" => Ok(MemberRef::Me),
            other => crate::kit::positive_id(other)
                .map(MemberRef::Id)
                .ok_or_else(|| AppError::BadRequest("A member is named by a positive id, or `me`.".into())),
        }
    }
}

/// A JSON request body, or the sentence saying why it could not be read (422, as for any
/// input a client can correct).
pub(crate) fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(value)| value)
        .map_err(|e| AppError::invalid(format!("The request body is not valid: {}", e.body_text())))
}

/// A JSON request body that must be an object (as the document declares it): a body whose
/// fields are all optional would otherwise also be read from an array (`[]`).
pub(crate) fn json_object_body<T: serde::de::DeserializeOwned>(
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, axum::extract::rejection::JsonRejection>,
) -> Result<T, AppError> {
    let object = json_body(body)?;
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| AppError::invalid(format!("The request body is not valid: {e}")))
}

/// Whole numbers in JSON request bodies. JSON has one number type, so `20861.0` is the
/// same integer as `20861` (and JSON Schema says so); serde's `i64` refuses it. Fields
/// declared `integer` in the document use these, so the document and the server agree.
pub(crate) mod whole {
    use serde::{Deserialize, Deserializer, de::Error};

    fn from_number<E: Error>(n: &serde_json::Number) -> Result<i64, E> {
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
        match n.as_f64() {
            Some(f) if f.fract() == 0.0 && (-9.007_199_254_740_992e15..=9.007_199_254_740_992e15).contains(&f) =>
            {
                #[allow(clippy::cast_possible_truncation)]
                Ok(f as i64)
            }
            _ => Err(E::custom(format!("{n} is not a whole number in range"))),
        }
    }

    /// A required whole number.
    pub(crate) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        from_number(&serde_json::Number::deserialize(d)?)
    }

    /// An optional whole number (absent or `null` is `None`); use with `#[serde(default)]`.
    pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<serde_json::Number>::deserialize(d)?.as_ref().map(from_number).transpose()
    }
}
