//! Continuing-education pages: the member's compliance dashboard and PDH ledger,
//! transcripts and audit packets, the staff compliance report and programmes.
//!
//! Files: `mod.rs` (routes and every CE page), `api.rs` (its JSON API operations: a member's
//! compliance evaluation).

pub mod api;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use guildhall_app::ce::{
    ACTIVITY_KINDS, ActivityInput, COMMON_TOPICS, CeDashboard, CeProgrammeRecord, ComplianceReport, CredentialInput,
    UNITS, Upload,
};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::member::LicenceKind;
use serde::Deserialize;

use crate::kit::{Chrome, FormState, PageResult, document_response, render, rerender};
use crate::session::{CsrfForm, CsrfQuery, Identity, SignedIn, check_csrf};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Largest activity form with its evidence file (the configured file limit is checked too).
const EVIDENCE_LIMIT: usize = 32 * 1024 * 1024;

/// A member's CE ledger, credentials and documents; staff's view of a member's CE, the
/// compliance report and programmes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/ce", get(own_ce))
        .route("/ce/activities", post(log_activity).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)))
        .route("/ce/activities/{id}/evidence", post(add_evidence).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)))
        .route("/ce/activities/{id}/delete", post(delete_activity))
        .route("/ce/evidence/{id}", get(own_evidence))
        .route("/ce/documents/{key}/{file}", get(own_document))
        .route("/ce/credentials", post(add_credential))
        .route("/ce/credentials/{key}/delete", post(remove_credential))
        .route("/ce/credentials/{key}/fields", post(save_credential_fields))
        .route("/members/{id}/ce", get(member_ce))
        .route("/members/{id}/ce/evidence/{evidence}", get(member_evidence))
        .route("/members/{id}/ce/documents/{key}/{file}", get(member_document))
        .route("/staff/compliance", get(compliance))
        .route("/staff/compliance.csv", get(compliance_csv))
        .route("/staff/programmes", get(programmes).post(save_programme))
}

#[derive(Template)]
#[template(path = "ce/ce.html")]
pub struct CePage {
    chrome: Chrome,
    d: CeDashboard,
    /// Whether the page is the member's own (forms shown) or staff looking on.
    own: bool,
    base: String,
    notice: String,
    form: FormState,
    kinds: &'static [(&'static str, &'static str)],
    licence_kinds: Vec<(&'static str, &'static str)>,
    /// Licensing jurisdictions by code and name, for the licence form's choice list.
    jurisdictions: &'static [(&'static str, &'static str)],
    units: &'static [(&'static str, &'static str)],
    topics: &'static [(&'static str, &'static str)],
    /// Jurisdictions of the member's licences, offered as provider approvals.
    boards: Vec<String>,
    programmes: Vec<(String, String)>,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

fn notice_text(code: &str) -> String {
    match code {
        "logged" => "Activity logged. Your progress below includes it.",
        "deleted" => "Activity deleted.",
        "evidence" => "Evidence file added.",
        "credential" => "Added. Its renewal requirements are shown below.",
        "removed" => "Removed from your record.",
        "figures" => "Saved. The requirements below use the figures you recorded.",
        _ => "",
    }
    .into()
}

async fn ce_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    member_id: Option<i64>,
    notice: String,
    form: FormState,
) -> Result<CePage, AppError> {
    let d = app.ce_dashboard(actor, member_id).await?;
    let own = member_id.is_none();
    let title =
        if own { "Continuing education".to_string() } else { format!("Continuing education — {}", d.member_name) };
    let chrome = Chrome::new(app, identity, &title, if own { "ce" } else { "staff" }).await;
    let mut boards: Vec<String> =
        d.credentials.iter().filter_map(|c| c.ruleset.rsplit_once('-').map(|(j, _)| j.to_string())).collect();
    boards.retain(|b| b.contains('-'));
    boards.sort();
    boards.dedup();
    Ok(CePage {
        chrome,
        base: if own { "/ce".into() } else { format!("/members/{}/ce", d.member_id) },
        today: d.as_of.to_string(),
        d,
        own,
        notice,
        form,
        kinds: ACTIVITY_KINDS,
        licence_kinds: LicenceKind::choices(),
        jurisdictions: guildhall_domain::member::JURISDICTIONS,
        units: UNITS,
        topics: COMMON_TOPICS,
        boards,
        programmes: app.ce_certification_programmes(),
    })
}

pub async fn own_ce(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    match ce_page(&app, &actor, &identity, None, notice_text(&q.notice), FormState::default()).await {
        Ok(page) => render(&page),
        // An account without a membership record (staff, say) has no ledger: say so plainly.
        Err(AppError::NotFound(text)) => {
            crate::home::message(
                &app,
                &identity,
                "Continuing education",
                &[text.as_str()],
                Some(("/join", "Become a member")),
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn member_ce(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(member_id): Path<i64>,
) -> PageResult {
    render(&ce_page(&app, &actor, &identity, Some(member_id), String::new(), FormState::default()).await?)
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    crate::kit::multipart_problem(e, "The form")
}

/// Reads a multipart form: text fields (repeatable) and at most one file.
async fn read_multipart(mut multipart: Multipart) -> Result<(Vec<(String, String)>, Option<Upload>), AppError> {
    let (mut fields, mut file) = (Vec::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "evidence" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if !bytes.is_empty() {
                file = Some(Upload { file_name, bytes: bytes.to_vec() });
            }
        } else {
            let text = field.text().await.map_err(unreadable)?;
            fields.push((name, text));
        }
    }
    Ok((fields, file))
}

fn activity_input(fields: Vec<(String, String)>) -> ActivityInput {
    let mut input = ActivityInput::default();
    for (key, value) in fields {
        match key.as_str() {
            "title" => input.title = value,
            "kind" => input.kind = value,
            "date" => input.date = value,
            "sessions" => input.sessions = value,
            "quantity" => input.quantity = value,
            "unit" => input.unit = value,
            "topics" => input.topics.push(value),
            "other_topics" => input.other_topics = value,
            "provider" => input.provider = value,
            "approved_by" => input.approved_by.push(value),
            "first_presentation" => input.first_presentation = true,
            _ => {}
        }
    }
    input
}

/// Where a form on the member's own CE page goes next: on to `done`, or the page again with
/// the form's messages (422) when the input was refused.
async fn after_own_form<T>(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    outcome: Result<T, AppError>,
    done: &str,
) -> PageResult {
    match outcome {
        Ok(_) => Ok(Redirect::to(done).into_response()),
        Err(err @ AppError::Validation { .. }) => {
            let page = ce_page(app, actor, identity, None, String::new(), FormState::from_error(&err)).await?;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn log_activity(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult {
    check_csrf(&q, &identity)?;
    let (fields, file) = read_multipart(multipart).await?;
    let input = activity_input(fields);
    let outcome = app.log_ce_activity(&actor, &input, file, &identity.request_id).await;
    after_own_form(&app, &actor, &identity, outcome, "/ce?notice=logged#ledger").await
}

pub async fn add_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(activity_id): Path<i64>,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult {
    check_csrf(&q, &identity)?;
    let (_, file) = read_multipart(multipart).await?;
    let file = file.ok_or_else(|| AppError::invalid_field("evidence", "Choose a file to upload."))?;
    app.add_ce_evidence(&actor, activity_id, file).await?;
    Ok(Redirect::to("/ce?notice=evidence#ledger").into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnlyForm {
    #[allow(dead_code)]
    csrf: String,
}

pub async fn delete_activity(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(activity_id): Path<i64>,
    CsrfForm(_): CsrfForm<CsrfOnlyForm>,
) -> PageResult {
    app.delete_ce_activity(&actor, activity_id, &identity.request_id).await?;
    Ok(Redirect::to("/ce?notice=deleted#ledger").into_response())
}

#[derive(Deserialize)]
pub struct CredentialForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    ruleset: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued: String,
    #[serde(default)]
    expires: String,
    #[serde(default)]
    licensure_method: String,
}

pub async fn add_credential(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<CredentialForm>,
) -> PageResult {
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
    let outcome = app.add_ce_credential(&actor, &input, &identity.request_id).await;
    after_own_form(&app, &actor, &identity, outcome, "/ce?notice=credential").await
}

pub async fn remove_credential(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(key): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnlyForm>,
) -> PageResult {
    app.remove_ce_credential(&actor, &key, &identity.request_id).await?;
    Ok(Redirect::to("/ce?notice=removed").into_response())
}

/// The figures a credential's rule set reads from the member's record (e.g. PEAK target hours).
pub async fn save_credential_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(key): Path<String>,
    CsrfForm(values): CsrfForm<std::collections::BTreeMap<String, String>>,
) -> PageResult {
    let outcome = app.set_ce_credential_fields(&actor, &key, &values, &identity.request_id).await;
    after_own_form(&app, &actor, &identity, outcome, &format!("/ce?notice=figures#cred-{key}")).await
}

pub async fn own_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(evidence_id): Path<i64>,
) -> PageResult {
    Ok(document_response(app.ce_evidence(&actor, None, evidence_id).await?, false))
}

pub async fn member_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((member_id, evidence_id)): Path<(i64, i64)>,
) -> PageResult {
    Ok(document_response(app.ce_evidence(&actor, Some(member_id), evidence_id).await?, false))
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    period: Option<usize>,
}

fn document_format(file: &str) -> Result<&'static str, AppError> {
    match file {
        "transcript.pdf" => Ok("pdf"),
        "transcript.csv" => Ok("csv"),
        "audit-packet.zip" => Ok("zip"),
        _ => Err(AppError::NotFound(
            "There is no such document: transcript.pdf, transcript.csv or audit-packet.zip.".into(),
        )),
    }
}

pub async fn own_document(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((key, file)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let format = document_format(&file)?;
    Ok(document_response(app.ce_document(&actor, None, &key, q.period, format).await?, false))
}

pub async fn member_document(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((member_id, key, file)): Path<(i64, String, String)>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let format = document_format(&file)?;
    Ok(document_response(app.ce_document(&actor, Some(member_id), &key, q.period, format).await?, false))
}

#[derive(Template)]
#[template(path = "ce/compliance.html")]
pub struct CompliancePage {
    chrome: Chrome,
    report: ComplianceReport,
    rulesets: Vec<String>,
    ruleset: String,
    status: String,
    query: String,
}

#[derive(Deserialize, Default)]
pub struct ComplianceQuery {
    #[serde(default)]
    ruleset: String,
    #[serde(default)]
    status: String,
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

pub async fn compliance(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<ComplianceQuery>,
) -> PageResult {
    let report = app.ce_compliance_report(&actor, non_empty(&q.ruleset), non_empty(&q.status)).await?;
    let chrome = Chrome::new(&app, &identity, "CE compliance", "staff").await.in_subsection("compliance");
    let rulesets = report.counts.iter().map(|(r, _)| r.clone()).collect();
    let query =
        serde_urlencoded::to_string([("ruleset", q.ruleset.trim()), ("status", q.status.trim())]).unwrap_or_default();
    render(&CompliancePage { chrome, report, rulesets, ruleset: q.ruleset, status: q.status, query })
}

pub async fn compliance_csv(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Query(q): Query<ComplianceQuery>,
) -> PageResult {
    let report = app.ce_compliance_report(&actor, non_empty(&q.ruleset), non_empty(&q.status)).await?;
    let mut out = String::from("member_number,member_name,ruleset,status,period_end,short_of\n");
    for r in &report.short {
        let cells = [&r.member_number, &r.member_name, &r.ruleset, &r.status, &r.period_end, &r.short_of];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ce-compliance.csv\"".to_string()),
        ],
        out,
    )
        .into_response())
}

/// A CSV cell, quoted when needed and defused against spreadsheet formulas.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

#[derive(Template)]
#[template(path = "ce/programmes.html")]
pub struct ProgrammesPage {
    chrome: Chrome,
    programmes: Vec<CeProgrammeRecord>,
    form: FormState,
    notice: String,
    file_name: String,
    rules: String,
}

#[derive(Deserialize)]
pub struct ProgrammeForm {
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    rules: String,
}

pub async fn programmes(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let programmes = app.ce_programmes(&actor).await?;
    let chrome = Chrome::new(&app, &identity, "CE programmes", "staff").await.in_subsection("programmes");
    let notice = if q.notice.is_empty() { String::new() } else { format!("Saved programme {}.", q.notice) };
    render(&ProgrammesPage {
        chrome,
        programmes,
        form: FormState::default(),
        notice,
        file_name: String::new(),
        rules: String::new(),
    })
}

pub async fn save_programme(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<ProgrammeForm>,
) -> PageResult {
    match app.save_ce_programme(&actor, &f.file_name, &f.rules, &identity.request_id).await {
        Ok(id) => {
            let target =
                format!("/staff/programmes?{}", serde_urlencoded::to_string([("notice", id)]).unwrap_or_default());
            Ok(Redirect::to(&target).into_response())
        }
        Err(err @ AppError::Validation { .. }) => {
            let programmes = app.ce_programmes(&actor).await?;
            let chrome = Chrome::new(&app, &identity, "CE programmes", "staff").await.in_subsection("programmes");
            let page = ProgrammesPage {
                chrome,
                programmes,
                form: FormState::from_error(&err),
                notice: String::new(),
                file_name: f.file_name,
                rules: f.rules,
            };
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}
