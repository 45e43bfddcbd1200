//! The job search from memory (`LiveJobs`, careers plan §5), on both engines: on a varied
//! set of jobs (every discipline, stage, place, pay, requirement and state the tests can
//! make, some featured, some closing, some over) it lists the same jobs in the same order
//! with the same totals as the database's search, for every filter alone and combined,
//! page after page, "jobs I qualify for" included; a run or closing date that passes takes a
//! job out at once however old the snapshot; and a job taken down, closed or changed, or
//! an employer renamed, shows in the search on this node at once.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use guildhall_app::Actor;
use guildhall_app::careers::{EmployerForm, JobForm, LiveJobs, Purchase, RequirementRow};
use guildhall_app::records::{JobCardRecord, JobSearch};
use guildhall_domain::careers::JobFilter;
use guildhall_domain::identity::Role;
use guildhall_store::{Page, PageRequest};

use crate::harness::*;

async fn staff_actor(t: &TestApp) -> Actor {
    let user = t.store.user_by_email(STAFF).await.unwrap().unwrap();
    Actor::for_account(user.id, &user.email, &user.display_name, Role::Staff)
}

const TITLES: [&str; 6] = [
    "Bridge engineer",
    "Senior bridge engineer",
    "Power systems engineer",
    "HVAC designer",
    "Structural inspector",
    "Project manager",
];
const DISCIPLINES: [&str; 5] = ["civil", "electrical", "mechanical", "structural", "geotechnical"];
const STAGES: [&str; 4] = ["student", "eit", "licensed", "other"];
const PLACES: [&str; 4] = ["US-TX", "US-FL", "CA-ON", ""];

/// The `i`th job of the set: its fields cycle at different rates so that the filters cut
/// across each other.
fn varied_job(i: usize, today: time::Date) -> JobForm {
    let jurisdiction = PLACES[i % 4];
    let remote = if jurisdiction.is_empty() { "remote" } else { ["on_site", "hybrid", "remote"][i % 3] };
    let (min, max, period) = match i % 6 {
        5 => ("40".to_string(), "55".to_string(), "hour"),
        k => ((50_000 + k * 15_000).to_string(), (70_000 + k * 20_000).to_string(), "year"),
    };
    let row = |need: &str, what: &str, jurisdiction: &str| RequirementRow {
        need: need.into(),
        what: what.into(),
        jurisdiction: jurisdiction.into(),
    };
    let requirements = match i % 5 {
        0 => vec![row("required", "PE", "US-TX")],
        1 => vec![row("required", "PE", ""), row("preferred", "SE", "")],
        2 => vec![row("preferred", "PE", "US-FL")],
        3 => vec![row("required", "SE", "US-FL"), row("required", "PE", "US-TX")],
        _ => vec![],
    };
    JobForm {
        title: TITLES[i % 6].into(),
        description: "Generated for the search's agreement test.".into(),
        discipline: DISCIPLINES[i % 5].into(),
        career_stage: STAGES[i % 4].into(),
        jurisdiction: jurisdiction.into(),
        city: if jurisdiction.is_empty() { String::new() } else { "Springfield".into() },
        remote: remote.into(),
        salary_min: min,
        salary_max: max,
        pay_period: period.into(),
        closes_on: if i.is_multiple_of(7) { (today + time::Duration::days(10)).to_string() } else { String::new() },
        requirements,
    }
}

/// Seeds three employers and 48 jobs through the use cases: most approved with a run of 30
/// or 90 days (a minute apart, so their order is by start), some featured (a paid run), some
/// sent back, left waiting or closed.
async fn seed_varied_jobs(t: &TestApp) {
    let staff = staff_actor(t).await;
    let mut employers = Vec::new();
    for name in ["Lone Star Bridges", "Prairie Power Cooperative", "Gulf Coast Structural"] {
        let form = EmployerForm { name: name.into(), website: "https://example.org".into(), about: String::new() };
        employers.push(t.app.create_employer(&staff, &form, "t").await.unwrap());
    }
    for i in 0..48 {
        let employer = employers[i % 3];
        let form = varied_job(i, t.app.clock.today());
        let job = t.app.create_job(&staff, employer, &form, true, "t").await.unwrap();
        match i % 12 {
            8 => t.app.review_job(&staff, job, false, "Give the pay range.", "", "t").await.unwrap(),
            10 => {} // waiting for review
            3 | 9 => {
                // Featured: approved, then a featured run ordered and paid.
                t.app.review_job(&staff, job, true, "", "", "t").await.unwrap();
                let run = Purchase::JobRun { employer_id: employer, job_id: job };
                let posting = t.app.order_product(&staff, run, "job-30-featured").await.unwrap();
                t.app.pay_for_order(&staff, run, posting).await.unwrap();
            }
            _ => t.app.review_job(&staff, job, true, "", if i % 2 == 0 { "30" } else { "90" }, "t").await.unwrap(),
        }
        if i % 12 == 11 {
            t.app.close_job(&staff, employer, job, "filled", "t").await.unwrap();
        }
        t.app.clock.advance(60);
    }
}

/// Filters alone and combined, as query pairs.
fn filter_sets() -> Vec<Vec<(String, String)>> {
    let sets: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("q", "bridge")],
        vec![("q", "ENGINEER prairie")],
        vec![("q", "gulf")],
        vec![("q", "br")],
        vec![("q", "nothing-like-this")],
        vec![("discipline", "civil")],
        vec![("discipline", "structural")],
        vec![("discipline", "chemical")],
        vec![("stage", "eit")],
        vec![("stage", "licensed")],
        vec![("jurisdiction", "US-TX")],
        vec![("jurisdiction", "Ontario")],
        vec![("remote", "remote")],
        vec![("remote", "hybrid")],
        vec![("licence", "PE")],
        vec![("licence", "SE")],
        vec![("pay", "90000")],
        vec![("pay", "150000")],
        vec![("discipline", "civil"), ("jurisdiction", "US-TX")],
        vec![("discipline", "electrical"), ("remote", "remote"), ("pay", "60000")],
        vec![("q", "engineer"), ("licence", "PE"), ("stage", "eit")],
        vec![("q", "bridge"), ("jurisdiction", "US-FL"), ("remote", "on_site")],
        vec![("licence", "PE"), ("pay", "100000"), ("remote", "hybrid")],
        vec![
            ("q", "inspector"),
            ("discipline", "structural"),
            ("stage", "other"),
            ("jurisdiction", "CA-ON"),
            ("remote", "on_site"),
            ("licence", "SE"),
            ("pay", "50000"),
        ],
    ];
    sets.into_iter().map(|set| set.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).collect()
}

/// The ids of a page, with its total.
fn ids(page: &Page<JobCardRecord>) -> (Vec<i64>, i64) {
    (page.items.iter().map(|c| c.id).collect(), page.total)
}

/// Checks that the snapshot (`live`, loaded now) and the app's search agree with the
/// database's search for every filter set, every held set (with "qualified") and every
/// page of five, plus one past the end; the number of (filter, page) pairs compared.
async fn compare_everything(t: &TestApp, live: &LiveJobs) -> usize {
    let (now, today) = (t.app.clock.unix(), t.app.clock.today());
    let held_sets: Vec<BTreeSet<String>> = vec![
        BTreeSet::new(),
        ["licence:*:PE", "licence:US-TX:PE"].into_iter().map(String::from).collect(),
        ["licence:*:PE", "licence:US-TX:PE", "licence:*:SE", "licence:US-FL:SE"]
            .into_iter()
            .map(String::from)
            .collect(),
    ];
    // What a Texas PE would meet by comity, and more (a key some jobs require).
    let comity: BTreeSet<String> = ["licence:US-FL:PE", "licence:US-NV:PE", "licence:US-TX:PE", "licence:US-FL:SE"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut compared = 0;
    for pairs in filter_sets() {
        for matched in ["", "qualified", "comity"] {
            let qualified = !matched.is_empty();
            let mut pairs = pairs.clone();
            if qualified {
                pairs.push((matched.into(), "1".into()));
            }
            let filter = JobFilter::from_pairs(&pairs).unwrap();
            for held in &held_sets {
                let search = JobSearch {
                    filter: &filter,
                    held_keys: held,
                    comity_keys: &comity,
                    now,
                    today,
                    employer_id: None,
                    live_after: None,
                };
                let mut page = 1;
                loop {
                    let request = PageRequest::new(page, 5);
                    let database = t.store.search_jobs(&search, request).await.unwrap();
                    let memory = live.search(&filter, held, &comity, now, today, request);
                    assert_eq!(memory.items, database.items, "{:?} {pairs:?} held {held:?} page {page}", t.engine);
                    assert_eq!(memory.total, database.total, "{:?} {pairs:?} held {held:?}", t.engine);
                    if !qualified {
                        // The use case (the app's own snapshot) as a guest sees it.
                        let app = t.app.search_jobs(None, &pairs, request).await.unwrap().jobs;
                        assert_eq!(ids(&app), ids(&database), "{:?} {pairs:?} page {page}", t.engine);
                    }
                    compared += 1;
                    if i64::from(page) * 5 >= database.total {
                        break;
                    }
                    page += 1;
                }
                if !qualified {
                    break; // the held keys matter only to "qualified"
                }
            }
        }
    }
    compared
}

#[tokio::test]
async fn the_snapshot_lists_what_the_database_lists_for_every_filter_and_page() {
    for t in TestApp::each_engine().await {
        seed_varied_jobs(&t).await;
        let (now, today) = (t.app.clock.unix(), t.app.clock.today());
        let live = LiveJobs::load(&t.store, 0, now, today).await.unwrap();
        let everything = t
            .store
            .search_jobs(
                &JobSearch {
                    filter: &JobFilter::default(),
                    held_keys: &BTreeSet::new(),
                    comity_keys: &BTreeSet::new(),
                    now,
                    today,
                    employer_id: None,
                    live_after: None,
                },
                PageRequest::new(1, 200),
            )
            .await
            .unwrap();
        // 48 written: 4 sent back, 4 waiting, 4 closed (one featured among them); the rest live.
        assert!(everything.total >= 36, "{:?}: {}", t.engine, everything.total);
        assert!(everything.items[0].featured && everything.items.iter().filter(|c| c.featured).count() >= 6);
        let compared = compare_everything(&t, &live).await;
        assert!(compared > 100, "{compared}");

        // Eleven days on, the jobs closing in ten are over; 31 days on, the 30-day runs (the
        // featured ones included) too; 91 days on, everything. The snapshots read before
        // (the test's and the app's) drop them at once.
        for days in [11, 20, 60] {
            t.app.clock.advance(days * 86_400);
            compare_everything(&t, &live).await;
        }
        let (now, today) = (t.app.clock.unix(), t.app.clock.today());
        let none = BTreeSet::new();
        assert_eq!(live.search(&JobFilter::default(), &none, &none, now, today, PageRequest::new(1, 5)).total, 0);
        let app = t.app.search_jobs(None, &[], PageRequest::new(1, 5)).await.unwrap();
        assert_eq!(app.jobs.total, 0, "{:?}", t.engine);
    }
}

fn listed(body: &str, job: i64) -> bool {
    body.contains(&format!("href=\"/jobs/{job}\""))
}

#[tokio::test]
async fn a_job_taken_down_closed_or_changed_leaves_the_search_at_once() {
    for t in TestApp::each_engine().await {
        let staff_account = staff_actor(&t).await;
        let mut staff = t.signed_in(STAFF).await;
        let mut guest = t.client();
        let form = EmployerForm {
            name: "Hill Country Geotech".into(),
            website: "https://example.org".into(),
            about: String::new(),
        };
        let employer = t.app.create_employer(&staff_account, &form, "t").await.unwrap();
        let mut jobs = Vec::new();
        for i in 0..3 {
            let job = t.app.create_job(&staff_account, employer, &varied_job(i, t.app.clock.today()), true, "t").await;
            let job = job.unwrap();
            t.app.review_job(&staff_account, job, true, "", "30", "t").await.unwrap();
            jobs.push(job);
        }
        let api_listed =
            |body: serde_json::Value, job: i64| body["items"].as_array().unwrap().iter().any(|j| j["id"] == job);
        // Searched once: this node now holds the three in its snapshot.
        let page = guest.get("/jobs?q=hill+country").await.body;
        assert!(jobs.iter().all(|&job| listed(&page, job)), "{page}");

        // Staff take the first down (confirmed): gone from the page and the API at once.
        let r = staff.post_form(&format!("/staff/jobs/{}/take-down", jobs[0]), &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = guest.get("/jobs?q=hill+country").await.body;
        assert!(!listed(&page, jobs[0]) && listed(&page, jobs[1]), "{page}");
        assert!(page.contains(">2 in all."), "{page}");
        let api = guest.api(Method::GET, "/api/v1/jobs?q=hill+country", None).await.json();
        assert!(!api_listed(api.clone(), jobs[0]) && api_listed(api, jobs[1]));

        // Closed as filled: gone at once.
        t.app.close_job(&staff_account, employer, jobs[1], "withdrawn", "t").await.unwrap();
        assert!(!listed(&guest.get("/jobs?q=hill+country").await.body, jobs[1]));

        // Changed: back for review, out of the search at once.
        let changed = JobForm { title: "Senior geotechnical engineer".into(), ..varied_job(2, t.app.clock.today()) };
        t.app.update_job(&staff_account, employer, jobs[2], &changed, true, "t").await.unwrap();
        assert!(!listed(&guest.get("/jobs?q=hill+country").await.body, jobs[2]));
        // Approved again, it is back under its new title, and found by the employer's new name.
        t.app.review_job(&staff_account, jobs[2], true, "", "", "t").await.unwrap();
        let page = guest.get("/jobs?q=senior+geotechnical").await.body;
        assert!(listed(&page, jobs[2]), "{page}");
        let renamed = EmployerForm { name: "Balcones Geotechnical".into(), ..form };
        t.app.update_employer(&staff_account, employer, &renamed, "t").await.unwrap();
        assert!(listed(&guest.get("/jobs?q=balcones").await.body, jobs[2]));
        assert!(!listed(&guest.get("/jobs?q=hill+country").await.body, jobs[2]));
    }
}
