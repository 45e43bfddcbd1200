//! Chapters' rows: chapters, officer terms, affinity groups.

use serde::Serialize;
use time::Date;

use crate::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ChapterRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub dues_supplement_cents: i64,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewChapter {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub dues_supplement_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OfficerTermRecord {
    pub id: i64,
    pub user_id: i64,
    pub chapter_id: i64,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewOfficerTerm {
    pub user_id: i64,
    pub chapter_id: i64,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct GroupRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub created_at: UnixTime,
}

/// An officer term with the names staff need to read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OfficerListing {
    pub id: i64,
    pub user_id: i64,
    pub chapter_id: i64,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub display_name: String,
    pub email: String,
    pub chapter_name: String,
}
