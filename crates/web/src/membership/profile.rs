//! Profiles: a member editing their own, staff and officers editing someone else's.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use guildhall_app::{App, AppError};

use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

#[derive(Template)]
#[template(path = "membership/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    heading: String,
    action: String,
    full: bool,
    /// The fields this person may change (all of them with the full scope).
    scope: guildhall_app::membership::profile::EditScope,
    /// For an officer: the fields they may change, in words.
    officer_note: String,
    p: guildhall_app::records::MemberProfile,
    /// (name, label, value, max length)
    text_fields: Vec<(&'static str, &'static str, String, usize)>,
    disciplines: Vec<(&'static str, bool)>,
    stages: Vec<(&'static str, &'static str)>,
    visibility: Vec<(&'static str, &'static str, String)>,
    levels: Vec<(&'static str, &'static str)>,
}

fn profile_page(
    chrome: Chrome,
    p: guildhall_app::records::MemberProfile,
    own: bool,
    member_id: i64,
    scope: guildhall_app::membership::profile::EditScope,
    form: FormState,
    notice: String,
) -> ProfilePage {
    let full = scope == guildhall_app::membership::profile::EditScope::Full;
    let officer_note = match scope {
        guildhall_app::membership::profile::EditScope::Officer(fields) if fields.names().is_empty() => {
            "Staff have not allowed chapter officers to change members' profiles.".to_string()
        }
        guildhall_app::membership::profile::EditScope::Officer(fields) => format!(
            "As a chapter officer you can update this member's {}{} (the fields staff allow officers to edit); \
             the rest, and their privacy choices, are theirs and the society's to change.",
            if fields == guildhall_app::membership::profile::OfficerFields::DEFAULT {
                "contact and work details: "
            } else {
                ""
            },
            fields.labels().join(", ").to_lowercase()
        ),
        guildhall_app::membership::profile::EditScope::Full => String::new(),
    };
    use guildhall_app::membership::profile::{VISIBILITY_LEVELS, VISIBLE_FIELDS};
    let chosen: Vec<&str> = p.disciplines.split(';').collect();
    let levels: std::collections::BTreeMap<String, String> = serde_json::from_str(&p.visibility).unwrap_or_default();
    ProfilePage {
        chrome,
        form,
        notice,
        heading: if own { "Your profile".into() } else { format!("Edit {} {}", p.first_name, p.last_name) },
        action: if own { "/profile".into() } else { format!("/members/{member_id}/edit") },
        full,
        scope,
        officer_note,
        text_fields: vec![
            ("phone", "Phone", p.phone.clone(), 40),
            ("employer", "Employer", p.employer.clone(), 200),
            ("job_title", "Job title", p.job_title.clone(), 200),
            ("city", "City", p.city.clone(), 100),
        ]
        .into_iter()
        .filter(|f| scope.allows(f.0))
        .collect(),
        disciplines: guildhall_domain::csv::members::Discipline::ALL
            .iter()
            .map(|d| (d.as_str(), chosen.contains(&d.as_str())))
            .collect(),
        stages: vec![
            ("student", "Student"),
            ("eit", "Engineer in training / intern"),
            ("licensed", "Licensed engineer"),
            ("retired", "Retired"),
            ("other", "Other"),
        ],
        visibility: VISIBLE_FIELDS
            .iter()
            .map(|(f, label)| (*f, *label, levels.get(*f).cloned().unwrap_or_else(|| "members".into())))
            .collect(),
        levels: VISIBILITY_LEVELS.to_vec(),
        p,
    }
}

fn profile_form(pairs: Vec<(String, String)>) -> guildhall_app::membership::profile::ProfileForm {
    let mut form = guildhall_app::membership::profile::ProfileForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "first_name" => form.first_name = value,
            "last_name" => form.last_name = value,
            "phone" => form.phone = value,
            "employer" => form.employer = value,
            "job_title" => form.job_title = value,
            "career_stage" => form.career_stage = value,
            "education" => form.education = value,
            "city" => form.city = value,
            "disciplines" => form.disciplines.push(value),
            other => {
                if let Some(field) = other.strip_prefix("visibility_") {
                    form.visibility.insert(field.to_string(), value);
                }
            }
        }
    }
    form
}

pub async fn own_profile(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let member = app.own_member(&actor).await?;
    let chrome = Chrome::new(&app, &identity, "Your profile", "profile").await;
    render(&profile_page(
        chrome,
        guildhall_app::records::MemberProfile::from(&member),
        true,
        member.id,
        guildhall_app::membership::profile::EditScope::Full,
        FormState::default(),
        String::new(),
    ))
}

pub async fn member_edit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let (member, scope) = app.member_for_edit(&actor, id).await?;
    let chrome = Chrome::new(&app, &identity, "Edit profile", if actor.is_staff() { "staff" } else { "chapter" }).await;
    render(&profile_page(
        chrome,
        guildhall_app::records::MemberProfile::from(&member),
        false,
        member.id,
        scope,
        FormState::default(),
        String::new(),
    ))
}

async fn save_profile(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    member_id: i64,
    own: bool,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let form = profile_form(pairs);
    let result = app.update_profile(actor, member_id, &form, &identity.request_id).await;
    let (member, scope) = app.member_for_edit(actor, member_id).await?;
    let chrome = Chrome::new(app, identity, "Profile", if own { "dashboard" } else { "staff" }).await;
    match result {
        Ok(()) => render(&profile_page(
            chrome,
            guildhall_app::records::MemberProfile::from(&member),
            own,
            member_id,
            scope,
            FormState::default(),
            "Your changes were saved.".into(),
        )),
        Err(err @ AppError::Validation { .. }) => {
            let mut shown = guildhall_app::records::MemberProfile::from(&member);
            shown.first_name = form.first_name.clone();
            shown.last_name = form.last_name.clone();
            shown.phone = form.phone.clone();
            shown.employer = form.employer.clone();
            shown.job_title = form.job_title.clone();
            shown.city = form.city.clone();
            rerender(
                &profile_page(chrome, shown, own, member_id, scope, FormState::from_error(&err), String::new()),
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn save_own_profile(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let member = app.own_member(&actor).await?;
    save_profile(&app, &actor, &identity, member.id, true, pairs).await
}

pub async fn save_member_edit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save_profile(&app, &actor, &identity, id, false, pairs).await
}

// ---------------------------------------------------------------- staff: tier, chapter, email

#[derive(Template)]
#[template(path = "membership/membership_change.html")]
struct MembershipChangePage {
    chrome: Chrome,
    form: FormState,
    member_id: i64,
    name: String,
    tier_id: String,
    chapter_id: String,
    email: String,
    tiers: Vec<(String, String)>,
    chapters: Vec<(String, String)>,
}

#[derive(serde::Deserialize, Default)]
pub struct MembershipChangeForm {
    #[serde(default)]
    tier_id: String,
    #[serde(default)]
    chapter_id: String,
    #[serde(default)]
    email: String,
}

async fn membership_change_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    member_id: i64,
    values: Option<MembershipChangeForm>,
    form: FormState,
) -> Result<MembershipChangePage, crate::error::HtmlError> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    let detail = app.member_detail(actor, member_id).await?;
    let m = &detail.member;
    let values = values.unwrap_or_else(|| MembershipChangeForm {
        tier_id: m.tier_id.to_string(),
        chapter_id: m.home_chapter_id.map(|c| c.to_string()).unwrap_or_default(),
        email: m.email.clone(),
    });
    Ok(MembershipChangePage {
        chrome: Chrome::new(app, identity, "Change tier, chapter or email", "staff").await.in_subsection("members"),
        form,
        member_id,
        name: format!("{} {} ({})", m.first_name, m.last_name, m.member_number),
        tier_id: values.tier_id,
        chapter_id: values.chapter_id,
        email: values.email,
        tiers: app.tiers().await?.into_iter().map(|t| (t.id.to_string(), t.name)).collect(),
        chapters: app.chapters(actor).await?.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
    })
}

pub async fn membership_change_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&membership_change_page(&app, &actor, &identity, id, None, FormState::default()).await?)
}

pub async fn save_membership_change(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MembershipChangeForm>,
) -> PageResult {
    let change = guildhall_app::membership::profile::MembershipChange {
        tier_id: f.tier_id.clone(),
        chapter_id: f.chapter_id.clone(),
        email: f.email.clone(),
    };
    match app.change_membership(&actor, id, &change, &identity.request_id).await {
        Ok(()) => done(&format!("/members/{id}"), "membership_changed"),
        Err(err @ AppError::Validation { .. }) => {
            let page =
                membership_change_page(&app, &actor, &identity, id, Some(f), FormState::from_error(&err)).await?;
            rerender(&page, &err)
        }
        Err(err) => Err(err.into()),
    }
}
