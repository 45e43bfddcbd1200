//! `guildhall import members`, `guildhall export members` and `guildhall bench import`.

use guildhall_domain::csv::members::MemberStatus;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use guildhall_app::{App, AppError, Settings};
use guildhall_store::testing::TestDatabase;
use indicatif::{ProgressBar, ProgressStyle};

/// Imports a member CSV; prints every bad row and exits non-zero if any.
pub async fn import(app: &App, file: &Path, mapping: Option<&Path>, dry_run: bool) -> Result<()> {
    let input = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mapping = match mapping {
        Some(path) => Some(std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?),
        None => None,
    };
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} members ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |stage: &str, done: usize, total: usize| {
        bar.set_message(stage.to_string());
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let started = Instant::now();
    let result = app.import_members(&input, mapping.as_deref(), dry_run, &progress).await;
    bar.finish_and_clear();
    match result {
        Ok(report) if report.dry_run => {
            say!("{}: all {} rows are valid; nothing was imported (dry run).", file.display(), report.rows);
            Ok(())
        }
        Ok(report) => {
            say!(
                "Imported {} members from {} in {:.1} s.",
                report.imported,
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(AppError::Validation { message, fields }) => {
            for line in fields.values() {
                eprintln!("  {line}");
            }
            bail!("{message}")
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn export(app: &App, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let count = app.export_members(std::io::BufWriter::new(file)).await?;
            eprintln!("Exported {count} members to {}.", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            app.export_members(&mut lock).await?;
            lock.flush()?;
        }
    }
    Ok(())
}

/// Generates `rows` members as CSV (with one bad email at `bad_row`, if given).
pub fn generate_csv(rows: usize, bad_row: Option<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * 200);
    out.extend_from_slice(
        b"member_number,first_name,last_name,email,phone,employer,job_title,career_stage,disciplines,tier,status,\
joined_on,expires_on,home_chapter,groups,licences,certifications\n",
    );
    let chapters = ["capital", "coastal", "northern", "river-valley", "western"];
    let tiers = ["member", "associate", "senior", "student", "retired"];
    let statuses =
        [MemberStatus::Active, MemberStatus::Active, MemberStatus::Active, MemberStatus::Grace, MemberStatus::Lapsed];
    for i in 1..=rows {
        let email = if Some(i) == bad_row { format!("bench{i}@@example") } else { format!("bench{i}@example.org") };
        let status = statuses[i % statuses.len()];
        let expires = match status {
            MemberStatus::Active => format!("2027-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            MemberStatus::Grace => "2026-11-10".to_string(),
            _ => format!("202{}-{:02}-15", 2 + i % 3, 1 + i % 12),
        };
        let status = status.as_str();
        let licence = if i % 3 == 0 { format!("US-TX|PE|{i}|2015-06-01|2027-06-30") } else { String::new() };
        let line = format!(
            "B{i:07},Bench{},Member{},{email},555-0100,Acme Engineering,Engineer,licensed,civil;structural,{},{status},\
             2019-{:02}-{:02},{expires},{},young-professionals,{licence},\n",
            i % 997,
            i % 991,
            tiers[i % tiers.len()],
            1 + i % 12,
            1 + i % 28,
            chapters[i % chapters.len()],
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Times a real import of `rows` generated members into a fresh SQLite database.
/// Times the CE compliance report (every member with a licence or certification judged by
/// the engine, from the database) and one member's CE dashboard.
pub async fn bench_compliance(app: &App, members: usize) -> Result<()> {
    let started = Instant::now();
    if app.seed_demo_sized(members).await? {
        say!("Seeded a demo society of {members} members in {:.1} s", started.elapsed().as_secs_f64());
    }
    let staff =
        guildhall_app::Actor::for_account(0, "bench@localhost", "Benchmark", guildhall_domain::identity::Role::Staff);
    let started = Instant::now();
    let report = app.ce_compliance_report(&staff, &guildhall_app::ce::ComplianceFilter::default()).await?;
    let elapsed = started.elapsed().as_secs_f64();
    say!(
        "compliance report ({:?}): {} members, {} credentials evaluated in {elapsed:.2} s ({:.0} members/s); {} short",
        app.engine_kind(),
        report.members_evaluated,
        report.credentials_evaluated,
        report.members_evaluated as f64 / elapsed,
        report.rows.iter().filter(|r| !r.short_of.is_empty()).count()
    );
    let maya = app.demo_account_id("member@demo.guildhall.org").await?.context("no demo member")?;
    let member = guildhall_app::Actor { user_id: maya, role: guildhall_domain::identity::Role::Member, ..staff };
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        app.ce_dashboard(&member, None).await?;
    }
    say!(
        "one member's CE dashboard (2 licences, database reads + evaluation): {:.0} µs each",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
    );
    Ok(())
}

pub async fn bench_import(rows: usize, bad_row: Option<usize>) -> Result<()> {
    let db = TestDatabase::sqlite().await.map_err(anyhow::Error::msg)?;
    let mut settings = Settings::default();
    settings.database.url = db.url.clone();
    let app = App::with_store(settings, db.store.clone()).await?;
    app.seed_demo_sized(0).await?;
    let csv = generate_csv(rows, bad_row);
    let file = std::env::temp_dir().join(format!("guildhall-bench-{}.csv", std::process::id()));
    std::fs::write(&file, &csv)?;
    say!("Generated {rows} rows ({:.1} MB) at {}", csv.len() as f64 / 1e6, file.display());
    let started = Instant::now();
    let result = import(&app, &file, None, false).await;
    let elapsed = started.elapsed();
    std::fs::remove_file(&file).ok();
    let members = db.store.count_members().await?;
    say!(
        "import of {rows} rows: {:.2} s ({}), members in the database afterwards: {members}",
        elapsed.as_secs_f64(),
        if result.is_ok() { "imported" } else { "refused" }
    );
    if let Err(err) = result {
        say!("refusal: {err}");
    }
    Ok(())
}
