//! Membership pages: joining, renewal and payment, the dashboard and directory, member
//! search and detail, profiles, households, and staff's approvals, tiers, import and reports.
//!
//! Files: `mod.rs` (routes and the membership card), `dashboard.rs`, `joining.rs`,
//! `payments.rs` (renewing, paying, recording payments and refunds), `webhooks.rs` (payment
//! providers' calls), `directory.rs`, `members.rs` (the member list, inviting members, and
//! a member's page), `invitations.rs` (the page an invitation link opens), `claims.rs` ("I am
//! already a member" and the staff queue of claims), `profile.rs`,
//! `households.rs`, `approvals.rs`, `evidence.rs` (proof of eligibility), `tiers.rs`, `import.rs`,
//! `reports.rs`, `receipts.rs` (the member's receipts, as PDF), `api.rs` (its JSON API
//! operations: member search and a member's record).

use std::sync::Arc;

use guildhall_app::membership::format_money;
use guildhall_app::{App, AppError};
use guildhall_domain::membership::Standing;
use time::{Date, macros::format_description};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub mod api;
mod approvals;
mod claims;
mod dashboard;
mod directory;
mod evidence;
pub(crate) mod households;
mod import;
mod invitations;
mod joining;
mod members;
pub(crate) mod payments;
mod profile;
mod receipts;
mod reports;
mod tiers;
mod webhooks;

/// Largest member file the staff import page accepts (100,000 members is about 20 MB).
pub(crate) const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

/// Joining, renewing and paying, the dashboard and directory, members' pages and profiles,
/// households, staff's approvals, tiers, import and reports, and the payment webhook.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/dashboard", get(dashboard::dashboard))
        .route("/join", get(joining::join_form).post(joining::join))
        .route("/membership/renew", post(payments::renew))
        .route("/membership/receipts", get(receipts::receipts))
        .route("/membership/receipts/{file}", get(receipts::receipt_pdf))
        .route("/invoices/{id}/pay", get(payments::pay_form).post(payments::pay))
        .route("/directory", get(directory::directory))
        .route("/staff/members", get(members::members))
        .route("/staff/members.csv", get(members::members_csv))
        .route("/staff/members/invite", post(members::invite))
        .route("/invitation", get(invitations::invitation).post(invitations::accept))
        .route("/claim", get(claims::claim_form).post(claims::claim))
        .route("/claim/code", post(claims::enter_code))
        .route("/staff/claims", get(claims::claims))
        .route("/staff/claims/{id}/link", post(claims::link))
        .route("/staff/claims/{id}/dismiss", post(claims::dismiss))
        .route("/members/{id}", get(members::member))
        .route("/members/{id}/edit", get(profile::member_edit).post(profile::save_member_edit))
        .route("/members/{id}/membership", get(profile::membership_change_form).post(profile::save_membership_change))
        .route("/profile", get(profile::own_profile).post(profile::save_own_profile))
        .route("/members/{member}/invoices/{invoice}/payments", post(payments::record_payment))
        .route(
            "/members/{member}/payments/{payment}/refunds",
            get(payments::confirm_refund).post(payments::record_refund),
        )
        .route(
            "/payments/webhook/{provider}",
            post(webhooks::payment_webhook).layer(DefaultBodyLimit::max(webhooks::WEBHOOK_LIMIT)),
        )
        .route(
            "/staff/import",
            get(import::import_form).post(import::import_upload).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/staff/tiers", get(tiers::tiers).post(tiers::create_tier))
        .route("/staff/tiers/{id}", get(tiers::tier).post(tiers::save_tier))
        .route("/staff/tiers/{id}/delete", post(tiers::delete_tier))
        .route("/members/{id}/links", post(households::link_member))
        .route("/members/{member}/links/{link}/end", get(households::confirm_unlink).post(households::unlink_member))
        .route("/members/{id}/organisation", post(households::save_organisation))
        .route("/staff/approvals", get(approvals::approvals))
        .route("/staff/approvals/{term}", post(approvals::decide))
        .route("/staff/approvals/{term}/reject", get(approvals::confirm_reject))
        .route("/staff/approvals/evidence/{id}", get(evidence::evidence_document))
        .route(
            "/membership/evidence",
            get(evidence::evidence_form)
                .post(evidence::upload_evidence)
                .layer(DefaultBodyLimit::max(evidence::EVIDENCE_LIMIT)),
        )
        .route("/staff/reports", get(reports::reports))
        .route("/staff/reports/{file}", get(reports::report_csv))
}

pub(super) fn parse_date(raw: &str) -> Result<Option<Date>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| AppError::invalid(format!("{raw:?} is not a date; use YYYY-MM-DD.")))
}

/// A page number as typed in the address: a bad one (`-1`, `0`, `abc`) gives the first page
/// and a sentence saying so.
pub(super) fn page_number(raw: &str) -> (u32, Option<String>) {
    match raw.trim() {
        "" => (1, None),
        raw => match raw.parse::<u32>() {
            Ok(n) if n >= 1 => (n, None),
            _ => {
                let shown: String = raw.chars().take(20).collect();
                (1, Some(format!("\u{201c}{shown}\u{201d} is not a page number, so the first page is shown.")))
            }
        },
    }
}

pub(super) fn date_text(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// What the dashboard's membership card shows.
pub struct CardView {
    pub member_number: String,
    pub tier: String,
    pub standing: String,
    pub standing_code: String,
    /// Whether the open invoice is the first one (the member was approved and has not paid yet).
    pub first_invoice: bool,
    pub expires: String,
    pub chapter: String,
    pub groups: String,
    pub licences: String,
    pub open_invoice: Option<i64>,
    pub can_renew: bool,
    pub renewal_dues: String,
    pub window_note: String,
}

/// The card as the dashboard shows it.
pub fn card_view_of(card: &guildhall_app::membership::MembershipCard) -> CardView {
    let window_note = match (card.member.standing, card.window_opens_on) {
        _ if card.paid_by.is_some() => {
            format!(
                "Your membership is paid by {}; they renew it for you.",
                card.paid_by.as_deref().unwrap_or_default()
            )
        }
        (Standing::Active, Some(opens)) => format!("Renewal opens on {opens}."),
        (Standing::Lapsed, _) => "Your membership has lapsed; contact the society office to be reinstated.".into(),
        _ => String::new(),
    };
    CardView {
        member_number: card.member.member_number.clone(),
        tier: card.tier.name.clone(),
        standing: card.member.standing.label().into(),
        standing_code: card.member.standing.code().into(),
        first_invoice: card.member.standing == Standing::Approved,
        expires: if card.tier.never_expires && card.member.standing == Standing::Active {
            "Never: life membership".into()
        } else {
            date_text(card.member.expires_on)
        },
        chapter: card.chapter_name.clone().unwrap_or_else(|| "—".into()),
        groups: card.group_names.join(", "),
        licences: card
            .licences
            .iter()
            .map(|l| format!("{} {} {}", l.jurisdiction, l.kind, l.number))
            .collect::<Vec<_>>()
            .join(", "),
        open_invoice: card.open_invoice_id,
        can_renew: card.can_renew,
        renewal_dues: format_money(card.renewal_dues_cents),
        window_note,
    }
}
