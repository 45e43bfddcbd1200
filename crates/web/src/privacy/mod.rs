//! Privacy pages: a person's own (their consents, the download of their data, asking to be
//! erased) and staff's queue of erasure requests.
//!
//! Files: `mod.rs` (routes, the privacy page, the download, consents), `erasure.rs` (asking
//! to be erased, with its confirmation page, and the staff queue), `api.rs` (its JSON API
//! operations).

pub mod api;
mod erasure;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use guildhall_app::App;
use guildhall_app::privacy::ConsentView;
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/privacy", get(privacy))
        .route("/privacy/my-data.zip", get(download))
        .route("/privacy/consents", post(give_consent))
        .route("/privacy/consents/{id}/withdraw", post(withdraw_consent))
        .route("/privacy/erase", get(erasure::erase_form).post(erasure::request))
        .route("/staff/erasure-requests", get(erasure::queue))
        .route("/staff/erasure-requests/{id}/confirm", post(erasure::confirm))
        .route("/staff/erasure-requests/{id}/decline", post(erasure::decline))
}

pub struct ConsentRow {
    id: i64,
    what: String,
    version: String,
    given: String,
    source: String,
    withdrawn: String,
    can_withdraw: bool,
}

impl From<ConsentView> for ConsentRow {
    fn from(c: ConsentView) -> Self {
        ConsentRow {
            id: c.id,
            can_withdraw: c.can_withdraw(),
            what: c.what,
            version: c.version,
            given: fmt_time(c.given_at),
            source: c.source,
            withdrawn: c.withdrawn_at.map(fmt_time).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "privacy/privacy.html")]
struct PrivacyPage {
    chrome: Chrome,
    notice: String,
    consents: Vec<ConsentRow>,
    /// Whether the member can give the directory consent now (a member without it).
    can_give_directory: bool,
    erasure_requested: String,
    /// Whether campaign messages record opens and clicks (`mail.tracking`).
    mail_tracking: bool,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> String {
    match done {
        "withdrawn" => "Your consent was withdrawn.",
        "given" => "Your consent was recorded.",
        "requested" => "Your request to be erased was sent to the society office. They will email you.",
        _ => "",
    }
    .into()
}

async fn privacy(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let overview = app.privacy_overview(&actor).await?;
    let directory = guildhall_app::privacy::Purpose::DirectoryDetails;
    let can_give_directory = overview.has_member_record
        && !overview.consents.iter().any(|c| c.purpose == Some(directory) && c.withdrawn_at.is_none());
    render(&PrivacyPage {
        chrome: Chrome::new(&app, &identity, "Your data and privacy", "account").await,
        notice: notice(&query.done),
        consents: overview.consents.into_iter().map(ConsentRow::from).collect(),
        can_give_directory,
        erasure_requested: overview.erasure_requested_at.map(fmt_time).unwrap_or_default(),
        mail_tracking: app.mail_tracking(),
    })
}

async fn download(State(app): State<Arc<App>>, SignedIn(actor, _): SignedIn) -> PageResult {
    let bytes = app.my_data_zip(&actor).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.zip\"".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct ConsentForm {
    #[serde(default)]
    purpose: String,
}

async fn give_consent(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> PageResult {
    app.give_consent(&actor, &form.purpose, &identity.request_id).await?;
    done("/privacy", "given")
}

async fn withdraw_consent(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.withdraw_consent(&actor, id, &identity.request_id).await?;
    done("/privacy", "withdrawn")
}
