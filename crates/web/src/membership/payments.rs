//! Renewing and paying: the member's renewal, card checkout, and staff recording payments
//! and refunds.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::membership::format_money;
use guildhall_app::{App, AppError};
use serde::Deserialize;

use super::members::{RefundDraft, member_page, member_page_with};
use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

pub async fn renew(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let invoice = app.start_renewal(&actor).await?;
    Ok(Redirect::to(&format!("/invoices/{}/pay", invoice.id)).into_response())
}

/// The card payment page of an invoice; careers' job postings use it too.
#[derive(Template)]
#[template(path = "membership/pay.html")]
pub(crate) struct PayPage {
    pub chrome: Chrome,
    pub form: FormState,
    pub invoice_id: i64,
    pub description: String,
    pub amount: String,
    pub provider_note: String,
    /// Where the form posts, and where "back" leads.
    pub action: String,
    pub back: (String, String),
}

pub(crate) const DEMO_PROVIDER_NOTE: &str = "Card payments are handled by the society's payment provider. This installation \
    uses the built-in test provider: no card is charged and the payment is recorded at once.";

pub async fn pay_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let invoice = app.payable_invoice(&actor, id).await?;
    render(&PayPage {
        chrome: Chrome::new(&app, &identity, "Pay your invoice", "dashboard").await,
        form: FormState::default(),
        invoice_id: invoice.id,
        description: invoice.description,
        amount: format_money(invoice.amount_cents),
        provider_note: DEMO_PROVIDER_NOTE.into(),
        action: format!("/invoices/{}/pay", invoice.id),
        back: ("/dashboard".into(), "Back to your dashboard".into()),
    })
}

pub async fn pay(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    // The test provider confirms at once; a real provider sends the member to its own
    // page and settles the invoice through its webhook.
    match app.start_card_payment(&actor, id).await? {
        guildhall_app::membership::payments::CardPayment::Paid => {
            Ok(Redirect::to("/dashboard?renewed=1").into_response())
        }
        guildhall_app::membership::payments::CardPayment::Redirect(url) => Ok(Redirect::to(&url).into_response()),
    }
}

pub async fn record_payment(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member_id, invoice_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<OfflinePaymentForm>,
) -> PageResult {
    match app
        .record_offline_payment(&actor, member_id, invoice_id, &form.method, &form.reference, &identity.request_id)
        .await
    {
        Ok(()) => render(
            &member_page(&app, &actor, &identity, member_id, FormState::default(), "The payment was recorded.".into())
                .await?,
        ),
        Err(err @ AppError::Validation { .. }) => rerender(
            &member_page(&app, &actor, &identity, member_id, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    end_term: String,
    /// `yes` from the confirmation page.
    #[serde(default)]
    confirmed: String,
}

/// The confirmation page before a refund: the payment, and the refund as entered.
async fn refund_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    member_id: i64,
    payment_id: i64,
    form: &RefundForm,
) -> PageResult {
    let (member, payment) = app.refund_preview(actor, member_id, payment_id).await?;
    let end_term = !form.end_term.is_empty();
    let method = guildhall_app::membership::payments::REFUND_METHODS
        .iter()
        .find(|(code, _)| *code == form.method)
        .map_or_else(|| form.method.clone(), |(_, label)| (*label).to_string());
    let mut details = vec![
        ("Member".into(), format!("{} {} ({})", member.first_name, member.last_name, member.member_number)),
        (
            "Payment".into(),
            format!("{} by {} on {}", format_money(payment.amount_cents), payment.method, payment.received_on),
        ),
        (
            "Refund".into(),
            guildhall_app::membership::payments::parse_money(&form.amount)
                .map_or_else(|_| form.amount.trim().to_string(), format_money),
        ),
        ("Returned by".into(), method),
        ("Reason".into(), form.reason.trim().to_string()),
    ];
    details.push((
        "Membership".into(),
        if end_term {
            "The term this payment was for ends today.".into()
        } else {
            "The member keeps their membership to its expiry.".into()
        },
    ));
    render(&ConfirmPage {
        chrome: Chrome::new(app, identity, "Record this refund?", "staff").await.in_subsection("members"),
        heading: "Record this refund?".into(),
        details,
        consequences: vec![
            "The refund is recorded against the payment and cannot be undone; return the money by the \
                      method shown."
                .into(),
        ],
        action: format!("/members/{member_id}/payments/{payment_id}/refunds"),
        hidden: vec![
            ("amount", form.amount.clone()),
            ("method", form.method.clone()),
            ("reason", form.reason.clone()),
            ("end_term", if end_term { "1".into() } else { String::new() }),
        ],
        inputs: vec![],
        form: FormState::default(),
        button: "Record the refund".into(),
        cancel_href: format!("/members/{member_id}"),
    })
}

/// GET: the confirmation page the member page's refund form opens.
pub async fn confirm_refund(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member_id, payment_id)): Path<(i64, i64)>,
    Query(form): Query<RefundForm>,
) -> PageResult {
    refund_page(&app, &actor, &identity, member_id, payment_id, &form).await
}

pub async fn record_refund(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member_id, payment_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> PageResult {
    if !is_confirmed(&form.confirmed) {
        return refund_page(&app, &actor, &identity, member_id, payment_id, &form).await;
    }
    let request = guildhall_app::membership::payments::RefundRequest {
        amount: form.amount.clone(),
        method: form.method.clone(),
        reason: form.reason.clone(),
        end_term: !form.end_term.is_empty(),
    };
    match app.record_refund(&actor, member_id, payment_id, &request, &identity.request_id).await {
        Ok(()) => render(
            &member_page(&app, &actor, &identity, member_id, FormState::default(), "The refund was recorded.".into())
                .await?,
        ),
        Err(err @ AppError::Validation { .. }) => {
            let draft = RefundDraft {
                payment_id,
                amount: form.amount,
                method: form.method,
                reason: form.reason,
                end_term: request.end_term,
            };
            rerender(
                &member_page_with(
                    &app,
                    &actor,
                    &identity,
                    member_id,
                    FormState::from_error(&err),
                    String::new(),
                    draft,
                )
                .await?,
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}
