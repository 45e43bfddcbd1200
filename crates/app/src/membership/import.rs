//! Importing and exporting members as CSV (`guildhall import members`, `export members`,
//! and the staff import page). Every row is checked before anything is written; a file
//! with any bad row imports nothing and names each bad row.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use guildhall_domain::csv::members::{
    self, CertificationCsv, ColumnMapping, KnownCodes, LicenceCsv, MemberRecordCsv, MemberStatus, RowError,
};
use guildhall_domain::membership::{CareerStage, Standing, TermState, TierCode};
use guildhall_store::{MemberBundle, NewCertification, NewLicence, NewMember, NewTerm, NewTermWithInvoice, TermRecord};
use time::{Date, Duration};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::membership::{compute_standing, term_policy};

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub dry_run: bool,
    /// The members created, in file order (none on a dry run).
    pub member_ids: Vec<i64>,
    /// How many of them were invited afterwards (staff import with "Invite the imported
    /// members" ticked).
    pub invited: usize,
}

/// Where an import is, for progress bars: (stage, done, total).
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// Turns row errors into one validation error whose fields keep the rows in order.
fn row_errors(errors: Vec<RowError>) -> AppError {
    let count = errors.iter().filter(|e| e.row > 0).map(|e| e.row).collect::<HashSet<_>>().len();
    let fields: BTreeMap<String, String> =
        errors.iter().enumerate().map(|(i, e)| (format!("{:09}:{i:04}", e.row), e.to_string())).collect();
    let message = if count == 1 {
        "1 row has a problem, so nothing was imported. Correct it and import the file again.".to_string()
    } else if count == 0 {
        "The file has a problem, so nothing was imported.".to_string()
    } else {
        format!("{count} rows have problems, so nothing was imported. Correct them and import the file again.")
    };
    AppError::Validation { message, fields }
}

fn career_code(stage: CareerStage) -> String {
    members::career_stage_code(stage).to_string()
}

impl App {
    /// Validates and imports a member CSV (optionally with a column mapping for another
    /// system's export). Nothing is written on a dry run or when any row is bad.
    pub async fn import_members(
        &self,
        input: &[u8],
        mapping: Option<&str>,
        dry_run: bool,
        progress: Progress<'_>,
    ) -> AppResult<ImportReport> {
        let mapping = match mapping {
            Some(text) => {
                Some(ColumnMapping::from_toml(text).map_err(|e| AppError::invalid(format!("The mapping file: {e}")))?)
            }
            None => None,
        };
        let tiers = self.store.list_tiers().await?;
        let chapters = self.store.list_chapters().await?;
        let groups = self.store.list_groups().await?;
        let known = KnownCodes::new(
            tiers.iter().filter_map(|t| TierCode::new(t.code.clone()).ok()),
            chapters.iter().map(|c| c.slug.clone()),
            groups.iter().map(|g| g.slug.clone()),
        );
        let today = self.clock.today();
        progress("Checking rows", 0, 0);
        let rows = members::parse_members(input, &known, today, mapping.as_ref()).map_err(row_errors)?;

        // Clashes with members already on record.
        let (emails, numbers) = self.store.member_keys().await?;
        let emails: HashSet<String> = emails.into_iter().collect();
        let numbers: HashSet<String> = numbers.into_iter().collect();
        let mut errors = Vec::new();
        for row in &rows {
            if emails.contains(row.email.as_str()) {
                errors.push(RowError {
                    row: row.row,
                    column: "email".into(),
                    message: format!("{} is already a member's address", row.email),
                });
            }
            if let Some(number) = &row.member_number
                && numbers.contains(number)
            {
                errors.push(RowError {
                    row: row.row,
                    column: "member_number".into(),
                    message: format!("{number} is already another member's number"),
                });
            }
        }
        if !errors.is_empty() {
            errors.truncate(members::MAX_ERRORS);
            return Err(row_errors(errors));
        }

        let tier_ids: HashMap<&str, i64> = tiers.iter().map(|t| (t.code.as_str(), t.id)).collect();
        let chapter_ids: HashMap<&str, i64> = chapters.iter().map(|c| (c.slug.as_str(), c.id)).collect();
        let group_ids: HashMap<&str, i64> = groups.iter().map(|g| (g.slug.as_str(), g.id)).collect();
        let policy = term_policy(&self.settings.membership)?;
        let mut bundles = Vec::with_capacity(rows.len());
        for row in &rows {
            let tier_id = *tier_ids
                .get(row.tier.as_str())
                .ok_or_else(|| AppError::Internal(format!("tier {} vanished during the import", row.tier.as_str())))?;
            let term = import_term(row, tier_id, today);
            let record = TermRecord {
                id: 0,
                member_id: 0,
                tier_id,
                starts_on: term.starts_on,
                ends_on: term.ends_on,
                applied_on: term.applied_on,
                status: term.status,
                approved_on: term.approved_on,
                paid_on: term.paid_on,
                cancelled_on: term.cancelled_on,
                rejected_on: term.rejected_on,
                created_at: 0,
            };
            let never_expires = tiers.iter().any(|t| t.id == tier_id && t.never_expires);
            let (standing, expires_on) =
                crate::membership::standing_in_tier(never_expires, compute_standing(&policy, &[record], today)?);
            bundles.push(MemberBundle {
                member: NewMember {
                    member_number: row.member_number.clone(),
                    user_id: None,
                    first_name: row.first_name.clone(),
                    last_name: row.last_name.clone(),
                    email: row.email.to_string(),
                    phone: row.phone.clone().unwrap_or_default(),
                    employer: row.employer.clone().unwrap_or_default(),
                    job_title: row.job_title.clone().unwrap_or_default(),
                    career_stage: career_code(row.career_stage),
                    disciplines: row.disciplines.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(";"),
                    education: String::new(),
                    city: String::new(),
                    tier_id,
                    home_chapter_id: row.home_chapter.as_deref().and_then(|s| chapter_ids.get(s).copied()),
                    joined_on: row.joined_on,
                    standing,
                    expires_on,
                    standing_on: today,
                    visibility: "{}".into(),
                },
                licences: row
                    .licences
                    .iter()
                    .map(|l| NewLicence {
                        jurisdiction: l.jurisdiction.clone(),
                        kind: l.kind,
                        number: l.number.clone(),
                        first_issued: l.first_issued_on,
                        expires_on: l.expires_on,
                    })
                    .collect(),
                certifications: row
                    .certifications
                    .iter()
                    .map(|c| NewCertification {
                        name: c.name.clone(),
                        body: c.body.clone().unwrap_or_default(),
                        number: c.number.clone().unwrap_or_default(),
                        expires_on: c.expires_on,
                    })
                    .collect(),
                group_ids: row.groups.iter().filter_map(|g| group_ids.get(g.as_str()).copied()).collect(),
                terms: vec![NewTermWithInvoice { term, invoice: None, payments: vec![], evidence: vec![] }],
            });
        }
        if dry_run {
            return Ok(ImportReport {
                rows: rows.len(),
                imported: 0,
                dry_run: true,
                member_ids: Vec::new(),
                invited: 0,
            });
        }
        let total = bundles.len();
        let on_row = |done: usize| progress("Importing", done, total);
        let ids = self.store.insert_members_with_progress(&bundles, self.clock.unix(), Some(&on_row)).await?;
        Ok(ImportReport { rows: rows.len(), imported: ids.len(), dry_run: false, member_ids: ids, invited: 0 })
    }

    /// The staff import: permission checked, and a completed import audited. With `invite`,
    /// once the import has committed (it stays all-or-nothing), every member it created who
    /// has an email address and no account is invited (a dry run invites nobody).
    #[allow(clippy::too_many_arguments)]
    pub async fn import_members_as(
        &self,
        actor: &crate::Actor,
        input: &[u8],
        mapping: Option<&str>,
        dry_run: bool,
        invite: bool,
        progress: Progress<'_>,
        request_id: &str,
    ) -> AppResult<ImportReport> {
        actor.require(crate::Permission::StaffArea)?;
        self.forget_kept_pages();
        let mut report = self.import_members(input, mapping, dry_run, progress).await?;
        if !report.dry_run {
            let mut audit = self.audit_entry(actor, "members.imported", "member", request_id);
            audit.subject_label = format!("{} members from a CSV upload", report.imported);
            audit.after_json = Some(serde_json::json!({ "imported": report.imported }).to_string());
            self.store.record_audit(&audit).await?;
            if invite {
                report.invited = self.invite_members_by_id(actor, &report.member_ids, request_id).await?;
            }
        }
        Ok(report)
    }

    /// Staff add one member, given as the import's columns (`first_name`, `email`, `tier`,
    /// …): the same checks as a file of one row, and an audited import. Each problem is
    /// named by its column. Returns the new member's id.
    pub async fn add_member(
        &self,
        actor: &crate::Actor,
        columns: &[(&str, String)],
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(crate::Permission::StaffArea)?;
        if let Some((column, _)) = columns.iter().find(|(c, _)| !members::COLUMNS.contains(c)) {
            return Err(AppError::Internal(format!("{column} is not a member column")));
        }
        let mut file = csv::Writer::from_writer(Vec::new());
        let written = file
            .write_record(columns.iter().map(|(c, _)| *c))
            .and_then(|()| file.write_record(columns.iter().map(|(_, v)| v.as_str())));
        let input = written
            .map_err(|e| e.to_string())
            .and_then(|()| file.into_inner().map_err(|e| e.to_string()))
            .map_err(|e| AppError::Internal(format!("cannot write the member row: {e}")))?;
        let progress = |_: &str, _: usize, _: usize| {};
        match self.import_members_as(actor, &input, None, false, false, &progress, request_id).await {
            Ok(report) => {
                report.member_ids.first().copied().ok_or_else(|| AppError::Internal("the member was not added".into()))
            }
            // "row 1, email: …" → the field `email` and its sentence.
            Err(AppError::Validation { fields, .. }) => {
                let mut named = BTreeMap::new();
                for text in fields.into_values() {
                    let text = text.strip_prefix("row 1, ").or_else(|| text.strip_prefix("row 1: ")).unwrap_or(&text);
                    match text.split_once(": ") {
                        Some((column, message)) if members::COLUMNS.contains(&column) => {
                            named.insert(column.to_string(), message.to_string())
                        }
                        _ => named.insert("member".to_string(), text.to_string()),
                    };
                }
                Err(AppError::Validation {
                    message: "The member could not be added; see the fields.".into(),
                    fields: named,
                })
            }
            Err(other) => Err(other),
        }
    }

    /// Staff export the members a search finds (the same filters as the member search), in
    /// the import format; returns how many.
    pub async fn export_members_as(
        &self,
        actor: &crate::Actor,
        filter: &guildhall_store::MemberFilter,
        out: impl Write,
    ) -> AppResult<usize> {
        actor.require(crate::Permission::StaffArea)?;
        let mut only = HashSet::new();
        let mut page = 1;
        loop {
            let found = self.store.search_members(filter, guildhall_store::PageRequest::new(page, 200)).await?;
            let last = found.items.len() < 200;
            only.extend(found.items.into_iter().map(|m| m.id));
            if last {
                break;
            }
            page += 1;
        }
        self.write_export(Some(&only), out).await
    }

    /// Writes every member in the import format; returns how many.
    pub async fn export_members(&self, out: impl Write) -> AppResult<usize> {
        self.write_export(None, out).await
    }

    /// Writes the members (all, or those in `only`) in the import format.
    async fn write_export(&self, only: Option<&HashSet<i64>>, out: impl Write) -> AppResult<usize> {
        let tiers: HashMap<i64, String> = self.store.list_tiers().await?.into_iter().map(|t| (t.id, t.code)).collect();
        let chapters: HashMap<i64, String> =
            self.store.list_chapters().await?.into_iter().map(|c| (c.id, c.slug)).collect();
        let export = self.store.export_members().await?;
        let mut rows = Vec::with_capacity(export.members.len());
        for (n, m) in export.members.iter().filter(|m| only.is_none_or(|ids| ids.contains(&m.id))).enumerate() {
            let bad = |what: &str| AppError::Internal(format!("member {} has an unexportable {what}", m.member_number));
            let status = match m.standing {
                Standing::Applied => MemberStatus::Applied,
                Standing::Approved => MemberStatus::Approved,
                Standing::Active | Standing::RenewalDue => MemberStatus::Active,
                Standing::Grace => MemberStatus::Grace,
                Standing::Lapsed => MemberStatus::Lapsed,
                Standing::Cancelled | Standing::Rejected => MemberStatus::Cancelled,
            };
            rows.push(MemberRecordCsv {
                row: n + 1,
                member_number: Some(m.member_number.clone()),
                first_name: m.first_name.clone(),
                last_name: m.last_name.clone(),
                email: guildhall_domain::identity::Email::parse(&m.email).map_err(|_| bad("email"))?,
                phone: Some(m.phone.clone()).filter(|s| !s.is_empty()),
                employer: Some(m.employer.clone()).filter(|s| !s.is_empty()),
                job_title: Some(m.job_title.clone()).filter(|s| !s.is_empty()),
                career_stage: members::parse_career_stage(&m.career_stage).unwrap_or(CareerStage::Other),
                disciplines: m.disciplines.split(';').filter_map(members::Discipline::parse).collect(),
                tier: TierCode::new(tiers.get(&m.tier_id).cloned().unwrap_or_default()).map_err(|_| bad("tier"))?,
                status,
                joined_on: m.joined_on,
                // A cancelled member's standing carries no expiry; their last paid
                // term's end is what the file records (and what an import reads back).
                expires_on: m.expires_on.or_else(|| export.last_paid_expiry.get(&m.id).copied()),
                home_chapter: m.home_chapter_id.and_then(|id| chapters.get(&id).cloned()),
                groups: export.groups.get(&m.id).cloned().unwrap_or_default(),
                licences: export
                    .licences
                    .get(&m.id)
                    .map(|ls| {
                        ls.iter()
                            .map(|l| LicenceCsv {
                                jurisdiction: l.jurisdiction.clone(),
                                kind: l.kind,
                                number: l.number.clone(),
                                first_issued_on: l.first_issued,
                                expires_on: l.expires_on,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                certifications: export
                    .certifications
                    .get(&m.id)
                    .map(|cs| {
                        cs.iter()
                            .map(|c| CertificationCsv {
                                name: c.name.clone(),
                                body: Some(c.body.clone()).filter(|s| !s.is_empty()),
                                number: Some(c.number.clone()).filter(|s| !s.is_empty()),
                                expires_on: c.expires_on,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        members::write_members(out, &rows).map_err(|e| AppError::Internal(format!("cannot write the export: {e}")))?;
        Ok(rows.len())
    }
}

/// The one term an imported member starts with, from their status and dates.
fn import_term(row: &MemberRecordCsv, tier_id: i64, today: Date) -> NewTerm {
    let year_before = |end: Date| (end - Duration::days(364)).max(row.joined_on).min(end);
    let (starts_on, ends_on) = match row.expires_on {
        Some(end) => (year_before(end), end),
        None => (row.joined_on, row.joined_on + Duration::days(364)),
    };
    let mut term = NewTerm {
        tier_id,
        starts_on,
        ends_on,
        applied_on: row.joined_on.min(starts_on),
        status: TermState::Paid,
        approved_on: None,
        paid_on: Some(starts_on),
        cancelled_on: None,
        rejected_on: None,
    };
    match row.status {
        MemberStatus::Applied => {
            term.status = TermState::AwaitingApproval;
            term.paid_on = None;
        }
        MemberStatus::Approved => {
            term.status = TermState::AwaitingPayment;
            term.paid_on = None;
            term.approved_on = Some(term.applied_on);
        }
        MemberStatus::Cancelled => {
            term.status = TermState::Cancelled;
            term.cancelled_on = Some(ends_on.min(today).max(starts_on));
        }
        MemberStatus::Active | MemberStatus::Grace | MemberStatus::Lapsed => {}
    }
    term
}
