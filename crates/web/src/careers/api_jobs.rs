//! The jobs API: the search (the page's filters, for anyone; "jobs I qualify for" for a
//! member's token), one job, writing a job as an employer's recruiter, and applying with a
//! resume sent as base64. The same use cases and authorisation as the pages.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use guildhall_app::careers::{ApplicationForm, JobForm, JobView, REQUIREMENT_ROWS, RequirementRow};
use guildhall_app::records::JobCardRecord;
use guildhall_app::uploads::Upload;
use guildhall_app::{App, AppError};
use guildhall_domain::careers::{CERTIFICATION_PREFIX, Met, SalaryRange, Verdict, Wanted};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body};
use crate::error::{ApiError, ErrorBody};
use crate::kit::iso_time;
use crate::session::{ApiActor, Identity};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/jobs", get(list_jobs).post(create_job))
        .route("/api/v1/jobs/{id}", get(get_job))
        .route("/api/v1/jobs/{id}/applications", post(apply))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_jobs, get_job, create_job, apply),
    components(schemas(
        JobCard,
        JobPage,
        Job,
        Pay,
        JobRequirement,
        Qualification,
        NewJob,
        NewRequirement,
        NewApplication,
        ResumeFile,
        Applied
    ))
)]
pub struct Doc;

/// The search's filters, as on the page (`/jobs`). A value the page would refuse is refused
/// (422, naming the parameter).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct JobQuery {
    /// Words of the title or the employer's name (at most 100 characters).
    q: Option<String>,
    /// A discipline's code: `civil`, `structural`, `mechanical`, …
    discipline: Option<String>,
    /// A career stage: `student`, `eit`, `licensed` or `other`.
    stage: Option<String>,
    /// Where the job is: a jurisdiction's code (`US-TX`) or name.
    jurisdiction: Option<String>,
    /// `on_site`, `hybrid` or `remote`.
    remote: Option<String>,
    /// Jobs asking for a licence of this kind: `PE`, `SE`, `PLS`, `P.ENG` or `CENG`.
    licence: Option<String>,
    /// Jobs whose range reaches at least this yearly pay, in whole currency units.
    pay: Option<String>,
    /// `true`: only jobs whose required licences and certifications the caller's member
    /// record holds (a member's token; anonymous callers get 401).
    qualified: Option<bool>,
    /// `true`: only jobs the caller's member record could qualify for by comity (every
    /// required licence held or recognised by comity, at least one only by comity; guidance
    /// from `rules/comity.toml`, not a qualification).
    comity: Option<bool>,
}

/// A pay range, in cents of `currency`, per `period` (`year` or `hour`).
#[derive(Serialize, ToSchema)]
pub struct Pay {
    min_cents: i64,
    max_cents: i64,
    period: String,
    currency: String,
    /// In words: "$95,000–$120,000 a year".
    words: String,
}

/// A live job as the search lists it.
#[derive(Serialize, ToSchema)]
pub struct JobCard {
    id: i64,
    title: String,
    employer_id: i64,
    employer: String,
    discipline: String,
    /// A jurisdiction's code, or null (remote).
    jurisdiction: Option<String>,
    city: String,
    remote: String,
    pay: Pay,
    featured: bool,
    /// Date (YYYY-MM-DD) applications close, if it has one.
    closes_on: Option<String>,
    posted_at: String,
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct JobPage {
    items: Vec<JobCard>,
    page: u32,
    per_page: u32,
    total: i64,
}

/// A licence or certification a job asks for.
#[derive(Serialize, ToSchema)]
pub struct JobRequirement {
    /// `required` or `preferred`
    need: String,
    /// `licence` or `certification`
    source: String,
    /// A licence's kind (`PE`, …).
    licence: Option<String>,
    /// A licence's jurisdiction; null: any.
    jurisdiction: Option<String>,
    /// A certification's CE programme code.
    programme: Option<String>,
    words: String,
}

/// How the caller's member record meets the job's requirements.
#[derive(Serialize, ToSchema)]
pub struct Qualification {
    /// `qualifies`, `qualifies_by_comity` or `does_not_qualify`
    verdict: String,
    /// For each requirement in order: `held`, `held_lapses_before_close`, `by_comity`,
    /// `expired` or `missing`.
    each: Vec<String>,
}

/// A job. `state` is `live` for everyone but its recruiters and staff, who see every state
/// (`draft`, `waiting_for_review`, `not_approved`, `approved`, `expired`, `closed`).
#[derive(Serialize, ToSchema)]
pub struct Job {
    id: i64,
    title: String,
    employer_id: i64,
    employer: String,
    /// Markdown.
    description: String,
    discipline: String,
    career_stage: String,
    jurisdiction: Option<String>,
    city: String,
    remote: String,
    pay: Pay,
    closes_on: Option<String>,
    featured: bool,
    state: String,
    requirements: Vec<JobRequirement>,
    /// The caller's qualification (callers with a member record).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    qualification: Option<Qualification>,
    url: String,
}

fn pay(min: i64, max: i64, period: guildhall_domain::careers::PayPeriod, currency: &str) -> Pay {
    Pay {
        min_cents: min,
        max_cents: max,
        period: period.code().into(),
        currency: currency.into(),
        words: SalaryRange { min_cents: min, max_cents: max, period }.words(),
    }
}

fn card_json(app: &App, j: JobCardRecord) -> JobCard {
    JobCard {
        url: app.link(&format!("/jobs/{}", j.id)),
        pay: pay(j.salary_min_cents, j.salary_max_cents, j.pay_period, &j.currency),
        id: j.id,
        title: j.title,
        employer_id: j.employer_id,
        employer: j.employer_name,
        discipline: j.discipline,
        jurisdiction: j.jurisdiction,
        city: j.city,
        remote: j.remote.code().into(),
        featured: j.featured,
        closes_on: j.closes_on.map(|d| d.to_string()),
        posted_at: iso_time(j.live_from),
    }
}

fn state_code(state: guildhall_domain::careers::JobState) -> &'static str {
    use guildhall_domain::careers::JobState::*;
    match state {
        Draft => "draft",
        WaitingForReview => "waiting_for_review",
        NotApproved => "not_approved",
        Approved => "approved",
        Live => "live",
        Expired => "expired",
        Closed(_) => "closed",
    }
}

fn job_json(app: &App, view: JobView) -> Job {
    let j = &view.job;
    let requirements = view
        .requirements
        .iter()
        .map(|r| {
            let (source, licence, jurisdiction, programme) = match &r.wanted {
                Wanted::Licence { jurisdiction, kind } => (
                    "licence",
                    Some(kind.code().to_string()),
                    jurisdiction.as_ref().map(|j| j.as_str().to_string()),
                    None,
                ),
                Wanted::Certification { programme } => ("certification", None, None, Some(programme.clone())),
            };
            JobRequirement {
                need: r.need.code().into(),
                source: source.into(),
                licence,
                jurisdiction,
                programme,
                words: r.wanted.words(),
            }
        })
        .collect();
    let qualification = view.assessment.as_ref().map(|a| Qualification {
        verdict: match a.verdict {
            Verdict::Qualifies => "qualifies",
            Verdict::QualifiesByComity => "qualifies_by_comity",
            Verdict::DoesNotQualify => "does_not_qualify",
        }
        .into(),
        each: a
            .each
            .iter()
            .map(|(_, met)| {
                match met {
                    Met::Held { lapses_before_close: false } => "held",
                    Met::Held { lapses_before_close: true } => "held_lapses_before_close",
                    Met::ByComity { .. } => "by_comity",
                    Met::Expired { .. } => "expired",
                    Met::Missing => "missing",
                }
                .into()
            })
            .collect(),
    });
    Job {
        id: j.id,
        title: j.title.clone(),
        employer_id: j.employer_id,
        employer: j.employer_name.clone(),
        description: j.description_md.clone(),
        discipline: j.discipline.as_str().into(),
        career_stage: j.career_stage.clone(),
        jurisdiction: j.jurisdiction.as_ref().map(|j| j.as_str().to_string()),
        city: j.city.clone(),
        remote: j.remote.code().into(),
        pay: pay(j.salary_min_cents, j.salary_max_cents, j.pay_period, &j.currency),
        closes_on: j.closes_on.map(|d| d.to_string()),
        featured: j.featured,
        state: state_code(view.state).into(),
        requirements,
        qualification,
        url: app.link(&format!("/jobs/{}", j.id)),
    }
}

#[utoipa::path(get, path = "/api/v1/jobs", params(Paging, JobQuery), security((), ("bearer" = [])),
    responses((status = 200, body = JobPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_jobs(
    State(app): State<Arc<App>>,
    identity: Identity,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> ApiResult<JobPage> {
    let request = paging.request()?;
    if let Some((k, _)) =
        pairs.iter().find(|(k, v)| matches!(k.as_str(), "qualified" | "comity") && v != "true" && v != "false")
    {
        return Err(AppError::BadRequest(format!("`{k}` is true or false.")).into());
    }
    let view = app.search_jobs(identity.actor.as_ref(), &pairs, request).await?;
    Ok(Json(JobPage {
        page: view.jobs.page,
        per_page: view.jobs.per_page,
        total: view.jobs.total,
        items: view.jobs.items.into_iter().map(|j| card_json(&app, j)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", params(("id" = i64, Path, minimum = 1, description = "The job's id")),
    security((), ("bearer" = [])),
    responses((status = 200, body = Job), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_job(State(app): State<Arc<App>>, identity: Identity, Path(id): Path<String>) -> ApiResult<Job> {
    let id = crate::kit::path_id(&id, "job")?;
    Ok(Json(job_json(&app, app.job_page(identity.actor.as_ref(), id).await?)))
}

/// A licence or certification the job asks for: `licence` (a kind, with a `jurisdiction`
/// or none for any) or `programme` (a certification's CE programme code).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequirement {
    /// `required` or `preferred`
    need: String,
    #[serde(default)]
    licence: Option<String>,
    #[serde(default)]
    jurisdiction: Option<String>,
    #[serde(default)]
    programme: Option<String>,
}

/// A job as an employer's recruiter writes it. The pay range is required. `submit` sends it
/// to the society for review at once (otherwise it is a draft).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    #[schema(minimum = 1)]
    employer_id: i64,
    title: String,
    /// Markdown.
    description: String,
    discipline: String,
    /// `student`, `eit`, `licensed` or `other`
    career_stage: String,
    #[serde(default)]
    jurisdiction: Option<String>,
    #[serde(default)]
    city: Option<String>,
    /// `on_site`, `hybrid` or `remote`
    remote: String,
    /// The lowest pay, as typed on the page ("95000", "45.50").
    salary_min: String,
    salary_max: String,
    /// `year` or `hour`
    pay_period: String,
    /// YYYY-MM-DD
    #[serde(default)]
    closes_on: Option<String>,
    #[serde(default)]
    #[schema(max_items = 4)]
    requirements: Vec<NewRequirement>,
    #[serde(default)]
    submit: bool,
}

#[utoipa::path(post, path = "/api/v1/jobs", request_body = NewJob,
    responses((status = 201, body = Job), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_job(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<NewJob>(body)?;
    if f.requirements.len() > REQUIREMENT_ROWS {
        return Err(AppError::invalid_field(
            "requirements",
            format!("A job lists at most {REQUIREMENT_ROWS} requirements."),
        )
        .into());
    }
    let form = JobForm {
        title: f.title,
        description: f.description,
        discipline: f.discipline,
        career_stage: f.career_stage,
        jurisdiction: f.jurisdiction.unwrap_or_default(),
        city: f.city.unwrap_or_default(),
        remote: f.remote,
        salary_min: f.salary_min,
        salary_max: f.salary_max,
        pay_period: f.pay_period,
        closes_on: f.closes_on.unwrap_or_default(),
        requirements: f
            .requirements
            .into_iter()
            .map(|r| RequirementRow {
                need: r.need,
                what: match (r.licence, r.programme) {
                    (Some(kind), _) => kind,
                    (None, Some(programme)) => format!("{CERTIFICATION_PREFIX}{programme}"),
                    (None, None) => String::new(),
                },
                jurisdiction: r.jurisdiction.unwrap_or_default(),
            })
            .collect(),
    };
    let id = app.create_job(&actor, f.employer_id, &form, f.submit, &identity.request_id).await?;
    let view = app.job_page(Some(&actor), id).await?;
    Ok((StatusCode::CREATED, Json(job_json(&app, view))).into_response())
}

/// A resume: a PDF of at most 1.4 MB, as base64 (the API's requests are at most 2 MB).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeFile {
    file_name: String,
    content_base64: String,
}

/// An application: the resume, a cover letter, and which of the caller's licences and
/// certifications to share (their keys, as `licence-12`, from the apply page or
/// `/api/v1/members/me/ce/credentials`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    resume: ResumeFile,
    #[serde(default)]
    cover_letter: String,
    #[serde(default)]
    share: Vec<String>,
}

/// An application sent.
#[derive(Serialize, ToSchema)]
pub struct Applied {
    id: i64,
    /// `submitted`
    stage: String,
    url: String,
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/applications", request_body = NewApplication,
    params(("id" = i64, Path, minimum = 1, description = "The job's id")),
    responses((status = 201, body = Applied), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn apply(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = crate::kit::path_id(&id, "job")?;
    let f = json_object_body::<NewApplication>(body)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(f.resume.content_base64.trim())
        .map_err(|_| AppError::invalid_field("resume", "The resume's content is not valid base64."))?;
    let resume = Upload { file_name: f.resume.file_name, bytes };
    let form = ApplicationForm { cover_letter: f.cover_letter, share: f.share };
    let application = app.apply_to_job(&actor, id, &form, Some(resume)).await?;
    let body = Applied {
        id: application,
        stage: guildhall_domain::careers::ApplicationStage::Submitted.code().into(),
        url: app.link(&format!("/account/applications/{application}")),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
