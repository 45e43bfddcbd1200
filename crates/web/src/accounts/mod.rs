//! Account pages: signing up and confirming an email address, signing in and out,
//! forgotten passwords; administrators' pages for accounts and API tokens.
//!
//! Files: `api.rs` (its JSON API operations), `mod.rs` (routes and a person's own account),
//! `two_factor.rs` (the second step of signing in; setting up two-factor sign-in), `admin.rs`
//! (accounts and their roles, API tokens).

pub mod api;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use guildhall_app::accounts::{SignInStep, SignUp};
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::home::message;
use crate::kit::*;
use crate::session::{
    CHALLENGE_COOKIE, CSRF_COOKIE, CsrfForm, Identity, SESSION_COOKIE, SignedIn, build_cookie, session_cookies,
};
use axum::Router;
use axum::routing::{get, post};

mod admin;
mod two_factor;

/// Signing up, in and out, passwords; administrators' accounts and API tokens.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/sign-up", get(sign_up_form).post(sign_up))
        .route("/verify-email", get(verify_email))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-in/two-factor", get(two_factor::second_step_form).post(two_factor::second_step))
        .route("/sign-out", post(sign_out))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/email", post(request_email_change))
        .route("/account/email/confirm", get(confirm_email_change))
        .route("/account/two-factor", get(two_factor::settings))
        .route("/account/two-factor/start", post(two_factor::start))
        .route("/account/two-factor/enable", post(two_factor::enable))
        .route("/account/two-factor/recovery-codes", post(two_factor::new_recovery_codes))
        .route("/account/two-factor/disable", post(two_factor::disable))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset", get(reset_form).post(reset))
        .route("/admin/accounts", get(admin::accounts))
        .route("/admin/accounts/{id}/role", post(admin::set_role))
        .route("/admin/accounts/{id}/two-factor/reset", post(admin::reset_two_factor))
        .route("/admin/tokens", get(admin::tokens).post(admin::issue_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
}

#[derive(Template)]
#[template(path = "accounts/sign_up.html")]
struct SignUpPage {
    chrome: Chrome,
    form: FormState,
    email: String,
    display_name: String,
}

pub async fn sign_up_form(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    if identity.actor.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    render(&SignUpPage {
        chrome: Chrome::new(&app, &identity, "Join", "sign-up").await,
        form: FormState::default(),
        email: String::new(),
        display_name: String::new(),
    })
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_up(
    State(app): State<Arc<App>>,
    identity: Identity,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> PageResult {
    let request =
        SignUp { email: form.email.clone(), display_name: form.display_name.clone(), password: form.password };
    match app.sign_up(&request).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Check your email",
                &[
                    &format!("We have sent a confirmation link to {}.", form.email.trim()),
                    "Open it to confirm your address, then sign in. The link expires in two days.",
                ],
                Some(("/sign-in", "Go to sign in")),
            )
            .await
        }
        Err(err @ AppError::Validation { .. }) => rerender(
            &SignUpPage {
                chrome: Chrome::new(&app, &identity, "Join", "sign-up").await,
                form: FormState::from_error(&err),
                email: form.email,
                display_name: form.display_name,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn verify_email(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<TokenQuery>) -> PageResult {
    let linked = app.verify_email(&q.token).await?;
    let found = linked.map(|number| {
        format!("We found your membership record ({number}) and linked it to your account: sign in to see it.")
    });
    let mut lines = vec!["Thank you: your email address is confirmed and your account is ready."];
    lines.extend(found.as_deref());
    message(&app, &identity, "Email confirmed", &lines, Some(("/sign-in", "Sign in"))).await
}

#[derive(Template)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    form: FormState,
    email: String,
    notice: String,
    /// The page asked for before signing in (a local path, or empty).
    next: String,
}

pub async fn sign_in_form(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<NextQuery>) -> PageResult {
    let next = local_path(&q.next).unwrap_or_default().to_string();
    if identity.actor.is_some() {
        return Ok(Redirect::to(&after_sign_in(&next, false)).into_response());
    }
    render(&SignInPage {
        chrome: Chrome::new(&app, &identity, "Sign in", "sign-in").await,
        form: FormState::default(),
        email: String::new(),
        notice: String::new(),
        next,
    })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> PageResult {
    match app.sign_in(&form.email, &form.password, &identity.client).await {
        Ok(SignInStep::SignedIn(signed_in)) => {
            // The form token changes with the session: one bound to the new session.
            let to = after_sign_in(&form.next, signed_in.linked_member.is_some());
            Ok((session_cookies(&app, jar, &signed_in), Redirect::to(&to)).into_response())
        }
        Ok(SignInStep::SecondFactor { challenge, max_age_secs }) => {
            let jar = jar.add(build_cookie(&app, CHALLENGE_COOKIE, challenge, Some(max_age_secs)));
            let to = match local_path(&form.next) {
                Some(next) => format!("/sign-in/two-factor?{}", query_string(&[("next", next)])),
                None => "/sign-in/two-factor".to_string(),
            };
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(err @ (AppError::Validation { .. } | AppError::RateLimited { .. } | AppError::Forbidden(_))) => {
            let (form_state, notice) = match &err {
                AppError::Forbidden(message) => (FormState::default(), message.clone()),
                other => (FormState::from_error(other), String::new()),
            };
            rerender(
                &SignInPage {
                    chrome: Chrome::new(&app, &identity, "Sign in", "sign-in").await,
                    form: form_state,
                    email: form.email,
                    notice,
                    next: local_path(&form.next).unwrap_or_default().to_string(),
                },
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn sign_out(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    if let Some(token) = &identity.session_token {
        app.sign_out(token).await?;
    }
    let jar = jar.remove(build_cookie(&app, SESSION_COOKIE, String::new(), None)).remove(build_cookie(
        &app,
        CSRF_COOKIE,
        String::new(),
        None,
    ));
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    form: FormState,
    email: String,
}

pub async fn forgot_form(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&ForgotPage {
        chrome: Chrome::new(&app, &identity, "Reset your password", "").await,
        form: FormState::default(),
        email: String::new(),
    })
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(app): State<Arc<App>>,
    identity: Identity,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> PageResult {
    match app.request_password_reset(&form.email).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Check your email",
                &[
                    &format!(
                        "If {} has an account, we have sent it a link to choose a new password.",
                        form.email.trim()
                    ),
                    "The link works once and expires in an hour.",
                ],
                None,
            )
            .await
        }
        Err(err @ AppError::Validation { .. }) => rerender(
            &ForgotPage {
                chrome: Chrome::new(&app, &identity, "Reset your password", "").await,
                form: FormState::from_error(&err),
                email: form.email,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    chrome: Chrome,
    form: FormState,
    email: String,
    notice: String,
    /// Whether two-factor sign-in is on.
    two_factor: bool,
    /// The new address typed into the email form, shown again with its errors.
    new_email: String,
    /// Whether `form`'s errors belong to the email form (both forms ask for the current password).
    email_form_failed: bool,
}

impl AccountPage {
    async fn new(app: &App, identity: &Identity, email: String) -> Result<Self, AppError> {
        let two_factor = match &identity.actor {
            Some(actor) => app.two_factor_status(actor).await?.enabled,
            None => false,
        };
        Ok(AccountPage {
            chrome: Chrome::new(app, identity, "Your account", "account").await,
            form: FormState::default(),
            email,
            notice: String::new(),
            two_factor,
            new_email: String::new(),
            email_form_failed: false,
        })
    }
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    changed: Option<u8>,
    #[serde(default)]
    link_sent: Option<u8>,
}

/// The signed-in person's account: their sign-in address and a password change.
pub async fn account(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<AccountQuery>,
) -> PageResult {
    let mut page = AccountPage::new(&app, &identity, actor.email).await?;
    if q.changed.is_some() {
        page.notice = "Your password was changed, and every other browser or device was signed out.".into();
    } else if q.link_sent.is_some() {
        page.notice =
            "We sent a link to the new address. Open it to sign in with that address; until then nothing changes."
                .into();
    }
    render(&page)
}

#[derive(Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
}

pub async fn change_password(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<PasswordChangeForm>,
) -> PageResult {
    let session = identity.session_token.clone().unwrap_or_default();
    match app.change_password(&actor, &session, &form.current_password, &form.password, &identity.request_id).await {
        Ok(()) => Ok(Redirect::to("/account?changed=1").into_response()),
        Err(err @ AppError::Validation { .. }) => {
            let mut page = AccountPage::new(&app, &identity, actor.email).await?;
            page.form = FormState::from_error(&err);
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct EmailChangeForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    current_password: String,
}

pub async fn request_email_change(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<EmailChangeForm>,
) -> PageResult {
    match app.request_email_change(&actor, &form.new_email, &form.current_password).await {
        Ok(_) => Ok(Redirect::to("/account?link_sent=1").into_response()),
        Err(err @ AppError::Validation { .. }) => {
            let mut page = AccountPage::new(&app, &identity, actor.email).await?;
            page.form = FormState::from_error(&err);
            page.new_email = form.new_email;
            page.email_form_failed = true;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn confirm_email_change(
    State(app): State<Arc<App>>,
    identity: Identity,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let new_email = app.confirm_email_change(&q.token).await?;
    let line = format!("From now on you sign in with {new_email}. We told your old address about the change.");
    message(&app, &identity, "Email address changed", &[line.as_str()], Some(("/dashboard", "Go to your dashboard")))
        .await
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    chrome: Chrome,
    form: FormState,
    token: String,
}

pub async fn reset_form(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<TokenQuery>) -> PageResult {
    if q.token.trim().is_empty() {
        return Err(AppError::invalid("This reset link is incomplete. Open the link from the email again.").into());
    }
    render(&ResetPage {
        chrome: Chrome::new(&app, &identity, "Choose a new password", "").await,
        form: FormState::default(),
        token: q.token,
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset(State(app): State<Arc<App>>, identity: Identity, CsrfForm(form): CsrfForm<ResetForm>) -> PageResult {
    match app.reset_password(&form.token, &form.password).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Password changed",
                &["Your password has been changed and you have been signed out everywhere."],
                Some(("/sign-in", "Sign in")),
            )
            .await
        }
        Err(err @ AppError::Validation { .. }) if !err.to_string().contains("link") => rerender(
            &ResetPage {
                chrome: Chrome::new(&app, &identity, "Choose a new password", "").await,
                form: FormState::from_error(&err),
                token: form.token,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}
