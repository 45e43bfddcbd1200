//! Accounts' rows: users, sessions, email tokens, API tokens.

use serde::Serialize;

use crate::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<UnixTime>,
    pub disabled_at: Option<UnixTime>,
    pub created_at: UnixTime,
    /// When two-factor sign-in was turned on; `None` while it is off.
    pub two_factor_enabled_at: Option<UnixTime>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<UnixTime>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub ip: String,
    pub user_agent: String,
}

/// A single-use token sent by email (verification or password reset).
#[derive(Debug, Clone)]
pub struct NewEmailToken {
    pub token_hash: String,
    pub user_id: i64,
    pub purpose: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    /// The event a guest's registration link is for.
    pub event_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ApiTokenRecord {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: String,
    pub name: String,
    pub user_id: i64,
    pub role: String,
    pub chapter_id: Option<i64>,
    pub created_at: UnixTime,
    pub expires_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
    pub last_used_at: Option<UnixTime>,
    /// An employer's token: it acts only as this employer's recruiter on the jobs API.
    pub employer_id: Option<i64>,
}

/// An employer's API token and the owner it acts for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EmployerTokenRecord {
    #[sqlx(flatten)]
    pub token: ApiTokenRecord,
    pub issued_by: String,
}

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token_hash: String,
    pub name: String,
    pub user_id: i64,
    pub role: String,
    pub chapter_id: Option<i64>,
    pub expires_at: Option<UnixTime>,
    pub employer_id: Option<i64>,
}

/// Sessions last used at or before these instants have ended for being idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleCutoff {
    pub member: UnixTime,
    /// For staff and administrators.
    pub staff: UnixTime,
}

/// An account's authenticator secret (base32) and the last time step a code was accepted for.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TwoFactorSecret {
    pub user_id: i64,
    pub secret: String,
    pub last_used_step: i64,
    pub created_at: UnixTime,
}

impl std::fmt::Debug for TwoFactorSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactorSecret")
            .field("user_id", &self.user_id)
            .field("secret", &"(hidden)")
            .field("last_used_step", &self.last_used_step)
            .finish()
    }
}
