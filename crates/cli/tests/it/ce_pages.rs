//! The CE pages as a member and staff use them: the activity form keeping what was typed
//! after a refusal, codes in words, the activity date limits, confirmation before deleting,
//! the compliance report's paging, filters and sorting, and asking members for missing facts
//! once a day.

use axum::http::StatusCode;

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::*;

async fn maya_member_id(t: &TestApp) -> i64 {
    let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
    t.store.member_by_user(user.id).await.unwrap().unwrap().id
}

fn activity<'a>(title: &'a str, date: &'a str, quantity: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("title", title), ("kind", "webinar_live"), ("date", date), ("quantity", quantity), ("unit", "hour")]
}

/// The text a person reads on a page (tags and their attributes left out).
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

async fn activity_id(t: &TestApp, title: &str) -> i64 {
    let ledger = t.store.ce_ledger(maya_member_id(t).await).await.unwrap();
    ledger.activities.iter().find(|a| a.title == title).unwrap_or_else(|| panic!("{title} is logged")).id
}

#[tokio::test]
async fn a_refused_activity_keeps_every_value_and_marks_each_wrong_field() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let fields = [
            ("title", "Bridge scour short course"),
            ("kind", "course"),
            ("date", "1949-06-30"),
            ("quantity", "lots"),
            ("unit", "minute"),
            ("topics", "ethics"),
            ("topics", "technical"),
            ("other_topics", "hydraulics"),
            ("provider", "River Institute"),
            ("sessions", ""),
        ];
        let r = maya.post_multipart("/ce/activities", &fields, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.body;
        // Every value as typed.
        assert!(page.contains(r#"value="Bridge scour short course""#), "title kept");
        assert!(page.contains(r#"<option value="course" selected>"#), "kind kept, not reset to the first");
        assert!(page.contains(r#"value="1949-06-30""#), "date kept, not reset to today");
        assert!(page.contains(r#"value="lots""#), "amount kept");
        assert!(page.contains(r#"<option value="minute" selected>"#), "unit kept");
        assert!(page.contains(r#"value="ethics" checked"#) && page.contains(r#"value="technical" checked"#));
        assert!(!page.contains(r#"value="professional_skills" checked"#), "only the ticked topics");
        assert!(page.contains(r#"value="hydraulics""#) && page.contains(r#"value="River Institute""#));
        // Each wrong field says what is wrong with it, tied to the field.
        assert!(page.contains(r#"id="date" name="date""#));
        assert!(page.contains(r#"aria-invalid="true" aria-describedby="date-error""#), "the date is marked");
        assert!(page.contains("before 1 January 1950"), "the date's own message");
        assert!(page.contains(r#"aria-invalid="true" aria-describedby="quantity-error""#), "the amount is marked");
        assert!(page.contains("must be a number"), "the amount's own message");
        assert!(page.contains("2 fields need correcting"), "the summary counts them");
        // The person is brought to the form: the first wrong field has the focus.
        let date_input = page.split(r#"<input id="date""#).nth(1).unwrap().split('>').next().unwrap();
        assert!(date_input.contains("autofocus"), "{date_input}");
        assert_eq!(page.matches("autofocus").count(), 1, "one field has the focus");
        // The form posts to an address without the CSRF token (it travels in the body).
        assert!(page.contains(r#"action="/ce/activities""#));
        assert!(!page.contains("?csrf="), "no CSRF token in any address");
    }
}

#[tokio::test]
async fn a_refused_licence_or_certification_keeps_what_was_typed() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let licence = [
            ("source", "licence"),
            ("jurisdiction", "us-tx"),
            ("kind", "SE"),
            ("number", "TX-4471"),
            ("issued", "2999-01-01"),
            ("expires", ""),
            ("licensure_method", "comity"),
        ];
        let r = maya.post_form("/ce/credentials", &licence).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.body;
        assert!(page.contains("cannot be in the future"), "the date's own message");
        // The choice lists show the choices made, not their first entries.
        assert!(page.contains(r#"<option value="US-TX" selected>"#), "Texas stays chosen");
        assert!(page.contains(r#"<option value="SE" selected>"#), "the kind stays chosen");
        assert!(page.contains(r#"<option value="comity" selected>"#), "how it was obtained stays chosen");
        assert!(page.contains(r#"id="lic-number" name="number" maxlength="40" value="TX-4471""#), "number kept");
        assert!(page.contains(r#"id="lic-issued" name="issued" type="date" value="2999-01-01""#), "date kept");
        // The certification form beside it stays blank.
        assert!(page.contains(r#"<input id="cert-number" name="number" maxlength="40">"#));

        let certification =
            [("source", "certification"), ("ruleset", "PMI-PMP"), ("number", "PMP-9"), ("issued", "2999-02-02")];
        let page = maya.post_form("/ce/credentials", &certification).await.body;
        assert!(page.contains(r#"<option value="PMI-PMP" selected>"#), "the programme stays chosen");
        assert!(page.contains(r#"value="PMP-9""#) && page.contains(r#"value="2999-02-02""#));
        assert!(!page.contains(r#"value="TX-4471""#), "the licence form is blank again");
    }
}

#[tokio::test]
async fn activity_dates_before_1950_or_in_the_future_are_refused_everywhere() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let tomorrow = (t.app.clock.today() + time::Duration::days(1)).to_string();
        let cases = [("1949-12-31", "before 1 January 1950"), (tomorrow.as_str(), "in the future")];
        for (date, says) in cases {
            let r = maya.post_multipart("/ce/activities", &activity("Old or future", date, "1"), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
            assert!(r.body.contains(says), "{date}: {says}");
        }
        // A further day of a multi-day course is held to the same limits.
        let today = t.app.clock.today().to_string();
        let mut fields = activity("Two days", &today, "2");
        fields.push(("sessions", "1900-01-01=3"));
        let r = maya.post_multipart("/ce/activities", &fields, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("before 1 January 1950"));
        // The first day allowed is accepted.
        let r = maya.post_multipart("/ce/activities", &activity("Oldest allowed", "1950-01-01", "1"), None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Credit arriving from elsewhere meets the same rule.
        let old = guildhall_store::ce::NewCeActivity {
            member_id: maya_member_id(&t).await,
            title: "Imported long ago".into(),
            kind: "course".into(),
            occurred_on: Some(time::macros::date!(1949 - 01 - 01)),
            quantity_micro: 1_000_000,
            unit: "hour".into(),
            source: "event".into(),
            source_ref: Some("old-1".into()),
            ..Default::default()
        };
        let err = t.app.receive_ce_activity(old).await.unwrap_err();
        assert!(err.to_string().contains("1950") || format!("{err:?}").contains("1950"), "{err:?}");
    }
}

#[tokio::test]
async fn ce_pages_and_transcripts_show_words_not_codes_and_activities_newest_first() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        // Maya holds a Florida PE licence (the demo society's record).
        assert!(maya.get("/ce").await.body.contains("PE licence, Florida"), "her Florida licence, in words");
        let today = t.app.clock.today();
        let older = (today - time::Duration::days(20)).to_string();
        let newer = (today - time::Duration::days(2)).to_string();
        // Logged newest first, then the older one: the list still reads newest first.
        let mut fields = activity("Florida laws and rules webinar", &newer, "1");
        fields.push(("topics", "laws_rules:US-FL"));
        assert_eq!(maya.post_multipart("/ce/activities", &fields, None).await.status, StatusCode::SEE_OTHER);
        let fields = activity("Older structural webinar", &older, "2");
        assert_eq!(maya.post_multipart("/ce/activities", &fields, None).await.status, StatusCode::SEE_OTHER);

        let page = maya.get("/ce").await.body;
        let ledger = &page[page.find(r#"id="ledger""#).unwrap()..];
        let (newer_at, older_at) =
            (ledger.find("Florida laws and rules webinar").unwrap(), ledger.find("Older structural webinar").unwrap());
        assert!(newer_at < older_at, "newest first");
        assert!(page.contains("Florida laws and rules"), "the topic in words");
        assert!(page.contains("Live webinar"), "the kind in words");
        let text = visible(&page);
        for code in ["laws_rules", "laws rules", "webinar_live", "US-FL", "rules: US-", "area_of_practice", "_"] {
            assert!(!text.contains(code), "the CE page shows {code:?}: {text}");
        }
        let key = page.split("/ce/documents/").nth(1).map(|s| s.split('/').next().unwrap().to_string());
        let key = page
            .split("/ce/documents/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap().to_string())
            .find(|k| page.contains(&format!("id=\"cred-{k}\"")) && k.starts_with("licence-"))
            .or(key)
            .unwrap();
        let csv = maya.get(&format!("/ce/documents/{key}/transcript.csv")).await.body;
        for code in ["laws_rules", "webinar_live", "laws rules"] {
            assert!(!csv.contains(code), "the transcript shows {code:?}: {csv}");
        }
    }
}

#[tokio::test]
async fn deleting_an_activity_or_removing_a_licence_asks_first_on_a_page_of_its_own() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let today = t.app.clock.today().to_string();
        let pdf = b"%PDF-1.4 certificate".to_vec();
        let r = maya
            .post_multipart(
                "/ce/activities",
                &activity("Seminar to delete", &today, "1"),
                Some(("evidence", "seminar certificate.pdf", &pdf)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = activity_id(&t, "Seminar to delete").await;
        let page = maya.get("/ce").await.body;
        assert!(page.contains(&format!(r#"href="/ce/activities/{id}/delete""#)), "Delete leads to a page");

        let confirm = maya.get(&format!("/ce/activities/{id}/delete")).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(confirm.body.contains("Delete this activity?"));
        assert!(confirm.body.contains("Seminar to delete"));
        assert!(confirm.body.contains("evidence file is deleted with it: seminar-certificate.pdf"), "{}", confirm.body);
        assert!(confirm.body.contains(r#"name="confirmed" value="yes""#));
        assert!(confirm.body.contains("Cancel, keep it as it is"));

        // A POST without the confirmation goes to the confirmation page and deletes nothing.
        let r = maya.post_form(&format!("/ce/activities/{id}/delete"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), format!("/ce/activities/{id}/delete"));
        assert_eq!(activity_id(&t, "Seminar to delete").await, id, "still there");
        // Someone else's activity has no confirmation page.
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get(&format!("/ce/activities/{id}/delete")).await.status, StatusCode::NOT_FOUND);
        // Confirmed, it goes, with its evidence.
        let r = maya.post_form(&format!("/ce/activities/{id}/delete"), &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let ledger = t.store.ce_ledger(maya_member_id(&t).await).await.unwrap();
        assert!(ledger.activities.iter().all(|a| a.id != id) && ledger.evidence.iter().all(|e| e.activity_id != id));

        // Removing a licence asks too.
        let page = maya.get("/ce").await.body;
        let key = page.split(r#"href="/ce/credentials/"#).nth(1).unwrap().split('/').next().unwrap().to_string();
        let confirm = maya.get(&format!("/ce/credentials/{key}/delete")).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(confirm.body.contains("Remove from your record?") && confirm.body.contains("activities"));
        let r = maya.post_form(&format!("/ce/credentials/{key}/delete"), &[]).await;
        assert_eq!(r.location(), format!("/ce/credentials/{key}/delete"), "not removed without confirming");
        assert!(maya.get("/ce").await.body.contains(&format!("/ce/credentials/{key}/delete")));
        let r = maya.post_form(&format!("/ce/credentials/{key}/delete"), &[("confirmed", "yes")]).await;
        assert_eq!(r.location(), "/ce?notice=removed");
        assert!(!maya.get("/ce").await.body.contains(&format!("/ce/credentials/{key}/delete")));
    }
}

#[tokio::test]
async fn the_compliance_report_pages_filters_sorts_and_says_what_is_missing() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/compliance").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body;
        let rows = |b: &str| b.matches(r#"<td><a href="/members/"#).count();
        assert_eq!(rows(&body), 50, "50 a page");
        assert!(body.contains("Page 1 of"), "paged");
        let page2 = staff.get("/staff/compliance?page=2").await.body;
        assert!(page2.contains("Page 2 of") && rows(&page2) > 0);
        for bad in ["-1", "0", "abc", "99999"] {
            let r = staff.get(&format!("/staff/compliance?page={bad}")).await;
            assert_eq!(r.status, StatusCode::OK, "page={bad}");
        }
        // Status words, not codes; rule sets by name.
        assert!(body.contains("Cannot be decided") && !body.contains(">undecidable<"));
        assert!(!body.contains(">US-TX-PE<"), "rule sets by name");

        // Ontario licences cannot be decided without the PEAK target: the report says so.
        let ontario = staff.get("/staff/compliance?ruleset=CA-ON-PEO&status=undecidable").await.body;
        assert!(ontario.contains("PEAK target hours missing"), "the missing fact is named");
        assert!(rows(&ontario) > 0);
        let listed = ontario.split("Licences and certifications, page").nth(1).unwrap();
        assert!(!listed.contains("Texas") && listed.contains("Ontario"), "the filter applies");
        let csv = staff.get("/staff/compliance.csv?ruleset=CA-ON-PEO&status=undecidable").await.body;
        let lines: Vec<&str> = csv.lines().skip(1).collect();
        assert!(
            !lines.is_empty() && lines.iter().all(|l| l.contains("Ontario") && l.contains("PEAK target hours missing"))
        );

        // The chapter filter: every listed member is in the chapter.
        let chapter_page = staff.get("/staff/compliance?chapter=1").await.body;
        assert!(chapter_page.contains(r#"<option value="1" selected>"#));
        let in_chapter: std::collections::HashSet<i64> = t
            .store
            .member_names(0, i64::MAX)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.3 == Some(1))
            .map(|m| m.0)
            .collect();
        for id in chapter_page.split(r#"<td><a href="/members/"#).skip(1).map(|s| s.split('/').next().unwrap()) {
            assert!(in_chapter.contains(&id.parse().unwrap()), "member {id} is in chapter 1");
        }

        // Sorting by member: names in order on the page.
        let by_member = staff.get("/staff/compliance?sort=member").await.body;
        let names: Vec<String> = by_member
            .split(r#"<td><a href="/members/"#)
            .skip(1)
            .map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap().to_string())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "sorted by member");
    }
}

#[tokio::test]
async fn staff_ask_members_for_missing_facts_once_a_day_after_confirming() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let filters = "ruleset=CA-ON-PEO&status=undecidable";
        let report = staff.get(&format!("/staff/compliance?{filters}")).await.body;
        assert!(report.contains("for it by email"), "the action is offered");
        let confirm = staff.get(&format!("/staff/compliance/request-facts?{filters}")).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(confirm.body.contains("PEAK target hours"), "says what will be asked");
        let member_id: i64 =
            confirm.body.split(r#"<a href="/members/"#).nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        let email = t.store.member_by_id(member_id).await.unwrap().unwrap().email;
        let before = t.mail_to(&email).await.len();
        let form = [("ruleset", "CA-ON-PEO"), ("status", "undecidable")];

        // Without confirming: the confirmation page, nobody emailed.
        let r = staff.post_form("/staff/compliance/request-facts", &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/staff/compliance/request-facts?"));
        assert_eq!(t.mail_to(&email).await.len(), before);

        let mut confirmed = form.to_vec();
        confirmed.push(("confirmed", "yes"));
        let r = staff.post_form("/staff/compliance/request-facts", &confirmed).await;
        assert!(r.location().contains("notice=asked"), "{}", r.location());
        let mail = t.mail_to(&email).await;
        assert_eq!(mail.len(), before + 1, "one email");
        assert!(mail.last().unwrap().contains("PEAK target hours") && mail.last().unwrap().contains("/ce"));
        let entries = audit(&mut staff, "ce.facts_requested").await;
        assert!(entries.to_string().contains(&email) || entries.to_string().contains("facts"), "audited: {entries}");

        // Asking again the same day emails nobody twice.
        let r = staff.post_form("/staff/compliance/request-facts", &confirmed).await;
        assert!(r.location().contains("notice=none"), "{}", r.location());
        assert_eq!(t.mail_to(&email).await.len(), before + 1, "not twice in a day");
        // The next day they may be asked again.
        t.app.clock.advance(86_400);
        let mut staff = t.signed_in(STAFF).await;
        staff.post_form("/staff/compliance/request-facts", &confirmed).await;
        assert_eq!(t.mail_to(&email).await.len(), before + 2);
    }
}

#[tokio::test]
async fn staff_see_a_members_ce_with_a_breadcrumb() {
    for t in TestApp::each_engine().await {
        let maya = maya_member_id(&t).await;
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get(&format!("/members/{maya}/ce")).await.body;
        assert!(page.contains(r#"<nav aria-label="Breadcrumb""#));
        assert!(page.contains(r#"<a href="/staff/members">Members</a>"#));
        assert!(page.contains(&format!(r#"<a href="/members/{maya}">Maya Okafor</a>"#)));
        assert!(page.contains(r#"aria-label="Staff area""#), "the staff navigation too");
    }
}

#[tokio::test]
async fn ce_confirmation_and_request_pages_are_authorised() {
    for t in TestApp::each_engine().await {
        let mut clients = role_clients(&t).await;
        let today = t.app.clock.today().to_string();
        let member = &mut clients[1];
        member.post_multipart("/ce/activities", &activity("Matrix seminar", &today, "1"), None).await;
        let activity = activity_id(&t, "Matrix seminar").await;
        let page = member.get("/ce").await.body;
        let licence = page.split(r#"href="/ce/credentials/"#).nth(1).unwrap().split('/').next().unwrap().to_string();
        let hers = [SignIn, Ok, NotFound, NotFound, NotFound];
        let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let rows = vec![
            (Call::Get(format!("/ce/activities/{activity}/delete")), hers),
            (Call::Get(format!("/ce/credentials/{licence}/delete")), hers),
            (
                Call::Form(format!("/ce/activities/{activity}/delete"), &[]),
                [SignIn, Done, NotFound, NotFound, NotFound],
            ),
            (Call::Get("/staff/compliance/request-facts".into()), staff),
            (Call::Get("/staff/compliance?chapter=1&sort=status&page=2".into()), staff),
            (Call::Form("/staff/compliance/request-facts".into(), &[]), [SignIn, Forbidden, Forbidden, Done, Done]),
            (Call::Form("/staff/programmes/form".into(), &[]), [SignIn, Forbidden, Forbidden, Invalid, Invalid]),
        ];
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test]
async fn staff_define_a_programme_with_a_form_checked_like_the_rule_file() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/programmes").await.body;
        assert!(page.contains("Define a programme") && page.contains("Advanced: the rule file (TOML)"));

        // Every wrong field at once, each value kept.
        let bad = [
            ("id", "Capital bridge!"),
            ("name", "Capital Chapter Bridge Certificate"),
            ("length_months", "0"),
            ("anchor", "calendar_year"),
            ("total", "lots"),
            ("unit", "PDH"),
            ("minimum_topic_0", "ethics"),
            ("minimum_hours_0", "2"),
        ];
        let r = staff.post_form("/staff/programmes/form", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("letters, digits and hyphens"), "the id's message");
        assert!(r.body.contains("from 1 to 120"), "the period's message");
        assert!(r.body.contains("The total must be a number"), "the total's message");
        assert!(r.body.contains(r#"value="Capital Chapter Bridge Certificate""#), "the name is kept");
        assert!(r.body.contains(r#"<option value="ethics" selected>"#), "the minimum's topic is kept");

        // A shipped rule set's id: the same message from the form as from the rule file.
        let mut shipped = vec![("id", "PMI-PMP"), ("name", "Not mine"), ("length_months", "12")];
        shipped.extend([("anchor", "calendar_year"), ("total", "4"), ("unit", "PDH")]);
        let from_form = staff.post_form("/staff/programmes/form", &shipped).await;
        assert_eq!(from_form.status, StatusCode::UNPROCESSABLE_ENTITY);
        let message = "PMI-PMP is a rule set shipped with Guildhall; give the programme an id of its own.";
        assert!(from_form.body.contains(message), "{}", from_form.body);
        let toml = from_form.body.split(r#"name="rules""#).nth(1).unwrap().split("</textarea>").next().unwrap();
        assert!(toml.contains("id = &#34;PMI-PMP&#34;"), "the file the form made: {toml}");
        let rules = guildhall_app::ce::programme_toml(&guildhall_app::ce::ProgrammeFields {
            id: "PMI-PMP".into(),
            name: "Not mine".into(),
            length_months: "12".into(),
            anchor: "calendar_year".into(),
            total: "4".into(),
            unit: "PDH".into(),
            ..Default::default()
        })
        .unwrap()
        .1;
        let from_file = staff.post_form("/staff/programmes", &[("file_name", "x.toml"), ("rules", &rules)]).await;
        assert!(from_file.body.contains(message), "the advanced view says the same");

        // A good one is saved, and members can follow it.
        let good = [
            ("id", "capital-bridge-cert"),
            ("name", "Capital Chapter Bridge Certificate"),
            ("authority", "Capital Chapter"),
            ("length_months", "24"),
            ("anchor", "credential_start"),
            ("total", "8"),
            ("unit", "PDH"),
            ("minimum_topic_0", "ethics"),
            ("minimum_hours_0", "1"),
            ("minimum_topic_1", "technical"),
            ("minimum_hours_1", "2.5"),
            ("carryover", "4"),
        ];
        let r = staff.post_form("/staff/programmes/form", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/staff/programmes?notice=CAPITAL-BRIDGE-CERT");
        assert!(staff.get("/staff/programmes").await.body.contains("capital-bridge-cert.toml"));
        let programmes = t.app.ce_certification_programmes();
        assert!(
            programmes
                .iter()
                .any(|(id, name)| id == "CAPITAL-BRIDGE-CERT" && name == "Capital Chapter Bridge Certificate")
        );
        let book = t.app.rule_book();
        let version = book.history("CAPITAL-BRIDGE-CERT").unwrap().versions.last().unwrap().clone();
        assert_eq!(version.minimums.len(), 2, "two minimums");
        assert_eq!(version.minimums[0].label, "Ethics / professional conduct");
    }
}
