//! The careers area's rows.

use guildhall_domain::careers::{ApplicationStage, ClosedReason, Moderation, Need, PayPeriod, RemotePolicy, Wanted};
use guildhall_domain::csv::members::Discipline;
use guildhall_domain::member::{Jurisdiction, LicenceKind};
use time::Date;

use crate::{StoreError, UnixTime};

/// An employer account, with how many of its jobs are live now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmployerRecord {
    pub id: i64,
    pub name: String,
    pub website: String,
    pub about: String,
    /// The organisational membership it is, if it is one.
    pub organisation_payer_id: Option<i64>,
    pub created_at: UnixTime,
    pub live_jobs: i64,
}

/// Someone who recruits for an employer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecruiterRecord {
    pub employer_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
    pub is_owner: bool,
    pub added_at: UnixTime,
}

/// An employer an account recruits for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmployerRoleRecord {
    pub employer_id: i64,
    pub is_owner: bool,
}

/// A job as its page, its employer and staff read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub employer_id: i64,
    pub employer_name: String,
    pub title: String,
    pub description_md: String,
    pub discipline: Discipline,
    /// The career stage's code (`student`, `eit`, `licensed`, …), as the member CSV's.
    pub career_stage: String,
    pub jurisdiction: Option<Jurisdiction>,
    pub city: String,
    pub remote: RemotePolicy,
    pub salary_min_cents: i64,
    pub salary_max_cents: i64,
    pub pay_period: PayPeriod,
    pub currency: String,
    pub closes_on: Option<Date>,
    pub moderation: Moderation,
    pub moderation_note: String,
    pub moderated_at: Option<UnixTime>,
    pub live_from: Option<UnixTime>,
    pub live_until: Option<UnixTime>,
    pub featured: bool,
    pub closed_at: Option<UnixTime>,
    pub closed_reason: Option<ClosedReason>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// The row as read; codes become the domain's types in [`JobRecord`]'s `TryFrom`.
#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    employer_id: i64,
    employer_name: String,
    title: String,
    description_md: String,
    discipline: String,
    career_stage: String,
    jurisdiction: Option<String>,
    city: String,
    remote: String,
    salary_min_cents: i64,
    salary_max_cents: i64,
    pay_period: String,
    currency: String,
    closes_on: Option<Date>,
    moderation: String,
    moderation_note: String,
    moderated_at: Option<UnixTime>,
    live_from: Option<UnixTime>,
    live_until: Option<UnixTime>,
    featured: bool,
    closed_at: Option<UnixTime>,
    closed_reason: Option<String>,
    created_at: UnixTime,
    updated_at: UnixTime,
}

fn invalid(what: &str, code: &str) -> StoreError {
    StoreError::Invalid(format!("unknown {what} code {code:?}"))
}

impl TryFrom<JobRow> for JobRecord {
    type Error = StoreError;

    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        Ok(JobRecord {
            discipline: Discipline::parse(&r.discipline).ok_or_else(|| invalid("discipline", &r.discipline))?,
            jurisdiction: r
                .jurisdiction
                .map(|j| Jurisdiction::parse(&j).map_err(|_| invalid("jurisdiction", &j)))
                .transpose()?,
            remote: RemotePolicy::from_code(&r.remote).ok_or_else(|| invalid("remote policy", &r.remote))?,
            pay_period: PayPeriod::from_code(&r.pay_period).ok_or_else(|| invalid("pay period", &r.pay_period))?,
            moderation: Moderation::from_code(&r.moderation).ok_or_else(|| invalid("job review", &r.moderation))?,
            closed_reason: r
                .closed_reason
                .map(|c| ClosedReason::from_code(&c).ok_or_else(|| invalid("closing reason", &c)))
                .transpose()?,
            id: r.id,
            employer_id: r.employer_id,
            employer_name: r.employer_name,
            title: r.title,
            description_md: r.description_md,
            career_stage: r.career_stage,
            city: r.city,
            salary_min_cents: r.salary_min_cents,
            salary_max_cents: r.salary_max_cents,
            currency: r.currency,
            closes_on: r.closes_on,
            moderation_note: r.moderation_note,
            moderated_at: r.moderated_at,
            live_from: r.live_from,
            live_until: r.live_until,
            featured: r.featured,
            closed_at: r.closed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// One requirement of a job, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRequirementRecord {
    pub job_id: i64,
    pub need: Need,
    pub wanted: Wanted,
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRequirementRow {
    job_id: i64,
    need: String,
    jurisdiction: Option<String>,
    licence_kind: Option<String>,
    programme: Option<String>,
}

impl TryFrom<JobRequirementRow> for JobRequirementRecord {
    type Error = StoreError;

    fn try_from(r: JobRequirementRow) -> Result<Self, StoreError> {
        let wanted = match (r.licence_kind, r.programme) {
            (Some(kind), None) => Wanted::Licence {
                jurisdiction: r
                    .jurisdiction
                    .map(|j| Jurisdiction::parse(&j).map_err(|_| invalid("jurisdiction", &j)))
                    .transpose()?,
                kind: LicenceKind::parse(&kind).ok_or_else(|| invalid("licence kind", &kind))?,
            },
            (None, Some(programme)) => Wanted::Certification { programme },
            _ => {
                return Err(StoreError::Invalid(
                    "a job requirement names neither a licence nor a certification".into(),
                ));
            }
        };
        Ok(JobRequirementRecord {
            job_id: r.job_id,
            need: Need::from_code(&r.need).ok_or_else(|| invalid("requirement need", &r.need))?,
            wanted,
        })
    }
}

/// A job as its employer writes it (the store computes nothing but keys and the yearly range
/// given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub title: String,
    pub description_md: String,
    pub discipline: Discipline,
    pub career_stage: String,
    pub jurisdiction: Option<Jurisdiction>,
    pub city: String,
    pub remote: RemotePolicy,
    pub salary_min_cents: i64,
    pub salary_max_cents: i64,
    pub pay_period: PayPeriod,
    pub currency: String,
    pub annual_min_cents: i64,
    pub annual_max_cents: i64,
    pub closes_on: Option<Date>,
    /// Its requirements, in the form's order.
    pub requirements: Vec<(Need, Wanted)>,
}

/// A live job as the search lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobCardRecord {
    pub id: i64,
    pub employer_id: i64,
    pub employer_name: String,
    pub title: String,
    pub discipline: String,
    pub jurisdiction: Option<String>,
    pub city: String,
    #[sqlx(try_from = "String")]
    pub remote: RemotePolicy,
    pub salary_min_cents: i64,
    pub salary_max_cents: i64,
    #[sqlx(try_from = "String")]
    pub pay_period: PayPeriod,
    pub currency: String,
    pub featured: bool,
    pub live_from: UnixTime,
    pub closes_on: Option<Date>,
}

/// A live job as the search's per-node snapshot holds it: its card, what the filters read
/// beyond the card, and its requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveJobRecord {
    pub card: JobCardRecord,
    /// The career stage's code.
    pub career_stage: String,
    pub annual_max_cents: i64,
    /// When its run ends.
    pub live_until: UnixTime,
    /// The keys ([`Wanted::key`]) of what it requires.
    pub required_keys: Vec<String>,
    /// The licence kinds it asks for, required or preferred.
    pub licence_kinds: Vec<LicenceKind>,
}

/// [`LiveJobRecord`] as read: the requirements as one text (records separated by U+001E,
/// need, key and licence kind by U+001F).
#[derive(Debug, sqlx::FromRow)]
pub struct LiveJobRow {
    #[sqlx(flatten)]
    pub card: JobCardRecord,
    pub career_stage: String,
    pub annual_max_cents: i64,
    pub live_until: UnixTime,
    pub requirements: Option<String>,
}

impl TryFrom<LiveJobRow> for LiveJobRecord {
    type Error = StoreError;

    fn try_from(r: LiveJobRow) -> Result<Self, StoreError> {
        let mut required_keys = Vec::new();
        let mut licence_kinds = Vec::new();
        for requirement in r.requirements.as_deref().unwrap_or("").split('\u{1e}').filter(|s| !s.is_empty()) {
            let mut fields = requirement.split('\u{1f}');
            let (Some(need), Some(key), Some(kind)) = (fields.next(), fields.next(), fields.next()) else {
                return Err(invalid("job requirement", requirement));
            };
            match Need::from_code(need).ok_or_else(|| invalid("requirement need", need))? {
                Need::Required => required_keys.push(key.to_string()),
                Need::Preferred => {}
            }
            if !kind.is_empty() {
                let kind = LicenceKind::parse(kind).ok_or_else(|| invalid("licence kind", kind))?;
                if !licence_kinds.contains(&kind) {
                    licence_kinds.push(kind);
                }
            }
        }
        Ok(LiveJobRecord {
            card: r.card,
            career_stage: r.career_stage,
            annual_max_cents: r.annual_max_cents,
            live_until: r.live_until,
            required_keys,
            licence_kinds,
        })
    }
}

/// A job waiting for staff's review (or recently reviewed), with its employer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobReviewRecord {
    pub id: i64,
    pub employer_id: i64,
    pub employer_name: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub moderation: Moderation,
    pub updated_at: UnixTime,
}

/// Where a job is, in words: "Austin, Texas · Hybrid", "Remote".
fn place_words(city: &str, jurisdiction: Option<&str>, remote: RemotePolicy) -> String {
    let region = jurisdiction.and_then(|j| Jurisdiction::parse(j).ok()).map(|j| j.name().to_string());
    let mut parts: Vec<String> = Vec::new();
    match (city.is_empty(), region) {
        (false, Some(r)) => parts.push(format!("{city}, {r}")),
        (false, None) => parts.push(city.to_string()),
        (true, Some(r)) => parts.push(r),
        (true, None) => {}
    }
    if remote != RemotePolicy::OnSite || parts.is_empty() {
        parts.push(remote.label().to_string());
    }
    parts.join(" · ")
}

impl JobCardRecord {
    /// The pay range in words.
    pub fn salary_words(&self) -> String {
        guildhall_domain::careers::SalaryRange {
            min_cents: self.salary_min_cents,
            max_cents: self.salary_max_cents,
            period: self.pay_period,
        }
        .words()
    }

    pub fn place(&self) -> String {
        place_words(&self.city, self.jurisdiction.as_deref(), self.remote)
    }

    /// The discipline as people read it ("Civil").
    pub fn discipline_label(&self) -> String {
        capitalised(&self.discipline)
    }
}

impl JobRecord {
    pub fn place(&self) -> String {
        place_words(&self.city, self.jurisdiction.as_ref().map(|j| j.as_str()), self.remote)
    }

    pub fn discipline_label(&self) -> String {
        capitalised(self.discipline.as_str())
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What an employer buys to advertise a job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PostingProductRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// A run of a job, or access to the resume bank.
    #[sqlx(try_from = "String")]
    pub kind: guildhall_domain::careers::ProductKind,
    pub days: i64,
    pub featured: bool,
    pub price_cents: i64,
    /// The price for an employer that is an organisational member in good standing.
    pub member_price_cents: i64,
    pub active: bool,
    pub sort_order: i64,
}

/// An order of a careers product (a run of a job, access to the resume bank), with its
/// invoice's state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProductOrderRecord {
    pub id: i64,
    pub days: i64,
    /// A featured run of a job (access to the bank never is).
    pub featured: bool,
    pub price_cents: i64,
    pub invoice_id: Option<i64>,
    /// Its invoice is open: not yet paid (nor void).
    pub awaiting_payment: bool,
    pub ordered_by: Option<i64>,
    pub ordered_at: UnixTime,
    pub started_at: Option<UnixTime>,
    pub ends_at: Option<UnixTime>,
}

/// An application with its job, employer and applicant.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationRecord {
    pub id: i64,
    pub job_id: i64,
    pub job_title: String,
    pub employer_id: i64,
    pub employer_name: String,
    pub member_id: i64,
    pub applicant_name: String,
    pub applicant_email: String,
    pub resume_id: Option<i64>,
    pub resume_file_name: Option<String>,
    pub cover_letter: String,
    /// What the applicant shared, as JSON (see `app::careers::SharedFacts`).
    pub shared_facts: String,
    #[sqlx(try_from = "String")]
    pub stage: ApplicationStage,
    pub stage_changed_at: UnixTime,
    pub created_at: UnixTime,
}

/// One move of an application.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationStageRecord {
    #[sqlx(try_from = "String")]
    pub stage: ApplicationStage,
    pub changed_at: UnixTime,
    pub message: String,
}

/// A resume as uploaded (a PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResume {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// An application as the member sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub job_id: i64,
    pub member_id: i64,
    pub resume: NewResume,
    pub cover_letter: String,
    pub shared_facts: String,
}

/// A stored resume's file.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResumeFileRecord {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}
