//! Joining: a signed-in account without a member record applies for a tier in a home
//! chapter. Eligibility is decided by `guildhall_domain::membership::check_eligibility`
//! from what the applicant supplies (career stage, licence, enrolment); a tier that needs
//! approval puts the application in the staff approvals queue, any other tier raises the
//! first invoice at once. Nothing is charged here.

use guildhall_domain::csv::members::{career_stage_code, parse_career_stage};
use guildhall_domain::member::{JURISDICTION_HINT, Jurisdiction, KIND_HINT, LicenceKind};
use guildhall_domain::membership::{
    ApplicantFacts, Cents, EnrolmentFact, InvoiceStatus, LicenceFact, Proof, Requirement, Standing, TermState, Tier,
    TierCode, check_eligibility,
};
use guildhall_store::{
    ChapterRecord, MemberBundle, NewEvidence, NewInvoice, NewLicence, NewMember, NewTerm, NewTermWithInvoice,
    StoreError, TierRecord,
};
use time::Date;
use time::macros::format_description;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::membership::format_money;
use crate::{Actor, App};

/// What the join form sends. Licence and enrolment are optional groups: filled in
/// whole or left empty.
#[derive(Debug, Clone, Default)]
pub struct JoinRequest {
    pub first_name: String,
    pub last_name: String,
    pub tier_id: String,
    pub chapter_id: String,
    pub career_stage: String,
    pub licence_jurisdiction: String,
    pub licence_kind: String,
    pub licence_number: String,
    pub licence_first_issued: String,
    pub licence_expires: String,
    pub enrolment_institution: String,
    pub enrolment_starts: String,
    pub enrolment_completion: String,
    /// Asked for by tiers with an age limit.
    pub date_of_birth: String,
    /// Ticked to declare retirement from paid engineering work.
    pub declared_retired: bool,
}

/// Where an application went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// The tier needs approval: the application is in the staff queue. When the tier asks
    /// for proof of enrolment, the applicant uploads it next.
    AwaitingApproval { enrolment_document_needed: bool },
    /// No approval needed: the first invoice (id) is open to pay.
    InvoiceRaised(i64),
}

/// What the join form offers.
pub struct JoinOptions {
    pub tiers: Vec<TierRecord>,
    pub chapters: Vec<ChapterRecord>,
}

fn date_field(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    errors.check(
        field,
        Date::parse(raw, format_description!("[year]-[month]-[day]"))
            .map_err(|_| format!("{raw:?} is not a date; use YYYY-MM-DD.")),
    )
}

/// `RequiresLicence` → `requires_licence`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Enum tags (strings and single-key objects) in snake_case, so requirement lists stored
/// with the variant names (`["RequiresLicence"]`, `[{"MinYearsLicensed":10}]`, as the demo
/// and older imports wrote them) read like the documented form (`["requires_licence"]`).
fn snake_case_tags(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(snake_case(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(snake_case_tags).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (snake_case(&k), snake_case_tags(v))).collect())
        }
        other => other,
    }
}

/// A stored tier as the eligibility rules see it.
pub fn domain_tier(t: &TierRecord) -> AppResult<Tier> {
    let bad = |e: String| AppError::Internal(format!("tier {}: {e}", t.code));
    let stored: serde_json::Value = serde_json::from_str(&t.requirements).map_err(|e| bad(e.to_string()))?;
    let requirements: Vec<Requirement> =
        serde_json::from_value(snake_case_tags(stored)).map_err(|e| bad(e.to_string()))?;
    Tier::new(
        TierCode::new(t.code.clone()).map_err(|e| bad(e.to_string()))?,
        t.name.clone(),
        Cents::new(t.annual_dues_cents).map_err(|e| bad(e.to_string()))?,
        t.requires_approval,
        requirements,
    )
    .map_err(|e| bad(e.to_string()))
}

impl App {
    /// The tiers and chapters to choose from; refuses people who are members already.
    pub async fn join_options(&self, actor: &Actor) -> AppResult<JoinOptions> {
        if self.store.member_by_user(actor.user_id).await?.is_some() {
            return Err(already_member());
        }
        Ok(JoinOptions { tiers: self.store.list_tiers().await?, chapters: self.store.list_chapters().await? })
    }

    /// Applies for membership. Every field problem and every unmet tier requirement is
    /// reported at once.
    pub async fn join(&self, actor: &Actor, request: &JoinRequest) -> AppResult<Joined> {
        if self.store.member_by_user(actor.user_id).await?.is_some() {
            return Err(already_member());
        }
        let today = self.clock.today();
        let mut errors = FieldErrors::default();
        let name = |errors: &mut FieldErrors, field: &str, value: &str, label: &str| {
            let value = value.trim();
            if value.is_empty() {
                errors.add(field, format!("Enter your {label}."));
            } else if value.chars().count() > 100 {
                errors.add(field, format!("Your {label} can be at most 100 characters."));
            }
            value.to_string()
        };
        let first_name = name(&mut errors, "first_name", &request.first_name, "first name");
        let last_name = name(&mut errors, "last_name", &request.last_name, "last name");
        let tiers = self.store.list_tiers().await?;
        let tier = request.tier_id.trim().parse::<i64>().ok().and_then(|id| tiers.into_iter().find(|t| t.id == id));
        if tier.is_none() {
            errors.add("tier_id", "Choose a membership tier from the list.");
        }
        let chapter = match request.chapter_id.trim().parse::<i64>() {
            Ok(id) => self.store.chapter_by_id(id).await?,
            Err(_) => None,
        };
        if chapter.is_none() {
            errors.add("chapter_id", "Choose your home chapter from the list.");
        }
        let stage = match parse_career_stage(&request.career_stage) {
            Some(stage) if !request.career_stage.trim().is_empty() => Some(stage),
            _ => {
                errors.add("career_stage", "Choose your career stage from the list.");
                None
            }
        };

        // The licence, if any of its fields is filled in.
        let licence_fields = [
            &request.licence_jurisdiction,
            &request.licence_kind,
            &request.licence_number,
            &request.licence_first_issued,
            &request.licence_expires,
        ];
        let mut licence = None;
        if licence_fields.iter().any(|f| !f.trim().is_empty()) {
            let jurisdiction = Jurisdiction::parse(&request.licence_jurisdiction)
                .map_err(|_| errors.add("licence_jurisdiction", JURISDICTION_HINT))
                .ok();
            let kind = LicenceKind::parse(&request.licence_kind);
            if kind.is_none() {
                errors.add("licence_kind", KIND_HINT);
            }
            let number = request.licence_number.trim().to_string();
            if number.is_empty() || number.chars().count() > 30 {
                errors.add("licence_number", "Enter the licence number (at most 30 characters).");
            }
            let first_issued = date_field(&mut errors, "licence_first_issued", &request.licence_first_issued);
            if request.licence_first_issued.trim().is_empty() {
                errors.add("licence_first_issued", "Enter the date the licence was first issued.");
            } else if first_issued.is_some_and(|d| d > today) {
                errors.add("licence_first_issued", "The first-issued date cannot be in the future.");
            }
            let expires = date_field(&mut errors, "licence_expires", &request.licence_expires);
            if let (Some(first), Some(expires)) = (first_issued, expires)
                && expires < first
            {
                errors.add("licence_expires", "A licence cannot expire before it was first issued.");
            }
            if let (Some(jurisdiction), Some(kind), Some(first_issued)) = (jurisdiction, kind, first_issued) {
                licence = Some((jurisdiction, kind, number, first_issued, expires));
            }
        }
        // The enrolment, likewise.
        let mut enrolment = None;
        let enrolment_fields =
            [&request.enrolment_institution, &request.enrolment_starts, &request.enrolment_completion];
        if enrolment_fields.iter().any(|f| !f.trim().is_empty()) {
            let institution = request.enrolment_institution.trim().to_string();
            if institution.is_empty() || institution.chars().count() > 200 {
                errors.add("enrolment_institution", "Enter your school or programme (at most 200 characters).");
            }
            let starts = date_field(&mut errors, "enrolment_starts", &request.enrolment_starts);
            if request.enrolment_starts.trim().is_empty() {
                errors.add("enrolment_starts", "Enter the date your enrolment started.");
            }
            let completion = date_field(&mut errors, "enrolment_completion", &request.enrolment_completion);
            if let (Some(starts), Some(completion)) = (starts, completion)
                && completion < starts
            {
                errors.add("enrolment_completion", "Expected completion cannot be before the start.");
            }
            if let Some(starts) = starts {
                enrolment = Some((institution, starts, completion));
            }
        }
        let date_of_birth = date_field(&mut errors, "date_of_birth", &request.date_of_birth);
        if date_of_birth.is_some_and(|d| d > today || d.year() < 1900) {
            errors.add("date_of_birth", "Enter your real date of birth (YYYY-MM-DD).");
        }
        errors.into_result()?;
        let (Some(tier), Some(chapter), Some(stage)) = (tier, chapter, stage) else {
            return Err(AppError::Internal("join form checked without its choices".into()));
        };

        let facts = ApplicantFacts {
            date_of_birth,
            declared_retired: request.declared_retired,
            career_stage: Some(stage),
            licences: licence
                .iter()
                .map(|(_, kind, _, first_issued_on, expires_on)| LicenceFact {
                    kind: *kind,
                    first_issued_on: *first_issued_on,
                    expires_on: *expires_on,
                })
                .collect(),
            enrolments: enrolment
                .iter()
                .map(|(_, starts_on, expected_completion_on)| EnrolmentFact {
                    starts_on: *starts_on,
                    expected_completion_on: *expected_completion_on,
                })
                .collect(),
            paid_terms: vec![],
        };
        let rules = domain_tier(&tier)?;
        if let Err(problems) = check_eligibility(&rules, &facts, today) {
            let sentences: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(AppError::Validation {
                message: sentences.join(" "),
                fields: [("tier_id".to_string(), sentences.join(" "))].into(),
            });
        }

        let term = self.policy()?.first_term(today).map_err(|e| AppError::Internal(e.to_string()))?;
        let dues = tier.annual_dues_cents + chapter.dues_supplement_cents;
        // What the applicant declared is kept for staff; a lower price is a fact staff
        // checked, not a claim (issue 9 §4).
        let needs_review = rules.needs_review();
        let education_statement = match &enrolment {
            Some((institution, starts, _)) => format!("Enrolled at {institution} since {starts}"),
            None => String::new(),
        };
        let evidence: Vec<NewEvidence> = rules
            .proofs()
            .into_iter()
            .filter(|proof| proof.is_self_declared())
            .map(|proof| NewEvidence {
                proof,
                statement: match proof {
                    Proof::DeclaredDateOfBirth => {
                        format!("Date of birth: {}", date_of_birth.map(|d| d.to_string()).unwrap_or_default())
                    }
                    Proof::RetirementDeclaration => {
                        "Declared: \"I have retired from paid engineering work.\"".to_string()
                    }
                    Proof::DeclaredCareerStage => format!("Career stage: {}", career_stage_code(stage)),
                    Proof::EnrolmentDocument => education_statement.clone(),
                    Proof::LicenceRecord | Proof::MembershipRecord => String::new(),
                },
                document: None,
            })
            .collect();
        let enrolment_document_needed = rules.proofs().contains(&Proof::EnrolmentDocument);
        let (status, standing, invoice) = if needs_review {
            (TermState::AwaitingApproval, Standing::Applied, None)
        } else {
            let invoice = NewInvoice {
                description: format!("{} membership, {} to {}", tier.name, term.starts_on(), term.ends_on()),
                amount_cents: dues,
                status: InvoiceStatus::Open,
                issued_on: today,
                due_on: today + time::Duration::days(30),
                paid_on: None,
            };
            (TermState::AwaitingPayment, Standing::Approved, Some(invoice))
        };
        let education = match &enrolment {
            Some((institution, starts, Some(completion))) => {
                format!("Enrolled at {institution} from {starts}, expected to complete {completion}")
            }
            Some((institution, starts, None)) => format!("Enrolled at {institution} from {starts}"),
            None => String::new(),
        };
        let bundle = MemberBundle {
            member: NewMember {
                member_number: None,
                user_id: Some(actor.user_id),
                first_name,
                last_name,
                email: actor.email.clone(),
                phone: String::new(),
                employer: String::new(),
                job_title: String::new(),
                career_stage: career_stage_code(stage).into(),
                disciplines: String::new(),
                education,
                city: String::new(),
                tier_id: tier.id,
                home_chapter_id: Some(chapter.id),
                joined_on: today,
                standing,
                expires_on: None,
                standing_on: today,
                visibility: "{}".into(),
            },
            licences: licence
                .into_iter()
                .map(|(jurisdiction, kind, number, first_issued, expires_on)| NewLicence {
                    jurisdiction,
                    kind,
                    number,
                    first_issued,
                    expires_on,
                })
                .collect(),
            certifications: vec![],
            group_ids: vec![],
            terms: vec![NewTermWithInvoice {
                term: NewTerm {
                    tier_id: tier.id,
                    starts_on: term.starts_on(),
                    ends_on: term.ends_on(),
                    applied_on: today,
                    status,
                    approved_on: None,
                    paid_on: None,
                    cancelled_on: None,
                    rejected_on: None,
                },
                invoice,
                payments: vec![],
                evidence,
            }],
        };
        let member_id = match self.store.insert_members(&[bundle], self.clock.unix()).await {
            Ok(ids) => ids[0],
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::Conflict {
                    message: "There is already a member record for your account or your email address. If it \
                              is not on your dashboard, contact the society office to have it linked to your account."
                        .into(),
                    field: None,
                });
            }
            Err(other) => return Err(other.into()),
        };
        self.record_agreement(Some(actor.user_id), Some(member_id), "join form").await?;
        if needs_review {
            return Ok(Joined::AwaitingApproval { enrolment_document_needed });
        }
        let invoice =
            self.store.member_invoices(member_id).await?.into_iter().find(|i| i.status == InvoiceStatus::Open);
        let invoice = invoice.ok_or_else(|| AppError::Internal("the first invoice vanished".into()))?;
        tracing::info!(member_id, invoice = invoice.id, dues = %format_money(dues), "member joined");
        Ok(Joined::InvoiceRaised(invoice.id))
    }
}

fn already_member() -> AppError {
    AppError::invalid("You are a member already: your membership is on your dashboard.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_requirements_read_as_domain_tiers() {
        let record = |requirements: &str| TierRecord {
            id: 1,
            code: "member".into(),
            name: "Member".into(),
            annual_dues_cents: 100,
            requires_approval: false,
            requirements: requirements.into(),
            sort_order: 0,
            created_at: 0,
            never_expires: false,
        };
        let both =
            [r#"["RequiresLicence",{"MinYearsLicensed":10}]"#, r#"["requires_licence",{"min_years_licensed":10}]"#];
        for stored in both {
            assert_eq!(
                domain_tier(&record(stored)).unwrap().requirements(),
                [Requirement::RequiresLicence, Requirement::MinYearsLicensed(10)],
                "{stored}"
            );
        }
        let stages = r#"[{"CareerStage":["Student","EngineerInTraining"]}]"#;
        assert!(matches!(domain_tier(&record(stages)).unwrap().requirements()[0], Requirement::CareerStage(_)));
        assert!(domain_tier(&record(r#"["Telepathy"]"#)).is_err());
    }
}
