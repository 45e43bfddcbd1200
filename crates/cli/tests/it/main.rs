//! Guildhall's HTTP tests: one binary (integration tests each compile into their own,
//! which costs minutes), one module per area. Every test runs the real router on
//! SQLite and, when reachable, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod accounts;
mod api;
mod api_ce;
mod api_membership;
mod authorisation;
mod bad_input;
mod careers;
mod careers_alerts;
mod careers_bank;
mod careers_salary;
mod careers_search;
mod careers_tokens;
mod ce;
mod ce_pages;
mod ce_periods;
mod chapters;
mod cli;
mod communications;
mod communications_api;
mod communications_automations;
mod communications_automations_api;
mod communications_digest;
mod communications_tracking;
mod credentials;
mod events;
mod knowledge;
mod layering;
mod membership;
mod membership_pages;
mod overview;
mod privacy;
mod publications;
mod society;
mod two_factor;
