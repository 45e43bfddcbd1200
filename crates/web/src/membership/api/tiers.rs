//! Tiers through the API: read one, create, change and delete, with the staff tier
//! pages' use cases (the same checks, the same audit entries).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use guildhall_app::App;
use guildhall_app::membership::tiers::{TierForm, requirement_words};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Deleted, id_of, object};
use crate::api::{ApiResult, whole};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// A tier as staff manage it.
#[derive(Serialize, ToSchema)]
pub struct TierDetail {
    id: i64,
    code: String,
    name: String,
    /// In cents of `currency`, before any chapter supplement.
    annual_dues_cents: i64,
    /// ISO 4217 code of the society's currency.
    currency: String,
    /// Whether staff approve each application.
    requires_approval: bool,
    /// Membership of the tier never expires (life membership): no renewals, no reminders.
    never_expires: bool,
    sort_order: i64,
    /// Each eligibility requirement in words.
    requirements: Vec<String>,
    /// Members on this tier now.
    members: i64,
    /// Terms ever held on this tier (a tier with any cannot be deleted).
    terms: i64,
}

/// A new tier, or the fields of a tier to change (PATCH: only those given change).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    /// A short code, as the member import names tiers (`full`, `student`).
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// Annual dues in cents, 0 to 10,000,000.
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10000000)]
    annual_dues_cents: Option<i64>,
    #[serde(default)]
    requires_approval: Option<bool>,
    /// Membership of the tier never expires (life membership).
    #[serde(default)]
    never_expires: Option<bool>,
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>)]
    sort_order: Option<i64>,
    #[serde(default)]
    requires_licence: Option<bool>,
    #[serde(default)]
    requires_enrolment: Option<bool>,
    #[serde(default)]
    requires_retirement: Option<bool>,
    /// Years licensed, 1–99; 0 for no such requirement (left out or null: unchanged).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 99)]
    min_years_licensed: Option<i64>,
    /// Minimum age, 1–99; 0 for none (left out or null: unchanged).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 99)]
    min_age: Option<i64>,
    /// Years of membership, 1–99; 0 for none (left out or null: unchanged).
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 99)]
    min_years_of_membership: Option<i64>,
    /// Career stages the tier is limited to (student, eit, licensed, retired, other); empty for any.
    #[serde(default)]
    career_stages: Option<Vec<String>>,
}

impl TierInput {
    /// The tier form with these fields over `base` (empty for a new tier).
    fn over(self, mut form: TierForm) -> TierForm {
        // 0 clears a requirement (the form's empty field); left out keeps it.
        let years = |n: Option<i64>, old: String| match n {
            None => old,
            Some(0) => String::new(),
            Some(n) => n.to_string(),
        };
        if let Some(code) = self.code {
            form.code = code;
        }
        if let Some(name) = self.name {
            form.name = name;
        }
        if let Some(cents) = self.annual_dues_cents {
            form.annual_dues =
                if cents < 0 { format!("{cents}") } else { format!("{}.{:02}", cents / 100, cents % 100) };
        }
        if let Some(v) = self.requires_approval {
            form.requires_approval = v;
        }
        if let Some(v) = self.never_expires {
            form.never_expires = v;
        }
        if let Some(n) = self.sort_order {
            form.sort_order = n.to_string();
        }
        if let Some(v) = self.requires_licence {
            form.requires_licence = v;
        }
        if let Some(v) = self.requires_enrolment {
            form.requires_enrolment = v;
        }
        if let Some(v) = self.requires_retirement {
            form.requires_retirement = v;
        }
        form.min_years_licensed = years(self.min_years_licensed, form.min_years_licensed);
        form.min_age = years(self.min_age, form.min_age);
        form.min_years_of_membership = years(self.min_years_of_membership, form.min_years_of_membership);
        if let Some(stages) = self.career_stages {
            form.career_stages = stages;
        }
        form
    }
}

async fn detail(app: &App, actor: &guildhall_app::Actor, id: i64) -> ApiResult<TierDetail> {
    let (tier, usage) = app.staff_tier(actor, id).await?;
    let requirements =
        guildhall_app::membership::joining::domain_tier(&tier)?.requirements().iter().map(requirement_words).collect();
    Ok(Json(TierDetail {
        id: tier.id,
        code: tier.code,
        name: tier.name,
        annual_dues_cents: tier.annual_dues_cents,
        currency: app.currency().await,
        requires_approval: tier.requires_approval,
        never_expires: tier.never_expires,
        sort_order: tier.sort_order,
        requirements,
        members: usage.members,
        terms: usage.terms,
    }))
}

#[utoipa::path(get, path = "/api/v1/tiers/{id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = "The tier's id")),
    responses((status = 200, body = TierDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn tier(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<TierDetail> {
    detail(&app, &actor, id_of(&id, "tier")?).await
}

#[utoipa::path(post, path = "/api/v1/tiers", request_body = TierInput,
    responses((status = 200, body = TierDetail, description = "The tier created"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_tier(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<TierDetail> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    let form = object::<TierInput>(body)?.over(TierForm { sort_order: "0".into(), ..TierForm::default() });
    let id = app.save_tier(&actor, None, &form, &identity.request_id).await?;
    detail(&app, &actor, id).await
}

#[utoipa::path(patch, path = "/api/v1/tiers/{id}", request_body = TierInput,
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = "The tier's id")),
    responses((status = 200, body = TierDetail, description = "The tier as changed"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn change_tier(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<TierDetail> {
    let id = id_of(&id, "tier")?;
    let (tier, _) = app.staff_tier(&actor, id).await?;
    let form = object::<TierInput>(body)?.over(TierForm::from_record(&tier)?);
    app.save_tier(&actor, Some(id), &form, &identity.request_id).await?;
    detail(&app, &actor, id).await
}

#[utoipa::path(delete, path = "/api/v1/tiers/{id}",
    params(("id" = i64, Path, minimum = 1, maximum = 999999999999999999i64, description = "The tier's id")),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Members or terms are on this tier")))]
pub(super) async fn delete_tier(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    let id = id_of(&id, "tier")?;
    app.delete_tier(&actor, id, &identity.request_id).await?;
    Ok(Json(Deleted { id, deleted: true }))
}
