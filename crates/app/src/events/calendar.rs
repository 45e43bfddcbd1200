//! iCalendar (RFC 5545) feeds: the society's public events, a chapter's, and a person's own
//! registrations at a secret address. Each event's times are written on its own wall clock
//! with its IANA zone (`DTSTART;TZID=America/Chicago:…`), as calendar programs expect.

use chrono::NaiveDateTime;
use guildhall_domain::events::{EventStatus, event_time};
use guildhall_store::EventRecord;
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus as IcsStatus};

/// A calendar named `name` holding `events`; `page` is each event's page (its URL).
pub(crate) fn calendar_of(name: &str, events: &[EventRecord], page: &dyn Fn(i64) -> String, host: &str) -> String {
    let mut calendar = Calendar::empty();
    calendar.name(name);
    write_calendar(calendar, events, page, host)
}

/// The one event a confirmation email carries, as a file calendar programs offer to add
/// (`METHOD:PUBLISH`). Its `UID` is the feeds' for the same event, so adding it from the
/// email and subscribing to a feed give one entry, not two.
pub(crate) fn event_file(event: &EventRecord, page: &dyn Fn(i64) -> String, host: &str) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(("METHOD", "PUBLISH"));
    write_calendar(calendar, std::slice::from_ref(event), page, host)
}

fn write_calendar(mut calendar: Calendar, events: &[EventRecord], page: &dyn Fn(i64) -> String, host: &str) -> String {
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Guildhall//Society events//EN"))
        .append_property(("CALSCALE", "GREGORIAN"));
    for e in events {
        let mut entry = Event::new();
        entry
            .uid(&format!("event-{}@{host}", e.id))
            .summary(&e.title)
            .starts(wall_clock(e.starts_at, &e.time_zone))
            .ends(wall_clock(e.ends_at, &e.time_zone))
            .url(&page(e.id))
            .status(if e.status == EventStatus::Cancelled { IcsStatus::Cancelled } else { IcsStatus::Confirmed });
        let place = match (e.venue.is_empty(), e.address.is_empty()) {
            (true, _) => "Online".to_string(),
            (false, true) => e.venue.clone(),
            (false, false) => format!("{}, {}", e.venue, e.address),
        };
        entry.location(&place);
        if !e.description.is_empty() {
            entry.description(&e.description);
        }
        calendar.push(entry.done());
    }
    calendar.done().to_string()
}

/// An instant on the event's wall clock, with its zone.
fn wall_clock(at: i64, zone: &str) -> CalendarDateTime {
    let input = event_time(at, zone).input;
    match NaiveDateTime::parse_from_str(&input, "%Y-%m-%dT%H:%M") {
        Ok(date_time) => CalendarDateTime::WithTimezone { date_time, tzid: zone.to_string() },
        // Never for a stored event (its zone was checked); UTC rather than nothing.
        Err(_) => CalendarDateTime::Utc(chrono::DateTime::from_timestamp(at, 0).unwrap_or_default()),
    }
}
