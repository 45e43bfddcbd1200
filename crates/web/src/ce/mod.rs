//! Continuing-education pages: the member's compliance dashboard and PDH ledger,
//! transcripts and audit packets, the staff compliance report and programmes.
//!
//! Files: `mod.rs` (routes and every CE page), `api.rs` (its JSON API operations: a member's
//! evaluation, credentials, activities and evidence, documents; the compliance report, programmes).

pub mod api;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use guildhall_app::ce::{
    ACTIVITY_KINDS, ActivityInput, COMMON_TOPICS, COMPLIANCE_SORTS, CeDashboard, CeProgrammeRecord, ComplianceFilter,
    ComplianceReport, ComplianceRow, CredentialInput, PROGRAMME_ANCHORS, PROGRAMME_UNITS, ProgrammeFields, UNITS,
    Upload, programme_toml,
};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::member::{CredentialSource, LicenceKind};
use serde::Deserialize;

use crate::kit::{
    Chrome, ConfirmPage, FormState, PageResult, Pager, document_response, is_confirmed, query_string, render, rerender,
};
use crate::session::{CsrfForm, Identity, SignedIn};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use guildhall_app::ce::words;
use guildhall_app::crypto::constant_time_eq;

/// Largest activity form with its evidence file (the configured file limit is checked too).
const EVIDENCE_LIMIT: usize = 32 * 1024 * 1024;

/// A member's CE ledger, credentials and documents; staff's view of a member's CE, the
/// compliance report and programmes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/ce", get(own_ce))
        .route("/ce/activities", post(log_activity).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)))
        .route("/ce/activities/{id}/evidence", post(add_evidence).layer(DefaultBodyLimit::max(EVIDENCE_LIMIT)))
        .route("/ce/activities/{id}/delete", get(confirm_delete_activity).post(delete_activity))
        .route("/ce/evidence/{id}", get(own_evidence))
        .route("/ce/documents/{key}/{file}", get(own_document))
        .route("/ce/credentials", post(add_credential))
        .route("/ce/credentials/{key}/delete", get(confirm_remove_credential).post(remove_credential))
        .route("/ce/credentials/{key}/fields", post(save_credential_fields))
        .route("/members/{id}/ce", get(member_ce))
        .route("/members/{id}/ce/evidence/{evidence}", get(member_evidence))
        .route("/members/{id}/ce/documents/{key}/{file}", get(member_document))
        .route("/staff/compliance", get(compliance))
        .route("/staff/compliance.csv", get(compliance_csv))
        .route("/staff/compliance/request-facts", get(confirm_request_facts).post(request_facts))
        .route("/staff/programmes", get(programmes).post(save_programme))
        .route("/staff/programmes/form", post(save_programme_fields))
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
    /// Which form the messages are for: `activity`, or `other` (shown at the top).
    failed: &'static str,
    /// The activity form's values: as typed after a refusal, else today's date and hours.
    values: ActivityInput,
    /// The first refused field of the activity form (it gets the focus).
    first_error: &'static str,
    /// A file was chosen but the form was refused: browsers do not keep it, so say so.
    file_dropped: bool,
    /// The licence or certification form's values: as typed after a refusal, else blank.
    credential: CredentialInput,
    /// Which of the two forms `credential` was typed into.
    licence_typed: bool,
    certification_typed: bool,
    licensure_methods: &'static [(&'static str, &'static str)],
    kinds: &'static [(&'static str, &'static str)],
    licence_kinds: Vec<(&'static str, &'static str)>,
    /// Licensing jurisdictions by code and name, for the licence form's choice list.
    jurisdictions: &'static [(&'static str, &'static str)],
    units: &'static [(&'static str, &'static str)],
    topics: &'static [(&'static str, &'static str)],
    /// Jurisdictions of the member's licences (code, name), offered as provider approvals
    /// and as laws-and-rules topics.
    boards: Vec<(String, String)>,
    programmes: Vec<(String, String)>,
    today: String,
}

/// How a licence was obtained, as the licence form offers it.
const LICENSURE_METHODS: &[(&str, &str)] =
    &[("exam", "By examination"), ("comity", "By comity"), ("endorsement", "By endorsement")];

/// The activity form's fields in the order they appear (the first refused one gets the focus).
const ACTIVITY_FIELDS: &[&str] =
    &["title", "kind", "date", "quantity", "unit", "sessions", "other_topics", "provider", "approved_by", "evidence"];

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

/// What a refused form brings back to the CE page.
#[derive(Default)]
struct Refused {
    form: FormState,
    failed: &'static str,
    values: Option<ActivityInput>,
    file_dropped: bool,
    /// The licence or certification form as typed, when it was the one refused.
    credential: Option<CredentialInput>,
}

async fn ce_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    member_id: Option<i64>,
    notice: String,
    refused: Refused,
) -> Result<CePage, AppError> {
    let d = app.ce_dashboard(actor, member_id).await?;
    let own = member_id.is_none();
    let title =
        if own { "Continuing education".to_string() } else { format!("Continuing education — {}", d.member_name) };
    let chrome = Chrome::new(app, identity, &title, if own { "ce" } else { "staff" }).await;
    // Staff reach a member's CE from the member list: that is where the staff navigation stands.
    let chrome = if own { chrome } else { chrome.in_subsection("members") };
    let mut boards: Vec<String> =
        d.credentials.iter().filter_map(|c| c.ruleset.rsplit_once('-').map(|(j, _)| j.to_string())).collect();
    boards.retain(|b| b.contains('-'));
    boards.sort();
    boards.dedup();
    let boards = boards.into_iter().map(|code| (words::jurisdiction_words(&code), code)).map(|(n, c)| (c, n)).collect();
    let typed = refused.credential.unwrap_or_default();
    let typed_source = CredentialSource::from_code(&typed.source);
    let first_error = if refused.failed == "activity" {
        ACTIVITY_FIELDS.iter().copied().find(|f| refused.form.error(f).is_some()).unwrap_or("")
    } else {
        ""
    };
    Ok(CePage {
        chrome,
        base: if own { "/ce".into() } else { format!("/members/{}/ce", d.member_id) },
        today: d.as_of.to_string(),
        values: refused.values.unwrap_or_else(|| ActivityInput::blank(d.as_of)),
        d,
        own,
        notice,
        form: refused.form,
        failed: refused.failed,
        first_error,
        file_dropped: refused.file_dropped,
        licence_typed: typed_source == Some(CredentialSource::Licence),
        certification_typed: typed_source == Some(CredentialSource::Certification),
        credential: typed,
        licensure_methods: LICENSURE_METHODS,
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
    match ce_page(&app, &actor, &identity, None, notice_text(&q.notice), Refused::default()).await {
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
    render(&ce_page(&app, &actor, &identity, Some(member_id), String::new(), Refused::default()).await?)
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    crate::kit::multipart_problem(e, "The form")
}

/// Reads a multipart form: its CSRF token (the first field, checked before anything else is
/// read, so the token never travels in the address), text fields (repeatable) and at most one
/// file.
async fn read_multipart(
    mut multipart: Multipart,
    identity: &Identity,
) -> Result<(Vec<(String, String)>, Option<Upload>), AppError> {
    let expired = || {
        AppError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        )
    };
    let first = multipart.next_field().await.map_err(unreadable)?.ok_or_else(expired)?;
    if first.name() != Some("csrf") {
        return Err(expired());
    }
    let token = first.text().await.map_err(unreadable)?;
    if identity.csrf_token.is_empty() || !constant_time_eq(&token, &identity.csrf_token) {
        return Err(expired());
    }
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

/// The member's own CE page again (422) after `err` refused one of its forms: the
/// messages marked on their fields, and what `refused` brings back as typed.
async fn own_page_refused(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    err: AppError,
    refused: Refused,
) -> PageResult {
    let refused = Refused { form: FormState::from_error(&err), ..refused };
    let page = ce_page(app, actor, identity, None, String::new(), refused).await?;
    rerender(&page, &err)
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
            own_page_refused(app, actor, identity, err, Refused { failed: "other", ..Refused::default() }).await
        }
        Err(err) => Err(err.into()),
    }
}

/// Logs an activity. A refused one shows the page again with every value as typed and each
/// wrong field marked; the first wrong field has `autofocus`, so the browser shows it (a
/// fragment in the address would win over autofocus, so there is none).
pub async fn log_activity(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    multipart: Multipart,
) -> PageResult {
    let (fields, file) = read_multipart(multipart, &identity).await?;
    let input = activity_input(fields);
    let had_file = file.is_some();
    match app.log_ce_activity(&actor, None, &input, file, &identity.request_id).await {
        Ok(_) => Ok(Redirect::to("/ce?notice=logged#ledger").into_response()),
        Err(err @ AppError::Validation { .. }) => {
            let refused =
                Refused { failed: "activity", values: Some(input), file_dropped: had_file, ..Refused::default() };
            own_page_refused(&app, &actor, &identity, err, refused).await
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn add_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(activity_id): Path<i64>,
    multipart: Multipart,
) -> PageResult {
    let (_, file) = read_multipart(multipart, &identity).await?;
    let file = file.ok_or_else(|| AppError::invalid_field("evidence", "Choose a file to upload."))?;
    app.add_ce_evidence(&actor, None, activity_id, file).await?;
    Ok(Redirect::to("/ce?notice=evidence#ledger").into_response())
}

/// A destructive form: it acts only with `confirmed`; without it, the confirmation page.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[allow(dead_code)]
    csrf: String,
    #[serde(default)]
    confirmed: String,
}

pub async fn confirm_delete_activity(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(activity_id): Path<i64>,
) -> PageResult {
    let a = app.ce_activity_to_delete(&actor, activity_id).await?;
    let mut consequences = vec![format!(
        "\u{201c}{}\u{201d} ({}, {}) leaves your ledger, and your progress is worked out without it.",
        a.title, a.when, a.quantity
    )];
    match a.evidence.len() {
        0 => consequences.push("It has no evidence files.".into()),
        n => consequences.push(format!(
            "Its {} deleted with it: {}.",
            if n == 1 { "evidence file is".to_string() } else { format!("{n} evidence files are") },
            a.evidence.iter().map(|e| e.file_name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
    consequences.push("This cannot be undone: to count it again, log it again.".into());
    render(&ConfirmPage {
        chrome: Chrome::new(&app, &identity, "Delete this activity?", "ce").await,
        heading: "Delete this activity?".into(),
        details: vec![],
        consequences,
        action: format!("/ce/activities/{activity_id}/delete"),
        hidden: vec![],
        inputs: vec![],
        form: FormState::default(),
        button: "Delete the activity".into(),
        cancel_href: format!("/ce#activity-{activity_id}"),
    })
}

pub async fn delete_activity(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(activity_id): Path<i64>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    if !is_confirmed(&f.confirmed) {
        // Not confirmed: the confirmation page (for an activity that is the member's own).
        app.ce_activity_to_delete(&actor, activity_id).await?;
        return Ok(Redirect::to(&format!("/ce/activities/{activity_id}/delete")).into_response());
    }
    app.delete_ce_activity(&actor, None, activity_id, &identity.request_id).await?;
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
    match app.add_ce_credential(&actor, None, &input, &identity.request_id).await {
        Ok(_) => Ok(Redirect::to("/ce?notice=credential").into_response()),
        // Refused: the page again with the licence or certification as typed.
        Err(err @ AppError::Validation { .. }) => {
            let refused = Refused { failed: "other", credential: Some(input), ..Refused::default() };
            own_page_refused(&app, &actor, &identity, err, refused).await
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn confirm_remove_credential(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(key): Path<String>,
) -> PageResult {
    let held = app.ce_credential_to_remove(&actor, &key).await?;
    render(&ConfirmPage {
        chrome: Chrome::new(&app, &identity, "Remove from your record?", "ce").await,
        heading: "Remove from your record?".into(),
        details: vec![],
        consequences: vec![
            format!("{held} will no longer be on your record, and its renewal requirements will no longer be tracked."),
            "Your logged activities and their evidence stay: they still count toward your other licences and certifications.".into(),
            "To track it again, add it again.".into(),
        ],
        action: format!("/ce/credentials/{key}/delete"),
        hidden: vec![],
        inputs: vec![],
        form: FormState::default(),
        button: "Remove it".into(),
        cancel_href: "/ce#held-h".into(),
    })
}

pub async fn remove_credential(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(key): Path<String>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    if !is_confirmed(&f.confirmed) {
        app.ce_credential_to_remove(&actor, &key).await?;
        return Ok(Redirect::to(&format!("/ce/credentials/{key}/delete")).into_response());
    }
    app.remove_ce_credential(&actor, None, &key, &identity.request_id).await?;
    Ok(Redirect::to("/ce?notice=removed").into_response())
}

/// The figures a credential's rule set reads from the member's record (e.g. PEAK target hours).
pub async fn save_credential_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(key): Path<String>,
    CsrfForm(values): CsrfForm<std::collections::BTreeMap<String, String>>,
) -> PageResult {
    let outcome = app.set_ce_credential_fields(&actor, None, &key, &values, &identity.request_id).await;
    after_own_form(&app, &actor, &identity, outcome, &format!("/ce?notice=figures#cred-{key}")).await
}

pub async fn own_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(evidence_id): Path<i64>,
) -> PageResult {
    Ok(document_response(app.ce_evidence(&actor, None, None, evidence_id).await?, false))
}

pub async fn member_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((member_id, evidence_id)): Path<(i64, i64)>,
) -> PageResult {
    Ok(document_response(app.ce_evidence(&actor, Some(member_id), None, evidence_id).await?, false))
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
    /// The rows of this page.
    rows: Vec<ComplianceRow>,
    pager: Pager,
    /// (id, name) of every chapter, for the filter.
    chapters: Vec<(i64, String)>,
    sorts: &'static [(&'static str, &'static str)],
    q: ComplianceQuery,
    /// The filters as a query string (for the CSV, sorting and the request action).
    filters: String,
    notice: String,
    /// Members the filtered rows need a fact from.
    asking: usize,
}

/// The report's filters as typed in the address; anything unreadable means "all".
#[derive(Deserialize, Default, Clone)]
pub struct ComplianceQuery {
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    ruleset: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    notice: String,
}

/// Rows of the compliance report per page.
const COMPLIANCE_PER_PAGE: usize = 50;

impl ComplianceQuery {
    fn filter(&self) -> ComplianceFilter {
        ComplianceFilter {
            chapter: self.chapter.trim().parse().ok(),
            ruleset: non_empty(&self.ruleset).map(String::from),
            status: non_empty(&self.status).map(String::from),
            sort: self.sort.trim().to_string(),
        }
    }

    /// The filters (without the page) as a query string.
    fn filters(&self) -> String {
        query_string(&[
            ("chapter", self.chapter.trim()),
            ("ruleset", self.ruleset.trim()),
            ("status", self.status.trim()),
            ("sort", self.sort.trim()),
        ])
    }

    fn is_filtered(&self) -> bool {
        !(self.chapter.trim().is_empty() && self.ruleset.trim().is_empty() && self.status.trim().is_empty())
    }
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// A compliance status in words (for the report's templates).
pub fn status_words(code: &str) -> &'static str {
    words::status_code_words(code)
}

/// The report filtered to one rule set and status (a count's link), keeping the chapter.
pub fn count_link(chapter: &str, ruleset: &str, status: &str) -> String {
    format!(
        "/staff/compliance?{}#list-h",
        query_string(&[("chapter", chapter), ("ruleset", ruleset), ("status", status)])
    )
}

async fn chapter_choices(app: &App, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    Ok(app.chapters(actor).await?.into_iter().map(|c| (c.id, c.name)).collect())
}

pub async fn compliance(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<ComplianceQuery>,
) -> PageResult {
    // A page number that is not one (0, -1, abc, past the end) shows the nearest page.
    let asked = q.page.trim().parse::<usize>().unwrap_or(1);
    let (report, rows, page) = app.ce_compliance_page(&actor, &q.filter(), asked, COMPLIANCE_PER_PAGE).await?;
    let chrome = Chrome::new(&app, &identity, "CE compliance", "staff").await.in_subsection("compliance");
    let total = report.rows.len();
    let pages = total.div_ceil(COMPLIANCE_PER_PAGE).max(1);
    let filters = q.filters();
    let base =
        if filters.is_empty() { "/staff/compliance".to_string() } else { format!("/staff/compliance?{filters}") };
    let pager = Pager::from_parts(page as u32, pages as u32, total as i64, base);
    let notice = match q.notice.as_str() {
        "asked" => "The members were asked for the missing facts by email.".to_string(),
        "none" => "Nobody was emailed: every one of them was already asked today, or has no email address.".into(),
        _ => String::new(),
    };
    render(&CompliancePage {
        chrome,
        asking: report.members_missing_facts(),
        rows,
        pager,
        chapters: chapter_choices(&app, &actor).await?,
        sorts: COMPLIANCE_SORTS,
        report,
        filters,
        notice,
        q,
    })
}

pub async fn compliance_csv(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Query(q): Query<ComplianceQuery>,
) -> PageResult {
    let report = app.ce_compliance_report(&actor, &q.filter()).await?;
    let mut out =
        String::from("Member number,Member,Licence or certification,Held,Status,Period ends,Short of,Missing\n");
    for r in &report.rows {
        let missing = r.missing.join("; ");
        let cells = [
            &r.member_number,
            &r.member_name,
            &r.ruleset_name,
            &r.held,
            &r.status_words.to_string(),
            &r.period_end,
            &r.short_of,
            &missing,
        ];
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

/// The page asking staff to confirm emailing every member the filtered report needs a fact from.
#[derive(Template)]
#[template(path = "ce/request_facts.html")]
pub struct RequestFactsPage {
    chrome: Chrome,
    members: Vec<(i64, String, Vec<String>)>,
    filters: String,
    filtered: bool,
    q: ComplianceQuery,
}

pub async fn confirm_request_facts(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<ComplianceQuery>,
) -> PageResult {
    let members = app.ce_fact_requests_preview(&actor, &q.filter()).await?;
    let chrome =
        Chrome::new(&app, &identity, "Ask members for missing facts", "staff").await.in_subsection("compliance");
    render(&RequestFactsPage { chrome, members, filters: q.filters(), filtered: q.is_filtered(), q })
}

#[derive(Deserialize)]
pub struct RequestFactsForm {
    #[allow(dead_code)]
    csrf: String,
    #[serde(default)]
    confirmed: String,
    #[serde(flatten)]
    q: ComplianceQuery,
}

pub async fn request_facts(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<RequestFactsForm>,
) -> PageResult {
    let filters = f.q.filters();
    let sep = if filters.is_empty() { "" } else { "&" };
    if !is_confirmed(&f.confirmed) {
        actor.require(guildhall_app::Permission::StaffArea)?;
        return Ok(Redirect::to(&format!("/staff/compliance/request-facts?{filters}")).into_response());
    }
    let (sent, _) = app.request_ce_facts(&actor, &f.q.filter(), &identity.request_id).await?;
    let notice = if sent > 0 { "asked" } else { "none" };
    Ok(Redirect::to(&format!("/staff/compliance?{filters}{sep}notice={notice}")).into_response())
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
    /// Which form was refused: `fields` (the programme form) or `toml` (the advanced view).
    failed: &'static str,
    notice: String,
    fields: ProgrammeFields,
    file_name: String,
    rules: String,
    anchors: &'static [(&'static str, &'static str)],
    units: &'static [(&'static str, &'static str)],
    topics: &'static [(&'static str, &'static str)],
}

/// Rows offered for minimums per topic.
const MINIMUM_ROWS: usize = 3;

#[derive(Deserialize)]
pub struct ProgrammeForm {
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    rules: String,
}

/// What the programmes page shows in its two forms: blank, or a refused one as typed.
struct ProgrammeDraft {
    /// `fields`, `toml` or "" (nothing refused).
    failed: &'static str,
    form: FormState,
    fields: ProgrammeFields,
    file_name: String,
    rules: String,
}

impl ProgrammeDraft {
    fn blank() -> Self {
        ProgrammeDraft {
            failed: "",
            form: FormState::default(),
            fields: blank_programme(),
            file_name: String::new(),
            rules: String::new(),
        }
    }
}

async fn programmes_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    notice: String,
    draft: ProgrammeDraft,
) -> Result<ProgrammesPage, AppError> {
    let programmes = app.ce_programmes(actor).await?;
    let chrome = Chrome::new(app, identity, "CE programmes", "staff").await.in_subsection("programmes");
    Ok(ProgrammesPage {
        chrome,
        programmes,
        form: draft.form,
        failed: draft.failed,
        notice,
        fields: draft.fields,
        file_name: draft.file_name,
        rules: draft.rules,
        anchors: PROGRAMME_ANCHORS,
        units: PROGRAMME_UNITS,
        topics: COMMON_TOPICS,
    })
}

fn blank_programme() -> ProgrammeFields {
    ProgrammeFields {
        length_months: "12".into(),
        anchor: "calendar_year".into(),
        unit: "PDH".into(),
        ..ProgrammeFields::default()
    }
}

pub async fn programmes(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let notice = if q.notice.is_empty() { String::new() } else { format!("Saved programme {}.", q.notice) };
    render(&programmes_page(&app, &actor, &identity, notice, ProgrammeDraft::blank()).await?)
}

fn saved(id: String) -> PageResult {
    let target = format!("/staff/programmes?{}", serde_urlencoded::to_string([("notice", id)]).unwrap_or_default());
    Ok(Redirect::to(&target).into_response())
}

/// The advanced view: a rule file typed as TOML.
pub async fn save_programme(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<ProgrammeForm>,
) -> PageResult {
    match app.save_ce_programme(&actor, &f.file_name, &f.rules, &identity.request_id).await {
        Ok(id) => saved(id),
        Err(err @ AppError::Validation { .. }) => {
            let draft = ProgrammeDraft {
                failed: "toml",
                form: FormState::from_error(&err),
                fields: blank_programme(),
                file_name: f.file_name,
                rules: f.rules,
            };
            rerender(&programmes_page(&app, &actor, &identity, String::new(), draft).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

/// The programme form's fields as posted (minimums as `minimum_topic_N` / `minimum_hours_N`).
pub async fn save_programme_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<std::collections::BTreeMap<String, String>>,
) -> PageResult {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let fields = ProgrammeFields {
        id: get("id"),
        name: get("name"),
        authority: get("authority"),
        length_months: get("length_months"),
        anchor: get("anchor"),
        total: get("total"),
        unit: get("unit"),
        minimums: (0..MINIMUM_ROWS)
            .map(|i| (get(&format!("minimum_topic_{i}")), get(&format!("minimum_hours_{i}"))))
            .collect(),
        carryover: get("carryover"),
    };
    match app.save_ce_programme_fields(&actor, &fields, &identity.request_id).await {
        Ok(id) => saved(id),
        Err(err @ AppError::Validation { .. }) => {
            // The rule file the fields make, shown in the advanced view to change by hand.
            let (file_name, rules) = programme_toml(&fields).unwrap_or_default();
            let draft =
                ProgrammeDraft { failed: "fields", form: FormState::from_error(&err), fields, file_name, rules };
            rerender(&programmes_page(&app, &actor, &identity, String::new(), draft).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}
