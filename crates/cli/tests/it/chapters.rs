//! Chapters: affinity groups and a member's groups, chapter officers and what officers may
//! edit. Each change is audited with before and after; bad input is refused with its reason.

use axum::http::StatusCode;
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

#[tokio::test]
async fn staff_manage_groups_and_a_member_s_groups_from_their_page() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        assert!(staff.get("/staff/groups").await.body.contains("Women in Engineering"));
        let bad = staff.post_form("/staff/groups", &[("slug", "Bad Slug!"), ("name", "")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("A short name is") && bad.body.contains("Enter a name."));
        let taken = staff.post_form("/staff/groups", &[("slug", "young-professionals"), ("name", "YP")]).await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(taken.body.contains("Another group already has the short name young-professionals."));
        let r = staff
            .post_form(
                "/staff/groups",
                &[("slug", "retired-engineers"), ("name", "Retired Engineers"), ("description", "Still engineers.")],
            )
            .await;
        assert_eq!(r.location(), "/staff/groups?done=group_created");
        let group = t.store.list_groups().await.unwrap().into_iter().find(|g| g.slug == "retired-engineers").unwrap();
        let r = staff
            .post_form(
                &format!("/staff/groups/{}", group.id),
                &[("slug", "retired"), ("name", "Retired Engineers"), ("description", "")],
            )
            .await;
        assert_eq!(r.location(), "/staff/groups?done=group_saved");
        assert_eq!(t.store.group_by_id(group.id).await.unwrap().unwrap().slug, "retired");

        let member = t
            .store
            .search_members(&MemberFilter { chapter_id: Some(1), ..Default::default() }, PageRequest::new(1, 1))
            .await
            .unwrap()
            .items[0]
            .id;
        let page = staff.get(&format!("/members/{member}")).await.body;
        assert!(page.contains("Add to group") && page.contains(&format!("<option value=\"{}\">", group.id)));
        let r = staff.post_form(&format!("/members/{member}/groups"), &[("group_id", &group.id.to_string())]).await;
        assert_eq!(r.location(), format!("/members/{member}?done=group_added"));
        let page = staff.get(r.location()).await.body;
        assert!(
            page.contains("The member was added to the group.")
                && page.contains("Remove <span class=\"visually-hidden\">from Retired Engineers")
        );
        assert!(t.store.member_groups(member).await.unwrap().iter().any(|g| g.id == group.id));
        let bad = staff.post_form(&format!("/members/{member}/groups"), &[("group_id", "nope")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Choose a group from the list."));

        // Officers see their chapter's members but do not change their groups.
        let mut officer = t.signed_in(OFFICER).await;
        assert!(!officer.get(&format!("/members/{member}")).await.body.contains("Add to group"));
        let path = format!("/members/{member}/groups/{}/remove", group.id);
        assert_eq!(officer.post_form(&path, &[]).await.status, StatusCode::FORBIDDEN);
        let r = staff.post_form(&path, &[]).await;
        assert_eq!(r.location(), format!("/members/{member}?done=group_removed"));
        assert!(!t.store.member_groups(member).await.unwrap().iter().any(|g| g.id == group.id));

        let added = audit(&mut staff, "member.group_added").await;
        assert_eq!(added["total"], 1);
        assert!(added["items"][0]["after"]["groups"].as_array().unwrap().contains(&serde_json::json!("retired")));
        let removed = audit(&mut staff, "member.group_removed").await;
        assert!(removed["items"][0]["before"]["groups"].as_array().unwrap().contains(&serde_json::json!("retired")));
        let changed = audit(&mut staff, "group.changed").await;
        assert_eq!(
            (changed["items"][0]["before"]["slug"].as_str(), changed["items"][0]["after"]["slug"].as_str()),
            (Some("retired-engineers"), Some("retired"))
        );
    }
}

#[tokio::test]
async fn staff_appoint_officers_whose_office_follows_the_term_and_end_it() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get("/staff/officers").await.body;
        assert!(page.contains("Chapter President") && page.contains("Daniel Reyes") && page.contains("Holds office"));

        let today = t.app.clock.today();
        let bad = staff
            .post_form(
                "/staff/officers",
                &[
                    ("email", "nobody@example.org"),
                    ("chapter_id", ""),
                    ("title", ""),
                    ("starts_on", "2026-13-01"),
                    ("ends_on", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for message in
            ["No account has the address nobody@example.org", "Choose a chapter", "Enter a title", "is not a date"]
        {
            assert!(bad.body.contains(message), "{message}");
        }
        let backwards = staff
            .post_form(
                "/staff/officers",
                &[
                    ("email", MEMBER),
                    ("chapter_id", "2"),
                    ("title", "Secretary"),
                    ("starts_on", "2026-05-01"),
                    ("ends_on", "2026-04-30"),
                ],
            )
            .await;
        assert!(backwards.body.contains("The last day cannot be before the first day."));

        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.get("/chapters/2").await.status, StatusCode::FORBIDDEN);
        let start = (today - time::Duration::days(10)).to_string();
        let fields = [
            ("email", MEMBER),
            ("chapter_id", "2"),
            ("title", "Secretary"),
            ("starts_on", start.as_str()),
            ("ends_on", ""),
        ];
        let r = staff.post_form("/staff/officers", &fields).await;
        assert_eq!(r.location(), "/staff/officers?done=appointed", "{}", r.body);
        assert_eq!(maya.get("/chapters/2").await.status, StatusCode::OK, "office from the next request");
        assert!(maya.get("/chapters/2").await.body.contains("Secretary"));
        let twice = staff.post_form("/staff/officers", &fields).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.body.contains("already holds the office Secretary"));

        let term = t.store.list_officer_terms().await.unwrap().into_iter().find(|o| o.title == "Secretary").unwrap();
        let end = format!("/staff/officers/{}/end", term.id);
        let early_day = (today - time::Duration::days(11)).to_string();
        let early = staff.post_form(&end, &[("ends_on", &early_day), ("confirmed", "yes")]).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            early.body.contains("cannot be before the term&#39;s first day")
                || early.body.contains("term's first day")
                || early.body.contains("term&#x27;s first day"),
            "{}",
            early.body
        );
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.post_form(&end, &[("ends_on", "")]).await.status, StatusCode::FORBIDDEN);
        let yesterday = (today - time::Duration::days(1)).to_string();
        let r = staff.post_form(&end, &[("ends_on", &yesterday), ("confirmed", "yes")]).await;
        assert_eq!(r.location(), "/staff/officers?done=term_ended");
        assert_eq!(maya.get("/chapters/2").await.status, StatusCode::FORBIDDEN, "office ends with the term");
        assert!(staff.get("/staff/officers?done=term_ended").await.body.contains("Ended"));

        let appointed = audit(&mut staff, "officer.appointed").await;
        assert_eq!(appointed["items"][0]["after"]["title"], "Secretary");
        assert_eq!(appointed["items"][0]["chapter_id"], 2);
        let ended = audit(&mut staff, "officer.term_ended").await;
        assert_eq!(ended["items"][0]["before"]["ends_on"], serde_json::Value::Null);
        assert_eq!(ended["items"][0]["after"]["ends_on"], yesterday.as_str());
    }
}

#[tokio::test]
async fn staff_choose_what_officers_may_edit_and_the_server_keeps_to_it() {
    for t in TestApp::each_engine().await {
        let own = t
            .store
            .search_members(&MemberFilter { chapter_id: Some(1), ..Default::default() }, PageRequest::new(1, 1))
            .await
            .unwrap()
            .items[0]
            .id;
        let before = t.store.member_by_id(own).await.unwrap().unwrap();
        let edit = format!("/members/{own}/edit");
        let mut staff = t.signed_in(STAFF).await;
        let mut officer = t.signed_in(OFFICER).await;
        let page = staff.get("/staff/officer-fields").await.body;
        assert!(
            page.contains("name=\"fields\" value=\"phone\" checked") && !page.contains("value=\"first_name\" checked")
        );
        assert_eq!(officer.get("/staff/officer-fields").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            officer.post_form("/staff/officer-fields", &[("fields", "first_name")]).await.status,
            StatusCode::FORBIDDEN
        );
        let bad = staff.post_form("/staff/officer-fields", &[("fields", "visibility")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("is not a field officers can be allowed to edit"));

        // Names and phone only: the form shows those, and the server ignores anything else sent.
        let r = staff
            .post_form(
                "/staff/officer-fields",
                &[("fields", "first_name"), ("fields", "last_name"), ("fields", "phone")],
            )
            .await;
        assert_eq!(r.location(), "/staff/officer-fields?done=officer_fields");
        let form = officer.get(&edit).await.body;
        assert!(
            form.contains("id=\"first_name\"") && form.contains("id=\"phone\"") && !form.contains("id=\"employer\"")
        );
        assert!(form.contains("first name, last name, phone"), "{form}");
        let r = officer
            .post_form(
                &edit,
                &[
                    ("first_name", "Renamed"),
                    ("last_name", &before.last_name),
                    ("phone", "555-0777"),
                    ("employer", "Sneaky Ltd"),
                    ("disciplines", "software"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let after = t.store.member_by_id(own).await.unwrap().unwrap();
        assert_eq!((after.first_name.as_str(), after.phone.as_str()), ("Renamed", "555-0777"));
        assert_eq!(
            (after.employer.as_str(), after.disciplines.as_str()),
            (before.employer.as_str(), before.disciplines.as_str())
        );

        // Nothing: officers still see the member, and change nothing.
        staff.post_form("/staff/officer-fields", &[]).await;
        assert!(officer.get(&edit).await.body.contains("Staff have not allowed chapter officers to change"));
        officer.post_form(&edit, &[("first_name", "Again"), ("phone", "1")]).await;
        assert_eq!(t.store.member_by_id(own).await.unwrap().unwrap(), after, "nothing changed");

        let log = audit(&mut staff, "society.officer_fields_changed").await;
        assert_eq!(log["total"], 2);
        assert_eq!(
            log["items"][1]["before"]["officer_editable_fields"],
            serde_json::json!(["phone", "employer", "job_title", "city", "disciplines"])
        );
        assert_eq!(
            log["items"][1]["after"]["officer_editable_fields"],
            serde_json::json!(["first_name", "last_name", "phone"])
        );
        assert_eq!(log["items"][0]["after"]["officer_editable_fields"], serde_json::json!([]));
    }
}
