//! Membership pages: renewal and payment, the directory, member search and detail.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::membership::{STANDINGS, format_money, standing_label};
use guildhall_app::records::{ChapterRecord, GroupRecord, MemberFilter, MemberSummary, PageRequest, TierRecord};
use guildhall_app::{App, AppError};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use crate::pages::{Chrome, FormState, PageResult, Pager, query_string, render, rerender};
use crate::session::{CsrfForm, SignedIn};

fn parse_date(raw: &str) -> Result<Option<Date>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| AppError::invalid(format!("{raw:?} is not a date; use YYYY-MM-DD.")))
}

fn parse_id(raw: &str, what: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| AppError::invalid(format!("Choose a {what} from the list.")))
}

fn date_text(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// What the dashboard's membership card shows.
pub struct CardView {
    pub member_number: String,
    pub tier: String,
    pub standing: String,
    pub standing_code: String,
    pub expires: String,
    pub chapter: String,
    pub groups: String,
    pub licences: String,
    pub open_invoice: Option<i64>,
    pub can_renew: bool,
    pub renewal_dues: String,
    pub window_note: String,
}

pub async fn card_view(app: &App, actor: &guildhall_app::Actor) -> Result<Option<CardView>, AppError> {
    let Some(card) = app.my_membership(actor).await? else { return Ok(None) };
    let window_note = match (card.member.standing.as_str(), card.window_opens_on) {
        _ if card.paid_by.is_some() => {
            format!(
                "Your membership is paid by {}; they renew it for you.",
                card.paid_by.as_deref().unwrap_or_default()
            )
        }
        ("active", Some(opens)) => format!("Renewal opens on {opens}."),
        ("lapsed", _) => "Your membership has lapsed; contact the society office to be reinstated.".into(),
        _ => String::new(),
    };
    Ok(Some(CardView {
        member_number: card.member.member_number.clone(),
        tier: card.tier.name.clone(),
        standing: standing_label(&card.member.standing).into(),
        standing_code: card.member.standing.clone(),
        expires: date_text(card.member.expires_on),
        chapter: card.chapter_name.clone().unwrap_or_else(|| "—".into()),
        groups: card.group_names.join(", "),
        licences: card
            .licences
            .iter()
            .map(|l| format!("{} {} {}", l.jurisdiction, l.kind, l.number))
            .collect::<Vec<_>>()
            .join(", "),
        open_invoice: card.open_invoice_id,
        can_renew: card.can_renew,
        renewal_dues: format_money(card.renewal_dues_cents),
        window_note,
    }))
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn renew(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let invoice = app.start_renewal(&actor).await?;
    Ok(Redirect::to(&format!("/invoices/{}/pay", invoice.id)).into_response())
}

#[derive(Template)]
#[template(path = "pay.html")]
struct PayPage {
    chrome: Chrome,
    form: FormState,
    invoice_id: i64,
    description: String,
    amount: String,
    provider_note: String,
}

const DEMO_PROVIDER_NOTE: &str = "Card payments are handled by the society's payment provider. This installation \
    uses the built-in test provider: no card is charged and the payment is recorded at once.";

pub async fn pay_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let invoice = app.payable_invoice(&actor, id).await?;
    render(&PayPage {
        chrome: Chrome::new(&app, &identity, "Pay your invoice", "dashboard").await,
        form: FormState::default(),
        invoice_id: invoice.id,
        description: invoice.description,
        amount: format_money(invoice.amount_cents),
        provider_note: DEMO_PROVIDER_NOTE.into(),
    })
}

pub async fn pay(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    // The test provider confirms at once; a real provider sends the member to its own
    // page and settles the invoice through its webhook.
    match app.start_card_payment(&actor, id).await? {
        guildhall_app::payments::CardPayment::Paid => Ok(Redirect::to("/dashboard?renewed=1").into_response()),
        guildhall_app::payments::CardPayment::Redirect(url) => Ok(Redirect::to(&url).into_response()),
    }
}

pub struct DirectoryRow {
    name: String,
    chapter: String,
    employer: String,
    city: String,
    disciplines: String,
}

fn visible(visibility: &str, field: &str) -> bool {
    serde_json::from_str::<std::collections::BTreeMap<String, String>>(visibility)
        .ok()
        .and_then(|v| v.get(field).cloned())
        .is_none_or(|level| level != "private")
}

fn directory_row(m: MemberSummary) -> DirectoryRow {
    let show = |field: &str, value: &str| if visible(&m.visibility, field) { value.to_string() } else { String::new() };
    DirectoryRow {
        name: format!("{} {}", m.first_name, m.last_name),
        chapter: m.chapter_name.clone().unwrap_or_default(),
        employer: show("employer", &m.employer),
        city: show("city", &m.city),
        disciplines: show("disciplines", &m.disciplines.replace(';', ", ")),
    }
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    rows: Vec<DirectoryRow>,
    chapters: Vec<ChapterRecord>,
    q: String,
    chapter: i64,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    page: Option<u32>,
}

pub async fn directory(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DirectoryQuery>,
) -> PageResult {
    if q.q.chars().count() > 100 {
        return Err(AppError::invalid("Search for at most 100 characters.").into());
    }
    let chapter = parse_id(&q.chapter, "chapter")?;
    let page = app
        .directory(
            &actor,
            Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
            chapter,
            PageRequest::new(q.page.unwrap_or(1), 25),
        )
        .await?;
    let pager = Pager::new(&page, format!("/directory?{}", query_string(&[("q", &q.q), ("chapter", &q.chapter)])));
    render(&DirectoryPage {
        chrome: Chrome::new(&app, &identity, "Member directory", "directory").await,
        rows: page.items.into_iter().map(directory_row).collect(),
        chapters: app.reference().await?.chapters.clone(),
        q: q.q,
        chapter: chapter.unwrap_or(0),
        pager,
    })
}

#[derive(Deserialize, Default)]
pub struct MemberQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    standing: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    chapter: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    expires_from: String,
    #[serde(default)]
    expires_until: String,
    #[serde(default)]
    page: Option<u32>,
}

pub struct MemberRow {
    id: i64,
    name: String,
    number: String,
    tier: String,
    standing: String,
    standing_code: String,
    expires: String,
    chapter: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    chrome: Chrome,
    heading: String,
    f: MemberQuery,
    rows: Vec<MemberRow>,
    standings: Vec<(&'static str, &'static str)>,
    tiers: Vec<TierRecord>,
    chapters: Vec<ChapterRecord>,
    groups: Vec<GroupRecord>,
    pager: Pager,
}

impl MemberQuery {
    fn filter(&self) -> Result<MemberFilter, AppError> {
        if [&self.q, &self.email, &self.discipline, &self.jurisdiction].iter().any(|s| s.chars().count() > 100) {
            return Err(AppError::invalid("Search for at most 100 characters."));
        }
        let standing = self.standing.trim();
        if !standing.is_empty() && !STANDINGS.contains(&standing) {
            return Err(AppError::invalid("Choose a standing from the list."));
        }
        Ok(MemberFilter {
            name_prefix: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
            email_contains: Some(self.email.clone()).filter(|s| !s.trim().is_empty()),
            tier_id: parse_id(&self.tier, "tier")?,
            standings: if standing.is_empty() { vec![] } else { vec![standing.to_string()] },
            chapter_id: parse_id(&self.chapter, "chapter")?,
            group_id: parse_id(&self.group, "group")?,
            discipline: Some(self.discipline.trim().to_lowercase()).filter(|s| !s.is_empty()),
            jurisdiction: Some(self.jurisdiction.trim().to_uppercase()).filter(|s| !s.is_empty()),
            expires_from: parse_date(&self.expires_from)?,
            expires_until: parse_date(&self.expires_until)?,
        })
    }

    fn query_string(&self) -> String {
        query_string(&[
            ("q", &self.q),
            ("email", &self.email),
            ("standing", &self.standing),
            ("tier", &self.tier),
            ("chapter", &self.chapter),
            ("group", &self.group),
            ("discipline", &self.discipline),
            ("jurisdiction", &self.jurisdiction),
            ("expires_from", &self.expires_from),
            ("expires_until", &self.expires_until),
        ])
    }
}

pub async fn members(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<MemberQuery>,
) -> PageResult {
    let filter = q.filter()?;
    let page = app.search_members(&actor, filter, PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    let pager = Pager::new(&page, format!("/staff/members?{}", q.query_string()));
    let chapters = app.store.list_chapters().await.map_err(AppError::from)?;
    let heading = if actor.is_staff() {
        "Members".to_string()
    } else {
        let own = actor.officer_of.first().and_then(|id| chapters.iter().find(|c| c.id == *id));
        format!("{} roster", own.map(|c| c.name.as_str()).unwrap_or("Chapter"))
    };
    let rows = page
        .items
        .into_iter()
        .map(|m| MemberRow {
            id: m.id,
            name: format!("{}, {}", m.last_name, m.first_name),
            number: m.member_number,
            tier: m.tier_name,
            standing: standing_label(&m.standing).into(),
            standing_code: m.standing,
            expires: date_text(m.expires_on),
            chapter: m.chapter_name.unwrap_or_default(),
        })
        .collect();
    render(&MembersPage {
        chrome: Chrome::new(&app, &identity, &heading, if actor.is_staff() { "staff" } else { "chapter" })
            .await
            .in_subsection("members"),
        heading,
        f: q,
        rows,
        standings: STANDINGS.iter().map(|s| (*s, standing_label(s))).collect(),
        tiers: app.tiers().await?,
        chapters,
        groups: app.groups().await?,
        pager,
    })
}

pub struct InvoiceRow {
    id: i64,
    issued: String,
    description: String,
    amount: String,
    status: String,
    open: bool,
}

pub struct PaymentRow {
    id: i64,
    invoice_id: i64,
    received: String,
    method: String,
    reference: String,
    amount: String,
    refunded: String,
    /// What is left to refund, as the amount field's default ("" when nothing is).
    refundable: String,
    /// The invoice's term is paid up, so a refund may end it.
    can_end_term: bool,
}

pub struct RefundRow {
    payment_id: i64,
    refunded_on: String,
    amount: String,
    method: String,
    reason: String,
    ended_term: bool,
}

/// What the refund form sent, to show it again with its messages.
#[derive(Default)]
pub struct RefundDraft {
    payment_id: i64,
    amount: String,
    method: String,
    reason: String,
    end_term: bool,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    member_id: i64,
    name: String,
    number: String,
    tier: String,
    standing: String,
    standing_code: String,
    expires: String,
    joined: String,
    chapter: String,
    groups: String,
    /// (group id, name) of the member's groups, and of the groups they could join.
    member_groups: Vec<(i64, String)>,
    other_groups: Vec<(i64, String)>,
    /// Household and organisational links (staff only).
    links: Option<crate::manage_pages::LinksView>,
    email: String,
    phone: String,
    employer: String,
    job_title: String,
    career_stage: String,
    disciplines: String,
    licences: Vec<String>,
    /// (from, to, status, paid on)
    terms: Vec<(String, String, String, String)>,
    invoices: Vec<InvoiceRow>,
    payments: Vec<PaymentRow>,
    refunds: Vec<RefundRow>,
    refund_methods: Vec<(&'static str, &'static str)>,
    draft: RefundDraft,
}

async fn member_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    id: i64,
    form: FormState,
    notice: String,
) -> Result<MemberPage, crate::error::HtmlError> {
    member_page_with(app, actor, identity, id, form, notice, RefundDraft::default()).await
}

async fn member_page_with(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    id: i64,
    form: FormState,
    notice: String,
    draft: RefundDraft,
) -> Result<MemberPage, crate::error::HtmlError> {
    let d = app.member_detail(actor, id).await?;
    let m = &d.member;
    let other_groups = if actor.is_staff() {
        app.groups()
            .await?
            .into_iter()
            .filter(|g| !d.groups.iter().any(|mine| mine.id == g.id))
            .map(|g| (g.id, g.name))
            .collect()
    } else {
        Vec::new()
    };
    let links = if actor.is_staff() { Some(crate::manage_pages::links_view(app, actor, id).await?) } else { None };
    let paid_terms: Vec<i64> = d.terms.iter().filter(|t| t.status == "paid").map(|t| t.id).collect();
    let payments = d
        .payments
        .iter()
        .map(|p| {
            let term = d.invoices.iter().find(|i| i.id == p.invoice_id).and_then(|i| i.term_id);
            let left = p.amount_cents - p.refunded_cents;
            PaymentRow {
                id: p.id,
                invoice_id: p.invoice_id,
                received: p.received_on.to_string(),
                method: p.method.clone(),
                reference: p.reference.clone(),
                amount: format_money(p.amount_cents),
                refunded: if p.refunded_cents > 0 { format_money(p.refunded_cents) } else { String::new() },
                refundable: if left > 0 { format!("{}.{:02}", left / 100, left % 100) } else { String::new() },
                can_end_term: term.is_some_and(|t| paid_terms.contains(&t)),
            }
        })
        .collect();
    let refunds = d
        .refunds
        .iter()
        .map(|r| RefundRow {
            payment_id: r.payment_id,
            refunded_on: r.refunded_on.to_string(),
            amount: format_money(r.amount_cents),
            method: r.method.clone(),
            reason: r.reason.clone(),
            ended_term: r.ended_term,
        })
        .collect();
    let name = format!("{} {}", m.first_name, m.last_name);
    Ok(MemberPage {
        chrome: Chrome::new(app, identity, &name, if actor.is_staff() { "staff" } else { "chapter" })
            .await
            .in_subsection("members"),
        form,
        notice,
        member_id: m.id,
        number: m.member_number.clone(),
        tier: d.tier.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
        standing: standing_label(&m.standing).into(),
        standing_code: m.standing.clone(),
        expires: date_text(m.expires_on),
        joined: m.joined_on.to_string(),
        chapter: d.chapter_name.clone().unwrap_or_else(|| "—".into()),
        groups: d.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", "),
        member_groups: d.groups.iter().map(|g| (g.id, g.name.clone())).collect(),
        other_groups,
        links,
        email: m.email.clone(),
        phone: m.phone.clone(),
        employer: m.employer.clone(),
        job_title: m.job_title.clone(),
        career_stage: m.career_stage.clone(),
        disciplines: m.disciplines.replace(';', ", "),
        licences: d
            .licences
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} (first issued {}, expires {})",
                    l.jurisdiction,
                    l.kind,
                    l.number,
                    l.first_issued,
                    date_text(l.expires_on)
                )
            })
            .collect(),
        terms: d
            .terms
            .iter()
            .map(|t| (t.starts_on.to_string(), t.ends_on.to_string(), t.status.replace('_', " "), date_text(t.paid_on)))
            .collect(),
        invoices: d
            .invoices
            .iter()
            .map(|i| InvoiceRow {
                id: i.id,
                issued: i.issued_on.to_string(),
                description: i.description.clone(),
                amount: format_money(i.amount_cents),
                status: i.status.clone(),
                open: i.status == "open",
            })
            .collect(),
        payments,
        refunds,
        refund_methods: guildhall_app::payments::REFUND_METHODS.to_vec(),
        draft,
        name,
    })
}

pub async fn member(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<crate::manage_pages::DoneQuery>,
) -> PageResult {
    let notice = crate::manage_pages::notice_for(q.done());
    render(&member_page(&app, &actor, &identity, id, FormState::default(), notice).await?)
}

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    reference: String,
}

pub async fn record_payment(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member_id, invoice_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<PaymentForm>,
) -> PageResult {
    let invoice = app.store.invoice_by_id(invoice_id).await.map_err(AppError::from)?;
    if invoice.as_ref().map(|i| i.member_id) != Some(member_id) {
        return Err(AppError::NotFound("That invoice does not belong to this member.".into()).into());
    }
    match app.record_offline_payment(&actor, invoice_id, &form.method, &form.reference, &identity.request_id).await {
        Ok(()) => render(
            &member_page(&app, &actor, &identity, member_id, FormState::default(), "The payment was recorded.".into())
                .await?,
        ),
        Err(err @ AppError::Validation { .. }) => rerender(
            &member_page(&app, &actor, &identity, member_id, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    end_term: String,
}

pub async fn record_refund(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((member_id, payment_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> PageResult {
    let request = guildhall_app::payments::RefundRequest {
        amount: form.amount.clone(),
        method: form.method.clone(),
        reason: form.reason.clone(),
        end_term: !form.end_term.is_empty(),
    };
    match app.record_refund(&actor, member_id, payment_id, &request, &identity.request_id).await {
        Ok(()) => render(
            &member_page(&app, &actor, &identity, member_id, FormState::default(), "The refund was recorded.".into())
                .await?,
        ),
        Err(err @ AppError::Validation { .. }) => {
            let draft = RefundDraft {
                payment_id,
                amount: form.amount,
                method: form.method,
                reason: form.reason,
                end_term: request.end_term,
            };
            rerender(
                &member_page_with(
                    &app,
                    &actor,
                    &identity,
                    member_id,
                    FormState::from_error(&err),
                    String::new(),
                    draft,
                )
                .await?,
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}

pub struct ReportView {
    slug: &'static str,
    title: String,
    chart: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    reports: Vec<ReportView>,
}

/// The reports in page order with their URL names.
fn named_reports(r: guildhall_app::reports::Reports) -> Vec<(&'static str, guildhall_app::reports::ReportTable)> {
    vec![
        ("by-standing", r.by_standing),
        ("by-tier", r.by_tier),
        ("by-chapter", r.by_chapter),
        ("activity", r.activity),
        ("retention", r.retention),
    ]
}

pub async fn reports(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    use crate::charts::{Series, bar_chart, format_count, grouped_bars, line_chart};
    let reports = named_reports(app.reports(&actor).await?)
        .into_iter()
        .map(|(slug, table)| {
            let labels: Vec<String> = table.rows.iter().map(|(l, _)| l.clone()).collect();
            let series = |i: usize| -> Vec<i64> {
                table.rows.iter().map(|(_, v)| v.get(i).copied().unwrap_or(0).max(0)).collect()
            };
            let chart = match slug {
                "activity" => line_chart(
                    &table.title,
                    &labels,
                    &(1..table.columns.len())
                        .map(|i| Series::new(table.columns[i].clone(), series(i - 1)))
                        .collect::<Vec<_>>(),
                ),
                "retention" => grouped_bars(
                    &table.title,
                    &labels,
                    &(1..table.columns.len())
                        .map(|i| Series::new(table.columns[i].clone(), series(i - 1)))
                        .collect::<Vec<_>>(),
                ),
                _ => bar_chart(&table.title, &labels, &series(0)),
            };
            ReportView {
                slug,
                chart,
                rows: table
                    .rows
                    .iter()
                    .map(|(l, v)| {
                        (
                            l.clone(),
                            v.iter().map(|n| if *n < 0 { "not yet".to_string() } else { format_count(*n) }).collect(),
                        )
                    })
                    .collect(),
                columns: table.columns,
                title: table.title,
            }
        })
        .collect();
    render(&ReportsPage {
        chrome: Chrome::new(&app, &identity, "Membership reports", "staff").await.in_subsection("reports"),
        reports,
    })
}

pub async fn report_csv(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(file): Path<String>,
) -> PageResult {
    let slug = file.strip_suffix(".csv").unwrap_or(&file);
    let table = named_reports(app.reports(&actor).await?)
        .into_iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, t)| t)
        .ok_or_else(|| AppError::NotFound("There is no such report.".into()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{slug}.csv\"")),
        ],
        table.to_csv(),
    )
        .into_response())
}

pub struct ApplicationRow {
    term_id: i64,
    member_id: i64,
    name: String,
    number: String,
    tier: String,
    dues: String,
    chapter: String,
    applied: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    chrome: Chrome,
    rows: Vec<ApplicationRow>,
    notice: String,
}

async fn approvals_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    notice: String,
) -> PageResult {
    let rows = app
        .pending_applications(actor)
        .await?
        .into_iter()
        .map(|a| ApplicationRow {
            term_id: a.term_id,
            member_id: a.member_id,
            name: format!("{} {}", a.first_name, a.last_name),
            number: a.member_number,
            tier: a.tier_name,
            dues: format_money(a.annual_dues_cents),
            chapter: a.chapter_name.unwrap_or_default(),
            applied: a.applied_on.to_string(),
        })
        .collect();
    render(&ApprovalsPage {
        chrome: Chrome::new(app, identity, "Approvals", "staff").await.in_subsection("approvals"),
        rows,
        notice,
    })
}

pub async fn approvals(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    approvals_page(&app, &actor, &identity, String::new()).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
}

pub async fn decide(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(term_id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::invalid("Choose Approve or Reject.").into()),
    };
    app.decide_application(&actor, term_id, approve, &identity.request_id).await?;
    let notice = if approve { "Approved: the first invoice has been raised." } else { "The application was rejected." };
    approvals_page(&app, &actor, &identity, notice.into()).await
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    heading: String,
    action: String,
    full: bool,
    /// The fields this person may change (all of them with the full scope).
    scope: guildhall_app::profile::EditScope,
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
    scope: guildhall_app::profile::EditScope,
    form: FormState,
    notice: String,
) -> ProfilePage {
    let full = scope == guildhall_app::profile::EditScope::Full;
    let officer_note = match scope {
        guildhall_app::profile::EditScope::Officer(fields) if fields.names().is_empty() => {
            "Staff have not allowed chapter officers to change members' profiles.".to_string()
        }
        guildhall_app::profile::EditScope::Officer(fields) => format!(
            "As a chapter officer you can update this member's {}{} (the fields staff allow officers to edit); \
             the rest, and their privacy choices, are theirs and the society's to change.",
            if fields == guildhall_app::profile::OfficerFields::DEFAULT { "contact and work details: " } else { "" },
            fields.labels().join(", ").to_lowercase()
        ),
        guildhall_app::profile::EditScope::Full => String::new(),
    };
    use guildhall_app::profile::{VISIBILITY_LEVELS, VISIBLE_FIELDS};
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
        disciplines: guildhall_domain::member_csv::Discipline::ALL
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

fn profile_form(pairs: Vec<(String, String)>) -> guildhall_app::profile::ProfileForm {
    let mut form = guildhall_app::profile::ProfileForm::default();
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
    let chrome = Chrome::new(&app, &identity, "Your profile", "dashboard").await;
    render(&profile_page(
        chrome,
        guildhall_app::records::MemberProfile::from(&member),
        true,
        member.id,
        guildhall_app::profile::EditScope::Full,
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

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    problems: Vec<String>,
}

pub async fn import_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    actor.require(guildhall_app::Permission::StaffArea)?;
    render(&ImportPage {
        chrome: Chrome::new(&app, &identity, "Import members", "staff").await.in_subsection("import"),
        form: FormState::default(),
        notice: String::new(),
        problems: Vec::new(),
    })
}

/// The upload carries its CSRF token in the query string: a multipart body cannot be
/// checked before it is read, and the token must be checked before anything is done.
pub async fn import_upload(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<crate::session::CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    crate::session::check_csrf(&q, &identity)?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::invalid(format!("The upload could not be read: {}", e.body_text()))
    };
    let (mut file, mut mapping, mut dry_run) = (None, None, false);
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(unreadable)?),
            "mapping" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                if !bytes.is_empty() {
                    mapping = Some(
                        String::from_utf8(bytes.to_vec())
                            .map_err(|_| AppError::invalid("The mapping file is not UTF-8 text."))?,
                    );
                }
            }
            "dry_run" => dry_run = true,
            _ => {}
        }
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::invalid_field("file", "Choose a CSV file to import."))?;
    let progress = |_: &str, _: usize, _: usize| {};
    let chrome = Chrome::new(&app, &identity, "Import members", "staff").await.in_subsection("import");
    match app.import_members_as(&actor, &file, mapping.as_deref(), dry_run, &progress, &identity.request_id).await {
        Ok(report) => {
            let notice = if report.dry_run {
                format!(
                    "All {} rows are valid. Nothing was imported: untick \u{201c}Only check the file\u{201d} to import them.",
                    report.rows
                )
            } else {
                format!("Imported {} members.", report.imported)
            };
            render(&ImportPage { chrome, form: FormState::default(), notice, problems: Vec::new() })
        }
        Err(err @ AppError::Validation { .. }) => {
            let problems = match &err {
                AppError::Validation { fields, .. } => fields.values().take(500).cloned().collect(),
                _ => Vec::new(),
            };
            let mut form = FormState::from_error(&err);
            form.fields.clear();
            rerender(&ImportPage { chrome, form, notice: String::new(), problems }, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    tier_id: String,
    #[serde(default)]
    chapter_id: String,
    #[serde(default)]
    career_stage: String,
    #[serde(default)]
    licence_jurisdiction: String,
    #[serde(default)]
    licence_kind: String,
    #[serde(default)]
    licence_number: String,
    #[serde(default)]
    licence_first_issued: String,
    #[serde(default)]
    licence_expires: String,
    #[serde(default)]
    enrolment_institution: String,
    #[serde(default)]
    enrolment_starts: String,
    #[serde(default)]
    enrolment_completion: String,
}

/// A text input on the join form.
pub struct JoinField {
    name: &'static str,
    label: &'static str,
    value: String,
    hint: &'static str,
    max: usize,
    required: bool,
}

fn join_field(name: &'static str, label: &'static str, value: &str, hint: &'static str, max: usize) -> JoinField {
    JoinField { name, label, value: value.to_string(), hint, max, required: false }
}

pub struct TierChoice {
    id: String,
    label: String,
    note: String,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    chrome: Chrome,
    form: FormState,
    f: JoinForm,
    name_fields: Vec<JoinField>,
    licence_fields: Vec<JoinField>,
    licence_fields2: Vec<JoinField>,
    enrolment_fields: Vec<JoinField>,
    tiers: Vec<TierChoice>,
    chapters: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str)>,
    licence_kinds: Vec<(&'static str, &'static str)>,
}

async fn join_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    f: JoinForm,
    form: FormState,
) -> Result<Result<JoinPage, axum::response::Response>, crate::error::HtmlError> {
    let options = match app.join_options(actor).await {
        Ok(options) => options,
        Err(AppError::Validation { .. }) => return Ok(Err(Redirect::to("/dashboard").into_response())),
        Err(err) => return Err(err.into()),
    };
    let tiers = options
        .tiers
        .iter()
        .map(|t| TierChoice {
            id: t.id.to_string(),
            label: format!("{} ({} a year)", t.name, format_money(t.annual_dues_cents)),
            note: if t.requires_approval { "needs staff approval".into() } else { String::new() },
        })
        .collect();
    let date = "YYYY-MM-DD";
    Ok(Ok(JoinPage {
        chrome: Chrome::new(app, identity, "Become a member", "dashboard").await,
        form,
        name_fields: vec![
            JoinField { required: true, ..join_field("first_name", "First name", &f.first_name, "", 100) },
            JoinField { required: true, ..join_field("last_name", "Last name", &f.last_name, "", 100) },
        ],
        licence_fields: vec![join_field(
            "licence_jurisdiction",
            "Jurisdiction",
            &f.licence_jurisdiction,
            "For example US-TX or CA-ON.",
            6,
        )],
        licence_fields2: vec![
            join_field("licence_number", "Licence number", &f.licence_number, "", 30),
            join_field("licence_first_issued", "First issued", &f.licence_first_issued, date, 10),
            join_field("licence_expires", "Expires", &f.licence_expires, "YYYY-MM-DD; empty if not recorded.", 10),
        ],
        enrolment_fields: vec![
            join_field("enrolment_institution", "School or programme", &f.enrolment_institution, "", 200),
            join_field("enrolment_starts", "Started", &f.enrolment_starts, date, 10),
            join_field(
                "enrolment_completion",
                "Expected completion",
                &f.enrolment_completion,
                "YYYY-MM-DD; empty if not known.",
                10,
            ),
        ],
        f,
        tiers,
        chapters: options
            .chapters
            .iter()
            .map(|c| {
                let supplement = if c.dues_supplement_cents > 0 {
                    format!(" (+{} chapter dues)", format_money(c.dues_supplement_cents))
                } else {
                    String::new()
                };
                (c.id.to_string(), format!("{}{supplement}", c.name))
            })
            .collect(),
        stages: vec![
            ("student", "Student"),
            ("eit", "Engineer in training / intern"),
            ("licensed", "Licensed engineer"),
            ("retired", "Retired"),
            ("other", "Other"),
        ],
        licence_kinds: vec![
            ("PE", "Professional Engineer (PE)"),
            ("SE", "Structural Engineer (SE)"),
            ("PLS", "Professional Land Surveyor (PLS)"),
        ],
    }))
}

/// The join page: for signed-in people without a member record (members go to their dashboard).
pub async fn join_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    // "Maya Okafor, PE" → Maya / Okafor: a starting point the applicant can correct.
    let name = actor.display_name.split(',').next().unwrap_or("").trim();
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    let defaults = JoinForm { first_name: first.into(), last_name: last.trim().into(), ..Default::default() };
    match join_page(&app, &actor, &identity, defaults, FormState::default()).await? {
        Ok(page) => render(&page),
        Err(redirect) => Ok(redirect),
    }
}

pub async fn join(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> PageResult {
    let request = guildhall_app::joining::JoinRequest {
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        tier_id: f.tier_id.clone(),
        chapter_id: f.chapter_id.clone(),
        career_stage: f.career_stage.clone(),
        licence_jurisdiction: f.licence_jurisdiction.clone(),
        licence_kind: f.licence_kind.clone(),
        licence_number: f.licence_number.clone(),
        licence_first_issued: f.licence_first_issued.clone(),
        licence_expires: f.licence_expires.clone(),
        enrolment_institution: f.enrolment_institution.clone(),
        enrolment_starts: f.enrolment_starts.clone(),
        enrolment_completion: f.enrolment_completion.clone(),
    };
    match app.join(&actor, &request).await {
        Ok(guildhall_app::joining::Joined::InvoiceRaised(invoice)) => {
            Ok(Redirect::to(&format!("/invoices/{invoice}/pay")).into_response())
        }
        Ok(guildhall_app::joining::Joined::AwaitingApproval) => {
            Ok(Redirect::to("/dashboard?applied=1").into_response())
        }
        Err(err @ AppError::Validation { .. }) => {
            match join_page(&app, &actor, &identity, f, FormState::from_error(&err)).await? {
                Ok(page) => rerender(&page, &err),
                Err(redirect) => Ok(redirect),
            }
        }
        Err(err) => Err(err.into()),
    }
}
