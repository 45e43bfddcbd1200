//! Staff and administrator use cases: the audit log, outgoing mail, roles, society
//! settings and API tokens. Each checks permission first and records what it changes.

use guildhall_domain::identity::Role;
use guildhall_store::{
    ApiTokenRecord, AuditFilter, AuditRecord, MailRecord, NewApiToken, Page, PageRequest, UserRecord,
};
use serde_json::json;

use crate::crypto::{hash_token, random_token};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Branding, Permission};

/// The branding form as typed.
#[derive(Debug, Clone, Default)]
pub struct BrandingForm {
    pub name: String,
    pub tagline: String,
    pub primary_colour: String,
    pub logo_url: String,
}

/// A new API token: the secret is shown once, only its hash is kept.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub secret: String,
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

impl App {
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> AppResult<Page<AuditRecord>> {
        actor.require(Permission::AuditLog)?;
        Ok(self.store.list_audit(filter, page).await?)
    }

    pub async fn audit_actions(&self, actor: &Actor) -> AppResult<Vec<String>> {
        actor.require(Permission::AuditLog)?;
        Ok(self.store.audit_actions().await?)
    }

    /// Outgoing mail. Bodies carry sign-in links, so staff see them only while mail is
    /// kept in the local mailbox (development); with SMTP they see subjects and status.
    pub async fn outgoing_mail(
        &self,
        actor: &Actor,
        to: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<MailRecord>> {
        actor.require(Permission::OutgoingMail)?;
        let local = self.mail_is_local();
        Ok(self.store.list_mail(to, page).await?.map(|mut m| {
            if !local {
                m.body_text = String::new();
            }
            m
        }))
    }

    pub async fn mail_message(&self, actor: &Actor, id: i64) -> AppResult<MailRecord> {
        actor.require(Permission::OutgoingMail)?;
        let mut mail = self.store.mail_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such message.".into()))?;
        if !self.mail_is_local() {
            mail.body_text = "(Message bodies are shown only while mail is kept in the local mailbox.)".into();
        }
        Ok(mail)
    }

    pub async fn list_accounts(
        &self,
        actor: &Actor,
        search: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<UserRecord>> {
        actor.require(Permission::Administration)?;
        Ok(self.store.list_users(search, page).await?)
    }

    /// Changes someone's society-wide role. An administrator cannot demote themself, so
    /// a society is never left without one by accident.
    pub async fn set_role(&self, actor: &Actor, user_id: i64, role: &str, request_id: &str) -> AppResult<()> {
        actor.require(Permission::Administration)?;
        let role = Role::parse(role).map_err(|e| AppError::invalid_field("role", e.0))?;
        let user =
            self.store.user_by_id(user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))?;
        if user.id == actor.user_id && role != Role::Admin {
            return Err(AppError::invalid("You cannot remove your own administrator role; ask another administrator."));
        }
        if user.role == role.as_str() {
            return Ok(());
        }
        let mut audit = self.audit_entry(actor, "account.role_changed", "account", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = format!("{} <{}>", user.display_name, user.email);
        audit.before_json = Some(json!({ "role": user.role }).to_string());
        audit.after_json = Some(json!({ "role": role.as_str() }).to_string());
        Ok(self.store.set_user_role(user.id, role.as_str(), &audit).await?)
    }

    pub async fn save_branding(&self, actor: &Actor, form: &BrandingForm, request_id: &str) -> AppResult<Branding> {
        actor.require(Permission::Administration)?;
        let mut errors = FieldErrors::default();
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            errors.add("name", "Enter the society's name (at most 120 characters).");
        }
        if form.tagline.trim().chars().count() > 200 {
            errors.add("tagline", "A tagline can be at most 200 characters.");
        }
        let colour = form.primary_colour.trim().to_lowercase();
        if !is_hex_colour(&colour) {
            errors.add("primary_colour", "Enter a colour as # and six hex digits, like #1d4e89.");
        }
        let logo = form.logo_url.trim();
        let logo_allowed = logo.is_empty() || logo.starts_with("https://") || logo.starts_with('/');
        if !logo_allowed || logo.len() > 500 {
            errors.add("logo_url", "A logo address must start with https:// or / (at most 500 characters).");
        }
        errors.into_result()?;
        let before = self.branding().await;
        let after = Branding {
            name: name.into(),
            tagline: form.tagline.trim().into(),
            primary_colour: colour,
            logo_url: logo.into(),
        };
        let mut audit = self.audit_entry(actor, "society.settings_changed", "society", request_id);
        audit.subject_label = "Society settings".into();
        audit.before_json = serde_json::to_string(&before).ok();
        audit.after_json = serde_json::to_string(&after).ok();
        let pairs = vec![
            ("name".to_string(), after.name.clone()),
            ("tagline".to_string(), after.tagline.clone()),
            ("primary_colour".to_string(), after.primary_colour.clone()),
            ("logo_url".to_string(), after.logo_url.clone()),
        ];
        self.store.save_society_settings(&pairs, Some(&audit)).await?;
        self.refresh_branding_now().await?;
        Ok(after)
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
        request_id: &str,
    ) -> AppResult<IssuedToken> {
        actor.require(Permission::Administration)?;
        let mut errors = FieldErrors::default();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.add("name", "Name the token after the integration that uses it (at most 100 characters).");
        }
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
        let secret = format!("gh_{}", random_token()?);
        let mut audit = self.audit_entry(actor, "api_token.issued", "api_token", request_id);
        audit.subject_label = name.into();
        audit.after_json = Some(json!({ "name": name, "role": role.as_str(), "chapter_id": chapter_id }).to_string());
        let token = NewApiToken {
            token_hash: hash_token(&secret),
            name: name.into(),
            user_id: actor.user_id,
            role: role.as_str().into(),
            chapter_id,
            expires_at: None,
        };
        let id = self.store.create_api_token(&token, self.clock.unix(), &audit).await?;
        Ok(IssuedToken { id, secret })
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::Administration)?;
        let mut audit = self.audit_entry(actor, "api_token.revoked", "api_token", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("token {id}");
        self.store.revoke_api_token(id, self.clock.unix(), &audit).await.map_err(|e| match e {
            guildhall_store::StoreError::NotFound => AppError::NotFound("No such live token.".into()),
            other => other.into(),
        })
    }
}
