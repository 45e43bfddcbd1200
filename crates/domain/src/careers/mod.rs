//! The career centre's rules (issue 15; built piece by piece, see docs/design/careers-plan.md).
//!
//! Files: `mod.rs` (this map), `matching.rs` (whether a member's licences and certifications
//! meet a job's requirements: held, held elsewhere and recognised by comity, expired or
//! missing, required or only preferred).

mod matching;

pub use matching::{
    Assessment, Comity, ComityRule, HeldCertification, HeldLicence, Met, Need, Requirement, Verdict, Wanted, assess,
};
