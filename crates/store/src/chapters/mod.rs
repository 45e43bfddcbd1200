//! Chapters (sections, student chapters), the officers who hold office in them, and the
//! affinity groups beside them.
//!
//! Files: `mod.rs` (chapters), `officers.rs` (officer terms), `groups.rs` (affinity groups
//! and who is in them), `records.rs` (their rows).

mod groups;
mod officers;
pub mod records;

use crate::{ChapterRecord, NewChapter, Store, StoreResult, UnixTime, with_reader, with_writer};

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
}
