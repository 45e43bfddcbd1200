//! Applications' pages: applying (a resume upload, a cover letter, the facts to share), the
//! member's applications with where each stands and withdrawing (confirmed first), and the
//! employer's applicants with moving them through the stages.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::routing::{get, post};
use guildhall_app::careers::{ApplicationForm, ApplicationView, ApplyView, JobView, MAX_RESUME_BYTES};
use guildhall_app::records::ApplicationRecord;
use guildhall_app::uploads::Upload;
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::careers::ApplicationStage;
use serde::Deserialize;

use crate::kit::confirm::{ConfirmPage, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, CsrfQuery, Identity, SignedIn, check_csrf};

pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/jobs/{id}/apply",
            get(apply_form).post(apply).layer(DefaultBodyLimit::max(MAX_RESUME_BYTES + 256 * 1024)),
        )
        .route("/account/applications", get(mine))
        .route("/account/applications/{id}", get(my_application))
        .route("/account/applications/{id}/withdraw", get(confirm_withdraw).post(withdraw))
        .route("/account/applications/{id}/resume.pdf", get(my_resume))
        .route("/employer/{id}/jobs/{job}/applications", get(applicants))
        .route("/employer/{id}/jobs/{job}/applications/{application}", get(applicant))
        .route("/employer/{id}/jobs/{job}/applications/{application}/stage", post(move_stage))
        .route("/employer/{id}/jobs/{job}/applications/{application}/resume.pdf", get(applicant_resume))
}

fn application_notice(done: &str) -> String {
    match done {
        "application_sent" => "Your application was sent. You will be emailed when the employer moves it.",
        "application_withdrawn" => "Your application was withdrawn and the employer told.",
        "moved" => "The application was moved and the applicant told.",
        _ => "",
    }
    .into()
}

// ------------------------------------------------------------------ applying

#[derive(Default)]
struct ApplyInput {
    cover_letter: String,
    share: Vec<String>,
}

#[derive(Template)]
#[template(path = "careers/apply.html")]
struct ApplyPage {
    chrome: Chrome,
    view: ApplyView,
    values: ApplyInput,
    form: FormState,
}

impl ApplyPage {
    fn shared(&self, key: &str) -> bool {
        self.values.share.iter().any(|k| k == key)
    }
}

async fn apply_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    job: i64,
    values: ApplyInput,
    form: FormState,
) -> Result<ApplyPage, AppError> {
    let view = app.apply_page(actor, job).await?;
    let title = format!("Apply: {}", view.job.job.title);
    Ok(ApplyPage { chrome: Chrome::new(app, identity, &title, "jobs").await, view, values, form })
}

#[derive(Deserialize, Default)]
struct InvitedQuery {
    #[serde(default)]
    invited: String,
}

async fn apply_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(invited): Query<InvitedQuery>,
) -> PageResult {
    let id = path_id(&id, "job")?;
    let mut input = ApplyInput::default();
    // An invitation from the resume bank accepted: the letter starts by saying so.
    if invited.invited == "1" {
        input.cover_letter = "I am applying at your invitation, sent through the society's resume bank.\n\n".into();
    }
    render(&apply_page(&app, &actor, &identity, id, input, FormState::default()).await?)
}

async fn apply(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(csrf): Query<CsrfQuery>,
    mut multipart: Multipart,
) -> PageResult {
    check_csrf(&csrf, &identity)?;
    let id = path_id(&id, "job")?;
    let unreadable = |e| multipart_problem(e, "The application");
    let mut input = ApplyInput::default();
    let mut resume = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "resume" {
            let file_name = field.file_name().unwrap_or("resume.pdf").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            resume = Some(Upload { file_name, bytes: bytes.to_vec() });
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "cover_letter" => input.cover_letter = text,
            "share" => input.share.push(text),
            _ => {}
        }
    }
    let form = ApplicationForm { cover_letter: input.cover_letter.clone(), share: input.share.clone() };
    match app.apply_to_job(&actor, id, &form, resume).await {
        Ok(application) => done(&format!("/account/applications/{application}"), "application_sent"),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => {
            rerender(&apply_page(&app, &actor, &identity, id, input, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ------------------------------------------------------------------ the member's applications

#[derive(Template)]
#[template(path = "careers/my_applications.html")]
struct MinePage {
    chrome: Chrome,
    applications: Vec<ApplicationRecord>,
}

impl MinePage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }
}

async fn mine(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    render(&MinePage {
        chrome: Chrome::new(&app, &identity, "Your job applications", "jobs").await,
        applications: app.my_applications(&actor).await?,
    })
}

#[derive(Template)]
#[template(path = "careers/application.html")]
struct ApplicationPage {
    chrome: Chrome,
    view: ApplicationView,
    notice: String,
    /// The employer's page (with the stage form), or the applicant's.
    for_employer: bool,
    resume_link: String,
    stages: Vec<(&'static str, &'static str)>,
    form: FormState,
}

impl ApplicationPage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }

    fn may_withdraw(&self) -> bool {
        self.view.application.stage.applicant_may_withdraw()
    }

    fn may_move(&self) -> bool {
        self.view.application.stage != ApplicationStage::Withdrawn
    }
}

async fn my_application(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "application")?;
    let view = app.my_application(&actor, id).await?;
    let title = format!("Your application: {}", view.application.job_title);
    render(&ApplicationPage {
        chrome: Chrome::new(&app, &identity, &title, "jobs").await,
        notice: application_notice(done.done()),
        for_employer: false,
        resume_link: format!("/account/applications/{id}/resume.pdf"),
        stages: Vec::new(),
        form: FormState::default(),
        view,
    })
}

async fn my_resume(State(app): State<Arc<App>>, SignedIn(actor, _): SignedIn, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id, "application")?;
    Ok(document_response(app.application_resume(&actor, None, id).await?, false))
}

async fn withdraw_confirmation(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
) -> Result<ConfirmPage, AppError> {
    let view = app.my_application(actor, id).await?;
    let chrome = Chrome::new(app, identity, "Withdraw an application", "jobs").await;
    let address = format!("/account/applications/{id}");
    let mut page = ConfirmPage::plain(
        chrome,
        format!("Withdraw your application for \u{201c}{}\u{201d}?", view.application.job_title),
        format!("{address}/withdraw"),
        "Withdraw the application",
        address,
    );
    page.details = vec![("Employer".into(), view.application.employer_name.clone())];
    page.consequences = vec![
        "The employer is told, and can no longer download your resume.".into(),
        "You cannot apply for this job again.".into(),
    ];
    Ok(page)
}

async fn confirm_withdraw(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id, "application")?;
    render(&withdraw_confirmation(&app, &actor, &identity, id).await?)
}

async fn withdraw(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<Confirmation>,
) -> PageResult {
    let id = path_id(&id, "application")?;
    if !is_confirmed(&input.confirmed) {
        return render(&withdraw_confirmation(&app, &actor, &identity, id).await?);
    }
    app.withdraw_application(&actor, id).await?;
    done(&format!("/account/applications/{id}"), "application_withdrawn")
}

// ------------------------------------------------------------------ the employer's applicants

#[derive(Template)]
#[template(path = "careers/applicants.html")]
struct ApplicantsPage {
    chrome: Chrome,
    job: JobView,
    applications: Vec<ApplicationRecord>,
}

impl ApplicantsPage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }
}

async fn applicants(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    let (job, applications) = app.applications_for_job(&actor, id, job).await?;
    let title = format!("Applications: {}", job.job.title);
    render(&ApplicantsPage { chrome: Chrome::new(&app, &identity, &title, "jobs").await, job, applications })
}

async fn applicant_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    (employer, job, id): (i64, i64, i64),
    notice: String,
    form: FormState,
) -> Result<ApplicationPage, AppError> {
    let view = app.application_for_employer(actor, employer, job, id).await?;
    let title = format!("{}: {}", view.application.applicant_name, view.application.job_title);
    Ok(ApplicationPage {
        chrome: Chrome::new(app, identity, &title, "jobs").await,
        notice,
        for_employer: true,
        resume_link: format!("/employer/{employer}/jobs/{job}/applications/{id}/resume.pdf"),
        stages: ApplicationStage::EMPLOYER_MOVES.iter().map(|s| (s.code(), s.label())).collect(),
        form,
        view,
    })
}

async fn applicant(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job, application)): Path<(String, String, String)>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let ids = (path_id(&id, "employer")?, path_id(&job, "job")?, path_id(&application, "application")?);
    render(&applicant_page(&app, &actor, &identity, ids, application_notice(done.done()), FormState::default()).await?)
}

#[derive(Deserialize, Default)]
struct StageInput {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    message: String,
}

async fn move_stage(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job, application)): Path<(String, String, String)>,
    CsrfForm(input): CsrfForm<StageInput>,
) -> PageResult {
    let ids = (path_id(&id, "employer")?, path_id(&job, "job")?, path_id(&application, "application")?);
    match app.move_application(&actor, ids, &input.stage, &input.message).await {
        Ok(()) => done(&format!("/employer/{}/jobs/{}/applications/{}", ids.0, ids.1, ids.2), "moved"),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => rerender(
            &applicant_page(&app, &actor, &identity, ids, String::new(), FormState::from_error(&err)).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

async fn applicant_resume(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((id, job, application)): Path<(String, String, String)>,
) -> PageResult {
    let (id, job, application) =
        (path_id(&id, "employer")?, path_id(&job, "job")?, path_id(&application, "application")?);
    Ok(document_response(app.application_resume(&actor, Some((id, job)), application).await?, false))
}
