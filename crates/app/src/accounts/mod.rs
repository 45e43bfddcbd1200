//! Sign up, email verification, sign in and out, password reset, and turning a session
//! cookie or API token into an [`Actor`].
//!
//! Files: `mod.rs` (a person's own account), `two_factor.rs` (two-factor sign-in and
//! recovery codes), `admin.rs` (administrators: roles and API tokens).

pub mod admin;
pub mod two_factor;

use guildhall_domain::identity::{Email, Role, check_new_password, parse_display_name};
use guildhall_store::{IdleCutoff, NewAuditEntry, NewEmailToken, NewMail, NewSession, NewUser, UserRecord};

use crate::crypto::{hash_password, hash_token, random_token, verify_password};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App};

pub const VERIFY_EMAIL: &str = "verify_email";
pub const RESET_PASSWORD: &str = "reset_password";
pub const CHANGE_EMAIL: &str = "change_email";

/// What a person typed on the sign-up form.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// Where a sign-in request came from, for rate limiting and the session record.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// A new session: the cookie value (shown once) and who it is for.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_token: String,
    pub actor: Actor,
    pub max_age_secs: i64,
    /// The member number of a record linked to the account at this sign-in (its email
    /// was confirmed before the record was imported).
    pub linked_member: Option<String>,
}

/// Where a correct password leads: a session, or (with two-factor sign-in on) a
/// challenge to answer with a code first.
#[derive(Debug, Clone)]
pub enum SignInStep {
    SignedIn(SignedIn),
    /// The password was right; the sign-in ends once `challenge` (a secret kept in a
    /// short-lived cookie) is presented with a code.
    SecondFactor {
        challenge: String,
        max_age_secs: i64,
    },
}

impl App {
    /// Creates an unverified account and emails a verification link. If the address
    /// already has an account, that person is emailed instead and the caller sees the
    /// same outcome, so the form cannot be used to discover who is a member.
    pub async fn sign_up(&self, form: &SignUp) -> AppResult<()> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(&form.email));
        let name = errors.check("display_name", parse_display_name(&form.display_name));
        errors.check("password", check_new_password(&form.password, email.as_ref()));
        errors.into_result()?;
        let (Some(email), Some(name)) = (email, name) else { return Err(AppError::invalid("Check the form.")) };
        let now = self.clock.unix();

        if self.store.user_by_email(email.as_str()).await?.is_some() {
            let mail = NewMail {
                to_address: email.to_string(),
                subject: format!("Someone tried to join {} with your address", self.branding().await.name),
                body_text: format!(
                    "Someone (perhaps you) tried to create an account with this email address, which already has one.\n\n\
                     If it was you, sign in at {} or reset your password at {}.\nIf not, you can ignore this message.\n",
                    self.link("/sign-in"),
                    self.link("/password/forgot")
                ),
                attachment: None,
            };
            self.store.enqueue_mail(&mail, now).await?;
            return Ok(());
        }

        let password_hash = hash_password(&form.password).await?;
        let token = random_token()?;
        let user = NewUser {
            email: email.to_string(),
            display_name: name.clone(),
            password_hash,
            role: Role::Member.as_str().into(),
            email_verified_at: None,
        };
        let token_row = NewEmailToken {
            token_hash: hash_token(&token),
            user_id: 0, // set by the store to the new account's id
            purpose: VERIFY_EMAIL.into(),
            created_at: now,
            expires_at: now + self.settings.security.verify_link_hours * 3600,
            event_id: None,
        };
        let mail = self.verification_mail(&email, &name, &token).await;
        match self.store.create_user(&user, Some(&token_row), Some(&mail), now).await {
            // The form says that creating an account agrees to the terms and privacy notice.
            Ok(user_id) => self.record_agreement(Some(user_id), None, "sign-up form").await,
            // Two sign-ups raced for one address: the other one won; behave as above.
            Err(guildhall_store::StoreError::Conflict { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    async fn verification_mail(&self, email: &Email, name: &str, token: &str) -> NewMail {
        let society = self.branding().await.name;
        NewMail {
            to_address: email.to_string(),
            subject: format!("Confirm your email for {society}"),
            body_text: format!(
                "Hello {name},\n\nConfirm your email address to finish creating your {society} account:\n\n{}\n\n\
                 The link works once and expires in {} hours. If you did not sign up, ignore this message.\n",
                self.link(&format!("/verify-email?token={token}")),
                self.settings.security.verify_link_hours
            ),
            attachment: None,
        }
    }

    /// Sends a fresh verification link to an unverified account (silently does nothing
    /// for unknown or already-verified addresses).
    pub async fn resend_verification(&self, email: &str) -> AppResult<()> {
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let Some(user) = self.store.user_by_email(email.as_str()).await? else { return Ok(()) };
        if user.email_verified_at.is_some() {
            return Ok(());
        }
        let now = self.clock.unix();
        let token = random_token()?;
        let row = NewEmailToken {
            token_hash: hash_token(&token),
            user_id: user.id,
            purpose: VERIFY_EMAIL.into(),
            created_at: now,
            expires_at: now + self.settings.security.verify_link_hours * 3600,
            event_id: None,
        };
        let mail = self.verification_mail(&email, &user.display_name, &token).await;
        self.store.issue_email_token(&row, &mail, now).await?;
        Ok(())
    }

    /// Confirms an email address from the link's token.
    /// Confirms an account's email; returns the member number of the society's record for
    /// that email when it was linked to the account now (see `claim_member_record`).
    pub async fn verify_email(&self, token: &str) -> AppResult<Option<String>> {
        let now = self.clock.unix();
        match self.store.consume_email_token(&hash_token(token.trim()), VERIFY_EMAIL, now).await? {
            Some(user_id) => {
                self.store.mark_email_verified(user_id, now).await?;
                let user =
                    self.store.user_by_id(user_id).await?.ok_or_else(|| AppError::Internal("user vanished".into()))?;
                self.claim_member_record(user.id, &user.email, true).await
            }
            None => Err(AppError::invalid(
                "This confirmation link is not valid: it may have expired or been used already. \
                 Sign in to have a new one sent.",
            )),
        }
    }

    /// Checks the password and opens a session. Refused while too many recent
    /// attempts have failed for the account or from the address.
    pub async fn sign_in(&self, email: &str, password: &str, client: &ClientInfo) -> AppResult<SignInStep> {
        let security = &self.settings.security;
        let now = self.clock.unix();
        let email_key = email.trim().to_lowercase();
        if email_key.is_empty() || password.is_empty() {
            let mut errors = FieldErrors::default();
            if email_key.is_empty() {
                errors.add("email", "Enter your email address.");
            }
            if password.is_empty() {
                errors.add("password", "Enter your password.");
            }
            errors.into_result()?;
        }
        if email_key.len() > Email::MAX_LEN || password.chars().count() > guildhall_domain::identity::PASSWORD_MAX_CHARS
        {
            return Err(AppError::invalid("The email address or password is too long."));
        }
        // Every attempt is counted before its password is checked, by the database, one
        // upsert per throttle: the account from this address and the address are limited;
        // the account from anywhere is only slowed, so that nobody can lock its owner out
        // by failing from elsewhere.
        let window = security.failure_window_minutes * 60;
        let from_here = format!("account-address:{email_key}|{}", client.ip);
        let address = format!("address:{}", client.ip);
        let account = format!("account:{email_key}");
        let counts =
            self.store.count_sign_in_attempt(&[from_here.as_str(), &address, &account], now - window, now).await?;
        let (from_here_count, address_count, account_count) = (counts[0], counts[1], counts[2]);
        if from_here_count > security.max_failures_per_account || address_count > security.max_failures_per_address {
            return Err(AppError::RateLimited {
                message: format!(
                    "Too many failed sign-in attempts. For your security, wait {} minutes before trying again, \
                     or reset your password.",
                    security.failure_window_minutes
                ),
                retry_after_secs: window,
            });
        }

        let excess = account_count - security.max_failures_per_account;
        if excess > 0 {
            let steps = u64::try_from(excess.min(10)).unwrap_or(10);
            tokio::time::sleep(std::time::Duration::from_millis(security.slowdown_ms_per_failure * steps)).await;
        }

        let user = self.store.user_by_email(&email_key).await?;
        let password_ok = match &user {
            Some(user) => verify_password(password, &user.password_hash).await,
            None => {
                // Spend about the same time as a real check so timing does not reveal accounts.
                let _ = hash_password(password).await;
                false
            }
        };
        let user = match user {
            Some(user) if password_ok && user.disabled_at.is_none() => user,
            _ => {
                self.store.record_sign_in_attempt(&email_key, &client.ip, false, now).await?;
                return Err(AppError::invalid_field("email", "The email address or password is not right."));
            }
        };
        if user.email_verified_at.is_none() {
            self.resend_verification(&user.email).await?;
            return Err(AppError::Forbidden(
                "Confirm your email address first: we have just sent you a new link.".into(),
            ));
        }
        self.store.record_sign_in_attempt(&email_key, &client.ip, true, now).await?;
        self.store.forgive_sign_in_attempt(&[from_here.as_str(), &account], &[address.as_str()]).await?;
        if user.two_factor_enabled_at.is_some() {
            return self.challenge_second_factor(&user).await;
        }
        Ok(SignInStep::SignedIn(self.finish_sign_in(user, client).await?))
    }

    /// The last step of every sign-in: links a member record imported after the account
    /// confirmed its email, and opens the session.
    pub(crate) async fn finish_sign_in(&self, user: UserRecord, client: &ClientInfo) -> AppResult<SignedIn> {
        let linked_member = self.claim_member_record(user.id, &user.email, true).await?;
        let mut signed_in = self.open_session(user, client).await?;
        signed_in.linked_member = linked_member;
        Ok(signed_in)
    }

    /// Opens a session for an account whose identity was just proven (a password, an
    /// invitation link).
    pub(crate) async fn open_session(&self, user: UserRecord, client: &ClientInfo) -> AppResult<SignedIn> {
        let now = self.clock.unix();
        let token = random_token()?;
        let max_age_secs = self.settings.security.session_days * 86_400;
        self.store
            .create_session(&NewSession {
                token_hash: hash_token(&token),
                user_id: user.id,
                created_at: now,
                expires_at: now + max_age_secs,
                ip: client.ip.clone(),
                user_agent: client.user_agent.chars().take(300).collect(),
            })
            .await?;
        let actor = self.actor_for_user(user, None, None).await?;
        Ok(SignedIn { session_token: token, actor, max_age_secs, linked_member: None })
    }

    pub async fn sign_out(&self, session_token: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&hash_token(session_token)).await?)
    }

    /// The person behind a session cookie, if the session is live.
    pub async fn actor_for_session(&self, session_token: &str) -> AppResult<Option<Actor>> {
        let now = self.clock.unix();
        let security = &self.settings.security;
        let cutoff = |minutes: i64| if minutes > 0 { now - minutes * 60 } else { i64::MIN };
        let idle_cutoff =
            IdleCutoff { member: cutoff(security.member_idle_minutes), staff: cutoff(security.staff_idle_minutes) };
        let found = self
            .store
            .session_user_with_offices(&hash_token(session_token), now, self.clock.today(), idle_cutoff)
            .await?;
        let require = security.require_two_factor_for_staff;
        Ok(found.map(|(user, officer_of)| actor_from(user, officer_of, None, None, require)))
    }

    /// The person an API token acts for, limited to the token's role and chapter.
    pub async fn actor_for_api_token(&self, token: &str) -> AppResult<Option<Actor>> {
        match self.store.api_token(&hash_token(token.trim()), self.clock.unix()).await? {
            Some((token, user)) => match token.employer_id {
                // An employer's token: a recruiter for that employer and nothing else, and
                // only while the owner who issued it still recruits for it.
                Some(employer) => {
                    let recruits = self.store.employer_roles(user.id).await?.iter().any(|r| r.employer_id == employer);
                    Ok(recruits.then(|| Actor {
                        employer_token: Some(employer),
                        ..actor_from(user, Vec::new(), Some((token.id, Role::Member)), None, false)
                    }))
                }
                None => {
                    let role = Role::parse(&token.role).unwrap_or(Role::Member);
                    Ok(Some(self.actor_for_user(user, Some((token.id, role)), token.chapter_id).await?))
                }
            },
            None => Ok(None),
        }
    }

    async fn actor_for_user(
        &self,
        user: UserRecord,
        token: Option<(i64, Role)>,
        token_chapter: Option<i64>,
    ) -> AppResult<Actor> {
        let mut officer_of: Vec<i64> =
            self.store.officer_terms_on(user.id, self.clock.today()).await?.into_iter().map(|t| t.chapter_id).collect();
        officer_of.dedup();
        Ok(actor_from(user, officer_of, token, token_chapter, self.settings.security.require_two_factor_for_staff))
    }

    /// Emails a single-use reset link if the address has an account. Always succeeds,
    /// so the form does not reveal who is a member.
    pub async fn request_password_reset(&self, email: &str) -> AppResult<()> {
        let Ok(email) = Email::parse(email) else {
            return Err(AppError::invalid_field("email", "Enter the email address you signed up with."));
        };
        let Some(user) = self.store.user_by_email(email.as_str()).await? else { return Ok(()) };
        if user.disabled_at.is_some() {
            return Ok(());
        }
        let now = self.clock.unix();
        let token = random_token()?;
        let minutes = self.settings.security.reset_link_minutes;
        let row = NewEmailToken {
            token_hash: hash_token(&token),
            user_id: user.id,
            purpose: RESET_PASSWORD.into(),
            created_at: now,
            expires_at: now + minutes * 60,
            event_id: None,
        };
        let mail = NewMail {
            to_address: user.email.clone(),
            subject: format!("Reset your {} password", self.branding().await.name),
            body_text: format!(
                "Hello {},\n\nSomeone asked to reset the password for this account. To choose a new password, open:\n\n{}\n\n\
                 The link works once and expires in {minutes} minutes. If you did not ask, ignore this message: \
                 your password has not changed.\n",
                user.display_name,
                self.link(&format!("/password/reset?token={token}"))
            ),
            attachment: None,
        };
        self.store.issue_email_token(&row, &mail, now).await?;
        Ok(())
    }

    /// Sets a new password from a reset link; ends every existing session of the account.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> AppResult<()> {
        check_new_password(new_password, None).map_err(|e| AppError::invalid_field("password", e.0))?;
        let hash = hash_password(new_password).await?;
        match self.store.reset_password(&hash_token(token.trim()), &hash, self.clock.unix()).await? {
            Some(_) => Ok(()),
            None => Err(AppError::invalid(
                "This reset link is not valid: it may have expired or been used already. Ask for a new one.",
            )),
        }
    }

    /// A signed-in person changes their password: the current one is required, every other
    /// session ends (this one stays), and a notice goes to the account's address.
    pub async fn change_password(
        &self,
        actor: &Actor,
        session_token: &str,
        current: &str,
        new_password: &str,
        request_id: &str,
    ) -> AppResult<()> {
        let user =
            self.store.user_by_id(actor.user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))?;
        check_current_password(&user, current).await?;
        let email = Email::parse(&user.email).ok();
        check_new_password(new_password, email.as_ref()).map_err(|e| AppError::invalid_field("password", e.0))?;
        if new_password == current {
            return Err(AppError::invalid_field("password", "Choose a password different from your current one."));
        }
        let hash = hash_password(new_password).await?;
        let notice = NewMail {
            to_address: user.email.clone(),
            subject: format!("Your {} password was changed", self.branding().await.name),
            body_text: format!(
                "Hello {},\n\nThe password of this account was changed, and every other place it was signed in \
                 was signed out. If this was not you, reset your password now:\n\n{}\n\nand tell the society office.\n",
                user.display_name,
                self.link("/password/forgot")
            ),
            attachment: None,
        };
        let mut audit = self.audit_entry(actor, "account.password_changed", "user", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = user.email.clone();
        self.store.change_password(user.id, &hash, &hash_token(session_token), &notice, &audit).await?;
        Ok(())
    }

    /// A signed-in person asks to sign in with another address: the current password is
    /// required, and nothing changes until the link mailed to the new address is followed.
    /// An address that already has an account gets a notice instead, and the person is
    /// told the same as otherwise (so accounts cannot be discovered this way).
    pub async fn request_email_change(
        &self,
        actor: &Actor,
        new_email: &str,
        current_password: &str,
    ) -> AppResult<String> {
        let user =
            self.store.user_by_id(actor.user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))?;
        let mut errors = FieldErrors::default();
        let new_email = errors.check("new_email", Email::parse(new_email));
        if current_password.is_empty() || !verify_password(current_password, &user.password_hash).await {
            errors.add("current_password", "That is not your current password.");
        }
        errors.into_result()?;
        let Some(new_email) = new_email else { return Err(AppError::invalid("Check the new address.")) };
        if new_email.as_str() == user.email {
            return Err(AppError::invalid_field("new_email", "That is already the address you sign in with."));
        }
        let name = self.branding().await.name;
        let now = self.clock.unix();
        if let Some(owner) = self.store.user_by_email(new_email.as_str()).await? {
            let notice = NewMail {
                to_address: owner.email.clone(),
                subject: format!("Someone asked to use this address at {name}"),
                body_text: format!(
                    "Hello {},\n\nSomeone signed in to another {name} account asked to sign in with this address, \
                     which is already yours. Nothing has changed. If it was you, sign in to this account instead.\n",
                    owner.display_name
                ),
                attachment: None,
            };
            self.store.enqueue_mail(&notice, now).await?;
            return Ok(new_email.to_string());
        }
        let token = random_token()?;
        let hours = self.settings.security.verify_link_hours;
        let row = NewEmailToken {
            token_hash: hash_token(&token),
            user_id: user.id,
            purpose: CHANGE_EMAIL.into(),
            created_at: now,
            expires_at: now + hours * 3600,
            event_id: None,
        };
        let mail = NewMail {
            to_address: new_email.to_string(),
            subject: format!("Confirm your new {name} sign-in address"),
            body_text: format!(
                "Hello {},\n\nTo sign in to {name} with this address from now on, open:\n\n{}\n\n\
                 The link works once and expires in {hours} hours. Until then you keep signing in with {}.\n",
                user.display_name,
                self.link(&format!("/account/email/confirm?token={token}")),
                user.email
            ),
            attachment: None,
        };
        self.store.issue_email_change(&row, new_email.as_str(), &mail, now).await?;
        Ok(new_email.to_string())
    }

    /// Follows the link mailed to a new address: the account signs in with it from now
    /// on, and the old address is told. Returns the new address.
    pub async fn confirm_email_change(&self, token: &str) -> AppResult<String> {
        let now = self.clock.unix();
        let name = self.branding().await.name;
        let forgot = self.link("/password/forgot");
        let notice = |old: &str, new: &str| NewMail {
            to_address: old.to_string(),
            subject: format!("Your {name} sign-in address was changed"),
            body_text: format!(
                "Hello,\n\nThis account now signs in with {new} instead of this address. If you did not ask for \
                 this, reset the password from {forgot} and tell the society office.\n"
            ),
            attachment: None,
        };
        let audit = NewAuditEntry {
            occurred_at: now,
            actor_label: "the account's owner".into(),
            action: "account.email_changed".into(),
            subject_kind: "user".into(),
            ..Default::default()
        };
        match self.store.change_email(&hash_token(token.trim()), CHANGE_EMAIL, now, notice, &audit).await {
            Ok(Some((_, _, new_email))) => Ok(new_email),
            Ok(None) => Err(AppError::invalid(
                "This link is not valid: it may have expired or been used already. Ask for a new one from your account page.",
            )),
            Err(guildhall_store::StoreError::Conflict { .. }) => Err(AppError::Conflict {
                message: "Another account signs in with that address now; nothing was changed.".into(),
                field: None,
            }),
            Err(other) => Err(other.into()),
        }
    }

    /// Creates a verified account directly (CLI `create-admin`, demo data).
    pub async fn create_verified_user(&self, email: &str, name: &str, password: &str, role: Role) -> AppResult<i64> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(email));
        let name = errors.check("display_name", parse_display_name(name));
        errors.check("password", check_new_password(password, email.as_ref()));
        errors.into_result()?;
        let (Some(email), Some(name)) = (email, name) else { return Err(AppError::invalid("Check the input.")) };
        let now = self.clock.unix();
        let user = NewUser {
            email: email.to_string(),
            display_name: name,
            password_hash: hash_password(password).await?,
            role: role.as_str().into(),
            email_verified_at: Some(now),
        };
        self.store.create_user(&user, None, None, now).await.map_err(|err| match err {
            guildhall_store::StoreError::Conflict { .. } => AppError::Conflict {
                message: format!("An account for {email} already exists."),
                field: Some("email".into()),
            },
            other => other.into(),
        })
    }
}

/// An actor from a user and the chapters they hold office in, narrowed to an API
/// token's role and chapter when the request came with one. A staff or administrator
/// session without two-factor sign-in, where it is required, acts as a member until it
/// is set up. (An API token is a credential of its own, issued by an administrator.)
fn actor_from(
    user: UserRecord,
    mut officer_of: Vec<i64>,
    token: Option<(i64, Role)>,
    token_chapter: Option<i64>,
    require_two_factor_for_staff: bool,
) -> Actor {
    let user_role = Role::parse(&user.role).unwrap_or(Role::Member);
    let must_set_up_two_factor = token.is_none()
        && require_two_factor_for_staff
        && user_role >= Role::Staff
        && user.two_factor_enabled_at.is_none();
    let role = match token {
        Some((_, token_role)) => token_role.min(user_role),
        None if must_set_up_two_factor => Role::Member,
        None => user_role,
    };
    if token.is_some() {
        officer_of.retain(|c| Some(*c) == token_chapter);
    }
    Actor {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role,
        officer_of,
        api_token_id: token.map(|(id, _)| id),
        must_set_up_two_factor,
        employers: Vec::new(),
        employer_token: None,
    }
}

/// The signed-in person's current password, asked again before a change to their account.
pub(crate) async fn check_current_password(user: &UserRecord, password: &str) -> AppResult<()> {
    if password.is_empty() || !verify_password(password, &user.password_hash).await {
        return Err(AppError::invalid_field("current_password", "That is not your current password."));
    }
    Ok(())
}
