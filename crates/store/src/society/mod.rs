//! Society settings staff can change at run time (name, colours, logo).
//!
//! Files: `mod.rs` (the settings table).

use std::collections::BTreeMap;

use crate::engine::insert_audit;
use crate::{NewAuditEntry, Store, StoreResult, with_reader, with_writer};

impl Store {
    pub async fn society_settings(&self) -> StoreResult<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT key, value FROM society_settings ORDER BY key").fetch_all(pool).await
        })?;
        Ok(rows.into_iter().collect())
    }

    /// Writes every pair given (insert or replace) and the audit entry, atomically.
    pub async fn save_society_settings(
        &self,
        pairs: &[(String, String)],
        audit: Option<&NewAuditEntry>,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (key, value) in pairs {
                sqlx::query(
                    "INSERT INTO society_settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
