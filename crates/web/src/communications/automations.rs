//! The welcome series and the win-back, for staff: both on one page, each series' page (its
//! list, on or off, its steps with what they sent, a form to add one), a step's form, and
//! ending a step after a confirmation.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use guildhall_app::communications::automations::{AutomationForm, AutomationView, StepForm};
use guildhall_app::records::{CampaignRecord, ListRecord};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::communications::{AutomationKind, MAX_DELAY_DAYS, MERGE_FIELDS};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/campaigns/automations", get(automations))
        .route("/campaigns/automations/{kind}", get(automation).post(save_automation))
        .route("/campaigns/automations/{kind}/steps", axum::routing::post(add_step))
        .route("/campaigns/automations/{kind}/steps/{id}", get(step).post(save_step))
        .route("/campaigns/automations/{kind}/steps/{id}/end", get(confirm_end).post(end_step))
}

fn kind_of(raw: &str) -> Result<AutomationKind, AppError> {
    AutomationKind::from_code(raw).ok_or_else(|| AppError::NotFound("No such series.".into()))
}

fn step_id(raw: &str) -> Result<i64, AppError> {
    path_id(raw, "step")
}

async fn chrome(app: &App, identity: &Identity, title: &str) -> Chrome {
    Chrome::new(app, identity, title, "staff").await.in_subsection("campaigns")
}

#[derive(Template)]
#[template(path = "communications/automations.html")]
struct AutomationsPage {
    chrome: Chrome,
    series: Vec<AutomationView>,
}

async fn automations(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let series = app.automations_for(&actor).await?;
    render(&AutomationsPage { chrome: chrome(&app, &identity, "Automated series").await, series })
}

/// A step's form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct StepInput {
    #[serde(default)]
    delay_days: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

impl StepInput {
    fn form(&self) -> StepForm {
        StepForm { delay_days: self.delay_days.clone(), subject: self.subject.clone(), body: self.body.clone() }
    }
}

#[derive(Template)]
#[template(path = "communications/automation.html")]
struct AutomationPage {
    chrome: Chrome,
    view: AutomationView,
    lists: Vec<ListRecord>,
    notice: String,
    /// Which form an error belongs to: `series` or `step`.
    failed: &'static str,
    form: FormState,
    list_id: String,
    active: bool,
    step: StepInput,
    merge_fields: &'static [(&'static str, &'static str)],
    max_delay: i64,
}

impl AutomationPage {
    fn field(&self, name: &&str) -> String {
        format!("{{{{{name}}}}}")
    }

    fn error(&self, which: &str, field: &str) -> Option<String> {
        if self.failed == which { self.form.error(field).cloned() } else { None }
    }

    fn step_error(&self, field: &str) -> Option<String> {
        self.error("step", field)
    }

    fn wins_back(&self) -> bool {
        self.view.kind == AutomationKind::WinBack
    }

    fn going(&self, step: &CampaignRecord) -> bool {
        step.status == guildhall_domain::communications::CampaignStatus::Sending
    }
}

fn notice(done: &str) -> String {
    match done {
        "series_saved" => "The series was saved.",
        "step_added" => "The step was added.",
        "step_saved" => "The step was saved.",
        "step_ended" => "The step has ended: nobody more will receive it.",
        _ => "",
    }
    .into()
}

async fn automation_page(
    app: &App,
    identity: &Identity,
    actor: &Actor,
    kind: AutomationKind,
    notice: String,
) -> Result<AutomationPage, AppError> {
    let view = app.automation_for(actor, kind).await?;
    let lists: Vec<ListRecord> = app
        .communication_lists_for(actor)
        .await?
        .into_iter()
        .map(|v| v.list)
        .filter(|l| l.chapter_id.is_none() && l.archived_at.is_none())
        .collect();
    let list_id = view.automation.as_ref().map(|a| a.list_id.to_string()).unwrap_or_default();
    let active = view.automation.as_ref().is_some_and(|a| a.active_since.is_some());
    Ok(AutomationPage {
        chrome: chrome(app, identity, kind.label()).await,
        view,
        lists,
        notice,
        failed: "",
        form: FormState::default(),
        list_id,
        active,
        step: StepInput::default(),
        merge_fields: MERGE_FIELDS,
        max_delay: MAX_DELAY_DAYS,
    })
}

async fn automation(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(kind): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    render(&automation_page(&app, &identity, &actor, kind_of(&kind)?, notice(query.done())).await?)
}

#[derive(Deserialize, Default)]
struct SeriesInput {
    #[serde(default)]
    list_id: String,
    #[serde(default)]
    active: Option<String>,
}

async fn save_automation(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(kind): Path<String>,
    CsrfForm(input): CsrfForm<SeriesInput>,
) -> PageResult {
    let kind = kind_of(&kind)?;
    let form = AutomationForm { list_id: input.list_id.clone(), active: input.active.is_some() };
    match app.save_automation(&actor, kind, &form, &identity.request_id).await {
        Ok(()) => done(&format!("/campaigns/automations/{}", kind.code()), "series_saved"),
        Err(err @ AppError::Validation { .. }) => {
            let mut page = automation_page(&app, &identity, &actor, kind, String::new()).await?;
            page.failed = "series";
            page.form = FormState::from_error(&err);
            page.list_id = input.list_id;
            page.active = form.active;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn add_step(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(kind): Path<String>,
    CsrfForm(input): CsrfForm<StepInput>,
) -> PageResult {
    let kind = kind_of(&kind)?;
    match app.add_automation_step(&actor, kind, &input.form(), &identity.request_id).await {
        Ok(_) => done(&format!("/campaigns/automations/{}", kind.code()), "step_added"),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => {
            let mut page = automation_page(&app, &identity, &actor, kind, String::new()).await?;
            page.failed = "step";
            page.form = FormState::from_error(&err);
            page.step = input;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "communications/automation_step.html")]
struct StepPage {
    chrome: Chrome,
    kind: AutomationKind,
    id: i64,
    form: FormState,
    step: StepInput,
    merge_fields: &'static [(&'static str, &'static str)],
    max_delay: i64,
}

impl StepPage {
    fn field(&self, name: &&str) -> String {
        format!("{{{{{name}}}}}")
    }

    fn step_error(&self, field: &str) -> Option<String> {
        self.form.error(field).cloned()
    }
}

async fn step(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((kind, id)): Path<(String, String)>,
) -> PageResult {
    let (kind, id) = (kind_of(&kind)?, step_id(&id)?);
    let current = app.automation_step(&actor, kind, id).await?;
    let step = StepInput {
        delay_days: current.delay_days.unwrap_or(0).to_string(),
        subject: current.subject,
        body: current.body,
    };
    render(&step_page(&app, &identity, kind, id, step, FormState::default()).await)
}

async fn step_page(
    app: &App,
    identity: &Identity,
    kind: AutomationKind,
    id: i64,
    step: StepInput,
    form: FormState,
) -> StepPage {
    StepPage {
        chrome: chrome(app, identity, "Change a step").await,
        kind,
        id,
        form,
        step,
        merge_fields: MERGE_FIELDS,
        max_delay: MAX_DELAY_DAYS,
    }
}

async fn save_step(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((kind, id)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<StepInput>,
) -> PageResult {
    let (kind, id) = (kind_of(&kind)?, step_id(&id)?);
    match app.update_automation_step(&actor, kind, id, &input.form(), &identity.request_id).await {
        Ok(()) => done(&format!("/campaigns/automations/{}", kind.code()), "step_saved"),
        Err(err @ AppError::Validation { .. }) => {
            let page = step_page(&app, &identity, kind, id, input, FormState::from_error(&err)).await;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn confirm_end(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((kind, id)): Path<(String, String)>,
) -> PageResult {
    let (kind, id) = (kind_of(&kind)?, step_id(&id)?);
    let step = app.automation_step(&actor, kind, id).await?;
    let base = format!("/campaigns/automations/{}", kind.code());
    let mut page = ConfirmPage::plain(
        chrome(&app, &identity, "End a step").await,
        format!("End the step \u{201c}{}\u{201d}?", step.subject),
        format!("{base}/steps/{id}/end"),
        "End the step",
        base,
    );
    page.details = vec![("Series".into(), kind.label().into()), ("Sent so far".into(), step.recipients.to_string())];
    page.consequences = vec![
        "Nobody more will receive this step; messages already queued still go.".into(),
        "It cannot be started again: to send something like it, add a new step.".into(),
    ];
    render(&page)
}

async fn end_step(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((kind, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<SeriesInput>,
) -> PageResult {
    let (kind, id) = (kind_of(&kind)?, step_id(&id)?);
    app.end_automation_step(&actor, kind, id, &identity.request_id).await?;
    done(&format!("/campaigns/automations/{}", kind.code()), "step_ended")
}
