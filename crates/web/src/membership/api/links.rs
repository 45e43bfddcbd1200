//! Households and organisations: a member's links to the member who pays for them, and
//! making a member record an organisation's membership, with the member page's use cases.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use guildhall_app::App;
use guildhall_app::membership::households::LinkView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{id_of, member_id, object};
use crate::api::{ApiResult, whole};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// One link between a member and the member who pays for them.
#[derive(Serialize, ToSchema)]
pub struct Link {
    id: i64,
    /// household (a household member) or employee (an organisation's named employee)
    kind: String,
    /// The member at the other end of the link.
    other_member_id: i64,
    other_member_number: String,
    other_name: String,
    started_on: String,
    ended_on: Option<String>,
}

/// An organisation's membership held by this member record.
#[derive(Serialize, ToSchema)]
pub struct Organisation {
    name: String,
    /// How many named employees it pays for.
    seats: i64,
}

/// A member's household and organisational links.
#[derive(Serialize, ToSchema)]
pub struct Links {
    /// Who pays for this member now, if anyone.
    paid_by: Option<Link>,
    /// The people this member pays for now.
    pays_for: Vec<Link>,
    /// Ended links either way.
    past: Vec<Link>,
    /// Set when this record is an organisation's membership.
    organisation: Option<Organisation>,
}

fn link_out(v: LinkView) -> Link {
    Link {
        id: v.id,
        kind: v.kind.code().into(),
        other_member_id: v.other.id,
        other_member_number: v.other.member_number,
        other_name: format!("{} {}", v.other.first_name, v.other.last_name),
        started_on: v.started_on.to_string(),
        ended_on: v.ended_on.map(|d| d.to_string()),
    }
}

async fn links_of(app: &App, actor: &guildhall_app::Actor, member: i64) -> ApiResult<Links> {
    let links = app.member_links(actor, member).await?;
    Ok(Json(Links {
        paid_by: links.paid_by.map(link_out),
        pays_for: links.pays_for.into_iter().map(link_out).collect(),
        past: links.past.into_iter().map(link_out).collect(),
        organisation: links.organisation.map(|o| Organisation { name: o.name, seats: o.seats }),
    }))
}

const MEMBER: &str = "The member's id (the payer, for new links), or `me`";

#[utoipa::path(get, path = "/api/v1/members/{id}/links",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER)),
    responses((status = 200, body = Links), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn links(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(member): Path<String>,
) -> ApiResult<Links> {
    let member = member_id(&app, &actor, &member).await?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    if app.member_detail(&actor, member).await.is_err() {
        return Err(guildhall_app::AppError::NotFound("No such member.".into()).into());
    }
    links_of(&app, &actor, member).await
}

/// A person to link to the member who pays for them, from today.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// household or employee
    #[schema(value_type = LinkKindCode)]
    kind: String,
    /// The member number of the person covered.
    member_number: String,
}

/// What kind of link.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum LinkKindCode {
    Household,
    Employee,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/links", request_body = LinkInput,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = MEMBER)),
    responses((status = 200, body = Links, description = "The payer's links, with the new one"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn link(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(member): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Links> {
    let member = member_id(&app, &actor, &member).await?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    let input: LinkInput = object(body)?;
    app.link_member(&actor, member, &input.kind, &input.member_number, &identity.request_id).await?;
    links_of(&app, &actor, member).await
}

#[utoipa::path(post, path = "/api/v1/members/{id}/links/{link_id}/end",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "Either member's id, or `me`"),
           ("link_id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = "The link's id")),
    responses((status = 200, body = Links, description = "The member's links, this one ended today"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn end_link(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path((member, link)): Path<(String, String)>,
) -> ApiResult<Links> {
    let (member, link) = (member_id(&app, &actor, &member).await?, id_of(&link, "link")?);
    app.unlink_member(&actor, member, link, &identity.request_id).await?;
    links_of(&app, &actor, member).await
}

/// An organisation's membership: its name and the seats it pays for.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// 1 to 200 characters.
    name: String,
    /// 1 to 10,000, and not below the employees named today.
    #[serde(deserialize_with = "whole::number")]
    #[schema(value_type = i64, minimum = 1, maximum = 10000)]
    seats: i64,
}

#[utoipa::path(put, path = "/api/v1/members/{id}/organisation", request_body = OrganisationInput,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member record that holds the organisation's membership, or `me`")),
    responses((status = 200, body = Links, description = "The record's links and organisation"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn organisation(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(member): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Links> {
    let member = member_id(&app, &actor, &member).await?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    let input: OrganisationInput = object(body)?;
    app.set_organisation(&actor, member, &input.name, &input.seats.to_string(), &identity.request_id).await?;
    links_of(&app, &actor, member).await
}
