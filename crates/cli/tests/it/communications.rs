//! Communications on both engines: the audience's SQL agrees with the set algebra over
//! overlapping groups; a campaign reaches each person once however often and however
//! concurrently it is sent, and a send interrupted mid-way gives nobody a second copy; the
//! message carries RFC 8058 one-click unsubscribe, which works from the message without
//! signing in and only for its own recipient; bounces fed back suspend an address (and its
//! re-confirmation link lifts the suspension); a spam complaint takes the member off the list.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use guildhall_app::Actor;
use guildhall_app::communications::ListForm;
use guildhall_app::communications::campaigns::CampaignDraft;
use guildhall_domain::communications::{Audience, AudienceInput, AudienceRule, RuleInput};
use guildhall_domain::identity::Role;
use guildhall_domain::membership::Standing;
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

async fn staff(t: &TestApp) -> Actor {
    let user = t.store.user_by_email(STAFF).await.unwrap().unwrap();
    Actor::for_account(user.id, STAFF, "Priya Natarajan", Role::Staff)
}

/// A society-wide opt-out list everyone is on until they leave.
async fn newsletter(t: &TestApp, staff: &Actor) -> i64 {
    let form = ListForm {
        slug: "newsletter".into(),
        name: "The Monthly Engineer".into(),
        purpose: "The monthly newsletter.".into(),
        opt: "out".into(),
        ..ListForm::default()
    };
    t.app.create_communication_list(staff, &form, "test").await.unwrap()
}

/// Member ids by the staff search (a different path from the audience's SQL).
async fn search(t: &TestApp, filter: MemberFilter) -> BTreeSet<i64> {
    let page = t.store.search_members(&filter, PageRequest::new(1, 200)).await.unwrap();
    assert!(page.total <= 200, "the test society fits one page");
    page.items.iter().map(|m| m.id).collect()
}

fn rule(kind: &str, id: impl Into<serde_json::Value>) -> RuleInput {
    RuleInput { kind: kind.into(), id: id.into() }
}

/// The two largest groups, which overlap in the demo society.
async fn two_groups(t: &TestApp) -> (i64, i64) {
    let mut sized = Vec::new();
    for group in t.store.list_groups().await.unwrap() {
        let members = search(t, MemberFilter { group_id: Some(group.id), ..MemberFilter::default() }).await;
        sized.push((members.len(), group.id));
    }
    sized.sort_unstable_by(|a, b| b.cmp(a));
    (sized[0].1, sized[1].1)
}

async fn draft(t: &TestApp, staff: &Actor, list: i64, include: Vec<RuleInput>) -> i64 {
    let draft = CampaignDraft {
        list_id: Some(list),
        subject: "News for {{first_name}}".into(),
        body: "Dear {{first_name}},\n\nThe **annual meeting** is on Friday.".into(),
        audience: AudienceInput { include, exclude: Vec::new() },
    };
    t.app.create_campaign(staff, &draft, "test").await.unwrap()
}

/// The members a rule matches, by the staff search (lists: the current members, as an
/// opt-out list nobody has left; events: nobody is registered for the made-up one).
async fn members_of(t: &TestApp, rule: &AudienceRule) -> BTreeSet<i64> {
    let filter = match rule {
        AudienceRule::Group(id) => MemberFilter { group_id: Some(*id), ..MemberFilter::default() },
        AudienceRule::Chapter(id) => MemberFilter { chapter_id: Some(*id), ..MemberFilter::default() },
        AudienceRule::Tier(id) => MemberFilter { tier_id: Some(*id), ..MemberFilter::default() },
        AudienceRule::Standing(s) => MemberFilter { standings: vec![*s], ..MemberFilter::default() },
        AudienceRule::List(_) => MemberFilter {
            standings: Standing::ALL.into_iter().filter(|s| s.is_current_member()).collect(),
            ..MemberFilter::default()
        },
        AudienceRule::Event(_) => return BTreeSet::new(),
    };
    search(t, filter).await
}

#[tokio::test]
async fn the_audience_sql_agrees_with_the_set_algebra_over_overlapping_groups() {
    for t in TestApp::each_engine().await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let (g1, g2) = two_groups(&t).await;
        let chapter = t.store.list_chapters().await.unwrap()[0].id;
        let tier = t.app.reference().await.unwrap().tiers[0].id;
        let everyone = search(&t, MemberFilter::default()).await;
        let cases: Vec<(Vec<AudienceRule>, Vec<AudienceRule>)> = vec![
            (vec![AudienceRule::Group(g1), AudienceRule::Group(g2)], vec![]),
            (vec![AudienceRule::Group(g1), AudienceRule::Group(g2)], vec![AudienceRule::Chapter(chapter)]),
            (
                vec![AudienceRule::Chapter(chapter)],
                vec![AudienceRule::Group(g1), AudienceRule::Standing(Standing::Lapsed)],
            ),
            (vec![AudienceRule::Tier(tier), AudienceRule::Group(g2)], vec![AudienceRule::Tier(tier)]),
            (vec![AudienceRule::List(list)], vec![AudienceRule::Standing(Standing::Lapsed)]),
            (vec![AudienceRule::Event(999_999)], vec![]),
        ];
        for (include, exclude) in cases {
            let audience = Audience { include: include.clone(), exclude: exclude.clone() };
            let mut sets = BTreeMap::new();
            for rule in include.iter().chain(&exclude) {
                sets.insert(format!("{rule:?}"), members_of(&t, rule).await);
            }
            // Whatever the rules, only those on the campaign's list receive it.
            let on_list = members_of(&t, &AudienceRule::List(list)).await;
            let expected: BTreeSet<i64> =
                audience.members(|rule| sets[&format!("{rule:?}")].clone()).intersection(&on_list).copied().collect();
            let got: BTreeSet<i64> = t.store.audience_members(list, &audience).await.unwrap().into_iter().collect();
            assert_eq!(got, expected, "{:?}: {include:?} minus {exclude:?}", t.engine);
            assert!(got.is_subset(&everyone));
            assert_eq!(t.store.audience_count(list, &audience).await.unwrap(), expected.len() as i64);
        }
    }
}

#[tokio::test]
async fn a_campaign_to_overlapping_groups_is_queued_once_per_person_however_many_send_it_at_once() {
    for t in TestApp::each_engine().await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let (g1, g2) = two_groups(&t).await;
        let first = search(&t, MemberFilter { group_id: Some(g1), ..MemberFilter::default() }).await;
        let second = search(&t, MemberFilter { group_id: Some(g2), ..MemberFilter::default() }).await;
        assert!(first.intersection(&second).count() > 0, "the groups overlap");
        let on_list = members_of(&t, &AudienceRule::List(list)).await;
        let union: BTreeSet<i64> = first.union(&second).filter(|id| on_list.contains(id)).copied().collect();
        let id = draft(&t, &staff, list, vec![rule("group", g1), rule("group", g2)]).await;
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let (app, staff) = (t.app.clone(), staff.clone());
            sends.spawn(async move { app.send_campaign(&staff, id, "test").await });
        }
        let results = sends.join_all().await;
        let sent: Vec<i64> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
        assert_eq!(sent, vec![union.len() as i64], "{:?}: one send went through, with everyone once", t.engine);
        assert!(
            results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(guildhall_app::AppError::Conflict { .. })))
        );
        let report = t.store.campaign_report(id).await.unwrap();
        assert_eq!((report.recipients, report.queued), (union.len() as i64, union.len() as i64));
        // Delivered: one message per address, each a real one made for its recipient.
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let mail = t.store.list_mail(None, PageRequest::new(1, 200)).await.unwrap();
        let mut per_address = BTreeMap::new();
        for m in mail.items.iter().filter(|m| m.campaign_id == Some(id)) {
            *per_address.entry(m.to_address.clone()).or_insert(0) += 1;
            assert!(m.subject.starts_with("News for ") && !m.subject.contains("{{"), "{}", m.subject);
        }
        assert_eq!(per_address.len(), union.len());
        assert!(per_address.values().all(|n| *n == 1), "{per_address:?}");
        assert_eq!(t.app.send_due_campaigns().await.unwrap(), 0);
        assert_eq!(t.store.campaign(id).await.unwrap().unwrap().status.code(), "sent");
    }
}

/// A campaign sent and its messages claimed; `stop_after` of them handed to the relay before
/// the sender stops (marked in flight, never marked sent).
async fn interrupted_send(t: &TestApp, staff: &Actor, list: i64, stop_after: usize) -> (i64, Vec<i64>) {
    let (g1, g2) = two_groups(t).await;
    let id = draft(t, staff, list, vec![rule("group", g1), rule("group", g2)]).await;
    t.app.send_campaign(staff, id, "test").await.unwrap();
    let claimed = t.store.claim_due_bulk_mail(t.app.clock.unix(), 120, 200).await.unwrap();
    let in_flight: Vec<i64> = claimed.iter().take(stop_after).map(|m| m.id).collect();
    assert_eq!(t.store.mark_mail_in_flight(&in_flight, t.app.clock.unix()).await.unwrap(), in_flight);
    (id, in_flight)
}

#[tokio::test]
async fn a_send_that_stops_mid_way_gives_nobody_a_second_copy_and_says_how_many_are_unknown() {
    for t in TestApp::each_engine().await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let (id, in_flight) = interrupted_send(&t, &staff, list, 5).await;
        // The sender restarts: nothing is sent until the lease runs out, then the rest go
        // and the five handed over when it stopped are left undetermined, not sent again.
        assert_eq!(t.app.deliver_due_mail().await.unwrap(), (0, 0), "{:?}: still leased", t.engine);
        t.app.clock.advance(121);
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let report = t.store.campaign_report(id).await.unwrap();
        assert_eq!(report.undetermined, 5);
        assert_eq!(report.sent + report.undetermined, report.recipients, "{report:?}");
        assert_eq!(report.queued, 0);
        let mail = t.store.list_mail(None, PageRequest::new(1, 200)).await.unwrap();
        let mut per_address = BTreeMap::new();
        for m in mail.items.iter().filter(|m| m.campaign_id == Some(id)) {
            *per_address.entry(m.to_address.clone()).or_insert(0) += 1;
            let expected = if in_flight.contains(&m.id) { "undetermined" } else { "sent" };
            assert_eq!(m.status, expected, "message {}", m.id);
        }
        assert!(per_address.values().all(|n| *n == 1), "{per_address:?}");
        // A second send after the restart queues nobody again.
        assert!(matches!(t.app.send_campaign(&staff, id, "test").await, Err(guildhall_app::AppError::Conflict { .. })));
        assert_eq!(t.store.campaign_report(id).await.unwrap().recipients, report.recipients);

        // Staff may choose to send the five again, after a confirmation that says some may
        // get it twice; then the report has no unknowns, and there is nothing more to resend.
        let mut pages = t.signed_in(STAFF).await;
        let page = pages.get(&format!("/campaigns/{id}")).await;
        assert!(page.body.contains("Send again to the 5 whose delivery is unknown"), "{}", page.body);
        let confirm = pages.get(&format!("/campaigns/{id}/resend")).await;
        assert!(confirm.body.contains("will receive the campaign a second time"), "{}", confirm.body);
        let unconfirmed = pages.post_form(&format!("/campaigns/{id}/resend"), &[]).await;
        assert_eq!(unconfirmed.status, StatusCode::OK, "without the confirmation it asks again");
        assert_eq!(t.store.campaign_report(id).await.unwrap().undetermined, 5);
        let resent = pages.post_form(&format!("/campaigns/{id}/resend"), &[("confirmed", "yes")]).await;
        assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        t.app.send_due_campaigns().await.unwrap();
        let after = t.store.campaign_report(id).await.unwrap();
        assert_eq!((after.undetermined, after.sent, after.queued), (0, after.recipients, 0), "{after:?}");
        let again = pages.api(Method::POST, &format!("/api/v1/campaigns/{id}/resend"), None).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(again.body.contains("nothing to send again"), "{}", again.body);
        let log = audit(&mut pages, "campaign.resent").await;
        assert_eq!(log["total"], 1, "{log}");
        assert!(log["items"][0].to_string().contains("messages"), "how many were sent again: {log}");
    }
}

/// The headers a delivered message went out with (kept for the development mailbox).
async fn headers_of(t: &TestApp, campaign: i64, address: &str) -> serde_json::Value {
    let mail = t.store.list_mail(Some(address), PageRequest::new(1, 50)).await.unwrap();
    let message = mail.items.iter().find(|m| m.campaign_id == Some(campaign)).expect("the campaign's message");
    serde_json::from_str(message.headers.as_deref().expect("kept headers")).unwrap()
}

fn bounce_settings() -> guildhall_app::Settings {
    let mut settings = test_settings();
    settings.mail.bounce_address = "bounces@mail.example.org".into();
    settings
}

#[tokio::test]
async fn one_click_unsubscribe_works_from_the_message_without_signing_in_and_only_for_its_recipient() {
    for t in TestApp::each_engine_with(bounce_settings()).await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let member =
            t.store.member_by_user(t.store.user_by_email(MEMBER).await.unwrap().unwrap().id).await.unwrap().unwrap();
        let id = draft(&t, &staff, list, vec![rule("list", list)]).await;
        t.app.send_campaign(&staff, id, "test").await.unwrap();
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let headers = headers_of(&t, id, &member.email).await;
        assert_eq!(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
        assert_eq!(headers["Precedence"], "bulk");
        let return_path = headers["Return-Path"].as_str().unwrap();
        assert!(return_path.starts_with("<bounces+") && return_path.ends_with("@mail.example.org>"), "{return_path}");
        let unsubscribe = headers["List-Unsubscribe"].as_str().unwrap().trim_matches(['<', '>']).to_string();
        let path = unsubscribe.trim_start_matches("http://127.0.0.1:8080").to_string();
        assert!(path.starts_with("/mail/unsubscribe/"), "{unsubscribe}");

        // Someone else's link, or a changed one, does nothing.
        let mut stranger = t.client();
        let forged = format!("{}0", &path[..path.len() - 1]);
        assert_eq!(stranger.get(&forged).await.status, StatusCode::NOT_FOUND);
        let other = path.replacen(
            &format!("/mail/unsubscribe/{}-", member.id),
            &format!("/mail/unsubscribe/{}-", member.id + 1),
            1,
        );
        assert_eq!(stranger.post_raw(&other, "List-Unsubscribe=One-Click").await.status, StatusCode::NOT_FOUND);

        // The page asks first; the mail client's POST (no cookies, no form token) applies it.
        let page = stranger.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Leave The Monthly Engineer?"), "{}", page.body);
        let request = Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("List-Unsubscribe=One-Click"))
            .unwrap();
        let done = t.client().send(request).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let lists = t.store.member_subscriptions(member.id).await.unwrap();
        assert!(!lists.iter().find(|s| s.list.id == list).unwrap().subscribed, "{:?}: off the list", t.engine);
        let changes = t.store.consent_changes(member.id, 5).await.unwrap();
        assert_eq!(
            (changes[0].source.as_str(), changes[0].campaign_id, changes[0].subscribed),
            ("one-click unsubscribe", Some(id), false)
        );
        assert_eq!(t.store.campaign_report(id).await.unwrap().unsubscribed, 1);
        // Nobody else left, and the next campaign to the list passes them over.
        let next = draft(&t, &staff, list, vec![rule("list", list)]).await;
        let reached = t.app.campaign_page(&staff, next).await.unwrap().recipients_now.unwrap();
        assert_eq!(
            reached,
            t.store
                .audience_count(list, &Audience { include: vec![AudienceRule::List(list)], exclude: vec![] })
                .await
                .unwrap()
        );
        assert!(
            !t.store
                .audience_members(list, &Audience { include: vec![AudienceRule::List(list)], exclude: vec![] })
                .await
                .unwrap()
                .contains(&member.id)
        );
    }
}

/// A Postfix-style delivery status notification for the message whose return path is `to`.
fn hard_bounce(to: &str, recipient: &str) -> Vec<u8> {
    format!(
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\nTo: {to}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n\r\n\
         --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown\r\n\r\n--B--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn bounces_fed_back_suspend_the_address_and_its_reconfirmation_lifts_it() {
    for t in TestApp::each_engine_with(bounce_settings()).await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let member =
            t.store.member_by_user(t.store.user_by_email(MEMBER).await.unwrap().unwrap().id).await.unwrap().unwrap();
        let everyone = Audience { include: vec![AudienceRule::List(list)], exclude: vec![] };
        let before = t.store.audience_count(list, &everyone).await.unwrap();
        let id = draft(&t, &staff, list, vec![rule("list", list)]).await;
        t.app.send_campaign(&staff, id, "test").await.unwrap();
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let return_path = headers_of(&t, id, &member.email).await["Return-Path"]
            .as_str()
            .unwrap()
            .trim_matches(['<', '>'])
            .to_string();
        use guildhall_app::communications::bounces::Returned;
        // A hard bounce a day: the fifth reaches the threshold. Two on one day count once.
        for day in 1..=5 {
            let got =
                t.app.receive_returned_mail(&hard_bounce(&return_path, "someone@elsewhere.example")).await.unwrap();
            let expected = if day == 5 { Returned::Suspended } else { Returned::Counted };
            assert_eq!(got, expected, "{:?}: day {day}", t.engine);
            if day == 2 {
                let again =
                    t.app.receive_returned_mail(&hard_bounce(&return_path, "someone@elsewhere.example")).await.unwrap();
                assert_eq!(again, Returned::NotCounted);
            }
            t.app.clock.advance(86_400);
        }
        let address = member.email.to_lowercase();
        assert!(
            t.store.mail_address(&address).await.unwrap().unwrap().suspended_at.is_some(),
            "matched by the token, not the report's recipient"
        );
        assert_eq!(t.store.campaign_report(id).await.unwrap().hard_bounces, 6);
        assert_eq!(t.store.audience_count(list, &everyone).await.unwrap(), before - 1, "bulk mail passes them over");
        let reconfirm = t
            .mail_to(&address)
            .await
            .into_iter()
            .find(|m| m.contains("is this address still yours?"))
            .expect("a re-confirmation");
        let link = link_in(&reconfirm, "/mail/reconfirm/");
        let path = link.trim_start_matches("http://127.0.0.1:8080");
        let mut person = t.client();
        assert!(person.get(path).await.body.contains("Is this address still yours?"));
        let lifted = person.post_form(path, &[]).await;
        assert_eq!(lifted.status, StatusCode::OK);
        assert!(lifted.body.contains("works: newsletters and campaigns will be sent to it again"), "{}", lifted.body);
        assert!(t.store.mail_address(&address).await.unwrap().unwrap().suspended_at.is_none());
        assert_eq!(t.store.audience_count(list, &everyone).await.unwrap(), before);

        // A spam complaint (ARF) naming the message takes the member off its list.
        let complaint = format!(
            "From: fbl@isp.example\r\nTo: {return_path}\r\nSubject: Abuse report\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\r\n\r\n\
             --F\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n\r\n\
             --F\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: ISP-FBL/1.0\r\nVersion: 1\r\n\r\n\
             --F\r\nContent-Type: text/rfc822-headers\r\n\r\nReturn-Path: <{return_path}>\r\nTo: {address}\r\nSubject: News\r\n\r\n--F--\r\n"
        );
        assert_eq!(t.app.receive_returned_mail(complaint.as_bytes()).await.unwrap(), Returned::Complaint);
        let lists = t.store.member_subscriptions(member.id).await.unwrap();
        assert!(!lists.iter().find(|s| s.list.id == list).unwrap().subscribed);
        assert_eq!(t.store.consent_changes(member.id, 1).await.unwrap()[0].source, "spam complaint");
        assert_eq!(t.store.campaign_report(id).await.unwrap().complaints, 1);

        // The operator's mail system posts a bounce with the shared secret; without it, refused.
        let mut system = t.client();
        assert_eq!(system.post_raw("/mail/bounces", "x").await.status, StatusCode::NOT_FOUND, "off without a secret");
    }
}

/// How a campaign's messages stand in the outbox: (sent, attempts made in all).
async fn campaign_delivery(t: &TestApp, campaign: i64) -> (usize, i64) {
    let mail = t.store.list_mail(None, PageRequest::new(1, 200)).await.unwrap();
    let mine: Vec<_> = mail.items.iter().filter(|m| m.campaign_id == Some(campaign)).collect();
    (mine.iter().filter(|m| m.status == "sent").count(), mine.iter().map(|m| m.attempts).sum())
}

#[tokio::test]
async fn bulk_mail_keeps_to_its_relays_limits_over_a_sliding_window() {
    // The main relay's limits (no relay of its own for bulk mail; the development mailbox
    // counts as sending): 10 a minute, 25 an hour.
    let mut settings = test_settings();
    settings.mail.bulk_per_minute = 10;
    settings.mail.bulk_per_hour = 25;
    for t in TestApp::each_engine_with(settings).await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let id = draft(&t, &staff, list, vec![rule("list", list)]).await;
        let recipients = t.app.send_campaign(&staff, id, "test").await.unwrap() as usize;
        assert!(recipients > 25, "the test campaign outgrows an hour's limit");
        let mut sent_by_minute = Vec::new();
        for _ in 0..4 {
            while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
            sent_by_minute.push(campaign_delivery(&t, id).await.0);
            t.app.clock.advance(61);
        }
        assert_eq!(sent_by_minute, [10, 20, 25, 25], "{:?}: ten a minute, then the hour's 25", t.engine);
        t.app.clock.advance(3600);
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        assert_eq!(campaign_delivery(&t, id).await.0, 35, "an hour on, the next ten");
    }

    // A relay of its own for bulk mail, with its own limit (4 a minute); the main relay has
    // none. Both are closed ports here: what counts is how many campaign messages each round
    // hands to the bulk relay, and that transactional mail is not held by its limit.
    let mut settings = test_settings();
    settings.mail.smtp_host = "127.0.0.1".into();
    settings.mail.smtp_port = 9;
    settings.mail.smtp_security = "none".into();
    settings.mail.bulk_relay.smtp_host = "127.0.0.1".into();
    settings.mail.bulk_relay.smtp_port = 9;
    settings.mail.bulk_relay.smtp_security = "none".into();
    settings.mail.bulk_relay.per_minute = 4;
    for t in TestApp::each_engine_with(settings).await {
        let staff = staff(&t).await;
        let list = newsletter(&t, &staff).await;
        let id = draft(&t, &staff, list, vec![rule("list", list)]).await;
        t.app.send_campaign(&staff, id, "test").await.unwrap();
        t.app.deliver_due_mail().await.unwrap();
        assert_eq!(campaign_delivery(&t, id).await, (0, 4), "{:?}: four tried in the first minute", t.engine);
        // Failed sends are not sent, so they leave the window open: the next minute's round
        // tries four more.
        t.app.clock.advance(61);
        t.app.deliver_due_mail().await.unwrap();
        assert_eq!(campaign_delivery(&t, id).await, (0, 8), "four more a minute later");
    }
}
