//! Staff management pages: tiers, affinity groups (and a member's groups), chapter
//! officers. Handlers read the form, call one use case, and either send the browser on
//! (303, with a notice named in the query) or show the form again with its messages.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::manage::{CAREER_STAGES, GroupForm, OfficerForm, TierForm, TierListing};
use guildhall_app::records::GroupRecord;
use guildhall_app::{Actor, App, AppError};
use serde::Deserialize;

use crate::error::HtmlError;
use crate::pages::{Chrome, FormState, PageResult, render, rerender};
use crate::session::{CsrfForm, Identity, SignedIn};

/// `?done=…` after a change: a fixed sentence, never text from the address.
#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

impl DoneQuery {
    pub fn done(&self) -> &str {
        &self.done
    }
}

pub fn notice_for(done: &str) -> String {
    match done {
        "tier_created" => "The tier was added.",
        "tier_saved" => "The tier was saved.",
        "tier_deleted" => "The tier was deleted.",
        "group_created" => "The group was added.",
        "group_saved" => "The group was saved.",
        "group_added" => "The member was added to the group.",
        "group_removed" => "The member was removed from the group.",
        "appointed" => "The officer was appointed.",
        "term_ended" => "The officer's term was ended.",
        "officer_fields" => "The fields officers may edit were saved.",
        "linked" => "The member was linked: their standing now follows the payer's.",
        "unlinked" => "The link was ended: the member's own standing applies again.",
        "organisation" => "The organisational membership was saved.",
        _ => "",
    }
    .to_string()
}

fn done(path: &str, what: &str) -> PageResult {
    let sep = if path.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{path}{sep}done={what}")).into_response())
}

// ---------------------------------------------------------------- tiers

/// The tier form's fields as pairs, so that ticked career stages can repeat.
fn tier_form(pairs: Vec<(String, String)>) -> TierForm {
    let mut f = TierForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "code" => f.code = value,
            "name" => f.name = value,
            "annual_dues" => f.annual_dues = value,
            "sort_order" => f.sort_order = value,
            "requires_approval" => f.requires_approval = !value.is_empty(),
            "requires_licence" => f.requires_licence = !value.is_empty(),
            "requires_enrolment" => f.requires_enrolment = !value.is_empty(),
            "min_years_licensed" => f.min_years_licensed = value,
            "min_age" => f.min_age = value,
            "min_years_of_membership" => f.min_years_of_membership = value,
            "career_stages" => f.career_stages.push(value),
            _ => {}
        }
    }
    f
}

fn year_fields(f: &TierForm) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("min_years_licensed", "At least this many years licensed", f.min_years_licensed.clone()),
        ("min_age", "At least this age", f.min_age.clone()),
        ("min_years_of_membership", "At least this many years of membership", f.min_years_of_membership.clone()),
    ]
}

fn stage_choices(f: &TierForm) -> Vec<(&'static str, &'static str, bool)> {
    CAREER_STAGES.iter().map(|(code, label)| (*code, *label, f.career_stages.iter().any(|s| s == code))).collect()
}

#[derive(Template)]
#[template(path = "tiers.html")]
struct TiersPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    rows: Vec<TierListing>,
    f: TierForm,
    editing: bool,
    years: Vec<(&'static str, &'static str, String)>,
    stages: Vec<(&'static str, &'static str, bool)>,
}

async fn tiers_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    f: TierForm,
    form: FormState,
    notice: String,
) -> Result<TiersPage, HtmlError> {
    let rows = app.staff_tiers(actor).await?;
    Ok(TiersPage {
        chrome: Chrome::new(app, identity, "Membership tiers", "staff").await.in_subsection("tiers"),
        form,
        notice,
        rows,
        years: year_fields(&f),
        stages: stage_choices(&f),
        f,
        editing: false,
    })
}

pub async fn tiers(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let f = TierForm { annual_dues: "0.00".into(), sort_order: "0".into(), ..Default::default() };
    render(&tiers_page(&app, &actor, &identity, f, FormState::default(), notice_for(&q.done)).await?)
}

pub async fn create_tier(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let f = tier_form(pairs);
    match app.save_tier(&actor, None, &f, &identity.request_id).await {
        Ok(_) => done("/staff/tiers", "tier_created"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&tiers_page(&app, &actor, &identity, f, FormState::from_error(&err), String::new()).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "tier.html")]
struct TierPage {
    chrome: Chrome,
    form: FormState,
    id: i64,
    heading: String,
    usage_note: String,
    in_use: bool,
    f: TierForm,
    editing: bool,
    years: Vec<(&'static str, &'static str, String)>,
    stages: Vec<(&'static str, &'static str, bool)>,
}

async fn tier_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    f: Option<TierForm>,
    form: FormState,
) -> Result<TierPage, HtmlError> {
    let (tier, usage) = app.staff_tier(actor, id).await?;
    let mut f = match f {
        Some(f) => f,
        None => TierForm::from_record(&tier)?,
    };
    f.code = tier.code.clone();
    Ok(TierPage {
        chrome: Chrome::new(app, identity, &tier.name, "staff").await.in_subsection("tiers"),
        form,
        id,
        usage_note: format!(
            "{} members are in this tier now; {} membership terms on record were in it.",
            usage.members, usage.terms
        ),
        in_use: usage.in_use(),
        heading: tier.name,
        years: year_fields(&f),
        stages: stage_choices(&f),
        f,
        editing: true,
    })
}

pub async fn tier(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn, Path(id): Path<i64>) -> PageResult {
    render(&tier_page(&app, &actor, &identity, id, None, FormState::default()).await?)
}

pub async fn save_tier(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let f = tier_form(pairs);
    match app.save_tier(&actor, Some(id), &f, &identity.request_id).await {
        Ok(_) => done("/staff/tiers", "tier_saved"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&tier_page(&app, &actor, &identity, id, Some(f), FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn delete_tier(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    match app.delete_tier(&actor, id, &identity.request_id).await {
        Ok(()) => done("/staff/tiers", "tier_deleted"),
        Err(err @ AppError::Conflict { .. }) => {
            rerender(&tier_page(&app, &actor, &identity, id, None, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------- groups

#[derive(Deserialize, Default)]
pub struct GroupFields {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

impl GroupFields {
    fn form(&self) -> GroupForm {
        GroupForm { slug: self.slug.clone(), name: self.name.clone(), description: self.description.clone() }
    }
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    rows: Vec<(GroupRecord, i64)>,
    f: GroupFields,
}

async fn groups_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    f: GroupFields,
    form: FormState,
    notice: String,
) -> Result<GroupsPage, HtmlError> {
    Ok(GroupsPage {
        rows: app.staff_groups(actor).await?,
        chrome: Chrome::new(app, identity, "Affinity groups", "staff").await.in_subsection("groups"),
        form,
        notice,
        f,
    })
}

pub async fn groups(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let page =
        groups_page(&app, &actor, &identity, GroupFields::default(), FormState::default(), notice_for(&q.done)).await?;
    render(&page)
}

pub async fn create_group(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<GroupFields>,
) -> PageResult {
    match app.save_group(&actor, None, &f.form(), &identity.request_id).await {
        Ok(_) => done("/staff/groups", "group_created"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&groups_page(&app, &actor, &identity, f, FormState::from_error(&err), String::new()).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    chrome: Chrome,
    form: FormState,
    id: i64,
    heading: String,
    f: GroupFields,
}

async fn group_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    f: Option<GroupFields>,
    form: FormState,
) -> Result<GroupPage, HtmlError> {
    let g = app.staff_group(actor, id).await?;
    let f = f.unwrap_or(GroupFields { slug: g.slug.clone(), name: g.name.clone(), description: g.description.clone() });
    Ok(GroupPage {
        chrome: Chrome::new(app, identity, &g.name, "staff").await.in_subsection("groups"),
        form,
        id,
        heading: g.name,
        f,
    })
}

pub async fn group(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    render(&group_page(&app, &actor, &identity, id, None, FormState::default()).await?)
}

pub async fn save_group(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<GroupFields>,
) -> PageResult {
    match app.save_group(&actor, Some(id), &f.form(), &identity.request_id).await {
        Ok(_) => done("/staff/groups", "group_saved"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&group_page(&app, &actor, &identity, id, Some(f), FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct MemberGroupForm {
    #[serde(default)]
    group_id: String,
}

pub async fn add_member_group(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(member): Path<i64>,
    CsrfForm(f): CsrfForm<MemberGroupForm>,
) -> PageResult {
    app.add_member_to_group(&actor, member, &f.group_id, &identity.request_id).await?;
    done(&format!("/members/{member}"), "group_added")
}

pub async fn remove_member_group(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member, group)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.remove_member_from_group(&actor, member, &group.to_string(), &identity.request_id).await?;
    done(&format!("/members/{member}"), "group_removed")
}

// ---------------------------------------------------------------- officers

pub struct OfficerRow {
    id: i64,
    chapter: String,
    name: String,
    email: String,
    title: String,
    starts: String,
    ends: String,
    status: &'static str,
    can_end: bool,
}

#[derive(Deserialize, Default)]
pub struct OfficerFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    chapter_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

#[derive(Template)]
#[template(path = "officers.html")]
struct OfficersPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    rows: Vec<OfficerRow>,
    chapters: Vec<(String, String)>,
    today: String,
    f: OfficerFields,
}

async fn officers_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    f: OfficerFields,
    form: FormState,
    notice: String,
) -> Result<OfficersPage, HtmlError> {
    let today = app.clock.today();
    let rows = app
        .officer_listing(actor)
        .await?
        .into_iter()
        .map(|o| {
            let (status, can_end) = if o.starts_on > today {
                ("Starts later", true)
            } else if o.ends_on.is_some_and(|e| e < today) {
                ("Ended", false)
            } else {
                ("Holds office", true)
            };
            OfficerRow {
                id: o.id,
                chapter: o.chapter_name,
                name: o.display_name,
                email: o.email,
                title: o.title,
                starts: o.starts_on.to_string(),
                ends: o.ends_on.map(|d| d.to_string()).unwrap_or_else(|| "no fixed end".into()),
                status,
                can_end,
            }
        })
        .collect();
    let chapters = app.chapters(actor).await?.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    Ok(OfficersPage {
        chrome: Chrome::new(app, identity, "Chapter officers", "staff").await.in_subsection("officers"),
        form,
        notice,
        rows,
        chapters,
        today: today.to_string(),
        f,
    })
}

pub async fn officers(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let f = OfficerFields { starts_on: app.clock.today().to_string(), ..Default::default() };
    render(&officers_page(&app, &actor, &identity, f, FormState::default(), notice_for(&q.done)).await?)
}

pub async fn appoint_officer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<OfficerFields>,
) -> PageResult {
    let form = OfficerForm {
        email: f.email.clone(),
        chapter_id: f.chapter_id.clone(),
        title: f.title.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
    };
    match app.appoint_officer(&actor, &form, &identity.request_id).await {
        Ok(_) => done("/staff/officers", "appointed"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &officers_page(&app, &actor, &identity, f, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct EndTermForm {
    #[serde(default)]
    ends_on: String,
}

pub async fn end_officer_term(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EndTermForm>,
) -> PageResult {
    match app.end_officer_term(&actor, id, &f.ends_on, &identity.request_id).await {
        Ok(()) => done("/staff/officers", "term_ended"),
        Err(err @ AppError::Validation { .. }) => {
            let fields = OfficerFields { starts_on: app.clock.today().to_string(), ..Default::default() };
            // The message goes at the top: the field names belong to the appointment form.
            let mut state = FormState::from_error(&err);
            state.fields.clear();
            rerender(&officers_page(&app, &actor, &identity, fields, state, String::new()).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------- what officers may edit

#[derive(Template)]
#[template(path = "officer_fields.html")]
struct OfficerFieldsPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    /// (field, label, allowed)
    fields: Vec<(&'static str, &'static str, bool)>,
}

async fn officer_fields_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    form: FormState,
    notice: String,
) -> Result<OfficerFieldsPage, HtmlError> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    let allowed = app.officer_fields().await?;
    Ok(OfficerFieldsPage {
        chrome: Chrome::new(app, identity, "What officers may edit", "staff").await.in_subsection("officer_fields"),
        form,
        notice,
        fields: guildhall_app::profile::OFFICER_EDITABLE.iter().map(|(f, l)| (*f, *l, allowed.contains(f))).collect(),
    })
}

pub async fn officer_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&officer_fields_page(&app, &actor, &identity, FormState::default(), notice_for(&q.done)).await?)
}

pub async fn save_officer_fields(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields: Vec<String> = pairs.into_iter().filter(|(k, _)| k == "fields").map(|(_, v)| v).collect();
    match app.set_officer_fields(&actor, &fields, &identity.request_id).await {
        Ok(()) => done("/staff/officer-fields", "officer_fields"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &officer_fields_page(&app, &actor, &identity, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

// ---------------------------------------------------------------- households and organisations

/// One link as the member page lists it.
pub struct LinkRow {
    pub id: i64,
    pub kind: &'static str,
    pub member_id: i64,
    pub name: String,
    pub number: String,
    pub standing: &'static str,
    pub from: String,
    pub to: String,
}

/// The member page's household and organisation section.
pub struct LinksView {
    pub paid_by: Option<LinkRow>,
    pub pays_for: Vec<LinkRow>,
    pub past: Vec<LinkRow>,
    /// (name, seats) when this record is an organisation's membership.
    pub organisation: Option<(String, i64)>,
    pub kinds: Vec<(&'static str, &'static str)>,
}

fn link_row(v: guildhall_app::links::LinkView) -> LinkRow {
    LinkRow {
        id: v.id,
        kind: if v.kind == "employee" { "named employee" } else { "household member" },
        member_id: v.other.id,
        name: format!("{} {}", v.other.first_name, v.other.last_name),
        number: v.other.member_number.clone(),
        standing: guildhall_app::membership::standing_label(&v.other.standing),
        from: v.started_on.to_string(),
        to: v.ended_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

pub async fn links_view(app: &App, actor: &Actor, member_id: i64) -> Result<LinksView, HtmlError> {
    let links = app.member_links(actor, member_id).await?;
    Ok(LinksView {
        paid_by: links.paid_by.map(link_row),
        pays_for: links.pays_for.into_iter().map(link_row).collect(),
        past: links.past.into_iter().map(link_row).collect(),
        organisation: links.organisation.map(|o| (o.name, o.seats)),
        kinds: guildhall_app::links::LINK_KINDS.to_vec(),
    })
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    member_number: String,
}

pub async fn link_member(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(payer): Path<i64>,
    CsrfForm(f): CsrfForm<LinkForm>,
) -> PageResult {
    app.link_member(&actor, payer, &f.kind, &f.member_number, &identity.request_id).await?;
    done(&format!("/members/{payer}"), "linked")
}

pub async fn unlink_member(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member, link)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.unlink_member(&actor, member, link, &identity.request_id).await?;
    done(&format!("/members/{member}"), "unlinked")
}

#[derive(Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    organisation_name: String,
    #[serde(default)]
    seats: String,
}

pub async fn save_organisation(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(payer): Path<i64>,
    CsrfForm(f): CsrfForm<OrganisationForm>,
) -> PageResult {
    app.set_organisation(&actor, payer, &f.organisation_name, &f.seats, &identity.request_id).await?;
    done(&format!("/members/{payer}"), "organisation")
}
