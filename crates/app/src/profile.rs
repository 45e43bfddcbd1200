//! Editing a member's profile: the member themself, staff, or an officer of the member's
//! chapter (contact and work details only). Edits of someone else's data are audited.

use std::collections::BTreeMap;

use guildhall_domain::identity::parse_display_name;
use guildhall_domain::member_csv::{Discipline, parse_career_stage};
use guildhall_store::{MemberProfile, MemberRecord};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App};

/// Fields whose directory visibility a member chooses.
pub const VISIBLE_FIELDS: [(&str, &str); 5] = [
    ("employer", "Employer"),
    ("job_title", "Job title"),
    ("city", "City"),
    ("disciplines", "Disciplines"),
    ("phone", "Phone"),
];
pub const VISIBILITY_LEVELS: [(&str, &str); 3] =
    [("public", "Everyone"), ("members", "Members only"), ("private", "Only me and the society")];

/// What the profile form sends.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub employer: String,
    pub job_title: String,
    pub career_stage: String,
    pub disciplines: Vec<String>,
    pub education: String,
    pub city: String,
    /// field → public | members | private
    pub visibility: BTreeMap<String, String>,
}

/// How much of a profile an actor may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditScope {
    /// The member themself, or staff: everything on the form.
    Full,
    /// An officer of the member's chapter: contact and work details only.
    ContactAndWork,
}

fn limited(value: &str, field: &str, label: &str, max: usize, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, format!("{label} can be at most {max} characters."));
    }
    if value.chars().any(char::is_control) {
        errors.add(field, format!("{label} cannot contain control characters."));
    }
    value.to_string()
}

impl App {
    /// Who may edit this member's profile, and how much; refused if neither.
    pub fn edit_scope(&self, actor: &Actor, member: &MemberRecord) -> AppResult<EditScope> {
        if member.user_id == Some(actor.user_id) || actor.is_staff() {
            return Ok(EditScope::Full);
        }
        if member.home_chapter_id.is_some_and(|c| actor.is_officer_of(c)) {
            return Ok(EditScope::ContactAndWork);
        }
        Err(AppError::Forbidden(
            "You can edit only your own profile, or those of your chapter's members if you hold office.".into(),
        ))
    }

    /// The member record of the signed-in person.
    pub async fn own_member(&self, actor: &Actor) -> AppResult<MemberRecord> {
        self.store
            .member_by_user(actor.user_id)
            .await?
            .ok_or_else(|| AppError::NotFound("You have no membership record.".into()))
    }

    pub async fn member_for_edit(&self, actor: &Actor, member_id: i64) -> AppResult<(MemberRecord, EditScope)> {
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let scope = self.edit_scope(actor, &member)?;
        Ok((member, scope))
    }

    /// Validates and saves a profile edit.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        member_id: i64,
        form: &ProfileForm,
        request_id: &str,
    ) -> AppResult<()> {
        let (member, scope) = self.member_for_edit(actor, member_id).await?;
        let mut errors = FieldErrors::default();
        let before = MemberProfile::from(&member);
        let mut profile = MemberProfile {
            phone: limited(&form.phone, "phone", "A phone number", 40, &mut errors),
            employer: limited(&form.employer, "employer", "An employer", 200, &mut errors),
            job_title: limited(&form.job_title, "job_title", "A job title", 200, &mut errors),
            city: limited(&form.city, "city", "A city", 100, &mut errors),
            ..before.clone()
        };
        let mut disciplines = Vec::new();
        for d in &form.disciplines {
            match Discipline::parse(d.trim()) {
                Some(d) if !disciplines.contains(&d.as_str()) => disciplines.push(d.as_str()),
                Some(_) => {}
                None => errors.add("disciplines", format!("{d:?} is not a discipline; choose from the list.")),
            }
        }
        profile.disciplines = disciplines.join(";");
        if scope == EditScope::Full {
            profile.first_name = errors.check("first_name", parse_display_name(&form.first_name)).unwrap_or_default();
            profile.last_name = errors.check("last_name", parse_display_name(&form.last_name)).unwrap_or_default();
            profile.education = limited(&form.education, "education", "Education", 500, &mut errors);
            match parse_career_stage(form.career_stage.trim()) {
                Some(_) => profile.career_stage = form.career_stage.trim().to_string(),
                None => errors.add("career_stage", "Choose a career stage from the list."),
            }
            let mut visibility = BTreeMap::new();
            for (field, level) in &form.visibility {
                if !VISIBLE_FIELDS.iter().any(|(f, _)| f == field) {
                    errors.add("visibility", format!("{field:?} has no visibility setting."));
                } else if !VISIBILITY_LEVELS.iter().any(|(l, _)| l == level) {
                    errors.add("visibility", "Choose who can see each field from the list.");
                } else if level != "members" {
                    visibility.insert(field.clone(), level.clone());
                }
            }
            profile.visibility = json!(visibility).to_string();
        }
        errors.into_result()?;
        if before == profile {
            return Ok(());
        }
        let audit = (member.user_id != Some(actor.user_id)).then(|| {
            let mut audit = self.audit_entry(actor, "member.profile_changed", "member", request_id);
            audit.subject_id = Some(member.id);
            audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
            audit.chapter_id = member.home_chapter_id;
            audit.before_json = serde_json::to_string(&before).ok();
            audit.after_json = serde_json::to_string(&profile).ok();
            audit
        });
        Ok(self.store.update_member_profile(member.id, &profile, audit.as_ref(), self.clock.unix()).await?)
    }
}
