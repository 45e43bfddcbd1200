//! Members and their terms: inserting members (one by one, or thousands for imports and
//! the demo), the membership card, search, settling invoices, standings, renewal reminders,
//! applications and profiles.
//!
//! Files: `mod.rs` (members, terms, settlement, search), `tiers.rs` (membership tiers),
//! `payments.rs` (invoices, provider events and refunds), `households.rs` (household and
//! organisational links), `invitations.rs` (emailed invitations that create a member's
//! account), `claims.rs` ("I am already a member": claims proven by a code or by staff), `reports.rs` (the dated facts reports chart), `records.rs` (their rows).

pub mod claims;
mod households;
pub mod invitations;
mod payments;
pub mod records;
mod reports;
pub use reports::MembershipOverview;
mod tiers;

use records::*;

use guildhall_domain::identity::Invalid;
use guildhall_domain::member::{Jurisdiction, LicenceKind};
use guildhall_domain::membership::{InvoiceStatus, Standing};
use time::Date;

use crate::copy::Value;
use crate::engine::{audited, bind_all, insert_audit};
use crate::{
    CertificationRecord, LicenceHeld, LicenceRecord, MemberBundle, MemberCard, MemberDashboard, MemberFilter,
    MemberRecord, MemberSummary, NewAuditEntry, NewInvoice, NewPayment, NewTerm, Page, PageRequest, SettledStanding,
    Store, StoreError, StoreResult, TermRecord, UnixTime, with_reader, with_writer,
};

const MEMBER_COLUMNS: &str = "id, member_number, user_id, first_name, last_name, email, phone, employer, job_title, \
    career_stage, disciplines, education, city, tier_id, home_chapter_id, joined_on, standing, expires_on, standing_on, \
    visibility, search_name, created_at, updated_at";
#[derive(sqlx::FromRow)]
struct MemberCardRow {
    #[sqlx(flatten)]
    member: MemberRecord,
    open_invoice_id: Option<i64>,
    group_names: Option<String>,
    licences: Option<String>,
    payer_id: Option<i64>,
    pays_for_others: bool,
}

#[derive(sqlx::FromRow)]
struct MemberDashboardRow {
    #[sqlx(flatten)]
    card: MemberCardRow,
    invoices: String,
    ce_credentials: String,
    ce_activities: String,
    ce_sessions: String,
    event_registrations: String,
}

impl MemberCardRow {
    fn into_card(self) -> StoreResult<MemberCard> {
        let records = |text: Option<String>| -> Vec<String> {
            let mut records: Vec<String> =
                text.map(|t| t.split('\u{1e}').map(String::from).collect()).unwrap_or_default();
            records.sort();
            records
        };
        let licences = records(self.licences)
            .iter()
            .map(|l| {
                let mut fields = l.split('\u{1f}');
                let (jurisdiction, kind, number) =
                    (fields.next().unwrap_or_default(), fields.next().unwrap_or_default(), fields.next());
                let unreadable = |err: Invalid| StoreError::Backend(format!("a stored licence is unreadable: {err}"));
                Ok(LicenceHeld {
                    jurisdiction: Jurisdiction::parse(jurisdiction).map_err(unreadable)?,
                    kind: LicenceKind::try_from(kind.to_string()).map_err(unreadable)?,
                    number: number.unwrap_or_default().to_string(),
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(MemberCard {
            member: self.member,
            open_invoice_id: self.open_invoice_id,
            group_names: records(self.group_names),
            licences,
            payer_id: self.payer_id,
            pays_for_others: self.pays_for_others,
        })
    }
}

const TERM_COLUMNS: &str = "id, member_id, tier_id, starts_on, ends_on, applied_on, status, approved_on, paid_on, \
    cancelled_on, rejected_on, created_at";
pub(super) const INVOICE_COLUMNS: &str =
    "id, member_id, user_id, term_id, description, amount_cents, status, issued_on, due_on, paid_on, created_at";
const SUMMARY_SELECT: &str = "SELECT m.id, m.member_number, m.first_name, m.last_name, m.email, m.employer, \
    m.job_title, m.city, m.disciplines, m.visibility, m.standing, m.expires_on, t.name AS tier_name, \
    m.home_chapter_id, c.name AS chapter_name \
    FROM members m JOIN tiers t ON t.id = m.tier_id LEFT JOIN chapters c ON c.id = m.home_chapter_id";

/// The result sets the export reads.
type ExportRows =
    (Vec<MemberRecord>, Vec<LicenceRecord>, Vec<CertificationRecord>, Vec<(i64, String)>, Vec<(i64, Date)>);

/// The normalised name members are searched and sorted by.
pub fn search_name(first: &str, last: &str) -> String {
    format!("{} {}", last.trim(), first.trim()).to_lowercase()
}

/// Inserts one piece of eligibility evidence inside a transaction.
macro_rules! insert_evidence {
    ($tx:expr, $member_id:expr, $term_id:expr, $evidence:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO membership_evidence (member_id, term_id, proof, statement, file_name, content_type, content, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($member_id)
        .bind($term_id)
        .bind($evidence.proof.code())
        .bind(&$evidence.statement)
        .bind($evidence.document.as_ref().map(|d| d.file_name.clone()))
        .bind($evidence.document.as_ref().map(|d| d.content_type.clone()))
        .bind($evidence.document.as_ref().map(|d| d.content.clone()))
        .bind($now)
        .execute(&mut *$tx)
        .await
    };
}

macro_rules! insert_term {
    ($tx:expr, $member_id:expr, $term:expr, $now:expr) => {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO membership_terms (member_id, tier_id, starts_on, ends_on, applied_on, status, approved_on, \
             paid_on, cancelled_on, rejected_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
        )
        .bind($member_id)
        .bind($term.tier_id)
        .bind($term.starts_on)
        .bind($term.ends_on)
        .bind($term.applied_on)
        .bind($term.status.code())
        .bind($term.approved_on)
        .bind($term.paid_on)
        .bind($term.cancelled_on)
        .bind($term.rejected_on)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await
    };
}

macro_rules! insert_invoice {
    ($tx:expr, $member_id:expr, $term_id:expr, $invoice:expr, $now:expr) => {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO invoices (member_id, term_id, description, amount_cents, status, issued_on, due_on, paid_on, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind($member_id)
        .bind($term_id)
        .bind(&$invoice.description)
        .bind($invoice.amount_cents)
        .bind($invoice.status.code())
        .bind($invoice.issued_on)
        .bind($invoice.due_on)
        .bind($invoice.paid_on)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await
    };
}

macro_rules! insert_payment {
    ($tx:expr, $invoice_id:expr, $payment:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO payments (invoice_id, amount_cents, method, reference, provider_ref, received_on, \
             recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($invoice_id)
        .bind($payment.amount_cents)
        .bind(&$payment.method)
        .bind(&$payment.reference)
        .bind(&$payment.provider_ref)
        .bind($payment.received_on)
        .bind($payment.recorded_by)
        .bind($now)
        .execute(&mut *$tx)
        .await
    };
}

/// Settles an open invoice inside a transaction: marks the invoice paid, records the
/// payment, marks its term paid, and stores the member's new standing. Fails with
/// `Invalid` if the invoice is not open.
///
/// The invoice is claimed by one conditional `UPDATE … WHERE status = 'open' RETURNING`:
/// of concurrent payments of one invoice, the first takes the row lock and the others,
/// once it commits, find the invoice paid and are refused; no payment is recorded twice.
macro_rules! settle_in_tx {
    ($tx:expr, $invoice_id:expr, $payment:expr, $standing:expr, $now:expr) => {{
        // An event's invoice to a non-member has no member whose standing follows.
        let invoice: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "UPDATE invoices SET status = 'paid', paid_on = $1 WHERE id = $2 AND status = 'open' \
             RETURNING member_id, term_id",
        )
        .bind($payment.received_on)
        .bind($invoice_id)
        .fetch_optional(&mut *$tx)
        .await?;
        let Some((member_id, term_id)) = invoice else {
            return Err(StoreError::Invalid("This invoice is not open: it has been paid or voided already.".into()));
        };
        insert_payment!($tx, $invoice_id, $payment, $now)?;
        if let Some(term_id) = term_id {
            sqlx::query("UPDATE membership_terms SET status = 'paid', paid_on = $1 WHERE id = $2")
                .bind($payment.received_on)
                .bind(term_id)
                .execute(&mut *$tx)
                .await?;
        }
        sqlx::query(
            "UPDATE members SET standing = $1, expires_on = $2, standing_on = $3, updated_at = $4 WHERE id = $5",
        )
        .bind($standing.0.code())
        .bind($standing.1)
        .bind($standing.2)
        .bind($now)
        .bind(member_id)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use {insert_payment, settle_in_tx};

/// The WHERE clause and its values for a member filter (only the conditions given, so
/// the planner can use the indexes).
fn filter_sql(filter: &MemberFilter) -> (String, Vec<Value>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    fn push(conditions: &mut Vec<String>, values: &mut Vec<Value>, condition: &str, value: Value) {
        values.push(value);
        conditions.push(condition.replace('?', &format!("${}", values.len())));
    }
    if let Some(prefix) = filter.name_prefix.as_ref().map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()) {
        let upper = format!("{prefix}\u{10FFFF}");
        push(&mut conditions, &mut values, "m.search_name >= ?", Value::Text(prefix));
        push(&mut conditions, &mut values, "m.search_name < ?", Value::Text(upper));
    }
    if let Some(text) = filter.text.as_ref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()) {
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        values.push(Value::Text(text.clone()));
        let number = values.len();
        values.push(Value::Text(format!("{escaped}%")));
        let starts = values.len();
        values.push(Value::Text(format!("%{escaped}%")));
        let contains = values.len();
        conditions.push(format!(
            "(LOWER(m.member_number) = ${number} OR m.search_name LIKE ${starts} ESCAPE '\\' \
             OR LOWER(m.first_name || ' ' || m.last_name) LIKE ${starts} ESCAPE '\\' \
             OR LOWER(m.email) LIKE ${contains} ESCAPE '\\')"
        ));
    }
    if let Some(text) = filter.email_contains.as_ref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()) {
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        push(&mut conditions, &mut values, "LOWER(m.email) LIKE ? ESCAPE '\\'", Value::Text(format!("%{escaped}%")));
    }
    if let Some(tier) = filter.tier_id {
        push(&mut conditions, &mut values, "m.tier_id = ?", Value::Int(tier));
    }
    if !filter.standings.is_empty() {
        let mut placeholders = Vec::new();
        for standing in &filter.standings {
            values.push(Value::Text(standing.code().to_string()));
            placeholders.push(format!("${}", values.len()));
        }
        conditions.push(format!("m.standing IN ({})", placeholders.join(", ")));
    }
    if let Some(chapter) = filter.chapter_id {
        push(&mut conditions, &mut values, "m.home_chapter_id = ?", Value::Int(chapter));
    }
    if let Some(group) = filter.group_id {
        push(
            &mut conditions,
            &mut values,
            "EXISTS (SELECT 1 FROM member_groups g WHERE g.member_id = m.id AND g.group_id = ?)",
            Value::Int(group),
        );
    }
    if let Some(discipline) = filter.discipline.as_ref().filter(|d| !d.is_empty()) {
        push(
            &mut conditions,
            &mut values,
            "(';' || m.disciplines || ';') LIKE ?",
            Value::Text(format!("%;{discipline};%")),
        );
    }
    if let Some(jurisdiction) = filter.jurisdiction.as_ref().filter(|j| !j.is_empty()) {
        push(
            &mut conditions,
            &mut values,
            "EXISTS (SELECT 1 FROM licences l WHERE l.member_id = m.id AND l.jurisdiction = ?)",
            Value::Text(jurisdiction.clone()),
        );
    }
    if let Some(from) = filter.expires_from {
        push(&mut conditions, &mut values, "m.expires_on >= ?", Value::Date(from));
    }
    if let Some(until) = filter.expires_until {
        push(&mut conditions, &mut values, "m.expires_on <= ?", Value::Date(until));
    }
    let clause = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    (clause, values)
}

impl Store {
    /// Inserts members with everything about them in one transaction: all or nothing.
    /// Returns the new member ids in input order.
    pub async fn insert_members(&self, bundles: &[MemberBundle], now: UnixTime) -> StoreResult<Vec<i64>> {
        self.insert_members_with_progress(bundles, now, None).await
    }

    /// [`Store::insert_members`], calling `progress` with the count done every 1,000 members.
    pub async fn insert_members_with_progress(
        &self,
        bundles: &[MemberBundle],
        now: UnixTime,
        progress: Option<&(dyn Fn(usize) + Sync)>,
    ) -> StoreResult<Vec<i64>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(bundles.len());
            for (i, bundle) in bundles.iter().enumerate() {
                let m = &bundle.member;
                let number = m.member_number.clone().unwrap_or_else(|| format!("pending-{now}-{i}"));
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO members (member_number, user_id, first_name, last_name, email, phone, employer, \
                     job_title, career_stage, disciplines, education, city, tier_id, home_chapter_id, joined_on, \
                     standing, expires_on, standing_on, visibility, search_name, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
                     $20, $21, $21) RETURNING id",
                )
                .bind(&number)
                .bind(m.user_id)
                .bind(&m.first_name)
                .bind(&m.last_name)
                .bind(&m.email)
                .bind(&m.phone)
                .bind(&m.employer)
                .bind(&m.job_title)
                .bind(&m.career_stage)
                .bind(&m.disciplines)
                .bind(&m.education)
                .bind(&m.city)
                .bind(m.tier_id)
                .bind(m.home_chapter_id)
                .bind(m.joined_on)
                .bind(m.standing.code())
                .bind(m.expires_on)
                .bind(m.standing_on)
                .bind(&m.visibility)
                .bind(search_name(&m.first_name, &m.last_name))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                if m.member_number.is_none() {
                    sqlx::query("UPDATE members SET member_number = $1 WHERE id = $2")
                        .bind(format!("M{id:06}"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                for l in &bundle.licences {
                    sqlx::query(
                        "INSERT INTO licences (member_id, jurisdiction, kind, number, first_issued, expires_on, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(l.jurisdiction.as_str())
                    .bind(l.kind.code())
                    .bind(&l.number)
                    .bind(l.first_issued)
                    .bind(l.expires_on)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                for c in &bundle.certifications {
                    sqlx::query(
                        "INSERT INTO certifications (member_id, name, body, number, expires_on, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(&c.name)
                    .bind(&c.body)
                    .bind(&c.number)
                    .bind(c.expires_on)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                for group in &bundle.group_ids {
                    sqlx::query("INSERT INTO member_groups (member_id, group_id, joined_on) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(group)
                        .bind(m.joined_on)
                        .execute(&mut *tx)
                        .await?;
                }
                for t in &bundle.terms {
                    let (term_id,) = insert_term!(tx, id, t.term, now)?;
                    for evidence in &t.evidence {
                        insert_evidence!(tx, id, Some(term_id), evidence, now)?;
                    }
                    if let Some(invoice) = &t.invoice {
                        let (invoice_id,) = insert_invoice!(tx, id, Some(term_id), invoice, now)?;
                        for payment in &t.payments {
                            insert_payment!(tx, invoice_id, payment, now)?;
                        }
                    }
                }
                ids.push(id);
                if let Some(progress) = progress
                    && ids.len() % 1000 == 0
                {
                    progress(ids.len());
                }
            }
            tx.commit().await?;
            if let Some(progress) = progress {
                progress(ids.len());
            }
            Ok(ids)
        })
    }

    pub async fn member_by_id(&self, id: i64) -> StoreResult<Option<MemberRecord>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn member_by_user(&self, user_id: i64) -> StoreResult<Option<MemberRecord>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE user_id = $1");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id).fetch_optional(pool).await
        })?)
    }

    /// A signed-in person's membership card in one round trip: their member record, the id
    /// of their open invoice, their groups' names, their licences, on `on`, who pays for
    /// them (household or organisational link), and whether they pay for anyone else.
    pub async fn member_card(&self, user_id: i64, on: Date) -> StoreResult<Option<MemberCard>> {
        let sql = self.member_card_sql("");
        let row: Option<MemberCardRow> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id).bind(on).fetch_optional(pool).await
        })?;
        row.map(MemberCardRow::into_card).transpose()
    }

    /// The signed-in member's dashboard in one statement: their card, their `invoices` most
    /// recent invoices (open ones first), what judging their CE needs, and their registrations
    /// for events not over at `now`.
    pub async fn member_dashboard(
        &self,
        user_id: i64,
        on: Date,
        now: UnixTime,
        invoices: u8,
    ) -> StoreResult<Option<MemberDashboard>> {
        let json = self.json_rows();
        // All the member's invoices (a few a year) come unordered and are sorted here; an
        // ordered, limited aggregate costs SQLite a temporary B-tree.
        let all_invoices = json.rows(INVOICE_COLUMNS, "invoices WHERE member_id = m.id");
        let extra = format!(
            ", {all_invoices} AS invoices, {}, {}",
            crate::ce::ce_evaluation_columns(&json, "m.id"),
            crate::events::upcoming_registrations_column(&json, "m.user_id", "$3")
        );
        let sql = self.member_card_sql(&extra);
        let row: Option<MemberDashboardRow> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user_id)
                .bind(on)
                .bind(now)
                .fetch_optional(pool)
                .await
        })?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(MemberDashboard {
            registrations: crate::events::upcoming_registrations_from(&r.event_registrations)?,
            card: r.card.into_card()?,
            recent_invoices: {
                let mut all: Vec<crate::InvoiceRecord> = crate::json_rows::from_json_rows(&r.invoices, "invoices")?;
                all.sort_by_key(|i| (i.status != InvoiceStatus::Open, std::cmp::Reverse((i.issued_on, i.id))));
                all.truncate(usize::from(invoices));
                all
            },
            ce: crate::ce::ce_evaluation_input_from(&r.ce_credentials, &r.ce_activities, &r.ce_sessions)?,
        }))
    }

    /// The membership card's statement (`$1` the user, `$2` the day), with `extra` columns
    /// (each starting with a comma) over `members m`.
    fn member_card_sql(&self, extra: &str) -> String {
        // Groups and licences come aggregated into one text each: records separated by
        // U+001E, fields by U+001F (characters no name or number holds), in no order (they
        // are sorted when read: an ordered aggregate costs SQLite a temporary B-tree).
        let (aggregate, sep) = match self.kind() {
            crate::EngineKind::Sqlite => ("group_concat", "char"),
            crate::EngineKind::Postgres => ("string_agg", "chr"),
        };
        let columns = MEMBER_COLUMNS.split(", ").map(|c| format!("m.{}", c.trim())).collect::<Vec<_>>().join(", ");
        format!(
            "SELECT {columns}, \
             (SELECT max(i.id) FROM invoices i WHERE i.member_id = m.id AND i.status = 'open' \
               AND i.term_id IS NOT NULL) AS open_invoice_id, \
             (SELECT {aggregate}(g.name, {sep}(30)) FROM affinity_groups g \
               JOIN member_groups mg ON mg.group_id = g.id WHERE mg.member_id = m.id) AS group_names, \
             (SELECT {aggregate}(l.jurisdiction || {sep}(31) || l.kind || {sep}(31) || l.number, {sep}(30)) \
               FROM licences l WHERE l.member_id = m.id) AS licences, \
             (SELECT k.payer_id FROM membership_links k WHERE k.member_id = m.id AND k.started_on <= $2 \
               AND (k.ended_on IS NULL OR k.ended_on >= $2) LIMIT 1) AS payer_id, \
             (EXISTS (SELECT 1 FROM organisations o WHERE o.payer_id = m.id) \
               OR EXISTS (SELECT 1 FROM membership_links k WHERE k.payer_id = m.id)) AS pays_for_others{extra} \
             FROM members m WHERE m.user_id = $1"
        )
    }

    pub async fn member_licences(&self, member_id: i64) -> StoreResult<Vec<LicenceRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, member_id, jurisdiction, kind, number, first_issued, expires_on, created_at FROM licences \
                 WHERE member_id = $1 ORDER BY jurisdiction, kind",
            )
            .bind(member_id)
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn member_certifications(&self, member_id: i64) -> StoreResult<Vec<CertificationRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, member_id, name, body, number, expires_on, created_at FROM certifications \
                 WHERE member_id = $1 ORDER BY name",
            )
            .bind(member_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Links the one member record whose email is `email` to the account `user_id`, if
    /// that record has no account yet and the account has no record; returns the record's
    /// id and number when it was linked now. One conditional `UPDATE` (member emails and
    /// `members.user_id` are unique), audited with the record as its subject.
    pub async fn link_member_by_email(
        &self,
        user_id: i64,
        email: &str,
        audit: &NewAuditEntry,
    ) -> StoreResult<Option<(i64, String)>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let linked: Option<(i64, String)> = sqlx::query_as(
                "UPDATE members SET user_id = $1 \
                 WHERE lower(email) = lower($2) AND user_id IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM members mine WHERE mine.user_id = $1) \
                 RETURNING id, member_number",
            )
            .bind(user_id)
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((member_id, number)) = linked else { return Ok(None) };
            let mut audit = audit.clone();
            audit.subject_kind = "member".into();
            audit.subject_id = Some(member_id);
            audit.subject_label = number.clone();
            insert_audit!(tx, &audit)?;
            tx.commit().await?;
            Ok(Some((member_id, number)))
        })
    }

    /// Terms oldest first.
    pub async fn member_terms(&self, member_id: i64) -> StoreResult<Vec<TermRecord>> {
        let sql = format!("SELECT {TERM_COLUMNS} FROM membership_terms WHERE member_id = $1 ORDER BY starts_on, id");
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(member_id).fetch_all(pool).await
        })?)
    }

    /// Raises a renewal: a term awaiting payment and its open invoice, atomically; or,
    /// when the member already has an open term starting on the same day, that term's
    /// open invoice. The partial unique index `membership_terms_one_open_per_period`
    /// decides which of concurrent renewals raises the term (`ON CONFLICT … DO NOTHING`:
    /// the others wait for it to commit and then find it).
    pub async fn create_renewal(
        &self,
        member_id: i64,
        term: &NewTerm,
        invoice: &NewInvoice,
        now: UnixTime,
    ) -> StoreResult<(i64, i64)> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let raised: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO membership_terms (member_id, tier_id, starts_on, ends_on, applied_on, status, approved_on, \
                 paid_on, cancelled_on, rejected_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (member_id, starts_on) WHERE status IN ('awaiting_approval', 'awaiting_payment') \
                 DO NOTHING RETURNING id",
            )
            .bind(member_id)
            .bind(term.tier_id)
            .bind(term.starts_on)
            .bind(term.ends_on)
            .bind(term.applied_on)
            .bind(term.status.code())
            .bind(term.approved_on)
            .bind(term.paid_on)
            .bind(term.cancelled_on)
            .bind(term.rejected_on)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let ids = match raised {
                Some((term_id,)) => {
                    let (invoice_id,) = insert_invoice!(tx, member_id, Some(term_id), invoice, now)?;
                    (term_id, invoice_id)
                }
                None => sqlx::query_as(
                    "SELECT t.id, i.id FROM membership_terms t JOIN invoices i ON i.term_id = t.id \
                     WHERE t.member_id = $1 AND t.starts_on = $2 \
                     AND t.status IN ('awaiting_approval', 'awaiting_payment') AND i.status = 'open' \
                     ORDER BY i.id LIMIT 1",
                )
                .bind(member_id)
                .bind(term.starts_on)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    StoreError::Invalid(
                        "A renewal for this period is already waiting for approval; the office will be in touch."
                            .into(),
                    )
                })?,
            };
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Records a payment that settles an open invoice: the invoice and its term become
    /// paid and the member's standing is updated, all at once. A payment whose
    /// `provider_ref` was already recorded changes nothing and returns `false`.
    pub async fn settle_invoice(
        &self,
        invoice_id: i64,
        payment: &NewPayment,
        standing: SettledStanding,
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(provider_ref) = &payment.provider_ref {
                let seen: Option<(i64,)> = sqlx::query_as("SELECT id FROM payments WHERE provider_ref = $1")
                    .bind(provider_ref)
                    .fetch_optional(&mut *tx)
                    .await?;
                if seen.is_some() {
                    return Ok(false);
                }
            }
            settle_in_tx!(tx, invoice_id, payment, standing, now);
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn set_member_standing(
        &self,
        member_id: i64,
        standing: Standing,
        expires_on: Option<Date>,
        on: Date,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            sqlx::query("UPDATE members SET standing = $1, expires_on = $2, standing_on = $3 WHERE id = $4")
                .bind(standing.code())
                .bind(expires_on)
                .bind(on)
                .bind(member_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Members after `after_id` whose standing was last computed before `on`, by id (for
    /// the daily refresh, which walks them in pages).
    pub async fn members_with_stale_standing(&self, on: Date, after_id: i64, limit: u32) -> StoreResult<Vec<i64>> {
        // The limit is written in, not bound (see `PageRequest::sql`).
        let sql = format!("SELECT id FROM members WHERE standing_on < $1 AND id > $2 ORDER BY id LIMIT {limit}");
        let rows: Vec<(i64,)> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(on).bind(after_id).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Members matching a filter, by name.
    pub async fn search_members(&self, filter: &MemberFilter, page: PageRequest) -> StoreResult<Page<MemberSummary>> {
        let (clause, values) = filter_sql(filter);
        let count_sql = format!("SELECT COUNT(*) FROM members m{clause}");
        let sql = format!("{SUMMARY_SELECT}{clause} ORDER BY m.search_name, m.id {}", page.sql());
        let (items, (total,)): (Vec<MemberSummary>, (i64,)) = with_reader!(self, |pool| {
            let total =
                bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(count_sql.as_str())), values).fetch_one(pool).await?;
            let items = bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), values).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Counts of members grouped by a column (`standing`, `tier`, `chapter`), for reports.
    pub async fn count_members_by(&self, dimension: &str) -> StoreResult<Vec<(String, i64)>> {
        let sql = match dimension {
            "standing" => "SELECT m.standing, COUNT(*) FROM members m GROUP BY m.standing ORDER BY 2 DESC",
            "tier" => {
                "SELECT t.name, COUNT(*) FROM members m JOIN tiers t ON t.id = m.tier_id GROUP BY t.name, t.sort_order ORDER BY t.sort_order"
            }
            "chapter" => {
                "SELECT COALESCE(c.name, '(no chapter)'), COUNT(*) FROM members m LEFT JOIN chapters c ON c.id = m.home_chapter_id GROUP BY c.name ORDER BY 2 DESC"
            }
            other => return Err(StoreError::Invalid(format!("cannot count members by {other}"))),
        };
        Ok(with_reader!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?)
    }

    /// Every member's email and number, to check an import against.
    pub async fn member_keys(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        let rows: Vec<(String, String)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT email, member_number FROM members").fetch_all(pool).await
        })?;
        Ok(rows.into_iter().unzip())
    }

    /// Everything the member export writes, read in five queries.
    pub async fn export_members(&self) -> StoreResult<MemberExport> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY id");
        let (members, licences, certifications, groups, paid): ExportRows = with_reader!(self, |pool| {
            let members = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?;
            let licences = sqlx::query_as(
                "SELECT id, member_id, jurisdiction, kind, number, first_issued, expires_on, created_at FROM licences \
                 ORDER BY member_id, id",
            )
            .fetch_all(pool)
            .await?;
            let certifications = sqlx::query_as(
                "SELECT id, member_id, name, body, number, expires_on, created_at FROM certifications ORDER BY member_id, id",
            )
            .fetch_all(pool)
            .await?;
            let groups = sqlx::query_as(
                "SELECT mg.member_id, g.slug FROM member_groups mg JOIN affinity_groups g ON g.id = mg.group_id \
                 ORDER BY mg.member_id, g.slug",
            )
            .fetch_all(pool)
            .await?;
            let paid = sqlx::query_as("SELECT member_id, ends_on FROM membership_terms WHERE paid_on IS NOT NULL")
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((members, licences, certifications, groups, paid))
        })?;
        let mut export = MemberExport { members, ..Default::default() };
        for (member, ends_on) in paid {
            let last = export.last_paid_expiry.entry(member).or_insert(ends_on);
            *last = (*last).max(ends_on);
        }
        for l in licences {
            export.licences.entry(l.member_id).or_default().push(l);
        }
        for c in certifications {
            export.certifications.entry(c.member_id).or_default().push(c);
        }
        for (member, slug) in groups {
            export.groups.entry(member).or_default().push(slug);
        }
        Ok(export)
    }

    pub async fn count_members(&self) -> StoreResult<i64> {
        let (n,): (i64,) =
            with_reader!(self, |pool| sqlx::query_as("SELECT COUNT(*) FROM members").fetch_one(pool).await)?;
        Ok(n)
    }
}

impl Store {
    /// Members whose stored standing may call for a renewal reminder.
    pub async fn members_in_renewal(&self) -> StoreResult<Vec<MemberRecord>> {
        let sql =
            format!("SELECT {MEMBER_COLUMNS} FROM members WHERE standing IN ('renewal_due', 'grace') ORDER BY id");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// Members on a tier without expiry, in good standing, whose home chapter charges a
    /// supplement and who have no supplement bill for `year` yet.
    pub async fn chapter_supplements_to_bill(&self, year: i64) -> StoreResult<Vec<MemberRecord>> {
        let columns = MEMBER_COLUMNS.split(", ").map(|c| format!("m.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {columns} FROM members m JOIN tiers t ON t.id = m.tier_id \
             JOIN chapters c ON c.id = m.home_chapter_id \
             WHERE t.never_expires AND c.dues_supplement_cents > 0 AND m.standing = 'active' \
             AND NOT EXISTS (SELECT 1 FROM chapter_supplement_bills b WHERE b.member_id = m.id AND b.year = $1) \
             ORDER BY m.id"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(year).fetch_all(pool).await
        })?)
    }

    /// Bills a member's chapter supplement for `year`: the invoice, the bill that makes it
    /// once per member and year, and its email, in one transaction. `None` (and nothing
    /// written) when that year was billed already.
    pub async fn bill_chapter_supplement(
        &self,
        member_id: i64,
        year: i64,
        chapter_id: i64,
        invoice: &NewInvoice,
        mail: &crate::NewMail,
        now: UnixTime,
    ) -> StoreResult<Option<i64>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let (invoice_id,) = insert_invoice!(tx, member_id, None::<i64>, invoice, now)?;
            let billed = sqlx::query(
                "INSERT INTO chapter_supplement_bills (member_id, year, chapter_id, invoice_id) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (member_id, year) DO NOTHING",
            )
            .bind(member_id)
            .bind(year)
            .bind(chapter_id)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await?;
            if billed.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            crate::outbox::insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(Some(invoice_id))
        })
    }

    /// (expiry, offset key, sent on) for every reminder sent to a member.
    pub async fn sent_reminders(&self, member_id: i64) -> StoreResult<Vec<(Date, String, Date)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT for_expiry, offset_key, sent_on FROM renewal_reminders WHERE member_id = $1")
                .bind(member_id)
                .fetch_all(pool)
                .await
        })?)
    }

    /// Records a reminder and queues its email together; returns `false` (and queues
    /// nothing) if that reminder was already recorded, e.g. by another node.
    pub async fn record_reminder(
        &self,
        member_id: i64,
        for_expiry: Date,
        offset_key: &str,
        sent_on: Date,
        mail: &crate::NewMail,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO renewal_reminders (member_id, for_expiry, offset_key, sent_on) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (member_id, for_expiry, offset_key) DO NOTHING",
            )
            .bind(member_id)
            .bind(for_expiry)
            .bind(offset_key)
            .bind(sent_on)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Ok(false);
            }
            crate::outbox::insert_mail!(tx, mail, now)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Applications awaiting approval, oldest first.
    /// Eligibility evidence given with these terms' applications, oldest first.
    pub async fn evidence_for_terms(&self, term_ids: &[i64]) -> StoreResult<Vec<EvidenceRecord>> {
        if term_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = (1..=term_ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT id, member_id, term_id, proof, statement, file_name, content_type, created_at \
             FROM membership_evidence WHERE term_id IN ({placeholders}) ORDER BY id"
        );
        Ok(with_reader!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for id in term_ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?)
    }

    /// An evidence document: its record and its bytes.
    pub async fn evidence_document(&self, evidence_id: i64) -> StoreResult<Option<(EvidenceRecord, Vec<u8>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            record: EvidenceRecord,
            content: Option<Vec<u8>>,
        }
        let row: Option<Row> = with_reader!(self, |pool| sqlx::query_as(
            "SELECT id, member_id, term_id, proof, statement, file_name, content_type, created_at, content \
             FROM membership_evidence WHERE id = $1"
        )
        .bind(evidence_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.and_then(|r| r.content.map(|c| (r.record, c))))
    }

    /// Adds evidence to an application still waiting for staff; `false` when the term is
    /// not the member's or no longer waits.
    pub async fn add_evidence_to_application(
        &self,
        member_id: i64,
        term_id: i64,
        evidence: &NewEvidence,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let waiting: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM membership_terms WHERE id = $1 AND member_id = $2 AND status = 'awaiting_approval'",
            )
            .bind(term_id)
            .bind(member_id)
            .fetch_optional(&mut *tx)
            .await?;
            if waiting.is_none() {
                return Ok(false);
            }
            insert_evidence!(tx, member_id, Some(term_id), evidence, now)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn pending_applications(&self) -> StoreResult<Vec<PendingApplication>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id AS term_id, m.id AS member_id, m.member_number, m.first_name, m.last_name, m.email, \
                 tr.name AS tier_name, tr.annual_dues_cents, t.applied_on, c.name AS chapter_name \
                 FROM membership_terms t JOIN members m ON m.id = t.member_id JOIN tiers tr ON tr.id = t.tier_id \
                 LEFT JOIN chapters c ON c.id = m.home_chapter_id \
                 WHERE t.status = 'awaiting_approval' ORDER BY t.applied_on, t.id",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// One page of the applications awaiting a decision, oldest first, with how many wait.
    pub async fn pending_applications_page(&self, page: PageRequest) -> StoreResult<Page<PendingApplication>> {
        let sql = format!(
            "SELECT t.id AS term_id, m.id AS member_id, m.member_number, m.first_name, m.last_name, m.email, \
             tr.name AS tier_name, tr.annual_dues_cents, t.applied_on, c.name AS chapter_name \
             FROM membership_terms t JOIN members m ON m.id = t.member_id JOIN tiers tr ON tr.id = t.tier_id \
             LEFT JOIN chapters c ON c.id = m.home_chapter_id \
             WHERE t.status = 'awaiting_approval' ORDER BY t.applied_on, t.id {}",
            page.sql()
        );
        let (items, (total,)): (Vec<PendingApplication>, (i64,)) = with_reader!(self, |pool| {
            let total = sqlx::query_as("SELECT COUNT(*) FROM membership_terms WHERE status = 'awaiting_approval'")
                .fetch_one(pool)
                .await?;
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Approves (raising the first invoice) or rejects an application, updating the
    /// member's standing and the audit log in one transaction. `NotFound` if the term is
    /// no longer awaiting approval.
    pub async fn decide_application(
        &self,
        term_id: i64,
        decision: ApplicationDecision<'_>,
        standing: (&str, Date),
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT member_id FROM membership_terms WHERE id = $1 AND status = 'awaiting_approval'",
                )
                .bind(term_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((member_id,)) = row else { return Err(StoreError::NotFound) };
                match decision {
                    ApplicationDecision::Approve { on, invoice } => {
                        sqlx::query(
                            "UPDATE membership_terms SET status = 'awaiting_payment', approved_on = $1 WHERE id = $2",
                        )
                        .bind(on)
                        .bind(term_id)
                        .execute(&mut *tx)
                        .await?;
                        insert_invoice!(tx, member_id, Some(term_id), invoice, now)?;
                    }
                    ApplicationDecision::Reject { on, mail } => {
                        sqlx::query("UPDATE membership_terms SET status = 'rejected', rejected_on = $1 WHERE id = $2")
                            .bind(on)
                            .bind(term_id)
                            .execute(&mut *tx)
                            .await?;
                        crate::outbox::insert_mail!(tx, mail, now)?;
                    }
                }
                sqlx::query("UPDATE members SET standing = $1, standing_on = $2, updated_at = $3 WHERE id = $4")
                    .bind(standing.0)
                    .bind(standing.1)
                    .bind(now)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
            },
            audit
        )
    }
}

impl Store {
    /// Saves a profile (and, for edits by someone else, the audit entry) atomically.
    pub async fn update_member_profile(
        &self,
        member_id: i64,
        p: &MemberProfile,
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<()> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE members SET first_name = $1, last_name = $2, phone = $3, employer = $4, job_title = $5, \
                 career_stage = $6, disciplines = $7, education = $8, city = $9, visibility = $10, search_name = $11, \
                 updated_at = $12 WHERE id = $13",
            )
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.phone)
            .bind(&p.employer)
            .bind(&p.job_title)
            .bind(&p.career_stage)
            .bind(&p.disciplines)
            .bind(&p.education)
            .bind(&p.city)
            .bind(&p.visibility)
            .bind(search_name(&p.first_name, &p.last_name))
            .bind(now)
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}

impl Store {
    /// The id of the member with this member number.
    pub async fn member_id_by_number(&self, number: &str) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT id FROM members WHERE member_number = $1").bind(number).fetch_optional(pool).await
        })?;
        Ok(row.map(|(id,)| id))
    }

    /// Staff change a member's tier, home chapter and email address, audited in the same
    /// transaction. `Conflict` on `email` when another member has the address.
    pub async fn update_member_membership(
        &self,
        member_id: i64,
        (tier_id, chapter_id, email): (i64, Option<i64>, &str),
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let done = sqlx::query(
                    "UPDATE members SET tier_id = $1, home_chapter_id = $2, email = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(tier_id)
                .bind(chapter_id)
                .bind(email)
                .bind(now)
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
            },
            audit
        )
    }
}
