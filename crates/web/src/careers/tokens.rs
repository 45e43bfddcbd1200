//! An employer's API tokens page: its owners issue tokens for their applicant-tracking
//! system (the secret is shown once), and owners or staff revoke them after confirming.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use guildhall_app::careers::EmployerTokens;
use guildhall_app::{Actor, App, AppError};
use serde::Deserialize;

use crate::kit::confirm::{ConfirmPage, Confirmation, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/employer/{id}/tokens", get(tokens).post(issue))
        .route("/employer/{id}/tokens/{token}/revoke", get(confirm_revoke).post(revoke))
}

/// One token as the page lists it.
struct TokenRow {
    id: i64,
    name: String,
    issued_by: String,
    issued: String,
    expires: String,
    last_used: String,
    live: bool,
    status: String,
}

#[derive(Template)]
#[template(path = "careers/employer_tokens.html")]
struct TokensPage {
    chrome: Chrome,
    view: EmployerTokens,
    rows: Vec<TokenRow>,
    notice: String,
    secret: String,
    values: TokenInput,
    form: FormState,
}

#[derive(Deserialize, Default)]
struct TokenInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_days: String,
}

/// The page with nothing typed, no notice and no secret; callers set what they show.
async fn tokens_page(app: &App, actor: &Actor, identity: &Identity, id: i64) -> Result<TokensPage, AppError> {
    let view = app.employer_tokens(actor, id).await?;
    let now = app.clock.unix();
    let rows = view
        .tokens
        .iter()
        .map(|t| {
            let t_ = &t.token;
            let expired = t_.expires_at.is_some_and(|at| at <= now);
            TokenRow {
                id: t_.id,
                name: t_.name.clone(),
                issued_by: t.issued_by.clone(),
                issued: fmt_time(t_.created_at),
                expires: t_.expires_at.map_or_else(|| "Never".into(), fmt_time),
                last_used: t_.last_used_at.map_or_else(|| "Not yet".into(), fmt_time),
                live: t_.revoked_at.is_none() && !expired,
                status: match (t_.revoked_at, expired) {
                    (Some(at), _) => format!("Revoked {}", fmt_time(at)),
                    (None, true) => "Expired".into(),
                    (None, false) => "Live".into(),
                },
            }
        })
        .collect();
    let title = format!("API tokens of {}", view.employer.name);
    Ok(TokensPage {
        chrome: Chrome::new(app, identity, &title, "jobs").await,
        view,
        rows,
        notice: String::new(),
        secret: String::new(),
        values: TokenInput::default(),
        form: FormState::default(),
    })
}

async fn tokens(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let notice = match done.done() {
        "revoked" => "The token was revoked: calls made with it are refused from now on.",
        _ => "",
    };
    let page = tokens_page(&app, &actor, &identity, id).await?;
    render(&TokensPage { notice: notice.into(), ..page })
}

async fn issue(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<TokenInput>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let expires_days = match input.expires_days.trim() {
        "" => Ok(None),
        raw => raw.parse::<i64>().map(Some).map_err(|_| {
            AppError::invalid_field("expires_days", "Enter the number of days, or leave it empty for no expiry.")
        }),
    };
    let issued = match expires_days {
        Ok(days) => app.issue_employer_token(&actor, id, &input.name, days, &identity.request_id).await,
        Err(err) => Err(err),
    };
    match issued {
        // The secret is shown on this response only: never in an address, never again.
        Ok(token) => {
            let page = tokens_page(&app, &actor, &identity, id).await?;
            render(&TokensPage { secret: token.secret, ..page })
        }
        Err(err @ AppError::Validation { .. }) => {
            let page = tokens_page(&app, &actor, &identity, id).await?;
            rerender(&TokensPage { values: input, form: FormState::from_error(&err), ..page }, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn revoke_confirmation(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    token: i64,
) -> Result<ConfirmPage, AppError> {
    let view = app.employer_tokens(actor, id).await?;
    let found = view.live(token)?;
    let chrome = Chrome::new(app, identity, "Revoke an API token", "jobs").await;
    let mut page = ConfirmPage::plain(
        chrome,
        format!("Revoke “{}”?", found.token.name),
        format!("/employer/{id}/tokens/{token}/revoke"),
        "Revoke the token",
        format!("/employer/{id}/tokens"),
    );
    page.details = vec![
        ("Employer".into(), view.employer.name.clone()),
        ("Issued by".into(), found.issued_by.clone()),
        ("Issued".into(), fmt_time(found.token.created_at)),
    ];
    page.consequences = vec![
        "Every call made with it is refused from now on: the system using it stops posting jobs.".into(),
        "This cannot be undone; issue a new token to connect the system again.".into(),
    ];
    Ok(page)
}

async fn confirm_revoke(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, token)): Path<(String, String)>,
) -> PageResult {
    let (id, token) = (path_id(&id, "employer")?, path_id(&token, "token")?);
    render(&revoke_confirmation(&app, &actor, &identity, id, token).await?)
}

async fn revoke(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, token)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<Confirmation>,
) -> PageResult {
    let (id, token) = (path_id(&id, "employer")?, path_id(&token, "token")?);
    if !is_confirmed(&input.confirmed) {
        return render(&revoke_confirmation(&app, &actor, &identity, id, token).await?);
    }
    app.revoke_employer_token(&actor, id, token, &identity.request_id).await?;
    done(&format!("/employer/{id}/tokens"), "revoked")
}
