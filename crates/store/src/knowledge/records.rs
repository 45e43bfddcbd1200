//! The knowledge area's rows.

use time::Date;

use crate::UnixTime;

/// A knowledge-base article.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KbArticleRecord {
    pub id: i64,
    /// The `id` of the article file it came from (None: written here, e.g. promoted).
    pub source_id: Option<i64>,
    /// The public path it is served at.
    pub path: String,
    pub title: String,
    pub question: String,
    /// Markdown.
    pub answer: String,
    pub author: String,
    pub published_on: Option<Date>,
    pub seo_title: String,
    pub seo_description: String,
    pub seo_keywords: String,
    /// Every key of the imported file as JSON.
    pub front_matter: String,
    pub published: bool,
    pub members_only: bool,
    pub merged_into: Option<i64>,
    pub from_question_id: Option<i64>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// An article in a list: enough for a link and a line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KbArticleSummary {
    pub id: i64,
    pub path: String,
    pub title: String,
    pub published_on: Option<Date>,
    pub published: bool,
}

/// A subject, shown in the spelling first seen.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KbSubjectRecord {
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// Published articles under it.
    pub articles: i64,
}

/// A related article as the file gave it, resolved when that article is here.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RelatedLinkRecord {
    pub related_source_id: i64,
    pub title: String,
    pub subject: String,
    pub url: String,
    /// The article's path and title when it has been imported and is published.
    pub resolved_path: Option<String>,
    pub resolved_title: Option<String>,
}

/// A subject as an article or question is filed under it: its key, spelling and slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubject {
    pub key: String,
    pub name: String,
    pub slug: String,
}

/// A related link to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelatedLink {
    pub source_id: i64,
    pub title: String,
    pub subject: String,
    pub url: String,
}

/// An article to import or save (created, or updated in place by `source_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKbArticle {
    pub source_id: Option<i64>,
    pub path: String,
    pub title: String,
    pub question: String,
    pub answer: String,
    pub author: String,
    pub published_on: Option<Date>,
    pub seo_title: String,
    pub seo_description: String,
    pub seo_keywords: String,
    pub front_matter: String,
    /// Only for members (used when it is created; an update keeps what staff chose).
    pub members_only: bool,
    /// The member's question it was promoted from (set when it is created).
    pub from_question_id: Option<i64>,
    /// The question and answer as plain text, for the search index.
    pub search_text: String,
    pub subjects: Vec<NewSubject>,
    pub related: Vec<NewRelatedLink>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KbImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// An article as `kb export` writes it back: the record, its subjects' spellings and its
/// related links in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbArticleExport {
    pub article: KbArticleRecord,
    pub subjects: Vec<String>,
    pub related: Vec<RelatedLinkRecord>,
}

/// A question as lists and its page show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuestionRecord {
    pub id: i64,
    pub member_id: i64,
    pub asker_name: String,
    pub title: String,
    pub body: String,
    pub jurisdiction: Option<String>,
    pub discipline: Option<String>,
    /// Visible to the public, not only to members.
    pub public: bool,
    pub accepted_answer_id: Option<i64>,
    pub promoted_path: Option<String>,
    pub hidden: bool,
    pub answers: i64,
    pub created_at: UnixTime,
}

/// An answer with its tallies.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AnswerRecord {
    pub id: i64,
    pub question_id: i64,
    pub member_id: i64,
    pub author_name: String,
    pub body: String,
    pub hidden: bool,
    pub score: i64,
    pub created_at: UnixTime,
}

/// One endorsement of an answer, with the licence it rests on.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EndorsementRecord {
    pub answer_id: i64,
    pub member_id: i64,
    pub licence_kind: String,
    pub jurisdiction: String,
    pub discipline: String,
    /// The endorser's name, when they chose to show it.
    pub shown_name: Option<String>,
}

/// A question to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub title: String,
    pub body: String,
    pub jurisdiction: Option<String>,
    pub discipline: Option<String>,
    pub public: bool,
    /// The title and body as plain text, for the search index.
    pub plain_text: String,
    pub subjects: Vec<NewSubject>,
}

/// Who reads: what they may see of members-only questions and articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone: only what is public.
    Public,
    /// A member in good standing, or staff: members-only content too.
    Members,
}

/// What a search asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// Words as typed; every word must be found (prefix match on the last).
    pub words: Vec<String>,
    /// Only one kind (every kind when `None`).
    pub kind: Option<SearchKind>,
    pub subject_slug: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub endorsed_only: bool,
}

/// Which kind of thing a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchKind {
    Article,
    Question,
    /// An article of one of the society's publications (its title, authors and abstract).
    Publication,
}

/// One search result with its highlighted snippet (plain text with `[[` and `]]` around
/// matched words; the page escapes it and turns the markers into `<mark>`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SearchHit {
    pub article_id: Option<i64>,
    pub question_id: Option<i64>,
    pub publication_article_id: Option<i64>,
    pub path: String,
    pub title: String,
    pub snippet: String,
    pub subjects: String,
    pub endorsed: bool,
    pub dated: Option<Date>,
    pub rank: f64,
}

/// An open report of a question or answer, for the staff queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FlagRecord {
    pub id: i64,
    pub question_id: i64,
    pub answer_id: Option<i64>,
    pub question_title: String,
    /// What the reported post says (Markdown).
    pub post_body: String,
    pub post_hidden: bool,
    /// Who wrote the reported post.
    pub author_name: String,
    pub reporter_name: String,
    pub reason: String,
    pub created_at: UnixTime,
}

/// What a question or answer said before an edit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RevisionRecord {
    pub answer_id: Option<i64>,
    pub title_before: Option<String>,
    pub body_before: String,
    pub edited_by_name: Option<String>,
    pub edited_at: UnixTime,
}

/// A comment under a question (`answer_id` None) or an answer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommentRecord {
    pub id: i64,
    pub answer_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub created_at: UnixTime,
}
