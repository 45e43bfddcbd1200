//! One full-text search over the knowledge base, members' questions and publications' articles
//! (title, authors, abstract), each engine with
//! its own: SQLite's FTS5 (`search_index`, ranked by BM25) and PostgreSQL's `tsvector`
//! (`search_entries.document`, ranked by `ts_rank_cd`). Both filter to what the reader may
//! see and mark matched words in the snippet with `[[` and `]]`.

use crate::engine::Engine;
use crate::knowledge::records::{Audience, SearchHit, SearchKind, SearchQuery};
use crate::{Page, PageRequest, Store, StoreResult};

/// Counting stops here: beyond it a page says "more than 1,000".
pub const COUNT_CAP: i64 = 1000;

/// The filters both engines share (`$2` onwards).
const FILTERS: &str = "($2 OR e.audience = 'public') \
     AND ($3 IS NULL OR ($3 = 'article' AND e.article_id IS NOT NULL) OR ($3 = 'question' AND e.question_id IS NOT NULL) \
          OR ($3 = 'publication' AND e.publication_article_id IS NOT NULL)) \
     AND ($4 IS NULL OR EXISTS (SELECT 1 FROM kb_subjects s WHERE s.slug = $4 AND ( \
          EXISTS (SELECT 1 FROM kb_article_subjects x WHERE x.article_id = e.article_id AND x.subject_id = s.id) \
          OR EXISTS (SELECT 1 FROM question_subjects x WHERE x.question_id = e.question_id AND x.subject_id = s.id)))) \
     AND ($5 IS NULL OR e.dated >= $5) AND ($6 IS NULL OR e.dated <= $6) AND (NOT $7 OR e.endorsed)";

/// FTS5's query: every word, the last as a prefix (`"pdh" "log"*`).
fn fts5_query(words: &[String]) -> String {
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let quoted = format!("\"{}\"", w.replace('"', "\"\""));
            if i == last { format!("{quoted}*") } else { quoted }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// PostgreSQL's `tsquery` text: every word, the last as a prefix (`pdh & log:*`). Words are
/// letters and digits only (the app's word splitter), quoted for safety all the same.
fn tsquery(words: &[String]) -> String {
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let quoted = format!("'{}'", w.replace('\'', "''").replace('\\', ""));
            if i == last { format!("{quoted}:*") } else { quoted }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

impl Store {
    /// Search results the reader may see, best first; `total` is capped at [`COUNT_CAP`] + 1.
    pub async fn search_knowledge(
        &self,
        query: &SearchQuery,
        audience: Audience,
        page: PageRequest,
    ) -> StoreResult<Page<SearchHit>> {
        if query.words.is_empty() {
            return Ok(Page::new(Vec::new(), 0, page));
        }
        let members = audience == Audience::Members;
        let kind = query.kind.map(|k| match k {
            SearchKind::Article => "article",
            SearchKind::Question => "question",
            SearchKind::Publication => "publication",
        });
        macro_rules! run {
            ($pool:expr, $match_text:expr, $select:expr, $count:expr) => {{
                let items: Vec<SearchHit> = sqlx::query_as(sqlx::AssertSqlSafe($select.as_str()))
                    .bind($match_text)
                    .bind(members)
                    .bind(kind)
                    .bind(&query.subject_slug)
                    .bind(query.from)
                    .bind(query.to)
                    .bind(query.endorsed_only)
                    .fetch_all($pool)
                    .await?;
                let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe($count.as_str()))
                    .bind($match_text)
                    .bind(members)
                    .bind(kind)
                    .bind(&query.subject_slug)
                    .bind(query.from)
                    .bind(query.to)
                    .bind(query.endorsed_only)
                    .fetch_one($pool)
                    .await?;
                (items, total)
            }};
        }
        let (items, total) = match &self.engine {
            Engine::Sqlite { read, .. } => {
                let select = format!(
                    "SELECT e.article_id, e.question_id, e.publication_article_id, e.path, e.title, \
                            snippet(search_index, 1, '[[', ']]', '…', 28) AS snippet, e.subjects, e.endorsed, e.dated, \
                            -bm25(search_index, 10.0, 1.0, 4.0) AS rank \
                     FROM search_index JOIN search_entries e ON e.id = search_index.rowid \
                     WHERE search_index MATCH $1 AND {FILTERS} ORDER BY rank DESC, e.id {}",
                    page.sql()
                );
                let count = format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM search_index JOIN search_entries e ON e.id = search_index.rowid \
                     WHERE search_index MATCH $1 AND {FILTERS} LIMIT {}) c",
                    COUNT_CAP + 1
                );
                run!(read, fts5_query(&query.words), select, count)
            }
            Engine::Postgres(pool) => {
                let select = format!(
                    "SELECT e.article_id, e.question_id, e.publication_article_id, e.path, e.title, \
                            ts_headline('english', e.body, to_tsquery('english', $1), \
                              'StartSel=[[, StopSel=]], MaxWords=40, MinWords=20, MaxFragments=1, FragmentDelimiter=…') \
                              AS snippet, e.subjects, e.endorsed, e.dated, \
                            CAST(ts_rank_cd(e.document, to_tsquery('english', $1)) AS DOUBLE PRECISION) AS rank \
                     FROM search_entries e \
                     WHERE e.document @@ to_tsquery('english', $1) AND {FILTERS} ORDER BY rank DESC, e.id {}",
                    page.sql()
                );
                let count = format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM search_entries e \
                     WHERE e.document @@ to_tsquery('english', $1) AND {FILTERS} LIMIT {}) c",
                    COUNT_CAP + 1
                );
                run!(pool, tsquery(&query.words), select, count)
            }
        };
        Ok(Page::new(items, total, page))
    }

    /// Published articles whose titles hold all of these words, best first, for "related
    /// articles" when too few were given.
    pub async fn similar_articles(
        &self,
        article_id: i64,
        words: &[String],
        audience: Audience,
        limit: i64,
    ) -> StoreResult<Vec<(String, String)>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let members = audience == Audience::Members;
        Ok(match &self.engine {
            Engine::Sqlite { read, .. } => {
                let all = words.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" ");
                sqlx::query_as(
                    "SELECT e.path, e.title FROM search_index JOIN search_entries e ON e.id = search_index.rowid \
                     WHERE search_index MATCH $1 AND e.article_id IS NOT NULL AND e.article_id <> $2 \
                     AND ($3 OR e.audience = 'public') ORDER BY bm25(search_index, 10.0, 1.0, 4.0) LIMIT $4",
                )
                .bind(format!("title : ({all})"))
                .bind(article_id)
                .bind(members)
                .bind(limit)
                .fetch_all(read)
                .await?
            }
            Engine::Postgres(pool) => {
                let all = words
                    .iter()
                    .map(|w| format!("'{}':A", w.replace('\'', "''").replace('\\', "")))
                    .collect::<Vec<_>>()
                    .join(" & ");
                sqlx::query_as(
                    "SELECT e.path, e.title FROM search_entries e \
                     WHERE e.document @@ to_tsquery('english', $1) AND e.article_id IS NOT NULL AND e.article_id <> $2 \
                     AND ($3 OR e.audience = 'public') \
                     ORDER BY ts_rank_cd(e.document, to_tsquery('english', $1)) DESC, e.id LIMIT $4",
                )
                .bind(all)
                .bind(article_id)
                .bind(members)
                .bind(limit)
                .fetch_all(pool)
                .await?
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_every_word_and_prefix_the_last() {
        let words = vec!["pdh".to_string(), "lo\"g".to_string()];
        assert_eq!(fts5_query(&words), "\"pdh\" \"lo\"\"g\"*");
        let words = vec!["o'brien".to_string(), "torque".to_string()];
        assert_eq!(tsquery(&words), "'o''brien' & 'torque':*");
    }
}
