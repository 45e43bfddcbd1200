//! Guildhall's storage layer: the only crate that speaks SQL.
//!
//! One [`Store`] serves both engines. Every query is written once, in SQL that both
//! SQLite and PostgreSQL accept (`$1` placeholders, `ON CONFLICT`, `RETURNING`,
//! `CAST(… AS BIGINT)`), and compiled for each engine by `with_reader!`/`with_writer!`
//! (`engine.rs`), which hand the body a concretely typed pool. Where the dialects really
//! differ the store picks the spelling from [`Store::kind`]. No sqlx type crosses this
//! crate's public API; rows carry the domain's types, converted at this boundary.
//!
//! One folder per feature area (`accounts/`, `membership/`, `chapters/`, `ce/`, `society/`),
//! each with its queries and its `records.rs`; shared pieces: `engine.rs` (pools and the
//! audited-write helpers), `error.rs`, `audit.rs` (the audit log), `outbox.rs` (mail),
//! `copy.rs` (`db copy`), `testing.rs` (test databases).
//!
//! Portable value types: ids are `i64`, money is `i64` cents, instants are `i64` unix
//! seconds, calendar dates are `time::Date` (`DATE` in PostgreSQL, ISO text in SQLite).

use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub mod accounts;
mod audit;
pub mod careers;
pub mod ce;
pub mod chapters;
pub mod communications;
pub mod copy;
pub mod credentials;
mod engine;
mod error;
pub mod events;
mod idempotency;
mod json_rows;
pub mod knowledge;
pub mod membership;
mod money;
mod outbox;
pub mod privacy;
pub mod publications;
pub mod society;
pub mod testing;

pub use audit::{AuditFilter, AuditRecord, NewAuditEntry};
pub use error::{LICENCE_HELD, StoreError};
pub use idempotency::IdempotencyClaim;
pub use outbox::{KeptMail, MailAttachment, MailHealth, MailRecord, NewMail};

/// Every row type, by area, for callers that take them all (`guildhall_app::records`).
pub mod records {
    pub use crate::accounts::records::*;
    pub use crate::careers::bank::*;
    pub use crate::careers::records::*;
    pub use crate::careers::records_salary::*;
    pub use crate::careers::salary::ReleaseOutcome;
    pub use crate::careers::{
        DueJobAlert, JobAlertRecord, JobAlertSaved, JobSearch, NewJobAlert, NewProductOrder, OrderOf,
    };
    pub use crate::ce::records::*;
    pub use crate::chapters::records::*;
    pub use crate::communications::records::*;
    pub use crate::credentials::CoveringTerm;
    pub use crate::credentials::records::*;
    pub use crate::events::Registered;
    pub use crate::events::records::*;
    pub use crate::knowledge::questions::Refusal;
    pub use crate::knowledge::records::*;
    pub use crate::knowledge::search::COUNT_CAP as SEARCH_COUNT_CAP;
    pub use crate::membership::MembershipOverview;
    pub use crate::membership::records::*;
    pub use crate::publications::records::*;
    pub use crate::{
        AuditFilter, AuditRecord, MailAttachment, MailHealth, MailRecord, NewAuditEntry, NewMail, Page, PageRequest,
        UnixTime,
    };
}
pub use records::*;

use engine::{Engine, with_reader, with_writer};

pub type StoreResult<T> = Result<T, StoreError>;

/// Unix seconds; the one instant type on both engines.
pub type UnixTime = i64;

/// Which page of a list to return; pages count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn new(page: u32, per_page: u32) -> Self {
        Self { page: page.max(1), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// `LIMIT n OFFSET m`, written into the statement rather than bound: SQLite reads a
    /// bound LIMIT when it plans the statement, so it prepares it again at every execution
    /// (a third of SQLite's time on the dashboard went to that); both are plain integers.
    pub fn sql(&self) -> String {
        format!("LIMIT {} OFFSET {}", self.limit(), self.offset())
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, 50)
    }
}

/// One page of a list, with the total so callers can draw pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, request: PageRequest) -> Self {
        Self { items, total, page: request.page, per_page: request.per_page }
    }

    /// One page of a list held whole (a list the use case builds in full, such as a
    /// member's CE ledger).
    pub fn of_all(all: Vec<T>, request: PageRequest) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let items = all.into_iter().skip(skip).take(request.per_page as usize).collect();
        Self::new(items, total, request)
    }

    pub fn page_count(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per).unwrap_or(u32::MAX).max(1)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    Sqlite,
    Postgres,
}

/// The database, whichever engine it runs on. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    engine: Engine,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("engine", &self.kind()).finish()
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// One embedded migration, as `guildhall migrate` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationInfo {
    pub version: i64,
    pub description: String,
}

/// The migrations embedded for an engine, in order.
pub fn embedded_migrations(kind: EngineKind) -> Vec<MigrationInfo> {
    let migrator = match kind {
        EngineKind::Sqlite => &SQLITE_MIGRATIONS,
        EngineKind::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator.iter().map(|m| MigrationInfo { version: m.version, description: m.description.to_string() }).collect()
}

/// A PostgreSQL connection idle longer than this is pinged before it is used again (the
/// server, or something between, may have closed it).
const PING_IDLE_AFTER: Duration = Duration::from_secs(30);

/// Pool sizes and timeouts; the defaults suit one small server.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// Open the database for reading only (`guildhall export`): a SQLite file is opened
    /// read-only and never created; PostgreSQL sessions default to read-only transactions.
    pub read_only: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { max_connections: 16, acquire_timeout: Duration::from_secs(10), read_only: false }
    }
}

impl Store {
    /// Connects to `url`: `sqlite:PATH` (created if missing, parent folder too) or
    /// `postgres://…`. Anything else is refused rather than guessed at.
    pub async fn connect(url: &str, options: &ConnectOptions) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut connect = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Connect(format!("bad PostgreSQL URL {}: {e}", redact_url(url))))?;
            if options.read_only {
                connect = connect.options([("default_transaction_read_only", "on")]);
            }
            // sqlx pings a connection when it goes back to the pool; pinging it again when
            // it is taken would cost every statement a second round trip. Only one idle
            // long enough for the server to have dropped it is tested first.
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .test_before_acquire(false)
                .before_acquire(|connection, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PING_IDLE_AFTER {
                            sqlx::Connection::ping(connection).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(connect)
                .await
                .map_err(|e| StoreError::Connect(format!("cannot connect to PostgreSQL: {e}")))?;
            return Ok(Self { engine: Engine::Postgres(pool) });
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            if path.is_empty() {
                return Err(StoreError::Connect("the sqlite: URL names no file".into()));
            }
            if path != ":memory:"
                && !options.read_only
                && let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Connect(format!("cannot create the data folder {}: {e}", parent.display()))
                })?;
            }
            let connect = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))
                .map_err(|e| StoreError::Connect(format!("bad SQLite URL: {e}")))?
                .create_if_missing(!options.read_only)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-32000")
                .pragma("temp_store", "memory");
            // `sqlite:PATH?mode=ro` in the URL is read-only too.
            let connect = if options.read_only { connect.read_only(true) } else { connect };
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(options.acquire_timeout.max(Duration::from_secs(30)))
                .connect_with(connect.clone())
                .await
                .map_err(|e| StoreError::Connect(format!("cannot open SQLite database {path}: {e}")))?;
            // A SQLite connection is a file opened in this process: nothing can drop it while
            // it is idle, so it is not pinged (each ping is a hand-off to its thread and back).
            let read = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .test_before_acquire(false)
                .connect_with(connect.read_only(true))
                .await
                .map_err(|e| StoreError::Connect(format!("cannot open SQLite database {path}: {e}")))?;
            return Ok(Self { engine: Engine::Sqlite { read, write } });
        }
        Err(StoreError::Connect(format!(
            "unsupported database URL {:?}: use sqlite:PATH or postgres://USER@HOST/DB",
            redact_url(url)
        )))
    }

    pub fn kind(&self) -> EngineKind {
        match self.engine {
            Engine::Sqlite { .. } => EngineKind::Sqlite,
            Engine::Postgres(_) => EngineKind::Postgres,
        }
    }

    /// Applies every embedded migration not yet applied; returns the versions applied now.
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        let before = self.applied_migrations().await.unwrap_or_default();
        match &self.engine {
            Engine::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await,
            Engine::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .map_err(|e| StoreError::Migration(e.to_string()))?;
        let after = self.applied_migrations().await?;
        Ok(after.into_iter().filter(|v| !before.contains(v)).collect())
    }

    /// Applies the embedded migrations up to and including `version`, and no later one:
    /// for testing what a migration does to data written before it.
    pub async fn migrate_to(&self, version: i64) -> StoreResult<()> {
        match &self.engine {
            Engine::Sqlite { write, .. } => SQLITE_MIGRATIONS.run_to(version, write).await,
            Engine::Postgres(pool) => POSTGRES_MIGRATIONS.run_to(version, pool).await,
        }
        .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Versions recorded as applied in this database.
    pub async fn applied_migrations(&self) -> StoreResult<Vec<i64>> {
        const SQL: &str = "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version";
        let versions: Vec<(i64,)> =
            with_reader!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await).map_err(StoreError::from)?;
        Ok(versions.into_iter().map(|(v,)| v).collect())
    }

    /// Closes every connection; used before deleting a database file.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Engine::Postgres(pool) => pool.close().await,
        }
    }

    /// Refreshes the query planner's statistics, after a bulk load: without them a
    /// planner may pick a poor index for the member searches (PostgreSQL's autovacuum
    /// would do this eventually, SQLite never does it on its own).
    pub async fn analyze(&self) -> StoreResult<()> {
        with_writer!(self, |pool| sqlx::query("ANALYZE").execute(pool).await.map(|_| ()))?;
        if let Engine::Sqlite { write, .. } = &self.engine {
            // With sqlite_stat4 samples SQLite prepares again every statement whose range
            // bounds are bound parameters, on every execution (14 % of the directory's time);
            // sqlite_stat1 alone already picks the right indexes.
            let stat4: Option<(String,)> =
                sqlx::query_as("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4'")
                    .fetch_optional(write)
                    .await?;
            if stat4.is_some() {
                sqlx::query("DELETE FROM sqlite_stat4").execute(write).await?;
                sqlx::query("ANALYZE sqlite_schema").execute(write).await?;
            }
        }
        Ok(())
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        let _: (i64,) = with_reader!(self, |pool| sqlx::query_as("SELECT CAST(1 AS BIGINT)").fetch_one(pool).await)?;
        Ok(())
    }

    /// Proves the database reads and takes a write: reads the health checks' scratch row
    /// and overwrites it with `now`. A read-only or damaged file fails here, not at the
    /// first member's sign-in.
    pub async fn check_read_and_write(&self, now: UnixTime) -> Result<(), HealthProblem> {
        let read: Result<(i64,), sqlx::Error> =
            with_reader!(self, |pool| sqlx::query_as("SELECT COUNT(*) FROM health_checks").fetch_one(pool).await);
        read.map_err(|e| HealthProblem::Read(e.to_string()))?;
        with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO health_checks (id, checked_at) VALUES (1, $1) \
                 ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            )
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(|e| HealthProblem::Write(e.to_string()))?;
        Ok(())
    }
}

/// Why a health check failed, in the words an operator needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthProblem {
    #[error("the database cannot be read: {0}")]
    Read(String),
    #[error("the database cannot be written to: {0}")]
    Write(String),
}

/// Hides the password in a database URL, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_in_urls() {
        assert_eq!(redact_url("postgres://amy:s3cret@db/guildhall"), "postgres://amy:***@db/guildhall");
        assert_eq!(redact_url("postgres://amy@db/guildhall"), "postgres://amy@db/guildhall");
        assert_eq!(redact_url("sqlite:data/guildhall.db"), "sqlite:data/guildhall.db");
    }

    #[test]
    fn both_engines_embed_the_same_migration_versions() {
        let sqlite = embedded_migrations(EngineKind::Sqlite);
        let postgres = embedded_migrations(EngineKind::Postgres);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must list the same versions and names");
    }
}
