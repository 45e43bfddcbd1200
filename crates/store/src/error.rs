use thiserror::Error;

/// What can go wrong in the storage layer. No sqlx type escapes: causes become text.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or foreign-key rule refused the write. `field` names what it concerns
    /// (`email`, `code`, …; see [`UNIQUE_RULES`]), the same on both engines, never database text.
    #[error("conflicts with existing data ({field})")]
    Conflict { field: String },
    #[error("{0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Backend(String),
    #[error("{0}")]
    Invalid(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint; SQLite names the columns in its message.
                let field = match db.constraint() {
                    Some(name) => conflict_field(name, ""),
                    None => conflict_field("", db.message().trim_start_matches("UNIQUE constraint failed: ")),
                };
                StoreError::Conflict { field: field.to_string() }
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Conflict { field: FOREIGN_KEY.to_string() }
            }
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// Every uniqueness rule in the schema: the name PostgreSQL gives it, the columns SQLite
/// names when it refuses a write, and the field callers report the conflict on.
pub const UNIQUE_RULES: &[(&str, &str, &str)] = &[
    ("users_email_key", "users.email", "email"),
    ("members_email_key", "members.email", "email"),
    ("members_member_number_key", "members.member_number", "member_number"),
    ("members_user_id_key", "members.user_id", "user_id"),
    ("tiers_code_key", "tiers.code", "code"),
    ("chapters_slug_key", "chapters.slug", "slug"),
    ("affinity_groups_slug_key", "affinity_groups.slug", "slug"),
    ("api_tokens_token_hash_key", "api_tokens.token_hash", "token"),
    ("sessions_pkey", "sessions.token_hash", "session"),
    ("email_tokens_pkey", "email_tokens.token_hash", "token"),
    ("society_settings_pkey", "society_settings.key", "key"),
    ("payments_provider_ref_key", "payments.provider_ref", "provider_ref"),
    ("payment_events_provider_event_id_key", "payment_events.provider, payment_events.event_id", "event_id"),
    ("organisations_pkey", "organisations.payer_id", "organisation"),
    ("member_groups_pkey", "member_groups.member_id, member_groups.group_id", "group"),
    ("employer_recruiters_pkey", "employer_recruiters.employer_id, employer_recruiters.user_id", "recruiter"),
    ("employers_organisation_unique", "employers.organisation_payer_id", "organisation"),
    ("job_requirements_pkey", "job_requirements.job_id, job_requirements.req_key", "requirement"),
    ("job_postings_invoice_unique", "job_postings.invoice_id", "invoice"),
    ("job_postings_one_waiting", "job_postings.job_id", "posting"),
    ("posting_products_code_unique", "posting_products.code", "code"),
    ("job_alerts_one_per_search", "job_alerts.user_id, job_alerts.filter", "filter"),
    ("job_alerts_confirm_token", "job_alerts.confirm_token_hash", "token"),
    ("resume_bank_entries_pkey", "resume_bank_entries.member_id", "member"),
    ("resume_bank_entries_public_ref_unique", "resume_bank_entries.public_ref", "public_ref"),
    ("resume_bank_access_invoice_unique", "resume_bank_access.invoice_id", "invoice"),
    ("resume_bank_access_one_waiting", "resume_bank_access.employer_id", "access"),
    (
        "bank_invitations_one_per_job",
        "bank_invitations.employer_id, bank_invitations.member_id, bank_invitations.job_id",
        "job",
    ),
    ("job_applications_one_per_member", "job_applications.job_id, job_applications.member_id", "job"),
    ("licences_one_per_record", "licences.member_id, licences.jurisdiction, licences.kind", LICENCE_HELD),
    (
        "renewal_reminders_pkey",
        "renewal_reminders.member_id, renewal_reminders.for_expiry, renewal_reminders.offset_key",
        "reminder",
    ),
    ("ce_activities_source", "ce_activities.source, ce_activities.source_ref", "source_ref"),
    ("ce_activity_sessions_pkey", "ce_activity_sessions.activity_id, ce_activity_sessions.session_on", "sessions"),
    (
        "ce_reminders_pkey",
        "ce_reminders.member_id, ce_reminders.credential_key, ce_reminders.period_end, ce_reminders.offset_days",
        "reminder",
    ),
    ("ce_programmes_ruleset_id_key", "ce_programmes.ruleset_id", "ruleset_id"),
    ("erasure_requests_one_pending", "erasure_requests.user_id", "erasure_request"),
    (
        "event_registrations_event_id_user_id_key",
        "event_registrations.event_id, event_registrations.user_id",
        "registration",
    ),
    ("event_registrations_line", "event_registrations.event_id, event_registrations.waitlist_seq", "waitlist"),
    ("event_registrations_certificate", "event_registrations.certificate_code", "certificate"),
    ("event_registrations_ticket", "event_registrations.ticket_code", "ticket"),
    (
        "event_session_attendance_pkey",
        "event_session_attendance.registration_id, event_session_attendance.session_id",
        "attendance",
    ),
    ("calendar_feeds_token_hash_key", "calendar_feeds.token_hash", "token"),
    ("event_prices_audience", "index 'event_prices_audience'", "prices"),
    (
        "event_discount_codes_event_id_code_key",
        "event_discount_codes.event_id, event_discount_codes.code",
        "discount_code",
    ),
    ("issuer_keys_fragment_key", "issuer_keys.fragment", "issuer_key"),
    ("issuer_keys_current", "index 'issuer_keys_current'", "issuer_key"),
    ("credentials_uuid_key", "credentials.uuid", "credential"),
    ("credentials_one_per_source", "credentials.member_id, credentials.kind, credentials.source", "credential_source"),
    ("credentials_status_position", "credentials.status_purpose, credentials.status_index", "status_index"),
    ("kb_subjects_key_unique", "kb_subjects.subject_key", "subject"),
    ("kb_subjects_slug_unique", "kb_subjects.slug", "subject"),
    ("kb_articles_source_unique", "kb_articles.source_id", "source_id"),
    ("kb_articles_path_unique", "kb_articles.path", "path"),
    ("answers_question_unique", "answers.question_id, answers.id", "answer"),
    ("search_entries_article_unique", "search_entries.article_id", "search_entry"),
    ("search_entries_question_unique", "search_entries.question_id", "search_entry"),
    ("search_entries_publication_unique", "search_entries.publication_article_id", "search_entry"),
    ("post_flags_one_open", "index 'post_flags_one_open'", "flag"),
    ("publications_slug_unique", "publications.slug", "slug"),
    ("publication_articles_doi_unique", "publication_articles.doi", "doi"),
    ("publication_access_tier", "publication_access.publication_id, publication_access.tier_id", "tier"),
    ("publication_access_group", "publication_access.publication_id, publication_access.group_id", "group"),
    ("communication_lists_slug_unique", "communication_lists.slug", "slug"),
    ("automations_kind_unique", "automations.kind", "kind"),
    ("campaign_recipients_address_unique", "campaign_recipients.campaign_id, campaign_recipients.address", "recipient"),
    ("salary_surveys_year_unique", "salary_surveys.year", "year"),
    ("salary_surveys_one_open", "salary_surveys.status", "open_survey"),
    ("salary_responses_one_per_member", "salary_responses.survey_id, salary_responses.member_id", "response"),
    ("salary_responses_import_ref", "salary_responses.survey_id, salary_responses.import_ref", "ref"),
    ("salary_releases_pkey", "salary_releases.survey_id", "release"),
    (
        "salary_cells_pkey",
        "salary_cells.survey_id, salary_cells.zone, salary_cells.discipline, salary_cells.licence_class, \
         salary_cells.experience_band, salary_cells.region, salary_cells.sector",
        "cell",
    ),
];

/// The field of a refused second copy of a licence already on the member's record
/// (`licences_one_per_record`: one per member, jurisdiction and kind).
pub const LICENCE_HELD: &str = "licence";

/// The field of a uniqueness rule not in [`UNIQUE_RULES`] (a new one someone forgot to list).
pub const UNLISTED_UNIQUE: &str = "unique";
/// The field of a foreign-key refusal: a record referred to is missing, or still referred to.
pub const FOREIGN_KEY: &str = "reference";

/// The field for a unique violation, by PostgreSQL constraint name or SQLite column list.
fn conflict_field(constraint: &str, columns: &str) -> &'static str {
    UNIQUE_RULES
        .iter()
        .find(|(name, cols, _)| {
            (!constraint.is_empty() && *name == constraint) || (!columns.is_empty() && *cols == columns)
        })
        .map_or(UNLISTED_UNIQUE, |(_, _, field)| field)
}

#[cfg(test)]
mod tests {
    use super::conflict_field;

    #[test]
    fn both_engines_name_a_conflict_by_the_same_field() {
        let cases = [
            ("users_email_key", "users.email", "email"),
            ("tiers_code_key", "tiers.code", "code"),
            ("payment_events_provider_event_id_key", "payment_events.provider, payment_events.event_id", "event_id"),
            ("ce_activities_source", "ce_activities.source, ce_activities.source_ref", "source_ref"),
            ("licences_one_per_record", "licences.member_id, licences.jurisdiction, licences.kind", "licence"),
            ("no_such_rule", "nowhere.nothing", "unique"),
        ];
        for (pg, sqlite, field) in cases {
            assert_eq!(conflict_field(pg, ""), field, "PostgreSQL {pg}");
            assert_eq!(conflict_field("", sqlite), field, "SQLite {sqlite}");
        }
    }
}
