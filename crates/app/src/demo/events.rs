//! The demo society's season of events: the society's conference and webinars, chapter
//! meetings, a site visit, a draft a chapter officer is preparing, and a workshop that is full
//! with people waiting, so every events page has something real to show.

use guildhall_domain::events::{EventKind, event_time};
use guildhall_domain::identity::Role;
use guildhall_store::{NewEvent, NewUser};

use super::DEMO_SIGN_INS;
use crate::error::AppResult;
use crate::events::EventForm;
use crate::{Actor, App};

/// (chapter index or none, kind, title, days from today, start hour, hours, venue, online, seats, description)
type DemoEvent = (Option<usize>, &'static str, &'static str, i64, i64, i64, &'static str, bool, u32, &'static str);

/// The officer responsible for the demo events' credit, as certificates print it.
const DEMO_RESPONSIBLE: &str = "Dana Whitfield, P.E., Director of Continuing Education";

const EVENTS: [DemoEvent; 8] = [
    (
        None,
        "conference",
        "Annual Engineering Conference",
        45,
        8,
        9,
        "Springfield Convention Center",
        false,
        400,
        "Two tracks of technical sessions, the ethics plenary that counts toward every state's ethics hours, and the society's awards luncheon.",
    ),
    (
        None,
        "webinar",
        "Ethics for Professional Engineers",
        12,
        12,
        2,
        "",
        true,
        500,
        "Two PDH of ethics: conflicts of interest, duty to the public, and recent disciplinary cases from state boards.",
    ),
    (
        None,
        "workshop",
        "Bridge Load Rating Workshop",
        20,
        9,
        7,
        "Engineers' Hall, Room 2",
        false,
        3,
        "A hands-on day rating a steel girder bridge with the LRFR method. Small group: bring a laptop.",
    ),
    (
        Some(0),
        "chapter_meeting",
        "Capital Chapter Dinner Meeting: Stormwater Design Changes",
        9,
        18,
        2,
        "The Riverside Grill",
        false,
        60,
        "Dinner and a talk on the state's new stormwater design manual, with one PDH.",
    ),
    (
        Some(1),
        "site_visit",
        "Harbour Desalination Plant Tour",
        30,
        10,
        3,
        "Harbour Desalination Plant, Gate B",
        false,
        25,
        "A guided tour of the reverse-osmosis trains and the intake structure. Closed-toe shoes required.",
    ),
    (
        Some(2),
        "seminar",
        "Geotechnical Seminar: Frost Heave and Shallow Foundations",
        16,
        13,
        3,
        "Northern Technical College, Hall A",
        true,
        80,
        "Case studies from northern counties, in person and online.",
    ),
    (
        None,
        "course",
        "PE Exam Review: Civil Breadth",
        60,
        9,
        8,
        "",
        true,
        150,
        "A day of review for the Civil PE exam's breadth topics, with practice problems.",
    ),
    (
        Some(5),
        "chapter_meeting",
        "Student Chapter Career Night",
        5,
        18,
        3,
        "State University Engineering Building, Atrium",
        false,
        120,
        "Meet employers and licensed engineers; advice on the FE exam and the path to licensure.",
    ),
];

/// The demo society as boards know it as a provider of PDH.
const DEMO_PROVIDER: &str = "Guildhall Society of Professional Engineers (provider no. 0412)";

/// The time zone the demo society's events happen in.
const DEMO_TIME_ZONE: &str = "America/Chicago";

impl App {
    /// Publishes the season (the chapter draft stays a draft), registers the demo member for
    /// the conference and the webinar, and fills the workshop with people waiting.
    pub(super) async fn seed_demo_events(&self, staff: &Actor, chapter_ids: &[i64]) -> AppResult<()> {
        let officer = self.store.user_by_email(DEMO_SIGN_INS[1].email).await?;
        let member = self.store.user_by_email(DEMO_SIGN_INS[0].email).await?;
        let (Some(officer), Some(member)) = (officer, member) else { return Ok(()) };
        let officer = Actor {
            officer_of: vec![chapter_ids[0]],
            ..Actor::for_account(officer.id, &officer.email, &officer.display_name, Role::Member)
        };
        let maya = Actor::for_account(member.id, &member.email, &member.display_name, Role::Member);
        let now = self.clock.unix();
        let mut ids = Vec::new();
        // The conference is paid: members of each tier, students and non-members have their
        // prices, with early-bird prices for the first weeks and a code for volunteers.
        let tiers = self.tiers().await?;
        for (chapter, kind, title, days, hour, hours, venue, online, seats, description) in EVENTS {
            let paid = kind == "conference";
            let early_bird = event_time(now - now.rem_euclid(86_400) + (days / 2).max(1) * 86_400, "UTC");
            let midnight = now - now.rem_euclid(86_400) + days * 86_400;
            // Hours on the event's wall clock: the instant of midnight UTC read in its zone,
            // then the start hour added to that date.
            let date = event_time(midnight, "UTC").input[..10].to_string();
            let at = |h: i64| format!("{date}T{:02}:00", h.min(23));
            let form = EventForm {
                chapter: chapter.map(|i| chapter_ids[i].to_string()).unwrap_or_default(),
                kind: kind.into(),
                title: title.into(),
                description: description.into(),
                time_zone: DEMO_TIME_ZONE.into(),
                starts: at(hour),
                ends: at(hour + hours),
                venue: venue.into(),
                address: if venue.is_empty() { String::new() } else { "Springfield".into() },
                online_link: if online { "https://meet.example.org/guildhall-demo".into() } else { String::new() },
                capacity: seats.to_string(),
                registration_closes: String::new(),
                // A PDH an hour of content (career night and the dinner's social hour carry none).
                pdh: match kind {
                    "chapter_meeting" if title.contains("Career") => String::new(),
                    "chapter_meeting" => "1".into(),
                    "conference" => (hours - 1).to_string(),
                    _ => hours.to_string(),
                },
                topics: if kind == "chapter_meeting" && title.contains("Career") {
                    Vec::new()
                } else if title.contains("Ethics") {
                    vec!["ethics".into()]
                } else {
                    vec!["technical".into()]
                },
                provider: DEMO_PROVIDER.into(),
                // The conference and the ethics webinar were approved by the Florida and
                // Texas boards.
                approved_by: if paid || title.contains("Ethics") {
                    vec!["US-FL".into(), "US-TX".into()]
                } else {
                    Vec::new()
                },
                prices: if paid {
                    let mut prices = vec![
                        ("non_member".to_string(), "350".to_string(), "295".to_string()),
                        ("student".to_string(), "75".to_string(), String::new()),
                    ];
                    for tier in &tiers {
                        let (price, early) = if tier.annual_dues_cents >= 10_000 { ("225", "195") } else { ("95", "") };
                        prices.push((format!("tier:{}", tier.id), price.into(), early.into()));
                    }
                    prices
                } else {
                    Vec::new()
                },
                early_bird_until: if paid { early_bird.input } else { String::new() },
                changes_until: String::new(),
                refund_percent: if paid { "80".into() } else { String::new() },
                discount_codes: if paid { "VOLUNTEER 50 20".into() } else { String::new() },
                minutes_per_pdh: String::new(),
                responsible: DEMO_RESPONSIBLE.into(),
                // The conference's day: a keynote, two technical tracks and the ethics plenary.
                programme: if paid {
                    [
                        "08:30 | 10:00 | Keynote: infrastructure that outlasts its climate | 1.5 | technical | Dr. Alana Rivera, P.E.",
                        "10:15 | 12:00 | Track A: seismic retrofit of older bridges | 1.75 | technical | Marcus Webb, S.E.",
                        "13:00 | 14:00 | Ethics plenary: when the client says sign it | 1 | ethics | Priya Natarajan, P.E.",
                        "14:15 | 16:45 | Track B: stormwater design after the new rainfall atlas | 2.5 | technical | Tomás Ortega, P.E.",
                    ]
                    .map(|line| format!("{date} {line}"))
                    .join("\n")
                } else {
                    String::new()
                },
            };
            // The Capital Chapter's dinner is its officer's draft; the rest are published.
            let by = if chapter == Some(0) { &officer } else { staff };
            let id = self.create_event(by, &form, "demo").await?;
            if chapter != Some(0) {
                self.publish_event(staff, id, "demo").await?;
            }
            ids.push(id);
        }
        self.register_for_event(&maya, ids[0]).await?;
        self.register_for_event(&maya, ids[1]).await?;
        // The workshop's three seats are taken and two people wait.
        let names = ["Jordan Lee", "Sam Carter", "Riley Chen", "Taylor Brooks", "Casey Nguyen"];
        let attendees = self.create_demo_attendees(&names.map(String::from), "attendee").await?;
        for attendee in &attendees {
            self.register_for_event(attendee, ids[2]).await?;
        }
        self.seed_demo_past_event(staff, &maya, &attendees[..2]).await?;
        self.seed_demo_seminar_awaiting_release(staff, &maya, &attendees[2..4]).await
    }

    /// Member accounts named `names` (emails `{prefix}{n}@demo.guildhall.org`), signing in
    /// with the demo password, as actors (the demo's attendees; the events benchmark's
    /// registrants).
    pub async fn create_demo_attendees(&self, names: &[String], prefix: &str) -> AppResult<Vec<Actor>> {
        let now = self.clock.unix();
        let hash = self.store.user_by_email(DEMO_SIGN_INS[0].email).await?.map(|u| u.password_hash).unwrap_or_default();
        let mut actors = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let email = format!("{prefix}{}@demo.guildhall.org", i + 1);
            let user = NewUser {
                email: email.clone(),
                display_name: name.clone(),
                password_hash: hash.clone(),
                role: Role::Member.as_str().into(),
                email_verified_at: Some(now),
            };
            let user_id = self.store.create_user(&user, None, None, now).await?;
            actors.push(Actor::for_account(user_id, &email, name, Role::Member));
        }
        Ok(actors)
    }

    /// Last month's webinar: Maya and two others attended and were checked in, and staff
    /// released the credit, so her ledger, her certificate and its public page are real.
    async fn seed_demo_past_event(&self, staff: &Actor, maya: &Actor, others: &[Actor]) -> AppResult<()> {
        let now = self.clock.unix();
        let starts = now - now.rem_euclid(86_400) - 33 * 86_400 + 17 * 3_600;
        let webinar = NewEvent {
            chapter_id: None,
            kind: EventKind::Webinar,
            title: "Structural Resilience After Flooding".into(),
            description: "Two PDH on assessing flood-damaged structures, with case studies from last spring.".into(),
            time_zone: DEMO_TIME_ZONE.into(),
            starts_at: starts,
            ends_at: starts + 2 * 3_600,
            venue: String::new(),
            address: String::new(),
            online_link: "https://meet.example.org/guildhall-demo".into(),
            capacity: 300,
            // Open while the demo registers its attendees, closed at the start afterwards.
            registration_closes_at: now + 3_600,
            pdh_micro: 2_000_000,
            topics: "technical".into(),
            provider: DEMO_PROVIDER.into(),
            early_bird_until: None,
            changes_until: None,
            refund_percent: 100,
            minutes_per_pdh: 50,
            responsible: DEMO_RESPONSIBLE.into(),
            approved_by: "US-FL".into(),
        };
        let attendees: Vec<&Actor> = std::iter::once(maya).chain(others).collect();
        let id = self.seed_demo_held_event(staff, webinar, &attendees, &attendees).await?;
        self.release_credit(staff, id, "demo").await?;
        Ok(())
    }

    /// Last week's ethics seminar: Maya and two others registered; the two were checked in
    /// at the door, Maya's check-in and the credit's release are still to do (what staff do
    /// in the browser test, and what the events report counts as held but not released).
    async fn seed_demo_seminar_awaiting_release(&self, staff: &Actor, maya: &Actor, others: &[Actor]) -> AppResult<()> {
        let now = self.clock.unix();
        let starts = now - now.rem_euclid(86_400) - 6 * 86_400 + 18 * 3_600;
        let seminar = NewEvent {
            chapter_id: None,
            kind: EventKind::Seminar,
            title: "Ethics in Engineering Practice".into(),
            description: "One PDH of professional ethics: conflicts of interest, gifts and duty to the public, \
                          worked through real board cases."
                .into(),
            time_zone: DEMO_TIME_ZONE.into(),
            starts_at: starts,
            ends_at: starts + 3_600,
            venue: "Engineers' Hall".into(),
            address: "Springfield".into(),
            online_link: String::new(),
            capacity: 60,
            registration_closes_at: now + 3_600,
            pdh_micro: 1_000_000,
            topics: "ethics".into(),
            provider: DEMO_PROVIDER.into(),
            early_bird_until: None,
            changes_until: None,
            refund_percent: 100,
            minutes_per_pdh: 50,
            responsible: DEMO_RESPONSIBLE.into(),
            approved_by: "US-FL US-TX".into(),
        };
        let registered: Vec<&Actor> = std::iter::once(maya).chain(others).collect();
        let checked_in: Vec<&Actor> = others.iter().collect();
        self.seed_demo_held_event(staff, seminar, &registered, &checked_in).await?;
        Ok(())
    }

    /// A past event as the demo holds it: created and published while registration is
    /// open, `registered` registered, `checked_in` checked in ten minutes after the start,
    /// then closed at its start. Returns its id.
    async fn seed_demo_held_event(
        &self,
        staff: &Actor,
        event: NewEvent,
        registered: &[&Actor],
        checked_in: &[&Actor],
    ) -> AppResult<i64> {
        let now = self.clock.unix();
        let audit = self.audit_entry(staff, "event.created", "event", "demo");
        let pricing = guildhall_store::EventParts::default();
        let id = self.store.create_event(&event, &pricing, Some(staff.user_id), &audit, now).await?;
        self.publish_event(staff, id, "demo").await?;
        for person in registered {
            let registration = self.register_for_event(person, id).await?;
            if checked_in.iter().any(|p| p.user_id == person.user_id) {
                self.store.scan_attendance(registration.id, true, event.starts_at + 600).await?;
            }
        }
        let closed = NewEvent { registration_closes_at: event.starts_at, ..event };
        let offer_mail = |offer: &guildhall_store::SeatOffer| self.seat_offer_mail(&closed.title, offer);
        self.store.update_event(id, &closed, &pricing, now, &offer_mail, &audit, now).await?;
        Ok(id)
    }
}
