//! Credentials pages: the member's wallet, a credential's public page (its share link,
//! which verifies it), the verifier anyone can paste or upload into, staff's list with
//! revoking, suspending and restoring, the designation form, and what verifiers fetch
//! (the DID document, the status lists, badge pictures).
//!
//! Files: `mod.rs` (routes and pages), `api.rs` (its JSON API operations).

pub mod api;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use guildhall_app::credentials::{AwardRequest, Proof, Verification, share_code, verdict_in_words};
use guildhall_app::records::{CredentialFilter, CredentialRecord, PageRequest};
use guildhall_app::{App, AppError, Permission};
use guildhall_domain::credentials::{CredentialKind, CredentialStatus, StatusPurpose};
use serde::Deserialize;

use crate::kit::confirm::{ConfirmInput, ConfirmPage, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/.well-known/did.json", get(did_document))
        .route("/did.json", get(did_document))
        .route("/credentials/status/{purpose}", get(status_list))
        .route("/credentials/badges/{kind}", get(badge))
        .route("/credentials", get(wallet))
        .route("/credentials/membership", post(request_membership))
        .route("/credentials/compliance", post(request_compliance))
        .route("/credentials/identity", post(choose_identity))
        .route("/credentials/{code}", get(shared))
        .route("/credentials/{code}/credential.jwt", get(download_jwt))
        .route("/credentials/{code}/credential.json", get(download_json))
        .route("/credentials/{code}/badge.svg", get(baked_badge))
        .route("/credentials/{code}/status", get(confirm_status).post(change_status))
        .route("/verify", get(verify_form).post(verify_upload))
        .route("/staff/credentials", get(staff_list))
        .route("/staff/credentials/new", get(award_form).post(issue_award))
        .route("/staff/credentials/rotate-key", get(confirm_rotation).post(rotate_key))
}

/// What verifiers fetch: the DID document naming every signing key.
async fn did_document(State(app): State<Arc<App>>) -> PageResult {
    let document = app.did_document().await?;
    Ok((
        [(header::CONTENT_TYPE, "application/did+json"), (header::CACHE_CONTROL, "public, max-age=300")],
        document.to_string(),
    )
        .into_response())
}

/// A status list credential, as a signed VC-JWT.
async fn status_list(State(app): State<Arc<App>>, Path(purpose): Path<String>) -> PageResult {
    let purpose = StatusPurpose::from_code(&purpose)
        .ok_or_else(|| AppError::NotFound("There is no status list at this address.".into()))?;
    let jwt = app.status_list(purpose).await?;
    Ok(([(header::CONTENT_TYPE, "application/vc+jwt"), (header::CACHE_CONTROL, "no-cache")], jwt).into_response())
}

#[derive(Template)]
#[template(path = "credentials/badge.svg", escape = "xml")]
struct Badge {
    kind: String,
    society: String,
    colour: String,
}

fn kind_of_badge(name: &str) -> Option<CredentialKind> {
    CredentialKind::from_code(name.strip_suffix(".svg")?)
}

async fn badge_svg(app: &App, kind: CredentialKind) -> Result<String, AppError> {
    let branding = app.branding().await;
    Badge { kind: kind.label().into(), society: branding.name, colour: branding.primary_colour }
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn svg_response(svg: String, disposition: Option<String>) -> Response {
    let mut headers = vec![(header::CONTENT_TYPE, "image/svg+xml".to_string())];
    if let Some(name) = disposition {
        headers.push((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")));
    }
    (axum::http::HeaderMap::from_iter(headers.into_iter().filter_map(|(k, v)| Some((k, v.parse().ok()?)))), svg)
        .into_response()
}

/// The picture of a kind of credential (the achievement's image).
async fn badge(State(app): State<Arc<App>>, Path(name): Path<String>) -> PageResult {
    let kind = kind_of_badge(&name).ok_or_else(|| AppError::NotFound("There is no badge at this address.".into()))?;
    Ok(svg_response(badge_svg(&app, kind).await?, None))
}

/// One row of a list of credentials.
struct CredentialRow {
    code: String,
    name: String,
    kind: String,
    issued: String,
    valid_until: String,
    status: String,
    status_code: &'static str,
    reason: String,
    member_id: i64,
}

impl CredentialRow {
    /// A credential as lists show it at `now`: an active one past its last day is expired.
    fn at(c: &CredentialRecord, now: i64) -> Self {
        let expired = c.status == CredentialStatus::Active && c.valid_until.is_some_and(|until| until <= now);
        CredentialRow {
            code: share_code(c).to_string(),
            name: c.name.clone(),
            kind: c.kind.label().to_string(),
            issued: day_of(c.issued_at),
            // The last day it is valid (it is valid until the start of the next).
            valid_until: c.valid_until.map(|until| day_of(until - 1)).unwrap_or_else(|| "No end".into()),
            status: if expired { "Expired".into() } else { c.status.label().into() },
            status_code: if expired { "expired" } else { c.status.code() },
            reason: c.status_reason.clone(),
            member_id: c.member_id,
        }
    }
}

/// The day of an instant, in UTC as credentials state dates ("2027-01-01").
fn day_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix).map(|t| t.date().to_string()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "credentials/wallet.html")]
struct WalletPage {
    chrome: Chrome,
    notice: String,
    credentials: Vec<CredentialRow>,
    has_current_membership: bool,
    /// Completed CE periods not yet certified.
    periods: Vec<guildhall_app::credentials::CompliantPeriod>,
    /// The DID new credentials name the member by (empty: the hashed email address).
    did: String,
    form: FormState,
}

fn credentials_notice(done: &str) -> String {
    match done {
        "membership" => "Your membership credential is ready.",
        "identity" => "Saved: credentials issued from now on name you that way.",
        "credential_revoked" => "The credential was revoked. Its holder was emailed.",
        "credential_suspended" => "The credential was suspended. Its holder was emailed.",
        "credential_restored" => "The credential is valid again. Its holder was emailed.",
        "issued" => "The credential was issued.",
        "rotated" => "A new signing key is in use. Credentials signed before still verify.",
        _ => "",
    }
    .into()
}

async fn wallet(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&wallet_page(&app, &actor, &identity, credentials_notice(q.done()), None, FormState::default()).await?)
}

async fn wallet_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    notice: String,
    typed_did: Option<String>,
    form: FormState,
) -> Result<WalletPage, AppError> {
    let credentials = app.my_credentials(actor).await?;
    let now = app.clock.unix();
    let has_current_membership = credentials.iter().any(|c| {
        c.kind == CredentialKind::Membership
            && c.status == CredentialStatus::Active
            && c.valid_until.is_none_or(|until| until > now)
    });
    let did = match typed_did {
        Some(typed) => typed,
        None => app.my_credential_identity(actor).await?.unwrap_or_default(),
    };
    Ok(WalletPage {
        chrome: Chrome::new(app, identity, "Your credentials", "credentials").await,
        notice,
        credentials: credentials.iter().map(|c| CredentialRow::at(c, now)).collect(),
        has_current_membership,
        periods: app.compliant_periods(actor).await?.into_iter().filter(|p| !p.issued).collect(),
        did,
        form,
    })
}

#[derive(Deserialize, Default)]
struct IdentityForm {
    #[serde(default)]
    by: String,
    #[serde(default)]
    did: String,
}

/// How new credentials name the member: by the hash of their email address, or a DID.
async fn choose_identity(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<IdentityForm>,
) -> PageResult {
    let did = (form.by == "did").then_some(form.did.as_str());
    match app.set_credential_identity(&actor, did, &identity.request_id).await {
        Ok(()) => done("/credentials", "identity"),
        Err(err) => rerender(
            &wallet_page(&app, &actor, &identity, String::new(), Some(form.did.clone()), FormState::from_error(&err))
                .await?,
            &err,
        ),
    }
}

async fn request_membership(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let credential = app.request_membership_credential(&actor).await?;
    done(&format!("/credentials/{}", share_code(&credential)), "membership")
}

#[derive(Deserialize, Default)]
struct ComplianceForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    index: String,
}

async fn request_compliance(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<ComplianceForm>,
) -> PageResult {
    let index = form.index.trim().parse().map_err(|_| AppError::BadRequest("Choose a period.".into()))?;
    let credential = app.request_compliance_credential(&actor, &form.key, index, &identity.request_id).await?;
    done(&format!("/credentials/{}", share_code(&credential)), "issued")
}

/// A credential's page: what it certifies and what a verifier says about it.
#[derive(Template)]
#[template(path = "credentials/credential.html")]
struct CredentialPage {
    chrome: Chrome,
    notice: String,
    verdict: String,
    valid: bool,
    verdict_code: &'static str,
    details: Vec<(String, String)>,
    /// The share link, downloads and status tools, for a credential the society holds.
    code: String,
    share_url: String,
    linkedin: String,
    is_holder: bool,
    staff_actions: Vec<(&'static str, &'static str)>,
}

fn claims_in_words(v: &Verification) -> Vec<(String, String)> {
    let Some(c) = &v.claims else { return Vec::new() };
    let mut details = vec![
        ("Issued by".to_string(), c.issuer.clone()),
        ("Issued to".to_string(), c.holder.clone()),
        ("What it certifies".to_string(), c.achievement.clone()),
    ];
    if !c.description.is_empty() {
        details.push(("Description".into(), c.description.clone()));
    }
    if let Some(role) = &c.role {
        details.push(("Role".into(), role.clone()));
    }
    if let Some(term) = &c.term {
        details.push(("Term".into(), term.clone()));
    }
    match (c.credits_earned, c.credits_available) {
        (Some(earned), Some(offered)) => details.push(("PDH".into(), format!("{earned} of {offered} PDH earned"))),
        (Some(earned), None) => details.push(("PDH".into(), format!("{earned} PDH earned"))),
        _ => {}
    }
    if let Some(awarded) = c
        .awarded
        .as_deref()
        .and_then(|a| time::OffsetDateTime::parse(a, &time::format_description::well_known::Rfc3339).ok())
    {
        details.push(("Issued on".into(), guildhall_app::credentials::day_in_words(awarded)));
    }
    if let Some(from) = c.valid_from {
        details.push(("Valid from".into(), guildhall_app::credentials::day_in_words(from)));
    }
    details.push((
        "Valid until".into(),
        c.valid_until.map(guildhall_app::credentials::day_in_words).unwrap_or_else(|| "No end date".into()),
    ));
    let proof = match c.proof {
        Proof::Jwt => "VC-JWT (EdDSA)",
        Proof::DataIntegrity => "Data Integrity (eddsa-rdfc-2022)",
    };
    details.push(("Signature".into(), format!("{proof}, checked against the society's published keys")));
    if let Some(record) = &v.record
        && let Some(changed) = record.status_changed_at
    {
        let what = match record.status {
            CredentialStatus::Revoked => Some("Revoked on"),
            CredentialStatus::Suspended => Some("Suspended on"),
            CredentialStatus::Active => None,
        };
        if let Some(what) = what {
            let at = time::OffsetDateTime::from_unix_timestamp(changed).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            details.push((what.into(), guildhall_app::credentials::day_in_words(at)));
        }
    }
    details
}

async fn credential_page(
    app: &App,
    identity: &Identity,
    title: &str,
    verification: Verification,
    notice: String,
) -> Result<CredentialPage, AppError> {
    let actor = identity.actor.as_ref();
    let record = verification.record.clone();
    let (code, share_url, linkedin) = match &record {
        Some(r) => {
            let code = share_code(r).to_string();
            let url = app.link(&format!("/credentials/{code}"));
            let society = app.branding().await.name;
            let linkedin = format!(
                "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&{}",
                serde_urlencoded::to_string([
                    ("name", r.name.as_str()),
                    ("organizationName", society.as_str()),
                    ("certUrl", url.as_str()),
                    ("certId", code.as_str()),
                ])
                .unwrap_or_default()
            );
            (code, url, linkedin)
        }
        None => (String::new(), String::new(), String::new()),
    };
    let is_holder = match (actor, &record) {
        (Some(a), Some(r)) => app.my_credentials(a).await?.iter().any(|c| c.id == r.id),
        _ => false,
    };
    let staff_actions = match (actor, &record) {
        (Some(a), Some(r)) if a.allows(Permission::IssueCredentials) => status_actions(r),
        _ => Vec::new(),
    };
    Ok(CredentialPage {
        chrome: Chrome::new(app, identity, title, "credentials").await,
        notice,
        verdict: verdict_in_words(&verification.verdict),
        valid: verification.verdict.is_valid(),
        verdict_code: verification.verdict.code(),
        details: claims_in_words(&verification),
        code,
        share_url,
        linkedin,
        is_holder,
        staff_actions,
    })
}

/// What staff may do to a credential now: (status code, button words).
fn status_actions(record: &CredentialRecord) -> Vec<(&'static str, &'static str)> {
    let mut actions = Vec::new();
    for (to, words) in [
        (CredentialStatus::Suspended, "Suspend"),
        (CredentialStatus::Active, "Restore"),
        (CredentialStatus::Revoked, "Revoke"),
    ] {
        if guildhall_domain::credentials::status_change(record.status_purpose, record.status, to).is_ok() {
            actions.push((to.code(), words));
        }
    }
    actions
}

/// The share link: anyone with it sees the credential verified.
async fn shared(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let verification = app.verify_shared(&code).await?;
    render(&credential_page(&app, &identity, "Credential", verification, credentials_notice(q.done())).await?)
}

async fn stored(app: &App, code: &str) -> Result<CredentialRecord, AppError> {
    app.verify_shared(code)
        .await?
        .record
        .ok_or_else(|| AppError::NotFound("There is no credential at this address.".into()))
}

async fn download_jwt(State(app): State<Arc<App>>, Path(code): Path<String>) -> PageResult {
    let record = stored(&app, &code).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+jwt".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"credential-{code}.jwt\"")),
        ],
        record.jwt,
    )
        .into_response())
}

async fn download_json(State(app): State<Arc<App>>, Path(code): Path<String>) -> PageResult {
    let record = stored(&app, &code).await?;
    let body = app.credential_json_ld(&record).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"credential-{code}.json\"")),
        ],
        body,
    )
        .into_response())
}

/// The badge picture with the credential baked in.
async fn baked_badge(State(app): State<Arc<App>>, Path(code): Path<String>) -> PageResult {
    let record = stored(&app, &code).await?;
    let svg = badge_svg(&app, record.kind).await?;
    let baked = guildhall_app::credentials::baked::bake_svg(&svg, &record.jwt)
        .ok_or_else(|| AppError::Internal("the badge picture has no svg element".into()))?;
    Ok(svg_response(baked, Some(format!("badge-{code}.svg"))))
}

#[derive(Deserialize, Default)]
struct StatusQuery {
    #[serde(default)]
    to: String,
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirmed: String,
}

fn wanted_status(to: &str) -> Result<CredentialStatus, AppError> {
    CredentialStatus::from_code(to).ok_or_else(|| AppError::BadRequest("Choose revoke, suspend or restore.".into()))
}

async fn status_page(
    app: &App,
    identity: &Identity,
    record: &CredentialRecord,
    to: CredentialStatus,
    reason: &str,
    form: FormState,
) -> Result<ConfirmPage, AppError> {
    let holder = app.credential_holder_name(record).await?;
    let (heading, button, consequence) = match to {
        CredentialStatus::Revoked => (
            "Revoke this credential?",
            "Revoke the credential",
            "Anyone who checks it from now on is told it was revoked, and why. Revocation cannot be undone.",
        ),
        CredentialStatus::Suspended => (
            "Suspend this credential?",
            "Suspend the credential",
            "Anyone who checks it is told it is suspended, and why, until it is restored.",
        ),
        CredentialStatus::Active => {
            ("Restore this credential?", "Restore the credential", "Anyone who checks it is told it is valid again.")
        }
    };
    let code = share_code(record).to_string();
    Ok(ConfirmPage {
        chrome: Chrome::new(app, identity, heading, "staff").await.in_subsection("credentials"),
        heading: heading.into(),
        details: vec![
            ("Credential".into(), record.name.clone()),
            ("Holder".into(), holder),
            ("Kind".into(), record.kind.label().into()),
            ("Issued".into(), fmt_time(record.issued_at)),
            ("Status now".into(), record.status.label().into()),
        ],
        consequences: vec![consequence.into(), "The holder is emailed.".into()],
        action: format!("/credentials/{code}/status"),
        hidden: vec![("to", to.code().into())],
        inputs: if to == CredentialStatus::Active {
            Vec::new()
        } else {
            vec![ConfirmInput {
                name: "reason",
                label: "Reason",
                kind: "textarea",
                value: reason.into(),
                hint: "Shown to anyone who checks the credential, and sent to the holder.".into(),
                required: true,
            }]
        },
        form,
        button: button.into(),
        cancel_href: format!("/credentials/{code}"),
    })
}

async fn confirm_status(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(code): Path<String>,
    Query(q): Query<StatusQuery>,
) -> PageResult {
    actor.require(Permission::IssueCredentials)?;
    let record = app.credential_by_code(&actor, &code).await?;
    render(&status_page(&app, &identity, &record, wanted_status(&q.to)?, "", FormState::default()).await?)
}

async fn change_status(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> PageResult {
    let record = app.credential_by_code(&actor, &code).await?;
    let to = wanted_status(&form.to)?;
    if !is_confirmed(&form.confirmed) {
        return render(&status_page(&app, &identity, &record, to, &form.reason, FormState::default()).await?);
    }
    match app.change_credential_status(&actor, record.id, to, &form.reason, &identity.request_id).await {
        Ok(changed) => {
            let what = match to {
                CredentialStatus::Revoked => "credential_revoked",
                CredentialStatus::Suspended => "credential_suspended",
                CredentialStatus::Active => "credential_restored",
            };
            done(&format!("/credentials/{}", share_code(&changed)), what)
        }
        Err(err) => {
            rerender(&status_page(&app, &identity, &record, to, &form.reason, FormState::from_error(&err)).await?, &err)
        }
    }
}

#[derive(Template)]
#[template(path = "credentials/verify.html")]
struct VerifyPage {
    chrome: Chrome,
    form: FormState,
    pasted: String,
}

async fn verify_form(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&VerifyPage {
        chrome: Chrome::new(&app, &identity, "Check a credential", "credentials").await,
        form: FormState::default(),
        pasted: String::new(),
    })
}

/// The pasted or uploaded credential, checked. The form carries its CSRF token in the
/// query string (a multipart body cannot be checked before it is read).
async fn verify_upload(
    State(app): State<Arc<App>>,
    identity: Identity,
    Query(q): Query<crate::session::CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    crate::session::check_csrf(&q, &identity)?;
    let unreadable = |e| multipart_problem(e, "The credential");
    let (mut pasted, mut file) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "credential" => pasted = field.text().await.map_err(unreadable)?,
            "file" => file = field.bytes().await.map_err(unreadable)?.to_vec(),
            _ => {}
        }
    }
    let presented = if pasted.trim().is_empty() {
        String::from_utf8(file).map_err(|_| {
            AppError::invalid_field("file", "That file is not a credential: choose a .jwt, .json or baked .svg file.")
        })?
    } else {
        pasted.clone()
    };
    match app.verify_credential(&presented).await {
        Ok(verification) => {
            render(&credential_page(&app, &identity, "Credential checked", verification, String::new()).await?)
        }
        Err(err) => rerender(
            &VerifyPage {
                chrome: Chrome::new(&app, &identity, "Check a credential", "credentials").await,
                form: FormState::from_error(&err),
                pasted,
            },
            &err,
        ),
    }
}

#[derive(Deserialize, Default)]
struct StaffQuery {
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    done: String,
}

#[derive(Template)]
#[template(path = "credentials/staff.html")]
struct StaffPage {
    chrome: Chrome,
    notice: String,
    credentials: Vec<CredentialRow>,
    pager: Pager,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    kind: String,
    status: String,
    member: String,
    keys: Vec<(String, String)>,
}

async fn staff_list(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<StaffQuery>,
) -> PageResult {
    actor.require(Permission::IssueCredentials)?;
    let filter = CredentialFilter {
        member_id: parse_id(&q.member, "member")?,
        kind: CredentialKind::from_code(&q.kind),
        status: CredentialStatus::from_code(&q.status),
    };
    let page = app.list_credentials(&actor, filter, PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    let base = format!(
        "/staff/credentials?{}",
        query_string(&[("kind", q.kind.as_str()), ("status", q.status.as_str()), ("member", q.member.as_str())])
    );
    let keys = app.signing_keys(&actor).await?;
    render(&StaffPage {
        chrome: Chrome::new(&app, &identity, "Credentials", "staff").await.in_subsection("credentials"),
        notice: credentials_notice(&q.done),
        credentials: page.items.iter().map(|c| CredentialRow::at(c, app.clock.unix())).collect(),
        pager: Pager::new(&page, base),
        kinds: CredentialKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        statuses: CredentialStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        kind: q.kind,
        status: q.status,
        member: q.member,
        keys,
    })
}

#[derive(Template)]
#[template(path = "credentials/award.html")]
struct AwardPage {
    chrome: Chrome,
    form: FormState,
    award: AwardFields,
}

impl AwardPage {
    /// The one-line fields: (name, label, value, hint).
    fn lines(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        let a = &self.award;
        vec![
            ("member_number", "Member number", a.member_number.clone(), "The number on their membership card."),
            ("name", "Designation or award", a.name.clone(), "For example Fellow, Life Member, Chapter President."),
            ("role", "Role (optional)", a.role.clone(), "An office held, for an officer's or committee member's term."),
            (
                "term",
                "Term (optional)",
                a.term.clone(),
                "For example 2025–2026; leave blank for a lifetime designation.",
            ),
        ]
    }
}

#[derive(Deserialize, Default, Clone)]
struct AwardFields {
    #[serde(default)]
    member_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    valid_until: String,
}

async fn award_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    actor.require(Permission::IssueCredentials)?;
    render(&AwardPage {
        chrome: Chrome::new(&app, &identity, "Issue a designation or award", "staff")
            .await
            .in_subsection("credentials"),
        form: FormState::default(),
        award: AwardFields::default(),
    })
}

async fn issue_award(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(fields): CsrfForm<AwardFields>,
) -> PageResult {
    let result = async {
        let member_id = app.member_id_for_credential(&actor, &fields.member_number).await?;
        let valid_until = match fields.valid_until.trim() {
            "" => None,
            raw => Some(
                parse_date(raw)
                    .ok_or_else(|| AppError::invalid_field("valid_until", "Give the date as YYYY-MM-DD."))?,
            ),
        };
        let award = AwardRequest {
            member_id,
            name: fields.name.clone(),
            description: fields.description.clone(),
            criteria: fields.criteria.clone(),
            role: fields.role.clone(),
            term: fields.term.clone(),
            valid_until,
        };
        app.issue_award(&actor, &award, &identity.request_id).await
    }
    .await;
    match result {
        Ok(record) => done(&format!("/credentials/{}", share_code(&record)), "issued"),
        Err(err) => rerender(
            &AwardPage {
                chrome: Chrome::new(&app, &identity, "Issue a designation or award", "staff")
                    .await
                    .in_subsection("credentials"),
                form: FormState::from_error(&err),
                award: fields,
            },
            &err,
        ),
    }
}

async fn confirm_rotation(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    actor.require(Permission::Administration)?;
    let mut page = ConfirmPage::plain(
        Chrome::new(&app, &identity, "Rotate the signing key?", "staff").await.in_subsection("credentials"),
        "Start signing with a new key?".into(),
        "/staff/credentials/rotate-key".into(),
        "Rotate the signing key",
        "/staff/credentials".into(),
    );
    page.consequences = vec![
        "New credentials and status lists are signed with a new key from now on.".into(),
        "The current key stays published in the society's DID document, so every credential it signed still verifies."
            .into(),
    ];
    render(&page)
}

#[derive(Deserialize, Default)]
struct ConfirmForm {
    #[serde(default)]
    confirmed: String,
}

async fn rotate_key(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> PageResult {
    if !is_confirmed(&form.confirmed) {
        return Ok(axum::response::Redirect::to("/staff/credentials/rotate-key").into_response());
    }
    app.rotate_issuer_key(&actor, &identity.request_id).await?;
    done("/staff/credentials", "rotated")
}
