//! `guildhall bench credentials`: issuing many designations at once (each signed as a
//! VC-JWT), making their Data Integrity proofs (on first request, as the server does), and
//! verifying both forms in the process, per second; writes a sample credential for
//! `scripts/bench-credentials` to load the verifier and the public page with.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use guildhall_app::credentials::{AwardRequest, share_code};
use guildhall_app::records::{MemberFilter, PageRequest};
use guildhall_app::{Actor, App};
use guildhall_domain::identity::Role;

/// Designations issued per transaction.
const BATCH: usize = 500;

pub async fn bench_credentials(app: Arc<App>, count: usize, sample: Option<&Path>) -> Result<()> {
    let started = Instant::now();
    if app.seed_demo_sized(200).await? {
        say!("Seeded a demo society of 200 members in {:.1} s", started.elapsed().as_secs_f64());
    }
    let staff_id = app.demo_account_id("staff@demo.guildhall.org").await?.unwrap_or(0);
    let staff = Actor::for_account(staff_id, "staff@demo.guildhall.org", "Staff", Role::Staff);
    let members: Vec<i64> = app
        .search_members(&staff, MemberFilter::default(), PageRequest::new(1, PageRequest::MAX_PER_PAGE))
        .await?
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    anyhow::ensure!(!members.is_empty(), "the society has no members");
    let run = app.clock.unix();
    let awards: Vec<AwardRequest> = (0..count)
        .map(|i| AwardRequest {
            member_id: members[i % members.len()],
            name: format!("Benchmark award {}", i / members.len()),
            description: "Issued by the benchmark: service to the society's continuing-education programme.".into(),
            term: format!("run {run}"),
            ..Default::default()
        })
        .collect();
    let started = Instant::now();
    let mut issued = Vec::with_capacity(count);
    for batch in awards.chunks(BATCH) {
        issued.extend(app.issue_awards(&staff, batch, "bench").await?);
    }
    let seconds = started.elapsed().as_secs_f64();
    say!("Issued {} credentials in {seconds:.2} s: {:.0} per second", issued.len(), issued.len() as f64 / seconds);

    let sample_credentials: Vec<_> = issued.iter().take(1_000).collect();
    let started = Instant::now();
    for credential in &sample_credentials {
        let verdict = app.verify_credential(&credential.jwt).await?.verdict;
        anyhow::ensure!(verdict.is_valid(), "a fresh credential did not verify: {verdict:?}");
    }
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "Verified {} VC-JWTs in {seconds:.2} s: {:.0} per second",
        sample_credentials.len(),
        sample_credentials.len() as f64 / seconds
    );
    // The Data Integrity form is made when first asked for: time making it, then checking it.
    let started = Instant::now();
    let mut with_proof = Vec::new();
    for credential in issued.iter().take(200) {
        with_proof.push(app.credential_json_ld(credential).await?);
    }
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "Made {} Data Integrity proofs in {seconds:.2} s: {:.0} per second",
        with_proof.len(),
        with_proof.len() as f64 / seconds
    );
    let started = Instant::now();
    for credential in &with_proof {
        let verdict = app.verify_credential(credential).await?.verdict;
        anyhow::ensure!(verdict.is_valid(), "a fresh credential did not verify: {verdict:?}");
    }
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "Verified {} Data Integrity credentials in {seconds:.2} s: {:.0} per second",
        with_proof.len(),
        with_proof.len() as f64 / seconds.max(f64::EPSILON)
    );

    if let (Some(dir), Some(first)) = (sample, issued.first()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join("share-code"), share_code(first))?;
        std::fs::write(dir.join("verify-jwt.json"), serde_json::json!({ "credential": first.jwt }).to_string())?;
        let json_ld: serde_json::Value =
            serde_json::from_str(&app.credential_json_ld(first).await?).context("stored JSON-LD")?;
        std::fs::write(dir.join("verify-json-ld.json"), serde_json::json!({ "credential": json_ld }).to_string())?;
        say!("Wrote a sample credential to {}", dir.display());
    }
    Ok(())
}
