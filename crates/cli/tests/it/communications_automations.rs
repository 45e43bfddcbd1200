//! Automated series on both engines: a welcome series sends each step to the members whose
//! day has come (and to nobody whose day fell before it was switched on), each once however
//! many runs happen at once, and stops for a member who is no longer a member; a win-back
//! reaches lapsed members and stops for one who renewed. Staff alone manage them, with
//! clear messages for a bad step.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use guildhall_app::communications::ListForm;
use guildhall_app::{Actor, App};
use guildhall_domain::communications::{Audience, AudienceRule};
use guildhall_domain::identity::Role;
use guildhall_domain::membership::Standing;
use guildhall_store::{MemberFilter, MemberRecord, PageRequest, Store};
use time::Date;

use crate::harness::*;

async fn staff(t: &TestApp) -> Actor {
    let user = t.store.user_by_email(STAFF).await.unwrap().unwrap();
    Actor::for_account(user.id, STAFF, "Priya Natarajan", Role::Staff)
}

/// A society-wide opt-out list nobody has made a choice on yet.
async fn member_news(t: &TestApp, staff: &Actor) -> i64 {
    let form = ListForm {
        slug: "member-news".into(),
        name: "Member news".into(),
        purpose: "News for members, and the welcome series.".into(),
        opt: "out".into(),
        ..ListForm::default()
    };
    t.app.create_communication_list(staff, &form, "test").await.unwrap()
}

/// Members of `standings` on the list who take bulk mail (by the campaign audience's SQL).
async fn reachable(store: &Store, list: i64, standings: &[Standing]) -> Vec<MemberRecord> {
    let audience =
        Audience { include: standings.iter().map(|s| AudienceRule::Standing(*s)).collect(), exclude: Vec::new() };
    let mut members = Vec::new();
    for id in store.audience_members(list, &audience).await.unwrap() {
        members.push(store.member_by_id(id).await.unwrap().unwrap());
    }
    members
}

/// The members a step has gone to (its manifest, through its report's count and the outbox).
async fn step_recipients(t: &TestApp, step: i64) -> BTreeSet<String> {
    let report = t.store.campaign_report(step).await.unwrap();
    assert_eq!(report.queued + report.sent, report.recipients, "one message per recipient of step {step}");
    let mut to = BTreeSet::new();
    for mail in t.store.list_mail(None, guildhall_store::PageRequest::new(1, 200)).await.unwrap().items {
        if mail.campaign_id == Some(step) {
            assert!(to.insert(mail.to_address.clone()), "{} queued twice for step {step}", mail.to_address);
        }
    }
    assert_eq!(to.len() as i64, report.recipients);
    to
}

fn emails<'a>(members: impl IntoIterator<Item = &'a MemberRecord>) -> BTreeSet<String> {
    members.into_iter().map(|m| m.email.to_lowercase()).collect()
}

fn days(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

/// The steps of a series, oldest first (the demo society's own come before the test's).
async fn steps(app: &App, staff: &Actor, kind: guildhall_domain::communications::AutomationKind) -> Vec<i64> {
    let mut ids: Vec<i64> = app.automation_for(staff, kind).await.unwrap().steps.iter().map(|(s, _)| s.id).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_welcome_series_reaches_each_new_member_once_on_their_day_and_stops_for_one_who_left() {
    use guildhall_domain::communications::AutomationKind::Welcome;
    for t in TestApp::each_engine().await {
        let staff_actor = staff(&t).await;
        let list = member_news(&t, &staff_actor).await;
        let current = [Standing::Active, Standing::RenewalDue, Standing::Grace];
        let members = reachable(&t.store, list, &current).await;
        let today = t.app.clock.today();
        // A member who joined a while ago: the series' first step is set to fall on their day
        // today, its second ten days later.
        let newcomer = members
            .iter()
            .filter(|m| days(m.joined_on, today) > 20)
            .filter(|m| {
                let before = |o: &&MemberRecord| o.joined_on < m.joined_on && days(o.joined_on, m.joined_on) <= 10;
                members.iter().any(|o| before(&o))
            })
            .max_by_key(|m| m.joined_on)
            .expect("a member who joined over 20 days ago with another within the ten days before");
        let delay = days(newcomer.joined_on, today);

        let mut pages = t.signed_in(STAFF).await;
        let saved = pages
            .post_form("/campaigns/automations/welcome", &[("list_id", &list.to_string()), ("active", "on")])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        for (after, subject) in [(delay, "Welcome, {{first_name}}"), (delay + 10, "Your first weeks")] {
            let added = pages
                .post_form(
                    "/campaigns/automations/welcome/steps",
                    &[
                        ("delay_days", &after.to_string()),
                        ("subject", subject),
                        ("body", "Hello {{first_name}}, here is what the society offers."),
                    ],
                )
                .await;
            assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        }
        let [.., first, second] = steps(&t.app, &staff_actor, Welcome).await[..] else { panic!("two steps") };

        // Many runs at once (several nodes, or a slow one overlapping the next): each new
        // member is queued once.
        let mut runs = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let app = t.app.clone();
            runs.spawn(async move { app.run_automations().await });
        }
        while let Some(run) = runs.join_next().await {
            run.unwrap().unwrap();
        }
        let expected = emails(members.iter().filter(|m| m.joined_on == newcomer.joined_on));
        assert!(expected.contains(&newcomer.email.to_lowercase()));
        assert_eq!(step_recipients(&t, first).await, expected, "{:?}: the first step on their day", t.engine);
        assert!(step_recipients(&t, second).await.is_empty(), "the second step's day has not come");
        // Members who joined before the series was on were not written to.
        assert!(members.iter().filter(|m| m.joined_on < newcomer.joined_on).all(|m| !expected.contains(&m.email)));

        // The newcomer cancels before the second step's day; the others who joined around
        // then still get it.
        t.store.set_member_standing(newcomer.id, Standing::Cancelled, newcomer.expires_on, today).await.unwrap();
        t.app.clock.advance(10 * 86_400);
        t.app.run_automations().await.unwrap();
        let still: Vec<&MemberRecord> = members
            .iter()
            .filter(|m| m.id != newcomer.id && m.joined_on >= newcomer.joined_on - time::Duration::days(10))
            .filter(|m| m.joined_on <= newcomer.joined_on)
            .collect();
        assert!(!still.is_empty());
        assert_eq!(step_recipients(&t, second).await, emails(still.iter().copied()));
        assert!(
            !step_recipients(&t, second).await.contains(&newcomer.email.to_lowercase()),
            "stopped: no longer a member"
        );
        assert_eq!(t.app.run_automations().await.unwrap(), 0, "a second run queues nobody again");

        // The message goes out filled in, under the list, with one-click unsubscribe.
        while t.app.deliver_due_mail().await.unwrap() != (0, 0) {}
        let inbox = t.mail_to(&newcomer.email).await;
        assert!(inbox.iter().any(|m| m.starts_with(&format!("Welcome, {}", newcomer.first_name))), "{inbox:?}");
        let page = t.signed_in(STAFF).await.get("/campaigns/automations/welcome").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Your first weeks") && page.body.contains("Going"), "{}", page.body);
    }
}

#[tokio::test]
async fn a_win_back_reaches_lapsed_members_and_stops_for_one_who_renewed() {
    use guildhall_domain::communications::AutomationKind::WinBack;
    for t in TestApp::each_engine().await {
        let staff_actor = staff(&t).await;
        let list = member_news(&t, &staff_actor).await;
        let today = t.app.clock.today();
        // Former members are on an opt-out list for a win-back unless they left it (a campaign
        // to it reaches current members only).
        let filter = MemberFilter { standings: vec![Standing::Lapsed], ..MemberFilter::default() };
        let found = t.store.search_members(&filter, PageRequest::new(1, 200)).await.unwrap();
        let mut lapsed = Vec::new();
        for summary in found.items {
            let member = t.store.member_by_id(summary.id).await.unwrap().unwrap();
            if member.expires_on.is_some_and(|e| days(e, today) > 10) {
                lapsed.push(member);
            }
        }
        assert!(!lapsed.is_empty(), "the test society has lapsed members");
        let former = lapsed.iter().max_by_key(|m| m.expires_on).unwrap();
        let ended = former.expires_on.unwrap();
        let delay = days(ended, today);
        let series =
            guildhall_app::communications::automations::AutomationForm { list_id: list.to_string(), active: true };
        t.app.save_automation(&staff_actor, WinBack, &series, "test").await.unwrap();
        for after in [delay, delay + 5] {
            let step = guildhall_app::communications::automations::StepForm {
                delay_days: after.to_string(),
                subject: format!("We miss you ({after} days)"),
                body: "Come back, {{first_name}}: renewing takes a minute.".into(),
            };
            t.app.add_automation_step(&staff_actor, WinBack, &step, "test").await.unwrap();
        }
        let [.., first, second] = steps(&t.app, &staff_actor, WinBack).await[..] else { panic!("two steps") };
        t.app.run_automations().await.unwrap();
        let expected = emails(lapsed.iter().filter(|m| m.expires_on == Some(ended)));
        assert_eq!(step_recipients(&t, first).await, expected);

        // They renew; five days on the second step goes to the others, not to them.
        t.store
            .set_member_standing(former.id, Standing::Active, Some(today + time::Duration::days(365)), today)
            .await
            .unwrap();
        t.app.clock.advance(5 * 86_400);
        t.app.run_automations().await.unwrap();
        let others = emails(
            lapsed
                .iter()
                .filter(|m| m.id != former.id)
                .filter(|m| m.expires_on.is_some_and(|e| e >= ended - time::Duration::days(5) && e <= ended)),
        );
        assert_eq!(step_recipients(&t, second).await, others);
    }
}

#[tokio::test]
async fn only_staff_manage_series_and_a_bad_step_is_refused_with_a_message() {
    for t in TestApp::each_engine().await {
        let actor = staff(&t).await;
        for who in [MEMBER, OFFICER] {
            let mut client = t.signed_in(who).await;
            assert_eq!(client.get("/campaigns/automations").await.status, StatusCode::FORBIDDEN, "{who}");
            assert_eq!(client.get("/campaigns/automations/welcome").await.status, StatusCode::FORBIDDEN, "{who}");
            let posted =
                client.post_form("/campaigns/automations/welcome", &[("list_id", "1"), ("active", "on")]).await;
            assert_eq!(posted.status, StatusCode::FORBIDDEN, "{who}");
        }
        let mut staff = t.signed_in(STAFF).await;
        let overview = staff.get("/campaigns/automations").await;
        assert_eq!(overview.status, StatusCode::OK);
        assert!(overview.body.contains("Welcome series") && overview.body.contains("Lapsed-member win-back"));
        assert_eq!(staff.get("/campaigns/automations/nonsense").await.status, StatusCode::NOT_FOUND);
        assert_eq!(staff.get("/campaigns/automations/welcome/steps/abc").await.status, StatusCode::BAD_REQUEST);

        let refused = staff.post_form("/campaigns/automations/welcome", &[("list_id", "999999")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("lists for the series"), "{}", refused.body);

        let before = steps(&t.app, &actor, guildhall_domain::communications::AutomationKind::Welcome).await;
        let list = member_news(&t, &actor).await;
        let saved = staff.post_form("/campaigns/automations/welcome", &[("list_id", &list.to_string())]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let bad = staff
            .post_form(
                "/campaigns/automations/welcome/steps",
                &[("delay_days", "soon"), ("subject", "Hi {{nickname}}"), ("body", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Give a whole number of days"), "{}", bad.body);
        assert!(bad.body.contains("Enter the message."));
        assert!(bad.body.contains("nickname"), "the unknown merge field is named");
        assert!(bad.body.contains("value=\"Hi {{nickname}}\""), "what was typed is kept");
        assert_eq!(
            steps(&t.app, &actor, guildhall_domain::communications::AutomationKind::Welcome).await,
            before,
            "no step was added"
        );

        // Ending a step is confirmed first, then it sends no more.
        let added = staff
            .post_form(
                "/campaigns/automations/welcome/steps",
                &[("delay_days", "3"), ("subject", "Hi"), ("body", "Hello")],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
        let step = steps(&t.app, &actor, guildhall_domain::communications::AutomationKind::Welcome)
            .await
            .last()
            .copied()
            .unwrap();
        let confirm = staff.get(&format!("/campaigns/automations/welcome/steps/{step}/end")).await;
        assert!(confirm.body.contains("End the step"), "{}", confirm.body);
        let ended = staff.post_form(&format!("/campaigns/automations/welcome/steps/{step}/end"), &[]).await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER);
        let again = staff
            .post_form(
                &format!("/campaigns/automations/welcome/steps/{step}"),
                &[("delay_days", "3"), ("subject", "Hi"), ("body", "Hello")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "an ended step cannot be changed");
        let log = audit(&mut staff, "automation.step_ended").await;
        assert!(log.to_string().contains("Welcome series"), "{log}");
    }
}
