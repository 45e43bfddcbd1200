//! Credentials' rows: the society's signing keys and the credentials it issued.

use guildhall_domain::credentials::{CredentialKind, CredentialStatus, StatusPurpose};
use guildhall_domain::membership::Standing;
use serde::Serialize;

use crate::UnixTime;

/// One of the society's signing keys; the secret half sealed, never in the clear here.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssuerKeyRecord {
    pub id: i64,
    /// Its name in the DID document (`key-1`).
    pub fragment: String,
    /// The Ed25519 public key, URL-safe base64.
    pub public_key: String,
    /// The secret key sealed under the key-encryption key (`crypto.rs` in app).
    pub sealed_secret: String,
    pub created_at: UnixTime,
    /// When a newer key took over; `None` for the current key.
    pub retired_at: Option<UnixTime>,
}

/// A credential as issued, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CredentialRecord {
    pub id: i64,
    /// `urn:uuid:…`, the credential's own id; its last part is the share link.
    pub uuid: String,
    pub member_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: CredentialKind,
    /// What it was issued for (`registration:12`, `term:5`, …): one per member and kind.
    pub source: String,
    /// The achievement's name.
    pub name: String,
    /// The credential as JSON-LD, without a proof.
    pub document: String,
    /// The VC-JWT.
    pub jwt: String,
    /// The JSON-LD with a Data Integrity proof (`eddsa-rdfc-2022`).
    pub integrity: Option<String>,
    pub key_fragment: String,
    #[sqlx(try_from = "String")]
    pub status_purpose: StatusPurpose,
    pub status_index: i64,
    #[sqlx(try_from = "String")]
    pub status: CredentialStatus,
    pub status_reason: String,
    pub status_changed_at: Option<UnixTime>,
    /// Suspended by the standing refresh rather than by staff.
    pub status_automatic: bool,
    pub valid_from: UnixTime,
    pub valid_until: Option<UnixTime>,
    pub issued_at: UnixTime,
    pub issued_by: Option<i64>,
}

/// A credential about to be stored (signed already: its status position is in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub uuid: String,
    pub member_id: i64,
    pub kind: CredentialKind,
    pub source: String,
    pub name: String,
    pub document: String,
    pub jwt: String,
    pub integrity: Option<String>,
    pub key_fragment: String,
    pub status_purpose: StatusPurpose,
    pub status_index: i64,
    pub valid_from: UnixTime,
    pub valid_until: Option<UnixTime>,
    pub issued_at: UnixTime,
    pub issued_by: Option<i64>,
}

/// What a credential says about its holder, read from the member record when issuing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CredentialHolder {
    pub member_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// The decentralised identifier the member chose to be named by, if any.
    pub subject_did: Option<String>,
}

/// A membership credential and where its holder's membership stands today.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MembershipCredentialState {
    pub credential_id: i64,
    pub member_id: i64,
    #[sqlx(try_from = "String")]
    pub status: CredentialStatus,
    pub status_automatic: bool,
    /// The member's standing as last computed.
    #[sqlx(try_from = "String")]
    pub standing: Standing,
}

/// Staff's filters on the list of credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialFilter {
    pub member_id: Option<i64>,
    pub kind: Option<CredentialKind>,
    pub status: Option<CredentialStatus>,
}
