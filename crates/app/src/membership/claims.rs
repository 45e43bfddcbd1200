//! "I am already a member": a signed-in person without a member record names theirs by
//! member number and last name. When that matches a record without an account, a code
//! goes to the address on the record (never to the account's own address), and entering
//! it links the record. Anything else waits for staff, who link or dismiss it.

use guildhall_domain::membership::ClaimStatus;
use guildhall_store::NewMail;
use guildhall_store::membership::claims::{ClaimForStaff, NewClaim};

use crate::crypto::{constant_time_eq, hash_token, random_code};
use crate::error::FieldErrors;
use crate::{Actor, App, AppError, AppResult, Permission};

/// How long a code works, in minutes.
pub const CODE_MINUTES: i64 = 30;
/// Wrong codes allowed before the claim goes to staff.
pub const CODE_ATTEMPTS: i64 = 5;

/// What happened to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimStarted {
    /// A code went to the address on the record, shown partly hidden (`m•••@example.org`).
    CodeSent { to: String },
    /// The society office will look at it.
    SentToStaff,
}

/// `maya@example.org` → `m•••@example.org`.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".into(),
    }
}

impl App {
    /// Starts a claim of the record with this number and last name.
    pub async fn claim_member_record_by_number(
        &self,
        actor: &Actor,
        number: &str,
        last_name: &str,
    ) -> AppResult<ClaimStarted> {
        let mut errors = FieldErrors::default();
        let number = errors.text(number, "member_number", "your member number", 20, true).to_uppercase();
        let last_name = errors.text(last_name, "last_name", "your last name", 100, true);
        errors.into_result()?;
        if self.store.member_by_user(actor.user_id).await?.is_some() {
            return Err(AppError::invalid("This account already has its membership."));
        }
        let now = self.clock.unix();
        let record = match self.store.member_id_by_number(&number).await? {
            Some(id) => self.store.member_by_id(id).await?,
            None => None,
        };
        let matched =
            record.filter(|m| m.user_id.is_none() && m.last_name.trim().to_lowercase() == last_name.to_lowercase());
        let Some(member) = matched else {
            let claim = NewClaim {
                user_id: actor.user_id,
                member_id: None,
                typed_number: number,
                typed_last_name: last_name,
                code_hash: String::new(),
                status: ClaimStatus::NeedsStaff,
                expires_at: now,
            };
            self.store.open_claim(&claim, None, now).await?;
            return Ok(ClaimStarted::SentToStaff);
        };
        let code = random_code()?;
        let society = self.branding().await.name;
        let mail = NewMail {
            to_address: member.email.clone(),
            subject: format!("Your {society} code: {code}"),
            body_text: format!(
                "Hello {},\n\nSomeone signed in as {} asked to connect your membership ({}) to their account. \
                 If that is you, enter this code on the page that asked for it:\n\n    {code}\n\n\
                 It works for {CODE_MINUTES} minutes. If it was not you, ignore this message: nothing changes.\n",
                member.first_name, actor.email, member.member_number
            ),
            attachment: None,
        };
        let claim = NewClaim {
            user_id: actor.user_id,
            member_id: Some(member.id),
            typed_number: number,
            typed_last_name: last_name,
            code_hash: hash_token(&code),
            status: ClaimStatus::CodeSent,
            expires_at: now + CODE_MINUTES * 60,
        };
        self.store.open_claim(&claim, Some(&mail), now).await?;
        Ok(ClaimStarted::CodeSent { to: masked(&member.email) })
    }

    /// Enters the code of the account's open claim; returns the member number linked.
    /// Each attempt is counted in the database before the code is compared; after
    /// [`CODE_ATTEMPTS`] wrong ones the claim goes to staff.
    pub async fn enter_claim_code(&self, actor: &Actor, code: &str, request_id: &str) -> AppResult<String> {
        let now = self.clock.unix();
        let Some((claim_id, attempts, code_hash)) = self.store.count_claim_attempt(actor.user_id, now).await? else {
            return Err(AppError::invalid(
                "There is no code waiting for this account, or it expired: ask for a new one.",
            ));
        };
        if attempts > CODE_ATTEMPTS {
            return Err(AppError::invalid("Too many wrong codes: the society office will look into it."));
        }
        if !constant_time_eq(&hash_token(code.trim()), &code_hash) {
            if attempts == CODE_ATTEMPTS {
                self.store.set_claim_status(claim_id, ClaimStatus::NeedsStaff, None, now).await?;
                return Err(AppError::invalid("That code is not right either: the society office will look into it."));
            }
            return Err(AppError::invalid_field("code", "That code is not right; check the email and try again."));
        }
        let mut audit = self.audit_entry(actor, "member.account_linked", "member", request_id);
        audit.after_json = Some(serde_json::json!({ "user_id": actor.user_id, "by": "code" }).to_string());
        self.store.link_claimed_member(claim_id, None, None, &audit, now).await?.ok_or_else(|| {
            AppError::invalid("That record cannot be linked any more: the society office will look into it.")
        })
    }

    /// Claims waiting for staff.
    pub async fn claims_for_staff(&self, actor: &Actor) -> AppResult<Vec<ClaimForStaff>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.claims_for_staff().await?)
    }

    /// Staff decide a claim: link it to the record with `member_number`, or dismiss it
    /// (`None`). The person is emailed the outcome.
    pub async fn resolve_claim(
        &self,
        actor: &Actor,
        claim_id: i64,
        member_number: Option<&str>,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let claim = self
            .store
            .claims_for_staff()
            .await?
            .into_iter()
            .find(|c| c.id == claim_id)
            .ok_or_else(|| AppError::NotFound("That claim is not waiting any more.".into()))?;
        let now = self.clock.unix();
        let society = self.branding().await.name;
        let outcome = match member_number {
            Some(number) => {
                let number = number.trim().to_uppercase();
                let member_id =
                    self.store.member_id_by_number(&number).await?.ok_or_else(|| {
                        AppError::invalid_field("member_number", format!("There is no member {number}."))
                    })?;
                let mut audit = self.audit_entry(actor, "member.account_linked", "member", request_id);
                audit.after_json =
                    Some(serde_json::json!({ "user_id": claim.user_id, "by": "staff", "claim": claim_id }).to_string());
                self.store
                    .link_claimed_member(claim_id, Some(member_id), Some(actor.user_id), &audit, now)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(format!("{number} already has an account, or this account has a membership."))
                    })?;
                format!("Your membership ({number}) is now connected to your account. Sign in to see it.")
            }
            None => {
                self.store.set_claim_status(claim_id, ClaimStatus::Dismissed, Some(actor.user_id), now).await?;
                "We could not find a membership record that matches what you gave us. Please reply to the society \
                 office with your member number, or join as a new member."
                    .into()
            }
        };
        let mail = NewMail {
            to_address: claim.account_email.clone(),
            subject: format!("Your {society} membership"),
            body_text: format!("Hello {},\n\n{outcome}\n", claim.account_name),
            attachment: None,
        };
        self.store.enqueue_mail(&mail, now).await?;
        Ok(())
    }
}
