//! Knowledge pages: the knowledge base's front page, subject pages, articles at their kept
//! addresses (the site's fallback route asks whether a path is an article's), the one
//! search box over articles and questions, and the sitemap.
//!
//! Files: `mod.rs` (routes, the knowledge base, search, sitemap), `questions.rs` (members'
//! questions and answers), `staff.rs` (staff's article list, import, edits, experts),
//! `api.rs` (its JSON API operations).

pub mod api;
pub mod questions;
pub mod staff;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use guildhall_app::knowledge::{ArticleLookup, ArticleView, KbHome, SearchRequest};
use guildhall_app::records::{KbArticleSummary, KbSubjectRecord, PageRequest, QuestionRecord, SearchHit, SearchKind};
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::Identity;

/// Addresses per sitemap file (the sitemaps protocol allows 50,000).
const SITEMAP_PART: i64 = 40_000;
/// Results per search page.
const SEARCH_PER_PAGE: u32 = 20;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/kb", get(kb_home))
        .route("/kb/subjects/{slug}", get(subject_page))
        .route("/search", get(search_page))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemaps/{part}", get(sitemap_part))
        .merge(questions::routes())
        .merge(staff::routes())
}

#[derive(Template)]
#[template(path = "knowledge/home.html")]
struct HomePage {
    chrome: Chrome,
    home: KbHome,
}

async fn kb_home(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    let home = app.kb_home(identity.actor.as_ref()).await?;
    render(&HomePage { chrome: Chrome::new(&app, &identity, "Knowledge base", "knowledge").await, home })
}

#[derive(Template)]
#[template(path = "knowledge/subject.html")]
struct SubjectPage {
    chrome: Chrome,
    subject: KbSubjectRecord,
    articles: Vec<KbArticleSummary>,
    questions: Vec<QuestionRecord>,
    pager: Pager,
}

async fn subject_page(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = PageRequest::new(q.page.unwrap_or(1), 25);
    let (subject, articles, questions) = app.kb_subject_page(identity.actor.as_ref(), &slug, page).await?;
    let title = subject.name.clone();
    render(&SubjectPage {
        chrome: Chrome::new(&app, &identity, &title, "knowledge").await,
        pager: Pager::new(&articles, format!("/kb/subjects/{}", subject.slug)),
        articles: articles.items,
        subject,
        questions,
    })
}

/// An article's page, with what search engines read: description, keywords, canonical
/// address and schema.org `QAPage` data.
#[derive(Template)]
#[template(path = "knowledge/article.html")]
struct ArticlePage {
    chrome: Chrome,
    view: Arc<ArticleView>,
    notice: String,
    canonical: String,
    /// schema.org JSON-LD, with `<` escaped so it cannot end its script element.
    json_ld: String,
}

/// The JSON-LD of an article: a `QAPage` whose main entity is the question and its answer.
fn qa_page_json_ld(view: &ArticleView, canonical: &str, society: &str) -> String {
    let a = &view.article;
    let date = a.published_on.map(|d| d.to_string());
    let json = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "QAPage",
        "url": canonical,
        "name": if a.seo_title.is_empty() { &a.title } else { &a.seo_title },
        "mainEntity": {
            "@type": "Question",
            "name": a.title,
            "text": guildhall_app::knowledge::markdown::to_plain_text(&a.question),
            "answerCount": 1,
            "datePublished": date,
            "author": { "@type": "Organization", "name": society },
            "acceptedAnswer": {
                "@type": "Answer",
                "text": guildhall_app::knowledge::markdown::to_plain_text(&a.answer),
                "url": canonical,
                "datePublished": date,
                "author": { "@type": if a.author.is_empty() { "Organization" } else { "Person" },
                            "name": if a.author.is_empty() { society } else { &a.author } },
            },
        },
    });
    json.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The site's fallback: an article when the path is one's, else "no page here".
pub async fn article_or_not_found(
    State(app): State<Arc<App>>,
    identity: Identity,
    method: Method,
    uri: Uri,
) -> PageResult {
    let not_found = || AppError::NotFound("There is no page at this address.".into());
    if method != Method::GET && method != Method::HEAD {
        return Err(not_found().into());
    }
    match app.kb_article_page(identity.actor.as_ref(), uri.path()).await? {
        ArticleLookup::Found(view) => {
            let canonical = app.link(&view.article.path);
            let branding = app.branding().await;
            let title = view.article.title.clone();
            render(&ArticlePage {
                json_ld: qa_page_json_ld(&view, &canonical, &branding.name),
                chrome: Chrome::new(&app, &identity, &title, "knowledge").await,
                notice: match uri.query().unwrap_or("") {
                    "done=promoted" => "The question is in the knowledge base now, at this address.".into(),
                    _ => String::new(),
                },
                canonical,
                view,
            })
        }
        ArticleLookup::MovedTo(path) => Ok(Redirect::permanent(&path).into_response()),
        ArticleLookup::NotHere => Err(not_found().into()),
    }
}

#[derive(Deserialize, Default)]
struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    endorsed: String,
    page: Option<u32>,
}

/// One search result as the page shows it: the snippet in parts, marked or not.
struct ResultRow {
    path: String,
    title: String,
    kind: &'static str,
    parts: Vec<(bool, String)>,
    subjects: String,
    endorsed: bool,
    dated: String,
}

/// A snippet's `[[matched]]` words as (marked, text) parts, so the template escapes the text.
fn snippet_parts(snippet: &str) -> Vec<(bool, String)> {
    let mut parts = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("[[") {
        if start > 0 {
            parts.push((false, rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        match after.find("]]") {
            Some(end) => {
                parts.push((true, after[..end].to_string()));
                rest = &after[end + 2..];
            }
            None => {
                rest = after;
                break;
            }
        }
    }
    if !rest.is_empty() {
        parts.push((false, rest.to_string()));
    }
    parts
}

impl ResultRow {
    fn of(hit: SearchHit) -> Self {
        ResultRow {
            kind: match (hit.article_id, hit.question_id) {
                (Some(_), _) => "Article",
                (_, Some(_)) => "Question",
                _ => "Publication",
            },
            parts: snippet_parts(&hit.snippet),
            path: hit.path,
            title: hit.title,
            subjects: hit.subjects,
            endorsed: hit.endorsed,
            dated: hit.dated.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "knowledge/search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    kind: String,
    subject: String,
    from: String,
    to: String,
    endorsed: bool,
    subjects: Vec<KbSubjectRecord>,
    results: Vec<ResultRow>,
    total_words: String,
    searched: bool,
    pager: Pager,
    form: FormState,
}

/// A search's filters from the query string: the kind, dates and flags as the app takes them.
fn search_request(p: &SearchParams) -> Result<SearchRequest, AppError> {
    let kind = match p.kind.as_str() {
        "" => None,
        "article" => Some(SearchKind::Article),
        "question" => Some(SearchKind::Question),
        "publication" => Some(SearchKind::Publication),
        _ => return Err(AppError::invalid_field("kind", "Choose articles, questions, publications or all.")),
    };
    let date = |raw: &str, field: &str| match raw.trim() {
        "" => Ok(None),
        text => parse_date(text).map(Some).ok_or_else(|| AppError::invalid_field(field, "Give a date as YYYY-MM-DD.")),
    };
    Ok(SearchRequest {
        q: p.q.clone(),
        kind,
        subject: Some(p.subject.clone()).filter(|s| !s.is_empty()),
        from: date(&p.from, "from")?,
        to: date(&p.to, "to")?,
        endorsed_only: !p.endorsed.is_empty(),
    })
}

async fn search_page(State(app): State<Arc<App>>, identity: Identity, Query(p): Query<SearchParams>) -> PageResult {
    let actor = identity.actor.clone();
    let subjects = app.kb_subjects(actor.as_ref()).await?;
    let base = format!(
        "/search?{}",
        query_string(&[
            ("q", &p.q),
            ("kind", &p.kind),
            ("subject", &p.subject),
            ("from", &p.from),
            ("to", &p.to),
            ("endorsed", &p.endorsed)
        ])
    );
    let page_request = PageRequest::new(p.page.unwrap_or(1), SEARCH_PER_PAGE);
    let searched = !p.q.trim().is_empty();
    let outcome = match search_request(&p) {
        Ok(request) => app.search_knowledge(actor.as_ref(), &request, page_request).await,
        Err(e) => Err(e),
    };
    let (page, form, err) = match outcome {
        Ok(page) => (page, FormState::default(), None),
        Err(err @ AppError::Validation { .. }) => {
            (guildhall_app::records::Page::new(Vec::new(), 0, page_request), FormState::from_error(&err), Some(err))
        }
        Err(other) => return Err(other.into()),
    };
    let cap = guildhall_app::records::SEARCH_COUNT_CAP;
    let total_words = match page.total {
        0 => String::new(),
        1 => "1 result".into(),
        n if n > cap => format!("More than {cap} results; the best first"),
        n => format!("{n} results"),
    };
    let page_view = SearchPage {
        chrome: Chrome::new(&app, &identity, if searched { "Search results" } else { "Search" }, "knowledge").await,
        pager: Pager::new(&page, base),
        results: page.items.into_iter().map(ResultRow::of).collect(),
        endorsed: !p.endorsed.is_empty(),
        q: p.q,
        kind: p.kind,
        subject: p.subject,
        from: p.from,
        to: p.to,
        subjects,
        total_words,
        searched,
        form,
    };
    match err {
        Some(err) => rerender(&page_view, &err),
        None => render(&page_view),
    }
}

#[derive(Template)]
#[template(path = "knowledge/sitemap_index.xml", escape = "xml")]
struct SitemapIndex {
    parts: Vec<String>,
}

#[derive(Template)]
#[template(path = "knowledge/sitemap.xml", escape = "xml")]
struct Sitemap {
    urls: Vec<(String, String)>,
}

fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=3600")], body)
        .into_response()
}

/// `/sitemap.xml`: the index of the sitemap's parts (what the public may read).
async fn sitemap_index(State(app): State<Arc<App>>) -> PageResult {
    let size = app.sitemap_size().await?;
    let parts = (size.max(1) + SITEMAP_PART - 1) / SITEMAP_PART;
    let index = SitemapIndex { parts: (1..=parts).map(|n| app.link(&format!("/sitemaps/{n}.xml"))).collect() };
    Ok(xml(index.render().map_err(|e| AppError::Internal(e.to_string()))?))
}

/// One part of the sitemap.
async fn sitemap_part(State(app): State<Arc<App>>, Path(part): Path<String>) -> PageResult {
    let number = part
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| AppError::NotFound("There is no such sitemap.".into()))?;
    let urls = app.sitemap_part(number - 1, SITEMAP_PART).await?;
    if urls.is_empty() && number > 1 {
        return Err(AppError::NotFound("There is no such sitemap.".into()).into());
    }
    let urls = urls.into_iter().map(|(url, at)| (url, day_of(at))).collect();
    Ok(xml(Sitemap { urls }.render().map_err(|e| AppError::Internal(e.to_string()))?))
}

/// The day of an instant ("2026-12-06").
fn day_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix).map(|t| t.date().to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_only_the_matched_words() {
        assert_eq!(
            snippet_parts("keep a [[PDH]] log <b>"),
            [(false, "keep a ".to_string()), (true, "PDH".to_string()), (false, " log <b>".to_string())]
        );
        assert_eq!(snippet_parts("[[x"), [(false, "x".to_string())]);
    }
}
