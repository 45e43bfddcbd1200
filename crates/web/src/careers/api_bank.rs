//! The resume bank's API, for an employer's recruiters with paid access (and staff, whose
//! reading is audited): the search (`GET /api/v1/employers/{id}/resume-bank`, the page's
//! filters) and one entry (`…/resume-bank/{reference}`). The same use cases and authorisation
//! as the pages: another employer's recruiter or a member gets 404, a recruiter of the
//! employer without access 403.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use guildhall_app::careers::{BankQuery, CandidateView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging};
use crate::error::ErrorBody;
use crate::kit::{iso_time, path_id};
use crate::session::ApiActor;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/employers/{id}/resume-bank", get(search_bank))
        .route("/api/v1/employers/{id}/resume-bank/{reference}", get(get_entry))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(search_bank, get_entry), components(schemas(ResumeBankEntry, ResumeBankPage)))]
pub struct Doc;

/// The search's filters, as on the page (`/employer/{id}/resume-bank`); each left out for
/// "any". A value the page would refuse is refused (422, naming the parameter).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BankFilters {
    /// A discipline's code: `civil`, `structural`, `mechanical`, …
    discipline: Option<String>,
    /// A career stage: `student`, `eit`, `licensed`, `retired` or `other`.
    career_stage: Option<String>,
    /// Entries whose member holds a current licence of this kind: `PE`, `SE`, `PLS`, `P.ENG`
    /// or `CENG`.
    licence: Option<String>,
    /// A region: a US census division (`west_south_central`, …), `us_territories`, `canada`
    /// or `united_kingdom`.
    region: Option<String>,
}

impl BankFilters {
    fn query(&self) -> BankQuery {
        let value = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
        BankQuery {
            discipline: value(&self.discipline),
            career_stage: value(&self.career_stage),
            licence: value(&self.licence),
            region: value(&self.region),
        }
    }
}

/// An entry of the resume bank as an employer reads it: never the member's name, address,
/// number, employer or city, unless the member chose a named entry (then `name`, `email` and
/// `resume_url`).
#[derive(Serialize, ToSchema)]
pub struct ResumeBankEntry {
    /// What the employer calls the entry (`RB-` and eight letters and digits).
    reference: String,
    confidential: bool,
    summary: String,
    discipline: String,
    career_stage: String,
    years_experience: i64,
    region: String,
    /// The licences the member holds today, in words ("PE licensed in Texas").
    licences: Vec<String>,
    /// When the member joined the bank.
    in_bank_since: String,
    /// Named entries only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    name: Option<String>,
    /// Named entries only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    email: Option<String>,
    /// Named entries only: their resume (PDF), at the page's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    resume_url: Option<String>,
}

/// A page of the bank's search, newest entries first.
#[derive(Serialize, ToSchema)]
pub struct ResumeBankPage {
    items: Vec<ResumeBankEntry>,
    page: u32,
    per_page: u32,
    total: i64,
    /// Until when the employer's access runs (null: staff reading without it).
    access_until: Option<String>,
}

fn entry_json(app: &App, employer_id: i64, view: CandidateView) -> ResumeBankEntry {
    let CandidateView { candidate: c, licences, named } = view;
    ResumeBankEntry {
        resume_url: named
            .as_ref()
            .map(|_| app.link(&format!("/employer/{employer_id}/resume-bank/{}/resume.pdf", c.public_ref))),
        name: named.as_ref().map(|n| n.name.clone()),
        email: named.map(|n| n.email),
        reference: c.public_ref,
        confidential: c.confidential,
        summary: c.summary,
        discipline: c.discipline.as_str().into(),
        career_stage: c.career_stage,
        years_experience: c.years_experience,
        region: c.region.code().into(),
        licences,
        in_bank_since: iso_time(c.opted_in_at),
    }
}

/// Search an employer's resume bank (its recruiters with paid access, and staff).
#[utoipa::path(get, path = "/api/v1/employers/{id}/resume-bank",
    params(("id" = i64, Path, minimum = 1, description = "The employer's id"), Paging, BankFilters),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ResumeBankPage),
        (status = 400, description = "A malformed id or query string", body = ErrorBody),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "A recruiter of the employer without paid access", body = ErrorBody),
        (status = 404, description = "Not one of the caller's employers", body = ErrorBody),
        (status = 422, description = "An unknown filter value", body = ErrorBody),
    ))]
async fn search_bank(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(filters): ApiQuery<BankFilters>,
) -> ApiResult<ResumeBankPage> {
    let id = path_id(&id, "employer")?;
    let view = app.browse_bank(&actor, id, &filters.query(), paging.request()?, &identity.request_id).await?;
    Ok(Json(ResumeBankPage {
        page: view.candidates.page,
        per_page: view.candidates.per_page,
        total: view.candidates.total,
        access_until: view.access_until.map(iso_time),
        items: view.candidates.items.into_iter().map(|c| entry_json(&app, id, c)).collect(),
    }))
}

/// One entry of an employer's resume bank (its recruiters with paid access, and staff).
#[utoipa::path(get, path = "/api/v1/employers/{id}/resume-bank/{reference}",
    params(
        ("id" = i64, Path, minimum = 1, description = "The employer's id"),
        ("reference" = String, Path, description = "The entry's reference (`RB-…`)"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ResumeBankEntry),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "A recruiter of the employer without paid access", body = ErrorBody),
        (status = 404, description = "Not one of the caller's employers, or no such entry", body = ErrorBody),
    ))]
async fn get_entry(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((id, reference)): Path<(String, String)>,
) -> ApiResult<ResumeBankEntry> {
    let id = path_id(&id, "employer")?;
    let view = app.bank_candidate(&actor, id, &reference, &identity.request_id).await?;
    Ok(Json(entry_json(&app, id, view)))
}
