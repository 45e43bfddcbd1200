//! Typed, layered configuration: built-in defaults, then a TOML file, then environment
//! variables (`GUILDHALL_SECTION__KEY`, and plain `DATABASE_URL`). Unknown keys are refused.
//! Other `GUILDHALL_*` variables without a section (`GUILDHALL_CONFIG`, test switches)
//! are not configuration and are left alone.
//!
//! Secrets (the SMTP password, the payment webhook secret) are held as [`SecretString`],
//! read with [`ExposeSecret::expose_secret`] where they are used, and never shown by
//! `Debug`: it prints `"***"` for a secret that is set (`""` for an empty one) and the
//! database URL with its password hidden, so `{:?}` of any settings is safe to log.

use std::fmt;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use guildhall_store::redact_url;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

/// Not `PartialEq`: settings hold secrets, which are not compared with `==`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub security: SecuritySettings,
    pub society: SocietyDefaults,
    pub membership: MembershipSettings,
    pub ce: CeSettings,
    pub events: EventsSettings,
    pub payments: PaymentSettings,
    pub privacy: PrivacySettings,
    pub credentials: CredentialsSettings,
}

/// Members' rights over their data: how long the society keeps what it holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// Former members (lapsed, cancelled or rejected) longer ago than this many years are
    /// erased by the daily job, as if they had asked; 0 keeps them.
    pub retention_years: u16,
    /// Accounts whose email was never confirmed (and that have no member record) are deleted
    /// this many days after they were made; 0 keeps them.
    pub unconfirmed_sign_up_days: u16,
    /// Erased members' invoices, payments and refunds are kept, without identity, this many
    /// years after they were issued (what the law asks of the books); then they go.
    pub keep_financial_years: u16,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self { retention_years: 0, unconfirmed_sign_up_days: 30, keep_financial_years: 7 }
    }
}

/// Card payments: which provider takes them and how its webhooks are authenticated.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentSettings {
    /// The payment provider: "test" (built in: no card is charged, payments are recorded at once).
    pub provider: String,
    /// The secret the provider signs webhook requests with (HMAC-SHA256 of the raw body),
    /// at least 32 characters; empty turns the webhook off.
    #[serde(serialize_with = "serialize_secret")]
    pub webhook_secret: SecretString,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        Self { provider: "test".into(), webhook_secret: SecretString::default() }
    }
}

impl fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out unnoticed.
        let Self { provider, webhook_secret } = self;
        f.debug_struct("PaymentSettings")
            .field("provider", provider)
            .field("webhook_secret", &Redacted(webhook_secret))
            .finish()
    }
}

/// Continuing education: reminders and evidence files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CeSettings {
    /// While a licence or certification is short of credit, its holder is reminded this many
    /// days before the period ends (each once per period).
    pub reminder_days_before: Vec<u16>,
    /// Evidence files are kept at least this many years after the activity (boards ask for
    /// three to five; the audit packet states the date).
    pub evidence_retention_years: u16,
    /// Largest evidence file a member may upload, in MiB.
    pub max_evidence_mib: u16,
}

impl Default for CeSettings {
    fn default() -> Self {
        Self { reminder_days_before: vec![90, 30, 7], evidence_retention_years: 6, max_evidence_mib: 10 }
    }
}

/// Verifiable credentials: where the key that seals the society's signing keys is kept.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CredentialsSettings {
    /// The key-encryption key, 32 bytes in URL-safe base64: give every node of a cluster
    /// the same one (`GUILDHALL_CREDENTIALS__KEY_SECRET`). When empty, `key_file` is used.
    #[serde(serialize_with = "serialize_secret")]
    pub key_secret: SecretString,
    /// Where the key-encryption key is kept when `key_secret` is empty: created on first
    /// start, readable by the server's user alone (Guildhall refuses to start otherwise).
    /// Empty means `issuer-key.secret` beside the SQLite database file (or in `data/`).
    pub key_file: String,
    /// How long a published status list stays valid (hours); verifiers fetch it again after.
    pub status_list_hours: u16,
}

impl Default for CredentialsSettings {
    fn default() -> Self {
        Self { key_secret: SecretString::default(), key_file: String::new(), status_list_hours: 24 }
    }
}

impl fmt::Debug for CredentialsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out unnoticed.
        let Self { key_secret, key_file, status_list_hours } = self;
        f.debug_struct("CredentialsSettings")
            .field("key_secret", &Redacted(key_secret))
            .field("key_file", key_file)
            .field("status_list_hours", status_list_hours)
            .finish()
    }
}

/// Events and their registrations.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EventsSettings {
    /// A seat freed for the next person on a waitlist is held for them this many hours;
    /// then it passes to the next.
    pub offer_hours: u16,
    /// The time zone a new event's form starts with (an IANA name); each event has its own.
    pub time_zone: String,
    /// The society as boards know it as a provider of PDH (name and provider number), which a
    /// new event's form starts with and certificates print.
    pub provider: String,
}

impl Default for EventsSettings {
    fn default() -> Self {
        Self {
            offer_hours: guildhall_domain::events::DEFAULT_OFFER_HOURS,
            time_zone: "America/New_York".into(),
            provider: String::new(),
        }
    }
}

/// How membership terms run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MembershipSettings {
    /// "anniversary" (a year from joining, rolling) or "calendar" (January to December).
    pub term_kind: String,
    /// The renewal window opens this many days before a membership expires.
    pub renewal_window_days: u16,
    /// Days after expiry during which a member still counts as one, before lapsing.
    pub grace_days: u16,
    /// What each additional person in a household adds to the payer's dues: "50%" (of the
    /// payer's dues), a fixed annual amount in cents ("2500"), or "free".
    pub household_additional_person: String,
    /// The most people one payer may add to their household.
    pub household_max_additional_people: u16,
    /// An organisation's annual fee on top of its seats (cents); each seat pays the
    /// organisation record's tier dues and home-chapter supplement.
    pub organisation_base_dues_cents: i64,
    /// The society's postal address and details (registration or tax number) printed under
    /// its name on every receipt, one line per line ("\n" between them).
    pub receipt_details: String,
}

impl Default for MembershipSettings {
    fn default() -> Self {
        Self {
            term_kind: "anniversary".into(),
            renewal_window_days: 60,
            grace_days: 30,
            household_additional_person: "50%".into(),
            household_max_additional_people: 4,
            organisation_base_dues_cents: 0,
            receipt_details: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address and port to listen on.
    pub bind: String,
    /// The address people reach the site at; used in emailed links. An https:// URL
    /// also marks cookies Secure.
    pub public_url: String,
    /// Trust `X-Forwarded-For` for the client address (only behind your own proxy).
    pub trust_proxy_headers: bool,
    /// Run the mail and housekeeping jobs on this node (turn off on extra replicas).
    pub run_jobs: bool,
    /// A client must send a request's headers within this many seconds of starting it
    /// (or of the previous response on a kept-alive connection), else it is closed.
    pub header_read_timeout_secs: u64,
    /// A request's body must arrive within this many seconds, else it is answered 408.
    pub body_read_timeout_secs: u64,
}

/// `Debug` shows the URL with any password hidden (the URL itself is needed in the clear
/// to connect, and the rest of it says which database is in use).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite:PATH` (the default, created on first start) or `postgres://USER@HOST/DB`.
    pub url: String,
    pub max_connections: u32,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out unnoticed.
        let Self { url, max_connections } = self;
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(url))
            .field("max_connections", max_connections)
            .finish()
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// Sender address on every message.
    pub from: String,
    /// SMTP relay host; empty means mail goes to the local mailbox staff can read.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_username: String,
    #[serde(serialize_with = "serialize_secret")]
    pub smtp_password: SecretString,
    /// "starttls" (default), "tls" or "none" (only for a relay on localhost).
    pub smtp_security: String,
    /// The mailbox bounces come back to, e.g. `bounces@mail.society.org`: each message goes
    /// out with the return path `bounces+TOKEN@mail.society.org` naming it (VERP). Empty: the
    /// sender address is the return path and bounces cannot be matched to a message.
    pub bounce_address: String,
    /// The shared secret `POST /mail/bounces` must carry (`Authorization: Bearer …`); empty
    /// turns that endpoint off (`guildhall mail bounces` still reads a mailbox).
    #[serde(serialize_with = "serialize_secret")]
    pub bounce_secret: SecretString,
    /// The bounce score at which bulk mail to an address is suspended (a hard bounce counts
    /// 1, a soft one 0.5, at most one a day).
    pub bounce_threshold: f64,
    /// Bulk messages sent at most per minute and per hour through the main relay, in a
    /// sliding window over every node's sends (0: no limit). Transactional mail is never held.
    pub bulk_per_minute: u32,
    pub bulk_per_hour: u32,
    /// A second relay for bulk mail (campaigns, automated series), with limits of its own;
    /// empty `smtp_host`: bulk mail goes through the main relay.
    pub bulk_relay: BulkRelaySettings,
    /// Open and click tracking of campaign messages (off by default): each message's HTML
    /// part carries a 1×1 image and its links go through `/mail/click/…`, and a campaign's
    /// report counts who opened it and who followed a link. The privacy page says so while
    /// it is on. Test sends and transactional mail are never tracked.
    pub tracking: bool,
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out unnoticed.
        let Self {
            from,
            smtp_host,
            smtp_port,
            smtp_username,
            smtp_password,
            smtp_security,
            bounce_address,
            bounce_secret,
            bounce_threshold,
            bulk_per_minute,
            bulk_per_hour,
            bulk_relay,
            tracking,
        } = self;
        f.debug_struct("MailSettings")
            .field("from", from)
            .field("smtp_host", smtp_host)
            .field("smtp_port", smtp_port)
            .field("smtp_username", smtp_username)
            .field("smtp_password", &Redacted(smtp_password))
            .field("smtp_security", smtp_security)
            .field("bounce_address", bounce_address)
            .field("bounce_secret", &Redacted(bounce_secret))
            .field("bounce_threshold", bounce_threshold)
            .field("bulk_per_minute", bulk_per_minute)
            .field("bulk_per_hour", bulk_per_hour)
            .field("bulk_relay", bulk_relay)
            .field("tracking", tracking)
            .finish()
    }
}

/// The relay bulk mail goes through when the society keeps it apart from transactional
/// mail (a bulk-sending service beside its own server), with that relay's limits.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BulkRelaySettings {
    /// Empty: bulk mail goes through the main relay (`mail.smtp_host`).
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_username: String,
    #[serde(serialize_with = "serialize_secret")]
    pub smtp_password: SecretString,
    /// "starttls" (default), "tls" or "none".
    pub smtp_security: String,
    /// Messages at most per minute and per hour through this relay, in a sliding window
    /// over every node's sends (0: no limit).
    pub per_minute: u32,
    pub per_hour: u32,
}

impl Default for BulkRelaySettings {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_username: String::new(),
            smtp_password: SecretString::default(),
            smtp_security: "starttls".into(),
            per_minute: 0,
            per_hour: 0,
        }
    }
}

impl fmt::Debug for BulkRelaySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { smtp_host, smtp_port, smtp_username, smtp_password, smtp_security, per_minute, per_hour } = self;
        f.debug_struct("BulkRelaySettings")
            .field("smtp_host", smtp_host)
            .field("smtp_port", smtp_port)
            .field("smtp_username", smtp_username)
            .field("smtp_password", &Redacted(smtp_password))
            .field("smtp_security", smtp_security)
            .field("per_minute", per_minute)
            .field("per_hour", per_hour)
            .finish()
    }
}

/// Debug-formats a secret as `"***"` when it is set and `""` when it is empty: whether it
/// is configured, never what it is.
struct Redacted<'a>(&'a SecretString);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.0.expose_secret().is_empty() { "" } else { "***" };
        fmt::Debug::fmt(shown, f)
    }
}

/// Serializes a secret in the clear (`SecretString` is deliberately not `Serialize`).
/// Settings are serialized for figment's defaults layer and `guildhall config example`,
/// both from `Settings::default()`, whose secrets are empty.
fn serialize_secret<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    pub session_days: i64,
    pub verify_link_hours: i64,
    pub reset_link_minutes: i64,
    /// Sign-in attempts allowed within the window for one account from one address, and
    /// from one address for any accounts; more are refused until the window ends.
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub failure_window_minutes: i64,
    /// Beyond `max_failures_per_account` attempts on an account from all addresses
    /// together, each attempt waits this long per extra attempt (at most ten times):
    /// the account is slowed, never locked, so its owner can still sign in.
    pub slowdown_ms_per_failure: u64,
    /// A staff or administrator session unused for this many minutes ends (0: never).
    pub staff_idle_minutes: i64,
    /// A member's session unused for this many minutes ends (0: never, the default:
    /// members' sessions last their full `session_days`).
    pub member_idle_minutes: i64,
    /// Staff and administrators must sign in with a second factor (an authenticator app's
    /// code or a recovery code). On by default; `serve --demo` turns it off.
    pub require_two_factor_for_staff: bool,
}

/// Branding used until staff change it in the admin settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SocietyDefaults {
    pub name: String,
    pub tagline: String,
    pub primary_colour: String,
    pub logo_url: String,
    /// ISO 4217 code of the currency dues and payments are in.
    pub currency: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            trust_proxy_headers: false,
            run_jobs: true,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self { url: "sqlite:data/guildhall.db".into(), max_connections: 16 }
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: "Guildhall <no-reply@guildhall.localhost>".into(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_username: String::new(),
            smtp_password: SecretString::default(),
            smtp_security: "starttls".into(),
            bounce_address: String::new(),
            bounce_secret: SecretString::default(),
            bounce_threshold: 5.0,
            bulk_per_minute: 0,
            bulk_per_hour: 0,
            bulk_relay: BulkRelaySettings::default(),
            tracking: false,
        }
    }
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            session_days: 14,
            verify_link_hours: 48,
            reset_link_minutes: 60,
            max_failures_per_account: 5,
            max_failures_per_address: 30,
            failure_window_minutes: 15,
            slowdown_ms_per_failure: 1_000,
            staff_idle_minutes: 120,
            member_idle_minutes: 0,
            require_two_factor_for_staff: true,
        }
    }
}

impl Default for SocietyDefaults {
    fn default() -> Self {
        Self {
            name: "Guildhall Society of Professional Engineers".into(),
            tagline: "Continuing education, credentials and community for engineers".into(),
            primary_colour: "#1d4e89".into(),
            logo_url: String::new(),
            currency: "USD".into(),
        }
    }
}

impl Settings {
    /// Defaults → `file` (if given; it must exist) → environment.
    pub fn load(file: Option<&Path>) -> Result<Self, String> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(format!("configuration file {} does not exist", file.display()));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment
            .merge(Env::prefixed("GUILDHALL_").filter(|key| key.as_str().contains("__")).split("__"))
            .merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database.url".into()));
        figment.extract().map_err(|e| format!("configuration error: {e}"))
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    /// The defaults as a commented TOML file, for `guildhall config example`.
    pub fn example_toml() -> String {
        let body = toml::to_string_pretty(&Settings::default()).unwrap_or_default();
        format!(
            "# Guildhall configuration. Every key is optional; these are the defaults.\n\
             # Environment variables override the file: GUILDHALL_SECTION__KEY (e.g. GUILDHALL_SERVER__BIND),\n\
             # and DATABASE_URL sets database.url.\n\n{body}"
        )
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn defaults_run_on_sqlite_on_localhost() {
        let settings = Settings::default();
        assert_eq!(settings.database.url, "sqlite:data/guildhall.db");
        assert_eq!(settings.server.bind, "127.0.0.1:8080");
        assert!(!settings.secure_cookies());
    }

    #[test]
    fn file_then_environment_override_defaults_and_unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("guildhall.toml", "[server]\npublic_url = \"https://members.example.org\"\n")?;
            let file = jail.directory().join("guildhall.toml");
            let settings = Settings::load(Some(&file)).map_err(figment::Error::from)?;
            assert!(settings.secure_cookies());
            assert_eq!(settings.server.bind, "127.0.0.1:8080");
            jail.set_env("DATABASE_URL", "postgres://pg@db/society");
            let settings = Settings::load(Some(&file)).map_err(figment::Error::from)?;
            assert_eq!(settings.database.url, "postgres://pg@db/society", "DATABASE_URL wins over the file");

            jail.create_file("guildhall.toml", "[server]\npublick_url = \"x\"\n")?;
            let err = Settings::load(Some(&file)).unwrap_err();
            assert!(err.contains("publick_url"), "{err}");
            assert!(Settings::load(Some(&jail.directory().join("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn only_section_variables_are_configuration() {
        let env = [
            ("GUILDHALL_CONFIG", "x.toml"),
            ("GUILDHALL_SERVER__BIND", "0.0.0.0:9000"),
            ("GUILDHALL_TEST_PG_REQUIRED", "1"),
        ];
        figment::Jail::expect_with(|jail| {
            for (key, value) in env {
                jail.set_env(key, value);
            }
            let settings = Settings::load(None).map_err(figment::Error::from)?;
            assert_eq!(settings.server.bind, "0.0.0.0:9000");
            jail.set_env("GUILDHALL_SERVER__BINDD", "x");
            assert!(Settings::load(None).unwrap_err().contains("bindd"));
            Ok(())
        });
    }

    #[test]
    fn example_file_parses_back_to_the_defaults() {
        let parsed: Settings = toml::from_str(&Settings::example_toml()).unwrap();
        let defaults = toml::to_string(&Settings::default()).unwrap();
        assert_eq!(toml::to_string(&parsed).unwrap(), defaults);
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut settings = Settings::default();
        settings.mail.smtp_password = "smtp-pass-5f2a".into();
        settings.payments.webhook_secret = "whsec-9c41d0e7b3a8f6e2d5c4b3a29180f7e6".into();
        settings.database.url = "postgres://guildhall:db-pass-7e31@db.internal/society".into();
        for shown in [format!("{settings:?}"), format!("{settings:#?}")] {
            for secret in ["smtp-pass-5f2a", "whsec-9c41d0e7b3a8f6e2d5c4b3a29180f7e6", "db-pass-7e31"] {
                assert!(!shown.contains(secret), "{secret} shown in {shown}");
            }
            // Still says which secrets are set and which database is used.
            assert!(shown.contains(r#"smtp_password: "***""#), "{shown}");
            assert!(shown.contains(r#"webhook_secret: "***""#), "{shown}");
            assert!(shown.contains("postgres://guildhall:***@db.internal/society"), "{shown}");
        }
        assert!(format!("{:?}", Settings::default()).contains(r#"smtp_password: """#), "empty shows as empty");
        // The secrets themselves are intact for the code that uses them.
        assert_eq!(settings.mail.smtp_password.expose_secret(), "smtp-pass-5f2a");
    }

    #[test]
    fn secrets_are_read_from_the_file_and_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("guildhall.toml", "[mail]\nsmtp_password = \"from-file\"\n")?;
            jail.set_env("GUILDHALL_PAYMENTS__WEBHOOK_SECRET", "from-environment");
            let settings =
                Settings::load(Some(&jail.directory().join("guildhall.toml"))).map_err(figment::Error::from)?;
            assert_eq!(settings.mail.smtp_password.expose_secret(), "from-file");
            assert_eq!(settings.payments.webhook_secret.expose_secret(), "from-environment");
            Ok(())
        });
    }
}
