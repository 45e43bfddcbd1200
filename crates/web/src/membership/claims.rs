//! "I am already a member" pages, and the staff queue of claims that did not match.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::membership::claims::ClaimStarted;
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::home::message;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

#[derive(Template)]
#[template(path = "membership/claim.html")]
struct ClaimPage {
    chrome: Chrome,
    form: FormState,
    member_number: String,
    last_name: String,
}

#[derive(Template)]
#[template(path = "membership/claim_code.html")]
struct CodePage {
    chrome: Chrome,
    form: FormState,
    sent_to: String,
}

#[derive(Deserialize, Default)]
pub struct ClaimForm {
    #[serde(default)]
    member_number: String,
    #[serde(default)]
    last_name: String,
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn claim_form(State(app): State<Arc<App>>, SignedIn(_, identity): SignedIn) -> PageResult {
    render(&ClaimPage {
        chrome: Chrome::new(&app, &identity, "I am already a member", "dashboard").await,
        form: FormState::default(),
        member_number: String::new(),
        last_name: String::new(),
    })
}

pub async fn claim(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<ClaimForm>,
) -> PageResult {
    match app.claim_member_record_by_number(&actor, &form.member_number, &form.last_name).await {
        Ok(ClaimStarted::CodeSent { to }) => render(&CodePage {
            chrome: Chrome::new(&app, &identity, "Enter the code", "dashboard").await,
            form: FormState::default(),
            sent_to: to,
        }),
        Ok(ClaimStarted::SentToStaff) => {
            let line = "We could not match that membership by itself, so the society office will look into it and \
                        email you. There is nothing more to do for now.";
            message(&app, &identity, "We will look into it", &[line], Some(("/dashboard", "Back to your dashboard")))
                .await
        }
        Err(err @ AppError::Validation { .. }) => rerender(
            &ClaimPage {
                chrome: Chrome::new(&app, &identity, "I am already a member", "dashboard").await,
                form: FormState::from_error(&err),
                member_number: form.member_number,
                last_name: form.last_name,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

pub async fn enter_code(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    match app.enter_claim_code(&actor, &form.code, &identity.request_id).await {
        Ok(_) => Ok(Redirect::to("/dashboard?linked=1").into_response()),
        Err(err) if matches!(&err, AppError::Validation { fields, .. } if fields.contains_key("code")) => rerender(
            &CodePage {
                chrome: Chrome::new(&app, &identity, "Enter the code", "dashboard").await,
                form: FormState::from_error(&err),
                sent_to: "the address on that membership record".into(),
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

pub struct ClaimRow {
    id: i64,
    account_name: String,
    account_email: String,
    typed_number: String,
    typed_last_name: String,
    received: String,
}

#[derive(Template)]
#[template(path = "membership/claims.html")]
struct ClaimsPage {
    chrome: Chrome,
    form: FormState,
    claims: Vec<ClaimRow>,
}

async fn claims_page(
    app: &App,
    identity: &Identity,
    actor: &guildhall_app::Actor,
    form: FormState,
) -> Result<ClaimsPage, AppError> {
    let claims = app
        .claims_for_staff(actor)
        .await?
        .into_iter()
        .map(|c| ClaimRow {
            id: c.id,
            account_name: c.account_name,
            account_email: c.account_email,
            typed_number: c.typed_number,
            typed_last_name: c.typed_last_name,
            received: time::OffsetDateTime::from_unix_timestamp(c.created_at)
                .map(|t| t.date().to_string())
                .unwrap_or_default(),
        })
        .collect();
    Ok(ClaimsPage {
        chrome: Chrome::new(app, identity, "Membership claims", "staff").await.in_subsection("claims"),
        form,
        claims,
    })
}

pub async fn claims(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    render(&claims_page(&app, &identity, &actor, FormState::default()).await?)
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    member_number: String,
}

pub async fn link(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> PageResult {
    match app.resolve_claim(&actor, id, Some(&form.member_number), &identity.request_id).await {
        Ok(()) => Ok(Redirect::to("/staff/claims").into_response()),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&claims_page(&app, &identity, &actor, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn dismiss(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.resolve_claim(&actor, id, None, &identity.request_id).await?;
    Ok(Redirect::to("/staff/claims").into_response())
}
