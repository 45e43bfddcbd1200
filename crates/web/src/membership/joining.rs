//! Joining: the application form with its tier choice and eligibility.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use guildhall_app::membership::format_money;
use guildhall_app::{App, AppError};
use guildhall_domain::member::LicenceKind;
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

#[derive(Deserialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    tier_id: String,
    #[serde(default)]
    chapter_id: String,
    #[serde(default)]
    career_stage: String,
    #[serde(default)]
    licence_jurisdiction: String,
    #[serde(default)]
    licence_kind: String,
    #[serde(default)]
    licence_number: String,
    #[serde(default)]
    licence_first_issued: String,
    #[serde(default)]
    licence_expires: String,
    #[serde(default)]
    enrolment_institution: String,
    #[serde(default)]
    enrolment_starts: String,
    #[serde(default)]
    enrolment_completion: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    declared_retired: Option<String>,
}

/// A text input on the join form.
pub struct JoinField {
    name: &'static str,
    label: &'static str,
    value: String,
    hint: &'static str,
    max: usize,
    required: bool,
    /// The input's type: `text`, or `date` for a date picker.
    input_type: &'static str,
}

fn join_field(name: &'static str, label: &'static str, value: &str, hint: &'static str, max: usize) -> JoinField {
    JoinField { name, label, value: value.to_string(), hint, max, required: false, input_type: "text" }
}

fn date_field(name: &'static str, label: &'static str, value: &str, hint: &'static str) -> JoinField {
    JoinField { input_type: "date", ..join_field(name, label, value, hint, 10) }
}

pub struct TierChoice {
    id: String,
    label: String,
    note: String,
}

#[derive(Template)]
#[template(path = "membership/join.html")]
struct JoinPage {
    chrome: Chrome,
    form: FormState,
    f: JoinForm,
    name_fields: Vec<JoinField>,
    /// Licensing jurisdictions by code and name, for the choice list.
    jurisdictions: Vec<(&'static str, &'static str)>,
    licence_fields2: Vec<JoinField>,
    enrolment_fields: Vec<JoinField>,
    tiers: Vec<TierChoice>,
    chapters: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str)>,
    licence_kinds: Vec<(&'static str, &'static str)>,
}

async fn join_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    f: JoinForm,
    form: FormState,
) -> Result<Result<JoinPage, axum::response::Response>, crate::error::HtmlError> {
    let options = match app.join_options(actor).await {
        Ok(options) => options,
        Err(AppError::Validation { .. }) => return Ok(Err(Redirect::to("/dashboard").into_response())),
        Err(err) => return Err(err.into()),
    };
    let tiers = options
        .tiers
        .iter()
        .map(|t| TierChoice {
            id: t.id.to_string(),
            label: format!("{} ({} a year)", t.name, format_money(t.annual_dues_cents)),
            note: if t.requires_approval { "needs staff approval".into() } else { String::new() },
        })
        .collect();
    Ok(Ok(JoinPage {
        chrome: Chrome::new(app, identity, "Become a member", "dashboard").await,
        form,
        name_fields: vec![
            JoinField { required: true, ..join_field("first_name", "First name", &f.first_name, "", 100) },
            JoinField { required: true, ..join_field("last_name", "Last name", &f.last_name, "", 100) },
        ],
        jurisdictions: guildhall_domain::member::JURISDICTIONS.to_vec(),
        licence_fields2: vec![
            join_field("licence_number", "Licence number", &f.licence_number, "", 30),
            date_field("licence_first_issued", "First issued", &f.licence_first_issued, ""),
            date_field("licence_expires", "Expires", &f.licence_expires, "Empty if not recorded."),
        ],
        enrolment_fields: vec![
            join_field("enrolment_institution", "School or programme", &f.enrolment_institution, "", 200),
            date_field("enrolment_starts", "Started", &f.enrolment_starts, ""),
            date_field("enrolment_completion", "Expected completion", &f.enrolment_completion, "Empty if not known."),
        ],
        f,
        tiers,
        chapters: options
            .chapters
            .iter()
            .map(|c| {
                let supplement = if c.dues_supplement_cents > 0 {
                    format!(" (+{} chapter dues)", format_money(c.dues_supplement_cents))
                } else {
                    String::new()
                };
                (c.id.to_string(), format!("{}{supplement}", c.name))
            })
            .collect(),
        stages: vec![
            ("student", "Student"),
            ("eit", "Engineer in training / intern"),
            ("licensed", "Licensed engineer"),
            ("retired", "Retired"),
            ("other", "Other"),
        ],
        licence_kinds: LicenceKind::choices(),
    }))
}

/// The join page: for signed-in people without a member record (members go to their dashboard).
pub async fn join_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    // "Maya Okafor, PE" → Maya / Okafor: a starting point the applicant can correct.
    let name = actor.display_name.split(',').next().unwrap_or("").trim();
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    let defaults = JoinForm { first_name: first.into(), last_name: last.trim().into(), ..Default::default() };
    match join_page(&app, &actor, &identity, defaults, FormState::default()).await? {
        Ok(page) => render(&page),
        Err(redirect) => Ok(redirect),
    }
}

pub async fn join(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> PageResult {
    let request = guildhall_app::membership::joining::JoinRequest {
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        tier_id: f.tier_id.clone(),
        chapter_id: f.chapter_id.clone(),
        career_stage: f.career_stage.clone(),
        licence_jurisdiction: f.licence_jurisdiction.clone(),
        licence_kind: f.licence_kind.clone(),
        licence_number: f.licence_number.clone(),
        licence_first_issued: f.licence_first_issued.clone(),
        licence_expires: f.licence_expires.clone(),
        enrolment_institution: f.enrolment_institution.clone(),
        enrolment_starts: f.enrolment_starts.clone(),
        enrolment_completion: f.enrolment_completion.clone(),
        date_of_birth: f.date_of_birth.clone(),
        declared_retired: f.declared_retired.is_some(),
    };
    match app.join(&actor, &request).await {
        Ok(guildhall_app::membership::joining::Joined::InvoiceRaised(invoice)) => {
            Ok(Redirect::to(&format!("/invoices/{invoice}/pay")).into_response())
        }
        Ok(guildhall_app::membership::joining::Joined::AwaitingApproval { enrolment_document_needed: true }) => {
            Ok(Redirect::to("/membership/evidence").into_response())
        }
        Ok(guildhall_app::membership::joining::Joined::AwaitingApproval { enrolment_document_needed: false }) => {
            Ok(Redirect::to("/dashboard?applied=1").into_response())
        }
        Err(err @ AppError::Validation { .. }) => {
            match join_page(&app, &actor, &identity, f, FormState::from_error(&err)).await? {
                Ok(page) => rerender(&page, &err),
                Err(redirect) => Ok(redirect),
            }
        }
        Err(err) => Err(err.into()),
    }
}
