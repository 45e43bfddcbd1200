//! Membership tiers staff define: dues, eligibility, approval and order. Every change is
//! audited with the record before and after.

use guildhall_domain::csv::members::{career_stage_code, parse_career_stage};
use guildhall_domain::membership::{CareerStage, CareerStages, Cents, Requirement, Tier, TierCode};
use guildhall_store::{NewTier, StoreError, TierRecord, TierUsage};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::membership::format_money;
use crate::membership::joining::domain_tier;
use crate::membership::payments::parse_money;
use crate::{Actor, App, Permission};

/// The career stages a tier may be limited to, as (form code, label).
pub const CAREER_STAGES: [(&str, &str); 5] = [
    ("student", "Student"),
    ("eit", "Engineer in training / intern"),
    ("licensed", "Licensed engineer"),
    ("retired", "Retired"),
    ("other", "Other"),
];

/// Largest annual dues a tier may have ($100,000), against typing errors.
const MAX_DUES_CENTS: i64 = 10_000_000;

/// What the tier form sends (all text, as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierForm {
    pub code: String,
    pub name: String,
    pub annual_dues: String,
    pub requires_approval: bool,
    /// Membership of the tier never expires (life membership).
    pub never_expires: bool,
    pub sort_order: String,
    pub requires_licence: bool,
    pub requires_enrolment: bool,
    pub requires_retirement: bool,
    pub min_years_licensed: String,
    pub min_age: String,
    pub min_years_of_membership: String,
    /// Career-stage codes ticked; none means any career stage.
    pub career_stages: Vec<String>,
}

impl TierForm {
    /// The form filled in from a stored tier, for editing.
    pub fn from_record(t: &TierRecord) -> AppResult<TierForm> {
        let tier = domain_tier(t)?;
        let mut form = TierForm {
            code: t.code.clone(),
            name: t.name.clone(),
            annual_dues: format!("{}.{:02}", t.annual_dues_cents / 100, t.annual_dues_cents % 100),
            requires_approval: t.requires_approval,
            never_expires: t.never_expires,
            sort_order: t.sort_order.to_string(),
            ..Default::default()
        };
        for r in tier.requirements() {
            match r {
                Requirement::RequiresLicence => form.requires_licence = true,
                Requirement::RequiresEnrolment => form.requires_enrolment = true,
                Requirement::RetirementDeclaration => form.requires_retirement = true,
                Requirement::MinYearsLicensed(n) => form.min_years_licensed = n.to_string(),
                Requirement::MinAge(n) => form.min_age = n.to_string(),
                Requirement::MinYearsOfMembership(n) => form.min_years_of_membership = n.to_string(),
                Requirement::CareerStage(stages) => {
                    form.career_stages = stages.iter().map(|s| career_stage_code(s).to_string()).collect()
                }
            }
        }
        Ok(form)
    }
}

/// A whole number of years from 1 to 99, or nothing when left empty.
fn years(raw: &str, field: &str, label: &str, errors: &mut FieldErrors) -> Option<u8> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<u8>() {
        Ok(n) if (1..=99).contains(&n) => Some(n),
        _ => {
            errors.add(field, format!("{label} must be a whole number of years from 1 to 99, or left empty."));
            None
        }
    }
}

/// The eligibility requirements a tier form describes, in a fixed order. Every problem
/// is added to `errors` (the caller reports them all at once).
pub fn tier_requirements(form: &TierForm, errors: &mut FieldErrors) -> Vec<Requirement> {
    let mut requirements = Vec::new();
    if form.requires_licence {
        requirements.push(Requirement::RequiresLicence);
    }
    if form.requires_enrolment {
        requirements.push(Requirement::RequiresEnrolment);
    }
    if form.requires_retirement {
        requirements.push(Requirement::RetirementDeclaration);
    }
    if let Some(n) = years(&form.min_years_licensed, "min_years_licensed", "Years licensed", errors) {
        requirements.push(Requirement::MinYearsLicensed(n));
    }
    if let Some(n) = years(&form.min_age, "min_age", "Minimum age", errors) {
        requirements.push(Requirement::MinAge(n));
    }
    if let Some(n) = years(&form.min_years_of_membership, "min_years_of_membership", "Years of membership", errors) {
        requirements.push(Requirement::MinYearsOfMembership(n));
    }
    let mut stages: Vec<CareerStage> = Vec::new();
    for code in &form.career_stages {
        match parse_career_stage(code).filter(|_| !code.trim().is_empty()) {
            Some(stage) => stages.push(stage),
            None => errors.add("career_stages", "Choose career stages from the list."),
        }
    }
    if let Ok(stages) = CareerStages::new(stages) {
        requirements.push(Requirement::CareerStage(stages));
    }
    requirements
}

/// One requirement in words, for the tier list: "a current PE or SE licence".
pub fn requirement_words(r: &Requirement) -> String {
    match r {
        Requirement::RequiresLicence => "a current PE or SE licence".into(),
        Requirement::RequiresEnrolment => "current enrolment in an engineering programme".into(),
        Requirement::RetirementDeclaration => "a declaration of retirement from paid engineering work".into(),
        Requirement::MinYearsLicensed(n) => format!("licensed for at least {n} years"),
        Requirement::MinAge(n) => format!("aged at least {n}"),
        Requirement::MinYearsOfMembership(n) => format!("at least {n} years of membership"),
        Requirement::CareerStage(stages) => format!("career stage: {stages}"),
    }
}

/// A tier as the staff list shows it.
pub struct TierListing {
    pub tier: TierRecord,
    pub usage: TierUsage,
    pub dues: String,
    /// The requirements in words, or "none".
    pub requirements: String,
}

fn tier_json(t: &TierRecord) -> serde_json::Value {
    json!({
        "code": t.code, "name": t.name, "annual_dues_cents": t.annual_dues_cents,
        "requires_approval": t.requires_approval, "requirements": t.requirements, "sort_order": t.sort_order,
        "never_expires": t.never_expires,
    })
}

impl App {
    /// Every tier with its usage, in the society's order.
    pub async fn staff_tiers(&self, actor: &Actor) -> AppResult<Vec<TierListing>> {
        actor.require(Permission::StaffArea)?;
        let usage = self.store.tier_usage().await?;
        let mut out = Vec::new();
        for tier in self.store.list_tiers().await? {
            let words: Vec<String> = domain_tier(&tier)?.requirements().iter().map(requirement_words).collect();
            out.push(TierListing {
                usage: usage.iter().find(|(id, _)| *id == tier.id).map(|(_, u)| *u).unwrap_or_default(),
                dues: format_money(tier.annual_dues_cents),
                requirements: if words.is_empty() { "none".into() } else { words.join("; ") },
                tier,
            });
        }
        Ok(out)
    }

    /// One tier and its usage, for its edit page.
    pub async fn staff_tier(&self, actor: &Actor, id: i64) -> AppResult<(TierRecord, TierUsage)> {
        actor.require(Permission::StaffArea)?;
        let tier = self.store.tier_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such tier.".into()))?;
        let usage = self.store.tier_usage().await?.into_iter().find(|(t, _)| *t == id).map(|(_, u)| u);
        Ok((tier, usage.unwrap_or_default()))
    }

    /// Creates a tier (`id` None) or changes one; returns its id. The code is fixed once
    /// created (member files and mappings refer to it).
    pub async fn save_tier(&self, actor: &Actor, id: Option<i64>, form: &TierForm, request_id: &str) -> AppResult<i64> {
        actor.require(Permission::StaffArea)?;
        let before = match id {
            Some(id) => {
                Some(self.store.tier_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such tier.".into()))?)
            }
            None => None,
        };
        let mut errors = FieldErrors::default();
        let code = match &before {
            Some(t) => TierCode::new(t.code.clone()).ok(),
            None => errors.check(
                "code",
                TierCode::new(form.code.trim())
                    .map_err(|_| "A code is 1 to 32 lowercase letters, digits, '-' or '_', for example \"senior\"."),
            ),
        };
        let name = errors.text(&form.name, "name", "a name", 100, true);
        let dues = match parse_money(&form.annual_dues) {
            Ok(c) if c > MAX_DUES_CENTS => {
                errors.add("annual_dues", "Annual dues can be at most $100,000.00.");
                None
            }
            Ok(c) => Some(c),
            Err(message) => {
                errors.add("annual_dues", message);
                None
            }
        };
        let sort_order = match form.sort_order.trim() {
            "" => Some(0),
            raw => match raw.parse::<i64>() {
                Ok(n) if (0..=9999).contains(&n) => Some(n),
                _ => {
                    errors.add("sort_order", "The order is a whole number from 0 to 9999 (lower comes first).");
                    None
                }
            },
        };
        let requirements = tier_requirements(form, &mut errors);
        errors.into_result()?;
        let (Some(code), Some(dues), Some(sort_order)) = (code, dues, sort_order) else {
            return Err(AppError::Internal("tier form checked without its values".into()));
        };
        let cents = Cents::new(dues).map_err(|e| AppError::invalid_field("annual_dues", e.to_string()))?;
        let tier = Tier::new(code, name, cents, form.requires_approval, requirements)
            .map_err(|e| AppError::invalid_field("name", e.to_string()))?;
        if before.is_none() && self.store.list_tiers().await?.iter().any(|t| t.code == tier.code().as_str()) {
            return Err(AppError::invalid_field(
                "code",
                format!("A tier with the code {} already exists.", tier.code()),
            ));
        }
        let record = NewTier {
            code: tier.code().to_string(),
            name: tier.name().to_string(),
            annual_dues_cents: tier.annual_dues().get(),
            requires_approval: tier.requires_approval(),
            requirements: serde_json::to_string(tier.requirements()).map_err(|e| AppError::Internal(e.to_string()))?,
            sort_order,
            never_expires: form.never_expires,
        };
        let mut audit =
            self.audit_entry(actor, if before.is_some() { "tier.changed" } else { "tier.created" }, "tier", request_id);
        audit.subject_label = format!("{} ({})", record.name, record.code);
        audit.before_json = before.as_ref().map(|t| tier_json(t).to_string());
        audit.after_json = Some(
            json!({
                "code": record.code, "name": record.name, "annual_dues_cents": record.annual_dues_cents,
                "requires_approval": record.requires_approval, "requirements": record.requirements,
                "sort_order": record.sort_order, "never_expires": record.never_expires,
            })
            .to_string(),
        );
        let saved = self.store.save_tier(id, &record, &audit, self.clock.unix()).await.map_err(|e| match e {
            StoreError::Conflict { .. } => {
                AppError::invalid_field("code", format!("A tier with the code {} already exists.", record.code))
            }
            other => other.into(),
        })?;
        // This node sees the change at once (others within the reference data's 15 seconds).
        self.refresh_reference().await?;
        Ok(saved)
    }

    /// Deletes a tier nobody has ever been in; a tier in use is refused, saying so.
    pub async fn delete_tier(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        let (tier, usage) = self.staff_tier(actor, id).await?;
        let in_use = || AppError::Conflict {
            message: format!(
                "The tier {} is in use ({} members, {} membership terms on record), so it cannot be deleted. \
                 Move its members to another tier first, or keep it.",
                tier.name, usage.members, usage.terms
            ),
            field: None,
        };
        if usage.in_use() {
            return Err(in_use());
        }
        let mut audit = self.audit_entry(actor, "tier.deleted", "tier", request_id);
        audit.subject_id = Some(tier.id);
        audit.subject_label = format!("{} ({})", tier.name, tier.code);
        audit.before_json = Some(tier_json(&tier).to_string());
        self.store.delete_tier(id, &audit).await.map_err(|e| match e {
            StoreError::Conflict { .. } => in_use(),
            other => other.into(),
        })?;
        self.refresh_reference().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> TierForm {
        TierForm { code: "x".into(), name: "X".into(), annual_dues: "1".into(), ..Default::default() }
    }

    #[test]
    fn tier_forms_become_requirements_and_back() {
        let stages = |s: &[CareerStage]| Requirement::CareerStage(CareerStages::new(s.iter().copied()).unwrap());
        // (form, requirements, fields refused)
        let cases: Vec<(TierForm, Vec<Requirement>, Vec<&str>)> = vec![
            (form(), vec![], vec![]),
            (TierForm { requires_licence: true, ..form() }, vec![Requirement::RequiresLicence], vec![]),
            (
                TierForm { requires_enrolment: true, career_stages: vec!["student".into()], ..form() },
                vec![Requirement::RequiresEnrolment, stages(&[CareerStage::Student])],
                vec![],
            ),
            (
                TierForm { min_years_licensed: "10".into(), min_age: " 65 ".into(), ..form() },
                vec![Requirement::MinYearsLicensed(10), Requirement::MinAge(65)],
                vec![],
            ),
            (
                TierForm { min_years_of_membership: "15".into(), ..form() },
                vec![Requirement::MinYearsOfMembership(15)],
                vec![],
            ),
            (
                TierForm { career_stages: vec!["eit".into(), "licensed".into()], ..form() },
                vec![stages(&[CareerStage::EngineerInTraining, CareerStage::Licensed])],
                vec![],
            ),
            (TierForm { min_years_licensed: "0".into(), ..form() }, vec![], vec!["min_years_licensed"]),
            (TierForm { min_age: "100".into(), ..form() }, vec![], vec!["min_age"]),
            (TierForm { min_years_of_membership: "ten".into(), ..form() }, vec![], vec!["min_years_of_membership"]),
            (TierForm { career_stages: vec!["astronaut".into()], ..form() }, vec![], vec!["career_stages"]),
            (TierForm { career_stages: vec![String::new()], ..form() }, vec![], vec!["career_stages"]),
        ];
        for (form, expected, refused) in cases {
            let mut errors = FieldErrors::default();
            let got = tier_requirements(&form, &mut errors);
            assert_eq!(got, expected, "{form:?}");
            let fields: Vec<String> = match errors.into_result() {
                Ok(()) => vec![],
                Err(AppError::Validation { fields, .. }) => fields.into_keys().collect(),
                Err(other) => panic!("{other:?}"),
            };
            assert_eq!(fields, refused, "{form:?}");
            if refused.is_empty() {
                // What a tier stores reads back into the same form.
                let record = TierRecord {
                    id: 1,
                    code: "x".into(),
                    name: "X".into(),
                    annual_dues_cents: 100,
                    requires_approval: false,
                    requirements: serde_json::to_string(&got).unwrap(),
                    sort_order: 0,
                    created_at: 0,
                    never_expires: false,
                };
                let again = TierForm::from_record(&record).unwrap();
                let mut errors = FieldErrors::default();
                assert_eq!(tier_requirements(&again, &mut errors), got);
                assert_eq!(again.annual_dues, "1.00");
            }
        }
    }

    #[test]
    fn requirements_read_as_words() {
        let cases = [
            (Requirement::RequiresLicence, "a current PE or SE licence"),
            (Requirement::MinYearsLicensed(10), "licensed for at least 10 years"),
            (Requirement::MinAge(65), "aged at least 65"),
            (Requirement::MinYearsOfMembership(15), "at least 15 years of membership"),
            (
                Requirement::CareerStage(CareerStages::new([CareerStage::Student, CareerStage::Retired]).unwrap()),
                "career stage: student or retired",
            ),
        ];
        for (r, words) in cases {
            assert_eq!(requirement_words(&r), words);
        }
    }
}
