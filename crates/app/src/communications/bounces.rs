//! Returned mail: each message read (`guildhall_domain::communications::read_feedback`),
//! matched to the message it answers by its VERP token (else by the recipient's address),
//! and acted on. A bounce is scored against the address; at the threshold bulk mail to it is
//! suspended and a re-confirmation is sent, whose link lifts the suspension. A rejection for
//! the society's reputation or content is recorded but never counted. A spam complaint takes
//! the member off the campaign's list (or, with no campaign known, off all bulk mail).
//! Transactional mail is matched and scored the same way.

use guildhall_domain::communications::{BounceRules, Feedback, Verdict, read_feedback};
use guildhall_store::{NewMail, NewReturnedMail, SubscriptionChange};

use super::MailLink;
use crate::App;
use crate::error::{AppError, AppResult};

/// What one returned message turned out to be, for the command's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// A bounce counted against the address.
    Counted,
    /// A bounce counted, and the address's bulk mail suspended.
    Suspended,
    /// A bounce recorded but not counted (already one today, or a policy rejection).
    NotCounted,
    /// A spam complaint: the member was taken off the list.
    Complaint,
    /// An automatic reply, a delay notice or anything else to ignore.
    Ignored,
    /// A bounce or complaint for no address Guildhall knows.
    Unmatched,
}

/// How many of each, over a mailbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReturnedSummary {
    pub counted: usize,
    pub suspended: usize,
    pub not_counted: usize,
    pub complaints: usize,
    pub ignored: usize,
    pub unmatched: usize,
}

impl ReturnedSummary {
    pub fn add(&mut self, returned: Returned) {
        match returned {
            Returned::Counted => self.counted += 1,
            Returned::Suspended => self.suspended += 1,
            Returned::NotCounted => self.not_counted += 1,
            Returned::Complaint => self.complaints += 1,
            Returned::Ignored => self.ignored += 1,
            Returned::Unmatched => self.unmatched += 1,
        }
    }
}

impl App {
    /// Reads one returned message and acts on it.
    pub async fn receive_returned_mail(&self, raw: &[u8]) -> AppResult<Returned> {
        let (token, recipient, kind, status, diagnostic, policy) = match read_feedback(raw, self.verp_prefix()) {
            Feedback::Ignored(_) => return Ok(Returned::Ignored),
            Feedback::Bounce(b) => {
                (b.token, b.recipient, Some(b.kind), b.status.unwrap_or_default(), b.diagnostic, b.policy)
            }
            Feedback::Complaint(c) => (c.token, c.recipient, None, String::new(), c.feedback_type, false),
        };
        let message = match token.and_then(|t| self.open_mail_link(MailLink::Return, &t, 1).ok()) {
            Some(ids) => self.store.mail_by_id(ids[0]).await?,
            None => None,
        };
        let Some(address) = message.as_ref().map(|m| m.to_address.to_lowercase()).or(recipient) else {
            return Ok(Returned::Unmatched);
        };
        let returned = NewReturnedMail {
            address: address.clone(),
            kind,
            status,
            diagnostic,
            policy,
            outbox_id: message.as_ref().map(|m| m.id),
            campaign_id: message.as_ref().and_then(|m| m.campaign_id),
        };
        let rules = BounceRules { threshold: self.settings.mail.bounce_threshold, ..BounceRules::default() };
        let (bounce_id, verdict) =
            self.store.record_returned_mail(&returned, &rules, self.clock.today(), self.clock.unix()).await?;
        match verdict {
            Some(Verdict::Counted { .. }) => Ok(Returned::Counted),
            Some(Verdict::NotCounted(_)) => Ok(Returned::NotCounted),
            Some(Verdict::Suspend { .. }) => {
                self.send_reconfirmation(&address, bounce_id).await?;
                Ok(Returned::Suspended)
            }
            None => {
                let member = match message.as_ref().and_then(|m| m.member_id) {
                    Some(id) => Some(id),
                    None => self.store.member_id_for_address(&address).await?,
                };
                let Some(member_id) = member else { return Ok(Returned::Unmatched) };
                let campaign = match returned.campaign_id {
                    Some(id) => self.store.campaign(id).await?,
                    None => None,
                };
                let change = SubscriptionChange {
                    lists: campaign.as_ref().map(|c| vec![(c.list_id, false)]).unwrap_or_default(),
                    no_bulk_mail: campaign.is_none().then_some(true),
                    source: "spam complaint".into(),
                    campaign_id: returned.campaign_id,
                };
                match self.store.change_subscriptions(member_id, &change, self.clock.unix()).await {
                    Ok(_) | Err(guildhall_store::StoreError::NotFound) => Ok(Returned::Complaint),
                    Err(err) => Err(err.into()),
                }
            }
        }
    }

    /// Tells a suspended address why, with a link that lifts the suspension if it works.
    async fn send_reconfirmation(&self, address: &str, bounce_id: i64) -> AppResult<()> {
        let link = self.link(&format!("/mail/reconfirm/{}", self.sign_mail_link(MailLink::Reconfirm, &[bounce_id])?));
        let society = self.branding().await.name;
        let mail = NewMail {
            to_address: address.to_string(),
            subject: format!("{society}: is this address still yours?"),
            body_text: format!(
                "Our recent messages to {address} came back undelivered, so {society} has stopped sending \
                 newsletters and campaigns to it.\n\nIf you are reading this, the address works: confirm it here \
                 and they will start again:\n\n{link}\n\nReceipts, password resets and reminders you asked for \
                 are still sent.\n"
            ),
            attachment: None,
        };
        self.store.enqueue_mail(&mail, self.clock.unix()).await?;
        Ok(self.store.mark_reconfirmation_sent(address, self.clock.unix()).await?)
    }

    /// The re-confirmation link: the address works, so its bulk mail starts again. Returns
    /// the address.
    pub async fn reconfirm_address(&self, token: &str) -> AppResult<String> {
        let bounce_id = self.open_mail_link(MailLink::Reconfirm, token, 1)?[0];
        let address = self
            .store
            .bounce_address(bounce_id)
            .await?
            .ok_or_else(|| AppError::NotFound("This link is not valid. Open the one in your message.".into()))?;
        self.store.lift_mail_suspension(&address, self.clock.unix()).await?;
        Ok(address)
    }

    /// `POST /mail/bounces`: a returned message from the operator's mail system, with the
    /// shared secret (`mail.bounce_secret`; empty turns this off).
    pub async fn receive_returned_mail_with_secret(&self, secret: &str, raw: &[u8]) -> AppResult<Returned> {
        use secrecy::ExposeSecret;
        let expected = self.settings.mail.bounce_secret.expose_secret();
        if expected.is_empty() {
            return Err(AppError::NotFound("Bounce reception is not turned on here.".into()));
        }
        if !crate::crypto::constant_time_eq(expected, secret) {
            return Err(AppError::Unauthenticated);
        }
        self.receive_returned_mail(raw).await
    }
}
