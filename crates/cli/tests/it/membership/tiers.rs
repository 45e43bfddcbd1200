//! Membership tiers staff add, edit and delete; a tier in use stays.

use axum::http::StatusCode;

use crate::harness::*;

#[tokio::test]
async fn staff_add_edit_and_delete_tiers_and_a_tier_in_use_stays() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let list = staff.get("/staff/tiers").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Member (PE)") && list.body.contains("$195.00"), "dues shown as money");
        assert!(list.body.contains("a current PE or SE licence"), "eligibility in words");
        assert!(list.body.contains("href=\"/staff/tiers\" aria-current=\"page\""), "in the staff navigation");

        let bad = staff
            .post_form(
                "/staff/tiers",
                &[("code", "Bad Code"), ("name", ""), ("annual_dues", "ten"), ("min_age", "0"), ("sort_order", "-1")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for message in [
            "Please correct the 5 fields",
            "lowercase letters, digits",
            "Enter a name.",
            "is not an amount",
            "from 1 to 99",
            "from 0 to 9999",
        ] {
            assert!(bad.body.contains(message), "{message}: {}", bad.body);
        }
        let tiers_before = t.store.list_tiers().await.unwrap().len();

        let fields = [
            ("code", "emeritus"),
            ("name", "Emeritus"),
            ("annual_dues", "45.50"),
            ("sort_order", "70"),
            ("requires_approval", "1"),
            ("min_age", "65"),
            ("career_stages", "retired"),
            ("career_stages", "other"),
        ];
        let r = staff.post_form("/staff/tiers", &fields).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/staff/tiers?done=tier_created"), "{}", r.body);
        let list = staff.get(r.location()).await.body;
        assert!(list.contains("The tier was added.") && list.contains("Emeritus") && list.contains("$45.50"));
        assert!(list.contains("aged at least 65; career stage: retired or other"), "{list}");
        let emeritus = t.store.list_tiers().await.unwrap().into_iter().find(|t| t.code == "emeritus").unwrap();
        assert_eq!((emeritus.annual_dues_cents, emeritus.requires_approval, emeritus.sort_order), (4_550, true, 70));
        let again = staff.post_form("/staff/tiers", &fields).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("A tier with the code emeritus already exists."));
        assert_eq!(t.store.list_tiers().await.unwrap().len(), tiers_before + 1);

        let page = staff.get(&format!("/staff/tiers/{}", emeritus.id)).await.body;
        assert!(page.contains("value=\"45.50\"") && page.contains("value=\"65\"") && page.contains("readonly"));
        let r = staff
            .post_form(
                &format!("/staff/tiers/{}", emeritus.id),
                &[("code", "hacked"), ("name", "Emeritus Member"), ("annual_dues", "50"), ("min_age", "")],
            )
            .await;
        assert_eq!(r.location(), "/staff/tiers?done=tier_saved");
        let saved = t.store.tier_by_id(emeritus.id).await.unwrap().unwrap();
        assert_eq!(
            (saved.code.as_str(), saved.name.as_str(), saved.annual_dues_cents, saved.requires_approval),
            ("emeritus", "Emeritus Member", 5_000, false),
            "the code stays; unticked boxes are off"
        );
        assert_eq!(saved.requirements, "[]");
        let bad_edit =
            staff.post_form(&format!("/staff/tiers/{}", emeritus.id), &[("name", "X"), ("annual_dues", "-5")]).await;
        assert_eq!(bad_edit.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_edit.body.contains("is not an amount"));

        // A tier in use cannot be deleted, and the page says why.
        let member_tier = t.store.list_tiers().await.unwrap().into_iter().find(|t| t.code == "member").unwrap();
        let refused = staff.post_form(&format!("/staff/tiers/{}/delete", member_tier.id), &[]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.body.contains("is in use") && refused.body.contains("cannot be deleted"), "{}", refused.body);
        assert!(t.store.tier_by_id(member_tier.id).await.unwrap().is_some());
        let r = staff.post_form(&format!("/staff/tiers/{}/delete", emeritus.id), &[]).await;
        assert_eq!(r.location(), "/staff/tiers?done=tier_deleted");
        assert!(t.store.tier_by_id(emeritus.id).await.unwrap().is_none());
        assert_eq!(staff.get(&format!("/staff/tiers/{}", emeritus.id)).await.status, StatusCode::NOT_FOUND);

        let created = audit(&mut staff, "tier.created").await;
        assert_eq!(created["items"][0]["after"]["annual_dues_cents"], 4_550);
        let changed = audit(&mut staff, "tier.changed").await;
        assert_eq!(changed["items"][0]["before"]["name"], "Emeritus");
        assert_eq!(changed["items"][0]["after"]["name"], "Emeritus Member");
        let deleted = audit(&mut staff, "tier.deleted").await;
        assert_eq!(
            (deleted["total"].as_i64(), deleted["items"][0]["before"]["code"].as_str()),
            (Some(1), Some("emeritus"))
        );

        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get("/staff/tiers").await.status, StatusCode::FORBIDDEN);
        assert_eq!(officer.post_form("/staff/tiers", &fields).await.status, StatusCode::FORBIDDEN);
    }
}
