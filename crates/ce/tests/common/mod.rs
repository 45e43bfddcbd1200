#![allow(dead_code)]
//! Shared helpers for the integration tests.

use guildhall_ce::{RuleBook, evaluate_json};
use serde_json::Value;

pub fn book() -> RuleBook {
    RuleBook::embedded().expect("embedded rule files load")
}

pub fn run(book: &RuleBook, input: &Value) -> Value {
    let out = evaluate_json(&input.to_string(), book).unwrap_or_else(|e| panic!("evaluation failed: {e}"));
    serde_json::from_str(&out).expect("output is JSON")
}

pub fn credential<'a>(out: &'a Value, id: &str) -> &'a Value {
    out["credentials"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no credential {id} in {out:#}"))
}

pub fn period<'a>(out: &'a Value, cred: &str, start: &str) -> &'a Value {
    credential(out, cred)["periods"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["start"] == start))
        .unwrap_or_else(|| panic!("no period starting {start} for {cred} in {:#}", credential(out, cred)))
}

pub fn activity<'a>(period: &'a Value, id: &str) -> &'a Value {
    period["activities"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["id"] == id && a["carried_in"] == 0))
        .unwrap_or_else(|| panic!("no activity {id} in {period:#}"))
}

/// Numbers compare exactly as decimals with at most two places.
pub fn num(v: &Value) -> i64 {
    let f = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    (f * 100.0).round() as i64
}
