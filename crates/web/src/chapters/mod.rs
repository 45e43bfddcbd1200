//! Chapters: the public chapter page; staff management of affinity groups and chapter
//! officers.
//!
//! Files: `api.rs` (its JSON API operations), `mod.rs` (routes and the chapter page), `groups.rs` (affinity groups and a
//! member's groups), `officers.rs` (officers and what officers may edit).

pub mod api;
mod groups;
mod officers;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use guildhall_app::App;
use guildhall_app::records::{ChapterRecord, PageRequest};

use crate::kit::*;
use crate::session::SignedIn;
use axum::Router;
use axum::routing::{get, post};

/// The chapter page; staff's affinity groups and chapter officers.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/chapters/{id}", get(chapter))
        .route("/staff/groups", get(groups::groups).post(groups::create_group))
        .route("/staff/groups/{id}", get(groups::group).post(groups::save_group))
        .route("/members/{id}/groups", post(groups::add_member_group))
        .route("/members/{member}/groups/{group}/remove", post(groups::remove_member_group))
        .route("/staff/officers", get(officers::officers).post(officers::appoint_officer))
        .route("/staff/officers/{id}/end", get(officers::confirm_end_officer_term).post(officers::end_officer_term))
        .route("/staff/officer-fields", get(officers::officer_fields).post(officers::save_officer_fields))
}

#[derive(Template)]
#[template(path = "chapters/chapter.html")]
struct ChapterPage {
    chrome: Chrome,
    chapter: ChapterRecord,
    roster_count: i64,
    /// (office title, officer name)
    officers: Vec<(String, String)>,
}

pub async fn chapter(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let (chapter, officers) = app.chapter_overview(&actor, id).await?;
    let filter = guildhall_app::records::MemberFilter { chapter_id: Some(id), ..Default::default() };
    let roster_count = app.search_members(&actor, filter, PageRequest::new(1, 1)).await?.total;
    render(&ChapterPage {
        chrome: Chrome::new(&app, &identity, &chapter.name, "chapter").await,
        chapter,
        roster_count,
        officers,
    })
}
