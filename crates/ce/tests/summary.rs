//! The bulk path (`evaluate_summary`) gives the same answers as the explained evaluation
//! (`evaluate_member`) for generated members: the benchmark's workload (members built directly,
//! buffers reused across members) and a broad mix of rule sets, kinds, units, spans, sessions,
//! provider approvals, attributes and missing credential data read through the JSON input.

mod common;
use common::*;
use guildhall_ce::engine::{Names, Summary, evaluate_member, evaluate_summary};
use guildhall_ce::{
    Activity, Credential, Evaluation, LicensureMethod, Member, RuleBook, Scratch, Session, TagSet, Unit, When,
};
use serde_json::{Value, json};
use time::{Date, Duration, Month};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Every credential's summary equals its explained status and, when it has periods, the credited
/// total and shortfall of its last period.
/// The last period's dates and each minimum's shortfall agree too (the staff report names
/// them from the summary).
fn assert_agree(book: &RuleBook, summary: &[Summary], full: &Evaluation, what: &str) {
    assert_eq!(summary.len(), full.credentials.len(), "{what}");
    for (s, c) in summary.iter().zip(full.credentials.iter()) {
        assert_eq!(s.status, c.status, "credential {} of {what}", c.id);
        let Some(p) = c.periods.last() else {
            assert!(s.minimum_shortfalls.iter().all(Option::is_none), "credential {} of {what}", c.id);
            continue;
        };
        assert_eq!(s.credited, p.credited.total, "credential {} of {what}", c.id);
        assert_eq!(s.shortfall, p.shortfall.total, "credential {} of {what}", c.id);
        let period = s.period.expect("a summary of a credential with periods has its last period");
        assert_eq!((period.start.to_string(), period.end.to_string()), (p.start.clone(), p.end.clone()), "{what}");
        let version = book.history(&c.ruleset).expect("a known rule set").version_on(period.end);
        for (id, short) in &p.shortfall.minimums.0 {
            let index = version.minimums.iter().position(|m| &m.id == id).expect("a minimum of the version");
            assert_eq!(s.minimum_shortfalls[index], *short, "minimum {id} of credential {} of {what}", c.id);
        }
        let applying = s.minimum_shortfalls.iter().filter(|m| m.is_some()).count();
        let known = p.shortfall.minimums.0.iter().filter(|(_, m)| m.is_some()).count();
        assert_eq!(applying, known, "credential {} of {what}", c.id);
    }
}

/// The benchmark's member shape (benches/engine.rs): two credentials, 30 activities, an eighth of
/// them over two sessions, a third from a Florida-approved provider; here over every rule set and
/// a spread of as-of dates.
fn generate_direct(book: &RuleBook, m: &mut Member, rng: &mut Rng) {
    const KINDS: &[&str] = &[
        "course",
        "webinar_live",
        "course",
        "conference_session",
        "self_directed_study",
        "course_online_selfpaced",
        "teaching",
        "society_service",
    ];
    const TAG_SETS: &[&[&str]] = &[
        &["technical"],
        &["ethics"],
        &["area_of_practice"],
        &["laws_rules:US-FL"],
        &["pmi:education", "pmi:ways_of_working"],
        &["pmi:education", "pmi:power_skills"],
        &["pmi:education", "pmi:business_acumen"],
        &["pmi:giving_back"],
        &["technical", "pmi:education"],
        &["ethics", "laws_rules:US-TX"],
        &[],
    ];
    let ids = book.ruleset_ids();
    let base = Date::from_calendar_date(2019, Month::January, 1).expect("date");
    let day = |n: i64| base + Duration::days(n);
    m.clear();
    let as_of = 1500 + rng.below(1500) as i64;
    m.as_of = Some(day(as_of));
    for n in 0..2 {
        let rs = book.ruleset_index(rng.pick(&ids)).expect("rule set");
        m.credentials.push(Credential {
            ruleset: rs,
            issued: day(as_of - rng.below(5 * 365) as i64),
            expires: Some(day(as_of - 200 + rng.below(800) as i64)),
            licensure_method: Some(if n == 0 { LicensureMethod::Exam } else { LicensureMethod::Comity }),
            birth_date: None,
            fields: Vec::new(),
        });
    }
    let fl = book.jurisdiction_id("US-FL").map(|b| 1u32 << b).unwrap_or(0);
    for r in 0..30u32 {
        let dn = as_of - rng.below(3 * 365) as i64;
        let hours = (1 + rng.below(8) as i64) * 1_000_000;
        let mut tags = TagSet::EMPTY;
        for t in TAG_SETS[rng.below(TAG_SETS.len() as u64) as usize] {
            if let Some(id) = book.tag_id(t) {
                tags.insert(id);
            }
        }
        let when = if rng.below(8) == 0 {
            let start = m.sessions.len() as u32;
            m.sessions.push(Session { date: day(dn), hours: hours / 2 });
            m.sessions.push(Session { date: day(dn + 1), hours: hours - hours / 2 });
            When::Sessions { start, len: 2 }
        } else {
            When::Date(day(dn))
        };
        m.activities.push(Activity {
            rank: r,
            kind: book.kind_id(rng.pick(KINDS)),
            tags,
            when,
            quantity: hours,
            unit: Unit::Hour,
            approvals: if rng.below(3) == 0 { fl } else { 0 },
            attrs_true: 0,
            attrs_false: 0,
            org: rng.below(3) as u32,
        });
    }
}

#[test]
fn summary_agrees_with_explained_evaluation_on_benchmark_shaped_members() {
    let book = book();
    let names = Names {
        credential_ids: vec!["a".into(), "b".into()],
        activity_ids: (0..30).map(|i| format!("act-{i:02}")).collect(),
        extra_tags: Vec::new(),
    };
    // One member and one scratch reused throughout, as in bulk use.
    let mut m = Member::default();
    let mut scratch = Scratch::new();
    let mut out = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..1500 {
        generate_direct(&book, &mut m, &mut rng);
        evaluate_summary(&book, &m, &mut scratch, &mut out);
        assert_agree(&book, &out, &evaluate_member(&book, &m, &names), &format!("member {i}: {m:?}"));
    }
}

fn random_input(r: &mut Rng, ids: &[&str]) -> Value {
    const KINDS: &[&str] = &[
        "course",
        "webinar_live",
        "course_online_selfpaced",
        "correspondence",
        "self_directed_study",
        "college_course",
        "conference_session",
        "teaching",
        "presentation",
        "publication_article",
        "patent",
        "society_service",
        "government_committee_service",
        "exam_item_authoring",
        "employment",
        "volunteering",
        "meeting_attendance",
        "not_a_known_kind",
    ];
    const TAGS: &[&str] = &[
        "apega:formal",
        "apega:informal",
        "apega:participation",
        "area_of_practice",
        "business_practice",
        "educational_outreach",
        "engineering",
        "ethics",
        "laws_rules:US-FL",
        "laws_rules:US-IL",
        "laws_rules:US-OH",
        "laws_rules:US-TX",
        "leed_specific:any",
        "pmi:business_acumen",
        "pmi:education",
        "pmi:giving_back",
        "pmi:power_skills",
        "pmi:practitioner",
        "pmi:ways_of_working",
        "professional_skills",
        "roles_responsibilities",
        "sexual_harassment_prevention",
        "surveying",
        "technical",
        "member_local_tag",
    ];
    const UNITS: &[&str] = &["hour", "minute", "ceu", "item", "PDU", "PDH", "month", "year", "college_semester_hour"];
    const ATTRS: &[&str] = &[
        "first_presentation",
        "not_full_time_faculty",
        "officer_or_committee_member",
        "uses_engineering_knowledge",
        "question_accepted_for_use",
    ];
    let base = Date::from_calendar_date(2016, Month::January, 1).expect("date");
    let date = |n: i64| {
        let d = base + Duration::days(n);
        format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
    };
    let as_of = 2200 + r.below(1800) as i64;
    let mut creds = Vec::new();
    for i in 0..1 + r.below(4) {
        let mut c =
            json!({"id": format!("c{i}"), "ruleset": r.pick(ids), "issued": date(as_of - r.below(3500) as i64)});
        // Sometimes without the expiry date an expiry-anchored cycle needs.
        if r.below(5) != 0 {
            c["expires"] = json!(date(as_of - 400 + r.below(1200) as i64));
        }
        if r.below(3) != 0 {
            c["licensure_method"] = json!(r.pick(&["exam", "comity", "endorsement", "other"]));
        }
        if r.below(3) == 0 {
            c["birth_date"] = json!(date(-(r.below(20000) as i64)));
        }
        if r.below(4) == 0 {
            c["peak_target_hours"] = json!(r.below(40));
        }
        creds.push(c);
    }
    let mut acts = Vec::new();
    for i in 0..r.below(40) {
        let tags: Vec<&str> = (0..r.below(4)).map(|_| r.pick(TAGS)).collect();
        let day = as_of - r.below(1900) as i64 + 60;
        let mut a = json!({"id": format!("a{:03}", r.below(1000) * 100 + i), "kind": r.pick(KINDS), "tags": tags});
        match r.below(6) {
            0 => {
                let sessions: Vec<Value> = (0..1 + r.below(3))
                    .map(|k| json!({"date": date(day + k as i64 * (1 + r.below(40) as i64)), "hours": r.below(9)}))
                    .collect();
                a["sessions"] = Value::from(sessions);
            }
            1 => {
                a["start"] = json!(date(day - r.below(1500) as i64));
                a["end"] = json!(date(day));
                a["quantity"] = json!(r.below(30) as f64 / 2.0);
                if r.below(2) == 0 {
                    a["unit"] = json!(r.pick(UNITS));
                }
            }
            _ => {
                a["date"] = json!(date(day));
                a["quantity"] = json!(r.below(40) as f64 / 4.0);
                if r.below(2) == 0 {
                    a["unit"] = json!(r.pick(UNITS));
                }
            }
        }
        if r.below(3) == 0 {
            a["provider"] = json!({"name": "P", "approved_by": r.pick(&["US-FL", "US-NJ", "US-TX", "US-NY"])});
        }
        if r.below(4) == 0 {
            a["organization"] = json!(r.pick(&["NSPE", "ASCE", "IEEE"]));
        }
        for _ in 0..r.below(3) {
            a[r.pick(ATTRS)] = json!(r.below(2) == 0);
        }
        acts.push(a);
    }
    json!({"as_of": date(as_of), "credentials": creds, "activities": acts})
}

#[test]
fn summary_agrees_with_explained_evaluation_on_varied_members() {
    let book = book();
    let ids = book.ruleset_ids();
    let mut scratch = Scratch::new();
    let mut out = Vec::new();
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..1500 {
        let input = random_input(&mut rng, &ids).to_string();
        let (m, names) = guildhall_ce::parse_input(&input, &book).expect("generated input is valid");
        evaluate_summary(&book, &m, &mut scratch, &mut out);
        assert_agree(&book, &out, &evaluate_member(&book, &m, &names), &input);
    }
}
