//! Job alerts: a job search saved to be emailed its new jobs daily or weekly. A signed-in
//! account with a proven address is told at once; anyone else (a guest gets a light account,
//! as an event's guest does) is mailed a confirmation link first, and nothing else is mailed
//! before it is opened. Every message carries a signed link that stops the alert without
//! signing in. The hourly round claims each due alert as it queues its message, so two
//! rounds at once mail once.

use guildhall_domain::careers::{AlertFrequency, JobFilter};
use guildhall_domain::identity::{Email, Role};
use guildhall_store::{
    JobAlertRecord, JobAlertSaved, JobSearch, NewJobAlert, NewMail, NewUser, PageRequest, StoreError,
};

use crate::accounts::ClientInfo;
use crate::crypto::{constant_time_eq, hash_token, hex, hmac_sha256, random_token};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App};

/// Alerts an account may keep.
pub const JOB_ALERTS_PER_ACCOUNT: i64 = 10;
/// How long a confirmation link works.
const CONFIRM_LINK_DAYS: i64 = 7;
/// Confirmation links mailed to one address per sign-in window.
const LINKS_PER_ADDRESS: i64 = 5;
/// Jobs listed in one message (the rest are behind the search's link).
const JOBS_A_MESSAGE: u32 = 20;
/// Alerts mailed in one round.
const ALERTS_A_ROUND: i64 = 500;

/// What someone asks for on the search page: the search's filters, how often, and (a guest)
/// their address.
#[derive(Debug, Clone, Default)]
pub struct JobAlertRequest {
    pub filter: Vec<(String, String)>,
    pub frequency: String,
    pub email: String,
}

/// What saving an alert did, as the page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAlertOutcome {
    /// The alert is on.
    Saved,
    /// The account already had this search as an alert.
    AlreadySaved,
    /// A confirmation link was mailed (a guest always hears this, so the form cannot tell
    /// anyone whether an address has an account here).
    CheckYourEmail,
}

/// One of an account's alerts, for its list.
#[derive(Debug, Clone)]
pub struct JobAlertView {
    pub id: i64,
    pub description: String,
    /// The search's page (`/jobs?…`).
    pub search_path: String,
    pub frequency: AlertFrequency,
    pub confirmed: bool,
    pub created_at: i64,
}

fn invalid_link() -> AppError {
    AppError::NotFound("This link is not valid: it may have expired or been used already.".into())
}

/// The stored form of a filter: its canonical query string.
fn filter_query(filter: &JobFilter) -> String {
    serde_urlencoded::to_string(filter.to_pairs()).unwrap_or_default()
}

fn stored_filter(query: &str) -> AppResult<JobFilter> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| AppError::Internal(format!("a job alert's stored filter cannot be read: {query}")))?;
    JobFilter::from_pairs(&pairs)
        .map_err(|_| AppError::Internal(format!("a job alert's stored filter is no longer valid: {query}")))
}

fn alert_view(alert: JobAlertRecord) -> AppResult<JobAlertView> {
    let filter = stored_filter(&alert.filter)?;
    Ok(JobAlertView {
        id: alert.id,
        description: filter.describe(),
        search_path: match alert.filter.is_empty() {
            true => "/jobs".into(),
            false => format!("/jobs?{}", alert.filter),
        },
        frequency: alert.frequency,
        confirmed: alert.confirmed_at.is_some(),
        created_at: alert.created_at,
    })
}

impl App {
    fn job_alert_link_key(&self) -> AppResult<[u8; 32]> {
        Ok(hmac_sha256(&self.key_encryption_key()?, b"guildhall job alert links v1"))
    }

    /// The token of the link that stops an alert: its id and a signature.
    fn stop_job_alert_token(&self, alert_id: i64) -> AppResult<String> {
        let signature = hmac_sha256(&self.job_alert_link_key()?, format!("stop:{alert_id}").as_bytes());
        Ok(format!("{alert_id}-{}", &hex(&signature)[..32]))
    }

    /// The alert a stop link names, if its signature is right.
    fn open_stop_job_alert_token(&self, token: &str) -> AppResult<i64> {
        let token = token.trim();
        let alert_id = token.split_once('-').and_then(|(id, _)| id.parse::<i64>().ok()).ok_or_else(invalid_link)?;
        match constant_time_eq(&self.stop_job_alert_token(alert_id)?, token) {
            true => Ok(alert_id),
            false => Err(invalid_link()),
        }
    }

    /// Saves the search as an alert for the signed-in account, or for a guest's address once
    /// they confirm it.
    pub async fn save_job_alert(
        &self,
        actor: Option<&Actor>,
        request: &JobAlertRequest,
        client: &ClientInfo,
    ) -> AppResult<JobAlertOutcome> {
        let mut errors = FieldErrors::default();
        let filter = match JobFilter::from_pairs(&request.filter) {
            Ok(filter) => Some(filter),
            Err(problems) => {
                for (field, message) in problems {
                    errors.add(field, message);
                }
                None
            }
        };
        let frequency = AlertFrequency::from_code(request.frequency.trim());
        if frequency.is_none() {
            errors.add("frequency", "Choose daily or weekly.");
        }
        let email = match actor {
            Some(_) => None,
            None => errors.check("email", Email::parse(&request.email)),
        };
        errors.into_result()?;
        let (Some(filter), Some(frequency)) = (filter, frequency) else {
            return Err(AppError::invalid("Check the form."));
        };
        if filter.needs_member() {
            let member = match actor {
                Some(actor) => self.store.member_by_user(actor.user_id).await?,
                None => None,
            };
            if member.is_none() {
                return Err(AppError::invalid_field(
                    "qualified",
                    "Only a member signed in can be told about jobs they qualify for: their licences are on their record.",
                ));
            }
        }
        let now = self.clock.unix();
        let query = filter_query(&filter);

        if let Some(actor) = actor {
            let user = self.store.user_by_id(actor.user_id).await?.ok_or(AppError::Unauthenticated)?;
            let token = match user.email_verified_at {
                Some(_) => None,
                None => Some(random_token()?),
            };
            let mail = token.as_ref().map(|t| self.job_alert_confirmation(&user.email, &user.display_name, &filter, t));
            let alert = NewJobAlert {
                user_id: user.id,
                filter: query,
                frequency,
                confirm_token_hash: token.as_deref().map(hash_token),
                now,
            };
            return match self.store.save_job_alert(&alert, JOB_ALERTS_PER_ACCOUNT, mail.as_ref()).await? {
                JobAlertSaved::AlreadySaved(_) => Ok(JobAlertOutcome::AlreadySaved),
                JobAlertSaved::TooMany => Err(AppError::invalid(format!(
                    "You have {JOB_ALERTS_PER_ACCOUNT} job alerts, as many as an account may keep. Stop one on \
                     your job alerts page first."
                ))),
                _ if token.is_some() => Ok(JobAlertOutcome::CheckYourEmail),
                _ => Ok(JobAlertOutcome::Saved),
            };
        }

        let Some(email) = email else { return Err(AppError::invalid("Check the form.")) };
        let security = &self.settings.security;
        let window = security.failure_window_minutes * 60;
        let (from_here, to_address) = (format!("alert-address:{}", client.ip), format!("alert-email:{email}"));
        let counts = self.store.count_sign_in_attempt(&[from_here.as_str(), &to_address], now - window, now).await?;
        if counts[0] > security.max_failures_per_address || counts[1] > LINKS_PER_ADDRESS {
            return Err(AppError::RateLimited {
                message: format!(
                    "Too many job alerts have been asked for. Wait {} minutes and try again.",
                    security.failure_window_minutes
                ),
                retry_after_secs: window,
            });
        }
        let user = match self.store.user_by_email(email.as_str()).await? {
            Some(user) if user.disabled_at.is_some() => return Ok(JobAlertOutcome::CheckYourEmail),
            Some(user) => user,
            None => {
                let light = NewUser {
                    email: email.to_string(),
                    display_name: email.as_str().split('@').next().unwrap_or_default().to_string(),
                    password_hash: String::new(),
                    role: Role::Member.as_str().into(),
                    email_verified_at: None,
                };
                match self.store.create_user(&light, None, None, now).await {
                    // Another request made the account a moment ago.
                    Ok(_) | Err(StoreError::Conflict { .. }) => {}
                    Err(err) => return Err(err.into()),
                }
                self.store.user_by_email(email.as_str()).await?.ok_or(AppError::Unauthenticated)?
            }
        };
        let token = random_token()?;
        let mail = self.job_alert_confirmation(&user.email, &user.display_name, &filter, &token);
        let alert = NewJobAlert {
            user_id: user.id,
            filter: query,
            frequency,
            confirm_token_hash: Some(hash_token(&token)),
            now,
        };
        // Whatever happened, the page says the same.
        self.store.save_job_alert(&alert, JOB_ALERTS_PER_ACCOUNT, Some(&mail)).await?;
        Ok(JobAlertOutcome::CheckYourEmail)
    }

    fn job_alert_confirmation(&self, to: &str, name: &str, filter: &JobFilter, token: &str) -> NewMail {
        NewMail {
            to_address: to.to_string(),
            subject: "Confirm your job alert".into(),
            body_text: format!(
                "Hello {name},\n\nYou asked to be emailed new jobs on the society's job board: {}.\n\n\
                 To start the alert, open this link and confirm:\n\n{}\n\n\
                 The link works for {CONFIRM_LINK_DAYS} days. If you did not ask for this, ignore this message: \
                 nothing is sent without the link.\n",
                filter.describe().to_lowercase(),
                self.link(&format!("/jobs/alerts/confirm?token={token}")),
            ),
            attachment: None,
        }
    }

    /// What a confirmation link would start, for its page (opening it changes nothing: mail
    /// scanners open links too).
    pub async fn job_alert_to_confirm(&self, token: &str) -> AppResult<JobAlertView> {
        let since = self.clock.unix() - CONFIRM_LINK_DAYS * 86_400;
        let alert =
            self.store.job_alert_by_confirm_token(&hash_token(token.trim()), since).await?.ok_or_else(invalid_link)?;
        alert_view(alert)
    }

    /// Starts the alert of a confirmation link; its first message holds jobs that go live
    /// from now.
    pub async fn confirm_job_alert(&self, token: &str) -> AppResult<JobAlertView> {
        let now = self.clock.unix();
        let alert = self
            .store
            .confirm_job_alert(&hash_token(token.trim()), now - CONFIRM_LINK_DAYS * 86_400, now)
            .await?
            .ok_or_else(invalid_link)?;
        alert_view(alert)
    }

    /// The signed-in account's alerts, newest first.
    pub async fn my_job_alerts(&self, actor: &Actor) -> AppResult<Vec<JobAlertView>> {
        self.store.job_alerts_of(actor.user_id).await?.into_iter().map(alert_view).collect()
    }

    /// One of the signed-in account's alerts (another's is not found).
    pub async fn my_job_alert(&self, actor: &Actor, alert_id: i64) -> AppResult<JobAlertView> {
        match self.store.job_alert(alert_id).await? {
            Some(alert) if alert.user_id == actor.user_id => alert_view(alert),
            _ => Err(AppError::NotFound("You have no such job alert.".into())),
        }
    }

    /// Stops (deletes) one of the signed-in account's alerts.
    pub async fn stop_my_job_alert(&self, actor: &Actor, alert_id: i64) -> AppResult<()> {
        match self.store.delete_job_alert(alert_id, actor.user_id).await? {
            true => Ok(()),
            false => Err(AppError::NotFound("You have no such job alert.".into())),
        }
    }

    /// The alert a message's stop link names, for its page.
    pub async fn job_alert_to_stop(&self, token: &str) -> AppResult<JobAlertView> {
        let alert_id = self.open_stop_job_alert_token(token)?;
        let alert = self.store.job_alert(alert_id).await?.ok_or_else(invalid_link)?;
        alert_view(alert)
    }

    /// Stops the alert a message's stop link names; stopping one already stopped is done.
    pub async fn stop_job_alert_by_link(&self, token: &str) -> AppResult<()> {
        let alert_id = self.open_stop_job_alert_token(token)?;
        if let Some(alert) = self.store.job_alert(alert_id).await? {
            self.store.delete_job_alert(alert.id, alert.user_id).await?;
        }
        Ok(())
    }

    /// Mails every due alert the jobs that went live since its last message (an alert with
    /// none is moved on without a message). Returns the messages queued.
    pub async fn send_job_alerts(&self) -> AppResult<usize> {
        // A second back: a job that goes live later within this second is the next round's.
        let now = self.clock.unix() - 1;
        let today = self.clock.today();
        let mut queued = 0;
        for due in self.store.due_job_alerts(now, 3_600, ALERTS_A_ROUND).await? {
            let alert = &due.alert;
            let Some(seen) = alert.sent_through else { continue };
            let filter = match stored_filter(&alert.filter) {
                Ok(filter) => filter,
                Err(err) => {
                    tracing::warn!(alert = alert.id, error = %err, "job alert skipped");
                    continue;
                }
            };
            let (held, by_comity) = match filter.needs_member() {
                true => match self.store.member_by_user(alert.user_id).await? {
                    Some(member) => self.requirement_keys_of(member.id).await?,
                    None => Default::default(),
                },
                false => Default::default(),
            };
            let search = JobSearch {
                filter: &filter,
                held_keys: &held,
                comity_keys: &by_comity,
                now,
                today,
                employer_id: None,
                live_after: Some(seen),
            };
            let jobs = self.store.search_jobs(&search, PageRequest::new(1, JOBS_A_MESSAGE)).await?;
            let mail = match jobs.total {
                0 => None,
                total => {
                    let mut body = format!(
                        "Hello {},\n\n{} new {} on the society's job board: {}.\n\n",
                        due.display_name,
                        total,
                        if total == 1 { "job" } else { "jobs" },
                        filter.describe().to_lowercase()
                    );
                    for job in &jobs.items {
                        body.push_str(&format!(
                            "{} — {}\n{}. {}\n{}\n\n",
                            job.title,
                            job.employer_name,
                            job.place(),
                            job.salary_words(),
                            self.link(&format!("/jobs/{}", job.id))
                        ));
                    }
                    let search_path = match alert.filter.is_empty() {
                        true => "/jobs".to_string(),
                        false => format!("/jobs?{}", alert.filter),
                    };
                    if total > jobs.items.len() as i64 {
                        body.push_str(&format!("See all of them: {}\n\n", self.link(&search_path)));
                    }
                    body.push_str(&format!(
                        "You get this {} because you asked for it. Stop this alert: {}\nAll your job alerts: {}\n",
                        alert.frequency.label().to_lowercase(),
                        self.link(&format!("/jobs/alerts/stop/{}", self.stop_job_alert_token(alert.id)?)),
                        self.link("/account/job-alerts"),
                    ));
                    Some(NewMail {
                        to_address: due.email.clone(),
                        subject: format!(
                            "{total} new {}: {}",
                            if total == 1 { "job" } else { "jobs" },
                            filter.describe().to_lowercase()
                        ),
                        body_text: body,
                        attachment: None,
                    })
                }
            };
            if self.store.claim_job_alert(alert.id, seen, now, mail.as_ref()).await? && mail.is_some() {
                queued += 1;
            }
        }
        Ok(queued)
    }
}
