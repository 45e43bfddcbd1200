//! Campaign pages, for staff and for officers of chapters whose lists they may send to:
//! the list of campaigns, writing one (empty, or from the monthly digest; with its preview
//! and how many it would reach),
//! its page (preview, test send, schedule, send after a confirmation, cancel) and report.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use guildhall_app::communications::campaigns::{AudienceChoices, CampaignDraft, CampaignView};
use guildhall_app::communications::delivery::Rendered;
use guildhall_app::records::{CampaignRecord, Page, PageRequest};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::communications::{AudienceInput, MERGE_FIELDS, RuleInput};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/campaigns", get(campaigns))
        .route("/campaigns/new", get(compose).post(save_new))
        .route("/campaigns/{id}", get(campaign))
        .route("/campaigns/{id}/edit", get(edit).post(save_edit))
        .route("/campaigns/{id}/preview", get(preview))
        .route("/campaigns/{id}/test", post(test_send))
        .route("/campaigns/{id}/schedule", post(schedule))
        .route("/campaigns/{id}/send", get(confirm_send).post(send))
        .route("/campaigns/{id}/cancel", get(confirm_cancel).post(cancel))
        .route("/campaigns/{id}/resend", get(confirm_resend).post(resend))
}

/// The section campaign pages belong to: the staff area for staff, the chapter for officers.
async fn campaign_chrome(app: &App, identity: &Identity, title: &str) -> Chrome {
    let staff = identity.actor.as_ref().is_some_and(Actor::is_staff);
    let chrome = Chrome::new(app, identity, title, if staff { "staff" } else { "chapter" }).await;
    chrome.in_subsection("campaigns")
}

/// A campaign's id in a page's path: anything but a positive whole number is a bad request.
fn campaign_id(raw: &str) -> Result<i64, AppError> {
    path_id(raw, "campaign")
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "communications/campaigns.html")]
struct CampaignsPage {
    chrome: Chrome,
    campaigns: Page<CampaignRecord>,
    pager: Pager,
}

impl CampaignsPage {
    fn when(&self, at: &i64) -> String {
        fmt_time(*at)
    }
}

async fn campaigns(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let campaigns = app.campaigns_for(&actor, PageRequest::new(query.page.unwrap_or(1), 25)).await?;
    let pager = Pager::new(&campaigns, "/campaigns".into());
    render(&CampaignsPage { chrome: campaign_chrome(&app, &identity, "Campaigns").await, campaigns, pager })
}

/// The compose form's values as typed.
#[derive(Debug, Clone, Default)]
struct ComposeValues {
    list_id: String,
    subject: String,
    body: String,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl ComposeValues {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let all = |name: &str| pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect();
        ComposeValues {
            list_id: field("list_id"),
            subject: field("subject"),
            body: field("body"),
            include: all("include"),
            exclude: all("exclude"),
        }
    }

    fn from_campaign(campaign: &CampaignRecord) -> Self {
        let audience: AudienceInput = serde_json::from_str(&campaign.audience).unwrap_or_default();
        let values = |rules: &[RuleInput]| {
            rules
                .iter()
                .map(|r| format!("{}:{}", r.kind, r.id.as_str().map(String::from).unwrap_or_else(|| r.id.to_string())))
                .collect()
        };
        ComposeValues {
            list_id: campaign.list_id.to_string(),
            subject: campaign.subject.clone(),
            body: campaign.body.clone(),
            include: values(&audience.include),
            exclude: values(&audience.exclude),
        }
    }

    fn draft(&self) -> Result<CampaignDraft, AppError> {
        let rules = |values: &[String]| -> Vec<RuleInput> {
            values
                .iter()
                .map(|v| {
                    let (kind, id) = v.split_once(':').unwrap_or((v.as_str(), ""));
                    RuleInput { kind: kind.into(), id: serde_json::Value::String(id.into()) }
                })
                .collect()
        };
        Ok(CampaignDraft {
            list_id: parse_id(&self.list_id, "list")?,
            subject: self.subject.clone(),
            body: self.body.clone(),
            audience: AudienceInput { include: rules(&self.include), exclude: rules(&self.exclude) },
        })
    }
}

#[derive(Template)]
#[template(path = "communications/compose.html")]
struct ComposePage {
    chrome: Chrome,
    /// Where the form posts.
    action: String,
    choices: AudienceChoices,
    values: ComposeValues,
    form: FormState,
    preview: Option<Rendered>,
    recipients: Option<i64>,
    merge_fields: &'static [(&'static str, &'static str)],
    /// Filled in from the monthly digest (a new campaign's page offers it otherwise).
    from_digest: bool,
}

impl ComposePage {
    fn included(&self, value: &str) -> bool {
        self.values.include.iter().any(|v| v == value)
    }

    fn excluded(&self, value: &str) -> bool {
        self.values.exclude.iter().any(|v| v == value)
    }

    fn any_included(&self, options: &[(String, String)]) -> bool {
        options.iter().any(|(value, _)| self.included(value))
    }

    fn any_excluded(&self, options: &[(String, String)]) -> bool {
        options.iter().any(|(value, _)| self.excluded(value))
    }

    fn field(&self, name: &&str) -> String {
        format!("{{{{{name}}}}}")
    }
}

async fn compose_page(
    app: &App,
    identity: &Identity,
    actor: &Actor,
    action: String,
    values: ComposeValues,
) -> Result<ComposePage, AppError> {
    Ok(ComposePage {
        chrome: campaign_chrome(app, identity, "Write a campaign").await,
        action,
        choices: app.audience_choices(actor).await?,
        values,
        form: FormState::default(),
        preview: None,
        recipients: None,
        merge_fields: MERGE_FIELDS,
        from_digest: false,
    })
}

/// Where a new campaign starts: empty, or (`?from=digest`) the monthly digest.
#[derive(Deserialize, Default)]
struct ComposeQuery {
    #[serde(default)]
    from: Option<String>,
}

async fn compose(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(query): Query<ComposeQuery>,
) -> PageResult {
    let mut values = ComposeValues::default();
    let from_digest = match query.from.as_deref() {
        None | Some("") => false,
        Some("digest") => true,
        Some(_) => return Err(AppError::BadRequest("A campaign starts empty or from=digest.".into()).into()),
    };
    if from_digest {
        let digest = app.digest_draft(&actor).await?;
        values.subject = digest.subject;
        values.body = digest.body;
    }
    let mut page = compose_page(&app, &identity, &actor, "/campaigns/new".into(), values).await?;
    page.from_digest = from_digest;
    if let Some(list) = page.choices.lists.first() {
        page.values.list_id = list.id.to_string();
        page.values.include = vec![format!("list:{}", list.id)];
    }
    render(&page)
}

/// A posted compose form: "preview" shows it as a recipient would see it and how many it
/// would reach; otherwise it is saved (`save` writes it and answers where to go).
async fn posted_compose(
    app: &App,
    identity: &Identity,
    actor: &Actor,
    action: String,
    pairs: &[(String, String)],
    save: impl AsyncFnOnce(&CampaignDraft) -> Result<i64, AppError>,
) -> PageResult {
    let values = ComposeValues::from_pairs(pairs);
    let previewing = pairs.iter().any(|(k, v)| k == "intent" && v == "preview");
    let outcome = match values.draft() {
        Ok(draft) if previewing => {
            match (app.draft_preview(actor, &draft).await, app.draft_recipients(actor, &draft).await) {
                (Ok(preview), Ok(count)) => Ok(Some((preview, count))),
                (Err(err), _) | (_, Err(err)) => Err(err),
            }
        }
        Ok(draft) => match save(&draft).await {
            Ok(id) => return done(&format!("/campaigns/{id}"), "campaign_saved"),
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let mut page = compose_page(app, identity, actor, action, values).await?;
    match outcome {
        Ok(shown) => {
            if let Some((preview, count)) = shown {
                page.preview = Some(preview);
                page.recipients = Some(count);
            }
            render(&page)
        }
        Err(err @ (AppError::Validation { .. } | AppError::Forbidden(_))) => {
            page.form = FormState::from_error(&err);
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn save_new(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let request_id = identity.request_id.clone();
    posted_compose(&app, &identity, &actor, "/campaigns/new".into(), &pairs, async |draft| {
        app.create_campaign(&actor, draft, &request_id).await
    })
    .await
}

async fn edit(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn, Path(id): Path<String>) -> PageResult {
    let id = campaign_id(&id)?;
    let view = app.campaign_page(&actor, id).await?;
    if !view.campaign.status.is_open() {
        return Err(
            AppError::Conflict { message: "This campaign has been sent or cancelled.".into(), field: None }.into()
        );
    }
    let values = ComposeValues::from_campaign(&view.campaign);
    render(&compose_page(&app, &identity, &actor, format!("/campaigns/{id}/edit"), values).await?)
}

async fn save_edit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let id = campaign_id(&id)?;
    let request_id = identity.request_id.clone();
    posted_compose(&app, &identity, &actor, format!("/campaigns/{id}/edit"), &pairs, async |draft| {
        app.update_campaign(&actor, id, draft, &request_id).await.map(|_| id)
    })
    .await
}

#[derive(Template)]
#[template(path = "communications/campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    view: CampaignView,
    preview: Rendered,
    notice: String,
    form: FormState,
    /// The scheduling field's value (`YYYY-MM-DDTHH:MM`), as typed.
    send_at: String,
}

fn campaign_notice(done: &str) -> String {
    match done {
        "campaign_saved" => "The campaign was saved.",
        "test_sent" => "A test was sent to your address.",
        "campaign_scheduled" => "The campaign was scheduled.",
        "campaign_unscheduled" => "The campaign is a draft again.",
        "campaign_sent" => "The campaign is being sent.",
        "campaign_cancelled" => "The campaign was cancelled.",
        "campaign_resent" => "The messages whose delivery was unknown are being sent again.",
        _ => "",
    }
    .into()
}

async fn campaign_page(
    app: &App,
    identity: &Identity,
    actor: &Actor,
    id: i64,
    notice: String,
) -> Result<CampaignPage, AppError> {
    let view = app.campaign_page(actor, id).await?;
    Ok(CampaignPage {
        chrome: campaign_chrome(app, identity, &view.campaign.subject).await,
        preview: app.campaign_preview(actor, id).await?,
        view,
        notice,
        form: FormState::default(),
        send_at: String::new(),
    })
}

async fn campaign(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    render(&campaign_page(&app, &identity, &actor, campaign_id(&id)?, campaign_notice(query.done())).await?)
}

/// The message as the writer would receive it, alone, for the campaign page's frame: its own
/// policy lets the message's inline styles (which mail needs) apply, and nothing else run.
async fn preview(State(app): State<Arc<App>>, SignedIn(actor, _): SignedIn, Path(id): Path<String>) -> PageResult {
    use axum::http::{HeaderValue, header};
    let rendered = app.campaign_preview(&actor, campaign_id(&id)?).await?;
    let mut response = axum::response::Html(rendered.html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; \
             form-action 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    Ok(response)
}

#[derive(Deserialize, Default)]
struct CsrfOnly {}

async fn test_send(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> PageResult {
    let id = campaign_id(&id)?;
    app.test_send_campaign(&actor, id).await?;
    done(&format!("/campaigns/{id}"), "test_sent")
}

#[derive(Deserialize, Default)]
struct ScheduleInput {
    #[serde(default)]
    send_at: String,
}

async fn schedule(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ScheduleInput>,
) -> PageResult {
    let id = campaign_id(&id)?;
    match app.schedule_campaign(&actor, id, &input.send_at, &identity.request_id).await {
        Ok(()) => done(
            &format!("/campaigns/{id}"),
            if input.send_at.trim().is_empty() { "campaign_unscheduled" } else { "campaign_scheduled" },
        ),
        Err(err @ AppError::Validation { .. }) => {
            let mut page = campaign_page(&app, &identity, &actor, id, String::new()).await?;
            page.form = FormState::from_error(&err);
            page.send_at = input.send_at;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}

/// The two campaign actions that are confirmed first.
#[derive(Clone, Copy)]
enum Confirmed {
    Send,
    Cancel,
    /// Send again the messages whose delivery is unknown.
    Resend,
}

impl Confirmed {
    fn path(self) -> &'static str {
        match self {
            Confirmed::Send => "send",
            Confirmed::Cancel => "cancel",
            Confirmed::Resend => "resend",
        }
    }
}

/// What sending or cancelling will do, with its one button.
async fn confirmation(
    app: &App,
    identity: &Identity,
    actor: &Actor,
    id: i64,
    action: Confirmed,
) -> Result<ConfirmPage, AppError> {
    let view = app.campaign_page(actor, id).await?;
    let subject = &view.campaign.subject;
    let (title, heading, button) = match action {
        Confirmed::Send => ("Send a campaign", format!("Send \u{201c}{subject}\u{201d} now?"), "Send the campaign"),
        Confirmed::Cancel => ("Cancel a campaign", format!("Cancel \u{201c}{subject}\u{201d}?"), "Cancel the campaign"),
        Confirmed::Resend => (
            "Send again",
            format!(
                "Send \u{201c}{subject}\u{201d} again to the {} whose delivery is unknown?",
                view.report.undetermined
            ),
            "Send them again",
        ),
    };
    let chrome = campaign_chrome(app, identity, title).await;
    let mut page = ConfirmPage::plain(
        chrome,
        heading,
        format!("/campaigns/{id}/{}", action.path()),
        button,
        format!("/campaigns/{id}"),
    );
    page.details = vec![("List".into(), view.campaign.list_name.clone())];
    page.consequences = match action {
        Confirmed::Send => {
            let recipients = view.recipients_now.unwrap_or(0);
            page.details.push(("Recipients now".into(), recipients.to_string()));
            vec![
                format!("It goes to these {recipients} people, each once; who receives it is fixed when you send."),
                "A sent campaign cannot be recalled.".into(),
            ]
        }
        Confirmed::Cancel => {
            vec!["It will not be sent, and cannot be sent later; it stays in the list of campaigns.".into()]
        }
        Confirmed::Resend => vec![
            format!(
                "These {} messages were being handed to the mail server when the sender stopped: some may have \
                 arrived, and those people will receive the campaign a second time.",
                view.report.undetermined
            ),
            "Everyone else already has it and receives nothing more.".into(),
        ],
    };
    Ok(page)
}

async fn confirm_send(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    render(&confirmation(&app, &identity, &actor, campaign_id(&id)?, Confirmed::Send).await?)
}

async fn confirm_cancel(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    render(&confirmation(&app, &identity, &actor, campaign_id(&id)?, Confirmed::Cancel).await?)
}

async fn confirm_resend(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    render(&confirmation(&app, &identity, &actor, campaign_id(&id)?, Confirmed::Resend).await?)
}

async fn resend(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ConfirmInputForm>,
) -> PageResult {
    confirmed(&app, &actor, &identity, &id, &input, Confirmed::Resend).await
}

#[derive(Deserialize, Default)]
struct ConfirmInputForm {
    #[serde(default)]
    confirmed: String,
}

/// A confirmed send or cancellation; without the confirmation, the page that asks for it.
async fn confirmed(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: &str,
    input: &ConfirmInputForm,
    action: Confirmed,
) -> PageResult {
    let id = campaign_id(id)?;
    if !is_confirmed(&input.confirmed) {
        return render(&confirmation(app, identity, actor, id, action).await?);
    }
    let done_what = match action {
        Confirmed::Send => app.send_campaign(actor, id, &identity.request_id).await.map(|_| "campaign_sent")?,
        Confirmed::Cancel => {
            app.cancel_campaign(actor, id, &identity.request_id).await.map(|_| "campaign_cancelled")?
        }
        Confirmed::Resend => {
            app.resend_undetermined(actor, id, &identity.request_id).await.map(|_| "campaign_resent")?
        }
    };
    done(&format!("/campaigns/{id}"), done_what)
}

async fn send(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ConfirmInputForm>,
) -> PageResult {
    confirmed(&app, &actor, &identity, &id, &input, Confirmed::Send).await
}

async fn cancel(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ConfirmInputForm>,
) -> PageResult {
    confirmed(&app, &actor, &identity, &id, &input, Confirmed::Cancel).await
}
