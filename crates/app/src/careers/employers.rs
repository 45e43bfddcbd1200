//! Employer accounts: created by anyone signed in (who becomes its owner), their public page,
//! their details, and their recruiters (added by an owner by the address of their account;
//! the last owner stays).

use guildhall_domain::careers::JobFilter;
use guildhall_store::{
    EmployerRecord, JobCardRecord, JobRecord, JobSearch, NewMail, Page, PageRequest, RecruiterRecord, StoreError,
};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::knowledge::markdown;
use crate::{Actor, App, Permission};

/// An employer's details as typed.
#[derive(Debug, Clone, Default)]
pub struct EmployerForm {
    pub name: String,
    pub website: String,
    pub about: String,
}

/// An employer's public page: its details and live jobs.
#[derive(Debug, Clone)]
pub struct EmployerView {
    pub employer: EmployerRecord,
    pub about_html: String,
    pub jobs: Page<JobCardRecord>,
}

/// An employer's own pages: its details, recruiters and jobs, and whether the actor owns it.
#[derive(Debug, Clone)]
pub struct EmployerAccount {
    pub employer: EmployerRecord,
    pub recruiters: Vec<RecruiterRecord>,
    pub jobs: Vec<JobRecord>,
    pub is_owner: bool,
}

/// Jobs on an employer's public page.
const JOBS_A_PAGE: u32 = 20;

impl App {
    fn employer_details(form: &EmployerForm) -> AppResult<(String, String, String)> {
        let mut errors = FieldErrors::default();
        let name = errors.text(&form.name, "name", "the employer's name", 200, true);
        let website = errors.web_address(&form.website, "website", "the website");
        let about = match form.about.trim() {
            "" => String::new(),
            _ => errors.markdown(&form.about, "about", "the description", 5_000),
        };
        errors.into_result()?;
        Ok((name, website, about))
    }

    async fn employer_record(&self, employer_id: i64) -> AppResult<EmployerRecord> {
        self.store
            .employer(employer_id, self.clock.unix())
            .await?
            .ok_or_else(|| AppError::NotFound("No such employer.".into()))
    }

    /// The employer, to an actor (with employer roles loaded) who recruits for it or is
    /// staff; anyone else is told it does not exist.
    pub(crate) async fn employer_account_header(&self, actor: &Actor, employer_id: i64) -> AppResult<EmployerRecord> {
        if !actor.allows(Permission::RecruitFor(employer_id)) {
            return Err(AppError::NotFound("No such employer.".into()));
        }
        self.employer_record(employer_id).await
    }

    /// The employers the signed-in person recruits for, and whether they own each.
    pub async fn my_employers(&self, actor: &Actor) -> AppResult<Vec<(EmployerRecord, bool)>> {
        Ok(self.store.employers_of(actor.user_id, self.clock.unix()).await?)
    }

    /// Creates an employer account owned by the signed-in person; its id.
    pub async fn create_employer(&self, actor: &Actor, form: &EmployerForm, request_id: &str) -> AppResult<i64> {
        actor.require(Permission::OwnAccount)?;
        let (name, website, about) = Self::employer_details(form)?;
        let mut audit = self.audit_entry(actor, "employer.created", "employer", request_id);
        audit.subject_label = name.clone();
        Ok(self.store.create_employer((&name, &website, &about), actor.user_id, self.clock.unix(), &audit).await?)
    }

    /// Changes an employer's details (its owners, staff).
    pub async fn update_employer(
        &self,
        actor: &Actor,
        employer_id: i64,
        form: &EmployerForm,
        request_id: &str,
    ) -> AppResult<()> {
        let actor = self.with_employer_roles(actor).await?;
        let employer = self.employer_account(&actor, employer_id).await?.employer;
        actor.require(Permission::ManageEmployer(employer_id))?;
        let (name, website, about) = Self::employer_details(form)?;
        let mut audit = self.audit_entry(&actor, "employer.updated", "employer", request_id);
        audit.subject_id = Some(employer_id);
        audit.subject_label = name.clone();
        audit.before_json = Some(serde_json::json!({ "name": employer.name, "website": employer.website }).to_string());
        audit.after_json = Some(serde_json::json!({ "name": name, "website": website }).to_string());
        self.store.update_employer(employer_id, (&name, &website, &about), &audit).await?;
        // The search lists jobs under the employer's name and finds them by it.
        self.forget_live_jobs();
        Ok(())
    }

    /// An employer's public page with its live jobs.
    pub async fn employer_page(&self, employer_id: i64, page: u32) -> AppResult<EmployerView> {
        let employer = self.employer_record(employer_id).await?;
        let filter = JobFilter::default();
        let held = Default::default();
        let search = JobSearch {
            filter: &filter,
            held_keys: &held,
            comity_keys: &held,
            now: self.clock.unix(),
            today: self.clock.today(),
            employer_id: Some(employer_id),
            live_after: None,
        };
        let jobs = self.store.search_jobs(&search, PageRequest::new(page, JOBS_A_PAGE)).await?;
        Ok(EmployerView { about_html: markdown::to_html(&employer.about), employer, jobs })
    }

    /// An employer's own view: details, recruiters and every job (its recruiters, staff).
    /// Someone who does not recruit for it is told it does not exist.
    pub async fn employer_account(&self, actor: &Actor, employer_id: i64) -> AppResult<EmployerAccount> {
        let actor = self.with_employer_roles(actor).await?;
        let employer = self.employer_account_header(&actor, employer_id).await?;
        Ok(EmployerAccount {
            is_owner: actor.allows(Permission::ManageEmployer(employer_id)),
            recruiters: self.store.recruiters(employer_id).await?,
            jobs: self.store.employer_jobs(employer_id).await?,
            employer,
        })
    }

    /// An owner adds a recruiter by the address of their Guildhall account; they are told
    /// by email.
    pub async fn add_recruiter(
        &self,
        actor: &Actor,
        employer_id: i64,
        email: &str,
        owner: bool,
        request_id: &str,
    ) -> AppResult<()> {
        let actor = self.with_employer_roles(actor).await?;
        let employer = self.employer_account(&actor, employer_id).await?.employer;
        actor.require(Permission::ManageEmployer(employer_id))?;
        let mut errors = FieldErrors::default();
        let email = errors.check("email", guildhall_domain::identity::Email::parse(email));
        errors.into_result()?;
        let Some(email) = email else { return Err(AppError::invalid_field("email", "Enter an email address.")) };
        let user = self.store.user_by_email(email.as_str()).await?.ok_or_else(|| {
            AppError::invalid_field(
                "email",
                "No account uses that address. Ask them to create an account first, then add them.",
            )
        })?;
        let mut audit = self.audit_entry(&actor, "employer.recruiter_added", "employer", request_id);
        audit.subject_id = Some(employer_id);
        audit.subject_label = format!("{}: {}", employer.name, user.email);
        let now = self.clock.unix();
        self.store.add_recruiter(employer_id, user.id, owner, now, &audit).await.map_err(|e| match e {
            StoreError::Conflict { .. } => AppError::Conflict {
                message: "They already recruit for this employer.".into(),
                field: Some("email".into()),
            },
            other => other.into(),
        })?;
        let society = self.branding().await.name;
        let mail = NewMail {
            to_address: user.email.clone(),
            subject: format!("You can now recruit for {}", employer.name),
            body_text: format!(
                "Dear {},\n\n{} added you as a recruiter for {} on {society}'s career centre{}.\n\n\
                 Post and manage its jobs at {}\n",
                user.display_name,
                actor.display_name,
                employer.name,
                if owner { ", with the right to manage its account" } else { "" },
                self.link(&format!("/employer/{employer_id}/jobs")),
            ),
            attachment: None,
        };
        self.store.enqueue_mail(&mail, now).await?;
        Ok(())
    }

    /// Removes a recruiter: an owner removes anyone, anyone may leave. The last owner stays.
    pub async fn remove_recruiter(
        &self,
        actor: &Actor,
        employer_id: i64,
        user_id: i64,
        request_id: &str,
    ) -> AppResult<()> {
        let actor = self.with_employer_roles(actor).await?;
        let account = self.employer_account(&actor, employer_id).await?;
        if user_id != actor.user_id {
            actor.require(Permission::ManageEmployer(employer_id))?;
        }
        let recruiter = account
            .recruiters
            .iter()
            .find(|r| r.user_id == user_id)
            .ok_or_else(|| AppError::NotFound("They do not recruit for this employer.".into()))?;
        let mut audit = self.audit_entry(&actor, "employer.recruiter_removed", "employer", request_id);
        audit.subject_id = Some(employer_id);
        audit.subject_label = format!("{}: {}", account.employer.name, recruiter.email);
        match self.store.remove_recruiter(employer_id, user_id, &audit).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AppError::Conflict {
                message: "An employer needs an owner: make someone else an owner first.".into(),
                field: None,
            }),
            Err(StoreError::NotFound) => Err(AppError::NotFound("They do not recruit for this employer.".into())),
            Err(other) => Err(other.into()),
        }
    }
}
