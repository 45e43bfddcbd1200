//! Chapters (sections, student chapters) and the officers who hold office in them.

use time::Date;

use crate::{
    ChapterRecord, NewChapter, NewOfficerTerm, OfficerTermRecord, Store, StoreResult, UnixTime, with_reader,
    with_writer,
};

const CHAPTER_COLUMNS: &str = "id, slug, name, kind, region, dues_supplement_cents, created_at";

impl Store {
    pub async fn create_chapter(&self, chapter: &NewChapter, now: UnixTime) -> StoreResult<i64> {
        let (id,): (i64,) = with_writer!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO chapters (slug, name, kind, region, dues_supplement_cents, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&chapter.slug)
            .bind(&chapter.name)
            .bind(&chapter.kind)
            .bind(&chapter.region)
            .bind(chapter.dues_supplement_cents)
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        Ok(id)
    }

    pub async fn list_chapters(&self) -> StoreResult<Vec<ChapterRecord>> {
        let sql = format!("SELECT {CHAPTER_COLUMNS} FROM chapters ORDER BY name");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    pub async fn chapter_by_id(&self, id: i64) -> StoreResult<Option<ChapterRecord>> {
        let sql = format!("SELECT {CHAPTER_COLUMNS} FROM chapters WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn add_officer_term(&self, term: &NewOfficerTerm, now: UnixTime) -> StoreResult<i64> {
        let (id,): (i64,) = with_writer!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO officer_terms (user_id, chapter_id, title, starts_on, ends_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(term.user_id)
            .bind(term.chapter_id)
            .bind(&term.title)
            .bind(term.starts_on)
            .bind(term.ends_on)
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        Ok(id)
    }

    /// Offices a user holds on `on` (started, not yet ended).
    pub async fn officer_terms_on(&self, user_id: i64, on: Date) -> StoreResult<Vec<OfficerTermRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, chapter_id, title, starts_on, ends_on, created_at FROM officer_terms \
                 WHERE user_id = $1 AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2) ORDER BY chapter_id",
            )
            .bind(user_id)
            .bind(on)
            .fetch_all(pool)
            .await
        })?)
    }
}

impl Store {
    /// (office title, officer name) for a chapter's offices held on `on`.
    pub async fn chapter_officers(&self, chapter_id: i64, on: Date) -> StoreResult<Vec<(String, String)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.title, u.display_name FROM officer_terms t JOIN users u ON u.id = t.user_id \
                 WHERE t.chapter_id = $1 AND t.starts_on <= $2 AND (t.ends_on IS NULL OR t.ends_on >= $2) \
                 ORDER BY t.title, u.display_name",
            )
            .bind(chapter_id)
            .bind(on)
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn count_users(&self) -> StoreResult<i64> {
        let (n,): (i64,) =
            with_reader!(self, |pool| sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await)?;
        Ok(n)
    }

    pub async fn count_pending_mail(&self) -> StoreResult<i64> {
        let (n,): (i64,) = with_reader!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetch_one(pool).await
        })?;
        Ok(n)
    }
}
