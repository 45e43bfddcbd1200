//! Administrators' account use cases: roles and API tokens. Each checks permission first
//! and records what it changes.

use guildhall_domain::identity::Role;
use guildhall_store::{ApiTokenRecord, NewApiToken, NewAuditEntry, Page, PageRequest, UserRecord};
use serde_json::json;

use crate::crypto::{hash_token, random_token};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// A new API token: the secret is shown once, only its hash is kept.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub secret: String,
}

impl App {
    pub async fn list_accounts(
        &self,
        actor: &Actor,
        search: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<UserRecord>> {
        actor.require(Permission::Administration)?;
        Ok(self.store.list_users(search, page).await?)
    }

    /// One account, for administrators.
    pub async fn account(&self, actor: &Actor, user_id: i64) -> AppResult<UserRecord> {
        actor.require(Permission::Administration)?;
        self.store.user_by_id(user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))
    }

    /// Changes someone's society-wide role. An administrator cannot demote themself, so
    /// a society is never left without one by accident.
    /// Changes an account's role (audited); returns the account as it now is.
    pub async fn set_role(&self, actor: &Actor, user_id: i64, role: &str, request_id: &str) -> AppResult<UserRecord> {
        actor.require(Permission::Administration)?;
        let role = Role::parse(role).map_err(|e| AppError::invalid_field("role", e.0))?;
        let user =
            self.store.user_by_id(user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))?;
        if user.id == actor.user_id && role != Role::Admin {
            return Err(AppError::invalid("You cannot remove your own administrator role; ask another administrator."));
        }
        if user.role == role.as_str() {
            return Ok(user);
        }
        let mut audit = self.audit_entry(actor, "account.role_changed", "account", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = format!("{} <{}>", user.display_name, user.email);
        audit.before_json = Some(json!({ "role": user.role }).to_string());
        audit.after_json = Some(json!({ "role": role.as_str() }).to_string());
        self.store.set_user_role(user.id, role.as_str(), &audit).await?;
        Ok(UserRecord { role: role.as_str().to_string(), ..user })
    }

    /// Turns off someone's two-factor sign-in when they lost both their phone and their
    /// recovery codes, after the administrator confirmed who they are (audited; the
    /// account is told by email). They set it up again at their next sign-in if their
    /// role requires it.
    pub async fn reset_two_factor(
        &self,
        actor: &Actor,
        user_id: i64,
        identity_confirmed: bool,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::Administration)?;
        let user =
            self.store.user_by_id(user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))?;
        if !identity_confirmed {
            return Err(AppError::invalid_field(
                "confirmed",
                "Confirm that you have checked who is asking before turning off their two-factor sign-in.",
            ));
        }
        if user.two_factor_enabled_at.is_none() {
            return Err(AppError::invalid("Two-factor sign-in is already off for that account."));
        }
        let mut audit = self.audit_entry(actor, "account.two_factor_reset", "account", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = format!("{} <{}>", user.display_name, user.email);
        let notice = guildhall_store::NewMail {
            to_address: user.email.clone(),
            subject: format!("Two-factor sign-in was turned off by an administrator ({})", self.branding().await.name),
            body_text: format!(
                "Hello {},\n\nAn administrator turned off two-factor sign-in for this account, as asked. Set it up \
                 again from your account page: {}\n\nIf you did not ask for this, tell the society office at once.\n",
                user.display_name,
                self.link("/account/two-factor")
            ),
            attachment: None,
        };
        self.store.disable_two_factor(user.id, &notice, &audit).await?;
        Ok(())
    }

    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiTokenRecord>> {
        actor.require(Permission::Administration)?;
        Ok(self.store.list_api_tokens().await?)
    }

    /// Issues a token acting for the administrator with at most their role; an officer
    /// token is limited to one chapter.
    pub async fn issue_api_token(
        &self,
        actor: &Actor,
        name: &str,
        role: &str,
        chapter_id: Option<i64>,
        expires_days: Option<i64>,
        request_id: &str,
    ) -> AppResult<IssuedToken> {
        actor.require(Permission::Administration)?;
        let mut errors = FieldErrors::default();
        let name = name.trim();
        check_token_name(&mut errors, name);
        check_expiry(&mut errors, "expires_days", expires_days);
        let role = errors.check("role", Role::parse(role));
        errors.into_result()?;
        let role = role.unwrap_or(Role::Member);
        if !actor.can_grant_token_role(role) {
            return Err(AppError::invalid_field("role", "A token cannot carry more than your own role."));
        }
        if let Some(chapter) = chapter_id
            && self.store.chapter_by_id(chapter).await?.is_none()
        {
            return Err(AppError::invalid_field("chapter_id", "No such chapter."));
        }
        let mut audit = self.audit_entry(actor, "api_token.issued", "api_token", request_id);
        audit.subject_label = name.into();
        audit.after_json = Some(
            json!({ "name": name, "role": role.as_str(), "chapter_id": chapter_id, "expires_days": expires_days })
                .to_string(),
        );
        let token = TokenGrant { name, user_id: actor.user_id, role, chapter_id, employer_id: None, expires_days };
        self.mint_api_token(token, &audit).await
    }

    /// Makes a token's secret and keeps only its hash, with the audit entry.
    pub(crate) async fn mint_api_token(&self, grant: TokenGrant<'_>, audit: &NewAuditEntry) -> AppResult<IssuedToken> {
        let secret = format!("gh_{}", random_token()?);
        let now = self.clock.unix();
        let token = NewApiToken {
            token_hash: hash_token(&secret),
            name: grant.name.into(),
            user_id: grant.user_id,
            role: grant.role.as_str().into(),
            chapter_id: grant.chapter_id,
            employer_id: grant.employer_id,
            expires_at: grant.expires_days.map(|d| now + d * 86_400),
        };
        let id = self.store.create_api_token(&token, now, audit).await?;
        Ok(IssuedToken { id, secret })
    }

    /// Issues a token from the command line (`guildhall tokens create`) for the account with
    /// this address: the account's own role, never more; limited to one chapter when one is
    /// given (an officer's token, for a chapter they hold office in); expiring after
    /// `expires_days` when given. Audited as done from the command line.
    pub async fn issue_token_for_account(
        &self,
        email: &str,
        name: &str,
        chapter_id: Option<i64>,
        expires_days: Option<i64>,
    ) -> AppResult<IssuedToken> {
        let mut errors = FieldErrors::default();
        let name = name.trim();
        check_token_name(&mut errors, name);
        check_expiry(&mut errors, "expires", expires_days);
        errors.into_result()?;
        let user = self
            .store
            .user_by_email(email.trim().to_lowercase().as_str())
            .await?
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(|| AppError::NotFound(format!("There is no active account for {}.", email.trim())))?;
        let role = Role::parse(&user.role).unwrap_or(Role::Member);
        if let Some(chapter) = chapter_id {
            if self.store.chapter_by_id(chapter).await?.is_none() {
                return Err(AppError::invalid_field("chapter", "No such chapter."));
            }
            let offices = self.store.officer_terms_on(user.id, self.clock.today()).await?;
            if role == Role::Member && !offices.iter().any(|t| t.chapter_id == chapter) {
                return Err(AppError::invalid_field(
                    "chapter",
                    format!("{} holds no office in chapter {chapter} today.", user.email),
                ));
            }
        }
        let audit = NewAuditEntry {
            occurred_at: self.clock.unix(),
            actor_user_id: None,
            actor_label: "command line".into(),
            action: "api_token.issued".into(),
            subject_kind: "api_token".into(),
            subject_label: name.into(),
            after_json: Some(
                json!({ "name": name, "for": user.email, "role": role.as_str(), "chapter_id": chapter_id,
                        "expires_days": expires_days })
                .to_string(),
            ),
            ..Default::default()
        };
        let token = TokenGrant { name, user_id: user.id, role, chapter_id, employer_id: None, expires_days };
        self.mint_api_token(token, &audit).await
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::Administration)?;
        let mut audit = self.audit_entry(actor, "api_token.revoked", "api_token", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("token {id}");
        self.end_api_token(id, None, &audit).await
    }

    /// Revokes a live token (only one of this employer's, when given).
    pub(crate) async fn end_api_token(
        &self,
        id: i64,
        employer_id: Option<i64>,
        audit: &NewAuditEntry,
    ) -> AppResult<()> {
        self.store.revoke_api_token(id, employer_id, self.clock.unix(), audit).await.map_err(|e| match e {
            guildhall_store::StoreError::NotFound => AppError::NotFound("No such live token.".into()),
            other => other.into(),
        })
    }
}

/// What a new token may do and for whom.
pub(crate) struct TokenGrant<'a> {
    pub name: &'a str,
    pub user_id: i64,
    pub role: Role,
    pub chapter_id: Option<i64>,
    pub employer_id: Option<i64>,
    pub expires_days: Option<i64>,
}

/// A token's name: what the integration using it is called (1 to 100 characters).
pub(crate) fn check_token_name(errors: &mut FieldErrors, name: &str) {
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", "Name the token after the integration that uses it (at most 100 characters).");
    }
}

/// A token's life in days, when it has one: 1 to 3650.
pub(crate) fn check_expiry(errors: &mut FieldErrors, field: &str, days: Option<i64>) {
    if days.is_some_and(|d| !(1..=3650).contains(&d)) {
        errors.add(field, "A token expires after 1 to 3650 days, or never when left empty.");
    }
}
