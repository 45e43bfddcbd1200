//! `guildhall mail bounces --mbox FILE | --maildir DIR`: returned mail from a bounce mailbox
//! the operator's mail system fetched, each message read and acted on (bounces scored,
//! complaints unsubscribed), with a summary. `guildhall bench campaign`: a campaign to a
//! whole society, its send (manifest frozen, messages queued) and its delivery timed.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use guildhall_app::communications::ListForm;
use guildhall_app::communications::bounces::ReturnedSummary;
use guildhall_app::communications::campaigns::CampaignDraft;
use guildhall_app::{Actor, App};
use guildhall_domain::communications::{AudienceInput, RuleInput, split_mbox};
use guildhall_domain::identity::Role;

/// The messages of an mbox file, or of a maildir's `new` and `cur` folders (in name order).
fn returned_messages(mbox: Option<&Path>, maildir: Option<&Path>) -> Result<Vec<Vec<u8>>> {
    match (mbox, maildir) {
        (Some(file), None) => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            Ok(split_mbox(&bytes))
        }
        (None, Some(dir)) => {
            let mut paths = Vec::new();
            for sub in ["new", "cur"] {
                let folder = dir.join(sub);
                if !folder.is_dir() {
                    continue;
                }
                for entry in std::fs::read_dir(&folder).with_context(|| format!("cannot read {}", folder.display()))? {
                    let path = entry?.path();
                    if path.is_file() {
                        paths.push(path);
                    }
                }
            }
            if paths.is_empty() && !dir.join("new").is_dir() && !dir.join("cur").is_dir() {
                bail!("{} is not a maildir (it has no new or cur folder)", dir.display());
            }
            paths.sort();
            paths.iter().map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))).collect()
        }
        _ => bail!("give exactly one of --mbox FILE or --maildir DIR"),
    }
}

pub async fn bounces(app: &App, mbox: Option<&Path>, maildir: Option<&Path>) -> Result<()> {
    let messages = returned_messages(mbox, maildir)?;
    let mut summary = ReturnedSummary::default();
    for message in &messages {
        summary.add(app.receive_returned_mail(message).await?);
    }
    println!(
        "Read {} returned messages: {} bounces counted, {} addresses suspended, {} bounces not counted \
         (already one that day, or a policy rejection), {} spam complaints, {} ignored (automatic replies, delays), \
         {} for addresses not known here.",
        messages.len(),
        summary.counted,
        summary.suspended,
        summary.not_counted,
        summary.complaints,
        summary.ignored,
        summary.unmatched
    );
    Ok(())
}

/// A newsletter of the usual length: merge fields, a heading, a list, a link and emphasis, so
/// that each message is made (merged, Markdown to sanitised HTML, branded) as a real one is.
const BENCH_BODY: &str = "Dear {{first_name}},\n\n\
## This month\n\n\
The licensure bill passed committee on Tuesday, and the board has published its draft rules on \
continuing education for comment. Three new knowledge-base articles explain **comity** between \
states, and the annual meeting's call for nominations is open until the end of the month.\n\n\
- The spring conference programme is out: [see the sessions](https://example.org/events).\n\
- Chapter meetings resume in January, with site visits worth *2 PDH* each.\n\
- The journal's next issue is on resilient infrastructure.\n\n\
Your membership ({{member_number}}) runs to {{expires_on}}. Thank you for being part of the \
society, {{first_name}} {{last_name}}.\n";

/// `guildhall bench campaign --members N`: a society of N generated members (seeded when the
/// database is empty), a society-wide opt-out list and a campaign to all of it. Times
/// `send_campaign` (the manifest frozen and every message queued, in one transaction), then,
/// when an SMTP relay is configured (`mail.smtp_host`), delivery: `deliver_due_mail` called
/// until nothing more goes, and the messages per second.
pub async fn bench(app: &App, members: usize) -> Result<()> {
    let engine = app.engine_kind();
    let started = Instant::now();
    if app.seed_demo_sized(members).await? {
        say!("Seeded a society of {members} members ({engine:?}) in {:.1} s", started.elapsed().as_secs_f64());
    }
    let email = "staff@demo.guildhall.org";
    let staff_id = app
        .demo_account_id(email)
        .await?
        .context("no demo staff account: run the benchmark on an empty database, which it seeds")?;
    let staff = Actor::for_account(staff_id, email, "Benchmark", Role::Staff);
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let list = ListForm {
        slug: format!("bench-{run}"),
        name: format!("Benchmark newsletter {run}"),
        purpose: "Everyone, until they leave: the benchmark's campaign goes out under it.".into(),
        opt: "out".into(),
        chapter_id: String::new(),
        officers_may_send: false,
        officer_sends_per_month: String::new(),
    };
    let list_id = app.create_communication_list(&staff, &list, "bench").await?;
    let on_list =
        app.communication_lists_for(&staff).await?.iter().find(|v| v.list.id == list_id).map_or(0, |v| v.members);
    let draft = CampaignDraft {
        list_id: Some(list_id),
        subject: "The Monthly Engineer, December: {{first_name}}, your issue".into(),
        body: BENCH_BODY.into(),
        audience: AudienceInput {
            include: vec![RuleInput { kind: "list".into(), id: list_id.into() }],
            exclude: Vec::new(),
        },
    };
    let campaign = app.create_campaign(&staff, &draft, "bench").await?;

    let started = Instant::now();
    let queued = app.send_campaign(&staff, campaign, "bench").await?;
    let secs = started.elapsed().as_secs_f64();
    say!(
        "send_campaign ({engine:?}): {queued} recipients ({on_list} on the list) frozen and queued in {secs:.2} s \
         ({:.0} recipients/s; target <= 10 s for 100,000)",
        queued as f64 / secs.max(1e-9)
    );
    if app.mail_is_local() {
        say!("mail.smtp_host is not set: delivery not timed (point it at scripts/smtp-sink.py to time it).");
        return Ok(());
    }
    let limits = (app.settings.mail.bulk_per_minute, app.settings.mail.bulk_per_hour);
    if limits != (0, 0) {
        say!(
            "note: mail.bulk_per_minute / bulk_per_hour are {limits:?}; the rate below is the limit's, not the sender's"
        );
    }

    let started = Instant::now();
    let (mut sent, mut failed, mut rounds) = (0usize, 0usize, 0usize);
    let mut shown = Instant::now();
    loop {
        let (s, f) = app.deliver_due_mail().await?;
        sent += s;
        failed += f;
        rounds += 1;
        if s == 0 && f == 0 {
            break;
        }
        if shown.elapsed() > Duration::from_secs(10) {
            let secs = started.elapsed().as_secs_f64();
            eprintln!("  … {sent} sent in {secs:.0} s ({:.0}/s)", sent as f64 / secs);
            shown = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let (_, report) = app.campaign_report(&staff, campaign).await?;
    say!(
        "delivery ({engine:?}, SMTP {}:{}): {sent} messages sent in {secs:.1} s over {rounds} rounds: {:.0} messages/s \
         ({:.2} ms each; target >= 500/s); {failed} failed attempts",
        app.settings.mail.smtp_host,
        app.settings.mail.smtp_port,
        sent as f64 / secs.max(1e-9),
        secs * 1000.0 / sent.max(1) as f64
    );
    say!(
        "campaign report: recipients {}, queued {}, sent {}, failed {}, undetermined {}",
        report.recipients,
        report.queued,
        report.sent,
        report.failed,
        report.undetermined
    );
    if report.queued > 0 || report.sent != report.recipients {
        bail!("not every message went: {} still queued, {} sent of {}", report.queued, report.sent, report.recipients);
    }
    Ok(())
}
