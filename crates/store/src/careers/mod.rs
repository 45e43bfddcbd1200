//! The career centre's storage (issue 15; docs/design/careers-plan.md).
//!
//! Files: `mod.rs` (this map), `salary.rs` (the salary survey: surveys, responses, the
//! import, employer names, the release and its cells), `records_salary.rs` (its rows).

pub mod records_salary;
pub mod salary;
