//! The knowledge API: knowledge-base articles (listed, searched, one by id), members'
//! questions (listed, asked, answered) and the one search over them and publications — each showing the
//! caller only what the pages would (no authentication needed for what is public).

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use guildhall_app::knowledge::questions::QuestionForm;
use guildhall_app::knowledge::{ArticleLookup, SearchRequest};
use guildhall_app::records::{KbArticleSummary, QuestionRecord, SearchHit, SearchKind};
use guildhall_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiQuery, ApiResult, Paging, json_object_body};
use crate::error::{ApiError, ErrorBody};
use crate::kit::{iso_time, parse_date};
use crate::session::{ApiActor, Identity};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/kb/articles", get(list_articles))
        .route("/api/v1/kb/articles/{id}", get(get_article))
        .route("/api/v1/questions", get(list_questions).post(ask_question))
        .route("/api/v1/questions/{id}/answers", post(answer_question))
        .route("/api/v1/search", get(search))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_articles, get_article, list_questions, ask_question, answer_question, search),
    components(schemas(
        KbArticleListItem,
        KbArticlePage,
        KbArticle,
        KbRelatedArticle,
        Question,
        QuestionPage,
        NewQuestionBody,
        NewAnswerBody,
        CreatedAnswer,
        SearchResult,
        SearchPage
    ))
)]
pub struct Doc;

/// An article in a list.
#[derive(Serialize, ToSchema)]
pub struct KbArticleListItem {
    id: i64,
    title: String,
    /// The address it is read at (absolute).
    url: String,
    /// YYYY-MM-DD
    #[serde(skip_serializing_if = "Option::is_none")]
    published_on: Option<String>,
}

impl KbArticleListItem {
    fn of(app: &App, a: KbArticleSummary) -> Self {
        KbArticleListItem {
            id: a.id,
            url: app.link(&a.path),
            title: a.title,
            published_on: a.published_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KbArticlePage {
    items: Vec<KbArticleListItem>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Words to search for (every word must match; the last may be a prefix).
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// A subject's slug (as in `/kb/subjects/{slug}`).
    #[param(min_length = 1, max_length = 100)]
    subject: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/kb/articles", params(Paging, ArticleQuery), security((), ("bearer" = [])),
    responses((status = 200, body = KbArticlePage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_articles(
    State(app): State<Arc<App>>,
    identity: Identity,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(q): ApiQuery<ArticleQuery>,
) -> ApiResult<KbArticlePage> {
    let request = paging.request()?;
    if q.q.as_deref().is_some_and(|q| q.chars().count() > 200) || q.subject.as_deref().is_some_and(|s| s.len() > 100) {
        return Err(ApiError(AppError::BadRequest("`q` is at most 200 characters, `subject` at most 100.".into())));
    }
    let actor = identity.actor.as_ref();
    let words = q.q.as_deref().unwrap_or("").trim().to_string();
    if !words.is_empty() {
        let search = SearchRequest {
            q: words,
            kind: Some(SearchKind::Article),
            subject: q.subject.clone(),
            ..SearchRequest::default()
        };
        let page = app.search_knowledge(actor, &search, request).await?;
        return Ok(Json(KbArticlePage {
            page: page.page,
            per_page: page.per_page,
            total: page.total,
            items: page
                .items
                .into_iter()
                .filter_map(|hit| {
                    Some(KbArticleListItem {
                        id: hit.article_id?,
                        url: app.link(&hit.path),
                        title: hit.title,
                        published_on: hit.dated.map(|d| d.to_string()),
                    })
                })
                .collect(),
        }));
    }
    let page = app.kb_articles(actor, q.subject.as_deref(), request).await?;
    Ok(Json(KbArticlePage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(|a| KbArticleListItem::of(&app, a)).collect(),
    }))
}

/// A related article: given by its file (its `url` empty until it is imported) or computed.
#[derive(Serialize, ToSchema)]
pub struct KbRelatedArticle {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// A knowledge-base article.
#[derive(Serialize, ToSchema)]
pub struct KbArticle {
    id: i64,
    /// The `id` of the article file it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    source_id: Option<i64>,
    title: String,
    url: String,
    question: String,
    /// Markdown.
    answer: String,
    /// The answer as sanitised HTML.
    answer_html: String,
    subjects: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    published_on: Option<String>,
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    keywords: String,
    members_only: bool,
    related: Vec<KbRelatedArticle>,
    updated_at: String,
}

#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", params(("id" = i64, Path, minimum = 1)), security((), ("bearer" = [])),
    responses((status = 200, body = KbArticle), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_article(State(app): State<Arc<App>>, identity: Identity, Path(id): Path<String>) -> ApiResult<KbArticle> {
    let id = positive_id(&id)?;
    let not_found = || ApiError(AppError::NotFound("No such article.".into()));
    let view = match app.kb_article_by_id(identity.actor.as_ref(), id).await? {
        ArticleLookup::Found(view) => view,
        ArticleLookup::MovedTo(_) | ArticleLookup::NotHere => return Err(not_found()),
    };
    let a = &view.article;
    Ok(Json(KbArticle {
        id: a.id,
        source_id: a.source_id,
        title: a.title.clone(),
        url: app.link(&a.path),
        question: a.question.clone(),
        answer: a.answer.clone(),
        answer_html: view.answer_html.clone(),
        subjects: view.subjects.iter().map(|s| s.name.clone()).collect(),
        author: a.author.clone(),
        published_on: a.published_on.map(|d| d.to_string()),
        description: view.description.clone(),
        keywords: a.seo_keywords.clone(),
        members_only: a.members_only,
        related: view
            .related
            .iter()
            .map(|r| KbRelatedArticle { title: r.title.clone(), url: r.path.as_deref().map(|p| app.link(p)) })
            .collect(),
        updated_at: iso_time(a.updated_at),
    }))
}

fn positive_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError(AppError::BadRequest("An id is a positive whole number.".into())))
}

/// A member's question.
#[derive(Serialize, ToSchema)]
pub struct Question {
    id: i64,
    title: String,
    /// Markdown (in the list: empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    body: String,
    url: String,
    asked_by: String,
    /// `members` or `public`
    visibility: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    jurisdiction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discipline: Option<String>,
    answers: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted_answer_id: Option<i64>,
    asked_at: String,
}

impl Question {
    fn of(app: &App, q: QuestionRecord, with_body: bool) -> Self {
        Question {
            url: app.link(&format!("/questions/{}", q.id)),
            id: q.id,
            title: q.title,
            body: if with_body { q.body } else { String::new() },
            asked_by: q.asker_name,
            visibility: if q.public { "public" } else { "members" }.into(),
            jurisdiction: q.jurisdiction,
            discipline: q.discipline,
            answers: q.answers,
            accepted_answer_id: q.accepted_answer_id,
            asked_at: iso_time(q.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuestionPage {
    items: Vec<Question>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/questions", params(Paging), security((), ("bearer" = [])),
    responses((status = 200, body = QuestionPage), (status = 400, body = ErrorBody)))]
async fn list_questions(
    State(app): State<Arc<App>>,
    identity: Identity,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<QuestionPage> {
    let page = app.questions(identity.actor.as_ref(), paging.request()?).await?;
    Ok(Json(QuestionPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(|q| Question::of(&app, q, false)).collect(),
    }))
}

/// A question to ask.
#[derive(Deserialize, ToSchema)]
pub struct NewQuestionBody {
    /// One line, 10–200 characters.
    #[schema(min_length = 10, max_length = 200)]
    title: String,
    /// Markdown, at most 20,000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    body: String,
    /// Up to five subjects.
    #[serde(default)]
    #[schema(max_items = 5)]
    subjects: Vec<String>,
    /// A jurisdiction code such as `US-TX`.
    #[serde(default)]
    jurisdiction: Option<String>,
    /// A discipline code such as `civil`.
    #[serde(default)]
    discipline: Option<String>,
    /// `members` (the default) or `public`.
    #[serde(default)]
    #[schema(pattern = "^(members|public)$")]
    visibility: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/questions", request_body = NewQuestionBody,
    responses((status = 201, body = Question), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
async fn ask_question(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = json_object_body::<NewQuestionBody>(body)?;
    let public = match f.visibility.as_deref() {
        None | Some("members") => false,
        Some("public") => true,
        Some(_) => return Err(ApiError(AppError::invalid_field("visibility", "Give `members` or `public`."))),
    };
    if f.subjects.len() > 5 {
        return Err(ApiError(AppError::invalid_field("subjects", "Give at most five subjects.")));
    }
    if f.subjects.iter().any(|s| s.contains(',')) {
        return Err(ApiError(AppError::invalid_field("subjects", "A subject cannot contain a comma.")));
    }
    let form = QuestionForm {
        title: f.title,
        body: f.body,
        subjects: f.subjects.join(","),
        jurisdiction: f.jurisdiction.unwrap_or_default(),
        discipline: f.discipline.unwrap_or_default(),
        public,
    };
    let id = app.ask_question(&actor, &form).await?;
    let view = app.question_page(Some(&actor), id).await?;
    let _ = identity;
    Ok((StatusCode::CREATED, Json(Question::of(&app, view.question, true))).into_response())
}

/// An answer to post.
#[derive(Deserialize, ToSchema)]
pub struct NewAnswerBody {
    /// Markdown, at most 20,000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedAnswer {
    id: i64,
    question_id: i64,
    url: String,
}

#[utoipa::path(post, path = "/api/v1/questions/{id}/answers", params(("id" = i64, Path, minimum = 1)),
    request_body = NewAnswerBody,
    responses((status = 201, body = CreatedAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
async fn answer_question(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, serde_json::Value>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = positive_id(&id)?;
    let f = json_object_body::<NewAnswerBody>(body)?;
    let answer = app.post_answer(&actor, id, &f.body).await?;
    let url = app.link(&format!("/questions/{id}#answer-{answer}"));
    Ok((StatusCode::CREATED, Json(CreatedAnswer { id: answer, question_id: id, url })).into_response())
}

/// One search result.
#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    /// `article`, `question` or `publication` (an article of a publication)
    kind: String,
    id: i64,
    title: String,
    url: String,
    /// Plain text around the matched words.
    snippet: String,
    /// The snippet as HTML: escaped, the matched words in `<mark>`.
    snippet_html: String,
    subjects: String,
    /// An answer endorsed by a licensed engineer.
    endorsed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
}

/// A snippet's `[[matched]]` words as HTML: the text escaped, the matches in `<mark>`.
fn snippet_html(snippet: &str) -> String {
    let escaped = snippet.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    escaped.replace("[[", "<mark>").replace("]]", "</mark>")
}

impl SearchResult {
    fn of(app: &App, hit: SearchHit) -> Self {
        SearchResult {
            kind: match (hit.article_id, hit.question_id) {
                (Some(_), _) => "article",
                (_, Some(_)) => "question",
                _ => "publication",
            }
            .into(),
            id: hit.article_id.or(hit.question_id).or(hit.publication_article_id).unwrap_or_default(),
            url: app.link(&hit.path),
            title: hit.title,
            snippet: hit.snippet.replace("[[", "").replace("]]", ""),
            snippet_html: snippet_html(&hit.snippet),
            subjects: hit.subjects,
            endorsed: hit.endorsed,
            date: hit.dated.map(|d| d.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SearchPage {
    items: Vec<SearchResult>,
    page: u32,
    per_page: u32,
    /// Counted up to 1,001; more means "more than 1,000".
    total: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to search for (without them, nothing is found).
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// `article`, `question` or `publication` (every kind when left out).
    #[param(pattern = "^(article|question|publication)$")]
    kind: Option<String>,
    /// A subject's slug.
    #[param(min_length = 1, max_length = 100)]
    subject: Option<String>,
    /// Only from this day (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Only until this day (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// Only questions with an endorsed answer (and articles made from them).
    endorsed: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/search", params(SearchParams, Paging), security((), ("bearer" = [])),
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search(
    State(app): State<Arc<App>>,
    identity: Identity,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<SearchPage> {
    let request = paging.request()?;
    if p.q.as_deref().is_some_and(|q| q.chars().count() > 200) || p.subject.as_deref().is_some_and(|s| s.len() > 100) {
        return Err(ApiError(AppError::BadRequest("`q` is at most 200 characters, `subject` at most 100.".into())));
    }
    let kind = match p.kind.as_deref() {
        None => None,
        Some("article") => Some(SearchKind::Article),
        Some("question") => Some(SearchKind::Question),
        Some("publication") => Some(SearchKind::Publication),
        Some(other) => return Err(ApiError(AppError::BadRequest(format!("Unknown kind {other:?}.")))),
    };
    let date = |raw: &Option<String>, name: &str| match raw.as_deref() {
        None => Ok(None),
        Some(text) => parse_date(text)
            .map(Some)
            .ok_or_else(|| ApiError(AppError::BadRequest(format!("`{name}` is a date as YYYY-MM-DD.")))),
    };
    let search = SearchRequest {
        q: p.q.clone().unwrap_or_default(),
        kind,
        subject: p.subject.clone(),
        from: date(&p.from, "from")?,
        to: date(&p.to, "to")?,
        endorsed_only: p.endorsed.unwrap_or(false),
    };
    let page = app.search_knowledge(identity.actor.as_ref(), &search, request).await?;
    Ok(Json(SearchPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(|hit| SearchResult::of(&app, hit)).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_html_escapes_what_was_written_and_marks_the_match() {
        assert_eq!(
            snippet_html("<script>x</script> [[torque]] & more"),
            "&lt;script&gt;x&lt;/script&gt; <mark>torque</mark> &amp; more"
        );
    }
}
