//! Members reach their own records: a society arrives with thousands of member records
//! and no accounts; an account whose email is confirmed and matches one record is linked
//! to it, never on an unconfirmed email.

use axum::http::StatusCode;
use guildhall_domain::membership::Standing;
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

/// Signs up and returns the confirmation link's path (not followed yet).
async fn sign_up(t: &TestApp, browser: &mut Client, email: &str) -> String {
    let r = browser
        .post_form(
            "/sign-up",
            &[("display_name", "New Person"), ("email", email), ("password", "a long enough password")],
        )
        .await;
    assert!(r.body.contains("Check your email"), "{}", r.body);
    let mail = t.mail_to(email).await;
    link_in(mail.last().unwrap(), "http://127.0.0.1:8080/verify-email?token=")
        .trim_start_matches("http://127.0.0.1:8080")
        .into()
}

#[tokio::test]
async fn a_member_who_signs_up_with_the_email_on_their_record_is_linked_once_the_email_is_confirmed() {
    for t in TestApp::each_engine().await {
        let record = unlinked_member(&t, 0).await;
        let mut browser = t.client();
        let confirm = sign_up(&t, &mut browser, &record.email).await;
        assert!(
            t.store.member_by_id(record.id).await.unwrap().unwrap().user_id.is_none(),
            "never linked on an unconfirmed email"
        );
        let r = browser.get(&confirm).await;
        assert!(r.body.contains(&format!("We found your membership record ({})", record.member_number)), "{}", r.body);
        let linked = t.store.member_by_id(record.id).await.unwrap().unwrap();
        assert!(linked.user_id.is_some(), "linked on {:?}", t.engine);

        let r = browser.sign_in(&record.email, "a long enough password").await;
        assert_eq!(r.location(), "/dashboard");
        let dashboard = browser.get("/dashboard").await.body;
        assert!(dashboard.contains(&record.member_number), "the dashboard shows their membership");
        assert!(!dashboard.contains("Become a member"), "not the dead end");
        let mut staff = t.signed_in(STAFF).await;
        let entry = audit(&mut staff, "member.account_linked").await;
        assert_eq!(entry["items"][0]["subject"], record.member_number.as_str(), "{entry}");
    }
}

#[tokio::test]
async fn a_record_imported_after_the_account_confirmed_its_email_is_linked_at_the_next_sign_in() {
    for t in TestApp::each_engine().await {
        let email = "late.record@example.org";
        let mut browser = t.client();
        let confirm = sign_up(&t, &mut browser, email).await;
        let r = browser.get(&confirm).await;
        assert!(r.body.contains("Email confirmed") && !r.body.contains("We found"), "no record yet");
        let csv = format!(
            "first_name,last_name,email,tier,status,joined_on,expires_on\nLate,Record,{email},member,active,2020-01-01,2099-12-31\n"
        );
        let progress = |_: &str, _: usize, _: usize| {};
        t.app.import_members(csv.as_bytes(), None, false, &progress).await.unwrap();

        let r = browser.sign_in(email, "a long enough password").await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/dashboard?linked=1"));
        let dashboard = browser.get("/dashboard?linked=1").await.body;
        assert!(dashboard.contains("We found your membership record"), "{dashboard}");
        // Said once: the next sign-in goes to the plain dashboard.
        browser.post_form("/sign-out", &[]).await;
        assert_eq!(browser.sign_in(email, "a long enough password").await.location(), "/dashboard");
    }
}

#[tokio::test]
async fn staff_invite_a_chapter_and_a_member_follows_the_link_to_their_membership() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let chapter = t.store.list_chapters().await.unwrap()[1].clone();
        let r = staff.post_form("/staff/members/invite", &[("chapter", &chapter.id.to_string())]).await;
        let location = r.location().to_string();
        assert!(location.starts_with(&format!("/staff/members?chapter={}&invited=", chapter.id)), "{location}");
        let invited: usize = location.rsplit('=').next().unwrap().parse().unwrap();
        assert!(invited > 0, "the chapter's members without accounts are invited");
        assert!(staff.get(&location).await.body.contains("were invited by email"));
        let again = staff.post_form("/staff/members/invite", &[("chapter", &chapter.id.to_string())]).await;
        assert!(again.location().ends_with("invited=0"), "an open invitation is not sent twice");
        assert_eq!(audit(&mut staff, "member.invited").await["total"], 2);

        // One of them follows the link in a fresh browser.
        let in_chapter = t
            .store
            .search_members(
                &MemberFilter { chapter_id: Some(chapter.id), ..Default::default() },
                PageRequest::new(1, 200),
            )
            .await
            .unwrap()
            .items;
        let mut member = None;
        for m in in_chapter {
            if t.store.member_by_id(m.id).await.unwrap().unwrap().user_id.is_none() {
                member = Some(m);
                break;
            }
        }
        let member = member.expect("a member of the chapter without an account");
        let page = staff.get(&format!("/members/{}", member.id)).await.body;
        assert!(page.contains("Invited on") && page.contains("the link works until"), "status on the member's page");
        let mail = t.mail_to(&member.email).await;
        let link = link_in(mail.last().unwrap(), "http://127.0.0.1:8080/invitation?token=");
        let path = link.trim_start_matches("http://127.0.0.1:8080").to_string();
        let mut browser = t.client();
        let page = browser.get(&path).await;
        assert!(page.body.contains(&member.member_number) && page.body.contains("Choose a password"), "{}", page.body);
        let token = path.split("token=").nth(1).unwrap().to_string();
        let r = browser.post_form("/invitation", &[("token", &token), ("password", "password123")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a common password is refused");
        let r = browser.post_form("/invitation", &[("token", &token), ("password", "my own strong passphrase")]).await;
        assert_eq!(r.location(), "/dashboard", "{}", r.body);
        let dashboard = browser.get("/dashboard").await.body;
        assert!(dashboard.contains(&member.member_number), "signed in, with the membership on the dashboard");
        assert!(t.store.member_by_id(member.id).await.unwrap().unwrap().user_id.is_some());
        let page = staff.get(&format!("/members/{}", member.id)).await.body;
        assert!(page.contains("Signs in with their own account."), "accepted: the page says so");
        let used = t.client().get(&path).await;
        assert!(used.body.contains("not valid"), "the link works once");
        assert_eq!(t.client().sign_in(&member.email, "my own strong passphrase").await.location(), "/dashboard");
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(
            officer.post_form("/staff/members/invite", &[]).await.status,
            StatusCode::FORBIDDEN,
            "only staff invite"
        );
    }
}

#[tokio::test]
async fn an_invitation_not_accepted_after_a_week_is_reminded_once_with_a_fresh_link() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let chapter = t.store.list_chapters().await.unwrap()[2].id.to_string();
        staff.post_form("/staff/members/invite", &[("chapter", &chapter)]).await;
        assert_eq!(t.app.send_invitation_reminders().await.unwrap(), 0, "not before a week");
        t.app.clock.advance(7 * 86_400 + 60);
        let reminded = t.app.send_invitation_reminders().await.unwrap();
        assert!(reminded > 0, "everyone invited a week ago who has not accepted");
        assert_eq!(t.app.send_invitation_reminders().await.unwrap(), 0, "reminders go once");

        let any = t.store.list_mail(None, PageRequest::new(1, 1)).await.unwrap().items.remove(0);
        assert!(any.subject.starts_with("Reminder:"), "{}", any.subject);
        let mail = t.mail_to(&any.to_address).await;
        assert_eq!(mail.len(), 2, "the invitation and one reminder");
        let link = |text: &str| {
            link_in(text, "http://127.0.0.1:8080/invitation?token=")
                .trim_start_matches("http://127.0.0.1:8080")
                .to_string()
        };
        let (old, fresh) = (link(&mail[0]), link(&mail[1]));
        assert!(t.client().get(&old).await.body.contains("not valid"), "the first link is replaced");
        assert!(t.client().get(&fresh).await.body.contains("Choose a password"), "the reminder's link works");
    }
}

/// An active member without an account, found by search.
async fn unlinked_member(t: &TestApp, skip: usize) -> guildhall_store::MemberSummary {
    let filter = MemberFilter { standings: vec![Standing::Active], ..Default::default() };
    let mut found = Vec::new();
    for m in t.store.search_members(&filter, PageRequest::new(1, 100)).await.unwrap().items {
        if t.store.member_by_id(m.id).await.unwrap().unwrap().user_id.is_none() {
            found.push(m);
        }
    }
    found.remove(skip)
}

#[tokio::test]
async fn i_am_already_a_member_sends_a_code_to_the_record_s_address_and_staff_resolve_the_rest() {
    for t in TestApp::each_engine().await {
        let record = unlinked_member(&t, 0).await;
        t.app
            .create_verified_user(
                "someone.else@example.org",
                "Pat Example",
                PASSWORD,
                guildhall_domain::identity::Role::Member,
            )
            .await
            .unwrap();
        let mut pat = t.signed_in("someone.else@example.org").await;
        assert!(pat.get("/dashboard").await.body.contains("Connect your membership to this account"));
        let r = pat
            .post_form(
                "/claim",
                &[
                    ("member_number", &record.member_number.to_lowercase()),
                    ("last_name", &record.last_name.to_uppercase()),
                ],
            )
            .await;
        assert!(r.body.contains("Enter the code") && r.body.contains("•••@"), "{}", r.body);
        assert!(!r.body.contains(&record.email), "the record's address is not shown whole");
        let mail = t.mail_to(&record.email).await;
        let code: String = mail
            .last()
            .unwrap()
            .split_whitespace()
            .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
            .unwrap()
            .into();
        assert!(t.mail_to("someone.else@example.org").await.is_empty(), "the code goes to the record's address only");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = pat.post_form("/claim/code", &[("code", wrong)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("That code is not right"));
        let r = pat.post_form("/claim/code", &[("code", &code)]).await;
        assert_eq!(r.location(), "/dashboard?linked=1", "{}", r.body);
        assert!(pat.get("/dashboard?linked=1").await.body.contains(&record.member_number));

        // A claim that does not match by itself goes to staff, who link it.
        let other = unlinked_member(&t, 0).await;
        t.app
            .create_verified_user(
                "maiden.name@example.org",
                "Lee Example",
                PASSWORD,
                guildhall_domain::identity::Role::Member,
            )
            .await
            .unwrap();
        let mut lee = t.signed_in("maiden.name@example.org").await;
        let r = lee.post_form("/claim", &[("member_number", &other.member_number), ("last_name", "Maidenname")]).await;
        assert!(r.body.contains("the society office will look into it"), "{}", r.body);
        let mut staff = t.signed_in(STAFF).await;
        let queue = staff.get("/staff/claims").await.body;
        assert!(queue.contains("maiden.name@example.org") && queue.contains("Maidenname"), "{queue}");
        let id = queue.split("/staff/claims/").nth(1).unwrap().split('/').next().unwrap().to_string();
        let r = staff.post_form(&format!("/staff/claims/{id}/link"), &[("member_number", &other.member_number)]).await;
        assert_eq!(r.location(), "/staff/claims", "{}", r.body);
        assert!(staff.get("/staff/claims").await.body.contains("No claims are waiting."));
        assert!(t.mail_to("maiden.name@example.org").await.last().unwrap().contains("is now connected"));
        assert!(lee.get("/dashboard").await.body.contains(&other.member_number));

        // Five wrong codes send the claim to staff; the sixth is not even checked.
        let third = unlinked_member(&t, 0).await;
        t.app
            .create_verified_user("guesser@example.org", "Guess Er", PASSWORD, guildhall_domain::identity::Role::Member)
            .await
            .unwrap();
        let mut guesser = t.signed_in("guesser@example.org").await;
        guesser.post_form("/claim", &[("member_number", &third.member_number), ("last_name", &third.last_name)]).await;
        for _ in 0..5 {
            guesser.post_form("/claim/code", &[("code", "999999")]).await;
        }
        let code = t
            .mail_to(&third.email)
            .await
            .last()
            .unwrap()
            .split_whitespace()
            .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
            .unwrap()
            .to_string();
        let r = guesser.post_form("/claim/code", &[("code", &code)]).await;
        assert_ne!(r.location(), "/dashboard?linked=1", "no code works after five wrong ones");
        assert!(t.store.member_by_id(third.id).await.unwrap().unwrap().user_id.is_none());
        assert!(staff.get("/staff/claims").await.body.contains("guesser@example.org"), "sent to staff");
    }
}

/// The count in a row of the approvals area's invitations summary.
fn invitations_counted(page: &str, what: &str) -> String {
    let start = page.find(&format!("<th scope=\"row\">{what}</th><td>")).unwrap_or_else(|| panic!("no {what}: {page}"));
    let rest = &page[start..];
    let open = rest.find("<td>").unwrap() + 4;
    rest[open..open + rest[open..].find('<').unwrap()].to_string()
}

#[tokio::test]
async fn staff_import_members_with_one_tick_invites_them_and_the_approvals_area_shows_where_invitations_stand() {
    for t in TestApp::each_engine().await {
        let csv = "first_name,last_name,email,tier,status,joined_on,expires_on\n\
                   Lise,Meitner,lise@invited.example.org,member,active,2021-02-01,2099-01-31\n\
                   Otto,Hahn,otto@invited.example.org,member,active,2021-02-01,2099-01-31\n";
        let mut staff = t.signed_in(STAFF).await;
        let r = staff.get("/staff/approvals").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}: {}", t.engine, r.body);
        assert_eq!(invitations_counted(&r.body, "Members invited"), "0", "{:?}", t.engine);
        assert!(staff.get("/staff/import").await.body.contains("Invite the imported members"));
        let csrf = staff.csrf();

        // A check-only run invites nobody, even with the box ticked.
        let r = super::upload_ticked(&mut staff, &csrf, csv, &["dry_run", "invite"]).await;
        assert!(r.body.contains("All 2 rows are valid. Nothing was imported"), "{}", r.body);
        assert!(t.mail_to("lise@invited.example.org").await.is_empty());

        let r = super::upload_ticked(&mut staff, &csrf, csv, &["invite"]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}: {}", t.engine, r.body);
        assert!(r.body.contains("Imported 2 members; 2 of them were invited by email."), "{:?}: {}", t.engine, r.body);
        for email in ["lise@invited.example.org", "otto@invited.example.org"] {
            let mail = t.mail_to(email).await;
            assert_eq!(mail.len(), 1, "{email}: {mail:?}");
            assert!(mail[0].contains("/invitation?token="), "{}", mail[0]);
        }
        let entry = audit(&mut staff, "member.invited").await;
        assert_eq!(entry["items"][0]["subject"], "imported members without an account", "{entry}");
        assert_eq!(entry["items"][0]["after"]["invited"], 2, "{entry}");

        let page = staff.get("/staff/approvals").await.body;
        for (what, count) in
            [("Members invited", "2"), ("Accepted", "0"), ("Awaiting an answer", "2"), ("Expired unused", "0")]
        {
            assert_eq!(invitations_counted(&page, what), count, "{:?} {what}", t.engine);
        }
        let filter = MemberFilter { email_contains: Some("lise@invited.example.org".into()), ..Default::default() };
        let lise = t.store.search_members(&filter, PageRequest::new(1, 5)).await.unwrap().items.remove(0);
        assert!(page.contains(&format!("<a href=\"/members/{}\">Lise Meitner</a>", lise.id)), "{page}");

        // Otto accepts; Lise lets her link expire.
        let mail = t.mail_to("otto@invited.example.org").await;
        let link = link_in(&mail[0], "http://127.0.0.1:8080/invitation?token=");
        let token = link.split("token=").nth(1).unwrap().to_string();
        let r =
            t.client().post_form("/invitation", &[("token", &token), ("password", "my own strong passphrase")]).await;
        assert_eq!(r.location(), "/dashboard", "{}", r.body);
        t.app.clock.advance(31 * 86_400);
        // A month on, staff sign in again (an idle staff session ends).
        let mut staff = t.signed_in(STAFF).await;
        let csrf = staff.csrf();
        let page = staff.get("/staff/approvals").await.body;
        for (what, count) in
            [("Members invited", "2"), ("Accepted", "1"), ("Awaiting an answer", "0"), ("Expired unused", "1")]
        {
            assert_eq!(invitations_counted(&page, what), count, "{:?} {what}", t.engine);
        }
        assert!(page.contains("Expired unused on"), "{page}");
        assert!(!page.contains("Otto Hahn"), "an accepted invitation is not listed");

        // Imported without the tick: nobody is invited.
        let csv = csv.replace("invited.example.org", "quiet.example.org");
        let r = super::upload_ticked(&mut staff, &csrf, &csv, &[]).await;
        assert!(r.body.contains("Imported 2 members."), "{}", r.body);
        assert!(t.mail_to("lise@quiet.example.org").await.is_empty(), "not invited without the tick");
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get("/staff/approvals").await.status, StatusCode::FORBIDDEN);
    }
}
