//! What staff manage that the demo only seeds: membership tiers (dues, eligibility,
//! approval, order), affinity groups and who is in them, and chapter officers with their
//! titles and terms. Staff only; every change is audited with the record before and after.

use guildhall_domain::member_csv::{career_stage_code, parse_career_stage};
use guildhall_domain::membership::{CareerStage, CareerStages, Cents, Requirement, Tier, TierCode};
use guildhall_store::{GroupRecord, NewOfficerTerm, NewTier, OfficerListing, StoreError, TierRecord, TierUsage};
use serde_json::json;
use time::Date;
use time::macros::format_description;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::joining::domain_tier;
use crate::membership::format_money;
use crate::payments::parse_money;
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
    pub sort_order: String,
    pub requires_licence: bool,
    pub requires_enrolment: bool,
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
            sort_order: t.sort_order.to_string(),
            ..Default::default()
        };
        for r in tier.requirements() {
            match r {
                Requirement::RequiresLicence => form.requires_licence = true,
                Requirement::RequiresEnrolment => form.requires_enrolment = true,
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

/// What the group form sends.
#[derive(Debug, Clone, Default)]
pub struct GroupForm {
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// What the appointment form sends.
#[derive(Debug, Clone, Default)]
pub struct OfficerForm {
    pub email: String,
    pub chapter_id: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
}

fn parse_day(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, format!("{raw:?} is not a date; write it as YYYY-MM-DD."));
            None
        }
    }
}

fn text(value: &str, field: &str, label: &str, max: usize, required: bool, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, format!("Enter {label}."));
    } else if value.chars().count() > max {
        errors.add(field, format!("{} can be at most {max} characters.", capitalise(label)));
    } else if value.chars().any(char::is_control) {
        errors.add(field, format!("{} cannot contain control characters.", capitalise(label)));
    }
    value.to_string()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn tier_json(t: &TierRecord) -> serde_json::Value {
    json!({
        "code": t.code, "name": t.name, "annual_dues_cents": t.annual_dues_cents,
        "requires_approval": t.requires_approval, "requirements": t.requirements, "sort_order": t.sort_order,
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
        let name = text(&form.name, "name", "a name", 100, true, &mut errors);
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
        };
        let mut audit =
            self.audit_entry(actor, if before.is_some() { "tier.changed" } else { "tier.created" }, "tier", request_id);
        audit.subject_label = format!("{} ({})", record.name, record.code);
        audit.before_json = before.as_ref().map(|t| tier_json(t).to_string());
        audit.after_json = Some(
            json!({
                "code": record.code, "name": record.name, "annual_dues_cents": record.annual_dues_cents,
                "requires_approval": record.requires_approval, "requirements": record.requirements,
                "sort_order": record.sort_order,
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

    /// Every affinity group with how many members it has.
    pub async fn staff_groups(&self, actor: &Actor) -> AppResult<Vec<(GroupRecord, i64)>> {
        actor.require(Permission::StaffArea)?;
        let counts = self.store.group_member_counts().await?;
        Ok(self
            .store
            .list_groups()
            .await?
            .into_iter()
            .map(|g| {
                let n = counts.iter().find(|(id, _)| *id == g.id).map_or(0, |(_, n)| *n);
                (g, n)
            })
            .collect())
    }

    pub async fn staff_group(&self, actor: &Actor, id: i64) -> AppResult<GroupRecord> {
        actor.require(Permission::StaffArea)?;
        self.store.group_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such group.".into()))
    }

    /// Creates a group (`id` None) or changes one; returns its id.
    pub async fn save_group(
        &self,
        actor: &Actor,
        id: Option<i64>,
        form: &GroupForm,
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(Permission::StaffArea)?;
        let before = match id {
            Some(id) => Some(self.staff_group(actor, id).await?),
            None => None,
        };
        let mut errors = FieldErrors::default();
        let slug = form.slug.trim().to_string();
        let valid_slug = (1..=60).contains(&slug.len())
            && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-');
        if !valid_slug {
            errors.add(
                "slug",
                "A short name is 1 to 60 lowercase letters, digits and '-', for example \"young-professionals\".",
            );
        }
        let name = text(&form.name, "name", "a name", 100, true, &mut errors);
        let description = text(&form.description, "description", "the description", 500, false, &mut errors);
        errors.into_result()?;
        let taken = || AppError::invalid_field("slug", format!("Another group already has the short name {slug}."));
        if self.store.list_groups().await?.iter().any(|g| g.slug == slug && Some(g.id) != id) {
            return Err(taken());
        }
        let mut audit =
            self.audit_entry(actor, if id.is_some() { "group.changed" } else { "group.created" }, "group", request_id);
        audit.subject_label = name.clone();
        audit.before_json = before
            .as_ref()
            .map(|g| json!({ "slug": g.slug, "name": g.name, "description": g.description }).to_string());
        audit.after_json = Some(json!({ "slug": slug, "name": name, "description": description }).to_string());
        self.store.save_group(id, (&slug, &name, &description), &audit, self.clock.unix()).await.map_err(|e| match e {
            StoreError::Conflict { .. } => taken(),
            other => other.into(),
        })
    }

    /// Adds a member to an affinity group (nothing changes if they are in it already).
    pub async fn add_member_to_group(
        &self,
        actor: &Actor,
        member_id: i64,
        group_id: &str,
        request_id: &str,
    ) -> AppResult<bool> {
        self.change_member_group(actor, member_id, group_id, true, request_id).await
    }

    /// Removes a member from an affinity group (nothing changes if they are not in it).
    pub async fn remove_member_from_group(
        &self,
        actor: &Actor,
        member_id: i64,
        group_id: &str,
        request_id: &str,
    ) -> AppResult<bool> {
        self.change_member_group(actor, member_id, group_id, false, request_id).await
    }

    async fn change_member_group(
        &self,
        actor: &Actor,
        member_id: i64,
        group_id: &str,
        add: bool,
        request_id: &str,
    ) -> AppResult<bool> {
        actor.require(Permission::StaffArea)?;
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let group = match group_id.trim().parse::<i64>() {
            Ok(id) => self.store.group_by_id(id).await?,
            Err(_) => None,
        }
        .ok_or_else(|| AppError::invalid_field("group_id", "Choose a group from the list."))?;
        let groups: Vec<String> = self.store.member_groups(member.id).await?.into_iter().map(|g| g.slug).collect();
        let mut after = groups.clone();
        if add {
            after.push(group.slug.clone());
            after.sort();
            after.dedup();
        } else {
            after.retain(|s| *s != group.slug);
        }
        let mut audit = self.audit_entry(
            actor,
            if add { "member.group_added" } else { "member.group_removed" },
            "member",
            request_id,
        );
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
        audit.chapter_id = member.home_chapter_id;
        audit.before_json = Some(json!({ "groups": groups }).to_string());
        audit.after_json = Some(json!({ "groups": after }).to_string());
        if add {
            Ok(self.store.add_member_group(member.id, group.id, self.clock.today(), &audit).await?)
        } else {
            Ok(self.store.remove_member_group(member.id, group.id, &audit).await?)
        }
    }

    /// Every officer term, current and past.
    pub async fn officer_listing(&self, actor: &Actor) -> AppResult<Vec<OfficerListing>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.list_officer_terms().await?)
    }

    /// Appoints an account as an officer of a chapter with a title, a first day and an
    /// optional last day. The same person cannot hold the same title in a chapter twice
    /// over the same days.
    pub async fn appoint_officer(&self, actor: &Actor, form: &OfficerForm, request_id: &str) -> AppResult<i64> {
        actor.require(Permission::StaffArea)?;
        let mut errors = FieldErrors::default();
        let email = form.email.trim().to_lowercase();
        let user = if email.is_empty() {
            errors.add("email", "Enter the email address of the officer's account.");
            None
        } else {
            let user = self.store.user_by_email(&email).await?;
            if user.is_none() {
                errors.add("email", format!("No account has the address {email}; they must sign up first."));
            }
            user
        };
        let chapter = match form.chapter_id.trim().parse::<i64>() {
            Ok(id) => self.store.chapter_by_id(id).await?,
            Err(_) => None,
        };
        if chapter.is_none() {
            errors.add("chapter_id", "Choose a chapter from the list.");
        }
        let title = text(&form.title, "title", "a title", 100, true, &mut errors);
        let starts_on = parse_day(&form.starts_on, "starts_on", &mut errors);
        if form.starts_on.trim().is_empty() {
            errors.add("starts_on", "Enter the first day of the term (YYYY-MM-DD).");
        }
        let ends_on = parse_day(&form.ends_on, "ends_on", &mut errors);
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errors.add("ends_on", "The last day cannot be before the first day.");
        }
        errors.into_result()?;
        let (Some(user), Some(chapter), Some(starts_on)) = (user, chapter, starts_on) else {
            return Err(AppError::Internal("officer form checked without its values".into()));
        };
        let overlaps = self.store.list_officer_terms().await?.into_iter().any(|t| {
            t.user_id == user.id
                && t.chapter_id == chapter.id
                && t.title.eq_ignore_ascii_case(&title)
                && t.starts_on <= ends_on.unwrap_or(Date::MAX)
                && t.ends_on.is_none_or(|e| e >= starts_on)
        });
        if overlaps {
            return Err(AppError::invalid_field(
                "title",
                format!("{} already holds the office {title} in {} over those days.", user.display_name, chapter.name),
            ));
        }
        let term = NewOfficerTerm { user_id: user.id, chapter_id: chapter.id, title, starts_on, ends_on };
        let mut audit = self.audit_entry(actor, "officer.appointed", "officer_term", request_id);
        audit.subject_label = format!("{} <{}>, {} of {}", user.display_name, user.email, term.title, chapter.name);
        audit.chapter_id = Some(chapter.id);
        audit.after_json = Some(
            json!({ "user_id": user.id, "chapter_id": chapter.id, "title": term.title,
                    "starts_on": starts_on.to_string(), "ends_on": ends_on.map(|d| d.to_string()) })
            .to_string(),
        );
        Ok(self.store.appoint_officer(&term, &audit, self.clock.unix()).await?)
    }

    /// Ends an officer term on the day given (empty: today). The last day may not be
    /// before the first.
    pub async fn end_officer_term(&self, actor: &Actor, id: i64, ends_on: &str, request_id: &str) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let term = self
            .store
            .officer_term_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such officer term.".into()))?;
        let mut errors = FieldErrors::default();
        let day = parse_day(ends_on, "ends_on", &mut errors);
        errors.into_result()?;
        let day = day.unwrap_or_else(|| self.clock.today());
        if day < term.starts_on {
            return Err(AppError::invalid_field(
                "ends_on",
                format!("The last day cannot be before the term's first day, {}.", term.starts_on),
            ));
        }
        let user = self.store.user_by_id(term.user_id).await?;
        let chapter = self.store.chapter_by_id(term.chapter_id).await?;
        let mut audit = self.audit_entry(actor, "officer.term_ended", "officer_term", request_id);
        audit.subject_id = Some(term.id);
        audit.subject_label = format!(
            "{}, {} of {}",
            user.map(|u| format!("{} <{}>", u.display_name, u.email)).unwrap_or_default(),
            term.title,
            chapter.map(|c| c.name).unwrap_or_default()
        );
        audit.chapter_id = Some(term.chapter_id);
        audit.before_json = Some(json!({ "ends_on": term.ends_on.map(|d| d.to_string()) }).to_string());
        audit.after_json = Some(json!({ "ends_on": day.to_string() }).to_string());
        Ok(self.store.set_officer_term_end(id, day, &audit).await?)
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
