//! Staff management pages: tiers, affinity groups and a member's groups, chapter officers.
//! Each change is audited with before and after; bad input is refused with its reason.

use axum::http::{Method, StatusCode};
use guildhall_domain::membership::{InvoiceStatus, Standing};
use guildhall_store::{MemberFilter, PageRequest};

use crate::harness::*;

async fn audit(staff: &mut Client, action: &str) -> serde_json::Value {
    staff.api(Method::GET, &format!("/api/v1/audit-log?action={action}"), None).await.json()
}

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
        let early = staff.post_form(&end, &[("ends_on", &(today - time::Duration::days(11)).to_string())]).await;
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
        let r = staff.post_form(&end, &[("ends_on", &yesterday)]).await;
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
        let r = staff.post_form(&end, &[]).await;
        assert_eq!(r.location(), format!("/members/{}?done=unlinked", partner.id));
        let after = t.store.member_by_id(partner.id).await.unwrap().unwrap();
        assert_eq!((after.standing.code(), after.expires_on), ("lapsed", partner.expires_on));
        assert_eq!(staff.post_form(&end, &[]).await.status, StatusCode::NOT_FOUND, "ended once");
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
