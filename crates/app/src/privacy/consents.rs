//! Consent records: what a person agreed to, when and how; optional ones can be withdrawn.

use guildhall_store::privacy::consents::NewConsent;

use crate::{Actor, App, AppError, AppResult, Permission};

/// What a consent is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The society's terms of use, agreed at sign-up (required for an account).
    Terms,
    /// The privacy notice, agreed at sign-up (required for an account).
    PrivacyNotice,
    /// Showing the details a member marks public or members-only in the directory
    /// (optional; withdrawing makes every detail private).
    DirectoryDetails,
}

/// The version of the texts agreed to.
pub const TEXT_VERSION: &str = "2026-01";

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Terms, Purpose::PrivacyNotice, Purpose::DirectoryDetails];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::Terms => "terms",
            Purpose::PrivacyNotice => "privacy_notice",
            Purpose::DirectoryDetails => "directory_details",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Purpose::Terms => "The society's terms of use",
            Purpose::PrivacyNotice => "The privacy notice",
            Purpose::DirectoryDetails => "Showing my directory details to others, as I chose in my profile",
        }
    }

    /// Whether it can be withdrawn while the account exists.
    pub fn optional(self) -> bool {
        matches!(self, Purpose::DirectoryDetails)
    }
}

/// A consent as the privacy page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentView {
    pub id: i64,
    pub purpose: Option<Purpose>,
    pub what: String,
    pub version: String,
    pub given_at: i64,
    pub source: String,
    pub withdrawn_at: Option<i64>,
}

impl ConsentView {
    pub fn can_withdraw(&self) -> bool {
        self.withdrawn_at.is_none() && self.purpose.is_some_and(Purpose::optional)
    }
}

impl App {
    /// The terms and privacy notice a person agreed to on a form (`source`: "sign-up
    /// form", "join form", "invitation"), recorded for their account and member record.
    pub(crate) async fn record_agreement(
        &self,
        user_id: Option<i64>,
        member_id: Option<i64>,
        source: &str,
    ) -> AppResult<()> {
        let consents: Vec<NewConsent> = [Purpose::Terms, Purpose::PrivacyNotice]
            .into_iter()
            .map(|p| NewConsent {
                user_id,
                member_id,
                purpose: p.code().into(),
                version: TEXT_VERSION.into(),
                source: source.into(),
            })
            .collect();
        Ok(self.store.record_consents(&consents, self.clock.unix()).await?)
    }

    pub(crate) async fn consent_views(&self, user_id: i64, member_id: Option<i64>) -> AppResult<Vec<ConsentView>> {
        Ok(self
            .store
            .consents_of(user_id, member_id)
            .await?
            .into_iter()
            .map(|c| {
                let purpose = Purpose::from_code(&c.purpose);
                ConsentView {
                    id: c.id,
                    purpose,
                    what: purpose.map_or_else(|| c.purpose.clone(), |p| p.label().to_string()),
                    version: c.version,
                    given_at: c.given_at,
                    source: c.source,
                    withdrawn_at: c.withdrawn_at,
                }
            })
            .collect())
    }

    /// Gives an optional consent from the privacy page (a member's directory details).
    pub async fn give_consent(&self, actor: &Actor, purpose: &str, request_id: &str) -> AppResult<()> {
        actor.require(Permission::OwnAccount)?;
        let purpose = Purpose::from_code(purpose)
            .filter(|p| p.optional())
            .ok_or_else(|| AppError::invalid("Choose a consent from the page."))?;
        let person = self.store.person_of_user(actor.user_id).await?;
        let Some(member_id) = person.member_id else {
            return Err(AppError::invalid("Only members are listed in the directory."));
        };
        let current = self.consent_views(actor.user_id, Some(member_id)).await?;
        if current.iter().any(|c| c.purpose == Some(purpose) && c.withdrawn_at.is_none()) {
            return Ok(());
        }
        let consent = NewConsent {
            user_id: Some(actor.user_id),
            member_id: Some(member_id),
            purpose: purpose.code().into(),
            version: TEXT_VERSION.into(),
            source: "privacy page".into(),
        };
        self.store.record_consents(&[consent], self.clock.unix()).await?;
        let mut audit = self.audit_entry(actor, "privacy.consent_given", "member", request_id);
        audit.subject_id = Some(member_id);
        audit.after_json = Some(serde_json::json!({ "purpose": purpose.code() }).to_string());
        self.store.record_audit(&audit).await?;
        Ok(())
    }

    /// Withdraws one of the person's optional consents. Withdrawing the directory consent
    /// makes every directory detail private at once.
    pub async fn withdraw_consent(&self, actor: &Actor, consent_id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::OwnAccount)?;
        let person = self.store.person_of_user(actor.user_id).await?;
        let consent = self
            .consent_views(actor.user_id, person.member_id)
            .await?
            .into_iter()
            .find(|c| c.id == consent_id)
            .ok_or_else(|| AppError::NotFound("There is no such consent on your record.".into()))?;
        if !consent.can_withdraw() {
            return Err(AppError::invalid(
                "This one cannot be withdrawn while you have an account: ask to be erased instead.",
            ));
        }
        let mut audit = self.audit_entry(actor, "privacy.consent_withdrawn", "member", request_id);
        audit.subject_id = person.member_id;
        audit.after_json = Some(serde_json::json!({ "consent": consent_id, "what": consent.what }).to_string());
        let hide = consent.purpose == Some(Purpose::DirectoryDetails);
        self.store
            .withdraw_consent(consent_id, actor.user_id, person.member_id, hide, &audit, self.clock.unix())
            .await?;
        if hide {
            self.forget_kept_pages();
        }
        Ok(())
    }
}
