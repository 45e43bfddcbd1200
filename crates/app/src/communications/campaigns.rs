//! Campaigns: written under a list to an audience, previewed as a recipient will see it,
//! test-sent to the writer, scheduled or sent. Sending freezes the recipients in one
//! transaction (`Store::start_campaign_send`), so each person is queued once however the
//! audience's rules overlap, and a second click or a retried request queues nobody again.

use guildhall_domain::communications::{
    Audience, AudienceInput, AudienceKind, AudienceRule, CampaignStatus, merge_problem,
};
use guildhall_domain::events::{event_time, local_instant};
use guildhall_store::{CampaignRecord, CampaignReport, ListRecord, NewCampaign, Page, PageRequest, StoreError};

use super::delivery::Rendered;
use super::may_send_under;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// How far back a chapter's campaigns count against its officers' monthly limit.
const LIMIT_WINDOW_SECS: i64 = 30 * 24 * 3600;

/// A campaign as written: on a form or through the API.
#[derive(Debug, Clone, Default)]
pub struct CampaignDraft {
    /// The list it goes out under; empty: the first list the audience includes.
    pub list_id: Option<i64>,
    pub subject: String,
    /// Markdown with merge fields.
    pub body: String,
    pub audience: AudienceInput,
}

/// A campaign's page.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub campaign: CampaignRecord,
    pub audience: Audience,
    /// Each rule in words ("Members of the group Women in Engineering").
    pub include_words: Vec<String>,
    pub exclude_words: Vec<String>,
    /// While it is open: how many it would go to now.
    pub recipients_now: Option<i64>,
    pub report: CampaignReport,
    /// When it is scheduled for, on the society's clock.
    pub scheduled_words: Option<String>,
    pub may_send: bool,
    /// Some messages' delivery is unknown and the reader may send them again.
    pub may_resend: bool,
    /// Whether opens and clicks are tracked (`mail.tracking`): the report's counts of them
    /// mean something only then.
    pub tracking: bool,
}

/// What a campaign's writer may choose from: the lists they may send under, and for each
/// kind of rule its options as (value, label), the value as forms send it (`group:3`).
#[derive(Debug, Clone, Default)]
pub struct AudienceChoices {
    pub lists: Vec<ListRecord>,
    pub options: Vec<(AudienceKind, Vec<(String, String)>)>,
}

impl App {
    /// The lists, chapters, groups, tiers, standings and events a writer may build an
    /// audience from (officers: their chapters, and the events they manage).
    pub async fn audience_choices(&self, actor: &Actor) -> AppResult<AudienceChoices> {
        actor.require(Permission::CampaignsArea)?;
        let views = self.communication_lists_for(actor).await?;
        let value = |kind: AudienceKind, id: String| format!("{}:{id}", kind.code());
        let reference = self.reference().await?;
        let lists: Vec<ListRecord> = views.iter().filter(|v| v.may_send).map(|v| v.list.clone()).collect();
        let list_options =
            views.iter().map(|v| (value(AudienceKind::List, v.list.id.to_string()), v.list.name.clone())).collect();
        let chapters = reference
            .chapters
            .iter()
            .filter(|c| actor.is_staff() || actor.is_officer_of(c.id))
            .map(|c| (value(AudienceKind::Chapter, c.id.to_string()), c.name.clone()))
            .collect();
        let groups = self
            .store
            .list_groups()
            .await?
            .into_iter()
            .map(|g| (value(AudienceKind::Group, g.id.to_string()), g.name))
            .collect();
        let tiers =
            reference.tiers.iter().map(|t| (value(AudienceKind::Tier, t.id.to_string()), t.name.clone())).collect();
        let standings = guildhall_domain::membership::Standing::ALL
            .iter()
            .map(|s| (value(AudienceKind::Standing, s.code().to_string()), s.label().to_string()))
            .collect();
        let events = self
            .managed_events(actor, PageRequest::new(1, 100))
            .await?
            .items
            .into_iter()
            .map(|e| (value(AudienceKind::Event, e.id.to_string()), e.title))
            .collect();
        Ok(AudienceChoices {
            lists,
            options: vec![
                (AudienceKind::List, list_options),
                (AudienceKind::Chapter, chapters),
                (AudienceKind::Group, groups),
                (AudienceKind::Tier, tiers),
                (AudienceKind::Standing, standings),
                (AudienceKind::Event, events),
            ],
        })
    }

    /// The society's clock for scheduling (the zone new events start in).
    fn society_zone(&self) -> &str {
        &self.settings.events.time_zone
    }

    /// The list a draft goes out under, checked: it exists, is not archived, and the
    /// writer may send under it.
    async fn sending_list(&self, actor: &Actor, draft: &CampaignDraft, audience: &Audience) -> AppResult<ListRecord> {
        let list_id = draft
            .list_id
            .or_else(|| {
                audience.include.iter().find_map(|rule| match rule {
                    AudienceRule::List(id) => Some(*id),
                    _ => None,
                })
            })
            .ok_or_else(|| {
                AppError::invalid_field("list_id", "Choose the list the campaign is sent under: its members' consent.")
            })?;
        let list = self
            .store
            .communication_list(list_id)
            .await?
            .filter(|l| l.archived_at.is_none())
            .ok_or_else(|| AppError::invalid_field("list_id", "That list does not exist or is archived."))?;
        actor.require(Permission::SendCampaigns(list.chapter_id))?;
        if !may_send_under(actor, &list) {
            return Err(AppError::Forbidden(
                "Staff have not allowed officers to send to this list; ask them to.".into(),
            ));
        }
        Ok(list)
    }

    /// A draft checked: its list, subject, body and audience, every problem at once.
    async fn checked_campaign(&self, actor: &Actor, draft: &CampaignDraft) -> AppResult<(NewCampaign, ListRecord)> {
        actor.require(Permission::CampaignsArea)?;
        let mut errors = FieldErrors::default();
        let (subject, body) = check_message(&mut errors, &draft.subject, &draft.body);
        let audience = match Audience::read(&draft.audience) {
            Ok(audience) => Some(audience),
            Err(problems) => {
                errors.add("audience", problems.join(" "));
                None
            }
        };
        let list = match &audience {
            Some(audience) => match self.sending_list(actor, draft, audience).await {
                Ok(list) => Some(list),
                Err(AppError::Validation { fields, .. }) => {
                    for (field, message) in fields {
                        errors.add(&field, message);
                    }
                    None
                }
                Err(other) => return Err(other),
            },
            None => None,
        };
        errors.into_result()?;
        let (Some(audience), Some(list)) = (audience, list) else {
            return Err(AppError::invalid("The campaign could not be read."));
        };
        let campaign = NewCampaign {
            list_id: list.id,
            subject,
            body,
            audience: serde_json::to_string(&audience.input()).map_err(|e| AppError::Internal(e.to_string()))?,
            chapter_id: list.chapter_id,
            created_by: Some(actor.user_id),
        };
        Ok((campaign, list))
    }

    /// Writes a new draft; its id.
    pub async fn create_campaign(&self, actor: &Actor, draft: &CampaignDraft, request_id: &str) -> AppResult<i64> {
        let (campaign, _) = self.checked_campaign(actor, draft).await?;
        let mut audit = self.audit_entry(actor, "campaign.created", "campaign", request_id);
        audit.subject_label = campaign.subject.clone();
        Ok(self.store.create_campaign(&campaign, self.clock.unix(), &audit).await?)
    }

    /// A campaign the actor may see: staff any, officers their chapters'.
    async fn campaign_record(&self, actor: &Actor, id: i64) -> AppResult<CampaignRecord> {
        actor.require(Permission::CampaignsArea)?;
        let campaign = self.store.campaign(id).await?.ok_or_else(|| AppError::NotFound("No such campaign.".into()))?;
        actor.require(Permission::SendCampaigns(campaign.chapter_id))?;
        Ok(campaign)
    }

    /// Changes a draft or scheduled campaign.
    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: i64,
        draft: &CampaignDraft,
        request_id: &str,
    ) -> AppResult<()> {
        self.campaign_record(actor, id).await?;
        let (campaign, _) = self.checked_campaign(actor, draft).await?;
        let mut audit = self.audit_entry(actor, "campaign.updated", "campaign", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = campaign.subject.clone();
        self.store.update_campaign(id, &campaign, self.clock.unix(), &audit).await.map_err(already_sent)
    }

    /// Campaigns the actor may see, newest first.
    pub async fn campaigns_for(&self, actor: &Actor, page: PageRequest) -> AppResult<Page<CampaignRecord>> {
        actor.require(Permission::CampaignsArea)?;
        let chapters = (!actor.is_staff()).then_some(actor.officer_of.as_slice());
        Ok(self.store.campaigns(chapters, page).await?)
    }

    /// A campaign's page: its audience in words, how many it would reach now (while open),
    /// and what became of its messages.
    pub async fn campaign_page(&self, actor: &Actor, id: i64) -> AppResult<CampaignView> {
        let campaign = self.campaign_record(actor, id).await?;
        let input: AudienceInput = serde_json::from_str(&campaign.audience).unwrap_or_default();
        let audience = Audience::read(&input).unwrap_or_default();
        let recipients_now = match campaign.status.is_open() {
            true => Some(self.store.audience_count(campaign.list_id, &audience).await?),
            false => None,
        };
        let list = self.store.communication_list(campaign.list_id).await?;
        let may_send = campaign.status.is_open() && list.as_ref().is_some_and(|l| may_send_under(actor, l));
        let mut include_words = Vec::new();
        for rule in &audience.include {
            include_words.push(self.rule_words(rule).await?);
        }
        let mut exclude_words = Vec::new();
        for rule in &audience.exclude {
            exclude_words.push(self.rule_words(rule).await?);
        }
        let report = self.store.campaign_report(id).await?;
        let may_resend = report.undetermined > 0
            && matches!(campaign.status, CampaignStatus::Sent | CampaignStatus::Sending)
            && list.as_ref().is_some_and(|l| may_send_under(actor, l));
        Ok(CampaignView {
            report,
            may_resend,
            scheduled_words: campaign.scheduled_for.map(|at| {
                let t = event_time(at, self.society_zone());
                format!("{} at {} {}", t.date, t.time, t.zone)
            }),
            include_words,
            exclude_words,
            recipients_now,
            may_send,
            tracking: self.mail_tracking(),
            audience,
            campaign,
        })
    }

    /// A rule in words, naming the list, chapter, group, tier or event.
    pub async fn rule_words(&self, rule: &AudienceRule) -> AppResult<String> {
        let reference = self.reference().await?;
        Ok(match rule {
            AudienceRule::List(id) => match self.store.communication_list(*id).await? {
                Some(list) => format!("On the list {}", list.name),
                None => format!("On list {id} (no longer exists)"),
            },
            AudienceRule::Chapter(id) => match reference.chapter(*id) {
                Some(chapter) => format!("Members of {}", chapter.name),
                None => format!("Members of chapter {id} (no longer exists)"),
            },
            AudienceRule::Group(id) => match self.store.list_groups().await?.into_iter().find(|g| g.id == *id) {
                Some(group) => format!("Members of the group {}", group.name),
                None => format!("Members of group {id} (no longer exists)"),
            },
            AudienceRule::Tier(id) => match reference.tier(*id) {
                Some(tier) => format!("{} members", tier.name),
                None => format!("Members of tier {id} (no longer exists)"),
            },
            AudienceRule::Standing(standing) => {
                format!("Members whose standing is \u{201c}{}\u{201d}", standing.label())
            }
            AudienceRule::Event(id) => match self.store.event_by_id(*id).await? {
                Some(event) => format!("Registered for {}", event.title),
                None => format!("Registered for event {id} (no longer exists)"),
            },
        })
    }

    /// How many a draft would reach now (the count shown before sending).
    pub async fn draft_recipients(&self, actor: &Actor, draft: &CampaignDraft) -> AppResult<i64> {
        let (campaign, _) = self.checked_campaign(actor, draft).await?;
        let input: AudienceInput = serde_json::from_str(&campaign.audience).unwrap_or_default();
        let audience = Audience::read(&input).map_err(|problems| AppError::invalid(problems.join(" ")))?;
        Ok(self.store.audience_count(campaign.list_id, &audience).await?)
    }

    /// The campaign as the writer would receive it (their own record's merge values, or a
    /// sample member's when they have none).
    pub async fn campaign_preview(&self, actor: &Actor, id: i64) -> AppResult<Rendered> {
        let campaign = self.campaign_record(actor, id).await?;
        let member = self.store.member_by_user(actor.user_id).await?;
        self.render_campaign(&campaign, member.as_ref(), false, false).await
    }

    /// A draft as it would look, before it is saved (the compose page's preview).
    pub async fn draft_preview(&self, actor: &Actor, draft: &CampaignDraft) -> AppResult<Rendered> {
        let (campaign, list) = self.checked_campaign(actor, draft).await?;
        let member = self.store.member_by_user(actor.user_id).await?;
        let now = self.clock.unix();
        let record = CampaignRecord {
            id: 0,
            list_id: list.id,
            list_name: list.name,
            subject: campaign.subject,
            body: campaign.body,
            audience: campaign.audience,
            status: CampaignStatus::Draft,
            scheduled_for: None,
            chapter_id: campaign.chapter_id,
            created_by: campaign.created_by,
            recipients: 0,
            send_started_at: None,
            created_at: now,
            updated_at: now,
            automation_id: None,
            delay_days: None,
        };
        self.render_campaign(&record, member.as_ref(), false, false).await
    }

    /// Sends the campaign to its writer alone, marked as a test, through the outbox: made
    /// from their own member record, or a sample member's when they have none.
    pub async fn test_send_campaign(&self, actor: &Actor, id: i64) -> AppResult<String> {
        let campaign = self.campaign_record(actor, id).await?;
        let member = self.store.member_by_user(actor.user_id).await?.map(|m| m.id);
        self.store.enqueue_campaign_test(campaign.id, member, &actor.email, self.clock.unix()).await?;
        Ok(actor.email.clone())
    }

    /// Schedules an open campaign for a wall-clock time on the society's clock, or (empty)
    /// takes it back to draft.
    pub async fn schedule_campaign(&self, actor: &Actor, id: i64, when: &str, request_id: &str) -> AppResult<()> {
        let campaign = self.campaign_record(actor, id).await?;
        let at = match when.trim() {
            "" => None,
            local => {
                let at = local_instant(local, self.society_zone())
                    .map_err(|e| AppError::invalid_field("send_at", format!("{e}")))?;
                if at <= self.clock.unix() {
                    return Err(AppError::invalid_field("send_at", "Choose a time in the future."));
                }
                Some(at)
            }
        };
        let mut audit = self.audit_entry(
            actor,
            if at.is_some() { "campaign.scheduled" } else { "campaign.unscheduled" },
            "campaign",
            request_id,
        );
        audit.subject_id = Some(id);
        audit.subject_label = campaign.subject;
        self.store.schedule_campaign(id, at, self.clock.unix(), &audit).await.map_err(already_sent)
    }

    /// Cancels a draft or scheduled campaign.
    pub async fn cancel_campaign(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        let campaign = self.campaign_record(actor, id).await?;
        let mut audit = self.audit_entry(actor, "campaign.cancelled", "campaign", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = campaign.subject;
        self.store.cancel_campaign(id, self.clock.unix(), &audit).await.map_err(already_sent)
    }

    /// Sends a campaign now: its recipients are frozen and queued. Returns how many.
    pub async fn send_campaign(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<i64> {
        let campaign = self.campaign_record(actor, id).await?;
        let list = self
            .store
            .communication_list(campaign.list_id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such list.".into()))?;
        if !may_send_under(actor, &list) {
            return Err(AppError::Forbidden("Staff have not allowed officers to send to this list.".into()));
        }
        let limit = match (actor.is_staff(), list.chapter_id) {
            (false, Some(chapter)) => {
                Some((chapter, list.officer_sends_per_month, self.clock.unix() - LIMIT_WINDOW_SECS))
            }
            _ => None,
        };
        let mut audit = self.audit_entry(actor, "campaign.sent", "campaign", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = campaign.subject.clone();
        self.start_send(&campaign, limit, &audit).await.map_err(|e| match e {
            AppError::Conflict { field: Some(field), .. } if field == "campaign_limit" => AppError::Conflict {
                message: format!(
                    "Your chapter has started {} campaigns in the last 30 days, the most staff allow. Ask staff to raise the limit.",
                    list.officer_sends_per_month
                ),
                field: None,
            },
            other => other,
        })
    }

    async fn start_send(
        &self,
        campaign: &CampaignRecord,
        limit: Option<(i64, i64, i64)>,
        audit: &guildhall_store::NewAuditEntry,
    ) -> AppResult<i64> {
        let input: AudienceInput = serde_json::from_str(&campaign.audience).unwrap_or_default();
        let audience = Audience::read(&input).map_err(|problems| AppError::invalid(problems.join(" ")))?;
        self.store
            .start_campaign_send(campaign.id, &audience, limit, self.clock.unix(), audit)
            .await
            .map_err(already_sent)
    }

    /// Sends again the messages of a sent campaign whose delivery is unknown (handed to the
    /// relay when a sender stopped): some of those recipients may get a second copy, which
    /// the confirmation says. Returns how many were queued.
    pub async fn resend_undetermined(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<i64> {
        let campaign = self.campaign_record(actor, id).await?;
        let list = self.store.communication_list(campaign.list_id).await?;
        if !list.as_ref().is_some_and(|l| may_send_under(actor, l)) {
            return Err(AppError::Forbidden(
                "Staff have not allowed officers to send to this list; ask them to.".into(),
            ));
        }
        let mut audit = self.audit_entry(actor, "campaign.resent", "campaign", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = campaign.subject.clone();
        self.store.resend_undetermined(id, self.clock.unix(), &audit).await.map_err(|err| match err {
            StoreError::NotFound => AppError::Conflict {
                message: "No message of this campaign is of unknown delivery: there is nothing to send again.".into(),
                field: None,
            },
            other => other.into(),
        })
    }

    /// Starts every scheduled campaign now due (the background job). Returns how many.
    pub async fn send_due_campaigns(&self) -> AppResult<usize> {
        let mut started = 0;
        for id in self.store.due_campaigns(self.clock.unix()).await? {
            let Some(campaign) = self.store.campaign(id).await? else { continue };
            let audit = guildhall_store::NewAuditEntry {
                occurred_at: self.clock.unix(),
                actor_label: "Scheduled send".into(),
                action: "campaign.sent".into(),
                subject_kind: "campaign".into(),
                subject_id: Some(id),
                subject_label: campaign.subject.clone(),
                ..Default::default()
            };
            match self.start_send(&campaign, None, &audit).await {
                Ok(_) => started += 1,
                // Cancelled or sent by hand in the meantime.
                Err(AppError::Conflict { .. }) => {}
                Err(err) => tracing::warn!(campaign = id, error = %err, "a scheduled campaign could not start"),
            }
        }
        self.store.finish_sent_campaigns(self.clock.unix()).await?;
        Ok(started)
    }

    /// What became of a campaign's messages.
    pub async fn campaign_report(&self, actor: &Actor, id: i64) -> AppResult<(CampaignRecord, CampaignReport)> {
        let campaign = self.campaign_record(actor, id).await?;
        let report = self.store.campaign_report(id).await?;
        Ok((campaign, report))
    }
}

/// The subject and body of a message (a campaign's or a step's) checked: lengths, merge
/// fields known, a body written.
pub(crate) fn check_message(errors: &mut FieldErrors, subject: &str, body: &str) -> (String, String) {
    let subject = errors.text(subject, "subject", "the subject", 200, true);
    if let Some(problem) = merge_problem(&subject) {
        errors.add("subject", problem);
    }
    let body = errors.markdown(body, "body", "the message", 100_000);
    if let Some(problem) = merge_problem(&body) {
        errors.add("body", problem);
    }
    (subject, body)
}

/// A campaign no longer open (sent, sending or cancelled) is a conflict, not a missing one.
fn already_sent(err: StoreError) -> AppError {
    match err {
        StoreError::NotFound => AppError::Conflict {
            message: "This campaign has already been sent or cancelled; it cannot be changed or sent again.".into(),
            field: None,
        },
        other => other.into(),
    }
}
