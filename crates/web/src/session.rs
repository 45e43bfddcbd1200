//! Who is asking: the session cookie or API token resolved once per request, the CSRF
//! token, the client address; and the extractors handlers use to read them.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use guildhall_app::accounts::ClientInfo;
use guildhall_app::crypto::{constant_time_eq, random_token, session_csrf_token};
use guildhall_app::{Actor, App, AppError};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, HtmlError};

pub const SESSION_COOKIE: &str = "gh_session";
pub const CSRF_COOKIE: &str = "gh_csrf";
/// A sign-in that proved its password and waits for the second factor (minutes long).
pub const CHALLENGE_COOKIE: &str = "gh_sign_in";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body accepted (forms are small; imports have their own route).
const FORM_LIMIT: usize = 64 * 1024;

/// The resolved identity of a request, placed in its extensions by [`resolve`].
#[derive(Debug, Clone)]
pub struct Identity {
    pub actor: Option<Actor>,
    pub session_token: Option<String>,
    pub csrf_token: String,
    pub client: ClientInfo,
    pub request_id: String,
}

/// The addresses an employer's API token may call: the jobs and one job.
fn employer_token_reaches(path: &str) -> bool {
    match path.strip_prefix("/api/v1/jobs") {
        Some("" | "/") => true,
        Some(rest) => rest.strip_prefix('/').is_some_and(|id| !id.is_empty() && !id.contains('/')),
        None => false,
    }
}

pub fn cookie_name(app: &App, base: &str) -> String {
    // The __Host- prefix makes browsers refuse the cookie from subdomains or over http.
    if app.settings.secure_cookies() { format!("__Host-{base}") } else { base.to_string() }
}

pub fn build_cookie(app: &App, base: &str, value: String, max_age_secs: Option<i64>) -> Cookie<'static> {
    let mut cookie = Cookie::new(cookie_name(app, base), value);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(app.settings.secure_cookies());
    if let Some(secs) = max_age_secs {
        cookie.set_max_age(time::Duration::seconds(secs));
    }
    cookie
}

fn client_info(app: &App, headers: &HeaderMap, connect: Option<&ConnectInfo<SocketAddr>>) -> ClientInfo {
    let forwarded = app
        .settings
        .server
        .trust_proxy_headers
        .then(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string());
    let ip = forwarded.or_else(|| connect.map(|c| c.0.ip().to_string())).unwrap_or_else(|| "unknown".into());
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    ClientInfo { ip, user_agent }
}

/// Middleware: resolves the session cookie or bearer token, issues the CSRF cookie on
/// first visit, and refuses cookie-authenticated API writes without the CSRF header.
pub async fn resolve(State(app): State<Arc<App>>, jar: CookieJar, mut request: Request, next: Next) -> Response {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let client = client_info(&app, request.headers(), request.extensions().get::<ConnectInfo<SocketAddr>>());
    let is_api = request.uri().path().starts_with("/api/");
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);

    let session_token = jar.get(&cookie_name(&app, SESSION_COOKIE)).map(|c| c.value().to_string());
    let lookup = match (&bearer, &session_token) {
        (Some(token), _) if is_api => app.actor_for_api_token(token).await,
        (_, Some(token)) => app.actor_for_session(token).await,
        _ => Ok(None),
    };
    let actor = match lookup {
        Ok(actor) => actor,
        Err(err) => return error_for(is_api, err),
    };
    if is_api && bearer.is_some() && actor.is_none() {
        return ApiError(AppError::Unauthenticated).into_response();
    }
    // An employer's token reaches the jobs API only (the use cases refuse it everything
    // but recruiting for its employer too): nothing about the person who issued it.
    if actor.as_ref().is_some_and(|a| a.employer_token.is_some()) && !employer_token_reaches(request.uri().path()) {
        return ApiError(AppError::Forbidden(
            "An employer's API token can only read and post that employer's jobs (/api/v1/jobs).".into(),
        ))
        .into_response();
    }

    // A signed-in browser's CSRF token is bound to its session (renewed at every sign-in);
    // a visitor's is a random one kept in the cookie (the sign-in form needs one too).
    let existing_csrf = jar.get(&cookie_name(&app, CSRF_COOKIE)).map(|c| c.value().to_string());
    let session_csrf = match (&actor, &session_token) {
        (Some(_), Some(token)) if bearer.is_none() || !is_api => Some(session_csrf_token(token)),
        _ => None,
    };
    let (csrf_token, new_csrf) = match (session_csrf, existing_csrf) {
        (Some(bound), existing) => {
            let renewed = existing.as_deref() != Some(bound.as_str());
            (bound, renewed)
        }
        (None, Some(token)) if token.len() >= 32 => (token, false),
        (None, _) => match random_token() {
            Ok(token) => (token, true),
            Err(err) => return error_for(is_api, err),
        },
    };

    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // A staff or administrator account that must set up two-factor sign-in acts as a
    // member until it does (see `Actor::must_set_up_two_factor`); its pages lead to the set-up.
    if !is_api && !unsafe_method && actor.as_ref().is_some_and(|a| a.must_set_up_two_factor) {
        let path = request.uri().path();
        if !(path.starts_with("/account") || path.starts_with("/static/") || path == "/sign-out") {
            return axum::response::Redirect::to("/account/two-factor?required=1").into_response();
        }
    }
    if is_api && unsafe_method && bearer.is_none() && actor.is_some() {
        let header = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !constant_time_eq(header, &csrf_token) {
            return ApiError(AppError::Forbidden(format!(
                "Requests signed in with a browser session must carry the {CSRF_HEADER} header; \
                 integrations should use an API token."
            )))
            .into_response();
        }
    }

    request.extensions_mut().insert(Identity {
        actor,
        session_token: if bearer.is_some() && is_api { None } else { session_token },
        csrf_token: csrf_token.clone(),
        client,
        request_id,
    });
    let response = next.run(request).await;
    if new_csrf {
        let jar = CookieJar::new().add(build_cookie(&app, CSRF_COOKIE, csrf_token, None));
        return (jar, response).into_response();
    }
    response
}

fn error_for(is_api: bool, err: AppError) -> Response {
    if is_api { ApiError(err).into_response() } else { HtmlError(err).into_response() }
}

fn identity(parts: &Parts) -> Result<Identity, AppError> {
    parts.extensions.get::<Identity>().cloned().ok_or_else(|| AppError::Internal("identity middleware missing".into()))
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = HtmlError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(identity(parts)?)
    }
}

/// A signed-in person, for pages: anyone else is sent to the sign-in page.
pub struct SignedIn(pub Actor, pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let identity = identity(parts).map_err(|e| HtmlError(e).into_response())?;
        match identity.actor.clone() {
            Some(actor) => Ok(SignedIn(actor, identity)),
            // A page asked for (GET) is remembered: sign-in comes back to it.
            None if parts.method == axum::http::Method::GET => {
                let asked = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(axum::response::Redirect::to(&crate::kit::sign_in_path(asked)).into_response())
            }
            None => Err(HtmlError(AppError::Unauthenticated).into_response()),
        }
    }
}

/// A signed-in person or API token, for the API: anyone else gets 401.
pub struct ApiActor(pub Actor, pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let identity = identity(parts)?;
        match identity.actor.clone() {
            Some(actor) => Ok(ApiActor(actor, identity)),
            None => Err(ApiError(AppError::Unauthenticated)),
        }
    }
}

/// A submitted form whose CSRF field matches the visitor's CSRF cookie. Malformed
/// bodies and missing fields are refused with a 4xx and a readable message.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
    Arc<App>: FromRef<S>,
{
    type Rejection = HtmlError;

    async fn from_request(request: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let expected = request.extensions().get::<Identity>().map(|i| i.csrf_token.clone()).unwrap_or_default();
        let content_type =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Err(HtmlError(AppError::invalid("This form must be sent as a web form (URL-encoded).")));
        }
        let bytes = axum::body::to_bytes(request.into_body(), FORM_LIMIT)
            .await
            .map_err(|e| HtmlError(unreadable_body(e, "The form")))?;
        let csrf: CsrfOnly = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| HtmlError(AppError::invalid("The form could not be read.")))?;
        if expected.is_empty() || !constant_time_eq(&csrf.csrf, &expected) {
            return Err(HtmlError(AppError::Forbidden(
                "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
            )));
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| HtmlError(AppError::invalid(format!("The form could not be read: {e}."))))
    }
}

/// The CSRF token of a multipart form, carried in the query string.
#[derive(serde::Deserialize)]
pub struct CsrfQuery {
    #[serde(default)]
    csrf: String,
}

/// Multipart forms carry their CSRF token in the query string: it is checked before the
/// body is read (a multipart body cannot be checked before it is read).
pub fn check_csrf(q: &CsrfQuery, identity: &Identity) -> Result<(), AppError> {
    if identity.csrf_token.is_empty() || !constant_time_eq(&q.csrf, &identity.csrf_token) {
        return Err(AppError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        ));
    }
    Ok(())
}

/// Why a request body could not be read: it did not arrive within the body timeout
/// (408), or it was larger than its limit (413).
pub fn unreadable_body(err: axum::Error, what: &str) -> AppError {
    let inner = err.into_inner();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&*inner);
    while let Some(err) = cause {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return AppError::TimedOut(format!("{what} did not arrive in time; please send it again."));
        }
        cause = err.source();
    }
    AppError::TooLarge(format!("{what} is too large to send."))
}

/// The cookies of a new session: the session itself and a form token bound to it.
pub fn session_cookies(app: &App, jar: CookieJar, signed_in: &guildhall_app::accounts::SignedIn) -> CookieJar {
    let csrf =
        build_cookie(app, CSRF_COOKIE, guildhall_app::crypto::session_csrf_token(&signed_in.session_token), None);
    let session = build_cookie(app, SESSION_COOKIE, signed_in.session_token.clone(), Some(signed_in.max_age_secs));
    jar.add(session).add(csrf)
}
