//! The credentials API: a member's credentials (staff: anyone's, filtered), staff issuing
//! designations and changing a credential's status, one credential in both proof forms,
//! and verification for anyone (no authentication) — as the credential pages do.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use guildhall_app::credentials::{AwardRequest, Verification, share_code, verdict_in_words};
use guildhall_app::records::{CredentialFilter, CredentialRecord};
use guildhall_app::{App, AppError};
use guildhall_domain::credentials::{CredentialKind, CredentialStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body, whole};
use crate::error::{ApiError, ErrorBody};
use crate::kit::{iso_time, parse_date};
use crate::session::ApiActor;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/credentials", get(list_credentials).post(issue_credential))
        .route("/api/v1/credentials/{id}", get(get_credential))
        .route("/api/v1/credentials/{id}/status", post(change_status))
        .route("/api/v1/verify", post(verify))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_credentials, issue_credential, get_credential, change_status, verify),
    components(schemas(
        Credential,
        CredentialPage,
        NewDesignation,
        CredentialStatusChange,
        VerifyRequest,
        VerifyResult,
        VerifiedClaims
    ))
)]
pub struct Doc;

/// A credential the society issued.
#[derive(Serialize, ToSchema)]
pub struct Credential {
    id: i64,
    /// The credential's own id (`urn:uuid:…`).
    uuid: String,
    member_id: i64,
    /// course, award, membership or compliance
    kind: String,
    name: String,
    /// active, suspended or revoked
    status: String,
    /// Why it was suspended or revoked.
    #[serde(skip_serializing_if = "String::is_empty")]
    status_reason: String,
    /// The page anyone can open to verify it.
    share_url: String,
    /// ISO 8601 instants.
    issued_at: String,
    valid_from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<String>,
    /// The credential as a compact VC-JWT (present when one credential is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    jwt: Option<String>,
    /// The credential as JSON-LD with its Data Integrity proof (one credential only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    json_ld: Option<serde_json::Value>,
}

/// A credential as the API gives it: with both proof forms when `whole_credential`.
async fn credential_of(app: &App, c: CredentialRecord, whole_credential: bool) -> Result<Credential, AppError> {
    let json_ld = match whole_credential {
        true => serde_json::from_str(&app.credential_json_ld(&c).await?).ok(),
        false => None,
    };
    Ok(Credential {
        share_url: app.link(&format!("/credentials/{}", share_code(&c))),
        id: c.id,
        member_id: c.member_id,
        kind: c.kind.code().into(),
        name: c.name,
        status: c.status.code().into(),
        status_reason: c.status_reason,
        issued_at: iso_time(c.issued_at),
        valid_from: iso_time(c.valid_from),
        valid_until: c.valid_until.map(iso_time),
        jwt: whole_credential.then_some(c.jwt),
        json_ld,
        uuid: c.uuid,
    })
}

#[derive(Serialize, ToSchema)]
pub struct CredentialPage {
    items: Vec<Credential>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CredentialQuery {
    /// Only this member's (staff; a member always sees only their own).
    #[param(value_type = Option<i64>, minimum = 1)]
    member_id: Option<String>,
    #[param(pattern = "^(course|award|membership|compliance)$")]
    kind: Option<String>,
    #[param(pattern = "^(active|suspended|revoked)$")]
    status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/credentials", params(Paging, CredentialQuery),
    responses((status = 200, body = CredentialPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn list_credentials(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(q): ApiQuery<CredentialQuery>,
) -> ApiResult<CredentialPage> {
    let request = paging.request()?;
    let member_id = match q.member_id.as_deref() {
        None => None,
        Some(raw) => Some(
            crate::kit::positive_id(raw)
                .ok_or_else(|| ApiError(AppError::BadRequest("`member_id` is a positive id.".into())))?,
        ),
    };
    let kind = match q.kind.as_deref() {
        None => None,
        Some(code) => Some(
            CredentialKind::from_code(code).ok_or_else(|| AppError::BadRequest(format!("Unknown kind {code:?}.")))?,
        ),
    };
    let status = match q.status.as_deref() {
        None => None,
        Some(code) => Some(
            CredentialStatus::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("Unknown status {code:?}.")))?,
        ),
    };
    let page = app.list_credentials(&actor, CredentialFilter { member_id, kind, status }, request).await?;
    Ok(Json(CredentialPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: {
            let mut items = Vec::with_capacity(page.items.len());
            for c in page.items {
                items.push(credential_of(&app, c, false).await?);
            }
            items
        },
    }))
}

/// A designation or award for a member (staff).
#[derive(Deserialize, ToSchema)]
pub struct NewDesignation {
    #[serde(deserialize_with = "whole::number")]
    #[schema(minimum = 1)]
    member_id: i64,
    /// "Fellow", "Life Member", "Chapter President".
    #[schema(min_length = 1, max_length = 120)]
    achievement: String,
    /// What it recognises.
    #[schema(min_length = 1, max_length = 2000)]
    description: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    criteria: String,
    /// An office held, for an officer's term.
    #[serde(default)]
    role: String,
    /// The period ("2025–2026").
    #[serde(default)]
    term: String,
    /// ISO 8601 date of the last valid day; leave out for no end.
    #[serde(default)]
    #[schema(format = Date)]
    valid_until: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/credentials", request_body = NewDesignation,
    responses((status = 201, body = Credential), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_credential(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<NewDesignation>(body)?;
    let valid_until = match f.valid_until.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(raw) => Some(
            parse_date(raw).ok_or_else(|| AppError::invalid_field("valid_until", "Give the date as YYYY-MM-DD."))?,
        ),
    };
    let award = AwardRequest {
        member_id: f.member_id,
        name: f.achievement,
        description: f.description,
        criteria: f.criteria,
        role: f.role,
        term: f.term,
        valid_until,
    };
    let record = app.issue_award(&actor, &award, &identity.request_id).await?;
    Ok((StatusCode::CREATED, Json(credential_of(&app, record, true).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/credentials/{id}",
    params(("id" = i64, Path, minimum = 1, description = "The credential's id")),
    responses((status = 200, body = Credential), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_credential(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Credential> {
    let record = app.credential_for(&actor, id).await?;
    Ok(Json(credential_of(&app, record, true).await?))
}

/// A new status, with the reason verifiers and the holder are told.
#[derive(Deserialize, ToSchema)]
pub struct CredentialStatusChange {
    /// revoked (final), suspended (membership and designations) or active (restore)
    #[schema(pattern = "^(active|suspended|revoked)$")]
    status: String,
    /// Required to revoke or suspend.
    #[serde(default)]
    #[schema(max_length = 500)]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/credentials/{id}/status", request_body = CredentialStatusChange,
    params(("id" = i64, Path, minimum = 1, description = "The credential's id")),
    responses((status = 200, body = Credential), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn change_status(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Credential> {
    let f = json_object_body::<CredentialStatusChange>(body)?;
    let to = CredentialStatus::from_code(&f.status)
        .ok_or_else(|| AppError::invalid_field("status", "The status is active, suspended or revoked."))?;
    let record = app.change_credential_status(&actor, id, to, &f.reason, &identity.request_id).await?;
    Ok(Json(credential_of(&app, record, true).await?))
}

/// A credential to check: a compact VC-JWT (a string), or JSON-LD with its proof (an object).
#[derive(Deserialize, ToSchema)]
pub struct VerifyRequest {
    #[schema(schema_with = jwt_or_json_ld)]
    credential: serde_json::Value,
}

/// The verifier's input: a VC-JWT (a non-empty string) or a JSON-LD credential (an object).
fn jwt_or_json_ld() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .description(Some("A compact VC-JWT")),
            )
            .item(
                ObjectBuilder::new().schema_type(Type::Object).description(Some("JSON-LD with a Data Integrity proof")),
            )
            .build(),
    )
}

/// What a credential claims, once its signature checked out.
#[derive(Serialize, ToSchema)]
pub struct VerifiedClaims {
    id: String,
    issuer: String,
    holder: String,
    achievement: String,
    achievement_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    credits_earned: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<String>,
    /// jwt or data_integrity
    proof: String,
}

/// The verdict.
#[derive(Serialize, ToSchema)]
pub struct VerifyResult {
    valid: bool,
    /// valid, unreadable, other_issuer, unknown_key, tampered, not_yet_valid, expired,
    /// suspended, revoked or no_record
    verdict: String,
    /// The verdict in a sentence (with the reason, when revoked or suspended).
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<VerifiedClaims>,
}

fn result_of(v: Verification) -> VerifyResult {
    let format = time::format_description::well_known::Rfc3339;
    VerifyResult {
        valid: v.verdict.is_valid(),
        verdict: v.verdict.code().into(),
        message: verdict_in_words(&v.verdict),
        credential: v.claims.map(|c| VerifiedClaims {
            id: c.id,
            issuer: c.issuer,
            holder: c.holder,
            achievement: c.achievement,
            achievement_type: c.achievement_type,
            credits_earned: c.credits_earned,
            valid_until: c.valid_until.and_then(|u| u.format(&format).ok()),
            proof: match c.proof {
                guildhall_app::credentials::Proof::Jwt => "jwt".into(),
                guildhall_app::credentials::Proof::DataIntegrity => "data_integrity".into(),
            },
        }),
    }
}

#[utoipa::path(post, path = "/api/v1/verify", request_body = VerifyRequest, security(()),
    responses((status = 200, body = VerifyResult), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn verify(
    State(app): State<Arc<App>>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<VerifyResult> {
    let f = json_object_body::<VerifyRequest>(body)?;
    let text = match f.credential {
        serde_json::Value::String(s) => s,
        serde_json::Value::Object(o) => serde_json::Value::Object(o).to_string(),
        _ => {
            return Err(ApiError(AppError::invalid_field(
                "credential",
                "Send the credential as a string (VC-JWT) or an object (JSON-LD).",
            )));
        }
    };
    Ok(Json(result_of(app.verify_credential(&text).await?)))
}
