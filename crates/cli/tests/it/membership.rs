//! Membership through the web: renewal and payment, officer scoping, staff search,
//! offline payments, the directory, and all-or-nothing imports.

mod claiming;
mod concurrency;
mod households;
mod joining;
mod payments;
mod tiers;

use axum::http::StatusCode;
use guildhall_domain::membership::{InvoiceStatus, Standing};
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

/// The text of the element with this id (first match), for simple page assertions.
fn element_text(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap();
    rest[open..open + close].to_string()
}

async fn member_in_chapter(t: &TestApp, chapter: i64, standing: Option<&str>) -> i64 {
    let filter = MemberFilter {
        chapter_id: Some(chapter),
        standings: standing.map(|s| vec![Standing::from_code(s).unwrap()]).unwrap_or_default(),
        ..Default::default()
    };
    t.store.search_members(&filter, PageRequest::new(1, 5)).await.unwrap().items[0].id
}

#[tokio::test]
async fn a_member_renews_from_the_dashboard_and_sees_the_new_expiry() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let before = maya.get("/dashboard").await.body;
        assert!(before.contains("Active, renewal due"), "{before}");
        // The card names her groups and licences (read with the member in one query), sorted.
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        let audit = guildhall_store::NewAuditEntry { action: "member.group_added".into(), ..Default::default() };
        for group in t.store.list_groups().await.unwrap().iter().take(2) {
            t.store.add_member_group(me.id, group.id, me.joined_on, &audit).await.unwrap();
        }
        let before = maya.get("/dashboard").await.body;
        let mut groups: Vec<String> = t.store.member_groups(me.id).await.unwrap().into_iter().map(|g| g.name).collect();
        groups.sort();
        assert!(groups.len() >= 2, "the demo member is in groups");
        assert!(before.contains(&format!("<dd>{}</dd>", groups.join(", "))), "{groups:?} in {before}");
        let licences: Vec<String> = t
            .store
            .member_licences(me.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| format!("{} {} {}", l.jurisdiction, l.kind, l.number))
            .collect();
        assert!(licences.len() >= 2, "the demo member holds licences in two states");
        assert!(before.contains(&format!("<dd>{}</dd>", licences.join(", "))), "{licences:?} in {before}");
        let old_expiry = time::Date::parse(
            &element_text(&before, "membership-expires"),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap();

        let r = maya.post_form("/membership/renew", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let pay_path = r.location().to_string();
        assert!(pay_path.starts_with("/invoices/") && pay_path.ends_with("/pay"));
        assert_eq!(maya.post_form("/membership/renew", &[]).await.location(), pay_path, "one open renewal invoice");
        let pay_page = maya.get(&pay_path).await;
        assert!(pay_page.body.contains("$210.00"), "tier dues $195 + chapter supplement $15");

        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get(&pay_path).await.status, StatusCode::FORBIDDEN, "nobody else pays Maya's invoice");

        let r = maya.post_form(&pay_path, &[]).await;
        assert_eq!(r.location(), "/dashboard?renewed=1");
        let after = maya.get("/dashboard?renewed=1").await.body;
        assert!(after.contains("your membership is renewed"));
        let new_expiry = element_text(&after, "membership-expires");
        assert_eq!(new_expiry, old_expiry.replace_year(old_expiry.year() + 1).unwrap().to_string(), "{:?}", t.engine);
        assert!(after.contains("badge active") && !after.contains("Renew now"));
        let r = maya.post_form(&pay_path, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an invoice is paid once");

        // Staff see the history: two terms' worth of invoices, the new one paid by card.
        let member = t.store.member_by_user(1).await.unwrap().unwrap();
        let invoices = t.store.member_invoices(member.id).await.unwrap();
        assert_eq!((invoices[0].status.code(), invoices[0].amount_cents), ("paid", 21_000));
        let payments = t.store.invoice_payments(invoices[0].id).await.unwrap();
        assert_eq!((payments.len(), payments[0].method.as_str()), (1, "card"));
    }
}

#[tokio::test]
async fn officers_see_and_open_only_their_own_chapter_s_members() {
    for t in TestApp::each_engine().await {
        let own = member_in_chapter(&t, 1, None).await;
        let other = member_in_chapter(&t, 2, None).await;
        let mut officer = t.signed_in(OFFICER).await;
        let roster = officer.get("/staff/members").await;
        assert_eq!(roster.status, StatusCode::OK);
        assert!(roster.body.contains("Capital Chapter roster"));
        let expected = t
            .store
            .search_members(&MemberFilter { chapter_id: Some(1), ..Default::default() }, PageRequest::new(1, 1))
            .await
            .unwrap()
            .total;
        assert!(
            roster.body.contains(&format!("({expected} in all)"))
                || roster.body.contains(&format!("{expected} in all")),
            "{}",
            roster.body
        );
        for chapter in ["Coastal Chapter", "Northern Chapter", "Western Chapter"] {
            assert!(!roster.body.contains(&format!("<td>{chapter}</td>")), "no {chapter} rows");
        }
        assert_eq!(officer.get(&format!("/members/{own}")).await.status, StatusCode::OK);
        let refused = officer.get(&format!("/members/{other}")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("only the members of the chapters you hold office in"));
        assert_eq!(officer.get("/staff/members?chapter=2").await.status, StatusCode::FORBIDDEN);
        let mut member = t.signed_in(MEMBER).await;
        assert_eq!(member.get("/staff/members").await.status, StatusCode::FORBIDDEN);
        assert_eq!(member.get(&format!("/members/{own}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.signed_in(STAFF).await.get(&format!("/members/{other}")).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn staff_filter_members_and_bad_filters_are_refused_with_a_message() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let lapsed = staff.get("/staff/members?standing=lapsed").await.body;
        let expected = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Lapsed], ..Default::default() },
                PageRequest::new(1, 1),
            )
            .await
            .unwrap()
            .total;
        assert!(expected > 0, "the test society has lapsed members");
        assert!(lapsed.contains(&format!("{expected} in all")), "{lapsed}");
        assert!(!lapsed.contains("badge active"), "only lapsed members listed");
        let by_name = staff.get("/staff/members?q=okafor").await.body;
        assert!(by_name.contains("Okafor, Maya"));
        for (query, message) in [
            ("standing=bogus", "Choose a standing"),
            ("tier=abc", "Choose a tier"),
            ("expires_from=31/12/2026", "is not a date"),
            ("q=", ""),
        ] {
            let r = staff.get(&format!("/staff/members?{query}")).await;
            if message.is_empty() {
                assert_eq!(r.status, StatusCode::OK);
            } else {
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
                assert!(r.body.contains(message), "{query}: {message}");
            }
        }
        let long = "x".repeat(101);
        assert_eq!(staff.get(&format!("/staff/members?q={long}")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn staff_record_a_cheque_which_activates_the_member_and_is_audited() {
    for t in TestApp::each_engine().await {
        let approved = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Approved], ..Default::default() },
                PageRequest::new(1, 1),
            )
            .await
            .unwrap();
        let member = &approved.items[0];
        let invoice = t
            .store
            .member_invoices(member.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.status == InvoiceStatus::Open)
            .unwrap();
        let path = format!("/members/{}/invoices/{}/payments", member.id, invoice.id);
        let mut staff = t.signed_in(STAFF).await;
        let r = staff.post_form(&path, &[("method", "bitcoin"), ("reference", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Choose cheque, bank transfer or cash."));
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.post_form(&path, &[("method", "cheque")]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            t.store.member_by_id(member.id).await.unwrap().unwrap().standing,
            Standing::Approved,
            "refusals change nothing"
        );

        let r = staff.post_form(&path, &[("method", "cheque"), ("reference", "Cheque 1042")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("The payment was recorded."));
        let after = t.store.member_by_id(member.id).await.unwrap().unwrap();
        assert!(matches!(after.standing, Standing::Active | Standing::RenewalDue), "{}", after.standing);
        assert!(after.expires_on.is_some());
        let audit =
            staff.api(axum::http::Method::GET, "/api/v1/audit-log?action=invoice.paid_offline", None).await.json();
        assert_eq!(audit["total"], 1);
        assert_eq!(audit["items"][0]["after"]["reference"], "Cheque 1042");
        assert_eq!(audit["items"][0]["before"]["standing"], "approved");
        let again = staff.post_form(&path, &[("method", "cheque"), ("reference", "again")]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "paid once");
        let wrong_member = format!("/members/{}/invoices/{}/payments", member.id + 1, invoice.id);
        assert_eq!(staff.post_form(&wrong_member, &[("method", "cheque")]).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_directory_lists_current_members_and_hides_private_fields() {
    for t in TestApp::each_engine().await {
        let mut member = t.signed_in(MEMBER).await;
        let page = member.get("/directory?q=ok").await.body;
        assert!(page.contains("Maya Okafor"));
        let hidden = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Active], ..Default::default() },
                PageRequest::new(1, 200),
            )
            .await
            .unwrap();
        if let Some(private) = hidden.items.iter().find(|m| m.visibility.contains("\"employer\":\"private\"")) {
            let prefix: String = private.last_name.chars().take(3).collect();
            let page = member.get(&format!("/directory?q={prefix}")).await.body;
            let row_start = page.find(&format!("{} {}", private.first_name, private.last_name)).unwrap();
            let row = &page[row_start..row_start + page[row_start..].find("</tr>").unwrap()];
            assert!(!row.contains(&private.employer.replace('&', "&#38;")), "private employer hidden: {row}");
        }
        let lapsed = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Lapsed], ..Default::default() },
                PageRequest::new(1, 1),
            )
            .await
            .unwrap()
            .items[0]
            .clone();
        let page = member.get(&format!("/directory?q={}", lapsed.last_name)).await.body;
        assert!(!page.contains(&lapsed.member_number), "no member numbers in the directory");
        assert_eq!(t.client().get("/directory").await.location(), "/sign-in?next=%2Fdirectory");
    }
}

const HEADER: &str = "member_number,first_name,last_name,email,phone,employer,job_title,career_stage,disciplines,tier,status,joined_on,expires_on,home_chapter,groups,licences,certifications\n";

#[tokio::test]
async fn imports_are_all_or_nothing_and_name_every_bad_row() {
    for t in TestApp::each_engine().await {
        let before = t.store.count_members().await.unwrap();
        let good = format!(
            "{HEADER}X0001,Ada,Lovelace,ada@import.example.org,,,,licensed,civil,member,active,2020-01-01,2027-06-30,capital,women-in-engineering,US-TX|PE|123|2015-01-01|2027-06-30,\n\
             X0002,Nikola,Tesla,nikola@import.example.org,,,,eit,electrical,associate,lapsed,2018-01-01,2024-01-01,coastal,,,\n"
        );
        let bad = good.replace("nikola@import.example.org", "nikola@@import").replace(",capital,", ",atlantis,");
        let progress = |_: &str, _: usize, _: usize| {};
        let err = t.app.import_members(bad.as_bytes(), None, false, &progress).await.unwrap_err();
        let guildhall_app::AppError::Validation { message, fields } = err else { panic!("validation error expected") };
        assert!(message.contains("2 rows have problems"), "{message}");
        let lines: Vec<&String> = fields.values().collect();
        assert!(lines[0].starts_with("row 1, home_chapter") && lines[1].starts_with("row 2, email"), "{lines:?}");
        assert_eq!(t.store.count_members().await.unwrap(), before, "nothing imported");

        let dry = t.app.import_members(good.as_bytes(), None, true, &progress).await.unwrap();
        assert_eq!((dry.rows, dry.imported), (2, 0));
        assert_eq!(t.store.count_members().await.unwrap(), before, "dry run imports nothing");
        let done = t.app.import_members(good.as_bytes(), None, false, &progress).await.unwrap();
        assert_eq!(done.imported, 2);
        let ada = t
            .store
            .search_members(
                &MemberFilter { name_prefix: Some("lovelace".into()), ..Default::default() },
                PageRequest::new(1, 5),
            )
            .await
            .unwrap();
        assert_eq!(
            (ada.items[0].member_number.as_str(), ada.items[0].chapter_name.as_deref()),
            ("X0001", Some("Capital Chapter"))
        );
        assert_eq!(t.store.member_licences(ada.items[0].id).await.unwrap()[0].jurisdiction.as_str(), "US-TX");
        let again = t.app.import_members(good.as_bytes(), None, false, &progress).await.unwrap_err();
        assert!(again.to_string().contains("2 rows have problems"), "already members");

        let mut exported = Vec::new();
        let count = t.app.export_members(&mut exported).await.unwrap();
        assert_eq!(count as i64, before + 2);
        let text = String::from_utf8(exported).unwrap();
        assert!(
            text.starts_with("member_number,first_name") && text.contains("X0001,Ada,Lovelace,ada@import.example.org")
        );
    }
}

#[tokio::test]
async fn staff_reports_show_charts_tables_and_csv_with_the_database_s_figures() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/reports").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.body.matches("role=\"img\"").count(), 5, "five accessible charts");
        assert!(page.body.contains("Retention by join year"));
        let total = t.store.count_members().await.unwrap();
        let csv = staff.get("/staff/reports/by-standing.csv").await;
        assert_eq!(csv.headers.get("content-type").unwrap(), "text/csv; charset=utf-8");
        let sum: i64 = csv.body.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap()).sum();
        assert_eq!(sum, total, "every member counted once by standing");
        let activity = staff.get("/staff/reports/activity.csv").await.body;
        assert!(activity.starts_with("Month,Joins,Renewals,Lapses\n") && activity.lines().count() == 25, "24 months");
        assert_eq!(staff.get("/staff/reports/nothing.csv").await.status, StatusCode::NOT_FOUND);
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get("/staff/reports").await.status, StatusCode::FORBIDDEN);
        assert_eq!(officer.get("/staff/reports/by-tier.csv").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn staff_approve_or_reject_applications_and_each_decision_is_audited() {
    for t in TestApp::each_engine().await {
        let pending = t.store.pending_applications().await.unwrap();
        assert!(pending.len() >= 2, "the test society has applications waiting");
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/approvals").await;
        assert!(page.body.contains(&pending[0].member_number));
        let (first, second) = (&pending[0], &pending[1]);
        let r = staff.post_form(&format!("/staff/approvals/{}", first.term_id), &[("decision", "approve")]).await;
        assert!(r.body.contains("Approved: the first invoice has been raised."), "{}", r.body);
        let approved = t.store.member_by_id(first.member_id).await.unwrap().unwrap();
        assert_eq!(approved.standing, Standing::Approved);
        let invoices = t.store.member_invoices(first.member_id).await.unwrap();
        assert_eq!((invoices.len(), invoices[0].status), (1, InvoiceStatus::Open));
        let r = staff
            .post_form(
                &format!("/staff/approvals/{}", second.term_id),
                &[("decision", "reject"), ("confirmed", "yes"), ("reason", "We could not confirm your licence.")],
            )
            .await;
        assert!(r.body.contains("was rejected"));
        assert_eq!(t.store.member_by_id(second.member_id).await.unwrap().unwrap().standing, Standing::Rejected);
        let again = staff
            .post_form(
                &format!("/staff/approvals/{}", first.term_id),
                &[("decision", "reject"), ("reason", "Your licence could not be verified.")],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "decided once");
        let bad = staff
            .post_form(
                &format!("/staff/approvals/{}", pending[2.min(pending.len() - 1)].term_id),
                &[("decision", "maybe")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(
            officer
                .post_form(&format!("/staff/approvals/{}", pending.last().unwrap().term_id), &[("decision", "approve")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let log = staff.api(axum::http::Method::GET, "/api/v1/audit-log?subject_kind=member", None).await.json();
        let actions: Vec<&str> =
            log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"application.approved") && actions.contains(&"application.rejected"), "{actions:?}");
    }
}

#[tokio::test]
async fn renewal_reminders_go_out_once_per_offset_and_only_to_members_due() {
    for t in TestApp::each_engine().await {
        let due = t.store.members_in_renewal().await.unwrap();
        assert!(!due.is_empty());
        let queued = t.app.send_renewal_reminders().await.unwrap();
        assert!(queued > 0 && queued <= due.len(), "{queued} of {}", due.len());
        assert_eq!(t.app.send_renewal_reminders().await.unwrap(), 0, "nothing twice on the same day");
        let first = &due[0];
        let mail = t.mail_to(&first.email).await;
        assert_eq!(mail.len(), 1, "one reminder for {}", first.email);
        assert!(mail[0].contains("expires on") || mail[0].contains("expired on"), "{}", mail[0]);
        assert!(mail[0].contains("Nothing is charged until you choose to renew."));
        let active = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Active], ..Default::default() },
                PageRequest::new(1, 1),
            )
            .await
            .unwrap()
            .items[0]
            .clone();
        assert!(t.mail_to(&active.email).await.is_empty(), "members outside the window get nothing");
        // A week later the next offset may be due, but never the same one again.
        t.app.clock.advance(7 * 86_400);
        t.app.refresh_standings().await.unwrap();
        t.app.send_renewal_reminders().await.unwrap();
        let mail = t.mail_to(&first.email).await;
        let subjects: std::collections::HashSet<&String> = mail.iter().collect();
        assert_eq!(subjects.len(), mail.len(), "no duplicate reminders");
    }
}

#[tokio::test]
async fn members_edit_their_profile_officers_only_contact_details_and_others_edits_are_audited() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let form = maya.get("/profile").await;
        assert!(form.body.contains("Your profile") && form.body.contains("value=\"Maya\""));
        let fields = [
            ("first_name", "Maya"),
            ("last_name", "Okafor"),
            ("phone", "555-0199"),
            ("employer", "Okafor Structural LLC"),
            ("job_title", "Principal"),
            ("city", "Riverton"),
            ("career_stage", "licensed"),
            ("education", "BSc Civil Engineering"),
            ("disciplines", "structural"),
            ("disciplines", "civil"),
            ("visibility_employer", "private"),
            ("visibility_city", "public"),
        ];
        let r = maya.post_form("/profile", &fields).await;
        assert!(r.body.contains("Your changes were saved."), "{}", r.body);
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        assert_eq!((me.employer.as_str(), me.disciplines.as_str()), ("Okafor Structural LLC", "structural;civil"));
        assert_eq!(me.visibility, r#"{"city":"public","employer":"private"}"#);
        let directory = t.signed_in(STAFF).await.get("/directory?q=okafor").await.body;
        assert!(!directory.contains("Okafor Structural LLC"), "private employer stays out of the directory");

        for (field, value, message) in [
            ("phone", "5".repeat(41), "at most 40"),
            ("disciplines", "astrology".to_string(), "not a discipline"),
            ("visibility_city", "friends".to_string(), "Choose who can see"),
            ("first_name", String::new(), "Enter your name"),
            ("employer", "Acme\u{202e}CLL".to_string(), "change the direction of text"),
            ("last_name", "Oka\u{2028}for".to_string(), "separators"),
            ("job_title", "Chief\u{7}Engineer".to_string(), "control characters"),
        ] {
            let mut bad: Vec<(&str, &str)> = fields.iter().copied().filter(|(k, _)| *k != field).collect();
            bad.push((field, &value));
            let r = maya.post_form("/profile", &bad).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(r.body.contains(message), "{field}: {message}");
        }
        assert_eq!(
            t.store.member_by_user(1).await.unwrap().unwrap().employer,
            "Okafor Structural LLC",
            "refused edits change nothing"
        );

        // The officer may change a chapter member's contact details, not their name.
        let own = member_in_chapter(&t, 1, Some("active")).await;
        let before = t.store.member_by_id(own).await.unwrap().unwrap();
        let mut officer = t.signed_in(OFFICER).await;
        let page = officer.get(&format!("/members/{own}/edit")).await;
        assert!(page.body.contains("contact and work details") && !page.body.contains("id=\"first_name\""));
        let r = officer
            .post_form(
                &format!("/members/{own}/edit"),
                &[
                    ("first_name", "Hijacked"),
                    ("phone", "555-0123"),
                    ("employer", "New Employer"),
                    ("job_title", ""),
                    ("city", ""),
                    ("disciplines", "civil"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let after = t.store.member_by_id(own).await.unwrap().unwrap();
        assert_eq!((after.first_name.as_str(), after.phone.as_str()), (before.first_name.as_str(), "555-0123"));
        let other = member_in_chapter(&t, 2, None).await;
        assert_eq!(officer.get(&format!("/members/{other}/edit")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            officer.post_form(&format!("/members/{other}/edit"), &[("phone", "1")]).await.status,
            StatusCode::FORBIDDEN
        );

        let mut staff = t.signed_in(STAFF).await;
        let log =
            staff.api(axum::http::Method::GET, "/api/v1/audit-log?action=member.profile_changed", None).await.json();
        assert_eq!(log["total"], 1, "the officer's edit is audited; Maya's own edits are not");
        assert_eq!(log["items"][0]["before"]["phone"], before.phone.as_str());
        assert_eq!(log["items"][0]["after"]["phone"], "555-0123");
        assert_eq!(log["items"][0]["chapter_id"], 1);
    }
}

/// A staff import upload: the file and the boxes ticked (`dry_run`, `invite`).
fn multipart(csv: &str, ticked: &[&str]) -> (String, String) {
    let boundary = "guildhallTestBoundary7MA4YWxk";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"members.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n"
    );
    for name in ticked {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n1\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(client: &mut crate::harness::Client, csrf: &str, csv: &str, dry_run: bool) -> TestResponse {
    upload_ticked(client, csrf, csv, if dry_run { &["dry_run"] } else { &[] }).await
}

async fn upload_ticked(client: &mut crate::harness::Client, csrf: &str, csv: &str, ticked: &[&str]) -> TestResponse {
    let (content_type, body) = multipart(csv, ticked);
    let request = client
        .request(axum::http::Method::POST, &format!("/staff/import?csrf={csrf}"))
        .header(axum::http::header::CONTENT_TYPE, content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    client.send(request).await
}

#[tokio::test]
async fn staff_import_members_from_the_staff_area_checking_first() {
    for t in TestApp::each_engine().await {
        let csv = format!(
            "{HEADER}U0001,Lise,Meitner,lise@upload.example.org,,,,licensed,chemical,member,active,2021-02-01,2027-01-31,coastal,,,\n"
        );
        let before = t.store.count_members().await.unwrap();
        let mut staff = t.signed_in(STAFF).await;
        assert!(staff.get("/staff/import").await.body.contains("Import members"));
        let csrf = staff.csrf();
        let r = upload(&mut staff, &csrf, &csv, true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("All 1 rows are valid. Nothing was imported"));
        assert_eq!(t.store.count_members().await.unwrap(), before);
        let bad = csv.replace("lise@upload.example.org", "not-an-email").replace(",member,", ",emperor,");
        let r = upload(&mut staff, &csrf, &bad, false).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("row 1, email") && r.body.contains("row 1, tier"), "{}", r.body);
        assert_eq!(t.store.count_members().await.unwrap(), before, "nothing imported");
        let r = upload(&mut staff, &csrf, &csv, false).await;
        assert!(r.body.contains("Imported 1 members."), "{}", r.body);
        assert_eq!(t.store.count_members().await.unwrap(), before + 1);
        let log = staff.api(axum::http::Method::GET, "/api/v1/audit-log?action=members.imported", None).await.json();
        assert_eq!(log["items"][0]["after"]["imported"], 1);

        assert_eq!(upload(&mut staff, "forged", &csv, true).await.status, StatusCode::FORBIDDEN, "CSRF checked");
        let mut officer = t.signed_in(OFFICER).await;
        let csrf = officer.csrf();
        assert_eq!(upload(&mut officer, &csrf, &csv, true).await.status, StatusCode::FORBIDDEN);
        assert_eq!(officer.get("/staff/import").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_import_listing_a_member_s_licence_twice_is_refused_whole() {
    for t in TestApp::each_engine().await {
        let csv = format!(
            "{HEADER}D0001,Grace,Hopper,grace@dup.example.org,,,,licensed,civil,member,active,2021-02-01,2027-01-31,,,US-TX|PE|1|2015-06-01|,\n\
             D0002,Emily,Roebling,emily@dup.example.org,,,,licensed,civil,member,active,2021-02-01,2027-01-31,,,\"US-NY|PE|NY1|2015-06-01|;US-FL|PE|F1|2016-01-01|;us-ny|pe|NY2|2019-01-01|\",\n"
        );
        let before = t.store.count_members().await.unwrap();
        let mut staff = t.signed_in(STAFF).await;
        let csrf = staff.csrf();
        let expected = [
            "row 2, licences: licence 3 (",
            "): US-NY PE is already licence 1 of this row — a member holds a licence once",
        ];
        for (what, ticked) in
            [("dry run", &["dry_run"][..]), ("import", &[][..]), ("import and invite", &["invite"][..])]
        {
            let r = upload_ticked(&mut staff, &csrf, &csv, ticked).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?} {what}: {}", t.engine, r.body);
            assert!(r.body.contains("1 row has a problem, so nothing was imported"), "{what}: {}", r.body);
            assert!(expected.iter().all(|e| r.body.contains(e)), "{:?} {what}: {}", t.engine, r.body);
            assert_eq!(t.store.count_members().await.unwrap(), before, "{:?} {what}: nothing imported", t.engine);
        }
        assert!(t.mail_to("grace@dup.example.org").await.is_empty(), "nobody invited");
        let log = staff.api(axum::http::Method::GET, "/api/v1/audit-log?action=members.imported", None).await.json();
        assert_eq!(log["total"], 0, "{log}");
        // The same file with the repeat taken out imports both.
        let fixed = csv.replace(";us-ny|pe|NY2|2019-01-01|", "");
        let r = upload(&mut staff, &csrf, &fixed, false).await;
        assert!(r.body.contains("Imported 2 members."), "{:?}: {}", t.engine, r.body);
    }
}

/// The exported row of the member with this number.
fn exported_row(csv: &str, number: &str) -> String {
    csv.lines()
        .find(|l| l.starts_with(&format!("{number},")))
        .unwrap_or_else(|| panic!("no {number} in {csv}"))
        .to_string()
}

#[tokio::test]
async fn a_cancelled_member_keeps_their_last_expiry_through_export_and_import() {
    for t in TestApp::each_engine().await {
        let progress = |_: &str, _: usize, _: usize| {};
        let csv = format!(
            "{HEADER}C0001,Rosalind,Franklin,rosalind@cancel.example.org,,,,licensed,chemical,member,cancelled,2019-04-01,2025-03-31,capital,,,\n"
        );
        t.app.import_members(csv.as_bytes(), None, false, &progress).await.unwrap();
        let mut out = Vec::new();
        t.app.export_members(&mut out).await.unwrap();
        let first = exported_row(&String::from_utf8(out).unwrap(), "C0001");
        assert!(
            first.contains(",member,cancelled,2019-04-01,2025-03-31,capital,"),
            "the last expiry is exported: {first}"
        );

        // Import the exported row as someone new, export again: the same row comes back.
        let copy = first.replace("C0001", "C0002").replace("rosalind@cancel", "rosalind2@cancel");
        t.app.import_members(format!("{HEADER}{copy}\n").as_bytes(), None, false, &progress).await.unwrap();
        let mut out = Vec::new();
        t.app.export_members(&mut out).await.unwrap();
        assert_eq!(exported_row(&String::from_utf8(out).unwrap(), "C0002"), copy, "{:?}", t.engine);
        let member = t
            .store
            .search_members(
                &MemberFilter { name_prefix: Some("franklin".into()), ..Default::default() },
                PageRequest::new(1, 5),
            )
            .await
            .unwrap();
        assert!(member.items.iter().all(|m| m.standing == Standing::Cancelled), "still cancelled after the round trip");
    }
}

#[tokio::test]
async fn the_directory_shows_a_changed_listing_at_once_on_the_node_that_changed_it() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let before = staff.get("/directory?q=okafor").await.body;
        assert!(before.contains("Maya") && !before.contains("Mayana"));
        let mut maya = t.signed_in(MEMBER).await;
        let r = maya
            .post_form(
                "/profile",
                &[
                    ("first_name", "Mayana"),
                    ("last_name", "Okafor"),
                    ("career_stage", "licensed"),
                    ("disciplines", "civil"),
                ],
            )
            .await;
        assert!(r.body.contains("Your changes were saved."), "{}", r.body);
        let after = staff.get("/directory?q=okafor").await.body;
        assert!(after.contains("Mayana"), "the same search, straight after the change, shows it on {:?}", t.engine);
    }
}
