//! Jobs: written by an employer's recruiters (a draft, then sent for review), changed (a
//! reviewed job goes back for review), closed as filled or withdrawn; a job's page (public
//! only while live; its recruiters and staff see it in every state); and the search.

use guildhall_domain::careers::{
    Assessment, ClosedReason, Comity, JobFacts, JobFilter, JobState, Need, RemotePolicy, Requirement, SalaryRange,
    Wanted, assess, parse_requirement,
};
use guildhall_domain::csv::members::{Discipline, parse_career_stage};
use guildhall_domain::member::Jurisdiction;
use guildhall_store::{JobCardRecord, JobRecord, JobSearch, NewJob, Page, PageRequest, StoreError};
use time::OffsetDateTime;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::knowledge::markdown;
use crate::{Actor, App, Permission};

/// Requirement rows the employer's form offers.
pub const REQUIREMENT_ROWS: usize = 4;
/// Jobs a search page lists.
pub const JOBS_A_PAGE: u32 = 20;

/// One requirement row of the form as typed: need, what (a licence kind's code or
/// `cert:` and a programme), jurisdiction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirementRow {
    pub need: String,
    pub what: String,
    pub jurisdiction: String,
}

/// A job as typed in the employer's form.
#[derive(Debug, Clone, Default)]
pub struct JobForm {
    pub title: String,
    pub description: String,
    pub discipline: String,
    pub career_stage: String,
    pub jurisdiction: String,
    pub city: String,
    pub remote: String,
    pub salary_min: String,
    pub salary_max: String,
    pub pay_period: String,
    pub closes_on: String,
    pub requirements: Vec<RequirementRow>,
}

impl JobForm {
    /// The form filled from a stored job (for changing it).
    pub fn from_job(job: &JobRecord, requirements: &[Requirement]) -> JobForm {
        let money = |cents: i64| match cents % 100 {
            0 => (cents / 100).to_string(),
            _ => format!("{}.{:02}", cents / 100, cents % 100),
        };
        let mut rows: Vec<RequirementRow> = requirements
            .iter()
            .map(|r| match &r.wanted {
                Wanted::Licence { jurisdiction, kind } => RequirementRow {
                    need: r.need.code().into(),
                    what: kind.code().into(),
                    jurisdiction: jurisdiction.as_ref().map(|j| j.as_str().to_string()).unwrap_or_default(),
                },
                Wanted::Certification { programme } => RequirementRow {
                    need: r.need.code().into(),
                    what: format!("{}{programme}", guildhall_domain::careers::CERTIFICATION_PREFIX),
                    jurisdiction: String::new(),
                },
            })
            .collect();
        rows.resize(REQUIREMENT_ROWS.max(rows.len()), RequirementRow::default());
        JobForm {
            title: job.title.clone(),
            description: job.description_md.clone(),
            discipline: job.discipline.as_str().into(),
            career_stage: job.career_stage.clone(),
            jurisdiction: job.jurisdiction.as_ref().map(|j| j.as_str().to_string()).unwrap_or_default(),
            city: job.city.clone(),
            remote: job.remote.code().into(),
            salary_min: money(job.salary_min_cents),
            salary_max: money(job.salary_max_cents),
            pay_period: job.pay_period.code().into(),
            closes_on: job.closes_on.map(|d| d.to_string()).unwrap_or_default(),
            requirements: rows,
        }
    }
}

/// A job's page.
#[derive(Debug, Clone)]
pub struct JobView {
    pub job: JobRecord,
    pub requirements: Vec<Requirement>,
    pub state: JobState,
    pub description_html: String,
    /// The pay range in words ("$90,000–$120,000 a year").
    pub salary_words: String,
    /// Whether the actor recruits for its employer (or is staff): they see every state.
    pub may_manage: bool,
    /// How the signed-in member's record meets the requirements (members only).
    pub assessment: Option<Assessment>,
}

/// A page of the job search.
#[derive(Debug, Clone)]
pub struct JobSearchView {
    pub filter: JobFilter,
    pub jobs: Page<JobCardRecord>,
    /// Whether "jobs I qualify for" can be offered (the actor has a member record).
    pub can_match: bool,
}

fn unix_time(unix: Option<i64>) -> Option<OffsetDateTime> {
    unix.and_then(|u| OffsetDateTime::from_unix_timestamp(u).ok())
}

impl App {
    /// Where a job stands now.
    pub fn job_state(&self, job: &JobRecord) -> JobState {
        let facts = JobFacts {
            moderation: job.moderation,
            live_from: unix_time(job.live_from),
            live_until: unix_time(job.live_until),
            closes_on: job.closes_on,
            closed: job.closed_reason,
        };
        JobState::of(&facts, self.clock.now(), self.clock.today())
    }

    /// The certification programmes a requirement may name (codes).
    fn programme_codes(&self) -> Vec<String> {
        self.ce_certification_programmes().into_iter().map(|(code, _)| code).collect()
    }

    /// Reads the employer's form: every problem at once, each with its field.
    async fn read_job_form(&self, form: &JobForm) -> AppResult<NewJob> {
        let mut errors = FieldErrors::default();
        let title = errors.text(&form.title, "title", "the job's title", 200, true);
        let description_md = errors.markdown(&form.description, "description", "a description of the job", 20_000);
        let discipline = Discipline::parse(&form.discipline);
        if discipline.is_none() {
            errors.add("discipline", "Choose the job's discipline.");
        }
        let career_stage = match form.career_stage.trim() {
            "" => None,
            raw => parse_career_stage(raw),
        };
        if career_stage.is_none() {
            errors.add("career_stage", "Choose the career stage the job is for.");
        }
        let jurisdiction = match form.jurisdiction.trim() {
            "" => None,
            raw => errors.check("jurisdiction", Jurisdiction::parse(raw)),
        };
        let city = errors.text(&form.city, "city", "the city", 100, false);
        let remote = RemotePolicy::from_code(form.remote.trim());
        if remote.is_none() {
            errors.add("remote", "Choose on site, hybrid or remote.");
        }
        if remote != Some(RemotePolicy::Remote) && jurisdiction.is_none() {
            errors.add("jurisdiction", "Give the state or province where the job is (or make it remote).");
        }
        let salary = match SalaryRange::parse(&form.salary_min, &form.salary_max, &form.pay_period) {
            Ok(range) => Some(range),
            Err(problems) => {
                for (field, message) in problems {
                    errors.add(field, message);
                }
                None
            }
        };
        let today = self.clock.today();
        let closes_on = match form.closes_on.trim() {
            "" => None,
            raw => match time::Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]")) {
                Ok(day) if day < today => {
                    errors.add("closes_on", "The closing date has passed: give a later one, or none.");
                    None
                }
                Ok(day) if day > today + time::Duration::days(365) => {
                    errors.add("closes_on", "Give a closing date within a year.");
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    errors.add("closes_on", "Give the closing date as YYYY-MM-DD.");
                    None
                }
            },
        };
        let programmes = self.programme_codes();
        let mut requirements: Vec<(Need, Wanted)> = Vec::new();
        for (i, row) in form.requirements.iter().enumerate() {
            let field = format!("requirement_{}", i + 1);
            match parse_requirement(&row.need, &row.what, &row.jurisdiction, &programmes) {
                Ok(Some(r)) if requirements.iter().any(|(_, w)| w.key() == r.wanted.key()) => {
                    errors.add(&field, "This requirement is already listed.")
                }
                Ok(Some(r)) => requirements.push((r.need, r.wanted)),
                Ok(None) => {}
                Err(message) => errors.add(&field, message),
            }
        }
        errors.into_result()?;
        let (Some(discipline), Some(career_stage), Some(remote), Some(salary)) =
            (discipline, career_stage, remote, salary)
        else {
            return Err(AppError::invalid("Check the job's details."));
        };
        let (annual_min_cents, annual_max_cents) = salary.annual_cents();
        Ok(NewJob {
            title,
            description_md,
            discipline,
            career_stage: guildhall_domain::csv::members::career_stage_code(career_stage).into(),
            jurisdiction,
            city,
            remote,
            salary_min_cents: salary.min_cents,
            salary_max_cents: salary.max_cents,
            pay_period: salary.period,
            currency: self.currency().await,
            annual_min_cents,
            annual_max_cents,
            closes_on,
            requirements,
        })
    }

    /// A job of the employer, for its recruiters (and staff); 404 for anyone else.
    pub async fn employer_job(&self, actor: &Actor, employer_id: i64, job_id: i64) -> AppResult<JobView> {
        let actor = self.with_employer_roles(actor).await?;
        let view = self.job_view(Some(&actor), job_id).await?;
        if view.job.employer_id != employer_id || !view.may_manage {
            return Err(AppError::NotFound("No such job.".into()));
        }
        Ok(view)
    }

    /// A recruiter writes a job: a draft, or sent for review at once (`submit`); its id.
    pub async fn create_job(
        &self,
        actor: &Actor,
        employer_id: i64,
        form: &JobForm,
        submit: bool,
        request_id: &str,
    ) -> AppResult<i64> {
        let actor = self.with_employer_roles(actor).await?;
        let employer = self.employer_account(&actor, employer_id).await?.employer;
        actor.require(Permission::RecruitFor(employer_id))?;
        let job = self.read_job_form(form).await?;
        let mut audit = self.audit_entry(&actor, "job.created", "job", request_id);
        audit.subject_label = format!("{} — {}", job.title, employer.name);
        Ok(self.store.create_job(employer_id, &job, submit, actor.user_id, self.clock.unix(), &audit).await?)
    }

    /// A recruiter changes a job; one already reviewed goes back for review.
    pub async fn update_job(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
        form: &JobForm,
        submit: bool,
        request_id: &str,
    ) -> AppResult<()> {
        let view = self.employer_job(actor, employer_id, job_id).await?;
        if view.job.closed_at.is_some() {
            return Err(AppError::Conflict {
                message: "This job is closed: it can no longer be changed.".into(),
                field: None,
            });
        }
        let job = self.read_job_form(form).await?;
        let mut audit = self.audit_entry(actor, "job.updated", "job", request_id);
        audit.subject_id = Some(job_id);
        audit.subject_label = format!("{} — {}", job.title, view.job.employer_name);
        audit.before_json =
            Some(serde_json::json!({ "title": view.job.title, "review": view.job.moderation.label() }).to_string());
        match self.store.update_job(job_id, employer_id, &job, submit, self.clock.unix(), &audit).await {
            Err(StoreError::NotFound) => Err(AppError::Conflict {
                message: "This job is closed: it can no longer be changed.".into(),
                field: None,
            }),
            other => {
                other?;
                // A job reviewed before goes back for review: out of the search.
                self.forget_live_jobs();
                Ok(())
            }
        }
    }

    /// A recruiter sends a draft (or a job not approved) for review.
    pub async fn submit_job(&self, actor: &Actor, employer_id: i64, job_id: i64, request_id: &str) -> AppResult<()> {
        let view = self.employer_job(actor, employer_id, job_id).await?;
        let mut audit = self.audit_entry(actor, "job.submitted", "job", request_id);
        audit.subject_id = Some(job_id);
        audit.subject_label = format!("{} — {}", view.job.title, view.job.employer_name);
        if !self.store.submit_job(job_id, employer_id, self.clock.unix(), &audit).await? {
            return Err(AppError::Conflict {
                message: "Only a draft, or a job that was not approved, can be sent for review.".into(),
                field: None,
            });
        }
        Ok(())
    }

    /// A recruiter closes a job as filled or withdrawn: it leaves the search at once.
    pub async fn close_job(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
        reason: &str,
        request_id: &str,
    ) -> AppResult<()> {
        let view = self.employer_job(actor, employer_id, job_id).await?;
        let reason = match ClosedReason::from_code(reason) {
            Some(r @ (ClosedReason::Filled | ClosedReason::Withdrawn)) => r,
            _ => return Err(AppError::invalid_field("reason", "Choose filled or withdrawn.")),
        };
        let mut audit = self.audit_entry(actor, "job.closed", "job", request_id);
        audit.subject_id = Some(job_id);
        audit.subject_label = format!("{} — {}", view.job.title, view.job.employer_name);
        audit.after_json = Some(serde_json::json!({ "reason": reason.label() }).to_string());
        if !self.store.close_job(job_id, Some(employer_id), reason, self.clock.unix(), &audit).await? {
            return Err(AppError::Conflict { message: "This job is already closed.".into(), field: None });
        }
        self.forget_live_jobs();
        Ok(())
    }

    /// A job and what the actor may see of it: the public see it only while live.
    async fn job_view(&self, actor: Option<&Actor>, job_id: i64) -> AppResult<JobView> {
        let not_found = || AppError::NotFound("No such job, or it is no longer advertised.".into());
        let job = self.store.job(job_id).await?.ok_or_else(not_found)?;
        let state = self.job_state(&job);
        let may_manage = actor.is_some_and(|a| a.allows(Permission::RecruitFor(job.employer_id)));
        if !state.is_live() && !may_manage {
            return Err(not_found());
        }
        let requirements: Vec<Requirement> = self
            .store
            .job_requirements(job_id)
            .await?
            .into_iter()
            .map(|r| Requirement { need: r.need, wanted: r.wanted })
            .collect();
        let salary =
            SalaryRange { min_cents: job.salary_min_cents, max_cents: job.salary_max_cents, period: job.pay_period };
        Ok(JobView {
            description_html: markdown::to_html(&job.description_md),
            salary_words: salary.words(),
            job,
            requirements,
            state,
            may_manage,
            assessment: None,
        })
    }

    /// A job's page: anyone while it is live; its recruiters and staff always. A signed-in
    /// member sees how their record meets each requirement.
    pub async fn job_page(&self, actor: Option<&Actor>, job_id: i64) -> AppResult<JobView> {
        let actor = match actor {
            Some(a) => Some(self.with_employer_roles(a).await?),
            None => None,
        };
        let mut view = self.job_view(actor.as_ref(), job_id).await?;
        if let Some(actor) = &actor
            && actor.employer_token.is_none()
            && let Some(member) = self.store.member_by_user(actor.user_id).await?
        {
            let (licences, certifications) = self.held_credentials(member.id).await?;
            view.assessment = Some(assess(
                &licences,
                &certifications,
                &view.requirements,
                self.clock.today(),
                view.job.closes_on,
                Comity::embedded(),
            ));
        }
        Ok(view)
    }

    /// The job search: live jobs matching the filters, a page at a time. "Jobs I qualify
    /// for" needs a member record (a guest is asked to sign in).
    /// Live jobs that went live after `since` (featured first, then the newest): the monthly
    /// digest's "New jobs".
    pub async fn jobs_posted_since(&self, since: i64, most: u32) -> AppResult<Page<JobCardRecord>> {
        let (filter, none) = (JobFilter::default(), std::collections::BTreeSet::new());
        let search = JobSearch {
            filter: &filter,
            held_keys: &none,
            comity_keys: &none,
            now: self.clock.unix(),
            today: self.clock.today(),
            employer_id: None,
            live_after: Some(since),
        };
        Ok(self.store.search_jobs(&search, PageRequest::new(1, most)).await?)
    }

    pub async fn search_jobs(
        &self,
        actor: Option<&Actor>,
        pairs: &[(String, String)],
        page: PageRequest,
    ) -> AppResult<JobSearchView> {
        let filter = JobFilter::from_pairs(pairs).map_err(|problems| AppError::Validation {
            message: match problems.len() {
                1 => problems[0].1.clone(),
                _ => "Check the search's filters.".into(),
            },
            fields: problems.into_iter().map(|(f, m)| (f.to_string(), m)).collect(),
        })?;
        // An employer's token has no member record, whoever issued it.
        if actor.is_some_and(|a| a.employer_token.is_some()) && filter.needs_member() {
            return Err(AppError::Forbidden(
                "An employer's API token has no member record to match jobs against.".into(),
            ));
        }
        let member = match actor.filter(|a| a.employer_token.is_none()) {
            Some(a) => self.store.member_by_user(a.user_id).await?,
            None => None,
        };
        let (held, by_comity) = match (&member, actor) {
            (Some(member), Some(_)) if filter.needs_member() => self.requirement_keys_of(member.id).await?,
            (None, None) if filter.needs_member() => return Err(AppError::Unauthenticated),
            _ => Default::default(),
        };
        // From this node's snapshot of the live jobs (`search.rs`), checked against now.
        let jobs =
            self.live_jobs().await?.search(&filter, &held, &by_comity, self.clock.unix(), self.clock.today(), page);
        Ok(JobSearchView { filter, jobs, can_match: member.is_some() })
    }
}
