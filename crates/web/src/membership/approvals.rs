//! The staff approvals area: the queue of applications that need a decision, and where
//! the invitations to members stand.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use guildhall_app::membership::Decision;
use guildhall_app::membership::format_money;
use guildhall_app::records::PageRequest;
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
    /// What the applicant gave to prove eligibility: (statement, evidence id of a document).
    evidence: Vec<(String, Option<i64>)>,
}

/// A member who has not accepted their invitation.
pub struct InvitationRow {
    member_id: i64,
    name: String,
    number: String,
    sent: String,
    /// Where the link stands, in words.
    status: String,
}

#[derive(Template)]
#[template(path = "membership/approvals.html")]
struct ApprovalsPage {
    chrome: Chrome,
    rows: Vec<ApplicationRow>,
    notice: String,
    /// (what, how many) for the invitations summary.
    invitations: Vec<(&'static str, i64)>,
    open_invitations: Vec<InvitationRow>,
    /// Members not yet accepted beyond those listed.
    more_open: i64,
    pager: Pager,
}

/// Applications shown on one page of the queue.
const APPLICATIONS_PER_PAGE: u32 = 25;

#[derive(Deserialize, Default)]
pub struct ApprovalsQuery {
    /// As typed in the address: a bad one shows the first page with a sentence.
    #[serde(default)]
    page: String,
}

fn day(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.date().to_string()).unwrap_or_default()
}

async fn approvals_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    notice: String,
    page: &str,
) -> PageResult {
    let (page_number, page_notice) = super::page_number(page);
    let pending = app.pending_applications_page(actor, PageRequest::new(page_number, APPLICATIONS_PER_PAGE)).await?;
    let pager = Pager::new(&pending, "/staff/approvals".into());
    let pending = pending.items;
    let term_ids: Vec<i64> = pending.iter().map(|a| a.term_id).collect();
    let evidence = app.evidence_for_applications(actor, &term_ids).await?;
    let rows = pending
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
            evidence: evidence
                .iter()
                .filter(|e| e.term_id == Some(a.term_id))
                .map(|e| (e.statement.clone(), e.file_name.as_ref().map(|_| e.id)))
                .collect(),
        })
        .collect();
    let (summary, open) = app.invitation_overview(actor).await?;
    let open_invitations: Vec<InvitationRow> = open
        .into_iter()
        .map(|i| InvitationRow {
            member_id: i.member_id,
            name: format!("{} {}", i.first_name, i.last_name),
            number: i.member_number,
            sent: day(i.created_at),
            status: if i.expired {
                format!("Expired unused on {}", day(i.expires_at))
            } else if let Some(reminded) = i.reminded_at {
                format!("Awaiting an answer; reminded on {}", day(reminded))
            } else {
                format!("Awaiting an answer; the link works until {}", day(i.expires_at))
            },
        })
        .collect();
    let listed = i64::try_from(open_invitations.len()).unwrap_or(i64::MAX);
    render(&ApprovalsPage {
        chrome: Chrome::new(app, identity, "Approvals", "staff").await.in_subsection("approvals"),
        rows,
        notice: page_notice.unwrap_or(notice),
        pager,
        invitations: vec![
            ("Members invited", summary.invited),
            ("Accepted", summary.accepted),
            ("Awaiting an answer", summary.awaiting),
            ("Expired unused", summary.expired),
            ("Have an account another way", summary.joined_otherwise),
        ],
        more_open: (summary.awaiting + summary.expired - listed).max(0),
        open_invitations,
    })
}

pub async fn approvals(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<ApprovalsQuery>,
) -> PageResult {
    approvals_page(&app, &actor, &identity, String::new(), &q.page).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    /// Why an application is rejected: emailed to the applicant.
    #[serde(default)]
    reason: String,
    /// `yes` from the rejection's confirmation page.
    #[serde(default)]
    confirmed: String,
}

/// The rejection's confirmation page, with the reason field.
async fn reject_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    term_id: i64,
    reason: &str,
    form: FormState,
) -> Result<ConfirmPage, crate::error::HtmlError> {
    let a = app.pending_application(actor, term_id).await?;
    Ok(ConfirmPage {
        chrome: Chrome::new(app, identity, "Reject this application?", "staff").await.in_subsection("approvals"),
        heading: format!("Reject the application of {} {}?", a.first_name, a.last_name),
        details: vec![
            ("Applicant".into(), format!("{} {} ({})", a.first_name, a.last_name, a.member_number)),
            ("Email".into(), a.email.clone()),
            ("Tier applied for".into(), a.tier_name.clone()),
            ("Applied".into(), a.applied_on.to_string()),
        ],
        consequences: vec![
            "The application is declined and the applicant is emailed the reason below. This cannot be \
                      undone: to change your mind, ask them to apply again."
                .into(),
        ],
        action: format!("/staff/approvals/{term_id}"),
        hidden: vec![("decision", "reject".into())],
        inputs: vec![ConfirmInput {
            name: "reason",
            label: "Reason for the applicant",
            kind: "textarea",
            value: reason.into(),
            hint: "Sent to the applicant in the email that tells them; write it to them.".into(),
            required: true,
        }],
        form,
        button: "Reject the application".into(),
        cancel_href: "/staff/approvals".into(),
    })
}

/// GET: the confirmation page before a rejection.
pub async fn confirm_reject(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(term_id): Path<i64>,
) -> PageResult {
    render(&reject_page(&app, &actor, &identity, term_id, "", FormState::default()).await?)
}

pub async fn decide(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(term_id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject { reason: &form.reason },
        _ => return Err(AppError::invalid("Choose Approve or Reject.").into()),
    };
    let approve = decision == Decision::Approve;
    if !approve {
        // A rejection is decided on its confirmation page, with the reason for the applicant.
        if !is_confirmed(&form.confirmed) {
            return render(&reject_page(&app, &actor, &identity, term_id, &form.reason, FormState::default()).await?);
        }
    }
    if let Err(err @ AppError::Validation { .. }) =
        app.decide_application(&actor, term_id, decision, &identity.request_id).await
    {
        let page = reject_page(&app, &actor, &identity, term_id, &form.reason, FormState::from_error(&err)).await?;
        return rerender(&page, &err);
    }
    let notice = if approve { "Approved: the first invoice has been raised." } else { "The application was rejected." };
    approvals_page(&app, &actor, &identity, notice.into(), "").await
}
