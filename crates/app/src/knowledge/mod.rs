//! Knowledge: the knowledge base (Q&A articles at their kept addresses, subjects, related
//! articles given and computed, the sitemap), staff editing, unpublishing and merging,
//! and one search over articles and members' questions, showing each reader only what
//! they may see.
//!
//! Files: `mod.rs` (who may see what, article and subject pages, search, the sitemap,
//! staff's article edits), `import.rs` (`kb import` and `kb export` of Q&A article files,
//! also from the staff page), `questions.rs` (members' questions, answers, votes,
//! endorsements, acceptance, following, subject experts, hiding, promotion to an article),
//! `moderation.rs` (members' reports, the staff queue, edits with their history),
//! `markdown.rs` (Markdown as sanitised HTML and as plain text).

pub mod import;
pub mod markdown;
pub mod moderation;
pub mod questions;

use std::sync::Arc;
use std::time::Duration;

use guildhall_domain::knowledge::{subject_key, subject_slug};
use guildhall_store::{
    Audience, KbArticleRecord, KbArticleSummary, KbSubjectRecord, NewKbArticle, NewRelatedLink, NewSubject, Page,
    PageRequest, QuestionRecord, SearchHit, SearchKind, SearchQuery,
};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::kept::KeptPages;
use crate::{Actor, App, Permission};

/// How long a node keeps an article's page as read (a staff edit on the node forgets it).
pub const ARTICLE_TTL: Duration = Duration::from_secs(10);
/// At most this many related articles are shown.
pub const RELATED_SHOWN: usize = 6;
/// An article shows computed related articles until it has this many.
const RELATED_WANTED: usize = 3;
/// The most words a search uses.
const SEARCH_WORDS: usize = 10;

/// Article pages kept per node, by path and audience.
pub type ArticlePages = KeptPages<(String, bool), Arc<ArticleView>>;

/// How long a node keeps a page of search results and the subjects with their counts: the
/// busiest reads, where seconds-old results do no harm (a change on the node forgets them).
pub const SEARCH_TTL: Duration = Duration::from_secs(30);

/// Search result pages kept per node, by what was asked, the audience and the page.
pub type SearchPages = KeptPages<(SearchQuery, bool, u32, u32), Page<SearchHit>>;

/// The subjects with their article counts kept per node, by audience.
pub type SubjectLists = KeptPages<bool, Vec<KbSubjectRecord>>;

/// An article as its page shows it.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub article: KbArticleRecord,
    /// The question as sanitised HTML, when it says more than the title.
    pub question_html: Option<String>,
    pub answer_html: String,
    /// The description for `<meta>` and search engines: the SEO block's, or the answer's start.
    pub description: String,
    pub subjects: Vec<KbSubjectRecord>,
    pub related: Vec<RelatedView>,
}

/// A related article: given by the file (possibly not here yet) or computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedView {
    pub title: String,
    /// Where it is read (None: not imported yet, a pending link).
    pub path: Option<String>,
}

/// What is at a path that might be an article's.
#[derive(Debug, Clone)]
pub enum ArticleLookup {
    Found(Arc<ArticleView>),
    /// It was merged into the article at this path.
    MovedTo(String),
    NotHere,
}

/// The knowledge base's front page.
#[derive(Debug, Clone)]
pub struct KbHome {
    pub subjects: Vec<KbSubjectRecord>,
    pub recent: Vec<KbArticleSummary>,
    pub questions: Vec<QuestionRecord>,
}

/// A search as asked: the words typed and the filters.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub kind: Option<SearchKind>,
    pub subject: Option<String>,
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
    pub endorsed_only: bool,
}

/// Staff's edit of an article.
#[derive(Debug, Clone, Default)]
pub struct ArticleEdit {
    pub path: String,
    pub title: String,
    pub question: String,
    pub answer: String,
    /// Comma-separated.
    pub subjects: String,
    pub seo_title: String,
    pub seo_description: String,
    pub seo_keywords: String,
}

/// The words of a search, lower-cased letters and digits, at most [`SEARCH_WORDS`].
pub fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(SEARCH_WORDS)
        .collect()
}

/// Words too common to say what an article is about.
const COMMON_WORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "how",
    "why",
    "who",
    "are",
    "can",
    "its",
    "you",
    "our",
    "was",
    "not",
    "about",
    "after",
    "also",
    "does",
    "from",
    "have",
    "into",
    "like",
    "matter",
    "more",
    "should",
    "than",
    "that",
    "their",
    "there",
    "these",
    "they",
    "this",
    "what",
    "when",
    "where",
    "which",
    "while",
    "with",
    "would",
    "your",
    "engineer",
    "engineers",
    "explain",
    "concept",
    "approach",
    "part",
];

/// A title's words that say what it is about: at most three of the longest, three letters
/// or more, common words left out (similar articles share them).
pub fn distinctive_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in search_words(title) {
        if word.chars().count() >= 3 && !COMMON_WORDS.contains(&word.as_str()) && !words.contains(&word) {
            words.push(word);
        }
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.truncate(3);
    words
}

/// Subjects typed as a comma-separated list, each once (by key), in the order typed.
pub fn subjects_typed(typed: &str) -> Vec<NewSubject> {
    let mut subjects: Vec<NewSubject> = Vec::new();
    for name in typed.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let key = subject_key(name);
        if !subjects.iter().any(|s| s.key == key) {
            subjects.push(NewSubject {
                name: name.split_whitespace().collect::<Vec<_>>().join(" "),
                slug: subject_slug(name),
                key,
            });
        }
    }
    subjects
}

/// Checks typed subjects: at most five, each at most 60 characters.
fn check_subjects(errors: &mut FieldErrors, typed: &str) -> Vec<NewSubject> {
    let subjects = subjects_typed(typed);
    if subjects.len() > 5 {
        errors.add("subjects", "Give at most five subjects.");
    }
    if subjects.iter().any(|s| s.name.chars().count() > 60) {
        errors.add("subjects", "A subject can be at most 60 characters.");
    }
    if let Some(bad) = subjects.iter().find_map(|s| guildhall_domain::identity::unsafe_text(&s.name)) {
        errors.add("subjects", format!("Subjects cannot contain {bad}."));
    }
    subjects
}

/// The text the search index holds for an article.
fn search_text(question: &str, answer: &str) -> String {
    format!("{} {}", markdown::to_plain_text(question), markdown::to_plain_text(answer))
}

impl App {
    /// What a reader may see: members in good standing and staff see members-only
    /// questions and articles; everyone else what is public.
    pub async fn audience_of(&self, actor: Option<&Actor>) -> AppResult<Audience> {
        let Some(actor) = actor else { return Ok(Audience::Public) };
        if actor.is_staff() {
            return Ok(Audience::Members);
        }
        Ok(match self.store.member_by_user(actor.user_id).await? {
            Some(member) if member.standing.is_current_member() => Audience::Members,
            _ => Audience::Public,
        })
    }

    /// Refuses a members-only page to a reader who is not a member: sign in first, or
    /// (signed in) a sentence saying it is for members.
    fn members_only(actor: Option<&Actor>) -> AppError {
        match actor {
            None => AppError::Unauthenticated,
            Some(_) => AppError::Forbidden("This is for members of the society in good standing.".into()),
        }
    }

    /// The knowledge base's front page: subjects, the newest articles and questions.
    pub async fn kb_home(&self, actor: Option<&Actor>) -> AppResult<KbHome> {
        let audience = self.audience_of(actor).await?;
        let (subjects, recent, questions) = tokio::try_join!(
            self.subjects_for(audience),
            async { Ok(self.store.kb_recent_articles(audience, 10).await?) },
            async { Ok(self.store.questions(audience, None, PageRequest::new(1, 5)).await?) },
        )?;
        Ok(KbHome { subjects, recent, questions: questions.items })
    }

    /// The article at `path`, as the reader may see it. Unpublished articles are shown to
    /// staff only; members-only ones to members.
    pub async fn kb_article_page(&self, actor: Option<&Actor>, path: &str) -> AppResult<ArticleLookup> {
        let audience = self.audience_of(actor).await?;
        let staff = actor.is_some_and(Actor::is_staff);
        let key = (path.to_string(), audience == Audience::Members);
        if !staff
            && let Ok(kept) = self.article_pages.lock()
            && let Some(view) = kept.get(&key)
        {
            return Ok(ArticleLookup::Found(view));
        }
        let Some(article) = self.store.kb_article_at(path).await? else { return Ok(ArticleLookup::NotHere) };
        if let Some(into) = article.merged_into {
            let target = self.store.kb_article(into).await?;
            return Ok(ArticleLookup::MovedTo(target.path));
        }
        if !article.published && !staff {
            return Ok(ArticleLookup::NotHere);
        }
        if article.members_only && audience == Audience::Public {
            return Err(Self::members_only(actor));
        }
        let view = Arc::new(self.article_view(article, audience).await?);
        if !staff && let Ok(mut kept) = self.article_pages.lock() {
            kept.put(key, view.clone());
        }
        Ok(ArticleLookup::Found(view))
    }

    async fn article_view(&self, article: KbArticleRecord, audience: Audience) -> AppResult<ArticleView> {
        let (subjects, links) = tokio::try_join!(
            self.store.kb_article_subjects(article.id),
            self.store.kb_related_links(article.id, audience)
        )?;
        let mut related: Vec<RelatedView> = Vec::new();
        for link in links {
            let path = link.resolved_path.clone();
            if path.as_deref() == Some(article.path.as_str())
                || related.iter().any(|r| r.path.is_some() && r.path == path)
            {
                continue;
            }
            related.push(RelatedView { title: link.resolved_title.unwrap_or(link.title), path });
        }
        let resolved = related.iter().filter(|r| r.path.is_some()).count();
        if resolved < RELATED_WANTED {
            // Articles sharing all of the title's distinctive words, then fewer of them: each
            // query narrow enough to rank quickly.
            let mut words = distinctive_words(&article.title);
            let mut similar = Vec::new();
            while !words.is_empty() && similar.len() < RELATED_SHOWN {
                for found in self.store.similar_articles(article.id, &words, audience, RELATED_SHOWN as i64).await? {
                    if !similar.contains(&found) {
                        similar.push(found);
                    }
                }
                words.pop();
            }
            for (path, title) in similar {
                if related.len() >= RELATED_SHOWN.max(resolved + RELATED_WANTED) {
                    break;
                }
                if !related.iter().any(|r| r.path.as_deref() == Some(path.as_str())) {
                    related.push(RelatedView { title, path: Some(path) });
                }
            }
        }
        let description = match article.seo_description.trim() {
            "" => markdown::excerpt(&markdown::to_plain_text(&article.answer), 160),
            given => given.to_string(),
        };
        let question_html =
            (article.question.trim() != article.title.trim()).then(|| markdown::to_html(&article.question));
        Ok(ArticleView {
            question_html,
            answer_html: markdown::to_html(&article.answer),
            description,
            subjects,
            related,
            article,
        })
    }

    /// A subject and a page of its articles.
    pub async fn kb_subject_page(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        page: PageRequest,
    ) -> AppResult<(KbSubjectRecord, Page<KbArticleSummary>, Vec<QuestionRecord>)> {
        let audience = self.audience_of(actor).await?;
        let subject = self
            .store
            .kb_subject(slug)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such subject in the knowledge base.".into()))?;
        let (articles, questions) = tokio::try_join!(
            self.store.kb_subject_articles(subject.id, audience, page),
            self.store.questions(audience, Some(subject.id), PageRequest::new(1, 10)),
        )?;
        Ok((subject, articles, questions.items))
    }

    /// A page of the articles the reader may see, newest first, optionally one subject's.
    pub async fn kb_articles(
        &self,
        actor: Option<&Actor>,
        subject_slug: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<KbArticleSummary>> {
        let audience = self.audience_of(actor).await?;
        match subject_slug.filter(|s| !s.is_empty()) {
            None => Ok(self.store.kb_published_articles(audience, page).await?),
            Some(slug) => {
                let subject = self
                    .store
                    .kb_subject(slug)
                    .await?
                    .ok_or_else(|| AppError::NotFound("There is no such subject in the knowledge base.".into()))?;
                Ok(self.store.kb_subject_articles(subject.id, audience, page).await?)
            }
        }
    }

    /// Published articles dated from `from` to `to` that members may read (members-only
    /// ones too; never unpublished or merged ones), newest first, at most `limit`: what the
    /// monthly digest lists, for a caller that checked who is asking.
    pub(crate) async fn kb_articles_published_between(
        &self,
        from: time::Date,
        to: time::Date,
        limit: i64,
    ) -> AppResult<Vec<KbArticleSummary>> {
        Ok(self.store.kb_articles_published_between(Audience::Members, from, to, limit).await?)
    }

    /// An article by its id, as the reader may see it (as [`App::kb_article_page`]).
    pub async fn kb_article_by_id(&self, actor: Option<&Actor>, id: i64) -> AppResult<ArticleLookup> {
        match self.store.kb_article(id).await {
            Ok(article) => self.kb_article_page(actor, &article.path).await,
            Err(guildhall_store::StoreError::NotFound) => Ok(ArticleLookup::NotHere),
            Err(other) => Err(other.into()),
        }
    }

    /// Every subject with its article count, as the reader may see them.
    pub async fn kb_subjects(&self, actor: Option<&Actor>) -> AppResult<Vec<KbSubjectRecord>> {
        let audience = self.audience_of(actor).await?;
        self.subjects_for(audience).await
    }

    /// One search over articles and questions, only what the reader may see, best first.
    pub async fn search_knowledge(
        &self,
        actor: Option<&Actor>,
        request: &SearchRequest,
        page: PageRequest,
    ) -> AppResult<Page<SearchHit>> {
        if request.q.chars().count() > 200 {
            return Err(AppError::invalid_field("q", "Search for at most 200 characters."));
        }
        if let (Some(from), Some(to)) = (request.from, request.to)
            && from > to
        {
            return Err(AppError::invalid_field("from", "The first date must not be after the last."));
        }
        let audience = self.audience_of(actor).await?;
        let query = SearchQuery {
            words: search_words(&request.q),
            kind: request.kind,
            subject_slug: request.subject.clone().filter(|s| !s.is_empty()),
            from: request.from,
            to: request.to,
            endorsed_only: request.endorsed_only,
        };
        let key = (query, audience == Audience::Members, page.page, page.per_page);
        if let Ok(kept) = self.search_pages.lock()
            && let Some(found) = kept.get(&key)
        {
            return Ok(found);
        }
        let found = self.store.search_knowledge(&key.0, audience, page).await?;
        if let Ok(mut kept) = self.search_pages.lock() {
            kept.put(key, found.clone());
        }
        Ok(found)
    }

    /// The subjects with their counts of published articles the audience may see (kept
    /// briefly per node: counting reads every article).
    async fn subjects_for(&self, audience: Audience) -> AppResult<Vec<KbSubjectRecord>> {
        let key = audience == Audience::Members;
        if let Ok(kept) = self.subject_lists.lock()
            && let Some(subjects) = kept.get(&key)
        {
            return Ok(subjects);
        }
        let subjects = self.store.kb_subjects(audience).await?;
        if let Ok(mut kept) = self.subject_lists.lock() {
            kept.put(key, subjects.clone());
        }
        Ok(subjects)
    }

    /// How many addresses the public sitemap lists.
    pub async fn sitemap_size(&self) -> AppResult<i64> {
        Ok(self.store.public_knowledge_count().await?)
    }

    /// One part of the public sitemap: absolute addresses with their last change.
    pub async fn sitemap_part(&self, part: i64, per_part: i64) -> AppResult<Vec<(String, i64)>> {
        let paths = self.store.public_knowledge_paths(per_part, part * per_part).await?;
        Ok(paths.into_iter().map(|(path, at)| (self.link(&path), at)).collect())
    }

    /// Staff's list of articles.
    pub async fn kb_staff_articles(
        &self,
        actor: &Actor,
        title: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<KbArticleSummary>> {
        actor.require(Permission::ManageKnowledge)?;
        Ok(self.store.kb_articles_for_staff(title.filter(|t| !t.trim().is_empty()).map(str::trim), page).await?)
    }

    /// An article as staff edit it, with its subjects' names.
    pub async fn kb_article_for_staff(&self, actor: &Actor, id: i64) -> AppResult<(KbArticleRecord, Vec<String>)> {
        actor.require(Permission::ManageKnowledge)?;
        let article = self.store.kb_article(id).await.map_err(|_| AppError::NotFound("No such article.".into()))?;
        let subjects = self.store.kb_article_subjects(id).await?.into_iter().map(|s| s.name).collect();
        Ok((article, subjects))
    }

    /// Saves staff's edit of an article, audited with before and after.
    pub async fn edit_kb_article(&self, actor: &Actor, id: i64, edit: &ArticleEdit, request_id: &str) -> AppResult<()> {
        let (old, old_subjects) = self.kb_article_for_staff(actor, id).await?;
        let mut errors = FieldErrors::default();
        let title = errors.text(&edit.title, "title", "a title", 300, true);
        let question = errors.markdown(&edit.question, "question", "the question", 5_000);
        let answer = errors.markdown(&edit.answer, "answer", "the answer", 100_000);
        let path = errors.check("path", import::article_path(&edit.path)).unwrap_or_default();
        let subjects = check_subjects(&mut errors, &edit.subjects);
        let seo_title = errors.text(&edit.seo_title, "seo_title", "a search-engine title", 300, false);
        let seo_description = errors.text(&edit.seo_description, "seo_description", "a description", 500, false);
        let seo_keywords = errors.text(&edit.seo_keywords, "seo_keywords", "keywords", 500, false);
        errors.into_result()?;
        if path != old.path && !self.store.kb_paths_taken(&[(old.source_id, path.clone())]).await?.is_empty() {
            return Err(AppError::invalid_field("path", format!("{path} is already another article's address.")));
        }
        let related = self
            .store
            .kb_related_links(id, Audience::Members)
            .await?
            .into_iter()
            .map(|l| NewRelatedLink { source_id: l.related_source_id, title: l.title, subject: l.subject, url: l.url })
            .collect();
        let article = NewKbArticle {
            source_id: old.source_id,
            search_text: search_text(&question, &answer),
            path,
            title,
            question,
            answer,
            author: old.author.clone(),
            published_on: old.published_on,
            seo_title,
            seo_description,
            seo_keywords,
            front_matter: old.front_matter.clone(),
            members_only: old.members_only,
            from_question_id: None,
            subjects,
            related,
        };
        let mut audit = self.audit_entry(actor, "kb.article_edited", "kb_article", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = article.title.clone();
        let fields = |a: &KbArticleRecord, subjects: &[String]| {
            serde_json::json!({
                "address": a.path, "title": a.title, "question": a.question, "answer": a.answer,
                "subjects": subjects.join(", "), "seo_title": a.seo_title, "seo_description": a.seo_description,
                "seo_keywords": a.seo_keywords,
            })
            .to_string()
        };
        audit.before_json = Some(fields(&old, &old_subjects));
        audit.after_json = Some(
            serde_json::json!({
                "address": article.path, "title": article.title, "question": article.question, "answer": article.answer,
                "subjects": article.subjects.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "),
                "seo_title": article.seo_title, "seo_description": article.seo_description,
                "seo_keywords": article.seo_keywords,
            })
            .to_string(),
        );
        self.store.save_kb_article(id, &article, self.clock.unix(), &audit).await?;
        self.forget_article_pages();
        Ok(())
    }

    /// Publishes or unpublishes an article, audited.
    pub async fn set_kb_article_published(
        &self,
        actor: &Actor,
        id: i64,
        published: bool,
        request_id: &str,
    ) -> AppResult<()> {
        let (article, subjects) = self.kb_article_for_staff(actor, id).await?;
        let action = if published { "kb.article_published" } else { "kb.article_unpublished" };
        let mut audit = self.audit_entry(actor, action, "kb_article", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = article.title.clone();
        audit.before_json = Some(serde_json::json!({ "published": article.published }).to_string());
        audit.after_json = Some(serde_json::json!({ "published": published }).to_string());
        let text = search_text(&article.question, &article.answer);
        self.store
            .set_kb_article_published(id, published, &text, &subjects.join(", "), self.clock.unix(), &audit)
            .await
            .map_err(|e| match e {
                guildhall_store::StoreError::NotFound => {
                    AppError::NotFound("No such article (or it was merged).".into())
                }
                other => other.into(),
            })?;
        self.forget_article_pages();
        Ok(())
    }

    /// Merges an article into another (named by its id or address): its address leads to
    /// the other from now on. Audited.
    pub async fn merge_kb_article(&self, actor: &Actor, id: i64, into: &str, request_id: &str) -> AppResult<String> {
        let (article, _) = self.kb_article_for_staff(actor, id).await?;
        let into = into.trim();
        let target = match into.parse::<i64>() {
            Ok(target_id) => self.store.kb_article(target_id).await.ok(),
            Err(_) => self.store.kb_article_at(into).await?,
        }
        .ok_or_else(|| AppError::invalid_field("into", "No article has that number or address."))?;
        if target.id == id {
            return Err(AppError::invalid_field("into", "An article cannot be merged into itself."));
        }
        let mut audit = self.audit_entry(actor, "kb.article_merged", "kb_article", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = article.title.clone();
        audit.before_json = Some(serde_json::json!({ "address": article.path }).to_string());
        audit.after_json = Some(serde_json::json!({ "merged into": target.title, "address": target.path }).to_string());
        self.store.merge_kb_article(id, target.id, self.clock.unix(), &audit).await.map_err(|e| match e {
            guildhall_store::StoreError::NotFound => {
                AppError::Conflict { message: "One of the two articles was already merged.".into(), field: None }
            }
            other => other.into(),
        })?;
        self.forget_article_pages();
        Ok(target.path)
    }

    /// Forgets the article pages this node keeps (after a change).
    pub(crate) fn forget_article_pages(&self) {
        if let Ok(mut kept) = self.article_pages.lock() {
            kept.clear();
        }
        self.forget_search_pages();
    }

    /// Forgets the search results and subject lists this node keeps (after a change).
    pub(crate) fn forget_search_pages(&self) {
        if let Ok(mut kept) = self.search_pages.lock() {
            kept.clear();
        }
        if let Ok(mut kept) = self.subject_lists.lock() {
            kept.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_letters_and_digits() {
        assert_eq!(search_words("PDH log's \"audit\" -- 2024!"), ["pdh", "log", "s", "audit", "2024"]);
        assert!(search_words("  ** ").is_empty());
        assert_eq!(search_words(&"word ".repeat(50)).len(), SEARCH_WORDS);
    }

    #[test]
    fn similar_articles_are_found_by_a_titles_distinctive_words() {
        assert_eq!(distinctive_words("Why does a PDH log matter to engineers?"), ["pdh", "log"]);
        assert_eq!(
            distinctive_words("Explain the concept of soil bearing capacity in bridge design."),
            ["capacity", "bearing", "bridge"]
        );
    }

    #[test]
    fn typed_subjects_merge_by_key_in_the_spelling_first_typed() {
        let subjects = subjects_typed("Education studies, Education  Studies ,  civil ,");
        let names: Vec<&str> = subjects.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Education studies", "civil"]);
    }
}
