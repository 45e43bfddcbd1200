//! Joining and staff's decisions on applications, with /join's and the approvals page's
//! use cases.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use guildhall_app::membership::Decision;
use guildhall_app::membership::joining::{JoinRequest, Joined};
use guildhall_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{id_of, object};
use crate::api::{ApiResult, whole};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// An application for membership, as the join form takes it. Licence and enrolment are
/// filled in whole or left out. Dates are ISO 8601 (YYYY-MM-DD).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    first_name: String,
    last_name: String,
    /// The tier applied for.
    #[serde(deserialize_with = "whole::number")]
    #[schema(value_type = i64, minimum = 1)]
    tier_id: i64,
    /// The home chapter (GET /api/v1/chapters).
    #[serde(deserialize_with = "whole::number")]
    #[schema(value_type = i64, minimum = 1)]
    chapter_id: i64,
    /// student, eit, licensed, retired or other
    career_stage: String,
    #[serde(default)]
    licence_jurisdiction: String,
    /// PE, SE, PLS, P.Eng or CEng
    #[serde(default)]
    licence_kind: String,
    #[serde(default)]
    licence_number: String,
    #[serde(default)]
    licence_first_issued: String,
    #[serde(default)]
    licence_expires: String,
    #[serde(default)]
    enrolment_institution: String,
    #[serde(default)]
    enrolment_starts: String,
    #[serde(default)]
    enrolment_completion: String,
    /// Asked for by tiers with an age limit.
    #[serde(default)]
    date_of_birth: String,
    /// Declares retirement from paid engineering work (tiers for retired members).
    #[serde(default)]
    declared_retired: bool,
}

/// Where an application went.
#[derive(Serialize, ToSchema)]
pub struct ApplicationOutcome {
    /// awaiting_approval (staff decide) or invoice_raised (pay the invoice to start)
    outcome: String,
    /// The first invoice, when no approval is needed.
    invoice_id: Option<i64>,
    /// Whether proof of enrolment is to be uploaded next (at /membership/evidence).
    enrolment_document_needed: bool,
}

#[utoipa::path(post, path = "/api/v1/members/me/application", request_body = ApplicationInput,
    responses((status = 200, body = ApplicationOutcome), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "The caller is a member already, a field was refused, or a requirement of the tier is not met")))]
pub(super) async fn apply(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<ApplicationOutcome> {
    let a: ApplicationInput = object(body)?;
    let request = JoinRequest {
        first_name: a.first_name,
        last_name: a.last_name,
        tier_id: a.tier_id.to_string(),
        chapter_id: a.chapter_id.to_string(),
        career_stage: a.career_stage,
        licence_jurisdiction: a.licence_jurisdiction,
        licence_kind: a.licence_kind,
        licence_number: a.licence_number,
        licence_first_issued: a.licence_first_issued,
        licence_expires: a.licence_expires,
        enrolment_institution: a.enrolment_institution,
        enrolment_starts: a.enrolment_starts,
        enrolment_completion: a.enrolment_completion,
        date_of_birth: a.date_of_birth,
        declared_retired: a.declared_retired,
    };
    Ok(Json(match app.join(&actor, &request).await? {
        Joined::AwaitingApproval { enrolment_document_needed } => {
            ApplicationOutcome { outcome: "awaiting_approval".into(), invoice_id: None, enrolment_document_needed }
        }
        Joined::InvoiceRaised(id) => ApplicationOutcome {
            outcome: "invoice_raised".into(),
            invoice_id: Some(id),
            enrolment_document_needed: false,
        },
    }))
}

/// What became of an application.
#[derive(Serialize, ToSchema)]
pub struct DecisionOutcome {
    term_id: i64,
    /// approved (the first invoice is raised) or rejected (the applicant is emailed the reason)
    decision: String,
}

/// Why an application is rejected; emailed to the applicant.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    #[schema(schema_with = super::reason_1000)]
    reason: String,
}

const TERM: &str = "The term applied for (`term_id` in GET /api/v1/approvals)";

#[utoipa::path(post, path = "/api/v1/approvals/{id}/approve",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = TERM)),
    responses((status = 200, body = DecisionOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such application, or it has been decided")))]
pub(super) async fn approve(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<DecisionOutcome> {
    let id = id_of(&id, "term")?;
    app.decide_application(&actor, id, Decision::Approve, &identity.request_id).await?;
    Ok(Json(DecisionOutcome { term_id: id, decision: "approved".into() }))
}

#[utoipa::path(post, path = "/api/v1/approvals/{id}/reject", request_body = Rejection,
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = TERM)),
    responses((status = 200, body = DecisionOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such application, or it has been decided"),
              (status = 422, body = ErrorBody)))]
pub(super) async fn reject(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<DecisionOutcome> {
    let id = id_of(&id, "term")?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    let body: Rejection = object(body)?;
    if body.reason.chars().count() > 1000 {
        return Err(AppError::invalid_field("reason", "A reason can be at most 1000 characters.").into());
    }
    app.decide_application(&actor, id, Decision::Reject { reason: &body.reason }, &identity.request_id).await?;
    Ok(Json(DecisionOutcome { term_id: id, decision: "rejected".into() }))
}
