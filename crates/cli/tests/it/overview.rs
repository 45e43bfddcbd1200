//! The staff overview, the audit log in words, the dashboard's CE and invoice cards, and
//! sign-in coming back to the page asked for.

use axum::http::StatusCode;
use guildhall_domain::membership::Standing;
use time::Duration;

use crate::authorisation::{Call, run_matrix};
use crate::authorisation::{Forbidden, Ok as Shown, SignIn};
use crate::harness::*;

/// The figure in the card whose heading has this id (`<p class="stat">N</p>`).
fn stat(body: &str, heading_id: &str) -> i64 {
    let card = &body[body.find(&format!("id=\"{heading_id}\"")).unwrap_or_else(|| panic!("no card {heading_id}"))..];
    let from = card.find("<p class=\"stat\">").expect("a figure") + "<p class=\"stat\">".len();
    card[from..from + card[from..].find('<').unwrap()].parse().expect("a number")
}

#[tokio::test]
async fn the_staff_overview_counts_what_the_demo_society_holds() {
    for t in TestApp::each_engine().await {
        // Three messages: two given up on, one being tried again.
        for subject in ["One", "Two", "Three"] {
            let mail = guildhall_store::NewMail {
                to_address: MEMBER.into(),
                subject: subject.into(),
                body_text: "x".into(),
                attachment: None,
            };
            t.store.enqueue_mail(&mail, 0).await.unwrap();
        }
        let mail = t.store.list_mail(None, guildhall_store::PageRequest::new(1, 3)).await.unwrap().items;
        t.store.mark_mail_failed(mail[0].id, "mailbox full", None).await.unwrap();
        t.store.mark_mail_failed(mail[1].id, "mailbox full", None).await.unwrap();
        t.store.mark_mail_failed(mail[2].id, "try later", Some(t.app.clock.unix() + 600)).await.unwrap();

        // What the overview should say, counted here from the records themselves.
        let today = t.app.clock.today();
        let export = t.store.export_members().await.unwrap();
        let members = export.members.len() as i64;
        let count = |s: Standing| export.members.iter().filter(|m| m.standing == s).count() as i64;
        let renewing_this_month = export
            .members
            .iter()
            .filter(|m| m.expires_on.is_some_and(|d| d.year() == today.year() && d.month() == today.month()))
            .count() as i64;
        let horizon = today + Duration::days(90);
        let within = |d: Option<time::Date>| d.is_some_and(|d| d >= today && d <= horizon);
        let credentials = export.licences.values().flatten().filter(|l| within(l.expires_on)).count()
            + export.certifications.values().flatten().filter(|c| within(c.expires_on)).count();
        let waiting = t.store.pending_applications().await.unwrap().len() as i64;
        assert!(waiting > 0 && renewing_this_month > 0 && credentials > 0, "the demo data has something to count");

        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = &page.body;
        assert!(body.contains("<h1>Staff overview</h1>"));
        assert_eq!(stat(body, "standing-h"), members, "{:?}: members in all", t.engine);
        for standing in [Standing::Active, Standing::RenewalDue, Standing::Lapsed, Standing::Applied] {
            let row = format!(
                "<a href=\"/staff/members?standing={}\">{}</a></td><td class=\"num\">{}</td>",
                standing.code(),
                standing.label(),
                count(standing)
            );
            assert!(body.contains(&row), "{:?}: {row}", t.engine);
        }
        assert_eq!(stat(body, "renewals-h"), renewing_this_month, "{:?}: renewals due this month", t.engine);
        assert_eq!(stat(body, "approvals-h"), waiting, "{:?}: applications waiting", t.engine);
        assert_eq!(stat(body, "compliance-h"), credentials as i64, "{:?}: credentials renewing soon", t.engine);
        assert_eq!(stat(body, "mail-h"), 2, "{:?}: messages given up on", t.engine);
        assert!(body.contains("1 more is being tried again"), "{body}");

        // The renewals card's link finds the same members in the staff search.
        let (first, last) = guildhall_app::membership::reports::month_of(today);
        let search = staff.get(&format!("/staff/members?expires_from={first}&expires_until={last}")).await;
        assert!(search.body.contains(&format!("{renewing_this_month} in all")), "{:?}", t.engine);

        // The figures are kept for a few seconds, but a decision made here shows at once.
        let first = t.store.pending_applications().await.unwrap()[0].term_id;
        let r = staff.post_form(&format!("/staff/approvals/{first}"), &[("decision", "approve")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            stat(&staff.get("/staff").await.body, "approvals-h"),
            waiting - 1,
            "{:?}: one fewer waiting",
            t.engine
        );

        // Only staff open it; a visitor is sent to sign in and comes back here.
        let mut clients = crate::authorisation::role_clients(&t).await;
        run_matrix(&t, &mut clients, [(Call::Get("/staff".into()), [SignIn, Forbidden, Forbidden, Shown, Shown])])
            .await;
        assert_eq!(t.client().get("/staff").await.location(), "/sign-in?next=%2Fstaff");
    }
}

#[tokio::test]
async fn the_audit_log_lists_each_field_before_and_after_with_actions_and_dates_in_words() {
    for t in TestApp::each_engine().await {
        // An administrator changes a role; a member deletes a dated CE activity.
        let mut admin = t.signed_in(ADMIN).await;
        let r = admin.post_form("/admin/accounts/3/role", &[("role", "admin")]).await;
        assert!(r.body.contains("The role was saved."), "{}", r.body);
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let ledger = t.store.ce_ledger(maya.id).await.unwrap();
        let activity = ledger.activities.iter().find(|a| a.occurred_on.is_some()).expect("a dated activity");
        let day = activity.occurred_on.unwrap().to_string();
        let mut member = t.signed_in(MEMBER).await;
        let r = member.post_form(&format!("/ce/activities/{}/delete", activity.id), &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/audit?action=account.role_changed").await.body;
        assert!(page.contains("Account role changed"), "the action in words");
        assert!(!page.contains("account.role_changed</"), "no action code shown");
        assert!(page.contains("<th scope=\"row\">Role <span class=\"change-word\">changed</span></th>"), "{page}");
        assert!(page.contains("<del>staff</del>") && page.contains("<ins>admin</ins>"), "before and after: {page}");

        let page = staff.get("/staff/audit?action=ce.activity_deleted").await.body;
        assert!(page.contains("CE activity deleted"));
        assert!(page.contains(&format!("<del>{day}</del>")), "the date as a date: {page}");
        assert!(!page.contains("[20"), "no date as a list of numbers");
        // Stored as a date, so the API reads it as one too.
        let entry = &audit(&mut staff, "ce.activity_deleted").await["items"][0];
        assert_eq!(entry["before"]["occurred_on"], day.as_str());

        // Entries written before dates were stored as text read as dates too.
        t.store
            .record_audit(&guildhall_store::NewAuditEntry {
                occurred_at: t.app.clock.unix(),
                actor_label: "An earlier version".into(),
                action: "member.linked".into(),
                subject_kind: "member".into(),
                subject_label: "Old entry".into(),
                before_json: Some(r#"{"expires_on":[2027,273],"standing":"active"}"#.into()),
                after_json: Some(r#"{"expires_on":[2028,274],"standing":"active"}"#.into()),
                request_id: "old".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let page = staff.get("/staff/audit?action=member.linked").await.body;
        assert!(page.contains("Membership linked to a payer"));
        assert!(page.contains("<del>2027-09-30</del>") && page.contains("<ins>2028-09-30</ins>"), "{page}");
        assert!(page.contains("(unchanged)"), "an unchanged field says so");

        // The filter offers actions in words.
        assert!(page.contains("<option value=\"ce.activity_deleted\">CE activity deleted</option>"), "{page}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_ce_summary_and_the_open_invoice_with_a_pay_link() {
    for t in TestApp::each_engine().await {
        let mut member = t.signed_in(MEMBER).await;
        let ce = member.get("/ce").await.body;
        let r = member.post_form("/membership/renew", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let open = t.store.open_invoice(maya.id).await.unwrap().expect("renewing raises an invoice");

        let page = member.get("/dashboard").await.body;
        let card = &page[page.find("id=\"ce-h\"").expect("a CE card")..];
        let card = &card[..card.find("</section>").unwrap()];
        for title in ["Texas Professional Engineer", "Florida Professional Engineer"] {
            assert!(card.contains(title), "{title} in {card}");
            assert!(ce.contains(title), "the CE page shows {title} too");
        }
        assert!(card.contains("In progress") && card.contains(" PDH</span>"), "status and figures in words: {card}");
        assert!(card.contains("href=\"/ce\""), "a link to the CE page");
        // Each figure is the CE page's own total for the period (one evaluation, two views).
        let figures: Vec<&str> =
            card.split("<span class=\"ce-figures\">").skip(1).map(|s| &s[..s.find('<').unwrap()]).collect();
        assert_eq!(figures.len(), 2, "{card}");
        for figure in figures {
            assert!(ce.contains(&format!("total-text\">{figure}")), "the CE page's total is {figure}");
        }

        let invoices = &page[page.find("id=\"invoices-h\"").expect("an invoices card")..];
        let invoices = &invoices[..invoices.find("</section>").unwrap()];
        assert!(invoices.contains(&format!("href=\"/invoices/{}/pay\"", open.id)), "{invoices}");
        assert!(invoices.contains(&format!("Due {}", open.due_on)), "{invoices}");
        assert!(invoices.contains("Paid 20"), "earlier payments as receipts: {invoices}");

        // An account without a membership has neither card.
        let mut admin = t.signed_in(ADMIN).await;
        let page = admin.get("/dashboard").await.body;
        assert!(!page.contains("id=\"ce-h\"") && !page.contains("id=\"invoices-h\""));
    }
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_and_only_to_a_page_of_this_site() {
    for t in TestApp::each_engine().await {
        let mut visitor = t.client();
        assert_eq!(visitor.get("/ce?x=1").await.location(), "/sign-in?next=%2Fce%3Fx%3D1");
        assert_eq!(visitor.get("/dashboard").await.location(), "/sign-in", "the dashboard is where sign-in goes");
        let form = visitor.get("/sign-in?next=%2Fce%3Fx%3D1").await.body;
        assert!(form.contains("<input type=\"hidden\" name=\"next\" value=\"/ce?x=1\">"), "{form}");
        let refused = visitor.get("/sign-in?next=%2F%2Fevil.example").await.body;
        assert!(!refused.contains("name=\"next\""), "another site is not carried");

        let cases = [
            ("/ce?x=1", "/ce?x=1"),
            ("//evil.example", "/dashboard"),
            ("https://evil.example/", "/dashboard"),
            ("/\\evil.example", "/dashboard"),
            ("/\t/evil.example", "/dashboard"),
            ("", "/dashboard"),
        ];
        // Every sign-in counts toward the per-account limit (5 in 15 minutes): spread over two.
        for (i, (next, expected)) in cases.into_iter().enumerate() {
            let mut browser = t.client();
            browser.get("/sign-in").await;
            let email = if i % 2 == 0 { OFFICER } else { STAFF };
            let r = browser.post_form("/sign-in", &[("email", email), ("password", PASSWORD), ("next", next)]).await;
            assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, expected), "{next:?}");
        }

        // Through two-factor sign-in too.
        let mut member = t.signed_in(MEMBER).await;
        let (key, _) = crate::two_factor::turn_on(&t, &mut member).await;
        for (next, expected) in [("/profile", "/profile"), ("//evil.example", "/dashboard")] {
            let mut phone = t.client();
            phone.get("/sign-in").await;
            let r = phone.post_form("/sign-in", &[("email", MEMBER), ("password", PASSWORD), ("next", next)]).await;
            let step = r.location().to_string();
            assert!(step.starts_with("/sign-in/two-factor"), "{step}");
            let form = phone.get(&step).await.body;
            assert_eq!(form.contains("name=\"next\""), next == "/profile", "{form}");
            t.app.clock.advance(31);
            let code = crate::two_factor::app_code(&key, t.app.clock.unix());
            let r = phone.post_form("/sign-in/two-factor", &[("code", &code), ("next", next)]).await;
            assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, expected), "{next:?}: {}", r.body);
        }
    }
}

/// Every action code the code base writes to the audit log (the literals handed to
/// `audit_entry`, or set as an entry's `action`), read from the source.
fn audit_actions_in_source() -> std::collections::BTreeSet<String> {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths = Vec::new();
    for krate in ["app", "store", "web", "cli"] {
        files(&root.join("crates").join(krate).join("src"), &mut paths);
    }
    let is_code = |s: &str| {
        s.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        })
    };
    let mut codes = std::collections::BTreeSet::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in ["audit_entry(", "action: \"", "entry(\""] {
            for (at, _) in text.match_indices(marker) {
                // The call's arguments (an `if … { "a" } else { "b" }` included), up to `;`.
                let rest = &text[at + marker.len() - usize::from(marker.ends_with('"'))..];
                let call = &rest[..rest.find(';').unwrap_or(rest.len()).min(400)];
                for literal in call.split('"').skip(1).step_by(2) {
                    if is_code(literal) {
                        codes.insert(literal.to_string());
                    }
                }
            }
        }
    }
    codes
}

#[test]
fn every_audit_action_the_code_base_writes_has_a_sentence() {
    let known: std::collections::BTreeSet<&str> =
        guildhall_app::society::audit::ACTIONS.iter().map(|(code, _)| *code).collect();
    let written = audit_actions_in_source();
    assert!(written.len() >= 40, "the source scan finds the actions: {written:?}");
    for each_way in ["application.rejected", "member.invitation_accepted", "privacy.retention_due"] {
        assert!(written.contains(each_way), "the scan reads {each_way}: {written:?}");
    }
    let missing: Vec<&String> = written.iter().filter(|c| !known.contains(c.as_str())).collect();
    assert!(missing.is_empty(), "add a sentence to guildhall_app::society::audit::ACTIONS for {missing:?}");
}
