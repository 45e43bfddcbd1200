//! Upcoming events that would close a credential's shortfall, for the CE page: for each
//! licence or certification short of credit in its current period, the published events
//! open for registration, carrying PDH, starting before the period ends, whose topics are
//! among those the missing minimum counts (any topic for a total still short).

use guildhall_ce::{Credit, PeriodResult, RuleBook, Status, TagSet};
use guildhall_domain::events::{EventStatus, event_time};
use guildhall_store::{EventFilter, EventRecord, PageRequest};
use time::Date;

use crate::error::AppResult;
use crate::{App, ce::micro_text};

/// The most events suggested for one shortfall.
const PER_NEED: usize = 3;

/// What a credential still needs, and the events that would give it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventSuggestions {
    /// "Texas PE licence: 1 PDH of ethics by 2027-12-31".
    pub need: String,
    pub events: Vec<SuggestedEvent>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SuggestedEvent {
    pub id: i64,
    pub title: String,
    /// The start on the event's wall clock, in words.
    pub when: String,
    /// "2 PDH".
    pub pdh: String,
}

/// One credential's current period, as the dashboard evaluated it.
pub(crate) struct ShortPeriod<'a> {
    pub title: String,
    pub ruleset: &'a str,
    pub period: &'a PeriodResult,
}

impl App {
    /// Suggestions for every credential short of credit (those with a shortfall in the
    /// current period); none when nothing is short or no event fits.
    pub(crate) async fn event_suggestions(
        &self,
        book: &RuleBook,
        short: &[ShortPeriod<'_>],
        today: Date,
    ) -> AppResult<Vec<EventSuggestions>> {
        let short: Vec<&ShortPeriod> =
            short.iter().filter(|s| matches!(s.period.status, Status::Deficient | Status::InProgress)).collect();
        if short.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.clock.unix();
        let upcoming =
            self.upcoming_events(EventFilter::default(), PageRequest::new(1, PageRequest::MAX_PER_PAGE)).await?;
        let open: Vec<&EventRecord> = upcoming
            .items
            .iter()
            .filter(|e| e.status == EventStatus::Published && e.pdh_micro > 0 && e.registration_closes_at > now)
            .collect();
        let mut out = Vec::new();
        for s in short {
            let p = s.period;
            let ends = Date::parse(&p.end, time::macros::format_description!("[year]-[month]-[day]")).unwrap_or(today);
            let before = ends.midnight().assume_utc().unix_timestamp() + 86_400;
            let version = book.history(s.ruleset).map(|h| h.version_on(today));
            let mut needs: Vec<(String, Option<TagSet>)> = Vec::new();
            for (id, shortfall) in &p.shortfall.minimums.0 {
                let Some(shortfall) = shortfall.filter(|c| !c.is_zero()) else { continue };
                let minimum = version.and_then(|v| v.minimums.iter().find(|m| &m.id == id));
                let label = minimum.map_or_else(|| id.replace('_', " "), |m| m.label.to_lowercase());
                needs.push((format!("{} of {label}", credit_words(shortfall)), minimum.map(|m| m.tags)));
            }
            if let Some(total) = p.shortfall.total.filter(|c| !c.is_zero())
                && needs.is_empty()
            {
                needs.push((credit_words(total), None));
            }
            for (need, tags) in needs {
                let events: Vec<SuggestedEvent> = open
                    .iter()
                    .filter(|e| e.starts_at < before)
                    .filter(|e| match tags {
                        Some(tags) if !tags.is_empty() => event_tags(book, e).intersects(&tags),
                        _ => true,
                    })
                    .take(PER_NEED)
                    .map(|e| {
                        let t = event_time(e.starts_at, &e.time_zone);
                        SuggestedEvent {
                            id: e.id,
                            title: e.title.clone(),
                            when: format!("{}, {} {}", t.date, t.time, t.zone),
                            pdh: format!("{} PDH", micro_text(e.pdh_micro)),
                        }
                    })
                    .collect();
                if !events.is_empty() {
                    out.push(EventSuggestions { need: format!("{}: {need} by {}", s.title, p.end), events });
                }
            }
        }
        Ok(out)
    }
}

/// An event's topics as the rule book's tags.
fn event_tags(book: &RuleBook, event: &EventRecord) -> TagSet {
    let mut tags = TagSet::EMPTY;
    for topic in event.topics.split_whitespace() {
        if let Some(id) = book.tag_id(topic) {
            tags.insert(id);
        }
    }
    tags
}

fn credit_words(credit: Credit) -> String {
    format!("{} PDH", credit.text())
}
