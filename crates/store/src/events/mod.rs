//! Events and registrations. Seats are never oversold, under any concurrency, on either
//! engine: every change to an event's registrations first takes the event's row (an
//! `UPDATE` that PostgreSQL locks until commit; SQLite has one writer), a seat is taken only
//! by `UPDATE events SET seats_taken = seats_taken + 1 WHERE … seats_taken < capacity`, and a
//! CHECK keeps `seats_taken <= capacity`. Each registration change and its email are written
//! in one transaction.
//!
//! Files: `mod.rs` (the queries), `records.rs` (their rows).

pub mod records;

pub use records::*;

use guildhall_domain::events::{EventPrice, EventStatus, RegistrationStatus};

use crate::engine::{audited, audited_change, insert_audit};
use crate::outbox::insert_mail;
use crate::{NewAuditEntry, NewMail, Page, PageRequest, Store, StoreError, StoreResult, UnixTime, with_reader};

const EVENT_COLUMNS: &str = "id, chapter_id, kind, title, description, time_zone, starts_at, ends_at, venue, address, \
    online_link, capacity, seats_taken, waitlist_joined, registration_closes_at, pdh_micro, topics, provider, \
    credit_released_at, status, created_by, created_at, updated_at, early_bird_until, changes_until, refund_percent, \
    minutes_per_pdh, responsible, approved_by";

/// A registration's columns over `event_registrations r`, with its place in line.
const REGISTRATION_COLUMNS: &str = "r.id, r.event_id, r.user_id, r.member_id, r.status, r.waitlist_seq, \
    CASE WHEN r.status = 'waitlisted' THEN (SELECT COUNT(*) FROM event_registrations w WHERE w.event_id = r.event_id \
    AND w.status = 'waitlisted' AND w.waitlist_seq <= r.waitlist_seq) END AS position, r.offered_until, \
    r.checked_in_at, r.certificate_code, r.registered_at, r.updated_at, r.price_cents, r.price_basis, r.invoice_id, \
    COALESCE((SELECT CASE WHEN i.status = 'paid' THEN TRUE ELSE FALSE END FROM invoices i WHERE i.id = r.invoice_id), \
    FALSE) AS invoice_paid, r.attended_minutes, r.credit_micro, r.ticket_code, r.certificate_licences";

/// An event's roster (`$1` the event): confirmed first, then offered, then the waitlist in
/// line, then cancelled.
fn roster_sql() -> String {
    format!(
        "SELECT {REGISTRATION_COLUMNS}, u.display_name AS name, u.email, m.member_number \
         FROM event_registrations r JOIN users u ON u.id = r.user_id LEFT JOIN members m ON m.id = r.member_id \
         WHERE r.event_id = $1 ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'offered' THEN 1 \
         WHEN 'waitlisted' THEN 2 ELSE 3 END, r.waitlist_seq, u.display_name, r.id"
    )
}

/// Binds an event's details, in the order of [`NewEvent`]'s fields (21 placeholders).
macro_rules! bind_event_details {
    ($query:expr, $event:expr) => {
        $query
            .bind($event.chapter_id)
            .bind($event.kind.code())
            .bind(&$event.title)
            .bind(&$event.description)
            .bind(&$event.time_zone)
            .bind($event.starts_at)
            .bind($event.ends_at)
            .bind(&$event.venue)
            .bind(&$event.address)
            .bind(&$event.online_link)
            .bind($event.capacity)
            .bind($event.registration_closes_at)
            .bind($event.pdh_micro)
            .bind(&$event.topics)
            .bind(&$event.provider)
            .bind($event.early_bird_until)
            .bind($event.changes_until)
            .bind($event.refund_percent)
            .bind($event.minutes_per_pdh)
            .bind(&$event.responsible)
            .bind(&$event.approved_by)
    };
}

/// Takes the event's row for the rest of the transaction (PostgreSQL holds the row lock
/// until commit, so changes to one event's registrations queue; SQLite has one writer).
/// Evaluates to whether the event exists.
macro_rules! lock_event {
    ($tx:expr, $event_id:expr) => {
        sqlx::query("UPDATE events SET updated_at = updated_at WHERE id = $1")
            .bind($event_id)
            .execute(&mut *$tx)
            .await
            .map(|done| done.rows_affected() == 1)
    };
}

/// Offers the event's free seats to the people next in line, each held until
/// `$offered_until`, queuing `$mail` for each; evaluates to the offers made.
macro_rules! offer_free_seats {
    ($tx:expr, $event_id:expr, $now:expr, $offered_until:expr, $mail:expr) => {
        async {
            let mut offers = Vec::new();
            loop {
                let seat: Option<(i64,)> = sqlx::query_as(
                    "UPDATE events SET seats_taken = seats_taken + 1 WHERE id = $1 AND status = 'published' \
                     AND seats_taken < capacity \
                     AND EXISTS (SELECT 1 FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted') \
                     RETURNING id",
                )
                .bind($event_id)
                .fetch_optional(&mut *$tx)
                .await?;
                if seat.is_none() {
                    break;
                }
                let (registration_id, email, name): (i64, String, String) = sqlx::query_as(
                    "UPDATE event_registrations SET status = 'offered', offered_until = $2, updated_at = $3 \
                     WHERE id = (SELECT id FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted' \
                     ORDER BY waitlist_seq LIMIT 1) \
                     RETURNING id, (SELECT email FROM users WHERE users.id = user_id), \
                     (SELECT display_name FROM users WHERE users.id = user_id)",
                )
                .bind($event_id)
                .bind($offered_until)
                .bind($now)
                .fetch_one(&mut *$tx)
                .await?;
                let offer =
                    SeatOffer { registration_id, event_id: $event_id, email, name, offered_until: $offered_until };
                let mail: NewMail = $mail(&offer);
                insert_mail!($tx, mail, $now)?;
                offers.push(offer);
            }
            Ok::<_, StoreError>(offers)
        }
    };
}

/// Replaces the event's prices and sets its discount codes in the transaction: codes no
/// longer listed are removed, listed ones keep the uses counted so far (a limit below them
/// is refused with `Invalid`).
macro_rules! save_parts {
    ($tx:expr, $event_id:expr, $pricing:expr) => {
        async {
            sqlx::query("DELETE FROM event_prices WHERE event_id = $1").bind($event_id).execute(&mut *$tx).await?;
            for price in &$pricing.prices {
                sqlx::query(
                    "INSERT INTO event_prices (event_id, audience, tier_id, price_cents, early_price_cents) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind($event_id)
                .bind(price.audience.code())
                .bind(price.audience.tier_id())
                .bind(price.price_cents)
                .bind(price.early_price_cents)
                .execute(&mut *$tx)
                .await?;
            }
            let kept: Vec<(i64, String, i64)> =
                sqlx::query_as("SELECT id, code, uses FROM event_discount_codes WHERE event_id = $1")
                    .bind($event_id)
                    .fetch_all(&mut *$tx)
                    .await?;
            for (id, code, _) in &kept {
                if !$pricing.discount_codes.iter().any(|c| &c.code == code) {
                    sqlx::query("DELETE FROM event_discount_codes WHERE id = $1").bind(id).execute(&mut *$tx).await?;
                }
            }
            for new in &$pricing.discount_codes {
                if let Some((_, _, uses)) = kept.iter().find(|(_, code, _)| code == &new.code)
                    && new.max_uses.is_some_and(|max| max < *uses)
                {
                    return Err(StoreError::Invalid(format!(
                        "The code {} has been used {uses} times already: its limit cannot be lower.",
                        new.code
                    )));
                }
                sqlx::query(
                    "INSERT INTO event_discount_codes (event_id, code, percent_off, max_uses, uses, created_at) \
                     VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (event_id, code) DO UPDATE \
                     SET percent_off = excluded.percent_off, max_uses = excluded.max_uses",
                )
                .bind($event_id)
                .bind(&new.code)
                .bind(new.percent_off)
                .bind(new.max_uses)
                .bind(0_i64)
                .execute(&mut *$tx)
                .await?;
            }
            save_sessions!($tx, $event_id, $pricing).await?;
            Ok::<_, StoreError>(())
        }
    };
}

/// Replaces the event's programme when it changed; a programme whose sessions have
/// recorded attendance is not changed (`Invalid`).
macro_rules! save_sessions {
    ($tx:expr, $event_id:expr, $parts:expr) => {
        async {
            let existing: Vec<EventSession> = sqlx::query_as(
                "SELECT id, event_id, title, speakers, starts_at, ends_at, pdh_micro, topics, approved_by FROM event_sessions \
                 WHERE event_id = $1 ORDER BY starts_at, id",
            )
            .bind($event_id)
            .fetch_all(&mut *$tx)
            .await?;
            let same = existing.len() == $parts.sessions.len()
                && existing.iter().zip(&$parts.sessions).all(|(old, new)| {
                    (&old.title, &old.speakers, old.starts_at, old.ends_at, old.pdh_micro, &old.topics, &old.approved_by)
                        == (
                            &new.title,
                            &new.speakers,
                            new.starts_at,
                            new.ends_at,
                            new.pdh_micro,
                            &new.topics,
                            &new.approved_by,
                        )
                });
            if !same {
                let attended: Option<(i64,)> = sqlx::query_as(
                    "SELECT a.session_id FROM event_session_attendance a JOIN event_sessions s ON s.id = a.session_id \
                     WHERE s.event_id = $1 LIMIT 1",
                )
                .bind($event_id)
                .fetch_optional(&mut *$tx)
                .await?;
                if attended.is_some() {
                    return Err(StoreError::Invalid(
                        "The programme cannot change once attendance of its sessions was recorded.".into(),
                    ));
                }
                sqlx::query("DELETE FROM event_sessions WHERE event_id = $1")
                    .bind($event_id)
                    .execute(&mut *$tx)
                    .await?;
                for s in &$parts.sessions {
                    sqlx::query(
                        "INSERT INTO event_sessions (event_id, title, speakers, starts_at, ends_at, pdh_micro, topics, \
                         approved_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind($event_id)
                    .bind(&s.title)
                    .bind(&s.speakers)
                    .bind(s.starts_at)
                    .bind(s.ends_at)
                    .bind(s.pdh_micro)
                    .bind(&s.topics)
                    .bind(&s.approved_by)
                    .execute(&mut *$tx)
                    .await?;
                }
            }
            Ok::<_, StoreError>(())
        }
    };
}

/// Raises the invoice of a paid registration that has just taken a seat (`$invoice`, an
/// [`EventInvoice`], for `$cents`) and links it to the registration.
macro_rules! raise_invoice {
    ($tx:expr, $registration_id:expr, $cents:expr, $invoice:expr, $now:expr) => {
        async {
            let (invoice_id,): (i64,) = sqlx::query_as(
                "INSERT INTO invoices (member_id, user_id, term_id, description, amount_cents, status, issued_on, \
                 due_on, paid_on, created_at) VALUES ($1, $2, NULL, $3, $4, 'open', $5, $6, NULL, $7) RETURNING id",
            )
            .bind($invoice.member_id)
            .bind($invoice.user_id)
            .bind(&$invoice.description)
            .bind($cents)
            .bind($invoice.issued_on)
            .bind($invoice.due_on)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
            sqlx::query("UPDATE event_registrations SET invoice_id = $2 WHERE id = $1")
                .bind($registration_id)
                .bind(invoice_id)
                .execute(&mut *$tx)
                .await?;
            Ok::<_, StoreError>(invoice_id)
        }
    };
}

/// Settles the money of a registration being cancelled (`$invoice_id`, its invoice): an
/// open invoice is voided; of a paid one, `$refund` (a [`RegistrationRefund`]) comes back
/// from its payments, each at most what is left of it. Evaluates to the cents refunded.
macro_rules! return_money {
    ($tx:expr, $invoice_id:expr, $refund:expr, $now:expr) => {
        async {
            sqlx::query("UPDATE invoices SET status = 'void' WHERE id = $1 AND status = 'open'")
                .bind($invoice_id)
                .execute(&mut *$tx)
                .await?;
            let mut left: i64 = $refund.map_or(0, |r: &RegistrationRefund| r.refund_cents);
            let payments: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, amount_cents - refunded_cents, method FROM payments WHERE invoice_id = $1 ORDER BY id",
            )
            .bind($invoice_id)
            .fetch_all(&mut *$tx)
            .await?;
            let mut refunded = 0;
            for (payment_id, refundable, method) in payments {
                let (Some(refund), amount) = ($refund, left.min(refundable)) else { break };
                if amount <= 0 {
                    continue;
                }
                let new = crate::NewRefund {
                    payment_id,
                    amount_cents: amount,
                    method,
                    reason: refund.reason.clone(),
                    refunded_on: refund.refunded_on,
                    recorded_by: refund.recorded_by,
                };
                if crate::money::take_refund!($tx, new, false, $now)?.is_some() {
                    left -= amount;
                    refunded += amount;
                }
            }
            Ok::<_, StoreError>(refunded)
        }
    };
}

/// A column (`event_registrations`, a JSON array of rows) holding the registrations that
/// stand of the account whose id is the SQL expression `user`, for events ending at or after
/// the SQL expression `from`; read it with [`upcoming_registrations_from`]. The dashboard's
/// statement includes it.
pub(crate) fn upcoming_registrations_column(json: &crate::json_rows::JsonRows, user: &str, from: &str) -> String {
    json.rows(
        "e.id, e.title, e.time_zone, e.starts_at, r.status",
        &format!(
            "event_registrations r JOIN events e ON e.id = r.event_id \
             WHERE r.user_id = {user} AND r.status <> 'cancelled' AND e.ends_at >= {from}"
        ),
    ) + " AS event_registrations"
}

/// The registrations [`upcoming_registrations_column`] read, soonest first.
pub(crate) fn upcoming_registrations_from(json: &str) -> StoreResult<Vec<UpcomingRegistration>> {
    let mut registrations: Vec<UpcomingRegistration> = crate::json_rows::from_json_rows(json, "registrations")?;
    registrations.sort_by_key(|r| (r.starts_at, r.event_id));
    Ok(registrations)
}

/// What became of a registration request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// A new (or reopened) registration: confirmed or waitlisted.
    New(RegistrationRecord),
    /// The person was already registered (not cancelled); nothing changed.
    Already(RegistrationRecord),
    /// The event takes no registrations (not published, cancelled, or closed).
    Closed,
    /// The discount code given has no uses left.
    DiscountUsedUp,
}

impl Store {
    pub async fn create_event(
        &self,
        event: &NewEvent,
        pricing: &EventParts,
        by: Option<i64>,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let insert = sqlx::query_as(
                    "INSERT INTO events (chapter_id, kind, title, description, time_zone, starts_at, ends_at, venue, \
                     address, online_link, capacity, registration_closes_at, pdh_micro, topics, provider, \
                     early_bird_until, changes_until, refund_percent, minutes_per_pdh, responsible, approved_by, status, \
                     created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14, $15, $16, $17, $18, $19, $20, $21, 'draft', $22, $23, $23) RETURNING id",
                );
                let (id,): (i64,) = bind_event_details!(insert, event).bind(by).bind(now).fetch_one(&mut *tx).await?;
                save_parts!(tx, id, pricing).await?;
                id
            },
            |id| NewAuditEntry { subject_id: Some(id), ..audit.clone() }
        )
    }

    /// Saves an event's details. A capacity below the seats already taken is refused
    /// (`Invalid`); seats a larger capacity frees are offered to the waitlist at once.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_event(
        &self,
        id: i64,
        event: &NewEvent,
        pricing: &EventParts,
        offered_until: UnixTime,
        offer_mail: &(dyn Fn(&SeatOffer) -> NewMail + Sync),
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<Vec<SeatOffer>> {
        audited!(
            self,
            |tx| {
                if !lock_event!(tx, id)? {
                    return Err(StoreError::NotFound);
                }
                let update = sqlx::query(
                    "UPDATE events SET chapter_id = $2, kind = $3, title = $4, description = $5, time_zone = $6, \
                     starts_at = $7, ends_at = $8, venue = $9, address = $10, online_link = $11, capacity = $12, \
                     registration_closes_at = $13, pdh_micro = $14, topics = $15, provider = $16, \
                     early_bird_until = $17, changes_until = $18, refund_percent = $19, minutes_per_pdh = $20, \
                     responsible = $21, approved_by = $22, updated_at = $23 \
                     WHERE id = $1 AND seats_taken <= $12",
                )
                .bind(id);
                let saved = bind_event_details!(update, event).bind(now).execute(&mut *tx).await?;
                if saved.rows_affected() == 0 {
                    return Err(StoreError::Invalid(
                        "The capacity cannot be lower than the seats already taken or offered.".into(),
                    ));
                }
                save_parts!(tx, id, pricing).await?;
                offer_free_seats!(tx, id, now, offered_until, offer_mail).await?
            },
            |_offers| audit.clone()
        )
    }

    /// Opens a draft event for registration; `NotFound` if it is no longer a draft.
    pub async fn publish_event(&self, id: i64, audit: &NewAuditEntry, now: UnixTime) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE events SET status = 'published', updated_at = $2 WHERE id = $1 AND status = 'draft'"
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }

    /// Cancels an event that is `from` (`NotFound` if it is not any more): its
    /// registrations are cancelled and `mail` is queued to each person who held one; open
    /// invoices are voided and paid ones refunded (`refund`, whose amount is taken as the
    /// whole of each payment). Returns how many were told.
    #[allow(clippy::too_many_arguments)]
    pub async fn cancel_event(
        &self,
        id: i64,
        from: EventStatus,
        refund: &RegistrationRefund,
        mail: &(dyn Fn(&RosterEntry) -> NewMail + Sync),
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<usize> {
        let roster_sql = roster_sql();
        audited!(
            self,
            |tx| {
                lock_event!(tx, id)?;
                let roster: Vec<RosterEntry> =
                    sqlx::query_as(sqlx::AssertSqlSafe(roster_sql.as_str())).bind(id).fetch_all(&mut *tx).await?;
                let moved = sqlx::query(
                    "UPDATE events SET status = 'cancelled', seats_taken = 0, updated_at = $3 WHERE id = $1 AND status = $2",
                )
                .bind(id)
                .bind(from.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if moved.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(
                    "UPDATE event_registrations SET status = 'cancelled', offered_until = NULL, updated_at = $2 \
                     WHERE event_id = $1 AND status <> 'cancelled'",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let mut told = 0;
                for entry in roster.iter().filter(|e| e.registration.status != RegistrationStatus::Cancelled) {
                    if let Some(invoice_id) = entry.registration.invoice_id {
                        return_money!(tx, invoice_id, Some(refund), now).await?;
                    }
                    let m: NewMail = mail(entry);
                    insert_mail!(tx, m, now)?;
                    told += 1;
                }
                told
            },
            |_told| audit.clone()
        )
    }

    pub async fn event_by_id(&self, id: i64) -> StoreResult<Option<EventRecord>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Events matching `filter`, soonest first.
    pub async fn list_events(&self, filter: &EventFilter, page: PageRequest) -> StoreResult<Page<EventRecord>> {
        let mut conditions = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut numbers: Vec<i64> = Vec::new();
        // Numbered placeholders: texts first ($1…), then numbers.
        if !filter.statuses.is_empty() {
            let codes: Vec<String> = filter.statuses.iter().map(|s| format!("'{}'", s.code())).collect();
            conditions.push(format!("status IN ({})", codes.join(", ")));
        }
        if let Some(kind) = filter.kind {
            conditions.push(format!("kind = '{}'", kind.code()));
        }
        if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            texts.push(format!("%{}%", text.to_lowercase().replace(['%', '_'], "")));
            let n = texts.len();
            conditions.push(format!("(LOWER(title) LIKE ${n} OR LOWER(description) LIKE ${n})"));
        }
        let mut number_conditions = Vec::new();
        if let Some(chapter) = filter.chapter_id {
            numbers.push(chapter);
            number_conditions.push(("chapter_id = ", numbers.len()));
        }
        if let Some(from) = filter.from {
            numbers.push(from);
            number_conditions.push(("ends_at >= ", numbers.len()));
        }
        if let Some(until) = filter.until {
            numbers.push(until);
            number_conditions.push(("starts_at < ", numbers.len()));
        }
        for (condition, n) in number_conditions {
            conditions.push(format!("{condition}${}", texts.len() + n));
        }
        if let Some((chapters, society)) = &filter.managed_by {
            let mut either: Vec<String> = Vec::new();
            if !chapters.is_empty() {
                // Chapter ids are integers the store itself read: written in, not bound.
                let ids: Vec<String> = chapters.iter().map(i64::to_string).collect();
                either.push(format!("chapter_id IN ({})", ids.join(", ")));
            }
            if *society {
                either.push("chapter_id IS NULL".into());
            }
            if either.is_empty() {
                either.push("1 = 0".into());
            }
            conditions.push(format!("({})", either.join(" OR ")));
        }
        let condition =
            if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        // One row: the total (counted once, from the covering index) and the page's events
        // as one JSON array (a row costs a hand-off to SQLite's thread). The page is read in
        // start order and stops after its rows; SQLite is told which index reads it: without
        // fresh statistics it would rather find every upcoming event by status and sort them
        // all (a fifth of the speed with 2,000 events).
        let in_start_order = match self.kind() {
            crate::EngineKind::Sqlite => "INDEXED BY events_by_start",
            crate::EngineKind::Postgres => "",
        };
        let columns = EVENT_COLUMNS.split(", ").map(|c| format!("e.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let events = self.json_rows().rows(
            &columns,
            &format!(
                "(SELECT {EVENT_COLUMNS} FROM events {in_start_order} {condition} ORDER BY starts_at, id {}) e",
                page.sql()
            ),
        );
        let sql = format!("SELECT (SELECT COUNT(*) FROM events {condition}), {events}");
        let (total, events): (i64, String) = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for t in &texts {
                query = query.bind(t);
            }
            for n in &numbers {
                query = query.bind(n);
            }
            query.fetch_one(pool).await
        })?;
        let mut events: Vec<EventRecord> = crate::json_rows::from_json_rows(&events, "events")?;
        events.sort_by_key(|e| (e.starts_at, e.id));
        Ok(Page::new(events, total, page))
    }

    /// Registers a person: a seat if one is free and nobody is waiting, else a place at the
    /// end of the waitlist; queues `mail` for the new registration. A person already
    /// registered gets their registration back unchanged; a cancelled one is reopened.
    /// A paid registration that takes a seat raises its invoice; a discount code's use is
    /// counted only while it has uses left.
    #[allow(clippy::too_many_arguments)]
    pub async fn register_for_event(
        &self,
        event_id: i64,
        user_id: i64,
        member_id: Option<i64>,
        price: &RegistrationPrice,
        invoice: &EventInvoice,
        ticket_code: &str,
        mail: &(dyn Fn(&RegistrationRecord) -> NewMail + Sync),
        now: UnixTime,
    ) -> StoreResult<Registered> {
        let select = format!("SELECT {REGISTRATION_COLUMNS} FROM event_registrations r WHERE r.id = $1");
        let existing_sql = format!(
            "SELECT {REGISTRATION_COLUMNS} FROM event_registrations r WHERE r.event_id = $1 AND r.user_id = $2"
        );
        crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            if !lock_event!(tx, event_id)? {
                return Err(StoreError::NotFound);
            }
            let existing: Option<RegistrationRecord> = sqlx::query_as(sqlx::AssertSqlSafe(existing_sql.as_str()))
                .bind(event_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(r) = existing.filter(|r| r.status != RegistrationStatus::Cancelled) {
                return Ok(Registered::Already(r));
            }
            if let Some(code_id) = price.discount_code_id {
                let used: Option<(i64,)> = sqlx::query_as(
                    "UPDATE event_discount_codes SET uses = uses + 1 \
                     WHERE id = $1 AND (max_uses IS NULL OR uses < max_uses) RETURNING id",
                )
                .bind(code_id)
                .fetch_optional(&mut *tx)
                .await?;
                if used.is_none() {
                    return Ok(Registered::DiscountUsedUp);
                }
            }
            let seat: Option<(i64,)> = sqlx::query_as(
                "UPDATE events SET seats_taken = seats_taken + 1 WHERE id = $1 AND status = 'published' \
                 AND registration_closes_at > $2 AND seats_taken < capacity \
                 AND NOT EXISTS (SELECT 1 FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted') \
                 RETURNING id",
            )
            .bind(event_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let (status, seq) = if seat.is_some() {
                (RegistrationStatus::Confirmed, None)
            } else {
                let line: Option<(i64,)> = sqlx::query_as(
                    "UPDATE events SET waitlist_joined = waitlist_joined + 1 WHERE id = $1 AND status = 'published' \
                     AND registration_closes_at > $2 RETURNING waitlist_joined",
                )
                .bind(event_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                match line {
                    Some((seq,)) => (RegistrationStatus::Waitlisted, Some(seq)),
                    None => return Ok(Registered::Closed),
                }
            };
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO event_registrations (event_id, user_id, member_id, status, waitlist_seq, offered_until, \
                 registered_at, updated_at, price_cents, price_basis, discount_code_id, invoice_id, ticket_code) \
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $6, $7, $8, $9, NULL, $10) \
                 ON CONFLICT (event_id, user_id) DO UPDATE SET member_id = excluded.member_id, \
                 status = excluded.status, waitlist_seq = excluded.waitlist_seq, offered_until = NULL, \
                 registered_at = excluded.registered_at, updated_at = excluded.updated_at, \
                 price_cents = excluded.price_cents, price_basis = excluded.price_basis, \
                 discount_code_id = excluded.discount_code_id, invoice_id = NULL, ticket_code = excluded.ticket_code \
                 WHERE event_registrations.status = 'cancelled' RETURNING id",
            )
            .bind(event_id)
            .bind(user_id)
            .bind(member_id)
            .bind(status.code())
            .bind(seq)
            .bind(now)
            .bind(price.cents)
            .bind(price.basis.code())
            .bind(price.discount_code_id)
            .bind(ticket_code)
            .fetch_one(&mut *tx)
            .await?;
            if status == RegistrationStatus::Confirmed && price.cents > 0 {
                raise_invoice!(tx, id, price.cents, invoice, now).await?;
            }
            let registration: RegistrationRecord =
                sqlx::query_as(sqlx::AssertSqlSafe(select.as_str())).bind(id).fetch_one(&mut *tx).await?;
            let m: NewMail = mail(&registration);
            insert_mail!(tx, m, now)?;
            tx.commit().await?;
            Ok(Registered::New(registration))
        })
    }

    /// Cancels a registration that is `expected` (confirmed, waitlisted or offered): a seat
    /// it held is offered to the next person in line (`offer_mail` tells them), and
    /// `mail` tells the person cancelled. Its open invoice is voided; of a paid one,
    /// `refund` comes back. `NotFound` if it is no longer `expected` (a concurrent change);
    /// nothing is written then. Returns the offers made and the cents refunded.
    #[allow(clippy::too_many_arguments)]
    pub async fn cancel_registration(
        &self,
        registration: &RegistrationRecord,
        refund: Option<&RegistrationRefund>,
        mail: Option<NewMail>,
        offered_until: UnixTime,
        offer_mail: &(dyn Fn(&SeatOffer) -> NewMail + Sync),
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<(Vec<SeatOffer>, i64)> {
        let event_id = registration.event_id;
        crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            lock_event!(tx, event_id)?;
            let cancelled: Option<(Option<i64>,)> = sqlx::query_as(
                "UPDATE event_registrations SET status = 'cancelled', offered_until = NULL, updated_at = $3 \
                 WHERE id = $1 AND status = $2 RETURNING invoice_id",
            )
            .bind(registration.id)
            .bind(registration.status.code())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((invoice_id,)) = cancelled.filter(|_| registration.status != RegistrationStatus::Cancelled) else {
                return Err(StoreError::NotFound);
            };
            let refunded = match invoice_id {
                Some(invoice_id) => return_money!(tx, invoice_id, refund, now).await?,
                None => 0,
            };
            if registration.status.holds_seat() {
                sqlx::query("UPDATE events SET seats_taken = seats_taken - 1 WHERE id = $1")
                    .bind(event_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let offers = offer_free_seats!(tx, event_id, now, offered_until, offer_mail).await?;
            if let Some(m) = &mail {
                insert_mail!(tx, m, now)?;
            }
            if let Some(entry) = audit {
                insert_audit!(tx, entry)?;
            }
            tx.commit().await?;
            Ok((offers, refunded))
        })
    }

    /// Takes up an offered seat: confirmed, if the offer to `user_id` still stands at `now`;
    /// a paid registration raises its invoice in the same transaction.
    pub async fn accept_seat_offer(
        &self,
        registration_id: i64,
        user_id: i64,
        invoice: &EventInvoice,
        now: UnixTime,
    ) -> StoreResult<bool> {
        crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let accepted: Option<(i64, Option<i64>)> = sqlx::query_as(
                "UPDATE event_registrations SET status = 'confirmed', offered_until = NULL, updated_at = $3 \
                 WHERE id = $1 AND user_id = $2 AND status = 'offered' AND offered_until > $3 \
                 RETURNING price_cents, invoice_id",
            )
            .bind(registration_id)
            .bind(user_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((cents, invoice_id)) = accepted else { return Ok(false) };
            if cents > 0 && invoice_id.is_none() {
                raise_invoice!(tx, registration_id, cents, invoice, now).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Moves a confirmed registration of `from_user` to `to_user` (and their member record),
    /// who takes the seat as it is (its price and invoice stay with whoever paid). A
    /// cancelled registration of theirs for the event makes way; an active one is a
    /// `Conflict` (`registration`). `NotFound` if the registration is no longer confirmed
    /// and `from_user`'s. Both emails are queued in the transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer_registration(
        &self,
        registration: &RegistrationRecord,
        to_user: i64,
        to_member: Option<i64>,
        ticket_code: &str,
        mails: &[NewMail],
        audit: Option<&NewAuditEntry>,
        now: UnixTime,
    ) -> StoreResult<()> {
        crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            lock_event!(tx, registration.event_id)?;
            let theirs: Option<(String,)> =
                sqlx::query_as("SELECT status FROM event_registrations WHERE event_id = $1 AND user_id = $2")
                    .bind(registration.event_id)
                    .bind(to_user)
                    .fetch_optional(&mut *tx)
                    .await?;
            match theirs {
                Some((status,)) if status != RegistrationStatus::Cancelled.code() => {
                    return Err(StoreError::Conflict { field: "registration".into() });
                }
                Some(_) => {
                    sqlx::query("DELETE FROM event_registrations WHERE event_id = $1 AND user_id = $2")
                        .bind(registration.event_id)
                        .bind(to_user)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {}
            }
            let moved = sqlx::query(
                "UPDATE event_registrations SET user_id = $3, member_id = $4, checked_in_at = NULL, updated_at = $5, \
                 ticket_code = $6, certificate_licences = '' WHERE id = $1 AND user_id = $2 AND status = 'confirmed'",
            )
            .bind(registration.id)
            .bind(registration.user_id)
            .bind(to_user)
            .bind(to_member)
            .bind(now)
            .bind(ticket_code)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for mail in mails {
                insert_mail!(tx, mail, now)?;
            }
            if let Some(entry) = audit {
                insert_audit!(tx, entry)?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Confirms a waitlisted (or offered) registration at once: a waitlisted one gets a seat
    /// added to the event for it (capacity and seats taken rise together); a paid one
    /// raises its invoice; `mail` and `audit` are written with it. `false` if it is no longer
    /// what it was.
    pub async fn confirm_from_waitlist(
        &self,
        registration: &RegistrationRecord,
        invoice: &EventInvoice,
        mail: &NewMail,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<bool> {
        crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            lock_event!(tx, registration.event_id)?;
            let moved: Option<(i64, Option<i64>)> = sqlx::query_as(
                "UPDATE event_registrations SET status = 'confirmed', offered_until = NULL, updated_at = $3 \
                 WHERE id = $1 AND status = $2 RETURNING price_cents, invoice_id",
            )
            .bind(registration.id)
            .bind(registration.status.code())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((cents, invoice_id)) = moved else { return Ok(false) };
            if registration.status == RegistrationStatus::Waitlisted {
                sqlx::query("UPDATE events SET capacity = capacity + 1, seats_taken = seats_taken + 1 WHERE id = $1")
                    .bind(registration.event_id)
                    .execute(&mut *tx)
                    .await?;
            }
            if cents > 0 && invoice_id.is_none() {
                raise_invoice!(tx, registration.id, cents, invoice, now).await?;
            }
            insert_mail!(tx, mail, now)?;
            insert_audit!(tx, audit)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// An event's programme, in order.
    pub async fn event_sessions(&self, event_id: i64) -> StoreResult<Vec<EventSession>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
            "SELECT id, event_id, title, speakers, starts_at, ends_at, pdh_micro, topics, approved_by FROM event_sessions \
             WHERE event_id = $1 ORDER BY starts_at, id"
        )
        .bind(event_id)
        .fetch_all(pool)
        .await
        })?)
    }

    /// What attendance reports recorded of an event's sessions.
    pub async fn session_attendance(&self, event_id: i64) -> StoreResult<Vec<SessionAttendance>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT a.registration_id, a.session_id, a.minutes, a.credit_micro FROM event_session_attendance a \
             JOIN event_sessions s ON s.id = a.session_id WHERE s.event_id = $1"
        )
        .bind(event_id)
        .fetch_all(pool)
        .await)?)
    }

    /// A registration by its ticket's code, with who holds it.
    pub async fn registration_by_ticket(&self, code: &str) -> StoreResult<Option<RosterEntry>> {
        let sql = format!(
            "SELECT {REGISTRATION_COLUMNS}, u.display_name AS name, u.email, m.member_number \
             FROM event_registrations r JOIN users u ON u.id = r.user_id LEFT JOIN members m ON m.id = r.member_id \
             WHERE r.ticket_code = $1"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(code)
            .fetch_optional(pool)
            .await)?)
    }

    /// Sets which licences (their ids, space-separated) a person's certificate shows; `false`
    /// if the registration is not theirs.
    pub async fn set_certificate_licences(&self, registration_id: i64, user_id: i64, ids: &str) -> StoreResult<bool> {
        crate::engine::with_writer!(self, |pool| {
            let done =
                sqlx::query("UPDATE event_registrations SET certificate_licences = $3 WHERE id = $1 AND user_id = $2")
                    .bind(registration_id)
                    .bind(user_id)
                    .bind(ids)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// An event with its prices, whether it has discount codes, and its programme, in one
    /// statement (the event's page is read often).
    pub async fn event_page(&self, id: i64) -> StoreResult<Option<EventPage>> {
        let json = self.json_rows();
        let prices = json.rows(
            "p.audience, p.tier_id, p.price_cents, p.early_price_cents",
            "event_prices p WHERE p.event_id = e.id",
        );
        let sessions = json.rows(
            "s.id, s.event_id, s.title, s.speakers, s.starts_at, s.ends_at, s.pdh_micro, s.topics, s.approved_by",
            "event_sessions s WHERE s.event_id = e.id",
        );
        let columns = EVENT_COLUMNS.split(", ").map(|c| format!("e.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {columns}, {prices} AS prices_json, {sessions} AS sessions_json, \
             EXISTS (SELECT 1 FROM event_discount_codes c WHERE c.event_id = e.id) AS has_discount_codes \
             FROM events e WHERE e.id = $1"
        );
        let row: Option<EventPageRow> = with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        let Some(EventPageRow { event, prices_json: prices, sessions_json: sessions, has_discount_codes }) = row else {
            return Ok(None);
        };
        let prices = crate::json_rows::from_json_rows::<PriceRow>(&prices, "prices")?
            .into_iter()
            .map(PriceRow::price)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut sessions: Vec<EventSession> = crate::json_rows::from_json_rows(&sessions, "sessions")?;
        sessions.sort_by_key(|s| (s.starts_at, s.id));
        Ok(Some(EventPage { event, prices, has_discount_codes, sessions }))
    }

    /// An event's prices.
    pub async fn event_prices(&self, event_id: i64) -> StoreResult<Vec<EventPrice>> {
        let rows: Vec<(String, Option<i64>, i64, Option<i64>)> = with_reader!(self, |pool| {
            sqlx::query_as(
            "SELECT audience, tier_id, price_cents, early_price_cents FROM event_prices WHERE event_id = $1 ORDER BY id"
        )
        .bind(event_id)
        .fetch_all(pool)
        .await
        })?;
        rows.into_iter().map(|(a, t, p, e)| PriceRow(a, t, p, e).price()).collect()
    }

    /// What is saved with an event's details: its prices, discount codes and programme (as
    /// the event form shows them and the audit log records them).
    pub async fn event_parts(&self, event_id: i64) -> StoreResult<EventParts> {
        Ok(EventParts {
            prices: self.event_prices(event_id).await?,
            discount_codes: self
                .discount_codes(event_id)
                .await?
                .into_iter()
                .map(|c| NewDiscountCode { code: c.code, percent_off: c.percent_off, max_uses: c.max_uses })
                .collect(),
            sessions: self
                .event_sessions(event_id)
                .await?
                .into_iter()
                .map(|s| NewEventSession {
                    title: s.title,
                    speakers: s.speakers,
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    pdh_micro: s.pdh_micro,
                    topics: s.topics,
                    approved_by: s.approved_by,
                })
                .collect(),
        })
    }

    /// An event's discount codes, alphabetically.
    pub async fn discount_codes(&self, event_id: i64) -> StoreResult<Vec<DiscountCodeRecord>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT id, event_id, code, percent_off, max_uses, uses FROM event_discount_codes WHERE event_id = $1 \
             ORDER BY code"
        )
        .bind(event_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Offers whose hold has run out at `now`: the housekeeping cancels each and passes
    /// the seat on.
    pub async fn expired_seat_offers(&self, now: UnixTime) -> StoreResult<Vec<RegistrationRecord>> {
        let sql = format!(
            "SELECT {REGISTRATION_COLUMNS} FROM event_registrations r WHERE r.status = 'offered' \
             AND r.offered_until <= $1 ORDER BY r.offered_until, r.id"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(now)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn registration_by_id(&self, id: i64) -> StoreResult<Option<RegistrationRecord>> {
        let sql = format!("SELECT {REGISTRATION_COLUMNS} FROM event_registrations r WHERE r.id = $1");
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn registration_of(&self, event_id: i64, user_id: i64) -> StoreResult<Option<RegistrationRecord>> {
        let sql = format!(
            "SELECT {REGISTRATION_COLUMNS} FROM event_registrations r WHERE r.event_id = $1 AND r.user_id = $2"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(event_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// A person's registrations that are not cancelled, for events ending at or after
    /// `from`, soonest first.
    pub async fn registrations_of_user(&self, user_id: i64, from: UnixTime) -> StoreResult<Vec<MyRegistration>> {
        let sql = format!(
            "SELECT {REGISTRATION_COLUMNS}, e.title, e.time_zone, e.starts_at FROM event_registrations r \
             JOIN events e ON e.id = r.event_id WHERE r.user_id = $1 AND r.status <> 'cancelled' AND e.ends_at >= $2 \
             ORDER BY e.starts_at, e.id"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user_id)
            .bind(from)
            .fetch_all(pool)
            .await)?)
    }

    /// Everyone registered for an event (cancelled too), confirmed first, then offered, then
    /// the waitlist in line, then cancelled.
    pub async fn event_roster(&self, event_id: i64) -> StoreResult<Vec<RosterEntry>> {
        let sql = roster_sql();
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(event_id)
            .fetch_all(pool)
            .await)?)
    }

    /// A scan at the door for a confirmed registration: an arrival opens a span of attendance
    /// (and checks the registrant in, the first time), a departure closes the open one.
    /// Returns whether the scan changed anything (not when they were in already, or not in)
    /// and the registration's spans after it, earliest first; `None` if the registration is
    /// not confirmed.
    pub async fn scan_attendance(
        &self,
        registration_id: i64,
        arriving: bool,
        now: UnixTime,
    ) -> StoreResult<Option<(bool, Vec<(UnixTime, Option<UnixTime>)>)>> {
        crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let confirmed = sqlx::query(
                "UPDATE event_registrations \
                 SET checked_in_at = CASE WHEN $3 THEN COALESCE(checked_in_at, $2) ELSE checked_in_at END, \
                 updated_at = $2 WHERE id = $1 AND status = 'confirmed'",
            )
            .bind(registration_id)
            .bind(now)
            .bind(arriving)
            .execute(&mut *tx)
            .await?;
            if confirmed.rows_affected() == 0 {
                return Ok(None);
            }
            // One open span at most: the partial unique index, not this statement, decides.
            let changed = if arriving {
                sqlx::query(
                    "INSERT INTO event_attendance_spans (registration_id, checked_in_at) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
            } else {
                sqlx::query(
                    "UPDATE event_attendance_spans SET checked_out_at = $2 \
                     WHERE registration_id = $1 AND checked_out_at IS NULL AND checked_in_at <= $2",
                )
            }
            .bind(registration_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let spans: Vec<(UnixTime, Option<UnixTime>)> = sqlx::query_as(
                "SELECT checked_in_at, checked_out_at FROM event_attendance_spans WHERE registration_id = $1 \
                 ORDER BY checked_in_at, id",
            )
            .bind(registration_id)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some((changed, spans)))
        })
    }

    /// Marks an event's credit released (the first time only; the time stays) and returns
    /// who was checked in, for their credit and certificates.
    pub async fn release_event_credit(
        &self,
        event_id: i64,
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<Vec<RosterEntry>> {
        let sql = roster_sql();
        audited!(
            self,
            |tx| {
                sqlx::query("UPDATE events SET credit_released_at = $2 WHERE id = $1 AND credit_released_at IS NULL")
                    .bind(event_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let roster: Vec<RosterEntry> =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(event_id).fetch_all(&mut *tx).await?;
                roster
                    .into_iter()
                    .filter(|e| e.registration.status == RegistrationStatus::Confirmed)
                    .filter(|e| e.registration.checked_in_at.is_some())
                    .collect::<Vec<_>>()
            },
            |_attendees| audit.clone()
        )
    }

    /// Figures of the events starting from `from` on (drafts left out), newest first, at most
    /// `limit`: registrations, attendance, the waitlist, revenue and PDH issued. `chapters`
    /// limits them to those chapters' events (`None`: every event).
    pub async fn event_figures(
        &self,
        from: UnixTime,
        chapters: Option<&[i64]>,
        limit: i64,
    ) -> StoreResult<Vec<EventFigures>> {
        let scope = match chapters {
            None => String::new(),
            Some([]) => "AND 1 = 0".into(),
            // Chapter ids are integers the store itself read: written in, not bound.
            Some(ids) => {
                format!("AND e.chapter_id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
            }
        };
        let sql = format!(
            "SELECT e.id, e.title, e.chapter_id, e.starts_at, e.time_zone, e.capacity, e.status, \
             CAST(COUNT(CASE WHEN r.status = 'confirmed' THEN 1 END) AS BIGINT) AS confirmed, \
             CAST(COUNT(CASE WHEN r.status = 'confirmed' AND r.checked_in_at IS NOT NULL THEN 1 END) AS BIGINT) \
             AS attended, \
             CAST(COUNT(CASE WHEN r.status = 'waitlisted' THEN 1 END) AS BIGINT) AS waiting, \
             CAST(COALESCE((SELECT SUM(p.amount_cents - p.refunded_cents) FROM payments p \
             JOIN event_registrations pr ON pr.invoice_id = p.invoice_id WHERE pr.event_id = e.id), 0) AS BIGINT) \
             AS revenue_cents, \
             CAST(COALESCE(SUM(CASE WHEN r.status = 'confirmed' AND r.certificate_code IS NOT NULL \
             THEN COALESCE(r.credit_micro, e.pdh_micro) END), 0) AS BIGINT) AS pdh_issued_micro \
             FROM events e LEFT JOIN event_registrations r ON r.event_id = e.id \
             WHERE e.status <> 'draft' AND e.starts_at >= $1 {scope} \
             GROUP BY e.id, e.title, e.chapter_id, e.starts_at, e.time_zone, e.capacity, e.status \
             ORDER BY e.starts_at DESC, e.id DESC LIMIT $2"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(from)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    /// Records what an attendance report says of an event's confirmed registrations: minutes
    /// attended and the credit they earn; those who attended at all are checked in (at
    /// `now`, unless they were at the door). Registrations whose credit was released (they
    /// have a certificate) keep what they had. All in one transaction with `audit`; returns
    /// how many registrations changed.
    pub async fn record_attendance(
        &self,
        event_id: i64,
        attendance: &[AttendanceRecord],
        audit: &NewAuditEntry,
        now: UnixTime,
    ) -> StoreResult<usize> {
        audited!(
            self,
            |tx| {
                let mut changed = 0;
                for a in attendance {
                    let done = sqlx::query(
                        "UPDATE event_registrations SET attended_minutes = $2, credit_micro = $3, \
                         checked_in_at = CASE WHEN $2 > 0 THEN COALESCE(checked_in_at, $4) ELSE checked_in_at END, \
                         updated_at = $4 WHERE id = $1 AND event_id = $5 AND status = 'confirmed' \
                         AND certificate_code IS NULL",
                    )
                    .bind(a.registration_id)
                    .bind(a.minutes)
                    .bind(a.credit_micro)
                    .bind(now)
                    .bind(event_id)
                    .execute(&mut *tx)
                    .await?;
                    changed += usize::try_from(done.rows_affected()).unwrap_or(0);
                    if done.rows_affected() == 0 {
                        continue;
                    }
                    for (session_id, minutes, credit) in &a.sessions {
                        sqlx::query(
                            "INSERT INTO event_session_attendance (registration_id, session_id, minutes, credit_micro) \
                             VALUES ($1, $2, $3, $4) ON CONFLICT (registration_id, session_id) DO UPDATE \
                             SET minutes = excluded.minutes, credit_micro = excluded.credit_micro",
                        )
                        .bind(a.registration_id)
                        .bind(session_id)
                        .bind(minutes)
                        .bind(credit)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                changed
            },
            |_changed| audit.clone()
        )
    }

    /// Gives a registration its certificate code, unless it has one; returns the code it has.
    pub async fn set_certificate_code(&self, registration_id: i64, code: &str) -> StoreResult<String> {
        crate::engine::with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE event_registrations SET certificate_code = $2 WHERE id = $1 AND certificate_code IS NULL",
            )
            .bind(registration_id)
            .bind(code)
            .execute(pool)
            .await?;
            let (code,): (String,) = sqlx::query_as("SELECT certificate_code FROM event_registrations WHERE id = $1")
                .bind(registration_id)
                .fetch_one(pool)
                .await?;
            Ok(code)
        })
    }

    /// A certificate of attendance by its public code. Its event's PDH are those the
    /// attendee earned (an attendance report's partial credit, else the event's).
    pub async fn certificate(&self, code: &str) -> StoreResult<Option<CertificateRecord>> {
        let columns = EVENT_COLUMNS
            .split(", ")
            .map(|c| match c.trim() {
                "pdh_micro" => "COALESCE(r.credit_micro, e.pdh_micro) AS pdh_micro".to_string(),
                other => format!("e.{other}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT r.certificate_code AS code, r.id AS registration_id, r.member_id, r.user_id, \
             r.certificate_licences, \
             COALESCE(m.first_name || ' ' || m.last_name, u.display_name) AS name, m.member_number, \
             r.status AS registration_status, {columns} \
             FROM event_registrations r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id \
             LEFT JOIN members m ON m.id = r.member_id WHERE r.certificate_code = $1"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(code)
            .fetch_optional(pool)
            .await)?)
    }

    /// A person's certificates of attendance, newest event first: (code, event title, the
    /// event's start and zone).
    pub async fn certificates_of_user(&self, user_id: i64) -> StoreResult<Vec<(String, String, UnixTime, String)>> {
        Ok(with_reader!(self, |pool| sqlx::query_as(
            "SELECT r.certificate_code, e.title, e.starts_at, e.time_zone FROM event_registrations r \
             JOIN events e ON e.id = r.event_id WHERE r.user_id = $1 AND r.certificate_code IS NOT NULL \
             AND r.status = 'confirmed' ORDER BY e.starts_at DESC, e.id DESC"
        )
        .bind(user_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Sets a person's calendar feed token (its hash), replacing any earlier one.
    pub async fn set_calendar_feed(&self, user_id: i64, token_hash: &str, now: UnixTime) -> StoreResult<()> {
        crate::engine::with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
            )
            .bind(user_id)
            .bind(token_hash)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Whose calendar feed a token hash opens.
    pub async fn calendar_feed_owner(&self, token_hash: &str) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> =
            with_reader!(self, |pool| sqlx::query_as("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// Whether a person has a calendar feed.
    pub async fn has_calendar_feed(&self, user_id: i64) -> StoreResult<bool> {
        let row: Option<(i64,)> =
            with_reader!(self, |pool| sqlx::query_as("SELECT user_id FROM calendar_feeds WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await)?;
        Ok(row.is_some())
    }

    /// A person's registrations that stand, with their events, for their calendar feed
    /// (events ending from `from` on).
    pub async fn registered_events(&self, user_id: i64, from: UnixTime) -> StoreResult<Vec<EventRecord>> {
        let columns = EVENT_COLUMNS.split(", ").map(|c| format!("e.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {columns} FROM events e JOIN event_registrations r ON r.event_id = e.id \
             WHERE r.user_id = $1 AND r.status IN ('confirmed', 'offered') AND e.ends_at >= $2 ORDER BY e.starts_at, e.id"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user_id)
            .bind(from)
            .fetch_all(pool)
            .await)?)
    }
}
