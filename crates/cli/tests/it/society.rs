//! The staff area: the audit log, society branding, outgoing mail, request ids, and the
//! API's pagination and OpenAPI document.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn role_changes_are_audited_with_before_and_after_and_filterable() {
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let r = admin.post_form("/admin/accounts/3/role", &[("role", "admin")]).await;
        assert!(r.body.contains("The role was saved."));
        let r = admin.api(Method::PUT, "/api/v1/accounts/1/role", Some(json!({ "role": "staff" }))).await;
        assert_eq!(r.json()["role"], "staff");

        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/audit?action=account.role_changed").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Alex Morgan &#60;admin@demo.guildhall.org&#62;")
                || page.body.contains("Alex Morgan &lt;admin@demo.guildhall.org&gt;"),
            "who"
        );
        assert!(page.body.contains("Priya Natarajan"), "whom");
        let log = staff.api(Method::GET, "/api/v1/audit-log?action=account.role_changed", None).await.json();
        assert_eq!(log["total"], 2);
        let newest = &log["items"][0];
        assert_eq!(
            (newest["before"].clone(), newest["after"].clone()),
            (json!({"role": "member"}), json!({"role": "staff"}))
        );
        assert_eq!(newest["subject_id"], 1);
        assert!(!newest["request_id"].as_str().unwrap().is_empty(), "tied to the request that made it");
        let none = staff.get("/staff/audit?action=society.settings_changed").await;
        assert!(none.body.contains("No changes match these filters."), "empty state");
    }
}

#[tokio::test]
async fn branding_changes_show_on_every_page_and_are_audited() {
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let r = admin
            .post_form(
                "/admin/settings",
                &[
                    ("name", "Ohio Society of PEs"),
                    ("tagline", "Serving Ohio's engineers"),
                    ("primary_colour", "#8B0000"),
                    ("logo_url", ""),
                ],
            )
            .await;
        assert!(r.body.contains("The society settings were saved."), "{}", r.body);
        let mut visitor = t.client();
        let home = visitor.get("/").await;
        assert!(
            home.body.contains("Ohio Society of PEs") && home.body.contains("Serving Ohio&#39;s engineers")
                || home.body.contains("Serving Ohio&#x27;s engineers"),
            "{}",
            home.body
        );
        assert_eq!(visitor.get("/static/brand.css").await.body.trim(), ":root{--brand:#8b0000}");
        let audit = admin.api(Method::GET, "/api/v1/audit-log?action=society.settings_changed", None).await.json();
        assert_eq!(audit["items"][0]["after"]["name"], "Ohio Society of PEs");
        assert_eq!(audit["items"][0]["before"]["name"], "Guildhall Society of Professional Engineers");
    }
}

#[tokio::test]
async fn staff_read_the_local_mailbox_with_pagination() {
    for t in TestApp::each_engine().await {
        for i in 0..55 {
            t.store
                .enqueue_mail(
                    &guildhall_store::NewMail {
                        to_address: format!("m{i}@example.org"),
                        subject: format!("Notice {i}"),
                        body_text: "Body".into(),
                        attachment: None,
                    },
                    i,
                )
                .await
                .unwrap();
        }
        let mut staff = t.signed_in(STAFF).await;
        let first = staff.get("/staff/mail").await;
        assert!(first.body.contains("Notice 54") && !first.body.contains("Notice 4<"), "newest first, 50 a page");
        assert!(first.body.contains("Page 1 of 2"));
        assert!(first.body.contains("kept here in the local mailbox"));
        let second = staff.get("/staff/mail?page=2").await;
        assert!(second.body.contains("Notice 0") && second.body.contains("Page 2 of 2"));
        let api = staff.api(Method::GET, "/api/v1/mail?per_page=10&page=3", None).await.json();
        assert_eq!(
            (api["total"].as_i64(), api["page"].as_i64(), api["items"].as_array().unwrap().len()),
            (Some(55), Some(3), 10)
        );
        let message = staff.get("/staff/mail/1").await;
        assert!(message.body.contains("Notice 0") && message.body.contains("m0@example.org"));
        // Filtered by recipient (case-insensitive): only their mail, however much else is queued.
        let theirs = staff.get("/staff/mail?to=M7%40Example.org").await;
        assert!(theirs.body.contains("Notice 7<") && !theirs.body.contains("Notice 54"), "only mail to m7@");
        assert!(theirs.body.contains("value=\"m7@example.org\""), "the filter stays in the form");
        let nobody = staff.get("/staff/mail?to=nobody%40example.org").await;
        assert!(nobody.body.contains("No mail to nobody@example.org."));
    }
}

#[tokio::test]
async fn only_administrators_see_sign_in_links_in_the_mailbox_and_never_for_an_administrator() {
    for t in TestApp::each_engine().await {
        let mut visitor = t.client();
        for email in [ADMIN, MEMBER] {
            visitor.post_form("/password/forgot", &[("email", email)]).await;
        }
        let mut staff = t.signed_in(STAFF).await;
        let mut admin = t.signed_in(ADMIN).await;
        for (reader, to, shown) in
            [(STAFF, ADMIN, false), (STAFF, MEMBER, false), (ADMIN, ADMIN, false), (ADMIN, MEMBER, true)]
        {
            let reader = if reader == STAFF { &mut staff } else { &mut admin };
            let id = t.store.list_mail(Some(to), guildhall_store::PageRequest::new(1, 1)).await.unwrap().items[0].id;
            let message = reader.get(&format!("/staff/mail/{id}")).await.body;
            assert!(message.contains("password"), "{message}");
            assert_eq!(message.contains("token="), shown, "the link in mail to {to} is shown: {message}");
            assert_eq!(message.contains("[link hidden"), !shown, "{message}");
        }
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_security_headers() {
    let t = TestApp::each_engine().await.remove(0);
    let mut visitor = t.client();
    for path in ["/", "/no-such-page", "/api/v1/me"] {
        let r = visitor.get(path).await;
        let id = r.headers.get("x-request-id").expect("request id").to_str().unwrap().to_string();
        assert_eq!(id.len(), 36, "a UUID");
        assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
        if path == "/no-such-page" {
            assert!(r.body.contains(&id), "the error page shows the id people can quote");
        }
    }
}

#[tokio::test]
async fn pages_with_personal_data_are_never_cached_and_over_large_bodies_get_413() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        for path in ["/dashboard", "/profile", "/api/v1/me", "/ce"] {
            let r = maya.get(path).await;
            assert_eq!(r.headers.get("cache-control").unwrap(), "private, no-store", "{path}");
        }
        let css = maya.get("/static/app.css").await;
        assert_eq!(css.headers.get("cache-control").unwrap(), "public, max-age=3600", "stylesheets may be cached");
        let huge = format!("csrf={}&employer={}", maya.csrf(), "x".repeat(3 * 1024 * 1024));
        let r = maya.post_raw("/profile", &huge).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &r.body[..r.body.len().min(300)]);
        assert!(r.body.contains("too large"), "said in words: {}", &r.body[..r.body.len().min(500)]);
    }
}

#[tokio::test]
async fn health_checks_read_and_write_and_a_read_only_database_is_reported() {
    for t in TestApp::each_engine().await {
        let mut visitor = t.client();
        let r = visitor.get("/healthz").await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
        let r = visitor.get("/readyz").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("database write: ok"), "{}", r.body);
    }
    // The same database opened read-only (as a read-only file or a full disk behaves):
    // the checks say so instead of answering "ok" while every sign-in fails.
    let db = guildhall_store::testing::TestDatabase::sqlite().await.unwrap();
    let read_only = guildhall_store::Store::connect(&format!("{}?mode=ro", db.url), &Default::default()).await.unwrap();
    let app = guildhall_app::App::with_store(test_settings(), read_only).await.unwrap();
    let mut visitor = Client::over(guildhall_web::router(app));
    let r = visitor.get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "unhealthy"));
    let r = visitor.get("/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("database read: ok") && r.body.contains("database write: failed"), "{}", r.body);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let t = TestApp::each_engine().await.remove(0);
    let doc = t.client().get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/me",
        "/api/v1/chapters",
        "/api/v1/audit-log",
        "/api/v1/mail",
        "/api/v1/accounts",
        "/api/v1/accounts/{id}/role",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/members/{id}/ce/evaluation",
        "/api/v1/members/{id}/invoices",
        "/api/v1/members/{id}/payments",
        "/api/v1/members/me/renewal",
        "/api/v1/members/{id}/terms",
        "/api/v1/members/{id}/payments/{payment_id}/refunds",
        "/api/v1/members/{id}/links",
        "/api/v1/members/{id}/organisation",
        "/api/v1/members/{id}/groups/{group_id}",
        "/api/v1/members/{id}/ce/credentials",
        "/api/v1/members/{id}/ce/activities",
        "/api/v1/members/{id}/ce/activities/{activity_id}/evidence",
        "/api/v1/members/me/application",
        "/api/v1/members/import",
        "/api/v1/members/export",
        "/api/v1/tiers",
        "/api/v1/groups",
        "/api/v1/groups/{id}/members",
        "/api/v1/chapters/{id}/officers",
        "/api/v1/approvals",
        "/api/v1/approvals/{id}/approve",
        "/api/v1/approvals/{id}/reject",
        "/api/v1/ce/compliance",
        "/api/v1/ce/programmes",
        "/api/v1/reports/membership",
        "/api/v1/tokens",
        "/api/v1/settings",
        "/api/v1/me/data",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    // Every resource the pages manage has its operations: at least 60 of them.
    let operations: usize =
        doc["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum();
    assert!(operations >= 60, "{operations} operations documented");
    // Evidence is uploaded as multipart, as the page's form sends it.
    let upload = &doc["paths"]["/api/v1/members/{id}/ce/activities/{activity_id}/evidence"]["post"]["requestBody"];
    assert!(upload["content"]["multipart/form-data"].is_object(), "{upload}");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());

    // Every parameter is where it really is: a path parameter names a `{…}` of its path, every
    // `{…}` has one, and the rest are query parameters.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let params = operation["parameters"].as_array().cloned().unwrap_or_default();
            for param in &params {
                let name = param["name"].as_str().unwrap();
                match param["in"].as_str().unwrap() {
                    "path" => {
                        assert!(path.contains(&format!("{{{name}}}")), "{method} {path}: {name} is not in the path")
                    }
                    "query" => assert_ne!(param["required"], true, "{method} {path}: query {name} marked required"),
                    other => panic!("{method} {path}: {name} in {other}"),
                }
            }
            for piece in path.split('/').filter(|p| p.starts_with('{')) {
                let name = piece.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    params.iter().any(|p| p["name"] == name && p["in"] == "path"),
                    "{method} {path}: no path parameter {name}"
                );
            }
            let lists = params.iter().any(|p| p["name"] == "per_page");
            if lists {
                assert!(operation["responses"]["400"].is_object(), "{method} {path}: 400 undocumented");
            }
        }
    }
    // The bearer scheme, required by every operation unless it says otherwise.
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(doc["security"][0]["bearer"], serde_json::json!([]));
}

#[tokio::test]
async fn a_page_outside_its_range_or_a_malformed_query_is_a_400_with_the_error_body() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        for query in ["per_page=0", "per_page=201", "page=0", "page=abc", "per_page=-1"] {
            let r = staff.api(Method::GET, &format!("/api/v1/audit-log?{query}"), None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.body);
            assert_eq!(r.json()["error"]["code"], "bad_request", "{query}");
            assert!(!r.json()["error"]["message"].as_str().unwrap().is_empty());
        }
        let r = staff.api(Method::GET, "/api/v1/audit-log?page=1&per_page=200", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["per_page"], 200);
    }
}
