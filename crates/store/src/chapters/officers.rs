//! Officer terms: who holds which office in which chapter, and when.

use time::Date;

use crate::engine::{audited, audited_change, with_reader, with_writer};
use crate::{NewAuditEntry, NewOfficerTerm, OfficerListing, OfficerTermRecord, Store, StoreResult, UnixTime};

impl Store {
    pub async fn officer_term_by_id(&self, id: i64) -> StoreResult<Option<OfficerTermRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, chapter_id, title, starts_on, ends_on, created_at FROM officer_terms WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Every officer term, current and past, by chapter, newest first.
    pub async fn list_officer_terms(&self) -> StoreResult<Vec<OfficerListing>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.user_id, t.chapter_id, t.title, t.starts_on, t.ends_on, u.display_name, u.email, \
                 c.name AS chapter_name FROM officer_terms t JOIN users u ON u.id = t.user_id \
                 JOIN chapters c ON c.id = t.chapter_id ORDER BY c.name, t.starts_on DESC, t.id DESC",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// Appoints an officer, with the audit entry; returns the term's id.
    pub async fn appoint_officer(
        &self,
        term: &NewOfficerTerm,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO officer_terms (user_id, chapter_id, title, starts_on, ends_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(term.user_id)
                .bind(term.chapter_id)
                .bind(&term.title)
                .bind(term.starts_on)
                .bind(term.ends_on)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                id
            },
            |id| &NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// Sets the last day of an officer term, with the audit entry.
    pub async fn set_officer_term_end(&self, id: i64, ends_on: Date, audit: &NewAuditEntry) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query("UPDATE officer_terms SET ends_on = $1 WHERE id = $2")
                .bind(ends_on)
                .bind(id)
                .execute(&mut *tx)
                .await?,
            audit
        )
    }
}

impl Store {
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
}
