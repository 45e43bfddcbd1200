//! Malformed and hostile input gets a 4xx and a sentence a person can act on; never a
//! 500, never stored script.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::harness::*;

/// (route, fields, expected message)
type FormCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

fn assert_client_error(r: &TestResponse, label: &str) {
    assert!(r.status.is_client_error(), "{label}: expected 4xx, got {} — {}", r.status, r.body);
}

#[tokio::test]
async fn forms_refuse_missing_overlong_and_malformed_input_with_messages() {
    for t in TestApp::each_engine().await {
        let mut browser = t.client();
        let r = browser.post_form("/sign-up", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for message in ["Enter an email address.", "Enter your name.", "Use at least 10 characters"] {
            assert!(r.body.contains(message), "missing-field message {message:?}");
        }
        assert!(r.body.contains(r#"aria-invalid="true""#), "fields are marked for assistive technology");

        let long_name = "n".repeat(101);
        let long_email = format!("{}@example.org", "e".repeat(300));
        let long_password = "p".repeat(300);
        let cases: Vec<FormCase> = vec![
            (
                "/sign-up",
                vec![("display_name", &long_name), ("email", "a@example.org"), ("password", "long enough pw")],
                "at most 100",
            ),
            (
                "/sign-up",
                vec![("display_name", "A"), ("email", &long_email), ("password", "long enough pw")],
                "at most 254",
            ),
            (
                "/sign-up",
                vec![("display_name", "A"), ("email", "not-an-email"), ("password", "long enough pw")],
                "like name@example.org",
            ),
            (
                "/sign-up",
                vec![("display_name", "A"), ("email", "a@example.org"), ("password", &long_password)],
                "at most 256",
            ),
            ("/sign-in", vec![("email", ""), ("password", "")], "Enter your email address."),
            ("/sign-in", vec![("email", "a@example.org"), ("password", &long_password)], "too long"),
            ("/password/forgot", vec![("email", "<script>")], "Enter the email address"),
        ];
        for (path, fields, message) in cases {
            let r = browser.post_form(path, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {fields:?}");
            assert!(r.body.contains(message), "{path}: expected {message:?} in {}", r.body);
        }

        let r = browser.post_raw("/sign-in", "csrf=%ZZ&&&=").await;
        assert_client_error(&r, "undecodable form");
        let request = browser
            .request(Method::POST, "/sign-in")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let r = browser.send(request).await;
        assert_client_error(&r, "JSON to a form route");
        assert!(r.body.contains("must be sent as a web form"));
        let huge = format!("csrf={}&email={}", browser.csrf(), "x".repeat(3 * 1024 * 1024));
        assert_client_error(&browser.post_raw("/sign-in", &huge).await, "oversized body");
        assert_client_error(&browser.get("/verify-email").await, "verification without a token");
        assert_client_error(&browser.get("/password/reset").await, "reset without a token");

        let mut admin = t.signed_in(ADMIN).await;
        for (path, query) in
            [("/staff/audit", "?page=abc"), ("/staff/audit", "?page=-1"), ("/admin/accounts", "?page=99999999999")]
        {
            let r = admin.get(&format!("{path}{query}")).await;
            assert_client_error(&r, query);
            assert!(r.body.contains("Request id"), "error pages show the request id");
        }
        assert_eq!(admin.get("/chapters/abc").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(admin.get("/chapters/999").await.status, StatusCode::NOT_FOUND);
        assert_eq!(admin.get("/staff/mail/999999").await.status, StatusCode::NOT_FOUND);
        assert_eq!(admin.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
        assert_eq!(admin.get("/admin/tokens/1/revoke").await.status, StatusCode::METHOD_NOT_ALLOWED);

        let bad_settings: [(&[(&str, &str)], &str); 4] = [
            (&[("name", ""), ("primary_colour", "#123456")], "Enter the society"),
            (&[("name", "S"), ("primary_colour", "red")], "six hex digits"),
            (
                &[("name", "S"), ("primary_colour", "#123456"), ("logo_url", "javascript:alert(1)")],
                "must start with https://",
            ),
            (&[("name", "S"), ("primary_colour", "#12345g")], "six hex digits"),
        ];
        for (fields, message) in bad_settings {
            let r = admin.post_form("/admin/settings", fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            assert!(r.body.contains(message), "{message}");
        }
        assert_eq!(t.app.branding().await.name, "Guildhall Society of Professional Engineers", "nothing saved");
        let r = admin.post_form("/admin/tokens", &[("name", ""), ("role", "member"), ("chapter_id", "")]).await;
        assert!(r.body.contains("Name the token"));
        let r = admin.post_form("/admin/tokens", &[("name", "x"), ("role", "member"), ("chapter_id", "abc")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin.post_form("/admin/accounts/1/role", &[("role", "overlord")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("is not a role"));
        let r = admin.post_form("/admin/accounts/4/role", &[("role", "member")]).await;
        assert!(r.body.contains("cannot remove your own administrator role"), "no accidental lock-out");
        assert_eq!(t.store.list_api_tokens().await.unwrap().len(), 0);
    }
}

#[tokio::test]
async fn script_in_names_is_stored_as_text_and_escaped_everywhere_it_is_shown() {
    for t in TestApp::each_engine().await {
        let name = "<script>alert('x')</script> Eve";
        let r = t
            .client()
            .post_form(
                "/sign-up",
                &[("display_name", name), ("email", "eve@example.org"), ("password", "eve's long password")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let mut admin = t.signed_in(ADMIN).await;
        let page = admin.get("/admin/accounts?q=eve").await;
        assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"), "{}", page.body);
        assert!(!page.body.contains("<script>alert"), "never rendered as markup");
        let mail = admin.get("/staff/mail").await;
        assert!(!mail.body.contains("<script>alert"));
        let api = admin.api(Method::GET, "/api/v1/accounts?q=eve", None).await.json();
        assert_eq!(api["items"][0]["display_name"], name, "the API returns the text as typed");
        assert!(
            page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().contains("script-src 'self'")
        );
    }
}

#[tokio::test]
async fn the_api_answers_bad_requests_with_its_error_body() {
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let cases: Vec<(Method, &str, Option<&str>, StatusCode, &str)> = vec![
            (
                Method::PUT,
                "/api/v1/accounts/1/role",
                Some("{not json"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
            ),
            (
                Method::PUT,
                "/api/v1/accounts/1/role",
                Some(r#"{"role": 5}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
            ),
            (Method::PUT, "/api/v1/accounts/1/role", Some("{}"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            (
                Method::PUT,
                "/api/v1/accounts/1/role",
                Some(r#"{"role": "king"}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
            ),
            (
                Method::PUT,
                "/api/v1/accounts/999/role",
                Some(r#"{"role": "staff"}"#),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                Method::PUT,
                "/api/v1/accounts/abc/role",
                Some(r#"{"role": "staff"}"#),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (Method::GET, "/api/v1/accounts?page=abc", None, StatusCode::BAD_REQUEST, "bad_request"),
            (Method::GET, "/api/v1/nothing-here", None, StatusCode::NOT_FOUND, "not_found"),
            (Method::DELETE, "/api/v1/me", None, StatusCode::METHOD_NOT_ALLOWED, "invalid_input"),
        ];
        for (method, path, body, status, code) in cases {
            let csrf = admin.csrf();
            let mut request = admin.request(method.clone(), path).header("x-csrf-token", csrf);
            if body.is_some() {
                request = request.header(header::CONTENT_TYPE, "application/json");
            }
            let r = admin.send(request.body(Body::from(body.unwrap_or("").to_string())).unwrap()).await;
            assert_eq!(r.status, status, "{method} {path} {body:?}: {}", r.body);
            let json = r.json();
            assert_eq!(json["error"]["code"], code, "{method} {path}");
            assert!(!json["error"]["message"].as_str().unwrap().is_empty());
        }
        let r = admin.api(Method::PUT, "/api/v1/accounts/1/role", Some(json!({"role": "king"}))).await.json();
        assert!(r["error"]["fields"]["role"].as_str().unwrap().contains("not a role"), "{r}");
        assert_eq!(t.store.user_by_id(1).await.unwrap().unwrap().role, "member", "nothing changed");
        let r = api_with_token(&t.router, Method::GET, "/api/v1/me", "gh_not-a-real-token", None).await;
        assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    }
}

#[tokio::test]
async fn management_forms_refuse_bad_input_and_escape_what_they_show() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let long = "n".repeat(101);
        let long_description = "d".repeat(501);
        let cases: Vec<FormCase> = vec![
            ("/staff/tiers", vec![("code", "x"), ("name", &long), ("annual_dues", "1")], "at most 100"),
            ("/staff/tiers", vec![("code", "x"), ("name", "X"), ("annual_dues", "1.234")], "is not an amount"),
            ("/staff/tiers", vec![("code", "x"), ("name", "X"), ("annual_dues", "100001")], "at most $100,000.00"),
            (
                "/staff/tiers",
                vec![("code", "x"), ("name", "X"), ("annual_dues", "1"), ("career_stages", "pilot")],
                "Choose career stages",
            ),
            ("/staff/groups", vec![("slug", "ok"), ("name", "X"), ("description", &long_description)], "at most 500"),
            (
                "/staff/officers",
                vec![("email", STAFF), ("chapter_id", "abc"), ("title", "T"), ("starts_on", "2026-01-01")],
                "Choose a chapter",
            ),
            (
                "/staff/officers",
                vec![("email", STAFF), ("chapter_id", "1"), ("title", &long), ("starts_on", "2026-01-01")],
                "at most 100",
            ),
            (
                "/staff/officers",
                vec![("email", STAFF), ("chapter_id", "1"), ("title", "T"), ("starts_on", "")],
                "Enter the first day",
            ),
        ];
        for (path, fields, message) in cases {
            let r = staff.post_form(path, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {fields:?}");
            assert!(r.body.contains(message), "{path}: expected {message:?} in {}", r.body);
        }
        for path in ["/staff/tiers/abc", "/staff/groups/-x", "/staff/tiers/99999"] {
            assert_client_error(&staff.get(path).await, path);
        }
        assert_client_error(&staff.post_form("/staff/officers/abc/end", &[]).await, "end a term by a bad id");
        assert_client_error(&staff.post_form("/staff/officers/99999/end", &[]).await, "end a missing term");

        let script = "<script>alert('x')</script>";
        staff.post_form("/staff/groups", &[("slug", "xss"), ("name", script), ("description", script)]).await;
        staff.post_form("/staff/tiers", &[("code", "xss"), ("name", script), ("annual_dues", "1")]).await;
        for page in ["/staff/groups", "/staff/tiers"] {
            let body = staff.get(page).await.body;
            assert!(
                !body.contains("<script>alert")
                    && (body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;")),
                "{page}"
            );
        }
    }
}

#[tokio::test]
async fn unknown_tiers_groups_and_chapters_in_a_member_search_are_refused_with_a_sentence() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        for (query, message) in [
            ("tier=1e308", "Choose a tier from the list."),
            ("group=-1", "Choose a group from the list."),
            ("chapter=0", "Choose a chapter from the list."),
            ("standing=NAN", "Choose a standing from the list."),
        ] {
            let r = staff.get(&format!("/staff/members?{query}")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query} on {:?}", t.engine);
            assert!(r.body.contains(message), "{query}: {}", r.body);
        }
    }
}

#[tokio::test]
async fn a_bad_page_number_in_the_member_search_shows_the_first_page_with_a_sentence() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let first = staff.get("/staff/members").await;
        for bad in ["-1", "0", "abc", "99999999999"] {
            let r = staff.get(&format!("/staff/members?page={bad}")).await;
            assert_eq!(r.status, StatusCode::OK, "page={bad}: {}", r.body);
            assert!(r.body.contains("is not a page number, so the first page is shown"), "page={bad}");
            assert!(!r.body.contains("deserialize"), "no internal message for page={bad}");
            let row = |body: &str| body.split("<tbody>").nth(1).map(|b| b[..200.min(b.len())].to_string());
            assert_eq!(row(&r.body), row(&first.body), "the first page's rows for page={bad}");
        }
        assert!(!staff.get("/staff/members?page=2").await.body.contains("is not a page number"));
    }
}

#[tokio::test]
async fn careers_forms_refuse_bad_input_and_escape_what_they_show() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let r = recruiter.post_form("/employer", &[("name", "<script>alert(1)</script> Ltd")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let account = r.location().split('?').next().unwrap().to_string();
        let page = recruiter.get(&account).await.body;
        assert!(page.contains("&#60;script&#62;alert(1)") && !page.contains("<script>alert"), "{page}");
        let jobs = account.clone();
        let good: Vec<(&str, &str)> = vec![
            ("title", "Engineer"),
            ("description", "Work."),
            ("discipline", "civil"),
            ("career_stage", "eit"),
            ("jurisdiction", "US-TX"),
            ("remote", "on_site"),
            ("salary_min", "60000"),
            ("salary_max", "70000"),
            ("pay_period", "year"),
        ];
        let long_title = "t".repeat(201);
        let cases: Vec<(&str, &str, &str)> = vec![
            ("title", &long_title, "at most 200"),
            ("description", "", "Enter a description of the job."),
            ("discipline", "alchemy", "Choose the job&#x27;s discipline."),
            ("career_stage", "wizard", "Choose the career stage the job is for."),
            ("remote", "moon", "Choose on site, hybrid or remote."),
            ("jurisdiction", "Atlantis", "is not a jurisdiction"),
            ("salary_min", "lots", "salary_min-error"),
            ("salary_max", "0", "salary_max-error"),
            ("pay_period", "week", "Choose whether the range is a year"),
            ("closes_on", "31/12/2026", "Give the closing date as YYYY-MM-DD."),
            ("what_1", "XYZ", "Choose whether it is required or preferred."),
        ];
        for (field, value, message) in cases {
            let mut fields: Vec<(&str, &str)> = good.iter().filter(|(k, _)| *k != field).copied().collect();
            fields.push((field, value));
            let r = recruiter.post_form(&jobs, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value:?} on {:?}: {}", t.engine, r.body);
            assert!(
                r.body.contains(message) || r.body.replace("&#39;", "&#x27;").contains(message),
                "{field}={value:?}: {message:?} in {}",
                r.body
            );
        }
        assert!(recruiter.get(&account).await.body.contains("No jobs yet"), "nothing stored");

        // Staff's review and prices refuse what cannot be right.
        let mut fields = good.clone();
        fields.push(("submit", "yes"));
        let r = recruiter.post_form(&jobs, &fields).await;
        let job = r.location().split('?').next().unwrap().rsplit('/').next().unwrap().to_string();
        let mut staff = t.signed_in(STAFF).await;
        let review = format!("/staff/jobs/{job}/review");
        for (fields, message) in [
            (vec![("decision", "approve"), ("days", "0")], "Give a number of days from 1 to 365"),
            (vec![("decision", "reject"), ("note", "")], "Enter the note."),
            (vec![("decision", "maybe")], "Choose to approve the job or send it back."),
        ] {
            let r = staff.post_form(&review, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        staff.get("/staff/jobs/products").await;
        let r = staff.post_form("/staff/jobs/products/1", &[("price", "lots"), ("member_price", "1")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_client_error(&recruiter.get("/jobs/abc").await, "a job named by words");
        assert_client_error(&recruiter.get("/jobs?pay=lots").await, "a pay filter that is not a number");
    }
}
