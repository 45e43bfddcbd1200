//! The home page and the one-message pages (after sign-up, verification, errors).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use guildhall_app::App;

use crate::kit::*;
use crate::session::Identity;

// ---------------------------------------------------------------- public pages

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    offers: Vec<Offer>,
}

/// One thing the society offers today, as the home page shows it.
pub struct Offer {
    heading: &'static str,
    text: String,
    /// Facts listed under the text (tiers with their dues, chapters).
    items: Vec<String>,
    /// Where to go for it (a page that exists today).
    link: (&'static str, &'static str),
}

/// What the society offers today, one entry per feature area that has something to offer
/// an outsider. A new area (events, credentials, mentoring, careers) adds its entry here
/// when it exists, and nothing is promised before then. Tiers and chapters come from the
/// cached reference data, so the page costs no query.
async fn offers(app: &App) -> Result<Vec<Offer>, guildhall_app::AppError> {
    let reference = app.reference().await?;
    let mut offers = Vec::new();
    // membership
    offers.push(Offer {
        heading: "Membership",
        text: match reference.tiers.len() {
            0 => "Join the society as an engineer, student or friend of the profession.".into(),
            1 => "One membership tier, paid and renewed online.".into(),
            n => format!("{n} membership tiers, paid and renewed online."),
        },
        items: reference
            .tiers
            .iter()
            .map(|t| {
                let approval = if t.requires_approval { ", reviewed by the society" } else { "" };
                let dues = match t.annual_dues_cents {
                    0 => "no annual dues".to_string(),
                    cents => format!("{} a year", guildhall_app::membership::format_money(cents)),
                };
                format!("{}: {dues}{approval}", t.name)
            })
            .collect(),
        link: ("/join", "Join the society"),
    });
    // chapters
    if !reference.chapters.is_empty() {
        offers.push(Offer {
            heading: "Chapters",
            text: format!(
                "{} local {}, each with its own officers.",
                reference.chapters.len(),
                if reference.chapters.len() == 1 { "chapter" } else { "chapters" }
            ),
            items: reference.chapters.iter().map(|c| c.name.clone()).collect(),
            link: ("/join", "Choose your chapter when you join"),
        });
    }
    // ce
    offers.push(Offer {
        heading: "Continuing education",
        text: "Log your professional development hours and see, for each licence and certification, what its \
               board's renewal rules still require, with a transcript to hand in."
            .into(),
        items: Vec::new(),
        link: ("/ce", "Track your PDH"),
    });
    // membership: the directory
    offers.push(Offer {
        heading: "Member directory",
        text: "Members find each other by name or chapter; each member decides what the directory shows about \
               them."
            .into(),
        items: Vec::new(),
        link: ("/directory", "Open the directory"),
    });
    Ok(offers)
}

pub async fn home(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&HomePage { chrome: Chrome::new(&app, &identity, "Home", "home").await, offers: offers(&app).await? })
}

#[derive(Template)]
#[template(path = "layout/message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    link_href: String,
    link_text: String,
}

pub(crate) async fn message(
    app: &App,
    identity: &Identity,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> PageResult {
    render(&MessagePage {
        chrome: Chrome::new(app, identity, heading, "").await,
        heading: heading.into(),
        paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        link_href: link.map(|l| l.0.to_string()).unwrap_or_default(),
        link_text: link.map(|l| l.1.to_string()).unwrap_or_default(),
    })
}
