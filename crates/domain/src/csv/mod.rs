//! File formats the society exchanges with other systems.
//!
//! Files: `members.rs` (the member CSV: parse, validate, write, column mappings for other
//! systems' exports), `attendance.rs` (webinar attendance files), `salary.rs` (the salary
//! survey's import: all rows or none).

pub mod attendance;
pub mod members;
pub mod salary;
