//! The member directory: what members choose to show one another.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use guildhall_app::records::{ChapterRecord, MemberSummary, PageRequest};
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::SignedIn;

pub struct DirectoryRow {
    name: String,
    chapter: String,
    employer: String,
    city: String,
    disciplines: String,
}

fn visible(visibility: &str, field: &str) -> bool {
    serde_json::from_str::<std::collections::BTreeMap<String, String>>(visibility)
        .ok()
        .and_then(|v| v.get(field).cloned())
        .is_none_or(|level| level != "private")
}

fn directory_row(m: MemberSummary) -> DirectoryRow {
    let show = |field: &str, value: &str| if visible(&m.visibility, field) { value.to_string() } else { String::new() };
    DirectoryRow {
        name: format!("{} {}", m.first_name, m.last_name),
        chapter: m.chapter_name.clone().unwrap_or_default(),
        employer: show("employer", &m.employer),
        city: show("city", &m.city),
        disciplines: show("disciplines", &m.disciplines.replace(';', ", ")),
    }
}

#[derive(Template)]
#[template(path = "membership/directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    rows: Vec<DirectoryRow>,
    chapters: Vec<ChapterRecord>,
    q: String,
    chapter: i64,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    page: Option<u32>,
}

pub async fn directory(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DirectoryQuery>,
) -> PageResult {
    if q.q.chars().count() > 100 {
        return Err(AppError::invalid("Search for at most 100 characters.").into());
    }
    let chapter = parse_id(&q.chapter, "chapter")?;
    let page = app
        .directory(
            &actor,
            Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
            chapter,
            PageRequest::new(q.page.unwrap_or(1), 25),
        )
        .await?;
    let pager = Pager::new(&page, format!("/directory?{}", query_string(&[("q", &q.q), ("chapter", &q.chapter)])));
    render(&DirectoryPage {
        chrome: Chrome::new(&app, &identity, "Member directory", "directory").await,
        rows: page.items.into_iter().map(directory_row).collect(),
        chapters: app.reference().await?.chapters.clone(),
        q: q.q,
        chapter: chapter.unwrap_or(0),
        pager,
    })
}
