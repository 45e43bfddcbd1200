//! Employers' own pages: their accounts, writing and changing jobs, sending them for review,
//! closing them (confirmed first), and recruiters.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use guildhall_app::careers::{
    EmployerAccount, EmployerForm, JobAdvertising, JobForm, JobView, Purchase, RequirementRow,
};
use guildhall_app::membership::format_money;
use guildhall_app::records::EmployerRecord;
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::careers::{CERTIFICATION_PREFIX, ClosedReason, Moderation, Need, PayPeriod};
use guildhall_domain::member::LicenceKind;
use serde::Deserialize;

use super::orders::{OrderInput, after_order};
use super::{discipline_choices, jurisdiction_choices, remote_choices, stage_choices, stage_label, state_words};
use crate::kit::confirm::{ConfirmPage, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/employer", get(home).post(create))
        .route("/employer/{id}", post(update))
        .route("/employer/{id}/jobs", get(account).post(create_job))
        .route("/employer/{id}/jobs/new", get(new_job))
        .route("/employer/{id}/jobs/{job}", get(job).post(update_job))
        .route("/employer/{id}/jobs/{job}/edit", get(edit_job))
        .route("/employer/{id}/jobs/{job}/submit", post(submit_job))
        .route("/employer/{id}/jobs/{job}/close", get(confirm_close).post(close_job))
        .route("/employer/{id}/jobs/{job}/postings", post(order_posting))
        .route("/employer/{id}/recruiters", get(recruiters).post(add_recruiter))
        .route("/employer/{id}/recruiters/{user}/remove", get(confirm_remove).post(remove_recruiter))
}

fn employer_notice(done: &str) -> String {
    match done {
        "created" => "The employer account was created. Write its first job below.",
        "saved" => "The employer's details were saved.",
        "job_saved" => "The job was saved as a draft.",
        "job_submitted" => "The job was sent to the society for review. You will be emailed when it is reviewed.",
        "job_changed" => "The job was changed. A job already reviewed goes back for review.",
        "job_closed" => "The job was closed: it is no longer advertised.",
        "ordered" => "The run was ordered. It starts once the society approves the job.",
        "run_paid" => "Thank you: the payment was received. The job is advertised once the society approves it.",
        "recruiter_added" => "The recruiter was added and told by email.",
        "recruiter_removed" => "The recruiter was removed.",
        "left" => "You no longer recruit for that employer.",
        _ => "",
    }
    .into()
}

// ------------------------------------------------------------------ the employer list

#[derive(Deserialize, Default)]
struct EmployerInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    about: String,
}

impl EmployerInput {
    fn form(&self) -> EmployerForm {
        EmployerForm { name: self.name.clone(), website: self.website.clone(), about: self.about.clone() }
    }
}

#[derive(Template)]
#[template(path = "careers/employer_home.html")]
struct HomePage {
    chrome: Chrome,
    notice: String,
    employers: Vec<(EmployerRecord, bool)>,
    values: EmployerInput,
    form: FormState,
}

async fn home_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    values: EmployerInput,
    form: FormState,
) -> Result<HomePage, AppError> {
    Ok(HomePage {
        chrome: Chrome::new(app, identity, "Recruit", "jobs").await,
        notice: String::new(),
        employers: app.my_employers(actor).await?,
        values,
        form,
    })
}

async fn home(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let mut page = home_page(&app, &actor, &identity, EmployerInput::default(), FormState::default()).await?;
    page.notice = employer_notice(done.done());
    render(&page)
}

async fn create(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(input): CsrfForm<EmployerInput>,
) -> PageResult {
    match app.create_employer(&actor, &input.form(), &identity.request_id).await {
        Ok(id) => done(&format!("/employer/{id}/jobs"), "created"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&home_page(&app, &actor, &identity, input, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ------------------------------------------------------------------ an employer's account

#[derive(Template)]
#[template(path = "careers/employer_account.html")]
struct AccountPage {
    chrome: Chrome,
    account: EmployerAccount,
    /// Each job's state in words, in the order of `account.jobs`.
    states: Vec<String>,
    notice: String,
    values: EmployerInput,
    form: FormState,
}

async fn account_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    notice: String,
    values: Option<EmployerInput>,
    form: FormState,
) -> Result<AccountPage, AppError> {
    let account = app.employer_account(actor, id).await?;
    let values = values.unwrap_or_else(|| EmployerInput {
        name: account.employer.name.clone(),
        website: account.employer.website.clone(),
        about: account.employer.about.clone(),
    });
    let title = account.employer.name.clone();
    let states = account.jobs.iter().map(|j| state_words(app.job_state(j))).collect();
    Ok(AccountPage { chrome: Chrome::new(app, identity, &title, "jobs").await, account, states, notice, values, form })
}

async fn account(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    render(&account_page(&app, &actor, &identity, id, employer_notice(done.done()), None, FormState::default()).await?)
}

async fn update(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<EmployerInput>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    match app.update_employer(&actor, id, &input.form(), &identity.request_id).await {
        Ok(()) => done(&format!("/employer/{id}/jobs"), "saved"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &account_page(&app, &actor, &identity, id, String::new(), Some(input), FormState::from_error(&err)).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

// ------------------------------------------------------------------ writing a job

/// The job form as posted: the fields, and the requirement rows as `need_1`, `what_1`,
/// `jurisdiction_1`, …; `submit` set when sent for review.
fn job_form_from(pairs: &[(String, String)]) -> (JobForm, bool) {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let requirements = (1..=guildhall_app::careers::REQUIREMENT_ROWS)
        .map(|i| RequirementRow {
            need: field(&format!("need_{i}")),
            what: field(&format!("what_{i}")),
            jurisdiction: field(&format!("jurisdiction_{i}")),
        })
        .collect();
    let form = JobForm {
        title: field("title"),
        description: field("description"),
        discipline: field("discipline"),
        career_stage: field("career_stage"),
        jurisdiction: field("jurisdiction"),
        city: field("city"),
        remote: field("remote"),
        salary_min: field("salary_min"),
        salary_max: field("salary_max"),
        pay_period: field("pay_period"),
        closes_on: field("closes_on"),
        requirements,
    };
    (form, field("submit") == "yes")
}

#[derive(Template)]
#[template(path = "careers/job_form.html")]
struct JobFormPage {
    chrome: Chrome,
    employer_id: i64,
    employer_name: String,
    /// `None` for a new job.
    job_id: Option<i64>,
    values: JobForm,
    form: FormState,
    disciplines: Vec<(&'static str, String)>,
    stages: Vec<(&'static str, &'static str)>,
    remotes: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(&'static str, &'static str)>,
    periods: Vec<(&'static str, &'static str)>,
    needs: Vec<(&'static str, &'static str)>,
    /// What a requirement may name: licence kinds, then certification programmes.
    wanted: Vec<(String, String)>,
}

impl JobFormPage {
    fn action(&self) -> String {
        match self.job_id {
            Some(job) => format!("/employer/{}/jobs/{job}", self.employer_id),
            None => format!("/employer/{}/jobs", self.employer_id),
        }
    }

    fn requirement_error(&self, row: &usize) -> Option<&String> {
        self.form.error(&format!("requirement_{}", row + 1))
    }
}

async fn job_form_page(
    app: &App,
    identity: &Identity,
    account: &EmployerAccount,
    job_id: Option<i64>,
    mut values: JobForm,
    form: FormState,
) -> JobFormPage {
    if values.requirements.len() < guildhall_app::careers::REQUIREMENT_ROWS {
        values.requirements.resize(guildhall_app::careers::REQUIREMENT_ROWS, RequirementRow::default());
    }
    let title = if job_id.is_some() { "Change the job" } else { "Write a job" };
    let mut wanted: Vec<(String, String)> =
        LicenceKind::ALL.iter().map(|k| (k.code().to_string(), format!("Licence: {}", k.name()))).collect();
    wanted.extend(
        app.ce_certification_programmes()
            .into_iter()
            .map(|(code, name)| (format!("{CERTIFICATION_PREFIX}{code}"), format!("Certification: {name}"))),
    );
    JobFormPage {
        chrome: Chrome::new(app, identity, title, "jobs").await,
        employer_id: account.employer.id,
        employer_name: account.employer.name.clone(),
        job_id,
        values,
        form,
        disciplines: discipline_choices(),
        stages: stage_choices(),
        remotes: remote_choices(),
        jurisdictions: jurisdiction_choices(),
        periods: PayPeriod::ALL.iter().map(|p| (p.code(), p.label())).collect(),
        needs: Need::ALL.iter().map(|n| (n.code(), n.label())).collect(),
        wanted,
    }
}

async fn new_job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let account = app.employer_account(&actor, id).await?;
    let values = JobForm { pay_period: PayPeriod::Year.code().into(), ..JobForm::default() };
    render(&job_form_page(&app, &identity, &account, None, values, FormState::default()).await)
}

async fn create_job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let (form, submit) = job_form_from(&pairs);
    match app.create_job(&actor, id, &form, submit, &identity.request_id).await {
        Ok(job) => done(&format!("/employer/{id}/jobs/{job}"), if submit { "job_submitted" } else { "job_saved" }),
        Err(err @ AppError::Validation { .. }) => {
            let account = app.employer_account(&actor, id).await?;
            rerender(&job_form_page(&app, &identity, &account, None, form, FormState::from_error(&err)).await, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn edit_job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    let view = app.employer_job(&actor, id, job).await?;
    let account = app.employer_account(&actor, id).await?;
    let values = JobForm::from_job(&view.job, &view.requirements);
    render(&job_form_page(&app, &identity, &account, Some(job), values, FormState::default()).await)
}

async fn update_job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    let (form, submit) = job_form_from(&pairs);
    match app.update_job(&actor, id, job, &form, submit, &identity.request_id).await {
        Ok(()) => done(&format!("/employer/{id}/jobs/{job}"), "job_changed"),
        Err(err @ AppError::Validation { .. }) => {
            let account = app.employer_account(&actor, id).await?;
            rerender(
                &job_form_page(&app, &identity, &account, Some(job), form, FormState::from_error(&err)).await,
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "careers/employer_job.html")]
struct EmployerJobPage {
    chrome: Chrome,
    view: JobView,
    advertising: JobAdvertising,
    state: String,
    stage: &'static str,
    notice: String,
}

impl EmployerJobPage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }

    fn money(&self, cents: &i64) -> String {
        format_money(*cents)
    }

    fn may_submit(&self) -> bool {
        matches!(self.view.job.moderation, Moderation::Draft | Moderation::Rejected)
    }
}

async fn job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    let view = app.employer_job(&actor, id, job).await?;
    let advertising = app.job_advertising(&actor, id, job).await?;
    let title = view.job.title.clone();
    render(&EmployerJobPage {
        chrome: Chrome::new(&app, &identity, &title, "jobs").await,
        advertising,
        state: state_words(view.state),
        stage: stage_label(&view.job.career_stage),
        notice: employer_notice(done.done()),
        view,
    })
}

async fn submit_job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    app.submit_job(&actor, id, job, &identity.request_id).await?;
    done(&format!("/employer/{id}/jobs/{job}"), "job_submitted")
}

#[derive(Deserialize, Default)]
struct CloseInput {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirmed: String,
}

async fn close_confirmation(app: &App, identity: &Identity, view: &JobView, reason: &str) -> ConfirmPage {
    let chrome = Chrome::new(app, identity, "Close a job", "jobs").await;
    let address = format!("/employer/{}/jobs/{}", view.job.employer_id, view.job.id);
    let reason = ClosedReason::from_code(reason).unwrap_or(ClosedReason::Filled);
    let mut page = ConfirmPage::plain(
        chrome,
        format!("Close \u{201c}{}\u{201d} as {}?", view.job.title, reason.label().to_lowercase()),
        format!("{address}/close"),
        "Close the job",
        address,
    );
    page.details = vec![("Employer".into(), view.job.employer_name.clone()), ("Job".into(), view.job.title.clone())];
    page.consequences = vec![
        "It leaves the job search and its page at once.".into(),
        "A closed job cannot be opened again: write a new one to advertise the role again.".into(),
    ];
    page.hidden = vec![("reason", reason.code().into())];
    page
}

async fn confirm_close(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
    Query(input): Query<CloseInput>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    let view = app.employer_job(&actor, id, job).await?;
    render(&close_confirmation(&app, &identity, &view, &input.reason).await)
}

async fn close_job(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, job)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<CloseInput>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    if !is_confirmed(&input.confirmed) {
        let view = app.employer_job(&actor, id, job).await?;
        return render(&close_confirmation(&app, &identity, &view, &input.reason).await);
    }
    app.close_job(&actor, id, job, &input.reason, &identity.request_id).await?;
    done(&format!("/employer/{id}/jobs/{job}"), "job_closed")
}

// ------------------------------------------------------------------ recruiters

#[derive(Deserialize, Default)]
struct RecruiterInput {
    #[serde(default)]
    email: String,
    #[serde(default)]
    owner: String,
}

#[derive(Template)]
#[template(path = "careers/recruiters.html")]
struct RecruitersPage {
    chrome: Chrome,
    account: EmployerAccount,
    me: i64,
    notice: String,
    values: RecruiterInput,
    form: FormState,
}

async fn recruiters_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    notice: String,
    values: RecruiterInput,
    form: FormState,
) -> Result<RecruitersPage, AppError> {
    let account = app.employer_account(actor, id).await?;
    let title = format!("Recruiters of {}", account.employer.name);
    Ok(RecruitersPage {
        chrome: Chrome::new(app, identity, &title, "jobs").await,
        account,
        me: actor.user_id,
        notice,
        values,
        form,
    })
}

async fn recruiters(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let notice = employer_notice(done.done());
    render(
        &recruiters_page(&app, &actor, &identity, id, notice, RecruiterInput::default(), FormState::default()).await?,
    )
}

async fn add_recruiter(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<RecruiterInput>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    match app.add_recruiter(&actor, id, &input.email, input.owner == "yes", &identity.request_id).await {
        Ok(()) => done(&format!("/employer/{id}/recruiters"), "recruiter_added"),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => rerender(
            &recruiters_page(&app, &actor, &identity, id, String::new(), input, FormState::from_error(&err)).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

async fn remove_confirmation(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    user: i64,
) -> Result<ConfirmPage, AppError> {
    let account = app.employer_account(actor, id).await?;
    let recruiter = account
        .recruiters
        .iter()
        .find(|r| r.user_id == user)
        .ok_or_else(|| AppError::NotFound("They do not recruit for this employer.".into()))?;
    let chrome = Chrome::new(app, identity, "Remove a recruiter", "jobs").await;
    let leaving = user == actor.user_id;
    let heading = match leaving {
        true => format!("Stop recruiting for {}?", account.employer.name),
        false => format!("Remove {} from {}?", recruiter.display_name, account.employer.name),
    };
    let mut page = ConfirmPage::plain(
        chrome,
        heading,
        format!("/employer/{id}/recruiters/{user}/remove"),
        if leaving { "Stop recruiting" } else { "Remove the recruiter" },
        format!("/employer/{id}/recruiters"),
    );
    page.details = vec![("Recruiter".into(), format!("{} <{}>", recruiter.display_name, recruiter.email))];
    page.consequences = vec!["They can no longer see or change the employer's jobs.".into()];
    Ok(page)
}

async fn confirm_remove(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, user)): Path<(String, String)>,
) -> PageResult {
    let (id, user) = (path_id(&id, "employer")?, path_id(&user, "account")?);
    render(&remove_confirmation(&app, &actor, &identity, id, user).await?)
}

async fn remove_recruiter(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, user)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<Confirmation>,
) -> PageResult {
    let (id, user) = (path_id(&id, "employer")?, path_id(&user, "account")?);
    if !is_confirmed(&input.confirmed) {
        return render(&remove_confirmation(&app, &actor, &identity, id, user).await?);
    }
    app.remove_recruiter(&actor, id, user, &identity.request_id).await?;
    if user == actor.user_id {
        return done("/employer", "left");
    }
    done(&format!("/employer/{id}/recruiters"), "recruiter_removed")
}

// ------------------------------------------------------------------ advertising

async fn order_posting(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((id, job)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<OrderInput>,
) -> PageResult {
    let (id, job) = (path_id(&id, "employer")?, path_id(&job, "job")?);
    let run = Purchase::JobRun { employer_id: id, job_id: job };
    let posting = app.order_product(&actor, run, &input.product).await?;
    after_order(&app, &actor, run, posting).await
}
