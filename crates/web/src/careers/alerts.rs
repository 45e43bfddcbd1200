//! Job alerts' pages: saving a search as an alert (a guest gives an address and confirms
//! it), the confirmation link's page, the account's alerts, and stopping one — from the
//! list, or from a message's signed link without signing in (confirmed first either way).

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use guildhall_app::careers::{JOB_ALERTS_PER_ACCOUNT, JobAlertOutcome, JobAlertRequest, JobAlertView};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::careers::{AlertFrequency, JobFilter};
use serde::Deserialize;

use crate::home::message;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/jobs/alerts/new", get(new_alert).post(save_alert))
        .route("/jobs/alerts/confirm", get(confirm_form).post(confirm))
        .route("/jobs/alerts/stop/{token}", get(stop_by_link_form).post(stop_by_link))
        .route("/account/job-alerts", get(my_alerts))
        .route("/account/job-alerts/{id}/stop", get(confirm_stop).post(stop))
}

// ------------------------------------------------------------------ saving a search

#[derive(Template)]
#[template(path = "careers/alert_new.html")]
struct NewAlertPage {
    chrome: Chrome,
    form: FormState,
    signed_in: bool,
    /// The search in words, or empty when its filters cannot be read.
    description: String,
    /// The search's filters, carried to the POST unchanged.
    filter: Vec<(String, String)>,
    frequency: String,
    email: String,
    frequencies: Vec<(&'static str, &'static str)>,
    most: i64,
}

impl NewAlertPage {
    fn search_path(&self) -> String {
        match serde_urlencoded::to_string(&self.filter).unwrap_or_default() {
            query if query.is_empty() => "/jobs".into(),
            query => format!("/jobs?{query}"),
        }
    }
}

async fn new_alert_page(
    app: &App,
    identity: &Identity,
    filter: Vec<(String, String)>,
    frequency: String,
    email: String,
    form: FormState,
) -> NewAlertPage {
    let parsed = JobFilter::from_pairs(&filter).ok();
    NewAlertPage {
        chrome: Chrome::new(app, identity, "Email me new jobs", "jobs").await,
        form,
        signed_in: identity.actor.is_some(),
        description: parsed.as_ref().map(JobFilter::describe).unwrap_or_default(),
        // Only the search's own filters travel (not the page number).
        filter: parsed
            .map(|f| f.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            .unwrap_or_else(|| filter.into_iter().filter(|(k, _)| k != "page").collect()),
        frequency: if frequency.is_empty() { AlertFrequency::Weekly.code().into() } else { frequency },
        email,
        frequencies: AlertFrequency::ALL.iter().map(|f| (f.code(), f.label())).collect(),
        most: JOB_ALERTS_PER_ACCOUNT,
    }
}

async fn new_alert(
    State(app): State<Arc<App>>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    render(&new_alert_page(&app, &identity, pairs, String::new(), String::new(), FormState::default()).await)
}

async fn save_alert(
    State(app): State<Arc<App>>,
    identity: Identity,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let request = JobAlertRequest {
        filter: pairs.iter().filter(|(k, _)| !matches!(k.as_str(), "csrf" | "frequency" | "email")).cloned().collect(),
        frequency: field("frequency"),
        email: field("email"),
    };
    match app.save_job_alert(identity.actor.as_ref(), &request, &identity.client).await {
        Ok(JobAlertOutcome::Saved) => done("/account/job-alerts", "alert_saved"),
        Ok(JobAlertOutcome::AlreadySaved) => done("/account/job-alerts", "alert_already_saved"),
        Ok(JobAlertOutcome::CheckYourEmail) => {
            message(
                &app,
                &identity,
                "Check your email",
                &[
                    "We have sent you a link to confirm your job alert.",
                    "Nothing is sent until you open it and confirm. The link works for seven days.",
                ],
                Some(("/jobs", "Back to the jobs")),
            )
            .await
        }
        Err(err @ (AppError::Validation { .. } | AppError::RateLimited { .. })) => {
            let page = new_alert_page(
                &app,
                &identity,
                request.filter,
                request.frequency,
                request.email,
                FormState::from_error(&err),
            )
            .await;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ------------------------------------------------------------------ the confirmation link

#[derive(Template)]
#[template(path = "careers/alert_confirm.html")]
struct ConfirmAlertPage {
    chrome: Chrome,
    alert: JobAlertView,
    token: String,
}

#[derive(Deserialize, Default)]
struct TokenInput {
    #[serde(default)]
    token: String,
}

/// The link's page: what it starts, and a button. Opening it changes nothing.
async fn confirm_form(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<TokenInput>) -> PageResult {
    let alert = app.job_alert_to_confirm(&q.token).await?;
    render(&ConfirmAlertPage {
        chrome: Chrome::new(&app, &identity, "Confirm your job alert", "jobs").await,
        alert,
        token: q.token,
    })
}

async fn confirm(State(app): State<Arc<App>>, identity: Identity, CsrfForm(f): CsrfForm<TokenInput>) -> PageResult {
    let alert = app.confirm_job_alert(&f.token).await?;
    let first = format!(
        "You will be emailed {} new jobs: {}.",
        alert.frequency.label().to_lowercase(),
        alert.description.to_lowercase()
    );
    message(
        &app,
        &identity,
        "Your job alert is on",
        &[&first, "Each message has a link that stops the alert."],
        Some((&alert.search_path, "See the jobs now")),
    )
    .await
}

// ------------------------------------------------------------------ the account's alerts

#[derive(Template)]
#[template(path = "careers/my_alerts.html")]
struct MyAlertsPage {
    chrome: Chrome,
    alerts: Vec<JobAlertView>,
    notice: String,
    most: i64,
}

impl MyAlertsPage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }
}

fn alert_notice(done: &str) -> String {
    match done {
        "alert_saved" => "Your job alert is on.",
        "alert_already_saved" => "You already have an alert for this search.",
        "alert_stopped" => "The job alert was stopped.",
        _ => "",
    }
    .into()
}

async fn my_alerts(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    render(&MyAlertsPage {
        alerts: app.my_job_alerts(&actor).await?,
        chrome: Chrome::new(&app, &identity, "Your job alerts", "jobs").await,
        notice: alert_notice(done.done()),
        most: JOB_ALERTS_PER_ACCOUNT,
    })
}

fn stop_confirmation(chrome: Chrome, alert: &JobAlertView, action: String, cancel: String) -> ConfirmPage {
    let mut page = ConfirmPage::plain(chrome, "Stop this job alert?".into(), action, "Stop the alert", cancel);
    page.details =
        vec![("Search".into(), alert.description.clone()), ("How often".into(), alert.frequency.label().into())];
    page.consequences = vec!["No more messages are sent for this search. You can save it again at any time.".into()];
    page
}

async fn stop_page(app: &App, actor: &Actor, identity: &Identity, id: i64) -> Result<ConfirmPage, AppError> {
    let alert = app.my_job_alert(actor, id).await?;
    let chrome = Chrome::new(app, identity, "Stop a job alert", "jobs").await;
    Ok(stop_confirmation(chrome, &alert, format!("/account/job-alerts/{id}/stop"), "/account/job-alerts".into()))
}

async fn confirm_stop(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id, "job alert")?;
    render(&stop_page(&app, &actor, &identity, id).await?)
}

async fn stop(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<Confirmation>,
) -> PageResult {
    let id = path_id(&id, "job alert")?;
    if !is_confirmed(&input.confirmed) {
        return render(&stop_page(&app, &actor, &identity, id).await?);
    }
    app.stop_my_job_alert(&actor, id).await?;
    done("/account/job-alerts", "alert_stopped")
}

// ------------------------------------------------------------------ a message's stop link

async fn stop_by_link_form(State(app): State<Arc<App>>, identity: Identity, Path(token): Path<String>) -> PageResult {
    let alert = app.job_alert_to_stop(&token).await?;
    let chrome = Chrome::new(&app, &identity, "Stop a job alert", "jobs").await;
    render(&stop_confirmation(chrome, &alert, format!("/jobs/alerts/stop/{token}"), "/jobs".into()))
}

async fn stop_by_link(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(token): Path<String>,
    CsrfForm(input): CsrfForm<Confirmation>,
) -> PageResult {
    if !is_confirmed(&input.confirmed) {
        return stop_by_link_form(State(app), identity, Path(token)).await;
    }
    app.stop_job_alert_by_link(&token).await?;
    message(
        &app,
        &identity,
        "Job alert stopped",
        &["No more messages will be sent for this search."],
        Some(("/jobs", "Find jobs")),
    )
    .await
}
