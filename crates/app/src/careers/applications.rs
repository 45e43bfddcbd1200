//! Applications: a member applies to a live job with a resume (a PDF) and a cover letter,
//! sharing the licences and certifications they choose from their record (a snapshot the
//! employer reads, marked as from the society's records); the employer's recruiters move it
//! through its stages, and the applicant is told and sees where it stands; the applicant may
//! withdraw at any time, after which the employer no longer gets the resume.

use guildhall_domain::careers::ApplicationStage;
use guildhall_domain::member::{CredentialSource, Jurisdiction, LicenceKind};
use guildhall_store::{
    ApplicationRecord, ApplicationStageRecord, CeCredentialRow, NewApplication, NewMail, NewResume, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::uploads::{Document, Upload, clean_file_name, sniff};
use crate::{Actor, App};

use super::JobView;

/// The largest resume accepted.
pub const MAX_RESUME_BYTES: usize = 5 * 1024 * 1024;

/// One licence or certification as shared with an employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFact {
    /// "PE licensed in Texas", "Project Management Professional (PMI)".
    pub what: String,
    pub number: String,
    pub expires_on: Option<String>,
    /// Its continuing education on the day of applying, where the society tracks it: "In
    /// progress for the period ending 2027-12-31".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ce_standing: Option<String>,
}

/// What an applicant shared, as it stood on the society's records when they applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFacts {
    pub facts: Vec<SharedFact>,
    /// The day they were read from the records.
    pub as_of: String,
}

/// The apply page: the job, and what the member may choose to share.
#[derive(Debug, Clone)]
pub struct ApplyView {
    pub job: JobView,
    /// (key, words) of each licence and certification on the member's record.
    pub facts: Vec<(String, String)>,
}

/// An application with its moves and what was shared.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub application: ApplicationRecord,
    pub history: Vec<ApplicationStageRecord>,
    pub shared: SharedFacts,
}

/// An application as the member fills it in.
#[derive(Debug, Clone, Default)]
pub struct ApplicationForm {
    pub cover_letter: String,
    /// Keys of the licences and certifications to share.
    pub share: Vec<String>,
}

/// A licence or certification in words.
fn fact_words(row: &CeCredentialRow) -> String {
    match row.source {
        CredentialSource::Licence => {
            let place =
                Jurisdiction::parse(&row.label).map(|j| j.name().to_string()).unwrap_or_else(|_| row.label.clone());
            let kind =
                LicenceKind::parse(&row.detail).map(|k| k.label().to_string()).unwrap_or_else(|| row.detail.clone());
            format!("{kind} licensed in {place}")
        }
        CredentialSource::Certification if row.detail.is_empty() => row.label.clone(),
        CredentialSource::Certification => format!("{} ({})", row.label, row.detail),
    }
}

impl App {
    /// The signed-in person's member id: applying is for members.
    async fn applicant_member_id(&self, actor: &Actor) -> AppResult<i64> {
        match self.store.member_by_user(actor.user_id).await? {
            Some(member) => Ok(member.id),
            None => Err(AppError::Forbidden(
                "Applying for jobs is for members: your account has no membership record.".into(),
            )),
        }
    }

    /// The apply page of a live job, for a member.
    pub async fn apply_page(&self, actor: &Actor, job_id: i64) -> AppResult<ApplyView> {
        let member_id = self.applicant_member_id(actor).await?;
        let job = self.job_page(Some(actor), job_id).await?;
        if !job.state.is_live() {
            return Err(AppError::NotFound("This job is not advertised: it cannot be applied for.".into()));
        }
        let facts = self.store.ce_credentials(member_id).await?.iter().map(|r| (r.key(), fact_words(r))).collect();
        Ok(ApplyView { job, facts })
    }

    /// A member applies to a live job with a resume (PDF) and a cover letter; the
    /// application's id. They get a confirmation, the employer's recruiters a notice.
    pub async fn apply_to_job(
        &self,
        actor: &Actor,
        job_id: i64,
        form: &ApplicationForm,
        resume: Option<Upload>,
    ) -> AppResult<i64> {
        let member_id = self.applicant_member_id(actor).await?;
        let not_live = || AppError::NotFound("This job is not advertised: it cannot be applied for.".into());
        let job = self.store.job(job_id).await?.ok_or_else(not_live)?;
        let mut errors = FieldErrors::default();
        let cover_letter = match form.cover_letter.trim() {
            "" => String::new(),
            _ => errors.markdown(&form.cover_letter, "cover_letter", "the cover letter", 5_000),
        };
        let resume = match resume.filter(|r| !r.bytes.is_empty()) {
            None => {
                errors.add("resume", "Attach your resume as a PDF.");
                None
            }
            Some(upload) if upload.bytes.len() > MAX_RESUME_BYTES => {
                errors.add("resume", "The resume is larger than 5 MB: attach a smaller PDF.");
                None
            }
            Some(upload) => match sniff(&upload.bytes) {
                Some((content_type @ "application/pdf", ext)) => Some(NewResume {
                    file_name: clean_file_name(&upload.file_name, ext),
                    content_type: content_type.into(),
                    content: upload.bytes,
                }),
                _ => {
                    errors.add("resume", "The resume must be a PDF.");
                    None
                }
            },
        };
        let held = self.store.ce_credentials(member_id).await?;
        if form.share.iter().any(|key| !held.iter().any(|r| &r.key() == key)) {
            errors.add("share", "Choose only licences and certifications on your record.");
        }
        errors.into_result()?;
        let Some(resume) = resume else {
            return Err(AppError::invalid_field("resume", "Attach your resume as a PDF."));
        };
        let today = self.clock.today();
        // Each shared credential's CE standing, as the member's own CE page shows it today.
        let standings: Vec<(String, String)> = match form.share.is_empty() {
            true => Vec::new(),
            false => match self.ce_dashboard(actor, None).await {
                Ok(dashboard) => dashboard
                    .credentials
                    .into_iter()
                    .filter_map(|c| {
                        let period = c.current?;
                        Some((c.key, format!("{} for the period ending {}", period.status_words, period.end)))
                    })
                    .collect(),
                Err(err) => {
                    tracing::warn!(error = %err, "CE standing left out of an application");
                    Vec::new()
                }
            },
        };
        let shared = SharedFacts {
            facts: held
                .iter()
                .filter(|r| form.share.contains(&r.key()))
                .map(|r| SharedFact {
                    what: fact_words(r),
                    number: r.number.clone(),
                    expires_on: r.expires_on.map(|d| d.to_string()),
                    ce_standing: standings.iter().find(|(key, _)| *key == r.key()).map(|(_, words)| words.clone()),
                })
                .collect(),
            as_of: today.to_string(),
        };
        let application = NewApplication {
            job_id,
            member_id,
            resume,
            cover_letter,
            shared_facts: serde_json::to_string(&shared).map_err(|e| AppError::Internal(e.to_string()))?,
        };
        let now = self.clock.unix();
        let id = match self.store.apply_to_job(&application, Some(actor.user_id), now, today).await {
            Ok(Some(id)) => id,
            Ok(None) => return Err(not_live()),
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::Conflict {
                    message: "You have already applied for this job: see it under your applications.".into(),
                    field: Some("job".into()),
                });
            }
            Err(other) => return Err(other.into()),
        };
        let society = self.branding().await.name;
        self.store
            .enqueue_mail(
                &NewMail {
                    to_address: actor.email.clone(),
                    subject: format!("Your application: {}", job.title),
                    body_text: format!(
                        "Dear {},\n\nYour application for \"{}\" at {} was sent through {society}'s career centre.\n\n\
                         See where it stands, or withdraw it, at {}\n",
                        actor.display_name,
                        job.title,
                        job.employer_name,
                        self.link(&format!("/account/applications/{id}")),
                    ),
                    attachment: None,
                },
                now,
            )
            .await?;
        for recruiter in self.store.recruiters(job.employer_id).await? {
            self.store
                .enqueue_mail(
                    &NewMail {
                        to_address: recruiter.email,
                        subject: format!("New application: {}", job.title),
                        body_text: format!(
                            "Dear {},\n\n{} applied for \"{}\".\n\nRead the application at {}\n",
                            recruiter.display_name,
                            actor.display_name,
                            job.title,
                            self.link(&format!("/employer/{}/jobs/{job_id}/applications/{id}", job.employer_id)),
                        ),
                        attachment: None,
                    },
                    now,
                )
                .await?;
        }
        Ok(id)
    }

    fn application_view(
        &self,
        application: ApplicationRecord,
        history: Vec<ApplicationStageRecord>,
    ) -> ApplicationView {
        let shared = serde_json::from_str(&application.shared_facts).unwrap_or_default();
        ApplicationView { application, history, shared }
    }

    /// The signed-in member's applications, newest first (none without a member record).
    pub async fn my_applications(&self, actor: &Actor) -> AppResult<Vec<ApplicationRecord>> {
        match self.store.member_by_user(actor.user_id).await? {
            Some(member) => Ok(self.store.member_applications(member.id).await?),
            None => Ok(Vec::new()),
        }
    }

    /// One of the signed-in member's applications; anyone else's is not found.
    pub async fn my_application(&self, actor: &Actor, id: i64) -> AppResult<ApplicationView> {
        let not_found = || AppError::NotFound("No such application.".into());
        let member = self.store.member_by_user(actor.user_id).await?.ok_or_else(not_found)?;
        let application =
            self.store.application(id).await?.filter(|a| a.member_id == member.id).ok_or_else(not_found)?;
        let history = self.store.application_history(id).await?;
        Ok(self.application_view(application, history))
    }

    /// The applicant withdraws their application (not once hired); the employer is told.
    pub async fn withdraw_application(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let view = self.my_application(actor, id).await?;
        let now = self.clock.unix();
        if !self.store.withdraw_application(id, view.application.member_id, Some(actor.user_id), now).await? {
            return Err(AppError::Conflict {
                message: "This application can no longer be withdrawn.".into(),
                field: None,
            });
        }
        for recruiter in self.store.recruiters(view.application.employer_id).await? {
            self.store
                .enqueue_mail(
                    &NewMail {
                        to_address: recruiter.email,
                        subject: format!("Application withdrawn: {}", view.application.job_title),
                        body_text: format!(
                            "Dear {},\n\n{} withdrew their application for \"{}\".\n",
                            recruiter.display_name, view.application.applicant_name, view.application.job_title
                        ),
                        attachment: None,
                    },
                    now,
                )
                .await?;
        }
        Ok(())
    }

    /// A job's applications, for its employer's recruiters.
    pub async fn applications_for_job(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
    ) -> AppResult<(JobView, Vec<ApplicationRecord>)> {
        let job = self.employer_job(actor, employer_id, job_id).await?;
        Ok((job, self.store.applications_to_job(job_id).await?))
    }

    /// One application to a job, for its employer's recruiters.
    pub async fn application_for_employer(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
        id: i64,
    ) -> AppResult<ApplicationView> {
        self.employer_job(actor, employer_id, job_id).await?;
        let application = self
            .store
            .application(id)
            .await?
            .filter(|a| a.job_id == job_id)
            .ok_or_else(|| AppError::NotFound("No such application.".into()))?;
        let history = self.store.application_history(id).await?;
        Ok(self.application_view(application, history))
    }

    /// A recruiter moves an application to another stage; the applicant is told.
    pub async fn move_application(
        &self,
        actor: &Actor,
        (employer_id, job_id, id): (i64, i64, i64),
        to: &str,
        message: &str,
    ) -> AppResult<()> {
        let view = self.application_for_employer(actor, employer_id, job_id, id).await?;
        let mut errors = FieldErrors::default();
        let to = ApplicationStage::from_code(to).filter(|s| ApplicationStage::EMPLOYER_MOVES.contains(s));
        if to.is_none() {
            errors.add("stage", "Choose the stage to move the application to.");
        }
        let message = errors.text(message, "message", "the message", 2_000, false);
        errors.into_result()?;
        let Some(to) = to else { return Err(AppError::invalid_field("stage", "Choose a stage.")) };
        let from = view.application.stage;
        let refused = || AppError::Conflict {
            message: match from {
                ApplicationStage::Withdrawn => "The applicant withdrew this application.".into(),
                _ => format!("The application is already at “{}”.", from.label()),
            },
            field: None,
        };
        if !from.employer_may_move(to) {
            return Err(refused());
        }
        let now = self.clock.unix();
        if !self.store.move_application(id, job_id, (from, to), actor.user_id, &message, now).await? {
            return Err(AppError::Conflict {
                message: "The application changed meanwhile (moved by someone else, or withdrawn).".into(),
                field: None,
            });
        }
        let society = self.branding().await.name;
        self.store
            .enqueue_mail(
                &NewMail {
                    to_address: view.application.applicant_email.clone(),
                    subject: format!("Your application for {}: {}", view.application.job_title, to.label()),
                    body_text: format!(
                        "Dear {},\n\n{} moved your application for \"{}\" to: {}.\n{}\nSee it at {}\n\n{society}\n",
                        view.application.applicant_name,
                        view.application.employer_name,
                        view.application.job_title,
                        to.label(),
                        if message.is_empty() { String::new() } else { format!("\nTheir message: {message}\n") },
                        self.link(&format!("/account/applications/{id}")),
                    ),
                    attachment: None,
                },
                now,
            )
            .await?;
        Ok(())
    }

    /// An application's resume: for the applicant, and for the employer's recruiters while
    /// it is not withdrawn.
    pub async fn application_resume(
        &self,
        actor: &Actor,
        employer_job: Option<(i64, i64)>,
        id: i64,
    ) -> AppResult<Document> {
        let view = match employer_job {
            Some((employer_id, job_id)) => {
                let view = self.application_for_employer(actor, employer_id, job_id, id).await?;
                if view.application.stage == ApplicationStage::Withdrawn {
                    return Err(AppError::NotFound("The applicant withdrew this application and its resume.".into()));
                }
                view
            }
            None => self.my_application(actor, id).await?,
        };
        let not_found = || AppError::NotFound("This application has no resume.".into());
        let file =
            self.store.resume_file(view.application.resume_id.ok_or_else(not_found)?).await?.ok_or_else(not_found)?;
        Ok(Document { file_name: file.file_name, content_type: "application/pdf", bytes: file.content })
    }
}
