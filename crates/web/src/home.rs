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
}

pub async fn home(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&HomePage { chrome: Chrome::new(&app, &identity, "Home", "home").await })
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
