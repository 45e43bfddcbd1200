//! The one place application errors become HTTP: status codes, the JSON error body,
//! and the HTML error page (rendered by `middleware::error_pages`, which knows the
//! request id and branding).

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use guildhall_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What a person is told: internal causes are logged, never shown.
pub fn public_message(err: &AppError) -> String {
    match err {
        AppError::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            "Something went wrong on our side. Please try again; if it keeps happening, contact the society \
             and quote the request id below."
                .into()
        }
        other => other.to_string(),
    }
}

/// An error in a page request; the error-page middleware turns it into HTML.
#[derive(Debug)]
pub struct HtmlError(pub AppError);

impl<E: Into<AppError>> From<E> for HtmlError {
    fn from(err: E) -> Self {
        HtmlError(err.into())
    }
}

/// Carried on an error response for the error-page middleware to render.
#[derive(Debug, Clone)]
pub struct PageError {
    pub message: String,
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        if matches!(self.0, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/sign-in").into_response();
        }
        let mut response = status.into_response();
        if let AppError::RateLimited { retry_after_secs, .. } = &self.0
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(PageError { message: public_message(&self.0) });
        response
    }
}

/// The JSON error body every API endpoint uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: bad_request, invalid_input, unauthenticated, forbidden,
    /// not_found, conflict, rate_limited, too_large, timed_out, internal.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// Per-field messages for invalid input.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// An error in an API request.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let fields = match &self.0 {
            AppError::Validation { fields, .. } => fields.clone(),
            AppError::Conflict { field: Some(field), .. } => {
                BTreeMap::from([(field.clone(), "already in use".to_string())])
            }
            _ => BTreeMap::new(),
        };
        let body =
            ErrorBody { error: ErrorDetail { code: self.0.code().into(), message: public_message(&self.0), fields } };
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs, .. } = &self.0
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
