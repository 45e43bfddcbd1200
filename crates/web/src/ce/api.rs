//! The continuing-education API: a member's compliance evaluation, as the CE page shows it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::{ApiResult, MemberRef};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// The CE API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/v1/members/{id}/ce/evaluation", get(evaluation))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(evaluation), components(schemas(CeEvaluation, CeCredential, CePeriod, CeUntracked)))]
pub struct Doc;

/// One renewal period of a licence or certification and the engine's answer for it.
#[derive(Serialize, ToSchema)]
pub struct CePeriod {
    start: String,
    end: String,
    /// compliant, deficient, exempt, in_progress, not_required or undecidable
    status: String,
    /// The status in words.
    status_words: String,
    days_left: i64,
    /// What is still needed, one sentence each.
    still_needed: Vec<String>,
    /// Why the rules cannot decide, one sentence each.
    undecidable: Vec<String>,
    notes: Vec<String>,
    /// Whether this is the credential's first period (the one containing its first registration;
    /// periods are listed from it, oldest first).
    first_period: bool,
    /// Why the period is exempt, citing the rule; null unless the status is exempt.
    exempt_reason: Option<String>,
}

/// A licence or certification the engine tracks.
#[derive(Serialize, ToSchema)]
pub struct CeCredential {
    key: String,
    title: String,
    held: String,
    ruleset: String,
    unit: String,
    status: String,
    status_words: String,
    periods: Vec<CePeriod>,
}

/// A licence or certification the engine has no rules for, and why.
#[derive(Serialize, ToSchema)]
pub struct CeUntracked {
    key: String,
    held: String,
    reason: String,
}

/// A member's CE compliance on a day.
#[derive(Serialize, ToSchema)]
pub struct CeEvaluation {
    member_id: i64,
    member_number: String,
    /// ISO 8601 date.
    as_of: String,
    credentials: Vec<CeCredential>,
    untracked: Vec<CeUntracked>,
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/evaluation",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me` for the caller's own record")),
    responses((status = 200, body = CeEvaluation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn evaluation(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<CeEvaluation> {
    let member_id = match MemberRef::parse(&id)? {
        MemberRef::Me => None,
        MemberRef::Id(id) => Some(id),
    };
    let d = app.ce_dashboard(&actor, member_id).await?;
    Ok(Json(CeEvaluation {
        member_id: d.member_id,
        member_number: d.member_number,
        as_of: d.as_of.to_string(),
        credentials: d
            .credentials
            .into_iter()
            .map(|c| CeCredential {
                key: c.key,
                title: c.title,
                held: c.held,
                ruleset: c.ruleset,
                unit: c.unit,
                status: c.status,
                status_words: c.status_words,
                periods: c
                    .periods
                    .into_iter()
                    .map(|p| CePeriod {
                        start: p.start,
                        end: p.end,
                        status: p.status,
                        status_words: p.status_words,
                        days_left: p.days_left,
                        still_needed: p.still_needed,
                        undecidable: p.undecidable,
                        notes: p.notes,
                        first_period: p.first_period,
                        exempt_reason: p.exempt_reason,
                    })
                    .collect(),
            })
            .collect(),
        untracked: d
            .untracked
            .into_iter()
            .map(|u| CeUntracked { key: u.key, held: u.held, reason: u.reason })
            .collect(),
    }))
}
