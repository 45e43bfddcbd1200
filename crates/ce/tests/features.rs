//! Table-driven tests: at least one case per rule feature, per rule-set family.
//!
//! Each case is one member's JSON input plus checks `(credential id, period start, JSON pointer
//! into that period, expected value)`. A period start of "" points into the credential itself.

mod common;
use common::*;
use serde_json::{Value, json};

struct Case {
    name: &'static str,
    input: Value,
    checks: Vec<(&'static str, &'static str, &'static str, Value)>,
}

fn cred(id: &str, ruleset: &str, issued: &str) -> Value {
    json!({ "id": id, "ruleset": ruleset, "issued": issued })
}

fn act(id: &str, kind: &str, tags: &[&str], date: &str, qty: f64, unit: &str) -> Value {
    json!({ "id": id, "kind": kind, "tags": tags, "date": date, "quantity": qty, "unit": unit })
}

/// A 1-hour course that makes an early period relevant (periods before a member's first
/// activity are not reported).
fn early(date: &str) -> Value {
    act("early", "course", &["technical"], date, 1.0, "hour")
}

fn with(mut v: Value, extra: Value) -> Value {
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in e {
            o.insert(k.clone(), x.clone());
        }
    }
    v
}

fn input(as_of: &str, creds: Vec<Value>, acts: Vec<Value>) -> Value {
    json!({ "as_of": as_of, "credentials": creds, "activities": acts })
}

fn cases() -> Vec<Case> {
    vec![
        // ------------------------------------------------------------------ period placement
        Case {
            name: "calendar year periods (NC) from the year of issue",
            input: input("2024-06-01", vec![cred("nc", "US-NC-PE", "2022-05-01")], vec![early("2022-06-01")]),
            checks: vec![
                ("nc", "2022-01-01", "/end", json!("2022-12-31")),
                ("nc", "2024-01-01", "/end", json!("2024-12-31")),
                ("nc", "2024-01-01", "/status", json!("in_progress")),
            ],
        },
        Case {
            name: "fixed odd-year biennium ending Feb 28/29 (FL)",
            input: input(
                "2024-06-01",
                vec![with(cred("fl", "US-FL-PE", "2020-05-01"), json!({"licensure_method": "exam"}))],
                vec![early("2020-06-01")],
            ),
            checks: vec![
                ("fl", "2019-03-01", "/end", json!("2021-02-28")),
                ("fl", "2021-03-01", "/end", json!("2023-02-28")),
                ("fl", "2023-03-01", "/end", json!("2025-02-28")),
            ],
        },
        Case {
            name: "fixed even-year biennium ending Apr 30 (NJ)",
            input: input("2025-01-01", vec![cred("nj", "US-NJ-PE", "2021-01-10")], vec![early("2021-02-01")]),
            checks: vec![
                ("nj", "2020-05-01", "/end", json!("2022-04-30")),
                ("nj", "2024-05-01", "/end", json!("2026-04-30")),
            ],
        },
        Case {
            name: "periods ending on the licence expiry (VA, 24 months)",
            input: input(
                "2025-01-01",
                vec![with(cred("va", "US-VA-PE", "2019-03-15"), json!({"expires": "2025-09-30"}))],
                vec![early("2019-04-01")],
            ),
            checks: vec![
                ("va", "2019-10-01", "/end", json!("2021-09-30")),
                ("va", "2023-10-01", "/end", json!("2025-09-30")),
            ],
        },
        Case {
            name: "periods starting at the certification date (LEED AP, 24 months)",
            input: input("2025-01-01", vec![cred("leed", "GBCI-LEED-AP", "2022-06-15")], vec![early("2022-07-01")]),
            checks: vec![
                ("leed", "2022-06-15", "/end", json!("2024-06-14")),
                ("leed", "2024-06-15", "/end", json!("2026-06-14")),
            ],
        },
        Case {
            name: "the fourth January 1st after certification (AEE CEM)",
            input: input("2025-06-01", vec![cred("cem", "AEE-CEM", "2021-06-15")], vec![early("2021-07-01")]),
            checks: vec![
                ("cem", "2021-06-15", "/end", json!("2025-01-01")),
                ("cem", "2025-01-02", "/end", json!("2028-01-01")),
            ],
        },
        Case {
            name: "birth-month alignment from the record when no expiry is recorded (NY)",
            input: input(
                "2023-01-01",
                vec![with(
                    cred("ny", "US-NY-PE", "2020-02-01"),
                    json!({"birth_date": "1980-05-10", "licensure_method": "exam"}),
                )],
                vec![early("2020-03-01")],
            ),
            checks: vec![
                ("ny", "2019-06-01", "/end", json!("2022-05-31")),
                ("ny", "2019-06-01", "/status", json!("exempt")),
                ("ny", "2022-06-01", "/end", json!("2025-05-31")),
            ],
        },
        Case {
            name: "expiry-anchored rule set without an expiry date is undecidable, not a crash (TX)",
            input: input("2025-01-01", vec![cred("tx", "US-TX-PE", "2019-03-15")], vec![]),
            checks: vec![("tx", "", "/status", json!("undecidable")), ("tx", "", "/periods", json!([]))],
        },
        // ------------------------------------------------------------------ versions over time
        Case {
            name: "Illinois 2023: periods ending before 2023-11-30 use the old version (no ethics/laws minimum)",
            input: input("2023-06-01", vec![cred("il", "US-IL-PE", "2010-01-01")], vec![early("2020-01-10")]),
            checks: vec![
                ("il", "2019-12-01", "/ruleset_version", json!("2021-11-30")),
                ("il", "2019-12-01", "/required/minimums", json!({"sexual_harassment_prevention": 1})),
                ("il", "2021-12-01", "/ruleset_version", json!("2023-11-30")),
                (
                    "il",
                    "2021-12-01",
                    "/required/minimums",
                    json!({"laws_rules_IL": 1, "ethics": 1, "sexual_harassment_prevention": 1}),
                ),
            ],
        },
        Case {
            name: "New York 2022: the pre-2022 cap of 18 h on other educational activities",
            input: input(
                "2021-12-31",
                vec![with(cred("ny", "US-NY-PE", "2010-01-01"), json!({"expires": "2021-12-31"}))],
                vec![
                    act("self", "course_online_selfpaced", &["ethics"], "2020-05-01", 30.0, "hour"),
                    act("live", "course", &["technical"], "2020-06-01", 10.0, "hour"),
                ],
            ),
            checks: vec![
                ("ny", "2019-01-01", "/ruleset_version", json!("pre-2022")),
                ("ny", "2019-01-01", "/credited/total", json!(28)),
                ("ny", "2019-01-01", "/status", json!("deficient")),
            ],
        },
        Case {
            name: "New York 2022: the same activities in a period ending after 2022 are not capped",
            input: input(
                "2024-12-31",
                vec![with(cred("ny", "US-NY-PE", "2010-01-01"), json!({"expires": "2024-12-31"}))],
                vec![
                    act("self", "course_online_selfpaced", &["ethics"], "2023-05-01", 30.0, "hour"),
                    act("live", "course", &["technical"], "2023-06-01", 10.0, "hour"),
                ],
            ),
            checks: vec![
                ("ny", "2022-01-01", "/ruleset_version", json!("2022-01-01")),
                ("ny", "2022-01-01", "/credited/total", json!(40)),
                ("ny", "2022-01-01", "/status", json!("compliant")),
            ],
        },
        // ------------------------------------------------------------------ conversions
        Case {
            name: "CEU converted at 10 PDH (TX course)",
            input: input(
                "2024-12-31",
                vec![with(cred("tx", "US-TX-PE", "2010-01-01"), json!({"expires": "2025-06-30"}))],
                vec![act("ceu", "course", &["technical"], "2024-08-01", 1.5, "ceu")],
            ),
            checks: vec![("tx", "2024-07-01", "/activities/0/credited", json!(15))],
        },
        Case {
            name: "college semester and quarter hours (OH: 45 and 30)",
            input: input(
                "2025-12-31",
                vec![cred("oh", "US-OH-PE", "2010-01-01")],
                vec![
                    act("sem", "college_course", &["technical"], "2024-05-01", 1.0, "college_semester_hour"),
                    act("qtr", "college_course", &["technical"], "2025-03-01", 1.0, "college_quarter_hour"),
                ],
            ),
            checks: vec![("oh", "2024-01-01", "/credited/total", json!(75))],
        },
        Case {
            name: "minutes with half-hour steps and a 1-hour minimum (IL SE)",
            input: input(
                "2024-11-30",
                vec![cred("se", "US-IL-SE", "2010-01-01")],
                vec![
                    act("m90", "course", &["technical"], "2024-01-10", 90.0, "minute"),
                    act("m50", "course", &["technical"], "2024-01-11", 50.0, "minute"),
                    act("m100", "course", &["technical"], "2024-01-12", 100.0, "minute"),
                ],
            ),
            checks: vec![
                ("se", "2022-12-01", "/activities/0/credited", json!(1.5)),
                ("se", "2022-12-01", "/activities/1/credited", json!(0)),
                ("se", "2022-12-01", "/activities/2/credited", json!(1.5)),
            ],
        },
        Case {
            name: "contact hours rounded to the nearest third (NC) and to 0.25 down (PMP)",
            input: input(
                "2024-12-31",
                vec![cred("nc", "US-NC-PE", "2010-01-01"), cred("pmp", "PMI-PMP", "2023-01-01")],
                vec![act("w", "webinar_live", &["technical", "pmi:education"], "2024-07-19", 100.0, "minute")],
            ),
            checks: vec![
                ("nc", "2024-01-01", "/activities/0/credited", json!(1.67)),
                ("pmp", "2023-01-01", "/activities/0/credited", json!(1.5)),
            ],
        },
        Case {
            name: "per item: patent and accepted exam question (NC)",
            input: input(
                "2024-12-31",
                vec![cred("nc", "US-NC-PE", "2010-01-01")],
                vec![
                    act("pat", "patent", &["technical"], "2024-03-01", 1.0, "item"),
                    with(
                        act("q", "exam_item_authoring", &[], "2024-04-01", 3.0, "item"),
                        json!({"question_accepted_for_use": true}),
                    ),
                ],
            ),
            checks: vec![
                ("nc", "2024-01-01", "/credited/total", json!(16)),
                ("nc", "2024-01-01", "/status", json!("compliant")),
            ],
        },
        Case {
            name: "per month of service with a per-period-year cap (ASQ employment 0.3/month, ≤3.6 per year)",
            input: input(
                "2024-06-30",
                vec![cred("asq", "ASQ-CQE", "2022-01-01")],
                vec![with(
                    json!({"id": "job", "kind": "employment", "tags": ["body_of_knowledge"], "start": "2022-01-01", "end": "2023-12-31", "quantity": 24, "unit": "month"}),
                    json!({"full_time": true, "in_body_of_knowledge": true}),
                )],
            ),
            checks: vec![
                ("asq", "2022-01-01", "/credited/total", json!(7.2)),
                ("asq", "2022-01-01", "/status", json!("in_progress")),
            ],
        },
        Case {
            name: "per year of service with a yearly cap, ASQ elected officer 2 RU per year",
            input: input(
                "2024-12-31",
                vec![cred("asq", "ASQ-CQE", "2022-01-01")],
                vec![with(
                    json!({"id": "off", "kind": "society_service", "tags": [], "start": "2022-03-01", "end": "2024-02-29", "quantity": 2, "unit": "year"}),
                    json!({"elected_officer": true}),
                )],
            ),
            checks: vec![("asq", "2022-01-01", "/credited/total", json!(4))],
        },
        Case {
            name: "teaching ×2 is refused for full-time faculty (NC condition)",
            input: input(
                "2024-12-31",
                vec![cred("nc", "US-NC-PE", "2010-01-01")],
                vec![with(
                    act("t", "teaching", &["technical"], "2024-02-08", 3.0, "hour"),
                    json!({"first_presentation": true, "full_time_faculty": true}),
                )],
            ),
            checks: vec![
                ("nc", "2024-01-01", "/activities/0/credited", json!(0)),
                ("nc", "2024-01-01", "/activities/0/disallowed", json!(6)),
            ],
        },
        Case {
            name: "committee service 1 credit per 2 hours, capped at 9 (NY)",
            input: input(
                "2024-12-31",
                vec![with(cred("ny", "US-NY-PE", "2010-01-01"), json!({"expires": "2025-12-31"}))],
                vec![act("cttee", "government_committee_service", &["technical"], "2024-04-01", 24.0, "hour")],
            ),
            checks: vec![
                ("ny", "2023-01-01", "/activities/0/earned", json!(12)),
                ("ny", "2023-01-01", "/activities/0/credited", json!(9)),
                ("ny", "2023-01-01", "/activities/0/capped", json!(3)),
            ],
        },
        Case {
            name: "contact hours in another unit (ASQ: 0.1 RU per hour) and an unknown rate (GISP) is undecidable, not 0 or 1",
            input: input(
                "2024-12-31",
                vec![
                    cred("asq", "ASQ-CQE", "2023-01-01"),
                    with(cred("gisp", "GISCI-GISP", "2023-01-01"), json!({"expires": "2026-01-01"})),
                ],
                vec![act("w", "webinar_live", &["body_of_knowledge"], "2024-03-01", 10.0, "hour")],
            ),
            checks: vec![
                ("asq", "2023-01-01", "/activities/0/credited", json!(1)),
                ("gisp", "2023-01-02", "/activities/0/credited", json!(0)),
                ("gisp", "2023-01-02", "/status", json!("undecidable")),
            ],
        },
        Case {
            name: "credit recorded in the board's own unit, and a unit that has no conversion",
            input: input(
                "2024-12-31",
                vec![cred("pmp", "PMI-PMP", "2023-01-01"), cred("nc", "US-NC-PE", "2010-01-01")],
                vec![act("pdu", "course", &["pmi:education"], "2024-02-01", 4.0, "PDU")],
            ),
            checks: vec![
                ("pmp", "2023-01-01", "/activities/0/credited", json!(4)),
                ("nc", "2024-01-01", "/activities/0/credited", json!(0)),
            ],
        },
        // ------------------------------------------------------------------ placement in time
        Case {
            name: "multi-day event split by session date across a period boundary (TX)",
            input: input(
                "2024-12-31",
                vec![with(cred("tx", "US-TX-PE", "2010-01-01"), json!({"expires": "2025-06-30"}))],
                vec![
                    json!({"id": "conf", "kind": "course", "tags": ["technical"], "sessions": [{"date": "2024-06-30", "hours": 4}, {"date": "2024-07-01", "hours": 6}]}),
                ],
            ),
            checks: vec![
                ("tx", "2023-07-01", "/credited/total", json!(4)),
                ("tx", "2024-07-01", "/credited/total", json!(6)),
            ],
        },
        Case {
            name: "an activity spanning months without sessions is dated by its end (PMP)",
            input: input(
                "2025-12-31",
                vec![cred("pmp", "PMI-PMP", "2022-01-01")],
                vec![
                    json!({"id": "vol", "kind": "volunteering", "tags": ["pmi:giving_back"], "start": "2024-10-01", "end": "2025-02-01", "quantity": 5, "unit": "PDU"}),
                ],
            ),
            checks: vec![("pmp", "2025-01-01", "/credited/total", json!(5))],
        },
        Case {
            name: "publication credited on its publication date (NC article, next year)",
            input: input(
                "2025-12-31",
                vec![cred("nc", "US-NC-PE", "2010-01-01")],
                vec![act("art", "publication_article", &["technical"], "2025-01-15", 1.0, "item")],
            ),
            checks: vec![
                ("nc", "2025-01-01", "/credited/total", json!(10)),
                ("nc", "2024-01-01", "/credited/total", json!(0)),
            ],
        },
        // ------------------------------------------------------------------ caps
        Case {
            name: "period cap trimmed latest first (TX self-directed study ≤5)",
            input: input(
                "2024-12-31",
                vec![with(cred("tx", "US-TX-PE", "2010-01-01"), json!({"expires": "2025-06-30"}))],
                vec![
                    act("s1", "self_directed_study", &["technical"], "2024-08-01", 4.0, "hour"),
                    act("s2", "self_directed_study", &["technical"], "2024-09-01", 4.0, "hour"),
                ],
            ),
            checks: vec![
                ("tx", "2024-07-01", "/activities/0/credited", json!(4)),
                ("tx", "2024-07-01", "/activities/1/credited", json!(1)),
                ("tx", "2024-07-01", "/activities/1/capped", json!(3)),
            ],
        },
        Case {
            name: "calendar-year cap inside a biennium (OH correspondence ≤3 per year)",
            input: input(
                "2025-12-31",
                vec![cred("oh", "US-OH-PE", "2010-01-01")],
                vec![
                    act("c24", "correspondence", &["technical"], "2024-03-01", 4.0, "hour"),
                    act("c25", "correspondence", &["technical"], "2025-03-01", 4.0, "hour"),
                ],
            ),
            checks: vec![
                ("oh", "2024-01-01", "/credited/total", json!(6)),
                ("oh", "2024-01-01", "/caps/0/trimmed", json!(2)),
            ],
        },
        Case {
            name: "per-organisation cap (TX society participation ≤5 per organisation)",
            input: input(
                "2024-12-31",
                vec![with(cred("tx", "US-TX-PE", "2010-01-01"), json!({"expires": "2025-06-30"}))],
                vec![
                    with(act("a", "society_service", &[], "2024-08-01", 7.0, "hour"), json!({"organization": "ASCE"})),
                    with(act("b", "society_service", &[], "2024-09-01", 3.0, "hour"), json!({"organization": "NSPE"})),
                ],
            ),
            checks: vec![("tx", "2024-07-01", "/credited/total", json!(8))],
        },
        Case {
            name: "tag cap (NJ ethics ≤8) and nested caps applied innermost first (PMP)",
            input: input(
                "2025-12-31",
                vec![cred("nj", "US-NJ-PE", "2010-01-01")],
                vec![with(
                    act("eth", "course", &["ethics"], "2025-01-10", 10.0, "hour"),
                    json!({"provider": {"name": "NJSPE", "approved_by": "US-NJ"}}),
                )],
            ),
            checks: vec![
                ("nj", "2024-05-01", "/credited/total", json!(8)),
                ("nj", "2024-05-01", "/credited/minimums/ethics", json!(8)),
            ],
        },
        // ------------------------------------------------------------------ minimums
        Case {
            name: "optimal exclusive allocation: a two-topic hour goes where it satisfies more minimums (FL)",
            input: input(
                "2025-02-28",
                vec![cred("fl", "US-FL-PE", "2010-01-01")],
                vec![
                    act("both", "course", &["ethics", "area_of_practice"], "2024-01-10", 1.0, "hour"),
                    act("aop", "course", &["area_of_practice"], "2024-02-10", 4.0, "hour"),
                    with(
                        act("law", "course", &["laws_rules:US-FL"], "2024-03-10", 1.0, "hour"),
                        json!({"provider": {"name": "X", "approved_by": ["US-FL"]}}),
                    ),
                    act("gen", "course", &["technical"], "2024-04-10", 12.0, "hour"),
                ],
            ),
            checks: vec![
                ("fl", "2023-03-01", "/status", json!("compliant")),
                (
                    "fl",
                    "2023-03-01",
                    "/credited/minimums",
                    json!({"laws_rules_FL": 1, "ethics": 1, "area_of_practice": 4}),
                ),
            ],
        },
        Case {
            name: "an hour counts toward one minimum only (FL: a single ethics+practice hour)",
            input: input(
                "2025-02-28",
                vec![cred("fl", "US-FL-PE", "2010-01-01")],
                vec![act("both", "course", &["ethics", "area_of_practice"], "2024-01-10", 4.0, "hour")],
            ),
            checks: vec![
                ("fl", "2023-03-01", "/credited/minimums/ethics", json!(1)),
                ("fl", "2023-03-01", "/credited/minimums/area_of_practice", json!(3)),
                ("fl", "2023-03-01", "/shortfall/minimums/area_of_practice", json!(1)),
            ],
        },
        Case {
            name: "a provider-approval minimum is not met by an unapproved course, which counts as general credit (FL)",
            input: input(
                "2025-02-28",
                vec![cred("fl", "US-FL-PE", "2010-01-01")],
                vec![act("law", "course", &["laws_rules:US-FL"], "2024-03-10", 1.0, "hour")],
            ),
            checks: vec![
                ("fl", "2023-03-01", "/credited/minimums/laws_rules_FL", json!(0)),
                ("fl", "2023-03-01", "/credited/general", json!(1)),
                (
                    "fl",
                    "2023-03-01",
                    "/still_needed/0",
                    json!("1 PDH of laws rules FL by 2025-02-28, from a provider approved by US-FL"),
                ),
            ],
        },
        Case {
            name: "one activity counts toward every credential; another state's laws course is general credit (TX + FL)",
            input: input(
                "2024-12-31",
                vec![
                    with(cred("tx", "US-TX-PE", "2010-01-01"), json!({"expires": "2025-06-30"})),
                    cred("fl", "US-FL-PE", "2010-01-01"),
                ],
                vec![
                    act("eth", "webinar_live", &["ethics"], "2024-09-01", 1.0, "hour"),
                    with(
                        act("flaw", "course", &["laws_rules:US-FL"], "2024-09-02", 1.0, "hour"),
                        json!({"provider": {"approved_by": "US-FL"}}),
                    ),
                ],
            ),
            checks: vec![
                ("tx", "2024-07-01", "/credited/minimums/ethics", json!(1)),
                ("fl", "2023-03-01", "/credited/minimums/ethics", json!(1)),
                ("tx", "2024-07-01", "/credited/general", json!(1)),
                ("fl", "2023-03-01", "/credited/minimums/laws_rules_FL", json!(1)),
                (
                    "tx",
                    "2024-07-01",
                    "/activities/1/reasons/1",
                    json!("a course on US-FL laws and rules counts as general credit for US-TX-PE"),
                ),
            ],
        },
        Case {
            name: "nested minimums: Talent Triangle inside Education (PMP)",
            input: input(
                "2024-12-31",
                vec![cred("pmp", "PMI-PMP", "2022-01-01")],
                vec![
                    act("w", "course", &["pmi:education", "pmi:ways_of_working"], "2022-05-01", 10.0, "PDU"),
                    act("p", "course", &["pmi:education", "pmi:power_skills"], "2022-06-01", 10.0, "PDU"),
                    act("b", "course", &["pmi:education", "pmi:business_acumen"], "2022-07-01", 10.0, "PDU"),
                    act("e", "course", &["pmi:education"], "2022-08-01", 5.0, "PDU"),
                    act("g", "volunteering", &["pmi:giving_back"], "2023-08-01", 25.0, "PDU"),
                ],
            ),
            checks: vec![
                ("pmp", "2022-01-01", "/status", json!("compliant")),
                ("pmp", "2022-01-01", "/credited/minimums/education", json!(35)),
                ("pmp", "2022-01-01", "/credited/total", json!(60)),
            ],
        },
        Case {
            name: "a minimum that applies only to holders of another licence (OH dual PE+PS) is inactive",
            input: input("2025-12-31", vec![cred("oh", "US-OH-PE", "2010-01-01")], vec![]),
            checks: vec![("oh", "2024-01-01", "/required/minimums", json!({"ethics_or_rules": 2}))],
        },
        Case {
            name: "a minimum multiplied by a member field (LEED AP: 6 per specialty)",
            input: input(
                "2025-01-01",
                vec![with(cred("leed", "GBCI-LEED-AP", "2024-01-01"), json!({"leed_specialty_count": 2}))],
                vec![],
            ),
            checks: vec![("leed", "2024-01-01", "/required/minimums/leed_specific_specialty", json!(12))],
        },
        // ------------------------------------------------------------------ carryover
        Case {
            name: "carryover window (last 6 months) and excluded topics (IL)",
            input: input(
                "2023-12-31",
                vec![cred("il", "US-IL-PE", "2010-01-01")],
                vec![
                    act("early", "course", &["technical"], "2023-01-10", 40.0, "hour"),
                    act("late", "course", &["technical"], "2023-09-01", 10.0, "hour"),
                    act("eth", "course", &["ethics"], "2023-09-02", 3.0, "hour"),
                    act("law", "course", &["laws_rules:US-IL"], "2023-09-03", 1.0, "hour"),
                    act("shp", "course", &["sexual_harassment_prevention"], "2023-09-04", 1.0, "hour"),
                ],
            ),
            checks: vec![
                ("il", "2021-12-01", "/status", json!("compliant")),
                ("il", "2021-12-01", "/carry_out", json!(10)),
                ("il", "2023-12-01", "/carry_in", json!(10)),
            ],
        },
        Case {
            name: "no carryover (VA) and a carry cap (GA 7.5)",
            input: input(
                "2024-12-31",
                vec![
                    with(cred("va", "US-VA-PE", "2010-01-01"), json!({"expires": "2024-09-30"})),
                    cred("ga", "US-GA-PE", "2010-01-01"),
                ],
                vec![act("big", "course", &["technical"], "2024-03-01", 40.0, "hour")],
            ),
            checks: vec![("va", "2022-10-01", "/carry_out", json!(0)), ("ga", "2024-01-01", "/carry_out", json!(7.5))],
        },
        Case {
            name: "carried credit moves one period only (TX)",
            input: input(
                "2025-12-31",
                vec![with(cred("tx", "US-TX-PE", "2010-01-01"), json!({"expires": "2025-06-30"}))],
                vec![act("big", "course", &["technical", "ethics"], "2023-08-01", 40.0, "hour")],
            ),
            checks: vec![
                ("tx", "2023-07-01", "/carry_out", json!(14)),
                ("tx", "2024-07-01", "/carry_in", json!(14)),
                ("tx", "2024-07-01", "/carry_out", json!(0)),
                ("tx", "2025-07-01", "/carry_in", json!(0)),
            ],
        },
        // ------------------------------------------------------------------ first period
        Case {
            name: "first renewal exempt after licensure by exam, not by comity (TX)",
            input: input(
                "2024-12-31",
                vec![
                    with(
                        cred("exam", "US-TX-PE", "2023-08-10"),
                        json!({"expires": "2025-06-30", "licensure_method": "exam"}),
                    ),
                    with(
                        cred("comity", "US-TX-PE", "2023-08-10"),
                        json!({"expires": "2025-06-30", "licensure_method": "comity"}),
                    ),
                    with(cred("unknown", "US-TX-PE", "2023-08-10"), json!({"expires": "2025-06-30"})),
                ],
                vec![early("2023-09-01")],
            ),
            checks: vec![
                ("exam", "2023-07-01", "/status", json!("exempt")),
                (
                    "exam",
                    "2023-07-01",
                    "/exempt_reason",
                    json!(
                        "first renewal after initial licensure on 2023-08-10 by exam: exempt by \
                         the first-period rule of Texas Professional Engineer (source: TBPE 'Continuing Education \
                         Program (CEP)' page (older agency site))"
                    ),
                ),
                ("exam", "2023-07-01", "/first_period", json!(true)),
                ("comity", "2023-07-01", "/exempt_reason", json!(null)),
                ("exam", "2023-07-01", "/carry_out", json!(0)),
                ("comity", "2023-07-01", "/status", json!("deficient")),
                ("unknown", "2023-07-01", "/status", json!("undecidable")),
                ("exam", "2024-07-01", "/status", json!("in_progress")),
            ],
        },
        Case {
            name: "exempt except by endorsement, which is prorated at 1 h per month (NY)",
            input: input(
                "2025-12-31",
                vec![
                    with(
                        cred("exam", "US-NY-PE", "2024-01-15"),
                        json!({"expires": "2025-05-31", "licensure_method": "exam"}),
                    ),
                    with(
                        cred("endorse", "US-NY-PE", "2024-01-15"),
                        json!({"expires": "2025-05-31", "licensure_method": "endorsement"}),
                    ),
                ],
                vec![early("2024-02-01")],
            ),
            checks: vec![
                ("exam", "2022-06-01", "/status", json!("exempt")),
                ("endorse", "2022-06-01", "/required/total", json!(17)),
                ("endorse", "2022-06-01", "/status", json!("deficient")),
            ],
        },
        Case {
            name: "reduced first renewal: 1 h laws and rules + 1 h ethics (FL)",
            input: input(
                "2025-02-28",
                vec![with(cred("fl", "US-FL-PE", "2023-06-01"), json!({"licensure_method": "exam"}))],
                vec![
                    act("eth", "course", &["ethics"], "2024-01-10", 1.0, "hour"),
                    with(
                        act("law", "course", &["laws_rules:US-FL"], "2024-01-11", 1.0, "hour"),
                        json!({"provider": {"approved_by": "US-FL"}}),
                    ),
                ],
            ),
            checks: vec![
                ("fl", "2023-03-01", "/required", json!({"total": 2, "minimums": {"laws_rules_FL": 1, "ethics": 1}})),
                ("fl", "2023-03-01", "/status", json!("compliant")),
            ],
        },
        Case {
            name: "exempt for the rest of the calendar year of registration (OH)",
            input: input(
                "2025-12-31",
                vec![
                    with(cred("late", "US-OH-PE", "2025-03-01"), json!({"licensure_method": "exam"})),
                    with(cred("early", "US-OH-PE", "2024-03-01"), json!({"licensure_method": "exam"})),
                ],
                vec![],
            ),
            checks: vec![
                ("late", "2024-01-01", "/status", json!("exempt")),
                ("early", "2024-01-01", "/status", json!("undecidable")),
            ],
        },
        // ------------------------------------------------------------------ unknown values and statuses
        Case {
            name: "an unknown minimum is undecidable, never read as 0 (MI ethics)",
            input: input(
                "2025-10-31",
                vec![with(cred("mi", "US-MI-PE", "2010-01-01"), json!({"expires": "2025-10-31"}))],
                vec![act("big", "course", &["technical"], "2024-03-01", 30.0, "hour")],
            ),
            checks: vec![
                ("mi", "2023-11-01", "/status", json!("undecidable")),
                ("mi", "2023-11-01", "/required/minimums/ethics", json!(null)),
                (
                    "mi",
                    "2023-11-01",
                    "/undecidable/0",
                    json!("the hours required for the minimum \"ethics\" are unknown"),
                ),
            ],
        },
        Case {
            name: "a personalised total read from the member record (PEO PEAK)",
            input: input(
                "2025-06-01",
                vec![
                    with(cred("with", "CA-ON-PEO", "2020-01-01"), json!({"peak_target_hours": 20})),
                    cred("without", "CA-ON-PEO", "2020-01-01"),
                ],
                vec![act("c", "course", &["technical"], "2025-02-01", 25.0, "hour")],
            ),
            checks: vec![
                ("with", "2025-01-01", "/required/total", json!(20)),
                ("with", "2025-01-01", "/status", json!("compliant")),
                ("without", "2025-01-01", "/required/total", json!(null)),
                ("without", "2025-01-01", "/status", json!("undecidable")),
            ],
        },
        Case {
            name: "no requirement: Washington PE, UK Engineering Council",
            input: input(
                "2025-06-01",
                vec![cred("wa", "US-WA-PE", "2020-01-01"), cred("uk", "UK-ENGC", "2020-01-01")],
                vec![],
            ),
            checks: vec![
                ("wa", "", "/status", json!("not_required")),
                ("uk", "2025-01-01", "/status", json!("not_required")),
            ],
        },
        Case {
            name: "categories each reporting year (APEGA: at least 3 of 6)",
            input: input(
                "2025-06-30",
                vec![with(cred("ab", "CA-AB-APEGA", "2015-01-01"), json!({"expires": "2025-06-30"}))],
                vec![
                    act("a", "course", &["apega:formal"], "2023-01-10", 100.0, "hour"),
                    act("b", "course", &["apega:informal"], "2023-02-10", 100.0, "hour"),
                    act("c", "course", &["apega:participation"], "2023-03-10", 50.0, "hour"),
                    act("d", "course", &["apega:formal"], "2024-09-10", 5.0, "hour"),
                ],
            ),
            checks: vec![
                ("ab", "2022-07-01", "/status", json!("deficient")),
                ("ab", "2022-07-01", "/credited/total", json!(255)),
            ],
        },
        Case {
            name: "every period from the first registration is reported, up to the one containing as_of",
            input: input("2024-06-01", vec![cred("nc", "US-NC-PE", "2010-05-01")], vec![]),
            checks: vec![
                ("nc", "", "/periods/0/start", json!("2010-01-01")),
                ("nc", "", "/periods/0/first_period", json!(true)),
                ("nc", "", "/periods/1/first_period", json!(false)),
                ("nc", "", "/periods/1/notes/0", json!("no activities are recorded in this period")),
                ("nc", "", "/periods/14/start", json!("2024-01-01")),
                ("nc", "", "/periods/15", json!("<missing>")),
            ],
        },
        Case {
            name: "anticipated credit (after as_of) is not counted",
            input: input(
                "2024-06-30",
                vec![cred("nc", "US-NC-PE", "2010-01-01")],
                vec![act("future", "course", &["technical"], "2024-09-01", 15.0, "hour")],
            ),
            checks: vec![
                ("nc", "2024-01-01", "/credited/total", json!(0)),
                ("nc", "", "/not_counted/0/id", json!("future")),
            ],
        },
    ]
}

#[test]
fn every_feature_case() {
    let book = book();
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let out = run(&book, &case.input);
        for (cred, start, ptr, want) in &case.checks {
            let base = if start.is_empty() { credential(&out, cred) } else { period(&out, cred, start) };
            let got = base.pointer(ptr).cloned().unwrap_or(Value::String("<missing>".into()));
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => (a * 100.0).round() == (b * 100.0).round(),
                _ => &got == want,
            };
            if !same {
                failures.push(format!(
                    "{}: {cred} {start} {ptr}: got {got}, want {want}\n{}",
                    case.name,
                    serde_json::to_string(base).unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases' checks failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn staff_defined_programme_loads_and_evaluates() {
    let staff = r#"schema_version = "1.0.0"

[[source]]
id = "chapter-2026"
title = "Chapter board resolution 2026-02"
kind = "staff"

[[ruleset]]
id = "CHAPTER-BRIDGE-CERT"
version = "2026"
name = "Chapter bridge inspection certificate"
authority = "Guildhall chapter"
credential_type = "programme"
jurisdiction = "society"
status = "voluntary"
credit_unit = "PDH"
sources = ["chapter-2026"]

[ruleset.cycle]
length_months = 12
anchor = "calendar_year"

[ruleset.requirement]
total = 8
sources = ["chapter-2026"]

[[ruleset.minimum]]
id = "bridge"
hours = 4
satisfied_by_tags = ["bridge"]
sources = ["chapter-2026"]

[ruleset.carryover]
allowed = false
"#;
    let book = guildhall_ce::RuleBook::embedded_with(&[("chapter-bridge.toml", staff)]).expect("loads");
    let out = run(
        &book,
        &input(
            "2026-12-31",
            vec![cred("b", "CHAPTER-BRIDGE-CERT", "2026-01-01")],
            vec![act("x", "course", &["bridge"], "2026-03-01", 8.0, "hour")],
        ),
    );
    let p = period(&out, "b", "2026-01-01");
    assert_eq!(p["status"], "compliant");
    assert_eq!(num(&p["credited"]["minimums"]["bridge"]), 800);
}

#[test]
fn bad_input_gives_clear_errors_and_never_panics() {
    let book = book();
    let cases: Vec<(&str, &str)> = vec![
        ("{", "line 1"),
        (r#"{"as_of": "2024-13-01", "credentials": []}"#, "as_of: \"2024-13-01\" is not a valid date"),
        (
            r#"{"as_of": "2024-01-01", "credentials": [{"id": "x", "ruleset": "NOPE", "issued": "2020-01-01"}]}"#,
            "unknown rule set \"NOPE\"",
        ),
        (
            r#"{"as_of": "2024-01-01", "credentials": [], "activities": [{"id": "a", "kind": "course", "date": "2024-01-01", "quantity": 1}, {"id": "a", "kind": "course", "date": "2024-01-01", "quantity": 1}]}"#,
            "the id is used twice",
        ),
        (
            r#"{"as_of": "2024-01-01", "credentials": [], "activities": [{"id": "a", "kind": "course", "date": "2024-01-01"}]}"#,
            "\"quantity\" is required",
        ),
        (
            r#"{"as_of": "2024-01-01", "credentials": [], "activities": [{"id": "a", "kind": "course", "date": "2024-01-01", "start": "2024-01-01", "end": "2024-01-02", "quantity": 1}]}"#,
            "give exactly one of",
        ),
        (
            r#"{"as_of": "2024-01-01", "credentials": [], "activities": [{"id": "a", "kind": "course", "date": "2024-01-01", "quantity": -1}]}"#,
            "must not be negative",
        ),
        (
            r#"{"as_of": "2024-01-01", "credentials": [], "activities": [{"id": "a", "kind": "course", "date": "2024-01-01", "quantity": 1, "unit": "furlong"}]}"#,
            "unit \"furlong\"",
        ),
        (r#"{"as_of": "2024-01-01", "credentials": [], "extra": 1}"#, "unknown field"),
        (
            r#"{"as_of": "2024-01-01", "credentials": [{"id": "x", "ruleset": "US-TX-PE", "issued": "2020-01-01", "licensure_method": "magic"}]}"#,
            "licensure_method",
        ),
    ];
    for (input, want) in cases {
        match guildhall_ce::evaluate_json(input, &book) {
            Ok(out) => panic!("accepted bad input {input}: {out}"),
            Err(e) => assert!(e.to_string().contains(want), "error for {input} was {e}, expected it to mention {want}"),
        }
    }
}
