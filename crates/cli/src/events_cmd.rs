//! `guildhall bench events`: registrations and check-ins by ticket per second under
//! concurrency, and a society with many events for `scripts/bench-web` to load its event
//! pages against.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use guildhall_app::events::{EventForm, Passage};
use guildhall_app::{Actor, App};
use guildhall_domain::events::event_time;
use guildhall_domain::identity::Role;

/// How many registrations run at once.
const AT_ONCE: usize = 16;

/// Adds `events` published events over the coming year, then times `registrations` people
/// registering for one event with half as many seats (the rest join its waitlist), sixteen at
/// a time. Prints the event pages' ids for the web benchmark.
pub async fn bench_events(app: Arc<App>, events: usize, registrations: usize) -> Result<()> {
    let started = Instant::now();
    if app.seed_demo_sized(200).await? {
        say!("Seeded a demo society of 200 members in {:.1} s", started.elapsed().as_secs_f64());
    }
    let staff_id = app.demo_account_id("staff@demo.guildhall.org").await?.unwrap_or(0);
    let staff = Actor::for_account(staff_id, "staff@demo.guildhall.org", "Staff", Role::Staff);
    let zone = "America/Chicago";
    let kinds = ["seminar", "workshop", "webinar", "chapter_meeting", "course", "conference", "site_visit"];
    let form = |i: usize, capacity: usize| {
        let starts = app.clock.unix() + 86_400 + (i as i64 % 365) * 86_400 + (i as i64 % 8) * 3_600;
        EventForm {
            kind: kinds[i % kinds.len()].into(),
            title: format!("Benchmark event {i}: load rating and inspection"),
            description: "Generated for the benchmark.".into(),
            time_zone: zone.into(),
            starts: event_time(starts, zone).input,
            ends: event_time(starts + 2 * 3_600, zone).input,
            venue: "Engineers' Hall".into(),
            address: "Springfield".into(),
            capacity: capacity.to_string(),
            pdh: "2".into(),
            topics: vec!["technical".into()],
            ..Default::default()
        }
    };
    let started = Instant::now();
    let mut last = 0;
    for i in 0..events {
        let id = app.create_event(&staff, &form(i, 100), "bench").await?;
        app.publish_event(&staff, id, "bench").await?;
        last = id;
    }
    say!("Added {events} published events in {:.1} s (the last is /events/{last})", started.elapsed().as_secs_f64());

    let seats = (registrations / 2).max(1);
    let event = app.create_event(&staff, &form(events, seats), "bench").await?;
    app.publish_event(&staff, event, "bench").await?;
    let names: Vec<String> = (0..registrations).map(|i| format!("Registrant {i}")).collect();
    let people = app.create_demo_attendees(&names, &format!("bench-registrant-{event}-")).await?;
    let started = Instant::now();
    let queue = Arc::new(std::sync::Mutex::new(people));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..AT_ONCE {
        let (app, queue) = (app.clone(), queue.clone());
        workers.spawn(async move {
            loop {
                let next = queue.lock().map(|mut q| q.pop()).unwrap_or(None);
                let Some(person) = next else { return Ok::<(), guildhall_app::AppError>(()) };
                app.register_for_event(&person, event).await?;
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (held, roster) = app.event_roster(&staff, event).await?;
    let waiting = roster.len() - usize::try_from(held.seats_taken).unwrap_or(0);
    say!(
        "registrations ({:?}): {registrations} in {elapsed:.2} s, {AT_ONCE} at a time: {:.0} registrations/s \
         ({} confirmed of {seats} seats, {waiting} waitlisted, each with its email queued)",
        app.engine_kind(),
        registrations as f64 / elapsed,
        held.seats_taken
    );

    // At the door: every ticket scanned once, as the check-in camera sends them.
    let tickets: Vec<String> = roster
        .into_iter()
        .filter(|e| e.registration.status.is_confirmed())
        .filter_map(|e| e.registration.ticket_code)
        .collect();
    let scanned = tickets.len();
    let started = Instant::now();
    let queue = Arc::new(std::sync::Mutex::new(tickets));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..AT_ONCE {
        let (app, queue, staff) = (app.clone(), queue.clone(), staff.clone());
        workers.spawn(async move {
            loop {
                let next = queue.lock().map(|mut q| q.pop()).unwrap_or(None);
                let Some(ticket) = next else { return Ok::<(), guildhall_app::AppError>(()) };
                app.scan_ticket(&staff, event, &ticket, Passage::Arrival, "bench").await?;
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    say!(
        "check-ins by ticket ({:?}): {scanned} in {elapsed:.2} s, {AT_ONCE} at a time: {:.0} check-ins/s",
        app.engine_kind(),
        scanned as f64 / elapsed
    );
    Ok(())
}
