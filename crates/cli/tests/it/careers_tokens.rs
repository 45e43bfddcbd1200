//! Employers' API tokens over HTTP, on both engines: an owner issues one on the employer's
//! tokens page (its secret shown once, the issue audited); the employer's applicant-tracking
//! system posts and reads that employer's jobs with it, and nothing else (no other
//! employer's jobs, no member record, no applying, no other part of the API); revoking it,
//! or the issuing owner leaving the employer, stops it.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::careers::{employer, texas_job, write_job};
use crate::harness::*;

/// The secret a freshly issued token's page shows once.
fn secret_on(body: &str) -> String {
    body.split("<code class=\"secret\">").nth(1).and_then(|s| s.split('<').next()).expect("the secret is shown").into()
}

fn new_job(employer: i64) -> serde_json::Value {
    json!({
        "employer_id": employer,
        "title": "Bridge inspector",
        "description": "Inspect county bridges.",
        "discipline": "civil",
        "career_stage": "eit",
        "jurisdiction": "US-TX",
        "remote": "on_site",
        "salary_min": "70000",
        "salary_max": "85000",
        "pay_period": "year",
        "submit": true
    })
}

#[tokio::test]
async fn an_employer_token_posts_only_its_employers_jobs_and_stops_when_revoked() {
    for t in TestApp::each_engine().await {
        let mut owner = t.signed_in(OFFICER).await;
        let brazos = employer(&mut owner, "Brazos Bridges").await;
        let other = employer(&mut owner, "Other Works").await;
        let tokens = format!("/employer/{brazos}/tokens");

        // Issued on the page: the secret once, then only its name.
        let r = owner.post_form(&tokens, &[("name", "Greenhouse"), ("expires_days", "")]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}: {}", t.engine, r.body);
        let secret = secret_on(&r.body);
        assert!(secret.starts_with("gh_"));
        let page = owner.get(&tokens).await.body;
        assert!(page.contains("Greenhouse") && page.contains("Live") && !page.contains(&secret));
        let mut staff = t.signed_in(STAFF).await;
        let issued = audit(&mut staff, "api_token.issued").await.to_string();
        assert!(issued.contains("Brazos Bridges: Greenhouse"), "{issued}");
        // Bad input is refused and names the field; nothing is issued.
        let r = owner.post_form(&tokens, &[("name", ""), ("expires_days", "9999")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Name the token") && r.body.contains("1 to 3650 days"), "{}", r.body);

        // The employer's system posts a job, sent for review, and reads it back.
        let call = |method: Method, path: String, body: Option<serde_json::Value>| {
            let (router, secret) = (t.router.clone(), secret.clone());
            async move { api_with_token(&router, method, &path, &secret, body).await }
        };
        let r = call(Method::POST, "/api/v1/jobs".into(), Some(new_job(brazos))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let job = r.json();
        assert_eq!(
            (job["employer"].as_str(), job["state"].as_str()),
            (Some("Brazos Bridges"), Some("waiting_for_review"))
        );
        let id = job["id"].as_i64().unwrap();
        let r = call(Method::GET, format!("/api/v1/jobs/{id}"), None).await;
        assert_eq!(
            (r.status, r.json()["state"].as_str().map(str::to_string)),
            (StatusCode::OK, Some("waiting_for_review".into()))
        );
        assert!(r.json().get("qualification").is_none(), "no member record behind an employer's token");
        assert_eq!(call(Method::GET, "/api/v1/jobs".into(), None).await.status, StatusCode::OK);

        // Not another employer's, even one its issuer recruits for: as to anyone who does not
        // recruit for it, that employer does not exist.
        let r = call(Method::POST, "/api/v1/jobs".into(), Some(new_job(other))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(t.store.employer_jobs(other).await.unwrap().len(), 0);
        let theirs = write_job(&mut owner, other, &texas_job("Draft elsewhere"), false).await;
        assert_eq!(call(Method::GET, format!("/api/v1/jobs/{theirs}"), None).await.status, StatusCode::NOT_FOUND);
        // Nothing of the person who issued it, and nothing else of the API.
        for (method, path) in [
            (Method::GET, "/api/v1/me".to_string()),
            (Method::GET, "/api/v1/members/me".into()),
            (Method::GET, "/api/v1/chapters".into()),
            (Method::GET, "/api/v1/salary/benchmark?discipline=civil".into()),
            (Method::GET, "/api/v1/jobs?qualified=true".into()),
            (Method::POST, format!("/api/v1/jobs/{id}/applications")),
        ] {
            let r = call(method.clone(), path.clone(), Some(json!({}))).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {}", r.body);
            assert!(r.body.contains("employer"), "{}", r.body);
        }
        assert_eq!(staff.get(&format!("/staff/jobs/{id}")).await.status, StatusCode::OK, "in the review queue");

        // Revoking asks first, then stops it at once.
        let token = t.store.employer_api_tokens(brazos).await.unwrap()[0].token.id;
        let revoke = format!("{tokens}/{token}/revoke");
        assert!(owner.get(&revoke).await.body.contains("Revoke “Greenhouse”?"));
        let r = owner.post_form(&revoke, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "without confirming, the confirmation again");
        assert_eq!(call(Method::GET, format!("/api/v1/jobs/{id}"), None).await.status, StatusCode::OK);
        let r = owner.post_form(&revoke, &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(call(Method::GET, "/api/v1/jobs".into(), None).await.status, StatusCode::UNAUTHORIZED);
        assert!(owner.get(&tokens).await.body.contains("Revoked"));
        assert_eq!(owner.post_form(&revoke, &[("confirmed", "yes")]).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn only_owners_issue_and_a_token_ends_with_its_issuers_place() {
    for t in TestApp::each_engine().await {
        let mut owner = t.signed_in(OFFICER).await;
        let brazos = employer(&mut owner, "Brazos Bridges").await;
        let tokens = format!("/employer/{brazos}/tokens");
        // Maya recruits, but does not own the account: she may not issue a token.
        let r = owner.post_form(&format!("/employer/{brazos}/recruiters"), &[("email", MEMBER)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.get(&tokens).await.status, StatusCode::FORBIDDEN);
        assert_eq!(maya.post_form(&tokens, &[("name", "Mine")]).await.status, StatusCode::FORBIDDEN);
        // Staff see and revoke an employer's tokens but cannot issue one (it would act for nobody
        // who recruits for it).
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(staff.get(&tokens).await.status, StatusCode::OK);
        assert_eq!(staff.post_form(&tokens, &[("name", "Staff's")]).await.status, StatusCode::FORBIDDEN);

        // A second owner issues one; once the first owner removes them, it stops working.
        let r = owner.post_form(&format!("/employer/{brazos}/recruiters"), &[("email", ADMIN), ("owner", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mut admin = t.signed_in(ADMIN).await;
        let secret = secret_on(&admin.post_form(&tokens, &[("name", "Workday"), ("expires_days", "30")]).await.body);
        let r = api_with_token(&t.router, Method::POST, "/api/v1/jobs", &secret, Some(new_job(brazos))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}: {}", t.engine, r.body);
        // An administrator's employer token is still only the employer's.
        let r = api_with_token(&t.router, Method::GET, "/api/v1/accounts", &secret, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let admin_id = t.store.user_by_email(ADMIN).await.unwrap().unwrap().id;
        let r =
            owner.post_form(&format!("/employer/{brazos}/recruiters/{admin_id}/remove"), &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = api_with_token(&t.router, Method::GET, "/api/v1/jobs", &secret, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // A token with a life ends with it.
        let short = secret_on(&owner.post_form(&tokens, &[("name", "Trial"), ("expires_days", "30")]).await.body);
        let r = api_with_token(&t.router, Method::GET, "/api/v1/jobs", &short, None).await;
        assert_eq!(r.status, StatusCode::OK);
        t.app.clock.advance(31 * 86_400);
        let r = api_with_token(&t.router, Method::GET, "/api/v1/jobs", &short, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let mut owner = t.signed_in(OFFICER).await;
        assert!(owner.get(&tokens).await.body.contains("Expired"));
    }
}
