//! The society's staff area: its landing page, the audit log, the outgoing mail, and the
//! branding settings.
//!
//! Files: `api.rs` (its JSON API operations), `mod.rs` (routes and every page).

pub mod api;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use guildhall_app::records::{AuditFilter, ChapterRecord, PageRequest};
use guildhall_app::society::BrandingForm;
use guildhall_app::society::audit::{AuditChange, action_words, audit_changes};
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};
use axum::Router;
use axum::routing::get;

/// The staff area's landing page, the audit log, outgoing mail and the society's settings.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/staff", get(staff))
        .route("/staff/audit", get(audit))
        .route("/staff/mail", get(mail))
        .route("/staff/mail/{id}", get(mail_message))
        .route("/staff/mail/{id}/attachment", get(mail_attachment))
        .route("/admin/settings", get(settings_form).post(save_settings))
}

#[derive(Template)]
#[template(path = "society/staff.html")]
struct StaffPage {
    chrome: Chrome,
    /// (standing in words, its code, members)
    standings: Vec<(String, String, i64)>,
    members: i64,
    month_name: String,
    month_from: String,
    month_until: String,
    renewals_due: i64,
    awaiting_approval: i64,
    credentials_renewing: i64,
    renewing_until: String,
    mail: guildhall_app::records::MailHealth,
    chapters: Vec<ChapterRecord>,
    mail_is_local: bool,
}

pub async fn staff(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let o = app.staff_overview(&actor).await?;
    let m = o.membership;
    render(&StaffPage {
        chrome: Chrome::new(&app, &identity, "Staff overview", "staff").await.in_subsection("overview"),
        members: m.by_standing.iter().map(|(_, n)| n).sum(),
        standings: m.by_standing.iter().map(|(s, n)| (s.label().to_string(), s.code().to_string(), *n)).collect(),
        month_name: format!("{} {}", o.month.0.month(), o.month.0.year()),
        month_from: o.month.0.to_string(),
        month_until: o.month.1.to_string(),
        renewals_due: m.renewals_due,
        awaiting_approval: m.awaiting_approval,
        credentials_renewing: m.credentials_renewing,
        renewing_until: o.renewing_until.to_string(),
        mail: o.mail,
        chapters: o.chapters,
        mail_is_local: app.mail_is_local(),
    })
}

pub struct AuditRow {
    when: String,
    actor: String,
    /// The action in words.
    action: String,
    subject: String,
    changes: Vec<AuditChange>,
}

#[derive(Template)]
#[template(path = "society/audit.html")]
struct AuditPage {
    chrome: Chrome,
    entries: Vec<AuditRow>,
    /// (code, words) for the filter.
    actions: Vec<(String, String)>,
    subject_kinds: Vec<(String, String)>,
    filter_action: String,
    filter_subject: String,
    filter_from: String,
    filter_until: String,
    pager: Pager,
}

/// The kinds of record audit entries are about, for the filter.
const SUBJECT_KINDS: &[(&str, &str)] = &[
    ("member", "Members"),
    ("account", "Accounts (changed by staff)"),
    ("user", "Accounts (changed by their holder)"),
    ("api_token", "API tokens"),
    ("group", "Groups"),
    ("officer_term", "Officers"),
    ("tier", "Membership tiers"),
    ("ce_programme", "CE programmes"),
    ("society", "Society settings"),
];

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
            action: action_words(&e.action),
            subject: e.subject_label,
            changes: audit_changes(e.before_json.as_deref(), e.after_json.as_deref()),
        })
        .collect();
    render(&AuditPage {
        chrome: Chrome::new(&app, &identity, "Audit log", "staff").await.in_subsection("audit"),
        entries,
        actions: actions
            .into_iter()
            .map(|a| {
                let words = action_words(&a);
                (a, words)
            })
            .collect(),
        subject_kinds: SUBJECT_KINDS.iter().map(|(code, words)| (code.to_string(), words.to_string())).collect(),
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
#[template(path = "society/mail.html")]
struct MailPage {
    chrome: Chrome,
    messages: Vec<MailRow>,
    mail_is_local: bool,
    pager: Pager,
    to: String,
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
#[template(path = "society/mail_message.html")]
struct MailMessagePage {
    chrome: Chrome,
    id: i64,
    subject: String,
    to: String,
    status: String,
    last_error: String,
    body: String,
    /// The attachment's link text ("event.ics, text/calendar"), when the message has one.
    attachment: Option<String>,
    /// The headers it went out with, once sent to the local mailbox.
    headers: std::collections::BTreeMap<String, String>,
}

pub async fn mail_message(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let m = app.mail_message(&actor, id).await?;
    render(&MailMessagePage {
        chrome: Chrome::new(&app, &identity, &m.subject, "staff").await.in_subsection("mail"),
        id: m.id,
        subject: m.subject,
        to: m.to_address,
        status: m.status,
        last_error: m.last_error.unwrap_or_default(),
        body: m.body_text,
        headers: api::mail_headers(m.headers.as_deref()),
        attachment: m.attachment_name.map(|name| match m.attachment_type {
            Some(kind) => format!("{name} ({})", kind.split(';').next().unwrap_or_default()),
            None => name,
        }),
    })
}

/// A message's attachment, as a download.
pub async fn mail_attachment(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let file = app.mail_attachment(&actor, id).await?;
    Ok(crate::kit::attachment_response(file))
}

#[derive(Template)]
#[template(path = "society/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    name: String,
    tagline: String,
    primary_colour: String,
    logo_url: String,
    currency: String,
}

pub async fn settings_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let b = app.society_settings(&actor).await?;
    render(&SettingsPage {
        chrome: Chrome::new(&app, &identity, "Society settings", "staff").await.in_subsection("settings"),
        form: FormState::default(),
        notice: String::new(),
        name: b.name,
        tagline: b.tagline,
        primary_colour: b.primary_colour,
        logo_url: b.logo_url,
        currency: b.currency,
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
    /// Absent (a form from before the setting existed): the currency is kept.
    #[serde(default)]
    currency: Option<String>,
}

pub async fn save_settings(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> PageResult {
    let currency = match &form.currency {
        Some(currency) => currency.clone(),
        None => app.currency().await,
    };
    let branding = BrandingForm {
        name: form.name.clone(),
        tagline: form.tagline.clone(),
        primary_colour: form.primary_colour.clone(),
        logo_url: form.logo_url.clone(),
        currency: currency.clone(),
    };
    let mut currency = currency;
    let (form_state, notice, err) = match app.save_branding(&actor, &branding, &identity.request_id).await {
        Ok(saved) => {
            // Shown as stored (`cad` is saved as CAD).
            currency = saved.currency;
            (FormState::default(), "The society settings were saved.".to_string(), None)
        }
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
        currency,
    };
    match err {
        Some(err) => rerender(&page, &err),
        None => render(&page),
    }
}
