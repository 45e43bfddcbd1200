//! Receipts: every payment gets one, as a PDF the member downloads from their receipts
//! page (linked from the receipt email), with the society's name and details, the invoice
//! lines (tier dues and chapter supplement apart), the amount, date, method and reference.
//! New members get a welcome email when they become active.

use guildhall_domain::membership::Standing;
use guildhall_store::{InvoiceRecord, MemberRecord, NewMail, PaymentRecord};
use pdf_writer::Content;
use time::Date;

use crate::error::{AppError, AppResult};
use crate::membership::format_money;
use crate::{Actor, App, Permission};

/// One line of what was paid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub description: String,
    pub amount_cents: i64,
}

/// Everything a receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Receipt number: the payment's.
    pub number: String,
    pub society: String,
    /// The society's address and details, line by line (settings).
    pub society_details: Vec<String>,
    pub member_name: String,
    pub member_number: String,
    pub invoice_id: i64,
    pub invoice_description: String,
    pub lines: Vec<ReceiptLine>,
    pub amount_cents: i64,
    pub received_on: Date,
    pub method: String,
    pub reference: String,
    pub refunded_cents: i64,
}

/// How a payment method reads on a receipt.
pub fn method_words(code: &str) -> String {
    match code {
        "card" => "Card".into(),
        "cheque" => "Cheque".into(),
        "transfer" => "Bank transfer".into(),
        "cash" => "Cash".into(),
        other => other.to_string(),
    }
}

/// The receipt as a one-page PDF (A4, Helvetica).
pub fn receipt_pdf(r: &Receipt) -> Vec<u8> {
    let (page_w, page_h, margin) = (595.0_f32, 842.0_f32, 56.0_f32);
    let mut content = Content::new();
    let mut y = page_h - margin;
    let text = crate::pdf::text;
    text(&mut content, margin, y, 16.0, true, &r.society);
    for line in &r.society_details {
        y -= 13.0;
        text(&mut content, margin, y, 9.5, false, line);
    }
    y -= 34.0;
    text(&mut content, margin, y, 14.0, true, &format!("Receipt {}", r.number));
    y -= 22.0;
    let facts = [
        ("Received from", format!("{} (member {})", r.member_name, r.member_number)),
        ("Date received", r.received_on.to_string()),
        ("Paid by", r.method.clone()),
        ("Reference", if r.reference.is_empty() { "-".into() } else { r.reference.clone() }),
        ("Invoice", format!("#{}: {}", r.invoice_id, r.invoice_description)),
    ];
    for (label, value) in facts {
        text(&mut content, margin, y, 10.0, true, label);
        text(&mut content, margin + 110.0, y, 10.0, false, &value);
        y -= 15.0;
    }
    y -= 18.0;
    let right = page_w - margin;
    text(&mut content, margin, y, 10.0, true, "Description");
    text(&mut content, right - 70.0, y, 10.0, true, "Amount");
    y -= 6.0;
    content.move_to(margin, y).line_to(right, y).stroke();
    for line in &r.lines {
        y -= 16.0;
        text(&mut content, margin, y, 10.0, false, &line.description);
        text(&mut content, right - 70.0, y, 10.0, false, &format_money(line.amount_cents));
    }
    y -= 8.0;
    content.move_to(margin, y).line_to(right, y).stroke();
    y -= 16.0;
    text(&mut content, margin, y, 11.0, true, "Total paid");
    text(&mut content, right - 70.0, y, 11.0, true, &format_money(r.amount_cents));
    if r.refunded_cents > 0 {
        y -= 16.0;
        text(&mut content, margin, y, 10.0, false, "Refunded since");
        text(&mut content, right - 70.0, y, 10.0, false, &format!("-{}", format_money(r.refunded_cents)));
    }
    y -= 40.0;
    text(&mut content, margin, y, 9.0, false, "Thank you for your payment. Keep this receipt for your records.");

    crate::pdf::one_page(content, (page_w, page_h))
}

/// A payment of the member's, for their receipts page.
pub struct ReceiptListing {
    pub payment: PaymentRecord,
    pub invoice_description: String,
}

impl App {
    /// The lines an invoice was for: the tier's dues and the home chapter's supplement apart
    /// when they make up the amount (a member's own term); otherwise the invoice's one line
    /// (households and organisations, whose total is worked out from several people).
    async fn receipt_lines(&self, member: &MemberRecord, invoice: &InvoiceRecord) -> AppResult<Vec<ReceiptLine>> {
        let whole = vec![ReceiptLine { description: invoice.description.clone(), amount_cents: invoice.amount_cents }];
        let Some(term_id) = invoice.term_id else { return Ok(whole) };
        let terms = self.store.member_terms(member.id).await?;
        let Some(term) = terms.iter().find(|t| t.id == term_id) else { return Ok(whole) };
        let Some(tier) = self.tier_by_id(term.tier_id).await? else { return Ok(whole) };
        let chapter = match member.home_chapter_id {
            Some(id) => self.chapter_by_id(id).await?,
            None => None,
        };
        let supplement = chapter.as_ref().map_or(0, |c| c.dues_supplement_cents);
        if supplement <= 0 || tier.annual_dues_cents + supplement != invoice.amount_cents {
            return Ok(whole);
        }
        Ok(vec![
            ReceiptLine {
                description: format!("{} dues, {} to {}", tier.name, term.starts_on, term.ends_on),
                amount_cents: tier.annual_dues_cents,
            },
            ReceiptLine {
                description: match chapter {
                    Some(c) => format!("Chapter supplement: {}", c.name),
                    None => "Chapter supplement".into(),
                },
                amount_cents: supplement,
            },
        ])
    }

    /// Who owes an invoice: the member whose record it is on, or (an event's invoice to a
    /// non-member) the account. `None` once the person was erased.
    async fn invoice_payer(&self, invoice: &InvoiceRecord) -> AppResult<Option<Payer>> {
        if let Some(member_id) = invoice.member_id {
            return Ok(self.store.member_by_id(member_id).await?.map(|m| Payer {
                name: format!("{} {}", m.first_name, m.last_name),
                first_name: m.first_name.clone(),
                email: m.email.clone(),
                user_id: m.user_id,
                member: Some(m),
            }));
        }
        let Some(user_id) = invoice.user_id else { return Ok(None) };
        Ok(self.store.user_by_id(user_id).await?.map(|u| Payer {
            first_name: u.display_name.split_whitespace().next().unwrap_or(&u.display_name).to_string(),
            name: u.display_name,
            email: u.email,
            user_id: Some(u.id),
            member: None,
        }))
    }

    /// The receipt for a payment: the payer's own, or any for staff.
    pub async fn receipt(&self, actor: &Actor, payment_id: i64) -> AppResult<Receipt> {
        actor.require(Permission::OwnAccount)?;
        let not_found = || AppError::NotFound("There is no such receipt.".into());
        let payment = self.store.payment_by_id(payment_id).await?.ok_or_else(not_found)?;
        let invoice = self.store.invoice_by_id(payment.invoice_id).await?.ok_or_else(not_found)?;
        let payer = self.invoice_payer(&invoice).await?.ok_or_else(not_found)?;
        if !actor.is_staff() && payer.user_id != Some(actor.user_id) {
            return Err(not_found());
        }
        let whole = vec![ReceiptLine { description: invoice.description.clone(), amount_cents: invoice.amount_cents }];
        let lines = match &payer.member {
            Some(member) => self.receipt_lines(member, &invoice).await?,
            None => whole,
        };
        Ok(Receipt {
            number: format!("R{:06}", payment.id),
            society: self.branding().await.name,
            society_details: self
                .settings
                .membership
                .receipt_details
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            member_name: payer.name,
            member_number: payer.member.map(|m| m.member_number).unwrap_or_default(),
            invoice_id: invoice.id,
            invoice_description: invoice.description,
            lines,
            amount_cents: payment.amount_cents,
            received_on: payment.received_on,
            method: method_words(&payment.method),
            reference: payment.reference.clone(),
            refunded_cents: payment.refunded_cents,
        })
    }

    /// The signed-in member's payments, newest first, for their receipts page.
    pub async fn my_receipts(&self, actor: &Actor) -> AppResult<Vec<ReceiptListing>> {
        actor.require(Permission::OwnAccount)?;
        let Some(member) = self.store.member_by_user(actor.user_id).await? else { return Ok(Vec::new()) };
        let (payments, invoices) =
            tokio::try_join!(self.store.member_payments(member.id), self.store.member_invoices(member.id))?;
        let mut out: Vec<ReceiptListing> = payments
            .into_iter()
            .map(|payment| ReceiptListing {
                invoice_description: invoices
                    .iter()
                    .find(|i| i.id == payment.invoice_id)
                    .map(|i| i.description.clone())
                    .unwrap_or_default(),
                payment,
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    /// After an invoice is settled: the receipt email for its payment, and the welcome
    /// email when the payment made an applicant a member.
    pub(crate) async fn after_payment(&self, invoice: &InvoiceRecord, standing_before: Standing) -> AppResult<()> {
        let Some(payer) = self.invoice_payer(invoice).await? else { return Ok(()) };
        let society = self.branding().await.name;
        let now = self.clock.unix();
        if let Some(payment) = self.store.invoice_payments(invoice.id).await?.into_iter().next_back() {
            let mail = NewMail {
                to_address: payer.email.clone(),
                subject: format!("Your {society} receipt R{:06}", payment.id),
                body_text: format!(
                    "Dear {},\n\nThank you: we received {} by {} on {} for {}.\n\n\
                     Your receipt (PDF): {}\n\nAll your receipts: {}\n",
                    payer.first_name,
                    format_money(payment.amount_cents),
                    method_words(&payment.method).to_lowercase(),
                    payment.received_on,
                    invoice.description,
                    self.link(&format!("/membership/receipts/{}.pdf", payment.id)),
                    self.link("/membership/receipts"),
                ),
                attachment: None,
            };
            self.store.enqueue_mail(&mail, now).await?;
        }
        let Some(member) = payer.member else { return Ok(()) };
        let now_member = self.store.member_by_id(member.id).await?.map(|m| m.standing);
        if !standing_before.is_current_member() && now_member.is_some_and(Standing::is_current_member) {
            let mail = NewMail {
                to_address: member.email.clone(),
                subject: format!("Welcome to {society}"),
                body_text: format!(
                    "Dear {},\n\nWelcome to {society}: your membership is active. Your member number is {}.\n\n\
                     Your membership card, chapter and renewal: {}\nYour profile and directory listing: {}\n\
                     Continuing education: {}\n",
                    member.first_name,
                    member.member_number,
                    self.link("/dashboard"),
                    self.link("/profile"),
                    self.link("/ce"),
                ),
                attachment: None,
            };
            self.store.enqueue_mail(&mail, now).await?;
        }
        Ok(())
    }
}

/// Who owes an invoice ([`App::invoice_payer`]).
struct Payer {
    name: String,
    first_name: String,
    email: String,
    user_id: Option<i64>,
    member: Option<MemberRecord>,
}
