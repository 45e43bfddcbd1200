//! Automated series through the JSON API, on both engines: staff set a series up, add, change
//! and end its steps, and read back what each step sent, with the same rules as the pages;
//! every refusal is the API's error body with the right status; only staff (and
//! administrators) may use these operations.

use axum::http::{Method, StatusCode};
use guildhall_domain::communications::{Audience, AudienceRule};
use guildhall_domain::membership::Standing;
use serde_json::{Value, json};

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::*;

/// Staff add a society-wide list everyone current is on until they leave; its id.
async fn member_news(staff: &mut Client, slug: &str) -> i64 {
    let body =
        json!({ "slug": slug, "name": "Member news", "purpose": "News, and the welcome series.", "opt_in": false });
    let r = staff.api(Method::POST, "/api/v1/lists", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// Both series as the API lists them, by kind.
async fn series(staff: &mut Client, kind: &str) -> Value {
    let r = staff.api(Method::GET, "/api/v1/automations", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["items"].as_array().unwrap().iter().find(|s| s["kind"] == kind).cloned().unwrap()
}

fn step(delay_days: Value, subject: &str, body: &str) -> Value {
    json!({ "delay_days": delay_days, "subject": subject, "body": body })
}

/// A refusal: its status, the API's error code, and the fields it names.
fn refused(r: &TestResponse, status: StatusCode, code: &str) -> Vec<String> {
    assert_eq!(r.status, status, "{}", r.body);
    let error = &r.json()["error"];
    assert_eq!(error["code"], code, "{}", r.body);
    assert!(!error["message"].as_str().unwrap().is_empty(), "{}", r.body);
    error["fields"].as_object().map(|f| f.keys().cloned().collect()).unwrap_or_default()
}

#[tokio::test]
async fn staff_set_up_a_series_add_change_and_end_steps_and_read_what_they_sent() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let today = t.app.clock.today();

        // Before anything: both series, neither set up, and the document names each kind.
        let listed = staff.api(Method::GET, "/api/v1/automations", None).await.json();
        let kinds: Vec<&str> =
            listed["items"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["welcome", "win_back"]);
        let doc = t.client().get("/api/openapi.json").await.json();
        assert_eq!(doc["components"]["schemas"]["AutomationKindCode"]["enum"], json!(kinds));
        let welcome = &listed["items"][0];
        assert_eq!(welcome["label"], "Welcome series");
        assert!(welcome["condition"].as_str().unwrap().contains("joined"), "{welcome}");
        assert_eq!(
            (&welcome["list_id"], &welcome["active"], &welcome["active_since"]),
            (&Value::Null, &json!(false), &Value::Null)
        );
        assert_eq!(welcome["steps"], json!([]));

        // Set up under a society list and switched on today.
        let list = member_news(&mut staff, "member-news").await;
        let r = staff
            .api(Method::PUT, "/api/v1/automations/welcome", Some(json!({ "list_id": list, "active": true })))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let saved = r.json();
        assert_eq!(
            (&saved["kind"], &saved["list_id"], &saved["list_name"]),
            (&json!("welcome"), &json!(list), &json!("Member news"))
        );
        assert_eq!((&saved["active"], &saved["active_since"]), (&json!(true), &json!(today.to_string())));

        // A day some current members joined on, at least two days ago: a step of that many
        // days falls today for them.
        let current = Audience {
            include: [Standing::Active, Standing::RenewalDue, Standing::Grace].map(AudienceRule::Standing).to_vec(),
            exclude: Vec::new(),
        };
        let mut members = Vec::new();
        for id in t.store.audience_members(list, &current).await.unwrap() {
            members.push(t.store.member_by_id(id).await.unwrap().unwrap());
        }
        let day = members.iter().map(|m| m.joined_on).filter(|d| (today - *d).whole_days() >= 2).max().unwrap();
        let delay = (today - day).whole_days();
        let newcomers: Vec<_> = members.iter().filter(|m| m.joined_on == day).collect();
        let expected = json!(newcomers.len());

        // Two steps: the first on their day, the second a month later.
        let mut add = async |body: Value| {
            let r = staff.api(Method::POST, "/api/v1/automations/welcome/steps", Some(body)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()
        };
        let first = add(step(json!(delay), "Welcome, {{first_name}}", "Hello {{first_name}}.")).await;
        assert_eq!(
            (&first["delay_days"], &first["status"], &first["sent"]),
            (&json!(delay), &json!("going"), &json!(0))
        );
        assert_eq!(first["subject"], "Welcome, {{first_name}}");
        let second = add(step(json!(delay + 30), "A month in", "How is it going?")).await;
        let (first_id, second_id) = (first["id"].as_i64().unwrap(), second["id"].as_i64().unwrap());

        // The second is changed to fall on their day too, with a new message; the first ends.
        let changed = staff
            .api(
                Method::PUT,
                &format!("/api/v1/automations/welcome/steps/{second_id}"),
                Some(step(json!(delay), "Settling in, {{first_name}}", "Here is what is on.")),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(
            (&changed.json()["delay_days"], &changed.json()["subject"]),
            (&json!(delay), &json!("Settling in, {{first_name}}"))
        );
        let ended = staff.api(Method::POST, &format!("/api/v1/automations/welcome/steps/{first_id}/end"), None).await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        assert_eq!((&ended.json()["id"], &ended.json()["status"]), (&json!(first_id), &json!("ended")));

        // The job sends the changed step to the newcomers, and the ended one to nobody; the API
        // reports what each sent, as the campaign report does.
        t.app.run_automations().await.unwrap();
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let read = series(&mut staff, "welcome").await;
        let steps = read["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!((&steps[0]["id"], &steps[0]["status"]), (&json!(first_id), &json!("ended")));
        assert_eq!((&steps[0]["recipients"], &steps[0]["sent"]), (&json!(0), &json!(0)), "{:?}", t.engine);
        assert_eq!((&steps[1]["id"], &steps[1]["status"]), (&json!(second_id), &json!("going")));
        assert_eq!((&steps[1]["recipients"], &steps[1]["sent"]), (&expected, &expected), "{:?}", t.engine);
        assert_eq!((&steps[1]["delay_days"], &steps[1]["body"]), (&json!(delay), &json!("Here is what is on.")));
        let report = staff.api(Method::GET, &format!("/api/v1/campaigns/{second_id}/report"), None).await.json();
        assert_eq!(report["sent"], expected);
        let inbox = t.mail_to(&newcomers[0].email).await;
        assert!(inbox.iter().any(|m| m.starts_with(&format!("Settling in, {}", newcomers[0].first_name))), "{inbox:?}");
        let welcome = format!("Welcome, {}", newcomers[0].first_name);
        assert!(!inbox.iter().any(|m| m.starts_with(&welcome)), "the ended step sent nothing: {inbox:?}");
        // Switched off, it keeps its list and steps; the win-back was never touched.
        let off = staff
            .api(Method::PUT, "/api/v1/automations/welcome", Some(json!({ "list_id": list, "active": false })))
            .await;
        assert_eq!((&off.json()["active"], &off.json()["active_since"]), (&json!(false), &Value::Null));
        assert_eq!(off.json()["steps"].as_array().unwrap().len(), 2);
        let win_back = series(&mut staff, "win_back").await;
        assert_eq!((&win_back["list_id"], &win_back["steps"]), (&Value::Null, &json!([])));
        let log = audit(&mut staff, "automation.step_changed").await;
        assert!(log.to_string().contains("Settling in"), "{log}");
    }
}

#[tokio::test]
async fn each_refusal_is_the_api_s_error_with_its_status_and_fields() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let good = step(json!(3), "Hi {{first_name}}", "Hello.");

        // An unknown series is 404; a step id that is not a number is 400.
        let r = staff
            .api(Method::PUT, "/api/v1/automations/newsletter", Some(json!({ "list_id": 1, "active": true })))
            .await;
        refused(&r, StatusCode::NOT_FOUND, "not_found");
        let r = staff.api(Method::POST, "/api/v1/automations/newsletter/steps", Some(good.clone())).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found");
        let r = staff.api(Method::PUT, "/api/v1/automations/welcome/steps/abc", Some(good.clone())).await;
        refused(&r, StatusCode::BAD_REQUEST, "bad_request");
        let r = staff.api(Method::POST, "/api/v1/automations/welcome/steps/0/end", None).await;
        refused(&r, StatusCode::BAD_REQUEST, "bad_request");

        // Steps need the series' list first (409, naming no field as if a value were taken);
        // a step of a series not set up does not exist.
        let r = staff.api(Method::POST, "/api/v1/automations/welcome/steps", Some(good.clone())).await;
        assert!(refused(&r, StatusCode::CONFLICT, "conflict").is_empty(), "{}", r.body);
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("Choose the list"), "{}", r.body);
        let r = staff.api(Method::PUT, "/api/v1/automations/welcome/steps/1", Some(good.clone())).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found");

        // The series' list: one of the society's, a whole number; `active` must be said.
        let chapter_list = json!({ "slug": "ch1", "name": "Chapter news", "purpose": "A chapter's news.", "opt_in": true, "chapter_id": 1 });
        let chapter_list = staff.api(Method::POST, "/api/v1/lists", Some(chapter_list)).await.json()["id"].clone();
        for list_id in [json!(999_999), chapter_list, json!("1"), json!(1.5), Value::Null] {
            let body = json!({ "list_id": list_id, "active": true });
            let r = staff.api(Method::PUT, "/api/v1/automations/welcome", Some(body)).await;
            assert_eq!(refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), ["list_id"], "{list_id}");
        }
        let list = member_news(&mut staff, "member-news").await;
        for body in [
            json!({ "list_id": list }),
            json!({ "list_id": list, "active": "yes" }),
            json!({ "list_id": list, "active": true, "chapter_id": 1 }),
        ] {
            let r = staff.api(Method::PUT, "/api/v1/automations/welcome", Some(body.clone())).await;
            refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        }
        assert_eq!(series(&mut staff, "welcome").await["list_id"], Value::Null, "nothing refused was saved");
        let r = staff
            .api(Method::PUT, "/api/v1/automations/welcome", Some(json!({ "list_id": list, "active": true })))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // A bad step: every problem named by the body's own field names.
        let r = staff
            .api(Method::POST, "/api/v1/automations/welcome/steps", Some(step(json!(-1), "Hi {{nickname}}", "")))
            .await;
        assert_eq!(refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), ["body", "delay_days", "subject"]);
        assert!(r.json()["error"]["fields"]["subject"].as_str().unwrap().contains("nickname"), "{}", r.body);
        // `delay_days` is a whole number from 0 to 800 in JSON: not a string, a fraction or null.
        for delay in [json!("7"), json!(7.5), json!(801), Value::Null, json!(true)] {
            let r = staff
                .api(Method::POST, "/api/v1/automations/welcome/steps", Some(step(delay.clone(), "Hi", "Hello.")))
                .await;
            assert_eq!(refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), ["delay_days"], "{delay}");
            assert!(r.json()["error"]["fields"]["delay_days"].as_str().unwrap().contains("whole number of days"));
        }
        let r = staff
            .api(Method::POST, "/api/v1/automations/welcome/steps", Some(json!({ "subject": "Hi", "body": "Hello." })))
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(series(&mut staff, "welcome").await["steps"], json!([]), "no refused step was added");

        // 7.0 is the whole number 7, as JSON has it.
        let r =
            staff.api(Method::POST, "/api/v1/automations/welcome/steps", Some(step(json!(7.0), "Hi", "Hello."))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["delay_days"], 7);
        let id = r.json()["id"].as_i64().unwrap();

        // A step is found only in its own series; an unknown one is 404.
        let r = staff.api(Method::PUT, "/api/v1/automations/welcome/steps/999999", Some(good.clone())).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found");
        staff.api(Method::PUT, "/api/v1/automations/win_back", Some(json!({ "list_id": list, "active": false }))).await;
        let r = staff.api(Method::POST, &format!("/api/v1/automations/win_back/steps/{id}/end"), None).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found");
        // A change refused keeps the step as it was.
        let r = staff
            .api(Method::PUT, &format!("/api/v1/automations/welcome/steps/{id}"), Some(step(json!(3), "", "Hello.")))
            .await;
        assert_eq!(refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), ["subject"]);
        assert_eq!(series(&mut staff, "welcome").await["steps"][0]["subject"], "Hi");

        // Ended, it cannot be changed or ended again.
        let r = staff.api(Method::POST, &format!("/api/v1/automations/welcome/steps/{id}/end"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = staff.api(Method::PUT, &format!("/api/v1/automations/welcome/steps/{id}"), Some(good.clone())).await;
        refused(&r, StatusCode::CONFLICT, "conflict");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("has ended"), "{}", r.body);
        let r = staff.api(Method::POST, &format!("/api/v1/automations/welcome/steps/{id}/end"), None).await;
        refused(&r, StatusCode::CONFLICT, "conflict");
        let after = series(&mut staff, "welcome").await;
        assert_eq!((&after["steps"][0]["subject"], &after["steps"][0]["status"]), (&json!("Hi"), &json!("ended")));
    }
}

#[tokio::test]
async fn only_staff_and_administrators_manage_series_through_the_api() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let list = member_news(&mut staff, "member-news").await;
        let series_body = json!({ "list_id": list, "active": true });
        let r = staff.api(Method::PUT, "/api/v1/automations/welcome", Some(series_body.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut add = async || {
            let r = staff
                .api(Method::POST, "/api/v1/automations/welcome/steps", Some(step(json!(5), "Matrix", "Matrix.")))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["id"].as_i64().unwrap()
        };
        let (kept, ended) = (add().await, add().await);

        let mut clients = role_clients(&t).await;
        let staff_only = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
        let json_call = |method: Method, path: String, body: Value| Call::Json(method, path, body);
        let rows = vec![
            (Call::Get("/api/v1/automations".into()), staff_only),
            (json_call(Method::PUT, "/api/v1/automations/welcome".into(), series_body.clone()), staff_only),
            (json_call(Method::PUT, "/api/v1/automations/win_back".into(), series_body.clone()), staff_only),
            (
                json_call(
                    Method::POST,
                    "/api/v1/automations/welcome/steps".into(),
                    step(json!(9), "Matrix", "Matrix."),
                ),
                staff_only,
            ),
            (
                json_call(
                    Method::PUT,
                    format!("/api/v1/automations/welcome/steps/{kept}"),
                    step(json!(6), "Matrix", "Matrix."),
                ),
                staff_only,
            ),
        ];
        run_matrix(&t, &mut clients, rows).await;

        // Ending: staff end it, the administrator after them is told it has ended (409);
        // nobody else may, nor learn anything about it.
        let path = format!("/api/v1/automations/welcome/steps/{ended}/end");
        for (client, status) in clients.iter_mut().zip([401, 403, 403, 200, 409]) {
            let r = client.api(Method::POST, &path, None).await;
            assert_eq!(r.status.as_u16(), status, "POST {path} on {:?}: {}", t.engine, r.body);
        }
        // What the refused callers sent changed nothing: two steps from staff's matrix rows
        // (staff's and the administrator's), the kept one at its new delay.
        let read = series(&mut staff, "welcome").await;
        let steps = read["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 4);
        assert_eq!(steps.iter().filter(|s| s["status"] == "ended").count(), 1);
        assert_eq!(steps.iter().find(|s| s["id"] == kept).unwrap()["delay_days"], 6);
    }
}
