//! Administrators' pages: accounts and their roles, API tokens.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::records::{ChapterRecord, PageRequest, UserRecord};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::identity::Role;
use serde::Deserialize;

use crate::error::HtmlError;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

// ---------------------------------------------------------------- administration

#[derive(Template)]
#[template(path = "accounts/accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<UserRecord>,
    roles: [Role; 3],
    q: String,
    notice: String,
    pager: Pager,
}

pub async fn accounts(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<PageQuery>,
) -> PageResult {
    accounts_page(&app, &actor, &identity, &q, String::new()).await
}

async fn accounts_page(app: &App, actor: &Actor, identity: &Identity, q: &PageQuery, notice: String) -> PageResult {
    let search = Some(q.q.trim()).filter(|s| !s.is_empty());
    let page = app.list_accounts(actor, search, PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    let pager = Pager::new(&page, format!("/admin/accounts?{}", query_string(&[("q", &q.q)])));
    render(&AccountsPage {
        chrome: Chrome::new(app, identity, "Accounts and roles", "staff").await.in_subsection("accounts"),
        accounts: page.items,
        roles: Role::ALL,
        q: q.q.clone(),
        notice,
        pager,
    })
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn set_role(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> PageResult {
    app.set_role(&actor, id, &form.role, &identity.request_id).await?;
    accounts_page(&app, &actor, &identity, &PageQuery::default(), "The role was saved.".into()).await
}

#[derive(Deserialize)]
pub struct TwoFactorResetForm {
    #[serde(default)]
    confirmed: Option<String>,
}

pub async fn reset_two_factor(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TwoFactorResetForm>,
) -> PageResult {
    app.reset_two_factor(&actor, id, form.confirmed.is_some(), &identity.request_id).await?;
    accounts_page(
        &app,
        &actor,
        &identity,
        &PageQuery::default(),
        "Two-factor sign-in was turned off for that account.".into(),
    )
    .await
}

pub struct TokenRow {
    id: i64,
    name: String,
    role: String,
    chapter: String,
    /// An employer's token: only that employer's jobs.
    employer: Option<i64>,
    issued: String,
    /// "Never", a date, or "Expired".
    expires: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "accounts/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    form: FormState,
    tokens: Vec<TokenRow>,
    chapters: Vec<ChapterRecord>,
    roles: [Role; 3],
    secret: String,
}

async fn tokens_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    form: FormState,
    secret: String,
) -> Result<TokensPage, HtmlError> {
    let chapters = app.chapters(actor).await?;
    let chapter_name = |id: Option<i64>| {
        id.and_then(|id| chapters.iter().find(|c| c.id == id)).map(|c| c.name.clone()).unwrap_or_default()
    };
    let now = app.clock.unix();
    let tokens = app
        .api_tokens(actor)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            role: t.role,
            chapter: chapter_name(t.chapter_id),
            employer: t.employer_id,
            issued: fmt_time(t.created_at),
            expires: match t.expires_at {
                None => "Never".into(),
                Some(at) if at <= now => format!("Expired {}", fmt_time(at)),
                Some(at) => fmt_time(at),
            },
            last_used: t.last_used_at.map_or_else(|| "Not yet".into(), fmt_time),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(TokensPage {
        chrome: Chrome::new(app, identity, "API tokens", "staff").await.in_subsection("tokens"),
        form,
        tokens,
        chapters,
        roles: Role::ALL,
        secret,
    })
}

pub async fn tokens(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    render(&tokens_page(&app, &actor, &identity, FormState::default(), String::new()).await?)
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    chapter_id: String,
    #[serde(default)]
    expires_days: String,
}

pub async fn issue_token(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> PageResult {
    let chapter_id = match form.chapter_id.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>().map_err(|_| AppError::invalid_field("chapter_id", "Choose a chapter from the list."))?,
        ),
    };
    let expires_days = match form.expires_days.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            AppError::invalid_field("expires_days", "Enter the number of days, or leave it empty for no expiry.")
        })?),
    };
    match app.issue_api_token(&actor, &form.name, &form.role, chapter_id, expires_days, &identity.request_id).await {
        Ok(issued) => render(&tokens_page(&app, &actor, &identity, FormState::default(), issued.secret).await?),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&tokens_page(&app, &actor, &identity, FormState::from_error(&err), String::new()).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn revoke_token(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.revoke_api_token(&actor, id, &identity.request_id).await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
