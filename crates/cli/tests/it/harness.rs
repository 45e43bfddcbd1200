//! TestApp: the whole application over a fresh database, and a client that keeps
//! cookies and fills in the CSRF field the way a browser submitting our forms does.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use guildhall_app::{App, Settings};
use guildhall_store::testing::TestDatabase;
use guildhall_store::{EngineKind, Store};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const PASSWORD: &str = guildhall_app::demo::DEMO_PASSWORD;
pub const MEMBER: &str = "member@demo.guildhall.org";
pub const OFFICER: &str = "officer@demo.guildhall.org";
pub const STAFF: &str = "staff@demo.guildhall.org";
pub const ADMIN: &str = "admin@demo.guildhall.org";
/// Generated members in each test society (the real demo has thousands).
pub const TEST_SOCIETY_MEMBERS: usize = 120;
/// The key of the demo society's template databases.
const DEMO_SOCIETY: &str = "demo-society";
/// The payment webhook secret test apps are configured with.
pub const WEBHOOK_SECRET: &str = "test-webhook-secret-0123456789abcdef";

/// The settings every test app starts from.
pub fn test_settings() -> Settings {
    let mut settings = Settings::default();
    settings.payments.webhook_secret = WEBHOOK_SECRET.into();
    // An account slowed after many failures waits a millisecond per attempt, not a second.
    settings.security.slowdown_ms_per_failure = 1;
    // Staff sign in with a password alone unless a test turns two-factor sign-in on.
    settings.security.require_two_factor_for_staff = false;
    // The society's signing keys are sealed under this (never a file in the source tree).
    settings.credentials.key_secret = TEST_KEY_SECRET.into();
    settings
}

/// The key-encryption key test apps seal their signing keys under.
pub const TEST_KEY_SECRET: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

pub struct TestApp {
    pub app: Arc<App>,
    /// The test database itself, for checking what a request wrote (the application's own
    /// store is private to it).
    pub store: Store,
    pub router: Router,
    pub engine: EngineKind,
    _db: TestDatabase,
}

impl TestApp {
    /// The demo society on SQLite, then on PostgreSQL when reachable. Each test gets its
    /// own database, copied from a template that was migrated and seeded once per run;
    /// the two are made, and their applications started, at the same time.
    pub async fn each_engine() -> Vec<TestApp> {
        Self::each_engine_with(test_settings()).await
    }

    /// As [`TestApp::each_engine`], the applications started with these settings.
    pub async fn each_engine_with(settings: Settings) -> Vec<TestApp> {
        let seed = |store, url| async move {
            let mut settings = test_settings();
            settings.database.url = url;
            let app = App::with_store(settings, store).await.map_err(|e| e.to_string())?;
            app.seed_demo_sized(TEST_SOCIETY_MEMBERS).await.map_err(|e| e.to_string())?;
            Ok::<(), String>(())
        };
        let (sqlite, postgres) = tokio::join!(
            async {
                let db = TestDatabase::sqlite_from_template(DEMO_SOCIETY, seed).await.expect("SQLite test database");
                Self::over(db, settings.clone()).await
            },
            async {
                let db =
                    TestDatabase::postgres_from_template(DEMO_SOCIETY, seed).await.expect("PostgreSQL test database");
                match db {
                    Some(db) => Some(Self::over(db, settings.clone()).await),
                    None => None,
                }
            },
        );
        std::iter::once(sqlite).chain(postgres).collect()
    }

    /// The demo society seeded into a fresh database with these settings.
    pub async fn on(db: TestDatabase, settings: Settings) -> TestApp {
        let t = Self::over(db, settings).await;
        t.app.seed_demo_sized(TEST_SOCIETY_MEMBERS).await.expect("demo society");
        t
    }

    /// The application over a database as it is.
    async fn over(db: TestDatabase, mut settings: Settings) -> TestApp {
        settings.database.url = db.url.clone();
        let app = App::with_store(settings, db.store.clone()).await.expect("app starts");
        let router = guildhall_web::router(app.clone());
        TestApp { engine: db.kind(), store: db.store.clone(), app, router, _db: db }
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: BTreeMap::new() }
    }

    /// A client already signed in as one of the demo accounts.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut client = self.client();
        let response = client.sign_in(email, PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{email} signs in on {:?}: {}", self.engine, response.body);
        client
    }

    /// Texts of all mail to an address, oldest first.
    pub async fn mail_to(&self, address: &str) -> Vec<String> {
        let page = self.store.list_mail(Some(address), guildhall_store::PageRequest::new(1, 200)).await.unwrap();
        page.items.into_iter().rev().map(|m| format!("{}\n{}", m.subject, m.body_text)).collect()
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookies: BTreeMap<String, String>,
}

/// The first link in a text that starts with the given path.
pub fn link_in(text: &str, path: &str) -> String {
    let start = text.find(path).unwrap_or_else(|| panic!("no {path} link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_string()
}

impl Client {
    /// A client of any router (one not made by a `TestApp`).
    pub fn over(router: Router) -> Client {
        Client { router, cookies: BTreeMap::new() }
    }

    pub async fn send(&mut self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        for value in response.headers().get_all(header::SET_COOKIE) {
            let raw = value.to_str().unwrap();
            let pair = raw.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || raw.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).to_string() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        Request::builder().method(method).uri(path).header(header::COOKIE, self.cookie_header())
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let request = self.request(Method::GET, path).body(Body::empty()).unwrap();
        self.send(request).await
    }

    pub fn csrf(&self) -> String {
        // `gh_csrf`, or `__Host-gh_csrf` when the public URL is https.
        self.cookies.iter().find(|(name, _)| name.ends_with("gh_csrf")).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Submits a form as a browser would: with the CSRF field from the visitor's cookie.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &serde_urlencoded::to_string(&all).unwrap()).await
    }

    pub async fn post_raw(&mut self, path: &str, body: &str) -> TestResponse {
        let request = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// A payment provider's webhook call: a raw JSON body with the given signature header
    /// (and whatever cookies this client holds, which the webhook ignores).
    pub async fn webhook(&mut self, provider: &str, body: &str, signature: Option<&str>) -> TestResponse {
        let mut request = self
            .request(Method::POST, &format!("/payments/webhook/{provider}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(signature) = signature {
            request = request.header(guildhall_app::membership::payments::TEST_SIGNATURE_HEADER, signature);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap()).await
    }

    /// Submits a multipart form (with an optional file `(field, file name, bytes)`) as a
    /// browser would: the CSRF token as the form's first field (the CE forms read it there)
    /// and, for the forms that still read it there, in the query string.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> TestResponse {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let boundary = "----guildhall-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        let csrf = self.csrf();
        for (name, value) in std::iter::once(&("csrf", csrf.as_str())).chain(fields) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((name, file_name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let separator = if path.contains('?') { '&' } else { '?' };
        let uri = format!("{path}{separator}csrf={}", self.csrf());
        let request = self
            .request(Method::POST, &uri)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Raw bytes of a GET (downloads).
    pub async fn get_bytes(&mut self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let request = self.request(Method::GET, path).body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, bytes)
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> TestResponse {
        self.post_form("/sign-in", &[("email", email), ("password", password)]).await
    }

    /// A JSON API call with the session cookie (and the CSRF header for writes).
    pub async fn api(&mut self, method: Method, path: &str, body: Option<serde_json::Value>) -> TestResponse {
        self.api_with_headers(method, path, body, &[]).await
    }

    /// An API call with extra headers (`Idempotency-Key`, say).
    pub async fn api_with_headers(
        &mut self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let csrf = self.csrf();
        let mut request = self.request(method, path).header("x-csrf-token", csrf);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }
}

/// An API call with a bearer token and no cookies.
pub async fn api_with_token(
    router: &Router,
    method: Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let mut client = Client { router: router.clone(), cookies: BTreeMap::new() };
    let mut request =
        Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(value) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    client.send(request.body(body).unwrap()).await
}

/// The audit log's entries for one action, as staff read them through the API.
pub async fn audit(staff: &mut Client, action: &str) -> serde_json::Value {
    staff.api(Method::GET, &format!("/api/v1/audit-log?action={action}"), None).await.json()
}
