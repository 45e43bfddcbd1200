//! The society's mass mail: what comes back from a campaign and what the society does about it.
//! Pure: the functions take bytes and facts and return answers; reading mailboxes, storing
//! scores and sending re-confirmation emails is the application's job.
//!
//! Files: `mod.rs` (this map), `bounce.rs` (reading a returned message: delivery failures from
//! RFC 3464 reports and the plain-text shapes of older servers, spam complaints from RFC 5965
//! feedback reports, automatic replies to ignore; the VERP token of the recipient; splitting an
//! mbox file), `scoring.rs` (Mailman-style bounce scores: one bounce a day, stale scores
//! forgotten, suspension at a threshold).

mod bounce;
mod scoring;

pub use bounce::{Bounce, BounceKind, Complaint, Feedback, read_feedback, split_mbox, verp_token};
pub use scoring::{BounceRules, BounceState, Verdict};
