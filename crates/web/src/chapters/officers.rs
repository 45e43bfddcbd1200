//! Staff pages for chapter officers and what officers may edit.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use guildhall_app::chapters::officers::OfficerForm;
use guildhall_app::{Actor, App, AppError};
use serde::Deserialize;

use crate::error::HtmlError;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

// ---------------------------------------------------------------- officers

pub struct OfficerRow {
    id: i64,
    chapter: String,
    name: String,
    email: String,
    title: String,
    starts: String,
    ends: String,
    status: &'static str,
    can_end: bool,
}

#[derive(Deserialize, Default)]
pub struct OfficerFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    chapter_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

#[derive(Template)]
#[template(path = "chapters/officers.html")]
struct OfficersPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    rows: Vec<OfficerRow>,
    chapters: Vec<(String, String)>,
    f: OfficerFields,
}

async fn officers_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    f: OfficerFields,
    form: FormState,
    notice: String,
) -> Result<OfficersPage, HtmlError> {
    let today = app.clock.today();
    let rows = app
        .officer_listing(actor, None)
        .await?
        .into_iter()
        .map(|o| {
            let (status, can_end) = if o.starts_on > today {
                ("Starts later", true)
            } else if o.ends_on.is_some_and(|e| e < today) {
                ("Ended", false)
            } else {
                ("Holds office", true)
            };
            OfficerRow {
                id: o.id,
                chapter: o.chapter_name,
                name: o.display_name,
                email: o.email,
                title: o.title,
                starts: o.starts_on.to_string(),
                ends: o.ends_on.map(|d| d.to_string()).unwrap_or_else(|| "no fixed end".into()),
                status,
                can_end,
            }
        })
        .collect();
    let chapters = app.chapters(actor).await?.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    Ok(OfficersPage {
        chrome: Chrome::new(app, identity, "Chapter officers", "staff").await.in_subsection("officers"),
        form,
        notice,
        rows,
        chapters,

        f,
    })
}

pub async fn officers(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let f = OfficerFields { starts_on: app.clock.today().to_string(), ..Default::default() };
    render(&officers_page(&app, &actor, &identity, f, FormState::default(), notice_for(&q.done)).await?)
}

pub async fn appoint_officer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<OfficerFields>,
) -> PageResult {
    let form = OfficerForm {
        email: f.email.clone(),
        chapter_id: f.chapter_id.clone(),
        title: f.title.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
    };
    match app.appoint_officer(&actor, &form, &identity.request_id).await {
        Ok(_) => done("/staff/officers", "appointed"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &officers_page(&app, &actor, &identity, f, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct EndTermForm {
    #[serde(default)]
    ends_on: String,
    /// `yes` from the confirmation page.
    #[serde(default)]
    confirmed: String,
}

/// The confirmation page before an officer's term is ended, with its last day.
async fn end_term_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    ends_on: &str,
    form: FormState,
) -> Result<ConfirmPage, HtmlError> {
    let office = app
        .officer_listing(actor, None)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or_else(|| AppError::NotFound("No such officer term.".into()))?;
    Ok(ConfirmPage {
        chrome: Chrome::new(app, identity, "End this officer's term?", "staff").await.in_subsection("officers"),
        heading: format!("End {}'s term as {}?", office.display_name, office.title),
        details: vec![
            ("Officer".into(), format!("{} ({})", office.display_name, office.email)),
            ("Chapter".into(), office.chapter_name.clone()),
            ("Title".into(), office.title.clone()),
            ("Since".into(), office.starts_on.to_string()),
        ],
        consequences: vec!["After the last day below they no longer see or manage the chapter's roster.".into()],
        action: format!("/staff/officers/{id}/end"),
        hidden: vec![],
        inputs: vec![ConfirmInput {
            name: "ends_on",
            label: "Last day",
            kind: "date",
            value: if ends_on.trim().is_empty() { app.clock.today().to_string() } else { ends_on.to_string() },
            hint: "The last day they hold the office (inclusive).".into(),
            required: true,
        }],
        form,
        button: "End the term".into(),
        cancel_href: "/staff/officers".into(),
    })
}

/// GET: the confirmation page before an officer's term is ended.
pub async fn confirm_end_officer_term(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&end_term_page(&app, &actor, &identity, id, "", FormState::default()).await?)
}

pub async fn end_officer_term(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EndTermForm>,
) -> PageResult {
    if !is_confirmed(&f.confirmed) {
        return render(&end_term_page(&app, &actor, &identity, id, &f.ends_on, FormState::default()).await?);
    }
    match app.end_officer_term(&actor, id, &f.ends_on, &identity.request_id).await {
        Ok(()) => done("/staff/officers", "term_ended"),
        Err(err @ AppError::Validation { .. }) => {
            let mut state = FormState::from_error(&err);
            if state.fields.is_empty() {
                state.fields.insert("ends_on".into(), state.message.clone());
            }
            rerender(&end_term_page(&app, &actor, &identity, id, &f.ends_on, state).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------- what officers may edit

#[derive(Template)]
#[template(path = "chapters/officer_fields.html")]
struct OfficerFieldsPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    /// (field, label, allowed)
    fields: Vec<(&'static str, &'static str, bool)>,
}

async fn officer_fields_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    form: FormState,
    notice: String,
) -> Result<OfficerFieldsPage, HtmlError> {
    let allowed = app.officer_fields_for_staff(actor).await?;
    Ok(OfficerFieldsPage {
        chrome: Chrome::new(app, identity, "What officers may edit", "staff").await.in_subsection("officer_fields"),
        form,
        notice,
        fields: guildhall_app::membership::profile::OFFICER_EDITABLE
            .iter()
            .map(|(f, l)| (*f, *l, allowed.contains(f)))
            .collect(),
    })
}

pub async fn officer_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&officer_fields_page(&app, &actor, &identity, FormState::default(), notice_for(&q.done)).await?)
}

pub async fn save_officer_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields: Vec<String> = pairs.into_iter().filter(|(k, _)| k == "fields").map(|(_, v)| v).collect();
    match app.set_officer_fields(&actor, &fields, &identity.request_id).await {
        Ok(()) => done("/staff/officer-fields", "officer_fields"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &officer_fields_page(&app, &actor, &identity, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}
