//! Guildhall's HTTP layer: server-rendered pages (askama), the JSON API (utoipa), and
//! the middleware every request passes through. Handlers are thin; the use cases and
//! authorisation live in `guildhall-app`.

pub mod accounts;
pub mod api;
pub mod careers;
pub mod ce;
pub mod chapters;
pub mod communications;
pub mod credentials;
pub mod error;
pub mod events;
mod home;
pub mod kit;
pub mod knowledge;
pub mod membership;
pub mod privacy;
pub mod publications;
pub mod session;
pub mod society;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use guildhall_app::{App, AppError};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, PageError};
use crate::session::Identity;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; \
    script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
/// The check-in camera page's policy: the site's, and WebAssembly compiled from its own
/// vendored QR reader (`'wasm-unsafe-eval'` allows that and no JavaScript `eval`).
pub(crate) const SCANNER_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' https: data:; \
    style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; frame-ancestors 'none'; \
    form-action 'self'; base-uri 'none'";

/// The whole site: pages, API, static files, with every layer applied.
pub fn router(app: Arc<App>) -> Router {
    // Served over https: browsers are told to use nothing else for a year.
    let hsts = app.settings.secure_cookies().then(|| HeaderValue::from_static("max-age=31536000"));
    let site = Router::new()
        .route("/", get(home::home))
        .merge(accounts::routes())
        .merge(membership::routes())
        .merge(chapters::routes())
        .merge(ce::routes())
        .merge(events::routes())
        .merge(society::routes())
        .merge(privacy::routes())
        .merge(credentials::routes())
        .merge(knowledge::routes())
        .merge(publications::routes())
        .merge(communications::routes())
        .merge(careers::salary::routes())
        .route("/static/app.css", get(app_css))
        .route("/static/brand.css", get(brand_css))
        .route("/static/check-in.js", get(check_in_js))
        .route("/static/vendor/zxing-reader.js", get(zxing_reader_js))
        .route("/static/vendor/zxing_reader.wasm", get(zxing_reader_wasm))
        .route("/healthz", get(health))
        .route("/readyz", get(ready));

    site.merge(api::routes(app.clone()))
        .fallback(knowledge::article_or_not_found)
        .layer(middleware::from_fn_with_state(app.clone(), error_pages))
        .layer(middleware::from_fn_with_state(app.clone(), session::resolve))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        // A body that trickles in is cut off (408) rather than holding the request open.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(std::time::Duration::from_secs(
            app.settings.server.body_read_timeout_secs.max(1),
        )))
        // Every answer has the site's policy unless it sets its own (the check-in camera's).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        // Pages and API answers carry members' personal data: no shared cache keeps them,
        // and no browser stores them (static stylesheets say otherwise for themselves).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ))
        // Unless a response says otherwise (a campaign's preview, framed by its own page).
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, move |_: &Response| {
            hsts.clone()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(app)
}

/// Liveness: the process answers and its database takes a read and a write. The reason
/// is logged, not shown (anyone may call this).
async fn health(State(app): State<Arc<App>>) -> Response {
    match app.health().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(problem) => {
            tracing::error!(%problem, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unhealthy").into_response()
        }
    }
}

/// Readiness, for a load balancer deciding whether to send this node requests: the same
/// checks, answered with which one failed ("database write: failed"), never the
/// database's own message.
async fn ready(State(app): State<Arc<App>>) -> Response {
    match app.health().await {
        Ok(()) => (StatusCode::OK, "ready\ndatabase read: ok\ndatabase write: ok\n").into_response(),
        Err(problem) => {
            tracing::error!(%problem, "readiness check failed");
            let body = match problem {
                guildhall_app::HealthProblem::Read(_) => "not ready\ndatabase read: failed\n",
                guildhall_app::HealthProblem::Write(_) => "not ready\ndatabase read: ok\ndatabase write: failed\n",
            };
            (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
        }
    }
}

async fn app_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/app.css"),
    )
        .into_response()
}

/// A script or WebAssembly the pages load, cached a day by browsers.
fn static_file(content_type: &'static str, body: &'static [u8]) -> Response {
    if body.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

/// The check-in camera page's own script.
async fn check_in_js() -> Response {
    static_file("text/javascript; charset=utf-8", include_bytes!("../static/check-in.js"))
}

/// zxing-wasm's QR reader, vendored from npm by the build (`build.rs`).
async fn zxing_reader_js() -> Response {
    static_file("text/javascript; charset=utf-8", include_bytes!(concat!(env!("OUT_DIR"), "/zxing-reader.js")))
}

async fn zxing_reader_wasm() -> Response {
    static_file("application/wasm", include_bytes!(concat!(env!("OUT_DIR"), "/zxing_reader.wasm")))
}

/// The society's colour as CSS, so pages need no inline styles (the CSP forbids them).
async fn brand_css(State(app): State<Arc<App>>) -> Response {
    let colour = app.branding().await.primary_colour;
    let colour =
        if colour.len() == 7 && colour[1..].chars().all(|c| c.is_ascii_hexdigit()) { colour } else { "#1d4e89".into() };
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        format!(":root{{--brand:{colour}}}\n"),
    )
        .into_response()
}

/// Gives every error a proper body: pages get the HTML error page (with the request id),
/// the API gets the JSON error body. This also covers axum's own rejections (bad query
/// strings, unknown methods, oversized bodies), which arrive as plain text.
async fn error_pages(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    // Payment webhooks are called by machines: they get JSON errors like the API.
    let path = request.uri().path();
    // Health checks answer load balancers and monitors in plain words of their own.
    if path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let is_api = path.starts_with("/api/") || path.starts_with("/payments/webhook/");
    let identity = request.extensions().get::<Identity>().cloned();
    let request_id = request.headers().get(&REQUEST_ID).cloned();
    // A page that asks for sign-in (a use case refusing an anonymous reader) comes back to
    // itself afterwards.
    // (Not the sign-in pages themselves: an expired second step starts sign-in again.)
    let asked = (request.method() == axum::http::Method::GET && !path.starts_with("/sign-in"))
        .then(|| request.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let mut response = next.run(request).await;
    if response.status() == StatusCode::SEE_OTHER
        && response.headers().get(header::LOCATION).is_some_and(|l| l == "/sign-in")
        && let Some(asked) = asked
        && let Ok(location) = HeaderValue::from_str(&kit::sign_in_path(&asked))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let is_json = content_type.starts_with("application/json");
    // A page that rendered itself with an error status (a form shown again with its
    // messages) is already what the person should see.
    if !is_api && content_type.starts_with("text/html") {
        return response;
    }
    let page_error = response.extensions().get::<PageError>().cloned();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    // A JSON error body is ours already (the API, payment webhooks).
    if is_json {
        return response;
    }
    let message = match page_error {
        Some(page_error) => page_error.message,
        None => {
            let text = match axum::body::to_bytes(response.into_body(), 16 * 1024).await {
                Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
                Err(_) => String::new(),
            };
            plain_message(status, &text)
        }
    };
    let mut out = if is_api {
        let err = match status {
            StatusCode::NOT_FOUND => AppError::NotFound(message),
            StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
            StatusCode::FORBIDDEN => AppError::Forbidden(message),
            StatusCode::BAD_REQUEST => AppError::BadRequest(message),
            s if s.is_server_error() => AppError::Internal(message),
            _ => AppError::invalid(message),
        };
        let mut response = ApiError(err).into_response();
        *response.status_mut() = status;
        response
    } else {
        let identity = identity.unwrap_or_else(|| Identity {
            actor: None,
            session_token: None,
            csrf_token: String::new(),
            client: Default::default(),
            request_id: String::new(),
        });
        let identity = Identity {
            request_id: request_id.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("").to_string(),
            ..identity
        };
        kit::error_page(&app, &identity, status, &message).await
    };
    if let Some(retry_after) = retry_after {
        out.headers_mut().insert(header::RETRY_AFTER, retry_after);
    }
    out
}

/// A sentence for errors that arrive without one of ours.
fn plain_message(status: StatusCode, text: &str) -> String {
    match status {
        StatusCode::NOT_FOUND => "There is no page at this address.".into(),
        StatusCode::METHOD_NOT_ALLOWED => "This address does not accept that kind of request.".into(),
        StatusCode::PAYLOAD_TOO_LARGE => "What you sent is too large.".into(),
        StatusCode::REQUEST_TIMEOUT => "What you sent did not arrive in time; please send it again.".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Send this request as JSON with Content-Type: application/json.".into(),
        s if s.is_server_error() => {
            tracing::error!(status = %s, body = %text, "server error");
            "Something went wrong on our side. Please try again.".into()
        }
        _ if !text.is_empty() && text.len() < 500 => format!("The request could not be understood: {text}"),
        _ => "The request could not be understood.".into(),
    }
}
