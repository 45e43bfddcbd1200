//! The membership and chapters pages as a first real user met them: the staff search's one
//! box and jurisdiction filter, the approvals queue in pages, date pickers, life members,
//! confirmation pages before destructive actions, welcome and receipt emails with PDF
//! receipts.

use axum::http::Method;
use axum::http::StatusCode;
use guildhall_domain::membership::{InvoiceStatus, Standing};
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

/// The member numbers listed on a staff search page.
fn numbers_on(html: &str) -> Vec<String> {
    html.split("<td>")
        .skip(1)
        .filter_map(|cell| cell.split_once("</td>").map(|(text, _)| text.to_string()))
        .filter(|text| text.len() >= 5 && text.starts_with('M') && text[1..].chars().all(|c| c.is_ascii_digit()))
        .collect()
}

#[tokio::test]
async fn staff_search_finds_members_by_number_first_name_email_and_jurisdiction_name_or_code() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let everyone = t.store.search_members(&MemberFilter::default(), PageRequest::new(1, 200)).await.unwrap();
        let someone = everyone.items.iter().find(|m| m.first_name.len() >= 3).unwrap().clone();

        // Their number, in any case, finds exactly them.
        let page = staff.get(&format!("/staff/members?q={}", someone.member_number.to_lowercase())).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(numbers_on(&page.body), vec![someone.member_number.clone()], "{}", page.body);

        // Their first name (lower-case) finds them among everyone sharing it.
        let first = someone.first_name.to_lowercase();
        let page = staff.get(&format!("/staff/members?q={first}")).await;
        assert!(numbers_on(&page.body).contains(&someone.member_number), "{first}: {}", page.body);
        let expected = everyone.items.iter().filter(|m| m.first_name.to_lowercase().starts_with(&first)).count();
        assert!(numbers_on(&page.body).len() >= expected.min(50), "every {first} is listed");

        // "First Last" and part of the email address find them too.
        let full = format!("{} {}", someone.first_name, someone.last_name).replace(' ', "+");
        assert!(
            numbers_on(&staff.get(&format!("/staff/members?q={full}")).await.body).contains(&someone.member_number)
        );
        let record = t.store.member_by_id(someone.id).await.unwrap().unwrap();
        let local = record.email.split('@').next().unwrap().to_string();
        assert!(
            numbers_on(&staff.get(&format!("/staff/members?q={local}")).await.body).contains(&someone.member_number)
        );

        // The licence filter takes Texas by name or code, in any case.
        let texans = t
            .store
            .search_members(
                &MemberFilter { jurisdiction: Some("US-TX".into()), ..Default::default() },
                PageRequest::new(1, 50),
            )
            .await
            .unwrap();
        assert!(texans.total > 0, "the demo society has members licensed in Texas");
        let expected: Vec<String> = texans.items.iter().map(|m| m.member_number.clone()).collect();
        for typed in ["texas", "Texas", "TX", "us-tx"] {
            let page = staff.get(&format!("/staff/members?jurisdiction={typed}")).await;
            assert_eq!(page.status, StatusCode::OK, "{typed}");
            assert_eq!(numbers_on(&page.body), expected, "{typed}");
        }
        // An unknown one is refused with a sentence, not an empty list.
        let page = staff.get("/staff/members?jurisdiction=Atlantis").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("is not a jurisdiction Guildhall knows"), "{}", page.body);

        // The API's member search shares the filter.
        let found = staff.api(axum::http::Method::GET, "/api/v1/members?jurisdiction=texas", None).await;
        if found.status == StatusCode::OK {
            assert_eq!(found.json()["total"], texans.total, "{}", found.body);
        }
    }
}

#[tokio::test]
async fn the_approvals_queue_shows_25_applications_a_page() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let waiting = t.store.pending_applications().await.unwrap().len();
        let page = staff.get("/staff/approvals").await;
        assert_eq!(page.status, StatusCode::OK);
        let rows = page.body.matches("value=\"reject\"").count() + page.body.matches("/reject\"").count();
        assert_eq!(rows, waiting.min(25), "{}", page.body);
        assert!(page.body.contains(&format!("{waiting} in all")), "{}", page.body);
        let bad = staff.get("/staff/approvals?page=-1").await;
        assert_eq!(bad.status, StatusCode::OK);
        assert!(bad.body.contains("is not a page number, so the first page is shown"), "{}", bad.body);
    }
}

#[tokio::test]
async fn officer_and_join_forms_use_date_pickers() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let officers = staff.get("/staff/officers").await.body;
        assert!(officers.contains(r#"id="starts_on" name="starts_on" type="date""#), "{officers}");
        assert!(officers.contains(r#"id="ends_on" name="ends_on" type="date""#), "{officers}");
        assert!(!officers.contains("YYYY-MM-DD"), "{officers}");
    }
}

#[tokio::test]
async fn a_life_member_is_never_due_to_renew_nor_reminded() {
    for t in TestApp::each_engine().await {
        // The demo's life members are active with no expiry.
        let tiers = t.store.list_tiers().await.unwrap();
        let life = tiers.iter().find(|t| t.code == "life").unwrap();
        assert!(life.never_expires, "the life tier never expires");
        let lifers = t
            .store
            .search_members(&MemberFilter { tier_id: Some(life.id), ..Default::default() }, PageRequest::new(1, 200))
            .await
            .unwrap();
        assert!(lifers.total > 0, "the demo society has life members");
        for m in &lifers.items {
            let record = t.store.member_by_id(m.id).await.unwrap().unwrap();
            assert!(
                !matches!(record.standing, Standing::RenewalDue | Standing::Grace | Standing::Lapsed),
                "{}: {:?}",
                m.member_number,
                record.standing
            );
            if record.standing == Standing::Active {
                assert_eq!(record.expires_on, None, "{}", m.member_number);
            }
        }

        // Maya's tier becomes one without expiry: from the next day's refresh she is
        // active for life, offered no renewal, and sent no reminder.
        let mut maya = t.signed_in(MEMBER).await;
        assert!(maya.get("/dashboard").await.body.contains("Active, renewal due"));
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        let tier = tiers.iter().find(|x| x.id == me.tier_id).unwrap();
        let mut staff = t.signed_in(STAFF).await;
        let dues = format!("{}.{:02}", tier.annual_dues_cents / 100, tier.annual_dues_cents % 100);
        let order = tier.sort_order.to_string();
        let saved = staff
            .post_form(
                &format!("/staff/tiers/{}", tier.id),
                &[
                    ("code", tier.code.as_str()),
                    ("name", tier.name.as_str()),
                    ("annual_dues", dues.as_str()),
                    ("sort_order", order.as_str()),
                    ("requires_licence", "1"),
                    ("never_expires", "1"),
                ],
            )
            .await;
        assert!(saved.status.is_redirection() || saved.status == StatusCode::OK, "{}", saved.body);
        assert!(t.store.tier_by_id(tier.id).await.unwrap().unwrap().never_expires);
        t.app.clock.advance(86_400);
        t.app.refresh_standings().await.unwrap();
        let me = t.store.member_by_id(me.id).await.unwrap().unwrap();
        assert_eq!((me.standing, me.expires_on), (Standing::Active, None));
        let dashboard = maya.get("/dashboard").await.body;
        assert!(!dashboard.to_lowercase().contains("renew"), "{dashboard}");
        assert!(dashboard.contains("Never: life membership"), "{dashboard}");
        let renew = maya.post_form("/membership/renew", &[]).await;
        assert_eq!(renew.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(renew.body.contains("never expires, so there is nothing to renew"), "{}", renew.body);

        let before = t.mail_to(&me.email).await.len();
        for _ in 0..3 {
            t.app.send_renewal_reminders().await.unwrap();
            t.app.clock.advance(30 * 86_400);
            t.app.refresh_standings().await.unwrap();
        }
        let mail = t.mail_to(&me.email).await;
        assert_eq!(mail.len(), before, "no reminder: {:?}", &mail[before..]);
        let me = t.store.member_by_id(me.id).await.unwrap().unwrap();
        assert_eq!(me.standing, Standing::Active, "still a member months after the old expiry");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_life_members_chapter_supplement_is_billed_once_a_year_as_an_invoice_of_its_own() {
    for t in TestApp::each_engine().await {
        // The demo's life members whose home chapter charges a supplement.
        let life = t.store.list_tiers().await.unwrap().into_iter().find(|t| t.code == "life").unwrap();
        let chapters = t.store.list_chapters().await.unwrap();
        let supplement_of = |chapter: Option<i64>| {
            chapters.iter().find(|c| Some(c.id) == chapter).map_or(0, |c| c.dues_supplement_cents)
        };
        let lifers = t
            .store
            .search_members(&MemberFilter { tier_id: Some(life.id), ..Default::default() }, PageRequest::new(1, 200))
            .await
            .unwrap();
        let mut owing = Vec::new();
        for m in &lifers.items {
            let record = t.store.member_by_id(m.id).await.unwrap().unwrap();
            if record.standing == Standing::Active && supplement_of(record.home_chapter_id) > 0 {
                owing.push(record);
            }
        }
        assert!(!owing.is_empty(), "the demo society has life members whose chapter charges a supplement");

        // Outside December and January nothing is billed.
        let today = t.app.clock.today();
        let days_to = |date: time::Date| (date - t.app.clock.today()).whole_seconds();
        let next_june = time::Date::from_calendar_date(today.year() + 1, time::Month::June, 1).unwrap();
        t.app.clock.advance(days_to(next_june));
        assert_eq!(t.app.bill_chapter_supplements().await.unwrap(), 0, "June bills nothing");

        // From 1 December the coming year is billed: once per member, however many runs
        // (here eight at once, as several nodes' jobs might).
        let december = time::Date::from_calendar_date(next_june.year(), time::Month::December, 1).unwrap();
        t.app.clock.advance(days_to(december));
        let year = december.year() + 1;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let app = t.app.clone();
            set.spawn(async move { app.bill_chapter_supplements().await });
        }
        let billed: usize = set.join_all().await.into_iter().map(|r| r.unwrap()).sum();
        assert_eq!(billed, owing.len(), "{:?}: each owing life member billed once", t.engine);
        assert_eq!(t.app.bill_chapter_supplements().await.unwrap(), 0, "nothing twice");

        let member = &owing[0];
        let chapter = chapters.iter().find(|c| Some(c.id) == member.home_chapter_id).unwrap();
        let invoices = t.store.member_invoices(member.id).await.unwrap();
        let bills: Vec<_> = invoices.iter().filter(|i| i.description.starts_with("Chapter supplement")).collect();
        assert_eq!(bills.len(), 1, "{bills:?}");
        let bill = bills[0];
        assert_eq!(bill.description, format!("Chapter supplement: {}, {year}", chapter.name));
        assert_eq!(
            (bill.amount_cents, bill.term_id, bill.status),
            (chapter.dues_supplement_cents, None, InvoiceStatus::Open)
        );
        assert_eq!(bill.due_on, time::Date::from_calendar_date(year, time::Month::January, 31).unwrap());
        let mail = t.mail_to(&member.email).await;
        assert!(
            mail.iter().any(|m| m.starts_with(&format!("Your {} supplement for {year}", chapter.name))),
            "{mail:?}"
        );

        // Paid like any invoice; the life membership stays as it was.
        let mut staff = t.signed_in(STAFF).await;
        let paid = staff
            .api(
                Method::POST,
                &format!("/api/v1/members/{}/payments", member.id),
                Some(serde_json::json!({ "invoice_id": bill.id, "method": "cheque", "reference": "S-1" })),
            )
            .await;
        assert!(paid.status.is_success(), "{}", paid.body);
        let after = t.store.member_by_id(member.id).await.unwrap().unwrap();
        assert_eq!((after.standing, after.expires_on), (Standing::Active, None), "still a life member");
    }
}

#[tokio::test]
async fn rejecting_an_application_asks_for_confirmation_and_emails_the_reason() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let application = t.store.pending_applications().await.unwrap().remove(0);
        let queue = staff.get("/staff/approvals").await.body;
        let confirm_path = format!("/staff/approvals/{}/reject", application.term_id);
        assert!(queue.contains(&format!("href=\"{confirm_path}\"")), "Reject is a link to its page: {queue}");

        let page = staff.get(&confirm_path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains(&format!("Reject the application of {} {}?", application.first_name, application.last_name))
        );
        assert!(page.body.contains(r#"name="confirmed" value="yes""#) && page.body.contains("<textarea id=\"reason\""));

        // A POST that did not come from the confirmation page shows it and changes nothing.
        let action = format!("/staff/approvals/{}", application.term_id);
        let unconfirmed = staff.post_form(&action, &[("decision", "reject")]).await;
        assert_eq!(unconfirmed.status, StatusCode::OK);
        assert!(unconfirmed.body.contains("Reject the application of"), "{}", unconfirmed.body);
        let member = t.store.member_by_id(application.member_id).await.unwrap().unwrap();
        assert_eq!(member.standing, Standing::Applied);

        // The reason is required: it is what the applicant reads.
        let blank = staff.post_form(&action, &[("decision", "reject"), ("confirmed", "yes"), ("reason", "  ")]).await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(blank.body.contains(r#"id="reason-error""#), "{}", blank.body);
        assert_eq!(t.store.member_by_id(member.id).await.unwrap().unwrap().standing, Standing::Applied);

        let reason = "We could not confirm your Texas licence with the board; send us its number and apply again.";
        let done = staff.post_form(&action, &[("decision", "reject"), ("confirmed", "yes"), ("reason", reason)]).await;
        assert_eq!(done.status, StatusCode::OK);
        assert!(done.body.contains("The application was rejected."), "{}", done.body);
        assert_eq!(t.store.member_by_id(member.id).await.unwrap().unwrap().standing, Standing::Rejected);
        let mail = t.mail_to(&member.email).await;
        let last = mail.last().unwrap();
        assert!(last.contains("was declined") && last.contains(reason), "{last}");
        let entry = audit(&mut staff, "application.rejected").await;
        assert!(entry.to_string().contains("could not confirm your Texas licence"), "{entry}");

        // Their record says when they applied, never that they joined.
        let record = staff.get(&format!("/members/{}", member.id)).await.body;
        assert!(record.contains("<dt>Applied</dt>") && !record.contains("Joined"), "{record}");
    }
}

#[tokio::test]
async fn a_refund_an_officer_term_s_end_and_a_link_s_end_each_need_their_confirmation_page() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        // Refund: the member page's form opens the confirmation page (GET) with what was typed.
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let payment = t.store.member_payments(maya.id).await.unwrap().pop().unwrap();
        let member_page = staff.get(&format!("/members/{}", maya.id)).await.body;
        let path = format!("/members/{}/payments/{}/refunds", maya.id, payment.id);
        assert!(member_page.contains(&format!(r#"<form method="get" action="{path}">"#)), "{member_page}");
        let confirm = staff.get(&format!("{path}?amount=5.00&method=cheque&reason=Charged+twice&end_term=1")).await;
        assert_eq!(confirm.status, StatusCode::OK);
        for shown in
            ["Record this refund?", "5.00", "Cheque", "Charged twice", "The term this payment was for ends today."]
        {
            assert!(confirm.body.contains(shown), "{shown}: {}", confirm.body);
        }
        // A POST without the confirmation shows the page and records nothing.
        let unconfirmed =
            staff.post_form(&path, &[("amount", "5.00"), ("method", "cheque"), ("reason", "Charged twice")]).await;
        assert_eq!(unconfirmed.status, StatusCode::OK);
        assert!(unconfirmed.body.contains("Record this refund?"));
        assert!(t.store.member_refunds(maya.id).await.unwrap().is_empty(), "nothing refunded yet");
        let done = staff
            .post_form(
                &path,
                &[("amount", "5.00"), ("method", "cheque"), ("reason", "Charged twice"), ("confirmed", "yes")],
            )
            .await;
        assert!(done.body.contains("The refund was recorded."), "{}", done.body);
        let refunds = t.store.member_refunds(maya.id).await.unwrap();
        assert_eq!((refunds.len(), refunds[0].amount_cents), (1, 500));

        // Officer's term: its confirmation page asks for the last day with a date picker.
        let today = t.app.clock.today();
        let office = t
            .store
            .list_officer_terms()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.starts_on <= today && o.ends_on.is_none_or(|e| e >= today))
            .unwrap();
        let end = format!("/staff/officers/{}/end", office.id);
        assert!(staff.get("/staff/officers").await.body.contains(&format!(r#"href="{end}""#)));
        let page = staff.get(&end).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(r#"name="ends_on" type="date""#) && page.body.contains(&office.title),
            "{}",
            page.body
        );
        let last_day = today.to_string();
        let unconfirmed = staff.post_form(&end, &[("ends_on", &last_day)]).await;
        assert_eq!(unconfirmed.status, StatusCode::OK);
        let still = t.store.list_officer_terms().await.unwrap().into_iter().find(|o| o.id == office.id).unwrap();
        assert_eq!(still.ends_on, office.ends_on, "the term runs on until confirmed");
        let bad = staff.post_form(&end, &[("ends_on", "31/12/2030"), ("confirmed", "yes")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains(r#"id="ends_on-error""#), "the refusal is next to the field: {}", bad.body);
        let ended = staff.post_form(&end, &[("ends_on", &last_day), ("confirmed", "yes")]).await;
        assert_eq!(ended.location(), "/staff/officers?done=term_ended", "{}", ended.body);
        let after = t.store.list_officer_terms().await.unwrap().into_iter().find(|o| o.id == office.id).unwrap();
        assert_eq!(after.ends_on, Some(today));

        // Ending a link: a missing one is answered on the confirmation page itself.
        let missing = staff.get(&format!("/members/{}/links/999999/end", maya.id)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn every_payment_gets_a_receipt_email_and_pdf_and_new_members_a_welcome() {
    let mut settings = test_settings();
    settings.membership.receipt_details = "1 Engineers Way, Springfield\nRegistered charity 123456".into();
    for t in TestApp::each_engine_with(settings.clone()).await {
        // Maya renews by card: $195 tier dues and the $15 chapter supplement.
        let mut maya = t.signed_in(MEMBER).await;
        let pay_path = maya.post_form("/membership/renew", &[]).await.location().to_string();
        assert_eq!(maya.post_form(&pay_path, &[]).await.location(), "/dashboard?renewed=1");
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        let payment = t.store.member_payments(me.id).await.unwrap().pop().unwrap();
        let mail = t.mail_to(&me.email).await;
        let receipt_mail = mail.last().unwrap();
        let pdf_path = format!("/membership/receipts/{}.pdf", payment.id);
        assert!(receipt_mail.contains("$210.00") && receipt_mail.contains(&pdf_path), "{receipt_mail}");
        assert!(!mail.iter().any(|m| m.starts_with("Welcome")), "a renewing member is not welcomed again");

        // Her receipts page lists it; the PDF has the society's details and both lines.
        let page = maya.get("/membership/receipts").await.body;
        assert!(page.contains(&format!("href=\"{pdf_path}\"")), "{page}");
        let (status, headers, bytes) = maya.get_bytes(&pdf_path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(bytes.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&bytes);
        for shown in [
            "1 Engineers Way, Springfield",
            "Registered charity 123456",
            &format!("Receipt R{:06}", payment.id),
            "$195.00",
            "Chapter supplement: ",
            "$15.00",
            "$210.00",
            "Card",
        ] {
            assert!(text.contains(shown), "{shown} in the receipt");
        }
        // Nobody else's receipt opens; staff may open any.
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get_bytes(&pdf_path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.signed_in(STAFF).await.get_bytes(&pdf_path).await.0, StatusCode::OK);
        assert_eq!(maya.get_bytes("/membership/receipts/abc.pdf").await.0, StatusCode::NOT_FOUND);

        // An approved applicant's first payment makes them a member: a receipt and a welcome.
        let approved = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Approved], ..Default::default() },
                PageRequest::new(1, 1),
            )
            .await
            .unwrap()
            .items
            .remove(0);
        let invoice =
            t.store.member_invoices(approved.id).await.unwrap().into_iter().find(|i| i.paid_on.is_none()).unwrap();
        let amount = format!("{}.{:02}", invoice.amount_cents / 100, invoice.amount_cents % 100);
        let mut staff = t.signed_in(STAFF).await;
        let r = staff
            .post_form(
                &format!("/members/{}/invoices/{}/payments", approved.id, invoice.id),
                &[("amount", amount.as_str()), ("method", "cheque"), ("reference", "Cheque 1042")],
            )
            .await;
        assert!(r.status.is_success() || r.status.is_redirection(), "{}", r.body);
        let record = t.store.member_by_id(approved.id).await.unwrap().unwrap();
        assert!(record.standing.is_current_member(), "{:?}", record.standing);
        let mail = t.mail_to(&record.email).await;
        assert!(mail.iter().any(|m| m.starts_with("Welcome to") && m.contains(&record.member_number)), "{mail:?}");
        assert!(mail.iter().any(|m| m.contains("receipt") && m.contains("by cheque")), "{mail:?}");
    }
}

#[tokio::test]
async fn the_licence_form_offers_jurisdictions_by_name_and_explains_each_refusal_next_to_the_field() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let page = maya.get("/ce").await.body;
        assert!(page.contains(r#"<select id="lic-jurisdiction" name="jurisdiction""#), "{page}");
        assert!(page.contains(r#"<option value="US-TX">Texas</option>"#));
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        let before = t.store.member_licences(me.id).await.unwrap();
        let add = |jurisdiction: &'static str| {
            vec![
                ("source", "licence"),
                ("jurisdiction", jurisdiction),
                ("kind", "PE"),
                ("number", "PE-55555"),
                ("issued", "2012-05-01"),
            ]
        };
        for typed in ["Texas", "US-ZZ"] {
            let r = maya.post_form("/ce/credentials", &add(typed)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}: {}", r.body);
            assert!(r.body.contains(r#"id="lic-jurisdiction-error""#), "{typed}: the refusal is by the field");
            assert_eq!(t.store.member_licences(me.id).await.unwrap().len(), before.len(), "{typed}: nothing added");
        }
        // A licence already on the record (same jurisdiction and kind) is refused, not doubled.
        let held = before.first().expect("Maya holds a licence");
        let jurisdiction = held.jurisdiction.to_string();
        let kind = held.kind.code().to_string();
        let again = maya
            .post_form(
                "/ce/credentials",
                &[
                    ("source", "licence"),
                    ("jurisdiction", &jurisdiction),
                    ("kind", &kind),
                    ("number", "ANOTHER-1"),
                    ("issued", "2012-05-01"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
        assert!(again.body.contains("a licence is recorded once"), "{}", again.body);
        assert_eq!(t.store.member_licences(me.id).await.unwrap().len(), before.len());
    }
}

#[tokio::test]
async fn staff_change_a_member_s_tier_chapter_and_email_and_the_audit_entry_says_from_what_to_what() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let edit = staff.get(&format!("/members/{}/edit", maya.id)).await.body;
        let path = format!("/members/{}/membership", maya.id);
        assert!(edit.contains(&format!(r#"href="{path}""#)), "{edit}");
        let tiers = t.store.list_tiers().await.unwrap();
        let senior = tiers.iter().find(|x| x.code == "senior").unwrap();
        let chapters = t.store.list_chapters().await.unwrap();
        let other = chapters.iter().find(|c| Some(c.id) != maya.home_chapter_id).unwrap();
        let (senior_id, chapter_id) = (senior.id.to_string(), other.id.to_string());

        // Refusals are explained by the field and change nothing.
        let taken = t.store.member_by_id(maya.id + 1).await.unwrap().unwrap().email;
        for (email, says) in
            [("not an address", "email-error"), (taken.as_str(), "Another member already has this email address")]
        {
            let r =
                staff.post_form(&path, &[("tier_id", &senior_id), ("chapter_id", &chapter_id), ("email", email)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
            assert!(r.body.contains(says), "{email}: {}", r.body);
            assert_eq!(t.store.member_by_id(maya.id).await.unwrap().unwrap().tier_id, maya.tier_id);
        }
        let mut officer = t.signed_in(OFFICER).await;
        let r = officer
            .post_form(&path, &[("tier_id", &senior_id), ("chapter_id", &chapter_id), ("email", "x@example.org")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let r = staff
            .post_form(
                &path,
                &[("tier_id", &senior_id), ("chapter_id", &chapter_id), ("email", "maya.new@example.org")],
            )
            .await;
        assert_eq!(r.location(), format!("/members/{}?done=membership_changed", maya.id), "{}", r.body);
        let after = t.store.member_by_id(maya.id).await.unwrap().unwrap();
        assert_eq!(
            (after.tier_id, after.home_chapter_id, after.email.as_str()),
            (senior.id, Some(other.id), "maya.new@example.org")
        );
        let entry = audit(&mut staff, "member.membership_changed").await.to_string();
        for shown in [maya.email.as_str(), "maya.new@example.org", senior.name.as_str(), other.name.as_str()] {
            assert!(entry.contains(shown), "{shown} in {entry}");
        }
    }
}

#[tokio::test]
async fn who_may_open_the_new_membership_pages() {
    use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
    for t in TestApp::each_engine().await {
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let payment = t.store.member_payments(maya.id).await.unwrap().pop().unwrap();
        let term = t.store.pending_applications().await.unwrap()[0].term_id;
        let office = t.store.list_officer_terms().await.unwrap()[0].id;
        let tier: &'static str = Box::leak(maya.tier_id.to_string().into_boxed_str());
        let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let rows = vec![
            (Call::Get(format!("/staff/approvals/{term}/reject")), staff),
            (
                Call::Get(format!(
                    "/members/{}/payments/{}/refunds?amount=1&method=cash&reason=x",
                    maya.id, payment.id
                )),
                staff,
            ),
            (Call::Get(format!("/staff/officers/{office}/end")), staff),
            (
                Call::Get(format!("/members/{}/links/999999/end", maya.id)),
                [SignIn, Forbidden, Forbidden, NotFound, NotFound],
            ),
            (Call::Get("/membership/receipts".into()), [SignIn, Ok, Ok, Ok, Ok]),
            (Call::Get(format!("/membership/receipts/{}.pdf", payment.id)), [SignIn, Ok, NotFound, Ok, Ok]),
            (Call::Get(format!("/members/{}/membership", maya.id)), staff),
            (
                Call::Form(
                    format!("/members/{}/membership", maya.id),
                    Box::leak(Box::new([("tier_id", tier), ("chapter_id", "1"), ("email", "maya.matrix@example.org")])),
                ),
                [SignIn, Forbidden, Forbidden, Done, Done],
            ),
        ];
        let mut clients = role_clients(&t).await;
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test]
async fn the_member_search_downloads_as_csv_and_officers_get_only_their_chapter() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/members?jurisdiction=texas").await.body;
        assert!(page.contains(r#"href="/staff/members.csv?jurisdiction=texas""#), "{page}");
        let (status, headers, bytes) = staff.get_bytes("/staff/members.csv?jurisdiction=texas").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = String::from_utf8(bytes).unwrap();
        let texans = t
            .store
            .search_members(
                &MemberFilter { jurisdiction: Some("US-TX".into()), ..Default::default() },
                PageRequest::new(1, 200),
            )
            .await
            .unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("member_number,first_name,last_name,email,tier,standing"), "{text}");
        assert_eq!(lines.len() - 1, usize::try_from(texans.total).unwrap(), "every page, not only the first");
        for m in &texans.items {
            assert!(text.contains(&m.member_number) && text.contains(&m.email), "{}", m.member_number);
        }
        // Everyone: more than one page of the search, all in the file.
        let (_, _, all) = staff.get_bytes("/staff/members.csv").await;
        let everyone = t.store.search_members(&MemberFilter::default(), PageRequest::new(1, 1)).await.unwrap().total;
        assert_eq!(String::from_utf8(all).unwrap().lines().count() - 1, usize::try_from(everyone).unwrap());

        // An officer's file holds only their chapter; members may not download it.
        let mut officer = t.signed_in(OFFICER).await;
        let (status, _, bytes) = officer.get_bytes("/staff/members.csv").await;
        assert_eq!(status, StatusCode::OK);
        let mine = t
            .store
            .search_members(&MemberFilter { chapter_id: Some(1), ..Default::default() }, PageRequest::new(1, 1))
            .await
            .unwrap()
            .total;
        assert_eq!(String::from_utf8(bytes).unwrap().lines().count() - 1, usize::try_from(mine).unwrap());
        assert_eq!(officer.get_bytes("/staff/members.csv?chapter=2").await.0, StatusCode::FORBIDDEN);
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.get_bytes("/staff/members.csv").await.0, StatusCode::FORBIDDEN);
    }
}
