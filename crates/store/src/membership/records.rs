//! Membership's rows: members, tiers, licences and certifications, terms, invoices,
//! payments and refunds, households and organisations.

use std::collections::HashMap;

use guildhall_domain::member::{Jurisdiction, LicenceKind};
use guildhall_domain::membership::{InvoiceStatus, LinkKind, Proof, Standing, TermState};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::UnixTime;

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
    /// A tier without expiry (life membership): its paid-up members never renew.
    pub never_expires: bool,
}

#[derive(Debug, Clone)]
pub struct NewTier {
    pub code: String,
    pub name: String,
    pub annual_dues_cents: i64,
    pub requires_approval: bool,
    pub requirements: String,
    pub sort_order: i64,
    /// A tier without expiry (life membership).
    pub never_expires: bool,
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
    /// Whether the record is an organisation's or has ever paid for a household: only then
    /// do its dues need more than its tier and chapter.
    pub pays_for_others: bool,
}

/// The signed-in member's dashboard, read in one statement ([`Store::member_dashboard`](crate::Store::member_dashboard)).
#[derive(Debug, Clone)]
pub struct MemberDashboard {
    pub card: MemberCard,
    /// Their most recent invoices, open ones first.
    pub recent_invoices: Vec<InvoiceRecord>,
    /// What judging their CE needs.
    pub ce: crate::ce::CeEvaluationInput,
    /// Their registrations for events not yet over, soonest first.
    pub registrations: Vec<crate::events::UpcomingRegistration>,
}

/// A licence as the membership card names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceHeld {
    pub jurisdiction: Jurisdiction,
    pub kind: LicenceKind,
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
    #[sqlx(try_from = "String")]
    pub standing: Standing,
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
    pub standing: Standing,
    pub expires_on: Option<Date>,
    pub standing_on: Date,
    pub visibility: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct LicenceRecord {
    pub id: i64,
    pub member_id: i64,
    #[sqlx(try_from = "String")]
    pub jurisdiction: Jurisdiction,
    #[sqlx(try_from = "String")]
    pub kind: LicenceKind,
    pub number: String,
    pub first_issued: Date,
    pub expires_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewLicence {
    pub jurisdiction: Jurisdiction,
    pub kind: LicenceKind,
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
    #[sqlx(try_from = "String")]
    pub status: TermState,
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
    pub status: TermState,
    pub approved_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    pub rejected_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub id: i64,
    /// The membership record that owes it; `None` for an event's invoice to a non-member
    /// (then `user_id` is the account that owes it), or once its person was erased.
    pub member_id: Option<i64>,
    pub user_id: Option<i64>,
    pub term_id: Option<i64>,
    pub description: String,
    pub amount_cents: i64,
    /// Open, paid or void.
    #[sqlx(try_from = "String")]
    pub status: InvoiceStatus,
    pub issued_on: Date,
    pub due_on: Date,
    pub paid_on: Option<Date>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub description: String,
    pub amount_cents: i64,
    pub status: InvoiceStatus,
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
    pub standing: Standing,
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
pub type SettledStanding = (Standing, Option<Date>, Date);

/// A term with its invoice and the payments made on it.
#[derive(Debug, Clone)]
pub struct NewTermWithInvoice {
    pub term: NewTerm,
    pub invoice: Option<NewInvoice>,
    pub payments: Vec<NewPayment>,
    /// What the applicant gave to prove eligibility for the term's tier.
    pub evidence: Vec<NewEvidence>,
}

/// One piece of eligibility evidence: a declaration in words, or a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub proof: Proof,
    pub statement: String,
    pub document: Option<EvidenceDocument>,
}

/// An uploaded document (checked to be a PDF or an image before it gets here).
#[derive(Clone, PartialEq, Eq)]
pub struct EvidenceDocument {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for EvidenceDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EvidenceDocument({}, {}, {} bytes)", self.file_name, self.content_type, self.content.len())
    }
}

/// Eligibility evidence as staff see it in the approvals queue (the file itself is read
/// separately).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EvidenceRecord {
    pub id: i64,
    pub member_id: i64,
    pub term_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub proof: Proof,
    pub statement: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub created_at: UnixTime,
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
    #[sqlx(try_from = "String")]
    pub standing: Standing,
    pub expires_on: Option<Date>,
    pub tier_name: String,
    pub home_chapter_id: Option<i64>,
    pub chapter_name: Option<String>,
}

/// Member search filters; every field optional. `name_prefix` matches the start of the
/// last name (or "last first"), case-insensitively, using the index.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// The start of a last name, or "last first" (the directory's search).
    pub name_prefix: Option<String>,
    /// The staff search's one box: a member number (whole), the start of a first or last
    /// name (or of "first last" or "last first"), or part of an email address.
    pub text: Option<String>,
    pub email_contains: Option<String>,
    pub tier_id: Option<i64>,
    pub standings: Vec<Standing>,
    pub chapter_id: Option<i64>,
    pub group_id: Option<i64>,
    pub discipline: Option<String>,
    pub jurisdiction: Option<String>,
    pub expires_from: Option<Date>,
    pub expires_until: Option<Date>,
}

/// A household member's or named employee's link to the member record that pays.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MembershipLinkRecord {
    pub id: i64,
    pub member_id: i64,
    pub payer_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: LinkKind,
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

/// Members with their licences, certifications and group slugs, keyed by member id.
#[derive(Debug, Default)]
pub struct MemberExport {
    pub members: Vec<MemberRecord>,
    pub licences: HashMap<i64, Vec<LicenceRecord>>,
    pub certifications: HashMap<i64, Vec<CertificationRecord>>,
    pub groups: HashMap<i64, Vec<String>>,
    /// The last day of each member's latest term that was ever paid (kept when the term
    /// was later cancelled), for members whose standing no longer carries an expiry.
    pub last_paid_expiry: HashMap<i64, Date>,
}

/// An application waiting for a staff decision.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PendingApplication {
    pub term_id: i64,
    pub member_id: i64,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub tier_name: String,
    pub annual_dues_cents: i64,
    pub applied_on: Date,
    pub chapter_name: Option<String>,
}

/// What staff decided about an application.
#[derive(Debug, Clone, Copy)]
pub enum ApplicationDecision<'a> {
    Approve {
        on: Date,
        invoice: &'a NewInvoice,
    },
    /// Rejected, with the email telling the applicant why (queued in the same transaction).
    Reject {
        on: Date,
        mail: &'a crate::NewMail,
    },
}

/// The fields a profile edit may change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemberProfile {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub employer: String,
    pub job_title: String,
    pub career_stage: String,
    pub disciplines: String,
    pub education: String,
    pub city: String,
    pub visibility: String,
}

impl From<&MemberRecord> for MemberProfile {
    fn from(m: &MemberRecord) -> Self {
        MemberProfile {
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            phone: m.phone.clone(),
            employer: m.employer.clone(),
            job_title: m.job_title.clone(),
            career_stage: m.career_stage.clone(),
            disciplines: m.disciplines.clone(),
            education: m.education.clone(),
            city: m.city.clone(),
            visibility: m.visibility.clone(),
        }
    }
}

/// What recording a provider's event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEventOutcome {
    /// First time seen: recorded (and, for a payment, the invoice settled).
    Recorded,
    /// Already recorded earlier: nothing changed.
    Duplicate,
}

/// What recording a refund did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundOutcome {
    Recorded {
        refund_id: i64,
    },
    /// The refund would take the payment's refunds past its amount; nothing changed.
    ExceedsPayment {
        refundable_cents: i64,
    },
}

/// How much a tier is used: members in it now, and terms (current or past) recorded in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TierUsage {
    pub members: i64,
    pub terms: i64,
}

impl TierUsage {
    pub fn in_use(&self) -> bool {
        self.members > 0 || self.terms > 0
    }
}
