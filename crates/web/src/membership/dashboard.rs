//! The signed-in member's dashboard: their membership card, CE summary and chapter.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use guildhall_app::{Actor, App};
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
}

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
    let offices = app.offices(&actor).await?;
    let card = crate::membership::card_view(&app, &actor).await?;
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
    })
}
