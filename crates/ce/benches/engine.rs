//! Engine benchmark (no criterion, `harness = false`):
//!
//! * 1,000,000 generated members, each with 2 credentials and 30 activities, evaluated with
//!   `evaluate_summary` on all cores (one reusable `Member` + `Scratch` per thread: the members
//!   are generated and evaluated as a stream, nothing is allocated per member or per activity);
//! * one member's full, explained evaluation (`evaluate_member`, what a dashboard shows) and the
//!   whole `evaluate_json` round trip, in microseconds.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-ce cargo bench -p guildhall-ce`
//! Optional: `CE_BENCH_MEMBERS=100000` to change the member count.

use std::hint::black_box;
use std::time::Instant;

use guildhall_ce::engine::{Names, Summary, evaluate_member, evaluate_summary};
use guildhall_ce::{
    Activity, Credential, LicensureMethod, Member, RuleBook, Scratch, Session, Status, TagSet, Unit, When,
};
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
}

struct Vocab {
    tx: usize,
    fl: usize,
    pmp: usize,
    nc: usize,
    kinds: Vec<u16>,
    tags: Vec<TagSet>,
    fl_approval: u32,
    expiries: [Date; 4],
}

const DAY0: usize = 5 * 365 + 10;

fn vocab(book: &RuleBook) -> Vocab {
    let t = |names: &[&str]| {
        let mut s = TagSet::EMPTY;
        for n in names {
            if let Some(id) = book.tag_id(n) {
                s.insert(id);
            }
        }
        s
    };
    let idx = |id: &str| book.ruleset_index(id).unwrap_or_else(|| panic!("rule set {id} missing"));
    Vocab {
        tx: idx("US-TX-PE"),
        fl: idx("US-FL-PE"),
        pmp: idx("PMI-PMP"),
        nc: idx("US-NC-PE"),
        kinds: [
            "course",
            "webinar_live",
            "course",
            "conference_session",
            "self_directed_study",
            "course_online_selfpaced",
        ]
        .iter()
        .map(|k| book.kind_id(k))
        .collect(),
        tags: vec![
            t(&["technical"]),
            t(&["technical"]),
            t(&["ethics"]),
            t(&["area_of_practice"]),
            t(&["laws_rules:US-FL"]),
            t(&["pmi:education", "pmi:ways_of_working"]),
            t(&["pmi:education", "pmi:power_skills"]),
            t(&["pmi:education", "pmi:business_acumen"]),
            t(&["pmi:giving_back"]),
            t(&["technical", "pmi:education"]),
        ],
        fl_approval: book.jurisdiction_id("US-FL").map(|b| 1u32 << b).unwrap_or(0),
        expiries: [(3, 31), (6, 30), (9, 30), (12, 31)]
            .map(|(m, d)| Date::from_calendar_date(2026, Month::try_from(m).expect("month"), d).expect("date")),
    }
}

/// Dates from `BASE_YEAR`-01-01 on, precomputed so generation does no calendar arithmetic.
struct Days(Vec<Date>);

impl Days {
    fn new(from: Date, n: usize) -> Days {
        Days((0..n as i64).map(|i| from + Duration::days(i)).collect())
    }
}

/// Fills `m` with the next generated member (deterministic per thread), reusing its buffers.
/// `days.0[DAY0]` is three years before `as_of`.
fn generate(m: &mut Member, rng: &mut Rng, v: &Vocab, as_of: Date, days: &Days) {
    m.clear();
    m.as_of = Some(as_of);
    let day = |n: i64| days.0[(DAY0 as i64 + n) as usize];
    let pick = rng.below(4);
    let (a, b) = match pick {
        0 => (v.tx, v.fl),
        1 => (v.tx, v.pmp),
        2 => (v.fl, v.pmp),
        _ => (v.nc, v.tx),
    };
    for (n, rs) in [a, b].into_iter().enumerate() {
        let issued = day(-(rng.below(5 * 365) as i64));
        let expires = Some(v.expiries[rng.below(4) as usize]);
        m.credentials.push(Credential {
            ruleset: rs,
            issued,
            expires,
            licensure_method: Some(if n == 0 { LicensureMethod::Exam } else { LicensureMethod::Comity }),
            birth_date: None,
            fields: Vec::new(),
        });
    }
    for r in 0..30u32 {
        let dn = rng.below(3 * 365) as i64;
        let d = day(dn);
        let hours = (1 + rng.below(8) as i64) * 1_000_000;
        let kind = v.kinds[rng.below(v.kinds.len() as u64) as usize];
        let tags = v.tags[rng.below(v.tags.len() as u64) as usize];
        let when = if rng.below(8) == 0 {
            let start = m.sessions.len() as u32;
            m.sessions.push(Session { date: d, hours: hours / 2 });
            m.sessions.push(Session { date: day(dn + 1), hours: hours - hours / 2 });
            When::Sessions { start, len: 2 }
        } else {
            When::Date(d)
        };
        m.activities.push(Activity {
            rank: r,
            kind,
            tags,
            when,
            quantity: hours,
            unit: Unit::Hour,
            approvals: if rng.below(3) == 0 { v.fl_approval } else { 0 },
            attrs_true: 0,
            attrs_false: 0,
            org: 0,
        });
    }
}

fn main() {
    let book = RuleBook::embedded().expect("embedded rules load");
    let v = vocab(&book);
    let as_of = Date::from_calendar_date(2025, Month::June, 15).expect("date");
    let members: u64 = std::env::var("CE_BENCH_MEMBERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let days = Days::new(as_of - Duration::days(3 * 365 + DAY0 as i64), DAY0 + 4 * 365);
    let days = &days;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(1) as u64;

    // Generation alone (to separate it from evaluation time).
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let v = &v;
            s.spawn(move || {
                let mut m = Member::default();
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t + 1));
                for _ in (t..members).step_by(threads as usize) {
                    generate(&mut m, &mut rng, v, as_of, days);
                    black_box(&m);
                }
            });
        }
    });
    let gen_time = t0.elapsed();

    // Generation + evaluation, streamed.
    let t1 = Instant::now();
    let counts = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for t in 0..threads {
            let (v, book) = (&v, &book);
            handles.push(s.spawn(move || {
                let mut m = Member::default();
                let mut scratch = Scratch::new();
                let mut out: Vec<Summary> = Vec::with_capacity(4);
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t + 1));
                let mut counts = [0u64; 6];
                for _ in (t..members).step_by(threads as usize) {
                    generate(&mut m, &mut rng, v, as_of, days);
                    evaluate_summary(book, &m, &mut scratch, &mut out);
                    for s in &out {
                        counts[s.status as usize] += 1;
                    }
                }
                counts
            }));
        }
        let mut total = [0u64; 6];
        for h in handles {
            let c = h.join().expect("thread");
            for i in 0..6 {
                total[i] += c[i];
            }
        }
        total
    });
    let total = t1.elapsed();
    let eval_only = total.saturating_sub(gen_time);
    println!("members: {members} × 2 credentials × 30 activities, {threads} threads");
    println!(
        "generation + evaluation: {:.3} s total, {:.3} µs per member",
        total.as_secs_f64(),
        total.as_secs_f64() * 1e6 / members as f64
    );
    println!("generation alone:        {:.3} s", gen_time.as_secs_f64());
    println!(
        "evaluation (difference):  {:.3} s, {:.3} µs per member (wall clock, {threads} threads)",
        eval_only.as_secs_f64(),
        eval_only.as_secs_f64() * 1e6 / members as f64
    );
    let names = [
        Status::Compliant,
        Status::Deficient,
        Status::Exempt,
        Status::InProgress,
        Status::NotRequired,
        Status::Undecidable,
    ];
    let mut line = String::from("credential statuses:");
    for s in names {
        line.push_str(&format!(" {}={}", s.as_str(), counts[s as usize]));
    }
    println!("{line}");

    if std::env::var_os("CE_BENCH_SKIP_SINGLE").is_some() {
        return;
    }
    // One member, explained (dashboard) and as JSON (CLI).
    let mut m = Member::default();
    let mut rng = Rng(42);
    generate(&mut m, &mut rng, &v, as_of, days);
    let names = Names {
        credential_ids: vec!["a".into(), "b".into()],
        activity_ids: (0..30).map(|i| format!("act-{i:02}")).collect(),
        extra_tags: Vec::new(),
    };
    let runs: u32 = std::env::var("CE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut scratch = Scratch::new();
    let mut out = Vec::new();
    let t3 = Instant::now();
    for _ in 0..runs * 10 {
        evaluate_summary(&book, black_box(&m), &mut scratch, &mut out);
        black_box(&out);
    }
    let summary = t3.elapsed().as_secs_f64() * 1e6 / (runs * 10) as f64;
    let shape: Vec<String> = m
        .credentials
        .iter()
        .zip(out.iter())
        .map(|(c, s)| format!("{} ({} periods, {})", book.history_at(c.ruleset).id, s.periods, s.status.as_str()))
        .collect();
    println!("single member: {}, {} activities", shape.join(" + "), m.activities.len());
    if std::env::var_os("CE_BENCH_ONLY_SUMMARY").is_some() {
        return;
    }
    let t2 = Instant::now();
    for _ in 0..runs {
        black_box(evaluate_member(&book, black_box(&m), &names));
    }
    let explained = t2.elapsed().as_secs_f64() * 1e6 / runs as f64;
    let json = r#"{"as_of":"2025-06-30","credentials":[{"id":"tx","ruleset":"US-TX-PE","issued":"2016-08-10","expires":"2025-06-30"},{"id":"fl","ruleset":"US-FL-PE","issued":"2016-08-10"}],
      "activities":[{"id":"A1","kind":"course","tags":["technical"],"date":"2023-09-12","quantity":8},{"id":"A2","kind":"webinar_live","tags":["ethics"],"date":"2023-11-02","quantity":1},
      {"id":"A3","kind":"course","tags":["technical"],"sessions":[{"date":"2024-02-20","hours":8},{"date":"2024-02-21","hours":8}]},{"id":"A4","kind":"course","tags":["area_of_practice"],"date":"2024-05-15","quantity":5},
      {"id":"A5","kind":"course","tags":["laws_rules:US-FL"],"date":"2024-09-10","quantity":2,"provider":{"approved_by":"US-FL"}}]}"#;
    let t4 = Instant::now();
    for _ in 0..runs {
        black_box(guildhall_ce::evaluate_json(black_box(json), &book).expect("ok"));
    }
    let json_us = t4.elapsed().as_secs_f64() * 1e6 / runs as f64;
    println!("single member, summary only (evaluate_summary): {summary:.2} µs");
    println!("single member, explained (evaluate_member, dashboard): {explained:.2} µs");
    println!("single member, JSON in → pretty JSON out (evaluate_json): {json_us:.2} µs");
}
