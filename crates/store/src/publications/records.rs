//! The publications area's rows.

use guildhall_domain::publications::{PublicationAccess, PublicationKind};
use time::Date;

use crate::UnixTime;

/// A publication, with how many issues it has.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublicationRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub kind: PublicationKind,
    #[sqlx(try_from = "String")]
    pub access: PublicationAccess,
    pub chapter_id: Option<i64>,
    pub issues: i64,
    pub created_at: UnixTime,
}

/// An issue of a publication, with how many articles it has.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssueRecord {
    pub id: i64,
    pub publication_id: i64,
    pub title: String,
    pub volume: Option<i64>,
    pub number: Option<i64>,
    pub published_on: Date,
    pub articles: i64,
}

/// An article of an issue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublicationArticleRecord {
    pub id: i64,
    pub issue_id: i64,
    pub title: String,
    pub authors: String,
    /// The abstract, which everyone may read.
    pub summary: String,
    /// Markdown; only for readers the publication's access allows.
    pub body: String,
    pub doi: Option<String>,
    pub pages: String,
    pub updated_at: UnixTime,
}

/// A file of an article, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublicationFileRecord {
    pub id: i64,
    pub article_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
}

/// A publication to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: PublicationKind,
    pub access: PublicationAccess,
    pub chapter_id: Option<i64>,
    /// For `Chosen` access.
    pub tier_ids: Vec<i64>,
    pub group_ids: Vec<i64>,
}

/// An issue to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssue {
    pub title: String,
    pub volume: Option<i64>,
    pub number: Option<i64>,
    pub published_on: Date,
}

/// A file to store with an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublicationFile {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// An article to add to an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublicationArticle {
    pub title: String,
    pub authors: String,
    /// The abstract, which everyone may read.
    pub summary: String,
    pub body: String,
    pub doi: Option<String>,
    pub pages: String,
    pub files: Vec<NewPublicationFile>,
}
