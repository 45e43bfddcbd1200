//! The salary benchmark's API: `GET /api/v1/salary/benchmark?…`, the same question and the
//! same released cells as the page (`/salary/benchmark`), for current members and staff.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use guildhall_app::careers::salary::{CellAnswer, rule_words};
use guildhall_domain::careers::salary::DIMENSIONS;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiResult;
use crate::session::ApiActor;

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/v1/salary/benchmark", get(benchmark))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(benchmark), components(schemas(SalaryBenchmark, SalaryCell, SalaryQuartiles, SalaryRelease)))]
pub struct Doc;

/// The question: one value or `all` per dimension (each at most once), and a dimension to
/// break the answer down by. Unknown values and repeated parameters are refused (422, naming
/// the parameter).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct BenchmarkParams {
    /// Currency zone: USD, CAD or GBP (default: the society's currency's).
    zone: Option<String>,
    /// A discipline's code (`civil`, `structural`, …) or `all`.
    discipline: Option<String>,
    /// A licence class: `se`, `pe` (PE, P.Eng or CEng), `pls`, `none`, or `all`.
    licence: Option<String>,
    /// An experience band: `0-2`, `3-5`, `6-10`, `11-15`, `16-20`, `21-30`, `31+`, or `all`.
    experience: Option<String>,
    /// A region: a US census division (`west_south_central`, …), `us_territories`, `canada`,
    /// `united_kingdom`, or `all`.
    region: Option<String>,
    /// A sector: `consulting`, `industry`, `construction`, `government`, `utility`,
    /// `academia`, `nonprofit`, or `all`.
    sector: Option<String>,
    /// A dimension whose every value is answered as a cell of its own: `discipline`,
    /// `licence`, `experience`, `region` or `sector`.
    by: Option<String>,
}

/// Quartiles of yearly pay, in whole currency units, rounded to the nearest 1,000.
#[derive(Serialize, ToSchema)]
pub struct SalaryQuartiles {
    p25: i64,
    median: i64,
    p75: i64,
}

/// One cell: its coordinates (`*` for all) and either its figures or why it is not published.
/// A suppressed cell carries **no counts** — not even how many people it holds, which is
/// itself revealing when it is one to four (open question 3 of the careers plan).
#[derive(Serialize, ToSchema)]
pub struct SalaryCell {
    discipline: String,
    licence: String,
    experience: String,
    region: String,
    sector: String,
    /// Published cells only.
    #[serde(skip_serializing_if = "Option::is_none")]
    respondents: Option<i64>,
    /// Published cells only.
    #[serde(skip_serializing_if = "Option::is_none")]
    employers: Option<i64>,
    /// Base pay (published cells only).
    #[serde(skip_serializing_if = "Option::is_none")]
    base_pay: Option<SalaryQuartiles>,
    /// Base pay plus bonus (published cells only).
    #[serde(skip_serializing_if = "Option::is_none")]
    total_cash: Option<SalaryQuartiles>,
    /// p25, median and p75 of base pay again at the top level (published cells only).
    #[serde(skip_serializing_if = "Option::is_none")]
    p25: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    median: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p75: Option<i64>,
    /// True when the cell is not published.
    suppressed: bool,
    /// Why not: `fewer_than_5_respondents`, `fewer_than_5_employers`,
    /// `one_employer_over_25_percent`, `too_close_to_another_figure` or `too_recent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    /// The rule in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// The release answering.
#[derive(Serialize, ToSchema)]
pub struct SalaryRelease {
    year: i64,
    closes_on: String,
    respondents: i64,
}

/// The benchmark's answer: the chosen cell first, then one per value of the breakdown.
#[derive(Serialize, ToSchema)]
pub struct SalaryBenchmark {
    zone: String,
    /// None before the first release (every cell then says `fewer_than_5_respondents`).
    release: Option<SalaryRelease>,
    cells: Vec<SalaryCell>,
}

/// The salary benchmark: released survey figures for one question (current members and staff).
#[utoipa::path(
    get,
    path = "/api/v1/salary/benchmark",
    params(BenchmarkParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = SalaryBenchmark),
        (status = 400, description = "A malformed query string", body = crate::error::ErrorBody),
        (status = 401, description = "No token or session", body = crate::error::ErrorBody),
        (status = 403, description = "Not a current member", body = crate::error::ErrorBody),
        (status = 422, description = "An unknown value or a repeated parameter", body = crate::error::ErrorBody),
    )
)]
async fn benchmark(
    State(app): State<Arc<App>>,
    ApiActor(actor, _): ApiActor,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<SalaryBenchmark> {
    let view = app.salary_benchmark(&actor, &pairs).await?;
    let whole = |cents: i64| cents / 100;
    let cells = view
        .rows
        .iter()
        .map(|row| {
            let [discipline, licence, experience, region, sector] = row.place.clone();
            let mut cell = SalaryCell {
                discipline,
                licence,
                experience,
                region,
                sector,
                respondents: None,
                employers: None,
                base_pay: None,
                total_cash: None,
                p25: None,
                median: None,
                p75: None,
                suppressed: true,
                rule: None,
                reason: None,
            };
            match &row.answer {
                CellAnswer::Published { respondents, employers, base, total } => {
                    cell.suppressed = false;
                    cell.respondents = Some(*respondents);
                    cell.employers = Some(*employers);
                    cell.p25 = Some(whole(base.p25));
                    cell.median = Some(whole(base.median));
                    cell.p75 = Some(whole(base.p75));
                    cell.base_pay = Some(SalaryQuartiles {
                        p25: whole(base.p25),
                        median: whole(base.median),
                        p75: whole(base.p75),
                    });
                    cell.total_cash = Some(SalaryQuartiles {
                        p25: whole(total.p25),
                        median: whole(total.median),
                        p75: whole(total.p75),
                    });
                }
                CellAnswer::Suppressed { rule } => {
                    cell.reason = Some(rule_words(rule).to_string());
                    cell.rule = Some(rule.clone());
                }
            }
            cell
        })
        .collect();
    debug_assert_eq!(DIMENSIONS.len(), 5);
    Ok(Json(SalaryBenchmark {
        zone: view.query.zone.code().to_string(),
        release: view.released.as_ref().map(|r| SalaryRelease {
            year: r.survey.year,
            closes_on: r.survey.closes_on.to_string(),
            respondents: r.release.respondents,
        }),
        cells,
    }))
}
