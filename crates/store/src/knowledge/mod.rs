//! Knowledge: the knowledge base of Q&A articles with their subjects and related links,
//! members' questions and answers, and the search index over both.
//!
//! Files: `mod.rs` (articles: import and export, reading by path and subject, staff edits,
//! unpublishing and merging, the sitemap), `questions.rs` (questions, answers, votes,
//! endorsements, acceptance, following, subject experts, promotion to an article),
//! `search.rs` (the full-text search, FTS5 on SQLite and `tsvector` on PostgreSQL),
//! `records.rs` (the rows).
//!
//! Every write that changes what a reader may find keeps `search_entries` in the same
//! transaction; rows there go with what they index (foreign keys cascade).

pub mod questions;
pub mod records;
pub mod search;

use std::collections::HashMap;

use crate::engine::{ROWS_PER_STATEMENT, audited, audited_change, in_list};
use crate::{NewAuditEntry, Page, PageRequest, Store, StoreError, StoreResult, UnixTime, with_reader};
use records::{
    Audience, KbArticleExport, KbArticleRecord, KbArticleSummary, KbImportOutcome, KbSubjectRecord, NewKbArticle,
    RelatedLinkRecord,
};

const ARTICLE_COLUMNS: &str = "id, source_id, path, title, question, answer, author, published_on, seo_title, \
     seo_description, seo_keywords, front_matter, published, members_only, merged_into, from_question_id, \
     created_at, updated_at";

/// The `WHERE` that keeps members-only articles from the public (`$1`: true for members).
const ARTICLE_AUDIENCE: &str = "($1 OR NOT members_only)";

/// The id of a subject, added in the spelling given when its key is new. Two subjects
/// whose names make the same slug get numbered slugs.
macro_rules! subject_id {
    ($tx:expr, $subject:expr) => {{
        let subject: &$crate::knowledge::records::NewSubject = $subject;
        let mut found: Option<i64> = sqlx::query_scalar("SELECT id FROM kb_subjects WHERE subject_key = $1")
            .bind(&subject.key)
            .fetch_optional(&mut *$tx)
            .await?;
        let mut attempt = 1;
        while found.is_none() && attempt < 100 {
            let slug = match attempt {
                1 => subject.slug.clone(),
                n => format!("{}-{n}", subject.slug),
            };
            sqlx::query("INSERT INTO kb_subjects (subject_key, name, slug) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(&subject.key)
                .bind(&subject.name)
                .bind(&slug)
                .execute(&mut *$tx)
                .await?;
            found = sqlx::query_scalar("SELECT id FROM kb_subjects WHERE subject_key = $1")
                .bind(&subject.key)
                .fetch_optional(&mut *$tx)
                .await?;
            attempt += 1;
        }
        found.ok_or_else(|| {
            $crate::StoreError::Invalid(format!("No address could be made for the subject {}.", subject.name))
        })?
    }};
}
pub(crate) use subject_id;

/// Writes articles, each created or updated in place when it comes with its record, with
/// their subjects, related links and search entries, a few statements per
/// `ROWS_PER_STATEMENT` articles. `$subject_ids` caches subject ids within the transaction.
/// Evaluates to the articles' ids, in order.
macro_rules! save_articles {
    ($tx:expr, $saves:expr, $subject_ids:expr, $now:expr) => {{
        use $crate::engine::{ROWS_PER_STATEMENT, in_list, value_rows};
        let saves: &[(
            &$crate::knowledge::records::NewKbArticle,
            Option<&$crate::knowledge::records::KbArticleRecord>,
        )] = $saves;
        let mut ids: Vec<i64> = Vec::with_capacity(saves.len());
        let mut replaced: Vec<usize> = Vec::new();
        let mut created: Vec<usize> = Vec::new();
        for (index, (_, existing)) in saves.iter().enumerate() {
            match existing {
                Some(old) => {
                    ids.push(old.id);
                    replaced.push(index);
                }
                None => {
                    ids.push(0);
                    created.push(index);
                }
            }
        }
        for chunk in replaced.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "UPDATE kb_articles SET path = v.column2, title = v.column3, question = v.column4, answer = v.column5, \
                 author = v.column6, published_on = v.column7, seo_title = v.column8, seo_description = v.column9, \
                 seo_keywords = v.column10, front_matter = v.column11, updated_at = v.column12 \
                 FROM (VALUES {}) AS v WHERE kb_articles.id = v.column1",
                value_rows(chunk.len(), 12)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for index in chunk {
                let a = saves[*index].0;
                query = query
                    .bind(ids[*index])
                    .bind(&a.path)
                    .bind(&a.title)
                    .bind(&a.question)
                    .bind(&a.answer)
                    .bind(&a.author)
                    .bind(a.published_on)
                    .bind(&a.seo_title)
                    .bind(&a.seo_description)
                    .bind(&a.seo_keywords)
                    .bind(&a.front_matter)
                    .bind($now);
            }
            query.execute(&mut *$tx).await?;
            let replaced_ids: Vec<i64> = chunk.iter().map(|index| ids[*index]).collect();
            for table in ["kb_article_subjects", "kb_related_links"] {
                let sql = format!("DELETE FROM {table} WHERE article_id IN ({})", in_list(replaced_ids.len()));
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in &replaced_ids {
                    query = query.bind(*id);
                }
                query.execute(&mut *$tx).await?;
            }
        }
        for chunk in created.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO kb_articles (source_id, path, title, question, answer, author, published_on, seo_title, \
                 seo_description, seo_keywords, front_matter, members_only, from_question_id, published, created_at, \
                 updated_at) VALUES {} RETURNING id, path",
                value_rows(chunk.len(), 16)
            );
            let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
            for index in chunk {
                let a = saves[*index].0;
                query = query
                    .bind(a.source_id)
                    .bind(&a.path)
                    .bind(&a.title)
                    .bind(&a.question)
                    .bind(&a.answer)
                    .bind(&a.author)
                    .bind(a.published_on)
                    .bind(&a.seo_title)
                    .bind(&a.seo_description)
                    .bind(&a.seo_keywords)
                    .bind(&a.front_matter)
                    .bind(a.members_only)
                    .bind(a.from_question_id)
                    .bind(true)
                    .bind($now)
                    .bind($now);
            }
            let by_path: HashMap<String, i64> =
                query.fetch_all(&mut *$tx).await?.into_iter().map(|(id, path)| (path, id)).collect();
            for index in chunk {
                ids[*index] = by_path[&saves[*index].0.path];
            }
        }
        let mut filed: Vec<(i64, i64, i64)> = Vec::new();
        let mut entries: Vec<(i64, &str, String)> = Vec::with_capacity(saves.len());
        for ((a, _), id) in saves.iter().zip(&ids) {
            for (position, subject) in a.subjects.iter().enumerate() {
                let subject_id = match $subject_ids.get(&subject.key) {
                    Some(known) => *known,
                    None => {
                        let found = $crate::knowledge::subject_id!($tx, subject);
                        $subject_ids.insert(subject.key.clone(), found);
                        found
                    }
                };
                filed.push((*id, subject_id, position as i64));
            }
            let names = a.subjects.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
            entries.push((*id, a.search_text.as_str(), names));
        }
        for chunk in filed.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO kb_article_subjects (article_id, subject_id, position) VALUES {} ON CONFLICT DO NOTHING",
                value_rows(chunk.len(), 3)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, subject_id, position) in chunk {
                query = query.bind(*id).bind(*subject_id).bind(*position);
            }
            query.execute(&mut *$tx).await?;
        }
        let links: Vec<(i64, usize, &$crate::knowledge::records::NewRelatedLink)> = saves
            .iter()
            .zip(&ids)
            .flat_map(|((a, _), id)| a.related.iter().enumerate().map(move |(position, link)| (*id, position, link)))
            .collect();
        for chunk in links.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO kb_related_links (article_id, position, related_source_id, title, subject, url) VALUES {}",
                value_rows(chunk.len(), 6)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, position, link) in chunk {
                query = query
                    .bind(*id)
                    .bind(*position as i64)
                    .bind(link.source_id)
                    .bind(&link.title)
                    .bind(&link.subject)
                    .bind(&link.url);
            }
            query.execute(&mut *$tx).await?;
        }
        $crate::knowledge::reindex_articles!($tx, &entries);
        ids
    }};
}

/// The search entries of articles, each from `(id, its text, its subjects' names)`: kept
/// for a published, unmerged article, removed otherwise.
macro_rules! reindex_articles {
    ($tx:expr, $entries:expr) => {{
        use $crate::engine::{ROWS_PER_STATEMENT, in_list, value_rows};
        let entries: &[(i64, &str, String)] = $entries;
        for chunk in entries.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "DELETE FROM search_entries WHERE article_id IN ({}) AND NOT EXISTS (SELECT 1 FROM kb_articles a \
                 WHERE a.id = search_entries.article_id AND a.published AND a.merged_into IS NULL)",
                in_list(chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, _, _) in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *$tx).await?;
            let sql = format!(
                "INSERT INTO search_entries (article_id, path, title, body, subjects, audience, endorsed, dated) \
                 SELECT k.id, k.path, k.title, v.column2, v.column3, \
                        CASE WHEN k.members_only THEN 'members' ELSE 'public' END, \
                        EXISTS (SELECT 1 FROM questions q JOIN answer_endorsements e ON e.answer_id = q.accepted_answer_id \
                                WHERE q.id = k.from_question_id), k.published_on \
                 FROM (VALUES {}) v JOIN kb_articles k ON k.id = v.column1 \
                 WHERE k.published AND k.merged_into IS NULL \
                 ON CONFLICT (article_id) DO UPDATE SET path = excluded.path, title = excluded.title, \
                 body = excluded.body, subjects = excluded.subjects, audience = excluded.audience, \
                 endorsed = excluded.endorsed, dated = excluded.dated",
                value_rows(chunk.len(), 3)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, text, subjects) in chunk {
                query = query.bind(*id).bind(*text).bind(subjects.as_str());
            }
            query.execute(&mut *$tx).await?;
        }
    }};
}

/// The search entry of one article from its text and subjects' names.
macro_rules! reindex_article {
    ($tx:expr, $article_id:expr, $search_text:expr, $subjects:expr) => {{
        let search_text: &str = $search_text;
        let subjects: &str = $subjects;
        $crate::knowledge::reindex_articles!($tx, &[($article_id, search_text, subjects.to_string())]);
    }};
}
pub(crate) use {reindex_article, reindex_articles, save_articles};

impl Store {
    /// Imports articles in one transaction: each created, or updated in place when an
    /// article with its `source_id` exists (unchanged when its file is the same). A refused
    /// write (an address another article has) leaves nothing written.
    pub async fn import_kb_articles(
        &self,
        articles: &[NewKbArticle],
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<KbImportOutcome> {
        let mut audit = audit.clone();
        let mut outcome = KbImportOutcome::default();
        audited!(
            self,
            |tx| {
                let sources: Vec<i64> = articles.iter().filter_map(|a| a.source_id).collect();
                let mut stored: HashMap<i64, KbArticleRecord> = HashMap::with_capacity(sources.len());
                for chunk in sources.chunks(ROWS_PER_STATEMENT) {
                    let sql = format!(
                        "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE source_id IN ({})",
                        in_list(chunk.len())
                    );
                    let mut query = sqlx::query_as::<_, KbArticleRecord>(sqlx::AssertSqlSafe(sql));
                    for source in chunk {
                        query = query.bind(*source);
                    }
                    for record in query.fetch_all(&mut *tx).await? {
                        if let Some(source) = record.source_id {
                            stored.insert(source, record);
                        }
                    }
                }
                let mut saves = Vec::with_capacity(articles.len());
                for article in articles {
                    let existing = article.source_id.and_then(|source| stored.get(&source));
                    match existing {
                        Some(old) if same_file(old, article) => outcome.unchanged += 1,
                        Some(_) => outcome.updated += 1,
                        None => outcome.created += 1,
                    }
                    if !existing.is_some_and(|old| same_file(old, article)) {
                        saves.push((article, existing));
                    }
                }
                let mut subject_ids: HashMap<String, i64> = HashMap::new();
                save_articles!(tx, &saves, subject_ids, now);
                audit.after_json = Some(
                    serde_json::json!({
                        "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
                    })
                    .to_string(),
                );
                outcome
            },
            &audit
        )
    }

    /// Which of these (source id, address) pairs name an address another article has.
    pub async fn kb_paths_taken(&self, wanted: &[(Option<i64>, String)]) -> StoreResult<Vec<String>> {
        let mut holders: HashMap<String, Option<i64>> = HashMap::new();
        for chunk in wanted.chunks(ROWS_PER_STATEMENT) {
            let sql = format!("SELECT path, source_id FROM kb_articles WHERE path IN ({})", in_list(chunk.len()));
            let found: Vec<(String, Option<i64>)> = with_reader!(self, |pool| {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for (_, path) in chunk {
                    query = query.bind(path);
                }
                query.fetch_all(pool).await
            })?;
            holders.extend(found);
        }
        Ok(wanted
            .iter()
            .filter(|(source_id, path)| match (holders.get(path), source_id) {
                (None, _) => false,
                (Some(Some(holder)), Some(source)) => holder != source,
                (Some(_), _) => true,
            })
            .map(|(_, path)| path.clone())
            .collect())
    }

    /// One article by its id.
    pub async fn kb_article(&self, id: i64) -> StoreResult<KbArticleRecord> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE id = $1");
        let found: Option<KbArticleRecord> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?;
        found.ok_or(StoreError::NotFound)
    }

    /// The article served at this path, published or not (the caller decides).
    pub async fn kb_article_at(&self, path: &str) -> StoreResult<Option<KbArticleRecord>> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE path = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(path).fetch_optional(pool).await
        })?)
    }

    /// An article's subjects, in the order given.
    pub async fn kb_article_subjects(&self, article_id: i64) -> StoreResult<Vec<KbSubjectRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.name, s.slug, CAST(0 AS BIGINT) AS articles FROM kb_article_subjects a \
                 JOIN kb_subjects s ON s.id = a.subject_id WHERE a.article_id = $1 ORDER BY a.position",
            )
            .bind(article_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// An article's related links as given, each resolved to the article when it is here,
    /// published and visible to the reader.
    pub async fn kb_related_links(&self, article_id: i64, audience: Audience) -> StoreResult<Vec<RelatedLinkRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT l.related_source_id, l.title, l.subject, l.url, k.path AS resolved_path, \
                        k.title AS resolved_title \
                 FROM kb_related_links l LEFT JOIN kb_articles k ON k.source_id = l.related_source_id \
                      AND k.published AND k.merged_into IS NULL AND ($2 OR NOT k.members_only) \
                 WHERE l.article_id = $1 ORDER BY l.position",
            )
            .bind(article_id)
            .bind(audience == Audience::Members)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Every subject with how many published articles the reader may see under it.
    pub async fn kb_subjects(&self, audience: Audience) -> StoreResult<Vec<KbSubjectRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.name, s.slug, COUNT(k.id) AS articles FROM kb_subjects s \
                 JOIN kb_article_subjects a ON a.subject_id = s.id \
                 JOIN kb_articles k ON k.id = a.article_id AND k.published AND k.merged_into IS NULL \
                      AND ($1 OR NOT k.members_only) \
                 GROUP BY s.id, s.name, s.slug ORDER BY s.name",
            )
            .bind(audience == Audience::Members)
            .fetch_all(pool)
            .await
        })?)
    }

    /// A subject by its slug.
    pub async fn kb_subject(&self, slug: &str) -> StoreResult<Option<KbSubjectRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT id, name, slug, CAST(0 AS BIGINT) AS articles FROM kb_subjects WHERE slug = $1")
                .bind(slug)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// A subject's published articles the reader may see, newest first.
    pub async fn kb_subject_articles(
        &self,
        subject_id: i64,
        audience: Audience,
        page: PageRequest,
    ) -> StoreResult<Page<KbArticleSummary>> {
        let members = audience == Audience::Members;
        let sql = format!(
            "SELECT k.id, k.path, k.title, k.published_on, k.published FROM kb_article_subjects a \
             JOIN kb_articles k ON k.id = a.article_id \
             WHERE a.subject_id = $2 AND k.published AND k.merged_into IS NULL AND {ARTICLE_AUDIENCE} \
             ORDER BY k.published_on DESC, k.id DESC {}",
            page.sql()
        );
        let (items, total): (Vec<KbArticleSummary>, i64) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(members)
                .bind(subject_id)
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM kb_article_subjects a JOIN kb_articles k ON k.id = a.article_id \
                 WHERE a.subject_id = $2 AND k.published AND k.merged_into IS NULL AND ($1 OR NOT k.members_only)",
            )
            .bind(members)
            .bind(subject_id)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// A page of the published articles the reader may see, newest first.
    pub async fn kb_published_articles(
        &self,
        audience: Audience,
        page: PageRequest,
    ) -> StoreResult<Page<KbArticleSummary>> {
        let members = audience == Audience::Members;
        let sql = format!(
            "SELECT id, path, title, published_on, published FROM kb_articles \
             WHERE published AND merged_into IS NULL AND {ARTICLE_AUDIENCE} ORDER BY published_on DESC, id DESC {}",
            page.sql()
        );
        let (items, total): (Vec<KbArticleSummary>, i64) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(members).fetch_all(pool).await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM kb_articles WHERE published AND merged_into IS NULL AND ($1 OR NOT members_only)",
            )
            .bind(members)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// The newest published articles the reader may see.
    pub async fn kb_recent_articles(&self, audience: Audience, limit: i64) -> StoreResult<Vec<KbArticleSummary>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, path, title, published_on, published FROM kb_articles \
                 WHERE published AND merged_into IS NULL AND ($1 OR NOT members_only) \
                 ORDER BY published_on DESC, id DESC LIMIT $2",
            )
            .bind(audience == Audience::Members)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Published articles the reader may see dated from `from` to `to` (both included),
    /// newest first, at most `limit` (the digest's; read by `kb_articles_published`).
    pub async fn kb_articles_published_between(
        &self,
        audience: Audience,
        from: time::Date,
        to: time::Date,
        limit: i64,
    ) -> StoreResult<Vec<KbArticleSummary>> {
        let sql = format!(
            "SELECT id, path, title, published_on, published FROM kb_articles \
             WHERE published AND published_on >= $2 AND published_on <= $3 AND merged_into IS NULL \
             AND {ARTICLE_AUDIENCE} ORDER BY published_on DESC, id DESC LIMIT {limit}"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(audience == Audience::Members)
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await
        })?)
    }

    /// Staff's list of articles, published or not, matching `title_like` when given.
    pub async fn kb_articles_for_staff(
        &self,
        title_like: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Page<KbArticleSummary>> {
        let pattern = title_like.map(|t| format!("%{}%", t.to_lowercase()));
        let sql = format!(
            "SELECT id, path, title, published_on, published FROM kb_articles \
             WHERE merged_into IS NULL AND ($1 IS NULL OR LOWER(title) LIKE $1) ORDER BY id DESC {}",
            page.sql()
        );
        let (items, total): (Vec<KbArticleSummary>, i64) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(&pattern).fetch_all(pool).await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM kb_articles WHERE merged_into IS NULL AND ($1 IS NULL OR LOWER(title) LIKE $1)",
            )
            .bind(&pattern)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Saves staff's edit of an article (its subjects and related links as given), with its
    /// audit entry (before and after).
    pub async fn save_kb_article(
        &self,
        id: i64,
        article: &NewKbArticle,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        let existing = self.kb_article(id).await?;
        audited!(
            self,
            |tx| {
                let mut subject_ids: HashMap<String, i64> = HashMap::new();
                save_articles!(tx, &[(article, Some(&existing))], subject_ids, now);
            },
            audit
        )
    }

    /// Publishes or unpublishes an article (its address then answers "not found"), with its
    /// audit entry.
    pub async fn set_kb_article_published(
        &self,
        id: i64,
        published: bool,
        search_text: &str,
        subjects: &str,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let changed = sqlx::query(
                    "UPDATE kb_articles SET published = $2, updated_at = $3 WHERE id = $1 AND merged_into IS NULL",
                )
                .bind(id)
                .bind(published)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if changed.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                reindex_article!(tx, id, search_text, subjects);
            },
            audit
        )
    }

    /// Merges one article into another: its address then leads to the other, and it leaves
    /// the index. Refused (`NotFound`) when either is gone or already merged.
    pub async fn merge_kb_article(
        &self,
        from: i64,
        into: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        if from == into {
            return Err(StoreError::Invalid("An article cannot be merged into itself.".into()));
        }
        audited_change!(
            self,
            |tx| {
                let merged = sqlx::query(
                    "UPDATE kb_articles SET merged_into = $2, published = FALSE, updated_at = $3 \
                     WHERE id = $1 AND merged_into IS NULL \
                     AND EXISTS (SELECT 1 FROM kb_articles t WHERE t.id = $2 AND t.merged_into IS NULL)",
                )
                .bind(from)
                .bind(into)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM search_entries WHERE article_id = $1").bind(from).execute(&mut *tx).await?;
                merged
            },
            audit
        )
    }

    /// Every article with a source id, with its subjects and related links, for export.
    pub async fn kb_articles_for_export(&self) -> StoreResult<Vec<KbArticleExport>> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE source_id IS NOT NULL ORDER BY source_id");
        type Related = (i64, i64, String, String, String);
        let (articles, subjects, related): (Vec<KbArticleRecord>, Vec<(i64, String)>, Vec<Related>) =
            with_reader!(self, |pool| {
                let articles = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?;
                let subjects = sqlx::query_as(
                    "SELECT a.article_id, s.name FROM kb_article_subjects a JOIN kb_subjects s ON s.id = a.subject_id \
                 ORDER BY a.article_id, a.position",
                )
                .fetch_all(pool)
                .await?;
                let related = sqlx::query_as(
                    "SELECT article_id, related_source_id, title, subject, url FROM kb_related_links \
                 ORDER BY article_id, position",
                )
                .fetch_all(pool)
                .await?;
                Ok::<_, sqlx::Error>((articles, subjects, related))
            })?;
        let mut subjects_of: HashMap<i64, Vec<String>> = HashMap::new();
        for (article, name) in subjects {
            subjects_of.entry(article).or_default().push(name);
        }
        let mut related_of: HashMap<i64, Vec<RelatedLinkRecord>> = HashMap::new();
        for (article, source, title, subject, url) in related {
            related_of.entry(article).or_default().push(RelatedLinkRecord {
                related_source_id: source,
                title,
                subject,
                url,
                resolved_path: None,
                resolved_title: None,
            });
        }
        Ok(articles
            .into_iter()
            .map(|article| KbArticleExport {
                subjects: subjects_of.remove(&article.id).unwrap_or_default(),
                related: related_of.remove(&article.id).unwrap_or_default(),
                article,
            })
            .collect())
    }

    /// The addresses and last changes of what the public may read (published public
    /// articles, then public questions), `limit` from `offset`.
    pub async fn public_knowledge_paths(&self, limit: i64, offset: i64) -> StoreResult<Vec<(String, UnixTime)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT path, updated_at FROM ( \
                   SELECT path, updated_at, 0 AS part, id FROM kb_articles \
                   WHERE published AND merged_into IS NULL AND NOT members_only \
                   UNION ALL \
                   SELECT '/questions/' || CAST(id AS TEXT), updated_at, 1 AS part, id FROM questions \
                   WHERE visibility = 'public' AND NOT hidden) p \
                 ORDER BY part, id LIMIT $1 OFFSET $2",
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await
        })?)
    }

    /// How many addresses the public may read (the sitemap's size).
    pub async fn public_knowledge_count(&self) -> StoreResult<i64> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM kb_articles WHERE published AND merged_into IS NULL AND NOT members_only) \
                      + (SELECT COUNT(*) FROM questions WHERE visibility = 'public' AND NOT hidden)",
            )
            .fetch_one(pool)
            .await
        })?)
    }
}

/// Whether an imported file says what the stored article already says.
fn same_file(old: &KbArticleRecord, new: &NewKbArticle) -> bool {
    old.front_matter == new.front_matter
        && old.path == new.path
        && old.title == new.title
        && old.question == new.question
        && old.answer == new.answer
}
