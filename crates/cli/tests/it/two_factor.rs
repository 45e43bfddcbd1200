//! Two-factor sign-in: setting it up with an authenticator app, signing in with a code or
//! a recovery code (each once), and staff who must use it.

use axum::http::{Method, StatusCode};
use totp_rs::{Builder, Secret};

use crate::harness::*;

/// The code an authenticator app shows for `key` (as the page prints it) at `unix`: computed
/// by the test with `totp-rs` directly, as a phone would.
pub(crate) fn app_code(key: &str, unix: i64) -> String {
    let secret = Secret::try_from_base32(key.replace(' ', "")).expect("the page shows a base32 key");
    let totp = Builder::new().with_secret(secret).build().expect("RFC 6238 parameters");
    totp.generate(u64::try_from(unix).unwrap()).to_string()
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body.find(start).unwrap_or_else(|| panic!("no {start} in {body}")) + start.len();
    &body[from..from + body[from..].find(end).unwrap()]
}

/// Sets up two-factor sign-in for a signed-in client; returns the key and the recovery codes.
pub(crate) async fn turn_on(t: &TestApp, client: &mut Client) -> (String, Vec<String>) {
    let r = client.post_form("/account/two-factor/start", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = client.get("/account/two-factor").await;
    assert!(page.body.contains("<svg"), "a QR code is shown: {}", page.body);
    let key = between(&page.body, "<code class=\"key\">", "</code>").to_string();

    let wrong = client.post_form("/account/two-factor/enable", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That code is not right"), "{}", wrong.body);

    let r = client.post_form("/account/two-factor/enable", &[("code", &app_code(&key, t.app.clock.unix()))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Two-factor sign-in is on"));
    let codes: Vec<String> =
        r.body.split("<li><code>").skip(1).map(|s| s[..s.find("</code>").unwrap()].to_string()).collect();
    assert_eq!(codes.len(), 10, "ten recovery codes are shown once");
    (key, codes)
}

/// Signs in with the password; the answer sends the client to the second step.
async fn password_step(client: &mut Client, email: &str) {
    let r = client.sign_in(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/sign-in/two-factor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_signs_in_with_an_app_code_once_and_with_each_recovery_code_once() {
    for t in TestApp::each_engine().await {
        let mut member = t.signed_in(MEMBER).await;
        let (key, codes) = turn_on(&t, &mut member).await;
        assert!(t.mail_to(MEMBER).await.iter().any(|m| m.starts_with("Two-factor sign-in was turned on")));

        // The password alone no longer opens a session.
        let mut phone = t.client();
        password_step(&mut phone, MEMBER).await;
        assert_eq!(phone.get("/dashboard").await.location(), "/sign-in", "no session yet");
        // The code the set-up used cannot be used again, in the same 30 seconds.
        let same = phone.post_form("/sign-in/two-factor", &[("code", &app_code(&key, t.app.clock.unix()))]).await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(same.body.contains("used already"), "{}", same.body);
        t.app.clock.advance(30);
        let next = app_code(&key, t.app.clock.unix());
        let r = phone.post_form("/sign-in/two-factor", &[("code", &next)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/dashboard");
        assert_eq!(phone.get("/dashboard").await.status, StatusCode::OK);
        // Nor can that one sign in anywhere else.
        let mut other = t.client();
        password_step(&mut other, MEMBER).await;
        let again = other.post_form("/sign-in/two-factor", &[("code", &next)]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

        // A recovery code works once, typed in any case with or without its hyphen.
        let typed = codes[0].to_uppercase().replace('-', " ");
        let r = other.post_form("/sign-in/two-factor", &[("code", &typed)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            t.mail_to(MEMBER)
                .await
                .iter()
                .any(|m| m.starts_with("A recovery code was used") && m.contains("9 are left"))
        );
        let mut thief = t.client();
        password_step(&mut thief, MEMBER).await;
        let r = thief.post_form("/sign-in/two-factor", &[("code", &codes[0])]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a used recovery code is refused");

        // Ten sign-ins racing with one unused recovery code: exactly one gets in.
        let mut racers = Vec::new();
        for _ in 0..10 {
            let mut client = t.client();
            password_step(&mut client, MEMBER).await;
            racers.push(client);
        }
        let mut set = tokio::task::JoinSet::new();
        for mut client in racers {
            let code = codes[1].clone();
            set.spawn(async move { client.post_form("/sign-in/two-factor", &[("code", &code)]).await.status });
        }
        let answers = set.join_all().await;
        let signed_in = answers.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
        assert_eq!(signed_in, 1, "{:?} on {:?}", answers, t.engine);

        // Wrong codes are limited like wrong passwords.
        let mut guesser = t.client();
        password_step(&mut guesser, MEMBER).await;
        let mut last = StatusCode::OK;
        for guess in 0..7 {
            last = guesser.post_form("/sign-in/two-factor", &[("code", &format!("{guess:06}"))]).await.status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

        // New recovery codes replace the old; turning it off needs the password.
        let r = member.post_form("/account/two-factor/recovery-codes", &[("current_password", PASSWORD)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = member.post_form("/account/two-factor/disable", &[("current_password", "not my password")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = member.post_form("/account/two-factor/disable", &[("current_password", PASSWORD)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.client().sign_in(MEMBER, PASSWORD).await.location(), "/dashboard", "password alone again");
    }
}

#[tokio::test]
async fn staff_must_set_up_two_factor_sign_in_when_the_setting_is_on() {
    let mut settings = test_settings();
    settings.security.require_two_factor_for_staff = true;
    for t in TestApp::each_engine_with(settings).await {
        // Before it is set up, the staff account acts as a member: pages lead to the set-up,
        // and the API refuses staff operations.
        let mut staff = t.signed_in(STAFF).await;
        let r = staff.get("/staff/members").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/account/two-factor?required=1");
        let page = staff.get("/account/two-factor?required=1").await;
        assert!(page.body.contains("must use two-factor sign-in"), "{}", page.body);
        assert_eq!(staff.api(Method::GET, "/api/v1/audit-log", None).await.status, StatusCode::FORBIDDEN);

        let (key, _codes) = turn_on(&t, &mut staff).await;
        assert_eq!(staff.get("/staff/members").await.status, StatusCode::OK, "staff pages open once it is on");
        assert_eq!(staff.api(Method::GET, "/api/v1/audit-log", None).await.status, StatusCode::OK);
        assert_eq!(audit(&mut staff, "account.two_factor_enabled").await["total"], 1);

        // It cannot be turned off, and the next sign-in asks for a code.
        let r = staff.post_form("/account/two-factor/disable", &[("current_password", PASSWORD)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("must keep two-factor sign-in on"), "{}", r.body);
        let mut again = t.client();
        password_step(&mut again, STAFF).await;
        t.app.clock.advance(30);
        let r = again.post_form("/sign-in/two-factor", &[("code", &app_code(&key, t.app.clock.unix()))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(again.get("/staff/members").await.status, StatusCode::OK);

        // Lost phone and codes: an administrator (with two-factor sign-in of their own)
        // turns it off after checking who is asking; the staff member must set it up again.
        let mut admin = t.signed_in(ADMIN).await;
        turn_on(&t, &mut admin).await;
        let staff_id = t.store.user_by_email(STAFF).await.unwrap().unwrap().id;
        let path = format!("/admin/accounts/{staff_id}/two-factor/reset");
        let r = admin.post_form(&path, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the check of who is asking is confirmed");
        let r = admin.post_form(&path, &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audit(&mut admin, "account.two_factor_reset").await["total"], 1);
        assert!(
            t.mail_to(STAFF)
                .await
                .iter()
                .any(|m| m.starts_with("Two-factor sign-in was turned off by an administrator"))
        );
        let mut after_reset = t.signed_in(STAFF).await;
        assert_eq!(after_reset.get("/staff/members").await.location(), "/account/two-factor?required=1");

        // Members are not asked to set it up.
        let mut member = t.signed_in(MEMBER).await;
        assert_eq!(member.get("/dashboard").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_sign_in_waiting_for_its_code_expires() {
    for t in TestApp::each_engine().await {
        let mut member = t.signed_in(MEMBER).await;
        let (key, _) = turn_on(&t, &mut member).await;
        let mut client = t.client();
        password_step(&mut client, MEMBER).await;
        t.app.clock.advance(11 * 60);
        let r = client.post_form("/sign-in/two-factor", &[("code", &app_code(&key, t.app.clock.unix()))]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("This sign-in has expired"), "{}", r.body);
        assert_eq!(client.get("/sign-in/two-factor").await.location(), "/sign-in");
    }
}
