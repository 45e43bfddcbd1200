//! Staff and officers' member list and one member's page (terms, invoices, payments,
//! refunds, groups, households).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::membership::format_money;
use guildhall_app::records::{ChapterRecord, GroupRecord, MemberFilter, PageRequest, TierRecord};
use guildhall_app::{App, AppError};
use guildhall_domain::membership::{InvoiceStatus, Standing, TermState};
use serde::Deserialize;

use super::{date_text, page_number, parse_date};
use crate::kit::*;
use crate::session::{CsrfForm, SignedIn};

/// The staff member search's filters, as the search form and the API send them.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// A member number, the start of a first or last name, or part of an email address.
    #[serde(default)]
    #[param(min_length = 1, max_length = 100)]
    q: String,
    /// Part of an email address.
    #[serde(default)]
    #[param(min_length = 1, max_length = 100)]
    email: String,
    /// A standing.
    #[serde(default)]
    #[param(value_type = Option<crate::api::StandingCode>)]
    standing: String,
    /// A tier's id.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1)]
    tier: String,
    /// A chapter's id.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1)]
    chapter: String,
    /// An affinity group's id.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1)]
    group: String,
    /// A discipline code.
    #[serde(default)]
    #[param(min_length = 1, max_length = 100)]
    discipline: String,
    /// A licence jurisdiction: its name (Texas) or code (US-TX, TX).
    #[serde(default)]
    #[param(min_length = 1, max_length = 100)]
    jurisdiction: String,
    /// Membership expiring on or after this day.
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    expires_from: String,
    /// Membership expiring on or before this day.
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    expires_until: String,
    /// As typed in the address: a bad one shows the first page with a sentence.
    #[serde(default)]
    #[param(ignore)]
    page: String,
    /// After inviting: how many were invited.
    #[serde(default)]
    #[param(ignore)]
    invited: Option<usize>,
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
#[template(path = "membership/members.html")]
struct MembersPage {
    chrome: Chrome,
    heading: String,
    f: MemberQuery,
    rows: Vec<MemberRow>,
    standings: Vec<(&'static str, &'static str)>,
    /// The filter's non-empty fields, carried by the invitation form.
    filter_fields: Vec<(&'static str, String)>,
    notice: String,
    tiers: Vec<TierRecord>,
    chapters: Vec<ChapterRecord>,
    groups: Vec<GroupRecord>,
    pager: Pager,
    /// The current search as a CSV download.
    csv_href: String,
    /// Jurisdictions by code and name, offered as the licence filter types.
    jurisdictions: &'static [(&'static str, &'static str)],
}

impl MemberQuery {
    pub(super) fn filter(&self) -> Result<MemberFilter, AppError> {
        if [&self.q, &self.email, &self.discipline, &self.jurisdiction].iter().any(|s| s.chars().count() > 100) {
            return Err(AppError::invalid("Search for at most 100 characters."));
        }
        let standing = self.standing.trim();
        let standings = match standing {
            "" => vec![],
            code => {
                vec![Standing::from_code(code).ok_or_else(|| AppError::invalid("Choose a standing from the list."))?]
            }
        };
        Ok(MemberFilter {
            text: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
            email_contains: Some(self.email.clone()).filter(|s| !s.trim().is_empty()),
            tier_id: parse_id(&self.tier, "tier")?,
            standings,
            chapter_id: parse_id(&self.chapter, "chapter")?,
            group_id: parse_id(&self.group, "group")?,
            discipline: Some(self.discipline.trim().to_lowercase()).filter(|s| !s.is_empty()),
            jurisdiction: match self.jurisdiction.trim() {
                "" => None,
                typed => Some(
                    guildhall_domain::member::Jurisdiction::find(typed)
                        .map_err(|e| AppError::invalid(e.0))?
                        .as_str()
                        .to_string(),
                ),
            },
            expires_from: parse_date(&self.expires_from)?,
            expires_until: parse_date(&self.expires_until)?,
            name_prefix: None,
        })
    }

    /// The filter's fields by name, as the search form sends them.
    fn fields(&self) -> [(&'static str, &str); 10] {
        [
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
        ]
    }

    fn query_string(&self) -> String {
        query_string(&self.fields())
    }
}

pub async fn members(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<MemberQuery>,
) -> PageResult {
    let filter = q.filter()?;
    let (page_number, page_notice) = page_number(&q.page);
    let page = app.search_members(&actor, filter, PageRequest::new(page_number, 50)).await?;
    let pager = Pager::new(&page, format!("/staff/members?{}", q.query_string()));
    let chapters = app.chapters(&actor).await?;
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
            standing: m.standing.label().into(),
            standing_code: m.standing.code().into(),
            expires: date_text(m.expires_on),
            chapter: m.chapter_name.unwrap_or_default(),
        })
        .collect();
    let csv_href = match q.query_string() {
        query if query.is_empty() => "/staff/members.csv".to_string(),
        query => format!("/staff/members.csv?{query}"),
    };
    render(&MembersPage {
        chrome: Chrome::new(&app, &identity, &heading, if actor.is_staff() { "staff" } else { "chapter" })
            .await
            .in_subsection("members"),
        heading,
        filter_fields: q.fields().into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k, v.to_string())).collect(),
        notice: match (q.invited, page_notice) {
            (_, Some(notice)) => notice,
            (Some(0), None) => "Nobody was invited: every member shown has an account or an open invitation.".into(),
            (Some(1), None) => "1 member was invited by email.".into(),
            (Some(n), None) => format!("{n} members were invited by email."),
            (None, None) => String::new(),
        },
        f: q,
        rows,
        standings: Standing::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        tiers: app.tiers().await?,
        chapters,
        groups: app.groups().await?,
        pager,
        csv_href,
        jurisdictions: guildhall_domain::member::JURISDICTIONS,
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
pub(super) struct RefundDraft {
    pub payment_id: i64,
    pub amount: String,
    pub method: String,
    pub reason: String,
    pub end_term: bool,
}

#[derive(Template)]
#[template(path = "membership/member.html")]
pub(super) struct MemberPage {
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
    /// "Joined" once a term was ever paid; "Applied" for an applicant (even a declined one).
    joined_label: &'static str,
    joined: String,
    chapter: String,
    groups: String,
    /// (group id, name) of the member's groups, and of the groups they could join.
    member_groups: Vec<(i64, String)>,
    other_groups: Vec<(i64, String)>,
    /// Household and organisational links (staff only).
    links: Option<crate::membership::households::LinksView>,
    /// Whether they can sign in, or where their invitation stands (staff only).
    account: Option<String>,
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

pub(super) async fn member_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    id: i64,
    form: FormState,
    notice: String,
) -> Result<MemberPage, crate::error::HtmlError> {
    member_page_with(app, actor, identity, id, form, notice, RefundDraft::default()).await
}

pub(super) async fn member_page_with(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &crate::session::Identity,
    id: i64,
    form: FormState,
    notice: String,
    draft: RefundDraft,
) -> Result<MemberPage, crate::error::HtmlError> {
    let page = app.member_page(actor, id).await?;
    let d = &page.detail;
    let m = &d.member;
    let other_groups = page.other_groups.into_iter().map(|g| (g.id, g.name)).collect();
    let links = page.links.map(crate::membership::households::links_view);
    let paid_terms: Vec<i64> = d.terms.iter().filter(|t| t.status == TermState::Paid).map(|t| t.id).collect();
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
        standing: m.standing.label().into(),
        standing_code: m.standing.code().into(),
        expires: if d.tier.as_ref().is_some_and(|t| t.never_expires) && m.standing == Standing::Active {
            "Never: life membership".into()
        } else {
            date_text(m.expires_on)
        },
        joined_label: if d.terms.iter().any(|t| t.paid_on.is_some()) { "Joined" } else { "Applied" },
        joined: m.joined_on.to_string(),
        chapter: d.chapter_name.clone().unwrap_or_else(|| "—".into()),
        groups: d.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", "),
        member_groups: d.groups.iter().map(|g| (g.id, g.name.clone())).collect(),
        other_groups,
        links,
        account: page.account.clone(),
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
            .map(|t| {
                (
                    t.starts_on.to_string(),
                    t.ends_on.to_string(),
                    t.status.code().replace('_', " "),
                    date_text(t.paid_on),
                )
            })
            .collect(),
        invoices: d
            .invoices
            .iter()
            .map(|i| InvoiceRow {
                id: i.id,
                issued: i.issued_on.to_string(),
                description: i.description.clone(),
                amount: format_money(i.amount_cents),
                status: i.status.code().into(),
                open: i.status == InvoiceStatus::Open,
            })
            .collect(),
        payments,
        refunds,
        refund_methods: guildhall_app::membership::payments::REFUND_METHODS.to_vec(),
        draft,
        name,
    })
}

pub async fn member(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<crate::kit::DoneQuery>,
) -> PageResult {
    let notice = crate::kit::notice_for(q.done());
    render(&member_page(&app, &actor, &identity, id, FormState::default(), notice).await?)
}

/// Invites the members a search shows who have no account and no open invitation.
pub async fn invite(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(q): CsrfForm<MemberQuery>,
) -> PageResult {
    let filter = q.filter()?;
    let invited = app.invite_members(&actor, &filter, &identity.request_id).await?;
    let back = q.query_string();
    let separator = if back.is_empty() { "" } else { "&" };
    Ok(Redirect::to(&format!("/staff/members?{back}{separator}invited={invited}")).into_response())
}

/// `/staff/members.csv`: every member the search finds (staff; officers their chapter).
pub async fn members_csv(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Query(q): Query<MemberQuery>,
) -> PageResult {
    let bytes = app.export_member_search(&actor, q.filter()?).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"members.csv\""),
        ],
        bytes,
    )
        .into_response())
}
