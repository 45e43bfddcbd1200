//! The membership and chapters pages as a first real user met them: the staff search's one
//! box and jurisdiction filter, the approvals queue in pages, date pickers, life members,
//! confirmation pages before destructive actions, welcome and receipt emails with PDF
//! receipts.

use axum::http::StatusCode;
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

/// The member numbers listed on a staff search page.
fn numbers_on(html: &str) -> Vec<String> {
    html.split("<td>")
        .skip(1)
        .filter_map(|cell| cell.split_once("</td>").map(|(text, _)| text.to_string()))
        .filter(|text| text.len() >= 5 && text.starts_with('M') && text[1..].chars().all(|c| c.is_ascii_digit()))
        .collect()
}

#[tokio::test]
async fn staff_search_finds_members_by_number_first_name_email_and_jurisdiction_name_or_code() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let everyone = t.store.search_members(&MemberFilter::default(), PageRequest::new(1, 200)).await.unwrap();
        let someone = everyone.items.iter().find(|m| m.first_name.len() >= 3).unwrap().clone();

        // Their number, in any case, finds exactly them.
        let page = staff.get(&format!("/staff/members?q={}", someone.member_number.to_lowercase())).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(numbers_on(&page.body), vec![someone.member_number.clone()], "{}", page.body);

        // Their first name (lower-case) finds them among everyone sharing it.
        let first = someone.first_name.to_lowercase();
        let page = staff.get(&format!("/staff/members?q={first}")).await;
        assert!(numbers_on(&page.body).contains(&someone.member_number), "{first}: {}", page.body);
        let expected = everyone.items.iter().filter(|m| m.first_name.to_lowercase().starts_with(&first)).count();
        assert!(numbers_on(&page.body).len() >= expected.min(50), "every {first} is listed");

        // "First Last" and part of the email address find them too.
        let full = format!("{} {}", someone.first_name, someone.last_name).replace(' ', "+");
        assert!(
            numbers_on(&staff.get(&format!("/staff/members?q={full}")).await.body).contains(&someone.member_number)
        );
        let record = t.store.member_by_id(someone.id).await.unwrap().unwrap();
        let local = record.email.split('@').next().unwrap().to_string();
        assert!(
            numbers_on(&staff.get(&format!("/staff/members?q={local}")).await.body).contains(&someone.member_number)
        );

        // The licence filter takes Texas by name or code, in any case.
        let texans = t
            .store
            .search_members(
                &MemberFilter { jurisdiction: Some("US-TX".into()), ..Default::default() },
                PageRequest::new(1, 50),
            )
            .await
            .unwrap();
        assert!(texans.total > 0, "the demo society has members licensed in Texas");
        let expected: Vec<String> = texans.items.iter().map(|m| m.member_number.clone()).collect();
        for typed in ["texas", "Texas", "TX", "us-tx"] {
            let page = staff.get(&format!("/staff/members?jurisdiction={typed}")).await;
            assert_eq!(page.status, StatusCode::OK, "{typed}");
            assert_eq!(numbers_on(&page.body), expected, "{typed}");
        }
        // An unknown one is refused with a sentence, not an empty list.
        let page = staff.get("/staff/members?jurisdiction=Atlantis").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("is not a jurisdiction Guildhall knows"), "{}", page.body);

        // The API's member search shares the filter.
        let found = staff.api(axum::http::Method::GET, "/api/v1/members?jurisdiction=texas", None).await;
        if found.status == StatusCode::OK {
            assert_eq!(found.json()["total"], texans.total, "{}", found.body);
        }
    }
}

#[tokio::test]
async fn the_approvals_queue_shows_25_applications_a_page() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let waiting = t.store.pending_applications().await.unwrap().len();
        let page = staff.get("/staff/approvals").await;
        assert_eq!(page.status, StatusCode::OK);
        let rows = page.body.matches("value=\"reject\"").count() + page.body.matches("/reject\"").count();
        assert_eq!(rows, waiting.min(25), "{}", page.body);
        assert!(page.body.contains(&format!("{waiting} in all")), "{}", page.body);
        let bad = staff.get("/staff/approvals?page=-1").await;
        assert_eq!(bad.status, StatusCode::OK);
        assert!(bad.body.contains("is not a page number, so the first page is shown"), "{}", bad.body);
    }
}

#[tokio::test]
async fn officer_and_join_forms_use_date_pickers() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let officers = staff.get("/staff/officers").await.body;
        assert!(officers.contains(r#"id="starts_on" name="starts_on" type="date""#), "{officers}");
        assert!(officers.contains(r#"id="ends_on" name="ends_on" type="date""#), "{officers}");
        assert!(!officers.contains("YYYY-MM-DD"), "{officers}");
    }
}
