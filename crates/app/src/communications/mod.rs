//! Communications: the society's lists and each member's consent, campaigns to an audience
//! (each person once), the messages as they go out, and what comes back.
//!
//! Files: `mod.rs` (lists, members' subscriptions and their preferences page, one-click
//! unsubscribe, the signed links in every message), `campaigns.rs` (writing, previewing,
//! test-sending, scheduling and sending a campaign, its report), `digest.rs` (the monthly
//! digest: a draft filled from upcoming events, new articles, answered questions and new
//! issues), `automations.rs` (the welcome series and the win-back: setting them up, their
//! steps, the job that sends each step when a member's day comes), `delivery.rs` (making each
//! message: merge fields, the society's branding, the plain-text part, `List-Unsubscribe`
//! and the VERP return path; bulk mail sent at most once, within the relay's rate limits),
//! `bounces.rs` (returned mail read and scored, complaints, suspension and re-confirmation),
//! `tracking.rs` (open and click tracking, only when the society turns it on: the image and
//! rewritten links of a message's HTML part, and each recipient's first open and click).
//!
//! Consent is the list's: a member receives a campaign only when they are on the list it is
//! sent under and have not turned off all bulk mail. Transactional mail (receipts, password
//! resets, reminders a member asked for) goes whatever they chose.

pub mod automations;
pub mod bounces;
pub mod campaigns;
pub mod delivery;
pub mod digest;
pub mod tracking;

use guildhall_store::{ConsentChangeRecord, ListRecord, NewList, SubscriptionChange, SubscriptionRecord};

use crate::crypto::{constant_time_eq, hex, hmac_sha256};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// What a signed link in a message is for: each purpose signs differently, so a link made for
/// one cannot be used for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailLink {
    /// `member-list-campaign`: leave one list, from the message (RFC 8058).
    Unsubscribe,
    /// `member`: the member's preferences page without signing in.
    Preferences,
    /// `message`: the VERP token of a message's return path.
    Return,
    /// `bounce`: a suspended address confirms it works.
    Reconfirm,
    /// `member-campaign`: a tracked message's 1×1 image (its opening).
    Open,
    /// `member-campaign`: a tracked message's links (a click), the link's place beside it.
    Click,
}

impl MailLink {
    fn label(self) -> &'static str {
        match self {
            MailLink::Unsubscribe => "unsubscribe",
            MailLink::Preferences => "preferences",
            MailLink::Return => "return",
            MailLink::Reconfirm => "reconfirm",
            MailLink::Open => "open",
            MailLink::Click => "click",
        }
    }
}

/// A list as staff write it.
#[derive(Debug, Clone, Default)]
pub struct ListForm {
    pub slug: String,
    pub name: String,
    pub purpose: String,
    /// "in" or "out".
    pub opt: String,
    /// A chapter's id, or empty for the whole society.
    pub chapter_id: String,
    pub officers_may_send: bool,
    pub officer_sends_per_month: String,
}

/// A list with what the reader may do with it.
#[derive(Debug, Clone)]
pub struct ListView {
    pub list: ListRecord,
    /// Members on it now.
    pub members: i64,
    /// Whether the reader may write campaigns under it.
    pub may_send: bool,
}

/// A member's preferences page.
#[derive(Debug, Clone)]
pub struct PreferencesView {
    pub member_id: i64,
    pub first_name: String,
    pub email: String,
    pub lists: Vec<SubscriptionRecord>,
    pub no_bulk_mail: bool,
    /// The latest changes of consent, newest first.
    pub changes: Vec<ConsentChangeRecord>,
}

/// The slug of a list: lowercase letters, digits and hyphens.
fn list_slug(errors: &mut FieldErrors, raw: &str) -> String {
    let slug = raw.trim().to_lowercase();
    if slug.is_empty()
        || slug.len() > 60
        || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errors.add("slug", "Give a short name for addresses: lowercase letters, digits and hyphens, up to 60.");
    }
    slug
}

impl App {
    fn mail_link_key(&self) -> AppResult<[u8; 32]> {
        Ok(hmac_sha256(&self.key_encryption_key()?, b"guildhall mail links v1"))
    }

    /// A token for a signed link: its numbers, then a signature, joined by `-` (so it also
    /// fits the local part of a VERP address).
    pub(crate) fn sign_mail_link(&self, purpose: MailLink, parts: &[i64]) -> AppResult<String> {
        let body = parts.iter().map(i64::to_string).collect::<Vec<_>>().join("-");
        let signature = hmac_sha256(&self.mail_link_key()?, format!("{}:{body}", purpose.label()).as_bytes());
        Ok(format!("{body}-{}", &hex(&signature)[..32]))
    }

    /// The numbers of a signed link made for `purpose` with `count` of them; `NotFound` for
    /// anything else (a changed, truncated or foreign token).
    pub(crate) fn open_mail_link(&self, purpose: MailLink, token: &str, count: usize) -> AppResult<Vec<i64>> {
        let not_found = || AppError::NotFound("This link is not valid. Open the one in your message.".into());
        let (body, _) = token.trim().rsplit_once('-').ok_or_else(not_found)?;
        let parts: Vec<i64> =
            body.split('-').map(|p| p.parse::<i64>().map_err(|_| not_found())).collect::<Result<_, _>>()?;
        if parts.len() != count || parts.iter().any(|p| *p < 0) {
            return Err(not_found());
        }
        let expected = self.sign_mail_link(purpose, &parts)?;
        if constant_time_eq(&expected, token.trim()) { Ok(parts) } else { Err(not_found()) }
    }

    /// The path of a member's preferences page that needs no sign-in.
    pub fn member_preferences_path(&self, member_id: i64) -> AppResult<String> {
        Ok(format!("/mail/preferences/{}", self.sign_mail_link(MailLink::Preferences, &[member_id])?))
    }

    /// The absolute address of a member's preferences page, for a message's footer.
    pub(crate) fn preferences_link(&self, member_id: i64) -> AppResult<String> {
        Ok(self.link(&self.member_preferences_path(member_id)?))
    }

    /// The absolute address of a message's one-click unsubscribe.
    pub(crate) fn unsubscribe_link(&self, member_id: i64, list_id: i64, campaign_id: i64) -> AppResult<String> {
        let token = self.sign_mail_link(MailLink::Unsubscribe, &[member_id, list_id, campaign_id])?;
        Ok(self.link(&format!("/mail/unsubscribe/{token}")))
    }

    /// Every list, with how many are on it and whether the reader may send under it: staff
    /// see all, officers their chapters' lists.
    pub async fn communication_lists_for(&self, actor: &Actor) -> AppResult<Vec<ListView>> {
        actor.require(Permission::CampaignsArea)?;
        let mut views = Vec::new();
        for list in self.store.communication_lists().await? {
            if !actor.is_staff() && !list.chapter_id.is_some_and(|c| actor.is_officer_of(c)) {
                continue;
            }
            let members = self.store.list_member_count(list.id).await?;
            let may_send = list.archived_at.is_none() && may_send_under(actor, &list);
            views.push(ListView { list, members, may_send });
        }
        Ok(views)
    }

    /// One list, for staff.
    pub async fn communication_list_for(&self, actor: &Actor, id: i64) -> AppResult<ListRecord> {
        actor.require(Permission::ManageLists)?;
        self.store.communication_list(id).await?.ok_or_else(|| AppError::NotFound("No such list.".into()))
    }

    /// One list with how many are on it now, for staff.
    pub async fn communication_list_view(&self, actor: &Actor, id: i64) -> AppResult<ListView> {
        let list = self.communication_list_for(actor, id).await?;
        let members = self.store.list_member_count(list.id).await?;
        let may_send = list.archived_at.is_none() && may_send_under(actor, &list);
        Ok(ListView { list, members, may_send })
    }

    fn checked_list(&self, form: &ListForm, chapters: &[i64]) -> AppResult<NewList> {
        let mut errors = FieldErrors::default();
        let slug = list_slug(&mut errors, &form.slug);
        let name = errors.text(&form.name, "name", "the list's name", 120, true);
        let purpose = errors.text(&form.purpose, "purpose", "what the list is for", 500, true);
        let opt_in = match form.opt.as_str() {
            "in" => true,
            "out" => false,
            _ => {
                errors.add(
                    "opt",
                    "Choose whether members join the list themselves (opt-in) or are on it until they leave (opt-out).",
                );
                true
            }
        };
        let chapter_id = match form.chapter_id.trim() {
            "" => None,
            raw => match raw.parse::<i64>().ok().filter(|id| chapters.contains(id)) {
                Some(id) => Some(id),
                None => {
                    errors.add("chapter_id", "Choose one of the society's chapters, or the whole society.");
                    None
                }
            },
        };
        let officer_sends_per_month = match form.officer_sends_per_month.trim() {
            "" => 4,
            raw => match raw.parse::<i64>().ok().filter(|n| (0..=100).contains(n)) {
                Some(n) => n,
                None => {
                    errors.add("officer_sends_per_month", "Give a whole number of campaigns a month, from 0 to 100.");
                    0
                }
            },
        };
        if form.officers_may_send && chapter_id.is_none() {
            errors.add("officers_may_send", "Only a chapter's list can be sent to by its officers.");
        }
        errors.into_result()?;
        Ok(NewList {
            slug,
            name,
            purpose,
            opt_in,
            chapter_id,
            officers_may_send: form.officers_may_send,
            officer_sends_per_month,
        })
    }

    /// Staff add a list.
    pub async fn create_communication_list(&self, actor: &Actor, form: &ListForm, request_id: &str) -> AppResult<i64> {
        actor.require(Permission::ManageLists)?;
        let chapters: Vec<i64> = self.reference().await?.chapters.iter().map(|c| c.id).collect();
        let list = self.checked_list(form, &chapters)?;
        let mut audit = self.audit_entry(actor, "list.created", "communication_list", request_id);
        audit.subject_label = list.name.clone();
        self.store.create_communication_list(&list, self.clock.unix(), &audit).await.map_err(|e| match e {
            guildhall_store::StoreError::Conflict { .. } => {
                AppError::invalid_field("slug", "Another list has that short name; choose another.")
            }
            other => other.into(),
        })
    }

    /// Staff change a list's name, purpose and who may send (its kind and chapter stay).
    pub async fn update_communication_list(
        &self,
        actor: &Actor,
        id: i64,
        form: &ListForm,
        request_id: &str,
    ) -> AppResult<()> {
        let before = self.communication_list_for(actor, id).await?;
        let chapters: Vec<i64> = before.chapter_id.into_iter().collect();
        let form = ListForm {
            slug: before.slug.clone(),
            opt: if before.opt_in { "in" } else { "out" }.into(),
            chapter_id: before.chapter_id.map(|c| c.to_string()).unwrap_or_default(),
            ..form.clone()
        };
        let list = self.checked_list(&form, &chapters)?;
        let mut audit = self.audit_entry(actor, "list.updated", "communication_list", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = list.name.clone();
        Ok(self.store.update_communication_list(id, &list, &audit).await?)
    }

    async fn preferences_of(&self, member_id: i64) -> AppResult<PreferencesView> {
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        Ok(PreferencesView {
            member_id,
            first_name: member.first_name,
            email: member.email,
            lists: self.store.member_subscriptions(member_id).await?,
            no_bulk_mail: self.store.no_bulk_mail(member_id).await?,
            changes: self.store.consent_changes(member_id, 20).await?,
        })
    }

    /// The member's mail preferences, for themselves or staff.
    pub async fn mail_preferences_as(&self, actor: &Actor, member_id: Option<i64>) -> AppResult<PreferencesView> {
        let member_id = self.member_for_mail(actor, member_id).await?;
        self.preferences_of(member_id).await
    }

    /// The preferences of the member a message's link was made for (no sign-in).
    pub async fn mail_preferences_by_link(&self, token: &str) -> AppResult<(PreferencesView, i64)> {
        let member_id = self.open_mail_link(MailLink::Preferences, token, 1)?[0];
        Ok((self.preferences_of(member_id).await?, member_id))
    }

    /// The member the caller may manage mail for: their own record, or (staff) any.
    async fn member_for_mail(&self, actor: &Actor, member_id: Option<i64>) -> AppResult<i64> {
        let own = self.store.member_by_user(actor.user_id).await?.map(|m| m.id);
        match member_id {
            None => own.ok_or_else(|| AppError::NotFound("You have no membership record.".into())),
            Some(id) if Some(id) == own => Ok(id),
            Some(id) => {
                if !actor.is_staff() {
                    return Err(AppError::Forbidden("You can change only your own mail preferences.".into()));
                }
                self.store
                    .member_by_id(id)
                    .await?
                    .map(|m| m.id)
                    .ok_or_else(|| AppError::NotFound("No such member.".into()))
            }
        }
    }

    /// Saves a member's choices: exactly the lists in `subscribed` of those they may be on,
    /// and the switch for all bulk mail. Returns how many changes were recorded.
    async fn save_preferences(
        &self,
        member_id: i64,
        subscribed: &[i64],
        no_bulk_mail: bool,
        source: &str,
    ) -> AppResult<usize> {
        let lists = self.store.member_subscriptions(member_id).await?;
        if let Some(stray) = subscribed.iter().find(|id| !lists.iter().any(|s| s.list.id == **id)) {
            return Err(AppError::invalid_field(
                "subscribed",
                format!("List {stray} is not one this member can be on."),
            ));
        }
        let change = SubscriptionChange {
            lists: lists.iter().map(|s| (s.list.id, subscribed.contains(&s.list.id))).collect(),
            no_bulk_mail: Some(no_bulk_mail),
            source: source.into(),
            campaign_id: None,
        };
        Ok(self.store.change_subscriptions(member_id, &change, self.clock.unix()).await?)
    }

    /// The signed-in member (or staff, for a member) saves mail preferences.
    pub async fn save_mail_preferences_as(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        subscribed: &[i64],
        no_bulk_mail: bool,
    ) -> AppResult<usize> {
        let member_id = self.member_for_mail(actor, member_id).await?;
        let own = self.store.member_by_user(actor.user_id).await?.map(|m| m.id) == Some(member_id);
        let source = if own { "preferences page" } else { "staff, for the member" };
        self.save_preferences(member_id, subscribed, no_bulk_mail, source).await
    }

    /// Preferences saved from a message's link, without signing in.
    pub async fn save_mail_preferences_by_link(
        &self,
        token: &str,
        subscribed: &[i64],
        no_bulk_mail: bool,
    ) -> AppResult<usize> {
        let member_id = self.open_mail_link(MailLink::Preferences, token, 1)?[0];
        self.save_preferences(member_id, subscribed, no_bulk_mail, "preferences page, from a message").await
    }

    /// RFC 8058 one-click unsubscribe: the member of the link leaves the list at once.
    /// Returns the list's name.
    pub async fn unsubscribe_by_link(&self, token: &str) -> AppResult<String> {
        let parts = self.open_mail_link(MailLink::Unsubscribe, token, 3)?;
        let (member_id, list_id, campaign_id) = (parts[0], parts[1], parts[2]);
        let list =
            self.store.communication_list(list_id).await?.ok_or_else(|| AppError::NotFound("No such list.".into()))?;
        let change = SubscriptionChange {
            lists: vec![(list_id, false)],
            no_bulk_mail: None,
            source: "one-click unsubscribe".into(),
            campaign_id: (campaign_id > 0).then_some(campaign_id),
        };
        match self.store.change_subscriptions(member_id, &change, self.clock.unix()).await {
            // A member who moved chapter is no longer on a chapter's list: nothing to leave.
            Ok(_) | Err(guildhall_store::StoreError::NotFound) => Ok(list.name),
            Err(err) => Err(err.into()),
        }
    }

    /// The member of an unsubscribe link, and the list's name, for the page that confirms it.
    pub async fn unsubscribe_link_target(&self, token: &str) -> AppResult<(String, i64)> {
        let parts = self.open_mail_link(MailLink::Unsubscribe, token, 3)?;
        let list =
            self.store.communication_list(parts[1]).await?.ok_or_else(|| AppError::NotFound("No such list.".into()))?;
        Ok((list.name, parts[0]))
    }
}

/// Whether the actor may write campaigns under a list: staff under any; a chapter's officers
/// under its lists when staff allow it.
pub(crate) fn may_send_under(actor: &Actor, list: &ListRecord) -> bool {
    actor.is_staff() || (list.officers_may_send && list.chapter_id.is_some_and(|c| actor.is_officer_of(c)))
}
