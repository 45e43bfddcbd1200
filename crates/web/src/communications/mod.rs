//! Communications pages: a member's mail preferences (signed in at `/account/mail`, or from
//! a message's link without signing in), one-click unsubscribe (RFC 8058: the link in the
//! message, and the `POST` mail clients send), re-confirming a suspended address, the
//! endpoint the operator's mail system posts bounces to, and the staff and officers' pages
//! for lists and campaigns.
//!
//! Files: `mod.rs` (routes, preferences, unsubscribe, re-confirmation, bounces, the tracking
//! image `/mail/open/…` and links `/mail/click/…`),
//! `lists.rs` (staff's lists), `campaigns.rs` (writing, previewing, test-sending, scheduling
//! and sending campaigns, and their reports), `automations.rs` (the welcome series and the
//! win-back), `api.rs` (the JSON API).

pub mod api;
mod automations;
mod campaigns;
mod lists;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use guildhall_app::communications::PreferencesView;
use guildhall_app::{App, AppError};

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/account/mail", get(own_preferences).post(save_own_preferences))
        .route("/mail/preferences/{token}", get(linked_preferences).post(save_linked_preferences))
        .route("/mail/unsubscribe/{token}", get(confirm_unsubscribe).post(unsubscribe))
        .route("/mail/reconfirm/{token}", get(confirm_reconfirm).post(reconfirm))
        .route("/mail/open/{token}", get(opened))
        .route("/mail/click/{token}/{n}", get(clicked))
        .route("/mail/bounces", post(bounce))
        .merge(lists::routes())
        .merge(campaigns::routes())
        .merge(automations::routes())
}

#[derive(Template)]
#[template(path = "communications/preferences.html")]
struct PreferencesPage {
    chrome: Chrome,
    view: PreferencesView,
    /// Where the form posts: `/account/mail`, or the message's link.
    action: String,
    notice: String,
    form: FormState,
    /// Whether campaign messages record opens and clicks (the page says so).
    tracking: bool,
}

impl PreferencesPage {
    fn when(&self, at: &i64) -> String {
        fmt_time(*at)
    }
}

/// The lists ticked on the preferences form, and the switch for all bulk mail.
fn chosen(pairs: &[(String, String)]) -> Result<(Vec<i64>, bool), AppError> {
    let mut lists = Vec::new();
    for (_, value) in pairs.iter().filter(|(k, _)| k == "list") {
        match parse_id(value, "list")? {
            Some(id) => lists.push(id),
            None => return Err(AppError::invalid_field("subscribed", "Choose lists from the page.")),
        }
    }
    Ok((lists, pairs.iter().any(|(k, v)| k == "no_bulk_mail" && v == "yes")))
}

fn preferences_notice(done: &str) -> String {
    match done {
        "saved" => "Your mail preferences were saved.",
        _ => "",
    }
    .into()
}

async fn own_preferences(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let view = app.mail_preferences_as(&actor, None).await?;
    render(&PreferencesPage {
        chrome: Chrome::new(&app, &identity, "Mail preferences", "account").await,
        view,
        action: "/account/mail".into(),
        notice: preferences_notice(query.done()),
        form: FormState::default(),
        tracking: app.mail_tracking(),
    })
}

async fn save_own_preferences(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let saved = match chosen(&pairs) {
        Ok((lists, no_bulk)) => app.save_mail_preferences_as(&actor, None, &lists, no_bulk).await,
        Err(err) => Err(err),
    };
    match saved {
        Ok(_) => done("/account/mail", "saved"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &PreferencesPage {
                chrome: Chrome::new(&app, &identity, "Mail preferences", "account").await,
                view: app.mail_preferences_as(&actor, None).await?,
                action: "/account/mail".into(),
                notice: String::new(),
                form: FormState::from_error(&err),
                tracking: app.mail_tracking(),
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

async fn linked_preferences(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(token): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let (view, _) = app.mail_preferences_by_link(&token).await?;
    render(&PreferencesPage {
        chrome: Chrome::new(&app, &identity, "Mail preferences", "account").await,
        view,
        action: format!("/mail/preferences/{token}"),
        notice: preferences_notice(query.done()),
        form: FormState::default(),
        tracking: app.mail_tracking(),
    })
}

async fn save_linked_preferences(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(token): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let saved = match chosen(&pairs) {
        Ok((lists, no_bulk)) => app.save_mail_preferences_by_link(&token, &lists, no_bulk).await,
        Err(err) => Err(err),
    };
    match saved {
        Ok(_) => done(&format!("/mail/preferences/{token}"), "saved"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &PreferencesPage {
                chrome: Chrome::new(&app, &identity, "Mail preferences", "account").await,
                view: app.mail_preferences_by_link(&token).await?.0,
                action: format!("/mail/preferences/{token}"),
                notice: String::new(),
                form: FormState::from_error(&err),
                tracking: app.mail_tracking(),
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "communications/unsubscribe.html")]
struct UnsubscribePage {
    chrome: Chrome,
    list: String,
    token: String,
    preferences: String,
    /// After it was applied.
    done: bool,
}

/// The unsubscribe link opened in a browser: what it does, and its one button.
async fn confirm_unsubscribe(State(app): State<Arc<App>>, identity: Identity, Path(token): Path<String>) -> PageResult {
    let (list, member_id) = app.unsubscribe_link_target(&token).await?;
    render(&UnsubscribePage {
        chrome: Chrome::new(&app, &identity, "Leave a list", "account").await,
        list,
        preferences: app.member_preferences_path(member_id)?,
        token,
        done: false,
    })
}

/// RFC 8058 one-click unsubscribe: the mail client's `POST` (no sign-in, no form token: the
/// signed link is the authority) or the page's button. Applied at once.
async fn unsubscribe(State(app): State<Arc<App>>, identity: Identity, Path(token): Path<String>) -> PageResult {
    let list = app.unsubscribe_by_link(&token).await?;
    let (_, member_id) = app.unsubscribe_link_target(&token).await?;
    render(&UnsubscribePage {
        chrome: Chrome::new(&app, &identity, "You have left the list", "account").await,
        list,
        preferences: app.member_preferences_path(member_id)?,
        token,
        done: true,
    })
}

#[derive(Template)]
#[template(path = "communications/reconfirm.html")]
struct ReconfirmPage {
    chrome: Chrome,
    token: String,
    address: Option<String>,
}

async fn confirm_reconfirm(State(app): State<Arc<App>>, identity: Identity, Path(token): Path<String>) -> PageResult {
    render(&ReconfirmPage {
        chrome: Chrome::new(&app, &identity, "Confirm your address", "account").await,
        token,
        address: None,
    })
}

async fn reconfirm(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let address = app.reconfirm_address(&token).await?;
    render(&ReconfirmPage {
        chrome: Chrome::new(&app, &identity, "Address confirmed", "account").await,
        token,
        address: Some(address),
    })
}

/// A transparent 1×1 GIF: the tracking image of a campaign message.
const PIXEL_GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// `/mail/open/{token}`: a tracked message's image was loaded (its first opening is
/// recorded while tracking is on); answered with the image, never kept by a cache.
async fn opened(State(app): State<Arc<App>>, Path(token): Path<String>) -> PageResult {
    use axum::http::header;
    app.record_mail_open(&token).await?;
    Ok(([(header::CONTENT_TYPE, "image/gif"), (header::CACHE_CONTROL, "no-store, private")], PIXEL_GIF).into_response())
}

/// `/mail/click/{token}/{n}`: a tracked message's link was followed (its first click is
/// recorded while tracking is on); sent on (303) to the `n`-th link of the campaign's body,
/// never to an address the request carries.
async fn clicked(State(app): State<Arc<App>>, Path((token, n)): Path<(String, String)>) -> PageResult {
    use axum::http::{HeaderValue, StatusCode, header};
    let target = app.follow_mail_click(&token, &n).await?;
    let location = HeaderValue::from_str(&target)
        .map_err(|_| AppError::NotFound("This link is not valid. Open the one in your message.".into()))?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)], [(header::CACHE_CONTROL, "no-store, private")])
        .into_response())
}

/// `POST /mail/bounces`: one returned message as the raw body, from the operator's mail
/// system, with `Authorization: Bearer <mail.bounce_secret>`.
async fn bounce(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let secret = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    match app.receive_returned_mail_with_secret(secret, &body).await {
        Ok(returned) => (axum::http::StatusCode::ACCEPTED, format!("{returned:?}\n")).into_response(),
        Err(err) => crate::error::ApiError(err).into_response(),
    }
}
