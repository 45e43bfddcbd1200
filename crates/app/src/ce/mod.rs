//! Continuing education: a member's PDH ledger, their compliance dashboard (the engine's
//! answer for every licence and certification), transcripts and audit packets, CE
//! reminders, staff-defined programmes and the staff compliance report.
//!
//! The figures always come from `guildhall_ce` with the same rule book the command line
//! uses; this module only gathers the member's records and words the answer.
//!
//! Files: `mod.rs` (the dashboard and its words, transcripts and audit packets as
//! downloads), `ledger.rs` (activities and evidence), `credentials.rs` (licences and
//! certifications), `reminders.rs`, `report.rs` (the staff compliance report),
//! `programmes.rs` (the rule book and staff programmes), `input.rs` (the engine's input from
//! ledger rows), `documents.rs` (transcript and audit packet files, pure), `words.rs` (codes
//! in words: topics, kinds, jurisdictions, rule sets, the engine's sentences),
//! `suggestions.rs` (upcoming events that would close a shortfall).

mod credentials;
pub mod documents;
mod input;
mod ledger;
mod programmes;
mod reminders;
mod report;
mod suggestions;
pub mod words;

pub use suggestions::{EventSuggestions, SuggestedEvent};

pub(crate) use crate::uploads::{clean_file_name, sniff};
pub use credentials::CredentialInput;
use credentials::credential_fields;
pub use ledger::{ACTIVITY_KINDS, ActivityInput, COMMON_TOPICS, EVIDENCE_TYPES, UNITS, Upload};
pub(crate) use programmes::load_rule_book;
pub use programmes::{PROGRAMME_ANCHORS, PROGRAMME_UNITS, ProgrammeFields, programme_toml};
pub use report::{COMPLIANCE_SORTS, ComplianceFilter, ComplianceReport, ComplianceRow};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use guildhall_ce::report::{Evaluation, PeriodResult};
use guildhall_ce::{Credit, Member, MemberBuilder, Names, RuleBook, Scratch, Status, Summary, Unit};
use guildhall_domain::member::CredentialSource;
use guildhall_store::ce::{
    CeActivityRecord, CeBulk, CeBulkActivity, CeCredentialRow, CeLedger, CeSessionRecord, NewCeActivity,
    NewCeCertification, NewCeEvidence, NewCeLicence,
};
pub use guildhall_store::ce::{CeEvidenceRecord, CeProgrammeRecord, Recorded};
use guildhall_store::records::MemberRecord;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{Date, Duration};

use crate::{Actor, App, AppError, AppResult, Permission};

/// The rule set a licence or certification is judged by, or why there is none.
pub fn ruleset_for(book: &RuleBook, row: &CeCredentialRow) -> Result<String, String> {
    if row.source == CredentialSource::Certification {
        return match &row.ruleset {
            Some(id) if book.ruleset_index(id).is_some() => Ok(id.clone()),
            Some(id) => Err(format!("The rule set {id} is no longer known.")),
            None => Err("Choose the programme this certification follows to track its renewal.".into()),
        };
    }
    let exact = format!("{}-{}", row.label, row.detail);
    if book.ruleset_index(&exact).is_some() {
        return Ok(exact);
    }
    let prefix = format!("{}-", row.label);
    let mut matching = book.ruleset_ids().into_iter().filter(|id| id.starts_with(&prefix));
    match (matching.next(), matching.next()) {
        (Some(only), None) => Ok(only.to_string()),
        _ => Err(format!(
            "Guildhall has no renewal rules for a {} licence in {} yet.",
            row.detail,
            words::jurisdiction_words(&row.label)
        )),
    }
}

/// A ledger entry as the member sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityLine {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub kind_label: String,
    pub when: String,
    pub reference_date: Option<Date>,
    pub quantity: String,
    pub tags: Vec<String>,
    pub provider: String,
    pub source: String,
    pub evidence: Vec<CeEvidenceRecord>,
}

/// One progress bar: a total or a minimum.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementBar {
    pub id: String,
    pub label: String,
    pub required: Option<String>,
    pub credited: String,
    /// 0–100.
    pub percent: u32,
    pub met: bool,
    pub shortfall: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodView {
    pub index: usize,
    pub start: String,
    pub end: String,
    pub status: String,
    pub status_words: String,
    pub days_left: i64,
    pub bars: Vec<RequirementBar>,
    pub carry_in: String,
    pub carry_out: Option<String>,
    pub still_needed: Vec<String>,
    pub undecidable: Vec<String>,
    pub notes: Vec<String>,
    /// The credential's first period (the one containing its first registration).
    pub first_period: bool,
    /// Why the period is exempt, citing the rule (exempt periods only).
    pub exempt_reason: Option<String>,
    /// Short of credit with nothing at all recorded in it (often a period before the member
    /// began keeping their record here), which the page says rather than only "short".
    pub nothing_recorded: bool,
}

/// A licence or certification and the engine's answer for it.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialView {
    pub key: String,
    pub title: String,
    pub held: String,
    pub ruleset: String,
    pub unit: String,
    pub status: String,
    pub status_words: String,
    /// The period containing today (or the last one).
    pub current: Option<PeriodView>,
    pub periods: Vec<PeriodView>,
    pub not_counted: Vec<String>,
    /// Figures the rules read from this record (a personalised target, a multiplier), with
    /// what is recorded so far.
    pub fields: Vec<CredentialField>,
}

/// One credential on the dashboard's CE summary.
#[derive(Debug, Clone, Serialize)]
pub struct CeSummaryLine {
    pub title: String,
    pub held: String,
    pub status: String,
    pub status_words: String,
    pub unit: String,
    /// Total credit earned in the current period.
    pub credited: String,
    /// Total credit the period requires, when it requires one.
    pub required: Option<String>,
    /// The last day of the current period.
    pub period_end: String,
}

/// A figure a rule set reads from the member's credential record.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialField {
    pub name: String,
    pub label: String,
    /// As recorded (empty when not recorded).
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UntrackedCredential {
    pub key: String,
    pub held: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CeDashboard {
    pub member_id: i64,
    pub member_name: String,
    pub member_number: String,
    pub as_of: Date,
    pub credentials: Vec<CredentialView>,
    pub untracked: Vec<UntrackedCredential>,
    pub activities: Vec<ActivityLine>,
    /// Upcoming events that would close what a credential still needs this period.
    pub suggestions: Vec<EventSuggestions>,
}

pub use crate::uploads::Document;

fn status_words(s: Status) -> &'static str {
    match s {
        Status::Compliant => "Requirements met",
        Status::Deficient => "Short of credit",
        Status::Exempt => "Exempt this period",
        Status::InProgress => "In progress",
        Status::NotRequired => "Nothing required",
        Status::Undecidable => "Cannot be decided from the rules",
    }
}

/// A period's or credential's status code (`deficient`, …) in words.
pub fn status_words_of(code: &str) -> &'static str {
    [Status::Compliant, Status::Deficient, Status::Exempt, Status::InProgress, Status::NotRequired, Status::Undecidable]
        .into_iter()
        .find(|s| s.as_str() == code)
        .map_or("", status_words)
}

fn parse_date(field: &str, label: &str, text: &str) -> AppResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format)
        .map_err(|_| AppError::invalid_field(field, format!("{label} must be a date like 2026-03-31.")))
}

/// The activity's place in time in words.
fn when_words(a: &CeActivityRecord, sessions: &[CeSessionRecord]) -> (String, Option<Date>) {
    if !sessions.is_empty() {
        let days: Vec<String> =
            sessions.iter().map(|s| format!("{} ({} h)", s.session_on, micro_text(s.hours_micro))).collect();
        return (days.join(", "), sessions.iter().map(|s| s.session_on).max());
    }
    match (a.occurred_on, a.starts_on, a.ends_on) {
        (Some(d), _, _) => (d.to_string(), Some(d)),
        (None, Some(s), Some(e)) => (format!("{s} to {e}"), Some(e)),
        _ => (String::new(), None),
    }
}

/// "1 hour", "2.5 hours", "3 CEU".
fn quantity_words(micro: i64, unit: &str) -> String {
    let label = UNITS.iter().find(|(u, _)| *u == unit).map_or(unit, |(_, l)| l);
    let label = if micro == 1_000_000 { label.strip_suffix('s').unwrap_or(label) } else { label };
    format!("{} {label}", micro_text(micro))
}

fn kind_label(kind: &str) -> String {
    words::kind_words(kind)
}

/// A ledger entry in words, with its evidence files.
pub(crate) fn activity_line(a: &CeActivityRecord, ledger: &CeLedger) -> ActivityLine {
    let sessions = input::sessions_of(&ledger.sessions, a.id);
    let (when, reference_date) = when_words(a, sessions);
    ActivityLine {
        id: a.id,
        title: a.title.clone(),
        kind: a.kind.clone(),
        kind_label: kind_label(&a.kind),
        when,
        reference_date,
        quantity: quantity_words(a.quantity_micro, &a.unit),
        tags: a.tags.split_whitespace().map(words::topic_words).collect(),
        provider: a.provider.clone(),
        source: words::source_words(&a.source),
        evidence: ledger.evidence.iter().filter(|e| e.activity_id == a.id).cloned().collect(),
    }
}

/// One member's records gathered for the engine.
pub(crate) struct MemberCe {
    pub tracked: Vec<(CeCredentialRow, String)>,
    pub untracked: Vec<(CeCredentialRow, String)>,
    pub ledger: CeLedger,
}

impl MemberCe {
    pub(crate) fn new(book: &RuleBook, credentials: Vec<CeCredentialRow>, ledger: CeLedger) -> MemberCe {
        let (mut tracked, mut untracked) = (Vec::new(), Vec::new());
        for row in credentials {
            match ruleset_for(book, &row) {
                Ok(rs) if row.issued_on.is_some() => tracked.push((row, rs)),
                Ok(_) => untracked.push((row, "Add the date it was issued to track its renewal.".into())),
                Err(reason) => untracked.push((row, reason)),
            }
        }
        MemberCe { tracked, untracked, ledger }
    }

    /// The engine's input: tracked credentials (ids `licence-12`, …) and every activity
    /// (ids `A123`), ranked by id.
    pub(crate) fn engine_input(&self, book: &RuleBook, as_of: Date) -> AppResult<(Member, Names)> {
        let mut builder = MemberBuilder::new(book, as_of);
        for (row, ruleset) in &self.tracked {
            input::add_credential(&mut builder, row, ruleset)?;
        }
        let mut by_id: Vec<&CeActivityRecord> = self.ledger.activities.iter().collect();
        by_id.sort_unstable_by_key(|a| a.id);
        for (rank, a) in by_id.iter().enumerate() {
            let sessions = input::sessions_of(&self.ledger.sessions, a.id);
            input::add_activity(&mut builder, &input::activity_view(a), rank as u32, sessions)?;
        }
        let credential_ids = self.tracked.iter().map(|(row, _)| row.key()).collect();
        let activity_ids = by_id.iter().map(|a| format!("A{}", a.id)).collect();
        Ok(builder.into_member(credential_ids, activity_ids))
    }

    /// Every tracked credential judged on `as_of`, each number explained.
    pub(crate) fn evaluate(&self, book: &RuleBook, as_of: Date) -> AppResult<Evaluation> {
        let (member, names) = self.engine_input(book, as_of)?;
        Ok(guildhall_ce::evaluate_member(book, &member, &names))
    }
}

/// The label of a minimum in the version of the rule set in force for a period.
fn minimum_label(book: &RuleBook, ruleset: &str, period_start: &str, id: &str) -> String {
    let start = Date::parse(period_start, time::macros::format_description!("[year]-[month]-[day]")).ok();
    book.history(ruleset)
        .and_then(|h| {
            let v = start.map_or_else(|| &h.versions[h.versions.len() - 1], |d| h.version_on(d));
            v.minimums.iter().find(|m| m.id == id).map(|m| m.label.clone())
        })
        // A label that only repeats the id reads better in words.
        .filter(|l| !l.is_empty() && *l != id.replace('_', " "))
        .map(|l| words::minimum_words(&l))
        .unwrap_or_else(|| words::minimum_words(id))
}

fn bar(
    id: &str,
    label: String,
    required: Option<Credit>,
    credited: Credit,
    shortfall: Option<Credit>,
) -> RequirementBar {
    let percent = match required {
        Some(r) if r.hundredths() > 0 => ((credited.hundredths().max(0) * 100) / r.hundredths()).min(100) as u32,
        Some(_) => 100,
        None => 0,
    };
    RequirementBar {
        id: id.to_string(),
        label,
        required: required.map(Credit::text),
        credited: credited.text(),
        percent,
        met: required.is_some_and(|r| credited >= r),
        shortfall: shortfall.filter(|s| !s.is_zero()).map(Credit::text),
    }
}

pub(crate) fn period_view(book: &RuleBook, ruleset: &str, index: usize, p: &PeriodResult, today: Date) -> PeriodView {
    let unit =
        book.history(ruleset).map(|h| guildhall_ce::unit_words(&h.version_on(today).credit_unit)).unwrap_or_default();
    let said = |lines: &[String]| lines.iter().map(|l| words::engine_words(l, &unit)).collect::<Vec<_>>();
    let mut bars = vec![bar("total", "Total".into(), p.required.total, p.credited.total, p.shortfall.total)];
    for (id, required) in &p.required.minimums.0 {
        let credited = p.credited.minimums.get(id).copied().unwrap_or_default();
        let shortfall = p.shortfall.minimums.get(id).copied().flatten();
        bars.push(bar(id, minimum_label(book, ruleset, &p.start, id), *required, credited, shortfall));
    }
    let end = Date::parse(&p.end, time::macros::format_description!("[year]-[month]-[day]")).unwrap_or(today);
    PeriodView {
        index,
        start: p.start.clone(),
        end: p.end.clone(),
        status: p.status.as_str().into(),
        status_words: status_words(p.status).into(),
        days_left: (end - today).whole_days().max(0),
        bars,
        carry_in: p.carry_in.text(),
        carry_out: p.carry_out.map(Credit::text),
        still_needed: said(&p.still_needed),
        undecidable: said(&p.undecidable),
        notes: said(&p.notes),
        first_period: p.first_period,
        exempt_reason: p.exempt_reason.as_deref().map(|l| words::engine_words(l, &unit)),
        nothing_recorded: p.status == Status::Deficient && p.credited.total.is_zero() && p.carry_in.is_zero(),
    }
}

fn held_words(row: &CeCredentialRow) -> String {
    let number = if row.number.is_empty() { String::new() } else { format!(" no. {}", row.number) };
    let expires = row.expires_on.map(|d| format!(", expires {d}")).unwrap_or_default();
    if row.source == CredentialSource::Licence {
        format!("{} licence, {}{number}{expires}", row.detail, words::jurisdiction_words(&row.label))
    } else {
        let body = if row.detail.is_empty() { String::new() } else { format!(" ({})", row.detail) };
        format!("{}{body}{number}{expires}", row.label)
    }
}

/// The shortfall of a period in words, for reports (e.g. "2 PDH total; ethics 1").
impl App {
    /// The rule book in use (repository rule files and staff-defined programmes).
    pub fn rule_book(&self) -> Arc<RuleBook> {
        self.rule_book.read().map(|b| Arc::clone(&b)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    /// The member whose CE records the actor may see: their own, or (staff) anyone's.
    async fn ce_member(&self, actor: &Actor, member_id: Option<i64>) -> AppResult<MemberRecord> {
        let own = self.store.member_by_user(actor.user_id).await?;
        match (member_id, own) {
            (None, Some(m)) => Ok(m),
            (None, None) => Err(AppError::NotFound(
                "Your account has no membership record, so there is no PDH ledger to show.".into(),
            )),
            (Some(id), Some(m)) if m.id == id => Ok(m),
            (Some(id), _) => {
                actor.require(Permission::StaffArea).map_err(|_| {
                    AppError::Forbidden(
                        "A member's continuing-education record is visible to them and to staff only.".into(),
                    )
                })?;
                self.store.member_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))
            }
        }
    }

    /// The member whose CE records the actor may change: only their own (`member_id`, when
    /// given, must be theirs; staff read a member's record but do not change it).
    async fn ce_member_to_change(&self, actor: &Actor, member_id: Option<i64>) -> AppResult<MemberRecord> {
        let own = self.ce_member(actor, None).await;
        match (member_id, own) {
            (None, own) => own,
            (Some(id), Ok(m)) if m.id == id => Ok(m),
            (Some(_), _) => {
                Err(AppError::Forbidden("Only the member changes their own continuing-education record.".into()))
            }
        }
    }

    async fn member_ce(&self, member_id: i64) -> AppResult<MemberCe> {
        let book = self.rule_book();
        let credentials = self.store.ce_credentials(member_id).await?;
        let ledger = self.store.ce_ledger(member_id).await?;
        Ok(MemberCe::new(&book, credentials, ledger))
    }

    /// A member's compliance dashboard: every licence and certification judged today.
    pub async fn ce_dashboard(&self, actor: &Actor, member_id: Option<i64>) -> AppResult<CeDashboard> {
        let member = self.ce_member(actor, member_id).await?;
        let today = self.clock.today();
        let book = self.rule_book();
        let ce = self.member_ce(member.id).await?;
        let evaluation = ce.evaluate(&book, today)?;
        let mut credentials = Vec::new();
        for ((row, ruleset), result) in ce.tracked.iter().zip(&evaluation.credentials) {
            let periods: Vec<PeriodView> =
                result.periods.iter().enumerate().map(|(i, p)| period_view(&book, ruleset, i, p, today)).collect();
            credentials.push(CredentialView {
                key: row.key(),
                title: result.ruleset_name.clone(),
                held: held_words(row),
                ruleset: ruleset.clone(),
                unit: guildhall_ce::unit_words(&result.credit_unit),
                status: result.status.as_str().into(),
                status_words: status_words(result.status).into(),
                current: periods.last().cloned(),
                periods,
                not_counted: result
                    .not_counted
                    .iter()
                    .map(|n| words::engine_words(&format!("{}: {}", n.id, n.reason), ""))
                    .collect(),
                fields: credential_fields(&book, ruleset, row),
            });
        }
        let untracked = ce
            .untracked
            .iter()
            .map(|(row, reason)| UntrackedCredential { key: row.key(), held: held_words(row), reason: reason.clone() })
            .collect();
        let mut activities: Vec<ActivityLine> =
            ce.ledger.activities.iter().map(|a| activity_line(a, &ce.ledger)).collect();
        // Newest first: by the day it took place (its last day), then the latest logged.
        activities.sort_by(|a, b| b.reference_date.cmp(&a.reference_date).then(b.id.cmp(&a.id)));
        let short: Vec<suggestions::ShortPeriod> = ce
            .tracked
            .iter()
            .zip(&evaluation.credentials)
            .filter_map(|((row, ruleset), result)| {
                let period = result.periods.iter().rev().find(|p| p.start.as_str() <= today.to_string().as_str())?;
                Some(suggestions::ShortPeriod {
                    title: format!("{} ({})", result.ruleset_name, held_words(row)),
                    ruleset: ruleset.as_str(),
                    period,
                })
            })
            .collect();
        let suggestions = self.event_suggestions(&book, &short, today).await?;
        Ok(CeDashboard {
            member_id: member.id,
            member_name: format!("{} {}", member.first_name, member.last_name),
            member_number: member.member_number.clone(),
            as_of: today,
            credentials,
            untracked,
            activities,
            suggestions,
        })
    }

    /// The dashboard's CE summary of a member's `credentials` and `ledger` (as
    /// [`App::my_dashboard`] read them): each tracked credential's status in the current
    /// period and its total credit against what is required.
    pub(crate) fn ce_summary(
        &self,
        credentials: Vec<guildhall_store::CeCredentialRow>,
        ledger: guildhall_store::CeLedger,
    ) -> AppResult<Vec<CeSummaryLine>> {
        let book = self.rule_book();
        let ce = MemberCe::new(&book, credentials, ledger);
        if ce.tracked.is_empty() {
            return Ok(Vec::new());
        }
        let today = self.clock.today();
        let evaluation = ce.evaluate(&book, today)?;
        Ok(ce
            .tracked
            .iter()
            .zip(&evaluation.credentials)
            .map(|((row, ruleset), result)| {
                let current = result
                    .periods
                    .iter()
                    .enumerate()
                    .next_back()
                    .map(|(i, p)| period_view(&book, ruleset, i, p, today));
                let total = current.as_ref().and_then(|p| p.bars.first().cloned());
                CeSummaryLine {
                    title: result.ruleset_name.clone(),
                    held: held_words(row),
                    status: result.status.as_str().into(),
                    status_words: status_words(result.status).into(),
                    unit: guildhall_ce::unit_words(&result.credit_unit),
                    credited: total.as_ref().map(|b| b.credited.clone()).unwrap_or_default(),
                    required: total.and_then(|b| b.required),
                    period_end: current.map(|p| p.end).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// A transcript or audit packet for one credential and period of a member.
    pub async fn ce_document(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        credential_key: &str,
        period: Option<usize>,
        format: &str,
    ) -> AppResult<Document> {
        let member = self.ce_member(actor, member_id).await?;
        let today = self.clock.today();
        let book = self.rule_book();
        let ce = self.member_ce(member.id).await?;
        let evaluation = ce.evaluate(&book, today)?;
        let Some(position) = ce.tracked.iter().position(|(row, _)| row.key() == credential_key) else {
            return Err(AppError::NotFound("No such licence or certification on this record.".into()));
        };
        let (row, ruleset) = &ce.tracked[position];
        let result = &evaluation.credentials[position];
        if result.periods.is_empty() {
            return Err(AppError::NotFound("This credential has no renewal period yet.".into()));
        }
        let index = period.unwrap_or(result.periods.len() - 1);
        let Some(p) = result.periods.get(index) else {
            return Err(AppError::NotFound("No such renewal period for this credential.".into()));
        };
        let activities: HashMap<String, &CeActivityRecord> =
            ce.ledger.activities.iter().map(|a| (format!("A{}", a.id), a)).collect();
        let view = period_view(&book, ruleset, index, p, today);
        let transcript = documents::Transcript {
            society: self.branding().await.name,
            member_name: format!("{} {}", member.first_name, member.last_name),
            member_number: member.member_number.clone(),
            credential: result.ruleset_name.clone(),
            held: held_words(row),
            unit: guildhall_ce::unit_words(&result.credit_unit),
            generated_on: today,
            period: view,
            lines: p
                .activities
                .iter()
                .map(|r| {
                    let a = activities.get(&r.id);
                    documents::TranscriptLine {
                        activity: r.id.clone(),
                        date: a
                            .map(|a| when_words(a, input::sessions_of(&ce.ledger.sessions, a.id)).0)
                            .unwrap_or_default(),
                        title: a.map(|a| a.title.clone()).unwrap_or_else(|| r.id.clone()),
                        kind: a.map(|a| kind_label(&a.kind)).unwrap_or_default(),
                        provider: a.map(|a| a.provider.clone()).unwrap_or_default(),
                        earned: r.earned.text(),
                        credited: r.credited.text(),
                        disallowed: r.disallowed.text(),
                        carried_in: r.carried_in.text(),
                        counts_toward: r
                            .counts_toward
                            .iter()
                            .map(|id| minimum_label(&book, ruleset, &p.start, id))
                            .collect::<Vec<_>>()
                            .join("; "),
                        reasons: words::engine_words(
                            &r.reasons.join(" "),
                            &guildhall_ce::unit_words(&result.credit_unit),
                        ),
                    }
                })
                .collect(),
        };
        let stem = format!("transcript-{}-{}-{}", member.member_number, ruleset.to_lowercase(), transcript.period.end);
        match format {
            "csv" => Ok(Document {
                file_name: format!("{stem}.csv"),
                content_type: "text/csv; charset=utf-8",
                bytes: documents::transcript_csv(&transcript),
            }),
            "pdf" => Ok(Document {
                file_name: format!("{stem}.pdf"),
                content_type: "application/pdf",
                bytes: documents::transcript_pdf(&transcript),
            }),
            "zip" => {
                let mut files = Vec::new();
                for line in &transcript.lines {
                    let Some(a) = activities.get(&line.activity) else { continue };
                    for e in ce.ledger.evidence.iter().filter(|e| e.activity_id == a.id) {
                        if let Some((record, bytes)) = self.store.ce_evidence_file(member.id, e.id).await? {
                            files.push((record, bytes));
                        }
                    }
                }
                let bytes = documents::audit_packet(&transcript, &files)
                    .map_err(|e| AppError::Internal(format!("audit packet: {e}")))?;
                Ok(Document {
                    file_name: format!(
                        "audit-packet-{}-{}-{}.zip",
                        member.member_number,
                        ruleset.to_lowercase(),
                        transcript.period.end
                    ),
                    content_type: "application/zip",
                    bytes,
                })
            }
            _ => Err(AppError::NotFound("Transcripts come as csv or pdf; audit packets as zip.".into())),
        }
    }
}

fn is_tag(t: &str) -> bool {
    !t.is_empty() && t.len() <= 60 && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-'))
}

pub(crate) fn micro_of(field: &str, label: &str, text: &str) -> AppResult<i64> {
    let t = text.trim();
    let bad = || AppError::invalid_field(field, format!("{label} must be a number such as 1.5."));
    if t.is_empty() {
        return Err(AppError::invalid_field(field, format!("{label} is required.")));
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 6 || whole.len() > 6 {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_micro: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    Ok(whole * 1_000_000 + frac_micro)
}

/// Millionths as a decimal: 1_500_000 → "1.5".
pub fn micro_text(micro: i64) -> String {
    let whole = micro / 1_000_000;
    let frac = micro % 1_000_000;
    if frac == 0 { whole.to_string() } else { format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0')) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly() {
        let cases = [("1", Some(1_000_000)), ("1.5", Some(1_500_000)), (".25", Some(250_000)), ("0", Some(0))];
        for (text, want) in cases {
            assert_eq!(micro_of("q", "Q", text).ok(), want, "{text}");
        }
        for bad in ["", "abc", "-1", "1.2.3", "1e3", "1.1234567", "."] {
            assert!(micro_of("q", "Q", bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(micro_text(1_500_000), "1.5");
        assert_eq!(micro_text(2_000_000), "2");
        assert_eq!(quantity_words(1_000_000, "hour"), "1 hour");
        assert_eq!(quantity_words(2_500_000, "hour"), "2.5 hours");
        assert_eq!(quantity_words(1_000_000, "ceu"), "1 CEU");
    }

    #[test]
    fn minimums_without_labels_read_as_words() {
        assert_eq!(words::minimum_words("laws_rules_FL"), "Florida laws and rules");
        assert_eq!(words::minimum_words("area_of_practice"), "Area of practice");
        assert_eq!(words::minimum_words("ethics"), "Ethics");
    }

    #[test]
    fn evidence_is_recognised_by_its_content_not_its_name() {
        assert_eq!(sniff(b"%PDF-1.7 ...").map(|s| s.0), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").map(|s| s.0), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0").map(|s| s.0), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").map(|s| s.0), Some("image/webp"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(clean_file_name("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(clean_file_name("Ethics cert (2026).PDF", "pdf"), "Ethics-cert--2026.pdf");
        assert_eq!(clean_file_name("", "png"), "evidence.png");
    }

    fn row(source: &str, label: &str, detail: &str, ruleset: Option<&str>) -> CeCredentialRow {
        CeCredentialRow {
            member_id: 1,
            source: CredentialSource::from_code(source).unwrap(),
            id: 1,
            label: label.into(),
            detail: detail.into(),
            number: String::new(),
            issued_on: None,
            expires_on: None,
            licensure_method: None,
            ruleset: ruleset.map(String::from),
            ce_fields: String::new(),
        }
    }

    #[test]
    fn figures_recorded_on_a_credential_are_read_exactly_and_bad_ones_left_out() {
        let cases: [(&str, &[(&str, i64)]); 5] = [
            ("", &[]),
            ("peak_target_hours=10", &[("peak_target_hours", 10_000_000)]),
            ("a=1.5 b=0.25", &[("a", 1_500_000), ("b", 250_000)]),
            ("a=ten b=-1 c 2", &[]),
            ("leed_specialty_count=2 junk", &[("leed_specialty_count", 2_000_000)]),
        ];
        for (text, want) in cases {
            assert_eq!(input::recorded_fields(text), want.to_vec(), "{text:?}");
        }
    }

    #[test]
    fn licences_and_certifications_find_their_rule_sets() {
        let book = RuleBook::embedded().unwrap();
        let cases = [
            (row("licence", "US-TX", "PE", None), Ok("US-TX-PE")),
            (row("licence", "US-IL", "SE", None), Ok("US-IL-SE")),
            (row("licence", "CA-ON", "P.ENG", None), Ok("CA-ON-PEO")),
            (row("certification", "PMP", "PMI", Some("PMI-PMP")), Ok("PMI-PMP")),
        ];
        for (r, want) in cases {
            assert_eq!(ruleset_for(&book, &r).as_deref(), want.map(|s: &str| s), "{r:?}");
        }
        assert!(ruleset_for(&book, &row("licence", "US-ZZ", "PE", None)).is_err());
        assert!(ruleset_for(&book, &row("licence", "US-IL", "PLS", None)).is_err(), "two IL rule sets: ambiguous");
        assert!(ruleset_for(&book, &row("certification", "X", "", None)).is_err());
    }
}
