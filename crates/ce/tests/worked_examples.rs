//! The three worked examples of /work/shared/ce/worked-examples.md, run through `evaluate_json`
//! from JSON fixtures, checked exactly.

mod common;
use common::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}

#[test]
fn case_1_texas_carryover_cap_and_ethics() {
    let book = book();
    let out = run(&book, &fixture("case1-texas.json"));
    let p1 = period(&out, "M1-TX", "2023-07-01");
    assert_eq!(p1["end"], "2024-06-30");
    assert_eq!(p1["status"], "compliant");
    assert_eq!(num(&p1["credited"]["total"]), 3000);
    assert_eq!(num(&p1["credited"]["minimums"]["ethics"]), 100);
    assert_eq!(num(&p1["credited"]["general"]), 2900);
    assert_eq!(num(&p1["shortfall"]["total"]), 0);
    assert_eq!(num(&p1["shortfall"]["minimums"]["ethics"]), 0);
    assert_eq!(num(&p1["carry_out"]), 1400);
    // Carried latest first from hours not needed for a minimum: A4 5 + 9 of A3.
    assert_eq!(num(&activity(p1, "A4")["carried_out"]), 500);
    assert_eq!(num(&activity(p1, "A3")["carried_out"]), 900);
    assert_eq!(num(&activity(p1, "A2")["carried_out"]), 0);
    for a in p1["activities"].as_array().expect("activities") {
        assert_eq!(num(&a["disallowed"]), 0, "nothing disallowed in P1: {a}");
    }

    let p2 = period(&out, "M1-TX", "2024-07-01");
    assert_eq!(p2["end"], "2025-06-30");
    assert_eq!(p2["status"], "deficient");
    assert_eq!(num(&p2["credited"]["total"]), 1600);
    assert_eq!(num(&p2["credited"]["carried_in"]), 1400);
    assert_eq!(num(&p2["carry_in"]), 1400);
    assert_eq!(num(&p2["credited"]["general"]), 200);
    assert_eq!(num(&p2["credited"]["minimums"]["ethics"]), 0);
    assert_eq!(num(&p2["shortfall"]["minimums"]["ethics"]), 100);
    assert_eq!(num(&p2["shortfall"]["total"]), 0);
    assert_eq!(num(&p2["carry_out"]), 100);
    assert_eq!(p2["still_needed"][0], "1 PDH of ethics by 2025-06-30; carried-over hours cannot count for it");
    // The period containing as_of is the last one reported.
    let periods = credential(&out, "M1-TX")["periods"].as_array().expect("periods");
    assert_eq!(periods.last().expect("last")["start"], "2024-07-01");
    assert_eq!(credential(&out, "M1-TX")["status"], "deficient");
}

#[test]
fn case_3_north_carolina_teaching_paper_service_rounding() {
    let book = book();
    let out = run(&book, &fixture("case3-north-carolina.json"));
    let p = period(&out, "M3-NC", "2024-01-01");
    assert_eq!(p["end"], "2024-12-31");
    assert_eq!(p["status"], "compliant");
    assert_eq!(num(&activity(p, "C1")["credited"]), 600);
    assert_eq!(num(&activity(p, "C2")["credited"]), 0);
    assert_eq!(num(&activity(p, "C2")["disallowed"]), 600);
    assert!(activity(p, "C2")["reasons"][0].as_str().expect("reason").contains("first presentation only"));
    assert_eq!(num(&activity(p, "C3")["credited"]), 1000);
    assert_eq!(num(&activity(p, "C5")["credited"]), 133);
    assert_eq!(num(&p["credited"]["total"]), 1733);
    assert_eq!(num(&p["shortfall"]["total"]), 0);
    assert_eq!(num(&p["carry_out"]), 233);
    // C4 is deferred: 2 PDH earned at the end of the service year, 2025-02-28.
    assert!(p["activities"].as_array().expect("a").iter().all(|a| a["id"] != "C4"));
    let nc = &credential(&out, "M3-NC")["not_counted"];
    assert_eq!(nc[0]["id"], "C4");
    assert!(nc[0]["reason"].as_str().expect("r").contains("earned on 2025-02-28"), "{nc}");
    assert!(nc[0]["reason"].as_str().expect("r").contains("2 PDH"), "{nc}");
}

#[test]
fn case_3_continued_into_2025() {
    // The same member evaluated in 2025: carry-in 2.33 and C4's 2 PDH credited on 2025-02-28.
    let book = book();
    let mut input = fixture("case3-north-carolina.json");
    input["as_of"] = Value::from("2025-03-31");
    let out = run(&book, &input);
    let p = period(&out, "M3-NC", "2025-01-01");
    assert_eq!(num(&p["carry_in"]), 233);
    assert_eq!(num(&activity(p, "C4")["credited"]), 200);
    assert_eq!(num(&p["credited"]["total"]), 433);
    assert_eq!(p["status"], "in_progress");
}

#[test]
fn case_12_pmp_business_acumen_short_and_caps() {
    let book = book();
    let out = run(&book, &fixture("case12-pmp.json"));
    let p = period(&out, "M12-PMP", "2022-03-15");
    assert_eq!(p["end"], "2025-03-14");
    assert_eq!(p["status"], "deficient");
    let m = &p["credited"]["minimums"];
    assert_eq!(num(&m["education"]), 4500);
    assert_eq!(num(&m["ways_of_working"]), 3000);
    assert_eq!(num(&m["power_skills"]), 1000);
    assert_eq!(num(&m["business_acumen"]), 500);
    assert_eq!(num(&p["credited"]["total"]), 7000);
    assert_eq!(num(&p["shortfall"]["minimums"]["business_acumen"]), 300);
    assert_eq!(num(&p["shortfall"]["total"]), 0);
    assert_eq!(num(&p["carry_out"]), 1000);
    let caps = p["caps"].as_array().expect("caps");
    let gb = caps.iter().find(|c| c["id"] == "giving_back").expect("giving_back");
    assert_eq!(num(&gb["matched"]) - num(&gb["trimmed"]), 2500);
    let l4 = activity(p, "L4");
    assert_eq!(num(&l4["disallowed"]), 700);
    assert_eq!(num(&l4["credited"]), 500);
    assert!(l4["reasons"].to_string().contains("capped 4 PDU by \\\"working_as_practitioner\\\""), "{l4}");
    assert!(l4["reasons"].to_string().contains("capped 3 PDU by \\\"giving_back\\\""), "{l4}");
    assert_eq!(num(&activity(p, "L5")["disallowed"]), 0);
    assert_eq!(p["still_needed"][0], "3 PDU of business acumen by 2025-03-14");
}
