//! `guildhall mail bounces --mbox FILE | --maildir DIR`: returned mail from a bounce mailbox
//! the operator's mail system fetched, each message read and acted on (bounces scored,
//! complaints unsubscribed), with a summary.

use std::path::Path;

use anyhow::{Context, Result, bail};
use guildhall_app::App;
use guildhall_app::communications::bounces::ReturnedSummary;
use guildhall_domain::communications::split_mbox;

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
