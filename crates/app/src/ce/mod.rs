//! Continuing education: a member's PDH ledger, their compliance dashboard (the engine's
//! answer for every licence and certification), transcripts and audit packets, CE
//! reminders, staff-defined programmes and the staff compliance report.
//!
//! The figures always come from `guildhall_ce` with the same rule book the command line
//! uses; this module only gathers the member's records and words the answer.

pub mod documents;
mod input;

use guildhall_domain::member::CredentialSource;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use guildhall_ce::report::{Evaluation, PeriodResult};
use guildhall_ce::{Credit, Member, MemberBuilder, Names, RuleBook, Scratch, Status, Summary, Unit};
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

/// Topics offered as checkboxes when logging an activity (others can be typed).
pub const COMMON_TOPICS: &[(&str, &str)] = &[
    ("technical", "Technical"),
    ("ethics", "Ethics / professional conduct"),
    ("area_of_practice", "Area of practice"),
    ("professional_skills", "Professional skills"),
    ("business_practice", "Business practice"),
    ("sexual_harassment_prevention", "Sexual harassment prevention"),
];

/// Kinds of activity offered when logging one, in the society's words.
pub const ACTIVITY_KINDS: &[(&str, &str)] = &[
    ("webinar_live", "Live webinar"),
    ("course", "Course or seminar (in person)"),
    ("course_online_selfpaced", "Online course (self-paced)"),
    ("conference_session", "Conference session"),
    ("in_house_training", "In-house training"),
    ("college_course", "College course"),
    ("teaching", "Teaching a course"),
    ("presentation", "Presenting a paper or talk"),
    ("publication_article", "Published article"),
    ("publication_book", "Published book"),
    ("patent", "Patent granted"),
    ("society_service", "Service to a professional society"),
    ("self_directed_study", "Self-directed study"),
    ("correspondence", "Correspondence course"),
];

/// Units a quantity may be given in when logging.
pub const UNITS: &[(&str, &str)] = &[
    ("hour", "hours"),
    ("minute", "minutes"),
    ("ceu", "CEU"),
    ("college_semester_hour", "college semester hours"),
    ("college_quarter_hour", "college quarter hours"),
    ("item", "items"),
    ("month", "months"),
    ("year", "years"),
];

const EVIDENCE_TYPES: &[(&[u8], &str, &str)] = &[
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
];

/// Loads the rule book: the repository's rule files plus the staff-defined programmes.
pub(crate) async fn load_rule_book(store: &guildhall_store::Store) -> AppResult<RuleBook> {
    let programmes = store.ce_programmes().await?;
    let extra: Vec<(&str, &str)> = programmes.iter().map(|p| (p.file_name.as_str(), p.source.as_str())).collect();
    RuleBook::embedded_with(&extra).map_err(|e| AppError::Internal(format!("rule book: {e}")))
}

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
        _ => Err(format!("Guildhall has no renewal rules for a {} licence in {} yet.", row.detail, row.label)),
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
}

/// What a member fills in to log an activity (already parsed from the form).
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub title: String,
    pub kind: String,
    pub date: String,
    /// Optional extra session days `YYYY-MM-DD=hours`, one per line (multi-day events).
    pub sessions: String,
    pub quantity: String,
    pub unit: String,
    pub topics: Vec<String>,
    pub other_topics: String,
    pub provider: String,
    pub approved_by: Vec<String>,
    pub first_presentation: bool,
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct CredentialInput {
    /// `licence` or `certification`.
    pub source: String,
    pub jurisdiction: String,
    pub kind: String,
    pub ruleset: String,
    pub number: String,
    pub issued: String,
    pub expires: String,
    pub licensure_method: String,
}

/// A downloadable document.
#[derive(Debug, Clone)]
pub struct Document {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

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

fn parse_date(field: &str, label: &str, text: &str) -> AppResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format)
        .map_err(|_| AppError::invalid_field(field, format!("{label} must be a date like 2026-03-31.")))
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

/// The figures a rule set reads from a credential record, in words, with their recorded values.
fn credential_fields(book: &RuleBook, ruleset: &str, row: &CeCredentialRow) -> Vec<CredentialField> {
    let recorded = input::recorded_fields(&row.ce_fields);
    book.history(ruleset)
        .map(|h| h.member_fields())
        .unwrap_or_default()
        .into_iter()
        .map(|name| CredentialField {
            name: name.to_string(),
            label: match name {
                "peak_target_hours" => "PEAK target hours (from your practice evaluation)".to_string(),
                "leed_specialty_count" => "Number of LEED specialties held".to_string(),
                other => words_for_minimum(other),
            },
            value: recorded.iter().find(|(n, _)| *n == name).map(|(_, v)| micro_text(*v)).unwrap_or_default(),
        })
        .collect()
}

fn micro_text(micro: i64) -> String {
    let whole = micro / 1_000_000;
    let frac = micro % 1_000_000;
    if frac == 0 { whole.to_string() } else { format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0')) }
}

fn is_tag(t: &str) -> bool {
    !t.is_empty() && t.len() <= 60 && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-'))
}

fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(("image/webp", "webp"));
    }
    EVIDENCE_TYPES.iter().find(|(magic, _, _)| bytes.starts_with(magic)).map(|(_, t, e)| (*t, *e))
}

/// A safe file name for an evidence file (letters, digits, dot, dash, underscore).
fn clean_file_name(name: &str, ext: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let mut clean: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') { c } else { '-' }).collect();
    clean.truncate(80);
    let clean = clean.trim_matches('-');
    format!("{}.{ext}", if clean.is_empty() { "evidence" } else { clean })
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

fn kind_label(kind: &str) -> &str {
    ACTIVITY_KINDS.iter().find(|(k, _)| *k == kind).map_or(kind, |(_, l)| l)
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
        .map(|l| words_for_minimum(&l))
        .unwrap_or_else(|| words_for_minimum(id))
}

/// A minimum's id in words when its rule file gives no label ("laws_rules_FL" → "Laws and
/// rules (FL)", "area_of_practice" → "Area of practice").
fn words_for_minimum(id: &str) -> String {
    let text = match id.strip_prefix("laws_rules_") {
        Some(j) => format!("laws and rules ({j})"),
        None => id.replace('_', " "),
    };
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
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
        still_needed: p.still_needed.clone(),
        undecidable: p.undecidable.clone(),
        notes: p.notes.clone(),
    }
}

fn held_words(row: &CeCredentialRow) -> String {
    let number = if row.number.is_empty() { String::new() } else { format!(" no. {}", row.number) };
    let expires = row.expires_on.map(|d| format!(", expires {d}")).unwrap_or_default();
    if row.source == CredentialSource::Licence {
        format!("{} licence, {}{number}{expires}", row.detail, row.label)
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

    /// Re-reads the staff-defined programmes into the rule book.
    pub async fn reload_rule_book(&self) -> AppResult<()> {
        let book = Arc::new(load_rule_book(&self.store).await?);
        match self.rule_book.write() {
            Ok(mut slot) => *slot = book,
            Err(poisoned) => *poisoned.into_inner() = book,
        }
        Ok(())
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
                not_counted: result.not_counted.iter().map(|n| format!("{}: {}", n.id, n.reason)).collect(),
                fields: credential_fields(&book, ruleset, row),
            });
        }
        let untracked = ce
            .untracked
            .iter()
            .map(|(row, reason)| UntrackedCredential { key: row.key(), held: held_words(row), reason: reason.clone() })
            .collect();
        let activities = ce
            .ledger
            .activities
            .iter()
            .map(|a| {
                let sessions = input::sessions_of(&ce.ledger.sessions, a.id);
                let (when, reference_date) = when_words(a, sessions);
                ActivityLine {
                    id: a.id,
                    title: a.title.clone(),
                    kind: a.kind.clone(),
                    kind_label: kind_label(&a.kind).to_string(),
                    when,
                    reference_date,
                    quantity: quantity_words(a.quantity_micro, &a.unit),
                    tags: a.tags.split_whitespace().map(|t| t.replace('_', " ")).collect(),
                    provider: a.provider.clone(),
                    source: a.source.clone(),
                    evidence: ce.ledger.evidence.iter().filter(|e| e.activity_id == a.id).cloned().collect(),
                }
            })
            .collect();
        Ok(CeDashboard {
            member_id: member.id,
            member_name: format!("{} {}", member.first_name, member.last_name),
            member_number: member.member_number.clone(),
            as_of: today,
            credentials,
            untracked,
            activities,
        })
    }

    /// Logs an activity in the signed-in member's ledger (with an optional evidence file).
    pub async fn log_ce_activity(
        &self,
        actor: &Actor,
        input: &ActivityInput,
        evidence: Option<Upload>,
        request_id: &str,
    ) -> AppResult<i64> {
        let member = self.ce_member(actor, None).await?;
        let today = self.clock.today();
        let mut activity = self.validate_activity(input, today)?;
        activity.member_id = member.id;
        activity.source = "member".into();
        activity.recorded_by = Some(actor.user_id);
        let reference = activity.sessions.iter().map(|(d, _)| *d).max().or(activity.occurred_on).unwrap_or(today);
        let evidence = evidence.map(|u| self.validate_evidence(u, reference)).transpose()?;
        let mut audit = self.audit_entry(actor, "ce.activity_logged", "member", request_id);
        audit.subject_label = format!("{} — {}", member.member_number, activity.title);
        audit.after_json = Some(
            serde_json::json!({
                "member_id": member.id, "title": activity.title, "kind": activity.kind, "tags": activity.tags,
                "quantity": micro_text(activity.quantity_micro), "unit": activity.unit,
                "evidence": evidence.as_ref().map(|e| &e.file_name),
            })
            .to_string(),
        );
        match self.store.record_ce_activity(&activity, evidence.as_ref(), Some(&audit), self.clock.unix()).await? {
            Recorded::New(id) | Recorded::AlreadyRecorded(id) => Ok(id),
        }
    }

    /// Records credit arriving from elsewhere (the society's events, a provider's roster):
    /// `source` says where from and `source_ref` identifies it there, so the same credit
    /// arriving twice is recorded once.
    pub async fn receive_ce_activity(&self, mut activity: NewCeActivity) -> AppResult<Recorded> {
        if activity.source.is_empty() || activity.source == "member" || activity.source_ref.is_none() {
            return Err(AppError::invalid("Credit from elsewhere needs its source and a reference there."));
        }
        activity.recorded_by = None;
        Ok(self.store.record_ce_activity(&activity, None, None, self.clock.unix()).await?)
    }

    fn validate_activity(&self, input: &ActivityInput, today: Date) -> AppResult<NewCeActivity> {
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let title = input.title.trim();
        if title.is_empty() {
            errors.insert("title".into(), "Say what the activity was (e.g. the course title).".into());
        } else if title.chars().count() > 200 {
            errors.insert("title".into(), "The title must be 200 characters or fewer.".into());
        }
        if !ACTIVITY_KINDS.iter().any(|(k, _)| *k == input.kind) {
            errors.insert("kind".into(), "Choose what kind of activity it was.".into());
        }
        let date = match parse_date("date", "The date", &input.date) {
            Ok(d) if d > today => {
                errors.insert(
                    "date".into(),
                    "Log an activity once it has taken place (the date is in the future).".into(),
                );
                None
            }
            Ok(d) => Some(d),
            Err(AppError::Validation { message, .. }) => {
                errors.insert("date".into(), message);
                None
            }
            Err(e) => return Err(e),
        };
        let unit = if input.unit.trim().is_empty() { "hour" } else { input.unit.trim() };
        if !UNITS.iter().any(|(u, _)| *u == unit) || Unit::parse(unit).is_none() {
            errors.insert("unit".into(), "Choose a unit from the list.".into());
        }
        let quantity = match micro_of("quantity", "The amount", &input.quantity) {
            Ok(0) => {
                errors.insert("quantity".into(), "The amount must be more than 0.".into());
                0
            }
            Ok(q) if q > 2_000 * 1_000_000 => {
                errors.insert("quantity".into(), "The amount must be 2,000 or less.".into());
                0
            }
            Ok(q) => q,
            Err(AppError::Validation { message, .. }) => {
                errors.insert("quantity".into(), message);
                0
            }
            Err(e) => return Err(e),
        };
        let mut sessions = Vec::new();
        for (n, line) in input.sessions.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let parsed = line.split_once('=').and_then(|(d, h)| {
                let d = parse_date("sessions", "", d).ok()?;
                let h = micro_of("sessions", "", h).ok()?;
                Some((d, h))
            });
            match parsed {
                Some((d, _)) if d > today => {
                    errors.insert("sessions".into(), format!("Session {} is in the future.", n + 1));
                }
                Some((_, 0)) | None => {
                    errors.insert(
                        "sessions".into(),
                        format!("Session line {} must look like 2026-03-04=3.5 (date = hours).", n + 1),
                    );
                }
                Some(s) if sessions.iter().any(|(d, _): &(Date, i64)| *d == s.0) => {
                    errors.insert("sessions".into(), format!("The day {} is listed twice.", s.0));
                }
                Some(s) => sessions.push(s),
            }
        }
        if !sessions.is_empty() && unit != "hour" {
            errors.insert("sessions".into(), "Sessions are counted in hours: choose hours as the unit.".into());
        }
        let mut tags: Vec<String> = Vec::new();
        for t in input
            .topics
            .iter()
            .map(|t| t.trim().to_string())
            .chain(input.other_topics.split([',', ' ']).map(|t| t.trim().to_lowercase().replace(' ', "_")))
        {
            if t.is_empty() || tags.contains(&t) {
                continue;
            }
            if !is_tag(&t) {
                errors
                    .insert("other_topics".into(), format!("\"{t}\" is not a usable topic (letters, digits, _ : -)."));
            } else {
                tags.push(t);
            }
        }
        if tags.len() > 20 {
            errors.insert("other_topics".into(), "List at most 20 topics.".into());
        }
        let provider = input.provider.trim();
        if provider.chars().count() > 200 {
            errors.insert("provider".into(), "The provider's name must be 200 characters or fewer.".into());
        }
        let mut approvals: Vec<String> = Vec::new();
        for j in &input.approved_by {
            let j = j.trim();
            if j.is_empty() || approvals.iter().any(|a| a == j) {
                continue;
            }
            if !is_tag(j) {
                errors.insert("approved_by".into(), "Choose the boards from the list.".into());
            } else {
                approvals.push(j.to_string());
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation {
                message: "The activity was not logged: please correct the marked fields.".into(),
                fields: errors,
            });
        }
        let (occurred_on, quantity_micro) = if sessions.is_empty() {
            (date, quantity)
        } else {
            // The first day is the date given; the total is the sum of the days' hours.
            let first = date.unwrap_or(today);
            if !sessions.iter().any(|(d, _)| *d == first) {
                sessions.insert(0, (first, quantity));
            }
            sessions.sort();
            (None, sessions.iter().map(|(_, h)| h).sum())
        };
        let attributes = if input.kind == "teaching" || input.kind == "presentation" {
            format!("first_presentation={}", if input.first_presentation { "yes" } else { "no" })
        } else {
            String::new()
        };
        Ok(NewCeActivity {
            title: title.to_string(),
            kind: input.kind.clone(),
            tags: tags.join(" "),
            occurred_on,
            sessions,
            quantity_micro,
            unit: unit.to_string(),
            provider: provider.to_string(),
            provider_approvals: approvals.join(" "),
            attributes,
            ..Default::default()
        })
    }

    fn validate_evidence(&self, upload: Upload, activity_date: Date) -> AppResult<NewCeEvidence> {
        let max = usize::from(self.settings.ce.max_evidence_mib) * 1024 * 1024;
        if upload.bytes.is_empty() {
            return Err(AppError::invalid_field("evidence", "The evidence file is empty."));
        }
        if upload.bytes.len() > max {
            return Err(AppError::invalid_field(
                "evidence",
                format!("The evidence file is larger than {} MiB.", self.settings.ce.max_evidence_mib),
            ));
        }
        let Some((content_type, ext)) = sniff(&upload.bytes) else {
            return Err(AppError::invalid_field(
                "evidence",
                "Evidence must be a PDF or an image (PNG, JPEG or WebP), such as the certificate of completion.",
            ));
        };
        let years = i32::from(self.settings.ce.evidence_retention_years);
        let retain_until = activity_date
            .replace_year(activity_date.year() + years)
            .unwrap_or_else(|_| activity_date + Duration::days(365 * i64::from(years) + 1));
        Ok(NewCeEvidence {
            file_name: clean_file_name(&upload.file_name, ext),
            content_type: content_type.into(),
            sha256: format!("{:x}", Sha256::digest(&upload.bytes)),
            content: upload.bytes,
            retain_until,
        })
    }

    /// Adds an evidence file to one of the signed-in member's activities.
    pub async fn add_ce_evidence(&self, actor: &Actor, activity_id: i64, upload: Upload) -> AppResult<i64> {
        let member = self.ce_member(actor, None).await?;
        let ledger = self.store.ce_activity(member.id, activity_id).await?;
        let Some(activity) = ledger.activities.first() else {
            return Err(AppError::NotFound("No such activity in your ledger.".into()));
        };
        let reference =
            ledger.sessions.iter().map(|s| s.session_on).max().or(activity.occurred_on).or(activity.ends_on);
        let file = self.validate_evidence(upload, reference.unwrap_or(self.clock.today()))?;
        Ok(self.store.add_ce_evidence(member.id, activity_id, &file, self.clock.unix()).await?)
    }

    /// An evidence file, for its owner or staff.
    pub async fn ce_evidence(&self, actor: &Actor, member_id: Option<i64>, evidence_id: i64) -> AppResult<Document> {
        let member = self.ce_member(actor, member_id).await?;
        let (record, bytes) = self
            .store
            .ce_evidence_file(member.id, evidence_id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such evidence file.".into()))?;
        let content_type = sniff(&bytes).map_or("application/octet-stream", |(t, _)| t);
        Ok(Document { file_name: record.file_name, content_type, bytes })
    }

    /// Deletes one of the signed-in member's activities.
    pub async fn delete_ce_activity(&self, actor: &Actor, activity_id: i64, request_id: &str) -> AppResult<()> {
        let member = self.ce_member(actor, None).await?;
        let ledger = self.store.ce_activity(member.id, activity_id).await?;
        let Some(activity) = ledger.activities.first() else {
            return Err(AppError::NotFound("No such activity in your ledger.".into()));
        };
        let mut audit = self.audit_entry(actor, "ce.activity_deleted", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} — {}", member.member_number, activity.title);
        audit.before_json = serde_json::to_string(activity).ok();
        if !self.store.delete_ce_activity(member.id, activity_id, Some(&audit)).await? {
            return Err(AppError::NotFound("No such activity in your ledger.".into()));
        }
        Ok(())
    }

    /// Adds a licence or certification to the signed-in member's record.
    pub async fn add_ce_credential(&self, actor: &Actor, input: &CredentialInput, request_id: &str) -> AppResult<i64> {
        let member = self.ce_member(actor, None).await?;
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let field = |r: AppResult<Date>, errors: &mut BTreeMap<String, String>| match r {
            Ok(d) => Some(d),
            Err(AppError::Validation { fields, .. }) => {
                errors.extend(fields);
                None
            }
            Err(_) => None,
        };
        let issued = field(parse_date("issued", "The date it was issued", &input.issued), &mut errors);
        let expires = if input.expires.trim().is_empty() {
            None
        } else {
            field(parse_date("expires", "The expiry date", &input.expires), &mut errors)
        };
        if let (Some(i), Some(e)) = (issued, expires)
            && e <= i
        {
            errors.insert("expires".into(), "The expiry date must be after the date it was issued.".into());
        }
        if issued.is_some_and(|i| i > self.clock.today()) {
            errors.insert("issued".into(), "The date it was issued cannot be in the future.".into());
        }
        let number = input.number.trim();
        if number.chars().count() > 40 {
            errors.insert("number".into(), "The number must be 40 characters or fewer.".into());
        }
        let book = self.rule_book();
        let mut audit = self.audit_entry(actor, "ce.credential_added", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = member.member_number.clone();
        let now = self.clock.unix();
        match CredentialSource::from_code(&input.source) {
            Some(CredentialSource::Licence) => {
                let jurisdiction = input.jurisdiction.trim().to_uppercase();
                let kind = input.kind.trim().to_uppercase();
                if !is_tag(&jurisdiction) || jurisdiction.len() < 2 || jurisdiction.len() > 12 {
                    errors.insert(
                        "jurisdiction".into(),
                        "Give the jurisdiction as a code such as US-TX or CA-ON.".into(),
                    );
                }
                if !["PE", "SE", "PLS", "P.ENG", "PENG", "CENG"].contains(&kind.as_str()) {
                    errors.insert("kind".into(), "Choose the kind of licence (PE, SE, PLS, P.Eng).".into());
                }
                let method = input.licensure_method.trim();
                if !method.is_empty() && !["exam", "comity", "endorsement", "other"].contains(&method) {
                    errors.insert("licensure_method".into(), "Choose how the licence was obtained.".into());
                }
                if !errors.is_empty() {
                    return Err(AppError::Validation { message: "The licence was not added.".into(), fields: errors });
                }
                let licence = NewCeLicence {
                    jurisdiction,
                    kind,
                    number: number.to_string(),
                    first_issued: issued.unwrap_or(Date::MIN),
                    expires_on: expires,
                    licensure_method: (!method.is_empty()).then(|| method.to_string()),
                };
                audit.after_json = Some(
                    serde_json::json!({"licence": {"jurisdiction": licence.jurisdiction, "kind": licence.kind,
                        "number": licence.number, "issued": issued, "expires": expires}})
                    .to_string(),
                );
                Ok(self.store.add_ce_licence(member.id, &licence, Some(&audit), now).await?)
            }
            Some(CredentialSource::Certification) => {
                let ruleset = input.ruleset.trim();
                let Some(history) = book.history(ruleset).filter(|_| !ruleset.is_empty()) else {
                    errors.insert("ruleset".into(), "Choose the certification programme from the list.".into());
                    return Err(AppError::Validation {
                        message: "The certification was not added.".into(),
                        fields: errors,
                    });
                };
                if !errors.is_empty() {
                    return Err(AppError::Validation {
                        message: "The certification was not added.".into(),
                        fields: errors,
                    });
                }
                let latest = &history.versions[history.versions.len() - 1];
                let (body, name) = ruleset.split_once('-').unwrap_or(("", ruleset));
                let certification = NewCeCertification {
                    name: name.to_string(),
                    body: body.to_string(),
                    number: number.to_string(),
                    issued_on: issued.unwrap_or(Date::MIN),
                    expires_on: expires,
                    ruleset: ruleset.to_string(),
                };
                audit.after_json = Some(
                    serde_json::json!({"certification": {"programme": latest.name, "number": certification.number,
                        "issued": issued, "expires": expires}})
                    .to_string(),
                );
                Ok(self.store.add_ce_certification(member.id, &certification, Some(&audit), now).await?)
            }
            None => Err(AppError::invalid("Say whether this is a licence or a certification.")),
        }
    }

    /// Removes a licence or certification from the signed-in member's record.
    pub async fn remove_ce_credential(&self, actor: &Actor, key: &str, request_id: &str) -> AppResult<()> {
        let member = self.ce_member(actor, None).await?;
        let (source, id) = key
            .rsplit_once('-')
            .and_then(|(s, id)| Some((CredentialSource::from_code(s)?, id.parse::<i64>().ok()?)))
            .ok_or_else(|| AppError::NotFound("No such licence or certification.".into()))?;
        let mut audit = self.audit_entry(actor, "ce.credential_removed", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = member.member_number.clone();
        let held = self.store.ce_credentials(member.id).await?;
        let row = held.iter().find(|r| r.source == source && r.id == id);
        audit.before_json = row.and_then(|r| serde_json::to_string(r).ok());
        if row.is_none() || !self.store.remove_ce_credential(member.id, source, id, Some(&audit)).await? {
            return Err(AppError::NotFound("No such licence or certification.".into()));
        }
        Ok(())
    }

    /// Records the figures a credential's rule set reads from the member's record (blank
    /// values are cleared: the engine then says what it cannot decide without them).
    pub async fn set_ce_credential_fields(
        &self,
        actor: &Actor,
        key: &str,
        values: &BTreeMap<String, String>,
        request_id: &str,
    ) -> AppResult<()> {
        let member = self.ce_member(actor, None).await?;
        let book = self.rule_book();
        let held = self.store.ce_credentials(member.id).await?;
        let not_found = || AppError::NotFound("No such licence or certification.".into());
        let row = held.iter().find(|r| r.key() == key).ok_or_else(not_found)?;
        let ruleset = ruleset_for(&book, row).map_err(AppError::invalid)?;
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let mut pairs = Vec::new();
        for field in credential_fields(&book, &ruleset, row) {
            let text = values.get(&field.name).map(|v| v.trim()).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            match micro_of(&field.name, &field.label, text) {
                Ok(v) if v > 1_000 * 1_000_000 => {
                    errors.insert(field.name.clone(), format!("{} must be at most 1000.", field.label));
                }
                Ok(v) => pairs.push(format!("{}={}", field.name, micro_text(v))),
                Err(AppError::Validation { fields, .. }) => errors.extend(fields),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation {
                message: "The figures were not saved: please correct the marked fields.".into(),
                fields: errors,
            });
        }
        let text = pairs.join(" ");
        let mut audit = self.audit_entry(actor, "ce.credential_fields", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = member.member_number.clone();
        audit.before_json = Some(serde_json::json!({ "credential": key, "fields": row.ce_fields }).to_string());
        audit.after_json = Some(serde_json::json!({ "credential": key, "fields": text }).to_string());
        if !self.store.set_ce_fields(member.id, row.source, row.id, &text, &audit).await? {
            return Err(not_found());
        }
        Ok(())
    }

    /// The certification programmes a member can choose from (id, name): rule sets for
    /// certifications and society-defined programmes (licences and registrations are chosen
    /// by jurisdiction; model laws and exams are not held).
    pub fn ce_certification_programmes(&self) -> Vec<(String, String)> {
        let book = self.rule_book();
        book.ruleset_ids()
            .into_iter()
            .filter_map(|id| {
                let latest = book.history(id).and_then(|h| h.versions.last())?;
                latest.is_certification_programme().then(|| (id.to_string(), latest.name.clone()))
            })
            .collect()
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
                        kind: a.map(|a| kind_label(&a.kind).to_string()).unwrap_or_default(),
                        provider: a.map(|a| a.provider.clone()).unwrap_or_default(),
                        earned: r.earned.text(),
                        credited: r.credited.text(),
                        disallowed: r.disallowed.text(),
                        carried_in: r.carried_in.text(),
                        counts_toward: r.counts_toward.join(" "),
                        reasons: r.reasons.join(" "),
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

    /// Emails members whose licence or certification is short while its period ends within
    /// one of the configured offsets (each reminder once per period). Returns how many were sent.
    pub async fn send_ce_reminders(&self) -> AppResult<usize> {
        let today = self.clock.today();
        let book = self.rule_book();
        let mut offsets: Vec<i64> = self.settings.ce.reminder_days_before.iter().map(|d| i64::from(*d)).collect();
        offsets.sort_unstable();
        let mut sent = 0;
        for member_id in self.ce_reminder_candidates(today, &offsets).await? {
            let ce = self.member_ce(member_id).await?;
            let evaluation = ce.evaluate(&book, today)?;
            for ((row, _), result) in ce.tracked.iter().zip(&evaluation.credentials) {
                let Some(p) = result.periods.last() else { continue };
                if p.status != Status::InProgress || p.still_needed.is_empty() {
                    continue;
                }
                let Ok(end) = Date::parse(&p.end, time::macros::format_description!("[year]-[month]-[day]")) else {
                    continue;
                };
                let days_left = (end - today).whole_days();
                // The smallest offset the period is already inside is the one due now.
                let Some(offset) = offsets.iter().copied().find(|o| days_left <= *o && days_left >= 0) else {
                    continue;
                };
                let Some(member) = self.store.member_by_id(member_id).await? else { continue };
                let body = format!(
                    "Dear {},\n\nYour {} ({}) renewal period ends on {end} ({days_left} days from today), \
                     and it is not yet complete. What you still need:\n\n{}\n\nLog activities and upload \
                     certificates at {}.\n",
                    member.first_name,
                    result.ruleset_name,
                    held_words(row),
                    p.still_needed.iter().map(|s| format!("  - {s}")).collect::<Vec<_>>().join("\n"),
                    self.link("/ce"),
                );
                let mail = guildhall_store::NewMail {
                    to_address: member.email.clone(),
                    subject: format!("{}: continuing education still needed by {end}", result.ruleset_name),
                    body_text: body,
                };
                let key = row.key();
                if !self.store.record_ce_reminder(member_id, &key, end, offset, &mail, self.clock.unix()).await? {
                    continue;
                }
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Members with a credential in progress whose period ends within `days` (the engine's
    /// summary over every member; only these are explained and worded for a reminder).
    async fn ce_reminder_candidates(&self, today: Date, offsets: &[i64]) -> AppResult<Vec<i64>> {
        let book = self.rule_book();
        let max_id = self.store.max_member_id().await?;
        // Reminders already sent are passed over here, so each hour explains only the new ones.
        let sent: Arc<HashSet<(i64, String, Date, i64)>> =
            Arc::new(self.store.ce_reminders_sent(today).await?.into_iter().collect());
        let offsets: Arc<[i64]> = offsets.into();
        let mut candidates = Vec::new();
        let mut after = 0;
        while after < max_id {
            let up_to = after.saturating_add(BULK_RANGE);
            let bulk = self.store.ce_bulk(after, up_to).await?;
            after = up_to;
            let (book, sent, offsets) = (Arc::clone(&book), Arc::clone(&sent), Arc::clone(&offsets));
            let found = tokio::task::spawn_blocking(move || {
                let mut found = Vec::new();
                summarise_range(&book, &bulk, today, |member_id, tracked, summaries| {
                    let due = tracked.iter().zip(summaries).any(|((row, _), s)| {
                        let Some(period) = s.period.filter(|_| s.status == Status::InProgress) else { return false };
                        let days_left = (period.end - today).whole_days();
                        // The smallest offset the period is already inside is the one due now.
                        offsets
                            .iter()
                            .find(|o| (0..=**o).contains(&days_left))
                            .is_some_and(|&offset| !sent.contains(&(member_id, row.key(), period.end, offset)))
                    });
                    if due {
                        found.push(member_id);
                    }
                })
                .map(|()| found)
            })
            .await
            .map_err(|e| AppError::Internal(format!("CE reminders: {e}")))??;
            candidates.extend(found);
        }
        Ok(candidates)
    }

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

    /// The staff-defined programmes.
    pub async fn ce_programmes(&self, actor: &Actor) -> AppResult<Vec<CeProgrammeRecord>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.ce_programmes().await?)
    }

    /// Adds or replaces a society-defined programme from a rule file (same format as the
    /// repository's `rules/`). The file is validated with every other rule file first; a bad
    /// file is refused with its line and reason and changes nothing.
    pub async fn save_ce_programme(
        &self,
        actor: &Actor,
        file_name: &str,
        source: &str,
        request_id: &str,
    ) -> AppResult<String> {
        actor.require(Permission::StaffArea)?;
        let file_name = clean_file_name(if file_name.trim().is_empty() { "programme.toml" } else { file_name }, "toml");
        let parsed: toml::Table = toml::from_str(source).map_err(|e| {
            AppError::invalid_field("rules", format!("{file_name} is not a valid rule file: {}", e.message().trim()))
        })?;
        let ids: Vec<String> = parsed
            .get("ruleset")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(|r| r.get("id")?.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let mut unique = ids.clone();
        unique.dedup();
        let [ruleset_id] = unique.as_slice() else {
            return Err(AppError::invalid_field(
                "rules",
                "A programme file defines exactly one rule set ([[ruleset]] with an id; versions may repeat it).",
            ));
        };
        if guildhall_ce::rules::EMBEDDED_RULE_FILES
            .iter()
            .any(|(_, text)| text.contains(&format!("id = \"{ruleset_id}\"")))
        {
            return Err(AppError::invalid_field(
                "rules",
                format!("{ruleset_id} is a rule set shipped with Guildhall; give the programme an id of its own."),
            ));
        }
        // Validate together with every other programme (this one replacing its namesake).
        let mut programmes: Vec<(String, String)> = self
            .store
            .ce_programmes()
            .await?
            .into_iter()
            .filter(|p| &p.ruleset_id != ruleset_id)
            .map(|p| (p.file_name, p.source))
            .collect();
        programmes.push((file_name.clone(), source.to_string()));
        let extra: Vec<(&str, &str)> = programmes.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        RuleBook::embedded_with(&extra).map_err(|e| AppError::invalid_field("rules", e.to_string()))?;
        let mut audit = self.audit_entry(actor, "ce.programme_saved", "ce_programme", request_id);
        audit.subject_label = ruleset_id.clone();
        audit.after_json = Some(serde_json::json!({"ruleset": ruleset_id, "file": file_name}).to_string());
        self.store
            .save_ce_programme(ruleset_id, &file_name, source, Some(actor.user_id), &audit, self.clock.unix())
            .await?;
        self.reload_rule_book().await?;
        Ok(ruleset_id.clone())
    }
}

/// Members are read for bulk evaluation in id ranges this wide.
const BULK_RANGE: i64 = 4_000;

/// Walks the members of a bulk read who hold a licence or certification, in id order: builds
/// each one's engine input and judges it with the engine's summary. `visit` gets the member's
/// id, the tracked credentials with their rule sets, and one summary per tracked credential.
fn summarise_range(
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
        assert_eq!(words_for_minimum("laws_rules_FL"), "Laws and rules (FL)");
        assert_eq!(words_for_minimum("area_of_practice"), "Area of practice");
        assert_eq!(words_for_minimum("ethics"), "Ethics");
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
