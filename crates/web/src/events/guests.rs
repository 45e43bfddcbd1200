//! Registering without signing in: the guest form mails a link; the link's page confirms.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use guildhall_app::events::guests::GuestRequest;
use guildhall_app::{App, AppError};
use serde::Deserialize;

use super::{EventLine, price_words};
use crate::home::message;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, session_cookies};

#[derive(Template)]
#[template(path = "events/guest.html")]
struct GuestPage {
    chrome: Chrome,
    line: EventLine,
    form: FormState,
    name: String,
    email: String,
}

async fn guest_page(
    app: &App,
    identity: &Identity,
    id: i64,
    request: GuestRequest,
    form: FormState,
) -> Result<GuestPage, crate::error::HtmlError> {
    let view = app.event_for(None, id).await?;
    Ok(GuestPage {
        chrome: Chrome::new(app, identity, &format!("Register as a guest: {}", view.event.title), "events").await,
        line: EventLine::of(&view.event),
        form,
        name: request.name,
        email: request.email,
    })
}

pub async fn guest_form(State(app): State<Arc<App>>, identity: Identity, Path(id): Path<i64>) -> PageResult {
    if identity.actor.is_some() {
        return Ok(Redirect::to(&format!("/events/{id}")).into_response());
    }
    render(&guest_page(&app, &identity, id, GuestRequest::default(), FormState::default()).await?)
}

#[derive(Deserialize, Default)]
pub struct GuestForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

pub async fn request_link(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<GuestForm>,
) -> PageResult {
    let request = GuestRequest { name: f.name, email: f.email };
    match app.request_guest_registration(id, &request, &identity.client).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Check your email",
                &[
                    &format!("We have sent a link to {} to confirm your registration.", request.email.trim()),
                    "Nothing is registered until you open it and confirm. The link works for two days.",
                ],
                Some((&format!("/events/{id}"), "Back to the event")),
            )
            .await
        }
        Err(err @ (AppError::Validation { .. } | AppError::RateLimited { .. })) => {
            rerender(&guest_page(&app, &identity, id, request, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "events/guest_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    line: EventLine,
    form: FormState,
    token: String,
    name: String,
    email: String,
    your_price: String,
    price_refusal: String,
    has_discount_codes: bool,
    discount_code: String,
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn confirm_page(
    app: &App,
    identity: &Identity,
    token: String,
    discount_code: String,
    form: FormState,
) -> Result<ConfirmPage, crate::error::HtmlError> {
    let link = app.guest_link(&token).await?;
    let (your_price, price_refusal) = price_words(&link.view);
    Ok(ConfirmPage {
        chrome: Chrome::new(app, identity, &format!("Confirm your registration: {}", link.view.event.title), "events")
            .await,
        line: EventLine::of(&link.view.event),
        form,
        token,
        name: link.name,
        email: link.email,
        your_price,
        price_refusal,
        has_discount_codes: link.view.has_discount_codes,
        discount_code,
    })
}

/// The link's page: what it registers, and a button. Opening it changes nothing.
pub async fn confirm_form(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(_): Path<i64>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    render(&confirm_page(&app, &identity, q.token, String::new(), FormState::default()).await?)
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    discount_code: String,
}

pub async fn confirm(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    Path(_): Path<i64>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> PageResult {
    match app.confirm_guest_registration(&f.token, Some(&f.discount_code), &identity.client).await {
        Ok(registered) => {
            let event_id = registered.registration.event_id;
            let done = match registered.registration.status {
                guildhall_domain::events::RegistrationStatus::Waitlisted => "waitlisted",
                _ => "registered",
            };
            match registered.signed_in {
                Some(signed_in) => Ok((
                    session_cookies(&app, jar, &signed_in),
                    Redirect::to(&format!("/events/{event_id}?done={done}")),
                )
                    .into_response()),
                None => {
                    message(
                        &app,
                        &identity,
                        if done == "waitlisted" { "You are on the waitlist" } else { "You are registered" },
                        &[
                            "We have emailed you the details.",
                            "Your email already has an account here: sign in to see your registration, your ticket or to cancel.",
                        ],
                        Some((&sign_in_path(&format!("/events/{event_id}")), "Sign in")),
                    )
                    .await
                }
            }
        }
        Err(err @ AppError::Validation { .. }) => {
            let page = confirm_page(&app, &identity, f.token, f.discount_code, FormState::from_error(&err)).await?;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}
