//! The staff compliance report: every member judged with the engine's summary, in id
//! ranges read while the previous range is evaluated.

use super::*;

/// One row of the staff compliance report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ComplianceRow {
    pub member_id: i64,
    pub member_number: String,
    pub member_name: String,
    pub ruleset: String,
    pub status: String,
    pub period_end: String,
    pub short_of: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ComplianceReport {
    /// (rule set, status) → number of credentials.
    pub counts: Vec<(String, BTreeMap<String, i64>)>,
    pub statuses: Vec<String>,
    /// Credentials that are short (deficient, or in progress with a shortfall), filtered.
    pub short: Vec<ComplianceRow>,
    pub members_evaluated: i64,
    pub credentials_evaluated: i64,
}

/// Members are read for bulk evaluation in id ranges this wide.
pub(super) const BULK_RANGE: i64 = 4_000;

/// Walks the members of a bulk read who hold a licence or certification, in id order: builds
/// each one's engine input and judges it with the engine's summary. `visit` gets the member's
/// id, the tracked credentials with their rule sets, and one summary per tracked credential.
pub(super) fn summarise_range(
    book: &RuleBook,
    bulk: &CeBulk,
    today: Date,
    mut visit: impl FnMut(i64, &[(&CeCredentialRow, String)], &[Summary]),
) -> AppResult<()> {
    let activities: Vec<CeBulkActivity<'_>> = bulk.activities().collect::<Result<_, _>>()?;
    let credentials = &bulk.credentials;
    let mut builder = MemberBuilder::new(book, today);
    let (mut scratch, mut summaries) = (Scratch::new(), Vec::new());
    let mut tracked: Vec<(&CeCredentialRow, String)> = Vec::new();
    let (mut c, mut a) = (0, 0);
    while c < credentials.len() {
        let member_id = credentials[c].member_id;
        let held = credentials[c..].partition_point(|row| row.member_id == member_id);
        builder.reset(today);
        tracked.clear();
        for row in &credentials[c..c + held] {
            if let Ok(ruleset) = ruleset_for(book, row)
                && row.issued_on.is_some()
            {
                input::add_credential(&mut builder, row, &ruleset)?;
                tracked.push((row, ruleset));
            }
        }
        c += held;
        // Activities of members without credentials are passed over.
        a += activities[a..].partition_point(|x| x.member_id < member_id);
        let logged = activities[a..].partition_point(|x| x.member_id == member_id);
        if !tracked.is_empty() {
            for (rank, activity) in activities[a..a + logged].iter().enumerate() {
                let sessions = input::sessions_of(&bulk.sessions, activity.id);
                input::add_activity(&mut builder, activity, rank as u32, sessions)?;
            }
            guildhall_ce::evaluate_summary(book, builder.finish(), &mut scratch, &mut summaries);
        } else {
            summaries.clear();
        }
        a += logged;
        visit(member_id, &tracked, &summaries);
    }
    Ok(())
}

/// What a credential is short of in its current period, in words ("ethics 1; 5 PDH total").
fn summary_short_of(book: &RuleBook, ruleset: &str, summary: &Summary, unit: &str) -> String {
    let mut parts = Vec::new();
    if let Some(total) = summary.shortfall.filter(|t| !t.is_zero()) {
        parts.push(format!("{} {unit} total", total.text()));
    }
    if let (Some(period), Some(history)) = (summary.period, book.history(ruleset)) {
        let version = history.version_on(period.end);
        for (minimum, short) in version.minimums.iter().zip(&summary.minimum_shortfalls) {
            if let Some(short) = short.filter(|s| !s.is_zero()) {
                parts.push(format!("{} {}", words_for_minimum(&minimum.id).to_lowercase(), short.text()));
            }
        }
    }
    parts.join("; ")
}

/// One id range of the staff compliance report.
fn report_range(
    book: &RuleBook,
    bulk: &CeBulk,
    names: Vec<(i64, String, String)>,
    today: Date,
    (ruleset, status): &(Option<String>, Option<String>),
) -> AppResult<ComplianceReport> {
    let names: HashMap<i64, (String, String)> = names.into_iter().map(|(id, n, name)| (id, (n, name))).collect();
    let mut counts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut units: HashMap<String, String> = HashMap::new();
    let mut part = ComplianceReport::default();
    summarise_range(book, bulk, today, |member_id, tracked, summaries| {
        part.members_evaluated += 1;
        for ((_, rs), summary) in tracked.iter().zip(summaries) {
            part.credentials_evaluated += 1;
            let status_name = summary.status.as_str();
            match counts.get_mut(rs) {
                Some(by_status) => *by_status.entry(status_name.into()).or_default() += 1,
                None => {
                    counts.entry(rs.clone()).or_default().insert(status_name.into(), 1);
                }
            }
            let wanted = ruleset.as_ref().is_none_or(|r| r == rs) && status.as_ref().is_none_or(|s| s == status_name);
            let Some(period) = summary.period.filter(|_| wanted) else { continue };
            let unit = units.entry(rs.clone()).or_insert_with(|| {
                book.history(rs).map(|h| guildhall_ce::unit_words(&h.version_on(today).credit_unit)).unwrap_or_default()
            });
            let short = summary_short_of(book, rs, summary, unit);
            if short.is_empty() {
                continue;
            }
            let (number, name) = names.get(&member_id).cloned().unwrap_or_default();
            part.short.push(ComplianceRow {
                member_id,
                member_number: number,
                member_name: name,
                ruleset: rs.clone(),
                status: status_name.into(),
                period_end: period.end.to_string(),
                short_of: short,
            });
        }
    })?;
    part.counts = counts.into_iter().collect();
    Ok(part)
}

impl App {
    /// The staff compliance report: every member's credentials judged today by the engine,
    /// counted by rule set and status, with who is short and of what.
    pub async fn ce_compliance_report(
        &self,
        actor: &Actor,
        ruleset: Option<&str>,
        status: Option<&str>,
    ) -> AppResult<ComplianceReport> {
        actor.require(Permission::StaffArea)?;
        let today = self.clock.today();
        let book = self.rule_book();
        let filter = (ruleset.map(String::from), status.map(String::from));
        let mut counts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        let mut report = ComplianceReport::default();
        let max_id = self.store.max_member_id().await?;
        // Two stages side by side: the next id range is read from the database while this one
        // is evaluated on a blocking thread, so both cores work.
        let fetch = |after: i64| {
            let store = self.store.clone();
            tokio::spawn(async move {
                if after >= max_id {
                    return Ok(None);
                }
                let up_to = after.saturating_add(BULK_RANGE);
                let bulk = store.ce_bulk(after, up_to).await?;
                let names = store.member_names(after, up_to).await?;
                Ok::<_, guildhall_store::StoreError>(Some((up_to, bulk, names)))
            })
        };
        let joined = |e: tokio::task::JoinError| AppError::Internal(format!("compliance report: {e}"));
        let mut pending = fetch(0);
        while let Some((up_to, bulk, names)) = pending.await.map_err(joined)?? {
            pending = fetch(up_to);
            let (book, filter) = (Arc::clone(&book), filter.clone());
            let part = tokio::task::spawn_blocking(move || report_range(&book, &bulk, names, today, &filter))
                .await
                .map_err(joined)??;
            report.members_evaluated += part.members_evaluated;
            report.credentials_evaluated += part.credentials_evaluated;
            for (rs, by_status) in part.counts {
                let entry = counts.entry(rs).or_default();
                for (st, n) in by_status {
                    *entry.entry(st).or_default() += n;
                }
            }
            report.short.extend(part.short);
        }
        report.statuses = ["compliant", "in_progress", "deficient", "exempt", "not_required", "undecidable"]
            .map(String::from)
            .to_vec();
        report.counts = counts.into_iter().collect();
        report.short.sort_by(|a, b| {
            (&a.ruleset, &a.period_end, &a.member_number).cmp(&(&b.ruleset, &b.period_end, &b.member_number))
        });
        Ok(report)
    }
}
