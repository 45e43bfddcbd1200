//! Joining: an account without a member record applies for a tier in a home chapter.

use axum::http::StatusCode;
use guildhall_domain::identity::Role;
use guildhall_domain::membership::Standing;

use crate::harness::*;

/// A new verified account, signed in.
async fn newcomer(t: &TestApp, email: &str) -> Client {
    t.app.create_verified_user(email, "Ada Lovelace", PASSWORD, Role::Member).await.unwrap();
    t.signed_in(email).await
}

async fn tier_id(t: &TestApp, code: &str) -> String {
    t.store.list_tiers().await.unwrap().into_iter().find(|x| x.code == code).unwrap().id.to_string()
}

fn form<'a>(tier: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("tier_id", tier),
        ("chapter_id", "1"),
        ("career_stage", "licensed"),
    ];
    for (key, value) in extra {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => fields.push((key, value)),
        }
    }
    fields
}

const LICENCE: [(&str, &str); 4] = [
    ("licence_jurisdiction", "us-tx"),
    ("licence_kind", "PE"),
    ("licence_number", "123456"),
    ("licence_first_issued", "2012-06-01"),
];

#[tokio::test]
async fn an_eligible_newcomer_joins_a_tier_without_approval_and_gets_the_first_invoice() {
    for t in TestApp::each_engine().await {
        let mut ada = newcomer(&t, "ada@join.example.org").await;
        assert!(ada.get("/dashboard").await.body.contains("Become a member"));
        let page = ada.get("/join").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Member (PE)") && page.body.contains("Capital Chapter"), "{}", page.body);
        assert!(page.body.contains("value=\"Ada\""), "the name starts from the account's");
        let member_tier = tier_id(&t, "member").await;

        // No licence: the tier's requirement is explained, nothing is created.
        let r = ada.post_form("/join", &form(&member_tier, &[])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("requires a current professional engineering licence"), "{}", r.body);
        assert!(r.body.contains("value=\"Lovelace\""), "the form keeps what was typed");
        // An expired licence is named as such.
        let expired = [LICENCE.as_slice(), &[("licence_expires", "2020-06-30")]].concat();
        let r = ada.post_form("/join", &form(&member_tier, &expired)).await;
        assert!(r.body.contains("yours expired on"), "{}", r.body);
        assert!(t.store.member_by_user(5).await.unwrap().is_none());

        let r = ada.post_form("/join", &form(&member_tier, &LICENCE)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let pay = r.location().to_string();
        assert!(pay.starts_with("/invoices/") && pay.ends_with("/pay"), "{pay}");
        assert!(ada.get(&pay).await.body.contains("$210.00"), "tier dues $195 + Capital Chapter's $15");
        let user = t.store.user_by_email("ada@join.example.org").await.unwrap().unwrap();
        let me = t.store.member_by_user(user.id).await.unwrap().unwrap();
        assert_eq!(
            (me.standing.code(), me.home_chapter_id, me.email.as_str()),
            ("approved", Some(1), "ada@join.example.org")
        );
        let licences = t.store.member_licences(me.id).await.unwrap();
        assert_eq!((licences[0].jurisdiction.as_str(), licences[0].kind.code()), ("US-TX", "PE"));
        assert!(ada.get("/dashboard").await.body.contains("Pay your first invoice"));

        // Paying activates; joining again is not offered.
        assert_eq!(ada.post_form(&pay, &[]).await.status, StatusCode::SEE_OTHER);
        let me = t.store.member_by_id(me.id).await.unwrap().unwrap();
        assert!(matches!(me.standing, Standing::Active | Standing::RenewalDue), "{}", me.standing);
        assert_eq!(ada.get("/join").await.location(), "/dashboard");
        let again = ada.post_form("/join", &form(&member_tier, &LICENCE)).await;
        assert_eq!(again.location(), "/dashboard", "a member cannot join twice");
    }
}

#[tokio::test]
async fn students_need_an_enrolment_and_approval_tiers_go_to_the_staff_queue() {
    for t in TestApp::each_engine().await {
        let mut sam = newcomer(&t, "sam@join.example.org").await;
        let student = tier_id(&t, "student").await;
        let r = sam.post_form("/join", &form(&student, &[("career_stage", "student")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("requires current enrolment in an engineering programme"), "{}", r.body);
        let enrolled = [
            ("enrolment_institution", "State University, BEng Civil"),
            ("enrolment_starts", "2024-09-01"),
            ("enrolment_completion", "2099-06-30"),
        ];
        let r = sam.post_form("/join", &form(&student, &enrolled)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/membership/evidence", "student dues wait for proof of enrolment");

        // Senior needs ten years licensed and staff approval.
        let mut ruth = newcomer(&t, "ruth@join.example.org").await;
        let senior = tier_id(&t, "senior").await;
        let recent = [
            ("licence_jurisdiction", "CA-ON"),
            ("licence_kind", "PE"),
            ("licence_number", "9"),
            ("licence_first_issued", "2022-01-01"),
        ];
        let r = ruth.post_form("/join", &form(&senior, &recent)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("requires at least 10 years as a licensed engineer"), "{}", r.body);
        let r = ruth.post_form("/join", &form(&senior, &LICENCE)).await;
        assert_eq!(r.location(), "/dashboard?applied=1", "{}", r.body);
        let dashboard = ruth.get("/dashboard?applied=1").await.body;
        assert!(dashboard.contains("Thank you for applying") && dashboard.contains("Applied, awaiting approval"));
        let user = t.store.user_by_email("ruth@join.example.org").await.unwrap().unwrap();
        let ruth_member = t.store.member_by_user(user.id).await.unwrap().unwrap();
        assert!(t.store.member_invoices(ruth_member.id).await.unwrap().is_empty(), "no invoice before approval");
        let queue = t.signed_in(STAFF).await.get("/staff/approvals").await.body;
        assert!(queue.contains(&ruth_member.member_number), "in the staff approvals queue");
    }
}

#[tokio::test]
async fn the_join_form_names_every_problem_at_once() {
    for t in TestApp::each_engine().await {
        let mut ada = newcomer(&t, "bad@join.example.org").await;
        let r = ada
            .post_form(
                "/join",
                &[
                    ("first_name", ""),
                    ("last_name", "L"),
                    ("tier_id", "999"),
                    ("chapter_id", "x"),
                    ("career_stage", "astronaut"),
                    ("licence_jurisdiction", "Texas"),
                    ("licence_kind", "MD"),
                    ("licence_first_issued", "01/06/2012"),
                    ("enrolment_starts", "2024-09-01"),
                    ("enrolment_completion", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for message in [
            "Enter your first name.",
            "Choose a membership tier",
            "Choose your home chapter",
            "Choose your career stage",
            "such as US-TX",
            "PE, SE, PLS, P.Eng or CEng",
            "Enter the licence number",
            "is not a date",
            "Enter your school or programme",
            "cannot be before the start",
        ] {
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        assert!(r.body.contains("There is a problem") && r.body.contains("aria-invalid=\"true\""));
        assert!(t.store.member_by_user(5).await.unwrap().is_none(), "nothing created");
        assert_eq!(t.client().get("/join").await.location(), "/sign-in?next=%2Fjoin");

        // An account whose confirmed address is on an (unlinked) member record is that
        // member: linked at sign-in, it is sent to its dashboard and joins nothing twice.
        let filter = guildhall_store::MemberFilter { standings: vec![Standing::Lapsed], ..Default::default() };
        let page = guildhall_store::PageRequest::new(1, 1);
        let lapsed = t.store.search_members(&filter, page).await.unwrap().items[0].clone();
        let before = t.store.count_members().await.unwrap();
        let mut twin = newcomer(&t, &lapsed.email).await;
        assert!(t.store.member_by_id(lapsed.id).await.unwrap().unwrap().user_id.is_some(), "linked at sign-in");
        assert_eq!(twin.get("/join").await.location(), "/dashboard");
        let member_tier = tier_id(&t, "associate").await;
        let r = twin.post_form("/join", &form(&member_tier, &[])).await;
        assert_ne!(r.location(), "/dashboard?applied=1", "{}", r.body);
        assert_eq!(t.store.count_members().await.unwrap(), before, "no second record");
    }
}

/// The Tendenci #752 pattern: a lower price claimed by typing. Tiers whose eligibility rests
/// on what the applicant says (enrolment, retirement) wait for staff, who see the evidence.
#[tokio::test]
async fn reduced_dues_wait_for_staff_who_see_the_evidence() {
    for t in TestApp::each_engine().await {
        // A licensed PE cannot take Retired dues without declaring retirement, and with the
        // declaration the application waits for staff instead of raising an invoice.
        let mut pat = newcomer(&t, "pat@join.example.org").await;
        let retired = tier_id(&t, "retired").await;
        let r = pat.post_form("/join", &form(&retired, &LICENCE)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("for engineers who have retired from paid engineering work"), "{}", r.body);
        let declared = [LICENCE.as_slice(), &[("declared_retired", "yes")]].concat();
        let r = pat.post_form("/join", &form(&retired, &declared)).await;
        assert_eq!(r.location(), "/dashboard?applied=1", "{}", r.body);
        let user = t.store.user_by_email("pat@join.example.org").await.unwrap().unwrap();
        let pat_member = t.store.member_by_user(user.id).await.unwrap().unwrap();
        assert!(t.store.member_invoices(pat_member.id).await.unwrap().is_empty(), "no Retired invoice before review");

        // A student applies, then uploads proof of enrolment: not a web page, but a PDF.
        let mut sam = newcomer(&t, "sam.student@join.example.org").await;
        let student = tier_id(&t, "student").await;
        let enrolled = [
            ("career_stage", "student"),
            ("enrolment_institution", "State University, BEng Civil"),
            ("enrolment_starts", "2024-09-01"),
        ];
        assert_eq!(sam.post_form("/join", &form(&student, &enrolled)).await.location(), "/membership/evidence");
        let page = sam.get("/membership/evidence").await;
        assert!(page.body.contains("Upload proof of enrolment"), "{}", page.body);
        let path = "/membership/evidence";
        let r = sam.post_multipart(path, &[], Some(("document", "card.html", b"<html><script>"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Upload a PDF or an image"), "{}", r.body);
        let pdf = b"%PDF-1.7 student card of Sam".to_vec();
        let r = sam.post_multipart(path, &[], Some(("document", "my card.pdf", pdf.as_slice()))).await;
        assert_eq!(r.location(), "/dashboard?applied=1", "{}", r.body);
        assert!(!sam.get("/membership/evidence").await.body.contains("Upload proof of enrolment"), "asked once");

        // Staff see both applications with what proves them, and open the document.
        let mut staff = t.signed_in(STAFF).await;
        let queue = staff.get("/staff/approvals").await.body;
        assert!(queue.contains("I have retired from paid engineering work"), "{queue}");
        assert!(queue.contains("Enrolled at State University, BEng Civil since 2024-09-01"), "{queue}");
        let link = between_quotes(&queue, "/staff/approvals/evidence/");
        let (status, headers, bytes) = staff.get_bytes(&link).await;
        assert_eq!((status, bytes), (StatusCode::OK, pdf));
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(sam.get(&link).await.status, StatusCode::FORBIDDEN, "applicants do not browse evidence");
    }
}

/// The first `href` in `html` that starts with `prefix`.
fn between_quotes(html: &str, prefix: &str) -> String {
    let start = html.find(&format!("href=\"{prefix}")).unwrap_or_else(|| panic!("no {prefix} link in {html}")) + 6;
    html[start..start + html[start..].find('"').unwrap()].to_string()
}
