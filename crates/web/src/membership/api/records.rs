//! Members as records: adding one, editing one, a member's terms, importing and exporting
//! members as CSV, and the membership reports, with the staff pages' use cases.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use guildhall_app::App;
use guildhall_app::membership::profile::{ProfileForm, VISIBLE_FIELDS};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Member, Term, detail, member_id, member_out, object, term_out};
use crate::api::{ApiQuery, ApiResult, Paging};
use crate::error::{ApiError, ErrorBody};
use crate::membership::members::MemberQuery;
use crate::session::ApiActor;

/// A member staff add, in the member import's terms (the same checks as a file of one row).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    first_name: String,
    last_name: String,
    email: String,
    /// The tier's code (GET /api/v1/tiers).
    tier: String,
    /// applied, approved, active, grace, lapsed or cancelled (default active).
    #[serde(default)]
    status: Option<String>,
    /// ISO 8601 date (default today).
    #[serde(default)]
    joined_on: Option<String>,
    /// ISO 8601 date the paid membership runs to.
    #[serde(default)]
    expires_on: Option<String>,
    /// A member number; one is given when left out.
    #[serde(default)]
    member_number: Option<String>,
    /// The home chapter's short name (its slug).
    #[serde(default)]
    home_chapter: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    job_title: Option<String>,
    /// student, eit, licensed, retired or other
    #[serde(default)]
    career_stage: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/members", request_body = NewMember,
    responses((status = 200, body = Member, description = "The member added"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Each field refused, by its name")))]
pub(super) async fn add_member(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Member> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    let m: NewMember = object(body)?;
    let today = app.clock.today().to_string();
    let mut columns = vec![
        ("first_name", m.first_name),
        ("last_name", m.last_name),
        ("email", m.email),
        ("tier", m.tier),
        ("status", m.status.unwrap_or_else(|| "active".into())),
        ("joined_on", m.joined_on.unwrap_or(today)),
    ];
    for (column, value) in [
        ("expires_on", m.expires_on),
        ("member_number", m.member_number),
        ("home_chapter", m.home_chapter),
        ("phone", m.phone),
        ("employer", m.employer),
        ("job_title", m.job_title),
        ("career_stage", m.career_stage),
    ] {
        if let Some(value) = value {
            columns.push((column, value));
        }
    }
    let id = app.add_member(&actor, &columns, &identity.request_id).await?;
    Ok(Json(member_out(&app, detail(&app, &actor, &id.to_string()).await?).await))
}

/// The fields of a member's record to change (only those given change). Staff change any;
/// a chapter's officer those the society lets officers edit (others are kept as they are);
/// a member their own (`me`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    #[serde(default)]
    #[schema(schema_with = super::name_or_null)]
    first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::name_or_null)]
    last_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::text_40_or_null)]
    phone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::text_200_or_null)]
    employer: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::text_200_or_null)]
    job_title: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::text_100_or_null)]
    city: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::text_500_or_null)]
    education: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::career_stage_or_null)]
    career_stage: Option<String>,
    /// Discipline codes.
    #[serde(default)]
    #[schema(schema_with = super::disciplines_or_null)]
    disciplines: Option<Vec<String>>,
    /// Who sees each directory field. Staff and the member only.
    #[serde(default)]
    #[schema(value_type = Option<VisibilityChange>)]
    visibility: Option<BTreeMap<String, Option<String>>>,
}

/// Who sees each directory field: public, members or private (null or left out: unchanged).
/// (Its document; the handler reads it as a map to refuse anything but an object.)
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct VisibilityChange {
    #[serde(default)]
    #[schema(schema_with = super::visibility_or_null)]
    employer: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::visibility_or_null)]
    job_title: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::visibility_or_null)]
    city: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::visibility_or_null)]
    disciplines: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::visibility_or_null)]
    phone: Option<String>,
}

/// The visibility levels given, each field one the document names and each level one of its
/// three (an object is read as a map, so an array is refused).
fn visibility_given(given: BTreeMap<String, Option<String>>) -> Result<Vec<(String, String)>, guildhall_app::AppError> {
    let fields: Vec<&str> = VISIBLE_FIELDS.iter().map(|(f, _)| *f).collect();
    let mut out = Vec::new();
    for (field, level) in given {
        listed(&field, &fields, "visibility")?;
        if let Some(level) = level {
            listed(&level, &["public", "members", "private"], "visibility")?;
            out.push((field, level));
        }
    }
    Ok(out)
}

/// The API's length limit on a text field as sent (the forms trim first; the document
/// states the limit of what is sent).
fn at_most(value: Option<&String>, max: usize, field: &str) -> Result<(), guildhall_app::AppError> {
    match value {
        Some(v) if v.chars().count() > max => {
            Err(guildhall_app::AppError::invalid_field(field, format!("{field} can be at most {max} characters.")))
        }
        _ => Ok(()),
    }
}

/// A code the document lists, exactly (the forms are more forgiving of case and spaces).
fn listed(value: &str, codes: &[&str], field: &str) -> Result<(), guildhall_app::AppError> {
    if codes.contains(&value) {
        Ok(())
    } else {
        Err(guildhall_app::AppError::invalid_field(field, format!("{value:?} is not one of {}.", codes.join(", "))))
    }
}

#[utoipa::path(patch, path = "/api/v1/members/{id}", request_body = MemberChange,
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`")),
    responses((status = 200, body = Member, description = "The record as changed"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub(super) async fn change_member(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    Path(raw): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Member> {
    let id = member_id(&app, &actor, &raw).await?;
    let (m, _) = app.member_for_edit(&actor, id).await?;
    let c: MemberChange = object(body)?;
    if let Some(stage) = &c.career_stage {
        listed(stage, &super::CAREER_STAGES, "career_stage")?;
    }
    let disciplines: Vec<&str> = guildhall_domain::csv::members::Discipline::ALL.iter().map(|d| d.as_str()).collect();
    for d in c.disciplines.iter().flatten() {
        listed(d, &disciplines, "disciplines")?;
    }
    let levels = match c.visibility {
        Some(given) => visibility_given(given)?,
        None => Vec::new(),
    };
    for (value, max, field) in [
        (&c.first_name, 100, "first_name"),
        (&c.last_name, 100, "last_name"),
        (&c.phone, 40, "phone"),
        (&c.employer, 200, "employer"),
        (&c.job_title, 200, "job_title"),
        (&c.city, 100, "city"),
        (&c.education, 500, "education"),
    ] {
        at_most(value.as_ref(), max, field)?;
    }
    let stored: BTreeMap<String, String> = serde_json::from_str(&m.visibility).unwrap_or_default();
    let mut visibility: BTreeMap<String, String> = VISIBLE_FIELDS
        .iter()
        .map(|(f, _)| (f.to_string(), stored.get(*f).cloned().unwrap_or_else(|| "members".into())))
        .collect();
    visibility.extend(levels);
    let form = ProfileForm {
        first_name: c.first_name.unwrap_or(m.first_name),
        last_name: c.last_name.unwrap_or(m.last_name),
        phone: c.phone.unwrap_or(m.phone),
        employer: c.employer.unwrap_or(m.employer),
        job_title: c.job_title.unwrap_or(m.job_title),
        career_stage: c.career_stage.unwrap_or(m.career_stage),
        disciplines: c.disciplines.unwrap_or_else(|| {
            m.disciplines.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
        }),
        education: c.education.unwrap_or(m.education),
        city: c.city.unwrap_or(m.city),
        visibility,
    };
    app.update_profile(&actor, id, &form, &identity.request_id).await?;
    Ok(Json(member_out(&app, detail(&app, &actor, &raw).await?).await))
}

/// One page of a member's terms.
#[derive(Serialize, ToSchema)]
pub struct TermPage {
    items: Vec<Term>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/members/{id}/terms",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"), Paging),
    responses((status = 200, body = TermPage, description = "The member's terms, oldest first"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(super) async fn terms(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<TermPage> {
    let request = paging.request()?;
    let d = detail(&app, &actor, &id).await?;
    let total = i64::try_from(d.terms.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
    let take = usize::try_from(request.limit()).unwrap_or(0);
    Ok(Json(TermPage {
        items: d.terms.into_iter().skip(skip).take(take).map(term_out).collect(),
        page: request.page,
        per_page: request.per_page,
        total,
    }))
}

/// Whether an import only checks the file.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` (the default) checks every row and imports nothing; `false` imports (all rows
    /// or, if any is bad, none).
    dry_run: Option<bool>,
}

/// What an import did (or, on a dry run, would do).
#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    /// Rows in the file.
    rows: usize,
    /// Members created (0 on a dry run).
    imported: usize,
    dry_run: bool,
    /// The members created, in file order.
    member_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/members/import", params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The member CSV, as the staff import page takes it (header row first)"),
    responses((status = 200, body = ImportResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Nothing was imported; `fields` names each bad row's problem, in row order")))]
pub(super) async fn import(
    State(app): State<Arc<App>>,
    ApiActor(actor, identity): ApiActor,
    ApiQuery(params): ApiQuery<ImportParams>,
    file: Bytes,
) -> ApiResult<ImportResult> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    if file.is_empty() {
        return Err(guildhall_app::AppError::invalid_field("file", "Send the CSV file as the request body.").into());
    }
    let progress = |_: &str, _: usize, _: usize| {};
    let report = app
        .import_members_as(&actor, &file, None, params.dry_run.unwrap_or(true), false, &progress, &identity.request_id)
        .await?;
    Ok(Json(ImportResult {
        rows: report.rows,
        imported: report.imported,
        dry_run: report.dry_run,
        member_ids: report.member_ids,
    }))
}

#[utoipa::path(get, path = "/api/v1/members/export", params(MemberQuery),
    responses((status = 200, content_type = "text/csv", body = String, description = "The members found, in the import's columns"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub(super) async fn export(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Result<Response, ApiError> {
    actor.require(guildhall_app::Permission::StaffArea)?;
    let filter = query.filter()?;
    let mut out = Vec::new();
    app.export_members_as(&actor, &filter, &mut out).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"members.csv\""),
        ],
        out,
    )
        .into_response())
}

/// One row of a report: its label and a value per column after the first.
#[derive(Serialize, ToSchema)]
pub struct ReportRow {
    label: String,
    values: Vec<i64>,
}

/// One membership report, as a table.
#[derive(Serialize, ToSchema)]
pub struct Report {
    /// by_standing, by_tier, by_chapter, activity or retention
    id: String,
    title: String,
    /// The column headings, the label column's first.
    columns: Vec<String>,
    rows: Vec<ReportRow>,
}

#[utoipa::path(get, path = "/api/v1/reports/membership",
    responses((status = 200, body = [Report], description = "The reports /staff/reports shows (retention: -1 where a year is not reached yet)"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn reports(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Vec<Report>> {
    let r = app.reports(&actor).await?;
    Ok(Json(
        [
            ("by_standing", r.by_standing),
            ("by_tier", r.by_tier),
            ("by_chapter", r.by_chapter),
            ("activity", r.activity),
            ("retention", r.retention),
        ]
        .into_iter()
        .map(|(id, t)| Report {
            id: id.into(),
            title: t.title,
            columns: t.columns,
            rows: t.rows.into_iter().map(|(label, values)| ReportRow { label, values }).collect(),
        })
        .collect(),
    ))
}
