//! The member's receipts: a list of their payments, each receipt as a PDF.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use guildhall_app::membership::format_money;
use guildhall_app::{App, AppError};

use crate::kit::*;
use crate::session::SignedIn;

pub struct ReceiptRow {
    payment_id: i64,
    received: String,
    description: String,
    amount: String,
    method: String,
}

#[derive(Template)]
#[template(path = "membership/receipts.html")]
struct ReceiptsPage {
    chrome: Chrome,
    rows: Vec<ReceiptRow>,
}

pub async fn receipts(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let rows = app
        .my_receipts(&actor)
        .await?
        .into_iter()
        .map(|r| ReceiptRow {
            payment_id: r.payment.id,
            received: r.payment.received_on.to_string(),
            description: r.invoice_description,
            amount: format_money(r.payment.amount_cents),
            method: guildhall_app::membership::receipts::method_words(&r.payment.method),
        })
        .collect();
    render(&ReceiptsPage { chrome: Chrome::new(&app, &identity, "Your receipts", "dashboard").await, rows })
}

/// `/membership/receipts/{id}.pdf`: the payer's own receipt (staff may open any).
pub async fn receipt_pdf(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(file): Path<String>,
) -> PageResult {
    let id = file
        .strip_suffix(".pdf")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(|| AppError::NotFound("There is no such receipt.".into()))?;
    let receipt = app.receipt(&actor, id).await?;
    let bytes = guildhall_app::membership::receipts::receipt_pdf(&receipt);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"receipt-{}.pdf\"", receipt.number)),
        ],
        bytes,
    )
        .into_response())
}
