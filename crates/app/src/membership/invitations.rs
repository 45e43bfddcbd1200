//! Invitations: staff invite members who have no account (all of them, a search's
//! results, a chapter); each gets a single-use link that creates the account already
//! linked to their record, so a society that arrives with thousands of members and no
//! accounts can bring them in at once.

use guildhall_domain::identity::{Email, Role, check_new_password, parse_display_name};
use guildhall_store::membership::invitations::{
    InvitationFor, InvitationSummary, Invitee, NewInvitation, OpenInvitation,
};
use guildhall_store::{MemberFilter, NewMail, NewUser};

use crate::accounts::{ClientInfo, SignedIn};
use crate::crypto::{hash_password, hash_token, random_token};
use crate::{Actor, App, AppError, AppResult, Permission};

/// How long an invitation link works, in days.
pub const INVITATION_DAYS: i64 = 30;
/// A member who has not accepted after this many days is reminded, once.
pub const REMIND_AFTER_DAYS: i64 = 7;
/// How many invitations not yet accepted the approvals area lists.
pub const OPEN_INVITATIONS_SHOWN: u32 = 50;

impl App {
    /// Invites every member matching `filter` who has no account and no open invitation;
    /// returns how many were invited. Staff only; audited as one entry.
    pub async fn invite_members(&self, actor: &Actor, filter: &MemberFilter, request_id: &str) -> AppResult<usize> {
        actor.require(Permission::StaffArea)?;
        let invitees = self.store.members_to_invite(filter, self.clock.unix()).await?;
        self.send_invitations(actor, invitees, "members without an account", request_id).await
    }

    /// Invites the members with these ids (e.g. those an import has just created) who have
    /// an email address, no account and no open invitation; returns how many were invited.
    /// Staff only; audited as one entry.
    pub async fn invite_members_by_id(&self, actor: &Actor, member_ids: &[i64], request_id: &str) -> AppResult<usize> {
        actor.require(Permission::StaffArea)?;
        let invitees = self.store.members_to_invite_among(member_ids, self.clock.unix()).await?;
        self.send_invitations(actor, invitees, "imported members without an account", request_id).await
    }

    /// Where the society's invitations stand, and the members who have not accepted theirs
    /// (the first [`OPEN_INVITATIONS_SHOWN`]), for the approvals area. Staff only.
    pub async fn invitation_overview(&self, actor: &Actor) -> AppResult<(InvitationSummary, Vec<OpenInvitation>)> {
        actor.require(Permission::StaffArea)?;
        let now = self.clock.unix();
        let (summary, open) = tokio::try_join!(
            self.store.invitation_summary(now),
            self.store.open_invitations(now, OPEN_INVITATIONS_SHOWN)
        )?;
        Ok((summary, open))
    }

    /// Records and mails one invitation to each of `invitees`, audited as one entry.
    async fn send_invitations(
        &self,
        actor: &Actor,
        invitees: Vec<Invitee>,
        label: &str,
        request_id: &str,
    ) -> AppResult<usize> {
        let now = self.clock.unix();
        let society = self.branding().await.name;
        let mut invitations = Vec::with_capacity(invitees.len());
        for (member_id, number, first_name, email) in invitees {
            let token = random_token()?;
            let mail = self.invitation_mail(&society, &first_name, &number, email, &token, false);
            invitations.push(NewInvitation { member_id, token_hash: hash_token(&token), mail });
        }
        let mut audit = self.audit_entry(actor, "member.invited", "member", request_id);
        audit.subject_label = label.into();
        let expires = now + INVITATION_DAYS * 86_400;
        Ok(self.store.create_invitations(&invitations, actor.user_id, now, expires, &audit).await?)
    }

    /// Reminds, once, each member invited at least a week ago who has not accepted (the
    /// hourly job); the reminder carries a fresh link. Returns how many were reminded.
    pub async fn send_invitation_reminders(&self) -> AppResult<usize> {
        let now = self.clock.unix();
        let due = self.store.invitations_to_remind(now - REMIND_AFTER_DAYS * 86_400, now).await?;
        let society = self.branding().await.name;
        let mut reminded = 0;
        for (invitation_id, number, first_name, email) in due {
            let token = random_token()?;
            let mail = self.invitation_mail(&society, &first_name, &number, email, &token, true);
            if self.store.remind_invitation(invitation_id, &hash_token(&token), &mail, now).await? {
                reminded += 1;
            }
        }
        Ok(reminded)
    }

    fn invitation_mail(
        &self,
        society: &str,
        first_name: &str,
        number: &str,
        email: String,
        token: &str,
        reminder: bool,
    ) -> NewMail {
        let (subject, opening) = if reminder {
            (
                format!("Reminder: your {society} membership online"),
                "A week ago we invited you to your membership online, and the invitation is still waiting.",
            )
        } else {
            (format!("Your {society} membership online"), "Your membership is now online.")
        };
        NewMail {
            to_address: email,
            subject,
            body_text: format!(
                "Hello {first_name},\n\n{opening} Your member number is {number}: renewals, your PDH and licences, \
                 and the member directory are there. To set a password and sign in, open:\n\n{}\n\n\
                 The link works once{}.\n",
                self.link(&format!("/invitation?token={token}")),
                if reminder {
                    " and replaces the one we sent before".to_string()
                } else {
                    format!(" and expires in {INVITATION_DAYS} days")
                }
            ),
            attachment: None,
        }
    }

    /// Whether a member can sign in, or where their invitation stands, in a sentence.
    pub(crate) async fn account_status(&self, has_account: bool, member_id: i64) -> AppResult<String> {
        if has_account {
            return Ok("Signs in with their own account.".into());
        }
        let day =
            |at: i64| time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.date().to_string()).unwrap_or_default();
        Ok(match self.store.invitation_status(member_id).await? {
            None => "No account yet, and not invited.".into(),
            Some(i) if i.expires_at > self.clock.unix() => {
                format!("Invited on {}; the link works until {}.", day(i.created_at), day(i.expires_at))
            }
            Some(i) => format!("Invited on {}, but the link expired unused: invite again.", day(i.created_at)),
        })
    }

    /// The member an invitation link is for, or why the link no longer works.
    pub async fn invitation(&self, token: &str) -> AppResult<InvitationFor> {
        self.store.invitation_for(&hash_token(token.trim()), self.clock.unix()).await?.ok_or_else(invalid_link)
    }

    /// Accepts an invitation: sets the password, creates the account (its address proven
    /// by the link) linked to the member's record, and signs the person in.
    pub async fn accept_invitation(&self, token: &str, password: &str, client: &ClientInfo) -> AppResult<SignedIn> {
        let invited = self.invitation(token).await?;
        let email = Email::parse(&invited.email).map_err(|e| AppError::invalid(e.0))?;
        check_new_password(password, Some(&email)).map_err(|e| AppError::invalid_field("password", e.0))?;
        let name = parse_display_name(&format!("{} {}", invited.first_name, invited.last_name))
            .map_err(|e| AppError::invalid(e.0))?;
        let user = NewUser {
            email: email.to_string(),
            display_name: name,
            password_hash: hash_password(password).await?,
            role: Role::Member.as_str().into(),
            // The link that was followed was mailed to this address.
            email_verified_at: Some(self.clock.unix()),
        };
        let audit = guildhall_store::NewAuditEntry {
            occurred_at: self.clock.unix(),
            actor_label: email.to_string(),
            action: "member.invitation_accepted".into(),
            subject_kind: "member".into(),
            subject_label: invited.member_number.clone(),
            ..Default::default()
        };
        let accepted =
            self.store.accept_invitation(&hash_token(token.trim()), &user, self.clock.unix(), &audit).await.map_err(
                |err| match err {
                    guildhall_store::StoreError::Conflict { .. } => AppError::Conflict {
                        message: format!(
                            "An account for {email} exists already: sign in with it, and your membership appears."
                        ),
                        field: None,
                    },
                    other => other.into(),
                },
            )?;
        let Some((user_id, member_id)) = accepted else { return Err(invalid_link()) };
        self.record_agreement(Some(user_id), Some(member_id), "invitation").await?;
        let account =
            self.store.user_by_id(user_id).await?.ok_or_else(|| AppError::Internal("new account vanished".into()))?;
        self.open_session(account, client).await
    }
}

fn invalid_link() -> AppError {
    AppError::invalid(
        "This invitation link is not valid: it may have expired or been used already. \
         Ask the society office for a new one, or sign in if you have an account.",
    )
}
