//! Households and organisations on a member's page: linking people to the member who pays.

use guildhall_domain::membership::LinkKind;
use std::sync::Arc;

use axum::extract::{Path, State};
use guildhall_app::{App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

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

fn link_row(v: guildhall_app::membership::households::LinkView) -> LinkRow {
    LinkRow {
        id: v.id,
        kind: match v.kind {
            LinkKind::Employee => "named employee",
            LinkKind::Household => "household member",
        },
        member_id: v.other.id,
        name: format!("{} {}", v.other.first_name, v.other.last_name),
        number: v.other.member_number.clone(),
        standing: v.other.standing.label(),
        from: v.started_on.to_string(),
        to: v.ended_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

pub fn links_view(links: guildhall_app::membership::households::MemberLinks) -> LinksView {
    LinksView {
        paid_by: links.paid_by.map(link_row),
        pays_for: links.pays_for.into_iter().map(link_row).collect(),
        past: links.past.into_iter().map(link_row).collect(),
        organisation: links.organisation.map(|o| (o.name, o.seats)),
        kinds: LinkKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
    }
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

#[derive(Deserialize, Default)]
pub struct UnlinkForm {
    /// `yes` from the confirmation page.
    #[serde(default)]
    confirmed: String,
}

/// The confirmation page before a household or organisational link is ended.
async fn unlink_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    member: i64,
    link: i64,
) -> PageResult {
    let links = app.member_links(actor, member).await?;
    let view = links
        .paid_by
        .iter()
        .chain(links.pays_for.iter())
        .find(|l| l.id == link)
        .ok_or_else(|| AppError::NotFound("This link has already ended or does not exist.".into()))?;
    let other = format!("{} {} ({})", view.other.first_name, view.other.last_name, view.other.member_number);
    render(&ConfirmPage {
        chrome: Chrome::new(app, identity, "End this link?", "staff").await.in_subsection("members"),
        heading: "End this link?".into(),
        details: vec![
            ("Linked with".into(), other),
            ("As".into(), view.kind.label().to_string()),
            ("Since".into(), view.started_on.to_string()),
        ],
        consequences: vec![
            "The link ends today. From then on the linked person has their own standing again, and the \
                      payer no longer pays for them at renewal."
                .into(),
        ],
        action: format!("/members/{member}/links/{link}/end"),
        hidden: vec![],
        inputs: vec![],
        form: FormState::default(),
        button: "End the link".into(),
        cancel_href: format!("/members/{member}"),
    })
}

/// GET: the confirmation page before a link is ended.
pub async fn confirm_unlink(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member, link)): Path<(i64, i64)>,
) -> PageResult {
    unlink_page(&app, &actor, &identity, member, link).await
}

pub async fn unlink_member(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member, link)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<UnlinkForm>,
) -> PageResult {
    if !is_confirmed(&form.confirmed) {
        return unlink_page(&app, &actor, &identity, member, link).await;
    }
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
