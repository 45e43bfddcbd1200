//! Paid careers products, one path for every kind: a run of a job and access to the resume
//! bank are ordered at the employer's price (the member price when the employer is an
//! organisational member in good standing), invoiced to the recruiter who ordered, paid by
//! card, and started once paid or at once when they cost nothing — on ordering, on paying,
//! on a job's approval, and every minute for payments that arrive by webhook or are recorded
//! by staff.

use guildhall_domain::careers::ProductKind;
use guildhall_store::{InvoiceRecord, NewProductOrder, OrderOf, PostingProductRecord};

use crate::error::{AppError, AppResult};
use crate::membership::payments::CardPayment;
use crate::{Actor, App};

/// How long an order's invoice is due in.
const DUE_DAYS: i64 = 30;

/// What a careers product is bought for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    /// A run of one of the employer's jobs.
    JobRun { employer_id: i64, job_id: i64 },
    /// The employer's access to the resume bank.
    BankAccess { employer_id: i64 },
}

impl Purchase {
    /// The kind of product that buys it.
    pub fn kind(self) -> ProductKind {
        self.order_of().kind()
    }

    /// The employer that buys it.
    pub fn employer_id(self) -> i64 {
        match self {
            Purchase::JobRun { employer_id, .. } | Purchase::BankAccess { employer_id } => employer_id,
        }
    }

    pub(super) fn order_of(self) -> OrderOf {
        match self {
            Purchase::JobRun { job_id, .. } => OrderOf::Job(job_id),
            Purchase::BankAccess { employer_id } => OrderOf::ResumeBank(employer_id),
        }
    }

    /// Where the buyer lands once the order is paid (the card provider's way back too): the
    /// job's page, or the bank.
    pub fn paid_page(self) -> String {
        match self {
            Purchase::JobRun { employer_id, job_id } => format!("/employer/{employer_id}/jobs/{job_id}?done=run_paid"),
            Purchase::BankAccess { employer_id } => format!("/employer/{employer_id}/resume-bank?done=access_paid"),
        }
    }
}

/// A purchase its buyer may make: what its invoice calls it, and whether it is closed to
/// new orders.
struct Buying {
    /// The invoice's description after the product's name.
    words: String,
    closed: bool,
}

impl App {
    /// The products of a kind in their order (`active_only`: those on sale); the society's
    /// first ones are added when there are none yet.
    pub(crate) async fn products_of(
        &self,
        kind: ProductKind,
        active_only: bool,
    ) -> AppResult<Vec<PostingProductRecord>> {
        if self.store.posting_products_of_kind(kind, false).await?.is_empty() {
            self.store.add_default_products(kind).await?;
        }
        Ok(self.store.posting_products_of_kind(kind, active_only).await?)
    }

    /// The products of a kind on sale, each with this employer's price, and whether that is
    /// the member price.
    pub(super) async fn priced_products(
        &self,
        kind: ProductKind,
        employer_id: i64,
    ) -> AppResult<(Vec<(PostingProductRecord, i64)>, bool)> {
        let member_price = self.employer_pays_member_price(employer_id).await?;
        let products = self
            .products_of(kind, true)
            .await?
            .into_iter()
            .map(|p| {
                let price = if member_price { p.member_price_cents } else { p.price_cents };
                (p, price)
            })
            .collect();
        Ok((products, member_price))
    }

    /// The purchase for its employer's recruiters (and staff) only — a job of theirs, or
    /// their bank; 404 for anyone else.
    async fn buying(&self, actor: &Actor, purchase: Purchase) -> AppResult<Buying> {
        match purchase {
            Purchase::JobRun { employer_id, job_id } => {
                let view = self.employer_job(actor, employer_id, job_id).await?;
                Ok(Buying {
                    words: format!("{} — {}", view.job.title, view.job.employer_name),
                    closed: view.job.closed_at.is_some(),
                })
            }
            Purchase::BankAccess { employer_id } => {
                let (_, employer_name) = self.bank_employer(actor, employer_id).await?;
                Ok(Buying { words: employer_name, closed: false })
            }
        }
    }

    /// A recruiter orders a product; the order's id. It is invoiced to them, and starts once
    /// paid (at once when it costs nothing; a job's run also waits for the job's approval).
    pub async fn order_product(&self, actor: &Actor, purchase: Purchase, product_code: &str) -> AppResult<i64> {
        let buying = self.buying(actor, purchase).await?;
        if buying.closed {
            return Err(AppError::Conflict {
                message: "This job is closed: it cannot be advertised.".into(),
                field: None,
            });
        }
        let kind = purchase.kind();
        let (products, _) = self.priced_products(kind, purchase.employer_id()).await?;
        let Some((product, price_cents)) = products.iter().find(|(p, _)| p.code == product_code) else {
            return Err(AppError::invalid_field(
                "product",
                match kind {
                    ProductKind::Job => "Choose how long to advertise the job.",
                    ProductKind::ResumeBank => "Choose how long to search the resume bank.",
                },
            ));
        };
        let description = match kind {
            ProductKind::Job => format!("Job posting, {}: {}", product.name, buying.words),
            ProductKind::ResumeBank => format!("{}: {}", product.name, buying.words),
        };
        let today = self.clock.today();
        let order = NewProductOrder {
            of: purchase.order_of(),
            product,
            price_cents: *price_cents,
            ordered_by: actor.user_id,
            description: &description,
            today,
            due_on: today + time::Duration::days(DUE_DAYS),
        };
        let id = self.store.order_product(&order, self.clock.unix()).await?;
        self.start_paid_orders(purchase).await?;
        Ok(id)
    }

    /// The open invoice of an order, for the recruiter who may pay it (the one it is
    /// invoiced to, as every invoice); 409 when nothing is left to pay.
    pub async fn order_invoice(&self, actor: &Actor, purchase: Purchase, order_id: i64) -> AppResult<InvoiceRecord> {
        self.buying(actor, purchase).await?;
        let order = self
            .store
            .product_orders(purchase.order_of())
            .await?
            .into_iter()
            .find(|o| o.id == order_id)
            .ok_or_else(|| AppError::NotFound("No such order.".into()))?;
        match (order.invoice_id, order.awaiting_payment) {
            (Some(invoice), true) => self.payable_invoice(actor, invoice).await,
            _ => Err(AppError::Conflict { message: "This order has nothing left to pay.".into(), field: None }),
        }
    }

    /// The recruiter who ordered pays by card. With a provider that confirms at once the
    /// order starts now (a job's run once the job is approved); otherwise the provider's page
    /// comes back to [`Purchase::paid_page`], and the minute job starts it.
    pub async fn pay_for_order(&self, actor: &Actor, purchase: Purchase, order_id: i64) -> AppResult<CardPayment> {
        let invoice = self.order_invoice(actor, purchase, order_id).await?;
        let outcome = self.start_card_payment_returning(actor, invoice.id, &purchase.paid_page()).await?;
        if matches!(outcome, CardPayment::Paid) {
            self.start_paid_orders(purchase).await?;
        }
        Ok(outcome)
    }

    /// Starts the paid orders of the purchase's job or employer; how many started.
    async fn start_paid_orders(&self, purchase: Purchase) -> AppResult<usize> {
        self.start_orders(purchase.kind(), Some(purchase.order_of().key())).await
    }

    /// Starts the paid orders of a kind (of one job or employer, or all); how many started.
    /// A job's run changes the search, which this node then reads again.
    async fn start_orders(&self, kind: ProductKind, only: Option<i64>) -> AppResult<usize> {
        let started = self.store.start_paid_orders(kind, only, self.clock.unix()).await?.len();
        if started > 0 && kind == ProductKind::Job {
            self.forget_live_jobs();
        }
        Ok(started)
    }

    /// Starts the orders of every kind (jobs' runs, the resume bank's access) whose
    /// invoices were paid by webhook or recorded by staff (the minute job); how many started.
    pub async fn start_paid_postings(&self) -> AppResult<usize> {
        let mut started = 0;
        for kind in ProductKind::ALL {
            started += self.start_orders(*kind, None).await?;
        }
        Ok(started)
    }
}
