//! The accounts API: who is signed in, administrators' accounts and roles.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use guildhall_app::App;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_body};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// The accounts API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/accounts", get(accounts))
        .route("/api/v1/accounts/{id}/role", put(set_account_role))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(me, accounts, set_account_role), components(schemas(Me, Account, AccountPage, RoleChange)))]
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
    body: Result<Json<RoleChange>, JsonRejection>,
) -> ApiResult<Account> {
    let change = json_body(body)?;
    let user = app.set_role(&actor, id, &change.role, &identity.request_id).await?;
    Ok(Json(Account {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role,
        email_verified: user.email_verified_at.is_some(),
        created_at: user.created_at,
    }))
}
