//! The staff compliance report: every member judged with the engine's summary, in id
//! ranges read while the previous range is evaluated; filtered by chapter, licence or
//! certification (its rule set) and status, sorted, and the facts missing for the ones the
//! rules cannot decide, which staff can ask the members for in one action.

use super::*;

/// One licence or certification in the staff compliance report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ComplianceRow {
    pub member_id: i64,
    pub member_number: String,
    pub member_name: String,
    pub chapter_id: Option<i64>,
    pub credential_key: String,
    /// The credential as held, in words ("PE licence, Texas no. 123").
    pub held: String,
    pub ruleset: String,
    pub ruleset_name: String,
    pub status: String,
    pub status_words: String,
    /// The end of the current period (empty when there is none).
    pub period_end: String,
    pub short_of: String,
    /// Facts the rules need that the record lacks ("First licensed date missing").
    pub missing: Vec<String>,
    /// The same facts as the member is asked for them.
    #[serde(skip)]
    pub(crate) ask: Vec<String>,
}

/// What the report shows: which chapter, rule set and status, in which order.
#[derive(Debug, Clone, Default)]
pub struct ComplianceFilter {
    pub chapter: Option<i64>,
    pub ruleset: Option<String>,
    pub status: Option<String>,
    /// `member`, `credential` (the default), `status` or `period_end`.
    pub sort: String,
}

impl ComplianceFilter {
    fn wants(&self, chapter: Option<i64>, ruleset: &str, status: &str) -> bool {
        self.chapter.is_none_or(|c| chapter == Some(c))
            && self.ruleset.as_deref().is_none_or(|r| r == ruleset)
            && self.status.as_deref().is_none_or(|s| s == status)
    }
}

/// The ways the report can be sorted (code, words).
pub const COMPLIANCE_SORTS: &[(&str, &str)] = &[
    ("credential", "Licence or certification"),
    ("member", "Member"),
    ("status", "Status"),
    ("period_end", "Period end"),
];

#[derive(Debug, Clone, Serialize, Default)]
pub struct ComplianceReport {
    /// (rule set, its name, status → number of credentials), for the chapter chosen.
    pub counts: Vec<(String, String, BTreeMap<String, i64>)>,
    pub statuses: Vec<String>,
    /// Every credential matching the filter, sorted.
    pub rows: Vec<ComplianceRow>,
    pub members_evaluated: i64,
    pub credentials_evaluated: i64,
}

impl ComplianceReport {
    /// Members the filtered rows need a fact from (the action "ask them" reaches these).
    pub fn members_missing_facts(&self) -> usize {
        let mut ids: Vec<i64> = self.rows.iter().filter(|r| !r.ask.is_empty()).map(|r| r.member_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
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
                parts.push(format!("{} {}", words::minimum_words(&minimum.id), short.text()));
            }
        }
    }
    parts.join("; ")
}

/// The facts a credential's rules need that its record lacks: (for staff, for the member).
fn missing_facts(book: &RuleBook, row: &CeCredentialRow, ruleset: Option<&str>) -> (Vec<String>, Vec<String>) {
    let (mut staff, mut member) = (Vec::new(), Vec::new());
    let held = held_words(row);
    if row.issued_on.is_none() {
        let what = if row.source == CredentialSource::Licence { "First licensed date" } else { "Date certified" };
        staff.push(format!("{what} missing"));
        member.push(format!("{held}: the date it was first issued"));
    }
    if let Some(ruleset) = ruleset {
        for field in credential_fields(book, ruleset, row).into_iter().filter(|f| f.value.is_empty()) {
            let short = field.label.split(" (").next().unwrap_or(&field.label).to_string();
            staff.push(format!("{short} missing"));
            member.push(format!("{held}: {}", lower_first(&field.label)));
        }
    }
    (staff, member)
}

fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn lower_first(text: &str) -> String {
    // Acronyms ("PEAK target hours") keep their case.
    if text.chars().nth(1).is_some_and(|c| c.is_uppercase()) {
        return text.to_string();
    }
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// One id range of the staff compliance report.
fn report_range(
    book: &RuleBook,
    bulk: &CeBulk,
    names: Vec<(i64, String, String, Option<i64>)>,
    today: Date,
    filter: &ComplianceFilter,
) -> AppResult<ComplianceReport> {
    let names: HashMap<i64, (String, String, Option<i64>)> =
        names.into_iter().map(|(id, n, name, chapter)| (id, (n, name, chapter))).collect();
    let mut counts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut units: HashMap<String, String> = HashMap::new();
    let mut part = ComplianceReport::default();
    let mut add = |member_id: i64,
                   row: &CeCredentialRow,
                   rs: &str,
                   status_name: &str,
                   period_end: String,
                   short_of: String,
                   (missing, ask): (Vec<String>, Vec<String>)| {
        let (number, name, chapter) = names.get(&member_id).cloned().unwrap_or_default();
        if filter.chapter.is_some_and(|c| chapter != Some(c)) {
            return false;
        }
        *counts.entry(rs.to_string()).or_default().entry(status_name.into()).or_default() += 1;
        if !filter.wants(chapter, rs, status_name) {
            return true;
        }
        part.rows.push(ComplianceRow {
            member_id,
            member_number: number,
            member_name: name,
            chapter_id: chapter,
            credential_key: row.key(),
            held: held_words(row),
            ruleset: rs.to_string(),
            ruleset_name: String::new(),
            status: status_name.into(),
            status_words: words::status_code_words(status_name).into(),
            period_end,
            short_of,
            missing,
            ask,
        });
        true
    };
    summarise_range(book, bulk, today, |member_id, tracked, summaries| {
        let mut counted = false;
        for ((row, rs), summary) in tracked.iter().zip(summaries) {
            let status_name = summary.status.as_str();
            let unit = units.entry(rs.clone()).or_insert_with(|| {
                book.history(rs).map(|h| guildhall_ce::unit_words(&h.version_on(today).credit_unit)).unwrap_or_default()
            });
            let short = summary_short_of(book, rs, summary, unit);
            let facts = if summary.status == Status::Undecidable {
                missing_facts(book, row, Some(rs))
            } else {
                (Vec::new(), Vec::new())
            };
            let end = summary.period.map(|p| p.end.to_string()).unwrap_or_default();
            if add(member_id, row, rs, status_name, end, short, facts) {
                part.credentials_evaluated += 1;
                counted = true;
            }
        }
        if counted {
            part.members_evaluated += 1;
        }
    })?;
    // Credentials with rules but without the date they were issued: the rules cannot
    // place their periods, so they cannot be decided until the date is recorded.
    for row in bulk.credentials.iter().filter(|r| r.issued_on.is_none()) {
        if let Ok(rs) = ruleset_for(book, row) {
            let facts = missing_facts(book, row, Some(&rs));
            if add(row.member_id, row, &rs, "undecidable", String::new(), String::new(), facts) {
                part.credentials_evaluated += 1;
            }
        }
    }
    part.counts = counts.into_iter().map(|(rs, by)| (rs, String::new(), by)).collect();
    Ok(part)
}

impl App {
    /// The staff compliance report: every member's credentials judged today by the engine,
    /// counted by rule set and status, and every credential matching the filter with what it
    /// is short of or which fact is missing.
    pub async fn ce_compliance_report(&self, actor: &Actor, filter: &ComplianceFilter) -> AppResult<ComplianceReport> {
        actor.require(Permission::StaffArea)?;
        let today = self.clock.today();
        let book = self.rule_book();
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
            for (rs, _, by_status) in part.counts {
                let entry = counts.entry(rs).or_default();
                for (st, n) in by_status {
                    *entry.entry(st).or_default() += n;
                }
            }
            report.rows.extend(part.rows);
        }
        report.statuses = ["compliant", "in_progress", "deficient", "exempt", "not_required", "undecidable"]
            .map(String::from)
            .to_vec();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut name_of =
            |rs: &str| names.entry(rs.to_string()).or_insert_with(|| words::ruleset_words(&book, rs)).clone();
        report.counts = counts.into_iter().map(|(rs, by)| (rs.clone(), name_of(&rs), by)).collect();
        report.counts.sort_by(|a, b| a.1.cmp(&b.1));
        for row in &mut report.rows {
            row.ruleset_name = name_of(&row.ruleset);
        }
        let status_rank = |s: &str| report.statuses.iter().position(|x| x == s).unwrap_or(usize::MAX);
        let by_member = |a: &ComplianceRow, b: &ComplianceRow| {
            (&a.member_name, &a.member_number).cmp(&(&b.member_name, &b.member_number))
        };
        match filter.sort.as_str() {
            "member" => report.rows.sort_by(|a, b| by_member(a, b).then(a.ruleset_name.cmp(&b.ruleset_name))),
            "status" => report.rows.sort_by(|a, b| {
                status_rank(&b.status)
                    .cmp(&status_rank(&a.status))
                    .then(a.ruleset_name.cmp(&b.ruleset_name))
                    .then(by_member(a, b))
            }),
            "period_end" => report.rows.sort_by(|a, b| {
                (a.period_end.is_empty(), &a.period_end)
                    .cmp(&(b.period_end.is_empty(), &b.period_end))
                    .then(by_member(a, b))
            }),
            _ => report.rows.sort_by(|a, b| {
                a.ruleset_name.cmp(&b.ruleset_name).then(a.period_end.cmp(&b.period_end)).then(by_member(a, b))
            }),
        }
        Ok(report)
    }

    /// One page of the report (`per_page` rows from 1-based `page`, clamped to the pages
    /// there are): the undecidable rows without a missing fact on the record say what the
    /// rules leave open, from the member's explained evaluation. Returns the report, the
    /// page's rows and the page number shown.
    pub async fn ce_compliance_page(
        &self,
        actor: &Actor,
        filter: &ComplianceFilter,
        page: usize,
        per_page: usize,
    ) -> AppResult<(ComplianceReport, Vec<ComplianceRow>, usize)> {
        let report = self.ce_compliance_report(actor, filter).await?;
        let pages = report.rows.len().div_ceil(per_page.max(1)).max(1);
        let page = page.clamp(1, pages);
        let mut rows: Vec<ComplianceRow> =
            report.rows.iter().skip((page - 1) * per_page).take(per_page).cloned().collect();
        let book = self.rule_book();
        let today = self.clock.today();
        let mut explained: HashMap<i64, (MemberCe, Evaluation)> = HashMap::new();
        for row in rows.iter_mut().filter(|r| r.status == "undecidable" && r.missing.is_empty()) {
            if let std::collections::hash_map::Entry::Vacant(slot) = explained.entry(row.member_id) {
                let ce = self.member_ce(row.member_id).await?;
                let evaluation = ce.evaluate(&book, today)?;
                slot.insert((ce, evaluation));
            }
            let Some((ce, evaluation)) = explained.get(&row.member_id) else { continue };
            let Some(position) = ce.tracked.iter().position(|(r, _)| r.key() == row.credential_key) else { continue };
            let Some(p) = evaluation.credentials.get(position).and_then(|c| c.periods.last()) else { continue };
            let unit = guildhall_ce::unit_words(&evaluation.credentials[position].credit_unit);
            row.missing = p.undecidable.iter().map(|u| sentence_case(&words::engine_words(u, &unit))).collect();
        }
        Ok((report, rows, page))
    }

    /// The members the filtered report needs a fact from, with what each would be asked for:
    /// (member id, name, facts).
    pub async fn ce_fact_requests_preview(
        &self,
        actor: &Actor,
        filter: &ComplianceFilter,
    ) -> AppResult<Vec<(i64, String, Vec<String>)>> {
        let report = self.ce_compliance_report(actor, filter).await?;
        let mut by_member: BTreeMap<i64, (String, Vec<String>)> = BTreeMap::new();
        for row in report.rows.into_iter().filter(|r| !r.ask.is_empty()) {
            let entry = by_member.entry(row.member_id).or_insert_with(|| (row.member_name.clone(), Vec::new()));
            for fact in row.ask {
                if !entry.1.contains(&fact) {
                    entry.1.push(fact);
                }
            }
        }
        Ok(by_member.into_iter().map(|(id, (name, facts))| (id, name, facts)).collect())
    }

    /// Emails every member the filtered report needs a fact from, asking for it (one email
    /// each, audited). A member already asked today is not asked again: the database keeps
    /// one request per member and day. Returns (emailed, already asked today).
    pub async fn request_ce_facts(
        &self,
        actor: &Actor,
        filter: &ComplianceFilter,
        request_id: &str,
    ) -> AppResult<(usize, usize)> {
        let wanted = self.ce_fact_requests_preview(actor, filter).await?;
        let today = self.clock.today();
        let society = self.branding().await.name;
        let (mut sent, mut skipped) = (0, 0);
        for (member_id, _, facts) in wanted {
            let Some(member) = self.store.member_by_id(member_id).await? else { continue };
            if member.email.trim().is_empty() {
                skipped += 1;
                continue;
            }
            let body = format!(
                "Dear {},\n\nTo work out whether your continuing education meets your licensing board's or \
                 certifying body's renewal rules, {society} needs a few facts that are not on your record yet:\n\n{}\n\n\
                 Please add them on your continuing-education page: {}\n",
                member.first_name,
                facts.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n"),
                self.link("/ce"),
            );
            let mail = guildhall_store::NewMail {
                to_address: member.email.clone(),
                subject: "Your continuing-education record: a few facts are missing".into(),
                body_text: body,
                attachment: None,
            };
            let mut audit = self.audit_entry(actor, "ce.facts_requested", "member", request_id);
            audit.subject_id = Some(member.id);
            audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
            audit.after_json = Some(serde_json::json!({ "facts": facts }).to_string());
            let facts_text = facts.join("\n");
            if self
                .store
                .record_ce_fact_request(member.id, today, &facts_text, actor.user_id, &mail, &audit, self.clock.unix())
                .await?
            {
                sent += 1;
            } else {
                skipped += 1;
            }
        }
        Ok((sent, skipped))
    }
}
