//! Joining, confirming, signing in and out, resetting a password, and the protections
//! around them (rate limits, CSRF, cookie flags).

use axum::http::{StatusCode, header};
use guildhall_app::Settings;
use guildhall_store::testing::TestDatabase;

use crate::harness::*;

#[tokio::test]
async fn a_new_person_joins_confirms_by_email_signs_in_and_out() {
    for t in TestApp::each_engine().await {
        let mut browser = t.client();
        let r = browser
            .post_form(
                "/sign-up",
                &[
                    ("display_name", "Grace Hopper"),
                    ("email", "Grace@Example.org"),
                    ("password", "a long enough password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Check your email"));

        // Not confirmed yet: signing in is refused and a fresh link is sent.
        let r = browser.sign_in("grace@example.org", "a long enough password").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Confirm your email address first"), "{}", r.body);
        let mail = t.mail_to("grace@example.org").await;
        assert_eq!(mail.len(), 2, "sign-up link and a resent one");
        assert!(mail[0].starts_with("Confirm your email"));

        let link = link_in(&mail[1], "http://127.0.0.1:8080/verify-email?token=");
        let path = link.trim_start_matches("http://127.0.0.1:8080");
        let r = browser.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Email confirmed"));
        let r = browser.get(path).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a link works once");
        assert!(r.body.contains("not valid"));

        let r = browser.sign_in("GRACE@example.org ", "a long enough password").await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/dashboard"));
        let r = browser.get("/dashboard").await;
        assert!(r.body.contains("Welcome, Grace Hopper"), "{}", r.body);

        let r = browser.post_form("/sign-out", &[]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
        let r = browser.get("/dashboard").await;
        assert_eq!(r.location(), "/sign-in", "signed out on the server, not just in the browser");
    }
}

#[tokio::test]
async fn joining_with_an_address_already_in_use_reveals_nothing_and_tells_its_owner() {
    for t in TestApp::each_engine().await {
        let r = t
            .client()
            .post_form(
                "/sign-up",
                &[("display_name", "Impostor"), ("email", MEMBER), ("password", "another long password")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Check your email"), "same answer as a new address");
        let mail = t.mail_to(MEMBER).await;
        assert_eq!(mail.len(), 1);
        assert!(mail[0].contains("already has one"));
        // The existing account is untouched.
        assert_eq!(t.signed_in(MEMBER).await.get("/dashboard").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_single_use_expiring_link() {
    for t in TestApp::each_engine().await {
        let mut old_session = t.signed_in(MEMBER).await;
        let mut browser = t.client();
        let r = browser.post_form("/password/forgot", &[("email", MEMBER)]).await;
        assert!(r.body.contains("Check your email"));
        let r = browser.post_form("/password/forgot", &[("email", "nobody@example.org")]).await;
        assert!(r.body.contains("Check your email"), "unknown addresses get the same answer");
        assert!(t.mail_to("nobody@example.org").await.is_empty());

        let mail = t.mail_to(MEMBER).await;
        let link = link_in(&mail[0], "http://127.0.0.1:8080/password/reset?token=");
        let token = link.split("token=").nth(1).unwrap();
        let r = browser.get(&format!("/password/reset?token={token}")).await;
        assert!(r.body.contains("Choose a new password"));

        let r = browser.post_form("/password/reset", &[("token", token), ("password", "short")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("at least 10 characters"), "{}", r.body);

        let r = browser.post_form("/password/reset", &[("token", token), ("password", "brand new password 1")]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Password changed"));
        assert_eq!(old_session.get("/dashboard").await.location(), "/sign-in", "old sessions end");
        let r = browser.post_form("/password/reset", &[("token", token), ("password", "another new password")]).await;
        assert!(r.body.contains("not valid"), "the link works once");
        assert_eq!(browser.sign_in(MEMBER, PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(browser.sign_in(MEMBER, "brand new password 1").await.status, StatusCode::SEE_OTHER);

        // Two links asked for: using one kills the other.
        browser.post_form("/password/forgot", &[("email", MEMBER)]).await;
        browser.post_form("/password/forgot", &[("email", MEMBER)]).await;
        let mail = t.mail_to(MEMBER).await;
        let tokens: Vec<String> = mail[mail.len() - 2..]
            .iter()
            .map(|m| link_in(m, "http://127.0.0.1:8080/password/reset?token=").split("token=").nth(1).unwrap().into())
            .collect();
        assert_ne!(tokens[0], tokens[1]);
        let r =
            browser.post_form("/password/reset", &[("token", &tokens[1]), ("password", "second new password")]).await;
        assert!(r.body.contains("Password changed"), "{}", r.body);
        let r =
            browser.post_form("/password/reset", &[("token", &tokens[0]), ("password", "attacker's password")]).await;
        assert!(r.body.contains("not valid"), "the other outstanding link died with the first used");
        assert_eq!(browser.sign_in(MEMBER, "second new password").await.status, StatusCode::SEE_OTHER);

        // A second link expires after an hour.
        browser.post_form("/password/forgot", &[("email", MEMBER)]).await;
        let mail = t.mail_to(MEMBER).await;
        let link = link_in(mail.last().unwrap(), "http://127.0.0.1:8080/password/reset?token=");
        let token = link.split("token=").nth(1).unwrap().to_string();
        t.app.clock.advance(3601);
        let r = browser.post_form("/password/reset", &[("token", &token), ("password", "too late password")]).await;
        assert!(r.body.contains("not valid"), "expired");
    }
}

#[tokio::test]
async fn six_wrong_passwords_are_rate_limited_per_account() {
    for t in TestApp::each_engine().await {
        let mut attacker = t.client();
        for attempt in 1..=5 {
            let r = attacker.sign_in(STAFF, "wrong password guess").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {attempt}");
            assert!(r.body.contains("The email address or password is not right."));
        }
        let r = attacker.sign_in(STAFF, "wrong password guess").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Too many failed sign-in attempts"));
        assert!(r.headers.contains_key(header::RETRY_AFTER));
        let r = t.client().sign_in(STAFF, PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        // Other accounts are unaffected, and the limit lifts after the window.
        assert_eq!(t.client().sign_in(ADMIN, PASSWORD).await.status, StatusCode::SEE_OTHER);
        t.app.clock.advance(15 * 60 + 1);
        assert_eq!(t.client().sign_in(STAFF, PASSWORD).await.status, StatusCode::SEE_OTHER);
    }
}

fn from(ip: &str) -> guildhall_app::accounts::ClientInfo {
    guildhall_app::accounts::ClientInfo { ip: ip.into(), user_agent: "test".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_wrong_passwords_at_once_get_no_more_checks_than_the_limit() {
    for t in TestApp::each_engine().await {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let app = t.app.clone();
            set.spawn(async move { app.sign_in(STAFF, "wrong password guess", &from("203.0.113.9")).await });
        }
        let answers = set.join_all().await;
        let refused = answers.iter().filter(|r| matches!(r, Err(guildhall_app::AppError::RateLimited { .. }))).count();
        let checked = t.store.failed_sign_ins_since(STAFF, "203.0.113.9", 0).await.unwrap();
        assert!(checked.0 <= 5, "at most 5 passwords checked on {:?}, not {}", t.engine, checked.0);
        assert_eq!(refused as i64, 50 - checked.0, "every other attempt was refused unchecked");
        assert!(answers.iter().all(|r| r.is_err()), "no wrong password signs in");
    }
}

#[tokio::test]
async fn failing_from_one_address_does_not_lock_the_owner_out_from_another() {
    for t in TestApp::each_engine().await {
        for _ in 0..8 {
            let _ = t.app.sign_in(STAFF, "wrong password guess", &from("198.51.100.7")).await;
        }
        let refused = t.app.sign_in(STAFF, PASSWORD, &from("198.51.100.7")).await;
        assert!(matches!(refused, Err(guildhall_app::AppError::RateLimited { .. })), "the attacker's address waits");
        let owner = t.app.sign_in(STAFF, PASSWORD, &from("192.0.2.44")).await;
        assert!(owner.is_ok(), "the owner signs in from their own address on {:?}: {:?}", t.engine, owner.err());
        // A wrong guess from a third address is still answered (slowed, not locked).
        let third = t.app.sign_in(STAFF, "another guess", &from("192.0.2.99")).await;
        assert!(matches!(third, Err(guildhall_app::AppError::Validation { .. })), "{third:?}");
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    for t in TestApp::each_engine().await {
        let mut browser = t.signed_in(ADMIN).await;
        let r = browser.post_raw("/admin/settings", "name=Hijacked&primary_colour=%23000000").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("did not come from this site"));
        let r =
            browser.post_raw("/admin/settings", "csrf=forged-token-value&name=Hijacked&primary_colour=%23000000").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_ne!(t.app.branding().await.name, "Hijacked");
        // The API refuses cookie-authenticated writes without the CSRF header.
        let request = browser
            .request(axum::http::Method::PUT, "/api/v1/accounts/1/role")
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(r#"{"role":"admin"}"#))
            .unwrap();
        let r = browser.send(request).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.store.user_by_id(1).await.unwrap().unwrap().role, "member");
    }
}

#[tokio::test]
async fn cookies_are_http_only_same_site_and_secure_behind_https() {
    for (public_url, secure) in [("http://127.0.0.1:8080", false), ("https://members.example.org", true)] {
        let mut settings = Settings::default();
        settings.server.public_url = public_url.into();
        let t = TestApp::on(TestDatabase::sqlite().await.unwrap(), settings).await;
        let mut browser = t.client();
        let first = browser.get("/sign-in").await;
        let csrf_cookie = first.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        let csrf = browser.csrf();
        let body = format!("csrf={csrf}&email={MEMBER}&password={PASSWORD}");
        let r = browser.post_raw("/sign-in", &body).await;
        let set: Vec<String> =
            r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
        let session_cookie = set.iter().find(|c| c.contains("gh_session=")).expect("a session cookie").clone();
        let renewed = set.iter().find(|c| c.contains("gh_csrf=")).expect("a new form token at sign-in").clone();
        assert_ne!(browser.csrf(), csrf, "the form token is renewed at sign-in, bound to the new session");
        assert_eq!(
            r.headers.get(header::STRICT_TRANSPORT_SECURITY).map(|v| v.to_str().unwrap()),
            secure.then_some("max-age=31536000"),
            "HSTS only when the public URL is https"
        );
        // The visitor's old token no longer works for the signed-in session.
        let stale = format!("csrf={csrf}&name=Hijacked&primary_colour=%23000000");
        assert_eq!(browser.post_raw("/profile", &stale).await.status, StatusCode::FORBIDDEN);
        for cookie in [&csrf_cookie, &session_cookie, &renewed] {
            assert!(cookie.contains("HttpOnly"), "{cookie}");
            assert!(cookie.contains("SameSite=Lax"), "{cookie}");
            assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
            assert_eq!(cookie.starts_with("__Host-"), secure, "{cookie}");
        }
        assert!(session_cookie.contains("Max-Age=1209600"), "two-week session: {session_cookie}");
    }
}

#[tokio::test]
async fn mail_is_delivered_to_the_local_mailbox_and_failed_smtp_sends_are_retried_not_lost() {
    let t = TestApp::each_engine().await.remove(0);
    t.client().post_form("/password/forgot", &[("email", MEMBER)]).await;
    assert_eq!(t.app.deliver_due_mail().await.unwrap(), (1, 0));
    let mail = t.store.list_mail(Some(MEMBER), Default::default()).await.unwrap();
    assert_eq!((mail.items[0].status.as_str(), mail.items[0].transport.as_deref()), ("sent", Some("mailbox")));

    let mut settings = Settings::default();
    settings.mail.smtp_host = "127.0.0.1".into();
    settings.mail.smtp_port = 9; // nothing listens on the discard port here
    settings.mail.smtp_security = "none".into();
    let smtp = TestApp::on(TestDatabase::sqlite().await.unwrap(), settings).await;
    smtp.client().post_form("/password/forgot", &[("email", MEMBER)]).await;
    assert_eq!(smtp.app.deliver_due_mail().await.unwrap(), (0, 1));
    let m = &smtp.store.list_mail(Some(MEMBER), Default::default()).await.unwrap().items[0];
    assert_eq!((m.status.as_str(), m.attempts), ("pending", 1), "kept for a retry");
    assert!(m.last_error.is_some());
    assert_eq!(smtp.app.deliver_due_mail().await.unwrap(), (0, 0), "not before its retry time");
    smtp.app.clock.advance(61);
    assert_eq!(smtp.app.deliver_due_mail().await.unwrap(), (0, 1), "retried after a minute");
}

#[tokio::test]
async fn staff_sessions_end_after_two_idle_hours_and_members_last_their_full_life() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut maya = t.signed_in(MEMBER).await;
        // Used within the window, a staff session stays.
        t.app.clock.advance(110 * 60);
        assert_eq!(staff.get("/staff").await.status, StatusCode::OK, "used after 110 minutes");
        t.app.clock.advance(110 * 60);
        assert_eq!(staff.get("/staff").await.status, StatusCode::OK, "idle for 110 minutes only");
        // Left alone for more than two hours, it ends.
        t.app.clock.advance(2 * 3600 + 61);
        let r = staff.get("/staff").await;
        assert_eq!(r.location(), "/sign-in?next=%2Fstaff", "{:?}: {}", t.engine, r.status);
        assert_eq!(maya.get("/dashboard").await.status, StatusCode::OK, "a member's session has no idle limit");
    }
}

#[tokio::test]
async fn a_member_changes_their_password_with_the_current_one_and_other_sessions_end() {
    for t in TestApp::each_engine().await {
        let mut laptop = t.signed_in(MEMBER).await;
        let mut phone = t.signed_in(MEMBER).await;
        let page = laptop.get("/account").await;
        assert!(page.body.contains("Change your password") && page.body.contains(MEMBER), "{}", page.body);

        for (current, new, field_message) in [
            ("not my password", "a brand new passphrase", "That is not your current password."),
            (PASSWORD, "short", "at least 10 characters"),
            (PASSWORD, "1234567890", "common passwords"),
        ] {
            let r = laptop.post_form("/account/password", &[("current_password", current), ("password", new)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
            assert!(r.body.contains(field_message), "{field_message}: {}", r.body);
        }
        assert_eq!(phone.get("/dashboard").await.status, StatusCode::OK, "refused changes end nothing");

        let r = laptop
            .post_form("/account/password", &[("current_password", PASSWORD), ("password", "a brand new passphrase")])
            .await;
        assert_eq!(r.location(), "/account?changed=1", "{}", r.body);
        assert!(laptop.get("/account?changed=1").await.body.contains("Your password was changed"));
        assert_eq!(laptop.get("/dashboard").await.status, StatusCode::OK, "this browser stays signed in");
        assert_eq!(phone.get("/dashboard").await.location(), "/sign-in", "every other session ends");
        let mail = t.mail_to(MEMBER).await;
        assert!(mail.last().unwrap().contains("password was changed"), "a notice to the account's address");
        assert_eq!(t.client().sign_in(MEMBER, "a brand new passphrase").await.status, StatusCode::SEE_OTHER);
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(audit(&mut staff, "account.password_changed").await["items"][0]["subject"], MEMBER);
    }
}

#[tokio::test]
async fn a_member_moves_their_sign_in_to_a_new_address_once_the_new_address_is_proven() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let r =
            maya.post_form("/account/email", &[("new_email", "not an address"), ("current_password", "wrong")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("not your current password") && r.body.contains("value=\"not an address\""),
            "{}",
            r.body
        );

        let new = "maya.new@example.org";
        let r = maya.post_form("/account/email", &[("new_email", new), ("current_password", PASSWORD)]).await;
        assert_eq!(r.location(), "/account?link_sent=1", "{}", r.body);
        assert_eq!(t.client().sign_in(MEMBER, PASSWORD).await.status, StatusCode::SEE_OTHER, "nothing changed yet");
        let mail = t.mail_to(new).await;
        let link = link_in(mail.last().unwrap(), "http://127.0.0.1:8080/account/email/confirm?token=");
        let path = link.trim_start_matches("http://127.0.0.1:8080").to_string();
        let r = t.client().get(&path).await;
        assert!(r.body.contains("From now on you sign in with maya.new@example.org"), "{}", r.body);
        assert!(t.client().get(&path).await.body.contains("not valid"), "the link works once");
        assert!(t.mail_to(MEMBER).await.last().unwrap().contains("now signs in with maya.new@example.org"));
        assert_eq!(t.client().sign_in(new, PASSWORD).await.status, StatusCode::SEE_OTHER);
        assert_eq!(t.client().sign_in(MEMBER, PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);

        // An address another account uses: the same answer, a notice to its owner, no change.
        let mut staff = t.signed_in(STAFF).await;
        let r = staff.post_form("/account/email", &[("new_email", ADMIN), ("current_password", PASSWORD)]).await;
        assert_eq!(r.location(), "/account?link_sent=1");
        assert!(t.mail_to(ADMIN).await.last().unwrap().contains("Nothing has changed"));
        assert_eq!(t.store.user_by_email(STAFF).await.unwrap().map(|u| u.role), Some("staff".to_string()));
        assert_eq!(audit(&mut staff, "account.email_changed").await["items"][0]["subject"], new);
    }
}
