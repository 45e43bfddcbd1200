//! The communications API as an integration uses it: staff add lists, members keep their own
//! subscriptions (and nobody else's), a campaign to overlapping groups reaches each person
//! once and cannot be sent twice, and every role against every new operation.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::*;

/// Staff add a list through the API; its answer (201).
async fn add_list(staff: &mut Client, body: Value) -> Value {
    let r = staff.api(Method::POST, "/api/v1/lists", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

/// A society-wide list everyone is on until they leave.
fn opt_out_list(slug: &str) -> Value {
    json!({ "slug": slug, "name": "The Newsletter", "purpose": "News of the society, monthly.", "opt_in": false })
}

/// Every member of a group, as staff read it through the API.
/// A group's current members (those an opt-out list reaches).
async fn group_members(staff: &mut Client, group: i64) -> BTreeSet<i64> {
    let mut members = BTreeSet::new();
    for page in 1.. {
        let r = staff.api(Method::GET, &format!("/api/v1/groups/{group}/members?page={page}&per_page=200"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let items = r.json()["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        // An opt-out list reaches current members: former members and applicants only what
        // they joined themselves.
        let current =
            |m: &&serde_json::Value| ["active", "renewal_due", "grace"].contains(&m["standing"].as_str().unwrap());
        members.extend(items.iter().filter(current).map(|m| m["id"].as_i64().unwrap()));
    }
    members
}

/// The outbox's messages of a campaign (not test sends): (member, address) of each.
async fn campaign_messages(t: &TestApp, campaign: i64) -> Vec<(i64, String)> {
    let mut messages = Vec::new();
    for page in 1.. {
        let mail = t.store.list_mail(None, guildhall_store::PageRequest::new(page, 200)).await.unwrap();
        if mail.items.is_empty() {
            break;
        }
        messages.extend(
            mail.items
                .into_iter()
                .filter(|m| m.campaign_id == Some(campaign) && !m.campaign_test)
                .map(|m| (m.member_id.unwrap(), m.to_address)),
        );
    }
    messages
}

/// A wall-clock time `days` from today on the society's clock, as `send_at` takes it.
fn society_wall_clock(t: &TestApp, days: i64, time: &str) -> String {
    format!("{}T{time}", t.app.clock.today() + time::Duration::days(days))
}

/// Each list of a preferences answer by id: whether the member is on it.
fn subscribed(preferences: &Value, list: i64) -> bool {
    let lists = preferences["lists"].as_array().unwrap();
    let entry = lists.iter().find(|l| l["id"] == list).unwrap_or_else(|| panic!("list {list} in {preferences}"));
    entry["subscribed"].as_bool().unwrap()
}

#[tokio::test]
async fn staff_add_lists_and_members_keep_their_own_subscriptions() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut member = t.signed_in(MEMBER).await;

        let journal = add_list(
            &mut staff,
            json!({ "slug": "journal-toc", "name": "Journal contents", "purpose": "Each issue's contents.", "opt_in": true }),
        )
        .await;
        assert_eq!(journal["opt_in"], true);
        assert_eq!(journal["members"], 0, "nobody is on an opt-in list before they join it");
        assert_eq!(journal["may_send"], true);
        assert!(journal.get("chapter_id").is_none(), "a society-wide list: {journal}");
        let journal = journal["id"].as_i64().unwrap();
        let news = add_list(&mut staff, opt_out_list("newsletter")).await;
        assert!(news["members"].as_i64().unwrap() > 0, "everyone is on an opt-out list: {news}");
        let news = news["id"].as_i64().unwrap();
        let chapter_news = add_list(
            &mut staff,
            json!({
                "slug": "chapter-2-news", "name": "Chapter 2 news", "purpose": "Meetings.", "opt_in": false,
                "chapter_id": 2, "officers_may_send": true, "officer_sends_per_month": 2
            }),
        )
        .await;
        assert_eq!(
            (chapter_news["chapter_id"].as_i64(), chapter_news["officer_sends_per_month"].as_i64()),
            (Some(2), Some(2))
        );

        // What staff cannot add is refused with a message per field, not a server error.
        let r = staff.api(Method::POST, "/api/v1/lists", Some(opt_out_list("newsletter"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.json()["error"]["fields"]["slug"].is_string(), "{}", r.body);
        let r = staff
            .api(
                Method::POST,
                "/api/v1/lists",
                Some(json!({
                    "slug": "Not a slug!", "name": "", "purpose": "x", "opt_in": false, "chapter_id": 999999,
                    "officers_may_send": true, "officer_sends_per_month": 101
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields = r.json()["error"]["fields"].clone();
        for field in ["slug", "name", "chapter_id", "officer_sends_per_month"] {
            assert!(fields[field].is_string(), "{field} in {fields}");
        }
        let r = staff
            .api(Method::POST, "/api/v1/lists", Some(json!({ "slug": "no-kind", "name": "N", "purpose": "P" })))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "opt_in is required: {}", r.body);
        let r = staff.api(Method::POST, "/api/v1/lists", Some(json!(["newsletter"]))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        // The member sees the society's lists with their defaults, changes them, and reads
        // them back.
        let r = member.api(Method::GET, "/api/v1/members/me/subscriptions", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let before = r.json();
        assert!(!subscribed(&before, journal) && subscribed(&before, news), "{before}");
        assert_eq!(before["no_bulk_mail"], false);
        let own = before["member_id"].as_i64().unwrap();

        let change = json!({ "subscribed": [journal], "no_bulk_mail": false });
        let r = member.api(Method::PUT, "/api/v1/members/me/subscriptions", Some(change)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let saved = r.json();
        assert!(subscribed(&saved, journal) && !subscribed(&saved, news), "{saved}");
        // Joined the journal's list, left the newsletter (and their chapter's list, if any).
        let flipped = before["lists"].as_array().unwrap().iter().filter(|l| l["subscribed"] != (l["id"] == journal));
        let flipped = flipped.count();
        assert!(flipped >= 2, "{before}");
        assert_eq!(saved["recorded"].as_u64(), Some(flipped as u64), "{saved}");
        let changes = saved["changes"].as_array().unwrap();
        assert_eq!(changes.len(), flipped, "{saved}");
        assert!(changes.iter().all(|c| c["source"] == "preferences page" && c["changed_at"].is_string()), "{saved}");

        for path in ["/api/v1/members/me/subscriptions".to_string(), format!("/api/v1/members/{own}/subscriptions")] {
            let r = member.api(Method::GET, &path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            let read = r.json();
            assert!(subscribed(&read, journal) && !subscribed(&read, news), "{path}: {read}");
            assert!(read.get("recorded").is_none(), "{read}");
        }
        let r = staff.api(Method::GET, "/api/v1/lists", None).await.json();
        let listed = r["items"].as_array().unwrap().iter().find(|l| l["id"] == journal).unwrap().clone();
        assert_eq!(listed["members"], 1, "the member joined the journal's list: {listed}");

        // The bulk-mail switch, saved again as it is, records nothing new.
        let r = member
            .api(
                Method::PUT,
                "/api/v1/members/me/subscriptions",
                Some(json!({ "subscribed": [journal], "no_bulk_mail": true })),
            )
            .await;
        assert_eq!((r.status, r.json()["recorded"].as_i64()), (StatusCode::OK, Some(1)), "{}", r.body);
        assert_eq!(r.json()["no_bulk_mail"], true);

        // Another member's subscriptions are not theirs to read or change; staff may.
        let current = guildhall_domain::membership::Standing::ALL.into_iter().filter(|s| s.is_current_member());
        let in_chapter_2 =
            guildhall_store::MemberFilter { chapter_id: Some(2), standings: current.collect(), ..Default::default() };
        let page = guildhall_store::PageRequest::new(1, 5);
        let other = t.store.search_members(&in_chapter_2, page).await.unwrap().items;
        let other = other.iter().find(|m| m.id != own).unwrap().id;
        let path = format!("/api/v1/members/{other}/subscriptions");
        let r = member.api(Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = member.api(Method::PUT, &path, Some(json!({ "subscribed": [], "no_bulk_mail": true }))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = staff.api(Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let theirs = r.json();
        assert!(subscribed(&theirs, news) && theirs["no_bulk_mail"] == false, "left unchanged: {theirs}");
        assert!(subscribed(&theirs, chapter_news["id"].as_i64().unwrap()), "their chapter's list: {theirs}");
        let r = staff.api(Method::GET, "/api/v1/members/me/subscriptions", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "staff hold no member record: {}", r.body);

        // Bad input is refused (4xx), and a refused change changes nothing.
        let bad = [
            (
                Method::PUT,
                "/api/v1/members/me/subscriptions",
                json!({ "subscribed": [999999], "no_bulk_mail": false }),
                422,
            ),
            (
                Method::PUT,
                "/api/v1/members/me/subscriptions",
                json!({ "subscribed": [news, 0], "no_bulk_mail": false }),
                422,
            ),
            (
                Method::PUT,
                "/api/v1/members/me/subscriptions",
                json!({ "subscribed": ["journal"], "no_bulk_mail": false }),
                422,
            ),
            (Method::PUT, "/api/v1/members/me/subscriptions", json!({ "subscribed": [news] }), 422),
            (Method::PUT, "/api/v1/members/0/subscriptions", json!({ "subscribed": [], "no_bulk_mail": false }), 400),
            (Method::GET, "/api/v1/members/someone/subscriptions", Value::Null, 400),
            (Method::GET, "/api/v1/lists?per_page=0", Value::Null, 400),
            (Method::GET, "/api/v1/lists?page=0", Value::Null, 400),
            (Method::GET, "/api/v1/campaigns?per_page=0", Value::Null, 400),
            (Method::GET, "/api/v1/campaigns?per_page=", Value::Null, 400),
            (Method::GET, "/api/v1/campaigns/0", Value::Null, 400),
            (Method::GET, "/api/v1/campaigns/999999", Value::Null, 404),
            (Method::GET, "/api/v1/campaigns/999999/report", Value::Null, 404),
            (Method::POST, "/api/v1/campaigns/999999/send", json!({}), 404),
        ];
        for (method, path, body, status) in bad {
            // The member's own paths as the member; the staff paths as staff.
            let client = if path.contains("/members/") { &mut member } else { &mut staff };
            let body = (!body.is_null()).then_some(body);
            let r = client.api(method.clone(), path, body.clone()).await;
            assert_eq!(r.status.as_u16(), status, "{method} {path} {body:?}: {}", r.body);
            assert!(r.json()["error"]["message"].is_string(), "{}", r.body);
        }
        let r = member
            .api(
                Method::PUT,
                "/api/v1/members/me/subscriptions",
                Some(json!({ "subscribed": [journal, 999999], "no_bulk_mail": false })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("999999"), "{}", r.body);
        // The refusal names the body's own field.
        let fields = r.json()["error"]["fields"].clone();
        assert!(fields["subscribed"].as_str().unwrap().contains("999999"), "{fields}");
        assert_eq!(fields.as_object().map(|f| f.len()), Some(1), "{fields}");
        let after = member.api(Method::GET, "/api/v1/members/me/subscriptions", None).await.json();
        assert!(subscribed(&after, journal) && after["no_bulk_mail"] == true, "nothing changed: {after}");
    }
}

#[tokio::test]
async fn a_campaign_to_two_overlapping_groups_reaches_each_member_once() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let groups = staff.api(Method::GET, "/api/v1/groups", None).await.json();
        let mut members = Vec::new();
        for group in groups.as_array().unwrap() {
            let id = group["id"].as_i64().unwrap();
            members.push((id, group_members(&mut staff, id).await));
        }
        // Two groups that share members, neither holding the other.
        let (a, b) = members
            .iter()
            .flat_map(|a| members.iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.0 < b.0 && !a.1.is_disjoint(&b.1) && !a.1.is_subset(&b.1) && !b.1.is_subset(&a.1))
            .max_by_key(|(a, b)| a.1.intersection(&b.1).count())
            .expect("two overlapping demo groups");
        let mut expected: BTreeSet<i64> = a.1.union(&b.1).copied().collect();
        let overlap = a.1.intersection(&b.1).count();
        assert!(overlap > 0 && expected.len() < a.1.len() + b.1.len());

        let news = add_list(&mut staff, opt_out_list("newsletter")).await["id"].as_i64().unwrap();
        // One member of the audience has turned off all bulk mail (staff record it for them),
        // another has left the newsletter: neither receives it.
        let quiet = *expected.iter().next().unwrap();
        let left = *expected.iter().nth(1).unwrap();
        for (member, body) in [
            (quiet, json!({ "subscribed": [news], "no_bulk_mail": true })),
            (left, json!({ "subscribed": [], "no_bulk_mail": false })),
        ] {
            let r = staff.api(Method::PUT, &format!("/api/v1/members/{member}/subscriptions"), Some(body)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.json()["changes"][0]["source"], "staff, for the member");
            expected.remove(&member);
        }
        let expected_count = i64::try_from(expected.len()).unwrap();

        // Writing the campaign: problems are named per field.
        let audience = json!({ "include": [{ "kind": "group", "id": a.0 }, { "kind": "group", "id": b.0 }] });
        let r = staff
            .api(
                Method::POST,
                "/api/v1/campaigns",
                Some(json!({
                    "subject": "Hello {{nickname}}", "body": " ", "list_id": news,
                    "audience": { "include": [{ "kind": "everyone", "id": 1 }] }
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields = r.json()["error"]["fields"].clone();
        for field in ["subject", "body", "audience"] {
            assert!(fields[field].is_string(), "{field} in {fields}");
        }
        let r = staff
            .api(Method::POST, "/api/v1/campaigns", Some(json!({ "subject": "S", "body": "B", "audience": audience })))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no list named and none included: {}", r.body);
        assert!(r.json()["error"]["fields"]["list_id"].is_string(), "{}", r.body);
        let r = staff
            .api(
                Method::POST,
                "/api/v1/campaigns",
                Some(json!({ "subject": "S", "body": "B", "audience": { "include": [] }, "list_id": news })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        let r = staff
            .api(
                Method::POST,
                "/api/v1/campaigns",
                Some(json!({
                    "subject": "Spring news for {{first_name}}",
                    "body": "Dear {{first_name}},\n\nThe spring meeting is on **12 April**.",
                    "audience": audience,
                    "list_id": news
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let created = r.json();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["status"], "draft");
        assert_eq!(created["list_id"], news);
        assert_eq!(created["audience"]["include"], audience["include"]);
        assert_eq!(created["audience_words"]["include"].as_array().unwrap().len(), 2, "{created}");
        assert_eq!(created["recipients_now"], expected_count, "{created}");
        assert_eq!(created["may_send"], true);

        let r = staff.api(Method::GET, &format!("/api/v1/campaigns/{id}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["recipients_now"], expected_count, "the union of the two groups, each once");
        let listed = staff.api(Method::GET, "/api/v1/campaigns", None).await.json();
        assert_eq!((listed["total"].as_i64(), listed["items"][0]["id"].as_i64()), (Some(1), Some(id)), "{listed}");

        // Sent once; a second click queues nobody.
        let r = staff.api(Method::POST, &format!("/api/v1/campaigns/{id}/send"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json(), json!({ "id": id, "recipients": expected_count }));
        let r = staff.api(Method::POST, &format!("/api/v1/campaigns/{id}/send"), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.json()["error"]["code"], "conflict");

        let sent = staff.api(Method::GET, &format!("/api/v1/campaigns/{id}"), None).await.json();
        assert_ne!(sent["status"], "draft", "{sent}");
        assert!(sent.get("recipients_now").is_none(), "frozen once sent: {sent}");
        assert_eq!((sent["recipients"].as_i64(), sent["may_send"].as_bool()), (Some(expected_count), Some(false)));

        let messages = campaign_messages(&t, id).await;
        let to: BTreeSet<i64> = messages.iter().map(|(member, _)| *member).collect();
        let addresses: BTreeSet<&str> = messages.iter().map(|(_, address)| address.as_str()).collect();
        assert_eq!(messages.len(), expected.len(), "one message per recipient on {:?}", t.engine);
        assert_eq!(to, expected, "exactly the audience, each once");
        assert_eq!(addresses.len(), expected.len(), "each address once");

        let r = staff.api(Method::GET, &format!("/api/v1/campaigns/{id}/report"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let report = r.json();
        assert_eq!(report["recipients"], expected_count, "{report}");
        assert_eq!(report["queued"].as_i64().unwrap() + report["sent"].as_i64().unwrap(), expected_count, "{report}");
        for zero in ["failed", "undetermined", "hard_bounces", "soft_bounces", "complaints", "unsubscribed"] {
            assert_eq!(report[zero], 0, "{zero} in {report}");
        }
    }
}

#[tokio::test]
async fn every_role_on_every_communications_api_operation() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let society = add_list(&mut staff, opt_out_list("society-news")).await["id"].as_i64().unwrap();
        let chapter_list = |chapter: i64, slug: &str, officers: bool| {
            json!({
                "slug": slug, "name": format!("Chapter {chapter} news"), "purpose": "Meetings.", "opt_in": false,
                "chapter_id": chapter, "officers_may_send": officers
            })
        };
        // The demo officer holds office in chapter 1.
        let own = add_list(&mut staff, chapter_list(1, "chapter-1-news", true)).await["id"].as_i64().unwrap();
        let own_closed = add_list(&mut staff, chapter_list(1, "chapter-1-board", false)).await["id"].as_i64().unwrap();
        let other = add_list(&mut staff, chapter_list(2, "chapter-2-news", true)).await["id"].as_i64().unwrap();
        let campaign = |list: i64, chapter: Option<i64>| {
            let rule = match chapter {
                Some(chapter) => json!({ "kind": "chapter", "id": chapter }),
                None => json!({ "kind": "standing", "id": "active" }),
            };
            json!({ "subject": "Matrix", "body": "Matrix.", "list_id": list, "audience": { "include": [rule] } })
        };
        let mut write = async |body: Value| {
            let r = staff.api(Method::POST, "/api/v1/campaigns", Some(body)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["id"].as_i64().unwrap()
        };
        let society_campaign = write(campaign(society, None)).await;
        let own_campaign = write(campaign(own, Some(1))).await;
        let other_campaign = write(campaign(other, Some(2))).await;

        let people: Vec<i64> = {
            let mut ids = Vec::new();
            for user in 1..=4 {
                if let Some(m) = t.store.member_by_user(user).await.unwrap() {
                    ids.push(m.id);
                }
            }
            ids
        };
        let maya = t.store.member_by_user(1).await.unwrap().unwrap().id;
        let in_chapter_1 = guildhall_store::MemberFilter { chapter_id: Some(1), ..Default::default() };
        let chapter1 = t.store.search_members(&in_chapter_1, guildhall_store::PageRequest::new(1, 10)).await.unwrap();
        let neighbour = chapter1.items.iter().find(|m| !people.contains(&m.id)).unwrap().id;

        let later = json!({ "send_at": society_wall_clock(&t, 30, "09:00") });
        let mut clients = role_clients(&t).await;
        let staff_only = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
        let officers = [Unauthorised, Forbidden, Ok, Ok, Ok];
        let mine = [Unauthorised, Ok, Ok, NotFound, NotFound];
        let json = |method: Method, path: String, body: Value| Call::Json(method, path, body);
        let choices = json!({ "subscribed": [], "no_bulk_mail": false });
        let rows = vec![
            (Call::Get("/api/v1/lists".into()), officers),
            (
                json(
                    Method::POST,
                    "/api/v1/lists".into(),
                    json!({ "slug": "matrix", "name": "Matrix", "purpose": "Matrix.", "opt_in": true }),
                ),
                // The administrator's repeat finds the slug taken.
                [Unauthorised, Forbidden, Forbidden, Ok, Invalid],
            ),
            (Call::Get("/api/v1/members/me/subscriptions".into()), mine),
            (json(Method::PUT, "/api/v1/members/me/subscriptions".into(), choices.clone()), mine),
            // Maya is the demo member: her own, and staff's; not the officer's.
            (Call::Get(format!("/api/v1/members/{maya}/subscriptions")), [Unauthorised, Ok, Forbidden, Ok, Ok]),
            (
                json(Method::PUT, format!("/api/v1/members/{maya}/subscriptions"), choices.clone()),
                [Unauthorised, Ok, Forbidden, Ok, Ok],
            ),
            // A member of the officer's own chapter: still only theirs and staff's.
            (Call::Get(format!("/api/v1/members/{neighbour}/subscriptions")), staff_only),
            (json(Method::PUT, format!("/api/v1/members/{neighbour}/subscriptions"), choices.clone()), staff_only),
            (Call::Get("/api/v1/campaigns".into()), officers),
            // Officers write under their chapter's lists that staff opened to them, and no other.
            (json(Method::POST, "/api/v1/campaigns".into(), campaign(own, Some(1))), officers),
            (json(Method::POST, "/api/v1/campaigns".into(), campaign(society, None)), staff_only),
            (
                json(
                    Method::POST,
                    "/api/v1/campaigns".into(),
                    json!({
                        "subject": "Matrix", "body": "Matrix.",
                        "audience": { "include": [{ "kind": "list", "id": society }] }
                    }),
                ),
                staff_only,
            ),
            (json(Method::POST, "/api/v1/campaigns".into(), campaign(other, Some(2))), staff_only),
            (json(Method::POST, "/api/v1/campaigns".into(), campaign(other, Some(1))), staff_only),
            (json(Method::POST, "/api/v1/campaigns".into(), campaign(own_closed, Some(1))), staff_only),
            (Call::Get(format!("/api/v1/campaigns/{own_campaign}")), officers),
            (Call::Get(format!("/api/v1/campaigns/{society_campaign}")), staff_only),
            (Call::Get(format!("/api/v1/campaigns/{other_campaign}")), staff_only),
            (Call::Get(format!("/api/v1/campaigns/{own_campaign}/report")), officers),
            (Call::Get(format!("/api/v1/campaigns/{society_campaign}/report")), staff_only),
            (Call::Get(format!("/api/v1/campaigns/{other_campaign}/report")), staff_only),
            // One list is staff's to read, as its page is: even the officer's own chapter's.
            (Call::Get(format!("/api/v1/lists/{own}")), staff_only),
            (Call::Get(format!("/api/v1/lists/{society}")), staff_only),
            (Call::Get(format!("/api/v1/lists/{other}")), staff_only),
            (json(Method::PUT, format!("/api/v1/campaigns/{own_campaign}"), campaign(own, Some(1))), officers),
            (json(Method::PUT, format!("/api/v1/campaigns/{society_campaign}"), campaign(society, None)), staff_only),
            (json(Method::PUT, format!("/api/v1/campaigns/{other_campaign}"), campaign(other, Some(2))), staff_only),
            (Call::Get(format!("/api/v1/campaigns/{own_campaign}/preview")), officers),
            (Call::Get(format!("/api/v1/campaigns/{society_campaign}/preview")), staff_only),
            (Call::Get(format!("/api/v1/campaigns/{other_campaign}/preview")), staff_only),
            (json(Method::POST, format!("/api/v1/campaigns/{own_campaign}/test"), json!({})), officers),
            (json(Method::POST, format!("/api/v1/campaigns/{society_campaign}/test"), json!({})), staff_only),
            (json(Method::POST, format!("/api/v1/campaigns/{other_campaign}/test"), json!({})), staff_only),
            (json(Method::POST, format!("/api/v1/campaigns/{own_campaign}/schedule"), later.clone()), officers),
            (json(Method::POST, format!("/api/v1/campaigns/{society_campaign}/schedule"), later.clone()), staff_only),
            (json(Method::POST, format!("/api/v1/campaigns/{other_campaign}/schedule"), later.clone()), staff_only),
        ];
        run_matrix(&t, &mut clients, rows).await;

        // The officer cannot move their own campaign under another chapter's list or the
        // society's; it stays where it was.
        for (list, chapter) in [(other, Some(2)), (society, None)] {
            let path = format!("/api/v1/campaigns/{own_campaign}");
            let r = clients[2].api(Method::PUT, &path, Some(campaign(list, chapter))).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
            assert_eq!(clients[2].api(Method::GET, &path, None).await.json()["list_id"], own);
        }

        // Cancelling: the first allowed caller cancels, everyone allowed after them is told
        // it is no longer open (409); a cancelled campaign stays cancelled.
        let cancels = [
            (write(campaign(society, None)).await, [401, 403, 403, 200, 409]),
            (write(campaign(other, Some(2))).await, [401, 403, 403, 200, 409]),
            (write(campaign(own, Some(1))).await, [401, 403, 200, 409, 409]),
        ];
        for (campaign, statuses) in cancels {
            let path = format!("/api/v1/campaigns/{campaign}/cancel");
            for (client, status) in clients.iter_mut().zip(statuses) {
                let r = client.api(Method::POST, &path, None).await;
                assert_eq!(r.status.as_u16(), status, "POST {path} on {:?}: {}", t.engine, r.body);
                if status == 200 {
                    assert_eq!(r.json()["status"], "cancelled", "{}", r.body);
                }
            }
            let read = clients[3].api(Method::GET, &format!("/api/v1/campaigns/{campaign}"), None).await.json();
            assert_eq!(read["status"], "cancelled", "{read}");
        }

        // Sending: the first allowed caller sends, everyone allowed after them is told it
        // has gone (409), and nobody is queued twice.
        let sends = [
            (society_campaign, [401, 403, 403, 200, 409]),
            (other_campaign, [401, 403, 403, 200, 409]),
            (own_campaign, [401, 403, 200, 409, 409]),
        ];
        for (campaign, statuses) in sends {
            let path = format!("/api/v1/campaigns/{campaign}/send");
            let mut recipients = None;
            for (client, status) in clients.iter_mut().zip(statuses) {
                let r = client.api(Method::POST, &path, None).await;
                assert_eq!(r.status.as_u16(), status, "POST {path} on {:?}: {}", t.engine, r.body);
                if status == 200 {
                    recipients = r.json()["recipients"].as_i64();
                }
            }
            let messages = campaign_messages(&t, campaign).await;
            assert_eq!(i64::try_from(messages.len()).ok(), recipients, "POST {path}: queued once");
        }

        // Sending again the messages of unknown delivery: only those who may send under the
        // list may ask; with none unknown, they are told there is nothing to send (409).
        for (campaign, statuses) in [
            (society_campaign, [401, 403, 403, 409, 409]),
            (other_campaign, [401, 403, 403, 409, 409]),
            (own_campaign, [401, 403, 409, 409, 409]),
        ] {
            let path = format!("/api/v1/campaigns/{campaign}/resend");
            for (client, status) in clients.iter_mut().zip(statuses) {
                let r = client.api(Method::POST, &path, None).await;
                assert_eq!(r.status.as_u16(), status, "POST {path} on {:?}: {}", t.engine, r.body);
            }
        }
    }
}

/// The society's clock's zone (`events.time_zone`) and the instant a wall-clock time there is.
fn society_instant(t: &TestApp, local: &str) -> i64 {
    guildhall_domain::events::local_instant(local, &t.app.settings.events.time_zone).unwrap()
}

/// RFC 3339, as the API writes instants.
fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn a_draft_is_read_edited_previewed_test_sent_scheduled_and_cancelled_through_the_api() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let news = add_list(&mut staff, opt_out_list("newsletter")).await;
        let list = news["id"].as_i64().unwrap();

        // One list, read back as it was added.
        let r = staff.api(Method::GET, &format!("/api/v1/lists/{list}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json(), news, "the list as added");

        // A draft to chapter 1's members, then changed to every active member.
        let draft = json!({
            "subject": "Spring news for {{first_name}}",
            "body": "Dear {{first_name}},\n\nThe [spring meeting](https://example.org/spring) is on **12 April**.",
            "list_id": list,
            "audience": { "include": [{ "kind": "chapter", "id": 1 }] }
        });
        let created = staff.api(Method::POST, "/api/v1/campaigns", Some(draft)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/campaigns/{id}");
        let active = guildhall_domain::communications::Audience {
            include: vec![guildhall_domain::communications::AudienceRule::Standing(
                guildhall_domain::membership::Standing::Active,
            )],
            exclude: vec![],
        };
        let reach = t.store.audience_count(list, &active).await.unwrap();
        assert_ne!(reach, created.json()["recipients_now"].as_i64().unwrap(), "the edit changes who it reaches");
        let edit = json!({
            "subject": "Summer news for {{first_name}}",
            "body": "Dear {{first_name}},\n\nThe [summer meeting](https://example.org/summer) is on **12 July**.",
            "list_id": list,
            "audience": { "include": [{ "kind": "standing", "id": "active" }] }
        });
        let r = staff.api(Method::PUT, &path, Some(edit.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let edited = r.json();
        assert_eq!(
            (edited["subject"].as_str(), edited["status"].as_str(), edited["recipients_now"].as_i64()),
            (Some("Summer news for {{first_name}}"), Some("draft"), Some(reach)),
            "{edited}"
        );
        assert_eq!(edited["audience"]["include"], edit["audience"]["include"]);
        assert_eq!(staff.api(Method::GET, &path, None).await.json(), edited, "read back as saved");
        let r = staff
            .api(
                Method::PUT,
                &path,
                Some(json!({
                    "subject": "", "body": "Hello {{nickname}}", "list_id": list,
                    "audience": { "include": [{ "kind": "standing", "id": "active" }] }
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields = r.json()["error"]["fields"].clone();
        assert!(fields["subject"].is_string() && fields["body"].is_string(), "{fields}");
        assert_eq!(staff.api(Method::GET, &path, None).await.json()["subject"], edited["subject"], "unchanged");

        // The preview: made for a sample member (staff hold no member record), with how many
        // it reaches now.
        let r = staff.api(Method::GET, &format!("{path}/preview"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let preview = r.json();
        assert_eq!(preview["subject"], "Summer news for Alex", "{preview}");
        assert_eq!(preview["recipients"], reach);
        let text = preview["text"].as_str().unwrap();
        assert!(text.starts_with("Dear Alex,") && text.contains("The Newsletter"), "{text}");
        let html = preview["html"].as_str().unwrap();
        assert!(html.contains("<strong>12 July</strong>") && html.contains("https://example.org/summer"), "{html}");
        assert!(!html.contains("{{"), "merge fields filled: {html}");

        // A test send goes to the caller alone, marked, and is not counted.
        let r = staff.api(Method::POST, &format!("{path}/test"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json(), json!({ "id": id, "sent_to": STAFF }));
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let received = t.mail_to(STAFF).await;
        let test = received.last().unwrap();
        assert!(test.starts_with("[Test] Summer news for Alex\nDear Alex,"), "{test}");
        let report = staff.api(Method::GET, &format!("{path}/report"), None).await.json();
        assert_eq!((report["recipients"].as_i64(), report["sent"].as_i64()), (Some(0), Some(0)), "{report}");

        // Scheduled for a wall-clock time on the society's clock; refused times are named.
        let when = society_wall_clock(&t, 30, "09:00");
        let at = society_instant(&t, &when);
        let r = staff.api(Method::POST, &format!("{path}/schedule"), Some(json!({ "send_at": when }))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let scheduled = r.json();
        assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
        assert_eq!(scheduled["scheduled_for"], rfc3339(at), "09:00 on the society's clock, not UTC");
        let next_year = t.app.clock.today().year() + 1;
        let spring_forward = (8..=14)
            .map(|day| time::Date::from_calendar_date(next_year, time::Month::March, day).unwrap())
            .find(|d| d.weekday() == time::Weekday::Sunday)
            .unwrap();
        let bad = [
            json!({ "send_at": "24/12/2026 9am" }),
            json!({ "send_at": "" }),
            json!({ "send_at": "2026-13-45T09:00" }),
            json!({ "send_at": society_wall_clock(&t, -1, "09:00") }),
            // The clocks go from 02:00 to 03:00 that night in America/New_York.
            json!({ "send_at": format!("{spring_forward}T02:30") }),
        ];
        for body in bad {
            let r = staff.api(Method::POST, &format!("{path}/schedule"), Some(body.clone())).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
            assert!(r.json()["error"]["fields"]["send_at"].is_string(), "{body}: {}", r.body);
        }
        let r = staff.api(Method::POST, &format!("{path}/schedule"), Some(json!({ "when": when }))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("send_at"), "{}", r.body);
        let still = staff.api(Method::GET, &path, None).await.json();
        assert_eq!(
            (still["status"].as_str(), still["scheduled_for"].as_str()),
            (Some("scheduled"), Some(&*rfc3339(at)))
        );

        // The job starts it at that time, not a minute before.
        t.app.clock.advance(at - t.app.clock.unix() - 60);
        assert_eq!(t.app.send_due_campaigns().await.unwrap(), 0);
        t.app.clock.advance(60);
        assert_eq!(t.app.send_due_campaigns().await.unwrap(), 1);
        // A month on, staff's session has ended: they sign in again.
        let mut staff = t.signed_in(STAFF).await;
        let sent = staff.api(Method::GET, &path, None).await.json();
        assert_eq!((sent["status"].as_str(), sent["recipients"].as_i64()), (Some("sending"), Some(reach)), "{sent}");

        // Once it has gone it cannot be changed, rescheduled or cancelled (409, as the pages
        // say); its preview gives the frozen count.
        let later = json!({ "send_at": society_wall_clock(&t, 40, "09:00") });
        for (method, action, body) in [
            (Method::PUT, "", Some(edit.clone())),
            (Method::POST, "/schedule", Some(later)),
            (Method::POST, "/cancel", None),
        ] {
            let r = staff.api(method.clone(), &format!("{path}{action}"), body).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{method} {path}{action}: {}", r.body);
            let message = r.json()["error"]["message"].as_str().unwrap().to_string();
            assert!(message.contains("already been sent or cancelled"), "{message}");
        }
        assert_eq!(staff.api(Method::GET, &path, None).await.json()["status"], "sending");
        let preview = staff.api(Method::GET, &format!("{path}/preview"), None).await.json();
        assert_eq!(preview["recipients"], reach);

        // Unknown and malformed ids, on every new operation; the pages answer 400 too.
        let schedule = json!({ "send_at": society_wall_clock(&t, 30, "09:00") });
        for (method, tail, body) in [
            (Method::GET, "", None),
            (Method::PUT, "", Some(edit.clone())),
            (Method::GET, "/preview", None),
            (Method::POST, "/test", None),
            (Method::POST, "/schedule", Some(schedule.clone())),
            (Method::POST, "/cancel", None),
        ] {
            for (id, status) in [("999999", 404), ("abc", 400), ("0", 400), ("-3", 400)] {
                let path = format!("/api/v1/campaigns/{id}{tail}");
                let r = staff.api(method.clone(), &path, body.clone()).await;
                assert_eq!(r.status.as_u16(), status, "{method} {path}: {}", r.body);
                assert!(r.json()["error"]["message"].is_string(), "{}", r.body);
            }
        }
        for (path, status) in [("/api/v1/lists/999999", 404), ("/api/v1/lists/abc", 400), ("/api/v1/lists/0", 400)] {
            let r = staff.api(Method::GET, path, None).await;
            assert_eq!(r.status.as_u16(), status, "{path}: {}", r.body);
        }
        for path in ["/campaigns/abc", "/campaigns/abc/preview", "/staff/lists/abc"] {
            assert_eq!(staff.get(path).await.status, StatusCode::BAD_REQUEST, "{path}");
        }

        // A member is refused every one of them.
        let mut member = t.signed_in(MEMBER).await;
        for (method, tail, body) in [
            (Method::PUT, "", Some(edit.clone())),
            (Method::GET, "/preview", None),
            (Method::POST, "/test", None),
            (Method::POST, "/schedule", Some(schedule.clone())),
            (Method::POST, "/cancel", None),
        ] {
            let r = member.api(method.clone(), &format!("{path}{tail}"), body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}{tail}: {}", r.body);
        }
        let r = member.api(Method::GET, &format!("/api/v1/lists/{list}"), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
}

#[tokio::test]
async fn a_campaign_staff_move_to_the_society_s_list_is_no_longer_the_officer_s() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut officer = t.signed_in(OFFICER).await;
        let society = add_list(&mut staff, opt_out_list("society-news")).await["id"].as_i64().unwrap();
        let chapter = add_list(
            &mut staff,
            json!({
                "slug": "chapter-1-news", "name": "Chapter 1 news", "purpose": "Meetings.", "opt_in": false,
                "chapter_id": 1, "officers_may_send": true
            }),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let body = |list: i64| {
            json!({
                "subject": "Meeting", "body": "We meet on Friday.", "list_id": list,
                "audience": { "include": [{ "kind": "chapter", "id": 1 }] }
            })
        };
        let r = officer.api(Method::POST, "/api/v1/campaigns", Some(body(chapter))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let path = format!("/api/v1/campaigns/{}", r.json()["id"]);
        assert_eq!(officer.api(Method::GET, &format!("{path}/preview"), None).await.status, StatusCode::OK);

        let r = staff.api(Method::PUT, &path, Some(body(society))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json().get("chapter_id").is_none(), "the society's now: {}", r.body);
        // The officer can no longer schedule it (the job would send it society-wide), nor
        // read, test or cancel it.
        let later = json!({ "send_at": society_wall_clock(&t, 30, "09:00") });
        for (method, tail, body) in [
            (Method::GET, "", None),
            (Method::GET, "/preview", None),
            (Method::POST, "/test", None),
            (Method::POST, "/schedule", Some(later)),
            (Method::POST, "/cancel", None),
        ] {
            let r = officer.api(method.clone(), &format!("{path}{tail}"), body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}{tail}: {}", r.body);
        }
        assert_eq!(staff.api(Method::GET, &path, None).await.json()["status"], "draft");
    }
}
