//! Server-rendered pages. Handlers are thin: read the form or query, call one use case,
//! render one template. Forms that fail validation are shown again with messages.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use guildhall_app::accounts::SignUp;
use guildhall_app::admin::BrandingForm;
use guildhall_app::records::{AuditFilter, ChapterRecord, PageRequest, UserRecord};
use guildhall_app::{Actor, App, AppError, Branding};
use guildhall_domain::identity::Role;
use serde::Deserialize;
use time::{Date, OffsetDateTime, macros::format_description};

use crate::error::{HtmlError, status_of};
use crate::session::{CsrfForm, Identity, SESSION_COOKIE, SignedIn, build_cookie};

pub type PageResult = Result<Response, HtmlError>;

/// What every page's layout needs.
pub struct Chrome {
    pub title: String,
    pub branding: Branding,
    pub actor: Option<Actor>,
    pub csrf: String,
    pub request_id: String,
    pub section: &'static str,
    pub subsection: &'static str,
    pub is_staff: bool,
    pub is_admin: bool,
    pub officer_chapters: Vec<i64>,
}

impl Chrome {
    pub async fn new(app: &App, identity: &Identity, title: &str, section: &'static str) -> Self {
        let actor = identity.actor.clone();
        Chrome {
            title: title.into(),
            branding: app.branding().await,
            is_staff: actor.as_ref().is_some_and(Actor::is_staff),
            is_admin: actor.as_ref().is_some_and(|a| a.role == Role::Admin),
            officer_chapters: actor
                .as_ref()
                .map(|a| a.officer_of.iter().take(1).copied().collect())
                .unwrap_or_default(),
            actor,
            csrf: identity.csrf_token.clone(),
            request_id: identity.request_id.clone(),
            section,
            subsection: "",
        }
    }

    pub fn in_subsection(mut self, subsection: &'static str) -> Self {
        self.subsection = subsection;
        self
    }
}

/// Messages for a form shown again after a refused submission.
#[derive(Default)]
pub struct FormState {
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl FormState {
    /// The message for one field, if it was refused.
    pub fn error(&self, field: &str) -> Option<&String> {
        self.fields.get(field)
    }

    pub fn from_error(err: &AppError) -> Self {
        match err {
            AppError::Validation { message, fields } => FormState { message: message.clone(), fields: fields.clone() },
            other => FormState { message: crate::error::public_message(other), fields: BTreeMap::new() },
        }
    }
}

pub fn render(template: &impl Template) -> PageResult {
    template.render().map(|html| Html(html).into_response()).map_err(|e| HtmlError(AppError::Internal(e.to_string())))
}

/// Renders a form again with the error's status code (422, 429, …).
pub fn rerender(template: &impl Template, err: &AppError) -> PageResult {
    let mut response = render(template)?;
    *response.status_mut() = status_of(err);
    if let AppError::RateLimited { retry_after_secs, .. } = err
        && let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
    }
    Ok(response)
}

pub fn fmt_time(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format_description!("[year]-[month]-[day] [hour]:[minute]")).ok())
        .unwrap_or_default()
}

fn parse_date(raw: &str) -> Option<Date> {
    Date::parse(raw.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Pagination links that keep the other query parameters.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    base: String,
}

impl Pager {
    pub fn new<T>(page: &guildhall_app::records::Page<T>, base: String) -> Self {
        Pager { page: page.page, pages: page.page_count(), total: page.total, base }
    }

    pub fn link(&self, page: u32) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}page={page}", self.base)
    }
}

pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

// ---------------------------------------------------------------- public pages

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
}

pub async fn home(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&HomePage { chrome: Chrome::new(&app, &identity, "Home", "home").await })
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    link_href: String,
    link_text: String,
}

pub(crate) async fn message(
    app: &App,
    identity: &Identity,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> PageResult {
    render(&MessagePage {
        chrome: Chrome::new(app, identity, heading, "").await,
        heading: heading.into(),
        paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        link_href: link.map(|l| l.0.to_string()).unwrap_or_default(),
        link_text: link.map(|l| l.1.to_string()).unwrap_or_default(),
    })
}

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    chrome: Chrome,
    form: FormState,
    email: String,
    display_name: String,
}

pub async fn sign_up_form(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    if identity.actor.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    render(&SignUpPage {
        chrome: Chrome::new(&app, &identity, "Join", "sign-up").await,
        form: FormState::default(),
        email: String::new(),
        display_name: String::new(),
    })
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_up(
    State(app): State<Arc<App>>,
    identity: Identity,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> PageResult {
    let request =
        SignUp { email: form.email.clone(), display_name: form.display_name.clone(), password: form.password };
    match app.sign_up(&request).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Check your email",
                &[
                    &format!("We have sent a confirmation link to {}.", form.email.trim()),
                    "Open it to confirm your address, then sign in. The link expires in two days.",
                ],
                Some(("/sign-in", "Go to sign in")),
            )
            .await
        }
        Err(err @ AppError::Validation { .. }) => rerender(
            &SignUpPage {
                chrome: Chrome::new(&app, &identity, "Join", "sign-up").await,
                form: FormState::from_error(&err),
                email: form.email,
                display_name: form.display_name,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn verify_email(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<TokenQuery>) -> PageResult {
    app.verify_email(&q.token).await?;
    message(
        &app,
        &identity,
        "Email confirmed",
        &["Thank you: your email address is confirmed and your account is ready."],
        Some(("/sign-in", "Sign in")),
    )
    .await
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    form: FormState,
    email: String,
    notice: String,
}

pub async fn sign_in_form(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    if identity.actor.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    render(&SignInPage {
        chrome: Chrome::new(&app, &identity, "Sign in", "sign-in").await,
        form: FormState::default(),
        email: String::new(),
        notice: String::new(),
    })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_in(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> PageResult {
    match app.sign_in(&form.email, &form.password, &identity.client).await {
        Ok(signed_in) => {
            let cookie = build_cookie(&app, SESSION_COOKIE, signed_in.session_token, Some(signed_in.max_age_secs));
            Ok((jar.add(cookie), Redirect::to("/dashboard")).into_response())
        }
        Err(err @ (AppError::Validation { .. } | AppError::RateLimited { .. } | AppError::Forbidden(_))) => {
            let (form_state, notice) = match &err {
                AppError::Forbidden(message) => (FormState::default(), message.clone()),
                other => (FormState::from_error(other), String::new()),
            };
            rerender(
                &SignInPage {
                    chrome: Chrome::new(&app, &identity, "Sign in", "sign-in").await,
                    form: form_state,
                    email: form.email,
                    notice,
                },
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn sign_out(
    State(app): State<Arc<App>>,
    identity: Identity,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    if let Some(token) = &identity.session_token {
        app.sign_out(token).await?;
    }
    let jar = jar.remove(build_cookie(&app, SESSION_COOKIE, String::new(), None));
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    form: FormState,
    email: String,
}

pub async fn forgot_form(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&ForgotPage {
        chrome: Chrome::new(&app, &identity, "Reset your password", "").await,
        form: FormState::default(),
        email: String::new(),
    })
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(app): State<Arc<App>>,
    identity: Identity,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> PageResult {
    match app.request_password_reset(&form.email).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Check your email",
                &[
                    &format!(
                        "If {} has an account, we have sent it a link to choose a new password.",
                        form.email.trim()
                    ),
                    "The link works once and expires in an hour.",
                ],
                None,
            )
            .await
        }
        Err(err @ AppError::Validation { .. }) => rerender(
            &ForgotPage {
                chrome: Chrome::new(&app, &identity, "Reset your password", "").await,
                form: FormState::from_error(&err),
                email: form.email,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    chrome: Chrome,
    form: FormState,
    token: String,
}

pub async fn reset_form(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<TokenQuery>) -> PageResult {
    if q.token.trim().is_empty() {
        return Err(AppError::invalid("This reset link is incomplete. Open the link from the email again.").into());
    }
    render(&ResetPage {
        chrome: Chrome::new(&app, &identity, "Choose a new password", "").await,
        form: FormState::default(),
        token: q.token,
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset(State(app): State<Arc<App>>, identity: Identity, CsrfForm(form): CsrfForm<ResetForm>) -> PageResult {
    match app.reset_password(&form.token, &form.password).await {
        Ok(()) => {
            message(
                &app,
                &identity,
                "Password changed",
                &["Your password has been changed and you have been signed out everywhere."],
                Some(("/sign-in", "Sign in")),
            )
            .await
        }
        Err(err @ AppError::Validation { .. }) if !err.to_string().contains("link") => rerender(
            &ResetPage {
                chrome: Chrome::new(&app, &identity, "Choose a new password", "").await,
                form: FormState::from_error(&err),
                token: form.token,
            },
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------- signed-in pages

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    actor: Actor,
    card: Option<crate::membership_pages::CardView>,
    notice: String,
    /// (chapter id, chapter name, office title)
    offices: Vec<(i64, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    renewed: Option<u8>,
    #[serde(default)]
    applied: Option<u8>,
}

pub async fn dashboard(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let offices = app.offices(&actor).await?;
    let card = crate::membership_pages::card_view(&app, &actor).await?;
    let notice = if q.renewed.is_some() {
        "Thank you: your membership is renewed.".to_string()
    } else if q.applied.is_some() {
        "Thank you for applying: the society's staff will review your application, and we will email you.".to_string()
    } else {
        String::new()
    };
    render(&DashboardPage {
        chrome: Chrome::new(&app, &identity, "Dashboard", "dashboard").await,
        actor,
        card,
        notice,
        offices,
    })
}

#[derive(Template)]
#[template(path = "chapter.html")]
struct ChapterPage {
    chrome: Chrome,
    chapter: ChapterRecord,
    roster_count: i64,
    /// (office title, officer name)
    officers: Vec<(String, String)>,
}

pub async fn chapter(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let (chapter, officers) = app.chapter_overview(&actor, id).await?;
    let filter = guildhall_app::records::MemberFilter { chapter_id: Some(id), ..Default::default() };
    let roster_count = app.search_members(&actor, filter, PageRequest::new(1, 1)).await?.total;
    render(&ChapterPage {
        chrome: Chrome::new(&app, &identity, &chapter.name, "chapter").await,
        chapter,
        roster_count,
        officers,
    })
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    chrome: Chrome,
    accounts: i64,
    chapters: Vec<ChapterRecord>,
    pending_mail: i64,
    mail_is_local: bool,
}

pub async fn staff(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let overview = app.staff_overview(&actor).await?;
    render(&StaffPage {
        chrome: Chrome::new(&app, &identity, "Staff area", "staff").await.in_subsection("overview"),
        accounts: overview.accounts,
        chapters: overview.chapters,
        pending_mail: overview.pending_mail,
        mail_is_local: app.mail_is_local(),
    })
}

pub struct AuditRow {
    when: String,
    actor: String,
    action: String,
    subject: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    entries: Vec<AuditRow>,
    actions: Vec<String>,
    subject_kinds: Vec<String>,
    filter_action: String,
    filter_subject: String,
    filter_from: String,
    filter_until: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject_kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    page: Option<u32>,
}

pub async fn audit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let day = |raw: &str| parse_date(raw).map(|d| d.midnight().assume_utc().unix_timestamp());
    let filter = AuditFilter {
        action: Some(q.action.clone()).filter(|s| !s.is_empty()),
        subject_kind: Some(q.subject_kind.clone()).filter(|s| !s.is_empty()),
        from: day(&q.from),
        until: day(&q.until).map(|t| t + 86_400),
        ..Default::default()
    };
    let page = app.audit_log(&actor, &filter, PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    let actions = app.audit_actions(&actor).await?;
    let base = format!(
        "/staff/audit?{}",
        query_string(&[
            ("action", &q.action),
            ("subject_kind", &q.subject_kind),
            ("from", &q.from),
            ("until", &q.until)
        ])
    );
    let pager = Pager::new(&page, base);
    let entries = page
        .items
        .into_iter()
        .map(|e| AuditRow {
            when: fmt_time(e.occurred_at),
            actor: e.actor_label,
            action: e.action,
            subject: e.subject_label,
            before: e.before_json.unwrap_or_default(),
            after: e.after_json.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        chrome: Chrome::new(&app, &identity, "Audit log", "staff").await.in_subsection("audit"),
        entries,
        actions,
        subject_kinds: ["account", "api_token", "chapter", "member", "society"].iter().map(|s| s.to_string()).collect(),
        filter_action: q.action,
        filter_subject: q.subject_kind,
        filter_from: q.from,
        filter_until: q.until,
        pager,
    })
}

pub struct MailRow {
    id: i64,
    when: String,
    to: String,
    subject: String,
    status: String,
    attempts: i64,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct MailPage {
    chrome: Chrome,
    messages: Vec<MailRow>,
    mail_is_local: bool,
    pager: Pager,
    to: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    q: String,
}

#[derive(Deserialize, Default)]
pub struct MailQuery {
    #[serde(default)]
    page: Option<u32>,
    /// Only mail to this address (exact, case-insensitive).
    #[serde(default)]
    to: String,
}

pub async fn mail(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<MailQuery>,
) -> PageResult {
    let to = q.to.trim().to_lowercase();
    let filter = (!to.is_empty()).then_some(to.as_str());
    let page = app.outgoing_mail(&actor, filter, PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    let pager = Pager::new(&page, format!("/staff/mail?{}", query_string(&[("to", &to)])));
    let messages = page
        .items
        .into_iter()
        .map(|m| MailRow {
            id: m.id,
            when: fmt_time(m.created_at),
            to: m.to_address,
            subject: m.subject,
            status: if m.transport.as_deref() == Some("mailbox") { "in mailbox".into() } else { m.status },
            attempts: m.attempts,
        })
        .collect();
    render(&MailPage {
        chrome: Chrome::new(&app, &identity, "Outgoing mail", "staff").await.in_subsection("mail"),
        messages,
        mail_is_local: app.mail_is_local(),
        pager,
        to,
    })
}

#[derive(Template)]
#[template(path = "mail_message.html")]
struct MailMessagePage {
    chrome: Chrome,
    subject: String,
    to: String,
    status: String,
    last_error: String,
    body: String,
}

pub async fn mail_message(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let m = app.mail_message(&actor, id).await?;
    render(&MailMessagePage {
        chrome: Chrome::new(&app, &identity, &m.subject, "staff").await.in_subsection("mail"),
        subject: m.subject,
        to: m.to_address,
        status: m.status,
        last_error: m.last_error.unwrap_or_default(),
        body: m.body_text,
    })
}

// ---------------------------------------------------------------- administration

#[derive(Template)]
#[template(path = "admin_accounts.html")]
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

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    name: String,
    tagline: String,
    primary_colour: String,
    logo_url: String,
}

pub async fn settings_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    actor.require(guildhall_app::Permission::Administration)?;
    let b = app.branding().await;
    render(&SettingsPage {
        chrome: Chrome::new(&app, &identity, "Society settings", "staff").await.in_subsection("settings"),
        form: FormState::default(),
        notice: String::new(),
        name: b.name,
        tagline: b.tagline,
        primary_colour: b.primary_colour,
        logo_url: b.logo_url,
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tagline: String,
    #[serde(default)]
    primary_colour: String,
    #[serde(default)]
    logo_url: String,
}

pub async fn save_settings(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> PageResult {
    let branding = BrandingForm {
        name: form.name.clone(),
        tagline: form.tagline.clone(),
        primary_colour: form.primary_colour.clone(),
        logo_url: form.logo_url.clone(),
    };
    let (form_state, notice, err) = match app.save_branding(&actor, &branding, &identity.request_id).await {
        Ok(_) => (FormState::default(), "The society settings were saved.".to_string(), None),
        Err(err @ AppError::Validation { .. }) => (FormState::from_error(&err), String::new(), Some(err)),
        Err(err) => return Err(err.into()),
    };
    let page = SettingsPage {
        chrome: Chrome::new(&app, &identity, "Society settings", "staff").await.in_subsection("settings"),
        form: form_state,
        notice,
        name: form.name,
        tagline: form.tagline,
        primary_colour: form.primary_colour,
        logo_url: form.logo_url,
    };
    match err {
        Some(err) => rerender(&page, &err),
        None => render(&page),
    }
}

pub struct TokenRow {
    id: i64,
    name: String,
    role: String,
    chapter: String,
    issued: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
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
    let chapters = app.store.list_chapters().await.map_err(AppError::from)?;
    let chapter_name = |id: Option<i64>| {
        id.and_then(|id| chapters.iter().find(|c| c.id == id)).map(|c| c.name.clone()).unwrap_or_default()
    };
    let tokens = app
        .api_tokens(actor)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            role: t.role,
            chapter: chapter_name(t.chapter_id),
            issued: fmt_time(t.created_at),
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
    match app.issue_api_token(&actor, &form.name, &form.role, chapter_id, &identity.request_id).await {
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

// ---------------------------------------------------------------- errors

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    message: String,
}

/// Renders the error page for a status and message (used by the error-page middleware).
pub async fn error_page(app: &App, identity: &Identity, status: axum::http::StatusCode, message: &str) -> Response {
    let heading = match status.as_u16() {
        400 => "Please check what you entered",
        422 => "That could not be done",
        401 => "Please sign in",
        403 => "You cannot open this page",
        404 => "Page not found",
        405 => "That action is not available here",
        409 => "That conflicts with existing data",
        413 => "That is too large",
        429 => "Too many attempts",
        _ => "Something went wrong",
    };
    let page = ErrorPage {
        chrome: Chrome::new(app, identity, heading, "").await,
        heading: heading.into(),
        message: message.into(),
    };
    let mut response = match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => message.to_string().into_response(),
    };
    *response.status_mut() = status;
    response
}
