//! The communications area's rows.

use guildhall_domain::communications::{AutomationKind, BounceKind, CampaignStatus};
use time::Date;

use crate::UnixTime;

/// A communication list, with how many members it reaches now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub purpose: String,
    /// Only those who subscribe (else everyone it is for, until they leave).
    pub opt_in: bool,
    /// A chapter's list: for its members, and its officers may send when allowed.
    pub chapter_id: Option<i64>,
    pub chapter_name: Option<String>,
    pub officers_may_send: bool,
    pub officer_sends_per_month: i64,
    pub archived_at: Option<UnixTime>,
    pub created_at: UnixTime,
}

/// A list to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewList {
    pub slug: String,
    pub name: String,
    pub purpose: String,
    pub opt_in: bool,
    pub chapter_id: Option<i64>,
    pub officers_may_send: bool,
    pub officer_sends_per_month: i64,
}

/// A list a member may be on, and whether they are.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriptionRecord {
    #[sqlx(flatten)]
    pub list: ListRecord,
    pub subscribed: bool,
}

/// A change of consent, as the member's record shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentChangeRecord {
    pub id: i64,
    /// None: the switch for all bulk mail.
    pub list_id: Option<i64>,
    pub list_name: Option<String>,
    pub subscribed: bool,
    pub source: String,
    pub campaign_id: Option<i64>,
    pub changed_at: UnixTime,
}

/// What a member (or staff, or a link) changes at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriptionChange {
    /// (list id, subscribed)
    pub lists: Vec<(i64, bool)>,
    /// Some: set the switch for all bulk mail.
    pub no_bulk_mail: Option<bool>,
    /// How the change was made, in words ("preferences page", "one-click unsubscribe").
    pub source: String,
    pub campaign_id: Option<i64>,
}

/// A campaign.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignRecord {
    pub id: i64,
    pub list_id: i64,
    pub list_name: String,
    pub subject: String,
    pub body: String,
    /// The audience as JSON (`AudienceInput`).
    pub audience: String,
    #[sqlx(try_from = "String")]
    pub status: CampaignStatus,
    pub scheduled_for: Option<UnixTime>,
    pub chapter_id: Option<i64>,
    pub created_by: Option<i64>,
    pub recipients: i64,
    pub send_started_at: Option<UnixTime>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    /// A step of an automated series, and the days after the member's start it goes.
    pub automation_id: Option<i64>,
    pub delay_days: Option<i64>,
}

/// A campaign to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub list_id: i64,
    pub subject: String,
    pub body: String,
    pub audience: String,
    pub chapter_id: Option<i64>,
    pub created_by: Option<i64>,
}

/// What became of a campaign's messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignReport {
    pub recipients: i64,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    /// Handed to the relay when the sender stopped, and not sent again.
    pub undetermined: i64,
    pub hard_bounces: i64,
    pub soft_bounces: i64,
    pub complaints: i64,
    pub unsubscribed: i64,
    /// Recipients who opened it (its image loaded, or a link followed), while tracking was on.
    pub opened: i64,
    /// Recipients who followed one of its links, while tracking was on.
    pub clicked: i64,
}

/// A bounce or complaint to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReturnedMail {
    /// Lowercased.
    pub address: String,
    /// A bounce's kind; `None`: a spam complaint.
    pub kind: Option<BounceKind>,
    pub status: String,
    pub diagnostic: String,
    pub policy: bool,
    pub outbox_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

/// An address's delivery health.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailAddressRecord {
    pub address: String,
    /// Half points: a hard bounce 2, a soft one 1.
    pub bounce_points: i64,
    pub last_bounce_on: Option<Date>,
    pub last_bounce_hard: bool,
    pub suspended_at: Option<UnixTime>,
    pub reconfirm_sent_at: Option<UnixTime>,
    pub updated_at: UnixTime,
}

/// A welcome series or win-back: the list it goes under and since when it is on.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AutomationRecord {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: AutomationKind,
    pub list_id: i64,
    pub list_name: String,
    /// The day it was switched on; `None` while it is off.
    pub active_since: Option<Date>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A step of a series to write: its delay and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAutomationStep {
    pub delay_days: i64,
    pub subject: String,
    pub body: String,
    pub created_by: Option<i64>,
}
