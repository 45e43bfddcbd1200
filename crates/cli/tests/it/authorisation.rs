//! Every role against every route: allowed, refused, or sent to sign in. The server
//! decides; nothing here relies on what a template shows or hides.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

/// What a role gets from a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 200 (or the page's own success)
    Ok,
    /// 303 to /dashboard: signed-in people skip sign-in and join pages
    ToDashboard,
    /// 303 to /sign-in
    SignIn,
    Forbidden,
    /// 401 from the API
    Unauthorised,
}
use Outcome::*;

enum Call {
    Get(String),
    Form(String, &'static [(&'static str, &'static str)]),
    Json(Method, String, serde_json::Value),
}

/// (route, anonymous, member, chapter officer, staff, admin)
/// `own` is a member of the officer's chapter, `other` of another chapter.
fn matrix(own: i64, other: i64) -> Vec<(Call, [Outcome; 5])> {
    let page = [SignIn, Ok, Ok, Ok, Ok];
    let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
    let admin = [SignIn, Forbidden, Forbidden, Forbidden, Ok];
    let api_any = [Unauthorised, Ok, Ok, Ok, Ok];
    let api_staff = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
    let api_admin = [Unauthorised, Forbidden, Forbidden, Forbidden, Ok];
    let public = [Ok; 5];
    let guest_only = [Ok, ToDashboard, ToDashboard, ToDashboard, ToDashboard];
    vec![
        (Call::Get("/".into()), public),
        (Call::Get("/healthz".into()), public),
        (Call::Get("/static/app.css".into()), public),
        (Call::Get("/static/brand.css".into()), public),
        (Call::Get("/password/forgot".into()), public),
        (Call::Get("/sign-in".into()), guest_only),
        (Call::Get("/sign-up".into()), guest_only),
        (Call::Get("/dashboard".into()), page),
        // The officer holds office in chapter 1 only.
        (Call::Get("/chapters/1".into()), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get("/chapters/2".into()), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get("/staff".into()), staff),
        (Call::Get("/directory".into()), page),
        (Call::Get("/staff/reports".into()), staff),
        (Call::Get("/staff/approvals".into()), staff),
        (Call::Get("/staff/import".into()), staff),
        (Call::Get("/staff/reports/by-chapter.csv".into()), staff),
        (Call::Get("/staff/members".into()), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{own}")), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{other}")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get(format!("/members/{own}/edit")), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{other}/edit")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get("/staff/audit".into()), staff),
        (Call::Get("/staff/mail".into()), staff),
        (Call::Get("/staff/mail/1".into()), staff),
        (Call::Get("/admin/accounts".into()), admin),
        (Call::Get("/admin/settings".into()), admin),
        (Call::Get("/admin/tokens".into()), admin),
        (Call::Form("/admin/accounts/1/role".into(), &[("role", "member")]), admin),
        (
            Call::Form(
                "/admin/settings".into(),
                &[("name", "Test Society"), ("tagline", ""), ("primary_colour", "#224466"), ("logo_url", "")],
            ),
            admin,
        ),
        (Call::Form("/admin/tokens".into(), &[("name", "Matrix"), ("role", "member"), ("chapter_id", "")]), admin),
        (Call::Get("/api/openapi.json".into()), public),
        (Call::Get("/api/v1/me".into()), api_any),
        (Call::Get("/api/v1/chapters".into()), api_any),
        (Call::Get("/api/v1/audit-log".into()), api_staff),
        (Call::Get("/api/v1/mail".into()), api_staff),
        (Call::Get("/api/v1/accounts".into()), api_admin),
        (Call::Json(Method::PUT, "/api/v1/accounts/1/role".into(), json!({ "role": "member" })), api_admin),
    ]
}

fn outcome_of(response: &TestResponse) -> Outcome {
    match response.status {
        StatusCode::OK => Ok,
        StatusCode::SEE_OTHER if response.location() == "/sign-in" => SignIn,
        StatusCode::SEE_OTHER if response.location() == "/dashboard" => ToDashboard,
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::UNAUTHORIZED => Unauthorised,
        other => panic!("unexpected {other} (location {:?}): {}", response.location(), response.body),
    }
}

#[tokio::test]
async fn every_role_on_every_route() {
    for t in TestApp::each_engine().await {
        t.app
            .store
            .enqueue_mail(
                &guildhall_store::NewMail { to_address: MEMBER.into(), subject: "Hi".into(), body_text: "x".into() },
                0,
            )
            .await
            .unwrap();
        let mut clients = vec![t.client()];
        for email in [MEMBER, OFFICER, STAFF, ADMIN] {
            clients.push(t.signed_in(email).await);
        }
        let roles = ["anonymous", "member", "officer", "staff", "admin"];
        let in_chapter =
            |chapter: i64| guildhall_store::MemberFilter { chapter_id: Some(chapter), ..Default::default() };
        let page = guildhall_store::PageRequest::new(1, 1);
        let own = t.app.store.search_members(&in_chapter(1), page).await.unwrap().items[0].id;
        let other = t.app.store.search_members(&in_chapter(2), page).await.unwrap().items[0].id;
        for (call, expected) in matrix(own, other) {
            for (i, client) in clients.iter_mut().enumerate() {
                let (label, response) = match &call {
                    Call::Get(path) => (format!("GET {path}"), client.get(path).await),
                    Call::Form(path, fields) => (format!("POST {path}"), client.post_form(path, fields).await),
                    Call::Json(method, path, body) => {
                        (format!("{method} {path}"), client.api(method.clone(), path, Some(body.clone())).await)
                    }
                };
                assert_eq!(outcome_of(&response), expected[i], "{label} as {} on {:?}", roles[i], t.engine);
                if response.status == StatusCode::FORBIDDEN && !label.contains("/api/") {
                    assert!(response.body.contains("You cannot open this page"), "{label}: a refusal explains itself");
                }
            }
        }
    }
}

#[tokio::test]
async fn api_tokens_act_with_at_most_their_role_and_only_within_their_chapter() {
    for t in TestApp::each_engine().await {
        let admin = t.app.actor_for_session(&sign_in_token(&t, ADMIN).await).await.unwrap().unwrap();
        let member_token = t.app.issue_api_token(&admin, "Newsletter", "member", None, "req").await.unwrap();
        let admin_token = t.app.issue_api_token(&admin, "Back office", "admin", None, "req").await.unwrap();
        let r = api_with_token(&t.router, Method::GET, "/api/v1/accounts", &member_token.secret, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a member token cannot list accounts even for an admin");
        let r = api_with_token(&t.router, Method::GET, "/api/v1/accounts", &admin_token.secret, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["total"].as_i64().unwrap() >= 4);

        // A staff member cannot mint an admin token.
        let staff = t.app.actor_for_session(&sign_in_token(&t, STAFF).await).await.unwrap().unwrap();
        assert!(t.app.issue_api_token(&staff, "Escalate", "admin", None, "req").await.is_err());

        // An officer's token scoped to another chapter carries no office.
        let officer = t.app.actor_for_session(&sign_in_token(&t, OFFICER).await).await.unwrap().unwrap();
        assert_eq!(officer.officer_of, vec![1]);
        let officer_row = t.app.store.user_by_email(OFFICER).await.unwrap().unwrap();
        for (chapter, offices) in [(Some(1), vec![1]), (Some(2), vec![]), (None, vec![])] {
            let secret = format!("gh_test_{}_{chapter:?}", officer_row.id);
            let audit = t.app.audit_entry(&admin, "api_token.issued", "api_token", "req");
            t.app
                .store
                .create_api_token(
                    &guildhall_store::NewApiToken {
                        token_hash: guildhall_app::crypto::hash_token(&secret),
                        name: "Chapter tool".into(),
                        user_id: officer_row.id,
                        role: "member".into(),
                        chapter_id: chapter,
                        expires_at: None,
                    },
                    0,
                    &audit,
                )
                .await
                .unwrap();
            let me = api_with_token(&t.router, Method::GET, "/api/v1/me", &secret, None).await.json();
            assert_eq!(me["officer_of"], json!(offices), "token scoped to {chapter:?}");
        }

        t.app.revoke_api_token(&admin, admin_token.id, "req").await.unwrap();
        let r = api_with_token(&t.router, Method::GET, "/api/v1/me", &admin_token.secret, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a revoked token stops working");
        assert_eq!(r.json()["error"]["code"], "unauthenticated");
    }
}

async fn sign_in_token(t: &TestApp, email: &str) -> String {
    let client = t.signed_in(email).await;
    client.cookies.get("gh_session").cloned().unwrap()
}
