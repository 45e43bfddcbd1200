//! Guildhall's verifiable credentials, as pure functions: no I/O, no clock of its own.
//!
//! - `keys.rs`: the society's Ed25519 signing keys, its `did:web` identifier and DID document.
//! - `credential.rs`: an Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0) built
//!   from what the society certifies.
//! - `canon.rs`: RDF Dataset Canonicalization (RDFC-1.0) of a credential's JSON-LD, with the
//!   context documents embedded at build time (`build.rs`), nothing fetched at run time.
//! - `integrity.rs`: the Data Integrity proof (`eddsa-rdfc-2022`), signing and checking.
//! - `jwt.rs`: the VC-JWT proof (`alg: EdDSA`), signing and checking.
//! - `status.rs`: Bitstring Status Lists (revocation and suspension), encoded as the
//!   specification says (bit 0 the most significant bit of byte 0, GZIP, multibase base64url).
//! - `baked.rs`: badge pictures (SVG) carrying their credential.
//! - `verify.rs`: a presented credential in, a verdict out (signature, dates); the
//!   caller adds what only the issuer's records know (revoked, suspended).

pub mod baked;
pub mod canon;
pub mod credential;
pub mod integrity;
pub mod jwt;
pub mod keys;
pub mod status;
pub mod verify;

pub use credential::{
    Achievement, CredentialDraft, CredentialKind, Evidence, Issuer, StatusEntry, StatusPurpose, Subject,
    SubjectIdentity,
};
pub use keys::{IssuerKey, PublicKey, did_document, did_web};
pub use status::StatusList;
pub use verify::{Presented, Proof, Verdict};

/// What can go wrong building or reading a credential.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("the key is not a valid Ed25519 key")]
    BadKey,
    #[error("the public URL is not an http(s) URL: {0}")]
    BadUrl(String),
    #[error("signing failed: {0}")]
    Signing(String),
    #[error("the status list is not valid: {0}")]
    BadStatusList(String),
}
