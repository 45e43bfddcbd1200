//! Membership reports and their CSV downloads.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use guildhall_app::{App, AppError};

use crate::kit::*;
use crate::session::SignedIn;

pub struct ReportView {
    slug: &'static str,
    title: String,
    chart: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "membership/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    reports: Vec<ReportView>,
}

/// The reports in page order with their URL names.
fn named_reports(
    r: guildhall_app::membership::reports::Reports,
) -> Vec<(&'static str, guildhall_app::membership::reports::ReportTable)> {
    vec![
        ("by-standing", r.by_standing),
        ("by-tier", r.by_tier),
        ("by-chapter", r.by_chapter),
        ("activity", r.activity),
        ("retention", r.retention),
    ]
}

pub async fn reports(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    use crate::kit::charts::{Series, bar_chart, format_count, grouped_bars, line_chart};
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
