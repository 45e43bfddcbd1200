//! Editing a member's profile: the member themself, staff, or an officer of the member's
//! chapter (only the fields staff allow officers to edit, a society setting; contact and
//! work details unless changed). Edits of someone else's data are audited.

use std::collections::BTreeMap;

use guildhall_domain::csv::members::{Discipline, parse_career_stage};
use guildhall_domain::identity::parse_display_name;
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

/// Profile fields staff may let chapter officers edit, as (field, label), in form order.
/// Directory visibility is never among them: it is the member's own choice.
pub const OFFICER_EDITABLE: [(&str, &str); 9] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("phone", "Phone"),
    ("employer", "Employer"),
    ("job_title", "Job title"),
    ("city", "City"),
    ("disciplines", "Disciplines"),
    ("career_stage", "Career stage"),
    ("education", "Education"),
];

/// The society setting (in `society_settings`) naming the fields officers may edit.
pub const OFFICER_FIELDS_KEY: &str = "officer_editable_fields";

/// The set of profile fields chapter officers may edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficerFields(u16);

impl OfficerFields {
    /// Contact and work details: what officers could always edit before it was a setting.
    pub const DEFAULT: OfficerFields = OfficerFields(0b0_0111_1100);

    fn bit(field: &str) -> Option<u16> {
        OFFICER_EDITABLE.iter().position(|(f, _)| *f == field).map(|i| 1 << i)
    }

    /// The set named by `fields`; an unknown name is refused with a sentence.
    pub fn from_names<S: AsRef<str>>(fields: &[S]) -> Result<OfficerFields, String> {
        let mut bits = 0;
        for field in fields {
            let field = field.as_ref().trim();
            if field.is_empty() {
                continue;
            }
            bits |=
                Self::bit(field).ok_or_else(|| format!("{field:?} is not a field officers can be allowed to edit."))?;
        }
        Ok(OfficerFields(bits))
    }

    /// The stored setting (comma-separated names); a missing or unreadable setting is the
    /// default, so a bad row never widens what officers may do beyond the default.
    pub fn from_setting(stored: Option<&str>) -> OfficerFields {
        match stored {
            None => Self::DEFAULT,
            Some(text) => Self::from_names(&text.split(',').collect::<Vec<_>>()).unwrap_or(Self::DEFAULT),
        }
    }

    /// How the set is stored.
    pub fn to_setting(self) -> String {
        self.names().join(",")
    }

    pub fn contains(self, field: &str) -> bool {
        Self::bit(field).is_some_and(|b| self.0 & b != 0)
    }

    /// The field names in form order.
    pub fn names(self) -> Vec<&'static str> {
        OFFICER_EDITABLE.iter().map(|(f, _)| *f).filter(|f| self.contains(f)).collect()
    }

    /// The field labels in form order, for sentences.
    pub fn labels(self) -> Vec<&'static str> {
        OFFICER_EDITABLE.iter().filter(|(f, _)| self.contains(f)).map(|(_, l)| *l).collect()
    }
}

/// How much of a profile an actor may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditScope {
    /// The member themself, or staff: everything on the form.
    Full,
    /// An officer of the member's chapter: the fields staff allow officers.
    Officer(OfficerFields),
}

impl EditScope {
    /// Whether this scope may change `field` (visibility only with the full scope).
    pub fn allows(self, field: &str) -> bool {
        match self {
            EditScope::Full => true,
            EditScope::Officer(fields) => fields.contains(field),
        }
    }
}

fn limited(value: &str, field: &str, label: &str, max: usize, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, format!("{label} can be at most {max} characters."));
    }
    if let Some(problem) = guildhall_domain::identity::unsafe_text(value) {
        errors.add(field, format!("{label} cannot contain {problem}."));
    }
    value.to_string()
}

impl App {
    /// The fields chapter officers may edit, as staff last set them.
    pub async fn officer_fields(&self) -> AppResult<OfficerFields> {
        let settings = self.store.society_settings().await?;
        Ok(OfficerFields::from_setting(settings.get(OFFICER_FIELDS_KEY).map(String::as_str)))
    }

    /// Staff change the fields chapter officers may edit (audited with before and after).
    pub async fn set_officer_fields(&self, actor: &Actor, fields: &[String], request_id: &str) -> AppResult<()> {
        actor.require(crate::Permission::StaffArea)?;
        let after = OfficerFields::from_names(fields).map_err(|m| AppError::invalid_field("fields", m))?;
        let before = self.officer_fields().await?;
        let mut audit = self.audit_entry(actor, "society.officer_fields_changed", "society", request_id);
        audit.subject_label = "Fields chapter officers may edit".into();
        audit.before_json = Some(json!({ "officer_editable_fields": before.names() }).to_string());
        audit.after_json = Some(json!({ "officer_editable_fields": after.names() }).to_string());
        Ok(self.store.save_society_settings(&[(OFFICER_FIELDS_KEY.into(), after.to_setting())], Some(&audit)).await?)
    }

    /// Who may edit this member's profile, and how much; refused if neither.
    pub async fn edit_scope(&self, actor: &Actor, member: &MemberRecord) -> AppResult<EditScope> {
        if member.user_id == Some(actor.user_id) || actor.is_staff() {
            return Ok(EditScope::Full);
        }
        if member.home_chapter_id.is_some_and(|c| actor.is_officer_of(c)) {
            return Ok(EditScope::Officer(self.officer_fields().await?));
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
        let scope = self.edit_scope(actor, &member).await?;
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
        // Every field the scope does not allow keeps its stored value, whatever was sent.
        let mut profile = before.clone();
        let may = |field: &str| scope.allows(field);
        if may("phone") {
            profile.phone = limited(&form.phone, "phone", "A phone number", 40, &mut errors);
        }
        if may("employer") {
            profile.employer = limited(&form.employer, "employer", "An employer", 200, &mut errors);
        }
        if may("job_title") {
            profile.job_title = limited(&form.job_title, "job_title", "A job title", 200, &mut errors);
        }
        if may("city") {
            profile.city = limited(&form.city, "city", "A city", 100, &mut errors);
        }
        if may("disciplines") {
            let mut disciplines = Vec::new();
            for d in &form.disciplines {
                match Discipline::parse(d.trim()) {
                    Some(d) if !disciplines.contains(&d.as_str()) => disciplines.push(d.as_str()),
                    Some(_) => {}
                    None => errors.add("disciplines", format!("{d:?} is not a discipline; choose from the list.")),
                }
            }
            profile.disciplines = disciplines.join(";");
        }
        if may("first_name") {
            profile.first_name = errors.check("first_name", parse_display_name(&form.first_name)).unwrap_or_default();
        }
        if may("last_name") {
            profile.last_name = errors.check("last_name", parse_display_name(&form.last_name)).unwrap_or_default();
        }
        if may("education") {
            profile.education = limited(&form.education, "education", "Education", 500, &mut errors);
        }
        if may("career_stage") {
            match parse_career_stage(form.career_stage.trim()) {
                Some(_) => profile.career_stage = form.career_stage.trim().to_string(),
                None => errors.add("career_stage", "Choose a career stage from the list."),
            }
        }
        if scope == EditScope::Full {
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
        self.store.update_member_profile(member.id, &profile, audit.as_ref(), self.clock.unix()).await?;
        self.forget_kept_pages();
        Ok(())
    }
}

/// What staff may change about a member's membership itself, as typed.
#[derive(Debug, Clone, Default)]
pub struct MembershipChange {
    pub tier_id: String,
    pub chapter_id: String,
    pub email: String,
}

impl App {
    /// Staff change a member's tier, home chapter and email address (audited, with the
    /// values before and after). The standing is recomputed from the term history at the
    /// next refresh; the new tier's dues apply from the next invoice.
    pub async fn change_membership(
        &self,
        actor: &Actor,
        member_id: i64,
        change: &MembershipChange,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(crate::Permission::StaffArea)?;
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let mut errors = FieldErrors::default();
        let tier = match change.tier_id.trim().parse::<i64>() {
            Ok(id) => self.tier_by_id(id).await?,
            Err(_) => None,
        };
        if tier.is_none() {
            errors.add("tier_id", "Choose a tier from the list.");
        }
        let chapter = match change.chapter_id.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(id) => match self.chapter_by_id(id).await? {
                    Some(c) => Some(c),
                    None => {
                        errors.add("chapter_id", "Choose a chapter from the list.");
                        None
                    }
                },
                Err(_) => {
                    errors.add("chapter_id", "Choose a chapter from the list.");
                    None
                }
            },
        };
        let email = errors.check("email", guildhall_domain::identity::Email::parse(&change.email));
        errors.into_result()?;
        let (Some(tier), Some(email)) = (tier, email) else {
            return Err(AppError::Internal("validated values missing".into()));
        };
        let chapter_name = |id: Option<i64>| async move {
            match id {
                Some(id) => self.chapter_by_id(id).await.map(|c| c.map(|c| c.name)),
                None => Ok(None),
            }
        };
        let before_tier = self.tier_by_id(member.tier_id).await?.map(|t| t.name);
        let before = json!({
            "tier": before_tier,
            "chapter": chapter_name(member.home_chapter_id).await?,
            "email": member.email,
        });
        let after = json!({
            "tier": tier.name,
            "chapter": chapter.as_ref().map(|c| c.name.clone()),
            "email": email.as_str(),
        });
        if before == after {
            return Ok(());
        }
        let mut audit = self.audit_entry(actor, "member.membership_changed", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
        audit.chapter_id = member.home_chapter_id;
        audit.before_json = Some(before.to_string());
        audit.after_json = Some(after.to_string());
        self.store
            .update_member_membership(
                member.id,
                (tier.id, chapter.map(|c| c.id), email.as_str()),
                &audit,
                self.clock.unix(),
            )
            .await
            .map_err(|e| match e {
                guildhall_store::StoreError::Conflict { .. } => {
                    AppError::invalid_field("email", "Another member already has this email address.")
                }
                other => other.into(),
            })?;
        self.forget_kept_pages();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officer_fields_are_stored_as_names_and_unknown_names_are_refused() {
        // (stored setting, fields officers may edit)
        let cases: [(Option<&str>, &[&str]); 5] = [
            (None, &["phone", "employer", "job_title", "city", "disciplines"]),
            (Some(""), &[]),
            (Some("city,first_name"), &["first_name", "city"]),
            (Some("education, career_stage ,last_name"), &["last_name", "career_stage", "education"]),
            (Some("phone,visibility"), &["phone", "employer", "job_title", "city", "disciplines"]),
        ];
        for (stored, expected) in cases {
            let fields = OfficerFields::from_setting(stored);
            assert_eq!(fields.names(), expected, "{stored:?}");
            assert_eq!(OfficerFields::from_setting(Some(&fields.to_setting())), fields, "round trip {stored:?}");
        }
        assert!(OfficerFields::from_names(&["visibility"]).unwrap_err().contains("not a field"));
        assert_eq!(OfficerFields::DEFAULT.labels(), ["Phone", "Employer", "Job title", "City", "Disciplines"]);
        let scope = EditScope::Officer(OfficerFields::from_names(&["phone"]).unwrap());
        assert!(scope.allows("phone") && !scope.allows("employer") && !scope.allows("visibility"));
        assert!(EditScope::Full.allows("visibility"));
    }
}
