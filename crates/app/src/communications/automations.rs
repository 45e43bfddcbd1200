//! The welcome series and the lapsed-member win-back: staff choose the list each goes under,
//! write its steps (a message a number of days after the member joined, or after their
//! membership ended) and switch it on. The job (`run_automations`) adds the members whose
//! day has come to each step, checking the series' condition at that moment: a step is
//! never sent to a new member who has left, or to a former member who has come back.

use guildhall_domain::communications::{AutomationKind, CampaignStatus, MAX_DELAY_DAYS, due_start_days};
use guildhall_store::{AutomationRecord, CampaignRecord, CampaignReport, NewAutomationStep};

use super::campaigns::check_message;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// A series as staff set it: its list and whether it is on.
#[derive(Debug, Clone, Default)]
pub struct AutomationForm {
    pub list_id: String,
    pub active: bool,
}

/// A step as written: its delay in days and its message (Markdown with merge fields).
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    pub delay_days: String,
    pub subject: String,
    pub body: String,
}

/// A series' page: how it is set up, and each step with what became of its messages.
#[derive(Debug, Clone)]
pub struct AutomationView {
    pub kind: AutomationKind,
    /// `None` until staff first choose its list.
    pub automation: Option<AutomationRecord>,
    pub steps: Vec<(CampaignRecord, CampaignReport)>,
}

impl App {
    /// Both series, with their steps and reports.
    pub async fn automations_for(&self, actor: &Actor) -> AppResult<Vec<AutomationView>> {
        actor.require(Permission::ManageAutomations)?;
        let mut views = Vec::new();
        for &kind in AutomationKind::ALL {
            views.push(self.automation_view(kind).await?);
        }
        Ok(views)
    }

    /// One series.
    pub async fn automation_for(&self, actor: &Actor, kind: AutomationKind) -> AppResult<AutomationView> {
        actor.require(Permission::ManageAutomations)?;
        self.automation_view(kind).await
    }

    async fn automation_view(&self, kind: AutomationKind) -> AppResult<AutomationView> {
        let automation = self.store.automations().await?.into_iter().find(|a| a.kind == kind);
        let mut steps = Vec::new();
        if let Some(automation) = &automation {
            for step in self.store.automation_steps(automation.id).await? {
                let report = self.store.campaign_report(step.id).await?;
                steps.push((step, report));
            }
        }
        Ok(AutomationView { kind, automation, steps })
    }

    /// Sets a series' list and switches it on or off. A society-wide list only: the series
    /// is the society's.
    pub async fn save_automation(
        &self,
        actor: &Actor,
        kind: AutomationKind,
        form: &AutomationForm,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::ManageAutomations)?;
        let list = match form.list_id.trim().parse::<i64>() {
            Ok(id) => self.store.communication_list(id).await?,
            Err(_) => None,
        }
        .filter(|l| l.archived_at.is_none() && l.chapter_id.is_none())
        .ok_or_else(|| AppError::invalid_field("list_id", "Choose one of the society's lists for the series."))?;
        let verb = if form.active { "switched on" } else { "switched off" };
        let mut audit = self.audit_entry(actor, "automation.saved", "automation", request_id);
        audit.subject_label = format!("{} under \u{201c}{}\u{201d}, {verb}", kind.label(), list.name);
        self.store.save_automation(kind, list.id, form.active, self.clock.today(), self.clock.unix(), &audit).await?;
        Ok(())
    }

    /// The series, set up: steps need its list first. (No field is named: the API reads a
    /// conflict's field as a value already in use.)
    async fn set_up_automation(&self, kind: AutomationKind) -> AppResult<AutomationRecord> {
        self.store.automations().await?.into_iter().find(|a| a.kind == kind).ok_or_else(|| AppError::Conflict {
            message: "Choose the list the series goes under and save it before adding steps.".into(),
            field: None,
        })
    }

    /// A step checked: its delay, subject and body, every problem at once.
    fn checked_step(&self, actor: &Actor, form: &StepForm) -> AppResult<NewAutomationStep> {
        let mut errors = FieldErrors::default();
        let delay_days = match form.delay_days.trim().parse::<i64>() {
            Ok(days) if (0..=MAX_DELAY_DAYS).contains(&days) => days,
            _ => {
                errors.add("delay_days", format!("Give a whole number of days, from 0 to {MAX_DELAY_DAYS}."));
                0
            }
        };
        let (subject, body) = check_message(&mut errors, &form.subject, &form.body);
        errors.into_result()?;
        Ok(NewAutomationStep { delay_days, subject, body, created_by: Some(actor.user_id) })
    }

    /// Adds a step to a series; its id.
    pub async fn add_automation_step(
        &self,
        actor: &Actor,
        kind: AutomationKind,
        form: &StepForm,
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(Permission::ManageAutomations)?;
        let step = self.checked_step(actor, form)?;
        let automation = self.set_up_automation(kind).await?;
        let mut audit = self.audit_entry(actor, "automation.step_added", "campaign", request_id);
        audit.subject_label = format!("{}: {} ({} days)", kind.label(), step.subject, step.delay_days);
        Ok(self.store.add_automation_step(automation.id, &step, self.clock.unix(), &audit).await?)
    }

    /// One step of a series.
    pub async fn automation_step(
        &self,
        actor: &Actor,
        kind: AutomationKind,
        step_id: i64,
    ) -> AppResult<CampaignRecord> {
        actor.require(Permission::ManageAutomations)?;
        let unknown = || AppError::NotFound("No such step in this series.".into());
        // A series not set up has no steps: the step is unknown (not a series to set up first).
        let automation = self.store.automations().await?.into_iter().find(|a| a.kind == kind).ok_or_else(unknown)?;
        self.store.automation_steps(automation.id).await?.into_iter().find(|s| s.id == step_id).ok_or_else(unknown)
    }

    /// Changes a step still going: members reaching its day from now on get the new message.
    pub async fn update_automation_step(
        &self,
        actor: &Actor,
        kind: AutomationKind,
        step_id: i64,
        form: &StepForm,
        request_id: &str,
    ) -> AppResult<()> {
        let current = self.automation_step(actor, kind, step_id).await?;
        let step = self.checked_step(actor, form)?;
        let mut audit = self.audit_entry(actor, "automation.step_changed", "campaign", request_id);
        audit.subject_id = Some(step_id);
        audit.subject_label = format!("{}: {} ({} days)", kind.label(), step.subject, step.delay_days);
        audit.before_json = Some(step_json(&current.subject, current.delay_days.unwrap_or(0)));
        audit.after_json = Some(step_json(&step.subject, step.delay_days));
        let automation_id = current.automation_id.unwrap_or_default();
        self.store
            .update_automation_step(automation_id, step_id, &step, self.clock.unix(), &audit)
            .await
            .map_err(step_ended)
    }

    /// Ends a step: nobody more receives it; what it sent stays in its report.
    pub async fn end_automation_step(
        &self,
        actor: &Actor,
        kind: AutomationKind,
        step_id: i64,
        request_id: &str,
    ) -> AppResult<()> {
        let current = self.automation_step(actor, kind, step_id).await?;
        let mut audit = self.audit_entry(actor, "automation.step_ended", "campaign", request_id);
        audit.subject_id = Some(step_id);
        audit.subject_label = format!("{}: {}", kind.label(), current.subject);
        let automation_id = current.automation_id.unwrap_or_default();
        self.store.end_automation_step(automation_id, step_id, self.clock.unix(), &audit).await.map_err(step_ended)
    }

    /// Queues each step of each series that is on for the members whose day has come and
    /// who still meet its condition (the background job). Returns how many were queued.
    pub async fn run_automations(&self) -> AppResult<u64> {
        let today = self.clock.today();
        let mut queued = 0;
        for automation in self.store.automations().await? {
            let Some(active_since) = automation.active_since else { continue };
            for step in self.store.automation_steps(automation.id).await? {
                let Some(window) = due_start_days(active_since, today, step.delay_days.unwrap_or(0)) else { continue };
                if step.status != CampaignStatus::Sending {
                    continue;
                }
                queued += self.store.queue_automation_step(step.id, automation.kind, window, self.clock.unix()).await?;
            }
        }
        Ok(queued)
    }
}

fn step_json(subject: &str, delay_days: i64) -> String {
    serde_json::json!({ "subject": subject, "delay_days": delay_days }).to_string()
}

/// A step already ended cannot be changed.
fn step_ended(err: guildhall_store::StoreError) -> AppError {
    match err {
        guildhall_store::StoreError::NotFound => {
            AppError::Conflict { message: "This step has ended; add a new step instead.".into(), field: None }
        }
        other => other.into(),
    }
}
