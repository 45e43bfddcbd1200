//! The salary survey's pages: answering it (`/salary/survey`), the benchmark and its CSV
//! (`/salary/benchmark`, `/salary/benchmark.csv`), you vs peers (`/salary/me`), the salary
//! estimate (`/salary/estimate`), and staff's survey administration (`/staff/salary`: create,
//! open, close, import, employer names, release). Only the staff review shows employer names.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use guildhall_app::careers::salary::{
    BenchmarkRow, BenchmarkView, CellAnswer, Choices, EstimateInput, EstimateView, PeersView, SurveyAdmin,
    SurveyFormView,
};
use guildhall_app::records::{SalaryEmployerName, SalarySurveyRecord};
use guildhall_app::{Actor, App, AppError};
use guildhall_domain::careers::salary::{
    CurrencyZone, DIMENSIONS, Education, EmployerSize, JobFunction, ResponseInput, Sector, SurveyStatus,
    dimension_values,
};
use guildhall_domain::member::{JURISDICTIONS, LicenceKind};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, CsrfQuery, Identity, SignedIn, check_csrf};

/// The largest survey import file.
const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/salary/survey", get(survey).post(answer))
        .route("/salary/benchmark", get(benchmark))
        .route("/salary/benchmark.csv", get(benchmark_csv))
        .route("/salary/me", get(me))
        .route("/salary/estimate", get(estimate))
        .route("/staff/salary", get(staff).post(create))
        .route("/staff/salary/{id}/open", post(open))
        .route("/staff/salary/{id}/close", post(close))
        .route("/staff/salary/{id}/release", post(release))
        .route("/staff/salary/{id}/import", post(import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
        .route("/staff/salary/{id}/employers", get(employers).post(merge))
}

/// An amount of cents as whole currency units with thousands separators: "95,000".
pub fn whole(cents: &i64) -> String {
    let units = cents / 100;
    let digits = units.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if units < 0 { format!("-{grouped}") } else { grouped }
}

fn notice(done: &str) -> String {
    match done {
        "answered" => "Thank you: your answer is recorded. You can change it while the survey is open.",
        "created" => "The survey was created. Open it when it should take answers.",
        "opened" => "The survey is open.",
        "closed" => "The survey is closed.",
        "released" => "The survey's figures are released.",
        "imported" => "The responses were imported.",
        "merged" => "The employers were merged.",
        _ => "",
    }
    .into()
}

/// The form's choices: (code, label).
fn choices<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_string(), label(*v).to_string())).collect()
}

// ------------------------------------------------------------------ the survey

#[derive(Template)]
#[template(path = "careers/salary_survey.html")]
struct SurveyPage {
    chrome: Chrome,
    view: SurveyFormView,
    values: ResponseInput,
    form: FormState,
    notice: String,
    selects: Vec<Choices>,
    licences: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(&'static str, &'static str)>,
}

impl SurveyPage {
    fn value(&self, field: &str) -> &str {
        let v = &self.values;
        match field {
            "employer_size" => &v.employer_size,
            "sector" => &v.sector,
            "discipline" => &v.discipline,
            "function" => &v.function,
            "education" => &v.education,
            _ => "",
        }
    }

    fn holds(&self, code: &str) -> bool {
        self.values.licences.iter().any(|l| LicenceKind::parse(l).is_some_and(|k| k.code() == code))
    }
}

async fn survey_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    values: Option<ResponseInput>,
    form: FormState,
    notice: String,
) -> Result<SurveyPage, AppError> {
    let view = app.salary_survey_form(actor).await?;
    let disciplines = dimension_values(0);
    Ok(SurveyPage {
        chrome: Chrome::new(app, identity, "Salary survey", "salary").await,
        values: values.unwrap_or_else(|| view.values.clone()),
        view,
        form,
        notice,
        selects: vec![
            ("discipline", "Your discipline", disciplines),
            ("function", "What you mostly do", choices(JobFunction::ALL, JobFunction::code, JobFunction::label)),
            ("sector", "Your employer's sector", choices(Sector::ALL, Sector::code, Sector::label)),
            (
                "employer_size",
                "Your employer's size",
                choices(EmployerSize::ALL, EmployerSize::code, EmployerSize::label),
            ),
            ("education", "Your highest degree", choices(Education::ALL, Education::code, Education::label)),
        ],
        licences: LicenceKind::ALL.iter().map(|k| (k.code(), k.name())).collect(),
        jurisdictions: JURISDICTIONS.to_vec(),
    })
}

async fn survey(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&survey_page(&app, &actor, &identity, None, FormState::default(), notice(q.done())).await?)
}

async fn answer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    // The licence boxes repeat their name: the form is read as pairs.
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = ResponseInput {
        base_pay: field("base_pay"),
        bonus: field("bonus"),
        hours_per_week: field("hours_per_week"),
        employer_name: field("employer_name"),
        employer_size: field("employer_size"),
        sector: field("sector"),
        discipline: field("discipline"),
        function: field("function"),
        licences: pairs.iter().filter(|(k, _)| k == "licences").map(|(_, v)| v.clone()).collect(),
        years_experience: field("years_experience"),
        education: field("education"),
        jurisdiction: field("jurisdiction"),
    };
    match app.submit_salary_response(&actor, &input).await {
        Ok(_) => done("/salary/survey", "answered"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &survey_page(&app, &actor, &identity, Some(input), FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

// ------------------------------------------------------------------ the benchmark

#[derive(Template)]
#[template(path = "careers/salary_benchmark.html")]
struct BenchmarkPage {
    chrome: Chrome,
    view: BenchmarkView,
    /// Each dimension's select: (name, label, values).
    selects: Vec<Choices>,
    zones: &'static [CurrencyZone],
    csv_link: String,
}

impl BenchmarkPage {
    fn chosen(&self, dimension: &str) -> &str {
        DIMENSIONS.iter().position(|d| *d == dimension).map_or("*", |d| self.view.query.cell[d].as_str())
    }

    fn breakdown(&self) -> &str {
        self.view.query.breakdown.map_or("", |d| DIMENSIONS[d])
    }

    fn rows(&self) -> Vec<BenchmarkRow> {
        self.view.rows.clone()
    }

    fn caption(&self) -> String {
        format!("Yearly pay in {}", self.view.query.zone.code())
    }
}

const DIMENSION_LABELS: [&str; 5] = ["Discipline", "Licence", "Experience", "Region", "Sector"];

async fn benchmark(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let view = app.salary_benchmark(&actor, &pairs).await?;
    let csv_link = format!("/salary/benchmark.csv?{}", view.query.query_string());
    render(&BenchmarkPage {
        chrome: Chrome::new(&app, &identity, "Salary benchmark", "salary").await,
        selects: DIMENSIONS
            .iter()
            .zip(DIMENSION_LABELS)
            .enumerate()
            .map(|(d, (n, l))| (*n, l, dimension_values(d)))
            .collect(),
        zones: CurrencyZone::ALL,
        view,
        csv_link,
    })
}

async fn benchmark_csv(
    State(app): State<Arc<App>>,
    SignedIn(actor, _identity): SignedIn,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let view = app.salary_benchmark(&actor, &pairs).await?;
    let body = App::salary_benchmark_csv(&view)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"salary-benchmark.csv\""),
        ],
        body,
    )
        .into_response())
}

// ------------------------------------------------------------------ you vs peers

#[derive(Template)]
#[template(path = "careers/salary_me.html")]
struct MePage {
    chrome: Chrome,
    view: PeersView,
}

impl MePage {
    fn peers_row(&self) -> Option<&BenchmarkRow> {
        self.view.peers.as_ref().map(|(row, _)| row)
    }

    fn rows(&self) -> Vec<BenchmarkRow> {
        self.peers_row().cloned().into_iter().collect()
    }

    fn caption(&self) -> String {
        let zone = self.view.own.as_ref().map_or("", |o| o.zone.as_str());
        format!("Your peers' yearly pay in {zone}")
    }

    fn position(&self) -> &'static str {
        self.view.peers.as_ref().map_or("", |(_, p)| p.words())
    }
}

async fn me(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    let view = app.salary_you_vs_peers(&actor).await?;
    render(&MePage { chrome: Chrome::new(&app, &identity, "You and your peers", "salary").await, view })
}

// ------------------------------------------------------------------ the estimate

#[derive(Template)]
#[template(path = "careers/salary_estimate.html")]
struct EstimatePage {
    chrome: Chrome,
    view: EstimateView,
    values: EstimateInput,
    selects: Vec<Choices>,
    form: FormState,
}

impl EstimatePage {
    fn value(&self, field: &str) -> &str {
        let v = &self.values;
        [("education", &v.education), ("licence", &v.licence), ("discipline", &v.discipline), ("region", &v.region)]
            .into_iter()
            .find(|(name, _)| *name == field)
            .map_or("", |(_, value)| value.as_str())
    }
}

#[derive(Deserialize, Default)]
struct EstimateQuery {
    years: Option<String>,
    #[serde(default)]
    education: String,
    #[serde(default)]
    licence: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    region: String,
}

async fn estimate(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<EstimateQuery>,
) -> PageResult {
    let asked = q.years.is_some();
    let values = EstimateInput {
        years: q.years.unwrap_or_default(),
        education: q.education,
        licence: q.licence,
        discipline: q.discipline,
        region: q.region,
    };
    let chrome = Chrome::new(&app, &identity, "Salary estimate", "salary").await;
    let selects = App::salary_estimate_choices();
    match app.salary_estimate(&actor, asked.then_some(&values)).await {
        Ok(view) => render(&EstimatePage { chrome, view, values, selects, form: FormState::default() }),
        Err(err @ AppError::Validation { .. }) => {
            let view = app.salary_estimate(&actor, None).await?;
            rerender(&EstimatePage { chrome, view, values, selects, form: FormState::from_error(&err) }, &err)
        }
        Err(err) => Err(err.into()),
    }
}

// ------------------------------------------------------------------ staff

#[derive(Deserialize, Default)]
struct CreateInput {
    #[serde(default)]
    year: String,
    #[serde(default)]
    opens_on: String,
    #[serde(default)]
    closes_on: String,
}

#[derive(Template)]
#[template(path = "careers/salary_staff.html")]
struct StaffPage {
    chrome: Chrome,
    surveys: Vec<SurveyAdmin>,
    values: CreateInput,
    form: FormState,
    notice: String,
}

impl StaffPage {
    fn is_draft(&self, s: &SalarySurveyRecord) -> bool {
        s.status == SurveyStatus::Draft
    }
    fn is_open(&self, s: &SalarySurveyRecord) -> bool {
        s.status == SurveyStatus::Open
    }
    fn is_closed(&self, s: &SalarySurveyRecord) -> bool {
        s.status == SurveyStatus::Closed
    }
    fn is_released(&self, s: &SalarySurveyRecord) -> bool {
        s.status == SurveyStatus::Released
    }
}

async fn staff_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    values: CreateInput,
    form: FormState,
    notice: String,
) -> Result<StaffPage, AppError> {
    let surveys = app.salary_surveys_admin(actor).await?;
    Ok(StaffPage {
        chrome: Chrome::new(app, identity, "Salary survey", "staff").await.in_subsection("salary"),
        surveys,
        values,
        form,
        notice,
    })
}

async fn staff(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&staff_page(&app, &actor, &identity, CreateInput::default(), FormState::default(), notice(q.done())).await?)
}

async fn create(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(input): CsrfForm<CreateInput>,
) -> PageResult {
    match app.create_salary_survey(&actor, &input.year, &input.opens_on, &input.closes_on, &identity.request_id).await {
        Ok(_) => done("/staff/salary", "created"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &staff_page(&app, &actor, &identity, input, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

async fn open(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.open_salary_survey(&actor, path_id(&id, "survey")?, &identity.request_id).await?;
    done("/staff/salary", "opened")
}

async fn close(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.close_salary_survey(&actor, path_id(&id, "survey")?, &identity.request_id).await?;
    done("/staff/salary", "closed")
}

async fn release(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    app.release_salary_survey(&actor, path_id(&id, "survey")?, &identity.request_id).await?;
    done("/staff/salary", "released")
}

/// The upload carries its CSRF token in the query string (see `session::check_csrf`).
async fn import(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(csrf): Query<CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    check_csrf(&csrf, &identity)?;
    let id = path_id(&id, "survey")?;
    let unreadable = |e| multipart_problem(e, "The file");
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(unreadable)?.to_vec());
        }
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return Err(AppError::invalid_field("file", "Choose a CSV file of responses to import.").into());
    };
    match app.import_salary_responses(&actor, id, &file, &identity.request_id).await {
        Ok(_) => done("/staff/salary", "imported"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &staff_page(&app, &actor, &identity, CreateInput::default(), FormState::from_error(&err), String::new())
                .await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "careers/salary_employers.html")]
struct EmployersPage {
    chrome: Chrome,
    survey: SalarySurveyRecord,
    names: Vec<SalaryEmployerName>,
    /// Each key once, with its names joined, for the merge form.
    keys: Vec<(String, String)>,
    form: FormState,
    notice: String,
}

async fn employers_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    form: FormState,
    notice: String,
) -> Result<EmployersPage, AppError> {
    let (survey, names) = app.salary_employer_names(actor, id).await?;
    let mut keys: Vec<(String, String)> = Vec::new();
    for n in &names {
        match keys.last_mut() {
            Some((key, label)) if *key == n.employer_key => {
                label.push_str(" / ");
                label.push_str(&n.employer_name);
            }
            _ => keys.push((n.employer_key.clone(), n.employer_name.clone())),
        }
    }
    Ok(EmployersPage {
        chrome: Chrome::new(app, identity, &format!("Employers in the {} survey", survey.year), "staff")
            .await
            .in_subsection("salary"),
        survey,
        names,
        keys,
        form,
        notice,
    })
}

async fn employers(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "survey")?;
    render(&employers_page(&app, &actor, &identity, id, FormState::default(), notice(q.done())).await?)
}

#[derive(Deserialize)]
struct MergeInput {
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
}

async fn merge(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<MergeInput>,
) -> PageResult {
    let id = path_id(&id, "survey")?;
    match app.merge_salary_employers(&actor, id, &input.from, &input.into, &identity.request_id).await {
        Ok(_) => done(&format!("/staff/salary/{id}/employers"), "merged"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &employers_page(&app, &actor, &identity, id, FormState::from_error(&err), String::new()).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}
