//! The API's CE, chapters and officers, tokens and accounts, society and privacy operations:
//! every role against every operation, then what an integrator relies on (an activity
//! posted through the API is credited, evidence is checked like on the page and goes with
//! its activity, a member reaches only their own ledger, a token does no more than its owner).

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::authorisation::{Call, Outcome, role_clients, run_matrix};
use crate::authorisation::{Forbidden, Invalid, NotFound, Ok, Unauthorised};
use crate::harness::*;

const PROGRAMME: &str = "schema_version = \"1.0.0\"\n[[source]]\nid = \"a\"\ntitle = \"API\"\nkind = \"staff\"\n\
    [[ruleset]]\nid = \"API-CERT\"\nversion = \"1\"\nname = \"API certificate\"\nauthority = \"Society\"\n\
    credential_type = \"programme\"\njurisdiction = \"society\"\nstatus = \"voluntary\"\ncredit_unit = \"PDH\"\n\
    sources = [\"a\"]\n[ruleset.cycle]\nlength_months = 12\nanchor = \"calendar_year\"\n[ruleset.requirement]\n\
    total = 4\nsources = [\"a\"]\n[ruleset.carryover]\nallowed = false\n";

const PDF: &[u8] = b"%PDF-1.4 certificate of completion";

/// A multipart API upload with the session cookie and the CSRF header (as a browser script would).
async fn upload(client: &mut Client, path: &str, file_name: &str, bytes: &[u8]) -> TestResponse {
    let boundary = "----guildhall-api-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = client
        .request(Method::POST, path)
        .header("x-csrf-token", client.csrf())
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    client.send(request).await
}

fn status_outcome(status: StatusCode) -> Outcome {
    match status {
        StatusCode::OK | StatusCode::CREATED | StatusCode::NO_CONTENT => Ok,
        StatusCode::UNAUTHORIZED => Unauthorised,
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::NOT_FOUND => NotFound,
        StatusCode::UNPROCESSABLE_ENTITY => Invalid,
        other => panic!("unexpected {other}"),
    }
}

struct Fixture {
    maya: i64,
    other: i64,
    licence: String,
    activity: i64,
    evidence: i64,
    office: i64,
    token: i64,
    mail: i64,
}

async fn fixture(t: &TestApp) -> Fixture {
    let page = guildhall_store::PageRequest::new(1, 1);
    let in_chapter = |chapter: i64| guildhall_store::MemberFilter { chapter_id: Some(chapter), ..Default::default() };
    let other = t.store.search_members(&in_chapter(2), page).await.unwrap().items[0].id;
    let maya = t.store.member_by_user(1).await.unwrap().unwrap();
    let licence = t.store.ce_credentials(maya.id).await.unwrap()[0].key();
    let activity = t.store.ce_ledger(maya.id).await.unwrap().activities[0].id;
    let file = guildhall_store::ce::NewCeEvidence {
        file_name: "certificate.pdf".into(),
        content_type: "application/pdf".into(),
        sha256: String::new(),
        content: PDF.to_vec(),
        retain_until: t.app.clock.today(),
    };
    let evidence = t.store.add_ce_evidence(maya.id, activity, &file, 0).await.unwrap();
    let office = t.store.list_officer_terms().await.unwrap()[0].id;
    let admin = t.store.user_by_email(ADMIN).await.unwrap().unwrap();
    let audit = guildhall_store::NewAuditEntry { action: "api_token.issued".into(), ..Default::default() };
    let token = guildhall_store::NewApiToken {
        token_hash: guildhall_app::crypto::hash_token("gh_matrix_spare"),
        name: "Spare".into(),
        user_id: admin.id,
        role: "member".into(),
        chapter_id: None,
        expires_at: None,
        employer_id: None,
    };
    let token = t.store.create_api_token(&token, 0, &audit).await.unwrap();
    let mail = guildhall_store::NewMail {
        to_address: MEMBER.into(),
        subject: "Hi".into(),
        body_text: "x".into(),
        attachment: None,
    };
    let mail = t.store.enqueue_mail(&mail, 0).await.unwrap();
    Fixture { maya: maya.id, other, licence, activity, evidence, office, token, mail }
}

fn matrix(f: &Fixture) -> Vec<(Call, [Outcome; 5])> {
    let (maya, other, licence, activity, evidence) = (f.maya, f.other, &f.licence, f.activity, f.evidence);
    let any = [Unauthorised, Ok, Ok, Ok, Ok];
    let staff = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
    let admin = [Unauthorised, Forbidden, Forbidden, Forbidden, Ok];
    // `me`: the demo member and officer have a membership record, staff and the administrator none.
    let own = [Unauthorised, Ok, Ok, NotFound, NotFound];
    let hers_or_staff = [Unauthorised, Ok, Forbidden, Ok, Ok];
    let hers_only = [Unauthorised, Ok, Forbidden, Forbidden, Forbidden];
    // Maya's own records through `me`: the officer's own ledger has no such record.
    let hers_through_me = [Unauthorised, Ok, NotFound, NotFound, NotFound];
    let get = |p: String| Call::Get(p);
    let json = |m: Method, p: String, b: serde_json::Value| Call::Json(m, p, b);
    let activity_body = json!({"title": "Matrix webinar", "kind": "webinar_live", "date": "2026-01-05", "quantity": 1});
    let base = format!("/api/v1/members/{maya}/ce");
    vec![
        // CE reads
        (get("/api/v1/members/me/ce/credentials".into()), own),
        (get(format!("{base}/credentials")), hers_or_staff),
        (get(format!("/api/v1/members/{other}/ce/credentials")), [Unauthorised, Forbidden, Forbidden, Ok, Ok]),
        (get(format!("{base}/credentials/{licence}")), hers_or_staff),
        (get(format!("{base}/credentials/{licence}/transcript.pdf")), hers_or_staff),
        (get(format!("{base}/credentials/{licence}/transcript.csv")), hers_or_staff),
        (get(format!("{base}/credentials/{licence}/audit-packet.zip")), hers_or_staff),
        (get("/api/v1/members/me/ce/activities".into()), own),
        (get(format!("{base}/activities")), hers_or_staff),
        (get(format!("/api/v1/members/{other}/ce/activities")), [Unauthorised, Forbidden, Forbidden, Ok, Ok]),
        (get(format!("{base}/activities/{activity}")), hers_or_staff),
        (get(format!("{base}/activities/{activity}/evidence/{evidence}")), hers_or_staff),
        (get(format!("/api/v1/members/me/ce/activities/{activity}/evidence/{evidence}")), hers_through_me),
        (get("/api/v1/ce/compliance?status=in_progress&per_page=5".into()), staff),
        (get("/api/v1/ce/programmes".into()), staff),
        (
            json(Method::POST, "/api/v1/ce/programmes".into(), json!({"file_name": "api.toml", "rules": PROGRAMME})),
            staff,
        ),
        (get("/api/v1/ce/programmes/API-CERT".into()), staff),
        // CE writes: only the member, on their own record
        (
            json(
                Method::POST,
                "/api/v1/members/me/ce/credentials".into(),
                json!({"source": "licence", "jurisdiction": "US-OH", "kind": "PE", "issued": "2020-01-01"}),
            ),
            own,
        ),
        (
            json(
                Method::POST,
                format!("{base}/credentials"),
                json!({"source": "licence", "jurisdiction": "US-WA", "kind": "PE", "issued": "2020-01-01"}),
            ),
            hers_only,
        ),
        (json(Method::PATCH, format!("{base}/credentials/{licence}"), json!({"fields": {}})), hers_only),
        (json(Method::POST, "/api/v1/members/me/ce/activities".into(), activity_body.clone()), own),
        (json(Method::POST, format!("{base}/activities"), activity_body.clone()), hers_only),
        (
            json(Method::POST, format!("/api/v1/members/{other}/ce/activities"), activity_body),
            [Unauthorised, Forbidden, Forbidden, Forbidden, Forbidden],
        ),
        // Chapters and officers
        (get("/api/v1/chapters/1".into()), [Unauthorised, Forbidden, Ok, Ok, Ok]),
        (get("/api/v1/chapters/2".into()), staff),
        (get("/api/v1/chapters/1/officers".into()), staff),
        (
            json(
                Method::POST,
                "/api/v1/chapters/1/officers".into(),
                json!({"email": MEMBER, "title": "Matrix secretary", "starts_on": "2030-01-01"}),
            ),
            // The administrator's repeat would hold the same office over the same days.
            [Unauthorised, Forbidden, Forbidden, Ok, Invalid],
        ),
        (json(Method::POST, format!("/api/v1/officers/{}/end", f.office), json!({"ends_on": "2030-12-31"})), staff),
        (get("/api/v1/officer-fields".into()), staff),
        (json(Method::PUT, "/api/v1/officer-fields".into(), json!({"fields": ["phone", "city"]})), staff),
        // Accounts and tokens
        (get("/api/v1/accounts/1".into()), admin),
        (get("/api/v1/tokens".into()), admin),
        (json(Method::POST, "/api/v1/tokens".into(), json!({"name": "Matrix", "role": "member"})), admin),
        (Call::Json(Method::DELETE, format!("/api/v1/tokens/{}", f.token), json!(null)), admin),
        // Society
        (get("/api/v1/settings".into()), admin),
        (json(Method::PATCH, "/api/v1/settings".into(), json!({"tagline": "Engineers together"})), admin),
        (get(format!("/api/v1/mail/{}", f.mail)), staff),
        // Privacy
        (get("/api/v1/me/consents".into()), any),
        (get("/api/v1/me/data".into()), any),
        (
            json(Method::POST, "/api/v1/me/consents/999999/withdraw".into(), json!(null)),
            [Unauthorised, NotFound, NotFound, NotFound, NotFound],
        ),
        (get("/api/v1/erasure-requests".into()), staff),
        // Deleting comes last.
        (
            Call::Json(Method::DELETE, format!("/api/v1/members/me/ce/activities/{activity}"), json!(null)),
            hers_through_me,
        ),
        (
            Call::Json(Method::DELETE, format!("/api/v1/members/me/ce/credentials/{licence}"), json!(null)),
            hers_through_me,
        ),
        (json(Method::POST, "/api/v1/me/erasure-request".into(), json!(null)), any),
    ]
}

#[tokio::test]
async fn every_role_on_every_ce_chapter_account_society_and_privacy_operation() {
    for t in TestApp::each_engine().await {
        let f = fixture(&t).await;
        let mut clients = role_clients(&t).await;
        // Evidence uploads (multipart): Maya's own activity, by her id and through `me`.
        let rows = [
            (
                format!("/api/v1/members/{}/ce/activities/{}/evidence", f.maya, f.activity),
                [Ok, Forbidden, Forbidden, Forbidden],
            ),
            (format!("/api/v1/members/me/ce/activities/{}/evidence", f.activity), [Ok, NotFound, NotFound, NotFound]),
        ];
        for (path, expected) in rows {
            let r = upload(&mut t.client(), &path, "c.pdf", PDF).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} anonymously");
            for (client, want) in clients[1..].iter_mut().zip(expected) {
                let r = upload(client, &path, "c.pdf", PDF).await;
                assert_eq!(status_outcome(r.status), want, "{path}: {}", r.body);
            }
        }
        run_matrix(&t, &mut clients, matrix(&f)).await;
    }
}

/// The key of one of Maya's credentials the rules track, through the API.
async fn tracked_credential(member: &mut Client) -> String {
    let page = member.api(Method::GET, "/api/v1/members/me/ce/credentials?per_page=200", None).await.json();
    let tracked =
        page["items"].as_array().unwrap().iter().find(|c| c["tracked"] == true).expect("a tracked credential");
    tracked["key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_activity_posted_through_the_api_is_credited_and_checked_like_the_form() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let key = tracked_credential(&mut maya).await;
        let today = t.app.clock.today().to_string();
        let before =
            maya.api(Method::GET, "/api/v1/members/me/ce/activities", None).await.json()["total"].as_i64().unwrap();

        // The form's rules: a kind from the list, a date that has passed, an amount above 0.
        let tomorrow = (t.app.clock.today() + time::Duration::days(1)).to_string();
        let bad = json!({"title": " ", "kind": "karaoke", "date": tomorrow, "quantity": 0});
        let r = maya.api(Method::POST, "/api/v1/members/me/ce/activities", Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields = &r.json()["error"]["fields"];
        for field in ["title", "kind", "date", "quantity"] {
            assert!(fields[field].as_str().is_some_and(|m| !m.is_empty()), "{field} is explained: {fields}");
        }
        assert!(fields["date"].as_str().unwrap().contains("future"), "{fields}");
        let after =
            maya.api(Method::GET, "/api/v1/members/me/ce/activities", None).await.json()["total"].as_i64().unwrap();
        assert_eq!(after, before, "a refused activity is not logged");

        let good = json!({"title": "Bridge inspection seminar", "kind": "course", "date": today, "quantity": 2.5,
                          "topics": ["technical"], "provider": "State society"});
        let r = maya.api(Method::POST, "/api/v1/members/me/ce/activities", Some(good)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let activity = r.json();
        assert_eq!(activity["kind_words"], "Course or seminar (in person)");
        assert_eq!(activity["quantity"], "2.5 hours");
        assert_eq!(activity["date"], today.as_str());

        // The transcript of the current period credits it.
        let (status, _, csv) = maya.get_bytes(&format!("/api/v1/members/me/ce/credentials/{key}/transcript.csv")).await;
        assert_eq!(status, StatusCode::OK);
        let csv = String::from_utf8(csv).unwrap();
        let line =
            csv.lines().find(|l| l.contains("Bridge inspection seminar")).expect("the activity is on the transcript");
        assert!(line.contains("2.5"), "credited with its hours: {line}");
    }
}

#[tokio::test]
async fn evidence_is_checked_like_on_the_page_and_goes_with_its_activity() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let body = json!({"title": "Ethics webinar", "kind": "webinar_live", "date": "2026-01-05", "quantity": 1});
        let r = maya.api(Method::POST, "/api/v1/members/me/ce/activities", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/members/me/ce/activities/{id}/evidence");

        let r = upload(&mut maya, &path, "notes.pdf", b"<html><script>alert(1)</script>").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.json()["error"]["fields"]["evidence"].as_str().unwrap().contains("PDF or an image"));
        let activity = maya.api(Method::GET, &format!("/api/v1/members/me/ce/activities/{id}"), None).await.json();
        assert_eq!(activity["evidence"], json!([]), "a refused file is not kept");

        let r = upload(&mut maya, &path, "../certificate.pdf", PDF).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let evidence = r.json();
        assert_eq!(evidence["content_type"], "application/pdf");
        assert_eq!(evidence["file_name"], "certificate.pdf");
        let evidence_id = evidence["id"].as_i64().unwrap();
        let file = format!("/api/v1/members/me/ce/activities/{id}/evidence/{evidence_id}");
        let (status, headers, bytes) = maya.get_bytes(&file).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(bytes, PDF);
        // Only under its own activity.
        let other_activity = t.store.ce_ledger(t.store.member_by_user(1).await.unwrap().unwrap().id).await.unwrap();
        let elsewhere = other_activity.activities.iter().find(|a| a.id != id).unwrap().id;
        let r = maya.get(&format!("/api/v1/members/me/ce/activities/{elsewhere}/evidence/{evidence_id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let r = maya.api(Method::DELETE, &format!("/api/v1/members/me/ce/activities/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(maya.get(&file).await.status, StatusCode::NOT_FOUND, "its evidence went with it");
        let maya_id = t.store.member_by_user(1).await.unwrap().unwrap().id;
        assert!(
            t.store.ce_evidence_file(maya_id, evidence_id).await.unwrap().is_none(),
            "and is gone from the database"
        );
        let r = maya.api(Method::DELETE, &format!("/api/v1/members/me/ce/activities/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "deleted once");
    }
}

#[tokio::test]
async fn a_member_reaches_only_their_own_ledger() {
    for t in TestApp::each_engine().await {
        let page = guildhall_store::PageRequest::new(1, 50);
        let filter = guildhall_store::MemberFilter { chapter_id: Some(2), ..Default::default() };
        let mut other = None;
        for m in t.store.search_members(&filter, page).await.unwrap().items {
            if let Some(a) = t.store.ce_ledger(m.id).await.unwrap().activities.first() {
                other = Some((m.id, a.id));
                break;
            }
        }
        let (other, activity) = other.expect("a member of chapter 2 with an activity");
        let mut maya = t.signed_in(MEMBER).await;
        let r = maya.get(&format!("/api/v1/members/{other}/ce/activities")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("visible to them and to staff"));
        let r = maya.get(&format!("/api/v1/members/{other}/ce/activities/{activity}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Through `me`, another member's activity is simply not in her ledger.
        assert_eq!(
            maya.get(&format!("/api/v1/members/me/ce/activities/{activity}")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = maya.api(Method::DELETE, &format!("/api/v1/members/me/ce/activities/{activity}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = maya.api(Method::DELETE, &format!("/api/v1/members/{other}/ce/activities/{activity}"), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(t.store.ce_ledger(other).await.unwrap().activities.iter().any(|a| a.id == activity), "still there");

        // Staff read it but do not change it (as on the pages).
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(
            staff.get(&format!("/api/v1/members/{other}/ce/activities/{activity}")).await.status,
            StatusCode::OK
        );
        let r = staff.api(Method::DELETE, &format!("/api/v1/members/{other}/ce/activities/{activity}"), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_token_never_does_more_than_its_owner() {
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let r = admin
            .api(
                Method::POST,
                "/api/v1/tokens",
                Some(json!({"name": "Newsletter", "role": "member", "expires_days": 30.0})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let issued = r.json();
        let secret = issued["secret"].as_str().unwrap().to_string();
        assert_eq!(issued["token"]["role"], "member");
        assert_eq!(issued["token"]["state"], "live");
        assert!(issued["token"]["expires_at"].as_str().is_some_and(|at| at.contains('T')), "an ISO 8601 instant");

        // The member-role token of an administrator acts as a member.
        let me = api_with_token(&t.router, Method::GET, "/api/v1/me", &secret, None).await.json();
        assert_eq!(me["role"], "member");
        for path in ["/api/v1/tokens", "/api/v1/settings", "/api/v1/ce/compliance", "/api/v1/erasure-requests"] {
            let r = api_with_token(&t.router, Method::GET, path, &secret, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        let escalate = json!({"name": "Escalate", "role": "admin"});
        let r = api_with_token(&t.router, Method::POST, "/api/v1/tokens", &secret, Some(escalate.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a member token issues no tokens");

        // A staff member cannot issue tokens at all; an administrator's answer names the rule.
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(staff.api(Method::POST, "/api/v1/tokens", Some(escalate)).await.status, StatusCode::FORBIDDEN);
        let r = admin.api(Method::POST, "/api/v1/tokens", Some(json!({"name": "Odd", "role": "overlord"}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["error"]["fields"]["role"].is_string());

        let id = issued["token"]["id"].as_i64().unwrap();
        let listed = admin.api(Method::GET, "/api/v1/tokens", None).await.json();
        assert!(
            listed["items"].as_array().unwrap().iter().any(|t| t["id"] == id && t["last_used_at"].is_string()),
            "{listed}"
        );
        let r = admin.api(Method::DELETE, &format!("/api/v1/tokens/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = api_with_token(&t.router, Method::GET, "/api/v1/me", &secret, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a revoked token stops working");
        assert_eq!(
            admin.api(Method::DELETE, &format!("/api/v1/tokens/{id}"), None).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn lists_page_and_programmes_and_officers_are_checked_like_their_pages() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        for bad in ["per_page=0", "per_page=201", "page=0", "per_page=1.5", "page=two"] {
            let r = staff.get(&format!("/api/v1/ce/compliance?{bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        // A whole number written with a zero fraction is that number, as JSON Schema counts it.
        let report = staff.get("/api/v1/ce/compliance?per_page=2.0&page=1.0").await.json();
        assert_eq!((report["per_page"].as_i64(), report["page"].as_i64()), (Some(2), Some(1)));
        assert!(report["items"].as_array().unwrap().len() <= 2);
        assert!(report["total"].as_i64().unwrap() >= report["items"].as_array().unwrap().len() as i64);
        if let Some(row) = report["items"].as_array().unwrap().first() {
            assert!(!row["status_words"].as_str().unwrap().is_empty(), "the status in words beside its code");
        }

        let r = staff.api(Method::POST, "/api/v1/ce/programmes", Some(json!({"rules": "this is = = not toml"}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["error"]["fields"]["rules"].as_str().unwrap().contains("is not a valid rule file"));
        let r = staff.api(Method::POST, "/api/v1/ce/programmes", Some(json!({"rules": PROGRAMME}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["id"], "API-CERT");
        let listed = staff.get("/api/v1/ce/programmes").await.json();
        assert!(listed["items"].as_array().unwrap().iter().any(|p| p["id"] == "API-CERT"));

        let r = staff
            .api(
                Method::POST,
                "/api/v1/chapters/1/officers",
                Some(json!({"email": "nobody@example.org", "title": "Chair", "starts_on": "2030-01-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["error"]["fields"]["email"].as_str().unwrap().contains("must sign up first"));
        let appoint = json!({"email": MEMBER, "title": "Treasurer", "starts_on": "2030-01-01"});
        let r = staff.api(Method::POST, "/api/v1/chapters/999999/officers", Some(appoint.clone())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = staff.api(Method::POST, "/api/v1/chapters/1/officers", Some(appoint)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let term = r.json();
        assert_eq!(term["state"], "starts_later");
        let end = format!("/api/v1/officers/{}/end", term["id"]);
        let r = staff.api(Method::POST, &end, Some(json!({"ends_on": "2029-12-31"}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not before its first day");
        let r = staff.api(Method::POST, &end, Some(json!({"ends_on": "2030-06-30"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["ends_on"], "2030-06-30");
        let audit = audit(&mut staff, "officer.term_ended").await;
        assert!(audit["total"].as_i64().unwrap() >= 1, "ending a term is audited");
    }
}

#[tokio::test]
async fn a_retried_activity_post_with_its_idempotency_key_is_logged_once() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let count = |v: serde_json::Value| v["total"].as_i64().unwrap();
        let before = count(maya.api(Method::GET, "/api/v1/members/me/ce/activities", None).await.json());
        let body = json!({"title": "Retried webinar", "kind": "webinar_live", "date": "2026-02-02", "quantity": 1});
        let key = [("idempotency-key", "activity-2026-02-02")];
        let first =
            maya.api_with_headers(Method::POST, "/api/v1/members/me/ce/activities", Some(body.clone()), &key).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let again = maya.api_with_headers(Method::POST, "/api/v1/members/me/ce/activities", Some(body), &key).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(again.json()["id"], first.json()["id"]);
        let after = count(maya.api(Method::GET, "/api/v1/members/me/ce/activities", None).await.json());
        assert_eq!(after, before + 1, "logged once");
    }
}

#[tokio::test]
async fn a_person_manages_their_consents_data_and_erasure_through_the_api() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let r = maya.post_form("/privacy/consents", &[("purpose", "directory_details")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "consent given on the privacy page");
        let consents = maya.get("/api/v1/me/consents").await.json();
        let items = consents["items"].as_array().unwrap().clone();
        let directory =
            items.iter().find(|c| c["purpose"] == "directory_details").unwrap_or_else(|| panic!("{consents}"));
        assert_eq!(directory["can_withdraw"], true);
        assert!(directory["given_at"].as_str().is_some_and(|at| at.contains('T')), "an ISO 8601 instant");
        let withdraw = format!("/api/v1/me/consents/{}/withdraw", directory["id"]);
        let r = maya.api(Method::POST, &withdraw, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["withdrawn_at"].is_string());
        assert_eq!(r.json()["can_withdraw"], false);
        let r = maya.api(Method::POST, &withdraw, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "withdrawn once");
        let mut staff = t.signed_in(STAFF).await;
        let entries = audit(&mut staff, "privacy.consent_withdrawn").await;
        assert_eq!(entries["total"], 1, "audited: {entries}");

        let (status, headers, zip) = maya.get_bytes("/api/v1/me/data").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
        assert!(zip.starts_with(b"PK"), "a ZIP file");

        let r = maya.api(Method::POST, "/api/v1/me/erasure-request", None).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        assert!(r.json()["requested_at"].is_string());
        let r = maya.api(Method::POST, "/api/v1/me/erasure-request", None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "one request at a time");
        let queue = staff.get("/api/v1/erasure-requests").await.json();
        assert!(queue["items"].as_array().unwrap().iter().any(|r| r["email"] == MEMBER), "{queue}");
    }
}
