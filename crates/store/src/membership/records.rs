//! Rows as the storage layer returns them, and the inputs it takes.

use serde::Serialize;
use time::Date;

/// Unix seconds; the one instant type on both engines.
pub type UnixTime = i64;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<UnixTime>,
    pub disabled_at: Option<UnixTime>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<UnixTime>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub ip: String,
    pub user_agent: String,
}

/// A single-use token sent by email (verification or password reset).
#[derive(Debug, Clone)]
pub struct NewEmailToken {
    pub token_hash: String,
    pub user_id: i64,
    pub purpose: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewMail {
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MailRecord {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: UnixTime,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: UnixTime,
    pub locked_until: Option<UnixTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<UnixTime>,
    pub transport: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ChapterRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub dues_supplement_cents: i64,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewChapter {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub dues_supplement_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OfficerTermRecord {
    pub id: i64,
    pub user_id: i64,
    pub chapter_id: i64,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewOfficerTerm {
    pub user_id: i64,
    pub chapter_id: i64,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// One recorded change: who did what to whom, with the record before and after.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub occurred_at: UnixTime,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub subject_label: String,
    pub chapter_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry {
    pub occurred_at: UnixTime,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub subject_label: String,
    pub chapter_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
}

/// Filters for the audit log; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<i64>,
    pub action: Option<String>,
    pub subject_kind: Option<String>,
    pub subject_id: Option<i64>,
    pub from: Option<UnixTime>,
    pub until: Option<UnixTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ApiTokenRecord {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: String,
    pub name: String,
    pub user_id: i64,
    pub role: String,
    pub chapter_id: Option<i64>,
    pub created_at: UnixTime,
    pub expires_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
    pub last_used_at: Option<UnixTime>,
}

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token_hash: String,
    pub name: String,
    pub user_id: i64,
    pub role: String,
    pub chapter_id: Option<i64>,
    pub expires_at: Option<UnixTime>,
}

/// Which page of a list to return; pages count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn new(page: u32, per_page: u32) -> Self {
        Self { page: page.max(1), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, 50)
    }
}

/// One page of a list, with the total so callers can draw pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, request: PageRequest) -> Self {
        Self { items, total, page: request.page, per_page: request.per_page }
    }

    pub fn page_count(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per).unwrap_or(u32::MAX).max(1)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

// ---------------------------------------------------------------- membership

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TierRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub annual_dues_cents: i64,
    pub requires_approval: bool,
    /// JSON list of eligibility requirements (domain `Requirement`).
    pub requirements: String,
    pub sort_order: i64,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewTier {
    pub code: String,
    pub name: String,
    pub annual_dues_cents: i64,
    pub requires_approval: bool,
    pub requirements: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct GroupRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub created_at: UnixTime,
}

/// What a member's own membership card shows, read in one query ([`Store::member_card`](crate::Store::member_card)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCard {
    pub member: MemberRecord,
    pub open_invoice_id: Option<i64>,
    /// Their affinity groups' names, alphabetically.
    pub group_names: Vec<String>,
    /// Their licences, by jurisdiction and kind.
    pub licences: Vec<LicenceHeld>,
    /// The member who pays for them today (household payer or organisation), if any.
    pub payer_id: Option<i64>,
}

/// A licence as the membership card names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceHeld {
    pub jurisdiction: String,
    pub kind: String,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MemberRecord {
    pub id: i64,
    pub member_number: String,
    pub user_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub employer: String,
    pub job_title: String,
    pub career_stage: String,
    /// `;`-separated discipline codes.
    pub disciplines: String,
    pub education: String,
    pub city: String,
    pub tier_id: i64,
    pub home_chapter_id: Option<i64>,
    pub joined_on: Date,
    pub standing: String,
    pub expires_on: Option<Date>,
    pub standing_on: Date,
    /// JSON object: field name → public | members | private.
    pub visibility: String,
    pub search_name: String,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A member to insert. `member_number: None` assigns the next number (M000123).
#[derive(Debug, Clone)]
pub struct NewMember {
    pub member_number: Option<String>,
    pub user_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub employer: String,
    pub job_title: String,
    pub career_stage: String,
    pub disciplines: String,
    pub education: String,
    pub city: String,
    pub tier_id: i64,
    pub home_chapter_id: Option<i64>,
    pub joined_on: Date,
    pub standing: String,
    pub expires_on: Option<Date>,
    pub standing_on: Date,
    pub visibility: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct LicenceRecord {
    pub id: i64,
    pub member_id: i64,
    pub jurisdiction: String,
    pub kind: String,
    pub number: String,
    pub first_issued: Date,
    pub expires_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewLicence {
    pub jurisdiction: String,
    pub kind: String,
    pub number: String,
    pub first_issued: Date,
    pub expires_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CertificationRecord {
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub body: String,
    pub number: String,
    pub expires_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewCertification {
    pub name: String,
    pub body: String,
    pub number: String,
    pub expires_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TermRecord {
    pub id: i64,
    pub member_id: i64,
    pub tier_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub applied_on: Date,
    /// awaiting_approval | rejected | awaiting_payment | paid | cancelled
    pub status: String,
    pub approved_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    pub rejected_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewTerm {
    pub tier_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub applied_on: Date,
    pub status: String,
    pub approved_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    pub rejected_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct InvoiceRecord {
    pub id: i64,
    pub member_id: i64,
    pub term_id: Option<i64>,
    pub description: String,
    pub amount_cents: i64,
    /// open | paid | void
    pub status: String,
    pub issued_on: Date,
    pub due_on: Date,
    pub paid_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub description: String,
    pub amount_cents: i64,
    pub status: String,
    pub issued_on: Date,
    pub due_on: Date,
    pub paid_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PaymentRecord {
    pub id: i64,
    pub invoice_id: i64,
    pub amount_cents: i64,
    pub method: String,
    pub reference: String,
    pub provider_ref: Option<String>,
    pub received_on: Date,
    pub recorded_by: Option<i64>,
    pub created_at: UnixTime,
    /// The sum of the refunds recorded against this payment.
    pub refunded_cents: i64,
}

#[derive(Debug, Clone)]
pub struct NewPayment {
    pub amount_cents: i64,
    pub method: String,
    pub reference: String,
    /// The payment provider's id for the charge; unique, so a repeated webhook is a no-op.
    pub provider_ref: Option<String>,
    pub received_on: Date,
    pub recorded_by: Option<i64>,
}

/// A refund of (part of) a payment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RefundRecord {
    pub id: i64,
    pub payment_id: i64,
    pub amount_cents: i64,
    /// card | cheque | transfer | cash
    pub method: String,
    pub reason: String,
    /// Whether the refund ended the membership term the payment was for.
    pub ended_term: bool,
    pub refunded_on: Date,
    pub recorded_by: Option<i64>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewRefund {
    pub payment_id: i64,
    pub amount_cents: i64,
    pub method: String,
    pub reason: String,
    pub refunded_on: Date,
    pub recorded_by: Option<i64>,
}

/// A refund that also ends the term the payment was for: the term is cancelled from
/// `refund.refunded_on` and the member's standing becomes `standing` (expiring on `expires_on`).
#[derive(Debug, Clone)]
pub struct EndTerm {
    pub term_id: i64,
    pub standing: String,
    pub expires_on: Option<Date>,
}

/// An event a payment provider sent to its webhook, as recorded (once) by the store.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PaymentEventRecord {
    pub id: i64,
    pub provider: String,
    pub event_id: String,
    pub invoice_id: Option<i64>,
    pub amount_cents: i64,
    /// succeeded | failed
    pub outcome: String,
    pub received_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewPaymentEvent {
    pub provider: String,
    pub event_id: String,
    pub invoice_id: Option<i64>,
    pub amount_cents: i64,
    pub outcome: String,
}

/// The member's standing once an invoice is settled: (standing, expiry, computed on).
pub type SettledStanding<'a> = (&'a str, Option<Date>, Date);

/// A term with its invoice and the payments made on it.
#[derive(Debug, Clone)]
pub struct NewTermWithInvoice {
    pub term: NewTerm,
    pub invoice: Option<NewInvoice>,
    pub payments: Vec<NewPayment>,
}

/// Everything about one member, inserted together (demo data and imports).
#[derive(Debug, Clone)]
pub struct MemberBundle {
    pub member: NewMember,
    pub licences: Vec<NewLicence>,
    pub certifications: Vec<NewCertification>,
    pub group_ids: Vec<i64>,
    pub terms: Vec<NewTermWithInvoice>,
}

/// A member as lists show them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MemberSummary {
    pub id: i64,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub employer: String,
    pub job_title: String,
    pub city: String,
    pub disciplines: String,
    pub visibility: String,
    pub standing: String,
    pub expires_on: Option<Date>,
    pub tier_name: String,
    pub home_chapter_id: Option<i64>,
    pub chapter_name: Option<String>,
}

/// Member search filters; every field optional. `name_prefix` matches the start of the
/// last name (or "last first"), case-insensitively, using the index.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub name_prefix: Option<String>,
    pub email_contains: Option<String>,
    pub tier_id: Option<i64>,
    pub standings: Vec<String>,
    pub chapter_id: Option<i64>,
    pub group_id: Option<i64>,
    pub discipline: Option<String>,
    pub jurisdiction: Option<String>,
    pub expires_from: Option<Date>,
    pub expires_until: Option<Date>,
}

/// An officer term with the names staff need to read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OfficerListing {
    pub id: i64,
    pub user_id: i64,
    pub chapter_id: i64,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub display_name: String,
    pub email: String,
    pub chapter_name: String,
}

/// A household member's or named employee's link to the member record that pays.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MembershipLinkRecord {
    pub id: i64,
    pub member_id: i64,
    pub payer_id: i64,
    /// `household` or `employee`.
    pub kind: String,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub created_at: UnixTime,
}

/// An organisation's membership: the payer record and the seats it pays for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OrganisationRecord {
    pub payer_id: i64,
    pub name: String,
    pub seats: i64,
    pub created_at: UnixTime,
}
