//! Staff pages for membership tiers. Handlers read the form, call one use case, and either
//! send the browser on (303, with a notice named in the query) or show the form again with
//! its messages.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use guildhall_app::membership::tiers::{CAREER_STAGES, TierForm, TierListing};
use guildhall_app::{Actor, App, AppError};

use crate::error::HtmlError;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

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
            "never_expires" => f.never_expires = !value.is_empty(),
            "requires_licence" => f.requires_licence = !value.is_empty(),
            "requires_enrolment" => f.requires_enrolment = !value.is_empty(),
            "requires_retirement" => f.requires_retirement = !value.is_empty(),
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
#[template(path = "membership/tiers.html")]
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
#[template(path = "membership/tier.html")]
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
