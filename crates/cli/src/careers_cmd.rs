//! `guildhall bench jobs`: a career centre with many live jobs for `scripts/bench-careers` to
//! load the job search against, and the search timed in the process. `guildhall bench salary`:
//! a large closed salary survey, its release timed, and the benchmark timed in the process.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use guildhall_app::careers::{EmployerForm, JOBS_A_PAGE, JobForm, Purchase, RequirementRow};
use guildhall_app::records::PageRequest;
use guildhall_app::{Actor, App};
use guildhall_domain::identity::Role;

/// How many jobs are written at once.
const AT_ONCE: usize = 16;

const DISCIPLINES: [&str; 10] = [
    "civil",
    "civil",
    "structural",
    "mechanical",
    "electrical",
    "environmental",
    "geotechnical",
    "surveying",
    "chemical",
    "software",
];
const STAGES: [&str; 4] = ["student", "eit", "licensed", "other"];
const PLACES: [(&str, &str); 24] = [
    ("US-TX", "Austin"),
    ("US-TX", "Houston"),
    ("US-TX", "Dallas"),
    ("US-CA", "Los Angeles"),
    ("US-CA", "San Francisco"),
    ("US-NY", "New York"),
    ("US-FL", "Tampa"),
    ("US-FL", "Miami"),
    ("US-IL", "Chicago"),
    ("US-PA", "Philadelphia"),
    ("US-OH", "Columbus"),
    ("US-GA", "Atlanta"),
    ("US-NC", "Raleigh"),
    ("US-WA", "Seattle"),
    ("US-CO", "Denver"),
    ("US-AZ", "Phoenix"),
    ("US-MA", "Boston"),
    ("US-VA", "Richmond"),
    ("US-MI", "Detroit"),
    ("US-MN", "Minneapolis"),
    ("US-TN", "Nashville"),
    ("US-OK", "Tulsa"),
    ("US-NJ", "Newark"),
    ("CA-ON", "Toronto"),
];
const REMOTE: [&str; 3] = ["on_site", "on_site", "hybrid"];
const WORDS: [&str; 8] = ["Bridge", "Water", "Transit", "Power", "Foundation", "Building", "Pipeline", "Site"];

/// Job `i`, varied by its number (deterministic, so each run seeds the same).
fn job_form(i: usize) -> JobForm {
    let mix = i.wrapping_mul(2_654_435_761) >> 7;
    let discipline = DISCIPLINES[mix % DISCIPLINES.len()];
    let stage = STAGES[(mix / 10) % STAGES.len()];
    let (jurisdiction, city) = PLACES[(mix / 40) % PLACES.len()];
    let remote = if (mix / 960).is_multiple_of(10) { "remote" } else { REMOTE[(mix / 960) % REMOTE.len()] };
    let word = WORDS[(mix / 9_600) % WORDS.len()];
    let (min, max, period) = match stage {
        "student" | "other" => {
            let min = 20 + mix % 20;
            (min, min + 5, "hour")
        }
        "eit" => {
            let min = 62_000 + (mix % 20) * 1_000;
            (min, min + 12_000, "year")
        }
        _ => {
            let min = 90_000 + (mix % 60) * 1_000;
            (min, min + 30_000, "year")
        }
    };
    let mut requirements = Vec::new();
    let row = |need: &str, what: &str, jurisdiction: &str| RequirementRow {
        need: need.into(),
        what: what.into(),
        jurisdiction: jurisdiction.into(),
    };
    if stage == "licensed" {
        let kind = match (discipline, jurisdiction) {
            ("surveying", _) => "PLS",
            (_, "CA-ON") => "P.Eng",
            _ => "PE",
        };
        match mix % 3 {
            0 => requirements.push(row("required", kind, jurisdiction)),
            1 => requirements.push(row("required", kind, "")),
            _ => requirements.push(row("preferred", kind, jurisdiction)),
        }
        if discipline == "structural" && mix.is_multiple_of(2) {
            requirements.push(row("preferred", "SE", ""));
        }
    }
    JobForm {
        title: format!("{word} {} Engineer {i}", capitalised(discipline)),
        description: format!(
            "Generated for the benchmark: a {stage} {discipline} role on {} projects.\n\n- Design\n- Review\n- Site visits\n",
            word.to_lowercase()
        ),
        discipline: discipline.into(),
        career_stage: stage.into(),
        jurisdiction: jurisdiction.into(),
        city: city.into(),
        remote: remote.into(),
        salary_min: min.to_string(),
        salary_max: max.to_string(),
        pay_period: period.into(),
        closes_on: String::new(),
        requirements,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `count` filter URLs of the job search (discipline, place, remote, pay and page varied), one
/// a line.
fn filter_urls(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let discipline = DISCIPLINES[(i * 7) % DISCIPLINES.len()];
            let (jurisdiction, _) = PLACES[(i * 5) % PLACES.len()];
            let mut url = format!("/jobs?discipline={discipline}&jurisdiction={jurisdiction}");
            if i % 3 == 0 {
                url.push_str(&format!("&remote={}", ["on_site", "hybrid", "remote"][(i / 3) % 3]));
            }
            if i % 2 == 0 {
                url.push_str(&format!("&pay={}", 60_000 + (i % 8) * 10_000));
            }
            if i % 4 == 1 {
                url.push_str(&format!("&page={}", 1 + i % 3));
            }
            url
        })
        .collect()
}

/// Adds `employers` employers and `jobs` live jobs (approved by staff with a 90-day run; one
/// in fifty ordered and paid for 30 days featured) through the use cases, sixteen at a time,
/// to the configured database (seeding a demo society of 200 members first when it is empty);
/// times the search in the process and writes filter URLs for wrk to `urls` when given.
pub async fn bench_jobs(app: Arc<App>, jobs: usize, employers: usize, urls: Option<&Path>) -> Result<()> {
    let started = Instant::now();
    if app.seed_demo_sized(200).await? {
        say!("Seeded a demo society of 200 members in {:.1} s", started.elapsed().as_secs_f64());
    }
    let staff_id = app.demo_account_id("staff@demo.guildhall.org").await?.unwrap_or(0);
    let staff = Actor::for_account(staff_id, "staff@demo.guildhall.org", "Staff", Role::Staff);
    let started = Instant::now();
    let mut employer_ids = Vec::with_capacity(employers);
    for e in 0..employers.max(1) {
        let form = EmployerForm {
            name: format!("Benchmark Engineering {e}"),
            website: format!("https://bench{e}.example.com"),
            about: "Generated for the benchmark.".into(),
        };
        employer_ids.push(app.create_employer(&staff, &form, "bench").await?);
    }
    say!("Added {} employers in {:.1} s", employer_ids.len(), started.elapsed().as_secs_f64());

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let employer_ids = Arc::new(employer_ids);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..AT_ONCE {
        let (app, next, staff, employer_ids) = (app.clone(), next.clone(), staff.clone(), employer_ids.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs {
                    return Ok::<(), guildhall_app::AppError>(());
                }
                let employer = employer_ids[i % employer_ids.len()];
                let id = app.create_job(&staff, employer, &job_form(i), true, "bench").await?;
                if i % 50 == 0 {
                    app.review_job(&staff, id, true, "", "", "bench").await?;
                    let run = Purchase::JobRun { employer_id: employer, job_id: id };
                    let posting = app.order_product(&staff, run, "job-30-featured").await?;
                    app.pay_for_order(&staff, run, posting).await?;
                } else {
                    app.review_job(&staff, id, true, "", "90", "bench").await?;
                }
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    say!(
        "Added {jobs} live jobs ({:?}) in {elapsed:.1} s, {AT_ONCE} at a time: {:.0} jobs/s (each written, sent for \
         review, approved with its run; one in fifty ordered and paid, featured)",
        app.engine_kind(),
        jobs as f64 / elapsed
    );

    // The search in the process: the first page, filters, and "jobs I qualify for".
    let member_id = app.demo_account_id("member@demo.guildhall.org").await?.unwrap_or(0);
    let member = Actor::for_account(member_id, "member@demo.guildhall.org", "Maya Okafor, PE", Role::Member);
    let pairs = |url: &str| -> Vec<(String, String)> {
        url.split_once('?')
            .map(|(_, q)| {
                q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
            })
            .unwrap_or_default()
    };
    let list = filter_urls(200);
    for (what, actor, urls) in [
        ("/jobs (first page)", None, vec!["/jobs".to_string()]),
        ("200 filter URLs in turn", None, list.clone()),
        ("/jobs?qualified=1 (the demo member)", Some(&member), vec!["/jobs?qualified=1".to_string()]),
    ] {
        let rounds = 200;
        let started = Instant::now();
        let mut total = 0;
        for r in 0..rounds {
            let url = &urls[r % urls.len()];
            let query = pairs(url);
            let page = query.iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
            total = app.search_jobs(actor, &query, PageRequest::new(page, JOBS_A_PAGE)).await?.jobs.total;
        }
        say!(
            "search {what}: {:.2} ms each over {rounds} ({} found by the last)",
            started.elapsed().as_secs_f64() * 1_000.0 / rounds as f64,
            total
        );
    }
    if let Some(path) = urls {
        std::fs::write(path, list.join("\n") + "\n").with_context(|| format!("cannot write {}", path.display()))?;
        say!("Wrote {} filter URLs to {}", list.len(), path.display());
    }
    say!("Now serve this database and load it, e.g. (scripts/bench-careers does all of this):");
    say!("  wrk -t2 -c16 -d30s --latency http://127.0.0.1:8080/jobs");
    say!("  wrk -t2 -c16 -d30s --latency -s urls.lua http://127.0.0.1:8080   # rotating the filter URLs");
    say!("  wrk -t2 -c16 -d30s --latency -H 'Cookie: <member session>' 'http://127.0.0.1:8080/jobs?qualified=1'");
    Ok(())
}

/// `count` benchmark questions (`/salary/benchmark?…`): every dimension alone and in pairs, with
/// and without a breakdown, varied deterministically.
fn benchmark_urls(count: usize) -> Vec<String> {
    const DISCIPLINES: [&str; 6] = ["civil", "structural", "mechanical", "electrical", "environmental", "software"];
    const LICENCES: [&str; 3] = ["pe", "se", "none"];
    const EXPERIENCE: [&str; 4] = ["0-2", "3-5", "6-10", "11-15"];
    const REGIONS: [&str; 4] = ["west_south_central", "pacific", "south_atlantic", "middle_atlantic"];
    const SECTORS: [&str; 3] = ["consulting", "government", "industry"];
    const BY: [&str; 6] = ["", "discipline", "licence", "experience", "region", "sector"];
    (0..count)
        .map(|i| {
            let mut parts = Vec::new();
            if i % 2 == 0 {
                parts.push(format!("discipline={}", DISCIPLINES[i % DISCIPLINES.len()]));
            }
            if i % 3 == 0 {
                parts.push(format!("licence={}", LICENCES[(i / 3) % LICENCES.len()]));
            }
            if i % 5 < 2 {
                parts.push(format!("experience={}", EXPERIENCE[(i / 5) % EXPERIENCE.len()]));
            }
            if i % 7 < 3 {
                parts.push(format!("region={}", REGIONS[(i / 7) % REGIONS.len()]));
            }
            if i % 11 < 3 {
                parts.push(format!("sector={}", SECTORS[(i / 11) % SECTORS.len()]));
            }
            let by = BY[i % BY.len()];
            if !by.is_empty() && !parts.iter().any(|p| p.starts_with(by)) {
                parts.push(format!("by={by}"));
            }
            format!("/salary/benchmark?{}", parts.join("&"))
        })
        .collect()
}

/// Adds a closed survey of `responses` generated answers, releases it (timed: the privacy
/// rules over the whole lattice), times 100 benchmark questions as the demo member in the
/// process, and writes them to `urls` for wrk when given.
pub async fn bench_salary(app: Arc<App>, responses: usize, urls: Option<&Path>) -> Result<()> {
    let started = Instant::now();
    if app.seed_demo_sized(200).await? {
        say!("Seeded a demo society of 200 members in {:.1} s", started.elapsed().as_secs_f64());
    }
    let staff_id = app.demo_account_id("staff@demo.guildhall.org").await?.unwrap_or(0);
    let staff = Actor::for_account(staff_id, "staff@demo.guildhall.org", "Staff", Role::Staff);
    let started = Instant::now();
    let survey = app.seed_benchmark_salary_survey(&staff, responses).await?;
    say!(
        "Added a closed survey of {responses} responses ({:?}) in {:.1} s",
        app.engine_kind(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let release = app.release_salary_survey(&staff, survey, "bench").await?;
    let cells = release.published + release.suppressed;
    say!(
        "Released it in {:.1} s: {} cells, {} published, {} suppressed ({:.0} %)",
        started.elapsed().as_secs_f64(),
        cells,
        release.published,
        release.suppressed,
        100.0 * release.suppressed as f64 / cells.max(1) as f64
    );

    let member_id = app.demo_account_id("member@demo.guildhall.org").await?.unwrap_or(0);
    let member = Actor::for_account(member_id, "member@demo.guildhall.org", "Maya Okafor, PE", Role::Member);
    let list = benchmark_urls(100);
    let rounds = 500;
    let started = Instant::now();
    let (mut published, mut rows) = (0, 0);
    for r in 0..rounds {
        let url = &list[r % list.len()];
        let query: Vec<(String, String)> = url
            .split_once('?')
            .map(|(_, q)| {
                q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
            })
            .unwrap_or_default();
        let view = app.salary_benchmark(&member, &query).await?;
        rows += view.rows.len();
        published += view.rows.iter().filter(|row| row.published()).count();
    }
    say!(
        "benchmark, 100 questions in turn: {:.2} ms each over {rounds} ({published} of {rows} rows published)",
        started.elapsed().as_secs_f64() * 1_000.0 / rounds as f64
    );
    if let Some(path) = urls {
        std::fs::write(path, list.join("\n") + "\n").with_context(|| format!("cannot write {}", path.display()))?;
        say!("Wrote {} benchmark questions to {}", list.len(), path.display());
    }
    Ok(())
}
