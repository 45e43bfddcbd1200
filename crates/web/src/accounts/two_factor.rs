//! Two-factor sign-in pages: the second step of signing in, and setting it up, renewing
//! recovery codes and turning it off on the account page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use guildhall_app::accounts::two_factor::TwoFactorStatus;
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CHALLENGE_COOKIE, CsrfForm, Identity, SignedIn, build_cookie, cookie_name, session_cookies};

#[derive(Template)]
#[template(path = "accounts/two_factor_sign_in.html")]
struct SecondStepPage {
    chrome: Chrome,
    form: FormState,
    /// The page asked for before signing in (a local path, or empty).
    next: String,
}

fn challenge_of(app: &App, jar: &CookieJar) -> Option<String> {
    jar.get(&cookie_name(app, CHALLENGE_COOKIE)).map(|c| c.value().to_string())
}

/// The second step of signing in: the code from the app or a recovery code.
pub async fn second_step_form(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> PageResult {
    let live = match challenge_of(&app, &jar) {
        Some(challenge) => app.sign_in_challenge_is_live(&challenge).await?,
        None => false,
    };
    if !live {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    render(&SecondStepPage {
        chrome: Chrome::new(&app, &identity, "Enter your sign-in code", "sign-in").await,
        form: FormState::default(),
        next: local_path(&q.next).unwrap_or_default().to_string(),
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn second_step(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    let challenge = challenge_of(&app, &jar).unwrap_or_default();
    match app.complete_sign_in(&challenge, &form.code, &identity.client).await {
        Ok(signed_in) => {
            let jar = jar.remove(build_cookie(&app, CHALLENGE_COOKIE, String::new(), None));
            let to = after_sign_in(&form.next, signed_in.linked_member.is_some());
            Ok((session_cookies(&app, jar, &signed_in), Redirect::to(&to)).into_response())
        }
        Err(err @ (AppError::Validation { .. } | AppError::RateLimited { .. })) => rerender(
            &SecondStepPage {
                chrome: Chrome::new(&app, &identity, "Enter your sign-in code", "sign-in").await,
                form: FormState::from_error(&err),
                next: local_path(&form.next).unwrap_or_default().to_string(),
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    form: FormState,
    status: TwoFactorStatus,
    notice: String,
    /// Which form `form`'s errors belong to: "enable", "codes" or "disable".
    failed_form: &'static str,
}

impl TwoFactorPage {
    async fn new(app: &App, identity: &Identity, status: TwoFactorStatus) -> Self {
        TwoFactorPage {
            chrome: Chrome::new(app, identity, "Two-factor sign-in", "account").await,
            form: FormState::default(),
            status,
            notice: String::new(),
            failed_form: "",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TwoFactorQuery {
    #[serde(default)]
    required: Option<u8>,
    #[serde(default)]
    off: Option<u8>,
}

/// Two-factor sign-in on the account page: its state, and the forms that change it.
pub async fn settings(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<TwoFactorQuery>,
) -> PageResult {
    let status = app.two_factor_status(&actor).await?;
    let mut page = TwoFactorPage::new(&app, &identity, status).await;
    if actor.must_set_up_two_factor || q.required.is_some() {
        page.notice = "Staff and administrator accounts must use two-factor sign-in. Set it up here to go on \
                       to the staff pages."
            .into();
    } else if q.off.is_some() {
        page.notice = "Two-factor sign-in is off.".into();
    }
    render(&page)
}

pub async fn start(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.begin_two_factor(&actor).await?;
    Ok(Redirect::to("/account/two-factor").into_response())
}

#[derive(Template)]
#[template(path = "accounts/recovery_codes.html")]
struct RecoveryCodesPage {
    chrome: Chrome,
    codes: Vec<String>,
    just_enabled: bool,
}

async fn show_codes(app: &App, identity: &Identity, codes: Vec<String>, just_enabled: bool) -> PageResult {
    render(&RecoveryCodesPage {
        chrome: Chrome::new(app, identity, "Your recovery codes", "account").await,
        codes,
        just_enabled,
    })
}

async fn failed(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    err: AppError,
    failed_form: &'static str,
) -> PageResult {
    if !matches!(err, AppError::Validation { .. } | AppError::Forbidden(_) | AppError::Conflict { .. }) {
        return Err(err.into());
    }
    let status = app.two_factor_status(actor).await?;
    let mut page = TwoFactorPage::new(app, identity, status).await;
    page.form = FormState::from_error(&err);
    page.failed_form = failed_form;
    rerender(&page, &err)
}

pub async fn enable(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    match app.enable_two_factor(&actor, &form.code, &identity.request_id).await {
        Ok(codes) => show_codes(&app, &identity, codes, true).await,
        Err(err) => failed(&app, &actor, &identity, err, "enable").await,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
}

pub async fn new_recovery_codes(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    match app.new_recovery_codes(&actor, &form.current_password, &identity.request_id).await {
        Ok(codes) => show_codes(&app, &identity, codes, false).await,
        Err(err) => failed(&app, &actor, &identity, err, "codes").await,
    }
}

pub async fn disable(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    match app.disable_two_factor(&actor, &form.current_password, &identity.request_id).await {
        Ok(()) => Ok(Redirect::to("/account/two-factor?off=1").into_response()),
        Err(err) => failed(&app, &actor, &identity, err, "disable").await,
    }
}
