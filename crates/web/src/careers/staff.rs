//! Staff's review of jobs: the queue, a job with its review form (approve with a run at no
//! charge, or send back with a note), and taking a job down (confirmed first).

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use guildhall_app::careers::{JobView, ReviewQueue};
use guildhall_app::membership::format_money;
use guildhall_app::records::PostingProductRecord;
use guildhall_app::{Actor, App, AppError, Permission};
use serde::Deserialize;

use super::{stage_label, state_words};
use crate::kit::confirm::{ConfirmPage, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/staff/jobs", get(queue))
        .route("/staff/jobs/products", get(products))
        .route("/staff/jobs/products/{id}", post(update_product))
        .route("/staff/jobs/{id}", get(review_page))
        .route("/staff/jobs/{id}/review", post(review))
        .route("/staff/jobs/{id}/take-down", get(confirm_take_down).post(take_down))
}

fn review_notice(done: &str) -> String {
    match done {
        "job_approved" => "The job was approved and its recruiters told.",
        "job_sent_back" => "The job was sent back with your note, and its recruiters told.",
        "taken_down" => "The job was taken down.",
        "product_saved" => "The product's prices were saved.",
        _ => "",
    }
    .into()
}

#[derive(Template)]
#[template(path = "careers/staff_jobs.html")]
struct QueuePage {
    chrome: Chrome,
    queue: ReviewQueue,
    notice: String,
}

impl QueuePage {
    fn when(&self, unix: &i64) -> String {
        fmt_time(*unix)
    }
}

async fn queue(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let queue = app.job_review_queue(&actor).await?;
    render(&QueuePage {
        chrome: Chrome::new(&app, &identity, "Jobs to review", "staff").await.in_subsection("jobs"),
        queue,
        notice: review_notice(done.done()),
    })
}

#[derive(Deserialize, Default)]
struct ReviewInput {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    days: String,
}

#[derive(Template)]
#[template(path = "careers/staff_job.html")]
struct ReviewPage {
    chrome: Chrome,
    view: JobView,
    state: String,
    stage: &'static str,
    values: ReviewInput,
    form: FormState,
    notice: String,
}

async fn review_view(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
    values: ReviewInput,
    form: FormState,
) -> Result<ReviewPage, AppError> {
    actor.require(Permission::ModerateJobs)?;
    let view = app.job_page(Some(actor), id).await?;
    let title = format!("Review: {}", view.job.title);
    Ok(ReviewPage {
        chrome: Chrome::new(app, identity, &title, "staff").await.in_subsection("jobs"),
        state: state_words(view.state),
        stage: stage_label(&view.job.career_stage),
        view,
        values,
        form,
        notice: String::new(),
    })
}

async fn review_page(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let id = path_id(&id, "job")?;
    let values = ReviewInput { days: "30".into(), ..ReviewInput::default() };
    let mut page = review_view(&app, &actor, &identity, id, values, FormState::default()).await?;
    page.notice = review_notice(done.done());
    render(&page)
}

async fn review(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ReviewInput>,
) -> PageResult {
    let id = path_id(&id, "job")?;
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            let err = AppError::invalid_field("decision", "Choose to approve the job or send it back.");
            return rerender(
                &review_view(&app, &actor, &identity, id, input, FormState::from_error(&err)).await?,
                &err,
            );
        }
    };
    match app.review_job(&actor, id, approve, &input.note, &input.days, &identity.request_id).await {
        Ok(()) => done("/staff/jobs", if approve { "job_approved" } else { "job_sent_back" }),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => {
            rerender(&review_view(&app, &actor, &identity, id, input, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn take_down_confirmation(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    id: i64,
) -> Result<ConfirmPage, AppError> {
    actor.require(Permission::ModerateJobs)?;
    let view = app.job_page(Some(actor), id).await?;
    let chrome = Chrome::new(app, identity, "Take a job down", "staff").await.in_subsection("jobs");
    let mut page = ConfirmPage::plain(
        chrome,
        format!("Take down \u{201c}{}\u{201d}?", view.job.title),
        format!("/staff/jobs/{id}/take-down"),
        "Take the job down",
        format!("/staff/jobs/{id}"),
    );
    page.details = vec![("Employer".into(), view.job.employer_name.clone())];
    page.consequences = vec![
        "It leaves the job search and its page at once.".into(),
        "It cannot be advertised again: the employer would write a new job.".into(),
    ];
    Ok(page)
}

async fn confirm_take_down(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id, "job")?;
    render(&take_down_confirmation(&app, &actor, &identity, id).await?)
}

async fn take_down(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<Confirmation>,
) -> PageResult {
    let id = path_id(&id, "job")?;
    if !is_confirmed(&input.confirmed) {
        return render(&take_down_confirmation(&app, &actor, &identity, id).await?);
    }
    app.take_down_job(&actor, id, &identity.request_id).await?;
    done(&format!("/staff/jobs/{id}"), "taken_down")
}

// ------------------------------------------------------------------ posting products

#[derive(Template)]
#[template(path = "careers/staff_products.html")]
struct ProductsPage {
    chrome: Chrome,
    products: Vec<PostingProductRecord>,
    notice: String,
    form: FormState,
    /// The product whose form was refused, and what was typed.
    refused: Option<(i64, ProductInput)>,
}

impl ProductsPage {
    /// The price field's value: as typed when refused, else the stored price.
    fn value(&self, product: &PostingProductRecord, member: bool) -> String {
        match &self.refused {
            Some((id, input)) if *id == product.id => {
                if member {
                    input.member_price.clone()
                } else {
                    input.price.clone()
                }
            }
            _ => {
                let cents = if member { product.member_price_cents } else { product.price_cents };
                format_money(cents).trim_start_matches('$').replace(',', "")
            }
        }
    }

    fn refused_here(&self, product: &PostingProductRecord) -> bool {
        self.refused.as_ref().is_some_and(|(id, _)| *id == product.id)
    }
}

#[derive(Deserialize, Default, Clone)]
struct ProductInput {
    #[serde(default)]
    price: String,
    #[serde(default)]
    member_price: String,
    #[serde(default)]
    active: String,
}

async fn products_page(
    app: &App,
    actor: &Actor,
    identity: &Identity,
    notice: String,
    refused: Option<(i64, ProductInput)>,
    form: FormState,
) -> Result<ProductsPage, AppError> {
    Ok(ProductsPage {
        products: app.posting_products_for_staff(actor).await?,
        chrome: Chrome::new(app, identity, "Job posting products", "staff").await.in_subsection("jobs"),
        notice,
        form,
        refused,
    })
}

async fn products(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    render(&products_page(&app, &actor, &identity, review_notice(done.done()), None, FormState::default()).await?)
}

async fn update_product(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ProductInput>,
) -> PageResult {
    let id = path_id(&id, "product")?;
    let prices = (input.price.as_str(), input.member_price.as_str(), input.active == "yes");
    match app.update_posting_product(&actor, id, prices, &identity.request_id).await {
        Ok(()) => done("/staff/jobs/products", "product_saved"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &products_page(&app, &actor, &identity, String::new(), Some((id, input)), FormState::from_error(&err))
                .await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}
