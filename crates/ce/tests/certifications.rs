//! Certification rule sets checked against their certifying bodies' eligibility conditions (what
//! counts at all), as cited in each rule file: for every fix, an activity that must not count
//! and one that must, worked by hand.

mod common;
use common::*;
use serde_json::{Value, json};

fn member(as_of: &str, credential: Value, activities: Value) -> Value {
    json!({ "as_of": as_of, "credentials": [credential], "activities": activities })
}

/// AEE CEM: the seminar taken to obtain the certification does not count toward its renewal
/// (rules/aee-cem.toml, exclusion "certification_seminar"). Certified 2022-03-01: the first
/// period ends on the fourth January 1st, 2026-01-01.
#[test]
fn aee_cem_certification_seminar_does_not_count() {
    let out = run(
        &book(),
        &member(
            "2025-06-30",
            json!({ "id": "cem", "ruleset": "AEE-CEM", "issued": "2022-03-01" }),
            json!([
                // The CEM seminar, finished after the certification date: 40 h × 0.2 would be 8.
                { "id": "seminar", "kind": "course", "tags": ["technical"], "date": "2022-03-05",
                  "quantity": 40, "certification_seminar": true },
                // Another energy course: 10 h × 0.2 = 2 credits.
                { "id": "course", "kind": "course", "tags": ["technical"], "date": "2023-05-10",
                  "quantity": 10 },
                // A course recorded as not being the seminar counts: 5 h × 0.2 = 1 credit.
                { "id": "other", "kind": "course", "tags": ["technical"], "date": "2023-06-10",
                  "quantity": 5, "certification_seminar": false }
            ]),
        ),
    );
    let p = period(&out, "cem", "2022-03-01");
    assert_eq!(p["end"], "2026-01-01");
    let seminar = activity(p, "seminar");
    assert_eq!(num(&seminar["credited"]), 0);
    assert_eq!(num(&seminar["disallowed"]), 800);
    assert_eq!(
        seminar["reasons"][0],
        "disallowed 8 AEE credits: the seminar taken to obtain the certification does not count toward its renewal"
    );
    assert_eq!(num(&activity(p, "course")["credited"]), 200);
    assert_eq!(num(&activity(p, "other")["credited"]), 100);
    assert_eq!(num(&p["credited"]["total"]), 300);
    assert_eq!(p["status"], "in_progress");
}

/// LEED AP and Green Associate: a course may be reported only once; a course reported for an
/// earlier reporting period does not count again (exclusion "course_reported_before" in
/// rules/gbci-leed-ap.toml and rules/gbci-leed-ga.toml).
#[test]
fn leed_course_reported_in_an_earlier_period_does_not_count_again() {
    for (ruleset, id) in [("GBCI-LEED-AP", "ap"), ("GBCI-LEED-GA", "ga")] {
        let out = run(
            &book(),
            &member(
                "2025-06-30",
                json!({ "id": id, "ruleset": ruleset, "issued": "2022-09-01", "leed_specialty_count": 1 }),
                json!([
                    { "id": "repeat", "kind": "course", "tags": ["technical"], "date": "2024-10-01",
                      "quantity": 6, "reported_in_earlier_period": true },
                    { "id": "new", "kind": "course", "tags": ["technical"], "date": "2024-11-01",
                      "quantity": 4 }
                ]),
            ),
        );
        let p = period(&out, id, "2024-09-01");
        let repeat = activity(p, "repeat");
        assert_eq!(num(&repeat["credited"]), 0, "{ruleset}");
        assert_eq!(num(&repeat["disallowed"]), 600, "{ruleset}");
        assert!(
            repeat["reasons"][0].as_str().is_some_and(|r| r.contains("a course may be reported only once")),
            "{ruleset}: {repeat}"
        );
        assert_eq!(num(&activity(p, "new")["credited"]), 400, "{ruleset}");
        assert_eq!(num(&p["credited"]["total"]), 400, "{ruleset}");
    }
}

/// PMP: Giving Back is at most 25 PDU, "of which Working as a Practitioner ≤8": practising credit
/// is giving-back credit (rules/pmi-pmp.toml, maximum "giving_back"). 8 PDU of practising and 25
/// of volunteering give 25, not 33; education still counts in full.
#[test]
fn pmp_practising_counts_within_giving_back() {
    let out = run(
        &book(),
        &member(
            "2025-03-14",
            json!({ "id": "pmp", "ruleset": "PMI-PMP", "issued": "2022-03-15" }),
            json!([
                { "id": "edu", "kind": "course", "tags": ["pmi:education", "pmi:ways_of_working"],
                  "date": "2022-06-01", "quantity": 20, "unit": "PDU" },
                { "id": "volunteer", "kind": "volunteering", "tags": ["pmi:giving_back"],
                  "date": "2023-05-05", "quantity": 25, "unit": "PDU" },
                { "id": "practice", "kind": "employment", "tags": ["pmi:practitioner"],
                  "date": "2024-05-05", "quantity": 8, "unit": "PDU" }
            ]),
        ),
    );
    let p = period(&out, "pmp", "2022-03-15");
    // Giving back (volunteering 25 + practising 8 = 33) is cut to 25, the latest-dated first.
    assert_eq!(num(&activity(p, "volunteer")["credited"]), 2500);
    assert_eq!(num(&activity(p, "practice")["credited"]), 0);
    assert_eq!(num(&activity(p, "practice")["capped"]), 800);
    assert_eq!(num(&activity(p, "edu")["credited"]), 2000);
    assert_eq!(num(&p["credited"]["total"]), 4500);
    let cap = p["caps"].as_array().expect("caps").iter().find(|c| c["id"] == "giving_back").expect("giving back");
    assert_eq!((num(&cap["matched"]), num(&cap["trimmed"])), (3300, 800));
}

/// PMP: activities before certification do not count (the rule set's notes; the engine counts
/// nothing dated before the issue date), while those from the certification date on do.
#[test]
fn pmp_activity_before_certification_does_not_count() {
    let out = run(
        &book(),
        &member(
            "2025-03-14",
            json!({ "id": "pmp", "ruleset": "PMI-PMP", "issued": "2022-03-15" }),
            json!([
                { "id": "exam_prep", "kind": "course", "tags": ["pmi:education"], "date": "2022-03-14",
                  "quantity": 35 },
                { "id": "after", "kind": "course", "tags": ["pmi:education"], "date": "2022-03-15",
                  "quantity": 10 }
            ]),
        ),
    );
    let p = period(&out, "pmp", "2022-03-15");
    assert_eq!(num(&p["credited"]["total"]), 1000);
    assert_eq!(num(&activity(p, "after")["credited"]), 1000);
    let nc = &credential(&out, "pmp")["not_counted"];
    assert_eq!(nc[0]["id"], "exam_prep");
    assert_eq!(nc[0]["reason"], "dated 2022-03-14 before the credential was issued (2022-03-15)");
}
