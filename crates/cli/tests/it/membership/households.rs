//! Households and organisations: linked people follow the member who pays for them.

use axum::http::StatusCode;
use guildhall_domain::membership::{InvoiceStatus, Standing};
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

async fn member_in(t: &TestApp, chapter: i64, standing: &str) -> guildhall_store::MemberRecord {
    let filter = MemberFilter {
        chapter_id: Some(chapter),
        standings: vec![Standing::from_code(standing).unwrap()],
        ..Default::default()
    };
    let id = t.store.search_members(&filter, PageRequest::new(1, 1)).await.unwrap().items[0].id;
    t.store.member_by_id(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_household_member_sees_who_pays_and_cannot_renew_themself() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let payer = member_in(&t, 2, "active").await;
        let links = format!("/members/{}/links", payer.id);
        let r = staff.post_form(&links, &[("kind", "household"), ("member_number", &maya.member_number)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mut maya_client = t.signed_in(MEMBER).await;
        let dashboard = maya_client.get("/dashboard").await.body;
        assert!(dashboard.contains("Your membership is paid by") && dashboard.contains("they renew it for you"));
        assert!(!dashboard.contains("Renew now"), "{dashboard}");
        let r = maya_client.post_form("/membership/renew", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("they renew it for you"), "{}", r.body);
        assert!(t.store.open_invoice(maya.id).await.unwrap().is_none(), "no invoice raised");

        // A household holds at most `membership.household_max_additional_people` (4) besides the payer.
        let filter = MemberFilter { standings: vec![Standing::Lapsed], ..Default::default() };
        let others = t.store.search_members(&filter, PageRequest::new(1, 4)).await.unwrap().items;
        for person in &others[..3] {
            let r = staff.post_form(&links, &[("kind", "household"), ("member_number", &person.member_number)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let r = staff.post_form(&links, &[("kind", "household"), ("member_number", &others[3].member_number)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("already has 4 people besides the payer; the society allows at most 4"), "{}", r.body);
    }
}

#[tokio::test]
async fn household_members_and_named_employees_follow_the_payer_while_linked() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let partner = member_in(&t, 3, "lapsed").await;
        let links = format!("/members/{}/links", maya.id);
        for (fields, message) in [
            (vec![("kind", "household"), ("member_number", maya.member_number.as_str())], "cannot pay for themself"),
            (vec![("kind", "household"), ("member_number", "NO-SUCH")], "No member has the number"),
            (vec![("kind", "cousin"), ("member_number", partner.member_number.as_str())], "Choose household member"),
            (
                vec![("kind", "employee"), ("member_number", partner.member_number.as_str())],
                "organisational membership",
            ),
        ] {
            let r = staff.post_form(&links, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        let r = staff.post_form(&links, &[("kind", "household"), ("member_number", &partner.member_number)]).await;
        assert_eq!(r.location(), format!("/members/{}?done=linked", maya.id), "{}", r.body);
        let linked = t.store.member_by_id(partner.id).await.unwrap().unwrap();
        assert_eq!((linked.standing.code(), linked.expires_on), (maya.standing.code(), maya.expires_on), "the payer's");
        let page = staff.get(&format!("/members/{}", partner.id)).await.body;
        assert!(page.contains("This membership is paid by") && page.contains("household member"), "{page}");
        assert!(staff.get(&format!("/members/{}", maya.id)).await.body.contains(&partner.member_number));
        let again = staff.post_form(&links, &[("kind", "household"), ("member_number", &partner.member_number)]).await;
        assert!(again.body.contains("already in a household or organisational membership"));

        // Maya renews and pays: her household member's membership is renewed with hers, and her
        // invoice adds them at the household rate (by default half her own dues).
        let mut maya_client = t.signed_in(MEMBER).await;
        let tier = t.store.tier_by_id(maya.tier_id).await.unwrap().unwrap();
        let supplement = match maya.home_chapter_id {
            Some(c) => t.store.chapter_by_id(c).await.unwrap().unwrap().dues_supplement_cents,
            None => 0,
        };
        let own = tier.annual_dues_cents + supplement;
        let dashboard = maya_client.get("/dashboard").await.body;
        let quoted = format!("Renew now (${}.{:02})", (own + own / 2) / 100, (own + own / 2) % 100);
        assert!(dashboard.contains(&quoted), "{quoted} in {dashboard}");
        let pay = maya_client.post_form("/membership/renew", &[]).await.location().to_string();
        let invoice = t.store.open_invoice(maya.id).await.unwrap().expect("a renewal invoice");
        assert_eq!(invoice.amount_cents, own + own / 2, "{}", invoice.description);
        assert!(invoice.description.ends_with("with 1 household member"), "{}", invoice.description);
        maya_client.post_form(&pay, &[]).await;
        let renewed = t.store.member_by_user(1).await.unwrap().unwrap();
        let follows = t.store.member_by_id(partner.id).await.unwrap().unwrap();
        assert_eq!((follows.standing.code(), follows.expires_on), ("active", renewed.expires_on));

        // Unlinked: their own (lapsed) standing again, audited before and after.
        let link = t.store.member_links(partner.id).await.unwrap()[0].id;
        let mut officer = t.signed_in(OFFICER).await;
        let end = format!("/members/{}/links/{link}/end", partner.id);
        assert_eq!(officer.post_form(&end, &[]).await.status, StatusCode::FORBIDDEN);
        let r = staff.post_form(&end, &[("confirmed", "yes")]).await;
        assert_eq!(r.location(), format!("/members/{}?done=unlinked", partner.id));
        let after = t.store.member_by_id(partner.id).await.unwrap().unwrap();
        assert_eq!((after.standing.code(), after.expires_on), ("lapsed", partner.expires_on));
        assert_eq!(staff.post_form(&end, &[("confirmed", "yes")]).await.status, StatusCode::NOT_FOUND, "ended once");
        let log = audit(&mut staff, "member.unlinked").await;
        assert_eq!(
            (log["items"][0]["before"]["standing"].as_str(), log["items"][0]["after"]["standing"].as_str()),
            (Some("active"), Some("lapsed"))
        );
        assert_eq!(audit(&mut staff, "member.linked").await["items"][0]["after"]["kind"], "household");

        // An organisation pays for one seat: one named employee, not two.
        let employer = member_in(&t, 2, "active").await;
        let (first, second) = (member_in(&t, 4, "lapsed").await, member_in(&t, 5, "lapsed").await);
        let org = format!("/members/{}/organisation", employer.id);
        let bad = staff.post_form(&org, &[("organisation_name", ""), ("seats", "0")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = staff.post_form(&org, &[("organisation_name", "Acme Bridges"), ("seats", "1")]).await;
        assert_eq!(r.location(), format!("/members/{}?done=organisation", employer.id));
        let employ = format!("/members/{}/links", employer.id);
        let r = staff.post_form(&employ, &[("kind", "employee"), ("member_number", &first.member_number)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let full = staff.post_form(&employ, &[("kind", "employee"), ("member_number", &second.member_number)]).await;
        assert_eq!(full.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(full.body.contains("2 employees are named but only 1 seats are paid for"), "{}", full.body);
        let page = staff.get(&format!("/members/{}", employer.id)).await.body;
        assert!(page.contains("Acme Bridges") && page.contains(&first.member_number));
        // The organisation's renewal pays for its seats: the tier's dues and chapter supplement
        // per seat (no base fee by default).
        let employer_tier = t.store.tier_by_id(employer.tier_id).await.unwrap().unwrap();
        let seat_supplement = match employer.home_chapter_id {
            Some(c) => t.store.chapter_by_id(c).await.unwrap().unwrap().dues_supplement_cents,
            None => 0,
        };
        let expiry = employer.expires_on.expect("an active member has an expiry");
        let next = (expiry + time::Duration::days(1), expiry + time::Duration::days(365));
        let dues = t.app.dues_for(&employer, &employer_tier, next.0, next.1).await.unwrap();
        assert_eq!(dues.amount_cents, employer_tier.annual_dues_cents + seat_supplement);
        assert!(dues.description.starts_with("Acme Bridges: ") && dues.description.contains("for 1 named employee,"));
        // A linked person paying an invoice of their own still has the payer's standing.
        let applicant = t
            .store
            .search_members(
                &MemberFilter { standings: vec![Standing::Approved], ..Default::default() },
                PageRequest::new(1, 1),
            )
            .await
            .unwrap()
            .items[0]
            .clone();
        let household = format!("/members/{}/links", renewed.id);
        let r =
            staff.post_form(&household, &[("kind", "household"), ("member_number", &applicant.member_number)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let invoice = t
            .store
            .member_invoices(applicant.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.status == InvoiceStatus::Open)
            .unwrap();
        let r = staff
            .post_form(
                &format!("/members/{}/invoices/{}/payments", applicant.id, invoice.id),
                &[("method", "cheque"), ("reference", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let applicant = t.store.member_by_id(applicant.id).await.unwrap().unwrap();
        assert_eq!(
            (applicant.standing.code(), applicant.expires_on),
            ("active", renewed.expires_on),
            "the payer's, not their own"
        );
        // The daily refresh keeps the employee on the organisation's standing.
        t.app.clock.advance(86_400);
        t.app.refresh_standings().await.unwrap();
        let (employee, payer) = (
            t.store.member_by_id(first.id).await.unwrap().unwrap(),
            t.store.member_by_id(employer.id).await.unwrap().unwrap(),
        );
        assert_eq!((employee.standing, employee.expires_on), (payer.standing, payer.expires_on));
    }
}
