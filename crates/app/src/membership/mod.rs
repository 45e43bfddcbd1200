//! Membership use cases: the member's own card and renewal, the directory, staff and
//! officer member search and detail, offline payments, and keeping standings current.
//! Standing is always decided by `guildhall_domain::membership` from the term history.
//!
//! Files: `mod.rs` (card, renewal, search, a member's page, standings, dues),
//! `joining.rs` (applying and eligibility), `payments.rs` (card checkout, providers'
//! webhooks, refunds), `households.rs` (household and organisational links),
//! `profile.rs` (profile edits and what officers may edit), `import.rs` (the member CSV
//! import and export), `invitations.rs` (inviting members who have no account),
//! `claims.rs` ("I am already a member": a code to the record's address, or staff),
//! `reports.rs` (membership reports), `tiers.rs` (tiers staff define), `evidence.rs`
//! (what applicants give to prove eligibility for a tier), `receipts.rs` (payment receipts
//! as PDF, the receipt and welcome emails).

pub mod claims;
pub mod evidence;
pub mod households;
pub mod import;
pub mod invitations;
pub mod joining;
pub mod payments;
pub mod profile;
pub mod receipts;
pub mod reports;
pub mod tiers;

use guildhall_domain::membership::{
    Cents, DuesQuote, HouseholdPolicy, HouseholdRate, InvoiceStatus, LinkKind, OrganisationalRate, Percent,
    ReminderOffset, Standing, Term, TermFact, TermKind, TermPolicy, TermPolicySettings, TermState, TermStatus,
    household_dues, organisational_dues, standing_on,
};
use guildhall_store::{
    GroupRecord, InvoiceRecord, LicenceHeld, LicenceRecord, MemberCard, MemberFilter, MemberRecord, MemberSummary,
    NewInvoice, NewPayment, NewTerm, Page, PageRequest, TermRecord, TierRecord,
};
use serde_json::json;
use time::Date;

use crate::config::MembershipSettings;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

/// The society's term policy from configuration.
pub fn term_policy(settings: &MembershipSettings) -> AppResult<TermPolicy> {
    let kind = match settings.term_kind.as_str() {
        "anniversary" => TermKind::Anniversary,
        "calendar" => TermPolicySettings::default().kind,
        other => {
            return Err(AppError::Internal(format!(
                "membership.term_kind must be anniversary or calendar, not {other:?}"
            )));
        }
    };
    let window = settings.renewal_window_days;
    let mut reminders: Vec<ReminderOffset> =
        [60, 30, 7, 0].into_iter().filter(|d| *d <= window).map(ReminderOffset::BeforeExpiry).collect();
    if settings.grace_days >= 14 {
        reminders.push(ReminderOffset::AfterExpiry(14));
    }
    TermPolicy::new(TermPolicySettings {
        kind,
        renewal_window_days: window,
        grace_days: settings.grace_days,
        reminders,
    })
    .map_err(|e| AppError::Internal(format!("membership settings: {e}")))
}

/// The society's household settings from configuration.
pub fn household_policy(settings: &MembershipSettings) -> AppResult<HouseholdPolicy> {
    let text = settings.household_additional_person.trim();
    let refused = || {
        AppError::Internal(format!(
            "membership.household_additional_person must be a percentage (\"50%\"), an amount in cents (\"2500\") \
             or \"free\", not {text:?}"
        ))
    };
    let additional_person_rate = if text.eq_ignore_ascii_case("free") {
        HouseholdRate::Free
    } else if let Some(percent) = text.strip_suffix('%') {
        let percent = percent.trim().parse::<u8>().map_err(|_| refused())?;
        HouseholdRate::PercentOfPrimary(Percent::new(percent).map_err(|_| refused())?)
    } else {
        let cents = text.parse::<i64>().map_err(|_| refused())?;
        HouseholdRate::Fixed(Cents::new(cents).map_err(|_| refused())?)
    };
    Ok(HouseholdPolicy { additional_person_rate, max_additional_people: settings.household_max_additional_people })
}

/// The year of membership after `expiry` (first and last day), as renewal offers it.
fn year_after(expiry: Date) -> (Date, Date) {
    let starts_on = expiry + time::Duration::days(1);
    let ends_on = starts_on.replace_year(starts_on.year() + 1).unwrap_or(starts_on) - time::Duration::days(1);
    (starts_on, ends_on)
}

/// What the next term costs the member who pays it, and the invoice line that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuesFor {
    pub amount_cents: i64,
    pub description: String,
}

/// A stored term as the domain rules see it.
pub fn term_fact(t: &TermRecord) -> AppResult<TermFact> {
    let bad = |e: guildhall_domain::membership::MembershipError| AppError::Internal(format!("term {}: {e}", t.id));
    let status = match t.status {
        TermState::AwaitingApproval => TermStatus::AwaitingApproval,
        TermState::Rejected => TermStatus::Rejected { rejected_on: t.rejected_on.unwrap_or(t.applied_on) },
        TermState::AwaitingPayment => TermStatus::AwaitingPayment { approved_on: t.approved_on },
        TermState::Paid => TermStatus::Paid { approved_on: t.approved_on, paid_on: t.paid_on.unwrap_or(t.applied_on) },
        TermState::Cancelled => TermStatus::Cancelled {
            approved_on: t.approved_on,
            paid_on: t.paid_on,
            cancelled_on: t.cancelled_on.unwrap_or(t.applied_on),
        },
    };
    TermFact::new(Term::new(t.starts_on, t.ends_on).map_err(bad)?, t.applied_on, status).map_err(bad)
}

/// (standing, expiry) from a term history on a date.
pub fn compute_standing(policy: &TermPolicy, terms: &[TermRecord], on: Date) -> AppResult<(Standing, Option<Date>)> {
    let facts = terms.iter().map(term_fact).collect::<AppResult<Vec<_>>>()?;
    let report = standing_on(policy, &facts, on).map_err(|e| AppError::Internal(format!("standing: {e}")))?;
    Ok(match report {
        Some(r) => (r.standing, r.expiry.map(|e| e.expires_on)),
        None => (Standing::Applied, None),
    })
}

/// (standing, expiry) for a member of this tier: a tier without expiry (life membership)
/// keeps paid-up members active, with no expiry date to renew by.
pub fn standing_in_tier(never_expires: bool, (standing, expiry): (Standing, Option<Date>)) -> (Standing, Option<Date>) {
    if !never_expires {
        return (standing, expiry);
    }
    let standing = standing.without_expiry();
    (standing, if standing == Standing::Active { None } else { expiry })
}

/// The signed-in member's dashboard ([`App::my_dashboard`]).
pub struct Dashboard {
    pub membership: MembershipCard,
    /// Their most recent invoices, open ones first.
    pub recent_invoices: Vec<InvoiceRecord>,
    /// Each tracked licence and certification this period.
    pub ce: Vec<crate::ce::CeSummaryLine>,
    /// Their registrations for events not yet over, soonest first.
    pub registrations: Vec<guildhall_store::UpcomingRegistration>,
}

/// What the member's dashboard shows about their membership.
pub struct MembershipCard {
    pub member: MemberRecord,
    pub tier: TierRecord,
    pub chapter_name: Option<String>,
    pub group_names: Vec<String>,
    pub licences: Vec<LicenceHeld>,
    pub open_invoice_id: Option<i64>,
    /// Whether the member may renew now (window open or in grace).
    pub can_renew: bool,
    /// Dues for the next term, in cents (tier dues and chapter supplement; a household or
    /// organisation's total for its payer).
    pub renewal_dues_cents: i64,
    pub window_opens_on: Option<Date>,
    /// Who pays for this membership when someone else does (the household's payer or the
    /// employer): they renew it, not the member.
    pub paid_by: Option<String>,
}

/// A member's record as staff and their chapter's officers see it.
pub struct MemberDetail {
    pub member: MemberRecord,
    pub tier: Option<TierRecord>,
    pub chapter_name: Option<String>,
    pub groups: Vec<GroupRecord>,
    pub licences: Vec<LicenceRecord>,
    pub terms: Vec<TermRecord>,
    pub invoices: Vec<InvoiceRecord>,
    /// Payments on the member's invoices, oldest first.
    pub payments: Vec<guildhall_store::PaymentRecord>,
    /// Refunds of those payments, oldest first.
    pub refunds: Vec<guildhall_store::RefundRecord>,
}

/// Everything a member's page shows, read by one use case ([`App::member_page`]).
pub struct MemberPage {
    pub detail: MemberDetail,
    /// The affinity groups the member is not in (staff may add them), by name.
    pub other_groups: Vec<GroupRecord>,
    /// Household and organisational links (staff only).
    pub links: Option<households::MemberLinks>,
    /// Whether the member can sign in, or where their invitation stands (staff only).
    pub account: Option<String>,
}

/// How long a node answers the same directory search from memory. Everyone signed in sees
/// the same current members (private fields are hidden when the page is drawn), so a page
/// may be shared; a listing changed on another node shows here within this time.
pub const DIRECTORY_TTL: std::time::Duration = std::time::Duration::from_secs(5);
pub(crate) type DirectoryKey = (Option<String>, Option<i64>, u32, u32);

/// Directory result pages kept per node for [`DIRECTORY_TTL`].
pub type DirectoryPages = crate::kept::KeptPages<DirectoryKey, Page<MemberSummary>>;

impl App {
    pub(crate) fn policy(&self) -> AppResult<TermPolicy> {
        term_policy(&self.settings.membership)
    }

    async fn tier(&self, id: i64) -> AppResult<Option<TierRecord>> {
        self.tier_by_id(id).await
    }

    /// What a term from `starts_on` to `ends_on` costs the member who pays it: their tier's
    /// dues and home-chapter supplement; a household payer adds each person in their
    /// household at the household rate; an organisation pays its base fee and, per seat, its
    /// tier's dues and chapter supplement.
    pub async fn dues_for(
        &self,
        member: &MemberRecord,
        tier: &TierRecord,
        starts_on: Date,
        ends_on: Date,
    ) -> AppResult<DuesFor> {
        let internal = |e: guildhall_domain::membership::MembershipError| AppError::Internal(format!("dues: {e}"));
        let cents = |c: i64| Cents::new(c).map_err(internal);
        let supplement = match member.home_chapter_id {
            Some(id) => self.chapter_by_id(id).await?.map_or(0, |c| c.dues_supplement_cents),
            None => 0,
        };
        let term_words = format!("{starts_on} to {ends_on}");
        if let Some(organisation) = self.store.organisation(member.id).await? {
            let term = Term::new(starts_on, ends_on).map_err(internal)?;
            let rate = OrganisationalRate {
                base: cents(self.settings.membership.organisation_base_dues_cents)?,
                per_seat: cents(tier.annual_dues_cents)?,
            };
            let seats =
                u16::try_from(organisation.seats).map_err(|_| AppError::Internal("seats out of range".into()))?;
            let dues =
                organisational_dues(&self.policy()?, &rate, seats, cents(supplement)?, &term).map_err(internal)?;
            return Ok(DuesFor {
                amount_cents: dues.total.get(),
                description: format!(
                    "{}: {} membership for {seats} named {}, {term_words}",
                    organisation.name,
                    tier.name,
                    if seats == 1 { "employee" } else { "employees" }
                ),
            });
        }
        let own = tier.annual_dues_cents + supplement;
        let household = self
            .store
            .member_links(member.id)
            .await?
            .into_iter()
            .filter(|l| {
                l.payer_id == member.id && l.kind == LinkKind::Household && l.ended_on.is_none_or(|e| e >= starts_on)
            })
            .count();
        if household == 0 {
            return Ok(DuesFor { amount_cents: own, description: format!("{} membership, {term_words}", tier.name) });
        }
        let primary = DuesQuote {
            tier_dues: cents(tier.annual_dues_cents)?,
            chapter_supplement: cents(supplement)?,
            months_charged: 12,
            total: cents(own)?,
        };
        let people = u16::try_from(household).unwrap_or(u16::MAX);
        // The size limit is kept when people are linked; a household linked before the limit
        // was lowered still pays for everyone in it.
        let mut policy = household_policy(&self.settings.membership)?;
        policy.max_additional_people = policy.max_additional_people.max(people);
        let dues = household_dues(&policy, primary, people).map_err(internal)?;
        Ok(DuesFor {
            amount_cents: dues.total.get(),
            description: format!(
                "{} membership, {term_words}, with {people} household {}",
                tier.name,
                if people == 1 { "member" } else { "members" }
            ),
        })
    }

    /// The name of a member who pays for others: the organisation's name when the record is
    /// an organisation's membership, else the payer's own.
    async fn payer_name(&self, payer_id: i64) -> AppResult<String> {
        if let Some(organisation) = self.store.organisation(payer_id).await? {
            return Ok(organisation.name);
        }
        let payer =
            self.store.member_by_id(payer_id).await?.ok_or_else(|| AppError::Internal("payer vanished".into()))?;
        Ok(format!("{} {}", payer.first_name, payer.last_name))
    }

    /// A member's licences on record (other areas print them: certificates of attendance).
    pub(crate) async fn licences_of_member(&self, member_id: i64) -> AppResult<Vec<guildhall_store::LicenceRecord>> {
        Ok(self.store.member_licences(member_id).await?)
    }

    /// The signed-in person's membership, if they are a member.
    pub async fn my_membership(&self, actor: &Actor) -> AppResult<Option<MembershipCard>> {
        let today = self.clock.today();
        match self.store.member_card(actor.user_id, today).await? {
            Some(card) => Ok(Some(self.membership_card(card).await?)),
            None => Ok(None),
        }
    }

    /// The signed-in member's dashboard, read in one statement: their card, their most
    /// recent `invoices` (open ones first), their CE summary and their registrations. `None` for an account
    /// without a membership.
    pub async fn my_dashboard(&self, actor: &Actor, invoices: u8) -> AppResult<Option<Dashboard>> {
        actor.require(Permission::OwnAccount)?;
        let today = self.clock.today();
        let read = self.store.member_dashboard(actor.user_id, today, self.clock.unix(), invoices).await?;
        let Some(read) = read else { return Ok(None) };
        let (credentials, ledger) = read.ce;
        Ok(Some(Dashboard {
            ce: self.ce_summary(credentials, ledger)?,
            membership: self.membership_card(read.card).await?,
            recent_invoices: read.recent_invoices,
            registrations: read.registrations,
        }))
    }

    /// What the card shows of the record `card` read: its tier and chapter (both cached),
    /// who pays for it, and what renewing would cost.
    async fn membership_card(&self, card: MemberCard) -> AppResult<MembershipCard> {
        let member = card.member;
        let tier = self.tier(member.tier_id).await?.ok_or_else(|| AppError::Internal("member without tier".into()))?;
        // Read the home chapter once: its name for the card, its supplement for the dues.
        let chapter = match member.home_chapter_id {
            Some(id) => self.chapter_by_id(id).await?,
            None => None,
        };
        let chapter_name = chapter.as_ref().map(|c| c.name.clone());
        let paid_by = match card.payer_id {
            Some(payer_id) => Some(self.payer_name(payer_id).await?),
            None => None,
        };
        let can_renew = paid_by.is_none()
            && !tier.never_expires
            && matches!(member.standing, Standing::RenewalDue | Standing::Grace);
        let window_opens_on = match member.expires_on.filter(|_| !tier.never_expires) {
            Some(expiry) => Some(
                self.policy()?.expiry_dates(expiry).map_err(|e| AppError::Internal(e.to_string()))?.window_opens_on,
            ),
            None => None,
        };
        // Households and organisations pay more; their dues are worked out when renewal is offered.
        let renewal_dues_cents = match (can_renew, member.expires_on) {
            (true, Some(expiry)) if card.pays_for_others => {
                let (starts_on, ends_on) = year_after(expiry);
                self.dues_for(&member, &tier, starts_on, ends_on).await?.amount_cents
            }
            _ => tier.annual_dues_cents + chapter.map_or(0, |c| c.dues_supplement_cents),
        };
        Ok(MembershipCard {
            renewal_dues_cents,
            group_names: card.group_names,
            licences: card.licences,
            member,
            tier,
            chapter_name,
            open_invoice_id: card.open_invoice_id,
            can_renew,
            window_opens_on,
            paid_by,
        })
    }

    /// Raises the renewal invoice for the member's next term (or returns the one already
    /// open). Only while the renewal window is open or in grace; nothing is charged here.
    pub async fn start_renewal(&self, actor: &Actor) -> AppResult<InvoiceRecord> {
        let card = self
            .my_membership(actor)
            .await?
            .ok_or_else(|| AppError::NotFound("You have no membership record.".into()))?;
        if let Some(id) = card.open_invoice_id {
            return self.store.invoice_by_id(id).await?.ok_or_else(|| AppError::Internal("invoice vanished".into()));
        }
        if let Some(payer) = &card.paid_by {
            return Err(AppError::invalid(format!("Your membership is paid by {payer}; they renew it for you.")));
        }
        if card.tier.never_expires {
            return Err(AppError::invalid(format!(
                "{} membership never expires, so there is nothing to renew.",
                card.tier.name
            )));
        }
        if !card.can_renew {
            return Err(AppError::invalid(match (card.member.standing, card.window_opens_on) {
                (Standing::Active, Some(opens)) => {
                    format!("Renewal opens on {opens}; we will remind you by email before then.")
                }
                (Standing::Lapsed, _) => {
                    "Your membership has lapsed; contact the society office to be reinstated.".into()
                }
                _ => "Your membership cannot be renewed online right now; contact the society office.".into(),
            }));
        }
        let policy = self.policy()?;
        let terms = self.store.member_terms(card.member.id).await?;
        let last_paid = terms
            .iter()
            .filter(|t| t.status == TermState::Paid)
            .max_by_key(|t| t.ends_on)
            .ok_or_else(|| AppError::invalid("There is no paid term to renew."))?;
        let last = Term::new(last_paid.starts_on, last_paid.ends_on).map_err(|e| AppError::Internal(e.to_string()))?;
        let next = policy.next_term(&last).map_err(|e| AppError::Internal(e.to_string()))?;
        let today = self.clock.today();
        let term = NewTerm {
            tier_id: card.tier.id,
            starts_on: next.starts_on(),
            ends_on: next.ends_on(),
            applied_on: today,
            status: TermState::AwaitingPayment,
            approved_on: None,
            paid_on: None,
            cancelled_on: None,
            rejected_on: None,
        };
        let dues = self.dues_for(&card.member, &card.tier, next.starts_on(), next.ends_on()).await?;
        let invoice = NewInvoice {
            description: dues.description,
            amount_cents: dues.amount_cents,
            status: InvoiceStatus::Open,
            issued_on: today,
            due_on: last.ends_on().max(today),
            paid_on: None,
        };
        let (_, invoice_id) = self.store.create_renewal(card.member.id, &term, &invoice, self.clock.unix()).await?;
        self.store.invoice_by_id(invoice_id).await?.ok_or_else(|| AppError::Internal("invoice vanished".into()))
    }

    /// An invoice the actor may pay (their own, open).
    pub async fn payable_invoice(&self, actor: &Actor, invoice_id: i64) -> AppResult<InvoiceRecord> {
        let invoice =
            self.store.invoice_by_id(invoice_id).await?.ok_or_else(|| AppError::NotFound("No such invoice.".into()))?;
        // A member's invoice, or an event's invoice to the account of a non-member.
        let owner = match invoice.member_id {
            Some(member_id) => self.store.member_by_id(member_id).await?.and_then(|m| m.user_id),
            None => invoice.user_id,
        };
        if owner != Some(actor.user_id) {
            return Err(AppError::forbidden());
        }
        if invoice.status != InvoiceStatus::Open {
            return Err(AppError::invalid("This invoice has already been paid."));
        }
        Ok(invoice)
    }

    /// Settles an invoice from the payment provider's confirmation (idempotent on the
    /// provider's reference) and brings the member's standing up to date.
    pub async fn confirm_card_payment(&self, actor: &Actor, invoice_id: i64, provider_ref: &str) -> AppResult<()> {
        let invoice = self.payable_invoice(actor, invoice_id).await?;
        let payment = NewPayment {
            amount_cents: invoice.amount_cents,
            method: "card".into(),
            reference: "online renewal".into(),
            provider_ref: Some(provider_ref.into()),
            received_on: self.clock.today(),
            recorded_by: None,
        };
        self.settle(&invoice, &payment, None).await
    }

    /// A member's standing now, if the invoice has a member.
    pub(crate) async fn standing_now(&self, member_id: Option<i64>) -> AppResult<Option<Standing>> {
        Ok(match member_id {
            Some(id) => self.store.member_by_id(id).await?.map(|m| m.standing),
            None => None,
        })
    }

    /// The standing (and expiry) the member will have once this invoice's term is paid.
    pub(crate) async fn standing_once_paid(
        &self,
        invoice: &InvoiceRecord,
        payment: &NewPayment,
    ) -> AppResult<(Standing, Option<Date>)> {
        let Some(member_id) = invoice.member_id else {
            // An event's invoice to a non-member: no standing follows it.
            return Ok((Standing::Applied, None));
        };
        let mut terms = self.store.member_terms(member_id).await?;
        let mut tier_id = None;
        for t in terms.iter_mut().filter(|t| Some(t.id) == invoice.term_id) {
            t.status = TermState::Paid;
            t.paid_on = Some(payment.received_on);
            tier_id = Some(t.tier_id);
        }
        // An invoice of no term (a life member's chapter supplement) leaves the member's
        // tier as it is.
        let tier_id = match tier_id {
            Some(id) => Some(id),
            None => self.store.member_by_id(member_id).await?.map(|m| m.tier_id),
        };
        let never_expires = match tier_id {
            Some(id) => self.tier(id).await?.is_some_and(|t| t.never_expires),
            None => false,
        };
        Ok(standing_in_tier(never_expires, compute_standing(&self.policy()?, &terms, self.clock.today())?))
    }

    /// The one settle path for a payment recorded here (card confirmation, staff); a
    /// provider's webhook settles through `handle_payment_webhook`, which records its
    /// event in the same transaction but computes the standing with `standing_once_paid`.
    async fn settle(
        &self,
        invoice: &InvoiceRecord,
        payment: &NewPayment,
        audit: Option<guildhall_store::NewAuditEntry>,
    ) -> AppResult<()> {
        let today = self.clock.today();
        let before = self.standing_now(invoice.member_id).await?;
        let (standing, expires) = self.standing_once_paid(invoice, payment).await?;
        let settled = self
            .store
            .settle_invoice(invoice.id, payment, (standing, expires, today), audit.as_ref(), self.clock.unix())
            .await?;
        if let Some(member_id) = invoice.member_id {
            self.refresh_linked(member_id).await?;
        }
        // Once the standing is written, so that no page kept in between shows the old one.
        self.forget_kept_pages();
        if settled {
            self.after_payment(invoice, before.unwrap_or(Standing::Applied)).await?;
        }
        Ok(())
    }

    /// Staff record a cheque, transfer or cash payment against an open invoice.
    pub async fn record_offline_payment(
        &self,
        actor: &Actor,
        member_id: i64,
        invoice_id: i64,
        method: &str,
        reference: &str,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let invoice =
            self.store.invoice_by_id(invoice_id).await?.ok_or_else(|| AppError::NotFound("No such invoice.".into()))?;
        if invoice.member_id != Some(member_id) {
            return Err(AppError::NotFound("That invoice does not belong to this member.".into()));
        }
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let mut audit = self.audit_entry(actor, "invoice.paid_offline", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
        audit.chapter_id = member.home_chapter_id;
        audit.before_json =
            Some(json!({ "invoice": invoice.id, "status": invoice.status, "standing": member.standing }).to_string());
        self.settle_offline(actor, invoice.id, method, reference, audit).await
    }

    /// Settles an open invoice (a member's, or a non-member's for an event) with a cheque,
    /// transfer or cash payment staff record; `audit` says of whom, and gains the payment.
    pub(crate) async fn settle_offline(
        &self,
        actor: &Actor,
        invoice_id: i64,
        method: &str,
        reference: &str,
        mut audit: guildhall_store::NewAuditEntry,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let invoice =
            self.store.invoice_by_id(invoice_id).await?.ok_or_else(|| AppError::NotFound("No such invoice.".into()))?;
        if !matches!(method, "cheque" | "transfer" | "cash") {
            return Err(AppError::invalid_field("method", "Choose cheque, bank transfer or cash."));
        }
        if reference.trim().chars().count() > 100 {
            return Err(AppError::invalid_field("reference", "A reference can be at most 100 characters."));
        }
        if invoice.status != InvoiceStatus::Open {
            return Err(AppError::invalid("This invoice is not open: it has been paid or voided already."));
        }
        audit.after_json = Some(json!({ "invoice": invoice.id, "status": "paid", "method": method, "reference": reference.trim(), "amount_cents": invoice.amount_cents }).to_string());
        let payment = NewPayment {
            amount_cents: invoice.amount_cents,
            method: method.into(),
            reference: reference.trim().into(),
            provider_ref: None,
            received_on: self.clock.today(),
            recorded_by: Some(actor.user_id),
        };
        self.settle(&invoice, &payment, Some(audit)).await
    }

    /// Member search for staff (everyone) and officers (their chapter only, enforced here).
    pub async fn search_members(
        &self,
        actor: &Actor,
        mut filter: MemberFilter,
        page: PageRequest,
    ) -> AppResult<Page<MemberSummary>> {
        if !actor.is_staff() {
            match filter.chapter_id {
                Some(chapter) => actor.require(Permission::ManageChapter(chapter))?,
                None => match actor.officer_of.first() {
                    Some(chapter) => filter.chapter_id = Some(*chapter),
                    None => {
                        return Err(AppError::Forbidden("Only staff and chapter officers can search members.".into()));
                    }
                },
            }
        }
        Ok(self.store.search_members(&filter, page).await?)
    }

    /// Every member a search finds, as CSV (staff; officers only their chapter, as the
    /// search itself): number, names, email, tier, standing, expiry, chapter.
    pub async fn export_member_search(&self, actor: &Actor, filter: MemberFilter) -> AppResult<Vec<u8>> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let internal = |e: csv::Error| AppError::Internal(format!("member search CSV: {e}"));
        out.write_record([
            "member_number",
            "first_name",
            "last_name",
            "email",
            "tier",
            "standing",
            "expires_on",
            "chapter",
        ])
        .map_err(internal)?;
        let mut page = 1;
        loop {
            let found =
                self.search_members(actor, filter.clone(), PageRequest::new(page, PageRequest::MAX_PER_PAGE)).await?;
            for m in &found.items {
                out.write_record([
                    m.member_number.as_str(),
                    m.first_name.as_str(),
                    m.last_name.as_str(),
                    m.email.as_str(),
                    m.tier_name.as_str(),
                    m.standing.label(),
                    &m.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                    m.chapter_name.as_deref().unwrap_or_default(),
                ])
                .map_err(internal)?;
            }
            if page >= found.page_count() {
                break;
            }
            page += 1;
        }
        out.into_inner().map_err(|e| AppError::Internal(format!("member search CSV: {e}")))
    }

    /// One member's record: staff, or an officer of the member's home chapter.
    pub async fn member_detail(&self, actor: &Actor, member_id: i64) -> AppResult<MemberDetail> {
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let allowed = actor.is_staff() || member.home_chapter_id.is_some_and(|c| actor.is_officer_of(c));
        if !allowed {
            return Err(AppError::Forbidden("You can see only the members of the chapters you hold office in.".into()));
        }
        self.detail_of(member).await
    }

    /// The signed-in person's own member record, with the same parts staff see.
    pub async fn own_member_detail(&self, actor: &Actor) -> AppResult<MemberDetail> {
        actor.require(Permission::OwnAccount)?;
        let member = self
            .store
            .member_by_user(actor.user_id)
            .await?
            .ok_or_else(|| AppError::NotFound("Your account has no member record.".into()))?;
        self.detail_of(member).await
    }

    async fn detail_of(&self, member: MemberRecord) -> AppResult<MemberDetail> {
        let chapter_name = match member.home_chapter_id {
            Some(id) => self.chapter_by_id(id).await?.map(|c| c.name),
            None => None,
        };
        let id = member.id;
        // The record's parts are independent reads: ask for them at once, not one by one.
        let (tier, groups, licences, terms, invoices, payments, refunds) = tokio::try_join!(
            self.tier(member.tier_id),
            async { Ok::<_, AppError>(self.store.member_groups(id).await?) },
            async { Ok(self.store.member_licences(id).await?) },
            async { Ok(self.store.member_terms(id).await?) },
            async { Ok(self.store.member_invoices(id).await?) },
            async { Ok(self.store.member_payments(id).await?) },
            async { Ok(self.store.member_refunds(id).await?) },
        )?;
        Ok(MemberDetail { tier, chapter_name, groups, licences, terms, invoices, payments, refunds, member })
    }

    /// A member's page: their record, and for staff the groups they could join and their
    /// household and organisational links. Officers see only their chapters' members.
    pub async fn member_page(&self, actor: &Actor, member_id: i64) -> AppResult<MemberPage> {
        let detail = self.member_detail(actor, member_id).await?;
        if !actor.is_staff() {
            return Ok(MemberPage { detail, other_groups: Vec::new(), links: None, account: None });
        }
        let (groups, links, account) = tokio::try_join!(
            self.groups(),
            self.member_links(actor, member_id),
            self.account_status(detail.member.user_id.is_some(), member_id)
        )?;
        let other_groups = groups.into_iter().filter(|g| !detail.groups.iter().any(|mine| mine.id == g.id)).collect();
        Ok(MemberPage { detail, other_groups, links: Some(links), account: Some(account) })
    }

    /// The member directory: current members only, for signed-in people.
    pub async fn directory(
        &self,
        _actor: &Actor,
        name_prefix: Option<String>,
        chapter_id: Option<i64>,
        page: PageRequest,
    ) -> AppResult<Page<MemberSummary>> {
        let key = (name_prefix.as_deref().map(str::to_lowercase), chapter_id, page.page, page.per_page);
        if let Some(hit) = self.directory_pages.lock().ok().and_then(|pages| pages.get(&key)) {
            return Ok(hit);
        }
        let filter = MemberFilter {
            name_prefix,
            chapter_id,
            standings: vec![Standing::Active, Standing::RenewalDue, Standing::Grace],
            ..Default::default()
        };
        let found = self.store.search_members(&filter, page).await?;
        if let Ok(mut pages) = self.directory_pages.lock() {
            pages.put(key, found.clone());
        }
        Ok(found)
    }

    /// Forgets the directory and events listing pages and the staff overview's figures this
    /// node keeps (after a change to someone's listing or standing, or to an event's seats).
    pub fn forget_kept_pages(&self) {
        if let Ok(mut pages) = self.directory_pages.lock() {
            pages.clear();
        }
        if let Ok(mut pages) = self.event_pages.lock() {
            pages.clear();
        }
        if let Ok(mut figures) = self.staff_figures.lock() {
            figures.forget();
        }
    }

    pub async fn tiers(&self) -> AppResult<Vec<TierRecord>> {
        Ok(self.store.list_tiers().await?)
    }

    pub async fn groups(&self) -> AppResult<Vec<GroupRecord>> {
        Ok(self.store.list_groups().await?)
    }

    /// The tiers with their eligibility rules, for anyone signed in (the join form shows them).
    pub async fn tiers_for(&self, actor: &Actor) -> AppResult<Vec<(TierRecord, guildhall_domain::membership::Tier)>> {
        actor.require(Permission::OwnAccount)?;
        let tiers = self.store.list_tiers().await?;
        tiers.into_iter().map(|t| joining::domain_tier(&t).map(|rules| (t, rules))).collect()
    }

    /// The affinity groups, for anyone signed in.
    pub async fn groups_for(&self, actor: &Actor) -> AppResult<Vec<GroupRecord>> {
        actor.require(Permission::OwnAccount)?;
        Ok(self.store.list_groups().await?)
    }

    /// Recomputes standings last computed before today (the daily job); returns how many.
    ///
    /// One member's bad record never stops the others: a member whose standing cannot be
    /// worked out (terms that overlap, say) is logged with their id and counted, and the
    /// refresh carries on with the next. It fails only when the member list itself
    /// cannot be read.
    pub async fn refresh_standings(&self) -> AppResult<StandingRefresh> {
        self.forget_kept_pages();
        let today = self.clock.today();
        let mut report = StandingRefresh::default();
        let mut after = 0;
        loop {
            let ids = self.store.members_with_stale_standing(today, after, 500).await?;
            let Some(&last) = ids.last() else { return Ok(report) };
            after = last;
            for id in ids {
                match self.refresh_standing(id, today).await {
                    Ok(()) => report.refreshed += 1,
                    Err(err) => {
                        tracing::warn!(member_id = id, error = %err, "this member's standing could not be refreshed");
                        report.failed += 1;
                    }
                }
            }
        }
    }

    async fn refresh_standing(&self, member_id: i64, today: Date) -> AppResult<()> {
        // Household members and named employees follow their payer while linked.
        let (standing, expires) = self.standing_of(member_id, today).await?;
        self.store.set_member_standing(member_id, standing, expires, today).await?;
        // Membership credentials follow: suspended on lapse, restored on renewal.
        self.follow_standing(member_id).await
    }
}

impl App {
    /// Links the member record with this account's confirmed email to the account, when
    /// exactly one record has that email and no account yet (a society arrives with its
    /// members imported and no accounts). Never on an unconfirmed email. Returns the
    /// member number when the record was linked now.
    pub(crate) async fn claim_member_record(
        &self,
        user_id: i64,
        email: &str,
        confirmed: bool,
    ) -> AppResult<Option<String>> {
        if !confirmed {
            return Ok(None);
        }
        let audit = guildhall_store::NewAuditEntry {
            occurred_at: self.clock.unix(),
            actor_user_id: Some(user_id),
            actor_label: email.to_string(),
            action: "member.account_linked".into(),
            after_json: Some(serde_json::json!({ "user_id": user_id, "by": "confirmed email" }).to_string()),
            ..Default::default()
        };
        let linked = self.store.link_member_by_email(user_id, email, &audit).await?;
        if let Some((member_id, number)) = &linked {
            tracing::info!(member_id, member_number = %number, user_id, "member record linked to its account by confirmed email");
        }
        Ok(linked.map(|(_, number)| number))
    }
}

/// Staff's decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    Approve,
    /// Rejected, with the reason the applicant is told by email.
    Reject {
        reason: &'a str,
    },
}

/// What a standing refresh did: members brought up to date, and members whose standing
/// could not be worked out (each logged with its id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StandingRefresh {
    pub refreshed: usize,
    pub failed: usize,
}

/// Cents as money: 12345 → "$123.45".
pub fn format_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", cents / 100, cents % 100)
}

/// How a reminder offset is stored: "before:60", "after:14".
pub fn offset_key(offset: ReminderOffset) -> String {
    match offset {
        ReminderOffset::BeforeExpiry(d) => format!("before:{d}"),
        ReminderOffset::AfterExpiry(d) => format!("after:{d}"),
    }
}

fn parse_offset_key(key: &str) -> Option<ReminderOffset> {
    let (side, days) = key.split_once(':')?;
    let days: u16 = days.parse().ok()?;
    match side {
        "before" => Some(ReminderOffset::BeforeExpiry(days)),
        "after" => Some(ReminderOffset::AfterExpiry(days)),
        _ => None,
    }
}

impl App {
    /// Sends the renewal reminders due today (at most one per member per day, each
    /// reminder once, recorded with its email atomically); returns how many were queued.
    pub async fn send_renewal_reminders(&self) -> AppResult<usize> {
        use guildhall_domain::membership::{SentReminder, reminder_due};
        let policy = self.policy()?;
        let today = self.clock.today();
        let society = self.branding().await.name;
        let mut queued = 0;
        for member in self.store.members_in_renewal().await? {
            // A tier without expiry (life membership) never renews, so it is never reminded.
            if self.tier(member.tier_id).await?.is_none_or(|t| t.never_expires) {
                continue;
            }
            let terms = self.store.member_terms(member.id).await?;
            let facts = terms.iter().map(term_fact).collect::<AppResult<Vec<_>>>()?;
            let Some(report) = standing_on(&policy, &facts, today).map_err(|e| AppError::Internal(e.to_string()))?
            else {
                continue;
            };
            let sent: Vec<SentReminder> = self
                .store
                .sent_reminders(member.id)
                .await?
                .into_iter()
                .filter_map(|(for_expiry, key, sent_on)| {
                    parse_offset_key(&key).map(|offset| SentReminder { for_expiry, offset, sent_on })
                })
                .collect();
            let Some(due) = reminder_due(&policy, &report, &sent).map_err(|e| AppError::Internal(e.to_string()))?
            else {
                continue;
            };
            let Some(tier) = self.tier(member.tier_id).await? else { continue };
            let (next_starts, next_ends) = year_after(due.for_expiry);
            let dues = format_money(self.dues_for(&member, &tier, next_starts, next_ends).await?.amount_cents);
            let expiry = due.for_expiry;
            let body = if report.standing == Standing::Grace {
                let grace_ends = report.expiry.map(|e| e.grace_ends_on).unwrap_or(expiry);
                format!(
                    "Dear {},\n\nYour {society} membership expired on {expiry}. You remain a member until {grace_ends}; \
                     renew before then to keep your membership continuous.\n\nRenew online ({dues}): {}\n\n\
                     Nothing is charged until you choose to renew.\n",
                    member.first_name,
                    self.link("/dashboard")
                )
            } else {
                format!(
                    "Dear {},\n\nYour {society} membership ({}) expires on {expiry}. Renewal is open now.\n\n\
                     Renew online ({dues}): {}\n\nNothing is charged until you choose to renew.\n",
                    member.first_name,
                    tier.name,
                    self.link("/dashboard")
                )
            };
            let mail = guildhall_store::NewMail {
                to_address: member.email.clone(),
                subject: format!("Your {society} membership expires on {expiry}"),
                body_text: body,
                attachment: None,
            };
            if self
                .store
                .record_reminder(member.id, expiry, &offset_key(due.offset), today, &mail, self.clock.unix())
                .await?
            {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Bills each life member's home-chapter supplement for the coming calendar year: a tier
    /// without expiry never renews, but its chapter's supplement is still due yearly, so it
    /// is an invoice of its own, paid like any other (the dashboard lists it with a pay
    /// button; the receipt names it). Billing opens on 1 December for the year after and
    /// stays open through January, should the daily job not have run in December; each
    /// member is billed once per year (the database's key decides, so two nodes running the
    /// job bill once). Returns how many were billed.
    pub async fn bill_chapter_supplements(&self) -> AppResult<usize> {
        let today = self.clock.today();
        let year = match today.month() {
            time::Month::December => today.year() + 1,
            time::Month::January => today.year(),
            _ => return Ok(0),
        };
        let due_on = Date::from_calendar_date(year, time::Month::January, 31)
            .map_err(|e| AppError::Internal(format!("supplement due date: {e}")))?;
        let society = self.branding().await.name;
        let mut billed = 0;
        for member in self.store.chapter_supplements_to_bill(i64::from(year)).await? {
            let Some(chapter) = (match member.home_chapter_id {
                Some(id) => self.chapter_by_id(id).await?,
                None => None,
            }) else {
                continue;
            };
            if chapter.dues_supplement_cents <= 0 {
                continue;
            }
            let amount = format_money(chapter.dues_supplement_cents);
            let invoice = NewInvoice {
                description: format!("Chapter supplement: {}, {year}", chapter.name),
                amount_cents: chapter.dues_supplement_cents,
                status: InvoiceStatus::Open,
                issued_on: today,
                due_on,
                paid_on: None,
            };
            let mail = guildhall_store::NewMail {
                to_address: member.email.clone(),
                subject: format!("Your {} supplement for {year}", chapter.name),
                body_text: format!(
                    "Dear {},\n\nYour {society} membership never needs renewing. Your chapter, {}, asks each of its \
                     members for a yearly supplement: {amount} for {year}, due by {due_on}.\n\n\
                     Pay online from your dashboard: {}\n\nA receipt follows your payment.\n",
                    member.first_name,
                    chapter.name,
                    self.link("/dashboard")
                ),
                attachment: None,
            };
            let now = self.clock.unix();
            if self
                .store
                .bill_chapter_supplement(member.id, i64::from(year), chapter.id, &invoice, &mail, now)
                .await?
                .is_some()
            {
                billed += 1;
            }
        }
        Ok(billed)
    }

    pub async fn pending_applications(&self, actor: &Actor) -> AppResult<Vec<guildhall_store::PendingApplication>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.pending_applications().await?)
    }

    /// One page of the approvals queue (staff), oldest first.
    pub async fn pending_applications_page(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> AppResult<Page<guildhall_store::PendingApplication>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.pending_applications_page(page).await?)
    }

    /// The application awaiting a decision, for the rejection's confirmation page (staff).
    pub async fn pending_application(
        &self,
        actor: &Actor,
        term_id: i64,
    ) -> AppResult<guildhall_store::PendingApplication> {
        actor.require(Permission::StaffArea)?;
        self.store
            .pending_applications()
            .await?
            .into_iter()
            .find(|a| a.term_id == term_id)
            .ok_or_else(|| AppError::NotFound("This application has already been decided or does not exist.".into()))
    }

    /// Staff approve an application (raising the first invoice) or reject it with a reason,
    /// which is emailed to the applicant with the rejection.
    pub async fn decide_application(
        &self,
        actor: &Actor,
        term_id: i64,
        decision: Decision<'_>,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let approve = matches!(decision, Decision::Approve);
        let reason = match decision {
            Decision::Approve => String::new(),
            Decision::Reject { reason } => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(AppError::invalid_field(
                        "reason",
                        "Give the reason for rejecting the application; it is emailed to the applicant.",
                    ));
                }
                if reason.chars().count() > 1000 {
                    return Err(AppError::invalid_field("reason", "A reason can be at most 1000 characters."));
                }
                if let Some(problem) = guildhall_domain::identity::unsafe_text(reason) {
                    return Err(AppError::invalid_field("reason", format!("A reason cannot contain {problem}.")));
                }
                reason.to_string()
            }
        };
        let pending = self.store.pending_applications().await?;
        let application = pending
            .iter()
            .find(|a| a.term_id == term_id)
            .ok_or_else(|| AppError::NotFound("This application has already been decided or does not exist.".into()))?;
        let member = self
            .store
            .member_by_id(application.member_id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let today = self.clock.today();
        let mut audit = self.audit_entry(
            actor,
            if approve { "application.approved" } else { "application.rejected" },
            "member",
            request_id,
        );
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
        audit.chapter_id = member.home_chapter_id;
        audit.before_json = Some(json!({ "standing": member.standing, "tier": application.tier_name }).to_string());
        let terms = self.store.member_terms(member.id).await?;
        let term = terms.iter().find(|t| t.id == term_id).ok_or_else(|| AppError::NotFound("No such term.".into()))?;
        let tier = self.tier(term.tier_id).await?.ok_or_else(|| AppError::Internal("term without tier".into()))?;
        let dues = self.dues_for(&member, &tier, term.starts_on, term.ends_on).await?;
        let invoice = NewInvoice {
            description: dues.description,
            amount_cents: dues.amount_cents,
            status: InvoiceStatus::Open,
            issued_on: today,
            due_on: today + time::Duration::days(30),
            paid_on: None,
        };
        let society = self.branding().await.name;
        let mail = guildhall_store::NewMail {
            to_address: member.email.clone(),
            subject: format!("Your application to {society}"),
            body_text: format!(
                "Dear {},\n\nThank you for applying for {} membership of {society}. We are sorry to tell you that \
                 your application was declined.\n\nThe reason given:\n{reason}\n\nIf you have questions, or your \
                 circumstances change, reply to this email or contact the society office; you are welcome to apply \
                 again.\n",
                member.first_name, application.tier_name
            ),
            attachment: None,
        };
        let decision = if approve {
            guildhall_store::ApplicationDecision::Approve { on: today, invoice: &invoice }
        } else {
            guildhall_store::ApplicationDecision::Reject { on: today, mail: &mail }
        };
        let standing = if approve { "approved" } else { "rejected" };
        audit.after_json = Some(if approve {
            json!({ "standing": standing, "tier": application.tier_name }).to_string()
        } else {
            json!({ "standing": standing, "tier": application.tier_name, "reason": reason }).to_string()
        });
        self.store.decide_application(term_id, decision, (standing, today), &audit, self.clock.unix()).await.map_err(
            |e| match e {
                guildhall_store::StoreError::NotFound => {
                    AppError::NotFound("This application has already been decided.".into())
                }
                other => other.into(),
            },
        )?;
        // The overview's count of applications waiting changed with this decision.
        self.forget_kept_pages();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn term(id: i64, starts: Date, ends: Date, status: TermState, paid_on: Option<Date>) -> TermRecord {
        TermRecord {
            id,
            member_id: 1,
            tier_id: 1,
            starts_on: starts,
            ends_on: ends,
            applied_on: starts,
            status,
            approved_on: None,
            paid_on,
            cancelled_on: None,
            rejected_on: None,
            created_at: 0,
        }
    }

    #[test]
    fn standing_follows_the_term_history_through_renewal_grace_and_lapse() {
        let policy = term_policy(&MembershipSettings::default()).unwrap();
        let paid =
            vec![term(1, date!(2025 - 03 - 01), date!(2026 - 02 - 28), TermState::Paid, Some(date!(2025 - 03 - 01)))];
        let cases = [
            (date!(2025 - 06 - 01), Standing::Active),
            (date!(2025 - 12 - 31), Standing::RenewalDue),
            (date!(2026 - 02 - 28), Standing::RenewalDue),
            (date!(2026 - 03 - 01), Standing::Grace),
            (date!(2026 - 03 - 30), Standing::Grace),
            (date!(2026 - 03 - 31), Standing::Lapsed),
        ];
        for (on, expected) in cases {
            assert_eq!(compute_standing(&policy, &paid, on).unwrap(), (expected, Some(date!(2026 - 02 - 28))), "{on}");
        }
        let mut renewed = paid.clone();
        renewed.push(term(
            2,
            date!(2026 - 03 - 01),
            date!(2027 - 02 - 28),
            TermState::Paid,
            Some(date!(2026 - 03 - 10)),
        ));
        assert_eq!(
            compute_standing(&policy, &renewed, date!(2026 - 03 - 10)).unwrap().0,
            Standing::Active,
            "paid in grace"
        );
        assert_eq!(compute_standing(&policy, &renewed, date!(2026 - 03 - 10)).unwrap().1, Some(date!(2027 - 02 - 28)));
    }

    #[test]
    fn reminder_offsets_round_trip_through_their_stored_keys() {
        for offset in
            [ReminderOffset::BeforeExpiry(60), ReminderOffset::BeforeExpiry(0), ReminderOffset::AfterExpiry(14)]
        {
            assert_eq!(parse_offset_key(&offset_key(offset)), Some(offset));
        }
        assert_eq!(parse_offset_key("during:3"), None);
        assert_eq!(parse_offset_key("before:x"), None);
    }

    #[test]
    fn money_is_shown_in_dollars_and_cents() {
        assert_eq!(format_money(0), "$0.00");
        assert_eq!(format_money(19_500), "$195.00");
        assert_eq!(format_money(-1_005), "-$10.05");
    }

    #[test]
    fn calendar_and_anniversary_policies_are_accepted_and_others_refused() {
        for kind in ["anniversary", "calendar"] {
            let settings = MembershipSettings { term_kind: kind.into(), ..Default::default() };
            assert!(term_policy(&settings).is_ok(), "{kind}");
        }
        assert!(term_policy(&MembershipSettings { term_kind: "lunar".into(), ..Default::default() }).is_err());
    }

    #[test]
    fn household_rates_are_read_from_settings() {
        let rate = |text: &str| {
            household_policy(&MembershipSettings { household_additional_person: text.into(), ..Default::default() })
                .map(|p| p.additional_person_rate)
        };
        let cases = [
            ("50%", Some(HouseholdRate::PercentOfPrimary(Percent::new(50).unwrap()))),
            (" 0 % ", Some(HouseholdRate::PercentOfPrimary(Percent::new(0).unwrap()))),
            ("2500", Some(HouseholdRate::Fixed(Cents::new(2_500).unwrap()))),
            ("Free", Some(HouseholdRate::Free)),
            ("101%", None),
            ("-5", None),
            ("half", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(rate(text).ok(), want, "{text:?}");
        }
        assert_eq!(household_policy(&MembershipSettings::default()).unwrap().max_additional_people, 4);
    }
}
