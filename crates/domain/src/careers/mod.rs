//! The career centre's rules (issue 15; built piece by piece, see docs/design/careers-plan.md).
//!
//! Files: `mod.rs` (this map), `alerts.rs` (how often a job alert is mailed), `comity.rs` (the society's comity rules from `rules/comity.toml`, and
//! the keys a member's licences would meet by comity), `applications.rs` (an application's stages and who may move it
//! where), `jobs.rs` (a job's pay range, required and read with every
//! problem named, annualised for search and put in words; its remote policy; staff's review;
//! where it stands: draft, waiting, live, expired, closed), `matching.rs` (whether a member's licences and certifications
//! meet a job's requirements: held, held elsewhere and recognised by comity, expired or
//! missing, required or only preferred), `requirements.rs` (a requirement as its stored key,
//! read from the employer's form; the keys a member's record holds), `filter.rs` (the job
//! search's filters from and to a query string), `salary.rs` (the salary survey's vocabulary:
//! experience bands, regions from jurisdictions, currency zones, licence classes, sectors,
//! employer sizes, education, job functions, employer keys, a response as typed, a benchmark
//! question), `bank.rs` (the resume bank's entry as a member fills it in), `json_resume.rs`
//! (a member's resume in the JSON Resume schema, from their record).

mod alerts;
mod applications;
mod bank;
mod comity;
mod filter;
mod jobs;
pub mod json_resume;
mod matching;
mod requirements;
pub mod salary;

pub use alerts::AlertFrequency;
pub use applications::ApplicationStage;
pub use bank::{BankFacts, BankInput, INVITATION_DAYS, InvitationStatus, MAX_SUMMARY_CHARS, ProductKind};
pub use comity::ComityFileError;
pub use filter::JobFilter;
pub use jobs::{ClosedReason, HOURS_A_YEAR, JobFacts, JobState, Moderation, PayPeriod, RemotePolicy, SalaryRange};
pub use requirements::{CERTIFICATION_PREFIX, held_keys, parse_requirement};

pub use matching::{
    Assessment, Comity, ComityRule, HeldCertification, HeldLicence, Met, Need, Requirement, Verdict, Wanted, assess,
};
