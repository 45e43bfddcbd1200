//! Guildhall's society rules in plain Rust: no I/O, no async, no database.
//!
//! Everything here is deterministic and unit-tested with table-driven cases; the
//! application layer feeds it facts read from storage and acts on its answers.

#[macro_use]
pub mod codes;
pub mod careers;
pub mod ce;
pub mod communications;
pub mod credentials;
pub mod csv;
pub mod events;
pub mod identity;
pub mod knowledge;
pub mod member;
pub mod membership;
pub mod publications;
