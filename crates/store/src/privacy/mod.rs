//! Members' rights over their data: what the society holds on a person (the download), the
//! erasure that staff confirm, consent records, and the retention sweep.
//!
//! Files: `mod.rs` (the personal-data catalogue [`PERSONAL_DATA`]: for every table of
//! [`crate::copy::TABLES`] and [`crate::copy::SCRATCH_TABLES`], how a row relates to a person,
//! which columns are personal and which are secrets never handed out; and the rows about a
//! person, read by it), `erasure.rs` (erasure requests and the erasure itself), `consents.rs`
//! (consent records), `retention.rs` (former members and never-completed sign-ups past the
//! retention period).
//!
//! Erasure and retention write other areas' tables (members, users, the CE ledger, …) in
//! one transaction each: like the member import, they are the one place a person is taken
//! out of every table at once, and the catalogue here is what they and their tests follow.

pub mod consents;
pub mod erasure;
pub mod retention;

use sqlx::Row;

use crate::copy::{ColumnType, SCRATCH_TABLES, TABLES, TableRows, TableSpec, Value, decode_row};
use crate::{Store, StoreResult, with_reader};

/// How a table's rows relate to a person.
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// The column holds the person's member record id.
    Member(&'static str),
    /// The column holds the person's account id.
    User(&'static str),
    /// The column holds one of the person's email addresses.
    Email(&'static str),
    /// The column holds a sign-in throttle key naming the person's email (`account:EMAIL`,
    /// `account-address:EMAIL|ADDRESS`).
    EmailKey(&'static str),
    /// The column points at the `id` of a row of `parent` that is about the person.
    Through { column: &'static str, parent: &'static str },
    /// Audit entries whose subject is the person's member record or account.
    AuditSubject,
    /// Any of these.
    Either(&'static [About]),
    /// Nothing in it is about a person (the society's own settings and reference data).
    NotPersonal,
}

/// One table's entry in the personal-data catalogue.
#[derive(Debug)]
pub struct PersonalTable {
    pub table: &'static str,
    pub about: About,
    /// Columns that identify or describe the person (names, emails, addresses, phones,
    /// licence numbers, free text, IP addresses, user agents, files): erasure leaves each
    /// of them NULL, blank or anonymised in any row it keeps.
    pub personal: &'static [&'static str],
    /// Columns never handed out, not even to the person (password and token hashes, TOTP
    /// secrets); file contents go into the download as files, not JSON.
    pub secret: &'static [&'static str],
}

use About::*;

const fn t(
    table: &'static str,
    about: About,
    personal: &'static [&'static str],
    secret: &'static [&'static str],
) -> PersonalTable {
    PersonalTable { table, about, personal, secret }
}

/// Every catalogued table, classified once. A table that is not here fails
/// `every_catalogued_table_is_classified`: a new table must say how it relates to a person.
pub const PERSONAL_DATA: &[PersonalTable] = &[
    t("society_settings", NotPersonal, &[], &[]),
    t("chapters", NotPersonal, &[], &[]),
    t("tiers", NotPersonal, &[], &[]),
    t("affinity_groups", NotPersonal, &[], &[]),
    t("ce_programmes", NotPersonal, &[], &[]),
    t("events", NotPersonal, &[], &[]),
    t("health_checks", NotPersonal, &[], &[]),
    t("users", User("id"), &["email", "display_name"], &["password_hash"]),
    t("two_factor_secrets", User("user_id"), &[], &["secret"]),
    t("recovery_codes", User("user_id"), &[], &["code_hash"]),
    t("sign_in_challenges", User("user_id"), &[], &["token_hash"]),
    t("idempotency_keys", User("user_id"), &["response_body"], &["key_hash", "request_hash"]),
    t("officer_terms", User("user_id"), &["title"], &[]),
    t("sessions", User("user_id"), &["ip", "user_agent"], &["token_hash"]),
    t("email_tokens", User("user_id"), &["new_email"], &["token_hash"]),
    t("sign_in_attempts", Email("email"), &["email", "ip"], &[]),
    t("sign_in_throttles", EmailKey("throttle_key"), &["throttle_key"], &[]),
    t(
        "outbox",
        Either(&[Email("to_address"), Member("member_id")]),
        &["to_address", "subject", "body_text", "last_error", "headers", "body_html"],
        &[],
    ),
    t("audit_log", AuditSubject, &["actor_label", "subject_label", "before_json", "after_json"], &[]),
    t("api_tokens", User("user_id"), &["name"], &["token_hash"]),
    t(
        "members",
        Member("id"),
        &[
            "member_number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "employer",
            "job_title",
            "disciplines",
            "education",
            "city",
            "search_name",
        ],
        &[],
    ),
    t("member_groups", Member("member_id"), &[], &[]),
    t("licences", Member("member_id"), &["number", "ce_fields"], &[]),
    t("certifications", Member("member_id"), &["name", "number", "ce_fields"], &[]),
    t("membership_terms", Member("member_id"), &[], &[]),
    // Kept after erasure (the law asks for the books), without identity.
    t("invoices", Either(&[Member("member_id"), User("user_id")]), &[], &[]),
    t("payments", Through { column: "invoice_id", parent: "invoices" }, &["reference"], &[]),
    t("payment_events", Through { column: "invoice_id", parent: "invoices" }, &[], &[]),
    t("refunds", Through { column: "payment_id", parent: "payments" }, &["reason"], &[]),
    t("organisations", Member("payer_id"), &["name"], &[]),
    t("membership_links", Either(&[Member("member_id"), Member("payer_id")]), &[], &[]),
    t("member_invitations", Member("member_id"), &[], &["token_hash"]),
    t(
        "member_claims",
        Either(&[User("user_id"), Member("member_id")]),
        &["typed_number", "typed_last_name"],
        &["code_hash"],
    ),
    t("membership_evidence", Member("member_id"), &["statement", "file_name", "content"], &[]),
    t("renewal_reminders", Member("member_id"), &[], &[]),
    t("chapter_supplement_bills", Member("member_id"), &[], &[]),
    t(
        "ce_activities",
        Member("member_id"),
        &["title", "tags", "provider", "provider_approvals", "organisation", "attributes", "source_ref"],
        &[],
    ),
    t("ce_activity_sessions", Member("member_id"), &[], &[]),
    t("ce_evidence", Through { column: "activity_id", parent: "ce_activities" }, &["file_name", "content"], &[]),
    t("ce_reminders", Member("member_id"), &[], &[]),
    t("event_registrations", User("user_id"), &[], &["ticket_code"]),
    t("calendar_feeds", User("user_id"), &[], &["token_hash"]),
    t("event_prices", NotPersonal, &[], &[]),
    t("event_sessions", NotPersonal, &[], &[]),
    t("event_session_attendance", Through { column: "registration_id", parent: "event_registrations" }, &[], &[]),
    t("event_attendance_spans", Through { column: "registration_id", parent: "event_registrations" }, &[], &[]),
    t("event_discount_codes", NotPersonal, &[], &[]),
    t("ce_fact_requests", Member("member_id"), &[], &[]),
    t("consents", Either(&[User("user_id"), Member("member_id")]), &[], &[]),
    t("erasure_requests", Either(&[User("user_id"), Member("member_id")]), &[], &[]),
    t("issuer_keys", NotPersonal, &[], &["sealed_secret"]),
    t("credential_holders", Member("member_id"), &["subject_did"], &[]),
    // Kept after erasure, revoked and emptied: a copy the holder gave away must stop verifying.
    t("credentials", Member("member_id"), &["name", "document", "jwt", "integrity"], &[]),
    t("kb_subjects", NotPersonal, &[], &[]),
    t("kb_articles", NotPersonal, &[], &[]),
    t("kb_article_subjects", NotPersonal, &[], &[]),
    t("kb_related_links", NotPersonal, &[], &[]),
    // A person's questions and answers go with them (others' answers to their question too).
    t("questions", Member("member_id"), &["title", "body", "plain_text"], &[]),
    t("question_subjects", Through { column: "question_id", parent: "questions" }, &[], &[]),
    t("answers", Member("member_id"), &["body", "plain_text"], &[]),
    t("answer_votes", Member("member_id"), &[], &[]),
    t("answer_endorsements", Member("member_id"), &[], &[]),
    t("question_subscriptions", Member("member_id"), &[], &[]),
    t("subject_experts", Member("member_id"), &[], &[]),
    t("post_comments", Member("member_id"), &["body"], &[]),
    t("post_flags", Member("member_id"), &["reason"], &[]),
    t("post_revisions", Through { column: "question_id", parent: "questions" }, &["title_before", "body_before"], &[]),
    t("publications", NotPersonal, &[], &[]),
    t("publication_access", NotPersonal, &[], &[]),
    t("publication_issues", NotPersonal, &[], &[]),
    t("publication_articles", NotPersonal, &[], &[]),
    t("publication_files", NotPersonal, &[], &[]),
    t("search_entries", Through { column: "question_id", parent: "questions" }, &["title", "body"], &[]),
    t("communication_lists", NotPersonal, &[], &[]),
    t("list_subscriptions", Member("member_id"), &[], &[]),
    t("mail_preferences", Member("member_id"), &[], &[]),
    t("consent_changes", Member("member_id"), &[], &[]),
    t("automations", NotPersonal, &[], &[]),
    t("campaigns", NotPersonal, &[], &[]),
    t("campaign_recipients", Either(&[Member("member_id"), Email("address")]), &["address"], &[]),
    // When the member opened a campaign's message and followed one of its links (tracking on).
    t("mail_tracking", Member("member_id"), &[], &[]),
    t("mail_addresses", Email("address"), &["address"], &[]),
    t("mail_bounces", Email("address"), &["address", "diagnostic"], &[]),
    // An employer is an organisation, not a person; who recruits for it is.
    t("employers", NotPersonal, &[], &[]),
    t("employer_recruiters", User("user_id"), &[], &[]),
    t("jobs", NotPersonal, &[], &[]),
    t("job_requirements", NotPersonal, &[], &[]),
    t("job_postings", NotPersonal, &[], &[]),
    t("posting_products", NotPersonal, &[], &[]),
    // A member's applications and the resumes sent with them go with them.
    t("resumes", Member("member_id"), &["file_name", "content"], &[]),
    t("job_applications", Member("member_id"), &["cover_letter", "shared_facts"], &[]),
    t("application_stages", Through { column: "application_id", parent: "job_applications" }, &["message"], &[]),
    // What someone asked to be told about, by email.
    t("job_alerts", User("user_id"), &["filter"], &["confirm_token_hash"]),
    // A member's resume bank entry and the invitations sent to them go with them.
    t("resume_bank_entries", Member("member_id"), &["summary"], &[]),
    t("resume_bank_access", NotPersonal, &[], &[]),
    t("bank_invitations", Member("member_id"), &["message"], &[]),
    t("salary_surveys", NotPersonal, &[], &[]),
    // A member's survey answers (imported rows have no member); erasure deletes them, and a
    // release already built keeps its aggregates (docs/design/careers-plan.md §3, L6).
    t("salary_responses", Member("member_id"), &["employer_name"], &[]),
    t("salary_releases", NotPersonal, &[], &[]),
    t("salary_cells", NotPersonal, &[], &[]),
];

/// The catalogue entry of a table.
pub fn classification(table: &str) -> Option<&'static PersonalTable> {
    PERSONAL_DATA.iter().find(|p| p.table == table)
}

/// Every table the schema catalogue lists, kept and scratch.
pub fn all_tables() -> impl Iterator<Item = &'static TableSpec> {
    TABLES.iter().chain(SCRATCH_TABLES.iter())
}

/// Who a person is in the database: their account, their member record, their addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub user_id: Option<i64>,
    pub member_id: Option<i64>,
    /// Lower-cased.
    pub emails: Vec<String>,
}

/// `%` and `_` stand for themselves in a LIKE pattern.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The SQL condition that picks a table's rows about `person`, with its bound values
/// appended to `binds` (`$1`, `$2`, … in order).
pub(crate) fn condition(about: About, person: &Person, binds: &mut Vec<Value>) -> String {
    let bind = |binds: &mut Vec<Value>, value: Value| {
        binds.push(value);
        format!("${}", binds.len())
    };
    match about {
        Member(column) => match person.member_id {
            Some(id) => format!("{column} = {}", bind(binds, Value::Int(id))),
            None => "1 = 0".into(),
        },
        User(column) => match person.user_id {
            Some(id) => format!("{column} = {}", bind(binds, Value::Int(id))),
            None => "1 = 0".into(),
        },
        Email(column) if !person.emails.is_empty() => {
            let params: Vec<String> =
                person.emails.iter().map(|e| bind(binds, Value::Text(e.to_lowercase()))).collect();
            format!("LOWER({column}) IN ({})", params.join(", "))
        }
        EmailKey(column) if !person.emails.is_empty() => {
            let mut alternatives = Vec::new();
            for email in &person.emails {
                let escaped = like_escaped(&email.to_lowercase());
                for pattern in [format!("%:{escaped}"), format!("%:{escaped}|%")] {
                    alternatives.push(format!("{column} LIKE {} ESCAPE '\\'", bind(binds, Value::Text(pattern))));
                }
            }
            format!("({})", alternatives.join(" OR "))
        }
        Email(_) | EmailKey(_) => "1 = 0".into(),
        Through { column, parent } => {
            let parent_about = classification(parent).map_or(NotPersonal, |p| p.about);
            format!("{column} IN (SELECT id FROM {parent} WHERE {})", condition(parent_about, person, binds))
        }
        AuditSubject => {
            let mut alternatives = Vec::new();
            if let Some(id) = person.member_id {
                alternatives
                    .push(format!("(subject_kind = 'member' AND subject_id = {})", bind(binds, Value::Int(id))));
            }
            if let Some(id) = person.user_id {
                alternatives.push(format!(
                    "(subject_kind IN ('user', 'account') AND subject_id = {})",
                    bind(binds, Value::Int(id))
                ));
            }
            if alternatives.is_empty() { "1 = 0".into() } else { format!("({})", alternatives.join(" OR ")) }
        }
        Either(options) => {
            let parts: Vec<String> = options.iter().map(|o| condition(*o, person, binds)).collect();
            format!("({})", parts.join(" OR "))
        }
        NotPersonal => "1 = 0".into(),
    }
}

/// One table's rows about a person, every column (secrets included: callers leave them out).
pub type PersonalRows = Vec<(&'static TableSpec, TableRows)>;

impl Store {
    /// The person behind an account: the account, its member record, and both addresses.
    pub async fn person_of_user(&self, user_id: i64) -> StoreResult<Person> {
        let row: Option<(String, Option<i64>, Option<String>)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT u.email, m.id, m.email FROM users u LEFT JOIN members m ON m.user_id = u.id WHERE u.id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })?;
        let Some((email, member_id, member_email)) = row else { return Ok(Person::default()) };
        let mut emails = vec![email.to_lowercase()];
        if let Some(other) = member_email.map(|e| e.to_lowercase()).filter(|e| !emails.contains(e)) {
            emails.push(other);
        }
        Ok(Person { user_id: Some(user_id), member_id, emails })
    }

    /// The person behind a member record (with its account, if it has one).
    pub async fn person_of_member(&self, member_id: i64) -> StoreResult<Person> {
        let row: Option<(Option<i64>, String)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT user_id, email FROM members WHERE id = $1")
                .bind(member_id)
                .fetch_optional(pool)
                .await
        })?;
        let Some((user_id, email)) = row else { return Ok(Person::default()) };
        if let Some(user_id) = user_id {
            return self.person_of_user(user_id).await;
        }
        Ok(Person { user_id: None, member_id: Some(member_id), emails: vec![email.to_lowercase()] })
    }

    /// Every catalogued table's rows about `person`, in catalogue order (tables without
    /// any are left out). Driven by [`PERSONAL_DATA`]: a table is read by its classification.
    pub async fn personal_rows(&self, person: &Person) -> StoreResult<PersonalRows> {
        let mut out = Vec::new();
        for spec in all_tables() {
            let Some(entry) = classification(spec.name) else { continue };
            if matches!(entry.about, NotPersonal) {
                continue;
            }
            let mut binds = Vec::new();
            let condition = condition(entry.about, person, &mut binds);
            if condition == "1 = 0" {
                continue;
            }
            let columns: Vec<&str> = spec.columns.iter().map(|(c, _)| *c).collect();
            let sql = format!("SELECT {} FROM {} WHERE {condition}", columns.join(", "), spec.name);
            let rows = with_reader!(self, |pool| {
                let query = crate::engine::bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), binds);
                let rows = query.fetch_all(pool).await?;
                let mut decoded: TableRows = Vec::with_capacity(rows.len());
                for row in rows {
                    decoded.push(decode_row!(row, spec));
                }
                Ok::<_, crate::StoreError>(decoded)
            })?;
            if !rows.is_empty() {
                let mut rows = rows;
                rows.sort();
                out.push((spec, rows));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_table_is_classified() {
        for spec in all_tables() {
            let entry = classification(spec.name).unwrap_or_else(|| {
                panic!(
                    "{} is not in privacy::PERSONAL_DATA: say how its rows relate to a person (member, account, \
                     email, through a parent, or not personal), which columns are personal and which are secret",
                    spec.name
                )
            });
            for column in entry.personal.iter().chain(entry.secret) {
                assert!(
                    spec.columns.iter().any(|(c, _)| c == column),
                    "{}.{column} is classified but not in the catalogue",
                    spec.name
                );
            }
            // A table that holds a column named like a person's must say how it is theirs.
            let names_a_person = spec.columns.iter().any(|(c, _)| {
                matches!(*c, "member_id" | "user_id" | "email" | "payer_id" | "to_address" | "ip" | "user_agent")
            });
            if names_a_person {
                assert!(
                    !matches!(entry.about, NotPersonal),
                    "{} names a person but is classified not personal",
                    spec.name
                );
            }
        }
        for entry in PERSONAL_DATA {
            assert!(all_tables().any(|s| s.name == entry.table), "{} is classified but not catalogued", entry.table);
        }
    }

    #[test]
    fn a_parent_is_classified_before_its_children() {
        for entry in PERSONAL_DATA {
            if let Through { parent, .. } = entry.about {
                assert!(classification(parent).is_some(), "{}'s parent {parent} is not classified", entry.table);
            }
        }
    }

    #[test]
    fn conditions_bind_in_order() {
        let person = Person { user_id: Some(7), member_id: Some(9), emails: vec!["a_b@example.org".into()] };
        let mut binds = Vec::new();
        let sql = condition(Through { column: "payment_id", parent: "payments" }, &person, &mut binds);
        assert_eq!(
            sql,
            "payment_id IN (SELECT id FROM payments WHERE invoice_id IN (SELECT id FROM invoices \
             WHERE (member_id = $1 OR user_id = $2)))"
        );
        assert_eq!(binds, vec![Value::Int(9), Value::Int(7)]);
        let mut binds = Vec::new();
        let sql = condition(EmailKey("k"), &person, &mut binds);
        assert_eq!(sql, "(k LIKE $1 ESCAPE '\\' OR k LIKE $2 ESCAPE '\\')");
        assert_eq!(binds[0], Value::Text("%:a\\_b@example.org".into()));
        let nobody = Person::default();
        assert_eq!(condition(Member("member_id"), &nobody, &mut Vec::new()), "1 = 0");
    }
}
