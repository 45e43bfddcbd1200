//! Guildhall's use cases. Handlers (web, API, CLI) call these; each checks permission
//! through [`authz`], validates through the domain crate, and reads and writes through
//! the store. No HTTP and no SQL here.

pub mod accounts;
pub mod authz;
pub mod careers;
pub mod ce;
pub mod chapters;
pub mod communications;
pub mod config;
pub mod credentials;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod events;
pub mod idempotency;
mod kept;
pub mod knowledge;
pub mod mail;
pub mod membership;
mod pdf;
pub mod privacy;
pub mod publications;
pub mod society;
pub mod uploads;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use guildhall_store::{ConnectOptions, NewAuditEntry, Store};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tokio::sync::RwLock;

pub use authz::{Actor, EmployerRole, Permission};
pub use config::Settings;
pub use error::{AppError, AppResult};
pub use guildhall_store::{HealthProblem, IdempotencyClaim};

/// The time, shiftable in tests (to expire tokens without waiting).
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    pub fn today(&self) -> Date {
        self.now().date()
    }

    /// Moves this clock forward (tests only need this; production never calls it).
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

/// What the society looks like on every page: name, tagline, colour, logo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Branding {
    pub name: String,
    pub tagline: String,
    pub primary_colour: String,
    pub logo_url: String,
    /// ISO 4217 code of the society's currency (`society.currency`).
    pub currency: String,
}

/// The application: configuration, storage, mail, clock. Shared by every request.
pub struct App {
    store: Store,
    pub settings: Settings,
    pub clock: Clock,
    mailer: mail::Mailer,
    branding: RwLock<(Instant, Branding)>,
    /// Tiers and chapters, read on nearly every page and rarely changed.
    reference: RwLock<(Instant, Arc<Reference>)>,
    /// Member directory result pages, kept briefly (see `membership::DIRECTORY_TTL`).
    pub(crate) directory_pages: std::sync::Mutex<membership::DirectoryPages>,
    /// Public events listing pages, kept briefly (see `events::EVENT_PAGES_TTL`).
    pub(crate) event_pages: std::sync::Mutex<events::EventPages>,
    /// Knowledge-base article pages, kept briefly (see `knowledge::ARTICLE_TTL`).
    pub(crate) article_pages: std::sync::Mutex<knowledge::ArticlePages>,
    /// Search result pages and subject lists, kept briefly (see `knowledge::SEARCH_TTL`).
    pub(crate) search_pages: std::sync::Mutex<knowledge::SearchPages>,
    pub(crate) subject_lists: std::sync::Mutex<knowledge::SubjectLists>,
    /// The staff overview's counts, kept per node for [`society::STAFF_FIGURES_TTL`].
    pub(crate) staff_figures: std::sync::Mutex<society::KeptStaffFigures>,
    /// Held by the one request reading the staff overview's counts again.
    pub(crate) staff_figures_reading: tokio::sync::Mutex<()>,
    /// The live jobs the job search reads, kept per node (see `careers::LIVE_JOBS_TTL`).
    pub(crate) live_jobs: Arc<careers::KeptLiveJobs>,
    /// The key that seals the society's signing keys, read once.
    issuer_kek: std::sync::OnceLock<[u8; 32]>,
    /// The signing keys as this node knows them (see `credentials::keys`).
    issuing: RwLock<Option<(Instant, Arc<credentials::keys::Issuing>)>>,
    /// Status list credentials as last signed, per purpose.
    status_lists: RwLock<std::collections::HashMap<guildhall_domain::credentials::StatusPurpose, (Instant, String)>>,
    /// The CE rule book: repository rule files plus staff-defined programmes.
    rule_book: std::sync::RwLock<Arc<guildhall_ce::RuleBook>>,
}

/// How long a node trusts its copy of the branding before reading it again.
const BRANDING_TTL: Duration = Duration::from_secs(15);

/// The society's tiers and chapters as of a moment: a per-node copy, re-read every
/// [`BRANDING_TTL`] and at once when an id is not found in it (so additions are never
/// missed); a node that changes a tier or chapter calls [`App::refresh_reference`].
#[derive(Debug, Default)]
pub struct Reference {
    pub tiers: Vec<guildhall_store::TierRecord>,
    pub chapters: Vec<guildhall_store::ChapterRecord>,
}

impl Reference {
    pub fn tier(&self, id: i64) -> Option<&guildhall_store::TierRecord> {
        self.tiers.iter().find(|t| t.id == id)
    }

    pub fn chapter(&self, id: i64) -> Option<&guildhall_store::ChapterRecord> {
        self.chapters.iter().find(|c| c.id == id)
    }
}

impl App {
    /// Connects to the configured database and applies pending migrations.
    pub async fn start(settings: Settings) -> AppResult<Arc<App>> {
        let options = ConnectOptions { max_connections: settings.database.max_connections, ..Default::default() };
        let store = Store::connect(&settings.database.url, &options).await?;
        store.migrate().await?;
        // A database that answers reads but refuses writes (a read-only file, a full
        // disk) would let the server start and then fail every sign-in: refuse to start.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        store.check_read_and_write(now).await.map_err(|problem| {
            AppError::Internal(format!(
                "{problem}. Guildhall needs to write to {}: check the file's permissions, the disk's free space \
                 and the database user's rights.",
                guildhall_store::redact_url(&settings.database.url)
            ))
        })?;
        let app = Self::with_store(settings, store).await?;
        // The first start makes the society's signing key; every start checks it opens.
        app.ensure_issuer_key().await?;
        Ok(app)
    }

    /// Opens the society's database for reading only, without migrating it (`guildhall
    /// export`): nothing the command does can change it.
    pub async fn open_read_only(settings: Settings) -> AppResult<Arc<App>> {
        let options = ConnectOptions {
            max_connections: settings.database.max_connections,
            read_only: true,
            ..Default::default()
        };
        let store = Store::connect(&settings.database.url, &options).await?;
        Self::with_store(settings, store).await
    }

    pub async fn with_store(settings: Settings, store: Store) -> AppResult<Arc<App>> {
        let mailer = mail::Mailer::from_settings(&settings.mail)?;
        membership::payments::provider_for(&settings.payments)?;
        // Membership settings are checked at start, not at the first renewal.
        membership::term_policy(&settings.membership)?;
        membership::household_policy(&settings.membership)?;
        if let Err(problem) = guildhall_domain::membership::currency_code(&settings.society.currency) {
            return Err(AppError::Internal(format!("society.currency: {problem}")));
        }
        if settings.membership.organisation_base_dues_cents < 0 {
            return Err(AppError::Internal("membership.organisation_base_dues_cents must not be negative".into()));
        }
        let branding = Branding {
            name: settings.society.name.clone(),
            tagline: settings.society.tagline.clone(),
            primary_colour: settings.society.primary_colour.clone(),
            logo_url: settings.society.logo_url.clone(),
            currency: settings.society.currency.clone(),
        };
        let rule_book = std::sync::RwLock::new(Arc::new(ce::load_rule_book(&store).await?));
        let app = App {
            store,
            settings,
            clock: Clock::default(),
            mailer,
            branding: RwLock::new((Instant::now(), branding)),
            reference: RwLock::new((Instant::now(), Arc::new(Reference::default()))),
            directory_pages: std::sync::Mutex::new(membership::DirectoryPages::new(membership::DIRECTORY_TTL)),
            event_pages: std::sync::Mutex::new(events::EventPages::new(events::EVENT_PAGES_TTL)),
            article_pages: std::sync::Mutex::new(knowledge::ArticlePages::new(knowledge::ARTICLE_TTL)),
            search_pages: std::sync::Mutex::new(knowledge::SearchPages::new(knowledge::SEARCH_TTL)),
            subject_lists: std::sync::Mutex::new(knowledge::SubjectLists::new(knowledge::SEARCH_TTL)),
            staff_figures: std::sync::Mutex::default(),
            staff_figures_reading: tokio::sync::Mutex::new(()),
            live_jobs: Arc::default(),
            issuer_kek: std::sync::OnceLock::new(),
            issuing: RwLock::new(None),
            status_lists: RwLock::new(std::collections::HashMap::new()),
            rule_book,
        };
        app.refresh_reference().await?;
        app.refresh_branding().await?;
        Ok(Arc::new(app))
    }

    /// The ISO 4217 code of the society's currency, which every amount in cents is in.
    pub async fn currency(&self) -> String {
        self.branding().await.currency
    }

    /// The branding, re-read from the database at most every few seconds so that every
    /// node of a cluster follows a change.
    pub async fn branding(&self) -> Branding {
        {
            let cached = self.branding.read().await;
            if cached.0.elapsed() < BRANDING_TTL {
                return cached.1.clone();
            }
        }
        if let Err(err) = self.refresh_branding().await {
            tracing::warn!(error = %err, "could not refresh branding; keeping the last one");
        }
        self.branding.read().await.1.clone()
    }

    /// Tiers and chapters (see [`Reference`]).
    pub async fn reference(&self) -> AppResult<Arc<Reference>> {
        {
            let cached = self.reference.read().await;
            if cached.0.elapsed() < BRANDING_TTL {
                return Ok(Arc::clone(&cached.1));
            }
        }
        self.refresh_reference().await
    }

    /// Re-reads tiers and chapters now.
    pub async fn refresh_reference(&self) -> AppResult<Arc<Reference>> {
        let fresh =
            Arc::new(Reference { tiers: self.store.list_tiers().await?, chapters: self.store.list_chapters().await? });
        *self.reference.write().await = (Instant::now(), Arc::clone(&fresh));
        Ok(fresh)
    }

    /// A tier by id, re-reading the reference data once if this node has not seen it yet.
    pub async fn tier_by_id(&self, id: i64) -> AppResult<Option<guildhall_store::TierRecord>> {
        if let Some(t) = self.reference().await?.tier(id) {
            return Ok(Some(t.clone()));
        }
        Ok(self.refresh_reference().await?.tier(id).cloned())
    }

    /// A chapter by id, re-reading the reference data once if this node has not seen it yet.
    pub async fn chapter_by_id(&self, id: i64) -> AppResult<Option<guildhall_store::ChapterRecord>> {
        if let Some(c) = self.reference().await?.chapter(id) {
            return Ok(Some(c.clone()));
        }
        Ok(self.refresh_reference().await?.chapter(id).cloned())
    }

    /// Re-reads the branding now (after this node changed it).
    pub async fn refresh_branding_now(&self) -> AppResult<()> {
        self.refresh_branding().await
    }

    async fn refresh_branding(&self) -> AppResult<()> {
        let saved = self.store.society_settings().await?;
        let defaults = &self.settings.society;
        let pick = |key: &str, default: &str| saved.get(key).cloned().unwrap_or_else(|| default.to_string());
        let branding = Branding {
            name: pick("name", &defaults.name),
            tagline: pick("tagline", &defaults.tagline),
            primary_colour: pick("primary_colour", &defaults.primary_colour),
            logo_url: pick("logo_url", &defaults.logo_url),
            currency: pick("currency", &defaults.currency),
        };
        *self.branding.write().await = (Instant::now(), branding);
        Ok(())
    }

    /// An audit entry stamped with the actor and the time; callers fill in the rest.
    pub fn audit_entry(&self, actor: &Actor, action: &str, subject_kind: &str, request_id: &str) -> NewAuditEntry {
        NewAuditEntry {
            occurred_at: self.clock.unix(),
            actor_user_id: Some(actor.user_id),
            actor_label: actor.label(),
            action: action.into(),
            subject_kind: subject_kind.into(),
            request_id: request_id.into(),
            ..Default::default()
        }
    }

    /// A cheap round trip to the database, for health checks.
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// The health check behind `/healthz` and `/readyz`: a real read and a real write.
    pub async fn health(&self) -> Result<(), HealthProblem> {
        self.store.check_read_and_write(self.clock.unix()).await
    }

    /// Which engine the society's database runs on.
    pub fn engine_kind(&self) -> guildhall_store::EngineKind {
        self.store.kind()
    }

    /// Forgets expired sessions, email tokens and sign-in attempts (the hourly job).
    pub async fn purge_expired(&self) -> AppResult<u64> {
        Ok(self.store.purge_expired(self.clock.unix()).await?)
    }

    /// An absolute link into the site, for emails.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.settings.server.public_url.trim_end_matches('/'), path)
    }
}

/// The record types use cases return, re-exported so the web layer needs no storage crate.
pub mod records {
    pub use guildhall_store::records::*;
    pub use guildhall_store::{MemberProfile, PendingApplication};
}
