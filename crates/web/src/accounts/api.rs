//! The accounts API: who is signed in, administrators' accounts and roles.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use guildhall_app::App;
use guildhall_app::records::{ApiTokenRecord, Page, UserRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body};
use crate::error::{ApiError, ErrorBody};
use crate::kit::iso_time;
use crate::session::ApiActor;

/// The accounts API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/accounts", get(accounts))
        .route("/api/v1/accounts/{id}", get(account))
        .route("/api/v1/accounts/{id}/role", put(set_account_role))
        .route("/api/v1/tokens", get(tokens).post(issue_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(me, accounts, account, set_account_role, tokens, issue_token, revoke_token),
    components(schemas(Me, Account, AccountPage, RoleChange, Token, TokenPage, NewToken, IssuedToken))
)]
pub struct Doc;

/// The signed-in person or the token's owner.
#[derive(Serialize, ToSchema)]
pub struct Me {
    id: i64,
    email: String,
    display_name: String,
    /// member, staff or admin
    role: String,
    /// Chapters the person is an officer of today.
    officer_of: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiActor(actor, _): ApiActor) -> ApiResult<Me> {
    Ok(Json(Me {
        id: actor.user_id,
        email: actor.email,
        display_name: actor.display_name,
        role: actor.role.as_str().into(),
        officer_of: actor.officer_of,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Account {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    email_verified: bool,
    created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AccountPage {
    items: Vec<Account>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountParams {
    /// Part of a name or email address.
    #[param(min_length = 1)]
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/accounts", params(Paging, AccountParams),
    responses((status = 200, body = AccountPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn accounts(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(params): ApiQuery<AccountParams>,
) -> ApiResult<AccountPage> {
    let search = params.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let page = app.list_accounts(&actor, search, paging.request()?).await?;
    Ok(Json(AccountPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|u| Account {
                id: u.id,
                email: u.email,
                display_name: u.display_name,
                role: u.role,
                email_verified: u.email_verified_at.is_some(),
                created_at: u.created_at,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleChange {
    /// member, staff or admin
    role: String,
}

#[utoipa::path(put, path = "/api/v1/accounts/{id}/role", request_body = RoleChange,
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, body = Account), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_account_role(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Account> {
    let change = json_object_body::<RoleChange>(body)?;
    let user = app.set_role(&actor, id, &change.role, &identity.request_id).await?;
    Ok(Json(account_of(user)))
}

fn account_of(user: UserRecord) -> Account {
    Account {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role,
        email_verified: user.email_verified_at.is_some(),
        created_at: user.created_at,
    }
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", params(("id" = i64, Path, minimum = 1, description = "The account's id")),
    responses((status = 200, body = Account), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn account(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor, Path(id): Path<i64>) -> ApiResult<Account> {
    Ok(Json(account_of(app.account(&actor, id).await?)))
}

/// An API token (its secret is shown once, when it is issued).
#[derive(Serialize, ToSchema)]
pub struct Token {
    id: i64,
    /// The integration it was issued for.
    name: String,
    /// The account it acts for.
    account_id: i64,
    /// member, staff or admin: never more than its account's role.
    role: String,
    /// The one chapter an officer's token acts in.
    chapter_id: Option<i64>,
    /// An employer's token (issued by an owner of its account): it acts only as that
    /// employer's recruiter on the jobs API.
    employer_id: Option<i64>,
    /// ISO 8601 instants.
    issued_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
    /// live, expired or revoked
    state: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenPage {
    items: Vec<Token>,
    page: u32,
    per_page: u32,
    total: i64,
}

fn token_of(t: ApiTokenRecord, now: i64) -> Token {
    let state = if t.revoked_at.is_some() {
        "revoked"
    } else if t.expires_at.is_some_and(|at| at <= now) {
        "expired"
    } else {
        "live"
    };
    Token {
        id: t.id,
        name: t.name,
        account_id: t.user_id,
        role: t.role,
        chapter_id: t.chapter_id,
        employer_id: t.employer_id,
        issued_at: iso_time(t.created_at),
        expires_at: t.expires_at.map(iso_time),
        last_used_at: t.last_used_at.map(iso_time),
        revoked_at: t.revoked_at.map(iso_time),
        state: state.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/tokens", params(Paging),
    responses((status = 200, body = TokenPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn tokens(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<TokenPage> {
    let request = paging.request()?;
    let now = app.clock.unix();
    let all = app.api_tokens(&actor).await?.into_iter().map(|t| token_of(t, now)).collect();
    let page = Page::of_all(all, request);
    Ok(Json(TokenPage { items: page.items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// A token to issue, acting for the caller with at most their role, as /admin/tokens takes it.
#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// The integration that will use it, at most 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// member, staff or admin (not more than the caller's own role).
    role: String,
    /// Limit it to one chapter (an officer's token).
    #[serde(default, deserialize_with = "whole_number")]
    chapter_id: Option<i64>,
    /// Days until it expires, 1–3650; leave out for never.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 1, maximum = 3650)]
    expires_days: Option<i64>,
}

/// A JSON integer, also when written as a number with a zero fraction (`30.0`), as JSON
/// Schema counts it; other fractions are refused.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    if let Some(i) = n.as_i64() {
        return Ok(Some(i));
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        _ => Err(serde::de::Error::custom(format!("{n} is not a whole number"))),
    }
}

/// A token just issued: `secret` is shown this once.
#[derive(Serialize, ToSchema)]
pub struct IssuedToken {
    secret: String,
    token: Token,
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_token(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let t = json_object_body::<NewToken>(body)?;
    let issued =
        app.issue_api_token(&actor, &t.name, &t.role, t.chapter_id, t.expires_days, &identity.request_id).await?;
    let now = app.clock.unix();
    let token = app
        .api_tokens(&actor)
        .await?
        .into_iter()
        .find(|t| t.id == issued.id)
        .map(|t| token_of(t, now))
        .ok_or_else(|| guildhall_app::AppError::Internal("token issued but not listed".into()))?;
    Ok((StatusCode::CREATED, Json(IssuedToken { secret: issued.secret, token })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path, minimum = 1, description = "The token's id")),
    responses((status = 204, description = "Revoked: it stops working at once"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app.revoke_api_token(&actor, id, &identity.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
