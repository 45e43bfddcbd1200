//! Advertising a job: the posting products staff price (both kinds: a job's run and the
//! resume bank's access), and a job's advertising as its recruiters see it. Ordering, paying
//! and starting runs are `orders.rs`, the path every careers product takes.

use guildhall_domain::careers::ProductKind;
use guildhall_store::{OrderOf, PostingProductRecord, ProductOrderRecord};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::membership::format_money;
use crate::membership::payments::parse_money;
use crate::{Actor, App, Permission};

/// A job's advertising: what can be bought, at which price for this employer, and the
/// orders and runs so far.
#[derive(Debug, Clone)]
pub struct JobAdvertising {
    /// Products on sale with the employer's price in cents.
    pub products: Vec<(PostingProductRecord, i64)>,
    /// The member price applies (the employer is an organisational member in good standing).
    pub member_price: bool,
    pub postings: Vec<ProductOrderRecord>,
}

impl App {
    /// Every posting product of every kind (`active_only`: those on sale); the society's
    /// first ones are added when there are none yet.
    async fn posting_products(&self, active_only: bool) -> AppResult<Vec<PostingProductRecord>> {
        for kind in ProductKind::ALL {
            self.products_of(*kind, false).await?;
        }
        Ok(self.store.posting_products(active_only).await?)
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
        let (products, member_price) = self.priced_products(ProductKind::Job, employer_id).await?;
        Ok(JobAdvertising { products, member_price, postings: self.store.product_orders(OrderOf::Job(job_id)).await? })
    }

    /// Posting products with their prices (staff).
    pub async fn posting_products_for_staff(&self, actor: &Actor) -> AppResult<Vec<PostingProductRecord>> {
        actor.require(Permission::ModerateJobs)?;
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
