//! Staff pages for affinity groups and a member's groups.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use guildhall_app::chapters::groups::GroupForm;
use guildhall_app::records::GroupRecord;
use guildhall_app::{Actor, App, AppError};
use serde::Deserialize;

use crate::error::HtmlError;
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

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
#[template(path = "chapters/groups.html")]
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
#[template(path = "chapters/group.html")]
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
