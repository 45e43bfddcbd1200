//! The API as an integration sees it: token in, JSON out, the same answers on both engines.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn an_integration_reads_with_a_token_and_gets_the_same_answers_on_both_engines() {
    let mut answers = Vec::new();
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let page =
            admin.post_form("/admin/tokens", &[("name", "Reporting"), ("role", "staff"), ("chapter_id", "")]).await;
        assert!(page.body.contains("Copy this token now"));
        let secret = page.body.split("<code class=\"secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert!(secret.starts_with("gh_"));
        let again = admin.get("/admin/tokens").await;
        assert!(!again.body.contains(&secret), "the secret is shown once");

        let me = api_with_token(&t.router, Method::GET, "/api/v1/me", &secret, None).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["role"], "staff", "the token's role, below its owner's");
        let chapters = api_with_token(&t.router, Method::GET, "/api/v1/chapters", &secret, None).await.json();
        let names: Vec<String> =
            chapters.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(names.len(), 6);
        let accounts = api_with_token(&t.router, Method::GET, "/api/v1/accounts", &secret, None).await;
        assert_eq!(accounts.status, StatusCode::FORBIDDEN, "a staff token cannot administer");
        answers.push((names, me.json()["email"].clone()));
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "SQLite and PostgreSQL agree");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_state_changing_request_with_an_idempotency_key_is_answered_once() {
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let key = [("Idempotency-Key", "role-change-0001")];
        let path = "/api/v1/accounts/1/role";
        let first = admin.api_with_headers(Method::PUT, path, Some(json!({ "role": "staff" })), &key).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert!(first.headers.get("idempotent-replayed").is_none());
        let again = admin.api_with_headers(Method::PUT, path, Some(json!({ "role": "staff" })), &key).await;
        assert_eq!((again.status, again.body.as_str()), (first.status, first.body.as_str()), "the first answer again");
        assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
        let changes = audit(&mut admin, "account.role_changed").await["total"].as_i64().unwrap();
        assert_eq!(changes, 1, "changed once on {:?}", t.engine);

        let other = admin.api_with_headers(Method::PUT, path, Some(json!({ "role": "admin" })), &key).await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(other.body.contains("used with a different request"), "{}", other.body);
        assert_eq!(t.store.user_by_id(1).await.unwrap().unwrap().role, "staff", "nothing changed");

        // Twenty at once with one new key: one runs, the others wait their turn or replay it.
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let mut admin = admin.clone();
            set.spawn(async move {
                let key = [("Idempotency-Key", "role-change-0002")];
                admin.api_with_headers(Method::PUT, path, Some(json!({ "role": "member" })), &key).await
            });
        }
        let answers = set.join_all().await;
        for r in &answers {
            assert!(matches!(r.status, StatusCode::OK | StatusCode::CONFLICT), "{} {}", r.status, r.body);
        }
        let ran =
            answers.iter().filter(|r| r.status == StatusCode::OK && r.headers.get("idempotent-replayed").is_none());
        assert_eq!(ran.count(), 1, "exactly one ran on {:?}", t.engine);
        let changes = audit(&mut admin, "account.role_changed").await["total"].as_i64().unwrap();
        assert_eq!(changes, 2, "one more change");
    }
}

#[tokio::test]
async fn members_are_searched_and_read_through_the_api_as_on_the_staff_pages() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let all = staff.api(Method::GET, "/api/v1/members?per_page=5", None).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        let all = all.json();
        assert_eq!(all["items"].as_array().unwrap().len(), 5);
        let total = all["total"].as_i64().unwrap();
        assert!(total > 100, "{total}");

        // The same filters as the staff search, and the same answer as the page.
        let lapsed = staff.api(Method::GET, "/api/v1/members?standing=lapsed&per_page=200", None).await.json();
        let items = lapsed["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.iter().all(|m| m["standing"] == "lapsed"));
        let bad = staff.api(Method::GET, "/api/v1/members?standing=asleep", None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"]["message"], "Choose a standing from the list.");

        // One member's record, with licences and terms; the officer sees only their chapter.
        let id = items[0]["id"].as_i64().unwrap();
        let member = staff.api(Method::GET, &format!("/api/v1/members/{id}"), None).await;
        assert_eq!(member.status, StatusCode::OK);
        let member = member.json();
        assert_eq!(member["member_number"], items[0]["member_number"]);
        assert!(member["terms"].as_array().is_some_and(|t| !t.is_empty()));
        let mut officer = t.signed_in(OFFICER).await;
        let theirs = officer.api(Method::GET, "/api/v1/members?per_page=200", None).await.json();
        let chapters: std::collections::BTreeSet<i64> =
            theirs["items"].as_array().unwrap().iter().map(|m| m["home_chapter_id"].as_i64().unwrap()).collect();
        assert_eq!(chapters.len(), 1, "an officer's search stays in their chapter: {chapters:?}");
        let missing = staff.api(Method::GET, "/api/v1/members/99999999", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let nonsense = staff.api(Method::GET, "/api/v1/members/-3", None).await;
        assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);

        // A member reads their own record as `me`, and the tiers with what each asks.
        let mut maya = t.signed_in(MEMBER).await;
        let me = maya.api(Method::GET, "/api/v1/members/me", None).await.json();
        assert_eq!(me["first_name"], "Maya");
        assert!(me["licences"].as_array().is_some_and(|l| !l.is_empty()));
        let tiers = maya.api(Method::GET, "/api/v1/tiers", None).await.json();
        let student = tiers.as_array().unwrap().iter().find(|t| t["code"] == "student").unwrap();
        assert_eq!(student["reviewed"], true, "student dues rest on the applicant's word");
        assert_eq!(student["requirements"][0], "current enrolment in an engineering programme");

        // She renews through the API: one open renewal invoice, however often she asks.
        let first = maya.api(Method::POST, "/api/v1/members/me/renewal", None).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let again = maya.api(Method::POST, "/api/v1/members/me/renewal", None).await.json();
        assert_eq!(again["id"], first.json()["id"]);
        let open = maya.api(Method::GET, "/api/v1/members/me/invoices?status=open", None).await.json();
        assert_eq!(open.as_array().unwrap().len(), 1);
        assert_eq!(open[0]["id"], again["id"]);
        let bad = maya.api(Method::GET, "/api/v1/members/me/invoices?status=unpaid", None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let paid = maya.api(Method::GET, "/api/v1/members/me/payments", None).await.json();
        assert!(paid.as_array().is_some_and(|p| !p.is_empty()), "her earlier years were paid");

        // Her CE evaluation through the API is the CE page's: the same credentials and status.
        let ce = maya.api(Method::GET, "/api/v1/members/me/ce/evaluation", None).await;
        assert_eq!(ce.status, StatusCode::OK, "{}", ce.body);
        let ce = ce.json();
        let credentials = ce["credentials"].as_array().unwrap();
        assert!(credentials.len() >= 2, "both of her licences are tracked: {ce}");
        let page = maya.get("/ce").await.body;
        for c in credentials {
            assert!(page.contains(c["status_words"].as_str().unwrap()), "{c}");
            assert!(c["periods"].as_array().is_some_and(|p| !p.is_empty()));
        }
        let same = staff.api(Method::GET, &format!("/api/v1/members/{}/ce/evaluation", ce["member_id"]), None).await;
        assert_eq!(same.json()["credentials"], ce["credentials"], "staff see what she sees");
    }
}

#[tokio::test]
async fn staff_read_the_approvals_queue_with_each_applicant_s_evidence() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let queue = staff.api(Method::GET, "/api/v1/approvals", None).await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        let queue = queue.json();
        let page = staff.get("/staff/approvals").await.body;
        let items = queue.as_array().unwrap();
        assert!(!items.is_empty());
        for a in items {
            assert!(page.contains(a["member_number"].as_str().unwrap()), "{a} is on the page too");
        }
        // Every application for a tier resting on the applicant's word carries what they gave.
        for a in items.iter().filter(|a| a["tier"] == "Student" || a["tier"] == "Retired") {
            assert!(a["evidence"].as_array().is_some_and(|e| !e.is_empty()), "{a}");
        }
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.api(Method::GET, "/api/v1/approvals", None).await.status, StatusCode::FORBIDDEN);
    }
}

/// A JSON body must be an object: an array (which serde would read as a struct whose
/// fields are all optional) is refused by every operation that takes one, before anything
/// changes. Each such operation in the OpenAPI document is tried, as an administrator.
#[tokio::test]
async fn every_operation_taking_a_json_object_refuses_an_array() {
    let t = TestApp::each_engine().await.into_iter().next().unwrap();
    let mut admin = t.signed_in(ADMIN).await;
    let doc = t.client().get("/api/openapi.json").await.json();
    let mut tried = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"].as_object() else { continue };
            if !content.contains_key("application/json") {
                continue;
            }
            // Path parameters: the first member, event, chapter… (1), `me` where it may be.
            let concrete: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let answer = admin.api(method.clone(), &concrete, Some(json!([]))).await;
            assert!(
                matches!(
                    answer.status,
                    StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND
                ),
                "{method} {concrete} answered {} to []: {}",
                answer.status,
                answer.body
            );
            tried += 1;
        }
    }
    assert!(tried >= 20, "only {tried} operations take JSON");
}
