//! The resume bank over HTTP, on both engines: a member opts in (confidential or named) and
//! out (confirmed first), takes their resume as JSON Resume and PDF; an employer without paid
//! access is told it is a paid product; with access the bank shows a confidential member none
//! of their name, address, number, employer or city; named entries' resumes download;
//! invitations are accepted (to the apply form) or declined (the employer sees no name), and
//! expire unanswered after 30 days for both sides; one employer sees none of another's
//! invitations; staff opening an employer's bank or an entry are audited, its paying
//! recruiters are not; 60 invitations at once make exactly 50; every
//! route for every role.

use axum::http::{Method, StatusCode};
use guildhall_app::Actor;
use guildhall_domain::careers::InvitationStatus;
use guildhall_domain::careers::salary::Region;
use guildhall_domain::csv::members::Discipline;
use guildhall_domain::identity::Role;
use guildhall_store::{AuditFilter, BankSearch, MemberProfile, NewBankEntry, PageRequest};

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::careers::{employer as new_employer, live_job};
use crate::harness::*;

/// Another employer's recruiter, made by each test that needs one.
const RECRUITER: &str = "recruiter.b@example.org";

/// A second recruiter's account, signed in.
async fn other_recruiter(t: &TestApp) -> Client {
    t.app.create_verified_user(RECRUITER, "Robin Vega", PASSWORD, Role::Member).await.unwrap();
    t.signed_in(RECRUITER).await
}

/// Seventy members without accounts join the bank, every other one named (the test
/// society's demo has no bank of its own).
async fn seed_bank(t: &TestApp) {
    for (i, (member_id, _, _)) in t.store.members_for_demo_bank(70).await.unwrap().into_iter().enumerate() {
        let public_ref = format!("RB-TST{i:05}");
        let entry = NewBankEntry {
            member_id,
            public_ref: &public_ref,
            resume_id: None,
            confidential: i % 2 == 0,
            summary: "Design and site work.",
            discipline: Discipline::ALL[i % Discipline::ALL.len()],
            career_stage: "licensed",
            years_experience: 5,
            region: Region::ALL[i % Region::ALL.len()],
        };
        t.store.save_bank_entry(&entry, 1_000 + i as i64).await.unwrap();
    }
}

/// The recruiter buys 30 days of access and pays by card (the demo provider pays at once).
async fn buy_access(recruiter: &mut Client, employer: i64) {
    let r = recruiter.post_form(&format!("/employer/{employer}/resume-bank/access"), &[("product", "bank-30")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pay = r.location().to_string();
    assert!(pay.ends_with("/pay"), "{pay}");
    assert!(recruiter.get(&pay).await.body.contains("Resume bank, 30 days"));
    let r = recruiter.post_form(&pay, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().ends_with("done=access_paid"), "{}", r.location());
}

/// Maya's record made unmistakable: a name, employer and city no other member has.
async fn distinctive_maya(t: &TestApp) -> (i64, String) {
    let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
    let member = t.store.member_by_user(user.id).await.unwrap().unwrap();
    let mut profile = MemberProfile::from(&member);
    profile.first_name = "Zephyrine".into();
    profile.last_name = "Quillfeather".into();
    profile.employer = "Obsidian Viaduct Works".into();
    profile.city = "Wolfsbane Falls".into();
    t.store.update_member_profile(member.id, &profile, None, 0).await.unwrap();
    (member.id, member.member_number)
}

/// Maya, made distinctive, in the bank with a confidential entry, and a new employer of the
/// officer's advertising two jobs (approved by staff).
struct Scene {
    maya_id: i64,
    maya_ref: String,
    employer: i64,
    jobs: [i64; 2],
}

async fn maya_and_two_jobs(
    t: &TestApp,
    recruiter: &mut Client,
    maya: &mut Client,
    employer: &str,
    [first, second]: [&'static str; 2],
) -> Scene {
    let mut staff = t.signed_in(STAFF).await;
    let (maya_id, _) = distinctive_maya(t).await;
    let employer = new_employer(recruiter, employer).await;
    let jobs = [
        live_job(recruiter, &mut staff, employer, first).await,
        live_job(recruiter, &mut staff, employer, second).await,
    ];
    let r = maya.post_multipart("/account/resume-bank", &entry("confidential", SUMMARY), None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let maya_ref = t.store.bank_entry(maya_id).await.unwrap().unwrap().public_ref;
    Scene { maya_id, maya_ref, employer, jobs }
}

fn entry(visibility: &'static str, summary: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("visibility", visibility),
        ("summary", summary),
        ("discipline", "civil"),
        ("career_stage", "licensed"),
        ("years_experience", "12"),
        ("region", "west_south_central"),
        ("resume", "profile"),
    ]
}

const SUMMARY: &str = "Seismic retrofits of steel viaducts and long-span trusses.";

/// Every page of a bank search, concatenated.
async fn all_pages(client: &mut Client, first: &str) -> String {
    let mut html = String::new();
    let mut page = 1;
    loop {
        let sep = if first.contains('?') { '&' } else { '?' };
        let r = client.get(&format!("{first}{sep}page={page}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        html.push_str(&r.body);
        if !r.body.contains("rel=\"next\"") {
            return html;
        }
        page += 1;
    }
}

#[tokio::test]
async fn the_bank_is_a_paid_product_and_shows_a_confidential_member_without_their_name() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let mut maya = t.signed_in(MEMBER).await;
        let (maya_id, number) = distinctive_maya(&t).await;
        seed_bank(&t).await;
        let employer = new_employer(&mut recruiter, "Cedar Ridge Consulting").await;
        let bank = format!("/employer/{employer}/resume-bank");

        // Without access: 403, saying it is a paid product, with the way to buy it.
        let r = recruiter.get(&bank).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}: {}", t.engine, r.body);
        assert!(r.body.contains("paid product") && r.body.contains(&format!("{bank}/access")), "{}", r.body);

        // Maya joins, confidential; a bad entry is refused with its fields named.
        let long = "x".repeat(281);
        let mut bad = entry("confidential", "");
        bad[1].1 = &long;
        bad[4].1 = "seventy";
        let r = maya.post_multipart("/account/resume-bank", &bad, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("id=\"summary-error\"") && r.body.contains("id=\"years_experience-error\""));
        let r = maya
            .post_multipart(
                "/account/resume-bank",
                &entry("confidential", SUMMARY),
                Some(("resume_file", "cv.pdf", b"not a pdf")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("The resume must be a PDF"));
        let r = maya.post_multipart("/account/resume-bank", &entry("confidential", SUMMARY), None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let stored = t.store.bank_entry(maya_id).await.unwrap().unwrap();
        assert!(stored.confidential);
        assert!(maya.get("/account/resume-bank").await.body.contains("a confidential entry"));

        // Her resume from her record, as JSON Resume and PDF.
        let json = maya.get("/account/resume.json").await;
        assert_eq!(json.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(json["basics"]["name"], "Zephyrine Quillfeather");
        assert_eq!(json["work"][0]["name"], "Obsidian Viaduct Works");
        assert!(json["certificates"].as_array().unwrap().iter().any(|c| c["name"] == "PE licensed in Texas"), "{json}");
        let (status, headers, pdf) = maya.get_bytes("/account/resume.pdf").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(pdf.starts_with(b"%PDF"));

        // With access: her entry is listed (its summary), and no page of the search holds
        // her name, address, member number, employer or city.
        buy_access(&mut recruiter, employer).await;
        let html = all_pages(
            &mut recruiter,
            &format!("{bank}?discipline=civil&career_stage=licensed&region=west_south_central"),
        )
        .await;
        assert!(html.contains(SUMMARY), "her entry is listed");
        for secret in ["Zephyrine", "Quillfeather", MEMBER, number.as_str(), "Obsidian Viaduct", "Wolfsbane"] {
            assert!(!html.contains(secret), "{:?}: the bank shows {secret}", t.engine);
        }
        // The confidential entry's resume is not to be had; a named entry's is.
        let found = t
            .store
            .bank_candidates(&BankSearch::default(), t.app.clock.today(), PageRequest::new(1, 200))
            .await
            .unwrap()
            .items;
        let maya_ref = t.store.bank_entry(maya_id).await.unwrap().unwrap().public_ref;
        let r = recruiter.get(&format!("{bank}/{maya_ref}/resume.pdf")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let named = found.iter().find(|c| !c.confidential).expect("the demo holds named entries");
        let (status, _, pdf) = recruiter.get_bytes(&format!("{bank}/{}/resume.pdf", named.public_ref)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(pdf.starts_with(b"%PDF"));
        let page = all_pages(&mut recruiter, &bank).await;
        assert!(page.contains(&format!("{bank}/{}/resume.pdf", named.public_ref)), "named entries link their resume");

        // Opting out asks first, then deletes the entry.
        assert_eq!(maya.get("/account/resume-bank/leave").await.status, StatusCode::OK);
        let r = maya.post_form("/account/resume-bank/leave", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "unconfirmed: the question again");
        assert!(t.store.bank_entry(maya_id).await.unwrap().is_some());
        let r = maya.post_form("/account/resume-bank/leave", &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(t.store.bank_entry(maya_id).await.unwrap().is_none());
        assert!(!all_pages(&mut recruiter, &bank).await.contains(SUMMARY));
        let _ = &mut staff;
    }
}

#[tokio::test]
async fn invitations_are_accepted_to_the_apply_form_or_declined_without_a_name() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut maya = t.signed_in(MEMBER).await;
        let mut other = other_recruiter(&t).await;
        let jobs = ["Bridge inspector", "Retrofit designer"];
        let scene = maya_and_two_jobs(&t, &mut recruiter, &mut maya, "Brazos Structural", jobs).await;
        let Scene { maya_id, maya_ref, employer, jobs: [first, second] } = scene;
        let bank = format!("/employer/{employer}/resume-bank");
        let invite = format!("{bank}/{maya_ref}/invite");

        // No access: no invitation.
        let r = recruiter.post_form(&invite, &[("job", &first.to_string()), ("message", "")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        buy_access(&mut recruiter, employer).await;
        let r = recruiter
            .post_form(&invite, &[("job", &first.to_string()), ("message", "We liked your retrofit work.")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let again = recruiter.post_form(&invite, &[("job", &first.to_string()), ("message", "")]).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "one invitation per member and job");
        let r = recruiter.post_form(&invite, &[("job", &second.to_string()), ("message", "")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = recruiter.post_form(&invite, &[("job", "not-a-job"), ("message", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Maya is emailed and sees both.
        let mail = t.mail_to(MEMBER).await;
        assert!(
            mail.iter()
                .any(|m| m.contains("Invitation to apply: Bridge inspector")
                    && m.contains("We liked your retrofit work.")),
            "{mail:?}"
        );
        let page = maya.get("/account/resume-bank").await.body;
        assert!(page.contains("Bridge inspector") && page.contains("Retrofit designer"), "{page}");
        let invitations = t.store.member_invitations(maya_id, t.app.clock.unix()).await.unwrap();
        let by_job = |job: i64| invitations.iter().find(|i| i.job_id == job).unwrap().id;

        // Someone else cannot answer them.
        let mut daniel = t.signed_in(OFFICER).await;
        let r = daniel.post_form(&format!("/account/resume-bank/invitations/{}/accept", by_job(first)), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            !daniel.get("/account/resume-bank").await.body.contains("Bridge inspector"),
            "a member sees only their own"
        );

        // Accepting opens the apply form, prefilled; declining tells the employer without a name.
        let r = maya.post_form(&format!("/account/resume-bank/invitations/{}/accept", by_job(first)), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), format!("/jobs/{first}/apply?invited=1"));
        let form = maya.get(r.location()).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("at your invitation"));
        let r = maya.post_form(&format!("/account/resume-bank/invitations/{}/decline", by_job(second)), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = maya.post_form(&format!("/account/resume-bank/invitations/{}/decline", by_job(second)), &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "answered once");
        let html = recruiter.get(&bank).await.body;
        assert!(html.contains("Declined") && html.contains(&maya_ref), "{html}");
        assert!(!html.contains("Zephyrine") && !html.contains("Quillfeather"));
        assert!(
            t.mail_to(OFFICER)
                .await
                .iter()
                .any(|m| m.contains("Invitation declined: Retrofit designer") && !m.contains("Quillfeather"))
        );

        // Another employer with its own access sees none of these, cannot open this
        // employer's bank, and a new employer of theirs without access cannot invite.
        let gulf = new_employer(&mut other, "Gulf Coast Structural").await;
        buy_access(&mut other, gulf).await;
        let theirs = other.get(&format!("/employer/{gulf}/resume-bank")).await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        assert!(!theirs.body.contains("Bridge inspector") && !theirs.body.contains("Retrofit designer"));
        assert_eq!(other.get(&bank).await.status, StatusCode::NOT_FOUND);
        let r = other.post_form(&invite, &[("job", &first.to_string()), ("message", "")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let fresh = new_employer(&mut other, "Coastal Bend Civil").await;
        let r = other
            .post_form(
                &format!("/employer/{fresh}/resume-bank/{maya_ref}/invite"),
                &[("job", &first.to_string()), ("message", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_invitation_unanswered_for_thirty_days_expires_for_the_member_and_the_employer() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut maya = t.signed_in(MEMBER).await;
        let jobs = ["Levee engineer", "Drainage designer"];
        let scene = maya_and_two_jobs(&t, &mut recruiter, &mut maya, "Sabine River Civil", jobs).await;
        let Scene { maya_id, maya_ref, employer, jobs: [levee, drainage] } = scene;
        let bank = format!("/employer/{employer}/resume-bank");
        buy_access(&mut recruiter, employer).await;
        for job in [levee, drainage] {
            let r = recruiter
                .post_form(&format!("{bank}/{maya_ref}/invite"), &[("job", &job.to_string()), ("message", "")])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        assert!(t.mail_to(MEMBER).await.iter().any(|m| m.contains("Accept or decline within 30 days")));
        let invitations = t.store.member_invitations(maya_id, t.app.clock.unix()).await.unwrap();
        let of = |job: i64| invitations.iter().find(|i| i.job_id == job).unwrap().clone();
        let (levee_invitation, drainage_invitation) = (of(levee), of(drainage));
        assert_eq!(drainage_invitation.expires_at - drainage_invitation.sent_at, 30 * 86_400, "{:?}", t.engine);
        let page = maya.get("/account/resume-bank").await.body;
        assert!(page.contains("Open until"), "she sees until when she may answer: {page}");

        // Twenty-nine days on (signed in again: a session lasts 14 days) she may still accept.
        t.app.clock.advance(29 * 86_400);
        let mut maya = t.signed_in(MEMBER).await;
        let r = maya.post_form(&format!("/account/resume-bank/invitations/{}/accept", levee_invitation.id), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        assert_eq!(r.location(), format!("/jobs/{levee}/apply?invited=1"));

        // Thirty days after it was sent, the one she left waiting has expired: she can neither
        // accept nor decline it, and her page says it expired, without the buttons.
        t.app.clock.advance(86_400);
        let mut maya = t.signed_in(MEMBER).await;
        for answer in ["accept", "decline"] {
            let r = maya
                .post_form(&format!("/account/resume-bank/invitations/{}/{answer}", drainage_invitation.id), &[])
                .await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{:?}: {answer}: {}", t.engine, r.body);
            assert!(r.body.contains("This invitation expired"), "{}", r.body);
        }
        let page = maya.get("/account/resume-bank").await.body;
        assert!(page.contains("it can no longer be answered"), "{page}");
        assert!(!page.contains(&format!("/invitations/{}/accept", drainage_invitation.id)), "{page}");
        assert!(
            !t.mail_to(OFFICER).await.iter().any(|m| m.contains("Invitation declined: Drainage designer")),
            "an expired invitation is never declined"
        );

        // The employer sees it expired, unanswered (their 30 days of access ran out too: bought
        // again), and the accepted one as accepted.
        let mut recruiter = t.signed_in(OFFICER).await;
        buy_access(&mut recruiter, employer).await;
        let html = recruiter.get(&bank).await.body;
        assert!(html.contains("Expired") && html.contains("unanswered"), "{html}");
        assert!(html.contains("Accepted: an application follows"), "{html}");
        let theirs = t.store.employer_invitations(employer, t.app.clock.unix()).await.unwrap();
        let status = |job: i64| theirs.iter().find(|i| i.job_id == job).unwrap().status;
        assert_eq!((status(levee), status(drainage)), (InvitationStatus::Accepted, InvitationStatus::Expired));

        // The database decides, not a check before it: the answer's conditional update refuses
        // at the expiry itself and takes an answer one second before it.
        let expires = drainage_invitation.expires_at;
        assert!(t.store.answer_invitation(drainage_invitation.id, maya_id, true, expires).await.unwrap().is_none());
        let answered = t.store.answer_invitation(drainage_invitation.id, maya_id, false, expires - 1).await.unwrap();
        assert_eq!(answered.map(|i| i.status), Some(InvitationStatus::Declined), "{:?}", t.engine);
    }
}

#[tokio::test]
async fn the_bank_api_searches_and_opens_an_entry_as_the_page_does_without_a_confidential_name() {
    for t in TestApp::each_engine().await {
        seed_bank(&t).await;
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut maya = t.signed_in(MEMBER).await;
        let (maya_id, number) = distinctive_maya(&t).await;
        let r = maya.post_multipart("/account/resume-bank", &entry("confidential", SUMMARY), None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let maya_ref = t.store.bank_entry(maya_id).await.unwrap().unwrap().public_ref;
        let employer = new_employer(&mut recruiter, "Pedernales Hydrology").await;
        let api = format!("/api/v1/employers/{employer}/resume-bank");
        let bank = format!("/employer/{employer}/resume-bank");
        let r = recruiter.api(Method::GET, &api, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}: without access, as the page", t.engine);
        buy_access(&mut recruiter, employer).await;

        // The search: the page's filters and the page's entries, in the page's order.
        let found = recruiter.api(Method::GET, &format!("{api}?career_stage=licensed&per_page=20"), None).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        let found = found.json();
        assert_eq!((found["total"].as_i64(), found["items"].as_array().unwrap().len()), (Some(71), 20));
        assert!(found["access_until"].is_string());
        let html = recruiter.get(&format!("{bank}?career_stage=licensed")).await.body;
        let refs: Vec<&str> =
            found["items"].as_array().unwrap().iter().map(|e| e["reference"].as_str().unwrap()).collect();
        let mut at = 0;
        for reference in &refs {
            let here = html[at..].find(reference).unwrap_or_else(|| panic!("{reference} on the page, in order"));
            at += here;
        }
        // A confidential entry carries no name, email or resume; a named one all three.
        for item in found["items"].as_array().unwrap() {
            let named = item["confidential"] == false;
            assert_eq!(item.get("name").is_some(), named, "{item}");
            assert_eq!(item.get("email").is_some() && item.get("resume_url").is_some(), named, "{item}");
        }
        let named = found["items"].as_array().unwrap().iter().find(|i| i["confidential"] == false).unwrap().clone();
        let url = named["resume_url"].as_str().unwrap();
        let path = &url[url.find("/employer/").unwrap()..];
        assert!(recruiter.get_bytes(path).await.2.starts_with(b"%PDF"), "the resume is at its address");

        // One entry: Maya's, confidential, with her licences and nothing that names her.
        let one = recruiter.api(Method::GET, &format!("{api}/{maya_ref}"), None).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        let entry = one.json();
        assert_eq!((entry["reference"].as_str(), entry["summary"].as_str()), (Some(maya_ref.as_str()), Some(SUMMARY)));
        assert!(entry["licences"].as_array().unwrap().iter().any(|l| l == "PE licensed in Texas"), "{entry}");
        for secret in ["Zephyrine", "Quillfeather", MEMBER, number.as_str(), "Obsidian Viaduct", "Wolfsbane"] {
            assert!(!one.body.contains(secret), "{:?}: the API shows {secret}", t.engine);
        }
        let named_path = format!("{api}/{}", named["reference"].as_str().unwrap());
        assert_eq!(recruiter.api(Method::GET, &named_path, None).await.json()["name"], named["name"]);

        // Refusals name what is wrong, as the page's do.
        let r = recruiter.api(Method::GET, &format!("{api}?discipline=alchemy"), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["error"]["fields"]["discipline"].is_string(), "{}", r.body);
        let r = recruiter.api(Method::GET, &format!("{api}?per_page=500"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(recruiter.api(Method::GET, &format!("{api}/RB-NOBODY00"), None).await.status, StatusCode::NOT_FOUND);
        // Opting out takes the entry out of the API at once.
        let r = maya.post_form("/account/resume-bank/leave", &[("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(recruiter.api(Method::GET, &format!("{api}/{maya_ref}"), None).await.status, StatusCode::NOT_FOUND);
    }
}

/// The audit log's entries of an action, newest first.
async fn audited(t: &TestApp, action: &str) -> Vec<guildhall_store::AuditRecord> {
    let filter = AuditFilter { action: Some(action.into()), ..Default::default() };
    t.store.list_audit(&filter, PageRequest::new(1, 100)).await.unwrap().items
}

#[tokio::test]
async fn staff_opening_an_employers_bank_or_an_entry_is_audited_and_its_paying_recruiters_are_not() {
    for t in TestApp::each_engine().await {
        seed_bank(&t).await;
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let employer = new_employer(&mut recruiter, "Angelina Forest Engineering").await;
        let bank = format!("/employer/{employer}/resume-bank");
        let found = t
            .store
            .bank_candidates(&BankSearch::default(), t.app.clock.today(), PageRequest::new(1, 200))
            .await
            .unwrap()
            .items;
        let named = found.iter().find(|c| !c.confidential).unwrap().public_ref.clone();
        let named_member = t.store.bank_entry_by_ref(&named).await.unwrap().unwrap().member_id;

        // The employer's own recruiter, with paid access, searches and downloads unaudited.
        buy_access(&mut recruiter, employer).await;
        assert_eq!(recruiter.get(&bank).await.status, StatusCode::OK);
        assert_eq!(recruiter.get_bytes(&format!("{bank}/{named}/resume.pdf")).await.0, StatusCode::OK);
        assert!(audited(&t, "resume_bank.searched").await.is_empty(), "{:?}", t.engine);
        assert!(audited(&t, "resume_bank.entry_opened").await.is_empty());

        // Staff searching it: one entry naming them, the employer, the search and the
        // entries the page showed them.
        let r = staff.get(&format!("{bank}?career_stage=licensed")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let staff_id = t.store.user_by_email(STAFF).await.unwrap().unwrap().id;
        let searched = audited(&t, "resume_bank.searched").await;
        assert_eq!(searched.len(), 1, "{:?}", t.engine);
        let entry = &searched[0];
        assert_eq!(entry.actor_user_id, Some(staff_id));
        assert_eq!((entry.subject_kind.as_str(), entry.subject_id), ("employer", Some(employer)));
        assert_eq!(entry.subject_label, "Angelina Forest Engineering");
        let details: serde_json::Value = serde_json::from_str(entry.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(details["career stage"], "licensed");
        let shown = details["entries shown"].as_array().unwrap();
        assert_eq!(shown.len(), 20, "a page of entries");
        assert!(shown.iter().all(|shown| shown.as_str().is_some_and(|one| r.body.contains(one))), "{shown:?}");

        // Staff opening a named entry's resume: one entry against its member.
        let (status, _, pdf) = staff.get_bytes(&format!("{bank}/{named}/resume.pdf")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(pdf.starts_with(b"%PDF"));
        let opened = audited(&t, "resume_bank.entry_opened").await;
        assert_eq!(opened.len(), 1, "{:?}", t.engine);
        assert_eq!((opened[0].subject_kind.as_str(), opened[0].subject_id), ("member", Some(named_member)));
        assert!(opened[0].subject_label.ends_with(&format!("({named})")), "{}", opened[0].subject_label);
        assert_eq!(opened[0].actor_user_id, Some(staff_id));

        // The API's reads are the pages' use cases: audited alike for staff, never for the
        // paying recruiter.
        let api = format!("/api/v1/employers/{employer}/resume-bank");
        assert_eq!(recruiter.api(Method::GET, &format!("{api}/{named}"), None).await.status, StatusCode::OK);
        assert_eq!(recruiter.api(Method::GET, &api, None).await.status, StatusCode::OK);
        assert_eq!(audited(&t, "resume_bank.entry_opened").await.len(), 1);
        assert_eq!(staff.api(Method::GET, &format!("{api}/{named}"), None).await.status, StatusCode::OK);
        let opened = audited(&t, "resume_bank.entry_opened").await;
        assert_eq!((opened.len(), opened[0].subject_id), (2, Some(named_member)));
        assert!(opened[0].after_json.as_deref().unwrap().contains("\"opened\":\"entry\""));
        assert_eq!(staff.api(Method::GET, &api, None).await.status, StatusCode::OK);
        assert_eq!(audited(&t, "resume_bank.searched").await.len(), 2);

        // A refused request opens nothing and writes nothing.
        let r = staff.get(&format!("{bank}?region=atlantis")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(audited(&t, "resume_bank.searched").await.len(), 2);

        // The audit log says it in words.
        let log = staff.get("/staff/audit?action=resume_bank.searched").await.body;
        assert!(log.contains("Resume bank searched by staff") && log.contains("Angelina Forest Engineering"), "{log}");
    }
}

#[tokio::test]
async fn sixty_invitations_at_once_from_one_employer_send_exactly_fifty() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        seed_bank(&t).await;
        let employer = new_employer(&mut recruiter, "Llano Estacado Water").await;
        let job = live_job(&mut recruiter, &mut staff, employer, "Water resources engineer").await;
        buy_access(&mut recruiter, employer).await;
        let refs: Vec<String> = t
            .store
            .bank_candidates(&BankSearch::default(), t.app.clock.today(), PageRequest::new(1, 200))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.public_ref)
            .take(60)
            .collect();
        assert_eq!(refs.len(), 60, "the demo bank holds at least 60 entries");
        let user = t.store.user_by_email(OFFICER).await.unwrap().unwrap();
        let actor = Actor::for_account(user.id, OFFICER, "Daniel Reyes", Role::Member);
        let tasks: Vec<_> = refs
            .into_iter()
            .map(|public_ref| {
                let (app, actor) = (t.app.clone(), actor.clone());
                tokio::spawn(
                    async move { app.invite_from_bank(&actor, employer, &public_ref, &job.to_string(), "").await },
                )
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        let sent = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(sent, 50, "{:?}: {:?}", t.engine, outcomes.iter().filter(|o| o.is_err()).collect::<Vec<_>>());
        assert!(
            outcomes.iter().filter(|o| o.is_err()).all(|o| matches!(o, Err(guildhall_app::AppError::Conflict { .. })))
        );
        assert_eq!(t.store.employer_invitations(employer, t.app.clock.unix()).await.unwrap().len(), 50);
    }
}

#[tokio::test]
async fn every_role_on_the_resume_bank_routes() {
    for t in TestApp::each_engine().await {
        seed_bank(&t).await;
        let mut recruiter = t.signed_in(OFFICER).await;
        let paid = new_employer(&mut recruiter, "Guadalupe Geotechnical").await;
        let unpaid = new_employer(&mut recruiter, "Nueces Surveying").await;
        buy_access(&mut recruiter, paid).await;
        let mut other = other_recruiter(&t).await;
        let gulf = new_employer(&mut other, "Gulf Coast Structural").await;
        let entry_fields: &'static [(&'static str, &'static str)] = &[
            ("visibility", "named"),
            ("summary", "Foundations."),
            ("discipline", "geotechnical"),
            ("career_stage", "licensed"),
            ("years_experience", "8"),
            ("region", "mountain"),
            ("resume", "profile"),
        ];
        let api = |path: String| Call::Json(Method::GET, path, serde_json::Value::Null);
        let seeded = "RB-TST00000";
        let rows = vec![
            (Call::Get("/account/resume-bank".into()), [SignIn, Ok, Ok, Forbidden, Forbidden]),
            (Call::Get("/account/resume.json".into()), [SignIn, Ok, Ok, Forbidden, Forbidden]),
            (Call::Get("/account/resume.pdf".into()), [SignIn, Ok, Ok, Forbidden, Forbidden]),
            (
                Call::Multipart("/account/resume-bank".into(), entry_fields, None),
                [SignIn, Done, Done, Forbidden, Forbidden],
            ),
            (Call::Get("/account/resume-bank/leave".into()), [SignIn, Ok, Ok, Forbidden, Forbidden]),
            (Call::Get(format!("/employer/{paid}/resume-bank")), [SignIn, NotFound, Ok, Ok, Ok]),
            (
                Call::Get(format!("/employer/{paid}/resume-bank?region=atlantis")),
                [SignIn, NotFound, Invalid, Invalid, Invalid],
            ),
            (Call::Get(format!("/employer/{unpaid}/resume-bank")), [SignIn, NotFound, Forbidden, Ok, Ok]),
            (Call::Get(format!("/employer/{gulf}/resume-bank")), [SignIn, NotFound, NotFound, Ok, Ok]),
            (Call::Get(format!("/employer/{paid}/resume-bank/access")), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(format!("/employer/{gulf}/resume-bank/access")), [SignIn, NotFound, NotFound, Ok, Ok]),
            (
                Call::Form(format!("/employer/{unpaid}/resume-bank/RB-NOBODY00/invite"), &[("job", "1")]),
                [SignIn, NotFound, Forbidden, NotFound, NotFound],
            ),
            (
                Call::Get(format!("/employer/{unpaid}/resume-bank/RB-NOBODY00/resume.pdf")),
                [SignIn, NotFound, Forbidden, NotFound, NotFound],
            ),
            (
                Call::Form("/account/resume-bank/invitations/999999/accept".into(), &[]),
                [SignIn, NotFound, NotFound, Forbidden, Forbidden],
            ),
            (
                Call::Form("/account/resume-bank/leave".into(), &[("confirmed", "yes")]),
                [SignIn, Done, Done, Forbidden, Forbidden],
            ),
            // The API: the same use cases, so the same answers (401 for no one signed in).
            (api(format!("/api/v1/employers/{paid}/resume-bank")), [Unauthorised, NotFound, Ok, Ok, Ok]),
            (
                api(format!("/api/v1/employers/{paid}/resume-bank?region=atlantis")),
                [Unauthorised, NotFound, Invalid, Invalid, Invalid],
            ),
            (api(format!("/api/v1/employers/{unpaid}/resume-bank")), [Unauthorised, NotFound, Forbidden, Ok, Ok]),
            (api(format!("/api/v1/employers/{gulf}/resume-bank")), [Unauthorised, NotFound, NotFound, Ok, Ok]),
            (api(format!("/api/v1/employers/{paid}/resume-bank/{seeded}")), [Unauthorised, NotFound, Ok, Ok, Ok]),
            (
                api(format!("/api/v1/employers/{unpaid}/resume-bank/{seeded}")),
                [Unauthorised, NotFound, Forbidden, Ok, Ok],
            ),
            (api(format!("/api/v1/employers/{gulf}/resume-bank/{seeded}")), [Unauthorised, NotFound, NotFound, Ok, Ok]),
            (
                api(format!("/api/v1/employers/{paid}/resume-bank/RB-NOBODY00")),
                [Unauthorised, NotFound, NotFound, NotFound, NotFound],
            ),
        ];
        let mut clients = role_clients(&t).await;
        run_matrix(&t, &mut clients, rows).await;
    }
}
