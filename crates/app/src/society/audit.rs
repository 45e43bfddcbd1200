//! The audit log in words: every action code the code base writes as a sentence, and an
//! entry's record before and after as a list of fields with what changed.

use serde_json::Value;
use time::{Date, OffsetDateTime};

/// Every action code written to the audit log, with the sentence people read. A code
/// missing here still reads as words (`action_words` falls back to spelling the code out),
/// but each new action should get its sentence here.
pub const ACTIONS: &[(&str, &str)] = &[
    ("account.email_changed", "Account email address changed"),
    ("account.password_changed", "Account password changed"),
    ("account.recovery_codes_replaced", "Two-factor recovery codes replaced"),
    ("account.role_changed", "Account role changed"),
    ("account.two_factor_disabled", "Two-factor sign-in turned off"),
    ("account.two_factor_enabled", "Two-factor sign-in turned on"),
    ("account.two_factor_reset", "Two-factor sign-in reset by an administrator"),
    ("api_token.issued", "API token issued"),
    ("api_token.revoked", "API token revoked"),
    ("application.approved", "Membership application approved"),
    ("application.rejected", "Membership application declined"),
    ("ce.activity_deleted", "CE activity deleted"),
    ("ce.activity_logged", "CE activity logged"),
    ("ce.credential_added", "Licence or certification added"),
    ("ce.credential_fields", "Licence or certification details changed"),
    ("ce.credential_removed", "Licence or certification removed"),
    ("ce.facts_requested", "Members asked for missing CE facts"),
    ("ce.programme_saved", "CE programme saved"),
    ("event.cancelled", "Event cancelled"),
    ("event.changed", "Event changed"),
    ("event.created", "Event created"),
    ("event.credit_released", "Event PDH credit released"),
    ("event.published", "Event published"),
    ("event.registration_cancelled", "Event registration cancelled by staff or an officer"),
    ("event.registration_transferred", "Event registration transferred by staff or an officer"),
    ("credential.issued", "Verifiable credential issued"),
    ("credential.identity_chosen", "How credentials name the member chosen"),
    ("credential.issued_for_event", "Attendance credentials issued for an event"),
    ("credential.suspended", "Verifiable credential suspended"),
    ("credential.active", "Verifiable credential restored"),
    ("credential.revoked", "Verifiable credential revoked"),
    ("credentials.key_rotated", "The society's credential signing key rotated"),
    ("event.attendance_recorded", "Webinar attendance report recorded"),
    ("event.attendance_scanned", "Attendance at the door recorded from a departure or a return"),
    ("event.waitlist_confirmed", "Someone confirmed off an event's waitlist (a seat added)"),
    ("event.registration_paid_offline", "A payment by cheque, transfer or cash recorded for an event registration"),
    ("group.changed", "Group changed"),
    ("group.created", "Group created"),
    ("group.deleted", "Group deleted"),
    ("invoice.paid_offline", "Invoice paid offline"),
    ("campaign.created", "Campaign written"),
    ("campaign.updated", "Campaign changed"),
    ("campaign.scheduled", "Campaign scheduled"),
    ("campaign.unscheduled", "Campaign taken back to draft"),
    ("campaign.cancelled", "Campaign cancelled"),
    ("campaign.sent", "Campaign sent"),
    ("campaign.resent", "Campaign's messages of unknown delivery sent again"),
    ("automation.saved", "Automated series set up or switched"),
    ("automation.step_added", "Step added to an automated series"),
    ("automation.step_changed", "Step of an automated series changed"),
    ("automation.step_ended", "Step of an automated series ended"),
    ("kb.imported", "Knowledge-base articles imported"),
    ("kb.article_edited", "Knowledge-base article edited"),
    ("kb.article_published", "Knowledge-base article published"),
    ("kb.article_unpublished", "Knowledge-base article unpublished"),
    ("kb.article_merged", "Knowledge-base article merged"),
    ("kb.expert_added", "Subject expert added"),
    ("kb.expert_removed", "Subject expert removed"),
    ("list.created", "Communication list created"),
    ("list.updated", "Communication list changed"),
    ("publication.created", "Publication created"),
    ("publication.issue_added", "Publication issue added"),
    ("publication.article_added", "Publication article added"),
    ("employer.created", "Employer account created"),
    ("employer.updated", "Employer account changed"),
    ("employer.recruiter_added", "Recruiter added to an employer"),
    ("employer.recruiter_removed", "Recruiter removed from an employer"),
    ("job.created", "Job written"),
    ("job.updated", "Job changed"),
    ("job.submitted", "Job sent for review"),
    ("job.closed", "Job closed by its employer"),
    ("job.approved", "Job approved"),
    ("job.rejected", "Job sent back with changes needed"),
    ("job.taken_down", "Job taken down by staff"),
    ("posting_product.updated", "Job posting product's prices changed"),
    ("resume_bank.searched", "Resume bank searched by staff"),
    ("resume_bank.entry_opened", "Resume bank entry opened by staff"),
    ("post.reports_dismissed", "Reports of a post dismissed"),
    ("question.hidden", "Question hidden"),
    ("question.shown", "Question shown again"),
    ("question.promoted", "Question added to the knowledge base"),
    ("answer.hidden", "Answer hidden"),
    ("answer.shown", "Answer shown again"),
    ("member.account_linked", "Membership connected to an account"),
    ("member.group_added", "Member added to a group"),
    ("member.group_removed", "Member removed from a group"),
    ("member.invitation_accepted", "Invitation accepted"),
    ("member.invited", "Member invited"),
    ("member.linked", "Membership linked to a payer"),
    ("member.membership_changed", "Member's tier, chapter or email changed"),
    ("member.profile_changed", "Member profile changed"),
    ("member.unlinked", "Membership link to a payer ended"),
    ("members.imported", "Members imported"),
    ("officer.appointed", "Officer appointed"),
    ("officer.term_ended", "Officer's term ended"),
    ("organisation.saved", "Organisational membership saved"),
    ("payment.refunded", "Payment refunded"),
    ("privacy.consent_given", "Consent given"),
    ("privacy.consent_withdrawn", "Consent withdrawn"),
    ("privacy.erased", "Personal data erased"),
    ("privacy.erasure_declined", "Erasure request declined"),
    ("privacy.erasure_requested", "Erasure requested"),
    ("privacy.retention_due", "Retention period over: erasure due"),
    ("salary.survey_created", "Salary survey created"),
    ("salary.survey_opened", "Salary survey opened"),
    ("salary.survey_closed", "Salary survey closed"),
    ("salary.responses_imported", "Salary survey responses imported"),
    ("salary.employers_merged", "Salary survey employer names merged"),
    ("salary.released", "Salary survey figures released"),
    ("society.officer_fields_changed", "Fields officers may edit changed"),
    ("society.settings_changed", "Society settings changed"),
    ("tier.changed", "Membership tier changed"),
    ("tier.created", "Membership tier created"),
    ("tier.deleted", "Membership tier deleted"),
];

/// The sentence for an action code ("ce.activity_deleted" → "CE activity deleted"). An
/// unknown code is spelled out in words rather than shown as a code.
pub fn action_words(code: &str) -> String {
    if let Some((_, words)) = ACTIONS.iter().find(|(c, _)| *c == code) {
        return (*words).to_string();
    }
    let (kind, what) = code.split_once('.').unwrap_or(("", code));
    let text = format!("{} {}", subject_words(kind), what.replace('_', " "));
    capitalise(text.trim())
}

/// What kind of record an entry is about, in words ("api_token" → "API token").
pub fn subject_words(kind: &str) -> String {
    match kind {
        "" => String::new(),
        "account" | "user" => "Account".into(),
        "api_token" => "API token".into(),
        "ce" => "CE".into(),
        "member" => "Member".into(),
        "members" => "Members".into(),
        "society" => "Society".into(),
        other => capitalise(&other.replace('_', " ")),
    }
}

/// One field of an audited record: its value before and after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditChange {
    pub field: String,
    /// Empty when the field was not there before.
    pub before: String,
    /// Empty when the field is gone after.
    pub after: String,
    pub changed: bool,
}

/// The record before and after an audited change as a list of fields, each value in
/// words (dates as dates, money as money, lists joined), in the order the record gives them.
/// Entries written before dates were stored as text (`[2027,273]`, year and day of the
/// year) read as dates too.
pub fn audit_changes(before: Option<&str>, after: Option<&str>) -> Vec<AuditChange> {
    let parse = |raw: Option<&str>| raw.and_then(|s| serde_json::from_str::<Value>(s).ok());
    let (before, after) = (parse(before), parse(after));
    let mut fields_before = Vec::new();
    let mut fields_after = Vec::new();
    if let Some(v) = &before {
        flatten("", v, &mut fields_before);
    }
    if let Some(v) = &after {
        flatten("", v, &mut fields_after);
    }
    let mut names: Vec<String> = fields_before.iter().map(|(k, _)| k.clone()).collect();
    for (k, _) in &fields_after {
        if !names.contains(k) {
            names.push(k.clone());
        }
    }
    let lookup = |list: &[(String, String)], name: &str| {
        list.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    };
    names
        .into_iter()
        .map(|name| {
            let (b, a) = (lookup(&fields_before, &name), lookup(&fields_after, &name));
            // With only one side recorded (a creation, a deletion) every field is the change.
            let changed = b != a || before.is_none() || after.is_none();
            AuditChange { field: field_label(&name), before: b, after: a, changed }
        })
        .collect()
}

/// Flattens a JSON value into (path, text) pairs: objects by key (nested keys joined with
/// " › "), lists of plain values joined, lists of records numbered.
fn flatten(path: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let p = if path.is_empty() { key.clone() } else { format!("{path}\u{1f}{key}") };
                flatten(&p, v, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}\u{1f}{}", i + 1), v, out);
            }
        }
        other => {
            let key = path.rsplit('\u{1f}').next().unwrap_or(path);
            out.push((if path.is_empty() { "value".into() } else { path.into() }, value_text(key, other)));
        }
    }
}

/// A field's key in words: "expires_on" → "Expires on", "amount_cents" → "Amount";
/// nested keys joined with " › ".
fn field_label(path: &str) -> String {
    path.split('\u{1f}')
        .map(|key| {
            let key = key.strip_suffix("_cents").unwrap_or(key);
            match key {
                "user_id" => "Account".to_string(),
                "pdh" => "PDH".to_string(),
                "slug" => "Short name".to_string(),
                "url" | "logo_url" => capitalise(&key.replace("url", "address").replace('_', " ")),
                k => capitalise(&k.replace('_', " ")),
            }
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

fn value_text(key: &str, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => match n.as_i64() {
            Some(cents) if key.ends_with("_cents") => {
                format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100)
            }
            Some(secs) if key.ends_with("_at") && secs > 100_000_000 => OffsetDateTime::from_unix_timestamp(secs)
                .ok()
                .and_then(|t| {
                    t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).ok()
                })
                .unwrap_or_else(|| n.to_string()),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            if let Some(date) = old_date(items) {
                return date;
            }
            items.iter().map(|i| value_text(key, i)).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
        }
        Value::Object(_) => value.to_string(),
    }
}

/// A date as entries written before dates were stored as text held it: `[year, day of
/// the year]`.
fn old_date(items: &[Value]) -> Option<String> {
    let [year, ordinal] = items else { return None };
    let (year, ordinal) = (year.as_i64()?, ordinal.as_i64()?);
    if !(1800..=2300).contains(&year) || !(1..=366).contains(&ordinal) {
        return None;
    }
    Date::from_ordinal_date(i32::try_from(year).ok()?, u16::try_from(ordinal).ok()?).ok().map(|d| d.to_string())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_sentences() {
        assert_eq!(action_words("ce.activity_deleted"), "CE activity deleted");
        assert_eq!(action_words("member.tier_changed"), "Member tier changed");
        assert!(ACTIONS.iter().all(|(code, words)| !words.contains(code) && !words.contains('_')));
    }

    #[test]
    fn changes_list_each_field_with_dates_money_and_old_rows_readable() {
        let changes = audit_changes(
            Some(r#"{"expires_on":[2027,273],"name":"Ada","amount_cents":1500}"#),
            Some(r#"{"expires_on":"2028-09-30","name":"Ada","amount_cents":2050}"#),
        );
        let find = |f: &str| changes.iter().find(|c| c.field == f).cloned().expect(f);
        assert_eq!(
            find("Expires on"),
            AuditChange {
                field: "Expires on".into(),
                before: "2027-09-30".into(),
                after: "2028-09-30".into(),
                changed: true
            }
        );
        assert!(!find("Name").changed);
        assert_eq!((find("Amount").before, find("Amount").after), ("15.00".into(), "20.50".into()));
    }

    #[test]
    fn a_creation_marks_every_field_and_nested_records_are_named() {
        let changes = audit_changes(None, Some(r#"{"groups":["a","b"],"sessions":[{"date":"2026-01-02"}]}"#));
        assert!(changes.iter().all(|c| c.changed && c.before.is_empty()));
        assert!(changes.iter().any(|c| c.field == "Groups" && c.after == "a, b"));
        assert!(changes.iter().any(|c| c.field == "Sessions › 1 › Date" && c.after == "2026-01-02"));
    }
}
