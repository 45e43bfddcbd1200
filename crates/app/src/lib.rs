//! Guildhall's use cases. Handlers (web, API, CLI) call these; each checks permission
//! through [`authz`], validates through the domain crate, and reads and writes through
//! the store. No HTTP and no SQL here.

pub mod accounts;
pub mod admin;
pub mod authz;
pub mod chapters;
pub mod config;
pub mod crypto;
pub mod demo;
mod demo_members;
pub mod error;
pub mod mail;
pub mod member_import;
pub mod membership;
pub mod profile;
pub mod reports;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use guildhall_store::{ConnectOptions, NewAuditEntry, Store};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tokio::sync::RwLock;

pub use authz::{Actor, Permission};
pub use config::Settings;
pub use error::{AppError, AppResult};

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
}

/// The application: configuration, storage, mail, clock. Shared by every request.
pub struct App {
    pub store: Store,
    pub settings: Settings,
    pub clock: Clock,
    mailer: mail::Mailer,
    branding: RwLock<(Instant, Branding)>,
}

/// How long a node trusts its copy of the branding before reading it again.
const BRANDING_TTL: Duration = Duration::from_secs(15);

impl App {
    /// Connects to the configured database and applies pending migrations.
    pub async fn start(settings: Settings) -> AppResult<Arc<App>> {
        let options = ConnectOptions { max_connections: settings.database.max_connections, ..Default::default() };
        let store = Store::connect(&settings.database.url, &options).await?;
        store.migrate().await?;
        Self::with_store(settings, store).await
    }

    pub async fn with_store(settings: Settings, store: Store) -> AppResult<Arc<App>> {
        let mailer = mail::Mailer::from_settings(&settings.mail)?;
        let branding = Branding {
            name: settings.society.name.clone(),
            tagline: settings.society.tagline.clone(),
            primary_colour: settings.society.primary_colour.clone(),
            logo_url: settings.society.logo_url.clone(),
        };
        let app =
            App { store, settings, clock: Clock::default(), mailer, branding: RwLock::new((Instant::now(), branding)) };
        app.refresh_branding().await?;
        Ok(Arc::new(app))
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
