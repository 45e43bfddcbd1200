//! File formats the society exchanges with other systems.
//!
//! Files: `members.rs` (the member CSV: parse, validate, write, column mappings for other
//! systems' exports).

pub mod attendance;
pub mod members;
