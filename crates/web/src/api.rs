//! The JSON API under /api/v1: the same use cases and authorisation as the pages,
//! bearer-token or session authentication, consistent error bodies and pagination,
//! described by the OpenAPI document at /api/openapi.json. Each area keeps its operations in
//! its own `api.rs` with its `routes()`; this file holds the document, the shared paging
//! and the API's fallback.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use guildhall_app::records::PageRequest;
use guildhall_app::{App, AppError};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::error::{ApiError, ErrorBody};
use crate::{accounts, chapters, society};

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Guildhall API",
        description = "The JSON API of a Guildhall society. Authenticate with `Authorization: Bearer <token>` (tokens are issued by administrators), or with a browser session plus the `x-csrf-token` header for writes."
    ),
    paths(
        accounts::api::me,
        chapters::api::chapters,
        society::api::audit_log,
        society::api::outgoing_mail,
        accounts::api::accounts,
        accounts::api::set_account_role
    ),
    components(schemas(
        ErrorBody,
        accounts::api::Me,
        chapters::api::Chapter,
        society::api::AuditEntry,
        society::api::AuditPage,
        society::api::Mail,
        society::api::MailPage,
        accounts::api::Account,
        accounts::api::AccountPage,
        accounts::api::RoleChange
    ))
)]
pub struct ApiDoc;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .merge(accounts::api::routes())
        .merge(chapters::api::routes())
        .merge(society::api::routes())
        .fallback(not_found)
}

async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("There is no API endpoint at this address; see /api/openapi.json.".into()))
}

/// Pagination parameters shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Paging {
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–200 (default 50).
    per_page: Option<u32>,
}

impl Paging {
    pub(crate) fn request(&self) -> PageRequest {
        PageRequest::new(self.page.unwrap_or(1), self.per_page.unwrap_or(50))
    }
}
