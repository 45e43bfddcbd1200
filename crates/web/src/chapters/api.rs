//! The chapters API: chapters, a chapter with its officers today (its officers and staff),
//! officer terms (staff appoint officers and end their terms), and which profile fields
//! officers may edit — as the chapter page and /staff/officers do.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use guildhall_app::chapters::officers::OfficerForm;
use guildhall_app::membership::profile::OFFICER_EDITABLE;
use guildhall_app::records::Page;
use guildhall_app::{Actor, App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body};
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiActor;

/// The chapters API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/chapters", get(chapters))
        .route("/api/v1/chapters/{id}", get(chapter))
        .route("/api/v1/chapters/{id}/officers", get(officers).post(appoint_officer))
        .route("/api/v1/officers/{id}/end", post(end_officer_term))
        .route("/api/v1/officer-fields", get(officer_fields).put(set_officer_fields))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(chapters, chapter, officers, appoint_officer, end_officer_term, officer_fields, set_officer_fields),
    components(schemas(
        Chapter,
        ChapterDetail,
        Office,
        OfficerTerm,
        OfficerTermPage,
        NewOfficerTerm,
        TermEnd,
        OfficerFields,
        OfficerField,
        OfficerFieldsChange
    ))
)]
pub struct Doc;

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

/// An office held today.
#[derive(Serialize, ToSchema)]
pub struct Office {
    title: String,
    name: String,
}

/// A chapter as its officers and staff see it.
#[derive(Serialize, ToSchema)]
pub struct ChapterDetail {
    id: i64,
    slug: String,
    name: String,
    /// chapter or student_chapter
    kind: String,
    region: String,
    /// The chapter's supplement to the annual dues, in cents of the society's currency.
    dues_supplement_cents: i64,
    /// Who holds office today.
    officers: Vec<Office>,
}

#[utoipa::path(get, path = "/api/v1/chapters/{id}", params(("id" = i64, Path, minimum = 1, description = "The chapter's id")),
    responses((status = 200, body = ChapterDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn chapter(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<ChapterDetail> {
    let (c, officers) = app.chapter_overview(&actor, id).await?;
    Ok(Json(ChapterDetail {
        id: c.id,
        slug: c.slug,
        name: c.name,
        kind: c.kind,
        region: c.region,
        dues_supplement_cents: c.dues_supplement_cents,
        officers: officers.into_iter().map(|(title, name)| Office { title, name }).collect(),
    }))
}

/// An officer term: someone holding an office in a chapter from one day to another.
#[derive(Serialize, ToSchema)]
pub struct OfficerTerm {
    id: i64,
    chapter_id: i64,
    chapter: String,
    account_id: i64,
    name: String,
    email: String,
    title: String,
    /// ISO 8601 date of the first day.
    starts_on: String,
    /// ISO 8601 date of the last day; absent for no fixed end.
    ends_on: Option<String>,
    /// starts_later, holds_office or ended
    state: String,
    /// The state in words.
    state_words: String,
}

#[derive(Serialize, ToSchema)]
pub struct OfficerTermPage {
    items: Vec<OfficerTerm>,
    page: u32,
    per_page: u32,
    total: i64,
}

fn term(app: &App, o: guildhall_app::records::OfficerListing) -> OfficerTerm {
    let today = app.clock.today();
    let (state, state_words) = if o.starts_on > today {
        ("starts_later", "Starts later")
    } else if o.ends_on.is_some_and(|e| e < today) {
        ("ended", "Ended")
    } else {
        ("holds_office", "Holds office")
    };
    OfficerTerm {
        id: o.id,
        chapter_id: o.chapter_id,
        chapter: o.chapter_name,
        account_id: o.user_id,
        name: o.display_name,
        email: o.email,
        title: o.title,
        starts_on: o.starts_on.to_string(),
        ends_on: o.ends_on.map(|d| d.to_string()),
        state: state.into(),
        state_words: state_words.into(),
    }
}

async fn one_term(app: &App, actor: &Actor, chapter: Option<i64>, id: i64) -> ApiResult<OfficerTerm> {
    app.officer_listing(actor, chapter)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| Json(term(app, t)))
        .ok_or_else(|| ApiError(AppError::NotFound("No such officer term.".into())))
}

#[utoipa::path(get, path = "/api/v1/chapters/{id}/officers",
    params(("id" = i64, Path, minimum = 1, description = "The chapter's id"), Paging),
    responses((status = 200, body = OfficerTermPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn officers(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<OfficerTermPage> {
    let request = paging.request()?;
    let all = app.officer_listing(&actor, Some(id)).await?.into_iter().map(|t| term(&app, t)).collect();
    let page = Page::of_all(all, request);
    Ok(Json(OfficerTermPage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// An appointment, as /staff/officers takes it.
#[derive(Deserialize, ToSchema)]
pub struct NewOfficerTerm {
    /// The email address of the officer's account (they must have signed up).
    #[schema(min_length = 3, max_length = 254)]
    email: String,
    /// The office, e.g. Chair.
    #[schema(min_length = 1, max_length = 100)]
    title: String,
    /// ISO 8601 date of the first day.
    #[schema(format = Date)]
    starts_on: String,
    /// ISO 8601 date of the last day; leave out for no fixed end.
    #[serde(default)]
    #[schema(format = Date)]
    ends_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/chapters/{id}/officers", request_body = NewOfficerTerm,
    params(("id" = i64, Path, minimum = 1, description = "The chapter's id")),
    responses((status = 201, body = OfficerTerm), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn appoint_officer(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(chapter): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<NewOfficerTerm>(body)?;
    // A chapter that does not exist is not found (the form's list only offers real ones).
    if app.chapter_by_id(chapter).await?.is_none() {
        actor.require(guildhall_app::Permission::StaffArea)?;
        return Err(ApiError(AppError::NotFound("No such chapter.".into())));
    }
    let form = OfficerForm {
        email: f.email,
        chapter_id: chapter.to_string(),
        title: f.title,
        starts_on: f.starts_on,
        ends_on: f.ends_on.unwrap_or_default(),
    };
    let id = app.appoint_officer(&actor, &form, &identity.request_id).await?;
    let item = one_term(&app, &actor, Some(chapter), id).await?;
    Ok((StatusCode::CREATED, item).into_response())
}

/// When an officer term ends.
#[derive(Deserialize, ToSchema)]
pub struct TermEnd {
    /// ISO 8601 date of the last day in office (default: today); not before the term's first day.
    #[serde(default)]
    #[schema(format = Date)]
    ends_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/officers/{id}/end", request_body = TermEnd,
    params(("id" = i64, Path, minimum = 1, description = "The officer term's id")),
    responses((status = 200, body = OfficerTerm), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn end_officer_term(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<OfficerTerm> {
    let end = json_object_body::<TermEnd>(body)?;
    if end.ends_on.as_deref() == Some("") {
        return Err(ApiError(AppError::invalid_field(
            "ends_on",
            "Give the last day as a date (YYYY-MM-DD), or leave ends_on out for today.",
        )));
    }
    app.end_officer_term(&actor, id, end.ends_on.as_deref().unwrap_or(""), &identity.request_id).await?;
    one_term(&app, &actor, None, id).await
}

/// A profile field and whether chapter officers may edit it.
#[derive(Serialize, ToSchema)]
pub struct OfficerField {
    /// first_name, last_name, phone, employer, job_title, city, disciplines, career_stage or education
    name: String,
    label: String,
    allowed: bool,
}

/// What chapter officers may edit on their members' profiles.
#[derive(Serialize, ToSchema)]
pub struct OfficerFields {
    fields: Vec<OfficerField>,
}

fn fields_of(allowed: guildhall_app::membership::profile::OfficerFields) -> OfficerFields {
    OfficerFields {
        fields: OFFICER_EDITABLE
            .iter()
            .map(|(name, label)| OfficerField {
                name: (*name).into(),
                label: (*label).into(),
                allowed: allowed.contains(name),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/officer-fields",
    responses((status = 200, body = OfficerFields), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn officer_fields(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<OfficerFields> {
    Ok(Json(fields_of(app.officer_fields_for_staff(&actor).await?)))
}

/// The fields officers may edit from now on (every other field becomes staff-only).
#[derive(Deserialize, ToSchema)]
pub struct OfficerFieldsChange {
    /// Field names: first_name, last_name, phone, employer, job_title, city, disciplines, career_stage, education.
    fields: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/officer-fields", request_body = OfficerFieldsChange,
    responses((status = 200, body = OfficerFields), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_officer_fields(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<OfficerFields> {
    let change = json_object_body::<OfficerFieldsChange>(body)?;
    app.set_officer_fields(&actor, &change.fields, &identity.request_id).await?;
    Ok(Json(fields_of(app.officer_fields_for_staff(&actor).await?)))
}
