//! The career centre's use cases (issue 15; docs/design/careers-plan.md).
//!
//! Files: `mod.rs` (this map), `salary.rs` (the salary survey: responding, staff's survey
//! administration and import, the release with the estimate's model, the benchmark with its
//! CSV, "you vs peers", the salary estimate).

pub mod salary;
