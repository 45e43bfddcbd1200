//! Moving a whole society between engines (`guildhall db copy`), and the table
//! catalogue that keeps the two schemas honest: a test compares [`TABLES`] with the
//! columns each engine actually has after migration.

use sqlx::Row;
use time::Date;

use crate::{Engine, Store, StoreError, StoreResult, with_reader, with_writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Text,
    Bool,
    Date,
    Bytes,
}

#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    /// Columns in order; the first is the primary key rows are ordered by.
    pub columns: &'static [(&'static str, ColumnType)],
    /// Whether the first column is an identity whose sequence must follow the copy.
    pub identity: bool,
}

use ColumnType::{Bool as B, Bytes as X, Date as D, Int as I, Text as T};

/// Every table, parents before children.
pub const TABLES: &[TableSpec] = &[
    TableSpec { name: "society_settings", columns: &[("key", T), ("value", T)], identity: false },
    TableSpec {
        name: "chapters",
        columns: &[
            ("id", I),
            ("slug", T),
            ("name", T),
            ("kind", T),
            ("region", T),
            ("dues_supplement_cents", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "users",
        columns: &[
            ("id", I),
            ("email", T),
            ("display_name", T),
            ("password_hash", T),
            ("role", T),
            ("email_verified_at", I),
            ("disabled_at", I),
            ("created_at", I),
            ("two_factor_enabled_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "two_factor_secrets",
        columns: &[("user_id", I), ("secret", T), ("last_used_step", I), ("created_at", I)],
        identity: false,
    },
    TableSpec {
        name: "recovery_codes",
        columns: &[("id", I), ("user_id", I), ("code_hash", T), ("created_at", I), ("used_at", I)],
        identity: true,
    },
    TableSpec {
        name: "officer_terms",
        columns: &[
            ("id", I),
            ("user_id", I),
            ("chapter_id", I),
            ("title", T),
            ("starts_on", D),
            ("ends_on", D),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "sessions",
        columns: &[
            ("token_hash", T),
            ("user_id", I),
            ("created_at", I),
            ("expires_at", I),
            ("ip", T),
            ("user_agent", T),
            ("last_seen_at", I),
        ],
        identity: false,
    },
    TableSpec {
        name: "email_tokens",
        columns: &[
            ("token_hash", T),
            ("user_id", I),
            ("purpose", T),
            ("created_at", I),
            ("expires_at", I),
            ("used_at", I),
            ("new_email", T),
            ("event_id", I),
        ],
        identity: false,
    },
    TableSpec {
        name: "sign_in_attempts",
        columns: &[("id", I), ("email", T), ("ip", T), ("attempted_at", I), ("succeeded", B)],
        identity: true,
    },
    TableSpec {
        name: "sign_in_throttles",
        columns: &[("throttle_key", T), ("attempts", I), ("window_started_at", I)],
        identity: false,
    },
    TableSpec {
        name: "outbox",
        columns: &[
            ("id", I),
            ("to_address", T),
            ("subject", T),
            ("body_text", T),
            ("created_at", I),
            ("status", T),
            ("attempts", I),
            ("next_attempt_at", I),
            ("locked_until", I),
            ("last_error", T),
            ("sent_at", I),
            ("transport", T),
            ("attachment_name", T),
            ("attachment_type", T),
            ("attachment_body", X),
            ("campaign_id", I),
            ("member_id", I),
            ("campaign_test", B),
            ("in_flight_since", I),
            ("headers", T),
            ("body_html", T),
            ("handed_over_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "audit_log",
        columns: &[
            ("id", I),
            ("occurred_at", I),
            ("actor_user_id", I),
            ("actor_label", T),
            ("action", T),
            ("subject_kind", T),
            ("subject_id", I),
            ("subject_label", T),
            ("chapter_id", I),
            ("before_json", T),
            ("after_json", T),
            ("request_id", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "tiers",
        columns: &[
            ("id", I),
            ("code", T),
            ("name", T),
            ("annual_dues_cents", I),
            ("requires_approval", B),
            ("requirements", T),
            ("sort_order", I),
            ("created_at", I),
            ("never_expires", B),
        ],
        identity: true,
    },
    TableSpec {
        name: "affinity_groups",
        columns: &[("id", I), ("slug", T), ("name", T), ("description", T), ("created_at", I)],
        identity: true,
    },
    TableSpec {
        name: "members",
        columns: &[
            ("id", I),
            ("member_number", T),
            ("user_id", I),
            ("first_name", T),
            ("last_name", T),
            ("email", T),
            ("phone", T),
            ("employer", T),
            ("job_title", T),
            ("career_stage", T),
            ("disciplines", T),
            ("education", T),
            ("city", T),
            ("tier_id", I),
            ("home_chapter_id", I),
            ("joined_on", D),
            ("standing", T),
            ("expires_on", D),
            ("standing_on", D),
            ("visibility", T),
            ("search_name", T),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "member_groups",
        columns: &[("member_id", I), ("group_id", I), ("joined_on", D)],
        identity: false,
    },
    TableSpec {
        name: "licences",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("jurisdiction", T),
            ("kind", T),
            ("number", T),
            ("first_issued", D),
            ("expires_on", D),
            ("created_at", I),
            ("licensure_method", T),
            ("ce_fields", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "certifications",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("name", T),
            ("body", T),
            ("number", T),
            ("expires_on", D),
            ("created_at", I),
            ("ruleset", T),
            ("issued_on", D),
            ("ce_fields", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "membership_terms",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("tier_id", I),
            ("starts_on", D),
            ("ends_on", D),
            ("applied_on", D),
            ("status", T),
            ("approved_on", D),
            ("paid_on", D),
            ("cancelled_on", D),
            ("rejected_on", D),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "invoices",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("term_id", I),
            ("description", T),
            ("amount_cents", I),
            ("status", T),
            ("issued_on", D),
            ("due_on", D),
            ("paid_on", D),
            ("created_at", I),
            ("user_id", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "payments",
        columns: &[
            ("id", I),
            ("invoice_id", I),
            ("amount_cents", I),
            ("method", T),
            ("reference", T),
            ("provider_ref", T),
            ("received_on", D),
            ("recorded_by", I),
            ("created_at", I),
            ("refunded_cents", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "payment_events",
        columns: &[
            ("id", I),
            ("provider", T),
            ("event_id", T),
            ("invoice_id", I),
            ("amount_cents", I),
            ("outcome", T),
            ("received_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "refunds",
        columns: &[
            ("id", I),
            ("payment_id", I),
            ("amount_cents", I),
            ("method", T),
            ("reason", T),
            ("ended_term", B),
            ("refunded_on", D),
            ("recorded_by", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "organisations",
        columns: &[("payer_id", I), ("name", T), ("seats", I), ("created_at", I)],
        identity: false,
    },
    TableSpec {
        name: "membership_links",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("payer_id", I),
            ("kind", T),
            ("started_on", D),
            ("ended_on", D),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "member_invitations",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("token_hash", T),
            ("invited_by", I),
            ("created_at", I),
            ("expires_at", I),
            ("accepted_at", I),
            ("reminded_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "member_claims",
        columns: &[
            ("id", I),
            ("user_id", I),
            ("member_id", I),
            ("typed_number", T),
            ("typed_last_name", T),
            ("code_hash", T),
            ("attempts", I),
            ("status", T),
            ("created_at", I),
            ("expires_at", I),
            ("resolved_by", I),
            ("resolved_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "membership_evidence",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("term_id", I),
            ("proof", T),
            ("statement", T),
            ("file_name", T),
            ("content_type", T),
            ("content", X),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "renewal_reminders",
        columns: &[("member_id", I), ("for_expiry", D), ("offset_key", T), ("sent_on", D)],
        identity: false,
    },
    TableSpec {
        name: "chapter_supplement_bills",
        columns: &[("member_id", I), ("year", I), ("chapter_id", I), ("invoice_id", I)],
        identity: false,
    },
    TableSpec {
        name: "ce_activities",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("title", T),
            ("kind", T),
            ("tags", T),
            ("occurred_on", D),
            ("starts_on", D),
            ("ends_on", D),
            ("quantity_micro", I),
            ("unit", T),
            ("provider", T),
            ("provider_approvals", T),
            ("organisation", T),
            ("attributes", T),
            ("source", T),
            ("source_ref", T),
            ("recorded_by", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "ce_activity_sessions",
        columns: &[("activity_id", I), ("session_on", D), ("hours_micro", I), ("member_id", I)],
        identity: false,
    },
    TableSpec {
        name: "ce_evidence",
        columns: &[
            ("id", I),
            ("activity_id", I),
            ("file_name", T),
            ("content_type", T),
            ("byte_size", I),
            ("sha256", T),
            ("content", X),
            ("uploaded_at", I),
            ("retain_until", D),
        ],
        identity: true,
    },
    TableSpec {
        name: "ce_reminders",
        columns: &[("member_id", I), ("credential_key", T), ("period_end", D), ("offset_days", I), ("sent_at", I)],
        identity: false,
    },
    TableSpec {
        name: "ce_fact_requests",
        columns: &[("member_id", I), ("requested_on", D), ("facts", T), ("requested_by", I), ("requested_at", I)],
        identity: false,
    },
    TableSpec {
        name: "ce_programmes",
        columns: &[
            ("id", I),
            ("ruleset_id", T),
            ("file_name", T),
            ("source", T),
            ("created_by", I),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "consents",
        columns: &[
            ("id", I),
            ("user_id", I),
            ("member_id", I),
            ("purpose", T),
            ("version", T),
            ("given_at", I),
            ("source", T),
            ("withdrawn_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "erasure_requests",
        columns: &[
            ("id", I),
            ("user_id", I),
            ("member_id", I),
            ("status", T),
            ("requested_at", I),
            ("decided_by", I),
            ("decided_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "events",
        columns: &[
            ("id", I),
            ("chapter_id", I),
            ("kind", T),
            ("title", T),
            ("description", T),
            ("time_zone", T),
            ("starts_at", I),
            ("ends_at", I),
            ("venue", T),
            ("address", T),
            ("online_link", T),
            ("capacity", I),
            ("seats_taken", I),
            ("waitlist_joined", I),
            ("registration_closes_at", I),
            ("pdh_micro", I),
            ("topics", T),
            ("provider", T),
            ("credit_released_at", I),
            ("status", T),
            ("created_by", I),
            ("created_at", I),
            ("updated_at", I),
            ("early_bird_until", I),
            ("changes_until", I),
            ("refund_percent", I),
            ("minutes_per_pdh", I),
            ("responsible", T),
            ("approved_by", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "calendar_feeds",
        columns: &[("user_id", I), ("token_hash", T), ("created_at", I)],
        identity: false,
    },
    TableSpec {
        name: "event_prices",
        columns: &[
            ("id", I),
            ("event_id", I),
            ("audience", T),
            ("tier_id", I),
            ("price_cents", I),
            ("early_price_cents", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "event_discount_codes",
        columns: &[
            ("id", I),
            ("event_id", I),
            ("code", T),
            ("percent_off", I),
            ("max_uses", I),
            ("uses", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "event_sessions",
        columns: &[
            ("id", I),
            ("event_id", I),
            ("title", T),
            ("speakers", T),
            ("starts_at", I),
            ("ends_at", I),
            ("pdh_micro", I),
            ("topics", T),
            ("approved_by", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "event_registrations",
        columns: &[
            ("id", I),
            ("event_id", I),
            ("user_id", I),
            ("member_id", I),
            ("status", T),
            ("waitlist_seq", I),
            ("offered_until", I),
            ("checked_in_at", I),
            ("certificate_code", T),
            ("registered_at", I),
            ("updated_at", I),
            ("price_cents", I),
            ("price_basis", T),
            ("discount_code_id", I),
            ("invoice_id", I),
            ("attended_minutes", I),
            ("credit_micro", I),
            ("ticket_code", T),
            ("certificate_licences", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "event_session_attendance",
        columns: &[("registration_id", I), ("session_id", I), ("minutes", I), ("credit_micro", I)],
        identity: false,
    },
    TableSpec {
        name: "event_attendance_spans",
        columns: &[("id", I), ("registration_id", I), ("checked_in_at", I), ("checked_out_at", I)],
        identity: true,
    },
    TableSpec {
        name: "issuer_keys",
        columns: &[
            ("id", I),
            ("fragment", T),
            ("public_key", T),
            ("sealed_secret", T),
            ("created_at", I),
            ("retired_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "credential_holders",
        columns: &[("member_id", I), ("subject_did", T), ("updated_at", I)],
        identity: false,
    },
    TableSpec {
        name: "credentials",
        columns: &[
            ("id", I),
            ("uuid", T),
            ("member_id", I),
            ("kind", T),
            ("source", T),
            ("name", T),
            ("document", T),
            ("jwt", T),
            ("integrity", T),
            ("key_fragment", T),
            ("status_purpose", T),
            ("status_index", I),
            ("status", T),
            ("status_reason", T),
            ("status_changed_at", I),
            ("status_automatic", B),
            ("valid_from", I),
            ("valid_until", I),
            ("issued_at", I),
            ("issued_by", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "kb_subjects",
        columns: &[("id", I), ("subject_key", T), ("name", T), ("slug", T)],
        identity: true,
    },
    TableSpec {
        name: "kb_articles",
        columns: &[
            ("id", I),
            ("source_id", I),
            ("path", T),
            ("title", T),
            ("question", T),
            ("answer", T),
            ("author", T),
            ("published_on", D),
            ("seo_title", T),
            ("seo_description", T),
            ("seo_keywords", T),
            ("front_matter", T),
            ("published", B),
            ("members_only", B),
            ("merged_into", I),
            ("from_question_id", I),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "kb_article_subjects",
        columns: &[("article_id", I), ("subject_id", I), ("position", I)],
        identity: false,
    },
    TableSpec {
        name: "kb_related_links",
        columns: &[
            ("article_id", I),
            ("position", I),
            ("related_source_id", I),
            ("title", T),
            ("subject", T),
            ("url", T),
        ],
        identity: false,
    },
    TableSpec {
        name: "questions",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("title", T),
            ("body", T),
            ("jurisdiction", T),
            ("discipline", T),
            ("visibility", T),
            ("accepted_answer_id", I),
            ("promoted_article_id", I),
            ("hidden", B),
            ("plain_text", T),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec { name: "question_subjects", columns: &[("question_id", I), ("subject_id", I)], identity: false },
    TableSpec {
        name: "answers",
        columns: &[
            ("id", I),
            ("question_id", I),
            ("member_id", I),
            ("body", T),
            ("hidden", B),
            ("plain_text", T),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "answer_votes",
        columns: &[("answer_id", I), ("member_id", I), ("vote", I), ("voted_at", I)],
        identity: false,
    },
    TableSpec {
        name: "answer_endorsements",
        columns: &[
            ("answer_id", I),
            ("member_id", I),
            ("licence_kind", T),
            ("jurisdiction", T),
            ("discipline", T),
            ("show_name", B),
            ("endorsed_at", I),
        ],
        identity: false,
    },
    TableSpec { name: "question_subscriptions", columns: &[("question_id", I), ("member_id", I)], identity: false },
    TableSpec { name: "subject_experts", columns: &[("subject_id", I), ("member_id", I)], identity: false },
    TableSpec {
        name: "post_comments",
        columns: &[("id", I), ("question_id", I), ("answer_id", I), ("member_id", I), ("body", T), ("created_at", I)],
        identity: true,
    },
    TableSpec {
        name: "post_flags",
        columns: &[
            ("id", I),
            ("question_id", I),
            ("answer_id", I),
            ("member_id", I),
            ("reason", T),
            ("created_at", I),
            ("resolved_at", I),
            ("resolved_by", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "post_revisions",
        columns: &[
            ("id", I),
            ("question_id", I),
            ("answer_id", I),
            ("title_before", T),
            ("body_before", T),
            ("edited_by", I),
            ("edited_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "publications",
        columns: &[
            ("id", I),
            ("slug", T),
            ("name", T),
            ("description", T),
            ("kind", T),
            ("access", T),
            ("chapter_id", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "publication_access",
        columns: &[("publication_id", I), ("tier_id", I), ("group_id", I)],
        identity: false,
    },
    TableSpec {
        name: "publication_issues",
        columns: &[
            ("id", I),
            ("publication_id", I),
            ("title", T),
            ("volume", I),
            ("number", I),
            ("published_on", D),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "publication_articles",
        columns: &[
            ("id", I),
            ("issue_id", I),
            ("title", T),
            ("authors", T),
            ("abstract", T),
            ("body", T),
            ("doi", T),
            ("pages", T),
            ("position", I),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "publication_files",
        columns: &[
            ("id", I),
            ("article_id", I),
            ("file_name", T),
            ("content_type", T),
            ("byte_size", I),
            ("sha256", T),
            ("content", X),
            ("uploaded_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "search_entries",
        columns: &[
            ("id", I),
            ("article_id", I),
            ("question_id", I),
            ("publication_article_id", I),
            ("path", T),
            ("title", T),
            ("body", T),
            ("subjects", T),
            ("audience", T),
            ("endorsed", B),
            ("dated", D),
        ],
        identity: true,
    },
    TableSpec {
        name: "communication_lists",
        columns: &[
            ("id", I),
            ("slug", T),
            ("name", T),
            ("purpose", T),
            ("opt_in", B),
            ("chapter_id", I),
            ("officers_may_send", B),
            ("officer_sends_per_month", I),
            ("archived_at", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "list_subscriptions",
        columns: &[("list_id", I), ("member_id", I), ("subscribed", B), ("changed_at", I)],
        identity: false,
    },
    TableSpec {
        name: "mail_preferences",
        columns: &[("member_id", I), ("no_bulk_mail", B), ("changed_at", I)],
        identity: false,
    },
    TableSpec {
        name: "consent_changes",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("list_id", I),
            ("subscribed", B),
            ("source", T),
            ("campaign_id", I),
            ("changed_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "automations",
        columns: &[("id", I), ("kind", T), ("list_id", I), ("active_since", D), ("created_at", I), ("updated_at", I)],
        identity: true,
    },
    TableSpec {
        name: "campaigns",
        columns: &[
            ("id", I),
            ("list_id", I),
            ("subject", T),
            ("body", T),
            ("audience", T),
            ("status", T),
            ("scheduled_for", I),
            ("chapter_id", I),
            ("created_by", I),
            ("recipients", I),
            ("send_started_at", I),
            ("created_at", I),
            ("updated_at", I),
            ("automation_id", I),
            ("delay_days", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "campaign_recipients",
        columns: &[("campaign_id", I), ("member_id", I), ("address", T)],
        identity: false,
    },
    TableSpec {
        name: "mail_tracking",
        columns: &[("campaign_id", I), ("member_id", I), ("opened_at", I), ("clicked_at", I)],
        identity: false,
    },
    TableSpec {
        name: "mail_addresses",
        columns: &[
            ("address", T),
            ("bounce_points", I),
            ("last_bounce_on", D),
            ("last_bounce_hard", B),
            ("suspended_at", I),
            ("reconfirm_sent_at", I),
            ("updated_at", I),
        ],
        identity: false,
    },
    TableSpec {
        name: "mail_bounces",
        columns: &[
            ("id", I),
            ("address", T),
            ("kind", T),
            ("status", T),
            ("diagnostic", T),
            ("policy", B),
            ("counted", B),
            ("outbox_id", I),
            ("campaign_id", I),
            ("received_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "employers",
        columns: &[
            ("id", I),
            ("name", T),
            ("website", T),
            ("about", T),
            ("organisation_payer_id", I),
            ("suspended_at", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "api_tokens",
        columns: &[
            ("id", I),
            ("token_hash", T),
            ("name", T),
            ("user_id", I),
            ("role", T),
            ("chapter_id", I),
            ("created_at", I),
            ("expires_at", I),
            ("revoked_at", I),
            ("last_used_at", I),
            ("employer_id", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "employer_recruiters",
        columns: &[("employer_id", I), ("user_id", I), ("is_owner", B), ("added_at", I)],
        identity: false,
    },
    TableSpec {
        name: "jobs",
        columns: &[
            ("id", I),
            ("employer_id", I),
            ("title", T),
            ("description_md", T),
            ("discipline", T),
            ("career_stage", T),
            ("jurisdiction", T),
            ("city", T),
            ("remote", T),
            ("salary_min_cents", I),
            ("salary_max_cents", I),
            ("pay_period", T),
            ("currency", T),
            ("annual_min_cents", I),
            ("annual_max_cents", I),
            ("closes_on", D),
            ("moderation", T),
            ("moderation_note", T),
            ("moderated_by", I),
            ("moderated_at", I),
            ("live_from", I),
            ("live_until", I),
            ("featured", B),
            ("closed_at", I),
            ("closed_reason", T),
            ("created_by", I),
            ("created_at", I),
            ("updated_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "job_requirements",
        columns: &[
            ("job_id", I),
            ("need", T),
            ("source", T),
            ("jurisdiction", T),
            ("licence_kind", T),
            ("programme", T),
            ("req_key", T),
            ("position", I),
        ],
        identity: false,
    },
    TableSpec {
        name: "posting_products",
        columns: &[
            ("id", I),
            ("code", T),
            ("name", T),
            ("days", I),
            ("featured", B),
            ("price_cents", I),
            ("member_price_cents", I),
            ("active", B),
            ("sort_order", I),
            ("kind", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "job_postings",
        columns: &[
            ("id", I),
            ("job_id", I),
            ("days", I),
            ("featured", B),
            ("price_cents", I),
            ("invoice_id", I),
            ("ordered_by", I),
            ("ordered_at", I),
            ("started_at", I),
            ("ends_at", I),
            ("product_id", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "resumes",
        columns: &[
            ("id", I),
            ("member_id", I),
            ("file_name", T),
            ("content_type", T),
            ("content", X),
            ("bytes", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "job_applications",
        columns: &[
            ("id", I),
            ("job_id", I),
            ("member_id", I),
            ("resume_id", I),
            ("cover_letter", T),
            ("shared_facts", T),
            ("stage", T),
            ("stage_changed_at", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "application_stages",
        columns: &[
            ("id", I),
            ("application_id", I),
            ("stage", T),
            ("changed_by", I),
            ("changed_at", I),
            ("message", T),
        ],
        identity: true,
    },
    TableSpec {
        name: "job_alerts",
        columns: &[
            ("id", I),
            ("user_id", I),
            ("filter", T),
            ("frequency", T),
            ("confirm_token_hash", T),
            ("confirmed_at", I),
            ("sent_through", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "resume_bank_entries",
        columns: &[
            ("member_id", I),
            ("public_ref", T),
            ("resume_id", I),
            ("confidential", B),
            ("summary", T),
            ("discipline", T),
            ("career_stage", T),
            ("years_experience", I),
            ("region", T),
            ("opted_in_at", I),
            ("updated_at", I),
        ],
        identity: false,
    },
    TableSpec {
        name: "resume_bank_access",
        columns: &[
            ("id", I),
            ("employer_id", I),
            ("product_id", I),
            ("invoice_id", I),
            ("days", I),
            ("price_cents", I),
            ("ordered_by", I),
            ("ordered_at", I),
            ("started_at", I),
            ("ends_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "bank_invitations",
        columns: &[
            ("id", I),
            ("employer_id", I),
            ("member_id", I),
            ("job_id", I),
            ("public_ref", T),
            ("message", T),
            ("status", T),
            ("sent_by", I),
            ("sent_at", I),
            ("expires_at", I),
            ("answered_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "salary_surveys",
        columns: &[
            ("id", I),
            ("year", I),
            ("currency", T),
            ("opens_on", D),
            ("closes_on", D),
            ("status", T),
            ("released_at", I),
            ("created_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "salary_responses",
        columns: &[
            ("id", I),
            ("survey_id", I),
            ("member_id", I),
            ("import_ref", T),
            ("base_pay_cents", I),
            ("bonus_cents", I),
            ("hours_per_week", I),
            ("employer_name", T),
            ("employer_key", T),
            ("employer_size", T),
            ("sector", T),
            ("discipline", T),
            ("job_function", T),
            ("licences", T),
            ("licence_class", T),
            ("years_experience", I),
            ("education", T),
            ("jurisdiction", T),
            ("region", T),
            ("zone", T),
            ("submitted_at", I),
        ],
        identity: true,
    },
    TableSpec {
        name: "salary_releases",
        columns: &[
            ("survey_id", I),
            ("built_at", I),
            ("respondents", I),
            ("published", I),
            ("suppressed", I),
            ("parameters", T),
            ("model", T),
        ],
        identity: false,
    },
    TableSpec {
        name: "salary_cells",
        columns: &[
            ("survey_id", I),
            ("zone", T),
            ("discipline", T),
            ("licence_class", T),
            ("experience_band", T),
            ("region", T),
            ("sector", T),
            ("respondents", I),
            ("employers", I),
            ("top_employer_permille", I),
            ("base_p25_cents", I),
            ("base_median_cents", I),
            ("base_p75_cents", I),
            ("total_p25_cents", I),
            ("total_median_cents", I),
            ("total_p75_cents", I),
            ("suppressed_rule", T),
        ],
        identity: false,
    },
];

/// Tables that hold nothing of the society's (the health checks' scratch row, the API's
/// idempotency keys, which live a day, sign-ins waiting minutes for their second factor): in the schema on both engines, never copied, and
/// ignored when checking a target is empty.
pub const SCRATCH_TABLES: &[TableSpec] = &[
    TableSpec {
        name: "sign_in_challenges",
        columns: &[("token_hash", T), ("user_id", I), ("created_at", I), ("expires_at", I)],
        identity: false,
    },
    TableSpec { name: "health_checks", columns: &[("id", I), ("checked_at", I)], identity: false },
    TableSpec {
        name: "idempotency_keys",
        columns: &[
            ("user_id", I),
            ("key_hash", T),
            ("request_hash", T),
            ("status", I),
            ("content_type", T),
            ("response_body", T),
            ("created_at", I),
        ],
        identity: false,
    },
];

/// One column value, engine-neutral.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Date(Date),
    Bytes(Vec<u8>),
}

/// Rows of one table, in primary-key order.
pub type TableRows = Vec<Vec<Value>>;

macro_rules! decode_row {
    ($row:expr, $spec:expr) => {{
        let mut values = Vec::with_capacity($spec.columns.len());
        for (i, (_, ty)) in $spec.columns.iter().enumerate() {
            let value = match ty {
                ColumnType::Int => $row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
                ColumnType::Text => $row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
                ColumnType::Bool => $row.try_get::<Option<bool>, _>(i)?.map_or(Value::Null, Value::Bool),
                ColumnType::Date => $row.try_get::<Option<time::Date>, _>(i)?.map_or(Value::Null, Value::Date),
                ColumnType::Bytes => $row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Bytes),
            };
            values.push(value);
        }
        values
    }};
}
pub(crate) use decode_row;

macro_rules! bind_values {
    ($query:expr, $spec:expr, $values:expr) => {{
        let mut query = $query;
        for ((_, ty), value) in $spec.columns.iter().zip($values.iter()) {
            query = match (ty, value) {
                (ColumnType::Int, Value::Int(v)) => query.bind(*v),
                (ColumnType::Int, _) => query.bind(None::<i64>),
                (ColumnType::Text, Value::Text(v)) => query.bind(v.clone()),
                (ColumnType::Text, _) => query.bind(None::<String>),
                (ColumnType::Bool, Value::Bool(v)) => query.bind(*v),
                (ColumnType::Bool, _) => query.bind(None::<bool>),
                (ColumnType::Date, Value::Date(v)) => query.bind(*v),
                (ColumnType::Date, _) => query.bind(None::<Date>),
                (ColumnType::Bytes, Value::Bytes(v)) => query.bind(v.clone()),
                (ColumnType::Bytes, _) => query.bind(None::<Vec<u8>>),
            };
        }
        query
    }};
}

fn select_sql(spec: &TableSpec) -> String {
    let columns: Vec<&str> = spec.columns.iter().map(|(c, _)| *c).collect();
    format!("SELECT {} FROM {} ORDER BY {}", columns.join(", "), spec.name, columns[0])
}

/// Bound parameters per `INSERT`. Row-by-row inserts made `db copy` into PostgreSQL
/// take 15 s for the demo society (one round trip per row); batches of 500 parameters
/// take it to about 2.5 s. Larger batches gain little on PostgreSQL and cost time on
/// SQLite, where binding slows down as a statement's parameter count grows (8,000
/// parameters took 11 s). Both engines' limits (32,766 and 65,535) are far above this.
const PARAMETERS_PER_INSERT: usize = 500;

/// How many rows of `spec` one `INSERT` carries.
fn rows_per_insert(spec: &TableSpec) -> usize {
    (PARAMETERS_PER_INSERT / spec.columns.len()).max(1)
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), …` for `rows` rows.
fn insert_sql(spec: &TableSpec, rows: usize) -> String {
    let columns: Vec<&str> = spec.columns.iter().map(|(c, _)| *c).collect();
    let width = columns.len();
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|i| format!("${}", r * width + i)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!("INSERT INTO {} ({}) VALUES {}", spec.name, columns.join(", "), tuples.join(", "))
}

/// How many rows each table held, as `db copy` reports it.
pub type CopyReport = Vec<(&'static str, usize)>;

impl Store {
    /// Every row of one catalogued table, in primary-key order.
    pub async fn table_rows(&self, spec: &TableSpec) -> StoreResult<TableRows> {
        let sql = select_sql(spec);
        with_reader!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(decode_row!(row, spec));
            }
            // Sorted here, not by the engine: text collation differs between engines.
            out.sort();
            Ok(out)
        })
    }

    /// Inserts one row of a catalogued table as it is given (ids included): for tests and
    /// tools that need a row in every table, such as the personal-data tests.
    pub async fn insert_catalogued_row(&self, spec: &TableSpec, values: &[Value]) -> StoreResult<()> {
        if values.len() != spec.columns.len() {
            return Err(StoreError::Invalid(format!("{} has {} columns", spec.name, spec.columns.len())));
        }
        let sql = insert_sql(spec, 1);
        with_writer!(self, |pool| {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            bind_values!(query, spec, values).execute(pool).await?;
            Ok(())
        })
    }

    /// The columns each table has in this database (name order), for the parity test. The
    /// search index each engine derives from `search_entries` (SQLite's FTS5 table and its
    /// shadow tables, PostgreSQL's generated `tsvector` column) is not copied, so not listed.
    pub async fn schema_columns(&self) -> StoreResult<Vec<(String, Vec<String>)>> {
        let rows: Vec<(String, String)> = match &self.engine {
            Engine::Sqlite { read, .. } => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
                     AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v \
                       WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND substr(m.name, 1, length(v.name) + 1) = v.name || '_') \
                     ORDER BY m.name, p.name",
                )
                .fetch_all(read)
                .await?
            }
            Engine::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
                     AND is_generated = 'NEVER' ORDER BY table_name, column_name",
                )
                .fetch_all(pool)
                .await?
            }
        };
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in rows {
            match tables.last_mut() {
                Some((name, columns)) if *name == table => columns.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        Ok(tables)
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        for spec in TABLES {
            let sql = format!("SELECT COUNT(*) FROM {}", spec.name);
            let (n,): (i64,) =
                with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(pool).await)?;
            if n > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Copies every catalogued table from `self` into `target`, which must be migrated to
    /// the same version and hold no data. One transaction on the target: a failure
    /// leaves it as it was.
    pub async fn copy_into(&self, target: &Store) -> StoreResult<CopyReport> {
        let source_versions = self.applied_migrations().await?;
        let target_versions = target.applied_migrations().await?;
        if source_versions != target_versions {
            return Err(StoreError::Invalid(format!(
                "the two databases are at different migration versions ({source_versions:?} and {target_versions:?}); \
                 run `guildhall migrate` on both first"
            )));
        }
        if !target.is_empty().await? {
            return Err(StoreError::Invalid(
                "the target database already holds data; copy only into a new, empty database".into(),
            ));
        }
        let mut tables = Vec::with_capacity(TABLES.len());
        for spec in TABLES {
            tables.push((spec, self.table_rows(spec).await?));
        }
        let report: CopyReport = tables.iter().map(|(spec, rows)| (spec.name, rows.len())).collect();
        with_writer!(target, |pool| {
            let mut tx = pool.begin().await?;
            for (spec, rows) in &tables {
                for batch in rows.chunks(rows_per_insert(spec)) {
                    let sql = insert_sql(spec, batch.len());
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for values in batch {
                        query = bind_values!(query, spec, values);
                    }
                    query.execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        if let Engine::Postgres(pool) = &target.engine {
            for spec in TABLES.iter().filter(|s| s.identity) {
                let key = spec.columns[0].0;
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', '{key}'), COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL) FROM {0}",
                    spec.name
                );
                sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).execute(pool).await?;
            }
        }
        Ok(report)
    }
}
