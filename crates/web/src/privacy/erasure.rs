//! "Erase me": the confirmation page and request, and staff's queue.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use guildhall_app::{Actor, App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

#[derive(Template)]
#[template(path = "privacy/erase.html")]
struct ErasePage {
    chrome: Chrome,
    form: FormState,
}

pub async fn erase_form(State(app): State<Arc<App>>, SignedIn(_, identity): SignedIn) -> PageResult {
    render(&ErasePage {
        chrome: Chrome::new(&app, &identity, "Ask to be erased", "account").await,
        form: FormState::default(),
    })
}

#[derive(Deserialize, Default)]
pub struct EraseForm {
    #[serde(default)]
    confirmed: String,
}

pub async fn request(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<EraseForm>,
) -> PageResult {
    let outcome = if form.confirmed == "yes" {
        app.request_erasure(&actor, &identity.request_id).await
    } else {
        Err(AppError::invalid_field("confirmed", "Tick the box to confirm that you want to be erased."))
    };
    match outcome {
        Ok(()) => done("/privacy", "requested"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &ErasePage {
                chrome: Chrome::new(&app, &identity, "Ask to be erased", "account").await,
                form: FormState::from_error(&err),
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

pub struct RequestRow {
    id: i64,
    who: String,
    email: String,
    member_number: String,
    received: String,
}

#[derive(Template)]
#[template(path = "privacy/queue.html")]
struct QueuePage {
    chrome: Chrome,
    notice: String,
    requests: Vec<RequestRow>,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    done: String,
}

async fn queue_page(app: &App, identity: &Identity, actor: &Actor, done: &str) -> Result<QueuePage, AppError> {
    let requests = app
        .erasure_requests(actor)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            id: r.id,
            who: r.account_name.clone().unwrap_or_else(|| "(no account)".into()),
            email: r.account_email.unwrap_or_default(),
            member_number: r.member_number.unwrap_or_else(|| "—".into()),
            received: fmt_time(r.requested_at),
        })
        .collect();
    let notice = match done {
        "erased" => "The person was erased and sent a final email.",
        "declined" => "The request was declined; the person was emailed.",
        _ => "",
    };
    Ok(QueuePage {
        chrome: Chrome::new(app, identity, "Erasure requests", "staff").await.in_subsection("erasure"),
        notice: notice.into(),
        requests,
    })
}

pub async fn queue(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    render(&queue_page(&app, &identity, &actor, &query.done).await?)
}

#[derive(Deserialize)]
pub struct ConfirmErasureForm {
    #[serde(default)]
    checked: Option<String>,
}

pub async fn confirm(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ConfirmErasureForm>,
) -> PageResult {
    app.confirm_erasure(&actor, id, form.checked.is_some(), &identity.request_id).await?;
    done("/staff/erasure-requests", "erased")
}

pub async fn decline(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.decline_erasure(&actor, id, &identity.request_id).await?;
    done("/staff/erasure-requests", "declined")
}
