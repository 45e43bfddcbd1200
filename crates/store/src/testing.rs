//! Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database created on
//! the server named by `GUILDHALL_TEST_PG` (default: the local server, trust auth) and
//! dropped when the test ends, even if it panics. Without a reachable server the
//! PostgreSQL half is skipped with a message, unless `GUILDHALL_TEST_PG_REQUIRED=1`.
//!
//! Tests that all start from the same data (the demo society, say) can have it made once
//! per test process and engine: [`TestDatabase::each_engine_from_template`] migrates and
//! seeds a template database the first time a key is asked for, and gives every test a
//! copy of it (`CREATE DATABASE … TEMPLATE` on PostgreSQL, a copy of the file on SQLite),
//! with a pool of its own in the test's own runtime.
//!
//! A test's PostgreSQL pool is small (see [`pg_options`]), and its database is dropped in
//! the background: the test goes on as soon as the `DROP DATABASE` is sent, which the
//! server then completes even if the test process has ended (see [`drop_database`]).
//!
//! Templates outlive their test process, which has no teardown hook: each is named
//! `guildhall_tmpl_<pid>_<n>` (a database, or a `.db` file in the temporary folder), and
//! the first template a process makes on an engine first removes those whose process is
//! no longer running on this machine. On PostgreSQL that sweep comes before the process
//! makes any database, and also drops test databases (`guildhall_test_<pid>_<n>`) left by
//! a process that ended before its drops reached the server (killed, say).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use tokio::sync::OnceCell;

use crate::engine::Engine;
use crate::{ConnectOptions, EngineKind, Store, StoreError, StoreResult};

const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// How many test databases a process drops at once on a server, in the background; a
/// test whose drop finds them all busy waits for one.
const DROPPERS: u32 = 4;

/// How template databases and files are named: `guildhall_tmpl_<pid>_<n>`.
const TEMPLATE_PREFIX: &str = "guildhall_tmpl";
/// How the databases and files of single tests are named: `guildhall_test_<pid>_<n>`.
const TEST_PREFIX: &str = "guildhall_test";

/// The templates this process has made (or is making), one cell per key: a template is
/// made by whichever test asks first while the others wait for it.
type Templates<K, V> = Mutex<BTreeMap<K, Arc<OnceCell<V>>>>;
/// SQLite templates by key: the template's file.
static SQLITE_TEMPLATES: Templates<String, PathBuf> = Mutex::new(BTreeMap::new());
/// PostgreSQL templates by admin URL and key: the template database's name.
static PG_TEMPLATES: Templates<(String, String), String> = Mutex::new(BTreeMap::new());
/// Stale templates are looked for once per process and engine: on SQLite before the first
/// template, on PostgreSQL before the first database of any kind.
static SQLITE_SWEEP: OnceCell<()> = OnceCell::const_new();
static PG_SWEEP: OnceCell<()> = OnceCell::const_new();

/// A migrated database that removes itself when dropped: empty, or a copy of a template.
pub struct TestDatabase {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
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

/// The pool a test gets on PostgreSQL: two connections. Each connection is a server
/// process whose caches start cold in a database this new, and sqlx hands a connection
/// back to its pool a moment after the query is done, so a bigger pool opens more of
/// them for the same sequential requests (five a test, mostly, at five), which costs the
/// server more than anything else a test does. The second is for code that holds one
/// connection while it asks for another.
fn pg_options() -> ConnectOptions {
    ConnectOptions { max_connections: 2, ..Default::default() }
}

/// A new file name in the temporary folder.
fn sqlite_path(prefix: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.db", unique_name(prefix)))
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// An admin connection to the test server; `Ok(None)` (and a message) when it is
/// unreachable and not required.
async fn connect_admin(admin_url: &str) -> StoreResult<Option<PgConnection>> {
    match PgConnection::connect(admin_url).await {
        Ok(conn) => Ok(Some(conn)),
        Err(err) if !pg_required() => {
            eprintln!(
                "SKIPPED the PostgreSQL half of this test: cannot reach {} ({err}). \
                 Set GUILDHALL_TEST_PG to a server's admin URL to run it.",
                crate::redact_url(admin_url)
            );
            Ok(None)
        }
        Err(err) => Err(StoreError::Connect(format!(
            "GUILDHALL_TEST_PG_REQUIRED=1 but PostgreSQL at {} is unreachable: {err}",
            crate::redact_url(admin_url)
        ))),
    }
}

async fn execute(admin: &mut PgConnection, sql: String) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(admin).await?;
    Ok(())
}

impl TestDatabase {
    /// A fresh, migrated SQLite file in the temporary folder.
    pub async fn sqlite() -> StoreResult<Self> {
        Self::sqlite_at(None).await
    }

    /// A fresh SQLite file migrated up to `version` (every migration when `None`).
    async fn sqlite_at(version: Option<i64>) -> StoreResult<Self> {
        let path = sqlite_path(TEST_PREFIX);
        let url = sqlite_url(&path);
        let store = Store::connect(&url, &ConnectOptions::default()).await?;
        let db = Self { store, url, cleanup: Cleanup::File(path) };
        match version {
            Some(version) => db.store.migrate_to(version).await?,
            None => {
                db.store.migrate().await?;
            }
        }
        Ok(db)
    }

    /// A fresh, migrated PostgreSQL database. `Ok(None)` when PostgreSQL is unreachable
    /// and not required (a message is printed).
    pub async fn postgres() -> StoreResult<Option<Self>> {
        Self::postgres_at(None).await
    }

    /// A fresh PostgreSQL database migrated up to `version` (every migration when `None`).
    async fn postgres_at(version: Option<i64>) -> StoreResult<Option<Self>> {
        let admin_url = pg_admin_url();
        let Some(mut admin) = connect_admin(&admin_url).await? else { return Ok(None) };
        sweep_pg_once(&mut admin).await;
        let name = unique_name(TEST_PREFIX);
        execute(&mut admin, format!("CREATE DATABASE {name}")).await?;
        admin.close().await.ok();
        let url = replace_database(&admin_url, &name);
        let cleanup = Cleanup::Postgres { admin_url, name };
        let store = match Store::connect(&url, &pg_options()).await {
            Ok(store) => store,
            Err(err) => {
                run_cleanup(cleanup);
                return Err(err);
            }
        };
        let db = Self { store, url, cleanup };
        match version {
            Some(version) => db.store.migrate_to(version).await?,
            None => {
                db.store.migrate().await?;
            }
        }
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

    /// Like [`each_engine`](Self::each_engine), but migrated only up to and including
    /// `version`: for testing what a later migration does to the data it finds.
    pub async fn each_engine_migrated_to(version: i64) -> StoreResult<Vec<Self>> {
        let mut dbs = vec![Self::sqlite_at(Some(version)).await?];
        if let Some(pg) = Self::postgres_at(Some(version)).await? {
            dbs.push(pg);
        }
        Ok(dbs)
    }

    /// Like [`each_engine`](Self::each_engine), but each database is a copy of a template
    /// that `seed` filled: SQLite always, then PostgreSQL when reachable.
    ///
    /// The template is made once per process, engine and `key` (so different seeds need
    /// different keys), by whichever test asks first while concurrent ones wait:
    /// migrated, then handed to `seed` as a store and its URL. `seed` must leave no
    /// connection of its own open (the store given to it is closed after it returns).
    /// A seed that fails fails this test, and the next test to ask tries again.
    pub async fn each_engine_from_template<F, Fut, E>(key: &str, seed: F) -> StoreResult<Vec<Self>>
    where
        F: Fn(Store, String) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let (sqlite, postgres) =
            tokio::join!(Self::sqlite_from_template(key, &seed), Self::postgres_from_template(key, &seed));
        let mut dbs = vec![sqlite?];
        if let Some(pg) = postgres? {
            dbs.push(pg);
        }
        Ok(dbs)
    }

    /// A SQLite file copied from the template `seed` filled for `key` (see
    /// [`each_engine_from_template`](Self::each_engine_from_template)).
    pub async fn sqlite_from_template<F, Fut, E>(key: &str, seed: F) -> StoreResult<Self>
    where
        F: Fn(Store, String) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let cell = template_cell(&SQLITE_TEMPLATES, key.to_string());
        let template = cell.get_or_try_init(|| create_sqlite_template(&seed)).await?;
        let path = sqlite_path(TEST_PREFIX);
        let url = sqlite_url(&path);
        let cleanup = Cleanup::File(path.clone());
        let connected = match std::fs::copy(template, &path) {
            Ok(_) => Store::connect(&url, &ConnectOptions::default()).await,
            Err(err) => Err(StoreError::Backend(format!(
                "cannot copy the SQLite test template {} to {}: {err}",
                template.display(),
                path.display()
            ))),
        };
        match connected {
            Ok(store) => Ok(Self { store, url, cleanup }),
            Err(err) => {
                run_cleanup(cleanup);
                Err(err)
            }
        }
    }

    /// A PostgreSQL database created from the template `seed` filled for `key` (see
    /// [`each_engine_from_template`](Self::each_engine_from_template)). `Ok(None)` when
    /// PostgreSQL is unreachable and not required, as for [`postgres`](Self::postgres).
    pub async fn postgres_from_template<F, Fut, E>(key: &str, seed: F) -> StoreResult<Option<Self>>
    where
        F: Fn(Store, String) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let admin_url = pg_admin_url();
        let Some(mut admin) = connect_admin(&admin_url).await? else { return Ok(None) };
        sweep_pg_once(&mut admin).await;
        let cell = template_cell(&PG_TEMPLATES, (admin_url.clone(), key.to_string()));
        let template = cell.get_or_try_init(|| create_pg_template(&mut admin, &admin_url, &seed)).await?;
        let name = unique_name(TEST_PREFIX);
        execute(&mut admin, format!("CREATE DATABASE {name} TEMPLATE {template}")).await?;
        admin.close().await.ok();
        let url = replace_database(&admin_url, &name);
        let cleanup = Cleanup::Postgres { admin_url, name };
        match Store::connect(&url, &pg_options()).await {
            Ok(store) => Ok(Some(Self { store, url, cleanup })),
            Err(err) => {
                run_cleanup(cleanup);
                Err(err)
            }
        }
    }

    pub fn kind(&self) -> EngineKind {
        self.store.kind()
    }
}

/// The cell of one template, made empty on first use.
fn template_cell<K: Ord, V>(templates: &Templates<K, V>, key: K) -> Arc<OnceCell<V>> {
    let mut templates = templates.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(templates.entry(key).or_default())
}

/// Migrates a new template and has `seed` fill it.
async fn seed_template<F, Fut, E>(store: &Store, url: &str, seed: &F) -> StoreResult<()>
where
    F: Fn(Store, String) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    store.migrate().await?;
    seed(store.clone(), url.to_string())
        .await
        .map_err(|err| StoreError::Backend(format!("seeding the {:?} test template failed: {err}", store.kind())))
}

/// Makes and fills a SQLite template; its file is complete on its own (no WAL) and
/// closed, so that tests can copy it at will.
async fn create_sqlite_template<F, Fut, E>(seed: &F) -> StoreResult<PathBuf>
where
    F: Fn(Store, String) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    SQLITE_SWEEP.get_or_init(|| async { sweep_sqlite_templates(&std::env::temp_dir(), is_stale) }).await;
    let path = sqlite_path(TEMPLATE_PREFIX);
    let url = sqlite_url(&path);
    let filled = async {
        let store = Store::connect(&url, &ConnectOptions::default()).await?;
        let filled = async {
            seed_template(&store, &url, seed).await?;
            checkpoint(&store).await
        }
        .await;
        store.close().await;
        filled
    }
    .await;
    match filled {
        Ok(()) => Ok(path),
        Err(err) => {
            remove_sqlite_files(&path);
            Err(err)
        }
    }
}

/// Moves everything in a SQLite database's WAL into its main file.
async fn checkpoint(store: &Store) -> StoreResult<()> {
    if let Engine::Sqlite { write, .. } = &store.engine {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(write).await?;
        if busy != 0 {
            return Err(StoreError::Backend("the SQLite test template could not be checkpointed".into()));
        }
    }
    Ok(())
}

/// Makes and fills a PostgreSQL template: no connection to it remains (PostgreSQL copies
/// only a database nobody is connected to) and none is allowed any more.
async fn create_pg_template<F, Fut, E>(admin: &mut PgConnection, admin_url: &str, seed: &F) -> StoreResult<String>
where
    F: Fn(Store, String) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let name = unique_name(TEMPLATE_PREFIX);
    execute(admin, format!("CREATE DATABASE {name}")).await?;
    let filled = async {
        let url = replace_database(admin_url, &name);
        let store = Store::connect(&url, &pg_options()).await?;
        let seeded = seed_template(&store, &url, seed).await;
        store.close().await;
        seeded?;
        execute(admin, format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")).await?;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&name)
        .execute(&mut *admin)
        .await?;
        Ok(())
    }
    .await;
    match filled {
        Ok(()) => Ok(name),
        Err(err) => {
            let _ = execute(admin, drop_statement(&name)).await;
            Err(err)
        }
    }
}

/// The process id in a template's or test's name, `<prefix>_<pid>_<n><suffix>`, and the
/// suffix.
fn parse_name<'a>(prefix: &str, name: &'a str) -> Option<(u32, &'a str)> {
    let rest = name.strip_prefix(prefix)?.strip_prefix('_')?;
    let (pid, rest) = rest.split_once('_')?;
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || digits == 0 {
        return None;
    }
    Some((pid.parse().ok()?, &rest[digits..]))
}

/// Whether a template or database made by process `pid` is left over: that process is no
/// longer running on this machine, or it is this process, which has made none yet when
/// the sweep runs (an earlier process had the same id). Without `/proc` nothing is.
fn is_stale(pid: u32) -> bool {
    Path::new("/proc/self").exists() && (pid == std::process::id() || !Path::new(&format!("/proc/{pid}")).exists())
}

/// Removes the template files in `dir` whose process `stale` says is gone.
fn sweep_sqlite_templates(dir: &Path, stale: impl Fn(u32) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if parse_name(TEMPLATE_PREFIX, name)
            .is_some_and(|(pid, suffix)| matches!(suffix, ".db" | ".db-wal" | ".db-shm" | ".db-journal") && stale(pid))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Sweeps the server once per process, before this process makes its first template or
/// test database there (every maker waits for it).
async fn sweep_pg_once(admin: &mut PgConnection) {
    PG_SWEEP.get_or_init(|| sweep_pg_databases(admin, is_stale)).await;
}

/// Drops the template and test databases on the admin connection's server whose process
/// `stale` says is gone: templates outlive their process, and so may a test database
/// whose drop had not reached the server when its process ended. Best effort: one that
/// cannot be dropped now is left for later.
async fn sweep_pg_databases(admin: &mut PgConnection, stale: impl Fn(u32) -> bool) {
    let Ok(names) =
        sqlx::query_scalar::<_, String>("SELECT datname::text FROM pg_database").fetch_all(&mut *admin).await
    else {
        return;
    };
    for name in names {
        let parsed = parse_name(TEMPLATE_PREFIX, &name).or_else(|| parse_name(TEST_PREFIX, &name));
        if parsed.is_some_and(|(pid, suffix)| suffix.is_empty() && stale(pid)) {
            let _ = execute(admin, drop_statement(&name)).await;
        }
    }
}

fn remove_sqlite_files(path: &Path) {
    if !path.as_os_str().is_empty() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

/// Removes a test's files at once, or has its database force-dropped in the background.
fn run_cleanup(cleanup: Cleanup) {
    match cleanup {
        Cleanup::File(path) => remove_sqlite_files(&path),
        Cleanup::Postgres { admin_url, name } => drop_database(admin_url, name),
    }
}

/// A database for the dropper to drop, and whom to tell once its `DROP DATABASE` is sent.
struct DropJob {
    admin_url: String,
    name: String,
    sent: std::sync::mpsc::SyncSender<()>,
}

/// Force-drops a test's database without waiting for the server to finish: a
/// `DROP DATABASE` ends the database's connections, waits for them to go and forces a
/// checkpoint, none of which the test needs to wait for. A thread of this process drops
/// them, up to [`DROPPERS`] at a time; this returns once the statement is on its way,
/// and the server completes it even if this process ends first, so a finished run leaves
/// no test database behind. Should the thread be unavailable, the database is dropped
/// here and now; should a drop fail, the next run's sweep drops it.
///
/// This may be called where the caller's runtime is blocked (`Drop` cannot await).
fn drop_database(admin_url: String, name: String) {
    let (sent, on_its_way) = std::sync::mpsc::sync_channel(1);
    match dropper().send(DropJob { admin_url, name, sent }) {
        // Told when the statement is sent, or (the sender dropped) when the dropper gave up.
        Ok(()) => {
            let _ = on_its_way.recv();
        }
        Err(tokio::sync::mpsc::error::SendError(job)) => drop_database_now(job.admin_url, job.name),
    }
}

/// Force-drops a database from a short-lived thread with a runtime of its own, and waits.
fn drop_database_now(admin_url: String, name: String) {
    let worker = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        runtime.block_on(async move {
            if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                let _ = execute(&mut admin, drop_statement(&name)).await;
            }
        });
    });
    let _ = worker.join();
}

fn drop_statement(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
}

/// The queue of this process's dropper thread, started on first use.
fn dropper() -> &'static tokio::sync::mpsc::UnboundedSender<DropJob> {
    static DROPPER: OnceLock<tokio::sync::mpsc::UnboundedSender<DropJob>> = OnceLock::new();
    DROPPER.get_or_init(|| {
        let (queue, jobs) = tokio::sync::mpsc::unbounded_channel();
        // If the thread or its runtime cannot be had, `jobs` is dropped and sends fail.
        let _ = std::thread::Builder::new().name("guildhall-test-dropper".into()).spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                runtime.block_on(run_dropper(jobs));
            }
        });
        queue
    })
}

/// Drops the queued databases, each on an admin connection of its server's pool.
async fn run_dropper(mut jobs: tokio::sync::mpsc::UnboundedReceiver<DropJob>) {
    let mut admins: BTreeMap<String, PgPool> = BTreeMap::new();
    while let Some(job) = jobs.recv().await {
        let admin = match admins.get(&job.admin_url) {
            Some(admin) => admin.clone(),
            None => {
                let pool = PgPoolOptions::new()
                    .max_connections(DROPPERS)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_lazy(&job.admin_url);
                // A URL the tests connected with parses; if not, the job is dropped and
                // its test goes on.
                let Ok(pool) = pool else { continue };
                admins.entry(job.admin_url.clone()).or_insert(pool).clone()
            }
        };
        tokio::spawn(drop_one(admin, job));
    }
}

/// Sends one `DROP DATABASE` and waits for the server to finish it. The test is told when
/// the statement is sent: on a connection from the pool, idle and checked, the first wait
/// is for the server's answer.
async fn drop_one(admins: PgPool, DropJob { name, sent, .. }: DropJob) {
    let Ok(mut admin) = admins.acquire().await else { return };
    let _ = when_pending(execute(&mut admin, drop_statement(&name)), || {
        let _ = sent.try_send(());
    })
    .await;
}

/// Runs `future`, calling `on_pending` the first time it has to wait.
async fn when_pending<F: Future>(future: F, on_pending: impl FnOnce()) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut on_pending = Some(on_pending);
    std::future::poll_fn(|cx| {
        let poll = future.as_mut().poll(cx);
        if poll.is_pending()
            && let Some(on_pending) = on_pending.take()
        {
            on_pending();
        }
        poll
    })
    .await
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // The pool is not closed (that would need the test's runtime, blocked here):
        // removing the files or force-dropping the database ends its connections.
        run_cleanup(std::mem::replace(&mut self.cleanup, Cleanup::File(PathBuf::new())));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn database_name_is_swapped_in_the_url() {
        assert_eq!(replace_database("postgres://pg@127.0.0.1:5432/postgres", "t1"), "postgres://pg@127.0.0.1:5432/t1");
        assert_eq!(
            replace_database("postgres://pg@h/postgres?sslmode=disable", "t1"),
            "postgres://pg@h/t1?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://pg@h", "t1"), "postgres://pg@h/t1");
    }

    #[test]
    fn template_and_test_names_give_their_process() {
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_tmpl_123_4"), Some((123, "")));
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_tmpl_123_45.db-wal"), Some((123, ".db-wal")));
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_test_123_4"), None);
        assert_eq!(parse_name(TEST_PREFIX, "guildhall_test_123_4"), Some((123, "")));
        assert_eq!(parse_name(TEST_PREFIX, "guildhall_tmpl_123_4"), None);
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_tmpl_123"), None);
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_tmpl__4"), None);
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_tmpl_12x_4"), None);
        assert_eq!(parse_name(TEMPLATE_PREFIX, "guildhall_tmpl_123_.db"), None);
        if Path::new("/proc/self").exists() {
            assert!(is_stale(std::process::id()), "a template named for this process predates it");
            assert!(is_stale(u32::MAX));
            assert!(!is_stale(1));
        }
    }

    #[test]
    fn stale_template_files_are_swept_and_others_kept() {
        let dir = std::env::temp_dir().join(unique_name("guildhall_sweep"));
        std::fs::create_dir_all(&dir).unwrap();
        let files =
            ["guildhall_tmpl_7_0.db", "guildhall_tmpl_7_0.db-wal", "guildhall_tmpl_8_1.db", "guildhall_test_7_2.db"];
        for file in files {
            std::fs::write(dir.join(file), b"").unwrap();
        }
        sweep_sqlite_templates(&dir, |pid| pid == 7);
        let mut left: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, ["guildhall_test_7_2.db", "guildhall_tmpl_8_1.db"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn stale_template_and_test_databases_are_swept() {
        let Some(mut admin) = connect_admin(&pg_admin_url()).await.unwrap() else { return };
        // Process ids are below 2^22 on Linux, so 4294967001 is nobody's and is swept;
        // process 1 is always running, so no other sweep removes its names meanwhile.
        let own = std::process::id();
        let names = [
            format!("guildhall_tmpl_4294967001_{own}"),
            format!("guildhall_test_4294967001_{own}"),
            format!("guildhall_tmpl_1_{own}"),
            format!("guildhall_test_1_{own}"),
        ];
        for name in &names {
            execute(&mut admin, format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
            execute(&mut admin, format!("CREATE DATABASE {name}")).await.unwrap();
        }
        sweep_pg_databases(&mut admin, |pid| pid == 4_294_967_001).await;
        let mut left: Vec<String> = sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname = ANY($1)")
            .bind(&names[..])
            .fetch_all(&mut admin)
            .await
            .unwrap();
        left.sort();
        for name in &names[2..] {
            execute(&mut admin, format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
        }
        assert_eq!(left, [names[3].clone(), names[2].clone()]);
    }

    /// Whether a database of this name exists on the test server.
    async fn pg_database_exists(admin: &mut PgConnection, name: &str) -> bool {
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(admin)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_dropped_test_database_is_gone_soon_after() {
        let Some(mut admin) = connect_admin(&pg_admin_url()).await.unwrap() else { return };
        let Some(db) = TestDatabase::postgres().await.unwrap() else { return };
        let Cleanup::Postgres { name, .. } = &db.cleanup else { panic!("a PostgreSQL test database") };
        let name = name.clone();
        set_society_name(&db.store, "Soon gone").await.unwrap();
        assert!(pg_database_exists(&mut admin, &name).await);
        drop(db);
        // Dropped in the background: the statement is on its way, the server finishes it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while pg_database_exists(&mut admin, &name).await {
            assert!(std::time::Instant::now() < deadline, "{name} is still there");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn society_name(store: &Store) -> Option<String> {
        store.society_settings().await.unwrap().get("name").cloned()
    }

    async fn set_society_name(store: &Store, name: &str) -> StoreResult<()> {
        store.save_society_settings(&[("name".into(), name.into())], None).await
    }

    #[tokio::test]
    async fn databases_made_from_a_template_share_its_rows_but_not_later_writes() {
        let seed = |store: Store, url: String| async move {
            assert!(!url.is_empty());
            set_society_name(&store, "Seeded Society").await
        };
        let (first, second) = tokio::join!(
            TestDatabase::each_engine_from_template("testing::share", seed),
            TestDatabase::each_engine_from_template("testing::share", seed),
        );
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first.len(), second.len());
        assert!(!first.is_empty());
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a.kind(), b.kind());
            assert_ne!(a.url, b.url);
            assert_eq!(society_name(&a.store).await.as_deref(), Some("Seeded Society"), "{:?}", a.kind());
            assert_eq!(society_name(&b.store).await.as_deref(), Some("Seeded Society"), "{:?}", b.kind());
            set_society_name(&a.store, "Changed in A").await.unwrap();
            assert_eq!(society_name(&a.store).await.as_deref(), Some("Changed in A"), "{:?}", a.kind());
            assert_eq!(society_name(&b.store).await.as_deref(), Some("Seeded Society"), "{:?}", b.kind());
        }
        // A later database from the same template sees none of the tests' writes.
        for db in TestDatabase::each_engine_from_template("testing::share", seed).await.unwrap() {
            assert_eq!(society_name(&db.store).await.as_deref(), Some("Seeded Society"), "{:?}", db.kind());
        }
    }

    #[test]
    fn a_template_is_seeded_once_per_process_and_engine_whatever_the_runtimes() {
        static SEEDS: AtomicU32 = AtomicU32::new(0);
        let threads: Vec<_> = (0..4)
            .map(|i| {
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    runtime.block_on(async move {
                        let seed = |store: Store, _url: String| async move {
                            SEEDS.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                            set_society_name(&store, "Seeded once").await
                        };
                        let dbs = TestDatabase::each_engine_from_template("testing::once", seed).await.unwrap();
                        for db in &dbs {
                            assert_eq!(society_name(&db.store).await.as_deref(), Some("Seeded once"));
                            set_society_name(&db.store, &format!("thread {i}")).await.unwrap();
                        }
                        dbs.len()
                    })
                })
            })
            .collect();
        let engines: Vec<usize> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(engines.iter().all(|&n| n == engines[0]));
        assert_eq!(SEEDS.load(Ordering::SeqCst), engines[0] as u32);
    }

    #[tokio::test]
    async fn a_failed_seed_is_tried_again_by_the_next_test() {
        let fail = |_: Store, _: String| async { Err::<(), _>("no luck") };
        let err = TestDatabase::sqlite_from_template("testing::retry", fail).await.err().unwrap();
        assert!(err.to_string().contains("no luck"), "{err}");
        let db = TestDatabase::sqlite_from_template("testing::retry", |store: Store, _: String| async move {
            set_society_name(&store, "Second try").await
        })
        .await
        .unwrap();
        assert_eq!(society_name(&db.store).await.as_deref(), Some("Second try"));
    }
}
