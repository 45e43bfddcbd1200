//! The society's mass mail: who a campaign goes to, what each message says, and what comes
//! back from it and what the society does about it.
//! Pure: the functions take bytes and facts and return answers; reading mailboxes, storing
//! scores and sending re-confirmation emails is the application's job.
//!
//! Files: `mod.rs` (this map), `audience.rs` (who a campaign goes to: lists, chapters, groups,
//! tiers, standings and event registrants, included and excluded), `merge.rs` (merge fields
//! such as `{{first_name}}`), `campaign.rs` (a campaign's status), `automation.rs` (welcome and win-back series: when
//! each step is due), `bounce.rs` (reading a returned message: delivery failures from
//! RFC 3464 reports and the plain-text shapes of older servers, spam complaints from RFC 5965
//! feedback reports, automatic replies to ignore; the VERP token of the recipient; splitting an
//! mbox file), `scoring.rs` (Mailman-style bounce scores: one bounce a day, stale scores
//! forgotten, suspension at a threshold).

mod audience;
mod automation;
mod bounce;
mod campaign;
mod merge;
mod scoring;

pub use audience::{Audience, AudienceInput, AudienceKind, AudienceRule, MAX_RULES, RuleInput};
pub use automation::{AutomationKind, MAX_DELAY_DAYS, due_start_days};
pub use bounce::{Bounce, BounceKind, Complaint, Feedback, read_feedback, split_mbox, verp_token};
pub use campaign::CampaignStatus;
pub use merge::{MERGE_FIELDS, MergeValues, escape_markdown, fields_used, merge, merge_problem};
pub use scoring::{BounceRules, BounceState, Verdict};
