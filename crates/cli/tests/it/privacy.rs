//! Members' rights over their data: the download holds every table's rows about the
//! member and nothing about anyone else; erasure leaves no personal field in any table
//! while the kept books still add up; consents; retention.

use std::collections::BTreeMap;
use std::io::Read;

use axum::http::StatusCode;
use guildhall_domain::credentials::{CredentialKind, CredentialStatus, StatusPurpose};
use guildhall_domain::membership::{ClaimStatus, InvoiceStatus, LinkKind, Standing, TermState};
use guildhall_store::copy::{ColumnType, TABLES, Value};
use guildhall_store::privacy::{About, PERSONAL_DATA, Person, all_tables, classification};

use crate::harness::*;

/// A person the test gave a row in every personal table, each text marked with `tag`.
struct Seeded {
    person: Person,
    member_id: i64,
    user_id: i64,
    email: String,
    tag: &'static str,
}

/// Gives `person` one row in every table the catalogue ties to a person (the member record
/// and account too when `fresh`). Ids are chosen far above any the demo uses.
async fn seed(t: &TestApp, base: i64, tag: &'static str, existing: Option<(i64, i64, String)>) -> Seeded {
    let (user_id, member_id, email) = existing.clone().unwrap_or((base + 1, base + 2, format!("{tag}@example.org")));
    let mut ids: BTreeMap<&str, i64> = BTreeMap::new();
    ids.insert("users", user_id);
    ids.insert("members", member_id);
    // Registrations need an event (the society's own, not about anyone).
    let event = guildhall_store::NewEvent {
        chapter_id: None,
        kind: guildhall_domain::events::EventKind::Seminar,
        title: format!("{tag} seminar"),
        description: String::new(),
        time_zone: "UTC".into(),
        starts_at: 1_900_000_000,
        ends_at: 1_900_003_600,
        venue: "Hall".into(),
        address: String::new(),
        online_link: String::new(),
        capacity: 10,
        registration_closes_at: 1_900_000_000,
        pdh_micro: 0,
        topics: String::new(),
        provider: String::new(),
        early_bird_until: None,
        changes_until: None,
        refund_percent: 100,
        minutes_per_pdh: 50,
        responsible: String::new(),
        approved_by: String::new(),
    };
    let audit = guildhall_store::NewAuditEntry { action: "event.created".into(), ..Default::default() };
    // One session of a programme, for attendance by session.
    let parts = guildhall_store::EventParts {
        sessions: vec![guildhall_store::NewEventSession {
            title: "Morning".into(),
            speakers: String::new(),
            starts_at: 1_900_000_000,
            ends_at: 1_900_001_800,
            pdh_micro: 0,
            topics: String::new(),
            approved_by: String::new(),
        }],
        ..Default::default()
    };
    let event_id = t.store.create_event(&event, &parts, None, &audit, 0).await.unwrap();
    ids.insert("events", event_id);
    ids.insert("event_sessions", t.store.event_sessions(event_id).await.unwrap()[0].id);
    // Credentials name the signing key that signed them.
    t.app.ensure_issuer_key().await.unwrap();
    let date = time::macros::date!(2020 - 01 - 01);
    // Questions are filed under a subject (the society's, not personal).
    let subject = all_tables().find(|t| t.name == "kb_subjects").unwrap();
    let subject_id = base + 5;
    let subject_row = [
        Value::Int(subject_id),
        Value::Text(format!("{tag}-subject")),
        Value::Text(format!("{tag} subject")),
        Value::Text(format!("{tag}-subject")),
    ];
    t.store.insert_catalogued_row(subject, &subject_row).await.unwrap();
    ids.insert("kb_subjects", subject_id);
    // Subscriptions and consent changes name a list, a manifest its campaign (the society's).
    let list = all_tables().find(|t| t.name == "communication_lists").unwrap();
    let list_row = [
        Value::Int(base + 6),
        Value::Text(format!("{tag}-list")),
        Value::Text(format!("{tag} list")),
        Value::Text("News".into()),
        Value::Bool(false),
        Value::Null,
        Value::Bool(false),
        Value::Int(4),
        Value::Null,
        Value::Int(0),
    ];
    t.store.insert_catalogued_row(list, &list_row).await.unwrap();
    ids.insert("communication_lists", base + 6);
    let campaign = all_tables().find(|t| t.name == "campaigns").unwrap();
    let campaign_row = [
        Value::Int(base + 7),
        Value::Int(base + 6),
        Value::Text("Subject".into()),
        Value::Text("Body".into()),
        Value::Text("{}".into()),
        Value::Text("sent".into()),
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Int(1),
        Value::Int(0),
        Value::Int(0),
        Value::Int(0),
        Value::Null,
        Value::Null,
    ];
    t.store.insert_catalogued_row(campaign, &campaign_row).await.unwrap();
    ids.insert("campaigns", base + 7);
    // Recruiters recruit for an employer (an organisation, not a person).
    let employer = all_tables().find(|t| t.name == "employers").unwrap();
    let employer_row = [
        Value::Int(base + 8),
        Value::Text(format!("{tag} employer")),
        Value::Text(String::new()),
        Value::Text(String::new()),
        Value::Null,
        Value::Null,
        Value::Int(0),
    ];
    t.store.insert_catalogued_row(employer, &employer_row).await.unwrap();
    ids.insert("employers", base + 8);
    // Applications answer a job (the employer's, not about anyone).
    let job = guildhall_store::NewJob {
        title: format!("{tag} job"),
        description_md: "A job.".into(),
        discipline: guildhall_domain::csv::members::Discipline::Civil,
        career_stage: "licensed".into(),
        jurisdiction: None,
        city: String::new(),
        remote: guildhall_domain::careers::RemotePolicy::Remote,
        salary_min_cents: 100,
        salary_max_cents: 200,
        pay_period: guildhall_domain::careers::PayPeriod::Year,
        currency: "USD".into(),
        annual_min_cents: 100,
        annual_max_cents: 200,
        closes_on: None,
        requirements: Vec::new(),
    };
    let job_id = t.store.create_job(base + 8, &job, false, 1, 0, &audit).await.unwrap();
    ids.insert("jobs", job_id);
    // A salary response answers a survey (the society's).
    let survey = all_tables().find(|t| t.name == "salary_surveys").unwrap();
    let survey_row = [
        Value::Int(base + 8),
        Value::Int(base + 8),
        Value::Text("USD".into()),
        Value::Date(date),
        Value::Date(date),
        Value::Text("closed".into()),
        Value::Null,
        Value::Int(0),
    ];
    t.store.insert_catalogued_row(survey, &survey_row).await.unwrap();
    ids.insert("salary_surveys", base + 8);
    for (n, spec) in all_tables().enumerate() {
        let entry = classification(spec.name).expect("classified");
        if matches!(entry.about, About::NotPersonal) {
            continue;
        }
        if existing.is_some() && (spec.name == "users" || spec.name == "members") {
            continue;
        }
        let own_id = base + 10 + n as i64;
        let mut values = Vec::new();
        for (i, (column, ty)) in spec.columns.iter().enumerate() {
            let marker = format!("{tag}-{}-{column}", spec.name);
            let value = match (spec.name, *column, ty) {
                ("users", "id", _) => Value::Int(user_id),
                ("members", "id", _) => Value::Int(member_id),
                (_, "id", _) if i == 0 && spec.identity => {
                    ids.insert(spec.name, own_id);
                    Value::Int(own_id)
                }
                ("question_subjects" | "subject_experts", "subject_id", _) => Value::Int(ids["kb_subjects"]),
                (_, "member_id" | "payer_id" | "subject_id", _) => Value::Int(member_id),
                (_, "question_id", _) => Value::Int(ids["questions"]),
                (_, "answer_id", _) => Value::Int(ids["answers"]),
                ("questions", "visibility", _) => Value::Text("members".into()),
                ("questions", "accepted_answer_id" | "promoted_article_id", _) => Value::Null,
                ("search_entries", "article_id" | "publication_article_id", _) => Value::Null,
                ("search_entries", "audience", _) => Value::Text("members".into()),
                (_, "user_id" | "actor_user_id", _) => Value::Int(user_id),
                (_, "invoice_id", _) => Value::Int(ids["invoices"]),
                (_, "payment_id", _) => Value::Int(ids["payments"]),
                (_, "activity_id", _) => Value::Int(ids["ce_activities"]),
                ("event_registrations", "event_id", _) => Value::Int(ids["events"]),
                ("event_session_attendance" | "event_attendance_spans", "registration_id", _) => {
                    Value::Int(ids["event_registrations"])
                }
                ("event_attendance_spans", "checked_out_at", _) => Value::Null,
                ("event_session_attendance", "session_id", _) => Value::Int(ids["event_sessions"]),
                (_, "term_id", _) => Value::Int(ids["membership_terms"]),
                (_, "tier_id" | "chapter_id" | "home_chapter_id", _) => Value::Int(1),
                (_, "group_id", _) => Value::Int(4),
                (_, c, _) if c.ends_with("_by") => Value::Null,
                (_, "email" | "to_address", _) => Value::Text(email.clone()),
                (_, "throttle_key", _) => Value::Text(format!("account:{email}")),
                (_, "subject_kind", _) => Value::Text("member".into()),
                ("users" | "api_tokens", "role", _) => Value::Text("member".into()),
                ("membership_terms", "status", _) => Value::Text(TermState::Cancelled.code().into()),
                ("invoices", "status", _) => Value::Text(InvoiceStatus::Paid.code().into()),
                ("member_claims", "status", _) => Value::Text(ClaimStatus::Dismissed.code().into()),
                ("erasure_requests", "status", _) => Value::Text("declined".into()),
                ("outbox", "status", _) => Value::Text("sent".into()),
                ("membership_links", "kind", _) => Value::Text(LinkKind::Household.code().into()),
                ("licences", "kind", _) => Value::Text("SE".into()),
                ("licences", "jurisdiction", _) => Value::Text("US-WY".into()),
                ("members", "standing", _) => Value::Text(Standing::Lapsed.code().into()),
                ("members", "visibility", _) => Value::Text("{}".into()),
                ("members", "career_stage", _) => Value::Text("other".into()),
                ("event_registrations", "price_basis", _) => Value::Text("free".into()),
                ("credentials", "kind", _) => Value::Text(CredentialKind::Award.code().into()),
                ("credentials", "status_purpose", _) => Value::Text(StatusPurpose::Suspension.code().into()),
                ("credentials", "status", _) => Value::Text(CredentialStatus::Active.code().into()),
                ("credentials", "key_fragment", _) => Value::Text("key-1".into()),
                ("credentials", "status_index", _) => Value::Int(own_id),
                ("credentials", "valid_until" | "status_changed_at", _) => Value::Null,
                ("event_registrations", "discount_code_id", _) => Value::Null,
                (_, "list_id", _) => Value::Int(ids["communication_lists"]),
                (_, "campaign_id", _) => Value::Int(ids["campaigns"]),
                (_, "employer_id", _) => Value::Int(ids["employers"]),
                (_, "job_id", _) => Value::Int(ids["jobs"]),
                (_, "resume_id", _) => Value::Int(ids["resumes"]),
                (_, "application_id", _) => Value::Int(ids["job_applications"]),
                ("job_applications", "stage", _) => Value::Text("submitted".into()),
                ("job_alerts", "frequency", _) => Value::Text("daily".into()),
                ("bank_invitations", "status", _) => Value::Text("sent".into()),
                // Thirty days after it was sent (at 1, as every other instant here).
                ("bank_invitations", "expires_at", _) => Value::Int(1 + 30 * 86_400),
                (_, "survey_id", _) => Value::Int(ids["salary_surveys"]),
                ("salary_responses", "import_ref", _) => Value::Null,
                ("mail_bounces", "kind", _) => Value::Text("hard".into()),
                ("mail_bounces", "outbox_id", _) => Value::Null,
                ("mail_tracking", "opened_at" | "clicked_at", _) => Value::Int(1_700_000_000),
                (_, "address", _) => Value::Text(email.to_lowercase()),
                (_, "amount_cents", _) => Value::Int(12_345),
                (_, _, ColumnType::Int) => Value::Int(1),
                (_, _, ColumnType::Text) => Value::Text(marker),
                (_, _, ColumnType::Bool) => Value::Bool(false),
                (_, _, ColumnType::Date) => Value::Date(date),
                (_, _, ColumnType::Bytes) => Value::Bytes(marker.into_bytes()),
            };
            values.push(value);
        }
        t.store
            .insert_catalogued_row(spec, &values)
            .await
            .unwrap_or_else(|e| panic!("{tag}: a row in {} on {:?}: {e}", spec.name, t.engine));
    }
    let person = t.store.person_of_user(user_id).await.unwrap();
    assert_eq!(person.member_id, Some(member_id));
    Seeded { person, member_id, user_id, email, tag }
}

/// The demo member, given a row in every personal table too.
async fn seed_member(t: &TestApp) -> Seeded {
    let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
    let member = t.store.member_by_user(user.id).await.unwrap().unwrap();
    seed(t, 800_000, "PRIVA", Some((user.id, member.id, MEMBER.to_string()))).await
}

fn unzip(bytes: Vec<u8>) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        out.insert(file.name().unwrap().to_string(), content);
    }
    out
}

#[tokio::test]
async fn the_download_holds_every_table_about_the_member_and_nothing_about_anyone_else() {
    for t in TestApp::each_engine().await {
        // Signed in first: a successful sign-in clears the account's sign-in throttles.
        let mut browser = t.signed_in(MEMBER).await;
        let maya = seed_member(&t).await;
        let other = seed(&t, 850_000, "PRIVB", None).await;
        let r = browser.get("/privacy").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Download my data"), "{}", r.body);
        let (status, headers, bytes) = browser.get_bytes("/privacy/my-data.zip").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/zip");
        let files = unzip(bytes);
        assert!(files.contains_key("README.txt"));
        let expected = t.store.personal_rows(&maya.person).await.unwrap();
        for entry in PERSONAL_DATA.iter().filter(|e| !matches!(e.about, About::NotPersonal)) {
            let name = format!("data/{}.json", entry.table);
            let body = files.get(&name).unwrap_or_else(|| panic!("{name} is missing on {:?}", t.engine));
            let rows: Vec<serde_json::Value> = serde_json::from_slice(body).unwrap();
            let held = expected.iter().find(|(s, _)| s.name == entry.table).map_or(0, |(_, r)| r.len());
            assert_eq!(rows.len(), held, "{} rows on {:?}", entry.table, t.engine);
            assert!(!rows.is_empty(), "{} has the member's row", entry.table);
            for row in &rows {
                let object = row.as_object().unwrap();
                for secret in entry.secret {
                    assert!(!object.contains_key(*secret), "{}.{secret} is handed out", entry.table);
                }
                for column in ["member_id", "payer_id"] {
                    assert_ne!(object.get(column), Some(&serde_json::json!(other.member_id)), "{} {row}", entry.table);
                }
                for column in ["user_id", "actor_user_id"] {
                    assert_ne!(object.get(column), Some(&serde_json::json!(other.user_id)), "{} {row}", entry.table);
                }
            }
        }
        let everything: String =
            files.values().map(|b| String::from_utf8_lossy(b).into_owned()).collect::<Vec<_>>().join("\n");
        assert!(everything.contains("PRIVA-licences-number"), "the member's own rows are there");
        assert!(!everything.contains(other.tag), "nothing of the other member's rows");
        assert!(!everything.contains(&other.email), "nor their address");
        assert!(!everything.contains(&format!("\"id\": {}", other.member_id)));
        assert!(!everything.contains(&format!("\"id\": {}", other.user_id)));
        for secret in ["PRIVA-users-password_hash", "PRIVA-sessions-token_hash", "PRIVA-two_factor_secrets-secret"] {
            assert!(!everything.contains(secret), "{secret} is never handed out");
        }
        let evidence = files.keys().find(|k| k.starts_with("files/ce_evidence/")).expect("the evidence file");
        assert_eq!(files[evidence], b"PRIVA-ce_evidence-content");
        let _ = maya.user_id;
    }
}

/// Text of every catalogued table, for looking for what should be gone.
async fn all_text(t: &TestApp) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for spec in all_tables() {
        for row in t.store.table_rows(spec).await.unwrap() {
            for ((column, _), value) in spec.columns.iter().zip(&row) {
                let text = match value {
                    Value::Text(s) => s.clone(),
                    Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    _ => continue,
                };
                out.push((spec.name.to_string(), column.to_string(), text));
            }
        }
    }
    out
}

async fn books(t: &TestApp) -> (i64, i64, usize) {
    let sum = |table: &str| {
        let spec = TABLES.iter().find(|s| s.name == table).unwrap();
        let column = spec.columns.iter().position(|(c, _)| *c == "amount_cents").unwrap();
        (spec, column)
    };
    let mut totals = [0i64; 2];
    let mut count = 0;
    for (i, table) in ["invoices", "payments"].iter().enumerate() {
        let (spec, column) = sum(table);
        let rows = t.store.table_rows(spec).await.unwrap();
        if i == 0 {
            count = rows.len();
        }
        for row in rows {
            if let Value::Int(v) = row[column] {
                totals[i] += v;
            }
        }
    }
    (totals[0], totals[1], count)
}

#[tokio::test]
async fn erasure_leaves_no_personal_field_and_the_books_still_add_up() {
    for t in TestApp::each_engine().await {
        let maya = seed_member(&t).await;
        let other = seed(&t, 850_000, "PRIVB", None).await;
        let record = t.store.member_by_id(maya.member_id).await.unwrap().unwrap();
        let full_name = format!("{} {}", record.first_name, record.last_name);
        let mut identifiers = vec![MEMBER.to_string(), full_name.clone(), record.member_number.clone()];
        // (The demo's phone numbers are shared by many members: the phone is checked on the
        // record itself, below.)
        let before_rows = t.store.personal_rows(&maya.person).await.unwrap();
        for (spec, rows) in &before_rows {
            if spec.name == "licences" {
                let number = spec.columns.iter().position(|(c, _)| *c == "number").unwrap();
                for row in rows {
                    if let Value::Text(n) = &row[number] {
                        identifiers.push(n.clone());
                    }
                }
            }
        }
        let books_before = books(&t).await;

        let mut browser = t.signed_in(MEMBER).await;
        assert_eq!(browser.get("/privacy/erase").await.status, StatusCode::OK);
        let r = browser.post_form("/privacy/erase", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the confirmation is needed");
        assert!(r.body.contains("Tick the box"));
        let r = browser.post_form("/privacy/erase", &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = browser.get("/privacy").await;
        assert!(r.body.contains("You asked to be erased"), "{}", r.body);
        let r = browser.post_form("/privacy/erase", &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "one request at a time");

        let mut staff = t.signed_in(STAFF).await;
        let queue = staff.get("/staff/erasure-requests").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains(&record.member_number), "{}", queue.body);
        let id: i64 =
            queue.body.split("/staff/erasure-requests/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        let confirm = format!("/staff/erasure-requests/{id}/confirm");
        let r = staff.post_form(&confirm, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "erasing needs the check confirmed");
        assert!(r.body.contains("cannot be undone"), "{}", r.body);
        let r = staff.post_form(&confirm, &[("checked", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = staff.post_form(&confirm, &[("checked", "yes")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "confirmed once");
        assert!(staff.get("/staff/erasure-requests").await.body.contains("No requests are waiting"));
        assert_eq!(audit(&mut staff, "privacy.erasure_requested").await["total"], 1);
        let erased = audit(&mut staff, "privacy.erased").await;
        assert_eq!(erased["total"], 1);
        assert_eq!(erased["items"][0]["subject"], format!("Erased member {}", maya.member_id));

        // Signed out everywhere, and cannot sign in again.
        assert_eq!(browser.get("/dashboard").await.location(), "/sign-in");
        // The final email is the only mail to the address.
        let mail = t.mail_to(MEMBER).await;
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert!(mail[0].contains("erased"), "{}", mail[0]);
        assert!(!mail[0].contains(&record.first_name), "the final email names nothing of theirs");
        // Out of the directory at once, and the record keeps its id only.
        let kept = t.store.member_by_id(maya.member_id).await.unwrap().unwrap();
        assert_eq!(kept.standing, Standing::Cancelled);
        assert!(kept.user_id.is_none());

        // No personal column of a row still about them holds anything of theirs.
        let anonymised = |text: &str| {
            text.is_empty() || text.to_lowercase().starts_with("erased") || text == format!("member {}", maya.member_id)
        };
        let after =
            Person { user_id: Some(maya.user_id), member_id: Some(maya.member_id), emails: maya.person.emails.clone() };
        for (spec, rows) in t.store.personal_rows(&after).await.unwrap() {
            let entry = classification(spec.name).unwrap();
            for row in rows {
                let get = |name: &str| spec.columns.iter().position(|(c, _)| *c == name).map(|i| &row[i]);
                if spec.name == "outbox"
                    && matches!(get("subject"), Some(Value::Text(s)) if s.starts_with("Your data has been erased"))
                {
                    continue; // the final email, on its way to them
                }
                for column in entry.personal {
                    if spec.name == "audit_log" && *column == "actor_label" {
                        // Entries staff made keep staff's name; theirs are anonymised (checked below).
                        if matches!(get("actor_user_id"), Some(Value::Int(id)) if *id != maya.user_id) {
                            continue;
                        }
                    }
                    match get(column).unwrap() {
                        Value::Null => {}
                        Value::Text(s) => assert!(anonymised(s), "{}.{column} = {s:?} on {:?}", spec.name, t.engine),
                        Value::Bytes(b) => assert!(b.is_empty(), "{}.{column} keeps a file", spec.name),
                        other => panic!("{}.{column} = {other:?}", spec.name),
                    }
                }
            }
        }
        // Nor does any text anywhere in the database, but the final email's address.
        for (table, column, text) in all_text(&t).await {
            if table == "outbox" && column == "to_address" {
                continue;
            }
            for id in &identifiers {
                assert!(!text.contains(id.as_str()), "{table}.{column} still holds {id:?} on {:?}: {text}", t.engine);
            }
            // What the test wrote into their rows' personal columns is gone too (markers in
            // other columns, an audit entry's action say, are not about them).
            if classification(&table).unwrap().personal.contains(&column.as_str()) {
                assert!(!text.contains(maya.tag), "{table}.{column} still holds {text:?} on {:?}", t.engine);
            }
        }
        // Their credentials stay, revoked and emptied, so copies given away stop verifying.
        let filter = guildhall_store::CredentialFilter { member_id: Some(maya.member_id), ..Default::default() };
        let kept_credentials =
            t.store.list_credentials(&filter, guildhall_store::PageRequest::new(1, 10)).await.unwrap().items;
        assert!(!kept_credentials.is_empty(), "{:?}", t.engine);
        assert!(kept_credentials.iter().all(|c| c.status.code() == "revoked" && c.jwt.is_empty() && c.name.is_empty()));
        // The other member is untouched.
        assert!(all_text(&t).await.iter().any(|(_, _, s)| s.contains(other.tag)));
        // The books add up as before: the same invoices and payments, without identity.
        assert_eq!(books(&t).await, books_before, "invoices and payments before and after on {:?}", t.engine);
        // The account is gone: its password no longer signs in (checked last: the attempt is recorded).
        assert_ne!(t.client().sign_in(MEMBER, PASSWORD).await.location(), "/dashboard");
        // Once the law no longer asks for the books, they go; the record stays while its
        // revoked credentials must stay listed.
        t.store.purge_erased_books(time::macros::date!(2999 - 01 - 01)).await.unwrap();
        assert!(t.store.member_by_id(maya.member_id).await.unwrap().is_some(), "kept while its credentials are listed");
    }
}

#[tokio::test]
async fn staff_decline_an_erasure_request_and_the_person_is_told() {
    for t in TestApp::each_engine().await {
        let mut browser = t.signed_in(MEMBER).await;
        browser.post_form("/privacy/erase", &[("confirmed", "yes")]).await;
        let mut staff = t.signed_in(STAFF).await;
        let queue = staff.get("/staff/erasure-requests").await.body;
        let id: i64 =
            queue.split("/staff/erasure-requests/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        let r = staff.post_form(&format!("/staff/erasure-requests/{id}/decline"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(audit(&mut staff, "privacy.erasure_declined").await["total"], 1);
        assert!(t.mail_to(MEMBER).await.last().unwrap().contains("has not erased your data"));
        assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK, "nothing was erased");
    }
}

#[tokio::test]
async fn consents_are_recorded_at_sign_up_shown_and_the_optional_one_withdrawn() {
    for t in TestApp::each_engine().await {
        let r = t
            .client()
            .post_form(
                "/sign-up",
                &[
                    ("display_name", "Ada Lovelace"),
                    ("email", "ada@example.org"),
                    ("password", "a long enough password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let ada = t.store.user_by_email("ada@example.org").await.unwrap().unwrap();
        let consents = t.store.consents_of(ada.id, None).await.unwrap();
        let purposes: Vec<&str> = consents.iter().map(|c| c.purpose.as_str()).collect();
        assert_eq!(purposes.len(), 2);
        assert!(purposes.contains(&"terms") && purposes.contains(&"privacy_notice"));
        assert!(consents.iter().all(|c| c.source == "sign-up form" && c.withdrawn_at.is_none()));

        let mut maya = t.signed_in(MEMBER).await;
        let page = maya.get("/privacy").await;
        assert!(page.body.contains("There is no consent on record"), "the empty state");
        let r = maya.post_form("/privacy/consents", &[("purpose", "directory_details")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = maya.get("/privacy?done=given").await;
        assert!(page.body.contains("Showing my directory details"), "{}", page.body);
        assert!(page.body.contains("privacy page"));
        let id: i64 = page.body.split("/privacy/consents/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        let r = maya.post_form("/privacy/consents/999999/withdraw", &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = maya.post_form(&format!("/privacy/consents/{id}/withdraw"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = maya.post_form(&format!("/privacy/consents/{id}/withdraw"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "withdrawn once");
        let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
        let member = t.store.member_by_user(user.id).await.unwrap().unwrap();
        assert!(member.visibility.contains("\"employer\":\"private\""), "{}", member.visibility);
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(audit(&mut staff, "privacy.consent_withdrawn").await["total"], 1);
        // The consents travel in the download.
        let (_, _, bytes) = maya.get_bytes("/privacy/my-data.zip").await;
        let files = unzip(bytes);
        let consents = String::from_utf8(files["data/consents.json"].clone()).unwrap();
        assert!(consents.contains("directory_details") && consents.contains("withdrawn_at"));
    }
}

#[tokio::test]
async fn retention_erases_former_members_and_unconfirmed_sign_ups_after_the_period() {
    let mut settings = test_settings();
    settings.privacy.retention_years = 2;
    settings.privacy.unconfirmed_sign_up_days = 30;
    for t in TestApp::each_engine_with(settings.clone()).await {
        t.client()
            .post_form(
                "/sign-up",
                &[
                    ("display_name", "Never Confirmed"),
                    ("email", "never@example.org"),
                    ("password", "a long enough password"),
                ],
            )
            .await;
        let lapsed = guildhall_store::MemberFilter { standings: vec![Standing::Lapsed], ..Default::default() };
        let former = t.store.search_members(&lapsed, guildhall_store::PageRequest::new(1, 500)).await.unwrap();
        assert!(former.total > 0, "the demo has lapsed members");
        let report = t.app.apply_retention().await.unwrap();
        assert_eq!(report.sign_ups, 0, "a fresh sign-up is kept");
        let already = report.former_members;

        t.app.clock.advance(3 * 366 * 86_400);
        let report = t.app.apply_retention().await.unwrap();
        assert_eq!(report.failed, 0);
        assert!(report.sign_ups >= 1);
        assert!(t.store.user_by_email("never@example.org").await.unwrap().is_none());
        assert!(t.mail_to("never@example.org").await.is_empty(), "its confirmation mail went with it");
        assert!(report.former_members + already >= former.total as u64, "{report:?}");
        for m in &former.items {
            let kept = t.store.member_by_id(m.id).await.unwrap();
            if let Some(kept) = kept {
                assert!(kept.member_number.starts_with("ERASED-"), "{} was erased", m.member_number);
                assert!(!kept.email.contains(&m.email));
            }
        }
        let mut staff = t.signed_in(STAFF).await;
        let erased = audit(&mut staff, "privacy.erased").await;
        assert!(erased["total"].as_i64().unwrap() >= former.total as i64);
        assert_eq!(erased["items"][0]["actor"], "Retention");
        // A second sweep finds nothing more to do.
        let again = t.app.apply_retention().await.unwrap();
        assert_eq!((again.sign_ups, again.former_members, again.failed), (0, 0, 0));
    }
}
