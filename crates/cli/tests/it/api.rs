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
