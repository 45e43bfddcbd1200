//! Open and click tracking of campaigns, on both engines: off by default (messages carry no
//! tracking address, the report and the privacy page say nothing is recorded); turned on, a
//! delivered message's image and links record each recipient's first open and first click
//! (once, however many requests arrive together), a link goes only where the campaign's body
//! says, test sends are not tracked, and the privacy page says what is recorded.

use axum::http::{Method, StatusCode, header};
use guildhall_app::Settings;
use guildhall_store::{MemberRecord, PageRequest};
use serde_json::{Value, json};

use crate::harness::*;

/// Where the test apps' emailed links start (`server.public_url`).
const SITE: &str = "http://127.0.0.1:8080";

/// A campaign body with two web links (one made for its recipient) and a mail link between.
const BODY: &str = "Dear {{first_name}},\n\nSee [the programme](https://example.org/programme?year=2027&day=1), \
                    [write to us](mailto:office@example.org) or [register](https://example.org/register/{{member_number}}).";

fn tracking_on() -> Settings {
    let mut settings = test_settings();
    settings.mail.tracking = true;
    settings
}

/// The demo member's record.
async fn maya(t: &TestApp) -> MemberRecord {
    let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
    t.store.member_by_user(user.id).await.unwrap().unwrap()
}

/// Staff add a society-wide opt-out list, write a campaign with [`BODY`] to everyone on it,
/// send it, and every message is delivered. Its id.
async fn sent_campaign(t: &TestApp, staff: &mut Client) -> i64 {
    let list = json!({ "slug": "newsletter", "name": "The Newsletter", "purpose": "News.", "opt_in": false });
    let r = staff.api(Method::POST, "/api/v1/lists", Some(list)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = r.json()["id"].as_i64().unwrap();
    let campaign = json!({
        "subject": "News for {{first_name}}", "body": BODY, "list_id": list,
        "audience": { "include": [{ "kind": "list", "id": list }] }
    });
    let r = staff.api(Method::POST, "/api/v1/campaigns", Some(campaign)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let r = staff.api(Method::POST, &format!("/api/v1/campaigns/{id}/send"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
    id
}

/// A campaign's message to an address as it went out: (plain text, HTML part).
async fn delivered(t: &TestApp, campaign: i64, address: &str, test: bool) -> (String, String) {
    let mail = t.store.list_mail(Some(&address.to_lowercase()), PageRequest::new(1, 50)).await.unwrap();
    let message = mail
        .items
        .into_iter()
        .find(|m| m.campaign_id == Some(campaign) && m.campaign_test == test)
        .unwrap_or_else(|| panic!("no message of campaign {campaign} to {address}"));
    assert_eq!(message.status, "sent");
    (message.body_text, message.body_html.expect("the HTML part as it went out"))
}

/// Every `href` and `src` of an HTML part, in order, their character references read.
fn addresses(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .chain(html.split("src=\"").skip(1))
        .map(|rest| unescape(rest.split('"').next().unwrap()))
        .collect()
}

/// An attribute's value with `&amp;` and numeric references (`&#47;`) read.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (reference, after) = rest[at + 1..].split_once(';').unwrap();
        match reference.strip_prefix('#') {
            Some(code) => out.push(char::from_u32(code.parse().unwrap()).unwrap()),
            None => out.push_str(match reference {
                "amp" => "&",
                "quot" => "\"",
                other => panic!("&{other};"),
            }),
        }
        rest = after;
    }
    out + rest
}

/// The addresses of an HTML part on this site starting with `path`, as paths.
fn tracking_paths(html: &str, path: &str) -> Vec<String> {
    addresses(html)
        .into_iter()
        .filter_map(|a| a.strip_prefix(SITE).map(str::to_string))
        .filter(|a| a.starts_with(path))
        .collect()
}

/// `prefix` and a token with its last character changed.
fn changed_last(token: &str, prefix: &str) -> String {
    let last = if token.ends_with('0') { '1' } else { '0' };
    format!("{prefix}{}{last}", &token[..token.len() - 1])
}

async fn report(staff: &mut Client, campaign: i64) -> Value {
    let r = staff.api(Method::GET, &format!("/api/v1/campaigns/{campaign}/report"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn with_tracking_on_a_message_records_its_first_open_and_click_and_its_links_go_where_the_body_says() {
    for t in TestApp::each_engine_with(tracking_on()).await {
        let mut staff = t.signed_in(STAFF).await;
        let id = sent_campaign(&t, &mut staff).await;
        let maya = maya(&t).await;
        let (text, html) = delivered(&t, id, &maya.email, false).await;

        // The HTML part: one image, the two web links through the click address by their
        // place (the mail link and the footer's links untouched); the plain text as written.
        let opens = tracking_paths(&html, "/mail/open/");
        assert_eq!(opens.len(), 1, "{html}");
        let clicks = tracking_paths(&html, "/mail/click/");
        assert_eq!(clicks.len(), 2, "{html}");
        assert!(clicks[0].ends_with("/0") && clicks[1].ends_with("/2"), "{clicks:?}");
        assert!(html.contains("href=\"mailto:office@example.org\""), "{html}");
        assert!(!html.contains("example.org/programme") && !html.contains("example.org/register"), "{html}");
        assert_eq!(tracking_paths(&html, "/mail/unsubscribe/").len(), 1, "leaving the list is not tracked");
        assert!(text.contains("https://example.org/programme?year=2027&day=1"), "{text}");
        assert!(!text.contains("/mail/click/") && !text.contains("/mail/open/"), "{text}");
        let before = report(&mut staff, id).await;
        assert_eq!(
            (before["tracking"].as_bool(), before["opened"].as_i64(), before["clicked"].as_i64()),
            (Some(true), Some(0), Some(0))
        );

        // The mail program loads the image (no cookies): a transparent GIF nobody caches.
        let mut reader = t.client();
        let (status, headers, bytes) = reader.get_bytes(&opens[0]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "image/gif");
        assert!(headers[header::CACHE_CONTROL].to_str().unwrap().contains("no-store"));
        assert!(bytes.starts_with(b"GIF89a") && bytes.len() < 64, "{bytes:?}");
        reader.get_bytes(&opens[0]).await;
        let opened = report(&mut staff, id).await;
        assert_eq!((opened["opened"].as_i64(), opened["clicked"].as_i64()), (Some(1), Some(0)), "{opened}");

        // Each link goes where the body says, made for the recipient; clicked twice, counted once.
        let r = reader.get(&clicks[0]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "https://example.org/programme?year=2027&day=1"));
        let r = reader.get(&clicks[1]).await;
        let register = format!("https://example.org/register/{}", maya.member_number);
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, register.as_str()));
        let clicked = report(&mut staff, id).await;
        assert_eq!((clicked["opened"].as_i64(), clicked["clicked"].as_i64()), (Some(1), Some(1)), "{clicked}");

        // Never anywhere the request names; a changed token, another purpose's token, a place
        // with no web link: a page saying so (404), and nothing recorded.
        let r = reader.get(&format!("{}?url=https://evil.example", clicks[0])).await;
        assert_eq!(r.location(), "https://example.org/programme?year=2027&day=1");
        let token = clicks[0].trim_start_matches("/mail/click/").trim_end_matches("/0").to_string();
        let open_token = opens[0].trim_start_matches("/mail/open/").to_string();
        let (first, rest) = token.split_once('-').unwrap();
        let someone_else = format!("{}-{rest}", first.parse::<i64>().unwrap() + 1);
        for path in [
            format!("/mail/click/{token}/1"),
            format!("/mail/click/{token}/3"),
            format!("/mail/click/{token}/abc"),
            format!("/mail/click/{token}/https:%2F%2Fevil.example"),
            format!("/mail/click/{someone_else}/0"),
            format!("/mail/click/{open_token}/0"),
            format!("/mail/open/{token}"),
            changed_last(&open_token, "/mail/open/"),
        ] {
            let r = reader.get(&path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
            assert!(r.body.contains("This link is not valid"), "{path}: a page that says so: {}", r.body);
            assert!(r.location().is_empty());
        }

        // Another recipient's mail program loads no images; following a link counts as
        // their opening too.
        let (other, _) = t
            .store
            .list_mail(None, PageRequest::new(1, 200))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|m| m.campaign_id == Some(id) && m.member_id != Some(maya.id))
            .map(|m| (m.to_address, m.member_id))
            .next()
            .unwrap();
        let (_, other_html) = delivered(&t, id, &other, false).await;
        let other_clicks = tracking_paths(&other_html, "/mail/click/");
        assert_ne!(other_clicks[0], clicks[0], "each recipient's links are their own");
        assert_eq!(reader.get(&other_clicks[0]).await.status, StatusCode::SEE_OTHER);
        let both = report(&mut staff, id).await;
        assert_eq!((both["opened"].as_i64(), both["clicked"].as_i64()), (Some(2), Some(2)), "{both}");
        let page = staff.get(&format!("/campaigns/{id}")).await.body;
        assert!(page.contains("Followed a link in it") && page.contains("Opened it"), "{page}");
        assert!(!page.contains("tracking turned off"), "{page}");

        // A test send is not tracked, even for a writer who is a member.
        let chapter_list = json!({
            "slug": "chapter-1-news", "name": "Chapter 1 news", "purpose": "Meetings.", "opt_in": false,
            "chapter_id": 1, "officers_may_send": true
        });
        let list = staff.api(Method::POST, "/api/v1/lists", Some(chapter_list)).await.json()["id"].as_i64().unwrap();
        let mut officer = t.signed_in(OFFICER).await;
        let draft = json!({
            "subject": "Meeting", "body": BODY, "list_id": list,
            "audience": { "include": [{ "kind": "chapter", "id": 1 }] }
        });
        let r = officer.api(Method::POST, "/api/v1/campaigns", Some(draft)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let chapter_campaign = r.json()["id"].as_i64().unwrap();
        let r = officer.api(Method::POST, &format!("/api/v1/campaigns/{chapter_campaign}/test"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let officer_user = t.store.user_by_email(OFFICER).await.unwrap().unwrap();
        assert!(t.store.member_by_user(officer_user.id).await.unwrap().is_some(), "the officer is a member");
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let (_, test_html) = delivered(&t, chapter_campaign, OFFICER, true).await;
        assert!(test_html.contains("https://example.org/programme"), "{test_html}");
        assert!(!test_html.contains("/mail/open/") && !test_html.contains("/mail/click/"), "{test_html}");

        // The privacy page and the preferences page say what is recorded.
        let mut member = t.signed_in(MEMBER).await;
        for path in ["/privacy", "/account/mail"] {
            let body = member.get(path).await.body;
            assert!(body.contains("record when you open one"), "{path}: {body}");
        }
    }
}

#[tokio::test]
async fn with_tracking_off_by_default_messages_carry_no_tracking_and_nothing_is_counted() {
    for t in TestApp::each_engine().await {
        assert!(!t.app.settings.mail.tracking, "off unless the society turns it on");
        let mut staff = t.signed_in(STAFF).await;
        let id = sent_campaign(&t, &mut staff).await;
        let maya = maya(&t).await;
        let (text, html) = delivered(&t, id, &maya.email, false).await;
        for part in [&text, &html] {
            assert!(!part.contains("/mail/open/") && !part.contains("/mail/click/"), "{part}");
        }
        assert!(!html.contains("<img"), "no image at all: {html}");
        let links = addresses(&html);
        assert!(links.contains(&"https://example.org/programme?year=2027&day=1".to_string()), "{links:?}");
        assert!(links.contains(&format!("https://example.org/register/{}", maya.member_number)), "{links:?}");

        let counted = report(&mut staff, id).await;
        assert_eq!(counted["tracking"], false);
        assert!(counted.get("opened").is_none() && counted.get("clicked").is_none(), "{counted}");
        let page = staff.get(&format!("/campaigns/{id}")).await.body;
        assert!(page.contains("the society has tracking turned off") && !page.contains("Opened it"), "{page}");
        let mut member = t.signed_in(MEMBER).await;
        for path in ["/privacy", "/account/mail"] {
            let body = member.get(path).await.body;
            assert!(body.contains("do not record whether you open them"), "{path}: {body}");
            assert!(!body.contains("record when you open one"), "{path}");
        }
    }
}

#[tokio::test]
async fn twenty_opens_and_twenty_clicks_at_once_count_the_recipient_once() {
    for t in TestApp::each_engine_with(tracking_on()).await {
        let mut staff = t.signed_in(STAFF).await;
        let id = sent_campaign(&t, &mut staff).await;
        let (_, html) = delivered(&t, id, &maya(&t).await.email, false).await;
        let open = tracking_paths(&html, "/mail/open/").remove(0);
        let click = tracking_paths(&html, "/mail/click/").remove(0);
        for (path, counted) in [(open, "opened"), (click, "clicked")] {
            let mut requests = tokio::task::JoinSet::new();
            for _ in 0..20 {
                let (mut reader, path) = (t.client(), path.clone());
                requests.spawn(async move { reader.get(&path).await.status });
            }
            let answers = requests.join_all().await;
            assert!(answers.iter().all(|s| s.is_success() || s.is_redirection()), "{path}: {answers:?}");
            let report = report(&mut staff, id).await;
            assert_eq!(report[counted], 1, "{:?}: {path} twenty times at once: {report}", t.engine);
            assert_eq!(report["opened"], 1, "{report}");
        }
    }
}
