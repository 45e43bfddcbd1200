//! The page an invitation link opens: the member sets a password and is signed in to
//! their membership.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, Identity, session_cookies};

#[derive(Template)]
#[template(path = "membership/invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    form: FormState,
    token: String,
    first_name: String,
    member_number: String,
    email: String,
}

#[derive(Deserialize, Default)]
pub struct InvitationForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn page(app: &App, identity: &Identity, token: String, form: FormState) -> Result<InvitationPage, AppError> {
    let invited = app.invitation(&token).await?;
    Ok(InvitationPage {
        chrome: Chrome::new(app, identity, "Your membership online", "").await,
        form,
        token,
        first_name: invited.first_name,
        member_number: invited.member_number,
        email: invited.email,
    })
}

pub async fn invitation(
    State(app): State<Arc<App>>,
    identity: Identity,
    Query(q): Query<InvitationForm>,
) -> PageResult {
    render(&page(&app, &identity, q.token, FormState::default()).await?)
}

pub async fn accept(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<InvitationForm>,
) -> PageResult {
    match app.accept_invitation(&form.token, &form.password, &identity.client).await {
        Ok(signed_in) => Ok((session_cookies(&app, jar, &signed_in), Redirect::to("/dashboard")).into_response()),
        Err(err) if matches!(&err, AppError::Validation { fields, .. } if fields.contains_key("password")) => {
            rerender(&page(&app, &identity, form.token, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}
