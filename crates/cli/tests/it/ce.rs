//! Continuing education through the web: logging activities with evidence, the
//! compliance bars of every licence, transcripts and audit packets, credentials, the
//! staff compliance report, staff-defined programmes and CE reminders.

use std::io::Read;

use axum::http::{Method, StatusCode};

use crate::harness::*;
use guildhall_domain::membership::InvoiceStatus;

/// A file field of a multipart form: (field, file name, bytes).
type FilePart<'a> = (&'a str, &'a str, &'a [u8]);
/// A refused activity: its fields, its file, and what the page must say.
type BadCase<'a> = (Vec<(&'a str, &'a str)>, Option<FilePart<'a>>, &'a str);

const CERTIFICATE: &[u8] = b"%PDF-1.4\n% Certificate of completion: Ethics for engineers\n%%EOF\n";

/// How many requirement bars of this id are met on the page.
fn met_bars(html: &str, requirement: &str) -> usize {
    html.matches(&format!("class=\"ce-bar met\" data-requirement=\"{requirement}\"")).count()
}

fn bars(html: &str, requirement: &str) -> usize {
    html.matches(&format!("data-requirement=\"{requirement}\"")).count()
}

/// The keys of the credentials shown on a CE page (`licence-12`, …), in page order.
fn credential_keys(html: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for part in html.split("id=\"cred-").skip(1) {
        let key = part.split('"').next().unwrap().to_string();
        if !key.ends_with("-h") && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

async fn maya_member_id(t: &TestApp) -> i64 {
    let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
    t.store.member_by_user(user.id).await.unwrap().unwrap().id
}

fn ethics_webinar(today: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", "Ethics for engineers (webinar)".into()),
        ("kind", "webinar_live".into()),
        ("date", today.into()),
        ("quantity", "1".into()),
        ("unit", "hour".into()),
        ("topics", "ethics".into()),
        ("provider", "State Society of PEs".into()),
    ]
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_member_licensed_in_two_states_logs_an_ethics_webinar_and_both_ethics_bars_fill() {
    for t in TestApp::each_engine().await {
        let today = t.app.clock.today().to_string();
        let mut maya = t.signed_in(MEMBER).await;
        let before = maya.get("/ce").await;
        assert_eq!(before.status, StatusCode::OK);
        assert!(
            before.body.contains("Texas Professional Engineer")
                && before.body.contains("Florida Professional Engineer")
        );
        assert_eq!(bars(&before.body, "ethics"), 2, "an ethics bar for each licence");
        assert_eq!(met_bars(&before.body, "ethics"), 0, "ethics outstanding in both before");
        assert!(before.body.contains("1 PDH of ethics by"), "what she still needs, in words");

        let fields = ethics_webinar(&today);
        let r = maya
            .post_multipart("/ce/activities", &as_refs(&fields), Some(("evidence", "ethics cert.pdf", CERTIFICATE)))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/ce?notice=logged#ledger");

        let after = maya.get("/ce?notice=logged").await.body;
        assert_eq!(
            met_bars(&after, "ethics"),
            2,
            "one webinar fills the ethics bar of both licences on {:?}",
            t.engine
        );
        assert!(after.contains("Ethics for engineers (webinar)") && after.contains("ethics-cert.pdf"));
        assert!(!after.contains("1 PDH of ethics by"));

        // The audit packet of the Texas licence's current period holds the transcript and the certificate.
        let keys = credential_keys(&after);
        assert_eq!(keys.len(), 2, "{keys:?}");
        let (status, headers, bytes) = maya.get_bytes(&format!("/ce/documents/{}/audit-packet.zip", keys[0])).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/zip");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
        let evidence = names.iter().find(|n| n.starts_with("evidence/") && n.ends_with("ethics-cert.pdf"));
        let evidence = evidence.unwrap_or_else(|| panic!("certificate in the packet: {names:?}")).clone();
        let mut content = Vec::new();
        zip.by_name(&evidence).unwrap().read_to_end(&mut content).unwrap();
        assert_eq!(content, CERTIFICATE, "the evidence file comes back byte for byte");
        let mut csv = String::new();
        zip.by_name("transcript.csv").unwrap().read_to_string(&mut csv).unwrap();
        assert!(csv.contains("Ethics for engineers (webinar)") && csv.contains("ethics"), "{csv}");
        let mut manifest = String::new();
        zip.by_name("manifest.txt").unwrap().read_to_string(&mut manifest).unwrap();
        assert!(manifest.contains("keep until") && manifest.contains("sha256"), "{manifest}");
        let mut pdf = Vec::new();
        zip.by_name("transcript.pdf").unwrap().read_to_end(&mut pdf).unwrap();
        // pdf-writer writes text as hex strings.
        let hex: String = b"Ethics for engineers (webinar)".iter().map(|b| format!("{b:02X}")).collect();
        let text = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-") && text.contains(&hex), "the PDF names the webinar");

        let (status, headers, csv) = maya.get_bytes(&format!("/ce/documents/{}/transcript.csv", keys[1])).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-disposition"].to_str().unwrap().contains("us-fl-pe"));
        assert!(String::from_utf8(csv).unwrap().contains("Ethics for engineers (webinar)"));

        // Others: the officer of her chapter cannot see her CE record; staff can; nobody else's links work.
        let maya_id = maya_member_id(&t).await;
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get(&format!("/members/{maya_id}/ce")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            officer.get(&format!("/ce/documents/{}/audit-packet.zip", keys[0])).await.status,
            StatusCode::NOT_FOUND
        );
        let mut staff = t.signed_in(STAFF).await;
        let seen = staff.get(&format!("/members/{maya_id}/ce")).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(seen.body.contains("Maya Okafor") && !seen.body.contains("Log an activity"), "staff look, read-only");
        let evidence_id: i64 = after.split("/ce/evidence/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let (status, _, bytes) = staff.get_bytes(&format!("/members/{maya_id}/ce/evidence/{evidence_id}")).await;
        assert_eq!((status, bytes.as_slice()), (StatusCode::OK, CERTIFICATE));
        assert_eq!(officer.get(&format!("/ce/evidence/{evidence_id}")).await.status, StatusCode::NOT_FOUND);

        let audit = staff.get("/staff/audit?action=ce.activity_logged").await.body;
        assert!(audit.contains("Ethics for engineers (webinar)"), "logging is in the audit trail");
    }
}

#[tokio::test]
async fn bad_activities_are_refused_with_reasons_and_nothing_is_logged() {
    for t in TestApp::each_engine().await {
        let maya_id = maya_member_id(&t).await;
        let count = || async { t.store.ce_ledger(maya_id).await.unwrap().activities.len() };
        let before = count().await;
        let mut maya = t.signed_in(MEMBER).await;
        let tomorrow = (t.app.clock.today() + time::Duration::days(1)).to_string();
        let today = t.app.clock.today().to_string();
        let cases: Vec<BadCase> = vec![
            (
                vec![("title", ""), ("kind", "webinar_live"), ("date", &today), ("quantity", "1")],
                None,
                "Say what the activity was",
            ),
            (
                vec![("title", "X"), ("kind", "webinar_live"), ("date", &tomorrow), ("quantity", "1")],
                None,
                "in the future",
            ),
            (
                vec![("title", "X"), ("kind", "webinar_live"), ("date", "31/12/2025"), ("quantity", "1")],
                None,
                "is not a date",
            ),
            (
                vec![("title", "X"), ("kind", "webinar_live"), ("date", &today), ("quantity", "lots")],
                None,
                "must be a number",
            ),
            (vec![("title", "X"), ("kind", "webinar_live"), ("date", &today), ("quantity", "0")], None, "more than 0"),
            (vec![("title", "X"), ("kind", "séance"), ("date", &today), ("quantity", "1")], None, "Choose what kind"),
            (
                vec![
                    ("title", "X"),
                    ("kind", "course"),
                    ("date", &today),
                    ("quantity", "1"),
                    ("sessions", "yesterday=3"),
                ],
                None,
                "date = hours",
            ),
            (
                vec![("title", "X"), ("kind", "course"), ("date", &today), ("quantity", "1")],
                Some(("evidence", "cert.pdf", b"<html><script>alert(1)</script></html>".as_slice())),
                "must be a PDF or an image",
            ),
            (
                vec![
                    ("title", "X"),
                    ("kind", "course"),
                    ("date", &today),
                    ("quantity", "1"),
                    ("other_topics", "<b>bold</b>"),
                ],
                None,
                "not a usable topic",
            ),
        ];
        for (fields, file, message) in cases {
            let r = maya.post_multipart("/ce/activities", &fields, file).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            assert!(r.body.contains(message), "{fields:?} should say {message:?}");
            assert!(r.body.contains("There is a problem"), "the error summary is shown");
        }
        let too_big = vec![b'%'; 11 * 1024 * 1024];
        let mut big = too_big.clone();
        big[..5].copy_from_slice(b"%PDF-");
        let r = maya
            .post_multipart(
                "/ce/activities",
                &[("title", "X"), ("kind", "course"), ("date", &today), ("quantity", "1")],
                Some(("evidence", "huge.pdf", &big)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("larger than 10 MiB"));
        // A forged form (no CSRF token) is refused before anything is read.
        let mut forged = t.signed_in(MEMBER).await;
        forged.cookies.insert("gh_csrf".into(), "forged".into());
        let r = forged.post_multipart("/ce/activities", &[("title", "X")], None).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(count().await, before, "nothing was logged on {:?}", t.engine);

        // Multi-day courses: each day's hours on its own date.
        let two_days_ago = (t.app.clock.today() - time::Duration::days(2)).to_string();
        let yesterday = format!("{}=3.5", t.app.clock.today() - time::Duration::days(1));
        let r = maya
            .post_multipart(
                "/ce/activities",
                &[
                    ("title", "Two-day seminar"),
                    ("kind", "course"),
                    ("date", &two_days_ago),
                    ("quantity", "4"),
                    ("sessions", &yesterday),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = maya.get("/ce").await.body;
        assert!(page.contains("Two-day seminar") && page.contains("7.5 hours") && page.contains("(3.5 h)"), "{page}");
        // Deleting an activity is the member's alone.
        let ledger = t.store.ce_ledger(maya_id).await.unwrap();
        let id = ledger.activities.iter().find(|a| a.title == "Two-day seminar").unwrap().id;
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(
            officer.post_form(&format!("/ce/activities/{id}/delete"), &[("confirmed", "yes")]).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            maya.post_form(&format!("/ce/activities/{id}/delete"), &[("confirmed", "yes")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(count().await, before);
    }
}

#[tokio::test]
async fn members_add_and_remove_licences_and_certifications() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        // Programmes offered for a certification: certifications' rule sets only (licences and
        // registrations go by jurisdiction; exams and model laws are not held).
        let page = maya.get("/ce").await.body;
        for offered in ["PMI-PMP", "GBCI-LEED-AP", "ASQ-CQE"] {
            assert!(page.contains(&format!("<option value=\"{offered}\">")), "{offered} offered");
        }
        for not_offered in ["UK-ENGC", "US-NY-PE", "NCEES-SE-EXAM", "NCEES-MODEL-CPC", "US-TX-PE"] {
            assert!(!page.contains(&format!("<option value=\"{not_offered}\">")), "{not_offered} not offered");
        }
        let r = maya
            .post_form(
                "/ce/credentials",
                &[
                    ("source", "licence"),
                    ("jurisdiction", "us-nc"),
                    ("kind", "PE"),
                    ("number", "NC-4411"),
                    ("issued", "2019-05-01"),
                    ("expires", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = maya.get("/ce").await.body;
        assert!(page.contains("North Carolina Professional Engineer") && page.contains("NC-4411"));
        // The same vocabulary as the join form and the CSV import: P.Eng however it is
        // written, a province's code in any case; the licence finds Ontario's rules.
        let r = maya
            .post_form(
                "/ce/credentials",
                &[("source", "licence"), ("jurisdiction", "ca-on"), ("kind", "P.Eng"), ("issued", "2018-03-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = maya.get("/ce").await.body;
        assert!(page.contains("Professional Engineers Ontario"), "the P.Eng licence is judged by PEO's rules");

        let r = maya
            .post_form(
                "/ce/credentials",
                &[
                    ("source", "licence"),
                    ("jurisdiction", "Texas!"),
                    ("kind", "XX"),
                    ("issued", "2999-01-01"),
                    ("expires", "2000-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for message in ["code such as US-TX", "kind of licence", "cannot be in the future", "must be after"] {
            assert!(r.body.contains(message), "{message}");
        }
        let r = maya
            .post_form(
                "/ce/credentials",
                &[("source", "certification"), ("ruleset", "US-TX-PE-NOPE"), ("issued", "2020-01-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = maya
            .post_form(
                "/ce/credentials",
                &[("source", "certification"), ("ruleset", "PMI-PMP"), ("number", "PMP-1"), ("issued", "2024-03-15")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = maya.get("/ce").await.body;
        assert!(page.contains("Project Management Professional"), "the PMP is judged by PMI's rules");
        let keys = credential_keys(&page);
        let pmp = keys.iter().find(|k| k.starts_with("certification-")).unwrap();

        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(
            officer.post_form(&format!("/ce/credentials/{pmp}/delete"), &[("confirmed", "yes")]).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            maya.post_form(&format!("/ce/credentials/{pmp}/delete"), &[("confirmed", "yes")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert!(!maya.get("/ce").await.body.contains(&format!("id=\"cred-{pmp}\"")), "removed");
        let mut staff = t.signed_in(STAFF).await;
        let audit = staff.get("/staff/audit").await.body;
        assert!(audit.contains("ce.credential_added") && audit.contains("ce.credential_removed"));
    }
}

#[tokio::test]
async fn the_staff_compliance_report_says_who_is_short_of_what() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/compliance").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Texas") && page.body.contains("Maya Okafor"), "Maya is short of ethics");
        let csv = staff.get("/staff/compliance.csv?ruleset=US-TX-PE").await.body;
        assert!(
            csv.starts_with("Member number,Member,Licence or certification,Held,Status,Period ends,Short of,Missing")
        );
        let maya_row = csv.lines().find(|l| l.contains("Maya Okafor")).expect("Maya's Texas licence is listed");
        assert!(maya_row.contains("Ethics 1"), "{maya_row}");
        assert!(csv.lines().skip(1).all(|l| l.contains("licence, Texas")), "the filter applies");

        let mut maya = t.signed_in(MEMBER).await;
        let today = t.app.clock.today().to_string();
        let fields = ethics_webinar(&today);
        assert_eq!(maya.post_multipart("/ce/activities", &as_refs(&fields), None).await.status, StatusCode::SEE_OTHER);
        let csv = staff.get("/staff/compliance.csv?ruleset=US-TX-PE").await.body;
        let maya_row = csv.lines().find(|l| l.contains("Maya Okafor")).unwrap_or("");
        assert!(!maya_row.contains("Ethics"), "the report follows the ledger: {maya_row}");

        let mut member = t.signed_in(MEMBER).await;
        assert_eq!(member.get("/staff/compliance").await.status, StatusCode::FORBIDDEN);
    }
}

const PROGRAMME: &str = r#"schema_version = "1.0.0"

[[source]]
id = "capital-2026"
title = "Capital Chapter board resolution 2026-02"
kind = "staff"

[[ruleset]]
id = "CAPITAL-BRIDGE-CERT"
version = "2026"
name = "Capital Chapter Bridge Inspection Certificate"
authority = "Capital Chapter"
credential_type = "programme"
jurisdiction = "society"
status = "voluntary"
credit_unit = "PDH"
sources = ["capital-2026"]

[ruleset.cycle]
length_months = 12
anchor = "credential_start"

[ruleset.requirement]
total = 6
sources = ["capital-2026"]

[[ruleset.minimum]]
id = "inspection"
hours = 2
satisfied_by_tags = ["bridge_inspection"]
sources = ["capital-2026"]

[ruleset.carryover]
allowed = false
"#;

#[tokio::test]
async fn staff_define_a_programme_without_code_and_members_follow_it() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let r = staff
            .post_form("/staff/programmes", &[("file_name", "broken.toml"), ("rules", "[[ruleset]]\nid = ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("not a valid rule file"), "{}", r.body);
        let r = staff
            .post_form(
                "/staff/programmes",
                &[("file_name", "us-tx.toml"), ("rules", &PROGRAMME.replace("CAPITAL-BRIDGE-CERT", "US-TX-PE"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "shipped rule sets cannot be replaced");
        let r =
            staff.post_form("/staff/programmes", &[("file_name", "capital-bridge.toml"), ("rules", PROGRAMME)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(staff.get("/staff/programmes").await.body.contains("CAPITAL-BRIDGE-CERT"));

        let mut maya = t.signed_in(MEMBER).await;
        assert!(
            maya.get("/ce").await.body.contains("Capital Chapter Bridge Inspection Certificate"),
            "offered to members"
        );
        let r = maya
            .post_form(
                "/ce/credentials",
                &[("source", "certification"), ("ruleset", "CAPITAL-BRIDGE-CERT"), ("issued", "2026-02-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = maya.get("/ce").await.body;
        assert!(page.contains("data-requirement=\"inspection\""), "the programme's minimum has its bar");

        let mut member = t.signed_in(OFFICER).await;
        assert_eq!(member.post_form("/staff/programmes", &[("rules", PROGRAMME)]).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn ce_reminders_go_out_once_per_offset_while_something_is_short() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let page = maya.get("/ce").await.body;
        // The Florida period's end, from the page.
        let fl = page.split("Florida Professional Engineer").nth(1).unwrap();
        let end: String = fl.split(" to ").nth(1).unwrap().chars().take(10).collect();
        let end = time::Date::parse(&end, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
        let days = (end - t.app.clock.today()).whole_days() - 20;
        t.app.clock.advance(days * 86_400);
        let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
        let address = t.store.member_by_user(user.id).await.unwrap().unwrap().email;
        let before = t.mail_to(&address).await.len();
        assert!(t.app.send_ce_reminders().await.unwrap() > 0);
        let mail = t.mail_to(&address).await;
        assert_eq!(mail.len(), before + 1, "one reminder for the Florida licence (Texas ends later)");
        let last = mail.last().unwrap();
        assert!(last.contains("Florida Professional Engineer") && last.contains("1 PDH of ethics by"), "{last}");
        assert!(
            last.contains("PE licence, Florida") && !last.contains("US-FL") && !last.contains('_'),
            "words: {last}"
        );
        t.app.send_ce_reminders().await.unwrap();
        assert_eq!(t.mail_to(&address).await.len(), before + 1, "each reminder once");
    }
}

#[tokio::test]
async fn credit_from_the_societys_events_arrives_once_with_its_source() {
    for t in TestApp::each_engine().await {
        let maya_id = maya_member_id(&t).await;
        let attended = |reference: &str| guildhall_store::ce::NewCeActivity {
            member_id: maya_id,
            title: "Chapter dinner talk: bridge scour".into(),
            kind: "conference_session".into(),
            tags: "technical".into(),
            occurred_on: Some(t.app.clock.today()),
            quantity_micro: 1_500_000,
            unit: "hour".into(),
            source: "event".into(),
            source_ref: Some(reference.into()),
            ..Default::default()
        };
        let first = t.app.receive_ce_activity(attended("registration-42")).await.unwrap();
        let again = t.app.receive_ce_activity(attended("registration-42")).await.unwrap();
        let guildhall_store::ce::Recorded::New(id) = first else { panic!("first arrival is new: {first:?}") };
        assert_eq!(again, guildhall_store::ce::Recorded::AlreadyRecorded(id), "the same credit counts once");
        let unsourced = guildhall_store::ce::NewCeActivity { source_ref: None, ..attended("x") };
        assert!(t.app.receive_ce_activity(unsourced).await.is_err(), "credit from elsewhere names its source");

        let mut maya = t.signed_in(MEMBER).await;
        let page = maya.get("/ce").await.body;
        assert_eq!(page.matches("Evidence file for Chapter dinner talk: bridge scour").count(), 1, "one ledger row");
        assert!(page.contains("from the society"), "the ledger says where the credit came from, in words");
    }
}

#[tokio::test]
async fn a_personal_target_recorded_on_the_licence_decides_ontario_s_requirement() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let r = maya
            .post_form(
                "/ce/credentials",
                &[("source", "licence"), ("jurisdiction", "CA-ON"), ("kind", "P.ENG"), ("issued", "2015-03-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        let ontario = t
            .store
            .ce_credentials(me.id)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.label == "CA-ON")
            .expect("the Ontario licence")
            .key();
        let section = |page: &str| {
            let start = page.find(&format!("id=\"cred-{ontario}\"")).expect("the Ontario card");
            let end = page[start..].find("</section>").map_or(page.len(), |e| start + e);
            page[start..end].to_string()
        };
        // Without the member's PEAK target the total cannot be decided, and the card says where to give it.
        let card = section(&maya.get("/ce").await.body);
        assert!(card.contains("ce-undecidable"), "{card}");
        assert!(card.contains("PEAK target hours (from your practice evaluation)"), "{card}");

        let fields = format!("/ce/credentials/{ontario}/fields");
        for (value, message) in [("ten", "must be a number"), ("5000", "must be at most 1000")] {
            let r = maya.post_form(&fields, &[("peak_target_hours", value)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{value}");
            assert!(r.body.contains(message), "{value}: {message}");
        }
        let r = maya.post_form(&fields, &[("peak_target_hours", "10")]).await;
        assert_eq!(r.location(), format!("/ce?notice=figures#cred-{ontario}"));
        let card = section(&maya.get("/ce").await.body);
        // (The current period: earlier periods, listed back to 2015, keep their own answers.)
        let current = card.split("<details>").next().unwrap();
        assert!(!current.contains("ce-undecidable"), "decided once the target is known: {card}");
        assert!(card.contains("of 10 "), "the total is the member's own target: {card}");
        assert!(card.contains("value=\"10\""), "the recorded figure is shown: {card}");
        let mut staff = t.signed_in(STAFF).await;
        let log = staff.api(Method::GET, "/api/v1/audit-log?action=ce.credential_fields", None).await.json();
        assert_eq!(log["items"][0]["after"]["fields"], "peak_target_hours=10");
        // Cleared: undecided again.
        maya.post_form(&fields, &[("peak_target_hours", "")]).await;
        assert!(section(&maya.get("/ce").await.body).contains("ce-undecidable"));
    }
}

#[tokio::test]
async fn a_licence_already_on_the_record_is_not_added_twice() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let member = maya_member_id(&t).await;
        let before = t.store.ce_credentials(member).await.unwrap();
        assert!(before.iter().any(|c| c.label == "US-TX" && c.detail == "PE"), "the demo gives her a Texas PE");
        // Her Texas PE again, written as people type it and with another number.
        let r = maya
            .post_form(
                "/ce/credentials",
                &[
                    ("source", "licence"),
                    ("jurisdiction", " us-tx "),
                    ("kind", "pe"),
                    ("number", "TX-999"),
                    ("issued", "2019-05-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}: {}", t.engine, r.body);
        assert!(
            r.body.contains("The record already has a PE licence from Texas (US-TX): a licence is recorded once."),
            "{:?}: {}",
            t.engine,
            r.body
        );
        assert!(r.body.contains("The licence was not added."));
        assert_eq!(t.store.ce_credentials(member).await.unwrap(), before, "{:?}: nothing changed", t.engine);
        let mut staff = t.signed_in(STAFF).await;
        let log = staff.api(Method::GET, "/api/v1/audit-log?action=ce.credential_added", None).await.json();
        assert_eq!(log["items"].as_array().map(Vec::len), Some(0), "{:?}: nothing audited", t.engine);
        // Another kind from the same board is another licence.
        let r = maya
            .post_form(
                "/ce/credentials",
                &[("source", "licence"), ("jurisdiction", "US-TX"), ("kind", "SE"), ("issued", "2019-05-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
    }
}

#[tokio::test]
async fn the_one_statement_ce_reads_agree_and_return_what_was_logged() {
    for t in TestApp::each_engine().await {
        // Maya adds a two-day course (its sessions are rows of their own); then she and the
        // demo society's first sixty members, with their licences and certifications.
        let mut maya = t.signed_in(MEMBER).await;
        let day = |n: i64| (t.app.clock.today() - time::Duration::days(n)).to_string();
        let (first_day, sessions) = (day(11), format!("{}=7\n{}=7", day(11), day(10)));
        let fields = [
            ("title", "Bridge inspection course"),
            ("kind", "course"),
            ("date", first_day.as_str()),
            ("quantity", "14"),
            ("unit", "hour"),
            ("sessions", sessions.as_str()),
        ];
        let r = maya.post_multipart("/ce/activities", &fields, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (mut checked_sessions, mut checked_dashboards) = (0, 0);
        for member_id in 1..=60 {
            let Some(_) = t.store.member_by_id(member_id).await.unwrap() else { continue };
            let (credentials, ledger) = t.store.ce_evaluation_input(member_id).await.unwrap();
            assert_eq!(
                credentials,
                t.store.ce_credentials(member_id).await.unwrap(),
                "{:?}: member {member_id}",
                t.engine
            );
            let full = t.store.ce_ledger(member_id).await.unwrap();
            assert_eq!(ledger.activities, full.activities, "{:?}: member {member_id}", t.engine);
            assert_eq!(ledger.sessions, full.sessions, "{:?}: member {member_id}", t.engine);
            checked_sessions += ledger.sessions.len();
            // The dashboard's one statement reads the same card, CE rows and latest invoices
            // (open first, then newest) as the separate reads.
            let Some(user_id) = t.store.member_by_id(member_id).await.unwrap().and_then(|m| m.user_id) else {
                continue;
            };
            let today = t.app.clock.today();
            let dashboard = t
                .store
                .member_dashboard(user_id, today, t.app.clock.unix(), 4)
                .await
                .unwrap()
                .expect("a member's dashboard");
            assert_eq!(Some(dashboard.card), t.store.member_card(user_id, today).await.unwrap(), "{:?}", t.engine);
            assert_eq!(dashboard.ce.0, credentials, "{:?}: member {member_id}", t.engine);
            assert_eq!(dashboard.ce.1.activities, ledger.activities, "{:?}: member {member_id}", t.engine);
            assert_eq!(dashboard.ce.1.sessions, ledger.sessions, "{:?}: member {member_id}", t.engine);
            let mut invoices = t.store.member_invoices(member_id).await.unwrap();
            invoices.sort_by_key(|i| (i.status != InvoiceStatus::Open, std::cmp::Reverse((i.issued_on, i.id))));
            invoices.truncate(4);
            assert_eq!(dashboard.recent_invoices, invoices, "{:?}: member {member_id}", t.engine);
            checked_dashboards += 1;
        }
        assert!(checked_dashboards > 0, "{:?}: some of these members have accounts", t.engine);
        assert!(checked_sessions > 0, "{:?}: some of these members attended multi-day courses", t.engine);
        // And what was read is what Maya logged: the course with its two days, to the hour.
        let (_, ledger) = t.store.ce_evaluation_input(1).await.unwrap();
        let course = ledger.activities.iter().find(|a| a.title == "Bridge inspection course").expect("the course");
        assert_eq!((course.kind.as_str(), course.quantity_micro, course.unit.as_str()), ("course", 14_000_000, "hour"));
        let days: Vec<_> = ledger
            .sessions
            .iter()
            .filter(|s| s.activity_id == course.id)
            .map(|s| (s.session_on.to_string(), s.hours_micro))
            .collect();
        assert_eq!(days, [(day(11), 7_000_000), (day(10), 7_000_000)], "{:?}", t.engine);
    }
}
