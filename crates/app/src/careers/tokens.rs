//! Employers' API tokens: an owner of an employer account issues them for the employer's
//! applicant-tracking system. A token acts for the owner who issued it, only as the
//! employer's recruiter (its jobs through the jobs API), and only while that owner still
//! recruits for it. Its owners and staff see and revoke them; each change is audited.

use guildhall_domain::identity::Role;
use guildhall_store::{EmployerRecord, EmployerTokenRecord};
use serde_json::json;

use crate::accounts::admin::{IssuedToken, TokenGrant, check_expiry, check_token_name};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// An employer's tokens page.
#[derive(Debug, Clone)]
pub struct EmployerTokens {
    pub employer: EmployerRecord,
    pub tokens: Vec<EmployerTokenRecord>,
    /// Whether the actor may issue one: an owner (staff may only look and revoke, as a token
    /// must act for someone who recruits for the employer).
    pub can_issue: bool,
}

impl EmployerTokens {
    /// One of its tokens still live (not revoked), or 404.
    pub fn live(&self, token_id: i64) -> AppResult<&EmployerTokenRecord> {
        self.tokens
            .iter()
            .find(|t| t.token.id == token_id && t.token.revoked_at.is_none())
            .ok_or_else(|| AppError::NotFound("No such live token.".into()))
    }
}

impl App {
    /// An employer's tokens, live and past (its owners, and staff). Someone who does not
    /// recruit for it is told it does not exist.
    pub async fn employer_tokens(&self, actor: &Actor, employer_id: i64) -> AppResult<EmployerTokens> {
        let (actor, employer) = self.employer_token_manager(actor, employer_id).await?;
        Ok(EmployerTokens {
            tokens: self.store.employer_api_tokens(employer_id).await?,
            can_issue: owns(&actor, employer_id),
            employer,
        })
    }

    /// An owner issues a token for the employer; its secret is shown once.
    pub async fn issue_employer_token(
        &self,
        actor: &Actor,
        employer_id: i64,
        name: &str,
        expires_days: Option<i64>,
        request_id: &str,
    ) -> AppResult<IssuedToken> {
        let (actor, employer) = self.employer_token_manager(actor, employer_id).await?;
        if !owns(&actor, employer_id) {
            return Err(AppError::Forbidden(
                "Only an owner of the employer account can issue its API tokens: a token acts for the owner who \
                 issued it."
                    .into(),
            ));
        }
        let mut errors = FieldErrors::default();
        let name = name.trim();
        check_token_name(&mut errors, name);
        check_expiry(&mut errors, "expires_days", expires_days);
        errors.into_result()?;
        let mut audit = self.audit_entry(&actor, "api_token.issued", "employer", request_id);
        audit.subject_id = Some(employer_id);
        audit.subject_label = format!("{}: {name}", employer.name);
        audit.after_json =
            Some(json!({ "name": name, "employer_id": employer_id, "expires_days": expires_days }).to_string());
        let grant = TokenGrant {
            name,
            user_id: actor.user_id,
            role: Role::Member,
            chapter_id: None,
            employer_id: Some(employer_id),
            expires_days,
        };
        self.mint_api_token(grant, &audit).await
    }

    /// Revokes one of the employer's live tokens (its owners, and staff).
    pub async fn revoke_employer_token(
        &self,
        actor: &Actor,
        employer_id: i64,
        token_id: i64,
        request_id: &str,
    ) -> AppResult<()> {
        let view = self.employer_tokens(actor, employer_id).await?;
        let token = view.live(token_id)?;
        let mut audit = self.audit_entry(actor, "api_token.revoked", "employer", request_id);
        audit.subject_id = Some(employer_id);
        audit.subject_label = format!("{}: {}", view.employer.name, token.token.name);
        self.end_api_token(token_id, Some(employer_id), &audit).await
    }

    /// The actor with their employer roles and the employer, when they may manage its
    /// tokens: 404 to someone who does not recruit for it, 403 to a recruiter who is not
    /// an owner.
    async fn employer_token_manager(&self, actor: &Actor, employer_id: i64) -> AppResult<(Actor, EmployerRecord)> {
        let actor = self.with_employer_roles(actor).await?;
        let employer = self.employer_account_header(&actor, employer_id).await?;
        actor.require(Permission::ManageEmployer(employer_id))?;
        Ok((actor, employer))
    }
}

fn owns(actor: &Actor, employer_id: i64) -> bool {
    actor.employer_token.is_none() && actor.employers.iter().any(|r| r.employer_id == employer_id && r.owner)
}
