//! The staff approvals queue for applications that need a decision.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use guildhall_app::membership::format_money;
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

pub struct ApplicationRow {
    term_id: i64,
    member_id: i64,
    name: String,
    number: String,
    tier: String,
    dues: String,
    chapter: String,
    applied: String,
}

#[derive(Template)]
#[template(path = "membership/approvals.html")]
struct ApprovalsPage {
    chrome: Chrome,
    rows: Vec<ApplicationRow>,
    notice: String,
}

async fn approvals_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    notice: String,
) -> PageResult {
    let rows = app
        .pending_applications(actor)
        .await?
        .into_iter()
        .map(|a| ApplicationRow {
            term_id: a.term_id,
            member_id: a.member_id,
            name: format!("{} {}", a.first_name, a.last_name),
            number: a.member_number,
            tier: a.tier_name,
            dues: format_money(a.annual_dues_cents),
            chapter: a.chapter_name.unwrap_or_default(),
            applied: a.applied_on.to_string(),
        })
        .collect();
    render(&ApprovalsPage {
        chrome: Chrome::new(app, identity, "Approvals", "staff").await.in_subsection("approvals"),
        rows,
        notice,
    })
}

pub async fn approvals(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    approvals_page(&app, &actor, &identity, String::new()).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
}

pub async fn decide(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(term_id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::invalid("Choose Approve or Reject.").into()),
    };
    app.decide_application(&actor, term_id, approve, &identity.request_id).await?;
    let notice = if approve { "Approved: the first invoice has been raised." } else { "The application was rejected." };
    approvals_page(&app, &actor, &identity, notice.into()).await
}
