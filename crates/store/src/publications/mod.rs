//! Publications: journals, magazines and newsletter archives with their issues, articles
//! and files, and who may read full texts (`publication_access` for chosen tiers and
//! groups). An article's title, authors and abstract go into the search index, which every
//! reader may search: full texts are never indexed.
//!
//! Files: `mod.rs` (publications, issues, articles, files), `records.rs` (the rows).

pub mod records;

use std::collections::HashMap;

use records::{
    IssueRecord, NewIssue, NewPublication, NewPublicationArticle, PublicationArticleRecord, PublicationFileRecord,
    PublicationRecord,
};

use crate::engine::audited;
use crate::{NewAuditEntry, Store, StoreError, StoreResult, UnixTime, with_reader};

const PUBLICATION_COLUMNS: &str = "p.id, p.slug, p.name, p.description, p.kind, p.access, p.chapter_id, \
     (SELECT COUNT(*) FROM publication_issues i WHERE i.publication_id = p.id) AS issues, p.created_at";

const ISSUE_COLUMNS: &str = "i.id, i.publication_id, i.title, i.volume, i.number, i.published_on, \
     (SELECT COUNT(*) FROM publication_articles a WHERE a.issue_id = i.id) AS articles";

const ARTICLE_COLUMNS: &str =
    "a.id, a.issue_id, a.title, a.authors, a.abstract AS summary, a.body, a.doi, a.pages, a.updated_at";

impl Store {
    /// Every publication, by name.
    pub async fn publications(&self) -> StoreResult<Vec<PublicationRecord>> {
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications p ORDER BY p.name");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// A publication by its slug.
    pub async fn publication(&self, slug: &str) -> StoreResult<Option<PublicationRecord>> {
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications p WHERE p.slug = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(slug).fetch_optional(pool).await
        })?)
    }

    /// The tiers and groups whose members read a `Chosen` publication's full texts.
    pub async fn publication_access(&self, publication_id: i64) -> StoreResult<(Vec<i64>, Vec<i64>)> {
        let rows: Vec<(Option<i64>, Option<i64>)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT tier_id, group_id FROM publication_access WHERE publication_id = $1")
                .bind(publication_id)
                .fetch_all(pool)
                .await
        })?;
        Ok((rows.iter().filter_map(|r| r.0).collect(), rows.iter().filter_map(|r| r.1).collect()))
    }

    /// Creates a publication with its chosen tiers and groups, audited.
    pub async fn create_publication(
        &self,
        publication: &NewPublication,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO publications (slug, name, description, kind, access, chapter_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&publication.slug)
                .bind(&publication.name)
                .bind(&publication.description)
                .bind(publication.kind.code())
                .bind(publication.access.code())
                .bind(publication.chapter_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for tier in &publication.tier_ids {
                    sqlx::query("INSERT INTO publication_access (publication_id, tier_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(tier)
                        .execute(&mut *tx)
                        .await?;
                }
                for group in &publication.group_ids {
                    sqlx::query("INSERT INTO publication_access (publication_id, group_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(group)
                        .execute(&mut *tx)
                        .await?;
                }
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// A publication's issues, newest first.
    pub async fn publication_issues(&self, publication_id: i64) -> StoreResult<Vec<IssueRecord>> {
        let sql = format!(
            "SELECT {ISSUE_COLUMNS} FROM publication_issues i WHERE i.publication_id = $1 \
             ORDER BY i.published_on DESC, i.id DESC"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(publication_id).fetch_all(pool).await
        })?)
    }

    /// Issues of every publication dated from `from` to `to` (both included), newest first,
    /// at most `limit` (the digest's; read by `publication_issues_published`).
    pub async fn publication_issues_published_between(
        &self,
        from: time::Date,
        to: time::Date,
        limit: i64,
    ) -> StoreResult<Vec<IssueRecord>> {
        let sql = format!(
            "SELECT {ISSUE_COLUMNS} FROM publication_issues i WHERE i.published_on >= $1 AND i.published_on <= $2 \
             ORDER BY i.published_on DESC, i.id DESC LIMIT {limit}"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(from).bind(to).fetch_all(pool).await
        })?)
    }

    /// One issue.
    pub async fn publication_issue(&self, issue_id: i64) -> StoreResult<Option<IssueRecord>> {
        let sql = format!("SELECT {ISSUE_COLUMNS} FROM publication_issues i WHERE i.id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(issue_id).fetch_optional(pool).await
        })?)
    }

    /// Adds an issue to a publication, audited.
    pub async fn add_publication_issue(
        &self,
        publication_id: i64,
        issue: &NewIssue,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO publication_issues (publication_id, title, volume, number, published_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(publication_id)
                .bind(&issue.title)
                .bind(issue.volume)
                .bind(issue.number)
                .bind(issue.published_on)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// An issue's articles, in their order.
    pub async fn issue_articles(&self, issue_id: i64) -> StoreResult<Vec<PublicationArticleRecord>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM publication_articles a WHERE a.issue_id = $1 ORDER BY a.position, a.id"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(issue_id).fetch_all(pool).await
        })?)
    }

    /// One article.
    pub async fn publication_article(&self, id: i64) -> StoreResult<Option<PublicationArticleRecord>> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM publication_articles a WHERE a.id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?)
    }

    /// A publication's newest articles with their issues (its feed).
    pub async fn recent_publication_articles(
        &self,
        publication_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<(PublicationArticleRecord, IssueRecord)>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM publication_articles a JOIN publication_issues i ON i.id = a.issue_id \
             WHERE i.publication_id = $1 ORDER BY i.published_on DESC, a.position, a.id LIMIT {limit}"
        );
        let articles: Vec<PublicationArticleRecord> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(publication_id).fetch_all(pool).await
        })?;
        let issues: HashMap<i64, IssueRecord> =
            self.publication_issues(publication_id).await?.into_iter().map(|issue| (issue.id, issue)).collect();
        articles
            .into_iter()
            .map(|article| {
                let issue = issues.get(&article.issue_id).cloned().ok_or(StoreError::NotFound)?;
                Ok((article, issue))
            })
            .collect()
    }

    /// Adds an article (with its files) to an issue and its title, authors and abstract to
    /// the search index, audited. A DOI another article has is refused (`doi`).
    pub async fn add_publication_article(
        &self,
        issue: &IssueRecord,
        publication: &PublicationRecord,
        article: &NewPublicationArticle,
        search_text: &str,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO publication_articles (issue_id, title, authors, abstract, body, doi, pages, position, \
                     created_at, updated_at) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, COALESCE(MAX(position), 0) + 1, $8, $8 \
                     FROM publication_articles WHERE issue_id = $1 RETURNING id",
                )
                .bind(issue.id)
                .bind(&article.title)
                .bind(&article.authors)
                .bind(&article.summary)
                .bind(&article.body)
                .bind(&article.doi)
                .bind(&article.pages)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for file in &article.files {
                    sqlx::query(
                        "INSERT INTO publication_files (article_id, file_name, content_type, byte_size, sha256, content, \
                         uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(&file.file_name)
                    .bind(&file.content_type)
                    .bind(file.content.len() as i64)
                    .bind(&file.sha256)
                    .bind(&file.content)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO search_entries (publication_article_id, path, title, body, subjects, audience, endorsed, \
                     dated) VALUES ($1, $2, $3, $4, $5, 'public', FALSE, $6)",
                )
                .bind(id)
                .bind(format!("/publications/{}/articles/{id}", publication.slug))
                .bind(&article.title)
                .bind(search_text)
                .bind(&publication.name)
                .bind(issue.published_on)
                .execute(&mut *tx)
                .await?;
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// An article's files, without their bytes.
    pub async fn publication_files(&self, article_id: i64) -> StoreResult<Vec<PublicationFileRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, article_id, file_name, content_type, byte_size FROM publication_files \
                 WHERE article_id = $1 ORDER BY id",
            )
            .bind(article_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// One file of an article, with its bytes.
    pub async fn publication_file(
        &self,
        article_id: i64,
        file_id: i64,
    ) -> StoreResult<Option<(PublicationFileRecord, Vec<u8>)>> {
        let row: Option<(i64, i64, String, String, i64, Vec<u8>)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, article_id, file_name, content_type, byte_size, content FROM publication_files \
                 WHERE id = $1 AND article_id = $2",
            )
            .bind(file_id)
            .bind(article_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(id, article_id, file_name, content_type, byte_size, content)| {
            (PublicationFileRecord { id, article_id, file_name, content_type, byte_size }, content)
        }))
    }
}
