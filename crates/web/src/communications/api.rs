//! The communications API: the society's lists (read by staff and officers, added by staff),
//! a member's subscriptions (their own as `me`, or any member's for staff), and campaigns
//! (written, read with how many they would reach now, sent once, reported on), and the
//! automated series (the welcome series and the win-back: set up, steps added, changed and
//! ended), with the same use cases and authorisation as the pages.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use guildhall_app::communications::automations::{AutomationForm, AutomationView, StepForm};
use guildhall_app::communications::campaigns::{CampaignDraft, CampaignView};
use guildhall_app::communications::{ListForm, ListView, PreferencesView};
use guildhall_app::records::{CampaignRecord, CampaignReport, Page};
use guildhall_app::{App, AppError};
use guildhall_domain::communications::{
    AudienceInput, AudienceKind, AutomationKind, CampaignStatus, MAX_DELAY_DAYS, RuleInput,
};
use guildhall_domain::membership::Standing;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiQuery, ApiResult, MemberRef, Paging, json_object_body, whole};
use crate::error::{ApiError, ErrorBody};
use crate::kit::iso_time;
use crate::session::ApiActor;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/lists", get(lists).post(create_list))
        .route("/api/v1/lists/{id}", get(list))
        .route("/api/v1/members/{id}/subscriptions", get(subscriptions).put(save_subscriptions))
        .route("/api/v1/campaigns", get(campaigns).post(create_campaign))
        .route("/api/v1/campaigns/digest", get(campaign_digest))
        .route("/api/v1/campaigns/{id}", get(campaign).put(update_campaign))
        .route("/api/v1/campaigns/{id}/preview", get(preview_campaign))
        .route("/api/v1/campaigns/{id}/test", post(test_campaign))
        .route("/api/v1/campaigns/{id}/schedule", post(schedule_campaign))
        .route("/api/v1/campaigns/{id}/cancel", post(cancel_campaign))
        .route("/api/v1/campaigns/{id}/send", post(send_campaign))
        .route("/api/v1/campaigns/{id}/resend", post(resend_campaign))
        .route("/api/v1/campaigns/{id}/report", get(campaign_report))
        .route("/api/v1/automations", get(automations))
        .route("/api/v1/automations/{kind}", axum::routing::put(save_automation))
        .route("/api/v1/automations/{kind}/steps", post(add_automation_step))
        .route("/api/v1/automations/{kind}/steps/{id}", axum::routing::put(update_automation_step))
        .route("/api/v1/automations/{kind}/steps/{id}/end", post(end_automation_step))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        lists,
        create_list,
        list,
        subscriptions,
        save_subscriptions,
        campaigns,
        create_campaign,
        campaign_digest,
        campaign,
        update_campaign,
        preview_campaign,
        test_campaign,
        schedule_campaign,
        cancel_campaign,
        send_campaign,
        resend_campaign,
        campaign_report,
        automations,
        save_automation,
        add_automation_step,
        update_automation_step,
        end_automation_step
    ),
    components(schemas(
        MailList,
        MailListPage,
        NewListBody,
        ListSubscription,
        ConsentChange,
        MailPreferences,
        SubscriptionsBody,
        AudienceRuleBody,
        AudienceBody,
        AudienceWords,
        NewCampaignBody,
        Campaign,
        CampaignListItem,
        CampaignPage,
        CampaignPreview,
        CampaignTestSent,
        ScheduleBody,
        CampaignSent,
        CampaignReportBody,
        DigestDraft,
        AutomationKindCode,
        AutomatedStep,
        AutomatedSeries,
        AutomatedSeriesList,
        AutomatedSeriesBody,
        AutomatedStepBody
    ))
)]
pub struct Doc;

/// The description of a member path's `{id}`.
const MEMBER_ID: &str = "The member's id, or `me` for the caller's own record";
/// The description of a campaign path's `{id}`.
const CAMPAIGN_ID: &str = "The campaign's id";
/// The description of a list path's `{id}`.
const LIST_ID: &str = "The list's id";

/// A positive id in a path, or a 400 saying what it names.
fn id_of(raw: &str, what: &str) -> Result<i64, AppError> {
    crate::kit::path_id(raw, what)
}

/// The member `{id}` names: `None` for `me`.
fn member_of(raw: &str) -> Result<Option<i64>, AppError> {
    Ok(match MemberRef::parse(raw)? {
        MemberRef::Me => None,
        MemberRef::Id(id) => Some(id),
    })
}

// ---------------------------------------------------------------- lists

/// A communication list.
#[derive(Serialize, ToSchema)]
pub struct MailList {
    id: i64,
    /// Its short name in addresses (`newsletter`).
    slug: String,
    name: String,
    /// What it is for, as members read it on their preferences page.
    purpose: String,
    /// Only those who subscribe are on it; otherwise everyone it is for is, until they leave.
    opt_in: bool,
    /// A chapter's list (for that chapter's members); absent for the whole society.
    #[serde(skip_serializing_if = "Option::is_none")]
    chapter_id: Option<i64>,
    /// The chapter's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    chapter: Option<String>,
    /// Whether the chapter's officers may send campaigns under it.
    officers_may_send: bool,
    /// How many campaigns the chapter's officers may start under it in 30 days.
    officer_sends_per_month: i64,
    /// Archived lists take no new campaigns and are not offered to members.
    archived: bool,
    created_at: String,
    /// Members on it now.
    members: i64,
    /// Whether the caller may write campaigns under it.
    may_send: bool,
}

impl From<ListView> for MailList {
    fn from(view: ListView) -> Self {
        let l = view.list;
        MailList {
            id: l.id,
            slug: l.slug,
            name: l.name,
            purpose: l.purpose,
            opt_in: l.opt_in,
            chapter_id: l.chapter_id,
            chapter: l.chapter_name,
            officers_may_send: l.officers_may_send,
            officer_sends_per_month: l.officer_sends_per_month,
            archived: l.archived_at.is_some(),
            created_at: iso_time(l.created_at),
            members: view.members,
            may_send: view.may_send,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MailListPage {
    items: Vec<MailList>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/lists", params(Paging),
    responses((status = 200, body = MailListPage, description = "The lists the caller may see: staff all, an officer their chapters'"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn lists(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<MailListPage> {
    let request = paging.request()?;
    let page = Page::of_all(app.communication_lists_for(&actor).await?, request);
    Ok(Json(MailListPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(MailList::from).collect(),
    }))
}

/// A list to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListBody {
    /// Lowercase letters, digits and hyphens, up to 60; unique.
    #[schema(min_length = 1)]
    slug: String,
    /// Up to 120 characters.
    #[schema(min_length = 1)]
    name: String,
    /// What the list is for, up to 500 characters.
    #[schema(min_length = 1)]
    purpose: String,
    /// true: members join it themselves; false: everyone it is for is on it until they leave.
    opt_in: bool,
    /// A chapter's id for a chapter's list; absent or null for the whole society.
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    chapter_id: Option<i64>,
    /// Whether the chapter's officers may send under it (a chapter's list only).
    #[serde(default)]
    officers_may_send: bool,
    /// How many campaigns the officers may start in 30 days, 0 to 100 (default 4).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100)]
    officer_sends_per_month: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/lists", request_body = NewListBody,
    responses((status = 201, body = MailList, description = "The list added"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_list(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<NewListBody>(body)?;
    let form = ListForm {
        slug: f.slug,
        name: f.name,
        purpose: f.purpose,
        opt: if f.opt_in { "in" } else { "out" }.into(),
        chapter_id: f.chapter_id.map(|id| id.to_string()).unwrap_or_default(),
        officers_may_send: f.officers_may_send,
        officer_sends_per_month: f.officer_sends_per_month.map(|n| n.to_string()).unwrap_or_default(),
    };
    let id = app.create_communication_list(&actor, &form, &identity.request_id).await?;
    let list = app
        .communication_lists_for(&actor)
        .await?
        .into_iter()
        .find(|view| view.list.id == id)
        .ok_or_else(|| AppError::NotFound("No such list.".into()))?;
    Ok((StatusCode::CREATED, Json(MailList::from(list))).into_response())
}

#[utoipa::path(get, path = "/api/v1/lists/{id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = LIST_ID)),
    responses((status = 200, body = MailList, description = "One list, for staff"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<MailList> {
    let view = app.communication_list_view(&actor, id_of(&id, "list")?).await?;
    Ok(Json(MailList::from(view)))
}

// ---------------------------------------------------------------- subscriptions

/// A list the member may be on, and whether they are.
#[derive(Serialize, ToSchema)]
pub struct ListSubscription {
    id: i64,
    slug: String,
    name: String,
    purpose: String,
    opt_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    chapter_id: Option<i64>,
    subscribed: bool,
}

/// A change of consent, with when and how it was made.
#[derive(Serialize, ToSchema)]
pub struct ConsentChange {
    /// The list; absent for the switch for all bulk mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    list_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    list_name: Option<String>,
    /// On (subscribed, or bulk mail allowed) or off.
    subscribed: bool,
    /// How it was made, in words ("preferences page", "one-click unsubscribe").
    source: String,
    /// The campaign whose message it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign_id: Option<i64>,
    changed_at: String,
}

/// A member's mail preferences.
#[derive(Serialize, ToSchema)]
pub struct MailPreferences {
    member_id: i64,
    /// Where their mail goes.
    email: String,
    /// Every list they may be on (the society's and their home chapter's).
    lists: Vec<ListSubscription>,
    /// No bulk mail at all, whatever the lists say (transactional mail still goes).
    no_bulk_mail: bool,
    /// The latest changes of consent, newest first.
    changes: Vec<ConsentChange>,
    /// After a PUT: how many changes of consent it recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<usize>,
}

fn preferences_out(view: PreferencesView, recorded: Option<usize>) -> MailPreferences {
    MailPreferences {
        member_id: view.member_id,
        email: view.email,
        lists: view
            .lists
            .into_iter()
            .map(|s| ListSubscription {
                id: s.list.id,
                slug: s.list.slug,
                name: s.list.name,
                purpose: s.list.purpose,
                opt_in: s.list.opt_in,
                chapter_id: s.list.chapter_id,
                subscribed: s.subscribed,
            })
            .collect(),
        no_bulk_mail: view.no_bulk_mail,
        changes: view
            .changes
            .into_iter()
            .map(|c| ConsentChange {
                list_id: c.list_id,
                list_name: c.list_name,
                subscribed: c.subscribed,
                source: c.source,
                campaign_id: c.campaign_id,
                changed_at: iso_time(c.changed_at),
            })
            .collect(),
        recorded,
    }
}

#[utoipa::path(get, path = "/api/v1/members/{id}/subscriptions",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER_ID)),
    responses((status = 200, body = MailPreferences), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn subscriptions(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<MailPreferences> {
    let view = app.mail_preferences_as(&actor, member_of(&id)?).await?;
    Ok(Json(preferences_out(view, None)))
}

/// The member's choices, in full: the lists to be on (every other list they may be on is
/// left), and the switch for all bulk mail.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionsBody {
    /// The ids of the lists to be on, each one the member may be on.
    #[serde(deserialize_with = "whole_numbers")]
    #[schema(schema_with = list_ids)]
    subscribed: Vec<i64>,
    /// true: no bulk mail at all.
    no_bulk_mail: bool,
}

/// A list of whole numbers (as `whole::number` reads each).
fn whole_numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole::number")] i64);
    Ok(Vec::<Whole>::deserialize(d)?.into_iter().map(|Whole(n)| n).collect())
}

fn list_ids() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1))).build()
}

#[utoipa::path(put, path = "/api/v1/members/{id}/subscriptions", request_body = SubscriptionsBody,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER_ID)),
    responses((status = 200, body = MailPreferences, description = "The preferences as saved"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_subscriptions(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<MailPreferences> {
    let member = member_of(&id)?;
    let f = json_object_body::<SubscriptionsBody>(body)?;
    let recorded = app.save_mail_preferences_as(&actor, member, &f.subscribed, f.no_bulk_mail).await?;
    let view = app.mail_preferences_as(&actor, member).await?;
    Ok(Json(preferences_out(view, Some(recorded))))
}

// ---------------------------------------------------------------- campaigns

/// The kinds of audience rule, as the API names them.
fn rule_kind() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(AudienceKind::ALL.iter().map(|k| k.code())))
        .description(Some("What the rule picks members by."))
        .build()
}

/// A rule's id: a list's, chapter's, group's, tier's or event's number, or a standing's code.
fn rule_id() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    let standings: Vec<&str> = Standing::ALL.iter().map(|s| s.code()).collect();
    Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .description(Some("The id of the list, chapter, group, tier or event")),
            )
            .item(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).description(Some(format!(
                "A standing's code for a standing rule ({}), or an id written as a string",
                standings.join(", ")
            ))))
            .build(),
    )
}

/// One rule of an audience: `{"kind": "group", "id": 3}` or `{"kind": "standing", "id": "grace"}`.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceRuleBody {
    #[schema(schema_with = rule_kind)]
    kind: String,
    #[schema(schema_with = rule_id)]
    id: serde_json::Value,
}

/// Who a campaign goes to: everyone matched by an `include` rule and by no `exclude` rule,
/// each person once, and only those on the list it is sent under.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceBody {
    #[schema(min_items = 1, max_items = 50)]
    include: Vec<AudienceRuleBody>,
    #[serde(default)]
    #[schema(max_items = 50)]
    exclude: Vec<AudienceRuleBody>,
}

impl AudienceBody {
    fn input(self) -> AudienceInput {
        let rules = |rules: Vec<AudienceRuleBody>| rules.into_iter().map(|r| RuleInput { kind: r.kind, id: r.id });
        AudienceInput { include: rules(self.include).collect(), exclude: rules(self.exclude).collect() }
    }

    fn of(input: AudienceInput) -> Self {
        let rules = |rules: Vec<RuleInput>| rules.into_iter().map(|r| AudienceRuleBody { kind: r.kind, id: r.id });
        AudienceBody { include: rules(input.include).collect(), exclude: rules(input.exclude).collect() }
    }
}

/// A campaign to write.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaignBody {
    /// Up to 200 characters; merge fields such as `{{first_name}}` allowed.
    #[schema(min_length = 1)]
    subject: String,
    /// Markdown, up to 100,000 characters, with merge fields.
    #[schema(min_length = 1)]
    body: String,
    audience: AudienceBody,
    /// The list it goes out under (its members' consent); absent: the first list the
    /// audience includes.
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    list_id: Option<i64>,
}

/// An audience's rules in words.
#[derive(Serialize, ToSchema)]
pub struct AudienceWords {
    include: Vec<String>,
    exclude: Vec<String>,
}

/// A campaign.
#[derive(Serialize, ToSchema)]
pub struct Campaign {
    id: i64,
    /// The list it goes out under.
    list_id: i64,
    list_name: String,
    /// The chapter whose list it goes out under.
    #[serde(skip_serializing_if = "Option::is_none")]
    chapter_id: Option<i64>,
    subject: String,
    /// Markdown with merge fields.
    body: String,
    audience: AudienceBody,
    /// Each rule in words.
    audience_words: AudienceWords,
    /// draft, scheduled, sending, sent or cancelled
    status: String,
    /// While it is open (draft or scheduled): how many it would go to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    recipients_now: Option<i64>,
    /// How many it was sent to (frozen when the send started; 0 before).
    recipients: i64,
    /// When it is scheduled to go out.
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_for: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_started_at: Option<String>,
    /// Whether the caller may send it now.
    may_send: bool,
    created_at: String,
    updated_at: String,
}

fn campaign_out(view: CampaignView) -> Campaign {
    let c = view.campaign;
    Campaign {
        id: c.id,
        list_id: c.list_id,
        list_name: c.list_name,
        chapter_id: c.chapter_id,
        subject: c.subject,
        body: c.body,
        audience: AudienceBody::of(view.audience.input()),
        audience_words: AudienceWords { include: view.include_words, exclude: view.exclude_words },
        status: c.status.code().into(),
        recipients_now: view.recipients_now,
        recipients: c.recipients,
        scheduled_for: c.scheduled_for.map(iso_time),
        send_started_at: c.send_started_at.map(iso_time),
        may_send: view.may_send,
        created_at: iso_time(c.created_at),
        updated_at: iso_time(c.updated_at),
    }
}

/// A campaign in a list.
#[derive(Serialize, ToSchema)]
pub struct CampaignListItem {
    id: i64,
    list_id: i64,
    list_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    chapter_id: Option<i64>,
    subject: String,
    /// draft, scheduled, sending, sent or cancelled
    status: String,
    /// How many it was sent to (0 before it is sent).
    recipients: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_for: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_started_at: Option<String>,
    created_at: String,
}

impl From<CampaignRecord> for CampaignListItem {
    fn from(c: CampaignRecord) -> Self {
        CampaignListItem {
            id: c.id,
            list_id: c.list_id,
            list_name: c.list_name,
            chapter_id: c.chapter_id,
            subject: c.subject,
            status: c.status.code().into(),
            recipients: c.recipients,
            scheduled_for: c.scheduled_for.map(iso_time),
            send_started_at: c.send_started_at.map(iso_time),
            created_at: iso_time(c.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignPage {
    items: Vec<CampaignListItem>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/campaigns", params(Paging),
    responses((status = 200, body = CampaignPage, description = "Campaigns, newest first: staff all, an officer their chapter's"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn campaigns(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<CampaignPage> {
    let page = app.campaigns_for(&actor, paging.request()?).await?;
    Ok(Json(CampaignPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(CampaignListItem::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/campaigns", request_body = NewCampaignBody,
    responses((status = 201, body = Campaign, description = "The campaign written, as a draft"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<NewCampaignBody>(body)?;
    let draft = CampaignDraft { list_id: f.list_id, subject: f.subject, body: f.body, audience: f.audience.input() };
    let id = app.create_campaign(&actor, &draft, &identity.request_id).await?;
    let view = app.campaign_page(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(campaign_out(view))).into_response())
}

/// The monthly digest as a draft to edit, then write with `POST /api/v1/campaigns`.
#[derive(Serialize, ToSchema)]
pub struct DigestDraft {
    /// "The <society> digest, <month> <year>".
    subject: String,
    /// Markdown: a section for each of upcoming events (six weeks), knowledge-base articles
    /// published and questions answered in the last month, and new publication issues, each
    /// item linked; sections with nothing are left out (one line when there is nothing at all).
    body: String,
}

#[utoipa::path(get, path = "/api/v1/campaigns/digest",
    responses((status = 200, body = DigestDraft, description = "The digest, filled from what the society has now"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn campaign_digest(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<DigestDraft> {
    let draft = app.digest_draft(&actor).await?;
    Ok(Json(DigestDraft { subject: draft.subject, body: draft.body }))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = Campaign), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Campaign> {
    let view = app.campaign_page(&actor, id_of(&id, "campaign")?).await?;
    Ok(Json(campaign_out(view)))
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}", request_body = NewCampaignBody,
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = Campaign, description = "The campaign as saved (still a draft, or still scheduled)"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Already sent or cancelled: it can no longer be changed"),
              (status = 422, body = ErrorBody)))]
async fn update_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Campaign> {
    let id = id_of(&id, "campaign")?;
    let f = json_object_body::<NewCampaignBody>(body)?;
    let draft = CampaignDraft { list_id: f.list_id, subject: f.subject, body: f.body, audience: f.audience.input() };
    app.update_campaign(&actor, id, &draft, &identity.request_id).await?;
    Ok(Json(campaign_out(app.campaign_page(&actor, id).await?)))
}

/// A campaign as a recipient will receive it: made for the caller's own member record, or
/// for a sample member when they have none (as the campaign page's preview is).
#[derive(Serialize, ToSchema)]
pub struct CampaignPreview {
    /// The subject with its merge fields filled.
    subject: String,
    /// The plain-text part, with the footer naming the list.
    text: String,
    /// The whole HTML part, with the society's branding and the footer.
    html: String,
    /// How many it goes to: while it is open, how many it would reach now; once sent, how
    /// many it was sent to.
    recipients: i64,
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/preview",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = CampaignPreview), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn preview_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<CampaignPreview> {
    let id = id_of(&id, "campaign")?;
    let view = app.campaign_page(&actor, id).await?;
    let rendered = app.campaign_preview(&actor, id).await?;
    Ok(Json(CampaignPreview {
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        recipients: view.recipients_now.unwrap_or(view.campaign.recipients),
    }))
}

/// A test send queued.
#[derive(Serialize, ToSchema)]
pub struct CampaignTestSent {
    id: i64,
    /// The address it goes to: the caller's own. Its subject is marked `[Test]`; it is not
    /// counted in the report.
    sent_to: String,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/test",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = CampaignTestSent, description = "A test message queued to the caller's address"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn test_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<CampaignTestSent> {
    let id = id_of(&id, "campaign")?;
    let sent_to = app.test_send_campaign(&actor, id).await?;
    Ok(Json(CampaignTestSent { id, sent_to }))
}

/// When to send a draft (or a scheduled campaign, moved).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// A wall-clock time on the society's clock (the time zone of `events.time_zone`, e.g.
    /// America/New_York), not UTC and without an offset: `YYYY-MM-DDTHH:MM`, as the
    /// campaign page's field takes it. It must be in the future and exist on that clock (not
    /// skipped by a change to summer time).
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$", example = "2026-12-24T09:00")]
    send_at: String,
}

/// `YYYY-MM-DDTHH:MM` and nothing else, as the document says; else a 422 naming `send_at`.
fn wall_clock(raw: &str) -> Result<&str, AppError> {
    let shape = raw.len() == 16
        && raw.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 => c == ':',
            _ => c.is_ascii_digit(),
        });
    if shape {
        Ok(raw)
    } else {
        Err(AppError::invalid_field(
            "send_at",
            "Give the time to send it as YYYY-MM-DDTHH:MM, on the society's clock (for example 2026-12-24T09:00).",
        ))
    }
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/schedule", request_body = ScheduleBody,
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = Campaign, description = "The campaign, scheduled; it starts sending at that time"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Already sent or cancelled"),
              (status = 422, body = ErrorBody, description = "A time that cannot be read, is past, or does not exist on the society's clock")))]
async fn schedule_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<Campaign> {
    let id = id_of(&id, "campaign")?;
    let f = json_object_body::<ScheduleBody>(body)?;
    app.schedule_campaign(&actor, id, wall_clock(&f.send_at)?, &identity.request_id).await?;
    Ok(Json(campaign_out(app.campaign_page(&actor, id).await?)))
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/cancel",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = Campaign, description = "The campaign, cancelled: it will never be sent"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Already sent or cancelled")))]
async fn cancel_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Campaign> {
    let id = id_of(&id, "campaign")?;
    app.cancel_campaign(&actor, id, &identity.request_id).await?;
    Ok(Json(campaign_out(app.campaign_page(&actor, id).await?)))
}

/// A send started: its recipients frozen and queued.
#[derive(Serialize, ToSchema)]
pub struct CampaignSent {
    id: i64,
    /// How many were queued, each person once.
    recipients: i64,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/send",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = CampaignSent, description = "Its recipients frozen and queued"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Already sent or cancelled (nobody is queued again), or the chapter's monthly limit reached"),
              (status = 422, body = ErrorBody)))]
async fn send_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<CampaignSent> {
    let id = id_of(&id, "campaign")?;
    let recipients = app.send_campaign(&actor, id, &identity.request_id).await?;
    Ok(Json(CampaignSent { id, recipients }))
}

/// Messages of a campaign queued again.
#[derive(Serialize, ToSchema)]
pub struct CampaignResent {
    id: i64,
    /// How many of its messages, each of unknown delivery, were queued again.
    messages: i64,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/resend",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = CampaignResent, description = "Its messages of unknown delivery (handed to the mail server when a sender stopped) queued again: some of those recipients may receive it twice"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "No message of the campaign is of unknown delivery")))]
async fn resend_campaign(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<CampaignResent> {
    let id = id_of(&id, "campaign")?;
    let messages = app.resend_undetermined(&actor, id, &identity.request_id).await?;
    Ok(Json(CampaignResent { id, messages }))
}

/// What became of a campaign's messages.
#[derive(Serialize, ToSchema)]
pub struct CampaignReportBody {
    id: i64,
    subject: String,
    /// draft, scheduled, sending, sent or cancelled
    status: String,
    /// The people it was sent to (the frozen manifest).
    recipients: i64,
    /// Messages waiting to go.
    queued: i64,
    sent: i64,
    failed: i64,
    /// Handed to the relay when the sender stopped, and not sent again.
    undetermined: i64,
    hard_bounces: i64,
    soft_bounces: i64,
    /// Spam complaints.
    complaints: i64,
    /// Recipients who left a list from one of its messages.
    unsubscribed: i64,
    /// Whether the society tracks opens and clicks (`mail.tracking`, off by default).
    tracking: bool,
    /// While tracking is on: recipients who opened it (its image loaded, or they followed a
    /// link), each once.
    #[serde(skip_serializing_if = "Option::is_none")]
    opened: Option<i64>,
    /// While tracking is on: recipients who followed one of its links, each once.
    #[serde(skip_serializing_if = "Option::is_none")]
    clicked: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/report",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = CAMPAIGN_ID)),
    responses((status = 200, body = CampaignReportBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn campaign_report(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<CampaignReportBody> {
    let (c, r) = app.campaign_report(&actor, id_of(&id, "campaign")?).await?;
    let tracking = app.mail_tracking();
    Ok(Json(CampaignReportBody {
        id: c.id,
        subject: c.subject,
        status: c.status.code().into(),
        recipients: r.recipients,
        queued: r.queued,
        sent: r.sent,
        failed: r.failed,
        undetermined: r.undetermined,
        hard_bounces: r.hard_bounces,
        soft_bounces: r.soft_bounces,
        complaints: r.complaints,
        unsubscribed: r.unsubscribed,
        tracking,
        opened: tracking.then_some(r.opened),
        clicked: tracking.then_some(r.clicked),
    }))
}

// ---------------------------------------------------------------- automated series

/// An automated series, as the API names it (`{kind}` in its paths).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AutomationKindCode {
    /// The welcome series: new members, counted from the day they joined.
    Welcome,
    /// The lapsed-member win-back: former members, counted from the day their membership ended.
    WinBack,
}

/// The description of an automation path's `{kind}`.
const SERIES_KIND: &str = "The series: `welcome` or `win_back`";
/// The description of a step path's `{id}`.
const STEP_ID: &str = "The step's id (a step is a campaign: its report is `GET /api/v1/campaigns/{id}/report`)";

/// The series `{kind}` names, or a 404.
fn series_of(raw: &str) -> Result<AutomationKind, AppError> {
    AutomationKind::from_code(raw).ok_or_else(|| AppError::NotFound("No such series.".into()))
}

/// A whole number in a JSON body as the form's text; anything else (a string, a fraction,
/// `null`) as its JSON text, which the use case refuses with its sentence for the field.
fn whole_text(value: &serde_json::Value) -> String {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole::number")] i64);
    match serde_json::from_value::<Whole>(value.clone()) {
        Ok(Whole(n)) => n.to_string(),
        _ => value.to_string(),
    }
}

fn delay_days_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(MAX_DELAY_DAYS))
        .description(Some(format!(
            "Days after the member's start (the day they joined, or the day their membership ended), 0 to {MAX_DELAY_DAYS}."
        )))
        .build()
}

/// A step of a series: a message a number of days after each member's start.
#[derive(Serialize, ToSchema)]
pub struct AutomatedStep {
    /// The step's id; it is a campaign, whose report is `GET /api/v1/campaigns/{id}/report`.
    id: i64,
    delay_days: i64,
    subject: String,
    /// Markdown with merge fields.
    body: String,
    /// `going`: members reaching its day receive it; `ended`: nobody more will.
    #[schema(pattern = "^(going|ended)$")]
    status: String,
    /// Messages sent so far.
    sent: i64,
    /// The members it has been sent or queued to, each once.
    recipients: i64,
}

/// A series: whom it is for, the list it goes under, whether it is on, and its steps.
#[derive(Serialize, ToSchema)]
pub struct AutomatedSeries {
    #[schema(value_type = AutomationKindCode)]
    kind: String,
    /// Its name, as staff read it.
    label: String,
    /// Whom it goes to and from when its days count.
    condition: String,
    /// The society-wide list it goes out under; null until staff set the series up.
    list_id: Option<i64>,
    list_name: Option<String>,
    /// Switched on: members whose step falls on or after `active_since` receive it.
    active: bool,
    /// The day it was switched on; null while it is off.
    #[schema(format = Date)]
    active_since: Option<String>,
    /// Its steps, in the order staff added them.
    steps: Vec<AutomatedStep>,
}

/// Both series.
#[derive(Serialize, ToSchema)]
pub struct AutomatedSeriesList {
    items: Vec<AutomatedSeries>,
}

fn step_out((step, report): (CampaignRecord, CampaignReport)) -> AutomatedStep {
    AutomatedStep {
        id: step.id,
        delay_days: step.delay_days.unwrap_or(0),
        status: if step.status == CampaignStatus::Sending { "going" } else { "ended" }.into(),
        subject: step.subject,
        body: step.body,
        sent: report.sent,
        recipients: report.recipients,
    }
}

fn series_out(view: AutomationView) -> AutomatedSeries {
    let automation = view.automation;
    AutomatedSeries {
        kind: view.kind.code().into(),
        label: view.kind.label().into(),
        condition: view.kind.condition().into(),
        list_id: automation.as_ref().map(|a| a.list_id),
        list_name: automation.as_ref().map(|a| a.list_name.clone()),
        active: automation.as_ref().is_some_and(|a| a.active_since.is_some()),
        active_since: automation.and_then(|a| a.active_since).map(|d| d.to_string()),
        steps: view.steps.into_iter().map(step_out).collect(),
    }
}

/// One step of a series as it is now, with what it sent.
fn step_of(view: AutomationView, id: i64) -> Result<AutomatedStep, AppError> {
    view.steps
        .into_iter()
        .find(|(step, _)| step.id == id)
        .map(step_out)
        .ok_or_else(|| AppError::NotFound("No such step in this series.".into()))
}

#[utoipa::path(get, path = "/api/v1/automations",
    responses((status = 200, body = AutomatedSeriesList, description = "The welcome series and the win-back, with their steps"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Staff only")))]
async fn automations(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<AutomatedSeriesList> {
    let views = app.automations_for(&actor).await?;
    Ok(Json(AutomatedSeriesList { items: views.into_iter().map(series_out).collect() }))
}

/// A series' list and whether it is on.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomatedSeriesBody {
    /// One of the society's lists (not a chapter's, not archived): each message lets members
    /// leave it.
    #[schema(value_type = i64, minimum = 1)]
    list_id: serde_json::Value,
    /// true: switched on (from today, or still from the day it was switched on if it already
    /// was): members whose step falls on or after that day receive it; false: off.
    active: bool,
}

#[utoipa::path(put, path = "/api/v1/automations/{kind}", request_body = AutomatedSeriesBody,
    params(("kind" = AutomationKindCode, Path, description = SERIES_KIND)),
    responses((status = 200, body = AutomatedSeries, description = "The series as saved"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Staff only"),
              (status = 404, body = ErrorBody, description = "No such series"),
              (status = 422, body = ErrorBody, description = "Not one of the society's lists (naming `list_id`)")))]
async fn save_automation(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(kind): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<AutomatedSeries> {
    let kind = series_of(&kind)?;
    let f = json_object_body::<AutomatedSeriesBody>(body)?;
    let form = AutomationForm { list_id: whole_text(&f.list_id), active: f.active };
    app.save_automation(&actor, kind, &form, &identity.request_id).await?;
    Ok(Json(series_out(app.automation_for(&actor, kind).await?)))
}

/// A step's delay and message.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomatedStepBody {
    #[schema(schema_with = delay_days_schema)]
    delay_days: serde_json::Value,
    /// Up to 200 characters; merge fields such as `{{first_name}}` allowed.
    #[schema(min_length = 1)]
    subject: String,
    /// Markdown, up to 100,000 characters, with merge fields.
    #[schema(min_length = 1)]
    body: String,
}

impl AutomatedStepBody {
    fn form(&self) -> StepForm {
        StepForm { delay_days: whole_text(&self.delay_days), subject: self.subject.clone(), body: self.body.clone() }
    }
}

#[utoipa::path(post, path = "/api/v1/automations/{kind}/steps", request_body = AutomatedStepBody,
    params(("kind" = AutomationKindCode, Path, description = SERIES_KIND)),
    responses((status = 201, body = AutomatedStep, description = "The step added, going"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Staff only"),
              (status = 404, body = ErrorBody, description = "No such series"),
              (status = 409, body = ErrorBody, description = "The series has no list yet: set it up first"),
              (status = 422, body = ErrorBody, description = "Each problem named by its field: `delay_days`, `subject`, `body`")))]
async fn add_automation_step(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(kind): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let kind = series_of(&kind)?;
    let f = json_object_body::<AutomatedStepBody>(body)?;
    let id = app.add_automation_step(&actor, kind, &f.form(), &identity.request_id).await?;
    let step = step_of(app.automation_for(&actor, kind).await?, id)?;
    Ok((StatusCode::CREATED, Json(step)).into_response())
}

#[utoipa::path(put, path = "/api/v1/automations/{kind}/steps/{id}", request_body = AutomatedStepBody,
    params(("kind" = AutomationKindCode, Path, description = SERIES_KIND),
           ("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = STEP_ID)),
    responses((status = 200, body = AutomatedStep, description = "The step as saved: members reaching its day from now on receive the new message"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "Staff only"),
              (status = 404, body = ErrorBody, description = "No such series, or no such step in it"),
              (status = 409, body = ErrorBody, description = "The step has ended: add a new one instead"),
              (status = 422, body = ErrorBody, description = "Each problem named by its field: `delay_days`, `subject`, `body`")))]
async fn update_automation_step(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> ApiResult<AutomatedStep> {
    let (kind, id) = (series_of(&kind)?, id_of(&id, "step")?);
    let f = json_object_body::<AutomatedStepBody>(body)?;
    app.update_automation_step(&actor, kind, id, &f.form(), &identity.request_id).await?;
    Ok(Json(step_of(app.automation_for(&actor, kind).await?, id)?))
}

#[utoipa::path(post, path = "/api/v1/automations/{kind}/steps/{id}/end",
    params(("kind" = AutomationKindCode, Path, description = SERIES_KIND),
           ("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = STEP_ID)),
    responses((status = 200, body = AutomatedStep, description = "The step, ended: nobody more receives it; what it sent stays in its report"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "Staff only"),
              (status = 404, body = ErrorBody, description = "No such series, or no such step in it"),
              (status = 409, body = ErrorBody, description = "The step has already ended")))]
async fn end_automation_step(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<AutomatedStep> {
    let (kind, id) = (series_of(&kind)?, id_of(&id, "step")?);
    app.end_automation_step(&actor, kind, id, &identity.request_id).await?;
    Ok(Json(step_of(app.automation_for(&actor, kind).await?, id)?))
}
