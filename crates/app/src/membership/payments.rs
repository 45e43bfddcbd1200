//! Card payments behind a [`PaymentProvider`], the provider's webhook, and refunds.
//!
//! A provider does two things for us: it starts a checkout for an invoice (telling us
//! where to send the member, or, for the built-in test provider, confirming at once),
//! and it turns a webhook request it sent (headers and raw body) into a verified
//! [`ProviderEvent`]. Whatever the source, a payment settles its invoice through the
//! one settle path in `membership.rs`, and each provider event is recorded once: a
//! replayed event changes nothing.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use guildhall_domain::membership::{InvoiceStatus, TermState};
use guildhall_store::{
    EndTerm, InvoiceRecord, NewPayment, NewPaymentEvent, NewRefund, PaymentEventOutcome, RefundOutcome, StoreError,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use crate::config::PaymentSettings;
use crate::crypto::{constant_time_eq, hex, hmac_sha256, random_token};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::membership::{compute_standing, format_money, standing_in_tier};
use crate::{Actor, App, Permission};

/// A boxed future, so providers can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a checkout goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkout {
    /// Send the member to the provider's payment page; its webhook reports the outcome.
    Redirect(String),
    /// The provider confirmed the payment at once (the test provider), with its reference.
    Confirmed { reference: String },
}

/// Whether a provider event reports money received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    Succeeded,
    Failed,
}

impl EventOutcome {
    pub fn code(self) -> &'static str {
        match self {
            EventOutcome::Succeeded => "succeeded",
            EventOutcome::Failed => "failed",
        }
    }
}

/// A verified event from a provider's webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    /// The provider's id for this event; each is acted on once.
    pub event_id: String,
    pub invoice_id: i64,
    pub amount_cents: i64,
    pub outcome: EventOutcome,
    /// The provider's id for the charge.
    pub reference: String,
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// The signature is missing or does not match the body.
    BadSignature,
    /// Signed correctly but not an event we understand.
    BadBody(String),
}

/// A card payment provider. Implementations live beside [`TestProvider`]; `provider_for`
/// picks the configured one.
pub trait PaymentProvider: Send + Sync {
    /// The name in `payments.provider` and in the webhook address `/payments/webhook/{name}`.
    fn name(&self) -> &'static str;

    /// Starts paying `invoice`; `return_url` is where the provider sends the member back.
    fn start_checkout<'a>(
        &'a self,
        invoice: &'a InvoiceRecord,
        return_url: &'a str,
    ) -> BoxFuture<'a, AppResult<Checkout>>;

    /// Verifies a webhook request (header names lowercase) and reads its event.
    fn parse_webhook(&self, headers: &BTreeMap<String, String>, body: &[u8]) -> Result<ProviderEvent, WebhookError>;
}

/// The header the test provider signs its webhook requests in: `sha256=<hex HMAC-SHA256 of the body>`.
pub const TEST_SIGNATURE_HEADER: &str = "guildhall-signature";

/// The built-in provider: confirms every checkout at once without charging a card, and
/// accepts webhook events signed with the configured secret (for integration tests and
/// for trying the webhook path).
pub struct TestProvider {
    secret: SecretString,
}

/// The test provider's webhook body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    invoice_id: i64,
    amount_cents: i64,
    reference: String,
}

/// A signature header value for `body` under `secret`, as the test provider sends it.
pub fn test_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), body)))
}

fn text_id(value: &str, what: &str) -> Result<String, WebhookError> {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 || value.chars().any(char::is_control) {
        return Err(WebhookError::BadBody(format!("The {what} must be 1 to 200 printable characters.")));
    }
    Ok(value.to_string())
}

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn start_checkout<'a>(
        &'a self,
        _invoice: &'a InvoiceRecord,
        _return_url: &'a str,
    ) -> BoxFuture<'a, AppResult<Checkout>> {
        Box::pin(async { Ok(Checkout::Confirmed { reference: format!("test-{}", random_token()?) }) })
    }

    fn parse_webhook(&self, headers: &BTreeMap<String, String>, body: &[u8]) -> Result<ProviderEvent, WebhookError> {
        let given = headers.get(TEST_SIGNATURE_HEADER).map(String::as_str).unwrap_or("");
        let secret = self.secret.expose_secret();
        if secret.is_empty() || !constant_time_eq(given, &test_signature(secret, body)) {
            return Err(WebhookError::BadSignature);
        }
        let event: TestEvent = serde_json::from_slice(body)
            .map_err(|e| WebhookError::BadBody(format!("The event could not be read: {e}.")))?;
        let outcome = match event.kind.as_str() {
            "payment.succeeded" => EventOutcome::Succeeded,
            "payment.failed" => EventOutcome::Failed,
            other => {
                return Err(WebhookError::BadBody(format!(
                    "Unknown event type {other:?}: expected payment.succeeded or payment.failed."
                )));
            }
        };
        if event.amount_cents < 0 {
            return Err(WebhookError::BadBody("The amount cannot be negative.".into()));
        }
        Ok(ProviderEvent {
            event_id: text_id(&event.id, "event id")?,
            invoice_id: event.invoice_id,
            amount_cents: event.amount_cents,
            outcome,
            reference: text_id(&event.reference, "reference")?,
        })
    }
}

/// The configured provider. Refuses settings that cannot work (at start-up).
pub fn provider_for(settings: &PaymentSettings) -> AppResult<Box<dyn PaymentProvider>> {
    let secret = settings.webhook_secret.expose_secret();
    if !secret.is_empty() && secret.chars().count() < 32 {
        return Err(AppError::Internal("payments.webhook_secret must be at least 32 characters (or empty)".into()));
    }
    match settings.provider.as_str() {
        "test" => Ok(Box::new(TestProvider { secret: settings.webhook_secret.clone() })),
        other => Err(AppError::Internal(format!("payments.provider must be \"test\", not {other:?}"))),
    }
}

/// What a webhook request did, as the provider is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// A payment settled its invoice.
    Settled,
    /// A failed payment was noted; nothing else changed.
    FailureRecorded,
    /// This event was handled before; nothing changed.
    Duplicate,
}

impl WebhookOutcome {
    pub fn code(self) -> &'static str {
        match self {
            WebhookOutcome::Settled => "settled",
            WebhookOutcome::FailureRecorded => "failure_recorded",
            WebhookOutcome::Duplicate => "duplicate",
        }
    }
}

/// Where paying an invoice by card goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardPayment {
    /// Paid already (test provider).
    Paid,
    /// Send the member to the provider.
    Redirect(String),
}

/// A refund as staff enter it.
#[derive(Debug, Clone, Default)]
pub struct RefundRequest {
    /// Dollars and cents, e.g. "25" or "25.50".
    pub amount: String,
    pub method: String,
    pub reason: String,
    /// End the term this payment was for (from today); otherwise the term is kept.
    pub end_term: bool,
}

pub const REFUND_METHODS: [(&str, &str); 4] =
    [("card", "Card (through the provider)"), ("cheque", "Cheque"), ("transfer", "Bank transfer"), ("cash", "Cash")];

/// "25", "25.5", "$1,025.50" → cents (the domain's one reader of amounts).
pub use guildhall_domain::membership::parse_money;

impl App {
    /// The configured payment provider.
    pub fn payment_provider(&self) -> AppResult<Box<dyn PaymentProvider>> {
        provider_for(&self.settings.payments)
    }

    /// Starts paying one of the actor's open invoices by card: either it is paid at once
    /// (test provider) or the member is sent to the provider, whose webhook settles it.
    pub async fn start_card_payment(&self, actor: &Actor, invoice_id: i64) -> AppResult<CardPayment> {
        self.start_card_payment_returning(actor, invoice_id, "/dashboard?renewed=1").await
    }

    /// A card payment whose provider page sends the payer back to `return_path` (a path of
    /// this site) once done.
    pub async fn start_card_payment_returning(
        &self,
        actor: &Actor,
        invoice_id: i64,
        return_path: &str,
    ) -> AppResult<CardPayment> {
        let invoice = self.payable_invoice(actor, invoice_id).await?;
        let provider = self.payment_provider()?;
        match provider.start_checkout(&invoice, &self.link(return_path)).await? {
            Checkout::Redirect(url) => Ok(CardPayment::Redirect(url)),
            Checkout::Confirmed { reference } => {
                self.confirm_card_payment(actor, invoice.id, &format!("{}:{reference}", provider.name())).await?;
                Ok(CardPayment::Paid)
            }
        }
    }

    /// A request to `/payments/webhook/{provider}`: verified by the provider, acted on once
    /// per event id. Errors are the provider's to read: unknown provider or invoice (404),
    /// bad signature (403), unreadable event or wrong amount (422), invoice no longer open (409).
    pub async fn handle_payment_webhook(
        &self,
        provider_name: &str,
        headers: &BTreeMap<String, String>,
        body: &[u8],
    ) -> AppResult<WebhookOutcome> {
        let provider = self.payment_provider()?;
        if provider.name() != provider_name {
            return Err(AppError::NotFound(format!("There is no payment provider called {provider_name:?} here.")));
        }
        let event = provider.parse_webhook(headers, body).map_err(|e| match e {
            WebhookError::BadSignature => AppError::Forbidden(
                "The webhook signature is missing or does not match (or webhooks are not configured).".into(),
            ),
            WebhookError::BadBody(message) => AppError::invalid(message),
        })?;
        if self.store.payment_event(provider.name(), &event.event_id).await?.is_some() {
            return Ok(WebhookOutcome::Duplicate);
        }
        let invoice = self
            .store
            .invoice_by_id(event.invoice_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("There is no invoice #{}.", event.invoice_id)))?;
        let record = NewPaymentEvent {
            provider: provider.name().into(),
            event_id: event.event_id.clone(),
            invoice_id: Some(invoice.id),
            amount_cents: event.amount_cents,
            outcome: event.outcome.code().into(),
        };
        let now = self.clock.unix();
        if event.outcome == EventOutcome::Failed {
            return Ok(match self.store.record_payment_event(&record, None, now).await? {
                PaymentEventOutcome::Recorded => WebhookOutcome::FailureRecorded,
                PaymentEventOutcome::Duplicate => WebhookOutcome::Duplicate,
            });
        }
        if event.amount_cents != invoice.amount_cents {
            return Err(AppError::invalid(format!(
                "The amount paid ({}) does not match invoice #{} ({}).",
                format_money(event.amount_cents),
                invoice.id,
                format_money(invoice.amount_cents)
            )));
        }
        let not_open = || AppError::Conflict {
            message: format!("Invoice #{} is not open: it has been paid or voided already.", invoice.id),
            field: None,
        };
        if invoice.status != InvoiceStatus::Open {
            return Err(not_open());
        }
        let payment = NewPayment {
            amount_cents: event.amount_cents,
            method: "card".into(),
            reference: "online payment".into(),
            provider_ref: Some(format!("{}:{}", provider.name(), event.reference)),
            received_on: self.clock.today(),
            recorded_by: None,
        };
        let before = self.standing_now(invoice.member_id).await?;
        let (standing, expires) = self.standing_once_paid(&invoice, &payment).await?;
        let today = self.clock.today();
        match self
            .store
            .record_payment_event(&record, Some((invoice.id, &payment, (standing, expires, today))), now)
            .await
        {
            Ok(PaymentEventOutcome::Recorded) => {
                if let Some(member_id) = invoice.member_id {
                    self.refresh_linked(member_id).await?;
                }
                self.after_payment(&invoice, before.unwrap_or(guildhall_domain::membership::Standing::Applied)).await?;
                Ok(WebhookOutcome::Settled)
            }
            Ok(PaymentEventOutcome::Duplicate) => Ok(WebhookOutcome::Duplicate),
            // The same charge settled an invoice under another event id: already done.
            Err(StoreError::Conflict { .. }) => Ok(WebhookOutcome::Duplicate),
            Err(StoreError::Invalid(_)) => Err(not_open()),
            Err(other) => Err(other.into()),
        }
    }

    /// Staff refund (part of) a payment. The amount may not exceed what is left of the
    /// payment; a reason is required. The term the payment was for is kept unless staff
    /// choose to end it, which cancels it from today (the member's standing follows).
    /// The member and payment a refund's confirmation page shows (staff).
    pub async fn refund_preview(
        &self,
        actor: &Actor,
        member_id: i64,
        payment_id: i64,
    ) -> AppResult<(guildhall_store::MemberRecord, guildhall_store::PaymentRecord)> {
        actor.require(Permission::StaffArea)?;
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let payment = self
            .store
            .member_payments(member_id)
            .await?
            .into_iter()
            .find(|p| p.id == payment_id)
            .ok_or_else(|| AppError::NotFound("No such payment for this member.".into()))?;
        Ok((member, payment))
    }

    pub async fn record_refund(
        &self,
        actor: &Actor,
        member_id: i64,
        payment_id: i64,
        request: &RefundRequest,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let payment =
            self.store.payment_by_id(payment_id).await?.ok_or_else(|| AppError::NotFound("No such payment.".into()))?;
        let invoice = self
            .store
            .invoice_by_id(payment.invoice_id)
            .await?
            .filter(|i| i.member_id == Some(member_id))
            .ok_or_else(|| AppError::NotFound("That payment does not belong to this member.".into()))?;
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let refundable = payment.amount_cents - payment.refunded_cents;
        let mut errors = FieldErrors::default();
        if refundable <= 0 {
            return Err(AppError::invalid("This payment has been refunded in full already."));
        }
        let amount = match parse_money(&request.amount) {
            _ if request.amount.trim().is_empty() => {
                errors.add("amount", "Enter the amount to refund.");
                0
            }
            Ok(0) => {
                errors.add("amount", "Enter an amount above zero.");
                0
            }
            Ok(cents) if cents > refundable => {
                errors.add("amount", format!("You can refund at most {} of this payment.", format_money(refundable)));
                cents
            }
            Ok(cents) => cents,
            Err(message) => {
                errors.add("amount", message);
                0
            }
        };
        if !REFUND_METHODS.iter().any(|(code, _)| *code == request.method) {
            errors.add("method", "Choose how the money is returned: card, cheque, bank transfer or cash.");
        }
        let reason = request.reason.trim();
        if reason.is_empty() {
            errors.add("reason", "Give the reason for the refund.");
        } else if reason.chars().count() > 500 {
            errors.add("reason", "A reason can be at most 500 characters.");
        }
        let terms = self.store.member_terms(member_id).await?;
        let term = invoice.term_id.and_then(|id| terms.iter().find(|t| t.id == id));
        if request.end_term && term.is_none_or(|t| t.status != TermState::Paid) {
            errors.add("end_term", "This payment's term is not paid up, so there is no term to end.");
        }
        errors.into_result()?;

        let today = self.clock.today();
        let end_term = match (request.end_term, term) {
            (true, Some(term)) => {
                let mut after = terms.clone();
                for t in after.iter_mut().filter(|t| t.id == term.id) {
                    t.status = TermState::Cancelled;
                    t.cancelled_on = Some(today);
                }
                let never_expires = self.tier_by_id(term.tier_id).await?.is_some_and(|t| t.never_expires);
                let (standing, expires_on) =
                    standing_in_tier(never_expires, compute_standing(&self.policy()?, &after, today)?);
                Some(EndTerm { term_id: term.id, standing, expires_on })
            }
            _ => None,
        };
        let term_status_after = match &end_term {
            Some(_) => Some(TermState::Cancelled),
            None => term.map(|t| t.status),
        };
        let standing_after = end_term.as_ref().map_or(member.standing, |e| e.standing);
        let mut audit = self.audit_entry(actor, "payment.refunded", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
        audit.chapter_id = member.home_chapter_id;
        audit.before_json = Some(
            json!({
                "payment": payment.id,
                "invoice": invoice.id,
                "amount_cents": payment.amount_cents,
                "refunded_cents": payment.refunded_cents,
                "term_status": term.map(|t| t.status),
                "standing": member.standing,
            })
            .to_string(),
        );
        audit.after_json = Some(
            json!({
                "payment": payment.id,
                "invoice": invoice.id,
                "refund_cents": amount,
                "refunded_cents": payment.refunded_cents + amount,
                "method": request.method,
                "reason": reason,
                "ended_term": end_term.is_some(),
                "term_status": term_status_after,
                "standing": standing_after,
            })
            .to_string(),
        );
        let refund = NewRefund {
            payment_id: payment.id,
            amount_cents: amount,
            method: request.method.clone(),
            reason: reason.into(),
            refunded_on: today,
            recorded_by: Some(actor.user_id),
        };
        match self.store.record_refund(&refund, end_term.as_ref(), &audit, self.clock.unix()).await? {
            RefundOutcome::Recorded { .. } => self.refresh_linked(member_id).await,
            RefundOutcome::ExceedsPayment { refundable_cents } => Err(AppError::invalid_field(
                "amount",
                format!("You can refund at most {} of this payment.", format_money(refundable_cents)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(secret: &str) -> TestProvider {
        TestProvider { secret: SecretString::from(secret) }
    }

    fn signed(secret: &str, body: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(TEST_SIGNATURE_HEADER.to_string(), test_signature(secret, body.as_bytes()))])
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const BODY: &str =
        r#"{"id":"evt_1","type":"payment.succeeded","invoice_id":7,"amount_cents":21000,"reference":"ch_1"}"#;

    #[test]
    fn the_test_provider_reads_correctly_signed_events() {
        let event = provider(SECRET).parse_webhook(&signed(SECRET, BODY), BODY.as_bytes()).unwrap();
        assert_eq!(
            event,
            ProviderEvent {
                event_id: "evt_1".into(),
                invoice_id: 7,
                amount_cents: 21_000,
                outcome: EventOutcome::Succeeded,
                reference: "ch_1".into()
            }
        );
        let failed = BODY.replace("payment.succeeded", "payment.failed");
        let event = provider(SECRET).parse_webhook(&signed(SECRET, &failed), failed.as_bytes()).unwrap();
        assert_eq!(event.outcome, EventOutcome::Failed);
    }

    #[test]
    fn the_test_provider_refuses_bad_signatures_and_bodies() {
        let p = provider(SECRET);
        let tampered = BODY.replace("21000", "1");
        assert_eq!(p.parse_webhook(&signed(SECRET, BODY), tampered.as_bytes()), Err(WebhookError::BadSignature));
        assert_eq!(p.parse_webhook(&signed("another secret", BODY), BODY.as_bytes()), Err(WebhookError::BadSignature));
        assert_eq!(p.parse_webhook(&BTreeMap::new(), BODY.as_bytes()), Err(WebhookError::BadSignature));
        // Without a configured secret nothing verifies, not even an empty-key signature.
        assert_eq!(provider("").parse_webhook(&signed("", BODY), BODY.as_bytes()), Err(WebhookError::BadSignature));
        for body in [
            "not json",
            r#"{"id":"evt_1","type":"payment.refunded","invoice_id":7,"amount_cents":1,"reference":"r"}"#,
            r#"{"id":"","type":"payment.failed","invoice_id":7,"amount_cents":1,"reference":"r"}"#,
            r#"{"id":"e","type":"payment.failed","invoice_id":7,"amount_cents":-1,"reference":"r"}"#,
            r#"{"id":"e","type":"payment.failed","invoice_id":7,"amount_cents":1,"reference":"r","extra":1}"#,
        ] {
            assert!(
                matches!(p.parse_webhook(&signed(SECRET, body), body.as_bytes()), Err(WebhookError::BadBody(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn settings_choose_the_provider_and_refuse_short_secrets() {
        assert_eq!(provider_for(&PaymentSettings::default()).unwrap().name(), "test");
        let short = PaymentSettings { webhook_secret: "short".into(), ..Default::default() };
        assert!(provider_for(&short).is_err());
        let unknown = PaymentSettings { provider: "acme".into(), ..Default::default() };
        assert!(provider_for(&unknown).is_err());
    }
}
