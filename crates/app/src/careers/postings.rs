//! Advertising a job: the posting products staff price, an employer's order with its
//! invoice (the member price when the employer is an organisational member in good
//! standing), paying it by card, and starting runs — on approval, on payment, and every
//! minute for payments that arrive by webhook or are recorded by staff.

use guildhall_store::{JobPostingRecord, NewPostingOrder, PostingProductRecord};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::membership::format_money;
use crate::membership::payments::{CardPayment, parse_money};
use crate::{Actor, App, Permission};

/// A job's advertising: what can be bought, at which price for this employer, and the
/// orders and runs so far.
#[derive(Debug, Clone)]
pub struct JobAdvertising {
    /// Products on sale with the employer's price in cents.
    pub products: Vec<(PostingProductRecord, i64)>,
    /// The member price applies (the employer is an organisational member in good standing).
    pub member_price: bool,
    pub postings: Vec<JobPostingRecord>,
}

/// How long an order's invoice is due in.
const DUE_DAYS: i64 = 30;

impl App {
    /// Every posting product (`active_only`: those on sale); the society's first ones are
    /// added when there are none yet.
    async fn posting_products(&self, active_only: bool) -> AppResult<Vec<PostingProductRecord>> {
        if self.store.posting_products_of_kind(guildhall_domain::careers::ProductKind::Job, false).await?.is_empty() {
            self.store.add_default_posting_products().await?;
        }
        Ok(self.store.posting_products(active_only).await?)
    }

    /// The products that advertise a job (`active_only`: those on sale).
    async fn job_products(&self, active_only: bool) -> AppResult<Vec<PostingProductRecord>> {
        self.posting_products(false).await?;
        Ok(self.store.posting_products_of_kind(guildhall_domain::careers::ProductKind::Job, active_only).await?)
    }

    /// Whether an employer pays the member price: it is an organisational membership whose
    /// payer is a current member today.
    pub(super) async fn employer_pays_member_price(&self, employer_id: i64) -> AppResult<bool> {
        let Some(employer) = self.store.employer(employer_id, self.clock.unix()).await? else { return Ok(false) };
        let Some(payer) = employer.organisation_payer_id else { return Ok(false) };
        Ok(self.standing_of(payer, self.clock.today()).await?.0.is_current_member())
    }

    /// A job's advertising, for its recruiters.
    pub async fn job_advertising(&self, actor: &Actor, employer_id: i64, job_id: i64) -> AppResult<JobAdvertising> {
        self.employer_job(actor, employer_id, job_id).await?;
        let member_price = self.employer_pays_member_price(employer_id).await?;
        let products = self
            .job_products(true)
            .await?
            .into_iter()
            .map(|p| {
                let price = if member_price { p.member_price_cents } else { p.price_cents };
                (p, price)
            })
            .collect();
        Ok(JobAdvertising { products, member_price, postings: self.store.job_postings(job_id).await? })
    }

    /// A recruiter orders a run of a job; the order's id. It is invoiced to them, and runs
    /// once the job is approved and the invoice paid (at once when both already hold).
    pub async fn order_posting(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
        product_code: &str,
    ) -> AppResult<i64> {
        let view = self.employer_job(actor, employer_id, job_id).await?;
        if view.job.closed_at.is_some() {
            return Err(AppError::Conflict {
                message: "This job is closed: it cannot be advertised.".into(),
                field: None,
            });
        }
        let products = self.job_products(true).await?;
        let product = products
            .iter()
            .find(|p| p.code == product_code)
            .ok_or_else(|| AppError::invalid_field("product", "Choose how long to advertise the job."))?;
        let member_price = self.employer_pays_member_price(employer_id).await?;
        let price_cents = if member_price { product.member_price_cents } else { product.price_cents };
        let description = format!("Job posting, {}: {} — {}", product.name, view.job.title, view.job.employer_name);
        let today = self.clock.today();
        let order = NewPostingOrder {
            job_id,
            product,
            price_cents,
            ordered_by: actor.user_id,
            description: &description,
            today,
            due_on: today + time::Duration::days(DUE_DAYS),
        };
        let id = self.store.order_posting(&order, self.clock.unix()).await?;
        if !self.store.start_posting_runs(Some(job_id), self.clock.unix()).await?.is_empty() {
            self.forget_live_jobs();
        }
        Ok(id)
    }

    /// The recruiter who ordered a run pays its invoice by card. With a provider that
    /// confirms at once the run starts now (when the job is approved); otherwise the
    /// provider's page comes back to the job, and the minute job starts it.
    pub async fn pay_for_posting(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
        posting_id: i64,
    ) -> AppResult<CardPayment> {
        let invoice = self.posting_invoice(actor, employer_id, job_id, posting_id).await?;
        let back = format!("/employer/{employer_id}/jobs/{job_id}?done=run_paid");
        let outcome = self.start_card_payment_returning(actor, invoice, &back).await?;
        if matches!(outcome, CardPayment::Paid)
            && !self.store.start_posting_runs(Some(job_id), self.clock.unix()).await?.is_empty()
        {
            self.forget_live_jobs();
        }
        Ok(outcome)
    }

    /// The open invoice of an order, for the recruiter who may pay it; its id.
    pub async fn posting_invoice(
        &self,
        actor: &Actor,
        employer_id: i64,
        job_id: i64,
        posting_id: i64,
    ) -> AppResult<i64> {
        self.employer_job(actor, employer_id, job_id).await?;
        let posting = self
            .store
            .job_postings(job_id)
            .await?
            .into_iter()
            .find(|p| p.id == posting_id)
            .ok_or_else(|| AppError::NotFound("No such order.".into()))?;
        match (posting.invoice_id, posting.awaiting_payment) {
            (Some(invoice), true) => {
                // Only the person it is invoiced to pays it (as every invoice).
                self.payable_invoice(actor, invoice).await?;
                Ok(invoice)
            }
            _ => Err(AppError::Conflict { message: "This order has nothing left to pay.".into(), field: None }),
        }
    }

    /// Starts the runs (and the resume bank's access) whose invoices were paid by webhook or
    /// recorded by staff (the minute job); how many started.
    pub async fn start_paid_postings(&self) -> AppResult<usize> {
        let runs = self.store.start_posting_runs(None, self.clock.unix()).await?.len();
        if runs > 0 {
            self.forget_live_jobs();
        }
        Ok(runs + self.start_paid_bank_access().await?)
    }

    /// Posting products with their prices (staff).
    pub async fn posting_products_for_staff(&self, actor: &Actor) -> AppResult<Vec<PostingProductRecord>> {
        actor.require(Permission::ModerateJobs)?;
        self.bank_products(false).await?;
        self.posting_products(false).await
    }

    /// Staff change a product's prices and whether it is on sale.
    pub async fn update_posting_product(
        &self,
        actor: &Actor,
        id: i64,
        (price, member_price, active): (&str, &str, bool),
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::ModerateJobs)?;
        let product = self
            .posting_products(false)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::NotFound("No such product.".into()))?;
        let mut errors = FieldErrors::default();
        let price = errors.check("price", parse_money(price));
        let member_price = errors.check("member_price", parse_money(member_price));
        if let (Some(p), Some(m)) = (price, member_price)
            && m > p
        {
            errors.add("member_price", "The member price cannot be more than the price.");
        }
        errors.into_result()?;
        let (Some(price), Some(member_price)) = (price, member_price) else {
            return Err(AppError::invalid("Give both prices."));
        };
        let mut audit = self.audit_entry(actor, "posting_product.updated", "posting_product", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = product.name.clone();
        audit.before_json = Some(
            serde_json::json!({ "price": format_money(product.price_cents), "member price": format_money(product.member_price_cents), "on sale": product.active })
                .to_string(),
        );
        audit.after_json = Some(
            serde_json::json!({ "price": format_money(price), "member price": format_money(member_price), "on sale": active })
                .to_string(),
        );
        Ok(self.store.update_posting_product(id, (price, member_price, active), &audit).await?)
    }
}
