//! Payments staff record by hand and refunds, with the member page's use cases: the same
//! checks, and a refund never more than what is left of the payment (the database
//! refuses it too).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use guildhall_app::App;
use guildhall_app::membership::payments::RefundRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Payment, detail, id_of, member_id, object, payment_out};
use crate::api::{ApiResult, whole};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// A payment received by cheque, bank transfer or cash, settling an open invoice in full.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflinePayment {
    /// The open invoice it pays.
    #[serde(deserialize_with = "whole::number")]
    #[schema(value_type = i64, minimum = 1)]
    invoice_id: i64,
    /// cheque, transfer or cash
    #[schema(value_type = OfflineMethod)]
    method: String,
    /// The cheque number or bank reference, at most 100 characters.
    #[serde(default)]
    reference: String,
}

/// How an offline payment was made.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum OfflineMethod {
    Cheque,
    Transfer,
    Cash,
}

const MEMBER: &str = "The member's id, or `me`";

#[utoipa::path(post, path = "/api/v1/members/{id}/payments", request_body = OfflinePayment,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER)),
    responses((status = 200, body = Payment, description = "The payment recorded (its invoice is paid)"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn record_payment(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(member): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Payment> {
    let member = member_id(&app, &actor, &member).await?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    let p: OfflinePayment = object(body)?;
    app.record_offline_payment(&actor, member, p.invoice_id, &p.method, &p.reference, &identity.request_id).await?;
    let currency = app.currency().await;
    let d = detail(&app, &actor, &member.to_string()).await?;
    let payment = d
        .payments
        .into_iter()
        .filter(|x| x.invoice_id == p.invoice_id)
        .max_by_key(|x| x.id)
        .ok_or_else(|| guildhall_app::AppError::Internal("the payment recorded is not found".into()))?;
    Ok(Json(payment_out(payment, &currency)))
}

/// A refund of (part of) a payment.
#[derive(Serialize, ToSchema)]
pub struct Refund {
    id: i64,
    payment_id: i64,
    amount_cents: i64,
    /// ISO 4217 code of the society's currency.
    currency: String,
    /// card, cheque, transfer or cash
    method: String,
    reason: String,
    /// Whether the payment's term was ended with it.
    ended_term: bool,
    refunded_on: String,
}

/// A refund to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    /// In cents, above zero and at most what is left of the payment.
    #[serde(deserialize_with = "whole::number")]
    #[schema(value_type = i64, minimum = 1)]
    amount_cents: i64,
    /// How the money goes back: card, cheque, transfer or cash.
    #[schema(value_type = RefundMethod)]
    method: String,
    /// Why (1 to 500 characters); kept in the audit log.
    reason: String,
    /// End the term the payment was for, from today (the member's standing follows).
    #[serde(default)]
    end_term: bool,
}

/// How a refund is returned.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RefundMethod {
    Card,
    Cheque,
    Transfer,
    Cash,
}

async fn refunds_of(
    app: &App,
    actor: &guildhall_app::Actor,
    member: i64,
    payment: i64,
) -> Result<Vec<Refund>, crate::error::ApiError> {
    let d = detail(app, actor, &member.to_string()).await?;
    if !d.payments.iter().any(|p| p.id == payment) {
        return Err(guildhall_app::AppError::NotFound("That payment does not belong to this member.".into()).into());
    }
    let currency = app.currency().await;
    Ok(d.refunds
        .into_iter()
        .filter(|r| r.payment_id == payment)
        .map(|r| Refund {
            id: r.id,
            payment_id: r.payment_id,
            amount_cents: r.amount_cents,
            currency: currency.clone(),
            method: r.method,
            reason: r.reason,
            ended_term: r.ended_term,
            refunded_on: r.refunded_on.to_string(),
        })
        .collect())
}

const PAYMENT: &str = "The payment's id";

#[utoipa::path(get, path = "/api/v1/members/{id}/payments/{payment_id}/refunds",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER),
           ("payment_id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = PAYMENT)),
    responses((status = 200, body = [Refund]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn refunds(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path((member, payment)): Path<(String, String)>,
) -> ApiResult<Vec<Refund>> {
    let (member, payment) = (member_id(&app, &actor, &member).await?, id_of(&payment, "payment")?);
    actor.require(guildhall_app::Permission::StaffArea)?;
    Ok(Json(refunds_of(&app, &actor, member, payment).await?))
}

#[utoipa::path(post, path = "/api/v1/members/{id}/payments/{payment_id}/refunds", request_body = RefundInput,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER),
           ("payment_id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = PAYMENT)),
    responses((status = 200, body = [Refund], description = "The payment's refunds, the new one last"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "More than is left of the payment, or another field refused")))]
pub(super) async fn refund(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((member, payment)): Path<(String, String)>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Vec<Refund>> {
    let (member, payment) = (member_id(&app, &actor, &member).await?, id_of(&payment, "payment")?);
    actor.require(guildhall_app::Permission::StaffArea)?;
    let input: RefundInput = object(body)?;
    let amount = if input.amount_cents < 0 {
        input.amount_cents.to_string()
    } else {
        format!("{}.{:02}", input.amount_cents / 100, input.amount_cents % 100)
    };
    let request = RefundRequest { amount, method: input.method, reason: input.reason, end_term: input.end_term };
    app.record_refund(&actor, member, payment, &request, &identity.request_id).await?;
    Ok(Json(refunds_of(&app, &actor, member, payment).await?))
}
