//! Payment providers' webhooks: `POST /payments/webhook/{provider}`. No session and no
//! CSRF token: the provider's signature over the raw body is the authentication, checked
//! by the provider implementation in `guildhall_app::membership::payments`. Answers are JSON.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use guildhall_app::App;
use serde_json::json;

use crate::error::ApiError;

/// Largest webhook body accepted; provider events are small.
pub const WEBHOOK_LIMIT: usize = 64 * 1024;

pub async fn payment_webhook(
    State(app): State<Arc<App>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_ascii_lowercase(), value.to_str().ok()?.to_string())))
        .collect();
    let outcome = app.handle_payment_webhook(&provider, &headers, &body).await?;
    Ok(Json(json!({ "status": outcome.code() })).into_response())
}
