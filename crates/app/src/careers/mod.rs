//! The career centre (issue 15): employers and their recruiters, jobs with the licences and
//! certifications they ask for, staff's review before anything is public, and the job search
//! with "jobs I qualify for" matched against the member's own record.
//!
//! Recruiters are not a role: a careers use case loads the employers the actor recruits for
//! ([`App::with_employer_roles`]) and asks `Permission::RecruitFor` / `ManageEmployer`; one
//! that forgets finds none and refuses.
//!
//! Files: `mod.rs` (this map, the actor's employers, the keys a member's record holds),
//! `alerts.rs` (job alerts: saved searches mailed daily or weekly, confirmed by guests, stopped
//! by a signed link), `applications.rs` (applying with a resume and chosen facts, stages, withdrawal),
//! `employers.rs` (employer accounts, their recruiters), `jobs.rs` (writing, submitting and
//! closing jobs; a job's page; the search), `moderation.rs` (staff's review and take-downs),
//! `postings.rs` (posting products, a job's advertising), `orders.rs` (the one path of every
//! paid careers product — a job's run, the resume bank's access: ordering with its invoice,
//! paying, starting once paid),
//! `search.rs` (the job search from a per-node snapshot of the live jobs, `LiveJobs`),
//! `bank.rs` (the resume bank: members' entries, JSON Resume and PDF, employers' paid access,
//! the search without names, invitations to apply),
//! `salary.rs` (the salary survey: responding, staff's survey administration and import, the
//! release with the estimate's model, the benchmark with its CSV, "you vs peers", the salary
//! estimate), `tokens.rs` (employers' API tokens, issued by an owner, only the employer's jobs).

mod alerts;
mod applications;
mod bank;
mod employers;
mod jobs;
mod moderation;
mod orders;
mod postings;
pub mod salary;
mod search;
mod tokens;

use std::collections::BTreeSet;

use guildhall_domain::careers::{Comity, HeldCertification, HeldLicence, held_keys};
use guildhall_domain::member::{CredentialSource, Jurisdiction, LicenceKind};

pub use alerts::{JOB_ALERTS_PER_ACCOUNT, JobAlertOutcome, JobAlertRequest, JobAlertView};
pub use applications::{ApplicationForm, ApplicationView, ApplyView, MAX_RESUME_BYTES, SharedFact, SharedFacts};
pub use bank::{
    BankAccessView, BankEntryForm, BankQuery, BankView, CANDIDATES_A_PAGE, CandidateView, ResumeBankView,
    discipline_words,
};
pub use employers::{EmployerAccount, EmployerForm, EmployerView};
pub use jobs::{JOBS_A_PAGE, JobForm, JobSearchView, JobView, REQUIREMENT_ROWS, RequirementRow};
pub use moderation::ReviewQueue;
pub use orders::Purchase;
pub use postings::JobAdvertising;
pub use search::{KeptLiveJobs, LIVE_JOBS_TTL, LiveJobs, search_words};
pub use tokens::EmployerTokens;

use crate::error::AppResult;
use crate::{Actor, App, EmployerRole};

impl App {
    /// The actor with the employers they recruit for (one indexed read).
    pub async fn with_employer_roles(&self, actor: &Actor) -> AppResult<Actor> {
        let roles = self.store.employer_roles(actor.user_id).await?;
        Ok(Actor {
            // An employer's token recruits for its employer only, never as an owner.
            employers: roles
                .into_iter()
                .filter(|r| actor.employer_token.is_none_or(|e| e == r.employer_id))
                .map(|r| EmployerRole {
                    employer_id: r.employer_id,
                    owner: r.is_owner && actor.employer_token.is_none(),
                })
                .collect(),
            ..actor.clone()
        })
    }

    /// The licences and certifications on a member's record, as matching reads them.
    pub(crate) async fn held_credentials(
        &self,
        member_id: i64,
    ) -> AppResult<(Vec<HeldLicence>, Vec<HeldCertification>)> {
        let mut licences = Vec::new();
        let mut certifications = Vec::new();
        for row in self.store.ce_credentials(member_id).await? {
            match row.source {
                CredentialSource::Licence => {
                    if let (Ok(jurisdiction), Some(kind)) =
                        (Jurisdiction::parse(&row.label), LicenceKind::parse(&row.detail))
                    {
                        licences.push(HeldLicence { jurisdiction, kind, expires_on: row.expires_on });
                    }
                }
                CredentialSource::Certification => {
                    certifications.push(HeldCertification { programme: row.ruleset, expires_on: row.expires_on })
                }
            }
        }
        Ok((licences, certifications))
    }

    /// The requirement keys a member's record holds today, and those its licences would meet
    /// by comity.
    async fn requirement_keys_of(&self, member_id: i64) -> AppResult<(BTreeSet<String>, BTreeSet<String>)> {
        let (licences, certifications) = self.held_credentials(member_id).await?;
        let today = self.clock.today();
        Ok((held_keys(&licences, &certifications, today), Comity::embedded().keys(&licences, today)))
    }
}
