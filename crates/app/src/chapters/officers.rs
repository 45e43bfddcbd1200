//! Chapter officers: staff appoint them and end their terms (audited).

use guildhall_store::{NewOfficerTerm, OfficerListing};
use serde_json::json;
use time::Date;
use time::macros::format_description;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

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

impl App {
    /// Every officer term, current and past; of one chapter when `chapter_id` is given.
    pub async fn officer_listing(&self, actor: &Actor, chapter_id: Option<i64>) -> AppResult<Vec<OfficerListing>> {
        actor.require(Permission::StaffArea)?;
        if let Some(chapter) = chapter_id
            && self.store.chapter_by_id(chapter).await?.is_none()
        {
            return Err(AppError::NotFound("No such chapter.".into()));
        }
        let mut terms = self.store.list_officer_terms().await?;
        terms.retain(|t| chapter_id.is_none_or(|c| c == t.chapter_id));
        Ok(terms)
    }

    /// The profile fields chapter officers may edit, as staff see and change them.
    pub async fn officer_fields_for_staff(
        &self,
        actor: &Actor,
    ) -> AppResult<crate::membership::profile::OfficerFields> {
        actor.require(Permission::StaffArea)?;
        self.officer_fields().await
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
        let title = errors.text(&form.title, "title", "a title", 100, true);
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
