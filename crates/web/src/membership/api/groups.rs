//! Affinity groups through the API: read, create, change and delete a group, list its
//! members, and add or remove a member, with the staff group pages' use cases.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use guildhall_app::App;
use guildhall_app::chapters::groups::GroupForm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Deleted, Group, MemberListPage, id_of, member_id, object, page_out};
use crate::api::{ApiQuery, ApiResult, Paging};
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiActor;

/// A group as staff manage it.
#[derive(Serialize, ToSchema)]
pub struct GroupDetail {
    id: i64,
    slug: String,
    name: String,
    description: String,
    /// How many members are in it.
    members: i64,
}

/// A new group, or the fields of a group to change (PATCH: only those given change).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// 1 to 60 lowercase letters, digits and '-' (`young-professionals`), unique.
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

async fn detail(app: &App, actor: &guildhall_app::Actor, id: i64) -> Result<GroupDetail, ApiError> {
    let (group, members) = app
        .staff_groups(actor)
        .await?
        .into_iter()
        .find(|(g, _)| g.id == id)
        .ok_or_else(|| guildhall_app::AppError::NotFound("No such group.".into()))?;
    Ok(GroupDetail { id: group.id, slug: group.slug, name: group.name, description: group.description, members })
}

const ID: &str = "The group's id";

#[utoipa::path(get, path = "/api/v1/groups/{id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = ID)),
    responses((status = 200, body = GroupDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn group(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<GroupDetail> {
    Ok(Json(detail(&app, &actor, id_of(&id, "group")?).await?))
}

#[utoipa::path(post, path = "/api/v1/groups", request_body = GroupInput,
    responses((status = 200, body = GroupDetail, description = "The group created"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_group(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<GroupDetail> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    let input: GroupInput = object(body)?;
    let form = GroupForm {
        slug: input.slug.unwrap_or_default(),
        name: input.name.unwrap_or_default(),
        description: input.description.unwrap_or_default(),
    };
    let id = app.save_group(&actor, None, &form, &identity.request_id).await?;
    Ok(Json(detail(&app, &actor, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/groups/{id}", request_body = GroupInput,
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = ID)),
    responses((status = 200, body = GroupDetail, description = "The group as changed"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn change_group(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<GroupDetail> {
    let id = id_of(&id, "group")?;
    let group = app.staff_group(&actor, id).await?;
    let input: GroupInput = object(body)?;
    let form = GroupForm {
        slug: input.slug.unwrap_or(group.slug),
        name: input.name.unwrap_or(group.name),
        description: input.description.unwrap_or(group.description),
    };
    app.save_group(&actor, Some(id), &form, &identity.request_id).await?;
    Ok(Json(detail(&app, &actor, id).await?))
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = ID)),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Members are in the group")))]
pub(super) async fn delete_group(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    let id = id_of(&id, "group")?;
    app.delete_group(&actor, id, &identity.request_id).await?;
    Ok(Json(Deleted { id, deleted: true }))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}/members",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = ID), Paging),
    responses((status = 200, body = MemberListPage, description = "The group's members (an officer: those of their chapter)"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(super) async fn group_members(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<MemberListPage> {
    let id = id_of(&id, "group")?;
    let page = paging.request()?;
    if !app.groups_for(&actor).await?.iter().any(|g| g.id == id) {
        return Err(guildhall_app::AppError::NotFound("No such group.".into()).into());
    }
    let filter = guildhall_app::records::MemberFilter { group_id: Some(id), ..Default::default() };
    Ok(Json(page_out(app.search_members(&actor, filter, page).await?)))
}

/// What is true after adding or removing a member.
#[derive(Serialize, ToSchema)]
pub struct GroupMembership {
    member_id: i64,
    group_id: i64,
    /// Whether the member is in the group now.
    member: bool,
    /// Whether this request changed anything (false when it was so already).
    changed: bool,
    /// The member's groups now, by name.
    groups: Vec<Group>,
}

async fn membership(
    app: &App,
    actor: &guildhall_app::Actor,
    member: i64,
    group: i64,
    changed: bool,
) -> ApiResult<GroupMembership> {
    let detail = app.member_detail(actor, member).await?;
    Ok(Json(GroupMembership {
        member_id: member,
        group_id: group,
        member: detail.groups.iter().any(|g| g.id == group),
        changed,
        groups: detail.groups.into_iter().map(super::group_out).collect(),
    }))
}

const PATHS: &str = "The member's id";

#[utoipa::path(put, path = "/api/v1/members/{id}/groups/{group_id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = PATHS),
           ("group_id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = ID)),
    responses((status = 200, body = GroupMembership), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_member_group(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((member, group)): Path<(String, String)>,
) -> ApiResult<GroupMembership> {
    change_member_group(&app, &actor, &identity.request_id, (&member, &group), true).await
}

#[utoipa::path(delete, path = "/api/v1/members/{id}/groups/{group_id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = PATHS),
           ("group_id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = ID)),
    responses((status = 200, body = GroupMembership), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn remove_member_group(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((member, group)): Path<(String, String)>,
) -> ApiResult<GroupMembership> {
    change_member_group(&app, &actor, &identity.request_id, (&member, &group), false).await
}

/// Puts a member into a group (`join`) or takes them out, after resolving both ids from the
/// path; a group the caller cannot see is not found.
async fn change_member_group(
    app: &App,
    actor: &guildhall_app::Actor,
    request_id: &str,
    (member, group): (&str, &str),
    join: bool,
) -> ApiResult<GroupMembership> {
    let member = member_id(app, actor, member).await?;
    let group = id_of(group, "group")?;
    if !app.groups_for(actor).await?.iter().any(|g| g.id == group) {
        return Err(guildhall_app::AppError::NotFound("No such group.".into()).into());
    }
    let code = group.to_string();
    let changed = if join {
        app.add_member_to_group(actor, member, &code, request_id).await?
    } else {
        app.remove_member_from_group(actor, member, &code, request_id).await?
    };
    membership(app, actor, member, group, changed).await
}
