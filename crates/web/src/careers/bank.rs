//! The resume bank's pages. Members: `/account/resume-bank` (opt in or change the entry with
//! an uploaded or built resume, opt out — confirmed first — and answer invitations), their
//! resume as JSON Resume and as a PDF. Employers: `/employer/{id}/resume-bank` (the search,
//! for recruiters with paid access; others of the employer are told it is a paid product),
//! buying access, a named entry's resume, inviting a member to apply.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use guildhall_app::careers::{
    BankAccessView, BankEntryForm, BankQuery, BankView, CANDIDATES_A_PAGE, MAX_RESUME_BYTES, Purchase, ResumeBankView,
    discipline_words,
};
use guildhall_app::membership::format_money;
use guildhall_app::records::{EmployerInvitationRecord, PageRequest};
use guildhall_app::uploads::Upload;
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::careers::salary::Region;
use guildhall_domain::careers::{BankInput, InvitationStatus};
use guildhall_domain::member::LicenceKind;
use serde::Deserialize;

use super::discipline_choices;
use super::orders::{OrderInput, after_order};
use crate::kit::confirm::{ConfirmPage, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, CsrfQuery, Identity, SignedIn, check_csrf};

pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/account/resume-bank", get(mine).post(save).layer(DefaultBodyLimit::max(MAX_RESUME_BYTES + 256 * 1024)))
        .route("/account/resume-bank/leave", get(confirm_leave).post(leave))
        .route("/account/resume-bank/invitations/{id}/accept", post(accept))
        .route("/account/resume-bank/invitations/{id}/decline", post(decline))
        .route("/account/resume.json", get(resume_json))
        .route("/account/resume.pdf", get(resume_pdf))
        .route("/employer/{id}/resume-bank", get(bank))
        .route("/employer/{id}/resume-bank/access", get(access).post(order_access))
        .route("/employer/{id}/resume-bank/{entry}/invite", post(invite))
        .route("/employer/{id}/resume-bank/{entry}/resume.pdf", get(candidate_resume))
}

fn bank_notice(done: &str) -> String {
    match done {
        "entry_saved" => "Your resume bank entry was saved. Employers with access can find it.",
        "left" => "You left the resume bank: your entry was deleted.",
        "declined" => "You declined the invitation. The employer is told, without your name.",
        "invited" => "The invitation was sent. The member sees your name and the job; you see their answer.",
        "access_ordered" => "Access was ordered.",
        "access_paid" => "Thank you: the payment was received. Access starts within a minute.",
        _ => "",
    }
    .into()
}

/// Career stages a member may give (as the membership record's).
fn bank_stage_choices() -> Vec<(&'static str, &'static str)> {
    vec![
        ("student", "Student or intern"),
        ("eit", "Engineer in training (EIT)"),
        ("licensed", "Licensed engineer"),
        ("retired", "Retired"),
        ("other", "Other"),
    ]
}

fn bank_stage_label(code: &str) -> &'static str {
    bank_stage_choices().into_iter().find(|(c, _)| *c == code).map_or("Other", |(_, l)| l)
}

fn region_choices() -> Vec<(&'static str, &'static str)> {
    Region::ALL.iter().map(|r| (r.code(), r.label())).collect()
}

// ------------------------------------------------------------------ the member's page

#[derive(Template)]
#[template(path = "careers/resume_bank.html")]
struct MinePage {
    chrome: Chrome,
    view: ResumeBankView,
    notice: String,
    values: BankInput,
    resume: String,
    form: FormState,
    disciplines: Vec<(&'static str, String)>,
    stages: Vec<(&'static str, &'static str)>,
    regions: Vec<(&'static str, &'static str)>,
}

impl MinePage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }

    fn kb(&self, bytes: &i64) -> String {
        format!("{} KB", (bytes + 1023) / 1024)
    }

    fn waiting(&self, status: &InvitationStatus) -> bool {
        *status == InvitationStatus::Sent
    }

    fn accepted(&self, status: &InvitationStatus) -> bool {
        *status == InvitationStatus::Accepted
    }

    fn expired(&self, status: &InvitationStatus) -> bool {
        *status == InvitationStatus::Expired
    }
}

async fn mine_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    notice: String,
    typed: Option<(BankInput, String)>,
    form: FormState,
) -> Result<MinePage, AppError> {
    let view = app.resume_bank_page(actor).await?;
    let (values, resume) = typed.unwrap_or_else(|| match &view.entry {
        Some(e) => (
            BankInput {
                summary: e.summary.clone(),
                discipline: e.discipline.as_str().into(),
                career_stage: e.career_stage.clone(),
                years_experience: e.years_experience.to_string(),
                region: e.region.code().into(),
                visibility: if e.confidential { "confidential" } else { "named" }.into(),
            },
            e.resume_id.map_or("profile".into(), |id| id.to_string()),
        ),
        None => (
            BankInput {
                discipline: view.default_discipline.clone(),
                career_stage: view.default_stage.clone(),
                visibility: "confidential".into(),
                ..BankInput::default()
            },
            "profile".into(),
        ),
    });
    Ok(MinePage {
        chrome: Chrome::new(app, identity, "Resume bank", "jobs").await,
        view,
        notice,
        values,
        resume,
        form,
        disciplines: discipline_choices(),
        stages: bank_stage_choices(),
        regions: region_choices(),
    })
}

async fn mine(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    render(&mine_page(&app, &actor, &identity, bank_notice(done.done()), None, FormState::default()).await?)
}

async fn save(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(csrf): Query<CsrfQuery>,
    mut multipart: Multipart,
) -> PageResult {
    check_csrf(&csrf, &identity)?;
    let unreadable = |e| multipart_problem(e, "The resume bank entry");
    let mut input = BankInput::default();
    let mut resume = String::new();
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "resume_file" {
            let file_name = field.file_name().unwrap_or("resume.pdf").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            upload = Some(Upload { file_name, bytes: bytes.to_vec() });
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "summary" => input.summary = text,
            "discipline" => input.discipline = text,
            "career_stage" => input.career_stage = text,
            "years_experience" => input.years_experience = text,
            "region" => input.region = text,
            "visibility" => input.visibility = text,
            "resume" => resume = text,
            _ => {}
        }
    }
    let form = BankEntryForm { facts: input.clone(), resume: resume.clone() };
    match app.save_bank_entry(&actor, &form, upload).await {
        Ok(()) => done("/account/resume-bank", "entry_saved"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &mine_page(&app, &actor, &identity, String::new(), Some((input, resume)), FormState::from_error(&err))
                .await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

async fn leave_confirmation(app: &App, identity: &Identity) -> ConfirmPage {
    let chrome = Chrome::new(app, identity, "Leave the resume bank", "jobs").await;
    let mut page = ConfirmPage::plain(
        chrome,
        "Leave the resume bank?".into(),
        "/account/resume-bank/leave".into(),
        "Leave and delete my entry",
        "/account/resume-bank".into(),
    );
    page.consequences = vec![
        "Your entry is deleted: employers can no longer find you or invite you.".into(),
        "Invitations already answered stay in your list; your uploaded resumes are kept for your applications.".into(),
    ];
    page
}

async fn confirm_leave(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    app.resume_bank_page(&actor).await?;
    render(&leave_confirmation(&app, &identity).await)
}

#[derive(Deserialize, Default)]
struct ConfirmInput {
    #[serde(default)]
    confirmed: String,
}

async fn leave(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(input): CsrfForm<ConfirmInput>,
) -> PageResult {
    if !is_confirmed(&input.confirmed) {
        return render(&leave_confirmation(&app, &identity).await);
    }
    app.leave_resume_bank(&actor).await?;
    done("/account/resume-bank", "left")
}

async fn accept(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let id = path_id(&id, "invitation")?;
    let invitation = app.answer_bank_invitation(&actor, id, true).await?;
    Ok(Redirect::to(&format!("/jobs/{}/apply?invited=1", invitation.job_id)).into_response())
}

async fn decline(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let id = path_id(&id, "invitation")?;
    app.answer_bank_invitation(&actor, id, false).await?;
    done("/account/resume-bank", "declined")
}

async fn resume_json(State(app): State<Arc<App>>, SignedIn(actor, _): SignedIn) -> PageResult {
    let resume = app.my_json_resume(&actor).await?;
    let mut response = Json(resume).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_static("attachment; filename=\"resume.json\""),
    );
    Ok(response)
}

async fn resume_pdf(State(app): State<Arc<App>>, SignedIn(actor, _): SignedIn) -> PageResult {
    Ok(document_response(app.my_resume_pdf(&actor).await?, false))
}

// ------------------------------------------------------------------ the employer's bank

#[derive(Deserialize, Default)]
struct BankParams {
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    career_stage: String,
    #[serde(default)]
    licence: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    done: String,
}

impl BankParams {
    fn query(&self) -> BankQuery {
        BankQuery {
            discipline: self.discipline.trim().into(),
            career_stage: self.career_stage.trim().into(),
            licence: self.licence.trim().into(),
            region: self.region.trim().into(),
        }
    }
}

#[derive(Template)]
#[template(path = "careers/bank.html")]
struct BankPage {
    chrome: Chrome,
    employer_id: i64,
    view: Option<BankView>,
    query: BankQuery,
    pager: Pager,
    notice: String,
    form: FormState,
    disciplines: Vec<(&'static str, String)>,
    stages: Vec<(&'static str, &'static str)>,
    regions: Vec<(&'static str, &'static str)>,
    licences: Vec<(&'static str, &'static str)>,
}

impl BankPage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }

    fn discipline(&self, d: &guildhall_domain::csv::members::Discipline) -> String {
        discipline_words(*d)
    }

    fn stage(&self, code: &str) -> &'static str {
        bank_stage_label(code)
    }

    /// Where an invitation stands, in words, with its expiry while it waits or once it passed.
    fn answer(&self, invitation: &EmployerInvitationRecord) -> String {
        let until = fmt_time(invitation.expires_at);
        match invitation.status {
            InvitationStatus::Accepted => "Accepted: an application follows if they apply".into(),
            InvitationStatus::Sent => format!("Waiting for an answer until {until}"),
            InvitationStatus::Expired => format!("Expired {until}, unanswered"),
            other => other.label().into(),
        }
    }
}

#[derive(Template)]
#[template(path = "careers/bank_paid.html")]
struct PaidProductPage {
    chrome: Chrome,
    employer_id: i64,
    message: String,
}

async fn bank_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    params: &BankParams,
    notice: String,
) -> PageResult {
    let query = params.query();
    let base_query = query_string(&[
        ("discipline", &query.discipline),
        ("career_stage", &query.career_stage),
        ("licence", &query.licence),
        ("region", &query.region),
    ]);
    let base = if base_query.is_empty() {
        format!("/employer/{id}/resume-bank")
    } else {
        format!("/employer/{id}/resume-bank?{base_query}")
    };
    let mut page = BankPage {
        chrome: Chrome::new(app, identity, "Resume bank", "jobs").await,
        employer_id: id,
        view: None,
        query: query.clone(),
        pager: Pager::from_parts(1, 1, 0, base.clone()),
        notice,
        form: FormState::default(),
        disciplines: discipline_choices(),
        stages: bank_stage_choices(),
        regions: region_choices(),
        licences: LicenceKind::choices(),
    };
    let request = PageRequest::new(params.page.unwrap_or(1), CANDIDATES_A_PAGE);
    match app.browse_bank(actor, id, &query, request, &identity.request_id).await {
        Ok(view) => {
            page.pager = Pager::new(&view.candidates, base);
            page.view = Some(view);
            render(&page)
        }
        Err(AppError::Forbidden(message)) => {
            let mut response = render(&PaidProductPage {
                chrome: Chrome::new(app, identity, "You cannot open this page", "jobs").await,
                employer_id: id,
                message,
            })?;
            *response.status_mut() = StatusCode::FORBIDDEN;
            Ok(response)
        }
        Err(err @ AppError::Validation { .. }) => {
            page.form = FormState::from_error(&err);
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn bank(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(params): Query<BankParams>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    bank_page(&app, &actor, &identity, id, &params, bank_notice(&params.done)).await
}

#[derive(Deserialize, Default)]
struct InviteInput {
    #[serde(default)]
    job: String,
    #[serde(default)]
    message: String,
}

async fn invite(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((id, entry)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<InviteInput>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    app.invite_from_bank(&actor, id, &entry, &input.job, &input.message).await?;
    done(&format!("/employer/{id}/resume-bank"), "invited")
}

async fn candidate_resume(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, entry)): Path<(String, String)>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    Ok(document_response(app.bank_candidate_resume(&actor, id, &entry, &identity.request_id).await?, false))
}

// ------------------------------------------------------------------ buying access

#[derive(Template)]
#[template(path = "careers/bank_access.html")]
struct AccessPage {
    chrome: Chrome,
    view: BankAccessView,
    notice: String,
    form: FormState,
}

impl AccessPage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }

    fn money(&self, cents: &i64) -> String {
        format_money(*cents)
    }
}

async fn access(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let view = app.bank_access(&actor, id).await?;
    render(&AccessPage {
        chrome: Chrome::new(&app, &identity, "Access to the resume bank", "jobs").await,
        view,
        notice: bank_notice(done.done()),
        form: FormState::default(),
    })
}

async fn order_access(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<OrderInput>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let access = Purchase::BankAccess { employer_id: id };
    let order = match app.order_product(&actor, access, &input.product).await {
        Ok(order) => order,
        Err(err @ AppError::Validation { .. }) => {
            let view = app.bank_access(&actor, id).await?;
            return rerender(
                &AccessPage {
                    chrome: Chrome::new(&app, &identity, "Access to the resume bank", "jobs").await,
                    view,
                    notice: String::new(),
                    form: FormState::from_error(&err),
                },
                &err,
            );
        }
        Err(err) => return Err(err.into()),
    };
    after_order(&app, &actor, access, order).await
}
