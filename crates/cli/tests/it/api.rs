//! The API as an integration sees it: token in, JSON out, the same answers on both engines.

use axum::http::{Method, StatusCode};

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
