//! Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database created on
//! the server named by `GUILDHALL_TEST_PG` (default: the local server, trust auth) and
//! dropped when the test ends, even if it panics. Without a reachable server the
//! PostgreSQL half is skipped with a message, unless `GUILDHALL_TEST_PG_REQUIRED=1`.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::{ConnectOptions, EngineKind, Store, StoreResult};

const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A migrated, empty database that removes itself when dropped.
pub struct TestDatabase {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The admin URL for test databases, if PostgreSQL is to be tried at all.
pub fn pg_admin_url() -> String {
    std::env::var("GUILDHALL_TEST_PG").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.to_string())
}

fn pg_required() -> bool {
    std::env::var("GUILDHALL_TEST_PG_REQUIRED").is_ok_and(|v| v == "1")
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |s| s + 2) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestDatabase {
    pub async fn sqlite() -> StoreResult<Self> {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name("guildhall_test")));
        let url = format!("sqlite:{}", path.display());
        let store = Store::connect(&url, &ConnectOptions::default()).await?;
        store.migrate().await?;
        Ok(Self { store, url, cleanup: Cleanup::File(path) })
    }

    /// `Ok(None)` when PostgreSQL is unreachable and not required (a message is printed).
    pub async fn postgres() -> StoreResult<Option<Self>> {
        let admin_url = pg_admin_url();
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(err) if !pg_required() => {
                eprintln!(
                    "SKIPPED the PostgreSQL half of this test: cannot reach {} ({err}). \
                     Set GUILDHALL_TEST_PG to a server's admin URL to run it.",
                    crate::redact_url(&admin_url)
                );
                return Ok(None);
            }
            Err(err) => {
                return Err(crate::StoreError::Connect(format!(
                    "GUILDHALL_TEST_PG_REQUIRED=1 but PostgreSQL at {} is unreachable: {err}",
                    crate::redact_url(&admin_url)
                )));
            }
        };
        let name = unique_name("guildhall_test");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
        admin.close().await.ok();
        let url = replace_database(&admin_url, &name);
        let cleanup = Cleanup::Postgres { admin_url, name };
        let options = ConnectOptions { max_connections: 5, ..Default::default() };
        let store = Store::connect(&url, &options).await?;
        let db = Self { store, url, cleanup };
        db.store.migrate().await?;
        Ok(Some(db))
    }

    /// SQLite always, then PostgreSQL when reachable.
    pub async fn each_engine() -> StoreResult<Vec<Self>> {
        let mut dbs = vec![Self::sqlite().await?];
        if let Some(pg) = Self::postgres().await? {
            dbs.push(pg);
        }
        Ok(dbs)
    }

    pub fn kind(&self) -> EngineKind {
        self.store.kind()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::File(Default::default()));
        // Drop cannot await, and the test's runtime is blocked here, so the pool is not
        // closed (that would need the blocked runtime); a short-lived thread with its own
        // runtime removes the files or force-drops the database, ending its connections.
        let worker = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                match cleanup {
                    Cleanup::File(path) => {
                        if !path.as_os_str().is_empty() {
                            for suffix in ["", "-wal", "-shm"] {
                                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                            }
                        }
                    }
                    Cleanup::Postgres { admin_url, name } => {
                        if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                        }
                    }
                }
            });
        });
        let _ = worker.join();
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_name_is_swapped_in_the_url() {
        assert_eq!(replace_database("postgres://pg@127.0.0.1:5432/postgres", "t1"), "postgres://pg@127.0.0.1:5432/t1");
        assert_eq!(
            replace_database("postgres://pg@h/postgres?sslmode=disable", "t1"),
            "postgres://pg@h/t1?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://pg@h", "t1"), "postgres://pg@h/t1");
    }
}
