//! The signed-in member's dashboard: their membership card, CE summary and chapter.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use guildhall_app::membership::format_money;
use guildhall_app::{Actor, App};
use guildhall_domain::membership::InvoiceStatus;
use serde::Deserialize;

use crate::kit::*;
use crate::session::SignedIn;

// ---------------------------------------------------------------- signed-in pages

#[derive(Template)]
#[template(path = "membership/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    actor: Actor,
    card: Option<crate::membership::CardView>,
    notice: String,
    /// (chapter id, chapter name, office title)
    offices: Vec<(i64, String, String)>,
    /// Each tracked licence and certification this period; empty without a membership.
    ce: Vec<guildhall_app::ce::CeSummaryLine>,
    invoices: Vec<InvoiceLine>,
    /// (event id, title, when, status in words)
    registrations: Vec<(i64, String, guildhall_domain::events::EventTime, &'static str)>,
}

/// An invoice on the dashboard: open ones with a pay link, paid ones as receipts.
pub struct InvoiceLine {
    id: i64,
    description: String,
    amount: String,
    open: bool,
    /// "Due 2027-01-31" or "Paid 2026-12-02" or "Void".
    when: String,
}

/// How many invoices the dashboard lists.
const DASHBOARD_INVOICES: u8 = 4;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    renewed: Option<u8>,
    #[serde(default)]
    applied: Option<u8>,
    #[serde(default)]
    linked: Option<u8>,
}

pub async fn dashboard(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    // The card, the invoices and the CE summary are one statement.
    let (offices, dashboard) = tokio::try_join!(app.offices(&actor), app.my_dashboard(&actor, DASHBOARD_INVOICES))?;
    let (card, invoices, ce, registrations) = match dashboard {
        Some(d) => (Some(crate::membership::card_view_of(&d.membership)), d.recent_invoices, d.ce, d.registrations),
        None => (None, Vec::new(), Vec::new(), Vec::new()),
    };
    let registrations = registrations
        .into_iter()
        .map(|r| {
            let when = guildhall_domain::events::event_time(r.starts_at, &r.time_zone);
            (r.event_id, r.title, when, crate::events::status_words(r.status))
        })
        .collect();
    let invoices = invoices
        .into_iter()
        .map(|i| {
            let open = i.status == InvoiceStatus::Open;
            let when = match (i.status, i.paid_on) {
                (InvoiceStatus::Open, _) => format!("Due {}", i.due_on),
                (InvoiceStatus::Paid, Some(paid)) => format!("Paid {paid}"),
                (InvoiceStatus::Paid, None) => "Paid".to_string(),
                (InvoiceStatus::Void, _) => "Cancelled".to_string(),
            };
            InvoiceLine { id: i.id, description: i.description, amount: format_money(i.amount_cents), open, when }
        })
        .collect();
    let notice = if q.renewed.is_some() {
        "Thank you: your membership is renewed.".to_string()
    } else if let (Some(_), Some(card)) = (q.linked, &card) {
        format!(
            "We found your membership record ({}) by your email address and linked it to this account.",
            card.member_number
        )
    } else if q.applied.is_some() {
        "Thank you for applying: the society's staff will review your application, and we will email you.".to_string()
    } else {
        String::new()
    };
    render(&DashboardPage {
        chrome: Chrome::new(&app, &identity, "Dashboard", "dashboard").await,
        actor,
        card,
        notice,
        offices,
        ce,
        invoices,
        registrations,
    })
}
