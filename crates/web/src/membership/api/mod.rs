//! The membership API, with the same use cases and authorisation as the pages (staff see
//! everyone; a chapter's officers their chapter; a member their own record as `me`).
//!
//! Files: `mod.rs` (member search and a member's record, invoices, payments, renewal, the
//! tier and group lists, the approvals queue), `records.rs` (adding and editing members,
//! terms, import and export, reports), `money.rs` (offline payments and refunds),
//! `applications.rs` (joining, approving and rejecting), `tiers.rs`, `groups.rs`, `links.rs`
//! (households and organisations).

mod applications;
mod groups;
mod links;
mod money;
mod records;
mod tiers;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use guildhall_app::membership::tiers::requirement_words;
use guildhall_app::{App, AppError};
use serde::Serialize;
use utoipa::ToSchema;

use super::members::MemberQuery;
use crate::api::{ApiQuery, ApiResult, MemberRef, Paging};
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// The membership API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/members", get(members).post(records::add_member))
        .route("/api/v1/members/import", post(records::import).layer(DefaultBodyLimit::max(super::IMPORT_LIMIT)))
        .route("/api/v1/members/export", get(records::export))
        .route("/api/v1/members/{id}", get(member).patch(records::change_member))
        .route("/api/v1/members/{id}/terms", get(records::terms))
        .route("/api/v1/members/{id}/invoices", get(invoices))
        .route("/api/v1/members/{id}/payments", get(payments).post(money::record_payment))
        .route("/api/v1/members/{id}/payments/{payment_id}/refunds", get(money::refunds).post(money::refund))
        .route("/api/v1/members/me/renewal", post(renew))
        .route("/api/v1/members/me/application", post(applications::apply))
        .route(
            "/api/v1/members/{id}/groups/{group_id}",
            axum::routing::put(groups::add_member_group).delete(groups::remove_member_group),
        )
        .route("/api/v1/members/{id}/links", get(links::links).post(links::link))
        .route("/api/v1/members/{id}/links/{link_id}/end", post(links::end_link))
        .route("/api/v1/members/{id}/organisation", axum::routing::put(links::organisation))
        .route("/api/v1/approvals", get(approvals))
        .route("/api/v1/approvals/{id}/approve", post(applications::approve))
        .route("/api/v1/approvals/{id}/reject", post(applications::reject))
        .route("/api/v1/tiers", get(tiers).post(tiers::create_tier))
        .route("/api/v1/tiers/{id}", get(tiers::tier).patch(tiers::change_tier).delete(tiers::delete_tier))
        .route("/api/v1/groups", get(groups).post(groups::create_group))
        .route("/api/v1/groups/{id}", get(groups::group).patch(groups::change_group).delete(groups::delete_group))
        .route("/api/v1/groups/{id}/members", get(groups::group_members))
        .route("/api/v1/reports/membership", get(records::reports))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        members,
        member,
        invoices,
        payments,
        renew,
        approvals,
        tiers,
        groups,
        records::add_member,
        records::change_member,
        records::terms,
        records::import,
        records::export,
        records::reports,
        money::record_payment,
        money::refunds,
        money::refund,
        applications::apply,
        applications::approve,
        applications::reject,
        tiers::tier,
        tiers::create_tier,
        tiers::change_tier,
        tiers::delete_tier,
        groups::group,
        groups::create_group,
        groups::change_group,
        groups::delete_group,
        groups::group_members,
        groups::add_member_group,
        groups::remove_member_group,
        links::links,
        links::link,
        links::end_link,
        links::organisation
    ),
    components(schemas(
        MemberListItem,
        MemberListPage,
        Member,
        Licence,
        Term,
        Invoice,
        Payment,
        InvoiceStatusCode,
        Application,
        Tier,
        Group,
        Deleted
    ))
)]
pub struct Doc;

/// What a DELETE removed.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    id: i64,
    deleted: bool,
}

/// A positive id in a path, or a 400 saying what it names.
pub(super) fn id_of(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadRequest(format!("A {what} is named by a positive whole number.")))
}

/// The member id `{id}` names: a member's id, or `me` for the caller's own record.
pub(super) async fn member_id(app: &App, actor: &guildhall_app::Actor, raw: &str) -> Result<i64, AppError> {
    match MemberRef::parse(raw)? {
        MemberRef::Me => Ok(app.own_member(actor).await?.id),
        MemberRef::Id(id) => Ok(id),
    }
}

/// One page of member search results as the API gives it.
pub(super) fn page_out(page: guildhall_app::records::Page<guildhall_app::records::MemberSummary>) -> MemberListPage {
    MemberListPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|m| MemberListItem {
                id: m.id,
                member_number: m.member_number,
                first_name: m.first_name,
                last_name: m.last_name,
                email: m.email,
                tier: m.tier_name,
                standing: m.standing.code().into(),
                expires_on: m.expires_on.map(|d| d.to_string()),
                home_chapter_id: m.home_chapter_id,
                chapter: m.chapter_name,
            })
            .collect(),
    }
}

pub(super) fn group_out(g: guildhall_app::records::GroupRecord) -> Group {
    Group { id: g.id, slug: g.slug, name: g.name, description: g.description }
}

pub(super) fn term_out(t: guildhall_app::records::TermRecord) -> Term {
    Term {
        id: t.id,
        tier_id: t.tier_id,
        starts_on: t.starts_on.to_string(),
        ends_on: t.ends_on.to_string(),
        status: t.status.code().into(),
    }
}

pub(super) fn payment_out(p: guildhall_app::records::PaymentRecord, currency: &str) -> Payment {
    Payment {
        id: p.id,
        invoice_id: p.invoice_id,
        amount_cents: p.amount_cents,
        currency: currency.into(),
        method: p.method,
        received_on: p.received_on.to_string(),
        refunded_cents: p.refunded_cents,
    }
}

/// A member in a search result.
#[derive(Serialize, ToSchema)]
pub struct MemberListItem {
    id: i64,
    member_number: String,
    first_name: String,
    last_name: String,
    email: String,
    tier: String,
    /// applied, approved, active, renewal_due, grace, lapsed, cancelled or rejected
    standing: String,
    /// ISO 8601 date; absent for tiers without expiry or before the first payment.
    expires_on: Option<String>,
    home_chapter_id: Option<i64>,
    chapter: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberListPage {
    items: Vec<MemberListItem>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[utoipa::path(get, path = "/api/v1/members", params(Paging, MemberQuery),
    responses((status = 200, body = MemberListPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn members(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> ApiResult<MemberListPage> {
    let page = app.search_members(&actor, query.filter()?, paging.request()?).await?;
    Ok(Json(page_out(page)))
}

#[derive(Serialize, ToSchema)]
pub struct Licence {
    /// US-TX, CA-ON, …
    jurisdiction: String,
    /// PE, SE, PLS, P.Eng or CEng
    kind: String,
    number: String,
    first_issued: String,
    expires_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Term {
    id: i64,
    tier_id: i64,
    starts_on: String,
    ends_on: String,
    /// awaiting_approval, awaiting_payment, paid, cancelled or rejected
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct Invoice {
    id: i64,
    term_id: Option<i64>,
    description: String,
    /// In cents of `currency`.
    amount_cents: i64,
    /// ISO 4217 code of the society's currency.
    currency: String,
    /// open, paid or void
    status: String,
    issued_on: String,
    due_on: String,
    paid_on: Option<String>,
}

/// A member's record as staff (or the member's chapter officers) see it.
#[derive(Serialize, ToSchema)]
pub struct Member {
    id: i64,
    member_number: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    employer: String,
    job_title: String,
    career_stage: String,
    disciplines: Vec<String>,
    city: String,
    tier_id: i64,
    tier: Option<String>,
    home_chapter_id: Option<i64>,
    chapter: Option<String>,
    joined_on: String,
    standing: String,
    expires_on: Option<String>,
    groups: Vec<String>,
    licences: Vec<Licence>,
    terms: Vec<Term>,
    invoices: Vec<Invoice>,
}

#[utoipa::path(get, path = "/api/v1/members/{id}",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me` for the caller's own record")),
    responses((status = 200, body = Member), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn member(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Member> {
    Ok(Json(member_out(&app, detail(&app, &actor, &id).await?).await))
}

/// A member's record as the API gives it.
pub(super) async fn member_out(app: &App, d: guildhall_app::membership::MemberDetail) -> Member {
    let currency = app.currency().await;
    let m = d.member;
    Member {
        id: m.id,
        member_number: m.member_number,
        first_name: m.first_name,
        last_name: m.last_name,
        email: m.email,
        phone: m.phone,
        employer: m.employer,
        job_title: m.job_title,
        career_stage: m.career_stage,
        disciplines: m.disciplines.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        city: m.city,
        tier_id: m.tier_id,
        tier: d.tier.map(|t| t.name),
        home_chapter_id: m.home_chapter_id,
        chapter: d.chapter_name,
        joined_on: m.joined_on.to_string(),
        standing: m.standing.code().into(),
        expires_on: m.expires_on.map(|d| d.to_string()),
        groups: d.groups.into_iter().map(|g| g.name).collect(),
        licences: d
            .licences
            .into_iter()
            .map(|l| Licence {
                jurisdiction: l.jurisdiction.as_str().into(),
                kind: l.kind.code().into(),
                number: l.number,
                first_issued: l.first_issued.to_string(),
                expires_on: l.expires_on.map(|d| d.to_string()),
            })
            .collect(),
        terms: d.terms.into_iter().map(term_out).collect(),
        invoices: d.invoices.into_iter().map(|i| invoice_out(i, &currency)).collect(),
    }
}

/// A member's record by `{id}` or `me`, with the authorisation of the member pages.
pub(super) async fn detail(
    app: &App,
    actor: &guildhall_app::Actor,
    id: &str,
) -> Result<guildhall_app::membership::MemberDetail, crate::error::ApiError> {
    Ok(match MemberRef::parse(id)? {
        MemberRef::Me => app.own_member_detail(actor).await?,
        MemberRef::Id(id) => app.member_detail(actor, id).await?,
    })
}

fn invoice_out(i: guildhall_app::records::InvoiceRecord, currency: &str) -> Invoice {
    Invoice {
        id: i.id,
        term_id: i.term_id,
        description: i.description,
        amount_cents: i.amount_cents,
        currency: currency.into(),
        status: i.status.code().into(),
        issued_on: i.issued_on.to_string(),
        due_on: i.due_on.to_string(),
        paid_on: i.paid_on.map(|d| d.to_string()),
    }
}

/// Filters of a member's invoices.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceParams {
    /// Only invoices with this status.
    #[param(value_type = Option<InvoiceStatusCode>)]
    status: Option<String>,
}

/// An invoice's status, as the API names it.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum InvoiceStatusCode {
    Open,
    Paid,
    Void,
}

#[utoipa::path(get, path = "/api/v1/members/{id}/invoices",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`"), InvoiceParams),
    responses((status = 200, body = [Invoice]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn invoices(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<InvoiceParams>,
) -> ApiResult<Vec<Invoice>> {
    let status = match params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(
            guildhall_domain::membership::InvoiceStatus::try_from(code.to_string())
                .map_err(|_| AppError::BadRequest("`status` is open, paid or void.".into()))?,
        ),
    };
    let d = detail(&app, &actor, &id).await?;
    let currency = app.currency().await;
    Ok(Json(
        d.invoices
            .into_iter()
            .filter(|i| status.is_none_or(|s| i.status == s))
            .map(|i| invoice_out(i, &currency))
            .collect(),
    ))
}

/// A payment received against one of the member's invoices.
#[derive(Serialize, ToSchema)]
pub struct Payment {
    id: i64,
    invoice_id: i64,
    /// In cents of `currency`.
    amount_cents: i64,
    /// ISO 4217 code of the society's currency.
    currency: String,
    /// card, cheque, transfer, cash, …
    method: String,
    received_on: String,
    /// The sum refunded from it so far, in cents.
    refunded_cents: i64,
}

#[utoipa::path(get, path = "/api/v1/members/{id}/payments",
    params(("id" = String, Path, pattern = r"^(me|[1-9][0-9]{0,17})$", description = "The member's id, or `me`")),
    responses((status = 200, body = [Payment]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn payments(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Vec<Payment>> {
    let d = detail(&app, &actor, &id).await?;
    let currency = app.currency().await;
    Ok(Json(d.payments.into_iter().map(|p| payment_out(p, &currency)).collect()))
}

#[utoipa::path(post, path = "/api/v1/members/me/renewal",
    responses((status = 200, body = Invoice, description = "The renewal invoice to pay (the open one when there is one already)"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn renew(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Invoice> {
    let invoice = app.start_renewal(&actor).await?;
    Ok(Json(invoice_out(invoice, &app.currency().await)))
}

/// A membership tier and what it asks of applicants.
#[derive(Serialize, ToSchema)]
pub struct Tier {
    id: i64,
    code: String,
    name: String,
    /// In cents of `currency`, before any chapter supplement.
    annual_dues_cents: i64,
    /// ISO 4217 code of the society's currency.
    currency: String,
    /// Whether an application waits for staff (set so, or resting on what the applicant declares).
    reviewed: bool,
    /// Each requirement in words.
    requirements: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/tiers",
    responses((status = 200, body = [Tier]), (status = 401, body = ErrorBody)))]
async fn tiers(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Vec<Tier>> {
    let tiers = app.tiers_for(&actor).await?;
    let currency = app.currency().await;
    Ok(Json(
        tiers
            .into_iter()
            .map(|(t, rules)| Tier {
                id: t.id,
                code: t.code,
                name: t.name,
                annual_dues_cents: t.annual_dues_cents,
                currency: currency.clone(),
                reviewed: rules.needs_review(),
                requirements: rules.requirements().iter().map(requirement_words).collect(),
            })
            .collect(),
    ))
}

/// An affinity group members can belong to.
#[derive(Serialize, ToSchema)]
pub struct Group {
    id: i64,
    slug: String,
    name: String,
    description: String,
}

#[utoipa::path(get, path = "/api/v1/groups",
    responses((status = 200, body = [Group]), (status = 401, body = ErrorBody)))]
async fn groups(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Vec<Group>> {
    let groups = app.groups_for(&actor).await?;
    Ok(Json(groups.into_iter().map(group_out).collect()))
}

/// An application waiting for a staff decision, with what the applicant gave as proof.
#[derive(Serialize, ToSchema)]
pub struct Application {
    /// The term applied for: decide with `POST /api/v1/approvals/{term_id}/approve` or `/reject`.
    term_id: i64,
    member_id: i64,
    member_number: String,
    first_name: String,
    last_name: String,
    email: String,
    tier: String,
    /// The tier's annual dues in cents of `currency`.
    annual_dues_cents: i64,
    /// ISO 4217 code of the society's currency.
    currency: String,
    applied_on: String,
    chapter: Option<String>,
    /// What the applicant declared or uploaded, one statement each.
    evidence: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/approvals",
    responses((status = 200, body = [Application]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn approvals(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Vec<Application>> {
    let pending = app.pending_applications(&actor).await?;
    let term_ids: Vec<i64> = pending.iter().map(|a| a.term_id).collect();
    let evidence = app.evidence_for_applications(&actor, &term_ids).await?;
    let currency = app.currency().await;
    Ok(Json(
        pending
            .into_iter()
            .map(|a| Application {
                evidence: evidence
                    .iter()
                    .filter(|e| e.term_id == Some(a.term_id))
                    .map(|e| e.statement.clone())
                    .collect(),
                term_id: a.term_id,
                member_id: a.member_id,
                member_number: a.member_number,
                first_name: a.first_name,
                last_name: a.last_name,
                email: a.email,
                tier: a.tier_name,
                annual_dues_cents: a.annual_dues_cents,
                currency: currency.clone(),
                applied_on: a.applied_on.to_string(),
                chapter: a.chapter_name,
            })
            .collect(),
    ))
}

/// A JSON object request body read as `T` (an array or a bare value is refused, though
/// serde would read a struct from an array), or the sentence saying why not (422).
pub(super) fn object<T: serde::de::DeserializeOwned>(
    body: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<T, AppError> {
    let value = crate::api::json_body(body)?;
    if !value.is_object() {
        return Err(AppError::invalid("The request body must be a JSON object."));
    }
    serde_json::from_value(value).map_err(|e| AppError::invalid(format!("The request body is not valid: {e}.")))
}

/// Characters `guildhall_domain::identity::unsafe_text` refuses, as a regex class body.
const UNSAFE: &str = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069";
/// The white space `str::trim` removes, as a regex class body.
const WHITE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Text as the validators take it: trimmed, then none of the unsafe characters; `required`
/// asks for something other than white space.
fn text(max: usize, required: bool, nullable: bool, description: &str) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let edge = format!("[^{WHITE}{UNSAFE}]");
    let core = format!("{edge}(?:[^{UNSAFE}]*{edge})?");
    let pattern =
        if required { format!("^[{WHITE}]*{core}[{WHITE}]*$") } else { format!("^[{WHITE}]*(?:{core})?[{WHITE}]*$") };
    let kind = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { SchemaType::new(Type::String) };
    ObjectBuilder::new()
        .schema_type(kind)
        .pattern(Some(pattern))
        .max_length(Some(max))
        .description(Some(format!("{description} No control or text-direction characters.")))
        .build()
}

pub(super) fn name_or_null() -> utoipa::openapi::schema::Object {
    text(100, true, true, "1 to 100 characters.")
}
pub(super) fn text_40_or_null() -> utoipa::openapi::schema::Object {
    text(40, false, true, "At most 40 characters.")
}
pub(super) fn text_100_or_null() -> utoipa::openapi::schema::Object {
    text(100, false, true, "At most 100 characters.")
}
pub(super) fn text_200_or_null() -> utoipa::openapi::schema::Object {
    text(200, false, true, "At most 200 characters.")
}
pub(super) fn text_500_or_null() -> utoipa::openapi::schema::Object {
    text(500, false, true, "At most 500 characters.")
}
pub(super) fn reason_1000() -> utoipa::openapi::schema::Object {
    text(1000, true, false, "1 to 1000 characters.")
}

/// A choice among `codes` (or null).
fn choice(codes: &[&str], nullable: bool) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let kind = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { SchemaType::new(Type::String) };
    let mut values: Vec<Option<String>> = codes.iter().map(|c| Some((*c).to_string())).collect();
    if nullable {
        values.push(None);
    }
    ObjectBuilder::new().schema_type(kind).enum_values(Some(values)).build()
}

/// Career stage codes, as the join form and the import take them.
pub(super) const CAREER_STAGES: [&str; 5] = ["student", "eit", "licensed", "retired", "other"];

pub(super) fn career_stage_or_null() -> utoipa::openapi::schema::Object {
    choice(&CAREER_STAGES, true)
}
pub(super) fn visibility_or_null() -> utoipa::openapi::schema::Object {
    choice(&["public", "members", "private"], true)
}
pub(super) fn disciplines_or_null() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, SchemaType, Type};
    let codes: Vec<&str> = guildhall_domain::csv::members::Discipline::ALL.iter().map(|d| d.as_str()).collect();
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(choice(&codes, false))
        .build()
}
