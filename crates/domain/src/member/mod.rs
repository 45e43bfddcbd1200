//! The vocabulary for describing a member that every area shares: the kinds of credential
//! a member holds, licence kinds and jurisdictions, career stages.
//!
//! Files: `mod.rs` (this map), `credential.rs` (licence or certification), `licence.rs`
//! (licence kinds and jurisdictions). Career stages live with the tier rules that read them
//! (`membership::tier`) and are re-exported here.

mod credential;
mod licence;

pub use crate::membership::{CareerStage, CareerStages};
pub use credential::CredentialSource;
pub use licence::{JURISDICTION_HINT, JURISDICTIONS, Jurisdiction, KIND_HINT, LicenceKind, already_held, same_licence};
