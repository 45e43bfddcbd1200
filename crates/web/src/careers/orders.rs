//! Paying for a careers product, one path for every kind (a job's run, access to the resume
//! bank): after an order, on to its pay page, or back where it was ordered when there is
//! nothing to pay; the pay page (`GET …/{order}/pay`) and the payment (`POST`), one handler
//! each for both kinds.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use guildhall_app::careers::Purchase;
use guildhall_app::membership::format_money;
use guildhall_app::membership::payments::CardPayment;
use guildhall_app::{Actor, App, AppError};
use serde::Deserialize;

use crate::kit::*;
use crate::membership::payments::{DEMO_PROVIDER_NOTE, PayPage};
use crate::session::{CsrfForm, SignedIn};

pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/employer/{id}/jobs/{job}/postings/{order}/pay", get(pay_form).post(pay))
        .route("/employer/{id}/resume-bank/access/{order}/pay", get(pay_form).post(pay))
}

/// What an order form sends: the product's code.
#[derive(Deserialize, Default)]
pub(super) struct OrderInput {
    #[serde(default)]
    pub product: String,
}

/// Where a purchase's pages are and what they say.
struct OrderPages {
    /// Where it is ordered from, and where "back" leads from the pay page.
    from: String,
    back: &'static str,
    /// Where its orders' pay pages are (`{orders}/{order}/pay`).
    orders: String,
    pay_title: &'static str,
    /// The notice for an order with nothing to pay.
    ordered: &'static str,
}

fn pages(purchase: Purchase) -> OrderPages {
    match purchase {
        Purchase::JobRun { employer_id, job_id } => OrderPages {
            from: format!("/employer/{employer_id}/jobs/{job_id}"),
            back: "Back to the job",
            orders: format!("/employer/{employer_id}/jobs/{job_id}/postings"),
            pay_title: "Pay for the job posting",
            ordered: "ordered",
        },
        Purchase::BankAccess { employer_id } => OrderPages {
            from: format!("/employer/{employer_id}/resume-bank/access"),
            back: "Back to access",
            orders: format!("/employer/{employer_id}/resume-bank/access"),
            pay_title: "Pay for access to the resume bank",
            ordered: "access_ordered",
        },
    }
}

/// After an order: its pay page, or where it was ordered when there is nothing to pay.
pub(super) async fn after_order(app: &App, actor: &Actor, purchase: Purchase, order: i64) -> PageResult {
    let pages = pages(purchase);
    match app.order_invoice(actor, purchase, order).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/{order}/pay", pages.orders)).into_response()),
        Err(AppError::Conflict { .. }) => done(&pages.from, pages.ordered),
        Err(err) => Err(err.into()),
    }
}

/// A pay page's path: the employer, the job when it is a job's run, and the order.
#[derive(Deserialize)]
struct OrderPath {
    id: String,
    job: Option<String>,
    order: String,
}

impl OrderPath {
    fn read(&self) -> Result<(Purchase, i64), AppError> {
        let employer_id = path_id(&self.id, "employer")?;
        let purchase = match &self.job {
            Some(job) => Purchase::JobRun { employer_id, job_id: path_id(job, "job")? },
            None => Purchase::BankAccess { employer_id },
        };
        Ok((purchase, path_id(&self.order, "order")?))
    }
}

async fn pay_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(path): Path<OrderPath>,
) -> PageResult {
    let (purchase, order) = path.read()?;
    let pages = pages(purchase);
    let invoice = app.order_invoice(&actor, purchase, order).await?;
    render(&PayPage {
        chrome: Chrome::new(&app, &identity, pages.pay_title, "jobs").await,
        form: FormState::default(),
        invoice_id: invoice.id,
        description: invoice.description,
        amount: format_money(invoice.amount_cents),
        provider_note: DEMO_PROVIDER_NOTE.into(),
        action: format!("{}/{order}/pay", pages.orders),
        back: (pages.from, pages.back.into()),
    })
}

async fn pay(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(path): Path<OrderPath>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let (purchase, order) = path.read()?;
    match app.pay_for_order(&actor, purchase, order).await? {
        CardPayment::Paid => Ok(Redirect::to(&purchase.paid_page()).into_response()),
        CardPayment::Redirect(url) => Ok(Redirect::to(&url).into_response()),
    }
}
