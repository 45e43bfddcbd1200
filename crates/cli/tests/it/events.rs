//! Events: registration with a fair waitlist, on both engines.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use guildhall_app::events::EventForm;
use guildhall_app::{Actor, App};
use guildhall_domain::events::{RegistrationStatus, event_time};
use guildhall_domain::identity::Role;
use guildhall_store::NewUser;
use serde_json::json;

use crate::harness::*;

/// An actor for a demo account, as a session would resolve it (no officer terms).
async fn actor_for(t: &TestApp, email: &str, role: Role) -> Actor {
    let user = t.store.user_by_email(email).await.unwrap().expect("demo account");
    Actor {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role,
        officer_of: Vec::new(),
        api_token_id: None,
        must_set_up_two_factor: false,
        employers: Vec::new(),
        employer_token: None,
    }
}

/// `n` new member accounts, as actors.
async fn people(t: &TestApp, n: usize) -> Vec<Actor> {
    let mut actors = Vec::with_capacity(n);
    for i in 0..n {
        let email = format!("attendee{i}@example.org");
        let user = NewUser {
            email: email.clone(),
            display_name: format!("Attendee {i}"),
            password_hash: "not-used".into(),
            role: "member".into(),
            email_verified_at: Some(0),
        };
        let user_id = t.store.create_user(&user, None, None, 0).await.unwrap();
        actors.push(Actor {
            user_id,
            email,
            display_name: user.display_name,
            role: Role::Member,
            officer_of: Vec::new(),
            api_token_id: None,
            must_set_up_two_factor: false,
            employers: Vec::new(),
            employer_token: None,
        });
    }
    actors
}

/// A published society event next month with `capacity` seats; returns its id.
async fn published_event(app: &App, staff: &Actor, capacity: usize) -> i64 {
    let zone = "America/Chicago";
    let starts = event_time(app.clock.unix() + 30 * 86_400, zone).input;
    let ends = event_time(app.clock.unix() + 30 * 86_400 + 3 * 3_600, zone).input;
    let form = EventForm {
        kind: "seminar".into(),
        title: "Bridge load rating seminar".into(),
        time_zone: zone.into(),
        starts,
        ends,
        venue: "Engineers' Hall".into(),
        address: "100 Main Street, Springfield".into(),
        capacity: capacity.to_string(),
        ..Default::default()
    };
    let id = app.create_event(staff, &form, "test").await.expect("event created");
    app.publish_event(staff, id, "test").await.expect("event published");
    id
}

/// A seminar in Chicago starting at `starts_at` for `hours`, carrying `pdh` of `topic`.
fn seminar_at(title: &str, starts_at: i64, hours: i64, pdh: &str, topic: &str) -> EventForm {
    let zone = "America/Chicago";
    EventForm {
        kind: "seminar".into(),
        title: title.into(),
        time_zone: zone.into(),
        starts: event_time(starts_at, zone).input,
        ends: event_time(starts_at + hours * 3_600, zone).input,
        venue: "Engineers' Hall".into(),
        capacity: "50".into(),
        pdh: pdh.into(),
        topics: vec![topic.into()],
        ..Default::default()
    }
}

/// Creates and publishes an event from `form`; returns its id.
async fn publish(app: &App, staff: &Actor, form: &EventForm) -> i64 {
    let id = app.create_event(staff, form, "test").await.expect("event created");
    app.publish_event(staff, id, "test").await.expect("event published");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_at_once_for_a_hundred_seats_fill_them_exactly_and_queue_the_rest_in_order() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let event_id = published_event(&t.app, &staff, 100).await;
        let people = people(&t, 500).await;

        let mut set = tokio::task::JoinSet::new();
        for person in people.iter().cloned() {
            let app = t.app.clone();
            set.spawn(async move { (person.user_id, app.register_for_event(&person, event_id).await) });
        }
        let mut confirmed = 0;
        let mut positions = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (_, result) = joined.unwrap();
            let registration = result.unwrap_or_else(|e| panic!("{:?}: a registration failed: {e}", t.engine));
            match registration.status {
                RegistrationStatus::Confirmed => confirmed += 1,
                RegistrationStatus::Waitlisted => positions.push(registration.waitlist_seq.unwrap()),
                other => panic!("{:?}: unexpected {other:?}", t.engine),
            }
        }
        assert_eq!(confirmed, 100, "{:?}: exactly the capacity is confirmed", t.engine);
        positions.sort_unstable();
        assert_eq!(positions, (1..=400).collect::<Vec<i64>>(), "{:?}: the waitlist is 1…400", t.engine);

        let (event, roster) = t.app.event_roster(&staff, event_id).await.unwrap();
        assert_eq!((event.seats_taken, event.capacity), (100, 100), "{:?}", t.engine);
        let users: BTreeSet<i64> = roster.iter().map(|e| e.registration.user_id).collect();
        assert_eq!((roster.len(), users.len()), (500, 500), "{:?}: no one is registered twice", t.engine);
        let line: Vec<i64> = roster
            .iter()
            .filter(|e| e.registration.status == RegistrationStatus::Waitlisted)
            .map(|e| e.registration.position.unwrap())
            .collect();
        assert_eq!(line, (1..=400).collect::<Vec<i64>>(), "{:?}: places in line are 1…400", t.engine);

        // Registering again changes nothing.
        let again = t.app.register_for_event(&people[0], event_id).await.unwrap();
        assert_eq!(t.app.event_roster(&staff, event_id).await.unwrap().1.len(), 500);
        assert_ne!(again.status, RegistrationStatus::Cancelled);

        // Ten confirmed people cancel at once: exactly the first ten in line are offered a seat.
        let in_line = |n: i64| {
            roster.iter().find(|e| e.registration.waitlist_seq == Some(n)).map(|e| e.registration.user_id).unwrap()
        };
        let first_ten: BTreeSet<i64> = (1..=10).map(in_line).collect();
        let leaving: Vec<_> = roster
            .iter()
            .filter(|e| e.registration.status == RegistrationStatus::Confirmed)
            .take(10)
            .map(|e| {
                let person = people.iter().find(|p| p.user_id == e.registration.user_id).unwrap().clone();
                (person, e.registration.id)
            })
            .collect();
        let mut set = tokio::task::JoinSet::new();
        for (person, registration_id) in leaving {
            let app = t.app.clone();
            set.spawn(async move { app.cancel_registration(&person, registration_id, "test").await });
        }
        while let Some(joined) = set.join_next().await {
            joined.unwrap().unwrap_or_else(|e| panic!("{:?}: a cancellation failed: {e}", t.engine));
        }
        let (event, roster) = t.app.event_roster(&staff, event_id).await.unwrap();
        let offered: BTreeSet<i64> = roster
            .iter()
            .filter(|e| e.registration.status == RegistrationStatus::Offered)
            .map(|e| e.registration.user_id)
            .collect();
        assert_eq!(offered, first_ten, "{:?}: the first ten in line are offered the seats", t.engine);
        assert_eq!(event.seats_taken, 100, "{:?}: offered seats stay held", t.engine);
        let line: Vec<i64> = roster
            .iter()
            .filter(|e| e.registration.status == RegistrationStatus::Waitlisted)
            .map(|e| e.registration.position.unwrap())
            .collect();
        assert_eq!(line, (1..=390).collect::<Vec<i64>>(), "{:?}: the rest move up", t.engine);
        let first = people.iter().find(|p| p.user_id == in_line(1)).unwrap();
        assert!(
            t.mail_to(&first.email).await.iter().any(|m| m.contains("A seat is yours if you want it")),
            "{:?}: the first in line is emailed the offer",
            t.engine
        );
    }
}

#[tokio::test]
async fn an_offer_not_taken_up_passes_to_the_next_in_line_and_a_taken_one_confirms() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let event_id = published_event(&t.app, &staff, 1).await;
        let people = people(&t, 3).await;
        let mut registrations = Vec::new();
        for person in &people {
            registrations.push(t.app.register_for_event(person, event_id).await.unwrap());
        }
        assert_eq!(
            registrations.iter().map(|r| (r.status, r.position)).collect::<Vec<_>>(),
            [
                (RegistrationStatus::Confirmed, None),
                (RegistrationStatus::Waitlisted, Some(1)),
                (RegistrationStatus::Waitlisted, Some(2))
            ],
            "{:?}",
            t.engine
        );
        t.app.cancel_registration(&people[0], registrations[0].id, "test").await.unwrap();
        let status = |i: usize| {
            let (app, id) = (t.app.clone(), registrations[i].id);
            let person = people[i].clone();
            async move {
                app.event_for(Some(&person), event_id)
                    .await
                    .unwrap()
                    .registration
                    .filter(|r| r.id == id)
                    .unwrap()
                    .status
            }
        };
        assert_eq!(status(1).await, RegistrationStatus::Offered, "{:?}", t.engine);
        // Someone else cannot take up the offer.
        assert!(t.app.accept_seat_offer(&people[2], registrations[1].id).await.is_err());

        // 47 hours later the offer still stands; at 48 the job passes it on.
        t.app.clock.advance(47 * 3_600);
        assert_eq!(t.app.expire_seat_offers().await.unwrap(), 0);
        t.app.clock.advance(3_600);
        assert_eq!(t.app.expire_seat_offers().await.unwrap(), 1, "{:?}", t.engine);
        assert_eq!(status(1).await, RegistrationStatus::Cancelled, "{:?}", t.engine);
        assert_eq!(status(2).await, RegistrationStatus::Offered, "{:?}", t.engine);
        let late = t.app.accept_seat_offer(&people[1], registrations[1].id).await.unwrap_err();
        assert!(late.to_string().contains("offer has ended"), "{late}");

        t.app.accept_seat_offer(&people[2], registrations[2].id).await.unwrap();
        assert_eq!(status(2).await, RegistrationStatus::Confirmed, "{:?}", t.engine);
        let event = t.app.event_for(None, event_id).await.unwrap().event;
        assert_eq!(event.seats_taken, 1, "{:?}: one seat, one confirmed", t.engine);
    }
}

/// A draft event for `chapter` (none: the society's) made by `by`; published when `publish`.
async fn event_for(app: &App, by: &Actor, chapter: Option<i64>, online: bool, publish: bool) -> i64 {
    let zone = "America/New_York";
    let form = EventForm {
        chapter: chapter.map(|c| c.to_string()).unwrap_or_default(),
        kind: if online { "webinar" } else { "chapter_meeting" }.into(),
        title: format!("Matrix event {chapter:?} {online}"),
        time_zone: zone.into(),
        starts: event_time(app.clock.unix() + 10 * 86_400, zone).input,
        ends: event_time(app.clock.unix() + 10 * 86_400 + 7_200, zone).input,
        venue: if online { String::new() } else { "Hall".into() },
        online_link: if online { "https://meet.example.org/secret-room".into() } else { String::new() },
        capacity: "1".into(),
        ..Default::default()
    };
    let id = app.create_event(by, &form, "test").await.expect("event created");
    if publish {
        app.publish_event(by, id, "test").await.expect("published");
    }
    id
}

/// An event as the API takes it, for the society (`None`) or a chapter.
fn api_event(chapter: Option<i64>) -> serde_json::Value {
    json!({
        "chapter_id": chapter, "kind": "workshop", "title": "API workshop", "time_zone": "America/Chicago",
        "starts": "2031-06-01T09:00", "ends": "2031-06-01T12:00", "venue": "Hall", "capacity": 20
    })
}

#[tokio::test]
async fn who_may_see_manage_and_register_for_which_events() {
    use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let mut officer = actor_for(&t, OFFICER, Role::Member).await;
        officer.officer_of = vec![1];
        let society_draft = event_for(&t.app, &staff, None, false, false).await;
        let published = event_for(&t.app, &staff, None, true, true).await;
        let own_chapter_draft = event_for(&t.app, &officer, Some(1), false, false).await;
        let other_chapter_draft = event_for(&t.app, &staff, Some(2), false, false).await;
        let mut clients = role_clients(&t).await;
        // Maya registers for the published webinar before the matrix runs.
        let r = clients[1].post_form(&format!("/events/{published}/register"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let maya = actor_for(&t, MEMBER, Role::Member).await;
        let hers = t.app.event_for(Some(&maya), published).await.unwrap().registration.unwrap().id;

        let manager = [SignIn, Forbidden, Ok, Ok, Ok];
        let staff_only = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let society_event: &'static [(&str, &str)] = &[
            ("kind", "seminar"),
            ("title", "Matrix seminar"),
            ("time_zone", "America/New_York"),
            ("starts", "2031-05-01T09:00"),
            ("ends", "2031-05-01T11:00"),
            ("venue", "Hall"),
            ("capacity", "10"),
        ];
        let other_chapter_event: &'static [(&str, &str)] = &[
            ("chapter", "2"),
            ("kind", "seminar"),
            ("title", "Matrix seminar"),
            ("time_zone", "America/New_York"),
            ("starts", "2031-05-01T09:00"),
            ("ends", "2031-05-01T11:00"),
            ("venue", "Hall"),
            ("capacity", "10"),
        ];
        let rows = vec![
            (Call::Get("/events".into()), [Ok; 5]),
            (Call::Get(format!("/events/{published}")), [Ok; 5]),
            (Call::Get("/events/manage".into()), manager),
            (Call::Get("/events/new".into()), manager),
            // Copying needs the right to manage the event copied.
            (Call::Get(format!("/events/new?copy={other_chapter_draft}")), staff_only),
            (Call::Get(format!("/events/new?copy={own_chapter_draft}")), manager),
            // Drafts exist only for those who manage them.
            (Call::Get(format!("/events/{society_draft}")), [NotFound, NotFound, NotFound, Ok, Ok]),
            (Call::Get(format!("/events/{own_chapter_draft}")), [NotFound, NotFound, Ok, Ok, Ok]),
            (Call::Get(format!("/events/{other_chapter_draft}")), [NotFound, NotFound, NotFound, Ok, Ok]),
            (Call::Get(format!("/events/{own_chapter_draft}/edit")), manager),
            (Call::Get(format!("/events/{other_chapter_draft}/edit")), staff_only),
            (Call::Get(format!("/events/{published}/roster")), staff_only),
            (Call::Get(format!("/events/{published}/roster.csv")), staff_only),
            (Call::Get(format!("/events/{own_chapter_draft}/roster")), manager),
            (Call::Get(format!("/events/{other_chapter_draft}/roster")), staff_only),
            // The check-in camera, and the guest form (for those not signed in).
            (Call::Get(format!("/events/{published}/check-in")), staff_only),
            (Call::Get(format!("/events/{own_chapter_draft}/check-in")), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(format!("/events/{published}/guest")), [Ok, Done, Done, Done, Done]),
            (
                Call::Form(
                    format!("/events/{published}/guest"),
                    &[("name", "Ann Guest"), ("email", "ann@example.org")],
                ),
                [Ok, Ok, Ok, Ok, Ok],
            ),
            (Call::Get(format!("/events/{published}/guest/confirm?token=nosuchtoken")), [NotFound; 5]),
            // An officer may not create the society's events nor another chapter's.
            (Call::Form("/events".into(), society_event), [SignIn, Forbidden, Forbidden, Done, Done]),
            (Call::Form("/events".into(), other_chapter_event), [SignIn, Forbidden, Forbidden, Done, Done]),
            (
                Call::Form(format!("/events/{other_chapter_draft}/publish"), &[]),
                [SignIn, Forbidden, Forbidden, Done, Invalid],
            ),
            (
                Call::Form(format!("/events/{own_chapter_draft}/publish"), &[]),
                [SignIn, Forbidden, Done, Invalid, Invalid],
            ),
            // Maya's registration: hers to see and cancel, or staff's (the society's event).
            (Call::Get(format!("/registrations/{hers}/cancel")), [SignIn, Ok, NotFound, Ok, Ok]),
            (Call::Get(format!("/registrations/{hers}/transfer")), [SignIn, Ok, NotFound, Ok, Ok]),
            (Call::Get("/events/reports".into()), [SignIn, Forbidden, Ok, Ok, Ok]),
            // Recording a payment is staff's (money), even for those who manage the event.
            (Call::Get(format!("/registrations/{hers}/payment")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
            (
                Call::Json(Method::POST, format!("/api/v1/registrations/{hers}/payment"), json!({ "method": "cash" })),
                [Unauthorised, Forbidden, NotFound, Invalid, Invalid],
            ),
            (
                Call::Form(format!("/registrations/{hers}/transfer"), &[("email", "nobody@example.org")]),
                [SignIn, Invalid, NotFound, Invalid, Invalid],
            ),
            (
                Call::Form(format!("/registrations/{hers}/accept"), &[]),
                [SignIn, Invalid, NotFound, Forbidden, Forbidden],
            ),
            (Call::Form(format!("/events/{published}/register"), &[]), [SignIn, Done, Done, Done, Done]),
            (
                Call::Form(format!("/events/{other_chapter_draft}/cancel"), &[("confirmed", "yes")]),
                [SignIn, Forbidden, Forbidden, Done, Invalid],
            ),
            // The API: the same rules.
            (Call::Get("/api/v1/events".into()), [Unauthorised, Ok, Ok, Ok, Ok]),
            (Call::Get("/api/v1/events?scope=managed".into()), [Unauthorised, Forbidden, Ok, Ok, Ok]),
            (Call::Get(format!("/api/v1/events/{society_draft}")), [Unauthorised, NotFound, NotFound, Ok, Ok]),
            // The officer published their chapter's draft above.
            (Call::Get(format!("/api/v1/events/{own_chapter_draft}")), [Unauthorised, Ok, Ok, Ok, Ok]),
            (
                Call::Json(Method::POST, "/api/v1/events".into(), api_event(None)),
                [Unauthorised, Forbidden, Forbidden, Ok, Ok],
            ),
            (
                Call::Json(Method::POST, "/api/v1/events".into(), api_event(Some(1))),
                [Unauthorised, Forbidden, Ok, Ok, Ok],
            ),
            (
                Call::Json(Method::PATCH, format!("/api/v1/events/{own_chapter_draft}"), json!({ "title": "Renamed" })),
                [Unauthorised, Forbidden, Ok, Ok, Ok],
            ),
            (
                Call::Json(Method::PATCH, format!("/api/v1/events/{society_draft}"), json!({ "capacity": 5 })),
                [Unauthorised, NotFound, NotFound, Ok, Ok],
            ),
            (Call::Get(format!("/api/v1/events/{published}/registrations")), [Unauthorised, Ok, Ok, Ok, Ok]),
            (
                Call::Json(
                    Method::POST,
                    format!("/api/v1/events/{published}/registrations"),
                    json!({ "member_id": 1 }),
                ),
                [Unauthorised, Forbidden, Forbidden, Ok, Ok],
            ),
            (
                Call::Json(Method::POST, format!("/api/v1/events/{published}/check-in"), json!({ "ticket": "nosuch" })),
                [Unauthorised, Forbidden, Forbidden, Invalid, Invalid],
            ),
            (
                Call::Json(Method::DELETE, format!("/api/v1/registrations/{hers}"), json!({})),
                [Unauthorised, Ok, NotFound, Ok, Ok],
            ),
        ];
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test]
async fn the_online_link_is_shown_only_to_confirmed_registrants_and_those_who_manage_the_event() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let webinar = event_for(&t.app, &staff, None, true, true).await;
        let path = format!("/events/{webinar}");
        let secret = "https://meet.example.org/secret-room";
        assert!(!t.client().get(&path).await.body.contains(secret), "{:?}: not to the public", t.engine);
        let mut maya = t.signed_in(MEMBER).await;
        assert!(!maya.get(&path).await.body.contains(secret), "{:?}: not before registering", t.engine);
        maya.post_form(&format!("{path}/register"), &[]).await;
        assert!(maya.get(&path).await.body.contains(secret), "{:?}: to the confirmed registrant", t.engine);
        // The one seat is taken: Daniel waits, and a waitlisted person does not see it.
        let mut daniel = t.signed_in(OFFICER).await;
        let r = daniel.post_form(&format!("{path}/register"), &[]).await;
        assert_eq!(r.location(), format!("{path}?done=waitlisted"));
        let page = daniel.get(&path).await.body;
        assert!(page.contains("number 1 in line") && !page.contains(secret), "{:?}: not to the waitlist", t.engine);
        let mut office = t.signed_in(STAFF).await;
        assert!(office.get(&path).await.body.contains(secret), "{:?}: staff see it", t.engine);
        // The listing (read as one JSON row) gives each event whole, soonest first.
        let listed = office.api(Method::GET, "/api/v1/events?kind=webinar", None).await.json();
        let item = listed["items"].as_array().unwrap().iter().find(|e| e["id"] == webinar).expect("listed").clone();
        assert_eq!(
            (
                item["online_link"].as_str(),
                item["kind"].as_str(),
                item["capacity"].as_i64(),
                item["seats_left"].as_i64()
            ),
            (Some(secret), Some("webinar"), Some(1), Some(0)),
            "{:?}",
            t.engine
        );
        let anyone = maya.api(Method::GET, "/api/v1/events?kind=webinar", None).await.json();
        assert!(anyone["items"].as_array().unwrap().iter().all(|e| e["online_link"].is_null()), "{:?}", t.engine);
        // The confirmation email does not carry it either.
        assert!(t.mail_to("member@demo.guildhall.org").await.iter().all(|m| !m.contains(secret)));
    }
}

#[tokio::test]
async fn the_api_registers_people_and_says_where_each_stands() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut body = api_event(None);
        body["capacity"] = json!(1);
        body["publish"] = json!(true);
        let created = staff.api(Method::POST, "/api/v1/events", Some(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let event = created.json();
        assert_eq!((event["status"].as_str(), event["seats_left"].as_i64()), (Some("published"), Some(1)));
        assert_eq!(event["starts_at"], "2031-06-01T09:00:00-05:00", "{:?}: the event's own offset", t.engine);
        let path = format!("/api/v1/events/{}/registrations", event["id"]);

        // The public listing (kept per node for a few seconds) shows the seat free, and a
        // registration on this node shows at once that it is taken.
        assert!(t.client().get("/events").await.body.contains("1 of 1 seats left"), "{:?}", t.engine);
        let mut maya = t.signed_in(MEMBER).await;
        let first = maya.api(Method::POST, &path, Some(json!({}))).await;
        assert!(
            t.client().get("/events").await.body.contains("Full: registering joins the waitlist"),
            "{:?}",
            t.engine
        );
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.json()["status"], "confirmed");
        let again = maya.api(Method::POST, &path, Some(json!({}))).await;
        assert_eq!((again.status, again.json()["id"].clone()), (StatusCode::OK, first.json()["id"].clone()));

        let mut daniel = t.signed_in(OFFICER).await;
        let second = daniel.api(Method::POST, &path, Some(json!({}))).await.json();
        assert_eq!((second["status"].as_str(), second["position"].as_i64()), (Some("waitlisted"), Some(1)));

        // Maya's confirmation carries the event as a calendar file, on the event's own clock
        // and with the feeds' UID; Daniel's waitlist notice carries none (he has no seat).
        let outbox = staff.api(Method::GET, "/api/v1/mail?per_page=5", None).await.json();
        let confirmation = outbox["items"].as_array().unwrap().iter().find(|m| m["to"] == MEMBER).expect("Maya's mail");
        let waitlisted = outbox["items"].as_array().unwrap().iter().find(|m| m["to"] == OFFICER).expect("Daniel's");
        assert_eq!(confirmation["attachment"], "event.ics", "{:?}: {confirmation}", t.engine);
        assert!(waitlisted["attachment"].is_null(), "{waitlisted}");
        let file_path = format!("/api/v1/mail/{}/attachment", confirmation["id"]);
        let (status, headers, file) = staff.get_bytes(&file_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/calendar"), "{headers:?}");
        let file = String::from_utf8(file).unwrap();
        for line in [
            "METHOD:PUBLISH".to_string(),
            format!("UID:event-{}@", event["id"]),
            "DTSTART;TZID=America/Chicago:20310601T090000".into(),
            "DTEND;TZID=America/Chicago:20310601T120000".into(),
        ] {
            assert!(file.contains(&line), "{:?}: {line} missing from\n{file}", t.engine);
        }
        assert_eq!(file.matches("BEGIN:VEVENT").count(), 1, "{file}");
        // The mailbox page links it for staff; a member may not read the outbox.
        let page = staff.get(&format!("/staff/mail/{}", confirmation["id"])).await;
        assert!(page.body.contains("event.ics (text/calendar)"), "{}", page.body);
        assert_eq!(maya.api(Method::GET, &file_path, None).await.status, StatusCode::FORBIDDEN);
        // Daniel sees only his own registration; staff see the roster with names.
        let his = daniel.api(Method::GET, &path, None).await.json();
        assert_eq!(his["total"], 1);
        assert!(his["items"][0]["email"].is_null());
        let roster = staff.api(Method::GET, &path, None).await.json();
        assert_eq!(roster["total"], 2);
        assert_eq!(roster["items"][0]["email"], MEMBER);

        // Maya cancels by the API: Daniel is offered the seat.
        let cancelled = maya.api(Method::DELETE, &format!("/api/v1/registrations/{}", first.json()["id"]), None).await;
        assert_eq!(cancelled.json()["status"], "cancelled", "{}", cancelled.body);
        let his = daniel.api(Method::GET, &path, None).await.json();
        assert_eq!(his["items"][0]["status"], "offered", "{:?}", t.engine);
        assert!(his["items"][0]["offered_until"].as_str().is_some_and(|s| s.ends_with('Z')));

        // A refused change says why, field by field, and changes nothing.
        let event_path = format!("/api/v1/events/{}", event["id"]);
        let refused = staff.api(Method::PATCH, &event_path, Some(json!({ "ends": "2031-06-01T08:00" }))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("must end after it starts"), "{}", refused.body);
        assert_eq!(staff.api(Method::GET, &event_path, None).await.json()["ends_at"], "2031-06-01T12:00:00-05:00");
    }
}

#[tokio::test]
async fn attendance_checked_in_becomes_pdh_in_the_member_s_ledger_once_and_a_public_certificate() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let zone = "America/Chicago";
        let starts = t.app.clock.unix() + 2 * 86_400;
        let form = EventForm {
            kind: "seminar".into(),
            title: "Ethics in Forensic Engineering".into(),
            time_zone: zone.into(),
            starts: event_time(starts, zone).input,
            ends: event_time(starts + 3 * 3_600, zone).input,
            venue: "Engineers' Hall".into(),
            capacity: "30".into(),
            pdh: "2.5".into(),
            topics: vec!["ethics".into()],
            provider: "Test Society (provider 0412)".into(),
            approved_by: vec!["US-FL".into()],
            ..Default::default()
        };
        let id = t.app.create_event(&staff, &form, "test").await.unwrap();
        t.app.publish_event(&staff, id, "test").await.unwrap();
        let mut maya = t.signed_in(MEMBER).await;
        maya.post_form(&format!("/events/{id}/register"), &[]).await;
        let mut daniel = t.signed_in(OFFICER).await;
        daniel.post_form(&format!("/events/{id}/register"), &[]).await;
        let maya_actor = actor_for(&t, MEMBER, Role::Member).await;
        let hers = t.app.event_for(Some(&maya_actor), id).await.unwrap().registration.unwrap();

        // Before the event is over nothing can be released.
        let mut office = t.signed_in(STAFF).await;
        let early = office.post_form(&format!("/events/{id}/release-credit"), &[("confirmed", "yes")]).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", t.engine);
        // Maya is checked in at the door (Daniel never comes); members cannot check people in.
        assert_eq!(
            daniel.post_form(&format!("/registrations/{}/check-in", hers.id), &[]).await.status,
            StatusCode::NOT_FOUND
        );
        let r = office.post_form(&format!("/registrations/{}/check-in", hers.id), &[]).await;
        assert_eq!(r.location(), format!("/events/{id}/roster?done=checked_in"));
        assert!(office.get(&format!("/events/{id}/roster?q=okafor")).await.body.contains("Maya Okafor"));

        t.app.clock.advance(3 * 86_400);
        // Staff sessions end when idle: staff sign in again after the event.
        let mut office = t.signed_in(STAFF).await;
        let r = office.post_form(&format!("/events/{id}/release-credit"), &[("confirmed", "yes")]).await;
        assert_eq!(r.location(), format!("/events/{id}?done=credit_released"), "{:?}: {}", t.engine, r.body);
        // Released twice, credited once.
        office.post_form(&format!("/events/{id}/release-credit"), &[("confirmed", "yes")]).await;
        let member = t.store.member_by_user(maya_actor.user_id).await.unwrap().unwrap();
        let ledger = t.store.ce_ledger(member.id).await.unwrap();
        let credited: Vec<_> =
            ledger.activities.iter().filter(|a| a.title == "Ethics in Forensic Engineering").collect();
        assert_eq!(credited.len(), 1, "{:?}: one activity however often it is released", t.engine);
        let a = credited[0];
        assert_eq!(
            (a.quantity_micro, a.unit.as_str(), a.tags.as_str(), a.source.as_str(), a.provider.as_str()),
            (2_500_000, "hour", "ethics", "event", "Test Society (provider 0412)"),
            "{:?}",
            t.engine
        );
        assert_eq!(a.provider_approvals, "US-FL", "the board's approval reaches the ledger");
        assert!(
            maya.get("/ce").await.body.contains("Ethics in Forensic Engineering"),
            "{:?}: on her CE page",
            t.engine
        );
        let daniel_member = t.store.member_by_user(actor_for(&t, OFFICER, Role::Member).await.user_id).await.unwrap();
        let his = t.store.ce_ledger(daniel_member.unwrap().id).await.unwrap();
        assert!(his.activities.iter().all(|a| a.title != "Ethics in Forensic Engineering"), "absent, no credit");

        // Her certificate: on her event page, public without signing in, and as a PDF.
        let page = maya.get(&format!("/events/{id}")).await.body;
        let code = page.split("/certificates/").nth(1).and_then(|s| s.split('"').next()).expect("certificate link");
        let public = t.client().get(&format!("/certificates/{code}")).await;
        assert_eq!(public.status, StatusCode::OK);
        for fact in [
            "This certificate stands",
            "Maya Okafor",
            "Ethics in Forensic Engineering",
            "2.5 PDH: Ethics",
            "The Florida board",
        ] {
            assert!(public.body.contains(fact), "{:?}: the certificate page says {fact}", t.engine);
        }
        let (status, headers, pdf) = t.client().get_bytes(&format!("/certificates/{code}/pdf")).await;
        assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
        assert!(pdf.starts_with(b"%PDF"), "{:?}", t.engine);
        assert_eq!(t.client().get("/certificates/nosuchcode").await.status, StatusCode::NOT_FOUND);

        // Her attendance as a verifiable credential: once, however often it is released,
        // with the PDH offered and earned; it can be revoked, never suspended.
        let mine = maya.api(Method::GET, "/api/v1/credentials?kind=course", None).await.json();
        assert_eq!(mine["total"], 1, "{:?}: {mine}", t.engine);
        let id = mine["items"][0]["id"].as_i64().unwrap();
        let one = maya.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.json();
        let subject = &one["json_ld"]["credentialSubject"];
        assert_eq!(
            (subject["creditsEarned"].as_f64(), subject["achievement"]["creditsAvailable"].as_f64()),
            (Some(2.5), Some(2.5))
        );
        assert_eq!(subject["achievement"]["achievementType"], "Course");
        assert!(subject["achievement"]["tag"].as_array().unwrap().contains(&serde_json::json!("ethics")));
        assert!(subject["achievement"]["criteria"]["narrative"].as_str().unwrap().contains("provider 0412"));
        assert!(one["json_ld"]["evidence"][0]["narrative"].as_str().unwrap().contains(code));
        let verdict = t
            .client()
            .api(Method::POST, "/api/v1/verify", Some(serde_json::json!({ "credential": one["json_ld"] })))
            .await
            .json();
        assert_eq!(verdict["verdict"], "valid", "{:?}: {verdict}", t.engine);
        let suspend = serde_json::json!({ "status": "suspended", "reason": "Pending review" });
        let r = office.api(Method::POST, &format!("/api/v1/credentials/{id}/status"), Some(suspend)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("revoked but not suspended"), "{}", r.body);
    }
}

#[tokio::test]
async fn a_person_s_calendar_feed_lists_their_registrations_at_a_secret_address_that_can_be_replaced() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let id = published_event(&t.app, &staff, 10).await;
        let mut maya = t.signed_in(MEMBER).await;
        maya.post_form(&format!("/events/{id}/register"), &[]).await;
        let page = maya.post_form("/events/calendar-feed", &[]).await.body;
        let address = page
            .split("value=\"")
            .filter_map(|s| s.split('"').next())
            .find(|v| v.ends_with("/events.ics"))
            .expect("the address, shown once");
        let path = address.split_once("://").and_then(|(_, rest)| rest.split_once('/')).map(|(_, p)| format!("/{p}"));
        let path = path.expect("a path");
        let feed = t.client().get(&path).await;
        assert_eq!(feed.status, StatusCode::OK, "{:?}: no sign-in needed", t.engine);
        assert!(feed.body.contains("SUMMARY:Bridge load rating seminar"), "{:?}: {}", t.engine, feed.body);
        assert!(feed.body.contains("DTSTART;TZID=America/Chicago:"), "{:?}: in the event's zone", t.engine);
        // A new address replaces the old one.
        maya.post_form("/events/calendar-feed", &[]).await;
        assert_eq!(t.client().get(&path).await.status, StatusCode::NOT_FOUND, "{:?}: the old address stops", t.engine);
        // The public feeds hold published events only.
        let public = t.client().get("/events.ics").await.body;
        assert!(public.contains("Bridge load rating seminar") && public.starts_with("BEGIN:VCALENDAR"));
        assert_eq!(t.client().get("/chapters/999/events.ics").await.status, StatusCode::NOT_FOUND);
    }
}

/// (the form's fields, the field refused, what its message says)
type RefusedForm<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

#[tokio::test]
async fn the_event_form_refuses_what_cannot_be_and_keeps_what_was_typed() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let base = [
            ("kind", "seminar"),
            ("title", "Refused seminar & workshop"),
            ("time_zone", "America/New_York"),
            ("starts", "2031-03-09T10:00"),
            ("ends", "2031-03-09T12:00"),
            ("venue", "Hall"),
            ("capacity", "20"),
        ];
        let with = |changes: &[(&'static str, &'static str)]| {
            let mut fields: Vec<(&str, &str)> =
                base.iter().copied().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
            fields.extend(changes.iter().copied());
            fields
        };
        let cases: Vec<RefusedForm> = vec![
            (with(&[("time_zone", "Mars/Olympus_Mons")]), "starts", "Choose a time zone from the list"),
            // 9 March 2031, 02:30 is skipped in New York.
            (with(&[("starts", "2031-03-09T02:30")]), "starts", "does not exist in America/New_York"),
            (with(&[("ends", "2031-03-09T09:00")]), "ends", "must end after it starts"),
            (with(&[("capacity", "0")]), "capacity", "whole number of seats from 1"),
            (with(&[("capacity", "lots")]), "capacity", "whole number of seats from 1"),
            (with(&[("venue", "")]), "venue", "Give a venue, an online link, or both"),
            (with(&[("online_link", "javascript:alert(1)")]), "online_link", "starting with https://"),
            (with(&[("pdh", "-1")]), "pdh", "must be a number such as 1.5"),
            (with(&[("pdh", "2")]), "topics", "Choose at least one topic"),
            (with(&[("pdh", "500"), ("topics", "ethics")]), "pdh", "at most 100 PDH"),
            (with(&[("kind", "party")]), "kind", "Choose what kind of event"),
            (with(&[("chapter", "999")]), "chapter", "Choose a chapter from the list"),
        ];
        for (fields, field, message) in cases {
            let r = staff.post_form("/events", &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", r.body);
            assert!(r.body.contains(message), "{:?} {field}: expected {message:?}", t.engine);
            assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}: the message is next to the field");
            assert!(r.body.contains("value=\"Refused seminar &#38; workshop\""), "the title typed is kept, escaped");
        }
        let page = staff.get("/events/manage").await.body;
        assert!(!page.contains("Refused seminar"), "{:?}: nothing refused was saved", t.engine);
        assert_eq!(staff.get("/events/abc").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(staff.get("/events/999999").await.status, StatusCode::NOT_FOUND);
    }
}

/// A published society event a month away, with prices: $100 for non-members, $40 for
/// students, $60 for members of `tier` ($50 early-bird for ten days), half refunded to those
/// who cancel within twenty days, and the code `HALF` (50% off, `uses` times).
async fn paid_event(app: &App, staff: &Actor, tier: i64, capacity: usize, uses: usize) -> i64 {
    let zone = "America/Chicago";
    let at = |days: i64| event_time(app.clock.unix() + days * 86_400, zone).input;
    let form = EventForm {
        kind: "conference".into(),
        title: "Spring engineering conference".into(),
        time_zone: zone.into(),
        starts: at(30),
        ends: event_time(app.clock.unix() + 30 * 86_400 + 8 * 3_600, zone).input,
        venue: "Convention Centre".into(),
        capacity: capacity.to_string(),
        prices: vec![
            ("non_member".into(), "100".into(), String::new()),
            ("student".into(), "40".into(), String::new()),
            (format!("tier:{tier}"), "60".into(), "50".into()),
        ],
        early_bird_until: at(10),
        changes_until: at(20),
        refund_percent: "50".into(),
        discount_codes: format!("half 50 {uses}"),
        ..Default::default()
    };
    let id = app.create_event(staff, &form, "test").await.expect("paid event created");
    app.publish_event(staff, id, "test").await.expect("published");
    id
}

#[tokio::test]
async fn prices_follow_the_record_and_paid_registrations_are_invoiced_paid_and_refunded_by_the_event_s_rule() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let member = actor_for(&t, MEMBER, Role::Member).await;
        let record = t.store.member_by_user(member.user_id).await.unwrap().expect("the demo member's record");
        let event_id = paid_event(&t.app, &staff, record.tier_id, 50, 1).await;
        let outsiders = people(&t, 3).await;

        // The member's page quotes the early-bird member price; an outsider's the public one.
        let mut client = t.signed_in(MEMBER).await;
        let page = client.get(&format!("/events/{event_id}")).await;
        assert!(page.body.contains("Your price: $50.00 (member price, early-bird)"), "{e:?}: {}", page.body);

        let mine = t.app.register_for_event(&member, event_id).await.unwrap();
        assert_eq!((mine.price_cents, mine.invoice_paid), (5_000, false), "{e:?}");
        let invoice_id = mine.invoice_id.expect("a paid registration with a seat is invoiced");
        let invoice = t.store.invoice_by_id(invoice_id).await.unwrap().unwrap();
        assert_eq!((invoice.member_id, invoice.amount_cents), (Some(record.id), 5_000), "{e:?}");

        // A non-member never gets the member price, whatever they type; a code takes its share off once.
        let outsider = t.app.register_for_event(&outsiders[0], event_id).await.unwrap();
        assert_eq!(outsider.price_cents, 10_000, "{e:?}");
        let halved = t.app.register_for_event_as(&outsiders[1], event_id, None, Some(" half ")).await.unwrap();
        assert_eq!(halved.price_cents, 5_000, "{e:?}");
        let used_up = t.app.register_for_event_as(&outsiders[2], event_id, None, Some("HALF")).await;
        assert!(matches!(used_up, Err(guildhall_app::AppError::Validation { .. })), "{e:?}: {used_up:?}");
        let unknown = t.app.register_for_event_as(&outsiders[2], event_id, None, Some("FREEBIE")).await;
        assert!(matches!(unknown, Err(guildhall_app::AppError::Validation { .. })), "{e:?}");
        assert!(t.app.event_for(Some(&outsiders[2]), event_id).await.unwrap().registration.is_none(), "{e:?}");

        // Paid the way membership invoices are: the member from the page, the non-member's
        // invoice (owed by their account) through the same use case.
        let paid = client.post_form(&format!("/invoices/{invoice_id}/pay"), &[]).await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER, "{e:?}: {}", paid.body);
        assert!(t.app.registration_for(&member, mine.id).await.unwrap().invoice_paid, "{e:?}");
        let outsider_invoice = outsider.invoice_id.unwrap();
        assert_eq!(t.store.invoice_by_id(outsider_invoice).await.unwrap().unwrap().member_id, None);
        t.app.start_card_payment(&outsiders[0], outsider_invoice).await.unwrap();
        let someone_else = t.app.start_card_payment(&outsiders[1], outsider_invoice).await;
        assert!(someone_else.is_err(), "{e:?}: only the account that owes it pays it");
        let receipt = t.mail_to(&outsiders[0].email).await.join("\n");
        assert!(receipt.contains("receipt") && receipt.contains("$100.00"), "{e:?}: {receipt}");

        // Cancelling in time: half of what was paid comes back, recorded as a refund; an
        // unpaid invoice is voided.
        t.app.cancel_registration(&member, mine.id, "test").await.unwrap();
        let refunds = t.store.member_refunds(record.id).await.unwrap();
        assert_eq!(refunds.iter().map(|r| r.amount_cents).collect::<Vec<_>>(), vec![2_500], "{e:?}");
        assert!(t.mail_to(MEMBER).await.join("\n").contains("$25.00 of what you paid is refunded"), "{e:?}");
        t.app.cancel_registration(&outsiders[1], halved.id, "test").await.unwrap();
        let voided = t.store.invoice_by_id(halved.invoice_id.unwrap()).await.unwrap().unwrap();
        assert_eq!(voided.status, guildhall_domain::membership::InvoiceStatus::Void, "{e:?}");

        // After the deadline registrants cannot cancel themselves; when the society cancels
        // the event, what was paid comes back in full.
        t.app.clock.advance(21 * 86_400);
        let late = t.app.cancel_registration(&outsiders[0], outsider.id, "test").await;
        assert!(matches!(late, Err(guildhall_app::AppError::Validation { .. })), "{e:?}: {late:?}");
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        t.app.cancel_event(&staff, event_id, "test").await.unwrap();
        let payments = t.store.invoice_payments(outsider_invoice).await.unwrap();
        assert_eq!(payments.iter().map(|p| p.refunded_cents).sum::<i64>(), 10_000, "{e:?}");
        assert!(t.mail_to(&outsiders[0].email).await.join("\n").contains("refunded in full"), "{e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_discount_code_is_used_no_more_often_than_its_limit_however_many_try_at_once() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let member = actor_for(&t, MEMBER, Role::Member).await;
        let tier = t.store.member_by_user(member.user_id).await.unwrap().unwrap().tier_id;
        let event_id = paid_event(&t.app, &staff, tier, 100, 5).await;
        let people = people(&t, 40).await;
        let mut set = tokio::task::JoinSet::new();
        for person in people {
            let app = t.app.clone();
            set.spawn(async move { app.register_for_event_as(&person, event_id, None, Some("HALF")).await });
        }
        let (mut discounted, mut refused) = (0, 0);
        while let Some(joined) = set.join_next().await {
            match joined.unwrap() {
                Ok(r) => {
                    assert_eq!(r.price_cents, 5_000, "{:?}", t.engine);
                    discounted += 1;
                }
                Err(guildhall_app::AppError::Validation { .. }) => refused += 1,
                Err(other) => panic!("{:?}: {other}", t.engine),
            }
        }
        assert_eq!((discounted, refused), (5, 35), "{:?}: exactly the code's five uses", t.engine);
        let (event, roster) = t.app.event_roster(&staff, event_id).await.unwrap();
        assert_eq!((event.seats_taken, roster.len()), (5, 5), "{:?}: refused ones left nothing behind", t.engine);
    }
}

#[tokio::test]
async fn a_registrant_transfers_their_seat_to_a_colleague_who_is_told_by_email() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let event_id = published_event(&t.app, &staff, 10).await;
        let member = actor_for(&t, MEMBER, Role::Member).await;
        let registration = t.app.register_for_event(&member, event_id).await.unwrap();
        let mut client = t.signed_in(MEMBER).await;
        let form = client.get(&format!("/registrations/{}/transfer", registration.id)).await;
        assert_eq!(form.status, StatusCode::OK, "{e:?}");
        let unknown = client
            .post_form(&format!("/registrations/{}/transfer", registration.id), &[("email", "nobody@example.org")])
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{e:?}");
        assert!(unknown.body.contains("No account has that email"), "{e:?}");
        let moved =
            client.post_form(&format!("/registrations/{}/transfer", registration.id), &[("email", OFFICER)]).await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{e:?}: {}", moved.body);
        let officer = actor_for(&t, OFFICER, Role::Member).await;
        let now_theirs = t.app.event_for(Some(&officer), event_id).await.unwrap().registration.unwrap();
        assert_eq!((now_theirs.id, now_theirs.status), (registration.id, RegistrationStatus::Confirmed), "{e:?}");
        assert!(t.app.event_for(Some(&member), event_id).await.unwrap().registration.is_none(), "{e:?}");
        assert!(t.mail_to(OFFICER).await.join("\n").contains("passed their seat"), "{e:?}");
        // Someone else's registration is not theirs to give away.
        let mut other = t.signed_in(MEMBER).await;
        let refused =
            other.post_form(&format!("/registrations/{}/transfer", registration.id), &[("email", MEMBER)]).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{e:?}");
    }
}

#[tokio::test]
async fn a_webinar_s_attendance_report_checks_registrants_in_with_partial_credit_and_lists_the_rest() {
    use axum::http::header;
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let zone = "America/Chicago";
        let starts_at = t.app.clock.unix() + 86_400;
        let form = EventForm {
            kind: "webinar".into(),
            venue: String::new(),
            online_link: "https://meet.example.org/flood".into(),
            minutes_per_pdh: "50".into(),
            ..seminar_at("Flood-damaged structures", starts_at, 2, "2", "technical")
        };
        let event_id = publish(&t.app, &staff, &form).await;
        let member = actor_for(&t, MEMBER, Role::Member).await;
        t.app.register_for_event(&member, event_id).await.unwrap();
        let guest = people(&t, 1).await.remove(0);
        t.app.register_for_event(&guest, event_id).await.unwrap();

        // Zoom's participants report, times on the host's (the event's) wall clock.
        let at = |minutes: i64| event_time(starts_at + minutes * 60, zone).input.replace('T', " ") + ":00";
        let report = format!(
            "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
             Maya,{MEMBER},{},{},40,No\n\
             Maya,{},{},{},30,No\n\
             Attendee,{},{},{},120,No\n\
             Walk-in,walkin@example.org,{},{},60,Yes\n\
             Broken,broken@example.org,not a time,{},1,No\n",
            at(0),
            at(40),
            MEMBER.to_uppercase(),
            at(50),
            at(80),
            guest.email,
            at(-5),
            at(125),
            at(10),
            at(70),
            at(20),
        );
        let mut client = t.signed_in(STAFF).await;
        let early = client
            .post_multipart(
                &format!("/events/{event_id}/attendance"),
                &[],
                Some(("file", "zoom.csv", report.as_bytes())),
            )
            .await;
        assert_eq!(
            early.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e:?}: not before the webinar starts: {}",
            early.body
        );

        t.app.clock.advance(86_400 + 3 * 3_600);
        let mut client = t.signed_in(STAFF).await;
        let mut officer = t.signed_in(OFFICER).await;
        let refused = officer
            .post_multipart(
                &format!("/events/{event_id}/attendance"),
                &[],
                Some(("file", "zoom.csv", report.as_bytes())),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{e:?}: an officer does not manage the society's event");
        let page = client
            .post_multipart(
                &format!("/events/{event_id}/attendance"),
                &[],
                Some(("file", "zoom.csv", report.as_bytes())),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{e:?}: {}", page.body);
        assert!(page.body.contains("walkin@example.org"), "{e:?}: the walk-in is listed, not dropped");
        assert!(page.body.contains("line 6"), "{e:?}: the unreadable row is named");

        // Maya left and came back: 70 minutes, 1.25 PDH (quarter steps of 50-minute hours);
        // the guest was there throughout: the event's 2 PDH, no more.
        let (_, roster) = t.app.event_roster(&staff, event_id).await.unwrap();
        let of =
            |email: &str| roster.iter().find(|r| r.email.eq_ignore_ascii_case(email)).unwrap().registration.clone();
        let (maya, them) = (of(MEMBER), of(&guest.email));
        assert_eq!((maya.attended_minutes, maya.credit_micro), (Some(70), Some(1_250_000)), "{e:?}");
        assert_eq!((them.attended_minutes, them.credit_micro), (Some(120), Some(2_000_000)), "{e:?}");
        assert!(maya.checked_in_at.is_some() && them.checked_in_at.is_some(), "{e:?}");

        // The API takes the same report as text/csv and says the same; releasing through the
        // API puts Maya's 1.25 PDH into her ledger, on her certificate too.
        let csrf = client.csrf();
        let request = client
            .request(Method::POST, &format!("/api/v1/events/{event_id}/attendance"))
            .header("x-csrf-token", csrf)
            .header(header::CONTENT_TYPE, "text/csv")
            .body(axum::body::Body::from(report.clone()))
            .unwrap();
        let api = client.send(request).await;
        assert_eq!(api.status, StatusCode::OK, "{e:?}: {}", api.body);
        let json = api.json();
        assert_eq!(json["unmatched"][0]["email"], "walkin@example.org", "{e:?}");
        assert_eq!(json["matched"].as_array().unwrap().len(), 2, "{e:?}");
        let released = client.api(Method::POST, &format!("/api/v1/events/{event_id}/release-credit"), None).await;
        assert_eq!(released.status, StatusCode::OK, "{e:?}: {}", released.body);
        assert_eq!((released.json()["credited"].as_i64(), released.json()["guests"].as_i64()), (Some(1), Some(1)));
        let (code, ..) = t.app.my_certificates(&member).await.unwrap().remove(0);
        assert_eq!(t.app.certificate(&code).await.unwrap().event.pdh_micro, 1_250_000, "{e:?}");
        let again = client
            .post_multipart(
                &format!("/events/{event_id}/attendance"),
                &[],
                Some(("file", "zoom.csv", report.as_bytes())),
            )
            .await;
        assert!(again.body.contains("Credit released before"), "{e:?}: released credit is left as it was");

        // The events report counts them: two registered, both attended, 3.25 PDH issued;
        // an officer's report holds only their chapters' events.
        let report = client.get("/events/reports").await;
        assert_eq!(report.status, StatusCode::OK, "{e:?}");
        let row = format!("<a href=\"/events/{event_id}\">Flood-damaged structures</a>");
        let line = report.body.split(row.as_str()).nth(1).expect("the webinar is in the report's table");
        let line = line.split("</tr>").next().unwrap();
        assert!(line.contains("2 of 2 (100%)") && line.contains("3.25"), "{e:?}: {line}");
        let theirs = officer.get("/events/reports").await;
        assert_eq!(theirs.status, StatusCode::OK, "{e:?}");
        assert!(!theirs.body.contains("Flood-damaged structures"), "{e:?}");
    }
}

#[tokio::test]
async fn the_ce_page_suggests_upcoming_events_whose_topics_close_a_shortfall() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let soon = t.app.clock.unix() + 10 * 86_400;
        for (title, topic) in [("Ethics for engineers", "ethics"), ("Pile design", "technical")] {
            publish(&t.app, &staff, &seminar_at(title, soon, 2, "2", topic)).await;
        }
        let mut client = t.signed_in(MEMBER).await;
        let page = client.get("/ce").await;
        assert_eq!(page.status, StatusCode::OK, "{e:?}");
        let section = page.body.split("id=\"suggestions-h\"").nth(1).unwrap_or_else(|| panic!("{e:?}: no suggestions"));
        let section = section.split("</section>").next().unwrap();
        // Her licences are short only of ethics: the technical seminar would not help.
        assert!(section.contains("1 PDH of ethics"), "{e:?}: {section}");
        assert!(section.contains("Ethics for engineers"), "{e:?}: {section}");
        assert!(!section.contains("Pile design"), "{e:?}: {section}");
    }
}

#[tokio::test]
async fn a_ticket_s_qr_code_opens_check_in_for_those_who_manage_the_event_and_certificates_show_chosen_licences() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let form = EventForm {
            responsible: "Dana Whitfield, P.E., Director of Continuing Education".into(),
            ..seminar_at("Retaining walls", t.app.clock.unix() + 86_400, 1, "1", "technical")
        };
        let event_id = publish(&t.app, &staff, &form).await;
        let mut maya = t.signed_in(MEMBER).await;
        let registered = maya.post_form(&format!("/events/{event_id}/register"), &[]).await;
        assert_eq!(registered.status, StatusCode::SEE_OTHER, "{e:?}");
        let mail = t.mail_to(MEMBER).await.join("\n");
        let ticket = link_in(&mail, "/tickets/");
        let own = maya.get(&ticket).await;
        assert_eq!(own.status, StatusCode::OK, "{e:?}");
        assert!(own.body.contains("<svg") && own.body.contains("Show this code at the door"), "{e:?}");
        // Someone who does not manage the event learns nothing from a ticket's address.
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get(&ticket).await.status, StatusCode::NOT_FOUND, "{e:?}");
        assert_eq!(officer.post_form(&format!("{ticket}/check-in"), &[]).await.status, StatusCode::NOT_FOUND);
        // Staff scan it: the page names the holder and checks them in.
        let mut desk = t.signed_in(STAFF).await;
        let scanned = desk.get(&ticket).await;
        assert!(scanned.body.contains("Check Maya"), "{e:?}: {}", scanned.body);
        let checked = desk.post_form(&format!("{ticket}/check-in"), &[]).await;
        assert_eq!(checked.status, StatusCode::SEE_OTHER, "{e:?}");
        let member = actor_for(&t, MEMBER, Role::Member).await;
        let registration = t.app.event_for(Some(&member), event_id).await.unwrap().registration.unwrap();
        assert!(registration.checked_in_at.is_some(), "{e:?}");

        // After release, Maya chooses which licence her certificate shows; the public page
        // and the PDF show it, with the officer responsible.
        t.app.clock.advance(86_400 + 7_200);
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        t.app.release_credit(&staff, event_id, "test").await.unwrap();
        let (code, ..) = t.app.my_certificates(&member).await.unwrap().remove(0);
        let mut maya = t.signed_in(MEMBER).await;
        let page = maya.get(&format!("/certificates/{code}")).await;
        let choice = page.body.split("name=\"licences\" value=\"").nth(1).expect("a licence to choose");
        let licence_id = choice.split('"').next().unwrap().to_string();
        let chosen = maya.post_form(&format!("/certificates/{code}/licences"), &[("licences", &licence_id)]).await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{e:?}");
        let public = t.client().get(&format!("/certificates/{code}")).await;
        assert!(public.body.contains("licence, ") && public.body.contains("no. "), "{e:?}: {}", public.body);
        assert!(public.body.contains("Dana Whitfield"), "{e:?}");
        assert!(!public.body.contains("name=\"licences\""), "{e:?}: only the attendee chooses");
        let foreign = maya.post_form(&format!("/certificates/{code}/licences"), &[("licences", "999999")]).await;
        assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY, "{e:?}");
    }
}

#[tokio::test]
async fn a_programme_earns_credit_per_session_attended_and_each_session_reaches_the_ledger_with_its_topics() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let zone = "America/New_York";
        let day = t.app.clock.unix() + 3 * 86_400;
        let date = &event_time(day, zone).input[..10];
        let mut form = EventForm {
            kind: "conference".into(),
            title: "Coastal day".into(),
            time_zone: zone.into(),
            starts: format!("{date}T08:00"),
            ends: format!("{date}T17:00"),
            online_link: "https://meet.example.org/coastal".into(),
            capacity: "100".into(),
            programme: format!(
                "{date} 09:00 | 10:00 | Dune engineering | 1 | technical | Dr. Lee\n\
                 {date} 13:00 | 14:00 | Ethics of disclosure | 1 | ethics | A. Stone | US-FL\n\
                 {date} 15:00 | 14:00 | Backwards | 1 | technical |"
            ),
            ..Default::default()
        };
        // A session ending before it starts runs past midnight, outside the event: refused.
        let refused = t.app.create_event(&staff, &form, "test").await;
        assert!(matches!(refused, Err(guildhall_app::AppError::Validation { .. })), "{e:?}: {refused:?}");
        form.programme = form
            .programme
            .replace("15:00 | 14:00 | Backwards | 1 | technical |", "15:00 | 16:00 | Tides | 1.5 | technical |");
        let event_id = t.app.create_event(&staff, &form, "test").await.unwrap();
        t.app.publish_event(&staff, event_id, "test").await.unwrap();
        let view = t.app.event_for(None, event_id).await.unwrap();
        assert_eq!((view.programme.len(), view.event.pdh_micro), (3, 3_500_000), "{e:?}: the PDH are the sessions'");
        assert_eq!(view.event.topics, "technical ethics", "{e:?}");
        let member = actor_for(&t, MEMBER, Role::Member).await;
        t.app.register_for_event(&member, event_id).await.unwrap();

        // She attends the morning session and the ethics one, not the last. (The event ends
        // on its day's afternoon in New York, at most four days from now, whatever the hour.)
        t.app.clock.advance(4 * 86_400 + 12 * 3_600);
        let report = format!(
            "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
             Maya,{MEMBER},{date} 08:55:00,{date} 10:05:00,70,No\n\
             Maya,{MEMBER},{date} 13:00:00,{date} 14:00:00,60,No\n"
        );
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let recorded = t.app.record_attendance(&staff, event_id, report.as_bytes(), None, "test").await.unwrap();
        assert_eq!(recorded.matched[0].credit_micro, 2_000_000, "{e:?}: two sessions of one PDH");
        // The programme cannot change under recorded attendance.
        let mut changed = t.app.event_form(&staff, event_id).await.unwrap();
        changed.programme = changed.programme.replace("Dune engineering", "Dunes");
        assert!(t.app.update_event(&staff, event_id, &changed, "test").await.is_err(), "{e:?}");

        t.app.release_credit(&staff, event_id, "test").await.unwrap();
        let mut client = t.signed_in(MEMBER).await;
        let ce = client.get("/ce").await;
        assert!(ce.body.contains("Coastal day: Dune engineering"), "{e:?}");
        assert!(ce.body.contains("Coastal day: Ethics of disclosure"), "{e:?}");
        assert!(!ce.body.contains("Coastal day: Tides"), "{e:?}: a session missed earns nothing");
        // The ethics session was approved by Florida's board apart; the morning's was not.
        let record = t.store.member_by_user(member.user_id).await.unwrap().unwrap();
        let ledger = t.store.ce_ledger(record.id).await.unwrap();
        let approvals = |title: &str| {
            ledger.activities.iter().find(|a| a.title == title).map(|a| a.provider_approvals.clone()).unwrap()
        };
        assert_eq!(approvals("Coastal day: Ethics of disclosure"), "US-FL", "{e:?}");
        assert_eq!(approvals("Coastal day: Dune engineering"), "", "{e:?}");
        let page = client.get(&format!("/events/{event_id}")).await;
        assert!(page.body.contains("Programme") && page.body.contains("A. Stone"), "{e:?}");
    }
}

#[tokio::test]
async fn those_who_manage_an_event_register_people_and_take_them_off_the_waitlist_adding_a_seat() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let event_id = published_event(&t.app, &staff, 1).await;
        let mut desk = t.signed_in(STAFF).await;
        let first = desk.post_form(&format!("/events/{event_id}/roster/register"), &[("email", MEMBER)]).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{e:?}");
        let second = desk.post_form(&format!("/events/{event_id}/roster/register"), &[("email", OFFICER)]).await;
        assert_eq!(second.status, StatusCode::SEE_OTHER, "{e:?}");
        let unknown =
            desk.post_form(&format!("/events/{event_id}/roster/register"), &[("email", "no@example.org")]).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{e:?}");
        let officer = actor_for(&t, OFFICER, Role::Member).await;
        let waiting = t.app.event_for(Some(&officer), event_id).await.unwrap().registration.unwrap();
        assert_eq!(waiting.status, RegistrationStatus::Waitlisted, "{e:?}: the one seat was taken");
        // A member cannot take someone off the waitlist; staff can, and a seat is added.
        let mut maya = t.signed_in(MEMBER).await;
        let refused = maya.post_form(&format!("/registrations/{}/confirm", waiting.id), &[]).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{e:?}");
        let confirmed = desk.post_form(&format!("/registrations/{}/confirm", waiting.id), &[]).await;
        assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{e:?}");
        let (event, roster) = t.app.event_roster(&staff, event_id).await.unwrap();
        assert_eq!((event.capacity, event.seats_taken), (2, 2), "{e:?}");
        assert!(roster.iter().all(|r| r.registration.status == RegistrationStatus::Confirmed), "{e:?}");
        assert!(t.mail_to(OFFICER).await.join("\n").contains("off the waitlist"), "{e:?}");
    }
}

#[tokio::test]
async fn a_guest_registers_from_a_mailed_link_and_the_form_tells_nobody_who_has_an_account() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let id = published_event(&t.app, &staff, 10).await;
        let mut guest = t.client();
        assert!(guest.get(&format!("/events/{id}")).await.body.contains(&format!("/events/{id}/guest")));
        let form = format!("/events/{id}/guest");
        assert_eq!(guest.get(&form).await.status, StatusCode::OK);

        // A bad address is refused with what was typed kept, and nothing is sent.
        let refused = guest.post_form(&form, &[("name", "Grace Hopper"), ("email", "grace@")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", t.engine);
        assert!(refused.body.contains("value=\"Grace Hopper\""), "{}", refused.body);

        // A new address and an address with an account get the same answer; each is mailed
        // a link, and nothing is registered yet.
        let new = guest.post_form(&form, &[("name", "Grace Hopper"), ("email", "grace@example.org")]).await;
        let known = t.client().post_form(&form, &[("name", "Someone Else"), ("email", MEMBER)]).await;
        assert_eq!((new.status, known.status), (StatusCode::OK, StatusCode::OK));
        assert_eq!(
            new.body.replace("grace@example.org", "ADDRESS"),
            known.body.replace(MEMBER, "ADDRESS"),
            "{:?}: the answers differ",
            t.engine
        );
        let light = t.store.user_by_email("grace@example.org").await.unwrap().expect("a light account");
        assert!(light.password_hash.is_empty() && light.email_verified_at.is_none());
        assert!(t.store.registration_of(id, light.id).await.unwrap().is_none());
        let grace_mail = t.mail_to("grace@example.org").await.pop().unwrap();
        assert!(grace_mail.starts_with("Confirm your registration: Bridge load rating seminar"), "{grace_mail}");
        let maya_mail = t.mail_to(MEMBER).await.pop().unwrap();
        assert!(maya_mail.contains("Hello Maya"), "the account's own name, not the one typed: {maya_mail}");

        // Opening Grace's link changes nothing; confirming registers her, confirms her
        // address and signs her light account in.
        let link = link_in(&grace_mail, "http").replace("http://localhost:8080", "");
        let confirm = guest.get(&link).await;
        assert!(confirm.body.contains("Grace Hopper (grace@example.org)"), "{}", confirm.body);
        assert!(t.store.registration_of(id, light.id).await.unwrap().is_none());
        let token = link.split("token=").nth(1).unwrap().to_string();
        let done = guest.post_form(&format!("/events/{id}/guest/confirm"), &[("token", &token)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, done.body);
        assert_eq!(done.location(), format!("/events/{id}?done=registered"));
        let registration = t.store.registration_of(id, light.id).await.unwrap().expect("registered");
        assert_eq!(registration.status, RegistrationStatus::Confirmed);
        assert!(t.store.user_by_id(light.id).await.unwrap().unwrap().email_verified_at.is_some());
        let page = guest.get(&format!("/events/{id}")).await;
        assert!(page.body.contains("You are registered: your seat is confirmed."), "{}", page.body);
        assert!(t.mail_to("grace@example.org").await.pop().unwrap().starts_with("You are registered:"));

        // The link works once.
        let again = t.client().get(&link).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert!(again.body.contains("may have expired or been used already"), "{}", again.body);

        // Maya's link registers Maya, but an account with a password is not signed in by it.
        let maya_link = link_in(&maya_mail, "http").replace("http://localhost:8080", "");
        let maya_token = maya_link.split("token=").nth(1).unwrap().to_string();
        let mut someone = t.client();
        let done = someone.post_form(&format!("/events/{id}/guest/confirm"), &[("token", &maya_token)]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("sign in to see your registration"), "{}", done.body);
        let maya = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
        assert!(t.store.registration_of(id, maya.id).await.unwrap().is_some());
        assert_eq!(someone.get("/dashboard").await.status, StatusCode::SEE_OTHER, "not signed in");

        // Asking again and again for one address is stopped after five links.
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let r = t.client().post_form(&form, &[("name", "Flood"), ("email", "target@example.org")]).await;
            statuses.push(r.status);
        }
        assert_eq!(statuses[..5], [StatusCode::OK; 5]);
        assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{:?}", t.engine);
        assert_eq!(t.mail_to("target@example.org").await.len(), 5);
    }
}

#[tokio::test]
async fn the_api_creates_an_event_with_prices_codes_a_programme_and_board_approvals_and_changes_them() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut body = api_event(None);
        body["pdh"] = json!(0);
        body["approved_by"] = json!(["US-FL", "US-TX"]);
        body["responsible"] = json!("Dana Ortiz, P.E., Education Chair");
        body["minutes_per_pdh"] = json!(60);
        body["early_bird_until"] = json!("2031-05-01T00:00");
        body["prices"] = json!([
            { "audience": "non_member", "price_cents": 15000, "early_price_cents": 12500 },
            { "audience": "student", "price_cents": 2500 }
        ]);
        body["discount_codes"] = json!([{ "code": "speaker", "percent_off": 100, "max_uses": 3 }]);
        body["programme"] = json!([
            { "starts": "2031-06-01T09:00", "ends": "10:30", "title": "Load rating basics", "pdh": 1.5,
              "topics": ["technical"], "speakers": "R. Singh" },
            { "starts": "2031-06-01T10:45", "ends": "11:45", "title": "Ethics of sign-off", "pdh": 1,
              "topics": ["ethics"], "approved_by": ["US-NY"] }
        ]);
        let created = staff.api(Method::POST, "/api/v1/events", Some(body.clone())).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}: {}", t.engine, created.body);
        let event = created.json();
        assert_eq!(event["approved_by"], json!(["US-FL", "US-TX"]));
        assert_eq!(event["responsible"], "Dana Ortiz, P.E., Education Chair");
        assert_eq!(event["minutes_per_pdh"], 60);
        assert_eq!(event["early_bird_until"], "2031-05-01T00:00:00-05:00");
        assert_eq!(event["pdh"], 2.5, "the programme's PDH are the event's");
        let prices = event["prices"].as_array().unwrap();
        assert_eq!(prices.len(), 2, "{prices:?}");
        assert!(
            prices
                .iter()
                .any(|p| p["who"] == "Non-members" && p["price_cents"] == 15000 && p["early_price_cents"] == 12500)
        );
        let programme = event["programme"].as_array().unwrap();
        assert_eq!(programme.len(), 2);
        assert_eq!(
            (programme[1]["title"].as_str(), programme[1]["starts_at"].as_str(), programme[1]["topics"].clone()),
            (Some("Ethics of sign-off"), Some("2031-06-01T10:45:00-05:00"), json!(["ethics"]))
        );
        assert_eq!(
            (programme[0]["approved_by"].clone(), programme[1]["approved_by"].clone()),
            (json!([]), json!(["US-NY"]))
        );
        // The code works: a non-member pays nothing with it.
        let id = event["id"].as_i64().unwrap();
        let form = t.app.event_form(&actor_for(&t, STAFF, Role::Staff).await, id).await.unwrap();
        assert_eq!(form.discount_codes, "SPEAKER 100 3");

        // Changing: a board that is not in the rule book is refused and changes nothing;
        // `prices: []` makes the event free and approvals can be withdrawn.
        let path = format!("/api/v1/events/{id}");
        let refused = staff.api(Method::PATCH, &path, Some(json!({ "approved_by": ["XX-YY"] }))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("approved_by"), "{}", refused.body);
        // A free event has no codes or early-bird date: refused with both named, then given.
        let free = json!({ "prices": [], "approved_by": [] });
        let refused = staff.api(Method::PATCH, &path, Some(free)).await;
        assert!(
            refused.body.contains("discount_codes") && refused.body.contains("early_bird_until"),
            "{}",
            refused.body
        );
        let free = json!({ "prices": [], "discount_codes": [], "early_bird_until": "", "approved_by": [] });
        let changed = staff.api(Method::PATCH, &path, Some(free)).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let changed = changed.json();
        assert_eq!((changed["prices"].clone(), changed["approved_by"].clone()), (json!([]), json!([])));
        assert_eq!(changed["programme"].as_array().unwrap().len(), 2, "what was not given is kept");

        // A session line cannot be smuggled through a title.
        body["programme"][0]["title"] = json!("Basics | 9 | ethics");
        let smuggled = staff.api(Method::POST, "/api/v1/events", Some(body)).await;
        assert_eq!(smuggled.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", smuggled.body);
        // A member may not create events at all.
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.api(Method::POST, "/api/v1/events", Some(api_event(None))).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_ticket_scanned_at_the_door_checks_its_holder_in_once_and_only_at_its_own_event() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let id = published_event(&t.app, &staff, 10).await;
        let other = published_event(&t.app, &staff, 10).await;
        let maya = actor_for(&t, MEMBER, Role::Member).await;
        let ticket = t.app.register_for_event(&maya, id).await.unwrap().ticket_code.expect("a confirmed seat's ticket");
        let scan = format!("/api/v1/events/{id}/check-in");
        // The page is for those who manage the event; the member and another chapter's
        // officer are refused the page and the scan alike.
        let mut office = t.signed_in(STAFF).await;
        let page = office.get(&format!("/events/{id}/check-in")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Start the camera") && page.body.contains("Search the roster"), "{}", page.body);
        let policy = page.headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
        assert!(!t.client().get("/events").await.headers["content-security-policy"].to_str().unwrap().contains("wasm"));
        let (status, headers, wasm) = office.get_bytes("/static/vendor/zxing_reader.wasm").await;
        assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/wasm"));
        assert!(wasm.starts_with(b"\0asm"), "the vendored reader is WebAssembly");
        for who in [MEMBER, OFFICER] {
            let mut client = t.signed_in(who).await;
            assert_eq!(client.get(&format!("/events/{id}/check-in")).await.status, StatusCode::FORBIDDEN, "{who}");
            let refused = client.api(Method::POST, &scan, Some(json!({ "ticket": ticket }))).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}: {}", refused.body);
        }

        // The QR code carries the ticket's whole address; the first scan checks Maya in,
        // the next says she already was.
        let link = format!("http://localhost:8080/tickets/{ticket}");
        let first = office.api(Method::POST, &scan, Some(json!({ "ticket": link }))).await;
        assert_eq!(first.status, StatusCode::OK, "{:?}: {}", t.engine, first.body);
        let first = first.json();
        assert_eq!(
            (first["registration"]["name"].as_str(), first["direction"].as_str(), first["recorded"].as_bool()),
            (Some("Maya Okafor, PE"), Some("arrival"), Some(true))
        );
        assert!(first["registration"]["checked_in_at"].as_str().is_some());
        let again = office.api(Method::POST, &scan, Some(json!({ "ticket": ticket }))).await.json();
        assert_eq!(again["recorded"], false, "she is in already");

        // Her ticket at another event's door, and something that is no ticket, are refused
        // with a sentence and check nobody in.
        let wrong = office
            .api(Method::POST, &format!("/api/v1/events/{other}/check-in"), Some(json!({ "ticket": ticket })))
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("This ticket is for another event: Bridge load rating seminar"), "{}", wrong.body);
        for junk in ["https://example.org/", "nosuchticket0000", "'; DROP TABLE events; --"] {
            let refused = office.api(Method::POST, &scan, Some(json!({ "ticket": junk }))).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{junk}: {}", refused.body);
            assert!(refused.body.contains("not one of this society's tickets"), "{}", refused.body);
        }
    }
}

#[tokio::test]
async fn staff_record_a_cheque_for_a_non_member_s_registration_and_the_invoice_is_paid_once() {
    for t in TestApp::each_engine().await {
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let member = actor_for(&t, MEMBER, Role::Member).await;
        let tier = t.store.member_by_user(member.user_id).await.unwrap().unwrap().tier_id;
        let event_id = paid_event(&t.app, &staff, tier, 10, 1).await;
        let outsider = people(&t, 1).await.remove(0);
        let registration = t.app.register_for_event(&outsider, event_id).await.unwrap();
        assert_eq!((registration.price_cents, registration.invoice_paid), (10_000, false));

        // The roster offers staff the form; an officer (who manages no money) is refused it.
        let mut office = t.signed_in(STAFF).await;
        let roster = office.get(&format!("/events/{event_id}/roster")).await.body;
        assert!(roster.contains(&format!("/registrations/{}/payment", registration.id)), "{roster}");
        let form = format!("/registrations/{}/payment", registration.id);
        let page = office.get(&form).await;
        assert!(
            page.body.contains("Attendee 0's registration for Spring engineering conference: $100.00"),
            "{}",
            page.body
        );
        let mut officer = t.signed_in(OFFICER).await;
        assert_eq!(officer.get(&form).await.status, StatusCode::FORBIDDEN);

        // A refused form keeps what was typed; a cheque pays the invoice and the payer gets a receipt.
        let refused = office.post_form(&form, &[("method", "barter"), ("reference", "chq 0012")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("value=\"chq 0012\""), "{}", refused.body);
        let paid = office.post_form(&form, &[("method", "cheque"), ("reference", "chq 0012")]).await;
        assert_eq!(
            paid.location(),
            format!("/events/{event_id}/roster?done=payment_recorded"),
            "{:?}: {}",
            t.engine,
            paid.body
        );
        let after = t.app.registration_for(&staff, registration.id).await.unwrap();
        assert!(after.invoice_paid, "{:?}", t.engine);
        let receipt = t.mail_to(&outsider.email).await.pop().unwrap();
        assert!(receipt.to_lowercase().contains("receipt"), "{receipt}");
        assert_eq!(
            audit(&mut office, "event.registration_paid_offline").await["items"][0]["subject"],
            "Spring engineering conference: Attendee 0"
        );

        // Paid once: the API's second try is refused and nothing more is recorded.
        let again = office
            .api(
                Method::POST,
                &format!("/api/v1/registrations/{}/payment", registration.id),
                Some(json!({ "method": "cash" })),
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
        assert!(again.body.contains("not open"), "{}", again.body);
    }
}

#[tokio::test]
async fn departures_scanned_at_the_door_make_the_minutes_in_each_session_decide_the_credit() {
    use guildhall_domain::events::local_instant;
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let zone = "America/Chicago";
        let date = event_time(t.app.clock.unix() + 2 * 86_400, zone).input[..10].to_string();
        let form = EventForm {
            kind: "conference".into(),
            title: "Pavement day".into(),
            time_zone: zone.into(),
            starts: format!("{date}T09:00"),
            ends: format!("{date}T16:00"),
            venue: "Engineers' Hall".into(),
            capacity: "50".into(),
            programme: format!(
                "{date} 09:00 | 10:40 | Overlays | 2 | technical | R. Singh\n\
                 {date} 13:00 | 14:00 | Ethics of warranties | 1 | ethics | A. Stone"
            ),
            ..Default::default()
        };
        let event_id = publish(&t.app, &staff, &form).await;
        let maya = actor_for(&t, MEMBER, Role::Member).await;
        let ticket = t.app.register_for_event(&maya, event_id).await.unwrap().ticket_code.unwrap();
        let scan = format!("/api/v1/events/{event_id}/check-in");
        let mut office = t.signed_in(STAFF).await;
        let at = |time: &str| local_instant(&format!("{date}T{time}"), zone).unwrap();
        let to = |clock: &guildhall_app::Clock, instant: i64| clock.advance(instant - clock.unix());

        // Leaving before anyone arrived records nothing.
        let early = office.api(Method::POST, &scan, Some(json!({ "ticket": ticket, "direction": "departure" }))).await;
        assert_eq!(
            (early.status, early.json()["recorded"].clone()),
            (StatusCode::OK, json!(false)),
            "{e:?}: {}",
            early.body
        );

        // She arrives at 9:10 and leaves at 10:00 (50 minutes of the first session: 1 PDH at
        // 50 minutes a PDH), and is never back.
        to(&t.app.clock, at("09:10"));
        let mut office = t.signed_in(STAFF).await;
        office.api(Method::POST, &scan, Some(json!({ "ticket": ticket }))).await;
        // (The test clock runs on from where it is set: half a minute spare.)
        to(&t.app.clock, at("10:00") + 30);
        let mut office = t.signed_in(STAFF).await;
        let left = office.api(Method::POST, &scan, Some(json!({ "ticket": ticket, "direction": "departure" }))).await;
        assert_eq!(left.status, StatusCode::OK, "{e:?}: {}", left.body);
        let left = left.json();
        assert_eq!(
            (
                left["recorded"].clone(),
                left["registration"]["attended_minutes"].clone(),
                left["registration"]["pdh_earned"].clone()
            ),
            (json!(true), json!(50), json!(1.0)),
            "{e:?}"
        );
        let refused = office.api(Method::POST, &scan, Some(json!({ "ticket": ticket, "direction": "sideways" }))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);

        // After the event the credit released is what the door measured: one PDH of the
        // first session, nothing of the ethics session she missed.
        to(&t.app.clock, at("17:00"));
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        t.app.release_credit(&staff, event_id, "test").await.unwrap();
        let record = t.store.member_by_user(maya.user_id).await.unwrap().unwrap();
        let ledger = t.store.ce_ledger(record.id).await.unwrap();
        let credited: Vec<_> = ledger.activities.iter().filter(|a| a.title.starts_with("Pavement day")).collect();
        assert_eq!(credited.len(), 1, "{e:?}: {credited:?}");
        assert_eq!(
            (credited[0].title.as_str(), credited[0].quantity_micro),
            ("Pavement day: Overlays", 1_000_000),
            "{e:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_scanned_many_times_at_once_opens_and_closes_one_span_and_a_payment_is_recorded_once() {
    for t in TestApp::each_engine().await {
        let e = t.engine;
        let staff = actor_for(&t, STAFF, Role::Staff).await;
        let id = published_event(&t.app, &staff, 5).await;
        let maya = actor_for(&t, MEMBER, Role::Member).await;
        let registration = t.app.register_for_event(&maya, id).await.unwrap();
        let ticket = registration.ticket_code.clone().unwrap();
        // Twenty phones read her ticket at once, arriving, then leaving: one of each counts.
        for passage in [guildhall_app::events::Passage::Arrival, guildhall_app::events::Passage::Departure] {
            let mut scans = tokio::task::JoinSet::new();
            for _ in 0..20 {
                let (app, staff, ticket) = (t.app.clone(), staff.clone(), ticket.clone());
                scans.spawn(
                    async move { app.scan_ticket(&staff, id, &ticket, passage, "test").await.map(|s| s.recorded) },
                );
            }
            let recorded = scans.join_all().await.into_iter().filter(|r| matches!(r, Ok(true))).count();
            assert_eq!(recorded, 1, "{e:?}: {passage:?} recorded once");
        }
        let (_, spans) = t.store.scan_attendance(registration.id, false, t.app.clock.unix()).await.unwrap().unwrap();
        assert_eq!(spans.len(), 1, "{e:?}: one span, {spans:?}");
        assert!(spans[0].1.is_some(), "{e:?}: closed");

        // Twenty cheques recorded at once for one non-member's invoice: one is taken.
        let tier = t.store.member_by_user(maya.user_id).await.unwrap().unwrap().tier_id;
        let paid_id = paid_event(&t.app, &staff, tier, 10, 1).await;
        let outsider = people(&t, 1).await.remove(0);
        let owed = t.app.register_for_event(&outsider, paid_id).await.unwrap();
        let mut payments = tokio::task::JoinSet::new();
        for n in 0..20 {
            let (app, staff) = (t.app.clone(), staff.clone());
            payments.spawn(async move {
                app.record_registration_payment(&staff, owed.id, "cheque", &format!("chq {n}"), "test").await
            });
        }
        let taken = payments.join_all().await.into_iter().filter(Result::is_ok).count();
        assert_eq!(taken, 1, "{e:?}: one payment of the invoice");
        assert!(t.app.registration_for(&staff, owed.id).await.unwrap().invoice_paid, "{e:?}");
    }
}
