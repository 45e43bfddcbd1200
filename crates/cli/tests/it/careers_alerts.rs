//! Job alerts over HTTP, on both engines: a guest's alert mails nothing before its address
//! is confirmed, then only the new jobs matching its search; a message's signed link stops
//! it without signing in; rounds at once mail once; an account keeps at most ten, even when
//! asked at once; one account's alerts are nobody else's.

use axum::http::StatusCode;
use guildhall_app::Actor;
use guildhall_app::accounts::ClientInfo;
use guildhall_app::careers::{EmployerForm, JobAlertRequest, JobForm};
use guildhall_domain::identity::Role;

use crate::careers::{job_form, join_all, staff_actor};
use crate::harness::*;

const GUEST: &str = "river.guest@example.org";

fn client() -> ClientInfo {
    ClientInfo { ip: "192.0.2.7".into(), user_agent: "test".into() }
}

/// A job approved by staff with a 30-day run, live from now; its id.
async fn live_job(t: &TestApp, employer: i64, title: &str, discipline: &str) -> i64 {
    let staff = staff_actor(t).await;
    let form = JobForm { title: title.into(), discipline: discipline.into(), ..job_form() };
    let job = t.app.create_job(&staff, employer, &form, true, "t").await.unwrap();
    t.app.review_job(&staff, job, true, "", "30", "t").await.unwrap();
    job
}

async fn employer(t: &TestApp, name: &str) -> i64 {
    let staff = staff_actor(t).await;
    t.app.create_employer(&staff, &EmployerForm { name: name.into(), ..Default::default() }, "t").await.unwrap()
}

/// The value after `marker` in the newest mail to `to` holding it, up to the end of its line.
async fn link_in_mail(t: &TestApp, to: &str, marker: &str) -> String {
    let mail = t.mail_to(to).await;
    let message = mail.iter().rev().find(|m| m.contains(marker)).unwrap_or_else(|| panic!("no {marker} in {mail:?}"));
    message.split(marker).nth(1).unwrap().split_whitespace().next().unwrap().to_string()
}

fn new_jobs_mail(mail: &[String]) -> Vec<&String> {
    mail.iter().filter(|m| m.contains("on the society's job board:") && !m.starts_with("Confirm")).collect()
}

#[tokio::test]
async fn a_guests_alert_mails_only_once_confirmed_then_only_new_matching_jobs_until_stopped() {
    for t in TestApp::each_engine().await {
        let employer = employer(&t, "Brazos Water").await;
        let mut guest = t.client();

        let page = guest.get("/jobs/alerts/new?discipline=civil&jurisdiction=TX&page=2").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Civil jobs in Texas"), "{}", page.body);
        // A bad address is named and nothing is saved.
        let r = guest
            .post_form(
                "/jobs/alerts/new",
                &[
                    ("discipline", "civil"),
                    ("jurisdiction", "US-TX"),
                    ("frequency", "daily"),
                    ("email", "not-an-address"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", t.engine);
        assert!(r.body.contains("id=\"email-error\""), "{}", r.body);
        assert!(t.mail_to(GUEST).await.is_empty());

        let r = guest
            .post_form(
                "/jobs/alerts/new",
                &[("discipline", "civil"), ("jurisdiction", "US-TX"), ("frequency", "daily"), ("email", GUEST)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Check your email"));
        let token = link_in_mail(&t, GUEST, "/jobs/alerts/confirm?token=").await;

        // Not confirmed: a matching job and a day later, nothing is mailed.
        let before = live_job(&t, employer, "Levee inspector", "civil").await;
        t.app.clock.advance(25 * 3_600);
        assert_eq!(t.app.send_job_alerts().await.unwrap(), 0);
        assert!(new_jobs_mail(&t.mail_to(GUEST).await).is_empty());

        // Opening the link changes nothing; its button starts the alert, once.
        let page = guest.get(&format!("/jobs/alerts/confirm?token={token}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Civil jobs in Texas"));
        let r = guest.post_form("/jobs/alerts/confirm", &[("token", &token)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Your job alert is on"));
        assert_eq!(guest.post_form("/jobs/alerts/confirm", &[("token", &token)]).await.status, StatusCode::NOT_FOUND);

        // Jobs live since: the matching one is mailed, the other discipline's and the one
        // already live before are not.
        t.app.clock.advance(60);
        let new = live_job(&t, employer, "Culvert designer", "civil").await;
        live_job(&t, employer, "Pump engineer", "mechanical").await;
        assert_eq!(t.app.send_job_alerts().await.unwrap(), 0, "not a day since confirming");
        t.app.clock.advance(24 * 3_600);
        assert_eq!(t.app.send_job_alerts().await.unwrap(), 1);
        let mail = t.mail_to(GUEST).await;
        let sent = new_jobs_mail(&mail);
        assert_eq!(sent.len(), 1, "{mail:?}");
        assert!(sent[0].starts_with("1 new job: civil jobs in texas"), "{}", sent[0]);
        assert!(sent[0].contains("Culvert designer") && sent[0].contains(&format!("/jobs/{new}")));
        assert!(!sent[0].contains("Pump engineer") && !sent[0].contains(&format!("/jobs/{before}\n")));
        assert_eq!(t.app.send_job_alerts().await.unwrap(), 0, "sent today already");

        // The message's stop link: a changed one is refused; the real one asks, then stops.
        let stop = link_in_mail(&t, GUEST, "Stop this alert: ").await;
        let path =
            stop.split_once("/jobs/alerts/stop/").map(|(_, token)| format!("/jobs/alerts/stop/{token}")).unwrap();
        let forged = format!("{}0", &path[..path.len() - 1]);
        assert_eq!(guest.get(&forged).await.status, StatusCode::NOT_FOUND);
        let ask = guest.get(&path).await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(ask.body.contains("Stop this job alert?"));
        let r = guest.post_form(&path, &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Job alert stopped"));
        live_job(&t, employer, "Dam safety engineer", "civil").await;
        t.app.clock.advance(25 * 3_600);
        assert_eq!(t.app.send_job_alerts().await.unwrap(), 0);
        assert_eq!(new_jobs_mail(&t.mail_to(GUEST).await).len(), 1);
    }
}

#[tokio::test]
async fn a_members_alert_starts_at_once_and_rounds_at_once_mail_it_once() {
    for t in TestApp::each_engine().await {
        let employer = employer(&t, "Gulf Structures").await;
        let mut maya = t.signed_in(MEMBER).await;
        let r = maya.post_form("/jobs/alerts/new", &[("licence", "PE"), ("frequency", "weekly")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/account/job-alerts?done=alert_saved");
        let r = maya.post_form("/jobs/alerts/new", &[("licence", "PE"), ("frequency", "daily")]).await;
        assert_eq!(r.location(), "/account/job-alerts?done=alert_already_saved");
        let list = maya.get("/account/job-alerts").await.body;
        assert!(list.contains("All jobs, asking for a PE") && list.contains("Weekly"), "{list}");

        t.app.clock.advance(60);
        live_job(&t, employer, "Bridge rater", "civil").await;
        t.app.clock.advance(6 * 86_400);
        assert_eq!(t.app.send_job_alerts().await.unwrap(), 0, "a weekly alert waits a week");
        t.app.clock.advance(86_400);
        let rounds = (0..8).map(|_| {
            let app = t.app.clone();
            tokio::spawn(async move { app.send_job_alerts().await.unwrap() })
        });
        let queued: usize = join_all(rounds).await.into_iter().map(|r| r.unwrap()).sum();
        assert_eq!(queued, 1, "{:?}", t.engine);
        assert_eq!(new_jobs_mail(&t.mail_to(MEMBER).await).len(), 1);
    }
}

#[tokio::test]
async fn an_account_keeps_ten_alerts_even_asked_at_once_and_sees_only_its_own() {
    for t in TestApp::each_engine().await {
        let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
        let maya = Actor::for_account(user.id, &user.email, &user.display_name, Role::Member);
        let asks = (0..16).map(|i| {
            let (app, maya) = (t.app.clone(), maya.clone());
            tokio::spawn(async move {
                let request = JobAlertRequest {
                    filter: vec![("pay".into(), format!("{}", 50_000 + i * 1_000))],
                    frequency: "daily".into(),
                    email: String::new(),
                };
                app.save_job_alert(Some(&maya), &request, &client()).await
            })
        });
        let outcomes: Vec<_> = join_all(asks).await.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 10, "{:?}: {outcomes:?}", t.engine);
        assert_eq!(t.app.my_job_alerts(&maya).await.unwrap().len(), 10);
        let mut maya_client = t.signed_in(MEMBER).await;
        let r = maya_client.post_form("/jobs/alerts/new", &[("q", "tunnel"), ("frequency", "daily")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("as many as an account may keep"), "{}", r.body);

        // Another member finds none of them; a guest is sent to sign in.
        let alert = t.app.my_job_alerts(&maya).await.unwrap()[0].id;
        let mut officer = t.signed_in(OFFICER).await;
        assert!(!officer.get("/account/job-alerts").await.body.contains("All jobs, paying at least"));
        assert_eq!(officer.get(&format!("/account/job-alerts/{alert}/stop")).await.status, StatusCode::NOT_FOUND);
        let r = officer.post_form(&format!("/account/job-alerts/{alert}/stop"), &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(t.app.my_job_alerts(&maya).await.unwrap().len(), 10);
        assert_eq!(t.client().get("/account/job-alerts").await.status, StatusCode::SEE_OTHER);
        // Her own: asked first, then stopped.
        let r = maya_client.post_form(&format!("/account/job-alerts/{alert}/stop"), &[("confirmed", "yes")]).await;
        assert_eq!(r.location(), "/account/job-alerts?done=alert_stopped");
        assert_eq!(t.app.my_job_alerts(&maya).await.unwrap().len(), 9);

        // "Jobs I qualify for" is a member's alone.
        let mut guest = t.client();
        let r =
            guest.post_form("/jobs/alerts/new", &[("qualified", "1"), ("frequency", "daily"), ("email", GUEST)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(t.mail_to(GUEST).await.is_empty());
    }
}
