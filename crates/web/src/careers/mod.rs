//! The career centre's pages and API (issue 15; docs/design/careers-plan.md).
//!
//! Files: `mod.rs` (this map), `salary.rs` (the salary survey, the benchmark with its CSV,
//! you vs peers, the estimate, staff's survey administration), `api_salary.rs` (the
//! benchmark's JSON API).

pub mod api_salary;
pub mod salary;
