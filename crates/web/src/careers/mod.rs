//! Career centre pages: the job search (with "jobs I qualify for" for members), a job's page,
//! an employer's public page; employers' own pages; staff's review of jobs.
//!
//! Files: `mod.rs` (routes, the public pages), `alerts.rs` (job alerts: saving a search,
//! confirming, the account's alerts, stopping one), `applications.rs` (applying, the member's
//! applications, the employer's applicants and their stages), `bank.rs` (the resume bank: the
//! member's entry and invitations, their resume as JSON Resume and PDF, the employers' search,
//! access and invitations), `employer.rs` (employer accounts, their jobs
//! and recruiters), `orders.rs` (paying for any careers product — a job's run, the resume
//! bank's access: on to the pay page after an order, the pay page, the payment), `staff.rs` (the review queue, a review, taking a job down; posting
//! products), `salary.rs` (the salary survey, the benchmark with its CSV, you vs peers, the
//! estimate, staff's survey administration), `api_jobs.rs` (the jobs API: search, a job, writing one, applying),
//! `api_bank.rs` (the resume bank's API for employers with access: the search, one entry),
//! `api_salary.rs` (the benchmark's JSON API), `tokens.rs` (an employer's API tokens: issuing,
//! revoking after confirmation).

mod alerts;
pub mod api_bank;
pub mod api_jobs;
pub mod api_salary;
mod applications;
mod bank;
mod employer;
mod orders;
pub mod salary;
mod staff;
mod tokens;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use guildhall_app::careers::{EmployerView, JobView};
use guildhall_app::records::{JobCardRecord, PageRequest};
use guildhall_app::{App, AppError};
use guildhall_domain::careers::{JobFilter, JobState, Met, RemotePolicy, Verdict};
use guildhall_domain::csv::members::{Discipline, career_stage_code};
use guildhall_domain::member::{CareerStage, JURISDICTIONS, LicenceKind};

use crate::kit::*;
use crate::session::Identity;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/jobs", get(search))
        .route("/jobs/feed.atom", get(feed))
        .route("/jobs/{id}", get(job))
        .route("/employers/{id}", get(employer_page))
        .merge(alerts::routes())
        .merge(applications::routes())
        .merge(bank::routes())
        .merge(employer::routes())
        .merge(orders::routes())
        .merge(staff::routes())
        .merge(tokens::routes())
        .merge(salary::routes())
}

/// The career stages a job is for, with their codes.
pub(crate) fn stage_choices() -> Vec<(&'static str, &'static str)> {
    [
        (CareerStage::Student, "Student or intern"),
        (CareerStage::EngineerInTraining, "Engineer in training (EIT)"),
        (CareerStage::Licensed, "Licensed engineer"),
        (CareerStage::Other, "Other"),
    ]
    .into_iter()
    .map(|(s, label)| (career_stage_code(s), label))
    .collect()
}

/// A career stage's code in words.
pub(crate) fn stage_label(code: &str) -> &'static str {
    stage_choices().into_iter().find(|(c, _)| *c == code).map_or("Any stage", |(_, label)| label)
}

pub(crate) fn discipline_choices() -> Vec<(&'static str, String)> {
    Discipline::ALL
        .iter()
        .map(|d| {
            let code = d.as_str();
            let mut chars = code.chars();
            (code, chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default())
        })
        .collect()
}

pub(crate) fn remote_choices() -> Vec<(&'static str, &'static str)> {
    RemotePolicy::ALL.iter().map(|r| (r.code(), r.label())).collect()
}

/// Jurisdictions (code, name) for the location and requirement choices.
pub(crate) fn jurisdiction_choices() -> Vec<(&'static str, &'static str)> {
    JURISDICTIONS.to_vec()
}

/// What a job's state reads as to its employer and staff.
pub(crate) fn state_words(state: JobState) -> String {
    match state {
        JobState::Draft => "Draft: only your recruiters see it".into(),
        JobState::WaitingForReview => "Waiting for the society's review".into(),
        JobState::NotApproved => "Not approved: change it and send it again".into(),
        JobState::Approved => "Approved, not yet advertised".into(),
        JobState::Live => "Advertised".into(),
        JobState::Expired => "Expired".into(),
        JobState::Closed(reason) => format!("Closed: {}", reason.label().to_lowercase()),
    }
}

#[derive(Template)]
#[template(path = "careers/jobs.html")]
struct SearchPage {
    chrome: Chrome,
    filter: JobFilter,
    jobs: Vec<JobCardRecord>,
    pager: Pager,
    can_match: bool,
    signed_in: bool,
    form: FormState,
    values: Vec<(String, String)>,
    disciplines: Vec<(&'static str, String)>,
    stages: Vec<(&'static str, &'static str)>,
    remotes: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(&'static str, &'static str)>,
    licences: Vec<(&'static str, &'static str)>,
}

impl SearchPage {
    /// The filters for the feed's address (without "jobs I qualify for": a feed has no
    /// session).
    fn feed_query(&self) -> String {
        let pairs: Vec<(&str, String)> =
            self.filter.to_pairs().into_iter().filter(|(k, _)| !matches!(*k, "qualified" | "comity")).collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The filters for a job alert.
    fn alert_query(&self) -> String {
        serde_urlencoded::to_string(self.filter.to_pairs()).unwrap_or_default()
    }

    /// The value typed for a filter (kept when the search is refused).
    fn value(&self, name: &str) -> &str {
        self.values.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

async fn search(
    State(app): State<Arc<App>>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let page = pairs.iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
    let chrome = Chrome::new(&app, &identity, "Jobs", "jobs").await;
    let mut view = SearchPage {
        chrome,
        filter: JobFilter::default(),
        jobs: Vec::new(),
        pager: Pager::from_parts(1, 1, 0, "/jobs".into()),
        can_match: false,
        signed_in: identity.actor.is_some(),
        form: FormState::default(),
        values: pairs.clone(),
        disciplines: discipline_choices(),
        stages: stage_choices(),
        remotes: remote_choices(),
        jurisdictions: jurisdiction_choices(),
        licences: LicenceKind::choices(),
    };
    match app
        .search_jobs(identity.actor.as_ref(), &pairs, PageRequest::new(page, guildhall_app::careers::JOBS_A_PAGE))
        .await
    {
        Ok(result) => {
            let query = serde_urlencoded::to_string(result.filter.to_pairs()).unwrap_or_default();
            let base = if query.is_empty() { "/jobs".to_string() } else { format!("/jobs?{query}") };
            view.pager = Pager::new(&result.jobs, base);
            view.jobs = result.jobs.items;
            view.filter = result.filter;
            view.can_match = result.can_match;
            render(&view)
        }
        Err(AppError::Unauthenticated) => {
            let asked = format!("/jobs?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default());
            Ok(Redirect::to(&sign_in_path(&asked)).into_response())
        }
        Err(err @ AppError::Validation { .. }) => {
            view.form = FormState::from_error(&err);
            rerender(&view, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "careers/job.html")]
struct JobPage {
    chrome: Chrome,
    view: JobView,
    state: String,
    stage: &'static str,
    /// Each requirement in words with how the member's record meets it (when signed in as a
    /// member): (need, requirement, how it stands).
    requirements: Vec<(&'static str, String, Option<String>)>,
    verdict: Option<String>,
    manage_link: String,
    /// schema.org `JobPosting` as JSON-LD (live jobs), `<` escaped so it cannot end the
    /// script element.
    json_ld: Option<String>,
}

/// A live job as schema.org's `JobPosting`, for search engines and aggregators.
fn job_posting_json_ld(app: &App, view: &JobView) -> String {
    let job = &view.job;
    let iso = |t: i64| time::OffsetDateTime::from_unix_timestamp(t).map(|t| t.date().to_string()).unwrap_or_default();
    let unit = match job.pay_period {
        guildhall_domain::careers::PayPeriod::Year => "YEAR",
        guildhall_domain::careers::PayPeriod::Hour => "HOUR",
    };
    let mut posting = serde_json::json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": view.description_html,
        "datePosted": job.live_from.map(iso).unwrap_or_default(),
        "validThrough": match job.closes_on {
            Some(day) => format!("{day}T23:59:59Z"),
            None => job.live_until.map(crate::kit::iso_time).unwrap_or_default(),
        },
        "employmentType": "FULL_TIME",
        "hiringOrganization": { "@type": "Organization", "name": job.employer_name, "sameAs": app.link(&format!("/employers/{}", job.employer_id)) },
        "baseSalary": { "@type": "MonetaryAmount", "currency": job.currency, "value": {
            "@type": "QuantitativeValue", "minValue": job.salary_min_cents as f64 / 100.0,
            "maxValue": job.salary_max_cents as f64 / 100.0, "unitText": unit } },
        "directApply": true,
        "url": app.link(&format!("/jobs/{}", job.id)),
    });
    if let Some(region) = &job.jurisdiction {
        let (country, code) = region.as_str().split_once('-').unwrap_or(("", region.as_str()));
        posting["jobLocation"] = serde_json::json!({ "@type": "Place", "address": { "@type": "PostalAddress",
            "addressLocality": job.city, "addressRegion": code, "addressCountry": country } });
    }
    if job.remote == RemotePolicy::Remote {
        posting["jobLocationType"] = "TELECOMMUTE".into();
    }
    posting.to_string().replace('<', "\\u003c")
}

/// How one requirement stands, in words.
pub(crate) fn met_words(met: &Met) -> String {
    match met {
        Met::Held { lapses_before_close: false } => "You hold it.".into(),
        Met::Held { lapses_before_close: true } => "You hold it, but it expires before the job closes.".into(),
        Met::ByComity { from } => {
            format!("Your licence from {} may be recognised here by comity: the board decides.", from.name())
        }
        Met::Expired { on } => format!("Yours expired on {on}: renewing it would meet this."),
        Met::Missing => "Not on your record.".into(),
    }
}

async fn job(State(app): State<Arc<App>>, identity: Identity, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id, "job")?;
    let view = app.job_page(identity.actor.as_ref(), id).await?;
    let requirements = view
        .requirements
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let met = view.assessment.as_ref().and_then(|a| a.each.get(i)).map(|(_, m)| met_words(m));
            (r.need.label(), r.wanted.words(), met)
        })
        .collect();
    let verdict = view.assessment.as_ref().filter(|_| !view.requirements.is_empty()).map(|a| {
        match a.verdict {
            Verdict::Qualifies => "Your record meets every required licence and certification.",
            Verdict::QualifiesByComity => "You may qualify through a licence recognised by comity.",
            Verdict::DoesNotQualify => "Your record does not yet meet every required licence and certification.",
        }
        .to_string()
    });
    let title = view.job.title.clone();
    let json_ld = view.state.is_live().then(|| job_posting_json_ld(&app, &view));
    render(&JobPage {
        json_ld,
        chrome: Chrome::new(&app, &identity, &title, "jobs").await,
        state: state_words(view.state),
        stage: stage_label(&view.job.career_stage),
        manage_link: format!("/employer/{}/jobs/{}", view.job.employer_id, view.job.id),
        requirements,
        verdict,
        view,
    })
}

#[derive(Template)]
#[template(path = "careers/employer_public.html")]
struct EmployerPublicPage {
    chrome: Chrome,
    view: EmployerView,
    pager: Pager,
}

async fn employer_page(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let id = path_id(&id, "employer")?;
    let view = app.employer_page(id, query.page.unwrap_or(1)).await?;
    let title = view.employer.name.clone();
    render(&EmployerPublicPage {
        chrome: Chrome::new(&app, &identity, &title, "jobs").await,
        pager: Pager::new(&view.jobs, format!("/employers/{id}")),
        view,
    })
}

/// A day's start as a feed's date-time.
fn feed_time(unix: i64) -> atom_syndication::FixedDateTime {
    chrono::DateTime::from_timestamp(unix, 0).map(|t| t.fixed_offset()).unwrap_or_default()
}

/// The newest live jobs matching the page's filters (at most 50), as an Atom feed.
async fn feed(State(app): State<Arc<App>>, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    use atom_syndication::{EntryBuilder, FeedBuilder, LinkBuilder, PersonBuilder, Text};
    let pairs: Vec<(String, String)> =
        pairs.into_iter().filter(|(k, _)| !matches!(k.as_str(), "qualified" | "comity")).collect();
    let result = app.search_jobs(None, &pairs, PageRequest::new(1, 50)).await?;
    let query = serde_urlencoded::to_string(result.filter.to_pairs()).unwrap_or_default();
    let home = app.link(&if query.is_empty() { "/jobs".to_string() } else { format!("/jobs?{query}") });
    let updated = result.jobs.items.iter().map(|j| j.live_from).max().unwrap_or(0);
    let entries = result
        .jobs
        .items
        .iter()
        .map(|j| {
            let url = app.link(&format!("/jobs/{}", j.id));
            EntryBuilder::default()
                .id(url.clone())
                .title(Text::plain(j.title.clone()))
                .updated(feed_time(j.live_from))
                .published(Some(feed_time(j.live_from)))
                .authors(vec![PersonBuilder::default().name(j.employer_name.clone()).build()])
                .summary(Some(Text::plain(format!("{} · {} · {}", j.employer_name, j.place(), j.salary_words()))))
                .link(LinkBuilder::default().rel("alternate").mime_type(Some("text/html".into())).href(url).build())
                .build()
        })
        .collect::<Vec<_>>();
    let society = app.branding().await.name;
    let feed = FeedBuilder::default()
        .id(home.clone())
        .title(Text::plain(format!("Jobs — {society}")))
        .updated(feed_time(updated))
        .link(LinkBuilder::default().rel("alternate").mime_type(Some("text/html".into())).href(home).build())
        .entries(entries)
        .build();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=300"),
        ],
        feed.to_string(),
    )
        .into_response())
}
