//! The continuing-education API: a member's compliance evaluation, licences and
//! certifications, PDH ledger with evidence files, transcripts and audit packets, as the CE
//! pages offer them; staff's compliance report and programmes.
//!
//! A member changes only their own record (`me`, or their own id); staff read anyone's, as
//! on the pages.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::ce::{ActivityInput, CeDashboard, ComplianceFilter, CredentialInput, Upload};
use guildhall_app::records::Page;
use guildhall_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, MemberRef, Paging, json_object_body};
use crate::error::{ApiError, ErrorBody};
use crate::kit::{document_response, iso_time};
use crate::session::ApiActor;

/// Largest evidence upload (the configured file limit is checked too), as on the CE page.
const EVIDENCE_LIMIT: usize = 32 * 1024 * 1024;

/// The CE API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/members/{id}/ce/evaluation", get(evaluation))
        .route("/api/v1/members/{id}/ce/credentials", get(credentials).post(add_credential))
        .route(
            "/api/v1/members/{id}/ce/credentials/{key}",
            get(credential).patch(set_credential_fields).delete(remove_credential),
        )
        .route("/api/v1/members/{id}/ce/credentials/{key}/transcript.pdf", get(transcript_pdf))
        .route("/api/v1/members/{id}/ce/credentials/{key}/transcript.csv", get(transcript_csv))
        .route("/api/v1/members/{id}/ce/credentials/{key}/audit-packet.zip", get(audit_packet))
        .route("/api/v1/members/{id}/ce/activities", get(activities).post(log_activity))
        .route("/api/v1/members/{id}/ce/activities/{activity_id}", get(activity).delete(delete_activity))
        .route(
            "/api/v1/members/{id}/ce/activities/{activity_id}/evidence",
            axum::routing::post(add_evidence).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)),
        )
        .route("/api/v1/members/{id}/ce/activities/{activity_id}/evidence/{evidence_id}", get(evidence))
        .route("/api/v1/ce/compliance", get(compliance))
        .route("/api/v1/ce/programmes", get(programmes).post(save_programme))
        .route("/api/v1/ce/programmes/{id}", get(programme))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        evaluation,
        credentials,
        add_credential,
        credential,
        set_credential_fields,
        remove_credential,
        transcript_pdf,
        transcript_csv,
        audit_packet,
        activities,
        log_activity,
        activity,
        delete_activity,
        add_evidence,
        evidence,
        compliance,
        programmes,
        save_programme,
        programme
    ),
    components(schemas(
        ComplianceSort,
        CeEvaluation,
        CeCredential,
        CePeriod,
        CeUntracked,
        CeCredentialItem,
        CeCredentialPage,
        CeCredentialField,
        NewCeCredential,
        CeCredentialFigures,
        CeActivity,
        CeActivityPage,
        CeEvidence,
        NewCeActivity,
        CeSession,
        EvidenceUpload,
        ComplianceRow,
        ComplianceCount,
        CompliancePage,
        Programme,
        ProgrammePage,
        NewProgramme
    ))
)]
pub struct Doc;

/// The member named in the path: `None` for the caller's own record.
fn member_of(id: &str) -> Result<Option<i64>, AppError> {
    Ok(match MemberRef::parse(id)? {
        MemberRef::Me => None,
        MemberRef::Id(id) => Some(id),
    })
}

// ---------------------------------------------------------------- evaluation

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

fn period(p: guildhall_app::ce::PeriodView) -> CePeriod {
    CePeriod {
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
    }
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
    let d = app.ce_dashboard(&actor, member_of(&id)?).await?;
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
                periods: c.periods.into_iter().map(period).collect(),
            })
            .collect(),
        untracked: d
            .untracked
            .into_iter()
            .map(|u| CeUntracked { key: u.key, held: u.held, reason: u.reason })
            .collect(),
    }))
}

// ---------------------------------------------------------------- credentials

/// A figure a credential's rules read from the member's record (a personalised target, say).
#[derive(Serialize, ToSchema)]
pub struct CeCredentialField {
    name: String,
    label: String,
    /// As recorded; empty when not recorded.
    value: String,
}

/// A licence or certification on a member's record, tracked by the rules or not.
#[derive(Serialize, ToSchema)]
pub struct CeCredentialItem {
    /// `licence-12` or `certification-3`.
    key: String,
    /// Whether the rules judge its renewal (otherwise `untracked_reason` says why not).
    tracked: bool,
    /// The rule set's name (tracked credentials).
    title: Option<String>,
    /// The credential in words (kind, jurisdiction, number, expiry).
    held: String,
    ruleset: Option<String>,
    /// compliant, deficient, exempt, in_progress, not_required or undecidable
    status: Option<String>,
    status_words: Option<String>,
    untracked_reason: Option<String>,
    /// The current renewal period.
    current_period: Option<CePeriod>,
    fields: Vec<CeCredentialField>,
}

#[derive(Serialize, ToSchema)]
pub struct CeCredentialPage {
    items: Vec<CeCredentialItem>,
    page: u32,
    per_page: u32,
    total: i64,
}

fn credential_items(d: CeDashboard) -> Vec<CeCredentialItem> {
    let tracked = d.credentials.into_iter().map(|c| CeCredentialItem {
        key: c.key,
        tracked: true,
        title: Some(c.title),
        held: c.held,
        ruleset: Some(c.ruleset),
        status: Some(c.status),
        status_words: Some(c.status_words),
        untracked_reason: None,
        current_period: c.current.map(period),
        fields: c
            .fields
            .into_iter()
            .map(|f| CeCredentialField { name: f.name, label: f.label, value: f.value })
            .collect(),
    });
    let untracked = d.untracked.into_iter().map(|u| CeCredentialItem {
        key: u.key,
        tracked: false,
        title: None,
        held: u.held,
        ruleset: None,
        status: None,
        status_words: None,
        untracked_reason: Some(u.reason),
        current_period: None,
        fields: Vec::new(),
    });
    tracked.chain(untracked).collect()
}

async fn one_credential(
    app: &App,
    actor: &guildhall_app::Actor,
    member: Option<i64>,
    key: &str,
) -> ApiResult<CeCredentialItem> {
    credential_items(app.ce_dashboard(actor, member).await?)
        .into_iter()
        .find(|c| c.key == key)
        .map(Json)
        .ok_or_else(|| ApiError(AppError::NotFound("No such licence or certification on this record.".into())))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/credentials",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"), Paging),
    responses((status = 200, body = CeCredentialPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn credentials(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<CeCredentialPage> {
    let request = paging.request()?;
    let all = credential_items(app.ce_dashboard(&actor, member_of(&id)?).await?);
    let page = Page::of_all(all, request);
    Ok(Json(CeCredentialPage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// A licence (`source` licence: `jurisdiction`, `kind`) or a certification (`source`
/// certification: `ruleset`, a programme id from the CE page's list), as the CE page's form
/// takes it.
#[derive(Deserialize, ToSchema)]
pub struct NewCeCredential {
    /// licence or certification
    #[schema(min_length = 1)]
    source: String,
    /// A licence's jurisdiction code (US-TX, CA-ON, …).
    #[serde(default)]
    jurisdiction: String,
    /// A licence's kind (PE, SE, PLS, P.Eng, CEng).
    #[serde(default)]
    kind: String,
    /// A certification's programme (e.g. PMI-PMP).
    #[serde(default)]
    ruleset: String,
    #[serde(default)]
    #[schema(max_length = 40)]
    number: String,
    /// ISO 8601 date it was first issued.
    #[schema(format = Date)]
    issued: String,
    /// ISO 8601 expiry date, if any.
    #[serde(default)]
    #[schema(format = Date)]
    expires: String,
    /// exam, comity, endorsement or other (licences).
    #[serde(default)]
    licensure_method: String,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/ce/credentials", request_body = NewCeCredential,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id (their own), or `me`")),
    responses((status = 201, body = CeCredentialItem), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_credential(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let member = member_of(&id)?;
    let f = json_object_body::<NewCeCredential>(body)?;
    let input = CredentialInput {
        source: f.source,
        jurisdiction: f.jurisdiction,
        kind: f.kind,
        ruleset: f.ruleset,
        number: f.number,
        issued: f.issued,
        expires: f.expires,
        licensure_method: f.licensure_method,
    };
    let source = input.source.clone();
    let new_id = app.add_ce_credential(&actor, member, &input, &identity.request_id).await?;
    let item = one_credential(&app, &actor, member, &format!("{source}-{new_id}")).await?;
    Ok((StatusCode::CREATED, item).into_response())
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/credentials/{key}",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"),
           ("key" = String, Path, pattern = r"^(licence|certification)-[1-9][0-9]{0,17}$", description = "The credential's key")),
    responses((status = 200, body = CeCredentialItem), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn credential(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<CeCredentialItem> {
    one_credential(&app, &actor, member_of(&id)?, &key).await
}

/// The figures a credential's rules read from the member's record, by name (the names are
/// the credential's `fields`); an empty value clears one.
#[derive(Deserialize, ToSchema)]
pub struct CeCredentialFigures {
    #[schema(value_type = BTreeMap<String, String>)]
    fields: BTreeMap<String, String>,
}

#[utoipa::path(patch, path = "/api/v1/members/{id}/ce/credentials/{key}", request_body = CeCredentialFigures,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id (their own), or `me`"),
           ("key" = String, Path, pattern = r"^(licence|certification)-[1-9][0-9]{0,17}$", description = "The credential's key")),
    responses((status = 200, body = CeCredentialItem), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_credential_fields(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((id, key)): Path<(String, String)>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<CeCredentialItem> {
    let member = member_of(&id)?;
    let figures = json_object_body::<CeCredentialFigures>(body)?;
    app.set_ce_credential_fields(&actor, member, &key, &figures.fields, &identity.request_id).await?;
    one_credential(&app, &actor, member, &key).await
}

#[utoipa::path(delete, path = "/api/v1/members/{id}/ce/credentials/{key}",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id (their own), or `me`"),
           ("key" = String, Path, pattern = r"^(licence|certification)-[1-9][0-9]{0,17}$", description = "The credential's key")),
    responses((status = 204, description = "Removed from the member's record"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_credential(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((id, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    app.remove_ce_credential(&actor, member_of(&id)?, &key, &identity.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which renewal period a transcript or audit packet covers.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The period's index in the evaluation's `periods`, from 0 (default: the current one).
    #[param(minimum = 0, maximum = 1000)]
    period: Option<usize>,
}

async fn document(
    app: &App,
    actor: &guildhall_app::Actor,
    id: &str,
    key: &str,
    period: Option<usize>,
    format: &str,
) -> Result<Response, ApiError> {
    Ok(document_response(app.ce_document(actor, member_of(id)?, key, period, format).await?, false))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/credentials/{key}/transcript.pdf",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"),
           ("key" = String, Path, pattern = r"^(licence|certification)-[1-9][0-9]{0,17}$", description = "The credential's key"),
           PeriodParams),
    responses((status = 200, description = "The transcript of a renewal period", content_type = "application/pdf", body = Vec<u8>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn transcript_pdf(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, key)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PeriodParams>,
) -> Result<Response, ApiError> {
    document(&app, &actor, &id, &key, q.period, "pdf").await
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/credentials/{key}/transcript.csv",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"),
           ("key" = String, Path, pattern = r"^(licence|certification)-[1-9][0-9]{0,17}$", description = "The credential's key"),
           PeriodParams),
    responses((status = 200, description = "The transcript of a renewal period", content_type = "text/csv", body = String),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn transcript_csv(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, key)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PeriodParams>,
) -> Result<Response, ApiError> {
    document(&app, &actor, &id, &key, q.period, "csv").await
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/credentials/{key}/audit-packet.zip",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"),
           ("key" = String, Path, pattern = r"^(licence|certification)-[1-9][0-9]{0,17}$", description = "The credential's key"),
           PeriodParams),
    responses((status = 200, description = "The transcript with every evidence file it cites", content_type = "application/zip", body = Vec<u8>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn audit_packet(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, key)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PeriodParams>,
) -> Result<Response, ApiError> {
    document(&app, &actor, &id, &key, q.period, "zip").await
}

// ---------------------------------------------------------------- activities

/// An evidence file of an activity (the file itself at its own address).
#[derive(Serialize, ToSchema)]
pub struct CeEvidence {
    id: i64,
    activity_id: i64,
    file_name: String,
    content_type: String,
    byte_size: i64,
    sha256: String,
    /// ISO 8601 instant.
    uploaded_at: String,
    /// ISO 8601 date until which the society keeps it.
    retain_until: String,
}

/// An activity in a member's PDH ledger.
#[derive(Serialize, ToSchema)]
pub struct CeActivity {
    id: i64,
    title: String,
    /// webinar_live, course, conference_session, …
    kind: String,
    /// The kind in words.
    kind_words: String,
    /// When it took place, in words (a day, a range, or each session day with its hours).
    when: String,
    /// ISO 8601 date it counts on (its last day).
    date: Option<String>,
    /// The amount in words ("1.5 hours").
    quantity: String,
    topics: Vec<String>,
    provider: String,
    /// member (logged by the member) or where the credit came from.
    source: String,
    evidence: Vec<CeEvidence>,
}

#[derive(Serialize, ToSchema)]
pub struct CeActivityPage {
    items: Vec<CeActivity>,
    page: u32,
    per_page: u32,
    total: i64,
}

fn evidence_item(e: guildhall_app::ce::CeEvidenceRecord) -> CeEvidence {
    CeEvidence {
        id: e.id,
        activity_id: e.activity_id,
        file_name: e.file_name,
        content_type: e.content_type,
        byte_size: e.byte_size,
        sha256: e.sha256,
        uploaded_at: iso_time(e.uploaded_at),
        retain_until: e.retain_until.to_string(),
    }
}

fn activity_items(d: CeDashboard) -> Vec<CeActivity> {
    let mut lines = d.activities;
    // Newest first, as the ledger reads.
    lines.sort_by(|a, b| b.reference_date.cmp(&a.reference_date).then(b.id.cmp(&a.id)));
    lines
        .into_iter()
        .map(|a| CeActivity {
            id: a.id,
            title: a.title,
            kind: a.kind,
            kind_words: a.kind_label,
            when: a.when,
            date: a.reference_date.map(|d| d.to_string()),
            quantity: a.quantity,
            topics: a.tags,
            provider: a.provider,
            source: a.source,
            evidence: a.evidence.into_iter().map(evidence_item).collect(),
        })
        .collect()
}

async fn one_activity(
    app: &App,
    actor: &guildhall_app::Actor,
    member: Option<i64>,
    activity_id: i64,
) -> ApiResult<CeActivity> {
    activity_items(app.ce_dashboard(actor, member).await?)
        .into_iter()
        .find(|a| a.id == activity_id)
        .map(Json)
        .ok_or_else(|| ApiError(AppError::NotFound("No such activity in this ledger.".into())))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/activities",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"), Paging),
    responses((status = 200, body = CeActivityPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn activities(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<CeActivityPage> {
    let request = paging.request()?;
    let page = Page::of_all(activity_items(app.ce_dashboard(&actor, member_of(&id)?).await?), request);
    Ok(Json(CeActivityPage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// One day of a multi-day activity and its hours.
#[derive(Deserialize, ToSchema)]
pub struct CeSession {
    /// ISO 8601 date.
    #[schema(format = Date)]
    date: String,
    #[schema(exclusive_minimum = 0, maximum = 24)]
    hours: f64,
}

/// An activity to log, as the CE page's form takes it and checked by the same rules.
#[derive(Deserialize, ToSchema)]
pub struct NewCeActivity {
    /// What the activity was (e.g. the course title), at most 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    /// One of: webinar_live, course, course_online_selfpaced, conference_session,
    /// in_house_training, college_course, teaching, presentation, publication_article,
    /// publication_book, patent, society_service, self_directed_study, correspondence.
    kind: String,
    /// ISO 8601 date it took place (not in the future); the first day of a multi-day activity.
    #[schema(format = Date)]
    date: String,
    /// The amount, more than 0 and at most 2,000, in `unit`.
    #[schema(exclusive_minimum = 0, maximum = 2000)]
    quantity: f64,
    /// hour (default), minute, ceu, college_semester_hour, college_quarter_hour, item, month or year.
    #[serde(default)]
    unit: String,
    /// Topics (technical, ethics, area_of_practice, professional_skills, business_practice, …): letters, digits, `_ : -`.
    #[serde(default)]
    #[schema(max_items = 20)]
    topics: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    provider: String,
    /// Boards that approved the provider (jurisdiction codes such as US-FL).
    #[serde(default)]
    approved_by: Vec<String>,
    /// Teaching or presenting: whether it was the first time.
    #[serde(default)]
    first_presentation: bool,
    /// Further days of a multi-day activity, in hours.
    #[serde(default)]
    sessions: Vec<CeSession>,
}

/// A number as the form would have typed it.
fn amount_text(n: f64) -> String {
    if n.is_finite() { format!("{n}") } else { String::new() }
}

#[utoipa::path(post, path = "/api/v1/members/{id}/ce/activities", request_body = NewCeActivity,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id (their own), or `me`")),
    responses((status = 201, body = CeActivity), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_activity(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let member = member_of(&id)?;
    let a = json_object_body::<NewCeActivity>(body)?;
    let input = ActivityInput {
        title: a.title,
        kind: a.kind,
        date: a.date,
        sessions: a.sessions.iter().map(|s| format!("{}={}\n", s.date.trim(), amount_text(s.hours))).collect(),
        quantity: amount_text(a.quantity),
        unit: a.unit,
        topics: a.topics,
        other_topics: String::new(),
        provider: a.provider,
        approved_by: a.approved_by,
        first_presentation: a.first_presentation,
    };
    let new_id = app.log_ce_activity(&actor, member, &input, None, &identity.request_id).await?;
    let item = one_activity(&app, &actor, member, new_id).await?;
    Ok((StatusCode::CREATED, item).into_response())
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/activities/{activity_id}",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"),
           ("activity_id" = i64, Path, minimum = 1, description = "The activity's id")),
    responses((status = 200, body = CeActivity), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn activity(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, activity_id)): Path<(String, i64)>,
) -> ApiResult<CeActivity> {
    one_activity(&app, &actor, member_of(&id)?, activity_id).await
}

#[utoipa::path(delete, path = "/api/v1/members/{id}/ce/activities/{activity_id}",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id (their own), or `me`"),
           ("activity_id" = i64, Path, minimum = 1, description = "The activity's id")),
    responses((status = 204, description = "Deleted with its evidence files"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_activity(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((id, activity_id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    app.delete_ce_activity(&actor, member_of(&id)?, activity_id, &identity.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The evidence form: one file, a PDF or an image (PNG, JPEG or WebP), recognised by its content.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    #[schema(value_type = String, format = Binary)]
    evidence: Vec<u8>,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/ce/activities/{activity_id}/evidence",
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id (their own), or `me`"),
           ("activity_id" = i64, Path, minimum = 1, description = "The activity's id")),
    responses((status = 201, body = CeEvidence), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn add_evidence(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, activity_id)): Path<(String, i64)>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let member = member_of(&id)?;
    let mut multipart =
        multipart.map_err(|e| AppError::invalid(format!("Send the file as multipart/form-data: {}", e.body_text())))?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| crate::kit::multipart_problem(e, "The upload"))? {
        if field.name() == Some("evidence") {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| crate::kit::multipart_problem(e, "The upload"))?;
            file = Some(Upload { file_name, bytes: bytes.to_vec() });
        }
    }
    let file = file.ok_or_else(|| AppError::invalid_field("evidence", "Send the file in the field `evidence`."))?;
    let evidence_id = app.add_ce_evidence(&actor, member, activity_id, file).await?;
    let activity = one_activity(&app, &actor, member, activity_id).await?.0;
    let item = activity
        .evidence
        .into_iter()
        .find(|e| e.id == evidence_id)
        .ok_or_else(|| AppError::Internal("evidence added but not found".into()))?;
    Ok((StatusCode::CREATED, Json(item)).into_response())
}

#[utoipa::path(get, path = "/api/v1/members/{id}/ce/activities/{activity_id}/evidence/{evidence_id}",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"),
           ("activity_id" = i64, Path, minimum = 1, description = "The activity's id"),
           ("evidence_id" = i64, Path, minimum = 1, description = "The evidence file's id")),
    responses((status = 200, description = "The file as uploaded: a PDF or an image",
               content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/webp"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn evidence(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((id, activity_id, evidence_id)): Path<(String, i64, i64)>,
) -> Result<Response, ApiError> {
    let doc = app.ce_evidence(&actor, member_of(&id)?, Some(activity_id), evidence_id).await?;
    Ok(document_response(doc, false))
}

// ---------------------------------------------------------------- compliance report

/// A credential short of credit in its current period.
#[derive(Serialize, ToSchema)]
pub struct ComplianceRow {
    member_id: i64,
    member_number: String,
    member_name: String,
    chapter_id: Option<i64>,
    /// The credential's key (as in `/members/{id}/ce/credentials/{key}`).
    credential_key: String,
    /// The credential as held, in words ("PE licence, Texas no. 123").
    held: String,
    ruleset: String,
    ruleset_name: String,
    /// deficient, in_progress, compliant, exempt, not_required or undecidable
    status: String,
    status_words: String,
    /// ISO 8601 date the current period ends (empty when there is none).
    period_end: String,
    /// What is missing, in words.
    short_of: String,
    /// Facts the rules need that the record lacks, in words.
    missing: Vec<String>,
}

/// How many credentials of a rule set have each status.
#[derive(Serialize, ToSchema)]
pub struct ComplianceCount {
    ruleset: String,
    ruleset_name: String,
    #[schema(value_type = BTreeMap<String, i64>)]
    by_status: BTreeMap<String, i64>,
}

/// The compliance report: counts of every rule set, and (paged) the credentials short of credit.
#[derive(Serialize, ToSchema)]
pub struct CompliancePage {
    items: Vec<ComplianceRow>,
    page: u32,
    per_page: u32,
    total: i64,
    counts: Vec<ComplianceCount>,
    members_evaluated: i64,
    credentials_evaluated: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceParams {
    /// Only this rule set (e.g. US-TX-PE).
    #[param(min_length = 1)]
    ruleset: Option<String>,
    /// Only this status: deficient, in_progress, compliant, exempt, not_required or undecidable.
    #[param(min_length = 1)]
    status: Option<String>,
    /// Only members of this chapter.
    #[param(minimum = 1)]
    chapter_id: Option<i64>,
    /// Order (by credential when left out).
    sort: Option<ComplianceSort>,
}

/// The orders of the compliance report.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceSort {
    Credential,
    Member,
    Status,
    PeriodEnd,
}

impl ComplianceSort {
    /// The report's name for this order.
    fn code(self) -> &'static str {
        match self {
            ComplianceSort::Credential => "credential",
            ComplianceSort::Member => "member",
            ComplianceSort::Status => "status",
            ComplianceSort::PeriodEnd => "period_end",
        }
    }
}

#[utoipa::path(get, path = "/api/v1/ce/compliance", params(Paging, ComplianceParams),
    responses((status = 200, body = CompliancePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn compliance(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(q): ApiQuery<ComplianceParams>,
) -> ApiResult<CompliancePage> {
    let request = paging.request()?;
    let trimmed = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let (ruleset, status) = (trimmed(&q.ruleset), trimmed(&q.status));
    let sort = q.sort.unwrap_or(ComplianceSort::Credential).code().to_string();
    let filter = ComplianceFilter { chapter: q.chapter_id, ruleset, status, sort };
    let report = app.ce_compliance_report(&actor, &filter).await?;
    let rows = report
        .rows
        .into_iter()
        .map(|r| ComplianceRow {
            member_id: r.member_id,
            member_number: r.member_number,
            member_name: r.member_name,
            chapter_id: r.chapter_id,
            credential_key: r.credential_key,
            held: r.held,
            ruleset: r.ruleset,
            ruleset_name: r.ruleset_name,
            status: r.status,
            status_words: r.status_words,
            period_end: r.period_end,
            short_of: r.short_of,
            missing: r.missing,
        })
        .collect();
    let page = Page::of_all(rows, request);
    Ok(Json(CompliancePage {
        items: page.items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        counts: report
            .counts
            .into_iter()
            .map(|(ruleset, ruleset_name, by_status)| ComplianceCount { ruleset, ruleset_name, by_status })
            .collect(),
        members_evaluated: report.members_evaluated,
        credentials_evaluated: report.credentials_evaluated,
    }))
}

// ---------------------------------------------------------------- programmes

/// A society-defined CE programme: a rule file in the format of the repository's `rules/`.
#[derive(Serialize, ToSchema)]
pub struct Programme {
    /// The rule set's id (its address here).
    id: String,
    file_name: String,
    /// The rule file (TOML).
    rules: String,
    /// ISO 8601 instants.
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammePage {
    items: Vec<Programme>,
    page: u32,
    per_page: u32,
    total: i64,
}

fn programme_item(p: guildhall_app::ce::CeProgrammeRecord) -> Programme {
    Programme {
        id: p.ruleset_id,
        file_name: p.file_name,
        rules: p.source,
        created_at: iso_time(p.created_at),
        updated_at: iso_time(p.updated_at),
    }
}

#[utoipa::path(get, path = "/api/v1/ce/programmes", params(Paging),
    responses((status = 200, body = ProgrammePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn programmes(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<ProgrammePage> {
    let request = paging.request()?;
    let all = app.ce_programmes(&actor).await?.into_iter().map(programme_item).collect();
    let page = Page::of_all(all, request);
    Ok(Json(ProgrammePage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// A programme's rule file, as the programmes page takes it; saving one with the id of an
/// existing programme replaces it.
#[derive(Deserialize, ToSchema)]
pub struct NewProgramme {
    /// The file's name (default programme.toml).
    #[serde(default)]
    file_name: String,
    /// The rule file (TOML) defining exactly one rule set.
    #[schema(min_length = 1)]
    rules: String,
}

#[utoipa::path(post, path = "/api/v1/ce/programmes", request_body = NewProgramme,
    responses((status = 201, body = Programme), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_programme(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let p = json_object_body::<NewProgramme>(body)?;
    let id = app.save_ce_programme(&actor, &p.file_name, &p.rules, &identity.request_id).await?;
    let item = find_programme(&app, &actor, &id).await?;
    Ok((StatusCode::CREATED, item).into_response())
}

async fn find_programme(app: &App, actor: &guildhall_app::Actor, id: &str) -> ApiResult<Programme> {
    app.ce_programmes(actor)
        .await?
        .into_iter()
        .find(|p| p.ruleset_id == id)
        .map(|p| Json(programme_item(p)))
        .ok_or_else(|| ApiError(AppError::NotFound("No such programme.".into())))
}

#[utoipa::path(get, path = "/api/v1/ce/programmes/{id}",
    params(("id" = String, Path, description = "The programme's rule set id")),
    responses((status = 200, body = Programme), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn programme(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Programme> {
    find_programme(&app, &actor, &id).await
}
