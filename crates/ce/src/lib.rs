//! Guildhall continuing-education (CE/PDH) compliance rules engine.
//!
//! * Rule sets are data: one TOML file per licensing board or certification body in the
//!   repository's `rules/` folder, embedded with [`RuleBook::embedded`], or loaded with
//!   [`RuleBook::from_sources`] (e.g. a society-defined programme). Loading validates
//!   everything and refuses a bad file with its name, line and reason.
//! * The engine is pure Rust with no I/O: [`evaluate_member`] explains every number;
//!   [`evaluate_summary`] gives the status per credential without allocating (bulk use).
//! * [`evaluate_json`] is the entry point of `guildhall ce evaluate FILE|-`
//!   (format: docs/ce-evaluate.md).

pub mod amount;
pub mod build;
pub mod dates;
pub mod engine;
pub mod json;
pub mod model;
pub mod report;
pub mod rules;

pub use amount::{Amount, Credit};
pub use build::{MemberBuilder, TooManyTags};
pub use engine::{Names, Period, PlaceError, Scratch, Summary, evaluate_member, evaluate_summary, place_periods};
pub use json::{evaluate_json, evaluate_value, parse_input};
pub use model::{Activity, Credential, LicensureMethod, Member, Session, When};
pub use report::{ActivityResult, CredentialResult, Evaluation, PeriodResult, Status};
pub use rules::{RuleBook, Ruleset, RulesetHistory, TagSet, Unit, unit_words};

/// Errors from loading rule files or reading evaluation input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CeError {
    /// A rule file was refused.
    #[error("rule file {file}, line {line}: {reason}")]
    RuleFile { file: String, line: usize, reason: String },
    /// The evaluation input is not valid.
    #[error("invalid evaluation input: {0}")]
    Input(String),
}
