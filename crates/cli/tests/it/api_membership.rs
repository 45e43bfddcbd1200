//! The membership API as an integration uses it: every new operation against every role,
//! and what an integrator relies on (refunds capped by what was paid, all-or-nothing
//! imports, tiers shared with the staff pages, a rejection's reason emailed).

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use guildhall_domain::membership::Standing;
use serde_json::json;

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::*;

/// A CSV request body sent with the session cookie and the CSRF header.
async fn post_csv(client: &mut Client, path: &str, csv: &str) -> TestResponse {
    let csrf = client.csrf();
    let request = client
        .request(Method::POST, path)
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    client.send(request).await
}

fn tier(code: &str) -> guildhall_store::NewTier {
    guildhall_store::NewTier {
        code: code.into(),
        name: code.to_uppercase(),
        annual_dues_cents: 0,
        requires_approval: false,
        requirements: "[]".into(),
        sort_order: 99,
        never_expires: false,
    }
}

#[tokio::test]
async fn every_role_on_every_membership_api_operation() {
    for t in TestApp::each_engine().await {
        let mut clients = role_clients(&t).await;
        let in_chapter =
            |chapter: i64| guildhall_store::MemberFilter { chapter_id: Some(chapter), ..Default::default() };
        let page = guildhall_store::PageRequest::new(1, 4);
        // Members without an account (not Maya, not the officer).
        let mut people = Vec::new();
        for user in 1..=4 {
            if let Some(m) = t.store.member_by_user(user).await.unwrap() {
                people.push(m.id);
            }
        }
        let chapter1 = t.store.search_members(&in_chapter(1), page).await.unwrap().items;
        let own = chapter1.iter().find(|m| !people.contains(&m.id)).unwrap().id;
        let chapter2 = t.store.search_members(&in_chapter(2), page).await.unwrap().items;
        let (other, payer, to_link) = (chapter2[0].id, chapter2[1].id, chapter2[2].member_number.clone());
        let organisation = chapter2[3].id;
        let approved = guildhall_store::MemberFilter { standings: vec![Standing::Approved], ..Default::default() };
        let applicant = t.store.search_members(&approved, page).await.unwrap().items[0].id;
        let open = t.store.member_invoices(applicant).await.unwrap().into_iter().find(|i| i.status.code() == "open");
        let open = open.unwrap().id;
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let paid = t.store.member_payments(maya.id).await.unwrap().pop().unwrap().id;
        let pending = t.store.pending_applications().await.unwrap();
        let (to_approve, to_reject) = (pending[0].term_id, pending[1].term_id);
        let spare = t.store.create_tier(&tier("spare"), 0).await.unwrap();
        let open_tier = t.store.create_tier(&tier("open"), 0).await.unwrap();
        let group = t.store.create_group("matrix-group", "Matrix group", "", 0).await.unwrap();
        let spare_group = t.store.create_group("spare-group", "Spare group", "", 0).await.unwrap();

        let staff = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
        let staff_once = [Unauthorised, Forbidden, Forbidden, Ok, Invalid];
        let staff_gone = [Unauthorised, Forbidden, Forbidden, Ok, NotFound];
        let own_chapter = [Unauthorised, Forbidden, Ok, Ok, Ok];
        let mine = [Unauthorised, Ok, Ok, NotFound, NotFound];
        let json = |method: Method, path: String, body: serde_json::Value| Call::Json(method, path, body);
        let rows = vec![
            (Call::Get(format!("/api/v1/members/{own}/terms")), own_chapter),
            (Call::Get(format!("/api/v1/members/{other}/terms")), [Unauthorised, Forbidden, Forbidden, Ok, Ok]),
            (Call::Get("/api/v1/members/me/terms?per_page=1".into()), mine),
            (
                json(
                    Method::POST,
                    "/api/v1/members".into(),
                    json!({
                        "first_name": "Mat", "last_name": "Rix", "email": "mat.rix@example.org", "tier": "open",
                        "expires_on": "2030-06-30"
                    }),
                ),
                staff_once,
            ),
            (json(Method::PATCH, format!("/api/v1/members/{own}"), json!({ "city": "Matrixville" })), own_chapter),
            (json(Method::PATCH, "/api/v1/members/me".into(), json!({ "city": "Matrixville" })), mine),
            (
                json(
                    Method::POST,
                    format!("/api/v1/members/{applicant}/payments"),
                    json!({ "invoice_id": open, "method": "cheque", "reference": "100234" }),
                ),
                staff_once,
            ),
            (Call::Get(format!("/api/v1/members/{}/payments/{paid}/refunds", maya.id)), staff),
            (
                json(
                    Method::POST,
                    format!("/api/v1/members/{}/payments/{paid}/refunds", maya.id),
                    json!({ "amount_cents": 100, "method": "cheque", "reason": "Matrix" }),
                ),
                staff,
            ),
            (
                json(
                    Method::POST,
                    "/api/v1/members/me/application".into(),
                    json!({
                        "first_name": "New", "last_name": "Joiner", "tier_id": open_tier, "chapter_id": 1,
                        "career_stage": "other"
                    }),
                ),
                [Unauthorised, Invalid, Invalid, Ok, Ok],
            ),
            (json(Method::POST, format!("/api/v1/approvals/{to_approve}/approve"), json!({})), staff_gone),
            (
                json(Method::POST, format!("/api/v1/approvals/{to_reject}/reject"), json!({ "reason": "Matrix" })),
                staff_gone,
            ),
            (Call::Get(format!("/api/v1/tiers/{spare}")), staff),
            (
                json(
                    Method::POST,
                    "/api/v1/tiers".into(),
                    json!({ "code": "matrix", "name": "Matrix", "annual_dues_cents": 1000 }),
                ),
                staff_once,
            ),
            (json(Method::PATCH, format!("/api/v1/tiers/{spare}"), json!({ "name": "Spare tier" })), staff),
            (json(Method::DELETE, format!("/api/v1/tiers/{spare}"), json!({})), staff_gone),
            (Call::Get(format!("/api/v1/groups/{group}")), staff),
            (json(Method::POST, "/api/v1/groups".into(), json!({ "slug": "matrix", "name": "Matrix" })), staff_once),
            (json(Method::PATCH, format!("/api/v1/groups/{group}"), json!({ "description": "Matrix" })), staff),
            (json(Method::PUT, format!("/api/v1/members/{own}/groups/{group}"), json!({})), staff),
            (Call::Get(format!("/api/v1/groups/{group}/members")), own_chapter),
            (json(Method::DELETE, format!("/api/v1/members/{own}/groups/{group}"), json!({})), staff),
            (json(Method::DELETE, format!("/api/v1/groups/{spare_group}"), json!({})), staff_gone),
            (Call::Get(format!("/api/v1/members/{payer}/links")), staff),
            (
                json(
                    Method::POST,
                    format!("/api/v1/members/{payer}/links"),
                    json!({ "kind": "household", "member_number": to_link }),
                ),
                staff_once,
            ),
            (
                json(
                    Method::PUT,
                    format!("/api/v1/members/{organisation}/organisation"),
                    json!({ "name": "Matrix Engineering", "seats": 5 }),
                ),
                staff,
            ),
            (Call::Get("/api/v1/reports/membership".into()), staff),
            (Call::Get("/api/v1/members/export?standing=lapsed".into()), staff),
        ];
        run_matrix(&t, &mut clients, rows).await;

        // Ending the link made above: staff end it, and it cannot be ended twice.
        let mut staff_client = t.signed_in(STAFF).await;
        let links = staff_client.api(Method::GET, &format!("/api/v1/members/{payer}/links"), None).await.json();
        let link = links["pays_for"][0]["id"].as_i64().unwrap();
        run_matrix(
            &t,
            &mut clients,
            [(json(Method::POST, format!("/api/v1/members/{payer}/links/{link}/end"), json!({})), staff_gone)],
        )
        .await;
    }
}

#[tokio::test]
async fn a_refund_over_what_was_paid_is_refused_and_changes_nothing() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let payment = t.store.member_payments(maya.id).await.unwrap().pop().unwrap();
        let path = format!("/api/v1/members/{}/payments/{}/refunds", maya.id, payment.id);
        let before = staff.api(Method::GET, &path, None).await.json();
        let too_much = json!({ "amount_cents": payment.amount_cents + 1, "method": "cheque", "reason": "Overpaid" });
        let refused = staff.api(Method::POST, &path, Some(too_much)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.json()["error"]["fields"]["amount"].as_str().unwrap().contains("at most"), "{}", refused.body);
        assert_eq!(staff.api(Method::GET, &path, None).await.json(), before, "no refund was recorded");

        // A part, then the rest, then nothing more: the total never exceeds the payment.
        let part = json!({ "amount_cents": 500, "method": "cheque", "reason": "Part" });
        let after = staff.api(Method::POST, &path, Some(part)).await;
        assert_eq!(after.status, StatusCode::OK, "{}", after.body);
        assert_eq!(after.json().as_array().unwrap().last().unwrap()["amount_cents"], 500);
        assert_eq!(after.json()[0]["currency"], "USD");
        let rest = json!({ "amount_cents": payment.amount_cents - 500, "method": "cheque", "reason": "Rest" });
        assert_eq!(staff.api(Method::POST, &path, Some(rest)).await.status, StatusCode::OK);
        let more = json!({ "amount_cents": 1, "method": "cheque", "reason": "More" });
        assert_eq!(staff.api(Method::POST, &path, Some(more)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let payments = staff.api(Method::GET, &format!("/api/v1/members/{}/payments", maya.id), None).await.json();
        let this = payments.as_array().unwrap().iter().find(|p| p["id"] == payment.id).unwrap();
        assert_eq!(this["refunded_cents"], payment.amount_cents, "refunded in full, not more");
    }
}

const GOOD_ROWS: &str = "first_name,last_name,email,tier,status,joined_on,expires_on\n\
    Ada,Lovelace,ada.import@example.org,member,active,2024-01-15,2030-01-14\n\
    Grace,Hopper,grace.import@example.org,member,active,2024-02-01,2030-01-31\n";

#[tokio::test]
async fn an_import_dry_run_changes_nothing_and_one_bad_row_imports_nothing() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let count = |body: serde_json::Value| body["total"].as_i64().unwrap();
        let before = count(staff.api(Method::GET, "/api/v1/members?per_page=1", None).await.json());

        for path in ["/api/v1/members/import?dry_run=true", "/api/v1/members/import"] {
            let dry = post_csv(&mut staff, path, GOOD_ROWS).await;
            assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
            assert_eq!((dry.json()["rows"].as_i64(), dry.json()["imported"].as_i64()), (Some(2), Some(0)), "{path}");
        }
        assert_eq!(count(staff.api(Method::GET, "/api/v1/members?per_page=1", None).await.json()), before);

        let bad = format!("{GOOD_ROWS}Alan,Turing,not-an-address,member,active,2024-03-01,2030-02-28\n");
        let refused = post_csv(&mut staff, "/api/v1/members/import?dry_run=false", &bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        let error = refused.json()["error"].clone();
        assert!(error["message"].as_str().unwrap().contains("nothing was imported"), "{error}");
        let problems: Vec<&str> = error["fields"].as_object().unwrap().values().filter_map(|v| v.as_str()).collect();
        assert!(problems.iter().any(|p| p.starts_with("row 3, email")), "the bad row is named: {problems:?}");
        assert_eq!(count(staff.api(Method::GET, "/api/v1/members?per_page=1", None).await.json()), before);

        let done = post_csv(&mut staff, "/api/v1/members/import?dry_run=false", GOOD_ROWS).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["member_ids"].as_array().unwrap().len(), 2);
        assert_eq!(count(staff.api(Method::GET, "/api/v1/members?per_page=1", None).await.json()), before + 2);

        // The export answers with the same columns, for the members the search finds.
        let (status, headers, csv) = staff.get_bytes("/api/v1/members/export?email=import%40example.org").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("member_number,first_name,last_name,email"), "{csv}");
        assert!(csv.contains("ada.import@example.org") && csv.contains("grace.import@example.org"), "{csv}");
        assert_eq!(csv.lines().count(), 3, "the header and the two members found: {csv}");

        // One member added through the API gets the import's checks, each named by its field.
        let bad = json!({ "first_name": "Ada", "last_name": "Byron", "email": "ada@@example", "tier": "member", "expires_on": "2030-01-01" });
        let refused = staff.api(Method::POST, "/api/v1/members", Some(bad)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.json()["error"]["fields"]["email"].is_string(), "{}", refused.body);
        let expires = (t.app.clock.today() + time::Duration::days(200)).to_string();
        let good = json!({
            "first_name": "Ada", "last_name": "Byron", "email": "ada.byron@example.org", "tier": "member",
            "expires_on": expires
        });
        let added = staff.api(Method::POST, "/api/v1/members", Some(good)).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        assert_eq!(
            (added.json()["standing"].as_str(), added.json()["tier"].as_str()),
            (Some("active"), Some("Member (PE)"))
        );

        let mut maya = t.signed_in(MEMBER).await;
        let forbidden = post_csv(&mut maya, "/api/v1/members/import?dry_run=true", GOOD_ROWS).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn tiers_and_groups_made_through_the_api_are_the_staff_pages_own() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let body = json!({ "code": "distinguished", "name": "Distinguished Member", "annual_dues_cents": 25000.0, "min_years_licensed": 10 });
        let made = staff.api(Method::POST, "/api/v1/tiers", Some(body)).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let made = made.json();
        assert_eq!((made["annual_dues_cents"].as_i64(), made["currency"].as_str()), (Some(25000), Some("USD")));
        assert_eq!(made["requirements"][0], "licensed for at least 10 years");
        let page = staff.get("/staff/tiers").await.body;
        assert!(page.contains("Distinguished Member") && page.contains("$250.00"), "on the staff page");

        let id = made["id"].as_i64().unwrap();
        let changed =
            staff.api(Method::PATCH, &format!("/api/v1/tiers/{id}"), Some(json!({ "min_years_licensed": 0 }))).await;
        assert_eq!(changed.json()["requirements"], json!([]), "0 clears a requirement: {}", changed.body);
        assert_eq!(changed.json()["annual_dues_cents"], 25000, "what was left out is kept");
        let array = staff.api(Method::PATCH, &format!("/api/v1/tiers/{id}"), Some(json!([null, null]))).await;
        assert_eq!(array.status, StatusCode::UNPROCESSABLE_ENTITY, "a body is an object");

        let refused =
            staff.api(Method::POST, "/api/v1/tiers", Some(json!({ "code": "distinguished", "name": "Again" }))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);

        // A tier members are on cannot be deleted; the answer says why.
        let tiers = staff.api(Method::GET, "/api/v1/tiers", None).await.json();
        let full = tiers.as_array().unwrap().iter().find(|t| t["code"] == "member").unwrap()["id"].as_i64().unwrap();
        let in_use = staff.api(Method::DELETE, &format!("/api/v1/tiers/{full}"), None).await;
        assert_eq!(in_use.status, StatusCode::CONFLICT, "{}", in_use.body);
        assert!(staff.get("/staff/tiers").await.body.contains(tiers[0]["name"].as_str().unwrap()));

        // A group with members cannot be deleted either.
        let group =
            staff.api(Method::POST, "/api/v1/groups", Some(json!({ "slug": "bridges", "name": "Bridges" }))).await;
        let group = group.json()["id"].as_i64().unwrap();
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let added = staff.api(Method::PUT, &format!("/api/v1/members/{}/groups/{group}", maya.id), None).await.json();
        assert_eq!((added["member"].as_bool(), added["changed"].as_bool()), (Some(true), Some(true)));
        let again = staff.api(Method::PUT, &format!("/api/v1/members/{}/groups/{group}", maya.id), None).await.json();
        assert_eq!(again["changed"], false, "adding twice changes nothing");
        let listed = staff.api(Method::GET, &format!("/api/v1/groups/{group}/members"), None).await.json();
        assert_eq!(listed["total"], 1);
        let busy = staff.api(Method::DELETE, &format!("/api/v1/groups/{group}"), None).await;
        assert_eq!(busy.status, StatusCode::CONFLICT);
        assert!(staff.get("/staff/groups").await.body.contains("Bridges"));
    }
}

#[tokio::test]
async fn a_rejection_through_the_api_emails_the_applicant_the_reason() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let queue = staff.api(Method::GET, "/api/v1/approvals", None).await.json();
        let application = queue[0].clone();
        let path = format!("/api/v1/approvals/{}/reject", application["term_id"]);
        let empty = staff.api(Method::POST, &path, Some(json!({ "reason": "  " }))).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs a reason");
        let reason = "We could not verify your enrolment at the university you named.";
        let done = staff.api(Method::POST, &path, Some(json!({ "reason": reason }))).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let mail = t.mail_to(application["email"].as_str().unwrap()).await;
        assert!(mail.last().is_some_and(|m| m.contains(reason)), "{mail:?}");
        let member = staff.api(Method::GET, &format!("/api/v1/members/{}", application["member_id"]), None).await;
        assert_eq!(member.json()["standing"], "rejected");
        let twice = staff.api(Method::POST, &path, Some(json!({ "reason": reason }))).await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND, "decided once");
    }
}

#[tokio::test]
async fn the_society_s_currency_is_set_once_and_shown_beside_every_amount() {
    for t in TestApp::each_engine().await {
        let mut admin = t.signed_in(ADMIN).await;
        let settings = [("name", "Guildhall Society"), ("primary_colour", "#1d4e89"), ("logo_url", "")];
        let bad = admin.post_form("/admin/settings", &[settings.as_slice(), &[("currency", "Dollars")]].concat()).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("not an ISO 4217 currency code"), "the form says why");
        let saved = admin.post_form("/admin/settings", &[settings.as_slice(), &[("currency", "cad")]].concat()).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        t.app.refresh_branding_now().await.unwrap();
        let mut maya = t.signed_in(MEMBER).await;
        let payments = maya.api(Method::GET, "/api/v1/members/me/payments", None).await.json();
        assert!(payments.as_array().unwrap().iter().all(|p| p["currency"] == "CAD"), "{payments}");
        let tiers = maya.api(Method::GET, "/api/v1/tiers", None).await.json();
        assert!(tiers.as_array().unwrap().iter().all(|t| t["currency"] == "CAD"));
    }
}
