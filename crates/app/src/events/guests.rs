//! Guests: someone who is not signed in registers for an event with their name and email.
//! Nothing is registered until they open the link mailed to them, which proves the address.
//! An address with no account gets a light one (no password; confirmed by the link, and
//! signed in by it, since it has no stronger credential); an address with an account is
//! mailed the same kind of link. Either way the page says the same thing, so the form
//! cannot tell anyone who has an account here.

use guildhall_domain::identity::{Email, Role, parse_display_name};
use guildhall_store::{NewEmailToken, NewMail, NewUser, StoreError, UserRecord};

use super::EventView;
use crate::accounts::{ClientInfo, SignedIn};
use crate::crypto::{hash_token, random_token};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App};

/// The purpose of a guest's registration link in `email_tokens`.
pub const EVENT_REGISTRATION: &str = "event-registration";

/// Links mailed to one address per window (the sign-in window): enough to ask again for a
/// lost message, too few to flood someone's inbox with the form.
const GUEST_LINKS_PER_ADDRESS: i64 = 5;

/// What a guest types on the event's guest form.
#[derive(Debug, Clone, Default)]
pub struct GuestRequest {
    pub name: String,
    pub email: String,
}

/// A guest's link, opened: the event as the link's account would see it (their price),
/// and who it registers.
pub struct GuestLink {
    pub view: EventView,
    pub name: String,
    pub email: String,
}

/// A guest registered from their link.
pub struct GuestRegistered {
    pub registration: guildhall_store::RegistrationRecord,
    /// A session for a light account (none for an account with a password: its owner
    /// signs in as usual).
    pub signed_in: Option<SignedIn>,
}

fn expired_link() -> AppError {
    AppError::NotFound(
        "This registration link is not valid: it may have expired or been used already. Ask for a new one on the \
         event's page."
            .into(),
    )
}

impl App {
    /// Mails a registration link for `event_id` to the address typed, creating a light
    /// account for an address that has none. Refused only for what the form shows (a bad
    /// name or address, an event not taking registrations, too many requests).
    pub async fn request_guest_registration(
        &self,
        event_id: i64,
        request: &GuestRequest,
        client: &ClientInfo,
    ) -> AppResult<()> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", parse_display_name(&request.name));
        let email = errors.check("email", Email::parse(&request.email));
        errors.into_result()?;
        let (Some(name), Some(email)) = (name, email) else { return Err(AppError::invalid("Check the form.")) };
        let view = self.event_for(None, event_id).await?;
        if let Some(why) = view.closed_because {
            return Err(AppError::invalid(why));
        }

        let security = &self.settings.security;
        let now = self.clock.unix();
        let window = security.failure_window_minutes * 60;
        let (from_here, to_address) = (format!("guest-address:{}", client.ip), format!("guest-email:{email}"));
        let counts = self.store.count_sign_in_attempt(&[from_here.as_str(), &to_address], now - window, now).await?;
        if counts[0] > security.max_failures_per_address || counts[1] > GUEST_LINKS_PER_ADDRESS {
            return Err(AppError::RateLimited {
                message: format!(
                    "Too many registration links have been asked for. Wait {} minutes and try again.",
                    security.failure_window_minutes
                ),
                retry_after_secs: window,
            });
        }

        let token = random_token()?;
        let mut token_row = NewEmailToken {
            token_hash: hash_token(&token),
            user_id: 0, // the account's, below
            purpose: EVENT_REGISTRATION.into(),
            created_at: now,
            expires_at: now + security.verify_link_hours * 3_600,
            event_id: Some(event_id),
        };
        let when = guildhall_domain::events::event_time(view.event.starts_at, &view.event.time_zone);
        let mail = |to_name: &str| NewMail {
            to_address: email.to_string(),
            subject: format!("Confirm your registration: {}", view.event.title),
            body_text: format!(
                "Hello {to_name},\n\nTo register for {} on {} at {} {}, open this link and confirm:\n\n{}\n\n\
                 The link works for {} hours. If you did not ask to register, ignore this message: nothing \
                 happens without the link.\n",
                view.event.title,
                when.date,
                when.time,
                when.zone,
                self.link(&format!("/events/{event_id}/guest/confirm?token={token}")),
                security.verify_link_hours
            ),
            attachment: None,
        };
        match self.store.user_by_email(email.as_str()).await? {
            Some(user) if user.disabled_at.is_some() => Ok(()),
            Some(user) => {
                token_row.user_id = user.id;
                Ok(self.store.issue_email_token(&token_row, &mail(&user.display_name), now).await?)
            }
            None => {
                let light = NewUser {
                    email: email.to_string(),
                    display_name: name.clone(),
                    password_hash: String::new(),
                    role: Role::Member.as_str().into(),
                    email_verified_at: None,
                };
                match self.store.create_user(&light, Some(&token_row), Some(&mail(&name)), now).await {
                    // Two requests raced for one new address: the other made the account
                    // and mailed its link.
                    Ok(_) | Err(StoreError::Conflict { .. }) => Ok(()),
                    Err(err) => Err(err.into()),
                }
            }
        }
    }

    /// The account and event of an unused, unexpired guest link.
    async fn guest_link_account(&self, token: &str) -> AppResult<(UserRecord, i64)> {
        let now = self.clock.unix();
        let (user_id, event_id) = self
            .store
            .event_registration_link(&hash_token(token.trim()), EVENT_REGISTRATION, now)
            .await?
            .ok_or_else(expired_link)?;
        let user =
            self.store.user_by_id(user_id).await?.filter(|u| u.disabled_at.is_none()).ok_or_else(expired_link)?;
        Ok((user, event_id))
    }

    /// What a guest's link registers, for its confirmation page (opening the link changes
    /// nothing: mail scanners open links too).
    pub async fn guest_link(&self, token: &str) -> AppResult<GuestLink> {
        let (user, event_id) = self.guest_link_account(token).await?;
        let actor = Actor::for_account(user.id, &user.email, &user.display_name, Role::Member);
        let view = self.event_for(Some(&actor), event_id).await?;
        Ok(GuestLink { view, name: user.display_name, email: user.email })
    }

    /// Registers the link's account for its event (at the price its records give it, less a
    /// discount code's share), confirms the address, and uses the link up. A light account
    /// is signed in.
    pub async fn confirm_guest_registration(
        &self,
        token: &str,
        code: Option<&str>,
        client: &ClientInfo,
    ) -> AppResult<GuestRegistered> {
        let (user, event_id) = self.guest_link_account(token).await?;
        let now = self.clock.unix();
        let light = user.password_hash.is_empty();
        if user.email_verified_at.is_none() {
            self.store.mark_email_verified(user.id, now).await?;
            // A member record with this address and no account becomes this account's, so
            // a member who never signed up is still given the member price.
            self.claim_member_record(user.id, &user.email, true).await?;
            if light {
                self.record_agreement(Some(user.id), None, "guest registration").await?;
            }
        }
        let actor = Actor::for_account(user.id, &user.email, &user.display_name, Role::Member);
        let registration = self.register_for_event_as(&actor, event_id, None, code).await?;
        if self.store.consume_email_token(&hash_token(token.trim()), EVENT_REGISTRATION, now).await?.is_none() {
            // Used at the same moment by another request, which registered the same person
            // (a person is registered once per event).
            tracing::debug!(event_id, "guest link used twice at once");
        }
        let signed_in = match light && user.role == Role::Member.as_str() && user.two_factor_enabled_at.is_none() {
            true => Some(self.finish_sign_in(user, client).await?),
            false => None,
        };
        Ok(GuestRegistered { registration, signed_in })
    }
}
