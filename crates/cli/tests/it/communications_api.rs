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
        ];
        run_matrix(&t, &mut clients, rows).await;

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
    }
}
