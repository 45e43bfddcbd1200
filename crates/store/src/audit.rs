//! The audit log: every change staff or officers make to another person's data.

use crate::engine::audited;
use serde::Serialize;

use crate::{Page, PageRequest, Store, StoreResult, UnixTime, with_reader};

const FILTER: &str = "($1 IS NULL OR actor_user_id = $1) AND ($2 IS NULL OR action = $2) \
                      AND ($3 IS NULL OR subject_kind = $3) AND ($4 IS NULL OR subject_id = $4) \
                      AND ($5 IS NULL OR occurred_at >= $5) AND ($6 IS NULL OR occurred_at < $6)";

impl Store {
    pub async fn record_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        audited!(self, |tx| {}, entry)
    }

    /// Newest first.
    pub async fn list_audit(&self, filter: &AuditFilter, page: PageRequest) -> StoreResult<Page<AuditRecord>> {
        let sql = format!(
            "SELECT id, occurred_at, actor_user_id, actor_label, action, subject_kind, subject_id, subject_label, \
             chapter_id, before_json, after_json, request_id FROM audit_log WHERE {FILTER} \
             ORDER BY occurred_at DESC, id DESC {}",
            page.sql()
        );
        let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {FILTER}");
        let (items, (total,)): (Vec<AuditRecord>, (i64,)) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(filter.actor_user_id)
                .bind(&filter.action)
                .bind(&filter.subject_kind)
                .bind(filter.subject_id)
                .bind(filter.from)
                .bind(filter.until)
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_as(sqlx::AssertSqlSafe(count_sql.as_str()))
                .bind(filter.actor_user_id)
                .bind(&filter.action)
                .bind(&filter.subject_kind)
                .bind(filter.subject_id)
                .bind(filter.from)
                .bind(filter.until)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// The distinct actions recorded, for the filter drop-down.
    pub async fn audit_actions(&self) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT DISTINCT action FROM audit_log ORDER BY action").fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }
}

/// One recorded change: who did what to whom, with the record before and after.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub occurred_at: UnixTime,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub subject_label: String,
    pub chapter_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry {
    pub occurred_at: UnixTime,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub subject_label: String,
    pub chapter_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
}

/// Filters for the audit log; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<i64>,
    pub action: Option<String>,
    pub subject_kind: Option<String>,
    pub subject_id: Option<i64>,
    pub from: Option<UnixTime>,
    pub until: Option<UnixTime>,
}
