//! Staff's review of jobs before they are public (approve, with a run at no charge, or send
//! back with a note the employer reads) and taking a live job down. Each review is one
//! conditional update: of two reviews at once, one wins and the other is told.

use guildhall_domain::careers::ClosedReason;
use guildhall_store::{JobReviewRecord, NewMail};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// Jobs waiting for review, and the latest reviewed.
#[derive(Debug, Clone)]
pub struct ReviewQueue {
    pub waiting: Vec<JobReviewRecord>,
    pub reviewed: Vec<JobReviewRecord>,
}

/// The longest run staff may grant.
const MOST_DAYS: i64 = 365;

impl App {
    /// The review queue (staff).
    pub async fn job_review_queue(&self, actor: &Actor) -> AppResult<ReviewQueue> {
        actor.require(Permission::ModerateJobs)?;
        let (waiting, reviewed) = self.store.jobs_for_review(20).await?;
        Ok(ReviewQueue { waiting, reviewed })
    }

    /// Staff review a job waiting for it: approve (with a run of `days` at no charge, or
    /// none yet) or send it back with a note. The employer's recruiters are told by email.
    pub async fn review_job(
        &self,
        actor: &Actor,
        job_id: i64,
        approve: bool,
        note: &str,
        days: &str,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::ModerateJobs)?;
        let job = self.store.job(job_id).await?.ok_or_else(|| AppError::NotFound("No such job.".into()))?;
        let mut errors = FieldErrors::default();
        let note = errors.text(note, "note", "the note", 2_000, !approve);
        let days = match days.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(d) if (1..=MOST_DAYS).contains(&d) => Some(d),
                _ => {
                    errors.add("days", format!("Give a number of days from 1 to {MOST_DAYS}, or leave it empty."));
                    None
                }
            },
        };
        errors.into_result()?;
        let action = if approve { "job.approved" } else { "job.rejected" };
        let mut audit = self.audit_entry(actor, action, "job", request_id);
        audit.subject_id = Some(job_id);
        audit.subject_label = format!("{} — {}", job.title, job.employer_name);
        audit.after_json = Some(serde_json::json!({ "note": note, "days": days }).to_string());
        let now = self.clock.unix();
        if !self.store.review_job(job_id, approve, &note, days.filter(|_| approve), actor.user_id, now, &audit).await? {
            return Err(AppError::Conflict {
                message: "This job is no longer waiting for review: someone else reviewed it.".into(),
                field: None,
            });
        }
        if approve {
            // An order already paid for starts its run now.
            self.store.start_paid_orders(guildhall_domain::careers::ProductKind::Job, Some(job_id), now).await?;
        }
        self.forget_live_jobs();
        let society = self.branding().await.name;
        let link = self.link(&format!("/employer/{}/jobs/{job_id}", job.employer_id));
        let (subject, body) = match approve {
            true => (
                format!("Approved: {}", job.title),
                format!(
                    "Your job \"{}\" was approved by {society}{}.\n{}\nSee it at {link}\n",
                    job.title,
                    match days {
                        Some(d) => format!(" and is advertised for {d} days"),
                        None => String::new(),
                    },
                    if note.is_empty() { String::new() } else { format!("\nNote from the reviewer: {note}\n") },
                ),
            ),
            false => (
                format!("Changes needed: {}", job.title),
                format!(
                    "Your job \"{}\" was not approved by {society}.\n\nNote from the reviewer: {note}\n\n\
                     Change it and send it for review again at {link}\n",
                    job.title
                ),
            ),
        };
        for recruiter in self.store.recruiters(job.employer_id).await? {
            let mail = NewMail {
                to_address: recruiter.email,
                subject: subject.clone(),
                body_text: format!("Dear {},\n\n{body}", recruiter.display_name),
                attachment: None,
            };
            self.store.enqueue_mail(&mail, now).await?;
        }
        Ok(())
    }

    /// Staff take a job down: it leaves the search and its page at once.
    pub async fn take_down_job(&self, actor: &Actor, job_id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::ModerateJobs)?;
        let job = self.store.job(job_id).await?.ok_or_else(|| AppError::NotFound("No such job.".into()))?;
        let mut audit = self.audit_entry(actor, "job.taken_down", "job", request_id);
        audit.subject_id = Some(job_id);
        audit.subject_label = format!("{} — {}", job.title, job.employer_name);
        if !self.store.close_job(job_id, None, ClosedReason::TakenDown, self.clock.unix(), &audit).await? {
            return Err(AppError::Conflict { message: "This job is already closed.".into(), field: None });
        }
        self.forget_live_jobs();
        Ok(())
    }
}
